// One run of a file source: the files of the drop the bronze table's ledger does not hold yet.
//
// Listed files younger than min_age are left for a later run; files the ledger holds with the
// same fingerprint are skipped; changed ones are reported (or ingested again with on_change:
// reingest); the rest are read in path order with the table's column types. Each file read is a
// ledger entry (FileLedgerAppId, FileFingerprint), an empty file included; a file whose columns
// cannot be probed is unreadable (one quarantine record) and ledgered too, so it is not retried
// until it changes.
#pragma once

#include <memory>

#include "sluice/connectors/file/file_source.h"
#include "sluice/connectors/source.h"

namespace sluice::connectors {

// `source` is ready (its file system open). Errors: I/O errors of the listing.
Result<std::unique_ptr<SourceRun>> PlanFileRun(std::unique_ptr<FileSource> source,
                                               const SourceState& state);

}  // namespace sluice::connectors

// Table features (PROTOCOL.md "Table Features"): what a table's protocol asks of its readers and
// writers, which of it sluice honours, and the protocol a table needs for the properties it has.
//
// sluice writes tables at reader 1 / writer 2 until a property needs more:
//   delta.enableDeletionVectors=true   reader 3 / writer 7, feature deletionVectors
//   delta.enableChangeDataFeed=true    writer 4 (or feature changeDataFeed at writer 7)
//   delta.columnMapping.mode=name|id   reader 2 / writer 5 (or feature columnMapping at writer 7)
//   delta.setTransactionRetentionDuration   writer 7, feature domainMetadata
//   (transaction_archive.h)
// An upgrade to writer 7 lists every feature the older versions implied (appendOnly, invariants,
// and at writer 4 checkConstraints, changeDataFeed, generatedColumns), as the protocol requires.
// Protocols are only ever raised, never lowered.
//
// Thread-safety: plain functions.
#pragma once

#include <map>
#include <string>

#include "sluice/common/result.h"
#include "sluice/lake/actions.h"
#include "sluice/lake/snapshot.h"

namespace sluice::lake {

// Whether a table property is set to true ("true", any case).
bool PropertyIsTrue(const std::map<std::string, std::string>& configuration,
                    const std::string& key);
bool DeletionVectorsEnabled(const Metadata& metadata);
bool ChangeDataFeedEnabled(const Metadata& metadata);

// The protocol a table with `configuration` needs, starting from `current` (raised where the
// properties need more; returned unchanged when they do not).
Protocol RequiredProtocol(const Protocol& current,
                          const std::map<std::string, std::string>& configuration);

// `current` raised to list writer feature `feature` (writer 7, with every feature the older
// writer version implied listed first); unchanged when it already supports it.
Protocol WithWriterFeature(const Protocol& current, const std::string& feature);

// Whether `feature` is listed by the protocol (writer features), or implied by its writer version.
bool SupportsWriterFeature(const Protocol& protocol, const std::string& feature);

// Checks one table property a user sets: delta.* keys must be ones Delta defines (a "did you
// mean" for near misses) with a value of the right kind (boolean, duration, positive integer),
// and not ask for something sluice cannot keep up (in-commit timestamps, row tracking, type
// widening on write); delta.columnMapping.maxColumnId is the writer's own. Other keys are
// free-form. Errors: InvalidArgument naming the key.
Status CheckTableProperty(const std::string& key, const std::string& value);

// Refuses to write tables whose protocol or contents ask for what sluice does not do (unknown
// writer features, column invariants, CHECK constraints, generated or identity columns, nested
// columns, ...).
// Errors: InvalidArgument naming the versions and features.
Status CheckWritable(const Snapshot& snapshot);

}  // namespace sluice::lake

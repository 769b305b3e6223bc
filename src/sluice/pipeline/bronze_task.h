// BronzeTask: ingests one file source into its bronze Delta table — each file exactly once.
//
// The ledger of ingested files lives in the bronze table's own commits: every file is recorded as
// a txn action (appId "sluice.file:<path relative to the project>", version = a fingerprint of
// its size and modification time) in the same commit as its rows, so data and ledger can never
// disagree, and two runs racing on one file conflict instead of both ingesting it.
//
// A run: list the files matching the source's glob; leave those younger than min_age for a later
// run; skip those the ledger holds with the same fingerprint; report changed ones (re-ingest them
// when on_change: reingest); read the rest in path order with the table's column types (a value
// that does not fit goes to quarantine, never coerced); add the audit columns; write the data
// files; then commit the rejected records to quarantine/<source> (ledgered the same way, so a
// crash between the two commits never duplicates them) and finally the bronze commit. Exceeding
// the reject limit, or a new column under schema_drift: freeze, fails the task and commits
// nothing.
//
// Audit columns: _sluice_ingested_at (timestamp), _sluice_source, _sluice_file, _sluice_batch_id
// (the run id), and _sluice_ingest_date (date, the partition column).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sluice/pipeline/project.h"
#include "sluice/pipeline/task.h"

namespace sluice::pipeline {

// The ledger's appId prefix and fingerprint (exposed for tests and tools).
std::string FileLedgerAppId(const std::string& relative_path);
int64_t FileFingerprint(int64_t size, int64_t modification_time_ms);

class BronzeTask final : public Task {
 public:
  // `now_ms` (tests): the clock for min_age and _sluice_ingested_at; 0 = the system clock.
  BronzeTask(const Project& project, const SourceDeclaration& source, int64_t now_ms = 0);

  const std::string& name() const override { return name_; }
  std::string kind() const override { return "bronze"; }
  std::vector<std::string> upstream() const override { return {}; }
  std::vector<std::string> reads() const override;
  std::vector<std::string> writes() const override;

  Result<TaskOutcome> Run(TaskContext& context) override;

 private:
  std::string name_;
  std::string table_path_;
  std::string quarantine_path_;
  std::string lake_;
  connectors::FileSourceOptions source_;
  int64_t now_ms_;
};

}  // namespace sluice::pipeline

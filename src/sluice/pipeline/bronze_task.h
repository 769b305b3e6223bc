// BronzeTask: ingests one source (connectors/source.h) into its bronze Delta table — each input
// exactly once.
//
// The source plans the run from the state committed in the bronze table's own commits (txn
// actions, e.g. one per ingested file: appId "sluice.file:<path relative to the project>",
// version a fingerprint of its size and modification time), then streams its rows; the task adds
// the audit columns, writes the data files, commits the rejected records to quarantine/<source>
// (ledgered the same way, so a crash between the two commits never duplicates them) and finally
// the bronze commit with the source's ledger entries, so data and ledger can never disagree, and
// two runs racing on one input conflict instead of both ingesting it. Exceeding the reject limit,
// or a new column under schema_drift: freeze, fails the task and commits nothing.
//
// Audit columns: _sluice_ingested_at (timestamp), _sluice_source, _sluice_file (the input: a
// file, a table), _sluice_batch_id (the run id), and _sluice_ingest_date (date, the partition
// column).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sluice/pipeline/project.h"
#include "sluice/pipeline/task.h"

namespace sluice::pipeline {

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
  std::shared_ptr<const connectors::Source> source_;
  int64_t now_ms_;
};

}  // namespace sluice::pipeline

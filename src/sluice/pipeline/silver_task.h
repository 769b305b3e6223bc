// SilverTask: builds one silver table from its upstream lake tables (silver/silver_table.h has the
// steps; silver_stages.h the stages of a run), incrementally and exactly once.
//
// Incremental: the upstream versions a table has consumed are txn actions in its own commits
// (appId "sluice.silver:<upstream table>", version = the upstream version). A run reads only the
// files added by the upstream commits after that version, and commits the new version with the
// rows, so a crash or a rerun never processes a row twice or skips one. An upstream commit that
// removed rows (an overwrite, a merge) makes the run a full refresh; `--full-refresh` asks for one.
//
// A run: read the new upstream rows (a union by column name when there are several), transform
// them, dedupe (one row per key, the latest by `latest_by`, also against the rows already in the
// table), check, mask, and write: rejected rows to quarantine/<table> (ledgered like the table, so
// a retried run does not quarantine them twice), then the table itself (an append, a merge by the
// dedupe key, or an overwrite for a full refresh), then one row per check to quality/<table>.
// A failed check of severity fail, or more rejects than max_rejects, fails the task before
// anything of the table is committed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sluice/pipeline/project.h"
#include "sluice/pipeline/silver_stages.h"
#include "sluice/pipeline/task.h"
#include "sluice/silver/silver_table.h"

namespace sluice::pipeline {

class SilverTask final : public Task {
 public:
  // `upstream_tasks`: the tasks producing the tables this one reads. `now_ms` (tests): the clock.
  SilverTask(const Project& project, const silver::SilverTable& table,
             std::vector<std::string> upstream_tasks, bool full_refresh, int64_t now_ms = 0);

  const std::string& name() const override { return table_.name; }
  std::string kind() const override { return "silver"; }
  std::vector<std::string> upstream() const override { return upstream_; }
  std::vector<std::string> reads() const override;
  std::vector<std::string> writes() const override;

  Result<TaskOutcome> Run(TaskContext& context) override;

 private:
  const Project& project_;
  silver::SilverTable table_;
  std::vector<std::string> upstream_;
  bool full_refresh_;
  int64_t now_ms_;
};

}  // namespace sluice::pipeline

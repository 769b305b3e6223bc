// GoldTask: builds one gold table (gold/gold_model.h) from lake tables, incrementally and exactly
// once, like a silver task.
//
// The upstream version a gold table has consumed is a txn action in its own commits (appId
// "sluice.gold:<upstream table>"), written with the rows:
//   - dimension: reads the upstream's new rows (all of it when it removed rows, on a full refresh,
//     or with close_missing: a full snapshot), applies them to the whole dimension (gold/
//     dimension.h) and rewrites it when anything changed. The surrogate key counter is a txn
//     action too ("sluice.gold.next_key"), so a key is never handed out twice.
//   - date_dimension: written once; again only when its settings change.
//   - fact: reads the upstream's new rows, looks up each dimension's key (the dimensions are
//     upstream tasks), checks the grain and merges by it (the first run, or a rebuild, writes the
//     table whole).
//   - aggregate: recomputed from the whole upstream when it has a new version.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sluice/gold/gold_model.h"
#include "sluice/pipeline/project.h"
#include "sluice/pipeline/task.h"

namespace sluice::pipeline {

// The appId of an upstream table's consumed version in a gold table's log.
std::string GoldUpstreamAppId(const std::string& upstream_table);

class GoldTask final : public Task {
 public:
  GoldTask(const Project& project, const gold::GoldModel& model,
           std::vector<std::string> upstream_tasks, bool full_refresh, int64_t now_ms = 0);

  const std::string& name() const override { return model_.name; }
  std::string kind() const override { return "gold"; }
  std::vector<std::string> upstream() const override { return upstream_; }
  std::vector<std::string> reads() const override;
  std::vector<std::string> writes() const override;

  Result<TaskOutcome> Run(TaskContext& context) override;

 private:
  Result<TaskOutcome> RunDimension(TaskContext& context);
  Result<TaskOutcome> RunDateDimension(TaskContext& context);
  Result<TaskOutcome> RunFact(TaskContext& context);
  Result<TaskOutcome> RunAggregate(TaskContext& context);

  const Project& project_;
  gold::GoldModel model_;
  std::vector<std::string> upstream_;
  bool full_refresh_;
  int64_t now_ms_;
};

}  // namespace sluice::pipeline

// An aggregate's groups that an upstream's commits touched, recomputed: the groups of the rows
// the commits added and of the rows they replaced or removed (read at the version consumed),
// then every row of those groups — from the files whose partition values and statistics may hold
// them — aggregated again, batch by batch. A day's run reads the day's rows and the files of the
// days it touched, not the whole upstream, and holds the touched groups, not their rows.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sluice/columnar/batch.h"
#include "sluice/common/result.h"
#include "sluice/gold/gold_model.h"
#include "sluice/pipeline/upstream.h"

namespace sluice::pipeline {

struct ChangedGroups {
  columnar::BatchPtr groups;  // the recomputed rows of the touched groups that still have rows
  int64_t groups_touched = 0;
  int64_t groups_gone = 0;      // touched groups without rows now
  bool null_group = false;      // a touched group has a null in a group_by column
  bool schema_changed = false;  // the upstream's schema changed since: nothing else is set
  int64_t rows_changed = 0;     // rows the commits added, replaced or removed (read)
  int64_t rows_regrouped = 0;   // rows read to recompute the groups
  int64_t files_read = 0;       // files of the upstream read to recompute them
};

// `model`: an aggregate with group_by; `snapshot`: the upstream now; `delta`: ReadDelta from
// `consumed` (no deleting commit among them).
Result<ChangedGroups> RecomputeChangedGroups(const gold::GoldModel& model,
                                             const std::shared_ptr<const lake::DeltaLog>& log,
                                             const lake::SnapshotPtr& snapshot, int64_t consumed,
                                             const UpstreamDelta& delta, TaskProgress* progress);

}  // namespace sluice::pipeline

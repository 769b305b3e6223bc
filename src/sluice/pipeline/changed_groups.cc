#include "sluice/pipeline/changed_groups.h"

#include <set>
#include <unordered_set>

#include "sluice/columnar/take.h"
#include "sluice/compute/row_key.h"
#include "sluice/gold/aggregate.h"
#include "sluice/lake/key_ranges.h"

namespace sluice::pipeline {
namespace {

using columnar::BatchPtr;
using columnar::SchemaPtr;

// `schema`'s fields named `columns`, in that order.
SchemaPtr ProjectedSchema(const columnar::Schema& schema, const std::vector<std::string>& columns) {
  std::vector<columnar::Field> fields;
  for (const std::string& name : columns) fields.push_back(schema.field(*schema.FieldIndex(name)));
  return std::make_shared<const columnar::Schema>(std::move(fields));
}

// The first `n` columns of each row of `groups`, encoded, in order.
std::vector<std::string> GroupKeys(const columnar::Batch& groups, size_t n) {
  std::vector<size_t> columns(n);
  for (size_t i = 0; i < n; ++i) columns[i] = i;
  std::vector<std::string> keys;
  for (int64_t row = 0; row < groups.num_rows(); ++row) {
    keys.push_back(compute::EncodeKey(groups, columns, row));
  }
  return keys;
}

}  // namespace

Result<ChangedGroups> RecomputeChangedGroups(const gold::GoldModel& model,
                                             const std::shared_ptr<const lake::DeltaLog>& log,
                                             const lake::SnapshotPtr& snapshot, int64_t consumed,
                                             const UpstreamDelta& delta, TaskProgress* progress,
                                             int64_t chunk_file_bytes) {
  const std::vector<std::string>& group_by = model.aggregate.group_by;
  ChangedGroups out;
  // 1. The groups the changed rows fall in: the aggregate of those rows has one row per group.
  const std::vector<std::string> inputs = gold::AggregateInputColumns(model, *snapshot->schema);
  std::vector<BatchPtr> changed;
  if (!delta.files.empty()) {
    lake::TableScanOptions options;
    options.columns = inputs;
    options.files = delta.files;
    SLUICE_ASSIGN_OR_RETURN(changed, ReadAll(log, snapshot, options, progress));
  }
  SLUICE_ASSIGN_OR_RETURN(ReplacedRows replaced,
                          ReadReplacedRows(log, snapshot, consumed, delta, inputs, progress));
  if (!replaced.exact) {
    out.schema_changed = true;  // rows of another schema: the caller recomputes everything
    return out;
  }
  changed.insert(changed.end(), replaced.rows.begin(), replaced.rows.end());
  for (const BatchPtr& batch : changed) out.rows_changed += batch->num_rows();
  const SchemaPtr input_schema = ProjectedSchema(*snapshot->schema, inputs);
  SLUICE_ASSIGN_OR_RETURN(BatchPtr touched, gold::Aggregate(model, changed, input_schema));
  changed.clear();
  replaced.rows.clear();
  out.groups_touched = touched->num_rows();
  const std::vector<std::string> touched_keys = GroupKeys(*touched, group_by.size());
  for (size_t c = 0; c < group_by.size(); ++c) {
    out.null_group |= touched->column(c).null_count() > 0;
  }
  if (out.groups_touched == 0) {  // commits that changed no row: nothing to read again
    out.groups = touched;
    return out;
  }

  // 2. Those groups recomputed from every row they hold now, in chunks of consecutive groups
  // (they come sorted) whose files — those whose partition values and statistics may hold one of
  // the chunk's groups — add up to about chunk_file_bytes, so that memory follows a chunk of the
  // touched groups, not all of them. A derived group column cannot prune: every file, at once.
  std::vector<size_t> physical;
  for (size_t c = 0; c < group_by.size(); ++c) {
    if (snapshot->schema->FieldIndex(group_by[c])) physical.push_back(c);
  }
  const bool read_all = physical.size() != group_by.size();
  std::vector<BatchPtr> parts;
  int64_t kept = 0;
  // Reads `files` (all: `every`), aggregates them and keeps the groups among touched rows
  // [first, last).
  auto recompute = [&](const std::vector<std::string>& files, bool every, int64_t first,
                       int64_t last) -> Status {
    lake::TableScanOptions options;
    options.columns = inputs;
    options.files = files;
    std::vector<BatchPtr> rows;
    if (every || !files.empty()) {
      SLUICE_ASSIGN_OR_RETURN(rows, ReadAll(log, snapshot, options, progress));
    }
    out.files_read += static_cast<int64_t>(every ? snapshot->files.size() : files.size());
    for (const BatchPtr& batch : rows) out.rows_regrouped += batch->num_rows();
    SLUICE_ASSIGN_OR_RETURN(BatchPtr all, gold::Aggregate(model, rows, input_schema));
    rows.clear();
    const std::unordered_set<std::string> wanted(touched_keys.begin() + first,
                                                 touched_keys.begin() + last);
    std::vector<int64_t> keep;
    const std::vector<std::string> keys = GroupKeys(*all, group_by.size());
    for (size_t row = 0; row < keys.size(); ++row) {
      if (wanted.count(keys[row]) != 0) keep.push_back(static_cast<int64_t>(row));
    }
    kept += static_cast<int64_t>(keep.size());
    parts.push_back(columnar::TakeRows(*all, keep));
    return Status::OK();
  };
  if (read_all) {
    SLUICE_RETURN_NOT_OK(recompute({}, true, 0, out.groups_touched));
  } else {
    int64_t first = 0;
    while (first < out.groups_touched) {
      std::set<std::string> chunk;
      int64_t chunk_bytes = 0;
      int64_t last = first;
      for (; last < out.groups_touched; ++last) {
        lake::KeyRanges group(group_by);
        group.AddRow(*touched, physical, last);
        group.Seal();
        std::vector<std::string> more;
        int64_t more_bytes = 0;
        for (const auto& [key, add] : snapshot->files) {
          if (chunk.count(key.path) == 0 && group.MayContain(add, *snapshot)) {
            more.push_back(key.path);
            more_bytes += add.size;
          }
        }
        if (last > first && chunk_bytes + more_bytes > chunk_file_bytes) break;
        chunk.insert(more.begin(), more.end());
        chunk_bytes += more_bytes;
      }
      SLUICE_RETURN_NOT_OK(
          recompute(std::vector<std::string>(chunk.begin(), chunk.end()), false, first, last));
      first = last;
    }
  }
  out.groups = columnar::ConcatBatches(touched->schema(), parts);
  out.groups_gone = out.groups_touched - kept;
  return out;
}

}  // namespace sluice::pipeline

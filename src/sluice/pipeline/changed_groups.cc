#include "sluice/pipeline/changed_groups.h"

#include <unordered_map>
#include <unordered_set>

#include "sluice/columnar/take.h"
#include "sluice/compute/row_key.h"
#include "sluice/gold/aggregate.h"
#include "sluice/lake/key_ranges.h"

namespace sluice::pipeline {
namespace {

using columnar::BatchPtr;
using columnar::SchemaPtr;

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

// Every row of `batches` as text, counted (a multiset of rows).
std::unordered_map<std::string, int64_t> RowCounts(const std::vector<BatchPtr>& batches) {
  std::unordered_map<std::string, int64_t> counts;
  for (const BatchPtr& batch : batches) {
    std::vector<size_t> columns(batch->num_columns());
    for (size_t c = 0; c < columns.size(); ++c) columns[c] = c;
    for (int64_t row = 0; row < batch->num_rows(); ++row) {
      ++counts[compute::EncodeKey(*batch, columns, row)];
    }
  }
  return counts;
}

// `removed` without the rows that were copied unchanged into `copied` (same schema).
std::vector<BatchPtr> WithoutCopies(const std::vector<BatchPtr>& removed,
                                    const std::vector<BatchPtr>& copied) {
  std::unordered_map<std::string, int64_t> unchanged = RowCounts(copied);
  std::vector<BatchPtr> out;
  for (const BatchPtr& batch : removed) {
    std::vector<size_t> columns(batch->num_columns());
    for (size_t c = 0; c < columns.size(); ++c) columns[c] = c;
    std::vector<int64_t> keep;
    for (int64_t row = 0; row < batch->num_rows(); ++row) {
      auto it = unchanged.find(compute::EncodeKey(*batch, columns, row));
      if (it != unchanged.end() && it->second > 0) {
        --it->second;
      } else {
        keep.push_back(row);
      }
    }
    if (!keep.empty()) out.push_back(columnar::TakeRows(*batch, keep));
  }
  return out;
}

// The rows the commits since `consumed` replaced or removed, as they were then (the rows they
// only copied into new files left out).
Result<std::vector<BatchPtr>> ReadReplaced(const std::shared_ptr<const lake::DeltaLog>& log,
                                           const lake::SnapshotPtr& now, int64_t consumed,
                                           const UpstreamDelta& delta, TaskProgress* progress) {
  if (delta.removed_files.empty()) return std::vector<BatchPtr>{};
  SLUICE_ASSIGN_OR_RETURN(lake::SnapshotPtr then, log->Load(consumed));
  lake::TableScanOptions options;
  std::unordered_set<std::string> seen;
  for (const std::string& file : delta.removed_files) {
    // A file added after `consumed` and removed again held no row the aggregate has seen.
    if (then->FindFile(file) != nullptr && seen.insert(file).second) {
      options.files.push_back(file);
    }
  }
  if (options.files.empty()) return std::vector<BatchPtr>{};
  SLUICE_ASSIGN_OR_RETURN(std::vector<BatchPtr> removed, ReadAll(log, then, options, progress));
  if (delta.copied_files.empty() || !(*then->schema == *now->schema)) return removed;
  lake::TableScanOptions copies;
  copies.files = delta.copied_files;
  SLUICE_ASSIGN_OR_RETURN(std::vector<BatchPtr> copied, ReadAll(log, now, copies, progress));
  return WithoutCopies(removed, copied);
}

}  // namespace

Result<ChangedGroups> RecomputeChangedGroups(const gold::GoldModel& model,
                                             const std::shared_ptr<const lake::DeltaLog>& log,
                                             const lake::SnapshotPtr& snapshot, int64_t consumed,
                                             const UpstreamDelta& delta, TaskProgress* progress) {
  const std::vector<std::string>& group_by = model.aggregate.group_by;
  ChangedGroups out;
  // 1. The groups the changed rows fall in: the aggregate of those rows has one row per group.
  std::vector<BatchPtr> changed;
  if (!delta.files.empty()) {
    lake::TableScanOptions options;
    options.files = delta.files;
    SLUICE_ASSIGN_OR_RETURN(changed, ReadAll(log, snapshot, options, progress));
  }
  SLUICE_ASSIGN_OR_RETURN(std::vector<BatchPtr> replaced,
                          ReadReplaced(log, snapshot, consumed, delta, progress));
  changed.insert(changed.end(), replaced.begin(), replaced.end());
  for (const BatchPtr& batch : changed) out.rows_changed += batch->num_rows();
  SLUICE_ASSIGN_OR_RETURN(BatchPtr touched, gold::Aggregate(model, changed, snapshot->schema));
  out.groups_touched = touched->num_rows();
  const std::vector<std::string> touched_keys = GroupKeys(*touched, group_by.size());
  for (size_t c = 0; c < group_by.size(); ++c)
    out.null_group |= touched->column(c).null_count() > 0;

  // 2. The files that may hold rows of those groups (all, when a group column is derived).
  std::vector<size_t> physical;
  for (size_t c = 0; c < group_by.size(); ++c) {
    if (snapshot->schema->FieldIndex(group_by[c])) physical.push_back(c);
  }
  lake::TableScanOptions options;
  if (physical.size() == group_by.size()) {
    lake::KeyRanges ranges(group_by);
    for (int64_t row = 0; row < touched->num_rows(); ++row) ranges.AddRow(*touched, physical, row);
    ranges.Seal();
    for (const auto& [key, add] : snapshot->files) {
      if (ranges.MayContain(add, *snapshot)) options.files.push_back(key.path);
    }
  }
  const bool read_all = physical.size() != group_by.size();
  out.files_read = static_cast<int64_t>(read_all ? snapshot->files.size() : options.files.size());

  // 3. Those groups recomputed from every row they hold now.
  std::vector<BatchPtr> rows;
  if (read_all || !options.files.empty()) {
    SLUICE_ASSIGN_OR_RETURN(rows, ReadAll(log, snapshot, options, progress));
  }
  for (const BatchPtr& batch : rows) out.rows_regrouped += batch->num_rows();
  SLUICE_ASSIGN_OR_RETURN(BatchPtr all, gold::Aggregate(model, rows, snapshot->schema));
  const std::unordered_set<std::string> wanted(touched_keys.begin(), touched_keys.end());
  std::vector<int64_t> keep;
  const std::vector<std::string> keys = GroupKeys(*all, group_by.size());
  for (size_t row = 0; row < keys.size(); ++row) {
    if (wanted.count(keys[row]) != 0) keep.push_back(static_cast<int64_t>(row));
  }
  out.groups = columnar::TakeRows(*all, keep);
  out.groups_gone = out.groups_touched - static_cast<int64_t>(keep.size());
  return out;
}

}  // namespace sluice::pipeline

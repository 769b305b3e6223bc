#include "sluice/pipeline/changed_groups.h"

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
                                             const UpstreamDelta& delta, TaskProgress* progress) {
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

  // 2. Those groups recomputed from every row they hold now, read from the files whose partition
  // values and statistics may hold one of them (every file when a group column is derived) and
  // folded batch by batch, the rows of other groups left out: memory follows the touched groups.
  std::vector<size_t> physical;
  for (size_t c = 0; c < group_by.size(); ++c) {
    if (snapshot->schema->FieldIndex(group_by[c])) physical.push_back(c);
  }
  const bool read_all = physical.size() != group_by.size();
  lake::TableScanOptions options;
  options.columns = inputs;
  if (!read_all) {
    lake::KeyRanges ranges(group_by);
    for (int64_t row = 0; row < touched->num_rows(); ++row) ranges.AddRow(*touched, physical, row);
    ranges.Seal();
    for (const auto& [key, add] : snapshot->files) {
      if (ranges.MayContain(add, *snapshot)) options.files.push_back(key.path);
    }
  }
  out.files_read = static_cast<int64_t>(read_all ? snapshot->files.size() : options.files.size());
  const std::unordered_set<std::string> wanted(touched_keys.begin(), touched_keys.end());
  std::vector<size_t> group_columns;  // in the input batches
  for (const std::string& column : group_by) {
    if (auto index = input_schema->FieldIndex(column)) group_columns.push_back(*index);
  }
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<gold::Aggregator> aggregator,
                          gold::Aggregator::Make(model, input_schema));
  if (read_all || !options.files.empty()) {
    SLUICE_RETURN_NOT_OK(ForEachBatch(log, snapshot, options, [&](const BatchPtr& batch) -> Status {
      if (progress != nullptr) progress->rows += batch->num_rows();
      out.rows_regrouped += batch->num_rows();
      if (read_all) return aggregator->Add(*batch);
      std::vector<int64_t> keep;
      for (int64_t row = 0; row < batch->num_rows(); ++row) {
        if (wanted.count(compute::EncodeKey(*batch, group_columns, row)) != 0) {
          keep.push_back(row);
        }
      }
      if (keep.empty()) return Status::OK();
      return aggregator->Add(static_cast<int64_t>(keep.size()) == batch->num_rows()
                                 ? *batch
                                 : *columnar::TakeRows(*batch, keep));
    }));
  }
  SLUICE_ASSIGN_OR_RETURN(BatchPtr all, aggregator->Finish());
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

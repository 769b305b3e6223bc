#include "sluice/pipeline/gold_task.h"

#include <unordered_set>

#include "sluice/columnar/take.h"
#include "sluice/compute/row_key.h"
#include "sluice/gold/aggregate.h"
#include "sluice/gold/dimension.h"
#include "sluice/gold/star.h"
#include "sluice/lake/delta_table.h"
#include "sluice/pipeline/changed_groups.h"
#include "sluice/pipeline/upstream.h"
#include "sluice/silver/transformer.h"

namespace sluice::pipeline {
namespace {

using columnar::BatchPtr;
using columnar::SchemaPtr;

constexpr const char* kNextKeyAppId = "sluice.gold.next_key";

// The upstream table of a gold model, with what is new in it.
struct Input {
  std::shared_ptr<const lake::DeltaLog> log;
  lake::SnapshotPtr snapshot;
  int64_t consumed = -1;
  bool whole = false;                      // read every live file
  std::vector<std::string> files;          // else these
  std::optional<int64_t> deleted_version;  // an upstream commit after `consumed` deleted rows
  bool absent = false;  // the upstream table has no commit yet: nothing has arrived
};

Result<Input> OpenInput(const Project& project, const std::string& table,
                        const lake::Snapshot& target, bool want_whole) {
  Input input;
  SLUICE_ASSIGN_OR_RETURN(input.log, lake::DeltaLog::Open(project.TablePath(table)));
  SLUICE_ASSIGN_OR_RETURN(input.snapshot, input.log->Load());
  if (!input.snapshot->exists()) {
    // Its task ran (the executor skips what follows a failed task) and found nothing yet.
    input.absent = true;
    return input;
  }
  if (auto consumed = target.TransactionVersion(GoldUpstreamAppId(table))) {
    input.consumed = *consumed;
  }
  input.whole = want_whole || !target.exists() || input.consumed < 0;
  if (!input.whole && input.snapshot->version > input.consumed) {
    SLUICE_ASSIGN_OR_RETURN(UpstreamDelta delta,
                            ReadDelta(*input.log, *input.snapshot, input.consumed));
    // A merge rewrites files without deleting rows: their rows are read again (and change
    // nothing, or correct); a commit that deleted rows makes the read whole.
    input.deleted_version = delta.deleted_version;
    if (delta.deleted_version) {
      input.whole = true;
    } else {
      input.files = std::move(delta.files);
    }
  }
  return input;
}

bool UpToDate(const Input& input, const lake::Snapshot& target, bool full_refresh) {
  return !full_refresh && target.exists() && input.snapshot->version <= input.consumed;
}

// The input's rows to process (none when incremental with no new files).
Result<std::vector<BatchPtr>> ReadInput(const Input& input, TaskProgress* progress,
                                        SchemaPtr* schema) {
  lake::TableScanOptions options;
  if (!input.whole) {
    if (input.files.empty()) {
      *schema = input.snapshot->schema;
      return std::vector<BatchPtr>{};
    }
    options.files = input.files;
  }
  return ReadAll(input.log, input.snapshot, options, progress, schema);
}

int64_t Rows(const std::vector<BatchPtr>& batches) {
  int64_t rows = 0;
  for (const BatchPtr& batch : batches) rows += batch->num_rows();
  return rows;
}

// The outcome of a run with nothing to do.
// A gold table whose upstream has no rows yet: nothing to do, and a note saying so.
TaskOutcome NothingArrivedOutcome(const std::string& model, const std::string& upstream,
                                  const lake::Snapshot& target) {
  TaskOutcome outcome;
  outcome.details["up_to_date"] = true;
  outcome.details["version"] =
      target.exists() ? nlohmann::ordered_json(target.version) : nlohmann::ordered_json(nullptr);
  outcome.notes.push_back(model + ": " + upstream + " has no rows yet (nothing has arrived)");
  return outcome;
}

TaskOutcome UpToDateOutcome(const lake::Snapshot& target) {
  TaskOutcome outcome;
  outcome.details["up_to_date"] = true;
  outcome.details["version"] = target.version;
  return outcome;
}

// Options of a gold table's write: its ledger, the snapshot it read, the run's clock and id.
lake::TableWriteOptions WriteOptions(lake::WriteMode mode, const lake::SnapshotPtr& read,
                                     std::vector<std::pair<std::string, int64_t>> ledger,
                                     int64_t now_ms, const std::string& run_id) {
  lake::TableWriteOptions options;
  options.mode = mode;
  options.read_snapshot = read;
  options.ledger = std::move(ledger);
  options.commit.now_ms = now_ms;
  options.parameters["sluice.run_id"] = run_id;
  return options;
}

lake::MergeOptions MergeOptionsFrom(const lake::TableWriteOptions& write,
                                    std::vector<std::string> keys) {
  lake::MergeOptions options;
  options.keys = std::move(keys);
  options.ledger = write.ledger;
  options.commit = write.commit;
  options.parameters = write.parameters;
  return options;
}

lake::BatchSource Batches(const std::vector<BatchPtr>& batches) {
  return [&batches, next = size_t{0}]() mutable -> Result<BatchPtr> {
    if (next >= batches.size()) return BatchPtr();
    return batches[next++];
  };
}

// Facts that point to the unknown member (key 0) of a dimension that has changed since are
// looked up again: the member may have arrived after the fact (a late-arriving dimension row).
// Adds the upstream rows of those facts to `incoming` (unless already there); returns how many.
Result<int64_t> AddUnknownMemberFacts(const std::shared_ptr<const lake::DeltaLog>& target_log,
                                      const lake::SnapshotPtr& snapshot, const Input& input,
                                      const gold::FactSpec& spec,
                                      const std::vector<std::string>& advanced,
                                      const columnar::Schema& upstream_schema,
                                      std::vector<BatchPtr>* incoming) {
  lake::TableScanOptions options;
  options.columns = spec.grain;
  for (const std::string& column : advanced) {
    if (snapshot->schema->FieldIndex(column)) options.columns.push_back(column);
  }
  std::unordered_set<std::string> unknown;
  const size_t grain = spec.grain.size();
  std::vector<size_t> grain_columns(grain);
  for (size_t g = 0; g < grain; ++g) grain_columns[g] = g;
  // Streamed: only the grains pointing to an unknown member are kept.
  SLUICE_RETURN_NOT_OK(
      ForEachBatch(target_log, snapshot, options, [&](const BatchPtr& batch) -> Status {
        for (int64_t i = 0; i < batch->num_rows(); ++i) {
          for (size_t c = grain; c < batch->num_columns(); ++c) {
            const columnar::Column& column = batch->column(c);
            const int64_t key = column.type().id() == columnar::TypeId::kInt32
                                    ? static_cast<const columnar::Int32Column&>(column).Value(i)
                                    : static_cast<const columnar::Int64Column&>(column).Value(i);
            if (column.IsValid(i) && key == 0) {
              unknown.insert(compute::EncodeKey(*batch, grain_columns, i));
              break;
            }
          }
        }
        return Status::OK();
      }));
  if (unknown.empty()) return 0;
  std::vector<size_t> upstream_grain;
  for (const std::string& column : spec.grain) {
    if (auto index = upstream_schema.FieldIndex(column)) upstream_grain.push_back(*index);
  }
  for (const BatchPtr& batch : *incoming) {
    for (int64_t i = 0; i < batch->num_rows(); ++i) {
      unknown.erase(compute::EncodeKey(*batch, upstream_grain, i));
    }
  }
  // Streamed: only the upstream rows of those grains are kept.
  int64_t added = 0;
  SLUICE_RETURN_NOT_OK(
      ForEachBatch(input.log, input.snapshot, {}, [&](const BatchPtr& batch) -> Status {
        std::vector<int64_t> take;
        for (int64_t i = 0; i < batch->num_rows(); ++i) {
          if (unknown.count(compute::EncodeKey(*batch, upstream_grain, i)) != 0) take.push_back(i);
        }
        if (take.empty()) return Status::OK();
        added += static_cast<int64_t>(take.size());
        incoming->push_back(columnar::TakeRows(*batch, take));
        return Status::OK();
      }));
  return added;
}

// A scan of `input`'s rows (its files, or every live file when whole) with `columns` (empty:
// all), and its schema; null when there is nothing to read (the schema is then the table's).
Result<std::unique_ptr<lake::TableScan>> ScanInput(const Input& input,
                                                   std::vector<std::string> columns,
                                                   SchemaPtr* schema) {
  *schema = input.snapshot->schema;
  if (!input.whole && input.files.empty()) return std::unique_ptr<lake::TableScan>();
  lake::TableScanOptions options;
  options.columns = std::move(columns);
  if (!input.whole) options.files = input.files;
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<lake::TableScan> scan,
                          lake::TableScan::Open(input.log, input.snapshot, options));
  *schema = scan->schema();
  return scan;
}

// The fact table rebuilt from all of `input` (or made from it): facts are built and written batch
// by batch as the upstream is read, so memory follows a batch and the grain values, not the
// table; a repeated grain fails the write at the end (its files are deleted, nothing committed).
// Sets the outcome's rows_in and rows_out.
Result<lake::WriteResult> WriteWholeFact(lake::DeltaTable* target, const Input& input,
                                         const gold::GoldModel& model,
                                         const std::vector<gold::DimensionKeys>& keys,
                                         const lake::TableWriteOptions& options,
                                         TaskProgress* progress, gold::FactCounts* counts,
                                         TaskOutcome* outcome) {
  SchemaPtr upstream_schema;
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<lake::TableScan> scan,
                          ScanInput(input, {}, &upstream_schema));
  SLUICE_ASSIGN_OR_RETURN(gold::FactPlan plan, gold::PlanFact(model, *upstream_schema, keys));
  gold::GrainCheck grain(plan);
  bool done = false;
  lake::BatchSource facts = [&]() -> Result<BatchPtr> {
    BatchPtr batch;
    if (scan != nullptr && !done) {
      SLUICE_ASSIGN_OR_RETURN(batch, scan->Next());
    }
    if (batch == nullptr) {
      if (done) return BatchPtr();
      done = true;
      SLUICE_RETURN_NOT_OK(grain.Finish());
      return BatchPtr();
    }
    if (progress != nullptr) progress->rows += batch->num_rows();
    outcome->rows_in += batch->num_rows();
    SLUICE_ASSIGN_OR_RETURN(BatchPtr built, gold::BuildFacts(plan, *batch, keys, counts));
    grain.Add(*built);
    outcome->rows_out += built->num_rows();
    return built;
  };
  Result<lake::WriteResult> written = target->Write(plan.schema, facts, options);
  if (!written.ok() && options.read_snapshot != nullptr && !options.read_snapshot->exists()) {
    // A table this write was making: no folder of it is left behind; its files are gone.
    RemoveFoldersOfUnbornTable(*target->log());
  }
  return written;
}

// The aggregate of the rows of `input` (its files, or every live file when whole), read with the
// aggregate's input columns only and folded batch by batch; `rows_in` counts them.
Result<BatchPtr> AggregateInput(const Input& input, const gold::GoldModel& model,
                                TaskProgress* progress, int64_t* rows_in) {
  SchemaPtr schema;
  SLUICE_ASSIGN_OR_RETURN(
      std::unique_ptr<lake::TableScan> scan,
      ScanInput(input, gold::AggregateInputColumns(model, *input.snapshot->schema), &schema));
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<gold::Aggregator> aggregator,
                          gold::Aggregator::Make(model, schema));
  while (scan != nullptr) {
    SLUICE_ASSIGN_OR_RETURN(BatchPtr batch, scan->Next());
    if (batch == nullptr) break;
    if (progress != nullptr) progress->rows += batch->num_rows();
    *rows_in += batch->num_rows();
    SLUICE_RETURN_NOT_OK(aggregator->Add(*batch));
  }
  return aggregator->Finish();
}

}  // namespace

std::string GoldUpstreamAppId(const std::string& upstream_table) {
  return "sluice.gold:" + upstream_table;
}

GoldTask::GoldTask(const Project& project, const gold::GoldModel& model,
                   std::vector<std::string> upstream_tasks, bool full_refresh, int64_t now_ms)
    : project_(project),
      model_(model),
      upstream_(std::move(upstream_tasks)),
      full_refresh_(full_refresh),
      now_ms_(now_ms) {}

std::vector<std::string> GoldTask::reads() const {
  std::vector<std::string> paths;
  for (const std::string& table : model_.Reads()) paths.push_back(project_.TablePath(table));
  if (paths.empty())
    paths.push_back("(generated: " + std::string(ModelKindName(model_.kind)) + ")");
  return paths;
}

std::vector<std::string> GoldTask::writes() const { return {project_.TablePath(model_.name)}; }

Result<TaskOutcome> GoldTask::Run(TaskContext& context) {
  switch (model_.kind) {
    case gold::ModelKind::kDimension:
      return RunDimension(context);
    case gold::ModelKind::kDateDimension:
      return RunDateDimension(context);
    case gold::ModelKind::kFact:
      return RunFact(context);
    case gold::ModelKind::kAggregate:
      return RunAggregate(context);
  }
  return Status::Internal("unknown gold kind");
}

Result<TaskOutcome> GoldTask::RunDimension(TaskContext& context) {
  const gold::DimensionSpec& spec = model_.dimension;
  const int64_t now_ms = now_ms_ != 0 ? now_ms_ : lake::CurrentTimeMs();
  TaskOutcome outcome;
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<lake::DeltaTable> target,
                          lake::DeltaTable::Open(project_.TablePath(model_.name)));
  SLUICE_ASSIGN_OR_RETURN(lake::SnapshotPtr snapshot, target->log()->Load());
  SLUICE_ASSIGN_OR_RETURN(
      Input input, OpenInput(project_, spec.from, *snapshot, full_refresh_ || spec.close_missing));
  if (input.absent) return NothingArrivedOutcome(model_.name, spec.from, *snapshot);
  if (UpToDate(input, *snapshot, full_refresh_)) return UpToDateOutcome(*snapshot);
  SchemaPtr upstream_schema;
  SLUICE_ASSIGN_OR_RETURN(std::vector<BatchPtr> incoming,
                          ReadInput(input, context.progress, &upstream_schema));
  SLUICE_ASSIGN_OR_RETURN(gold::DimensionPlan plan, gold::PlanDimension(model_, *upstream_schema));
  std::vector<BatchPtr> existing;
  if (snapshot->exists()) {
    SLUICE_ASSIGN_OR_RETURN(existing, ReadAll(target->log(), snapshot, {}, nullptr));
  }
  int64_t next_key = 1;
  if (auto recorded = snapshot->TransactionVersion(kNextKeyAppId)) next_key = *recorded;
  SLUICE_ASSIGN_OR_RETURN(
      gold::DimensionChanges changes,
      gold::ApplyDimension(plan, existing, incoming, next_key, now_ms * 1000, input.whole));
  lake::TableWriteOptions options = WriteOptions(
      lake::WriteMode::kAppend, snapshot,
      {{GoldUpstreamAppId(spec.from), input.snapshot->version}, {kNextKeyAppId, changes.next_key}},
      now_ms_, context.run_id);
  std::vector<BatchPtr> rows;
  int64_t version = -1;
  if (changes.changed && !changes.schema_changed) {
    // Only the new and changed versions, merged by surrogate key: the lake commit (and the
    // warehouse load after it) is as small as the change.
    rows.push_back(columnar::TakeRows(*changes.table, changes.changed_rows));
    SLUICE_ASSIGN_OR_RETURN(
        lake::MergeResult merged,
        target->Merge(plan.schema, Batches(rows), MergeOptionsFrom(options, {spec.surrogate_key})));
    version = merged.commit.version;
  } else {
    if (changes.changed) {
      options.mode = lake::WriteMode::kOverwrite;
      rows.push_back(changes.table);
    }
    SLUICE_ASSIGN_OR_RETURN(lake::WriteResult written,
                            target->Write(plan.schema, Batches(rows), options));
    version = written.commit.version;
  }
  outcome.rows_in = Rows(incoming);
  outcome.rows_out = outcome.rows_in;  // every row is applied (changed or not)
  nlohmann::ordered_json& details = outcome.details;
  details["version"] = version;
  details["rows_written"] = changes.changed ? static_cast<int64_t>(rows[0]->num_rows()) : 0;
  details["members_added"] = changes.members_added;
  details["versions_added"] = changes.versions_added;
  details["rows_updated"] = changes.rows_updated;
  details["members_closed"] = changes.members_closed;
  details["rows_unchanged"] = changes.rows_unchanged;
  details["next_key"] = changes.next_key;
  std::string summary = model_.name + ": " + std::to_string(changes.members_added) +
                        " new members, " + std::to_string(changes.versions_added) +
                        " new versions, " + std::to_string(changes.rows_updated) +
                        " updated in place";
  if (spec.close_missing) summary += ", " + std::to_string(changes.members_closed) + " closed";
  outcome.notes.push_back(summary + ", " + std::to_string(changes.rows_unchanged) + " unchanged");
  return outcome;
}

Result<TaskOutcome> GoldTask::RunDateDimension(TaskContext& context) {
  TaskOutcome outcome;
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<lake::DeltaTable> target,
                          lake::DeltaTable::Open(project_.TablePath(model_.name)));
  SLUICE_ASSIGN_OR_RETURN(lake::SnapshotPtr snapshot, target->log()->Load());
  // The settings are the appId: the same settings, the same table.
  const std::string settings = "sluice.gold.calendar:" + std::to_string(model_.date.start) + ":" +
                               std::to_string(model_.date.end) + ":" +
                               std::to_string(model_.date.fiscal_year_start);
  if (!full_refresh_ && snapshot->TransactionVersion(settings).has_value()) {
    return UpToDateOutcome(*snapshot);
  }
  const BatchPtr dates = gold::GenerateDateDimension(model_.date);
  SLUICE_ASSIGN_OR_RETURN(lake::WriteResult written,
                          target->Write(dates->schema(), OneBatch(dates),
                                        WriteOptions(lake::WriteMode::kOverwrite, snapshot,
                                                     {{settings, 1}}, now_ms_, context.run_id)));
  outcome.rows_out = dates->num_rows();
  outcome.details["version"] = written.commit.version;
  outcome.details["days"] = dates->num_rows() - 1;
  return outcome;
}

Result<TaskOutcome> GoldTask::RunFact(TaskContext& context) {
  const gold::FactSpec& spec = model_.fact;
  TaskOutcome outcome;
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<lake::DeltaTable> target,
                          lake::DeltaTable::Open(project_.TablePath(model_.name)));
  SLUICE_ASSIGN_OR_RETURN(lake::SnapshotPtr snapshot, target->log()->Load());
  SLUICE_ASSIGN_OR_RETURN(Input input, OpenInput(project_, spec.from, *snapshot, full_refresh_));
  if (input.absent) return NothingArrivedOutcome(model_.name, spec.from, *snapshot);
  // The dimensions' keys (and versions: a fact run records the dimension versions it looked up).
  std::vector<gold::DimensionKeys> keys;
  std::vector<std::pair<std::string, int64_t>> ledger = {
      {GoldUpstreamAppId(spec.from), input.snapshot->version}};
  std::vector<std::string> advanced;  // key columns of dimensions with versions not seen yet
  for (const gold::FactDimension& use : spec.dimensions) {
    const gold::GoldModel* dimension = project_.FindGold(use.table);
    if (dimension == nullptr) {
      return Status::InvalidArgument("table '" + model_.name + "': dimension '" + use.name +
                                     "' names " + use.table +
                                     ", which the project does not declare");
    }
    if (dimension->kind == gold::ModelKind::kDateDimension) {
      keys.push_back(gold::DateDimensionKeys(*dimension, use));
      continue;
    }
    SLUICE_ASSIGN_OR_RETURN(auto log, lake::DeltaLog::Open(project_.TablePath(use.table)));
    SLUICE_ASSIGN_OR_RETURN(lake::SnapshotPtr dimension_snapshot, log->Load());
    if (!dimension_snapshot->exists()) {
      // No member has arrived yet: every lookup finds the unknown member, and is made again once
      // the dimension has rows (no ledger entry for it yet).
      SLUICE_ASSIGN_OR_RETURN(gold::DimensionKeys none,
                              gold::LoadDimensionKeys(*dimension, use, {}));
      outcome.notes.push_back(model_.name + ": " + use.table +
                              " has no rows yet; its keys point to the unknown member");
      keys.push_back(std::move(none));
      continue;
    }
    lake::TableScanOptions options;
    options.columns = {dimension->dimension.surrogate_key};
    for (const std::string& column : dimension->dimension.key) options.columns.push_back(column);
    if (dimension->dimension.history == gold::History::kScd2) {
      for (const char* column : {gold::kValidFrom, gold::kValidTo, gold::kIsCurrent}) {
        options.columns.push_back(column);
      }
    }
    SLUICE_ASSIGN_OR_RETURN(std::vector<BatchPtr> rows,
                            ReadAll(log, dimension_snapshot, options, nullptr));
    SLUICE_ASSIGN_OR_RETURN(gold::DimensionKeys loaded,
                            gold::LoadDimensionKeys(*dimension, use, rows));
    const std::optional<int64_t> seen = snapshot->TransactionVersion(GoldUpstreamAppId(use.table));
    if (!seen.has_value() || *seen < dimension_snapshot->version) {
      advanced.push_back(loaded.column);
    }
    ledger.emplace_back(GoldUpstreamAppId(use.table), dimension_snapshot->version);
    keys.push_back(std::move(loaded));
  }
  if (UpToDate(input, *snapshot, full_refresh_) && advanced.empty()) {
    return UpToDateOutcome(*snapshot);
  }
  nlohmann::ordered_json& details = outcome.details;
  gold::FactCounts counts;
  const lake::TableWriteOptions options =
      WriteOptions(lake::WriteMode::kOverwrite, snapshot, ledger, now_ms_, context.run_id);
  int64_t retried = 0;
  if (!input.whole && snapshot->exists()) {
    SchemaPtr upstream_schema;
    SLUICE_ASSIGN_OR_RETURN(std::vector<BatchPtr> incoming,
                            ReadInput(input, context.progress, &upstream_schema));
    SLUICE_ASSIGN_OR_RETURN(gold::FactPlan plan, gold::PlanFact(model_, *upstream_schema, keys));
    // A merge cannot add columns: a new upstream column rebuilds the fact table from all of it.
    for (const columnar::Field& field : plan.schema->fields()) {
      if (snapshot->schema->FieldIndex(field.name)) continue;
      outcome.notes.push_back(model_.name + ": new column " + field.name +
                              ", so the fact table was rebuilt from all of " + spec.from);
      input.whole = true;
      break;
    }
    if (!input.whole) {
      // Facts that point to an unknown member of a dimension that has changed since are looked
      // up again (the member may have arrived after the fact: a late-arriving dimension row).
      if (!advanced.empty()) {
        SLUICE_ASSIGN_OR_RETURN(
            retried, AddUnknownMemberFacts(target->log(), snapshot, input, spec, advanced,
                                           *upstream_schema, &incoming));
      }
      std::vector<BatchPtr> facts;
      for (const BatchPtr& batch : incoming) {
        SLUICE_ASSIGN_OR_RETURN(BatchPtr built, gold::BuildFacts(plan, *batch, keys, &counts));
        facts.push_back(std::move(built));
      }
      SLUICE_RETURN_NOT_OK(gold::CheckGrain(plan, facts));
      SLUICE_ASSIGN_OR_RETURN(
          lake::MergeResult merged,
          target->Merge(plan.schema, Batches(facts), MergeOptionsFrom(options, spec.grain)));
      details["version"] = merged.commit.version;
      details["rows_inserted"] = merged.rows_inserted;
      details["rows_updated"] = merged.rows_updated;
      outcome.rows_in = Rows(incoming);
      outcome.rows_out = Rows(facts);
    }
  }
  if (input.whole || !snapshot->exists()) {
    SLUICE_ASSIGN_OR_RETURN(lake::WriteResult written,
                            WriteWholeFact(target.get(), input, model_, keys, options,
                                           context.progress, &counts, &outcome));
    details["version"] = written.commit.version;
    details["rebuilt"] = true;
  }
  details["unknown_retried"] = retried;
  if (input.deleted_version) {
    outcome.notes.push_back(model_.name + ": " + spec.from + " version " +
                            std::to_string(*input.deleted_version) +
                            " removed rows, so the fact table was rebuilt from all of it");
  }
  nlohmann::ordered_json unknown = nlohmann::ordered_json::object();
  for (const auto& [name, count] : counts.unknown) {
    unknown[name] = count;
    outcome.notes.push_back(model_.name + ": " + std::to_string(count) + " of " +
                            std::to_string(outcome.rows_in) + " rows have no " + name +
                            " member and point to the unknown member (key 0)");
  }
  details["unknown_members"] = unknown;
  return outcome;
}

Result<TaskOutcome> GoldTask::RunAggregate(TaskContext& context) {
  const gold::AggregateSpec& spec = model_.aggregate;
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<lake::DeltaTable> target,
                          lake::DeltaTable::Open(project_.TablePath(model_.name)));
  SLUICE_ASSIGN_OR_RETURN(lake::SnapshotPtr snapshot, target->log()->Load());
  // Without group_by there is one group: it is recomputed from the whole upstream.
  SLUICE_ASSIGN_OR_RETURN(Input input,
                          OpenInput(project_, spec.from, *snapshot, spec.group_by.empty()));
  if (input.absent) return NothingArrivedOutcome(model_.name, spec.from, *snapshot);
  if (UpToDate(input, *snapshot, full_refresh_)) return UpToDateOutcome(*snapshot);
  const std::vector<std::pair<std::string, int64_t>> ledger = {
      {GoldUpstreamAppId(spec.from), input.snapshot->version}};
  if (!input.whole) {
    SLUICE_ASSIGN_OR_RETURN(UpstreamDelta delta,
                            ReadDelta(*input.log, *input.snapshot, input.consumed));
    SLUICE_ASSIGN_OR_RETURN(ChangedGroups changed,
                            RecomputeChangedGroups(model_, input.log, input.snapshot,
                                                   input.consumed, delta, context.progress));
    // A group that lost all its rows, or one keyed by a null, is not a merge: recompute all.
    if (!changed.schema_changed && changed.groups_gone == 0 && !changed.null_group &&
        *changed.groups->schema() == *snapshot->schema) {
      TaskOutcome outcome;
      int64_t version = snapshot->version;
      if (changed.groups->num_rows() > 0) {
        const std::vector<BatchPtr> rows = {changed.groups};
        lake::TableWriteOptions options =
            WriteOptions(lake::WriteMode::kAppend, snapshot, ledger, now_ms_, context.run_id);
        SLUICE_ASSIGN_OR_RETURN(lake::MergeResult merged,
                                target->Merge(changed.groups->schema(), Batches(rows),
                                              MergeOptionsFrom(options, spec.group_by)));
        version = merged.commit.version;
      } else {
        SLUICE_ASSIGN_OR_RETURN(lake::WriteResult written,
                                target->Write(changed.groups->schema(), Batches({}),
                                              WriteOptions(lake::WriteMode::kAppend, snapshot,
                                                           ledger, now_ms_, context.run_id)));
        version = written.commit.version;
      }
      outcome.rows_in = changed.rows_changed + changed.rows_regrouped;
      outcome.rows_out = changed.groups->num_rows();
      outcome.details["version"] = version;
      outcome.details["groups_recomputed"] = changed.groups_touched;
      outcome.details["upstream_files_read"] = changed.files_read;
      return outcome;
    }
    input.whole = true;
  }
  // Every upstream row, folded batch by batch (the input columns only).
  TaskOutcome outcome;
  SLUICE_ASSIGN_OR_RETURN(BatchPtr result,
                          AggregateInput(input, model_, context.progress, &outcome.rows_in));
  SLUICE_ASSIGN_OR_RETURN(lake::WriteResult written,
                          target->Write(result->schema(), OneBatch(result),
                                        WriteOptions(lake::WriteMode::kOverwrite, snapshot, ledger,
                                                     now_ms_, context.run_id)));
  outcome.rows_out = result->num_rows();
  outcome.details["version"] = written.commit.version;
  outcome.details["groups"] = result->num_rows();
  return outcome;
}

}  // namespace sluice::pipeline

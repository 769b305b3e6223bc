#include "sluice/pipeline/load_task.h"

#include <algorithm>
#include <set>

#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/take.h"
#include "sluice/compute/row_key.h"
#include "sluice/lake/delta_table.h"
#include "sluice/pipeline/upstream.h"
#include "sluice/silver/transformer.h"
#include "sluice/warehouse/connection.h"
#include "sluice/warehouse/loader.h"
#include "sluice/warehouse/models.h"

namespace sluice::pipeline {
namespace {

using columnar::BatchPtr;
using columnar::DataType;

std::string LoadAppId(const std::string& target) { return "sluice.load:" + target; }

}  // namespace

std::string LoadTaskName(const LoadDeclaration& load) { return "load." + load.target; }

LoadTask::LoadTask(const Project& project, const LoadDeclaration& load,
                   std::vector<std::string> upstream_tasks, bool full_refresh, int64_t now_ms)
    : project_(project),
      load_(load),
      name_(LoadTaskName(load)),
      upstream_(std::move(upstream_tasks)),
      full_refresh_(full_refresh),
      now_ms_(now_ms) {}

std::vector<std::string> LoadTask::reads() const { return {project_.TablePath(load_.table)}; }

std::vector<std::string> LoadTask::writes() const {
  const warehouse::WarehouseSettings& settings = project_.warehouse->settings;
  const std::string where = settings.type == "sqlite"
                                ? settings.path
                                : settings.type + " " + settings.host + ":" +
                                      std::to_string(settings.port) + "/" + settings.database;
  return {where + " table " + load_.target + " (" +
          std::string(warehouse::LoadModeName(load_.mode)) +
          (load_.key.empty() ? ""
                             : " by " +
                                   [&] {
                                     std::string keys;
                                     for (const std::string& k : load_.key)
                                       keys += (keys.empty() ? "" : ", ") + k;
                                     return keys;
                                   }()) +
          ")"};
}

namespace {

// The keys of the rows the lake deleted since version `loaded` (the rows merges replaced too:
// their keys come back with the merged rows), as a batch of the key columns; nullopt when they
// cannot be told exactly — the schema changed since, or the version's files or log are gone.
Result<std::optional<BatchPtr>> DeletedKeys(const std::shared_ptr<const lake::DeltaLog>& log,
                                            const lake::SnapshotPtr& snapshot, int64_t loaded,
                                            const UpstreamDelta& delta,
                                            const std::vector<std::string>& key,
                                            TaskProgress* progress) {
  Result<ReplacedRows> replaced = ReadReplacedRows(log, snapshot, loaded, delta, key, progress);
  if (!replaced.ok()) {
    if (replaced.status().code() == StatusCode::kNotFound) return std::optional<BatchPtr>();
    return replaced.status();
  }
  if (!replaced->exact) return std::optional<BatchPtr>();
  std::vector<columnar::Field> fields;
  for (const std::string& name : key) {
    std::optional<size_t> index = snapshot->schema->FieldIndex(name);
    if (!index) return std::optional<BatchPtr>();
    fields.push_back(snapshot->schema->field(*index));
  }
  auto schema = std::make_shared<const columnar::Schema>(std::move(fields));
  std::vector<BatchPtr> keys;
  for (const BatchPtr& batch : replaced->rows) {  // read with the key columns only
    keys.push_back(
        std::make_shared<const columnar::Batch>(schema, batch->columns(), batch->num_rows()));
  }
  return std::optional<BatchPtr>(columnar::ConcatBatches(schema, keys));
}

}  // namespace

namespace {

// A load whose lake table has no commit yet: nothing to do, and a note saying so.
TaskOutcome NothingArrived(const LoadDeclaration& load) {
  TaskOutcome outcome;
  outcome.details["up_to_date"] = true;
  outcome.notes.push_back("load." + load.target + ": " + load.table +
                          " has no rows yet (nothing has arrived)");
  return outcome;
}

}  // namespace

warehouse::TableDesign LoadTask::DesignOf(const lake::Snapshot& snapshot) const {
  warehouse::TableDesign design;
  design.name = load_.target;
  design.schema = snapshot.schema;
  design.primary_key = load_.key;
  design.indexes = load_.indexes;
  design.foreign_keys = load_.foreign_keys;
  if (TestsRead(*project_.warehouse, load_.target)) {
    design.changes_epoch = snapshot.version;
    design.changes_columns = TestedColumns(*project_.warehouse, load_.target);
  }
  return design;
}

Result<TaskOutcome> LoadTask::Run(TaskContext& context) {
  TaskOutcome outcome;
  nlohmann::ordered_json& details = outcome.details;
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<warehouse::Connection> connection,
                          warehouse::Connect(project_.warehouse->settings));
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<warehouse::TableLoader> loader,
                          warehouse::TableLoader::Begin(connection.get()));
  SLUICE_ASSIGN_OR_RETURN(std::optional<int64_t> loaded, loader->LoadedVersion(load_.target));
  SLUICE_ASSIGN_OR_RETURN(auto log, lake::DeltaLog::Open(project_.TablePath(load_.table)));
  SLUICE_ASSIGN_OR_RETURN(lake::SnapshotPtr snapshot, log->Load());
  if (!snapshot->exists()) {
    // Its task ran (the executor skips what follows a failed task) and found nothing yet.
    loader->Rollback();
    return NothingArrived(load_);
  }
  details["target"] = load_.target;
  details["lake_version"] = snapshot->version;
  if (loaded && *loaded >= snapshot->version && !full_refresh_) {
    loader->Rollback();
    details["up_to_date"] = true;
    return outcome;
  }
  warehouse::LoadMode mode = load_.mode;
  bool whole = mode == warehouse::LoadMode::kReplace || !loaded || full_refresh_;
  std::vector<std::string> files;
  std::optional<BatchPtr> deleted;  // keys of rows the lake deleted since the version loaded
  if (!whole) {
    SLUICE_ASSIGN_OR_RETURN(UpstreamDelta delta, ReadDelta(*log, *snapshot, *loaded));
    const std::optional<int64_t> reloaded =
        mode == warehouse::LoadMode::kAppend ? delta.removed_version : delta.deleted_version;
    if (reloaded && mode == warehouse::LoadMode::kMerge) {
      // Rows the lake deleted go by key; when they cannot be told exactly, the table is reloaded.
      SLUICE_ASSIGN_OR_RETURN(
          deleted, DeletedKeys(log, snapshot, *loaded, delta, load_.key, context.progress));
      if (!deleted) {
        outcome.notes.push_back(name_ + ": " + load_.table + " version " +
                                std::to_string(*reloaded) +
                                " deleted rows that cannot be told from the version loaded (its "
                                "schema changed, or its files are gone), so the table was loaded "
                                "whole (replace)");
      }
    }
    if (reloaded && !deleted) {
      whole = true;
      mode = warehouse::LoadMode::kReplace;
      if (load_.mode == warehouse::LoadMode::kAppend) {
        outcome.notes.push_back(name_ + ": " + load_.table + " version " +
                                std::to_string(*reloaded) +
                                " removed rows, so the table was loaded whole (replace)");
      }
    } else {
      files = std::move(delta.files);
    }
  } else if (full_refresh_ && mode != warehouse::LoadMode::kReplace) {
    mode = warehouse::LoadMode::kReplace;  // a full refresh reloads the table
  }
  details["mode"] = std::string(warehouse::LoadModeName(mode));

  SLUICE_RETURN_NOT_OK(loader->Prepare(DesignOf(*snapshot), mode));
  if (deleted && *deleted) SLUICE_RETURN_NOT_OK(loader->DeleteKeys(**deleted));

  struct Refused {
    std::string message;
    std::string raw;
  };
  std::vector<Refused> refused;
  int64_t rows_read = 0;
  if (whole || !files.empty()) {
    lake::TableScanOptions options;
    options.files = files;
    SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<lake::TableScan> scan,
                            lake::TableScan::Open(log, snapshot, options));
    while (true) {
      SLUICE_ASSIGN_OR_RETURN(BatchPtr batch, scan->Next());
      if (!batch) break;
      rows_read += batch->num_rows();
      if (context.progress != nullptr) context.progress->rows += batch->num_rows();
      std::vector<warehouse::RowRefusal> refusals;
      SLUICE_RETURN_NOT_OK(loader->Add(*batch, &refusals));
      for (const warehouse::RowRefusal& refusal : refusals) {
        refused.push_back({refusal.message, compute::RowAsJson(*batch, refusal.row)});
      }
    }
  }

  // Refused rows to quarantine before the commit, ledgered so that a retry does not repeat them.
  if (!refused.empty()) {
    SLUICE_ASSIGN_OR_RETURN(
        std::unique_ptr<lake::DeltaTable> quarantine,
        lake::DeltaTable::Open(project_.QuarantinePath("load." + load_.target)));
    SLUICE_ASSIGN_OR_RETURN(lake::SnapshotPtr quarantine_snapshot, quarantine->log()->Load());
    const std::optional<int64_t> recorded =
        quarantine_snapshot->TransactionVersion(LoadAppId(load_.target));
    if (!recorded.has_value() || *recorded < snapshot->version) {
      const int64_t now_ms = now_ms_ != 0 ? now_ms_ : lake::CurrentTimeMs();
      columnar::StringBuilder run(DataType::String()), table(DataType::String()),
          kind(DataType::String()), field(DataType::String()), message(DataType::String()),
          raw(DataType::String());
      columnar::Int64Builder at(DataType::Timestamp());
      for (const Refused& row : refused) {
        run.Append(context.run_id);
        table.Append(load_.target);
        kind.Append("load");
        field.AppendNull();
        message.Append(row.message);
        raw.Append(row.raw);
        at.Append(now_ms * 1000);
      }
      const auto n = static_cast<int64_t>(refused.size());
      auto batch = std::make_shared<const columnar::Batch>(
          RowQuarantineSchema(),
          std::vector<columnar::ColumnPtr>{run.Finish(), table.Finish(), kind.Finish(),
                                           field.Finish(), message.Finish(), raw.Finish(),
                                           at.Finish()},
          n);
      lake::TableWriteOptions options;
      options.ledger = {{LoadAppId(load_.target), snapshot->version}};
      options.read_snapshot = quarantine_snapshot;
      options.commit.now_ms = now_ms_;
      options.parameters["sluice.run_id"] = context.run_id;
      SLUICE_RETURN_NOT_OK(
          quarantine->Write(RowQuarantineSchema(), OneBatch(batch), options).status());
    }
    outcome.notes.push_back(name_ + ": " + std::to_string(refused.size()) +
                            " rows refused by the warehouse went to quarantine/load." +
                            load_.target + "; e.g. " + refused[0].message);
  }
  SLUICE_ASSIGN_OR_RETURN(warehouse::LoadSummary summary,
                          loader->Commit(load_.table, snapshot->version));
  outcome.rows_in = rows_read;
  outcome.rows_out = summary.rows;
  outcome.rows_quarantined = summary.rows_refused;
  details["created"] = summary.created;
  if (summary.rows_deleted > 0) details["keys_deleted"] = summary.rows_deleted;
  if (!summary.columns_added.empty()) {
    details["columns_added"] = summary.columns_added;
    std::string columns;
    for (const std::string& c : summary.columns_added) columns += (columns.empty() ? "" : ", ") + c;
    outcome.notes.push_back(name_ + ": new columns added to " + load_.target + ": " + columns);
  }
  return outcome;
}

ModelsTask::ModelsTask(const Project& project, std::vector<std::string> upstream_tasks,
                       bool full_refresh)
    : project_(project), upstream_(std::move(upstream_tasks)), full_refresh_(full_refresh) {}

bool TestsRead(const WarehouseDeclaration& warehouse, const std::string& target) {
  return std::any_of(warehouse.tests.begin(), warehouse.tests.end(), [&](const auto& test) {
    return test.model == target ||
           (test.kind == warehouse::TestKind::kRelationships && test.to_model == target);
  });
}

std::vector<std::string> TestedColumns(const WarehouseDeclaration& warehouse,
                                       const std::string& target) {
  std::set<std::string> columns;
  for (const warehouse::ModelTest& test : warehouse.tests) {
    if (test.model == target) columns.insert(test.column);
  }
  return {columns.begin(), columns.end()};
}

std::vector<std::string> ModelsTask::reads() const {
  std::vector<std::string> reads;
  for (const warehouse::SqlModel& model : project_.warehouse->models) reads.push_back(model.file);
  return reads;
}

std::vector<std::string> ModelsTask::writes() const {
  std::vector<std::string> writes;
  for (const warehouse::SqlModel& model : project_.warehouse->models) {
    writes.push_back(std::string(warehouse::MaterializationName(model.materialized)) + " " +
                     model.name);
  }
  if (!project_.warehouse->tests.empty()) {
    writes.push_back("(runs " + std::to_string(project_.warehouse->tests.size()) + " tests)");
  }
  return writes;
}

Result<TaskOutcome> ModelsTask::Run(TaskContext& /*context*/) {
  TaskOutcome outcome;
  const WarehouseDeclaration& declaration = *project_.warehouse;
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<warehouse::Connection> connection,
                          warehouse::Connect(declaration.settings));
  // Loaded tables not in the warehouse yet (nothing has arrived for them): the models built on
  // them, and the tests of those, wait.
  std::set<std::string> waiting;
  for (const LoadDeclaration& load : declaration.loads) {
    SLUICE_ASSIGN_OR_RETURN(std::vector<warehouse::ColumnInfo> columns,
                            connection->TableColumns(load.target));
    if (columns.empty()) waiting.insert(load.target);
  }
  std::vector<warehouse::SqlModel> ready;
  for (const warehouse::SqlModel& model : declaration.models) {  // in dependency order
    const auto on = std::find_if(model.refs.begin(), model.refs.end(),
                                 [&](const auto& ref) { return waiting.contains(ref.name); });
    if (on == model.refs.end()) {
      ready.push_back(model);
      continue;
    }
    waiting.insert(model.name);
    outcome.notes.push_back(name_ + ": model " + model.name + " waits for " + on->name +
                            " (no rows yet)");
  }
  std::vector<warehouse::ModelTest> tests_ready;
  for (const warehouse::ModelTest& test : declaration.tests) {
    if (waiting.contains(test.model) || waiting.contains(test.to_model)) continue;
    tests_ready.push_back(test);
  }
  SLUICE_ASSIGN_OR_RETURN(warehouse::ModelBuild build,
                          warehouse::BuildModels(connection.get(), ready));
  nlohmann::ordered_json models = nlohmann::ordered_json::array();
  for (const warehouse::SqlModel& model : ready) {
    const bool refreshed = std::find(build.refreshed.begin(), build.refreshed.end(), model.name) !=
                           build.refreshed.end();
    models.push_back(
        {{"name", model.name},
         {"materialized", std::string(warehouse::MaterializationName(model.materialized))},
         {"refreshed", refreshed}});
  }
  outcome.details["models"] = models;
  warehouse::TestRunOptions options;
  options.all_rows = full_refresh_;
  for (const LoadDeclaration& load : declaration.loads) {
    if (!load.key.empty() && TestsRead(declaration, load.target)) {
      options.tracked.push_back({load.target, load.key});
    }
  }
  SLUICE_ASSIGN_OR_RETURN(std::vector<warehouse::ModelTestResult> results,
                          warehouse::RunModelTests(connection.get(), tests_ready, options));
  nlohmann::ordered_json tests = nlohmann::ordered_json::array();
  std::vector<std::string> failed;
  for (const warehouse::ModelTestResult& result : results) {
    const warehouse::ModelTest& test = *result.test;
    tests.push_back({{"test", test.name},
                     {"kind", std::string(warehouse::TestKindName(test.kind))},
                     {"model", test.model},
                     {"column", test.column},
                     {"severity", test.fail ? "fail" : "warn"},
                     {"rows_read", result.changed_after ? "changed after lake version " +
                                                              std::to_string(*result.changed_after)
                                                        : std::string("all")},
                     {"rows_failed", result.rows_failed},
                     {"passed", result.rows_failed == 0},
                     {"sample", result.sample}});
    if (result.rows_failed == 0) continue;
    std::string line = "test '" + test.name + "' (" +
                       std::string(warehouse::TestKindName(test.kind)) + " of " + test.model + "." +
                       test.column + "): " + std::to_string(result.rows_failed) + " rows fail";
    if (!result.sample.empty()) line += "; e.g. " + result.sample[0];
    if (test.fail) {
      failed.push_back(line);
    } else {
      outcome.notes.push_back(name_ + ": " + line);
    }
  }
  outcome.details["tests"] = tests;
  if (!failed.empty()) {
    std::string message;
    for (const std::string& line : failed) message += (message.empty() ? "" : "; ") + line;
    return Status::DataError(message);
  }
  if (!results.empty() || !declaration.models.empty()) {
    outcome.notes.push_back(
        name_ + ": " + std::to_string(build.created.size()) + " models built, " +
        (build.refreshed.empty() ? std::string()
                                 : std::to_string(build.refreshed.size()) + " refreshed, ") +
        std::to_string(results.size()) + " tests passed" +
        (outcome.notes.empty() ? "" : " or warned"));
  }
  return outcome;
}

}  // namespace sluice::pipeline

#include "sluice/pipeline/bronze_task.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "sluice/columnar/value_formatter.h"
#include "sluice/connectors/file/file_source.h"
#include "sluice/lake/delta_log.h"
#include "sluice/lake/table_scan.h"
#include "sluice/lake/transaction.h"

namespace sluice::pipeline {
namespace {

namespace fs = std::filesystem;

class BronzeTaskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sluice_bronze_test_" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "drops");
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Drop(const std::string& name, const std::string& text) {
    fs::create_directories((dir_ / "drops" / name).parent_path());
    std::ofstream(dir_ / "drops" / name, std::ios::trunc) << text;
  }

  // Loads the project with one source `orders` whose extra options are `source_yaml`.
  Project Load(const std::string& source_yaml) {
    std::ofstream(dir_ / "sluice.yml", std::ios::trunc)
        << "name: t\nsources:\n  orders:\n    path: drops/*.csv\n    min_age: 0s\n"
        << source_yaml;
    Result<Project> project = LoadProject(dir_.string());
    EXPECT_TRUE(project.ok()) << project.status().ToString();
    return project.ok() ? *project : Project();
  }

  Result<TaskOutcome> RunOnce(const Project& project, int64_t now_ms = 0) {
    BronzeTask task(project, project.sources[0], now_ms);
    TaskProgress progress;
    TaskContext context;
    context.run_id = "run-" + std::to_string(++runs_);
    context.progress = &progress;
    Result<TaskOutcome> outcome = task.Run(context);
    if (outcome.ok()) {
      EXPECT_EQ(outcome->rows_in, outcome->rows_out + outcome->rows_quarantined);
      EXPECT_EQ(progress.rows.load(), outcome->rows_out);
    }
    return outcome;
  }

  // Every row of a table as "col=value,..." strings, sorted, for the listed columns.
  std::vector<std::string> Rows(const std::string& path, const std::vector<std::string>& columns) {
    std::vector<std::string> rows;
    auto log = lake::DeltaLog::Open(path);
    EXPECT_TRUE(log.ok());
    auto snapshot = (*log)->Load();
    EXPECT_TRUE(snapshot.ok());
    if (!snapshot.ok() || !(*snapshot)->exists()) return rows;
    lake::TableScanOptions options;
    options.columns = columns;
    auto scan = lake::TableScan::Open(*log, *snapshot, options);
    EXPECT_TRUE(scan.ok()) << scan.status().ToString();
    while (true) {
      auto batch = (*scan)->Next();
      EXPECT_TRUE(batch.ok());
      if (!batch.ok() || *batch == nullptr) break;
      for (int64_t r = 0; r < (*batch)->num_rows(); ++r) {
        std::string row;
        for (size_t c = 0; c < (*batch)->num_columns(); ++c) {
          if (c) row += ",";
          if ((*batch)->column(c).IsNull(r)) {
            row += "null";
          } else {
            columnar::AppendValue((*batch)->column(c), r, columnar::ValueStyle::kCsv, &row);
          }
        }
        rows.push_back(row);
      }
    }
    std::sort(rows.begin(), rows.end());
    return rows;
  }

  int64_t Version(const std::string& path) {
    auto log = lake::DeltaLog::Open(path);
    auto snapshot = (*log)->Load();
    return (*snapshot)->exists() ? (*snapshot)->version : -1;
  }

  fs::path dir_;
  int runs_ = 0;
};

TEST_F(BronzeTaskTest, IngestsEachFileExactlyOnceWithAuditColumns) {
  Drop("a.csv", "id,amount\n1,10\n2,20\n");
  Drop("b.csv", "id,amount\n3,30\n");
  Project project = Load("");
  const std::string table = project.TablePath("bronze.orders");
  Result<TaskOutcome> first = RunOnce(project);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->rows_out, 3);
  EXPECT_EQ(first->details["files"]["ingested"].size(), 2u);
  EXPECT_EQ(
      Rows(table, {"id", "amount", "_sluice_file", "_sluice_source", "_sluice_batch_id"}),
      (std::vector<std::string>{"1,10,drops/a.csv,orders,run-1", "2,20,drops/a.csv,orders,run-1",
                                "3,30,drops/b.csv,orders,run-1"}));
  // The ledger is in the table's own log: one txn per file.
  auto log = lake::DeltaLog::Open(table);
  auto snapshot = (*log)->Load();
  EXPECT_EQ((*snapshot)->app_transactions.count(connectors::FileLedgerAppId("drops/a.csv")), 1u);
  EXPECT_EQ((*snapshot)->metadata.partition_columns,
            (std::vector<std::string>{"_sluice_ingest_date"}));

  // A rerun takes nothing and commits nothing.
  Result<TaskOutcome> second = RunOnce(project);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->rows_in, 0);
  EXPECT_EQ(second->details["files"]["already_ingested"], 2);
  EXPECT_EQ(second->details["committed"], false);
  EXPECT_EQ(Version(table), 0);

  // A new file is taken alone.
  Drop("c.csv", "id,amount\n4,40\n");
  Result<TaskOutcome> third = RunOnce(project);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->rows_out, 1);
  EXPECT_EQ(Rows(table, {"id"}), (std::vector<std::string>{"1", "2", "3", "4"}));
}

TEST_F(BronzeTaskTest, MinAgeLeavesYoungFilesForLater) {
  Drop("a.csv", "id\n1\n");
  Project project = Load("");
  connectors::FileSourceOptions options =
      static_cast<const connectors::FileSource&>(*project.sources[0].source).options();
  options.min_age_ms = 60'000;
  auto young_source = connectors::FileSource::Make(options);
  ASSERT_TRUE(young_source.ok());
  project.sources[0].source = std::move(*young_source);
  Result<TaskOutcome> young = RunOnce(project);
  ASSERT_TRUE(young.ok());
  EXPECT_EQ(young->rows_in, 0);
  EXPECT_EQ(young->details["files"]["too_young"].size(), 1u);
  EXPECT_EQ(Version(project.TablePath("bronze.orders")), -1);
  Result<TaskOutcome> later = RunOnce(project, lake::CurrentTimeMs() + 120'000);
  ASSERT_TRUE(later.ok());
  EXPECT_EQ(later->rows_out, 1);
}

TEST_F(BronzeTaskTest, ChangedFilesAreReportedOrReingested) {
  Drop("a.csv", "id\n1\n");
  Project project = Load("");
  ASSERT_TRUE(RunOnce(project).ok());
  Drop("a.csv", "id\n1\n2\n");  // same name, new size
  Result<TaskOutcome> reported = RunOnce(project);
  ASSERT_TRUE(reported.ok());
  EXPECT_EQ(reported->rows_in, 0);
  EXPECT_EQ(reported->details["files"]["changed_not_reingested"].size(), 1u);
  ASSERT_EQ(reported->notes.size(), 1u);
  EXPECT_NE(reported->notes[0].find("drops/a.csv changed since it was ingested"),
            std::string::npos);
  Project reingest = Load("    on_change: reingest\n");
  Result<TaskOutcome> again = RunOnce(reingest);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->rows_out, 2);
  EXPECT_EQ(Rows(reingest.TablePath("bronze.orders"), {"id"}),
            (std::vector<std::string>{"1", "1", "2"}));
  // Re-ingested once only.
  Result<TaskOutcome> quiet = RunOnce(reingest);
  ASSERT_TRUE(quiet.ok());
  EXPECT_EQ(quiet->rows_in, 0);
}

TEST_F(BronzeTaskTest, BadRecordsGoToQuarantineInTheSameRun) {
  Drop("a.csv", "id,qty\n1,5\n2,two\n3,7\n");
  Project project = Load("    schema: {id: int64, qty: int32}\n");
  Result<TaskOutcome> outcome = RunOnce(project);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->rows_in, 3);
  EXPECT_EQ(outcome->rows_out, 2);
  EXPECT_EQ(outcome->rows_quarantined, 1);
  EXPECT_EQ(Rows(project.TablePath("bronze.orders"), {"id", "qty"}),
            (std::vector<std::string>{"1,5", "3,7"}));
  EXPECT_EQ(Rows(project.QuarantinePath("orders"),
                 {"run_id", "source", "file", "line", "field", "error_kind", "raw"}),
            (std::vector<std::string>{"run-1,orders,drops/a.csv,3,qty,cast_error,2,two"}));
  // A rerun quarantines nothing twice.
  ASSERT_TRUE(RunOnce(project).ok());
  EXPECT_EQ(Rows(project.QuarantinePath("orders"), {"line"}).size(), 1u);
}

TEST_F(BronzeTaskTest, RejectLimitFailsAndCommitsNothing) {
  Drop("a.csv", "id,qty\n1,5\n2,two\n3,three\n4,8\n");
  Project project = Load("    schema: {qty: int32}\n    max_rejects: 1\n");
  Result<TaskOutcome> outcome = RunOnce(project);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.status().code(), StatusCode::kDataError);
  EXPECT_NE(outcome.status().message().find("nothing committed"), std::string::npos)
      << outcome.status().message();
  EXPECT_EQ(Version(project.TablePath("bronze.orders")), -1);
  EXPECT_EQ(Version(project.QuarantinePath("orders")), -1);
  // No data file was left behind either.
  EXPECT_FALSE(fs::exists(project.TablePath("bronze.orders") + "/_sluice_ingest_date="));
}

TEST_F(BronzeTaskTest, SchemaDriftEvolvesOrFreezes) {
  Drop("a.csv", "id\n1\n");
  Project project = Load("");
  ASSERT_TRUE(RunOnce(project).ok());
  Drop("b.csv", "id,tier\n2,gold\n");
  Project frozen = Load("    schema_drift: freeze\n");
  Result<TaskOutcome> refused = RunOnce(frozen);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kSchemaMismatch);
  EXPECT_NE(refused.status().message().find("drops/b.csv: column 'tier' is not in bronze.orders"),
            std::string::npos)
      << refused.status().message();
  Result<TaskOutcome> evolved = RunOnce(project);
  ASSERT_TRUE(evolved.ok()) << evolved.status().ToString();
  EXPECT_EQ(evolved->details["new_columns"][0], "tier");
  EXPECT_EQ(Rows(project.TablePath("bronze.orders"), {"id", "tier"}),
            (std::vector<std::string>{"1,null", "2,gold"}));
}

TEST_F(BronzeTaskTest, TableTypesApplyToLaterFiles) {
  Drop("a.csv", "id,amount\n1,10\n");
  Project project = Load("");
  ASSERT_TRUE(RunOnce(project).ok());
  // amount is int64 in the table: "12.5" does not fit and is quarantined, never coerced.
  Drop("b.csv", "id,amount\n2,12.5\n3,7\n");
  Result<TaskOutcome> outcome = RunOnce(project);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->rows_quarantined, 1);
  EXPECT_EQ(Rows(project.TablePath("bronze.orders"), {"id", "amount"}),
            (std::vector<std::string>{"1,10", "3,7"}));
}

TEST_F(BronzeTaskTest, UnreadableAndEmptyFiles) {
  Drop("empty.csv", "");
  Drop("good.csv", "id\n1\n");
  std::ofstream(dir_ / "drops/broken.parquet") << "not a parquet file at all";
  std::ofstream(dir_ / "sluice.yml", std::ios::trunc)
      << "name: t\nsources:\n  orders:\n    path: drops/*\n    min_age: 0s\n";
  Result<Project> project = LoadProject(dir_.string());
  ASSERT_TRUE(project.ok());
  Result<TaskOutcome> outcome = RunOnce(*project);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(outcome->rows_out, 1);
  EXPECT_EQ(outcome->rows_quarantined, 1);
  EXPECT_EQ(outcome->details["files"]["unreadable"][0], "drops/broken.parquet");
  EXPECT_EQ(Rows(project->QuarantinePath("orders"), {"file", "error_kind"}),
            (std::vector<std::string>{"drops/broken.parquet,unreadable_file"}));
  Result<TaskOutcome> rerun = RunOnce(*project);
  ASSERT_TRUE(rerun.ok());
  EXPECT_EQ(rerun->details["files"]["already_ingested"], 3);
}

}  // namespace
}  // namespace sluice::pipeline

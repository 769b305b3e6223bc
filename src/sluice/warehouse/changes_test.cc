// Model tests of loaded tables read the rows the loads changed since they last passed: a change
// that breaks a test is found, whether it came with the child rows or with a parent's deletion,
// and anything that may have changed every row (a replace, a new test, --full-refresh) makes the
// test read every row again.
#include <gtest/gtest.h>

#include <filesystem>

#include "sluice/columnar/column_builder.h"
#include "sluice/warehouse/changes.h"
#include "sluice/warehouse/connection.h"
#include "sluice/warehouse/loader.h"
#include "sluice/warehouse/models.h"

namespace sluice::warehouse {
namespace {

using columnar::BatchPtr;
using columnar::DataType;

struct Row {
  int64_t id;
  int64_t parent;  // child rows: the parent id
  const char* status;
};

class ChangesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sluice_changes_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Result<std::unique_ptr<Connection>> connection = ConnectSqlite((dir_ / "w.db").string());
    ASSERT_TRUE(connection.ok()) << connection.status().ToString();
    db_ = std::move(*connection);
    ModelTest status;
    status.name = "status_known";
    status.model = "child";
    status.kind = TestKind::kAcceptedValues;
    status.column = "status";
    status.values = {"open", "shipped"};
    ModelTest parent;
    parent.name = "parent_known";
    parent.model = "child";
    parent.kind = TestKind::kRelationships;
    parent.column = "parent";
    parent.to_model = "parent";
    parent.to_column = "id";
    tests_ = {status, parent};
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  static BatchPtr Rows(const std::vector<Row>& rows) {
    columnar::Int64Builder id(DataType::Int64()), parent(DataType::Int64());
    columnar::StringBuilder status(DataType::String());
    for (const Row& row : rows) {
      id.Append(row.id);
      parent.Append(row.parent);
      status.Append(row.status);
    }
    auto schema = std::make_shared<const columnar::Schema>(
        std::vector<columnar::Field>{{"id", DataType::Int64(), false},
                                     {"parent", DataType::Int64(), true},
                                     {"status", DataType::String(), true}});
    return std::make_shared<const columnar::Batch>(
        schema, std::vector<columnar::ColumnPtr>{id.Finish(), parent.Finish(), status.Finish()},
        static_cast<int64_t>(rows.size()));
  }

  // Loads `rows` into `table` as lake version `version`, deleting `gone` ids first (merge).
  void Load(const std::string& table, const std::vector<Row>& rows, LoadMode mode, int64_t version,
            const std::vector<int64_t>& gone = {}) {
    Result<std::unique_ptr<TableLoader>> loader = TableLoader::Begin(db_.get());
    ASSERT_TRUE(loader.ok()) << loader.status().ToString();
    TableDesign design;
    design.name = table;
    design.schema = Rows({})->schema();
    design.primary_key = {"id"};
    design.changes_epoch = version;
    design.changes_columns = tested_columns_;
    ASSERT_TRUE((*loader)->Prepare(design, mode).ok());
    if (!gone.empty()) {
      columnar::Int64Builder ids(DataType::Int64());
      for (int64_t id : gone) ids.Append(id);
      auto schema = std::make_shared<const columnar::Schema>(
          std::vector<columnar::Field>{{"id", DataType::Int64(), false}});
      columnar::Batch keys(schema, {ids.Finish()}, static_cast<int64_t>(gone.size()));
      Status deleted = (*loader)->DeleteKeys(keys);
      ASSERT_TRUE(deleted.ok()) << deleted.ToString();
    }
    std::vector<RowRefusal> refused;
    ASSERT_TRUE((*loader)->Add(*Rows(rows), &refused).ok());
    ASSERT_TRUE(refused.empty());
    Result<LoadSummary> committed = (*loader)->Commit("gold." + table, version);
    ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  }

  std::vector<ModelTestResult> Test(bool all_rows = false) {
    TestRunOptions options;
    options.tracked = {{"child", {"id"}}, {"parent", {"id"}}};
    options.all_rows = all_rows;
    Result<std::vector<ModelTestResult>> results = RunModelTests(db_.get(), tests_, options);
    EXPECT_TRUE(results.ok()) << results.status().ToString();
    return results.ok() ? *results : std::vector<ModelTestResult>{};
  }

  int64_t Count(const std::string& sql) {
    Result<QueryRows> rows = db_->Query(sql);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    return rows.ok() ? std::stoll(*(*rows)[0][0]) : -1;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Connection> db_;
  std::vector<ModelTest> tests_;
  std::vector<std::string> tested_columns_ = {"parent", "status"};
};

TEST_F(ChangesTest, ATestThatPassedReadsOnlyTheRowsChangedSince) {
  Load("parent", {{1, 0, "open"}, {2, 0, "open"}}, LoadMode::kMerge, 0);
  Load("child", {{10, 1, "open"}, {11, 2, "shipped"}}, LoadMode::kMerge, 0);
  std::vector<ModelTestResult> first = Test();
  ASSERT_EQ(first.size(), 2u);
  EXPECT_FALSE(first[0].changed_after.has_value());  // never passed: every row
  EXPECT_EQ(first[0].rows_failed, 0);
  EXPECT_EQ(first[1].rows_failed, 0);

  // A bad row written around the loads is not among the changes: the scoped test does not read
  // it, a test of every row does — which shows the scope is real.
  ASSERT_TRUE(db_->Execute("INSERT INTO child VALUES (99, 1, 'lost')").ok());
  Load("child", {{12, 1, "open"}, {13, 3, "bogus"}}, LoadMode::kMerge, 1);
  std::vector<ModelTestResult> second = Test();
  EXPECT_EQ(second[0].changed_after, std::optional<int64_t>(0));
  EXPECT_EQ(second[0].rows_failed, 1);  // 13 'bogus' (not 99 'lost')
  EXPECT_EQ(second[0].sample, std::vector<std::string>{"bogus"});
  EXPECT_EQ(second[1].rows_failed, 1);                   // 13 points to no parent
  EXPECT_EQ(Test(/*all_rows=*/true)[0].rows_failed, 2);  // 13 and 99

  // Still failing: the failing test keeps reading from where it last passed.
  EXPECT_EQ(Test()[0].rows_failed, 1);
  Load("child", {{13, 1, "open"}}, LoadMode::kMerge, 2);  // fixed
  std::vector<ModelTestResult> fixed = Test();
  EXPECT_EQ(fixed[0].rows_failed, 0);
  EXPECT_EQ(fixed[0].changed_after, std::optional<int64_t>(0));
  EXPECT_EQ(fixed[1].rows_failed, 0);
  // Passed at version 2: the changes up to it are no longer kept.
  EXPECT_EQ(Count("SELECT count(*) FROM child__sluice_changed"), 0);
  EXPECT_EQ(Test()[0].changed_after, std::optional<int64_t>(2));
}

TEST_F(ChangesTest, AParentDeletedSinceFailsTheChildrenPointingToIt) {
  Load("parent", {{1, 0, "open"}, {2, 0, "open"}}, LoadMode::kMerge, 0);
  Load("child", {{10, 1, "open"}, {11, 2, "open"}}, LoadMode::kMerge, 0);
  EXPECT_EQ(Test()[1].rows_failed, 0);
  Load("parent", {{3, 0, "open"}}, LoadMode::kMerge, 1, /*gone=*/{2});
  Load("child", {{12, 3, "open"}}, LoadMode::kMerge, 1);
  std::vector<ModelTestResult> results = Test();
  EXPECT_EQ(results[1].changed_after, std::optional<int64_t>(0));
  EXPECT_EQ(results[1].rows_failed, 1);  // child 11, unchanged itself, lost its parent
  EXPECT_EQ(results[1].sample, std::vector<std::string>{"2"});
}

TEST_F(ChangesTest, AReplaceOrANewTestReadsEveryRowAgain) {
  Load("child", {{10, 1, "open"}}, LoadMode::kMerge, 0);
  Load("parent", {{1, 0, "open"}}, LoadMode::kMerge, 0);
  Test();
  Load("child", {{10, 1, "open"}, {11, 1, "open"}}, LoadMode::kReplace, 1);
  EXPECT_FALSE(Test()[0].changed_after.has_value());
  EXPECT_EQ(Test()[0].changed_after, std::optional<int64_t>(1));
  tests_[0].values.push_back("cancelled");  // the test changed: its record does not count
  EXPECT_FALSE(Test()[0].changed_after.has_value());
  // The tested columns changed (a test went, or came): the record starts again with them.
  Load("child", {{12, 1, "open"}}, LoadMode::kMerge, 2);
  EXPECT_EQ(Test()[0].changed_after, std::optional<int64_t>(1));
  tested_columns_ = {"status"};
  Load("child", {{13, 1, "open"}}, LoadMode::kMerge, 3);
  EXPECT_FALSE(Test()[0].changed_after.has_value());
  EXPECT_EQ(Count("SELECT count(*) FROM pragma_table_info('child__sluice_changed')"), 3);
  // A load with no test reading the table keeps nothing.
  Result<std::unique_ptr<TableLoader>> loader = TableLoader::Begin(db_.get());
  ASSERT_TRUE(loader.ok());
  TableDesign design;
  design.name = "child";
  design.schema = Rows({})->schema();
  design.primary_key = {"id"};
  ASSERT_TRUE((*loader)->Prepare(design, LoadMode::kMerge).ok());
  ASSERT_TRUE((*loader)->Commit("gold.child", 4).ok());
  EXPECT_EQ(Count("SELECT count(*) FROM sqlite_master WHERE name = 'child__sluice_changed'"), 0);
  EXPECT_FALSE(Test()[0].changed_after.has_value());
}

}  // namespace
}  // namespace sluice::warehouse

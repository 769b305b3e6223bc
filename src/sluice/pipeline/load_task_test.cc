// LoadTask from an in-memory lake into a SQLite warehouse: the first load takes the table whole,
// later ones only the files added since the version the warehouse's ledger holds, and a commit
// that removed rows turns the next load into a replace.
#include "sluice/pipeline/load_task.h"

#include <gtest/gtest.h>

#include "sluice/columnar/column_builder.h"
#include "sluice/io/memory_file_system.h"
#include "sluice/lake/delta_table.h"
#include "sluice/lake/scratch_table.h"
#include "sluice/warehouse/connection.h"

namespace sluice::pipeline {
namespace {

using columnar::DataType;

columnar::BatchPtr Orders(const std::vector<std::pair<int64_t, std::string>>& rows) {
  columnar::Int64Builder ids(DataType::Int64());
  columnar::StringBuilder statuses;
  for (const auto& [id, status] : rows) {
    ids.Append(id);
    statuses.Append(status);
  }
  auto schema = std::make_shared<const columnar::Schema>(std::vector<columnar::Field>{
      {"id", DataType::Int64(), true}, {"status", DataType::String(), true}});
  return std::make_shared<const columnar::Batch>(
      schema, std::vector<columnar::ColumnPtr>{ids.Finish(), statuses.Finish()},
      static_cast<int64_t>(rows.size()));
}

// The lake table copy-on-write (false) or with deletion vectors (true).
class LoadTaskTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    io::ClearMemoryFileSystem();
    project_.name = "shop";
    project_.lake = "mem://lake";
    project_.warehouse.emplace();
    project_.warehouse->settings.type = "sqlite";
    project_.warehouse->settings.path = dir_.path() + "/warehouse.db";
    load_.table = "silver.orders";
    load_.target = "orders";
    load_.mode = warehouse::LoadMode::kMerge;
    load_.key = {"id"};
  }

  lake::DeltaTable& Lake() {
    if (!table_) table_ = lake::DeltaTable::Open(project_.TablePath("silver.orders")).ValueOrDie();
    return *table_;
  }

  void Append(const columnar::BatchPtr& rows) {
    lake::TableWriteOptions options;
    if (GetParam()) options.configuration["delta.enableDeletionVectors"] = "true";
    ASSERT_TRUE(Lake().Write(rows->schema(), lake::scratch::SourceOf({rows}), options).ok());
  }

  Result<TaskOutcome> Load() {
    LoadTask task(project_, load_, {}, /*full_refresh=*/false);
    TaskContext context;
    context.run_id = "test";
    return task.Run(context);
  }

  // The warehouse table as "id:status", by id.
  std::vector<std::string> Warehouse() {
    auto connection = warehouse::Connect(project_.warehouse->settings).ValueOrDie();
    auto rows = connection->Query("SELECT id, status FROM orders ORDER BY id").ValueOrDie();
    std::vector<std::string> out;
    for (const auto& row : rows) out.push_back(row[0].value_or("null") + ":" + row[1].value_or(""));
    return out;
  }

  lake::scratch::TempDir dir_;
  Project project_;
  LoadDeclaration load_;
  std::unique_ptr<lake::DeltaTable> table_;
};

TEST_P(LoadTaskTest, LoadsWhatIsNewOnceAndDeletesByKeyWhatTheLakeDeleted) {
  Append(Orders({{1, "paid"}, {2, "open"}}));
  Result<TaskOutcome> first = Load();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->rows_in, 2);
  EXPECT_EQ(Warehouse(), (std::vector<std::string>{"1:paid", "2:open"}));

  Result<TaskOutcome> again = Load();  // the ledger holds this version: nothing is read
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->details["up_to_date"], true);
  EXPECT_EQ(again->rows_in, 0);

  // The lake merges by id too (a lake table a merge load reads holds each key once).
  const columnar::BatchPtr changes = Orders({{2, "shipped"}, {3, "open"}});
  lake::MergeOptions merge;
  merge.keys = {"id"};
  ASSERT_TRUE(Lake().Merge(changes->schema(), lake::scratch::SourceOf({changes}), merge).ok());
  Result<TaskOutcome> merged = Load();
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_EQ(merged->rows_in, 2);  // the merge's new rows, not the row it copied (1:paid)
  EXPECT_EQ(merged->details["mode"], "merge");
  EXPECT_EQ(Warehouse(), (std::vector<std::string>{"1:paid", "2:shipped", "3:open"}));

  // A delete in the lake is a delete by key in the warehouse, not a reload of the table.
  ASSERT_TRUE(Lake().Delete("id = 1").ok());
  Result<TaskOutcome> deleted = Load();
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(deleted->details["mode"], "merge");
  EXPECT_EQ(deleted->details["keys_deleted"], 1);
  EXPECT_EQ(deleted->rows_in, 0);  // the rows the delete kept are not read again
  EXPECT_EQ(Warehouse(), (std::vector<std::string>{"2:shipped", "3:open"}));

  // An append-mode load cannot delete: the table is loaded whole, and the report says why.
  load_.mode = warehouse::LoadMode::kAppend;
  ASSERT_TRUE(Lake().Delete("id = 3").ok());
  Result<TaskOutcome> replaced = Load();
  ASSERT_TRUE(replaced.ok()) << replaced.status().ToString();
  EXPECT_EQ(replaced->details["mode"], "replace");
  ASSERT_FALSE(replaced->notes.empty());
  EXPECT_NE(replaced->notes[0].find("removed rows"), std::string::npos) << replaced->notes[0];
  EXPECT_EQ(Warehouse(), (std::vector<std::string>{"2:shipped"}));
}

TEST_P(LoadTaskTest, RowsAMergeAddedAndALaterMergeCopiedReachTheWarehouse) {
  // Two merges between loads (a load that failed a day, a task run alone twice): the second
  // rewrites the file the first added, so the copies it makes hold rows the warehouse never saw.
  Append(Orders({{1, "paid"}}));
  ASSERT_TRUE(Load().ok());
  lake::MergeOptions merge;
  merge.keys = {"id"};
  const columnar::BatchPtr first = Orders({{10, "open"}, {11, "open"}, {12, "open"}});
  ASSERT_TRUE(Lake().Merge(first->schema(), lake::scratch::SourceOf({first}), merge).ok());
  const columnar::BatchPtr second = Orders({{11, "shipped"}, {1, "refunded"}});
  ASSERT_TRUE(Lake().Merge(second->schema(), lake::scratch::SourceOf({second}), merge).ok());
  Result<TaskOutcome> loaded = Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(Warehouse(),
            (std::vector<std::string>{"1:refunded", "10:open", "11:shipped", "12:open"}));
  // And a delete of rows of a file added since the version loaded.
  const columnar::BatchPtr third = Orders({{20, "open"}, {21, "open"}});
  ASSERT_TRUE(Lake().Merge(third->schema(), lake::scratch::SourceOf({third}), merge).ok());
  ASSERT_TRUE(Lake().Delete("id = 20").ok());
  loaded = Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(Warehouse(), (std::vector<std::string>{"1:refunded", "10:open", "11:shipped", "12:open",
                                                   "21:open"}));
}

INSTANTIATE_TEST_SUITE_P(CopyOnWriteAndDeletionVectors, LoadTaskTest, ::testing::Bool());

}  // namespace
}  // namespace sluice::pipeline

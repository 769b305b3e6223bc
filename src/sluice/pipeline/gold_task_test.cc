// GoldTask over an in-memory lake: each kind reads only what its upstream added since the version
// recorded in its own log, and records the version it consumed with its rows.
#include "sluice/pipeline/gold_task.h"

#include <gtest/gtest.h>

#include "sluice/columnar/column_builder.h"
#include "sluice/config/yaml_loader.h"
#include "sluice/io/memory_file_system.h"
#include "sluice/lake/delta_table.h"
#include "sluice/lake/scratch_table.h"

namespace sluice::pipeline {
namespace {

using columnar::BatchPtr;
using columnar::DataType;
using columnar::Field;

gold::GoldModel Model(const std::string& name, const std::string& yaml) {
  Result<config::ConfigNode> node = config::ParseYaml(yaml, "p.yml");
  EXPECT_TRUE(node.ok()) << node.status().ToString();
  config::ConfigErrors errors;
  std::optional<gold::GoldModel> model =
      gold::ParseGoldModel(name, {"p.yml", 1, 1}, *node, &errors);
  EXPECT_TRUE(errors.empty()) << errors.ToStatus().ToString();
  return model.value_or(gold::GoldModel{});
}

// Rows of int64 columns, then one string column.
BatchPtr Rows(std::vector<std::string> int_columns, const std::string& text_column,
              const std::vector<std::pair<std::vector<int64_t>, std::string>>& rows) {
  std::vector<Field> fields;
  std::vector<columnar::Int64Builder> ints;
  for (const std::string& name : int_columns) {
    fields.push_back({name, DataType::Int64(), true});
    ints.emplace_back(DataType::Int64());
  }
  fields.push_back({text_column, DataType::String(), true});
  columnar::StringBuilder texts;
  for (const auto& [numbers, text] : rows) {
    for (size_t c = 0; c < numbers.size(); ++c) ints[c].Append(numbers[c]);
    texts.Append(text);
  }
  std::vector<columnar::ColumnPtr> columns;
  for (columnar::Int64Builder& builder : ints) columns.push_back(builder.Finish());
  columns.push_back(texts.Finish());
  return std::make_shared<const columnar::Batch>(std::make_shared<const columnar::Schema>(fields),
                                                 std::move(columns),
                                                 static_cast<int64_t>(rows.size()));
}

class GoldTaskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    io::ClearMemoryFileSystem();
    project_.name = "shop";
    project_.lake = "mem://lake";
    project_.gold.push_back(Model("gold.dim_customer",
                                  "kind: dimension\nfrom: silver.customers\nkey: customer_id\n"
                                  "history: scd2\n"));
    project_.gold.push_back(Model("gold.fact_orders",
                                  "kind: fact\nfrom: silver.orders\ngrain: [order_id]\n"
                                  "dimensions:\n  customer: {table: gold.dim_customer, on: "
                                  "customer_id}\n"));
    project_.gold.push_back(Model("gold.orders_by_status",
                                  "kind: aggregate\nfrom: silver.orders\ngroup_by: [status]\n"
                                  "measures: {orders: count(*), total: sum(amount)}\n"));
  }

  void Append(const std::string& table, const BatchPtr& rows) {
    auto delta = lake::DeltaTable::Open(project_.TablePath(table)).ValueOrDie();
    lake::TableWriteOptions options;
    ASSERT_TRUE(delta->Write(rows->schema(), lake::scratch::SourceOf({rows}), options).ok());
  }

  Result<TaskOutcome> Run(size_t model, int64_t now_ms = 1'780'000'000'000) {
    GoldTask task(project_, project_.gold[model], {}, /*full_refresh=*/false, now_ms);
    TaskContext context;
    context.run_id = "test";
    return task.Run(context);
  }

  // The table's rows with only `columns`, sorted.
  std::vector<std::string> Read(const std::string& table, const std::vector<std::string>& columns) {
    std::vector<std::string> rows;
    for (const std::string& row : lake::scratch::ReadRows(project_.TablePath(table))) {
      std::string kept;
      size_t at = 0;
      while (at <= row.size()) {
        const size_t end = std::min(row.find('|', at), row.size());
        const std::string cell = row.substr(at, end - at);
        const std::string name = cell.substr(0, cell.find('='));
        if (std::find(columns.begin(), columns.end(), name) != columns.end()) {
          kept += (kept.empty() ? "" : "|") + cell;
        }
        at = end + 1;
      }
      rows.push_back(kept);
    }
    std::sort(rows.begin(), rows.end());
    return rows;
  }

  Project project_;
};

TEST_F(GoldTaskTest, ADimensionTakesOnlyWhatItsUpstreamAdded) {
  Append("silver.customers", Rows({"customer_id"}, "city", {{{1}, "Oslo"}, {{2}, "Rome"}}));
  Result<TaskOutcome> first = Run(0);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->rows_in, 2);
  EXPECT_EQ(first->details["members_added"], 2);
  EXPECT_EQ(Read("gold.dim_customer", {"customer_key", "city", "is_current"}),
            (std::vector<std::string>{"customer_key=0|city=\"Unknown\"|is_current=true",
                                      "customer_key=1|city=\"Oslo\"|is_current=true",
                                      "customer_key=2|city=\"Rome\"|is_current=true"}));

  Result<TaskOutcome> again = Run(0);  // nothing new upstream: nothing read, nothing written
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->rows_in, 0);

  Append("silver.customers", Rows({"customer_id"}, "city", {{{1}, "Bergen"}}));
  // A day later (a change dated the same instant as the version would correct it in place).
  Result<TaskOutcome> change = Run(0, 1'780'086'400'000);
  ASSERT_TRUE(change.ok()) << change.status().ToString();
  EXPECT_EQ(change->rows_in, 1);  // only the new row, not the whole upstream
  EXPECT_EQ(change->details["versions_added"], 1);
  EXPECT_EQ(change->details["rows_written"], 2);  // the closed version and the new one
  EXPECT_EQ(Read("gold.dim_customer", {"customer_key", "city", "is_current"}),
            (std::vector<std::string>{"customer_key=0|city=\"Unknown\"|is_current=true",
                                      "customer_key=1|city=\"Oslo\"|is_current=false",
                                      "customer_key=2|city=\"Rome\"|is_current=true",
                                      "customer_key=3|city=\"Bergen\"|is_current=true"}));
  auto log = lake::DeltaLog::Open(project_.TablePath("gold.dim_customer")).ValueOrDie();
  auto snapshot = log->Load().ValueOrDie();
  EXPECT_EQ(snapshot->TransactionVersion(GoldUpstreamAppId("silver.customers")), 1);
}

TEST_F(GoldTaskTest, AFactLooksUpKeysAndAppendsNewGrainsOnly) {
  Append("silver.customers", Rows({"customer_id"}, "city", {{{1}, "Oslo"}}));
  ASSERT_TRUE(Run(0).ok());
  Append("silver.orders", Rows({"order_id", "customer_id", "amount"}, "status",
                               {{{10, 1, 5}, "paid"}, {{11, 9, 7}, "paid"}}));
  Result<TaskOutcome> first = Run(1);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->rows_out, 2);
  // Customer 9 is not in the dimension: the unknown member, key 0.
  EXPECT_EQ(Read("gold.fact_orders", {"order_id", "customer_key"}),
            (std::vector<std::string>{"customer_key=0|order_id=11", "customer_key=1|order_id=10"}));

  Append("silver.orders",
         Rows({"order_id", "customer_id", "amount"}, "status", {{{12, 1, 3}, "open"}}));
  Result<TaskOutcome> second = Run(1);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->rows_in, 1);
  EXPECT_EQ(Read("gold.fact_orders", {"order_id", "customer_key"}),
            (std::vector<std::string>{"customer_key=0|order_id=11", "customer_key=1|order_id=10",
                                      "customer_key=1|order_id=12"}));
}

TEST_F(GoldTaskTest, AnAggregateIsRecomputedWhenItsUpstreamMoves) {
  Append("silver.orders", Rows({"order_id", "customer_id", "amount"}, "status",
                               {{{10, 1, 5}, "paid"}, {{11, 2, 7}, "paid"}, {{12, 2, 1}, "open"}}));
  ASSERT_TRUE(Run(2).ok());
  EXPECT_EQ(Read("gold.orders_by_status", {"status", "orders", "total"}),
            (std::vector<std::string>{"status=\"open\"|orders=1|total=1",
                                      "status=\"paid\"|orders=2|total=12"}));
  Result<TaskOutcome> unchanged = Run(2);
  ASSERT_TRUE(unchanged.ok());
  EXPECT_EQ(unchanged->rows_in, 0);
  Append("silver.orders",
         Rows({"order_id", "customer_id", "amount"}, "status", {{{13, 3, 4}, "open"}}));
  ASSERT_TRUE(Run(2).ok());
  EXPECT_EQ(Read("gold.orders_by_status", {"status", "orders", "total"}),
            (std::vector<std::string>{"status=\"open\"|orders=2|total=5",
                                      "status=\"paid\"|orders=2|total=12"}));
}

TEST_F(GoldTaskTest, AnAggregateRecomputesOnlyTheGroupsChangedRowsFallIn) {
  Append("silver.orders", Rows({"order_id", "customer_id", "amount"}, "status",
                               {{{10, 1, 5}, "paid"}, {{11, 2, 7}, "paid"}, {{12, 2, 1}, "open"}}));
  ASSERT_TRUE(Run(2).ok());
  // Order 12 moves from open to paid (open is left empty) and 13 opens a new group: a merge.
  auto orders = lake::DeltaTable::Open(project_.TablePath("silver.orders")).ValueOrDie();
  const BatchPtr changes = Rows({"order_id", "customer_id", "amount"}, "status",
                                {{{12, 2, 1}, "paid"}, {{13, 3, 4}, "new"}});
  lake::MergeOptions merge;
  merge.keys = {"order_id"};
  ASSERT_TRUE(orders->Merge(changes->schema(), lake::scratch::SourceOf({changes}), merge).ok());
  Result<TaskOutcome> moved = Run(2);
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ(Read("gold.orders_by_status", {"status", "orders", "total"}),
            (std::vector<std::string>{"status=\"new\"|orders=1|total=4",
                                      "status=\"paid\"|orders=3|total=13"}));

  // A new order of an existing group: only that group is read again and merged.
  Append("silver.orders",
         Rows({"order_id", "customer_id", "amount"}, "status", {{{14, 3, 6}, "new"}}));
  Result<TaskOutcome> added = Run(2);
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(added->details["groups_recomputed"], 1);
  EXPECT_EQ(added->rows_out, 1);
  EXPECT_EQ(Read("gold.orders_by_status", {"status", "orders", "total"}),
            (std::vector<std::string>{"status=\"new\"|orders=2|total=10",
                                      "status=\"paid\"|orders=3|total=13"}));

  // Order 11 moves from paid to new: the group it left is found through the file it was in.
  const BatchPtr move =
      Rows({"order_id", "customer_id", "amount"}, "status", {{{11, 2, 7}, "new"}});
  ASSERT_TRUE(orders->Merge(move->schema(), lake::scratch::SourceOf({move}), merge).ok());
  Result<TaskOutcome> regrouped = Run(2);
  ASSERT_TRUE(regrouped.ok()) << regrouped.status().ToString();
  EXPECT_EQ(regrouped->details["groups_recomputed"], 2);
  EXPECT_EQ(Read("gold.orders_by_status", {"status", "orders", "total"}),
            (std::vector<std::string>{"status=\"new\"|orders=3|total=17",
                                      "status=\"paid\"|orders=2|total=6"}));
}

}  // namespace
}  // namespace sluice::pipeline

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

#include "sluice/columnar/column_builder.h"
#include "sluice/warehouse/connection.h"
#include "sluice/warehouse/loader.h"
#include "sluice/warehouse/models.h"

namespace sluice::warehouse {
namespace {

using columnar::BatchPtr;
using columnar::DataType;

class WarehouseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sluice_warehouse_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Result<std::unique_ptr<Connection>> connection = ConnectSqlite((dir_ / "w.db").string());
    ASSERT_TRUE(connection.ok()) << connection.status().ToString();
    db_ = std::move(*connection);
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  // Rows (id, name, price, score): price decimal(10,2), score float64.
  static BatchPtr Rows(
      const std::vector<std::tuple<std::optional<int64_t>, const char*, int64_t, double>>& rows,
      bool with_extra = false) {
    columnar::Int64Builder id(DataType::Int64());
    columnar::StringBuilder name(DataType::String()), extra(DataType::String());
    columnar::DecimalBuilder price(DataType::Decimal(10, 2));
    columnar::Float64Builder score(DataType::Float64());
    for (const auto& [i, n, p, s] : rows) {
      if (i) {
        id.Append(*i);
      } else {
        id.AppendNull();
      }
      name.Append(n);
      price.Append(p);
      score.Append(s);
      extra.Append("x");
    }
    std::vector<columnar::Field> fields = {{"id", DataType::Int64(), true},
                                           {"name", DataType::String(), true},
                                           {"price", DataType::Decimal(10, 2), true},
                                           {"score", DataType::Float64(), true}};
    std::vector<columnar::ColumnPtr> columns = {id.Finish(), name.Finish(), price.Finish(),
                                                score.Finish()};
    if (with_extra) {
      fields.push_back({"extra", DataType::String(), true});
      columns.push_back(extra.Finish());
    }
    return std::make_shared<const columnar::Batch>(std::make_shared<const columnar::Schema>(fields),
                                                   columns, static_cast<int64_t>(rows.size()));
  }

  Result<LoadSummary> Load(const BatchPtr& batch, LoadMode mode, int64_t version,
                           std::vector<RowRefusal>* refused, bool skip_if_loaded = true) {
    SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<TableLoader> loader, TableLoader::Begin(db_.get()));
    SLUICE_ASSIGN_OR_RETURN(std::optional<int64_t> loaded, loader->LoadedVersion("items"));
    if (skip_if_loaded && loaded && *loaded >= version) return LoadSummary{};
    TableDesign design;
    design.name = "items";
    design.schema = batch->schema();
    design.primary_key = {"id"};
    SLUICE_RETURN_NOT_OK(loader->Prepare(design, mode));
    SLUICE_RETURN_NOT_OK(loader->Add(*batch, refused));
    return loader->Commit("gold.items", version);
  }

  std::vector<std::string> Select(const std::string& sql) {
    Result<QueryRows> rows = db_->Query(sql);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    std::vector<std::string> lines;
    if (!rows.ok()) return lines;
    for (const auto& row : *rows) {
      std::string line;
      for (size_t i = 0; i < row.size(); ++i) line += (i ? "|" : "") + row[i].value_or("NULL");
      lines.push_back(line);
    }
    return lines;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Connection> db_;
};

TEST_F(WarehouseTest, MergeUpsertsByKeyAndTheLedgerMakesARerunANoOp) {
  std::vector<RowRefusal> refused;
  ASSERT_TRUE(
      Load(Rows({{1, "a", 1050, 1.5}, {2, "b", 200, 2}}), LoadMode::kMerge, 3, &refused).ok());
  auto merged = Load(Rows({{2, "B", 250, 2}, {3, "c", 300, 3}}), LoadMode::kMerge, 4, &refused);
  ASSERT_TRUE(merged.ok()) << merged.status().ToString();
  EXPECT_EQ(merged->rows, 2);
  EXPECT_EQ(Select("SELECT id, name, price, score FROM items ORDER BY id"),
            (std::vector<std::string>{"1|a|10.5|1.5", "2|B|2.5|2.0", "3|c|3|3.0"}));
  EXPECT_EQ(Select("SELECT target, lake_table, lake_version, mode, rows_loaded FROM _sluice_loads"),
            (std::vector<std::string>{"items|gold.items|4|merge|2"}));
  // The same version again: nothing is added.
  auto again = Load(Rows({{9, "z", 1, 1}}), LoadMode::kAppend, 4, &refused);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(Select("SELECT count(*) FROM items"), (std::vector<std::string>{"3"}));
  EXPECT_TRUE(refused.empty());
}

TEST_F(WarehouseTest, ReplaceSwapsTheTableAndViewsReadTheNewRows) {
  std::vector<RowRefusal> refused;
  ASSERT_TRUE(
      Load(Rows({{1, "a", 100, 1}, {2, "b", 200, 2}}), LoadMode::kReplace, 1, &refused).ok());
  ASSERT_TRUE(db_->Execute("CREATE VIEW cheap AS SELECT id FROM items WHERE price < 2").ok());
  ASSERT_TRUE(Load(Rows({{7, "q", 50, 1}}), LoadMode::kReplace, 2, &refused).ok());
  EXPECT_EQ(Select("SELECT id, name FROM items"), (std::vector<std::string>{"7|q"}));
  EXPECT_EQ(Select("SELECT id FROM cheap"), (std::vector<std::string>{"7"}));
  EXPECT_EQ(Select("SELECT count(*) FROM sqlite_master WHERE name LIKE '%staging%'"),
            (std::vector<std::string>{"0"}));
}

TEST_F(WarehouseTest, AppendAddsNewColumns) {
  std::vector<RowRefusal> refused;
  ASSERT_TRUE(Load(Rows({{1, "a", 100, 1}}), LoadMode::kAppend, 1, &refused).ok());
  auto second = Load(Rows({{2, "b", 200, 2}}, true), LoadMode::kAppend, 2, &refused);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->columns_added, (std::vector<std::string>{"extra"}));
  EXPECT_EQ(Select("SELECT id, extra FROM items ORDER BY id"),
            (std::vector<std::string>{"1|NULL", "2|x"}));
}

TEST_F(WarehouseTest, RefusedRowsAreReportedNotCoerced) {
  std::vector<RowRefusal> refused;
  auto loaded =
      Load(Rows({{1, "a", 100, 1}, {std::nullopt, "no key", 1, 1}, {3, "nan", 1, std::nan("")}}),
           LoadMode::kAppend, 1, &refused);
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->rows, 1);
  EXPECT_EQ(loaded->rows_refused, 2);
  ASSERT_EQ(refused.size(), 2u);
  EXPECT_EQ(refused[0].row, 1);
  EXPECT_EQ(refused[0].message, "NOT NULL constraint failed: items.id");
  EXPECT_EQ(refused[1].row, 2);
  EXPECT_EQ(refused[1].message, "score is NaN, which SQLite cannot hold (it would become NULL)");
  EXPECT_EQ(Select("SELECT id FROM items"), (std::vector<std::string>{"1"}));
}

TEST_F(WarehouseTest, AFailedLoadLeavesNothing) {
  std::vector<RowRefusal> refused;
  ASSERT_TRUE(Load(Rows({{1, "a", 100, 1}}), LoadMode::kAppend, 1, &refused).ok());
  {
    Result<std::unique_ptr<TableLoader>> loader = TableLoader::Begin(db_.get());
    ASSERT_TRUE(loader.ok());
    TableDesign design{"items", Rows({})->schema(), {"id"}, {}, {}, {}, {}};
    ASSERT_TRUE((*loader)->Prepare(design, LoadMode::kAppend).ok());
    ASSERT_TRUE((*loader)->Add(*Rows({{2, "b", 1, 1}}), &refused).ok());
    // No commit: the loader goes away (a failure later in the task).
  }
  EXPECT_EQ(Select("SELECT id FROM items"), (std::vector<std::string>{"1"}));
  EXPECT_EQ(Select("SELECT lake_version FROM _sluice_loads"), (std::vector<std::string>{"1"}));
}

TEST_F(WarehouseTest, ModelsAreBuiltInDependencyOrderAndTestsCountFailures) {
  std::vector<RowRefusal> refused;
  ASSERT_TRUE(Load(Rows({{1, "a", 100, 1}, {2, "b", 200, 2}, {3, "b", 300, 3}}), LoadMode::kAppend,
                   1, &refused)
                  .ok());
  const auto models_dir = dir_ / "models";
  std::filesystem::create_directories(models_dir);
  std::ofstream(models_dir / "by_name.sql")
      << "-- revenue per name\nselect name, sum(price) as total\nfrom {{ ref('items') }}\ngroup by "
         "name;\n";
  std::ofstream(models_dir / "a_top.sql")
      << "{{ config(materialized='table') }}\nselect * from {{ ref('by_name') }} where total > 2\n";
  Result<std::vector<SqlModel>> models = ReadModels(models_dir.string());
  ASSERT_TRUE(models.ok()) << models.status().ToString();
  Result<std::vector<SqlModel>> ordered = OrderModels(*models, {"items"});
  ASSERT_TRUE(ordered.ok()) << ordered.status().ToString();
  ASSERT_EQ(ordered->size(), 2u);
  EXPECT_EQ((*ordered)[0].name, "by_name");
  EXPECT_EQ((*ordered)[1].name, "a_top");
  ASSERT_TRUE(BuildModels(db_.get(), *ordered).ok());
  ASSERT_TRUE(BuildModels(db_.get(), *ordered).ok());  // rebuilt
  EXPECT_EQ(Select("SELECT name, total FROM a_top"), (std::vector<std::string>{"b|5"}));
  EXPECT_EQ(Select("SELECT type FROM sqlite_master WHERE name = 'a_top'"),
            (std::vector<std::string>{"table"}));

  std::vector<ModelTest> tests(4);
  tests[0] = {"name_unique", "items", TestKind::kUnique, "name", {}, "", "", true, {}};
  tests[1] = {"name_known", "items", TestKind::kAcceptedValues, "name", {"a"}, "", "", false, {}};
  tests[2] = {
      "top_in_by_name", "a_top", TestKind::kRelationships, "name", {}, "by_name", "name", true, {}};
  tests[3] = {"id_not_null", "items", TestKind::kNotNull, "id", {}, "", "", true, {}};
  Result<std::vector<ModelTestResult>> results = RunModelTests(db_.get(), tests);
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  EXPECT_EQ((*results)[0].rows_failed, 1);
  EXPECT_EQ((*results)[0].sample, (std::vector<std::string>{"b"}));
  EXPECT_EQ((*results)[1].rows_failed, 2);
  EXPECT_EQ((*results)[2].rows_failed, 0);
  EXPECT_EQ((*results)[3].rows_failed, 0);
}

TEST_F(WarehouseTest, ModelErrorsNameTheFile) {
  const auto models_dir = dir_ / "models";
  std::filesystem::create_directories(models_dir);
  std::ofstream(models_dir / "m.sql") << "select *\nfrom {{ ref('itmes') }}\n";
  Result<std::vector<SqlModel>> models = ReadModels(models_dir.string());
  ASSERT_TRUE(models.ok());
  Result<std::vector<SqlModel>> ordered = OrderModels(*models, {"items"});
  ASSERT_FALSE(ordered.ok());
  EXPECT_EQ(ordered.status().message(),
            (models_dir / "m.sql").string() +
                ":2:6: ref('itmes') names no loaded table or model; did you mean 'items'?");
  std::ofstream(models_dir / "m.sql", std::ios::trunc) << "select 1 from {{ source('x') }}";
  models = ReadModels(models_dir.string());
  ASSERT_FALSE(models.ok());
  EXPECT_NE(models.status().message().find("m.sql:1:15: '{{ source('x') }}' is not understood"),
            std::string::npos)
      << models.status().message();
  std::ofstream(models_dir / "m.sql", std::ios::trunc) << "select * from {{ ref('n') }}";
  std::ofstream(models_dir / "n.sql", std::ios::trunc) << "select * from {{ ref('m') }}";
  models = ReadModels(models_dir.string());
  ASSERT_TRUE(models.ok());
  ordered = OrderModels(*models, {});
  ASSERT_FALSE(ordered.ok());
  EXPECT_EQ(ordered.status().message(), "the models ref each other in a cycle: m → n → m");
}

}  // namespace
}  // namespace sluice::warehouse

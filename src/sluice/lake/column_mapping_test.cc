// Column mapping on write: tables created mapped (by name and by id) store physical names, field
// ids, and physically keyed partition values and statistics; rename and drop column are
// metadata-only; pruning, DELETE, MERGE, deletion vectors and the change feed work through the
// mapping; mapping turned on for an existing table keeps its files readable.
#include "sluice/lake/column_mapping.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sluice/columnar/column_builder.h"
#include "sluice/formats/parquet/parquet_reader.h"
#include "sluice/io/file_system.h"
#include "sluice/lake/change_data_feed.h"
#include "sluice/lake/delta_table.h"
#include "sluice/lake/scratch_table.h"

namespace sluice::lake {
namespace {

using columnar::DataType;
using scratch::ReadRows;
using scratch::SourceOf;
using scratch::TempDir;

columnar::SchemaPtr SalesSchema(const std::string& amount = "amount") {
  return std::make_shared<const columnar::Schema>(std::vector<columnar::Field>{
      {"id", DataType::Int64()}, {"region", DataType::String()}, {amount, DataType::Int64()}});
}

columnar::BatchPtr Sales(const std::vector<std::tuple<int64_t, std::string, int64_t>>& rows,
                         const std::string& amount = "amount") {
  columnar::Int64Builder ids(DataType::Int64());
  columnar::StringBuilder regions;
  columnar::Int64Builder amounts(DataType::Int64());
  for (const auto& [id, region, value] : rows) {
    ids.Append(id);
    regions.Append(region);
    amounts.Append(value);
  }
  return std::make_shared<const columnar::Batch>(
      SalesSchema(amount),
      std::vector<columnar::ColumnPtr>{ids.Finish(), regions.Finish(), amounts.Finish()},
      static_cast<int64_t>(rows.size()));
}

void Append(DeltaTable* table, columnar::BatchPtr batch, TableWriteOptions options = {}) {
  auto result = table->Write(batch->schema(), SourceOf({batch}), options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
}

SnapshotPtr Latest(const std::string& root) {
  return DeltaLog::Open(root).ValueOrDie()->Load().ValueOrDie();
}

// The top-level (name, field id) pairs of a data file's Parquet schema.
std::vector<std::pair<std::string, int32_t>> FileColumns(const std::string& root,
                                                         const AddFile& add) {
  auto reader =
      parquet::ParquetReader::Open(io::JoinPath(root, DecodeActionPath(add.path))).ValueOrDie();
  std::vector<std::pair<std::string, int32_t>> columns;
  const auto& elements = reader->metadata().schema;
  for (size_t i = 1; i < elements.size(); ++i) {
    columns.emplace_back(elements[i].name, elements[i].field_id.value_or(-1));
  }
  return columns;
}

std::string Row(int64_t id, const std::string& region, const std::string& amount,
                const std::string& amount_name = "amount") {
  return "id=" + std::to_string(id) + "|region=\"" + region + "\"|" + amount_name + "=" + amount;
}

TEST(ColumnMappingTest, NewTablesStorePhysicalNamesIdsAndKeys) {
  for (const std::string mode : {"name", "id"}) {
    SCOPED_TRACE(mode);
    TempDir dir;
    auto table = DeltaTable::Open(dir.path()).ValueOrDie();
    TableWriteOptions create;
    create.configuration["delta.columnMapping.mode"] = mode;
    create.partition_by = {"region"};
    Append(table.get(), Sales({{1, "eu", 10}, {2, "us", 20}, {3, "eu", 30}}), create);
    SnapshotPtr snapshot = Latest(dir.path());
    EXPECT_EQ(snapshot->protocol.min_reader_version, 2);
    EXPECT_EQ(snapshot->protocol.min_writer_version, 5);
    EXPECT_EQ(snapshot->metadata.configuration.at("delta.columnMapping.maxColumnId"), "3");
    ASSERT_EQ(snapshot->physical_columns.size(), 3u);
    std::map<std::string, int32_t> ids;
    for (const PhysicalColumn& column : snapshot->physical_columns) {
      EXPECT_EQ(column.physical_name.rfind("col-", 0), 0u) << column.physical_name;
      ids[column.physical_name] = column.field_id.value_or(-1);
    }
    const std::string& region = snapshot->physical_columns[1].physical_name;
    const std::string& amount = snapshot->physical_columns[2].physical_name;
    ASSERT_EQ(snapshot->files.size(), 2u);
    for (const auto& [key, add] : snapshot->files) {
      // Partition values and statistics under physical names; the files' columns too, with ids.
      EXPECT_EQ(add.partition_values.count(region), 1u);
      EXPECT_EQ(add.path.rfind(region + "=", 0), 0u) << add.path;
      const auto stats = nlohmann::json::parse(*add.stats);
      EXPECT_TRUE(stats["minValues"].contains(amount)) << *add.stats;
      EXPECT_FALSE(stats["minValues"].contains("amount")) << *add.stats;
      const auto columns = FileColumns(dir.path(), add);
      ASSERT_EQ(columns.size(), 2u);
      for (const auto& [name, id] : columns) EXPECT_EQ(ids.at(name), id) << name;
    }
    EXPECT_EQ(
        ReadRows(dir.path()),
        (std::vector<std::string>{Row(1, "eu", "10"), Row(2, "us", "20"), Row(3, "eu", "30")}));
  }
}

TEST(ColumnMappingTest, RenameAndDropAreMetadataOnlyAndDroppedValuesNeverReturn) {
  TempDir dir;
  auto table = DeltaTable::Open(dir.path()).ValueOrDie();
  TableWriteOptions create;
  create.configuration["delta.columnMapping.mode"] = "name";
  create.partition_by = {"region"};
  Append(table.get(), Sales({{1, "eu", 10}, {2, "us", 20}}), create);
  const size_t files = Latest(dir.path())->files.size();

  auto renamed = table->RenameColumn("amount", "amount_eur");
  ASSERT_TRUE(renamed.ok()) << renamed.status().ToString();
  ASSERT_TRUE(table->RenameColumn("region", "area").ok());  // a partition column
  SnapshotPtr snapshot = Latest(dir.path());
  EXPECT_EQ(snapshot->files.size(), files);  // nothing rewritten
  EXPECT_EQ(snapshot->metadata.partition_columns, std::vector<std::string>{"area"});
  EXPECT_EQ(ReadRows(dir.path()), (std::vector<std::string>{"id=1|area=\"eu\"|amount_eur=10",
                                                            "id=2|area=\"us\"|amount_eur=20"}));
  // Older versions keep their names.
  EXPECT_EQ(ReadRows(dir.path(), 0)[0], Row(1, "eu", "10"));

  ASSERT_TRUE(table->DropColumn("amount_eur").ok());
  EXPECT_EQ(ReadRows(dir.path()),
            (std::vector<std::string>{"id=1|area=\"eu\"", "id=2|area=\"us\""}));
  // A column added again under the dropped name starts empty: it gets a new physical name.
  columnar::Int64Builder ids(DataType::Int64());
  columnar::StringBuilder areas;
  columnar::Int64Builder amounts(DataType::Int64());
  ids.Append(3);
  areas.Append("eu");
  amounts.Append(99);
  auto schema = std::make_shared<const columnar::Schema>(std::vector<columnar::Field>{
      {"id", DataType::Int64()}, {"area", DataType::String()}, {"amount_eur", DataType::Int64()}});
  Append(table.get(),
         std::make_shared<const columnar::Batch>(
             schema,
             std::vector<columnar::ColumnPtr>{ids.Finish(), areas.Finish(), amounts.Finish()}, 1));
  EXPECT_EQ(ReadRows(dir.path()), (std::vector<std::string>{"id=1|area=\"eu\"|amount_eur=null",
                                                            "id=2|area=\"us\"|amount_eur=null",
                                                            "id=3|area=\"eu\"|amount_eur=99"}));
  snapshot = Latest(dir.path());
  EXPECT_EQ(snapshot->metadata.configuration.at("delta.columnMapping.maxColumnId"), "4");
  EXPECT_EQ(snapshot->physical_columns[2].field_id, 4);

  // What cannot be done says why.
  EXPECT_NE(table->DropColumn("area").status().message().find("partition column"),
            std::string::npos);
  EXPECT_NE(table->RenameColumn("id", "AREA").status().message().find("has a column 'area'"),
            std::string::npos);
  EXPECT_NE(table->RenameColumn("nope", "x").status().message().find("no column 'nope'"),
            std::string::npos);
}

TEST(ColumnMappingTest, PruningDeleteMergeAndDeletionVectorsGoThroughTheMapping) {
  for (const bool vectors : {false, true}) {
    SCOPED_TRACE(vectors ? "deletion vectors" : "copy-on-write");
    TempDir dir;
    auto table = DeltaTable::Open(dir.path()).ValueOrDie();
    TableWriteOptions create;
    create.configuration["delta.columnMapping.mode"] = "name";
    create.configuration["delta.enableChangeDataFeed"] = "true";
    if (vectors) create.configuration["delta.enableDeletionVectors"] = "true";
    Append(table.get(), Sales({{1, "eu", 10}, {2, "eu", 20}}), create);  // v0
    Append(table.get(), Sales({{3, "us", 30}, {4, "us", 40}}));          // v1
    Append(table.get(), Sales({{5, "us", 50}, {6, "eu", 60}}));          // v2
    ASSERT_TRUE(table->RenameColumn("amount", "total").ok());            // v3

    // Statistics under physical names still prune: one file of three may hold total >= 45.
    auto deleted = table->Delete("total >= 45 AND id = 5");  // v4
    ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
    EXPECT_EQ(deleted->rows_deleted, 1);
    EXPECT_EQ(deleted->files_read, 1);
    MergeOptions merge;
    merge.keys = {"id"};
    auto merged = table->Merge(SalesSchema("total"),
                               SourceOf({Sales({{3, "us", 33}, {7, "eu", 70}}, "total")}),
                               merge);  // v5
    ASSERT_TRUE(merged.ok()) << merged.status().ToString();
    EXPECT_EQ(merged->rows_updated, 1);
    EXPECT_EQ(merged->files_read, 1);  // only the file whose id range holds 3 or 7
    EXPECT_EQ(merged->deletion_vectors, vectors ? 1 : 0);
    EXPECT_EQ(ReadRows(dir.path()),
              (std::vector<std::string>{Row(1, "eu", "10", "total"), Row(2, "eu", "20", "total"),
                                        Row(3, "us", "33", "total"), Row(4, "us", "40", "total"),
                                        Row(6, "eu", "60", "total"), Row(7, "eu", "70", "total")}));
    // The change feed reads its files through the mapping too.
    auto feed =
        OpenChangeFeed(DeltaLog::Open(dir.path()).ValueOrDie(), 4, std::nullopt).ValueOrDie();
    std::vector<std::string> changes;
    while (columnar::BatchPtr batch = feed->Next().ValueOrDie()) {
      for (int64_t row = 0; row < batch->num_rows(); ++row) {
        std::string line;
        for (const size_t column : {0u, 2u, 3u}) {
          columnar::AppendValue(batch->column(column), row, columnar::ValueStyle::kCsv, &line);
          line += ' ';
        }
        changes.push_back(line);
      }
    }
    std::sort(changes.begin(), changes.end());
    EXPECT_EQ(changes, (std::vector<std::string>{"3 30 update_preimage ", "3 33 update_postimage ",
                                                 "5 50 delete ", "7 70 insert "}));
    ASSERT_TRUE(table->Optimize().ok());
    EXPECT_EQ(ReadRows(dir.path()).size(), 6u);
  }
}

TEST(ColumnMappingTest, TurningNameMappingOnKeepsExistingFilesAndLaterColumnsGetNewNames) {
  TempDir dir;
  auto table = DeltaTable::Open(dir.path()).ValueOrDie();
  Append(table.get(), Sales({{1, "eu", 10}}));
  auto refused = table->RenameColumn("amount", "total");
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("delta.columnMapping.mode=name"), std::string::npos);
  EXPECT_NE(table->SetProperties({{"delta.columnMapping.mode", "id"}}, {})
                .status()
                .message()
                .find("when a table is created"),
            std::string::npos);

  auto enabled = table->SetProperties({{"delta.columnMapping.mode", "name"}}, {});
  ASSERT_TRUE(enabled.ok()) << enabled.status().ToString();
  EXPECT_TRUE(enabled->protocol_upgraded);
  SnapshotPtr snapshot = Latest(dir.path());
  EXPECT_EQ(snapshot->physical_columns[2].physical_name, "amount");  // the files' own name
  ASSERT_TRUE(table->RenameColumn("amount", "total").ok());
  EXPECT_EQ(ReadRows(dir.path()), std::vector<std::string>{Row(1, "eu", "10", "total")});

  // Mapping stays on, and the id counter is the writer's.
  EXPECT_NE(table->SetProperties({{"delta.columnMapping.mode", "none"}}, {})
                .status()
                .message()
                .find("cannot become 'none'"),
            std::string::npos);
  EXPECT_FALSE(table->SetProperties({{"delta.columnMapping.maxColumnId", "9"}}, {}).ok());
  EXPECT_FALSE(table->SetProperties({}, {"delta.columnMapping.mode"}).ok());

  // Deletion vectors on top: writer 7 lists columnMapping, reader 3 lists it too.
  auto upgraded = table->SetProperties({{"delta.enableDeletionVectors", "true"}}, {});
  ASSERT_TRUE(upgraded.ok()) << upgraded.status().ToString();
  const std::vector<std::string> reader = *upgraded->protocol.reader_features;
  EXPECT_NE(std::find(reader.begin(), reader.end(), "columnMapping"), reader.end());
  ASSERT_TRUE(table->Delete("id = 1").ok());
  EXPECT_TRUE(ReadRows(dir.path()).empty());
}

TEST(ColumnMappingTest, SchemaEditsRefuseTablesWithoutMappingAndNestedColumnsAreNotWritten) {
  Metadata metadata;
  metadata.schema_string =
      R"({"type":"struct","fields":[{"name":"a","type":"long","nullable":true,"metadata":{}},)"
      R"({"name":"s","type":{"type":"struct","fields":[{"name":"x","type":"long",)"
      R"("nullable":true,"metadata":{}}]},"nullable":true,"metadata":{}}]})";
  EXPECT_FALSE(RenameColumn(&metadata, "a", "b").ok());
  EXPECT_EQ(NestedColumns(metadata.schema_string).ValueOrDie(), std::vector<std::string>{"s"});
  metadata.configuration["delta.columnMapping.mode"] = "name";
  ASSERT_TRUE(AssignColumnMapping(&metadata, /*keep_names=*/false).ok());
  // Nested struct fields get names and ids too; ids count up to maxColumnId.
  auto columns = PhysicalColumnsOf(metadata).ValueOrDie();
  ASSERT_EQ(columns.size(), 2u);
  EXPECT_NE(columns[1].nested_type.find("delta.columnMapping.physicalName"), std::string::npos);
  EXPECT_EQ(metadata.configuration.at("delta.columnMapping.maxColumnId"), "3");
  ASSERT_TRUE(RenameColumn(&metadata, "a", "b").ok());
  EXPECT_EQ(PhysicalColumnsOf(metadata).ValueOrDie()[0].name, "b");
  EXPECT_EQ(PhysicalColumnsOf(metadata).ValueOrDie()[0].physical_name, columns[0].physical_name);
  // Assigning again changes nothing.
  const std::string before = metadata.schema_string;
  ASSERT_TRUE(AssignColumnMapping(&metadata, false).ok());
  EXPECT_EQ(metadata.schema_string, before);
}

}  // namespace
}  // namespace sluice::lake

// The change data feed: what DELETE, MERGE, appends, overwrites and OPTIMIZE record, copy-on-write
// and with deletion vectors, partitioned and not, and reading it back between versions.
#include "sluice/lake/change_data_feed.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>

#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/value_formatter.h"
#include "sluice/lake/delta_table.h"
#include "sluice/lake/scratch_table.h"

namespace sluice::lake {
namespace {

using scratch::TempDir;

using columnar::DataType;

columnar::SchemaPtr Schema() {
  return std::make_shared<const columnar::Schema>(std::vector<columnar::Field>{
      {"id", DataType::Int64()}, {"region", DataType::String()}, {"qty", DataType::Int64()}});
}

BatchSource Rows(const std::vector<std::tuple<int64_t, std::string, int64_t>>& rows) {
  columnar::Int64Builder ids(DataType::Int64());
  columnar::StringBuilder regions;
  columnar::Int64Builder quantities(DataType::Int64());
  for (const auto& [id, region, qty] : rows) {
    ids.Append(id);
    regions.Append(region);
    quantities.Append(qty);
  }
  auto batch = std::make_shared<const columnar::Batch>(
      Schema(),
      std::vector<columnar::ColumnPtr>{ids.Finish(), regions.Finish(), quantities.Finish()},
      static_cast<int64_t>(rows.size()));
  auto done = std::make_shared<bool>(false);
  return [batch, done]() -> Result<columnar::BatchPtr> {
    if (*done) return columnar::BatchPtr();
    *done = true;
    return batch;
  };
}

// "version type id region qty" per change, sorted.
std::vector<std::string> Changes(const std::string& root, int64_t from,
                                 std::optional<int64_t> to = std::nullopt) {
  auto reader = OpenChangeFeed(DeltaLog::Open(root).ValueOrDie(), from, to).ValueOrDie();
  EXPECT_EQ(reader->schema()->num_fields(), 6u);
  std::vector<std::string> lines;
  while (true) {
    columnar::BatchPtr batch = reader->Next().ValueOrDie();
    if (batch == nullptr) break;
    for (int64_t row = 0; row < batch->num_rows(); ++row) {
      std::string line;
      for (const size_t column : {4u, 3u, 0u, 1u, 2u}) {
        if (!line.empty()) line += ' ';
        columnar::AppendValue(batch->column(column), row, columnar::ValueStyle::kCsv, &line);
      }
      lines.push_back(line);
    }
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

void Exercise(const std::string& root, const TableWriteOptions& create) {
  auto table = DeltaTable::Open(root).ValueOrDie();
  ASSERT_TRUE(table->Write(Schema(), Rows({{1, "eu", 10}, {2, "us", 20}, {3, "eu", 30}}), create)
                  .ok());                     // v0
  ASSERT_TRUE(table->Delete("id = 2").ok());  // v1
  MergeOptions merge;
  merge.keys = {"id"};
  ASSERT_TRUE(table->Merge(Schema(), Rows({{3, "eu", 33}, {4, "us", 40}}), merge).ok());  // v2
  ASSERT_TRUE(table->Write(Schema(), Rows({{5, "eu", 50}}), {}).ok());                    // v3
  ASSERT_TRUE(table->Optimize().ok());                                                    // v4
}

const std::vector<std::string> kExpected = {
    "0 insert 1 eu 10",          "0 insert 2 us 20", "0 insert 3 eu 30",
    "1 delete 2 us 20",          "2 insert 4 us 40", "2 update_postimage 3 eu 33",
    "2 update_preimage 3 eu 30", "3 insert 5 eu 50"};

TEST(ChangeDataFeedTest, RecordsDeletesUpdatesAndInsertsCopyOnWrite) {
  TempDir dir;
  TableWriteOptions create;
  create.configuration["delta.enableChangeDataFeed"] = "true";
  Exercise(dir.path(), create);
  EXPECT_EQ(Changes(dir.path(), 0), kExpected);
  // A range of versions; OPTIMIZE (version 4) changes nothing.
  EXPECT_EQ(Changes(dir.path(), 1, 2),
            (std::vector<std::string>{"1 delete 2 us 20", "2 insert 4 us 40",
                                      "2 update_postimage 3 eu 33", "2 update_preimage 3 eu 30"}));
  EXPECT_TRUE(Changes(dir.path(), 4).empty());
  EXPECT_TRUE(std::filesystem::is_directory(dir.path() + "/_change_data"));
  auto snapshot = DeltaLog::Open(dir.path()).ValueOrDie()->Load(0).ValueOrDie();
  EXPECT_EQ(snapshot->protocol.min_writer_version, 4);
}

TEST(ChangeDataFeedTest, RecordsTheSameWithDeletionVectorsAndPartitions) {
  TempDir dir;
  TableWriteOptions create;
  create.configuration["delta.enableChangeDataFeed"] = "true";
  create.configuration["delta.enableDeletionVectors"] = "true";
  create.partition_by = {"region"};
  Exercise(dir.path(), create);
  EXPECT_EQ(Changes(dir.path(), 0), kExpected);
  auto snapshot = DeltaLog::Open(dir.path()).ValueOrDie()->Load(0).ValueOrDie();
  EXPECT_EQ(
      snapshot->protocol.writer_features,
      (std::vector<std::string>{"appendOnly", "invariants", "deletionVectors", "changeDataFeed"}));
  EXPECT_TRUE(std::filesystem::is_directory(dir.path() + "/_change_data/region=eu"));
}

// Without change data files (the feed off, or a table another writer made), a version's adds
// are inserts and its removes deletes, whole files at a time.
TEST(ChangeDataFeedTest, DerivesChangesFromAddsAndRemovesWithoutChangeFiles) {
  TempDir dir;
  auto table = DeltaTable::Open(dir.path()).ValueOrDie();
  ASSERT_TRUE(table->Write(Schema(), Rows({{1, "eu", 10}, {2, "us", 20}}), {}).ok());
  TableWriteOptions overwrite;
  overwrite.mode = WriteMode::kOverwrite;
  ASSERT_TRUE(table->Write(Schema(), Rows({{7, "eu", 70}}), overwrite).ok());
  EXPECT_EQ(Changes(dir.path(), 0),
            (std::vector<std::string>{"0 insert 1 eu 10", "0 insert 2 us 20", "1 delete 1 eu 10",
                                      "1 delete 2 us 20", "1 insert 7 eu 70"}));
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/_change_data"));
  EXPECT_FALSE(OpenChangeFeed(DeltaLog::Open(dir.path()).ValueOrDie(), 5, std::nullopt).ok());
  // Turning the feed on later raises the protocol and takes effect from then on.
  PropertiesResult set =
      table->SetProperties({{"delta.enableChangeDataFeed", "true"}}, {}).ValueOrDie();
  EXPECT_TRUE(set.protocol_upgraded);
  ASSERT_TRUE(table->Delete("id = 7").ok());
  EXPECT_EQ(Changes(dir.path(), 3), (std::vector<std::string>{"3 delete 7 eu 70"}));
}

}  // namespace
}  // namespace sluice::lake

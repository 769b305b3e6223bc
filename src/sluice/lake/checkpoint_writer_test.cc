// Checkpoint files written by WriteCheckpoint, read back with ParquetReader (one JSON column per
// action kind) and checked field by field, plus the footer's schema against the layout Spark
// writes. The InteropFixture test also leaves a checkpoint and the values it must hold for
// tests/interop/duckdb_reads_checkpoint.sh (DuckDB as an independent reader).
#include "sluice/lake/checkpoint_writer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sluice/formats/parquet/parquet_reader.h"
#include "sluice/io/random_access_file.h"

namespace sluice::lake {
namespace {

using nlohmann::json;

CheckpointContents MakeContents() {
  CheckpointContents contents;
  contents.protocol.min_reader_version = 1;
  contents.protocol.min_writer_version = 2;

  Metadata& metadata = contents.metadata;
  metadata.id = "0f3b5a6e-1c2d-4e5f-8a9b-0c1d2e3f4a5b";
  metadata.name = "orders";
  metadata.format.provider = "parquet";
  metadata.schema_string =
      R"({"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}},)"
      R"({"name":"date","type":"string","nullable":true,"metadata":{}},)"
      R"({"name":"region","type":"string","nullable":true,"metadata":{}}]})";
  metadata.partition_columns = {"date", "region"};
  metadata.configuration = {{"delta.appendOnly", "false"}, {"delta.checkpointInterval", "10"}};
  metadata.created_time = 1700000000123;

  Txn streaming;
  streaming.app_id = "streaming-job";
  streaming.version = 42;
  streaming.last_updated = 1700000100000;
  Txn batch;
  batch.app_id = "batch-job";
  batch.version = 7;
  contents.txns = {streaming, batch};

  AddFile eu;
  eu.path = "date=2024-01-01/region=eu%20west/part-00000-a.snappy.parquet";
  eu.partition_values = {{"date", "2024-01-01"}, {"region", "eu west"}};
  eu.size = 1234;
  eu.modification_time = 1700000200000;
  eu.data_change = true;
  eu.stats = R"({"numRecords":3,"minValues":{"id":1},"maxValues":{"id":3},"nullCount":{"id":0}})";
  eu.tags = std::map<std::string, std::string>{{"INSERTION_TIME", "1700000200000000"},
                                               {"OPTIMIZE_TARGET_SIZE", "268435456"}};
  AddFile null_region;
  null_region.path =
      "date=2024-01-02/region=__HIVE_DEFAULT_PARTITION__/part-00001-b.snappy.parquet";
  null_region.partition_values = {{"date", "2024-01-02"}, {"region", std::nullopt}};
  null_region.size = 987654321012;
  null_region.modification_time = 1700000300000;
  null_region.data_change = false;
  AddFile unpartitioned;  // no partition values at all, a deletion vector
  unpartitioned.path = "part-00002-c.snappy.parquet";
  unpartitioned.size = 1;
  unpartitioned.modification_time = 0;
  unpartitioned.stats = R"({"numRecords":0})";
  unpartitioned.tags = std::map<std::string, std::string>{};
  DeletionVector vector;
  vector.storage_type = "u";
  vector.path_or_inline_dv = "ab^-aqEH.-t@S}K{vb[*k^";
  vector.offset = 4;
  vector.size_in_bytes = 40;
  vector.cardinality = 6;
  unpartitioned.deletion_vector = vector;
  contents.adds = {eu, null_region, unpartitioned};

  RemoveFile full;
  full.path = "date=2023-12-31/region=us/part-00009-z.snappy.parquet";
  full.deletion_timestamp = 1700000400000;
  full.data_change = true;
  full.extended_file_metadata = true;
  full.partition_values = StringMap{{"date", "2023-12-31"}, {"region", "us"}};
  full.size = 555;
  RemoveFile minimal;
  minimal.path = "part-00010-y.snappy.parquet";
  minimal.data_change = false;
  contents.removes = {full, minimal};
  return contents;
}

struct CheckpointRows {
  columnar::SchemaPtr schema;
  // Per row: the one non-null column's name and its JSON.
  std::vector<std::pair<std::string, json>> rows;
  parquet::FileMetaData metadata;
};

Result<CheckpointRows> ReadCheckpoint(const std::string& file) {
  SLUICE_ASSIGN_OR_RETURN(auto reader,
                          parquet::ParquetReader::Open(std::shared_ptr<io::RandomAccessFile>(
                              io::MakeMemoryRandomAccessFile(file, "checkpoint.parquet"))));
  CheckpointRows result;
  result.schema = reader->schema();
  result.metadata = reader->metadata();
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(columnar::BatchPtr batch, reader->Next());
    if (!batch) break;
    for (int64_t row = 0; row < batch->num_rows(); ++row) {
      std::string kind;
      json value;
      for (size_t c = 0; c < batch->num_columns(); ++c) {
        if (batch->column(c).IsNull(row)) continue;
        if (!kind.empty()) return Status::DataError("row with two actions");
        kind = result.schema->field(c).name;
        const auto& column = static_cast<const columnar::StringColumn&>(batch->column(c));
        value = json::parse(column.Value(row));
      }
      result.rows.emplace_back(kind, value);
    }
  }
  return result;
}

std::string Write(const CheckpointContents& contents, int64_t* bytes = nullptr) {
  std::string file;
  auto written = WriteCheckpoint(contents, io::MakeStringOutputStream(&file, "checkpoint.parquet"));
  EXPECT_TRUE(written.ok()) << written.status().ToString();
  if (written.ok() && bytes != nullptr) *bytes = *written;
  return file;
}

TEST(CheckpointWriterTest, EveryActionSurvivesFieldByField) {
  const CheckpointContents contents = MakeContents();
  int64_t bytes = 0;
  const std::string file = Write(contents, &bytes);
  EXPECT_EQ(bytes, static_cast<int64_t>(file.size()));
  auto read = ReadCheckpoint(file);
  ASSERT_TRUE(read.ok()) << read.status().ToString();

  // Columns in Spark's order, each a nested (JSON) column.
  ASSERT_EQ(read->schema->num_fields(), 5u);
  const char* names[] = {"txn", "add", "remove", "metaData", "protocol"};
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(read->schema->field(i).name, names[i]);
    EXPECT_EQ(read->schema->field(i).type, columnar::DataType::Json());
  }

  const auto& rows = read->rows;
  ASSERT_EQ(rows.size(), 9u);
  // Row 0: protocol. Features are null below reader 3 / writer 7.
  EXPECT_EQ(rows[0].first, "protocol");
  EXPECT_EQ(rows[0].second, json::parse(R"({"minReaderVersion":1,"minWriterVersion":2,
                                            "readerFeatures":null,"writerFeatures":null})"));

  // Row 1: metaData.
  EXPECT_EQ(rows[1].first, "metaData");
  const json& metadata = rows[1].second;
  EXPECT_EQ(metadata["id"], contents.metadata.id);
  EXPECT_EQ(metadata["name"], "orders");
  EXPECT_TRUE(metadata["description"].is_null());
  EXPECT_EQ(metadata["format"], json::parse(R"({"provider":"parquet","options":{}})"));
  EXPECT_EQ(metadata["schemaString"], contents.metadata.schema_string);
  EXPECT_EQ(metadata["partitionColumns"], json::parse(R"(["date","region"])"));
  EXPECT_EQ(metadata["configuration"],
            json::parse(R"({"delta.appendOnly":"false","delta.checkpointInterval":"10"})"));
  EXPECT_EQ(metadata["createdTime"], 1700000000123);
  EXPECT_EQ(metadata.size(), 8u);

  // Rows 2-3: txns; lastUpdated null when unknown.
  EXPECT_EQ(rows[2].first, "txn");
  EXPECT_EQ(rows[2].second, json::parse(R"({"appId":"streaming-job","version":42,
                                            "lastUpdated":1700000100000})"));
  EXPECT_EQ(rows[3].first, "txn");
  EXPECT_EQ(rows[3].second, json::parse(R"({"appId":"batch-job","version":7,"lastUpdated":null})"));

  // Rows 4-6: adds.
  for (int row = 4; row <= 6; ++row) EXPECT_EQ(rows[static_cast<size_t>(row)].first, "add");
  const json& eu = rows[4].second;
  EXPECT_EQ(eu["path"], contents.adds[0].path);
  EXPECT_EQ(eu["partitionValues"], json::parse(R"({"date":"2024-01-01","region":"eu west"})"));
  EXPECT_EQ(eu["size"], 1234);
  EXPECT_EQ(eu["modificationTime"], 1700000200000);
  EXPECT_EQ(eu["dataChange"], true);
  EXPECT_EQ(eu["tags"], json::parse(R"({"INSERTION_TIME":"1700000200000000",
                                        "OPTIMIZE_TARGET_SIZE":"268435456"})"));
  EXPECT_TRUE(eu["deletionVector"].is_null());
  EXPECT_EQ(eu["stats"], *contents.adds[0].stats);
  EXPECT_EQ(eu.size(), 8u);
  const json& null_region = rows[5].second;
  EXPECT_EQ(null_region["partitionValues"], json::parse(R"({"date":"2024-01-02","region":null})"));
  EXPECT_EQ(null_region["size"], 987654321012);
  EXPECT_EQ(null_region["dataChange"], false);
  EXPECT_TRUE(null_region["tags"].is_null());
  EXPECT_TRUE(null_region["stats"].is_null());
  const json& unpartitioned = rows[6].second;
  EXPECT_EQ(unpartitioned["partitionValues"], json::object());
  EXPECT_EQ(unpartitioned["tags"], json::object());
  EXPECT_EQ(unpartitioned["modificationTime"], 0);
  EXPECT_EQ(unpartitioned["deletionVector"],
            json::parse(R"({"storageType":"u","pathOrInlineDv":"ab^-aqEH.-t@S}K{vb[*k^",
                             "offset":4,"sizeInBytes":40,"cardinality":6})"));
  EXPECT_EQ(unpartitioned["stats"], R"({"numRecords":0})");

  // Rows 7-8: removes (no stats, no tags).
  EXPECT_EQ(rows[7].first, "remove");
  EXPECT_EQ(rows[7].second,
            json::parse(R"({"path":"date=2023-12-31/region=us/part-00009-z.snappy.parquet",
      "deletionTimestamp":1700000400000,"dataChange":true,"extendedFileMetadata":true,
      "partitionValues":{"date":"2023-12-31","region":"us"},"size":555,"deletionVector":null})"));
  EXPECT_EQ(rows[8].first, "remove");
  EXPECT_EQ(rows[8].second, json::parse(R"({"path":"part-00010-y.snappy.parquet",
      "deletionTimestamp":null,"dataChange":false,"extendedFileMetadata":null,
      "partitionValues":null,"size":null,"deletionVector":null})"));
}

// The footer's schema tree, leaf paths and physical types: the layout Spark's checkpoints use
// (compare ../shared/corpus/delta/*/_delta_log/*.checkpoint.parquet).
TEST(CheckpointWriterTest, FooterMatchesSparkLayout) {
  const std::string file = Write(MakeContents());
  auto read = ReadCheckpoint(file);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  const parquet::FileMetaData& metadata = read->metadata;
  EXPECT_EQ(metadata.num_rows, 9);
  ASSERT_EQ(metadata.row_groups.size(), 1u);
  EXPECT_EQ(metadata.row_groups[0].num_rows, 9);
  std::vector<std::string> leaves;
  for (const parquet::ColumnChunk& chunk : metadata.row_groups[0].columns) {
    std::string path;
    for (const std::string& part : chunk.meta_data->path_in_schema) {
      path += (path.empty() ? "" : ".") + part;
    }
    leaves.push_back(path + ":" + std::to_string(static_cast<int>(chunk.meta_data->type)));
    EXPECT_EQ(chunk.meta_data->codec, parquet::CompressionCodec::kSnappy) << path;
  }
  // Physical types: 1 INT32, 2 INT64, 0 BOOLEAN, 6 BYTE_ARRAY.
  EXPECT_EQ(leaves, (std::vector<std::string>{
                        "txn.appId:6",
                        "txn.version:2",
                        "txn.lastUpdated:2",
                        "add.path:6",
                        "add.partitionValues.key_value.key:6",
                        "add.partitionValues.key_value.value:6",
                        "add.size:2",
                        "add.modificationTime:2",
                        "add.dataChange:0",
                        "add.tags.key_value.key:6",
                        "add.tags.key_value.value:6",
                        "add.deletionVector.storageType:6",
                        "add.deletionVector.pathOrInlineDv:6",
                        "add.deletionVector.offset:1",
                        "add.deletionVector.sizeInBytes:1",
                        "add.deletionVector.cardinality:2",
                        "add.stats:6",
                        "remove.path:6",
                        "remove.deletionTimestamp:2",
                        "remove.dataChange:0",
                        "remove.extendedFileMetadata:0",
                        "remove.partitionValues.key_value.key:6",
                        "remove.partitionValues.key_value.value:6",
                        "remove.size:2",
                        "remove.deletionVector.storageType:6",
                        "remove.deletionVector.pathOrInlineDv:6",
                        "remove.deletionVector.offset:1",
                        "remove.deletionVector.sizeInBytes:1",
                        "remove.deletionVector.cardinality:2",
                        "metaData.id:6",
                        "metaData.name:6",
                        "metaData.description:6",
                        "metaData.format.provider:6",
                        "metaData.format.options.key_value.key:6",
                        "metaData.format.options.key_value.value:6",
                        "metaData.schemaString:6",
                        "metaData.partitionColumns.list.element:6",
                        "metaData.configuration.key_value.key:6",
                        "metaData.configuration.key_value.value:6",
                        "metaData.createdTime:2",
                        "protocol.minReaderVersion:1",
                        "protocol.minWriterVersion:1",
                        "protocol.readerFeatures.list.element:6",
                        "protocol.writerFeatures.list.element:6",
                    }));
  // Every field optional; map keys required; lists and maps annotated like Spark's.
  for (const parquet::SchemaElement& element : metadata.schema) {
    if (&element == &metadata.schema[0]) continue;
    if (element.name == "key") {
      EXPECT_EQ(element.repetition, parquet::Repetition::kRequired);
    } else if (element.name == "key_value" || element.name == "list") {
      EXPECT_EQ(element.repetition, parquet::Repetition::kRepeated);
    } else {
      EXPECT_EQ(element.repetition, parquet::Repetition::kOptional) << element.name;
    }
    if (element.name == "partitionValues" || element.name == "tags" || element.name == "options" ||
        element.name == "configuration") {
      EXPECT_EQ(element.converted, parquet::ConvertedType::kMap) << element.name;
    }
    if (element.name == "partitionColumns" || element.name == "readerFeatures" ||
        element.name == "writerFeatures") {
      EXPECT_EQ(element.converted, parquet::ConvertedType::kList) << element.name;
    }
    if (element.type == parquet::Type::kByteArray) {
      EXPECT_EQ(element.converted, parquet::ConvertedType::kUTF8) << element.name;
    }
  }
  EXPECT_EQ(metadata.schema, CheckpointParquetSchema());
  // Null counts follow parquet-mr: slots without a value (7 rows are not adds; the add map key
  // column also misses for the null tags and the empty map).
  const auto& columns = metadata.row_groups[0].columns;
  EXPECT_EQ(columns[3].meta_data->statistics->null_count, 6);  // add.path
  EXPECT_EQ(columns[9].meta_data->statistics->null_count, 8);  // add.tags.key_value.key
  // add.partitionValues.value: 6 other rows, the empty map, the null partition value.
  EXPECT_EQ(columns[5].meta_data->statistics->null_count, 8);
}

TEST(CheckpointWriterTest, ReaderAndWriterFeatures) {
  CheckpointContents contents = MakeContents();
  contents.protocol.min_reader_version = 3;
  contents.protocol.min_writer_version = 7;
  contents.protocol.reader_features = std::vector<std::string>{"deletionVectors"};
  contents.protocol.writer_features =
      std::vector<std::string>{"deletionVectors", "appendOnly", "invariants"};
  contents.metadata.partition_columns.clear();
  contents.metadata.configuration.clear();
  contents.metadata.created_time.reset();
  contents.metadata.format.options = {{"compression", "snappy"}};
  contents.txns.clear();
  contents.removes.clear();
  auto read = ReadCheckpoint(Write(contents));
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->rows.size(), 5u);
  EXPECT_EQ(read->rows[0].second, json::parse(R"({"minReaderVersion":3,"minWriterVersion":7,
                            "readerFeatures":["deletionVectors"],
                            "writerFeatures":["deletionVectors","appendOnly","invariants"]})"));
  const json& metadata = read->rows[1].second;
  EXPECT_EQ(metadata["partitionColumns"], json::array());
  EXPECT_EQ(metadata["configuration"], json::object());
  EXPECT_TRUE(metadata["createdTime"].is_null());
  EXPECT_EQ(metadata["format"]["options"], json::parse(R"({"compression":"snappy"})"));
  EXPECT_EQ(read->rows[2].first, "add");
}

// More rows than one shredding slice (16384) and empty feature lists.
TEST(CheckpointWriterTest, ManyAdds) {
  CheckpointContents contents = MakeContents();
  contents.protocol.reader_features = std::vector<std::string>{};
  contents.adds.clear();
  constexpr int kAdds = 40000;
  for (int i = 0; i < kAdds; ++i) {
    AddFile add;
    add.path = "date=2024-01-" + std::to_string(i % 28 + 1) + "/part-" + std::to_string(i) +
               ".snappy.parquet";
    add.partition_values = {{"date", "2024-01-" + std::to_string(i % 28 + 1)},
                            {"region", i % 3 == 0 ? std::optional<std::string>() : "eu"}};
    add.size = i;
    add.modification_time = 1700000000000 + i;
    add.data_change = i % 2 == 0;
    if (i % 5 == 0) add.stats = R"({"numRecords":)" + std::to_string(i) + "}";
    contents.adds.push_back(std::move(add));
  }
  auto read = ReadCheckpoint(Write(contents));
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  const auto& rows = read->rows;
  ASSERT_EQ(rows.size(), 2u + 2u + kAdds + 2u);
  EXPECT_EQ(rows[0].second["readerFeatures"], json::array());
  for (int i = 0; i < kAdds; ++i) {
    const auto& [kind, add] = rows[static_cast<size_t>(4 + i)];
    ASSERT_EQ(kind, "add") << i;
    ASSERT_EQ(add["path"], contents.adds[static_cast<size_t>(i)].path) << i;
    ASSERT_EQ(add["size"], i);
    ASSERT_EQ(add["dataChange"], i % 2 == 0);
    ASSERT_EQ(add["partitionValues"]["region"].is_null(), i % 3 == 0) << i;
    ASSERT_EQ(add["stats"].is_null(), i % 5 != 0) << i;
  }
  EXPECT_EQ(rows.back().first, "remove");
}

TEST(CheckpointWriterTest, ReportsOutputErrors) {
  class FailingStream final : public io::OutputStream {
   public:
    Status Write(const void*, size_t) override { return Status::IOError("disk full"); }
    int64_t position() const override { return 0; }
    Status Close() override { return Status::OK(); }
    const std::string& path() const override { return path_; }

   private:
    std::string path_ = "failing";
  };
  auto written = WriteCheckpoint(MakeContents(), std::make_unique<FailingStream>());
  EXPECT_EQ(written.status().code(), StatusCode::kIOError);
}

// Writes a checkpoint and what DuckDB must read from it into $SLUICE_CHECKPOINT_FIXTURE_DIR (a
// temporary folder when unset) for tests/interop/duckdb_reads_checkpoint.sh, and checks the file
// reads back here too.
TEST(CheckpointWriterTest, InteropFixture) {
  namespace fs = std::filesystem;
  const char* dir_env = std::getenv("SLUICE_CHECKPOINT_FIXTURE_DIR");
  const fs::path dir =
      dir_env != nullptr && *dir_env != '\0'
          ? fs::path(dir_env)
          : fs::temp_directory_path() / ("checkpoint_fixture_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const CheckpointContents contents = MakeContents();
  const std::string checkpoint = (dir / "00000000000000000007.checkpoint.parquet").string();
  {
    auto out = io::OpenOutputFile(checkpoint);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    auto written = WriteCheckpoint(contents, std::move(out).ValueOrDie());
    ASSERT_TRUE(written.ok()) << written.status().ToString();
    EXPECT_EQ(static_cast<uintmax_t>(*written), fs::file_size(checkpoint));
  }
  json expected;
  expected["rows"] = 2 + contents.txns.size() + contents.adds.size() + contents.removes.size();
  expected["protocol"] = {{"minReaderVersion", contents.protocol.min_reader_version},
                          {"minWriterVersion", contents.protocol.min_writer_version}};
  expected["metaData"] = {{"id", contents.metadata.id},
                          {"partitionColumns", contents.metadata.partition_columns},
                          {"configuration", contents.metadata.configuration}};
  expected["adds"] = json::array();
  for (const AddFile& add : contents.adds) {
    json values = json::object();
    for (const auto& [key, value] : add.partition_values) {
      values[key] = value ? json(*value) : json(nullptr);
    }
    expected["adds"].push_back(
        {{"path", add.path}, {"size", add.size}, {"partitionValues", values}});
  }
  expected["removes"] = json::array();
  for (const RemoveFile& remove : contents.removes) expected["removes"].push_back(remove.path);
  std::ofstream(dir / "expected.json") << expected.dump(2) << "\n";

  auto file = io::OpenRandomAccessFile(checkpoint);
  ASSERT_TRUE(file.ok());
  auto reader = parquet::ParquetReader::Open(
      std::shared_ptr<io::RandomAccessFile>(std::move(file).ValueOrDie()));
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->metadata().num_rows, expected["rows"].get<int64_t>());
  if (dir_env == nullptr || *dir_env == '\0') fs::remove_all(dir);
}

}  // namespace
}  // namespace sluice::lake

// Nested writing: NestedSchemaBuilder + ShreddedColumn → ParquetWriter::OpenNested/WriteShredded
// → ParquetReader, checked row by row against the JSON the reader assembles, plus the footer's
// levels-related fields and the writer's validation of what it is given.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/value_formatter.h"
#include "sluice/formats/parquet/nested_schema_builder.h"
#include "sluice/formats/parquet/parquet_encoding.h"
#include "sluice/formats/parquet/parquet_reader.h"
#include "sluice/formats/parquet/parquet_writer.h"
#include "sluice/formats/parquet/shredded_column.h"

namespace sluice::parquet {
namespace {

using columnar::DataType;

// Every row of a file as "cell|cell|" text (NULL for a null cell, JSON otherwise).
struct ReadBack {
  columnar::SchemaPtr schema;
  std::vector<std::string> rows;
  FileMetaData metadata;
};

Result<ReadBack> ReadAll(const std::string& file) {
  SLUICE_ASSIGN_OR_RETURN(auto reader,
                          ParquetReader::Open(std::shared_ptr<io::RandomAccessFile>(
                              io::MakeMemoryRandomAccessFile(file, "nested.parquet"))));
  ReadBack result;
  result.schema = reader->schema();
  result.metadata = reader->metadata();
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(auto batch, reader->Next());
    if (!batch) break;
    for (int64_t r = 0; r < batch->num_rows(); ++r) {
      std::string row;
      for (size_t c = 0; c < batch->num_columns(); ++c) {
        if (batch->column(c).IsNull(r)) {
          row += "NULL";
        } else {
          columnar::AppendValue(batch->column(c), r, columnar::ValueStyle::kJson, &row);
        }
        row += "|";
      }
      result.rows.push_back(std::move(row));
    }
  }
  return result;
}

// The leaves of `elements` as builders, in column order.
std::vector<ShreddedColumnBuilder> LeafBuilders(const std::vector<SchemaElement>& elements) {
  auto schema = ParquetSchema::Make(elements, "test");
  EXPECT_TRUE(schema.ok()) << schema.status().ToString();
  std::vector<ShreddedColumnBuilder> builders;
  for (const SchemaNode* leaf : (*schema)->leaves()) builders.emplace_back(*leaf);
  return builders;
}

std::vector<ShreddedColumn> FinishAll(std::vector<ShreddedColumnBuilder>& builders) {
  std::vector<ShreddedColumn> columns;
  for (ShreddedColumnBuilder& builder : builders) {
    auto column = builder.Finish();
    EXPECT_TRUE(column.ok()) << column.status().ToString();
    columns.push_back(std::move(column).ValueOrDie());
  }
  return columns;
}

std::vector<SchemaElement> Elements(const NestedSchemaBuilder& builder) {
  auto elements = builder.Finish();
  EXPECT_TRUE(elements.ok()) << elements.status().ToString();
  return std::move(elements).ValueOrDie();
}

// Writes `batches` (each a full set of shredded leaves) into one file.
std::string WriteNested(const std::vector<SchemaElement>& elements,
                        const std::vector<std::vector<ShreddedColumn>>& batches,
                        ParquetWriteOptions options = {}) {
  std::string file;
  auto writer = ParquetWriter::OpenNested(io::MakeStringOutputStream(&file, "nested.parquet"),
                                          elements, options);
  EXPECT_TRUE(writer.ok()) << writer.status().ToString();
  if (!writer.ok()) return file;
  for (const auto& batch : batches) {
    const Status status = (*writer)->WriteShredded(batch);
    EXPECT_TRUE(status.ok()) << status.ToString();
  }
  auto summary = (*writer)->Close();
  EXPECT_TRUE(summary.ok()) << summary.status().ToString();
  return file;
}

const ColumnMetaData& Chunk(const FileMetaData& metadata, size_t group, size_t leaf) {
  return *metadata.row_groups[group].columns[leaf].meta_data;
}

// --- schema builder ------------------------------------------------------------------------------

TEST(NestedSchemaBuilderTest, StandardListAndMapLayouts) {
  NestedSchemaBuilder builder("root");
  builder.Map("m", DataType::String(), DataType::Int64()).List("l", DataType::String());
  const std::vector<SchemaElement> elements = Elements(builder);
  ASSERT_EQ(elements.size(), 8u);
  EXPECT_EQ(elements[0].name, "root");
  EXPECT_EQ(elements[0].num_children, 2);
  EXPECT_FALSE(elements[0].repetition.has_value());
  // m (MAP) → key_value (repeated) → key (required), value (optional)
  EXPECT_EQ(elements[1].name, "m");
  EXPECT_EQ(elements[1].converted, ConvertedType::kMap);
  EXPECT_EQ(elements[1].logical->kind, LogicalType::Kind::kMap);
  EXPECT_EQ(elements[1].num_children, 1);
  EXPECT_EQ(elements[2].name, "key_value");
  EXPECT_EQ(elements[2].repetition, Repetition::kRepeated);
  EXPECT_FALSE(elements[2].converted.has_value());
  EXPECT_EQ(elements[2].num_children, 2);
  EXPECT_EQ(elements[3].name, "key");
  EXPECT_EQ(elements[3].repetition, Repetition::kRequired);
  EXPECT_EQ(elements[3].converted, ConvertedType::kUTF8);
  EXPECT_EQ(elements[4].name, "value");
  EXPECT_EQ(elements[4].repetition, Repetition::kOptional);
  EXPECT_EQ(elements[4].type, Type::kInt64);
  // l (LIST) → list (repeated) → element (optional)
  EXPECT_EQ(elements[5].name, "l");
  EXPECT_EQ(elements[5].converted, ConvertedType::kList);
  EXPECT_EQ(elements[5].logical->kind, LogicalType::Kind::kList);
  EXPECT_EQ(elements[6].name, "list");
  EXPECT_EQ(elements[6].repetition, Repetition::kRepeated);
  EXPECT_EQ(elements[6].num_children, 1);
  EXPECT_EQ(elements[7].name, "element");
  EXPECT_EQ(elements[7].repetition, Repetition::kOptional);
}

TEST(NestedSchemaBuilderTest, ReportsMisuse) {
  {
    NestedSchemaBuilder builder;
    builder.End();
    EXPECT_EQ(builder.Finish().status().code(), StatusCode::kInvalidArgument);
  }
  {
    NestedSchemaBuilder builder;
    builder.BeginStruct("s").Leaf("a", DataType::Int32());
    EXPECT_EQ(builder.Finish().status().code(), StatusCode::kInvalidArgument);  // still open
  }
  {
    NestedSchemaBuilder builder;
    builder.BeginList("l")
        .Leaf("element", DataType::Int32())
        .Leaf("second", DataType::Int32())
        .End();
    EXPECT_EQ(builder.Finish().status().code(), StatusCode::kInvalidArgument);
  }
  {
    NestedSchemaBuilder builder;
    builder.BeginMap("m").Leaf("key", DataType::String(), Repetition::kOptional).End();
    EXPECT_EQ(builder.Finish().status().code(), StatusCode::kInvalidArgument);
  }
  {
    NestedSchemaBuilder builder;
    builder.BeginStruct("empty").End();
    EXPECT_EQ(builder.Finish().status().code(), StatusCode::kInvalidArgument);
  }
  {
    NestedSchemaBuilder builder;
    EXPECT_EQ(builder.Finish().status().code(), StatusCode::kInvalidArgument);  // no columns
  }
}

// --- round trips -------------------------------------------------------------------------------

TEST(ParquetNestedWriteTest, RequiredStruct) {
  NestedSchemaBuilder builder;
  builder.BeginStruct("s", Repetition::kRequired)
      .Leaf("id", DataType::Int64(), Repetition::kRequired)
      .Leaf("name", DataType::String())
      .Leaf("flag", DataType::Bool())
      .End();
  const auto elements = Elements(builder);
  auto leaves = LeafBuilders(elements);
  ASSERT_EQ(leaves.size(), 3u);
  EXPECT_EQ(leaves[0].max_definition(), 0);
  EXPECT_EQ(leaves[1].max_definition(), 1);
  // {id:1,name:"a",flag:true}, {id:2,name:null,flag:false}, {id:3,name:"",flag:null}
  leaves[0].AppendInt64(0, 1);
  leaves[1].AppendString(0, "a");
  leaves[2].AppendBool(0, true);
  leaves[0].AppendInt64(0, 2);
  leaves[1].AppendMissing(0, 0);
  leaves[2].AppendBool(0, false);
  leaves[0].AppendInt64(0, 3);
  leaves[1].AppendString(0, "");
  leaves[2].AppendMissing(0, 0);
  const std::string file = WriteNested(elements, {FinishAll(leaves)});
  auto read = ReadAll(file);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->schema->num_fields(), 1u);
  EXPECT_EQ(read->schema->field(0).type, DataType::Json());
  EXPECT_EQ(read->rows, (std::vector<std::string>{R"({"id":1,"name":"a","flag":true}|)",
                                                  R"({"id":2,"name":null,"flag":false}|)",
                                                  R"({"id":3,"name":"","flag":null}|)"}));
  ASSERT_EQ(read->metadata.row_groups.size(), 1u);
  EXPECT_EQ(read->metadata.row_groups[0].num_rows, 3);
  EXPECT_EQ(Chunk(read->metadata, 0, 1).path_in_schema, (std::vector<std::string>{"s", "name"}));
  EXPECT_EQ(Chunk(read->metadata, 0, 1).statistics->null_count, 1);
  EXPECT_EQ(Chunk(read->metadata, 0, 0).statistics->null_count, 0);
}

TEST(ParquetNestedWriteTest, OptionalStructWithOptionalFields) {
  // s: optional struct<a: optional int32, b: optional struct<c: optional string, d: optional
  // double>>
  NestedSchemaBuilder builder;
  builder.BeginStruct("s")
      .Leaf("a", DataType::Int32())
      .BeginStruct("b")
      .Leaf("c", DataType::String())
      .Leaf("d", DataType::Float64())
      .End()
      .End();
  const auto elements = Elements(builder);
  auto leaves = LeafBuilders(elements);
  ASSERT_EQ(leaves.size(), 3u);
  ShreddedColumnBuilder& a = leaves[0];
  ShreddedColumnBuilder& c = leaves[1];
  ShreddedColumnBuilder& d = leaves[2];
  EXPECT_EQ(a.max_definition(), 2);
  EXPECT_EQ(c.max_definition(), 3);
  // null
  a.AppendMissing(0, 0);
  c.AppendMissing(0, 0);
  d.AppendMissing(0, 0);
  // {a:null, b:null}
  a.AppendMissing(0, 1);
  c.AppendMissing(0, 1);
  d.AppendMissing(0, 1);
  // {a:1, b:{c:null, d:2.5}}
  a.AppendInt32(0, 1);
  c.AppendMissing(0, 2);
  d.AppendDouble(0, 2.5);
  // {a:-2, b:{c:"x", d:null}}
  a.AppendInt32(0, -2);
  c.AppendString(0, "x");
  d.AppendMissing(0, 2);
  const std::string file = WriteNested(elements, {FinishAll(leaves)});
  auto read = ReadAll(file);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->rows, (std::vector<std::string>{"NULL|", R"({"a":null,"b":null}|)",
                                                  R"({"a":1,"b":{"c":null,"d":2.5}}|)",
                                                  R"({"a":-2,"b":{"c":"x","d":null}}|)"}));
  const ColumnMetaData& c_chunk = Chunk(read->metadata, 0, 1);
  EXPECT_EQ(c_chunk.path_in_schema, (std::vector<std::string>{"s", "b", "c"}));
  EXPECT_EQ(c_chunk.num_values, 4);
  EXPECT_EQ(c_chunk.statistics->null_count, 3);
  EXPECT_EQ(c_chunk.statistics->min_value, "x");
  const ColumnMetaData& a_chunk = Chunk(read->metadata, 0, 0);
  EXPECT_EQ(a_chunk.statistics->null_count, 2);
  int32_t min = 0;
  ASSERT_EQ(a_chunk.statistics->min_value->size(), 4u);
  std::memcpy(&min, a_chunk.statistics->min_value->data(), 4);
  EXPECT_EQ(min, -2);
}

// map<string,string> with optional values: entries, a null value, a null map and an empty map.
void AppendMap(ShreddedColumnBuilder& key, ShreddedColumnBuilder& value,
               const std::vector<std::pair<std::string, std::optional<std::string>>>* entries) {
  const int16_t null_map = static_cast<int16_t>(key.max_definition() - 2);
  if (entries == nullptr || entries->empty()) {
    const int16_t level = entries == nullptr ? null_map : static_cast<int16_t>(null_map + 1);
    key.AppendMissing(0, level);
    value.AppendMissing(0, level);
    return;
  }
  int16_t repetition = 0;
  for (const auto& [k, v] : *entries) {
    key.AppendString(repetition, k);
    if (v) {
      value.AppendString(repetition, *v);
    } else {
      value.AppendMissing(repetition, static_cast<int16_t>(value.max_definition() - 1));
    }
    repetition = 1;
  }
}

TEST(ParquetNestedWriteTest, OptionalMapOfStrings) {
  NestedSchemaBuilder builder;
  builder.Map("m", DataType::String(), DataType::String());
  const auto elements = Elements(builder);
  auto leaves = LeafBuilders(elements);
  ASSERT_EQ(leaves.size(), 2u);
  EXPECT_EQ(leaves[0].max_definition(), 2);
  EXPECT_EQ(leaves[1].max_definition(), 3);
  EXPECT_EQ(leaves[0].max_repetition(), 1);
  using Entries = std::vector<std::pair<std::string, std::optional<std::string>>>;
  const Entries two = {{"a", "1"}, {"b", std::nullopt}};
  const Entries empty;
  const Entries quoted = {{"k\"ey", "v\nalue"}};
  AppendMap(leaves[0], leaves[1], &two);
  AppendMap(leaves[0], leaves[1], nullptr);
  AppendMap(leaves[0], leaves[1], &empty);
  AppendMap(leaves[0], leaves[1], &quoted);
  const std::string file = WriteNested(elements, {FinishAll(leaves)});
  auto read = ReadAll(file);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->rows, (std::vector<std::string>{R"({"a":"1","b":null}|)", "NULL|", "{}|",
                                                  R"({"k\"ey":"v\nalue"}|)"}));
  ASSERT_EQ(read->metadata.num_rows, 4);
  const ColumnMetaData& key = Chunk(read->metadata, 0, 0);
  EXPECT_EQ(key.path_in_schema, (std::vector<std::string>{"m", "key_value", "key"}));
  EXPECT_EQ(key.num_values, 5);              // level slots, not rows
  EXPECT_EQ(key.statistics->null_count, 2);  // the null and the empty map
  const ColumnMetaData& value = Chunk(read->metadata, 0, 1);
  EXPECT_EQ(value.num_values, 5);
  EXPECT_EQ(value.statistics->null_count, 3);  // ... and the null value
}

TEST(ParquetNestedWriteTest, ListOfStrings) {
  NestedSchemaBuilder builder;
  builder.List("l", DataType::String());
  const auto elements = Elements(builder);
  auto leaves = LeafBuilders(elements);
  ASSERT_EQ(leaves.size(), 1u);
  ShreddedColumnBuilder& element = leaves[0];
  EXPECT_EQ(element.max_definition(), 3);
  // ["x","y"], null, [], [null,"z"], ["only"]
  element.AppendString(0, "x");
  element.AppendString(1, "y");
  element.AppendMissing(0, 0);
  element.AppendMissing(0, 1);
  element.AppendMissing(0, 2);
  element.AppendString(1, "z");
  element.AppendString(0, "only");
  const std::string file = WriteNested(elements, {FinishAll(leaves)});
  auto read = ReadAll(file);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->rows, (std::vector<std::string>{R"(["x","y"]|)", "NULL|", "[]|", R"([null,"z"]|)",
                                                  R"(["only"]|)"}));
  EXPECT_EQ(Chunk(read->metadata, 0, 0).path_in_schema,
            (std::vector<std::string>{"l", "list", "element"}));
  EXPECT_EQ(Chunk(read->metadata, 0, 0).num_values, 7);
  EXPECT_EQ(Chunk(read->metadata, 0, 0).statistics->null_count, 3);
  EXPECT_EQ(read->metadata.row_groups[0].num_rows, 5);
}

TEST(ParquetNestedWriteTest, ListOfListsAndListOfStructs) {
  // ll: list<list<int32>>; ls: list<struct<k: string, v: int64>>
  NestedSchemaBuilder builder;
  builder.BeginList("ll").List("element", DataType::Int32()).End();
  builder.BeginList("ls")
      .BeginStruct("element")
      .Leaf("k", DataType::String())
      .Leaf("v", DataType::Int64())
      .End()
      .End();
  const auto elements = Elements(builder);
  auto leaves = LeafBuilders(elements);
  ASSERT_EQ(leaves.size(), 3u);
  ShreddedColumnBuilder& inner = leaves[0];
  ShreddedColumnBuilder& k = leaves[1];
  ShreddedColumnBuilder& v = leaves[2];
  EXPECT_EQ(inner.max_definition(), 5);
  EXPECT_EQ(inner.max_repetition(), 2);
  EXPECT_EQ(k.max_definition(), 4);
  // Row 1: ll [[1,2],[],null,[3]]; ls [{k:"a",v:1},null,{k:null,v:2}]
  inner.AppendInt32(0, 1);
  inner.AppendInt32(2, 2);
  inner.AppendMissing(1, 3);  // [] : the inner list is defined, without elements
  inner.AppendMissing(1, 2);  // null: the outer element exists, the inner list is null
  inner.AppendInt32(1, 3);
  k.AppendString(0, "a");
  v.AppendInt64(0, 1);
  k.AppendMissing(1, 2);
  v.AppendMissing(1, 2);
  k.AppendMissing(1, 3);
  v.AppendInt64(1, 2);
  // Row 2: ll null; ls []
  inner.AppendMissing(0, 0);
  k.AppendMissing(0, 1);
  v.AppendMissing(0, 1);
  const std::string file = WriteNested(elements, {FinishAll(leaves)});
  auto read = ReadAll(file);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->rows,
            (std::vector<std::string>{
                R"([[1,2],[],null,[3]]|[{"k":"a","v":1},null,{"k":null,"v":2}]|)", "NULL|[]|"}));
}

// Several writes, small pages and row groups, a flat column beside the nested ones, dictionary
// and PLAIN pages: the reader sees every record, and pages and row groups hold whole records.
class NestedPaging : public ::testing::TestWithParam<std::tuple<io::Codec, bool>> {};

TEST_P(NestedPaging, ManyRecordsAcrossPagesAndRowGroups) {
  NestedSchemaBuilder builder;
  builder.Leaf("id", DataType::Int64(), Repetition::kRequired)
      .Map("tags", DataType::String(), DataType::String())
      .List("names", DataType::String());
  const auto elements = Elements(builder);
  ParquetWriteOptions options;
  options.codec = std::get<0>(GetParam());
  options.enable_dictionary = std::get<1>(GetParam());
  options.page_bytes = 4 * 1024;
  options.row_group_bytes = 64 * 1024;
  auto leaves = LeafBuilders(elements);
  std::vector<std::vector<ShreddedColumn>> batches;
  std::vector<std::string> expected;
  constexpr int kRecords = 12000;
  int64_t name_slots = 0;
  for (int r = 0; r < kRecords; ++r) {
    std::string row = std::to_string(r) + "|";
    leaves[0].AppendInt64(0, r);
    using Entries = std::vector<std::pair<std::string, std::optional<std::string>>>;
    Entries tags;
    for (int t = 0; t < r % 4; ++t) {
      tags.emplace_back("key" + std::to_string(t),
                        t == 2 ? std::optional<std::string>() : "v" + std::to_string(r % 7));
    }
    const bool null_tags = r % 11 == 5;
    AppendMap(leaves[1], leaves[2], null_tags ? nullptr : &tags);
    if (null_tags) {
      row += "NULL|";
    } else {
      row += "{";
      for (size_t t = 0; t < tags.size(); ++t) {
        if (t > 0) row += ",";
        row += "\"" + tags[t].first +
               "\":" + (tags[t].second ? "\"" + *tags[t].second + "\"" : std::string("null"));
      }
      row += "}|";
    }
    // names: r % 5 elements (a long run every 97th record), null every 13th.
    if (r % 13 == 0) {
      ++name_slots;
      leaves[3].AppendMissing(0, 0);
      row += "NULL|";
    } else {
      const int count = r % 97 == 1 ? 300 : r % 5;
      name_slots += std::max(count, 1);
      if (count == 0) {
        leaves[3].AppendMissing(0, 1);
        row += "[]|";
      } else {
        row += "[";
        for (int n = 0; n < count; ++n) {
          const std::string name = "name-" + std::to_string((r * 31 + n) % 1000);
          leaves[3].AppendString(n == 0 ? 0 : 1, name);
          row += (n > 0 ? ",\"" : "\"") + name + "\"";
        }
        row += "]|";
      }
    }
    expected.push_back(std::move(row));
    if (r % 2500 == 2499) batches.push_back(FinishAll(leaves));
  }
  batches.push_back(FinishAll(leaves));
  const std::string file = WriteNested(elements, batches, options);
  auto read = ReadAll(file);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_EQ(read->rows.size(), expected.size());
  for (size_t r = 0; r < expected.size(); ++r) {
    ASSERT_EQ(read->rows[r], expected[r]) << "row " << r;
  }
  const FileMetaData& metadata = read->metadata;
  EXPECT_EQ(metadata.num_rows, kRecords);
  ASSERT_GT(metadata.row_groups.size(), 1u);
  int64_t rows = 0;
  int64_t slots = 0;
  for (const RowGroup& group : metadata.row_groups) {
    rows += group.num_rows;
    // The flat required column has one slot per row: its num_values is the group's row count.
    EXPECT_EQ(group.columns[0].meta_data->num_values, group.num_rows);
    EXPECT_EQ(group.columns[0].meta_data->statistics->null_count, 0);
    slots += group.columns[3].meta_data->num_values;
  }
  EXPECT_EQ(rows, kRecords);
  EXPECT_EQ(slots, name_slots);
  if (std::get<1>(GetParam())) {
    const auto& encodings = Chunk(metadata, 0, 1).encodings;  // map keys: few distinct values
    EXPECT_NE(std::find(encodings.begin(), encodings.end(), Encoding::kRLEDictionary),
              encodings.end());
  }
  EXPECT_EQ(metadata.column_orders_count, 4);
  if (options.codec == io::Codec::kNone) {
    // Every data page of the list column starts a record: its first repetition level is 0.
    int pages = 0;
    for (const RowGroup& group : metadata.row_groups) {
      const ColumnMetaData& chunk = *group.columns[3].meta_data;
      size_t offset =
          static_cast<size_t>(chunk.dictionary_page_offset.value_or(chunk.data_page_offset));
      const size_t end = offset + static_cast<size_t>(chunk.total_compressed_size);
      while (offset < end) {
        size_t header_size = 0;
        auto header = DecodePageHeader(reinterpret_cast<const uint8_t*>(file.data()) + offset,
                                       end - offset, &header_size);
        ASSERT_TRUE(header.ok()) << header.status().ToString();
        const uint8_t* body = reinterpret_cast<const uint8_t*>(file.data()) + offset + header_size;
        if (header->type == PageType::kDataPage) {
          uint32_t length = 0;
          std::memcpy(&length, body, 4);
          RLEBitPackedDecoder decoder(body + 4, length, 1);
          uint32_t first = 1;
          ASSERT_EQ(*decoder.Decode(&first, 1), 1);
          EXPECT_EQ(first, 0u) << "page " << pages;
          ++pages;
        }
        offset += header_size + static_cast<size_t>(header->compressed_page_size);
      }
    }
    EXPECT_GT(pages, static_cast<int>(metadata.row_groups.size()));  // several pages per chunk
  }
}

INSTANTIATE_TEST_SUITE_P(CodecsAndDictionary, NestedPaging,
                         ::testing::Combine(::testing::Values(io::Codec::kSnappy, io::Codec::kNone,
                                                              io::Codec::kZstd),
                                            ::testing::Bool()));

// A flat file written through WriteShredded is byte for byte the file Write(Batch) makes.
TEST(ParquetNestedWriteTest, ShreddedFlatColumnsMatchBatchWrites) {
  auto schema = std::make_shared<const columnar::Schema>(
      std::vector<columnar::Field>{{"id", DataType::Int64(), false},
                                   {"name", DataType::String(), true},
                                   {"flag", DataType::Bool(), true},
                                   {"score", DataType::Float64(), true}});
  constexpr int64_t kRows = 20000;
  columnar::Int64Builder ids(DataType::Int64());
  columnar::StringBuilder names;
  columnar::BooleanBuilder flags;
  columnar::Float64Builder scores(DataType::Float64());
  ShreddedColumnBuilder id_leaf(DataType::Int64(), 0, 0);
  ShreddedColumnBuilder name_leaf(DataType::String(), 1, 0);
  ShreddedColumnBuilder flag_leaf(DataType::Bool(), 1, 0);
  ShreddedColumnBuilder score_leaf(DataType::Float64(), 1, 0);
  for (int64_t r = 0; r < kRows; ++r) {
    ids.Append(r * 3);
    id_leaf.AppendInt64(0, r * 3);
    if (r % 7 == 3) {
      names.AppendNull();
      name_leaf.AppendMissing(0, 0);
    } else {
      names.Append("n" + std::to_string(r % 300));
      name_leaf.AppendString(0, "n" + std::to_string(r % 300));
    }
    if (r % 5 == 1) {
      flags.AppendNull();
      flag_leaf.AppendMissing(0, 0);
    } else {
      flags.Append(r % 3 == 0);
      flag_leaf.AppendBool(0, r % 3 == 0);
    }
    scores.Append(static_cast<double>(r) / 8);
    score_leaf.AppendDouble(0, static_cast<double>(r) / 8);
  }
  const columnar::Batch batch(
      schema, {ids.Finish(), names.Finish(), flags.Finish(), scores.Finish()}, kRows);
  std::vector<ShreddedColumn> shredded;
  for (ShreddedColumnBuilder* leaf : {&id_leaf, &name_leaf, &flag_leaf, &score_leaf}) {
    auto column = leaf->Finish();
    ASSERT_TRUE(column.ok());
    shredded.push_back(std::move(column).ValueOrDie());
  }
  ParquetWriteOptions options;
  options.page_bytes = 8 * 1024;
  std::string from_batch;
  {
    auto writer = ParquetWriter::Open(io::MakeStringOutputStream(&from_batch), schema, options);
    ASSERT_TRUE(writer.ok());
    ASSERT_TRUE((*writer)->Write(batch).ok());
    ASSERT_TRUE((*writer)->Close().ok());
  }
  std::string from_shredded;
  {
    auto writer = ParquetWriter::Open(io::MakeStringOutputStream(&from_shredded), schema, options);
    ASSERT_TRUE(writer.ok());
    const Status status = (*writer)->WriteShredded(shredded);
    ASSERT_TRUE(status.ok()) << status.ToString();
    ASSERT_TRUE((*writer)->Close().ok());
  }
  EXPECT_EQ(from_batch, from_shredded);
}

// --- what the writer refuses
// ----------------------------------------------------------------------

class NestedValidation : public ::testing::Test {
 protected:
  void SetUp() override {
    NestedSchemaBuilder builder;
    builder.Leaf("id", DataType::Int64(), Repetition::kRequired).List("l", DataType::String());
    elements_ = Elements(builder);
    auto writer = ParquetWriter::OpenNested(io::MakeStringOutputStream(&file_), elements_);
    ASSERT_TRUE(writer.ok()) << writer.status().ToString();
    writer_ = std::move(writer).ValueOrDie();
  }

  // id: one value per record; l: the given levels and values.
  Status Write(std::vector<int16_t> ids, std::vector<int16_t> repetition,
               std::vector<int16_t> definition, std::vector<std::string> values,
               DataType values_type = DataType::String()) {
    columnar::Int64Builder id_values(DataType::Int64());
    for (int16_t id : ids) id_values.Append(id);
    ShreddedColumn id_column;
    id_column.values = id_values.Finish();
    auto list_values = columnar::MakeBuilder(values_type);
    for (const std::string& value : values) {
      if (values_type == DataType::String()) {
        static_cast<columnar::StringBuilder&>(*list_values).Append(value);
      } else {
        static_cast<columnar::Int64Builder&>(*list_values).Append(std::stoll(value));
      }
    }
    ShreddedColumn list;
    list.repetition_levels = std::move(repetition);
    list.definition_levels = std::move(definition);
    list.values = list_values->Finish();
    return writer_->WriteShredded({id_column, list});
  }

  std::string file_;
  std::vector<SchemaElement> elements_;
  std::unique_ptr<ParquetWriter> writer_;
};

TEST_F(NestedValidation, AcceptsConsistentData) {
  EXPECT_TRUE(Write({1, 2}, {0, 1, 0}, {3, 3, 1}, {"a", "b"}).ok());
  auto summary = writer_->Close();
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->rows, 2);
  auto read = ReadAll(file_);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->rows, (std::vector<std::string>{R"(1|["a","b"]|)", "2|[]|"}));
}

TEST_F(NestedValidation, RejectsBadLevelsAndValues) {
  // A definition level above the maximum (3).
  EXPECT_EQ(Write({1}, {0}, {4}, {"a"}).code(), StatusCode::kInvalidArgument);
  // A repetition level above the maximum (1).
  EXPECT_EQ(Write({1}, {0, 2}, {3, 3}, {"a", "b"}).code(), StatusCode::kInvalidArgument);
  // The first slot continues a record.
  EXPECT_EQ(Write({1}, {1}, {3}, {"a"}).code(), StatusCode::kInvalidArgument);
  // A repetition into a list that is empty (definition 1 < the repeated group's 2).
  EXPECT_EQ(Write({1}, {0, 1}, {3, 1}, {"a"}).code(), StatusCode::kInvalidArgument);
  // Slots holding a value do not match the values given.
  EXPECT_EQ(Write({1}, {0, 1}, {3, 3}, {"a"}).code(), StatusCode::kInvalidArgument);
  // Level lists of different lengths.
  EXPECT_EQ(Write({1}, {0, 1}, {3}, {"a"}).code(), StatusCode::kInvalidArgument);
  // The leaves disagree on the number of records.
  EXPECT_EQ(Write({1, 2}, {0}, {3}, {"a"}).code(), StatusCode::kInvalidArgument);
  // Values of the wrong type.
  EXPECT_EQ(Write({1}, {0}, {3}, {"7"}, DataType::Int64()).code(), StatusCode::kSchemaMismatch);
  // A wrong number of leaves.
  EXPECT_EQ(writer_->WriteShredded({}).code(), StatusCode::kSchemaMismatch);
  // A batch for a nested file.
  columnar::Int64Builder ids(DataType::Int64());
  ids.Append(1);
  const columnar::Batch batch(writer_->schema(), {ids.Finish(), ids.Finish()}, 1);
  EXPECT_EQ(writer_->Write(batch).code(), StatusCode::kInvalidArgument);
  // Nothing was written: the file is valid and empty.
  auto summary = writer_->Close();
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->rows, 0);
  auto read = ReadAll(file_);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_TRUE(read->rows.empty());
}

TEST(ParquetNestedWriteTest, RefusesSchemasItCannotWrite) {
  std::string file;
  // A leaf type without an encoder (FLOAT).
  NestedSchemaBuilder builder;
  builder.Leaf("x", DataType::Int32());
  auto elements = Elements(builder);
  elements[1].type = Type::kFloat;
  EXPECT_EQ(ParquetWriter::OpenNested(io::MakeStringOutputStream(&file), elements).status().code(),
            StatusCode::kInvalidArgument);
  // A malformed tree (children counts that do not add up).
  elements = Elements(builder);
  elements[0].num_children = 2;
  EXPECT_EQ(ParquetWriter::OpenNested(io::MakeStringOutputStream(&file), elements).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(ShreddedColumnBuilderTest, ReportsValuesOfTheWrongTypeAndBadLevels) {
  ShreddedColumnBuilder leaf(DataType::String(), 2, 1);
  leaf.AppendString(0, "a");
  leaf.AppendInt64(1, 5);
  EXPECT_EQ(leaf.Finish().status().code(), StatusCode::kInvalidArgument);
  // Reusable after Finish.
  leaf.AppendString(0, "b");
  leaf.AppendMissing(0, 1);
  auto column = leaf.Finish();
  ASSERT_TRUE(column.ok());
  EXPECT_EQ(column->slots(), 2);
  EXPECT_EQ(column->definition_levels, (std::vector<int16_t>{2, 1}));
  EXPECT_EQ(column->repetition_levels, (std::vector<int16_t>{0, 0}));
  EXPECT_EQ(column->values->length(), 1);
  leaf.AppendMissing(0, 2);  // a missing value at the maximum level
  EXPECT_FALSE(leaf.Finish().ok());
  leaf.AppendMissing(3, 0);  // repetition above the maximum
  EXPECT_FALSE(leaf.Finish().ok());
}

}  // namespace
}  // namespace sluice::parquet

// The thrift compact codec and the Parquet footer/page-header structs: round trips of fully
// populated structs, the codec's edge cases (long-form ids, skipping every type, limits), the
// footers and page headers of the real files in ../shared/corpus/parquet (facts checked against
// its INDEX.json), and robustness: every prefix of a footer fails cleanly, random corruption
// never crashes.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "sluice/formats/parquet/parquet_metadata.h"
#include "sluice/formats/parquet/thrift_compact.h"

namespace sluice::parquet {
namespace {

namespace fs = std::filesystem;

// An exactly sized heap copy, so that AddressSanitizer reports any read past the end.
std::vector<uint8_t> Exact(std::string_view bytes) {
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

Result<FileMetaData> Decode(std::string_view bytes) {
  const std::vector<uint8_t> copy = Exact(bytes);
  return DecodeFileMetaData(copy.data(), copy.size());
}

Result<PageHeader> DecodePage(std::string_view bytes, size_t* header_size) {
  const std::vector<uint8_t> copy = Exact(bytes);
  return DecodePageHeader(copy.data(), copy.size(), header_size);
}

std::string Encode(const FileMetaData& metadata) {
  std::string out;
  EncodeFileMetaData(metadata, &out);
  return out;
}

std::string Encode(const PageHeader& header) {
  std::string out;
  EncodePageHeader(header, &out);
  return out;
}

LogicalType Logical(LogicalType::Kind kind) {
  LogicalType logical;
  logical.kind = kind;
  return logical;
}

Statistics FullStatistics(int seed) {
  Statistics statistics;
  statistics.max = "max" + std::to_string(seed);
  statistics.min = std::string("\0min", 4);
  statistics.null_count = 7 + seed;
  statistics.distinct_count = 1LL << 40;
  statistics.max_value = "zz";
  statistics.min_value = "";
  statistics.is_max_value_exact = true;
  statistics.is_min_value_exact = false;
  return statistics;
}

// A footer with every field sluice keeps set to a non-default value.
FileMetaData FullFileMetaData() {
  FileMetaData metadata;
  metadata.version = 2;
  SchemaElement root;
  root.name = "schema";
  root.num_children = 4;
  metadata.schema.push_back(root);

  SchemaElement decimal;
  decimal.type = Type::kFixedLenByteArray;
  decimal.type_length = 16;
  decimal.repetition = Repetition::kOptional;
  decimal.name = "amount";
  decimal.converted = ConvertedType::kDecimal;
  decimal.scale = 2;
  decimal.precision = 38;
  decimal.field_id = 17;
  decimal.logical = Logical(LogicalType::Kind::kDecimal);
  decimal.logical->scale = 2;
  decimal.logical->precision = 38;
  metadata.schema.push_back(decimal);

  SchemaElement timestamp;
  timestamp.type = Type::kInt64;
  timestamp.repetition = Repetition::kRequired;
  timestamp.name = "ts";
  timestamp.converted = ConvertedType::kTimestampMicros;
  timestamp.logical = Logical(LogicalType::Kind::kTimestamp);
  timestamp.logical->is_adjusted_to_utc = true;
  timestamp.logical->unit = TimeUnit::kNanos;
  metadata.schema.push_back(timestamp);

  SchemaElement small;
  small.type = Type::kInt32;
  small.repetition = Repetition::kRepeated;
  small.name = "small";
  small.converted = ConvertedType::kUint8;
  small.logical = Logical(LogicalType::Kind::kInteger);
  small.logical->bit_width = 8;
  small.logical->is_signed = false;
  metadata.schema.push_back(small);

  SchemaElement text;
  text.type = Type::kByteArray;
  text.repetition = Repetition::kOptional;
  text.name = "text \xF0\x9F\x98\x80";  // non-ASCII names survive
  text.converted = ConvertedType::kUTF8;
  text.logical = Logical(LogicalType::Kind::kString);
  metadata.schema.push_back(text);

  metadata.num_rows = 3'000'000'000LL;
  for (int group = 0; group < 2; ++group) {
    RowGroup row_group;
    for (int column = 0; column < 4; ++column) {
      ColumnChunk chunk;
      chunk.file_path = "part-" + std::to_string(column) + ".parquet";
      chunk.file_offset = 4 + 1000 * column;
      ColumnMetaData meta;
      meta.type = Type::kInt64;
      meta.encodings = {Encoding::kPlain, Encoding::kRLE, Encoding::kRLEDictionary,
                        static_cast<Encoding>(42)};  // unknown encodings are kept
      meta.path_in_schema = {"outer", "col" + std::to_string(column)};
      meta.codec = CompressionCodec::kZstd;
      meta.num_values = 123456789012LL;
      meta.total_uncompressed_size = 1LL << 33;
      meta.total_compressed_size = 1LL << 32;
      meta.key_value_metadata = {{"k1", "v1"}, {"k2", std::nullopt}};
      meta.data_page_offset = 1000 * column + 100;
      meta.index_page_offset = 55;
      meta.dictionary_page_offset = 1000 * column + 4;
      meta.statistics = FullStatistics(column);
      meta.encoding_stats = {{PageType::kDictionaryPage, Encoding::kPlain, 1},
                             {PageType::kDataPage, Encoding::kRLEDictionary, 20}};
      meta.bloom_filter_offset = 99999;
      meta.bloom_filter_length = 512;
      chunk.meta_data = meta;
      chunk.offset_index_offset = 70000 + column;
      chunk.offset_index_length = 30;
      chunk.column_index_offset = 80000 + column;
      chunk.column_index_length = 40;
      row_group.columns.push_back(chunk);
    }
    row_group.total_byte_size = 1'500'000'000LL;
    row_group.num_rows = 1'500'000'000LL;
    row_group.sorting_columns = {{0, true, false}, {3, false, true}};
    row_group.file_offset = 4;
    row_group.total_compressed_size = 777;
    row_group.ordinal = static_cast<int16_t>(group);
    metadata.row_groups.push_back(row_group);
  }
  metadata.key_value_metadata = {{"ARROW:schema", std::string("\x00\x01\x02", 3)},
                                 {"no value", std::nullopt}};
  metadata.created_by = "sluice version 0.1.0";
  metadata.column_orders_count = 4;
  return metadata;
}

// ---- round trips ----------------------------------------------------------------------------

TEST(ParquetMetadataTest, FullFileMetaDataRoundTrips) {
  const FileMetaData original = FullFileMetaData();
  const std::string bytes = Encode(original);
  auto decoded = Decode(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, original);
  // Spot checks, in case equality itself were wrong.
  EXPECT_EQ(decoded->num_rows, 3'000'000'000LL);
  EXPECT_EQ(decoded->schema.size(), 5u);
  EXPECT_EQ(decoded->schema[2].logical->unit, TimeUnit::kNanos);
  EXPECT_EQ(decoded->schema[3].logical->bit_width, 8);
  EXPECT_FALSE(decoded->schema[3].logical->is_signed);
  EXPECT_EQ(decoded->row_groups[1].columns[3].meta_data->encodings[3], static_cast<Encoding>(42));
  EXPECT_EQ(decoded->row_groups[1].columns[3].meta_data->statistics->min, std::string("\0min", 4));
  EXPECT_EQ(decoded->row_groups[1].ordinal, 1);
  EXPECT_EQ(decoded->column_orders_count, 4);
  EXPECT_EQ(decoded->key_value_metadata[0].value, std::string("\x00\x01\x02", 3));
  EXPECT_FALSE(decoded->key_value_metadata[1].value.has_value());
  // Re-encoding the decoded value gives the same bytes.
  EXPECT_EQ(Encode(*decoded), bytes);
}

TEST(ParquetMetadataTest, MinimalFileMetaDataRoundTrips) {
  FileMetaData metadata;
  metadata.version = 1;
  SchemaElement root;
  root.name = "";
  metadata.schema.push_back(root);
  auto decoded = Decode(Encode(metadata));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, metadata);
  EXPECT_FALSE(decoded->created_by.has_value());
  EXPECT_EQ(decoded->column_orders_count, 0);
}

TEST(ParquetMetadataTest, EncodeAppendsToExistingBytes) {
  std::string out = "PAR1";
  EncodeFileMetaData(FullFileMetaData(), &out);
  EXPECT_EQ(out.substr(0, 4), "PAR1");
  auto decoded = Decode(std::string_view(out).substr(4));
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, FullFileMetaData());
}

TEST(ParquetMetadataTest, EveryLogicalTypeRoundTrips) {
  using Kind = LogicalType::Kind;
  std::vector<LogicalType> cases;
  for (Kind kind : {Kind::kString, Kind::kMap, Kind::kList, Kind::kEnum, Kind::kDate,
                    Kind::kUnknown, Kind::kJSON, Kind::kBSON, Kind::kUUID, Kind::kFloat16,
                    Kind::kVariant, Kind::kGeometry, Kind::kGeography}) {
    cases.push_back(Logical(kind));
  }
  for (Kind kind : {Kind::kTime, Kind::kTimestamp}) {
    for (TimeUnit unit : {TimeUnit::kMillis, TimeUnit::kMicros, TimeUnit::kNanos}) {
      for (bool utc : {false, true}) {
        LogicalType logical = Logical(kind);
        logical.unit = unit;
        logical.is_adjusted_to_utc = utc;
        cases.push_back(logical);
      }
    }
  }
  for (int bits : {8, 16, 32, 64}) {
    for (bool is_signed : {false, true}) {
      LogicalType logical = Logical(Kind::kInteger);
      logical.bit_width = static_cast<int8_t>(bits);
      logical.is_signed = is_signed;
      cases.push_back(logical);
    }
  }
  LogicalType decimal = Logical(Kind::kDecimal);
  decimal.scale = 0;
  decimal.precision = 1;
  cases.push_back(decimal);

  for (const LogicalType& logical : cases) {
    FileMetaData metadata;
    SchemaElement element;
    element.name = "c";
    element.logical = logical;
    metadata.schema.push_back(element);
    auto decoded = Decode(Encode(metadata));
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    ASSERT_TRUE(decoded->schema[0].logical.has_value()) << static_cast<int>(logical.kind);
    EXPECT_EQ(*decoded->schema[0].logical, logical) << static_cast<int>(logical.kind);
  }
}

TEST(ParquetMetadataTest, UnsetAndUnknownLogicalTypesAreNotWritten) {
  for (LogicalType::Kind kind : {LogicalType::Kind::kNone, LogicalType::Kind::kOther}) {
    FileMetaData metadata;
    SchemaElement element;
    element.name = "c";
    element.logical = Logical(kind);
    metadata.schema.push_back(element);
    auto decoded = Decode(Encode(metadata));
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_FALSE(decoded->schema[0].logical.has_value());
  }
}

PageHeader DataPageV1(bool with_crc) {
  PageHeader header;
  header.type = PageType::kDataPage;
  header.uncompressed_page_size = 4096;
  header.compressed_page_size = 1234;
  if (with_crc) header.crc = -123456789;
  DataPageHeader page;
  page.num_values = 1000;
  page.encoding = Encoding::kRLEDictionary;
  page.definition_level_encoding = Encoding::kRLE;
  page.repetition_level_encoding = Encoding::kBitPacked;
  page.statistics = FullStatistics(3);
  header.data_page_header = page;
  return header;
}

PageHeader DataPageV2(bool with_crc) {
  PageHeader header;
  header.type = PageType::kDataPageV2;
  header.uncompressed_page_size = 100;
  header.compressed_page_size = 80;
  if (with_crc) header.crc = 0x7FFFFFFF;
  DataPageHeaderV2 page;
  page.num_values = 50;
  page.num_nulls = 5;
  page.num_rows = 40;
  page.encoding = Encoding::kDeltaBinaryPacked;
  page.definition_levels_byte_length = 7;
  page.repetition_levels_byte_length = 3;
  page.is_compressed = false;
  page.statistics = Statistics{};
  page.statistics->null_count = 5;
  header.data_page_header_v2 = page;
  return header;
}

PageHeader DictionaryPage(bool with_crc) {
  PageHeader header;
  header.type = PageType::kDictionaryPage;
  header.uncompressed_page_size = 0;
  header.compressed_page_size = 0;
  if (with_crc) header.crc = 0;
  DictionaryPageHeader page;
  page.num_values = 3;
  page.encoding = Encoding::kPlainDictionary;
  page.is_sorted = true;
  header.dictionary_page_header = page;
  return header;
}

TEST(ParquetMetadataTest, PageHeadersRoundTrip) {
  for (bool with_crc : {false, true}) {
    for (const PageHeader& header :
         {DataPageV1(with_crc), DataPageV2(with_crc), DictionaryPage(with_crc)}) {
      const std::string bytes = Encode(header);
      // Page data follows the header: it must not be consumed.
      const std::string page = bytes + "page bytes";
      size_t header_size = 0;
      auto decoded = DecodePage(page, &header_size);
      ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
      EXPECT_EQ(*decoded, header);
      EXPECT_EQ(header_size, bytes.size());
      EXPECT_EQ(decoded->crc.has_value(), with_crc);
      EXPECT_EQ(Encode(*decoded), bytes);
    }
  }
}

TEST(ParquetMetadataTest, V2IsCompressedDefaultsToTrue) {
  std::string bytes;
  ThriftCompactWriter writer(&bytes);
  writer.WriteStructBegin();
  writer.WriteI32Field(1, static_cast<int32_t>(PageType::kDataPageV2));
  writer.WriteI32Field(2, 10);
  writer.WriteI32Field(3, 10);
  writer.WriteStructFieldBegin(8);
  for (int16_t id = 1; id <= 6; ++id) writer.WriteI32Field(id, 1);  // no field 7
  writer.WriteStructEnd();
  writer.WriteStructEnd();
  size_t header_size = 0;
  auto decoded = DecodePage(bytes, &header_size);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  ASSERT_TRUE(decoded->data_page_header_v2.has_value());
  EXPECT_TRUE(decoded->data_page_header_v2->is_compressed);
  EXPECT_EQ(header_size, bytes.size());
}

// ---- the thrift codec -----------------------------------------------------------------------

TEST(ThriftCompactTest, VarintsAndZigZag) {
  std::string bytes;
  ThriftCompactWriter writer(&bytes);
  const std::vector<int64_t> values = {
      0, -1, 1, 63, -64, 64, 300, -300, INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, 1LL << 35};
  for (int64_t value : values) writer.WriteI64(value);
  writer.WriteI32(INT32_MIN);
  writer.WriteI16(-32768);
  const std::vector<uint8_t> data = Exact(bytes);
  ThriftCompactReader reader(data.data(), data.size(), "test");
  for (int64_t expected : values) {
    int64_t value = 0;
    ASSERT_TRUE(reader.ReadI64(&value).ok());
    EXPECT_EQ(value, expected);
  }
  int32_t i32 = 0;
  ASSERT_TRUE(reader.ReadI32(&i32).ok());
  EXPECT_EQ(i32, INT32_MIN);
  int16_t i16 = 0;
  ASSERT_TRUE(reader.ReadI16(&i16).ok());
  EXPECT_EQ(i16, -32768);
  EXPECT_EQ(reader.remaining(), 0u);
  // The spec's example: 50399 is DF 89 03 (as an unsigned varint, i.e. zigzag of -25200).
  std::string example;
  ThriftCompactWriter(&example).WriteI32(-25200);
  EXPECT_EQ(example, "\xDF\x89\x03");
}

TEST(ThriftCompactTest, VarintErrors) {
  struct Case {
    std::string bytes;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"\x80\x80", "test: truncated varint at byte 0"},
      {std::string(10, '\xFF') + "\x01", "varint overflows 64 bits at byte 0"},
      {std::string(9, '\x80') + "\x02", "varint overflows 64 bits"},
  };
  for (const Case& c : cases) {
    const std::vector<uint8_t> data = Exact(c.bytes);
    ThriftCompactReader reader(data.data(), data.size(), "test");
    int64_t value = 0;
    Status status = reader.ReadI64(&value);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.code(), StatusCode::kDataError);
    EXPECT_NE(status.message().find(c.message), std::string::npos) << status.message();
  }
  // 2^32 does not fit an i32, 2^16 not an i16.
  std::string big;
  ThriftCompactWriter(&big).WriteI64(1LL << 32);
  std::vector<uint8_t> data = Exact(big);
  ThriftCompactReader reader(data.data(), data.size(), "test");
  int32_t i32 = 0;
  EXPECT_FALSE(reader.ReadI32(&i32).ok());
  std::string medium;
  ThriftCompactWriter(&medium).WriteI32(1 << 16);
  data = Exact(medium);
  ThriftCompactReader reader16(data.data(), data.size(), "test");
  int16_t i16 = 0;
  EXPECT_FALSE(reader16.ReadI16(&i16).ok());
}

TEST(ThriftCompactTest, FieldHeadersShortAndLongForm) {
  std::string bytes;
  ThriftCompactWriter writer(&bytes);
  writer.WriteStructBegin();
  writer.WriteI32Field(1, 10);        // delta 1
  writer.WriteI32Field(16, 11);       // delta 15: short form
  writer.WriteI32Field(32, 12);       // delta 16: long form
  writer.WriteI32Field(5, 13);        // decreasing: long form
  writer.WriteBoolField(6, true);     // short form, value in the type
  writer.WriteBoolField(300, false);  // long form
  writer.WriteI32Field(-2, 14);       // negative ids are legal thrift
  writer.WriteStructEnd();
  EXPECT_EQ(static_cast<uint8_t>(bytes[2]), 0xF5);  // delta 15, i32
  const std::vector<uint8_t> data = Exact(bytes);
  ThriftCompactReader reader(data.data(), data.size(), "test");
  ASSERT_TRUE(reader.ReadStructBegin().ok());
  const std::vector<std::pair<int16_t, int32_t>> expected_ints = {
      {1, 10}, {16, 11}, {32, 12}, {5, 13}};
  ThriftFieldHeader field;
  for (const auto& [id, value] : expected_ints) {
    ASSERT_TRUE(reader.ReadFieldHeader(&field).ok());
    EXPECT_EQ(field.type, ThriftType::kI32);
    EXPECT_EQ(field.id, id);
    int32_t read = 0;
    ASSERT_TRUE(reader.ReadI32(&read).ok());
    EXPECT_EQ(read, value);
  }
  ASSERT_TRUE(reader.ReadFieldHeader(&field).ok());
  EXPECT_EQ(field.type, ThriftType::kBool);
  EXPECT_EQ(field.id, 6);
  EXPECT_TRUE(field.bool_value);
  ASSERT_TRUE(reader.ReadFieldHeader(&field).ok());
  EXPECT_EQ(field.type, ThriftType::kBool);
  EXPECT_EQ(field.id, 300);
  EXPECT_FALSE(field.bool_value);
  ASSERT_TRUE(reader.ReadFieldHeader(&field).ok());
  EXPECT_EQ(field.id, -2);
  ASSERT_TRUE(reader.SkipField(field).ok());
  ASSERT_TRUE(reader.ReadFieldHeader(&field).ok());
  EXPECT_EQ(field.type, ThriftType::kStop);
  ASSERT_TRUE(reader.ReadStructEnd().ok());
  EXPECT_EQ(reader.position(), bytes.size());
}

TEST(ThriftCompactTest, ListHeaders) {
  for (uint32_t size : {0u, 1u, 14u, 15u, 16u, 300u}) {
    std::string bytes;
    ThriftCompactWriter writer(&bytes);
    writer.WriteListBegin(ThriftType::kI32, size);
    for (uint32_t i = 0; i < size; ++i) writer.WriteI32(static_cast<int32_t>(i) - 7);
    const std::vector<uint8_t> data = Exact(bytes);
    ThriftCompactReader reader(data.data(), data.size(), "test");
    ThriftListHeader header;
    ASSERT_TRUE(reader.ReadListHeader(&header).ok());
    EXPECT_EQ(header.size, size);
    EXPECT_EQ(header.element_type, ThriftType::kI32);
    for (uint32_t i = 0; i < size; ++i) {
      int32_t value = 0;
      ASSERT_TRUE(reader.ReadI32(&value).ok());
      EXPECT_EQ(value, static_cast<int32_t>(i) - 7);
    }
    EXPECT_EQ(reader.remaining(), 0u);
  }
  // A list claiming more elements than bytes remain is rejected up front.
  const std::string lying = "\xF5\xE8\x07\x01\x02";  // 1000 i32 elements, 2 bytes follow
  const std::vector<uint8_t> data = Exact(lying);
  ThriftCompactReader reader(data.data(), data.size(), "test");
  ThriftListHeader header;
  Status status = reader.ReadListHeader(&header);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("list of 1000 elements exceeds"), std::string::npos)
      << status.message();
  // Bool lists: elements are single bytes; element type 1 or 2.
  for (const std::string& bools :
       {std::string("\x21\x01\x00", 3), std::string("\x22\x01\x00", 3)}) {
    const std::vector<uint8_t> bool_data = Exact(bools);
    ThriftCompactReader bool_reader(bool_data.data(), bool_data.size(), "test");
    ASSERT_TRUE(bool_reader.ReadListHeader(&header).ok());
    EXPECT_EQ(header.element_type, ThriftType::kBool);
    bool first = false;
    bool second = true;
    ASSERT_TRUE(bool_reader.ReadBool(&first).ok());
    ASSERT_TRUE(bool_reader.ReadBool(&second).ok());
    EXPECT_TRUE(first);
    EXPECT_FALSE(second);
  }
}

TEST(ThriftCompactTest, BinaryLengthIsBounded) {
  const std::string bytes =
      "\x05"
      "abc";
  const std::vector<uint8_t> data = Exact(bytes);
  ThriftCompactReader reader(data.data(), data.size(), "test");
  std::string_view value;
  Status status = reader.ReadBinary(&value);
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("binary length 5 exceeds the 4 bytes remaining"),
            std::string::npos)
      << status.message();
}

TEST(ThriftCompactTest, DoubleIsLittleEndian) {
  double expected = -1234.5625;
  uint64_t bits = 0;
  std::memcpy(&bits, &expected, 8);
  std::string bytes;
  for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<char>(bits >> (8 * i)));
  const std::vector<uint8_t> data = Exact(bytes);
  ThriftCompactReader reader(data.data(), data.size(), "test");
  double value = 0;
  ASSERT_TRUE(reader.ReadDouble(&value).ok());
  EXPECT_EQ(value, expected);
  EXPECT_FALSE(reader.ReadDouble(&value).ok());
}

// Unknown fields of every type, written by hand, in front of a valid FileMetaData's own fields.
std::string UnknownFields() {
  std::string bytes;
  ThriftCompactWriter writer(&bytes);
  // Ids 20.. (long form, since FileMetaData's own fields follow with smaller ids).
  writer.WriteBoolField(20, true);
  writer.WriteByteField(21, -5);
  writer.WriteI16Field(22, -300);
  writer.WriteI64Field(23, INT64_MIN);
  writer.WriteFieldBegin(ThriftType::kDouble, 24);
  bytes.append(8, '\x40');
  writer.WriteBinaryField(25, "unknown");
  writer.WriteFieldBegin(ThriftType::kUUID, 26);
  bytes.append(16, '\xAB');
  // list<list<i64>>
  writer.WriteFieldBegin(ThriftType::kList, 27);
  writer.WriteListBegin(ThriftType::kList, 2);
  writer.WriteListBegin(ThriftType::kI64, 2);
  writer.WriteI64(1);
  writer.WriteI64(-1);
  writer.WriteListBegin(ThriftType::kI64, 0);
  // set<bool>
  writer.WriteFieldBegin(ThriftType::kSet, 28);
  writer.WriteListBegin(ThriftType::kBool, 3);
  writer.WriteBool(true);
  writer.WriteBool(false);
  writer.WriteBool(true);
  // map<binary, struct>: 2 entries
  writer.WriteFieldBegin(ThriftType::kMap, 29);
  bytes.push_back('\x02');
  bytes.push_back('\x8C');  // key binary, value struct
  for (const char* key : {"a", "bb"}) {
    writer.WriteBinary(key);
    writer.WriteStructBegin();
    writer.WriteBoolField(1, false);
    writer.WriteI32Field(2, 5);
    writer.WriteStructFieldBegin(3);
    writer.WriteBinaryField(1, "nested");
    writer.WriteStructEnd();
    writer.WriteStructEnd();
  }
  // an empty map
  writer.WriteFieldBegin(ThriftType::kMap, 30);
  bytes.push_back('\x00');
  // a struct with a long-form id inside
  writer.WriteStructFieldBegin(31);
  writer.WriteI32Field(1000, 1);
  writer.WriteStructEnd();
  return bytes;
}

TEST(ThriftCompactTest, UnknownFieldsOfEveryTypeAreSkipped) {
  const FileMetaData original = FullFileMetaData();
  const std::string known = Encode(original);
  // Unknown fields first, then the known ones. Deltas are relative to the previous field, so the
  // first known field (version, id 1, short form) is rewritten in the long form.
  std::string bytes;
  ThriftCompactWriter writer(&bytes);
  writer.WriteStructBegin();
  bytes += UnknownFields();
  ASSERT_EQ(known[0], '\x15');  // version: delta 1, i32
  bytes.push_back('\x05');      // long form i32, id 1
  bytes.push_back('\x02');      // zigzag(1)
  bytes += known.substr(1);
  auto decoded = Decode(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, original);
  // The same bytes skipped as one unknown struct, element by element.
  const std::vector<uint8_t> data = Exact(bytes);
  ThriftCompactReader reader(data.data(), data.size(), "test");
  ASSERT_TRUE(reader.Skip(ThriftType::kStruct).ok());
  EXPECT_EQ(reader.remaining(), 0u);
}

TEST(ThriftCompactTest, NestingIsLimited) {
  // 100 nested structs as an unknown field: skipping must stop at the depth limit.
  std::string bytes = "\x15\x02\xFC";             // version = 1, then unknown field 16, a struct
  for (int i = 0; i < 100; ++i) bytes += "\x1C";  // field (delta 1) of type struct
  bytes += std::string(101, '\x00');
  auto decoded = Decode(bytes);
  ASSERT_FALSE(decoded.ok());
  EXPECT_EQ(decoded.status().code(), StatusCode::kDataError);
  EXPECT_NE(decoded.status().message().find("nested deeper than 64"), std::string::npos)
      << decoded.status().message();
  // Lists of lists likewise.
  std::string lists = "\x15\x02\xF9";             // unknown field 16, a list
  for (int i = 0; i < 100; ++i) lists += "\x19";  // list of 1 list
  lists += std::string(10, '\x00');
  decoded = Decode(lists);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("nested deeper than 64"), std::string::npos)
      << decoded.status().message();
  // 63 levels are fine.
  std::string ok = "\x15\x02";
  for (int i = 0; i < 62; ++i) ok += "\x1C";
  ok += std::string(63, '\x00');
  ThriftCompactReader reader(reinterpret_cast<const uint8_t*>(ok.data()), ok.size(), "test");
  ASSERT_TRUE(reader.Skip(ThriftType::kStruct).ok());
  EXPECT_EQ(reader.remaining(), 0u);
}

TEST(ThriftCompactTest, InvalidTypes) {
  for (const std::string& bytes :
       {std::string("\x1E"), std::string("\x1F"), std::string("\x10", 1)}) {
    ThriftCompactReader reader(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(),
                               "test");
    ASSERT_TRUE(reader.ReadStructBegin().ok());
    ThriftFieldHeader field;
    Status status = reader.ReadFieldHeader(&field);
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.message().find("invalid field type"), std::string::npos);
  }
}

// ---- validation -----------------------------------------------------------------------------

// Encodes `metadata` after `mutate` edits a copy of the full footer.
template <typename Mutate>
Status DecodeMutated(Mutate mutate) {
  FileMetaData metadata = FullFileMetaData();
  mutate(&metadata);
  return Decode(Encode(metadata)).status();
}

void ExpectDataError(const Status& status, const std::string& needle) {
  ASSERT_FALSE(status.ok()) << "expected an error mentioning " << needle;
  EXPECT_EQ(status.code(), StatusCode::kDataError);
  EXPECT_NE(status.message().find(needle), std::string::npos) << status.message();
  EXPECT_EQ(status.message().rfind("parquet footer: ", 0), 0u) << status.message();
}

TEST(ParquetMetadataTest, ClosedEnumsAreValidated) {
  ExpectDataError(DecodeMutated([](FileMetaData* m) { m->schema[1].type = static_cast<Type>(8); }),
                  "SchemaElement.type: invalid value 8");
  ExpectDataError(DecodeMutated([](FileMetaData* m) { m->schema[1].type = static_cast<Type>(-1); }),
                  "SchemaElement.type: invalid value -1");
  ExpectDataError(
      DecodeMutated([](FileMetaData* m) { m->schema[1].repetition = static_cast<Repetition>(3); }),
      "SchemaElement.repetition_type: invalid value 3");
  ExpectDataError(DecodeMutated([](FileMetaData* m) {
                    m->schema[1].converted = static_cast<ConvertedType>(22);
                  }),
                  "SchemaElement.converted_type: invalid value 22");
  ExpectDataError(DecodeMutated([](FileMetaData* m) {
                    m->row_groups[0].columns[0].meta_data->type = static_cast<Type>(9);
                  }),
                  "ColumnMetaData.type: invalid value 9");
  ExpectDataError(DecodeMutated([](FileMetaData* m) {
                    m->row_groups[0].columns[0].meta_data->codec =
                        static_cast<CompressionCodec>(-3);
                  }),
                  "ColumnMetaData.codec: invalid value -3");
  ExpectDataError(DecodeMutated([](FileMetaData* m) {
                    m->row_groups[0].columns[0].meta_data->encodings[0] = static_cast<Encoding>(-1);
                  }),
                  "ColumnMetaData.encodings: invalid value -1");
  ExpectDataError(DecodeMutated([](FileMetaData* m) {
                    m->row_groups[0].columns[0].meta_data->encoding_stats[0].page_type =
                        static_cast<PageType>(4);
                  }),
                  "PageEncodingStats.page_type: invalid value 4");
  ExpectDataError(DecodeMutated([](FileMetaData* m) { m->num_rows = -1; }),
                  "FileMetaData.num_rows: negative value -1");
  // 24 is the legacy "NA" converted type (PARQUET-1990): read as no converted type.
  {
    FileMetaData metadata = FullFileMetaData();
    metadata.schema[1].converted = static_cast<ConvertedType>(24);
    auto decoded = Decode(Encode(metadata));
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_FALSE(decoded->schema[1].converted.has_value());
  }
  // Unknown (open) enum values are kept.
  EXPECT_TRUE(DecodeMutated([](FileMetaData* m) {
                m->row_groups[0].columns[0].meta_data->codec = static_cast<CompressionCodec>(99);
              }).ok());

  PageHeader header = DataPageV1(true);
  header.type = static_cast<PageType>(4);
  size_t header_size = 0;
  Status status = DecodePage(Encode(header), &header_size).status();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("parquet page header: PageHeader.type: invalid value 4"),
            std::string::npos)
      << status.message();
  header = DataPageV1(false);
  header.compressed_page_size = -1;
  status = DecodePage(Encode(header), &header_size).status();
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("PageHeader.compressed_page_size: negative value -1"),
            std::string::npos)
      << status.message();
}

// Hand-built structs missing one required field each.
TEST(ParquetMetadataTest, MissingRequiredFieldsAreErrors) {
  // A SchemaElement without a name.
  {
    std::string bytes;
    ThriftCompactWriter writer(&bytes);
    writer.WriteStructBegin();
    writer.WriteI32Field(1, 1);
    writer.WriteFieldBegin(ThriftType::kList, 2);
    writer.WriteListBegin(ThriftType::kStruct, 1);
    writer.WriteStructBegin();
    writer.WriteI32Field(5, 0);
    writer.WriteStructEnd();
    writer.WriteI64Field(3, 0);
    writer.WriteFieldBegin(ThriftType::kList, 4);
    writer.WriteListBegin(ThriftType::kStruct, 0);
    writer.WriteStructEnd();
    ExpectDataError(Decode(bytes).status(), "SchemaElement: required field name (4) is missing");
  }
  // FileMetaData without num_rows / row_groups / schema.
  for (int16_t skipped : {2, 3, 4}) {
    std::string bytes;
    ThriftCompactWriter writer(&bytes);
    writer.WriteStructBegin();
    writer.WriteI32Field(1, 1);
    if (skipped != 2) {
      writer.WriteFieldBegin(ThriftType::kList, 2);
      writer.WriteListBegin(ThriftType::kStruct, 0);
    }
    if (skipped != 3) writer.WriteI64Field(3, 0);
    if (skipped != 4) {
      writer.WriteFieldBegin(ThriftType::kList, 4);
      writer.WriteListBegin(ThriftType::kStruct, 0);
    }
    writer.WriteStructEnd();
    const char* names[] = {"", "", "schema (2)", "num_rows (3)", "row_groups (4)"};
    ExpectDataError(Decode(bytes).status(),
                    std::string("FileMetaData: required field ") + names[skipped]);
  }
  // PageHeader without compressed_page_size.
  {
    std::string bytes;
    ThriftCompactWriter writer(&bytes);
    writer.WriteStructBegin();
    writer.WriteI32Field(1, 0);
    writer.WriteI32Field(2, 10);
    writer.WriteStructEnd();
    size_t header_size = 0;
    Status status = DecodePage(bytes, &header_size).status();
    ASSERT_FALSE(status.ok());
    EXPECT_NE(status.message().find("required field compressed_page_size (3) is missing"),
              std::string::npos)
        << status.message();
  }
  // A ColumnChunk without file_offset.
  {
    std::string bytes;
    ThriftCompactWriter writer(&bytes);
    writer.WriteStructBegin();
    writer.WriteI32Field(1, 1);
    writer.WriteFieldBegin(ThriftType::kList, 2);
    writer.WriteListBegin(ThriftType::kStruct, 0);
    writer.WriteI64Field(3, 0);
    writer.WriteFieldBegin(ThriftType::kList, 4);
    writer.WriteListBegin(ThriftType::kStruct, 1);
    writer.WriteStructBegin();  // RowGroup
    writer.WriteFieldBegin(ThriftType::kList, 1);
    writer.WriteListBegin(ThriftType::kStruct, 1);
    writer.WriteStructBegin();  // ColumnChunk
    writer.WriteBinaryField(1, "elsewhere.parquet");
    writer.WriteStructEnd();
    writer.WriteI64Field(2, 0);
    writer.WriteI64Field(3, 0);
    writer.WriteStructEnd();
    writer.WriteStructEnd();
    ExpectDataError(Decode(bytes).status(),
                    "ColumnChunk: required field file_offset (2) is missing");
  }
}

TEST(ParquetMetadataTest, WrongFieldTypesAreErrors) {
  std::string bytes;
  ThriftCompactWriter writer(&bytes);
  writer.WriteStructBegin();
  writer.WriteBinaryField(1, "not a version");
  writer.WriteStructEnd();
  ExpectDataError(Decode(bytes).status(),
                  "FileMetaData.version: thrift type binary, expected an integer");
}

TEST(ParquetMetadataTest, AnOptionalFieldOfAnotherWireTypeIsSkipped) {
  // A file from an old writer: ColumnMetaData.bloom_filter_length (optional i32) as a list, and
  // index_page_offset (optional i64) as a string. Both skipped; the rest reads.
  std::string bytes;
  ThriftCompactWriter writer(&bytes);
  writer.WriteStructBegin();
  writer.WriteI32Field(1, 1);
  writer.WriteFieldBegin(ThriftType::kList, 2);
  writer.WriteListBegin(ThriftType::kStruct, 0);
  writer.WriteI64Field(3, 7);
  writer.WriteFieldBegin(ThriftType::kList, 4);
  writer.WriteListBegin(ThriftType::kStruct, 1);
  writer.WriteStructBegin();  // RowGroup
  writer.WriteFieldBegin(ThriftType::kList, 1);
  writer.WriteListBegin(ThriftType::kStruct, 1);
  writer.WriteStructBegin();  // ColumnChunk
  writer.WriteI64Field(2, 4);
  writer.WriteStructFieldBegin(3);  // ColumnMetaData
  writer.WriteI32Field(1, 2);       // INT64
  writer.WriteFieldBegin(ThriftType::kList, 2);
  writer.WriteListBegin(ThriftType::kI32, 1);
  writer.WriteI32(0);
  writer.WriteFieldBegin(ThriftType::kList, 3);
  writer.WriteListBegin(ThriftType::kBinary, 1);
  writer.WriteBinary("a");
  writer.WriteI32Field(4, 0);
  writer.WriteI64Field(5, 7);
  writer.WriteI64Field(6, 100);
  writer.WriteI64Field(7, 100);
  writer.WriteI64Field(9, 4);
  writer.WriteBinaryField(10, "not an offset");
  writer.WriteFieldBegin(ThriftType::kList, 15);
  writer.WriteListBegin(ThriftType::kI32, 2);
  writer.WriteI32(1);
  writer.WriteI32(2);
  writer.WriteStructEnd();  // ColumnMetaData
  writer.WriteStructEnd();  // ColumnChunk
  writer.WriteI64Field(2, 100);
  writer.WriteI64Field(3, 7);
  writer.WriteStructEnd();  // RowGroup
  writer.WriteStructEnd();
  auto decoded = Decode(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  const ColumnMetaData& meta = *decoded->row_groups[0].columns[0].meta_data;
  EXPECT_EQ(meta.num_values, 7);
  EXPECT_EQ(meta.data_page_offset, 4);
  EXPECT_FALSE(meta.bloom_filter_length.has_value());
  EXPECT_FALSE(meta.index_page_offset.has_value());
}

// ---- robustness -----------------------------------------------------------------------------

// Every strict prefix of `bytes` fails cleanly (the outer struct never reaches its stop byte).
void ExpectEveryPrefixFails(const std::string& bytes, bool page_header) {
  for (size_t length = 0; length < bytes.size(); ++length) {
    const std::vector<uint8_t> data = Exact(std::string_view(bytes).substr(0, length));
    Status status;
    if (page_header) {
      size_t header_size = 0;
      status = DecodePageHeader(data.data(), data.size(), &header_size).status();
    } else {
      status = DecodeFileMetaData(data.data(), data.size()).status();
    }
    ASSERT_FALSE(status.ok()) << "prefix of " << length << " bytes decoded";
    EXPECT_EQ(status.code(), StatusCode::kDataError);
  }
}

TEST(ParquetMetadataTest, EveryPrefixOfAFooterFails) {
  ExpectEveryPrefixFails(Encode(FullFileMetaData()), false);
  for (bool with_crc : {false, true}) {
    ExpectEveryPrefixFails(Encode(DataPageV1(with_crc)), true);
    ExpectEveryPrefixFails(Encode(DataPageV2(with_crc)), true);
    ExpectEveryPrefixFails(Encode(DictionaryPage(with_crc)), true);
  }
}

// Decodes corrupted copies of `bytes`; a decode that succeeds must re-encode and decode again to
// an equal value.
void FlipBytes(const std::string& bytes, bool page_header, uint32_t seed, int iterations) {
  std::mt19937 random(seed);
  for (int iteration = 0; iteration < iterations; ++iteration) {
    std::string corrupt = bytes;
    const int flips = 1 + static_cast<int>(random() % 4);
    for (int i = 0; i < flips; ++i) {
      const size_t position = random() % corrupt.size();
      switch (random() % 3) {
        case 0:
          corrupt[position] = static_cast<char>(random());
          break;
        case 1:
          corrupt[position] = static_cast<char>(corrupt[position] ^ (1 << (random() % 8)));
          break;
        default:
          corrupt[position] = static_cast<char>(0xFF);
          break;
      }
    }
    if (random() % 4 == 0) corrupt.resize(random() % (corrupt.size() + 1));
    if (page_header) {
      size_t header_size = 0;
      auto decoded = DecodePage(corrupt, &header_size);
      if (!decoded.ok()) {
        EXPECT_EQ(decoded.status().code(), StatusCode::kDataError);
        continue;
      }
      EXPECT_LE(header_size, corrupt.size());
      auto again = DecodePage(Encode(*decoded), &header_size);
      ASSERT_TRUE(again.ok()) << again.status().ToString();
      EXPECT_EQ(*again, *decoded);
    } else {
      auto decoded = Decode(corrupt);
      if (!decoded.ok()) {
        EXPECT_EQ(decoded.status().code(), StatusCode::kDataError);
        continue;
      }
      // Fields sluice does not keep (unknown logical types, encryption flags) vanish in the
      // first round trip; after that the value is stable.
      auto again = Decode(Encode(*decoded));
      ASSERT_TRUE(again.ok()) << again.status().ToString();
      EXPECT_EQ(again->num_rows, decoded->num_rows);
      EXPECT_EQ(again->schema.size(), decoded->schema.size());
      auto third = Decode(Encode(*again));
      ASSERT_TRUE(third.ok()) << third.status().ToString();
      EXPECT_EQ(*third, *again);
    }
  }
}

TEST(ParquetMetadataTest, RandomCorruptionNeverCrashes) {
  FlipBytes(Encode(FullFileMetaData()), false, 20240601, 4000);
  FlipBytes(Encode(DataPageV1(true)), true, 7, 2000);
  FlipBytes(Encode(DataPageV2(false)), true, 8, 2000);
  FlipBytes(Encode(DictionaryPage(true)), true, 9, 1000);
}

// ---- the corpus -----------------------------------------------------------------------------

const fs::path kCorpus = fs::path(SLUICE_CORPUS_DIR) / "parquet";

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// The footer bytes of a Parquet file, or an empty optional when the file has no PAR1 trailer or
// its footer length does not fit.
std::optional<std::string> FooterBytes(const std::string& file) {
  if (file.size() < 12 || file.compare(file.size() - 4, 4, "PAR1") != 0) return std::nullopt;
  uint32_t length = 0;
  for (int i = 0; i < 4; ++i) {
    length |= static_cast<uint32_t>(static_cast<uint8_t>(file[file.size() - 8 + i])) << (8 * i);
  }
  if (length > file.size() - 12) return std::nullopt;
  return file.substr(file.size() - 8 - length, length);
}

struct CorpusEntry {
  std::string file;
  std::string expect;  // read | error | either
  bool has_footer_facts = false;
  int64_t num_rows = 0;
  int64_t num_row_groups = 0;
  std::optional<std::string> created_by;
  std::set<std::string> codecs;
  std::set<std::string> encodings;
};

std::vector<CorpusEntry> LoadIndex() {
  std::vector<CorpusEntry> entries;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.load((kCorpus / "INDEX.json").string()).get(root) != simdjson::SUCCESS) {
    return entries;
  }
  simdjson::dom::array array;
  if (root.get_array().get(array) != simdjson::SUCCESS) return entries;
  for (simdjson::dom::element item : array) {
    CorpusEntry entry;
    std::string_view text;
    if (item["file"].get_string().get(text) != simdjson::SUCCESS) continue;
    entry.file = std::string(text);
    if (item["expect"].get_string().get(text) == simdjson::SUCCESS) entry.expect = text;
    simdjson::dom::object footer;
    if (item["footer"].get_object().get(footer) == simdjson::SUCCESS) {
      entry.has_footer_facts = true;
      int64_t number = 0;
      if (footer["num_rows"].get_int64().get(number) == simdjson::SUCCESS) entry.num_rows = number;
      if (footer["num_row_groups"].get_int64().get(number) == simdjson::SUCCESS) {
        entry.num_row_groups = number;
      }
      if (footer["created_by"].get_string().get(text) == simdjson::SUCCESS) {
        entry.created_by = std::string(text);
      }
      simdjson::dom::array names;
      if (footer["codecs"].get_array().get(names) == simdjson::SUCCESS) {
        for (simdjson::dom::element name : names) {
          if (name.get_string().get(text) == simdjson::SUCCESS) entry.codecs.emplace(text);
        }
      }
      if (footer["encodings"].get_array().get(names) == simdjson::SUCCESS) {
        for (simdjson::dom::element name : names) {
          if (name.get_string().get(text) == simdjson::SUCCESS) entry.encodings.emplace(text);
        }
      }
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

std::string CodecName(CompressionCodec codec) {
  static const char* const kNames[] = {"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO",
                                       "BROTLI",       "LZ4",    "ZSTD", "LZ4_RAW"};
  const auto value = static_cast<int32_t>(codec);
  return value >= 0 && value < 8 ? kNames[value] : "codec " + std::to_string(value);
}

std::string EncodingName(Encoding encoding) {
  static const char* const kNames[] = {
      "PLAIN",          "GROUP_VAR_INT",       "PLAIN_DICTIONARY",        "RLE",
      "BIT_PACKED",     "DELTA_BINARY_PACKED", "DELTA_LENGTH_BYTE_ARRAY", "DELTA_BYTE_ARRAY",
      "RLE_DICTIONARY", "BYTE_STREAM_SPLIT"};
  const auto value = static_cast<int32_t>(encoding);
  return value >= 0 && value < 10 ? kNames[value] : "encoding " + std::to_string(value);
}

// Walks the pages of every column chunk: each header must decode, the pages must tile the chunk
// exactly, and the data pages' value counts must add up to the chunk's num_values.
void CheckPages(const std::string& file, const FileMetaData& metadata, const std::string& name) {
  for (size_t group = 0; group < metadata.row_groups.size(); ++group) {
    for (size_t column = 0; column < metadata.row_groups[group].columns.size(); ++column) {
      const ColumnChunk& chunk = metadata.row_groups[group].columns[column];
      ASSERT_TRUE(chunk.meta_data.has_value()) << name;
      const ColumnMetaData& meta = *chunk.meta_data;
      // The chunk starts at its dictionary page when there is one (an offset of 0 means none),
      // else at the first data page; a chunk of only a dictionary page has data_page_offset 0.
      int64_t start = meta.data_page_offset;
      if (meta.dictionary_page_offset && *meta.dictionary_page_offset > 0 &&
          (start == 0 || *meta.dictionary_page_offset < start)) {
        start = *meta.dictionary_page_offset;
      }
      const int64_t end = start + meta.total_compressed_size;
      ASSERT_GE(start, 4) << name;
      ASSERT_LE(end, static_cast<int64_t>(file.size())) << name;
      int64_t position = start;
      int64_t values = 0;
      int pages = 0;
      while (position < end) {
        size_t header_size = 0;
        auto header =
            DecodePage(std::string_view(file).substr(position, end - position), &header_size);
        ASSERT_TRUE(header.ok()) << name << " row group " << group << " column " << column
                                 << " page " << pages << ": " << header.status().ToString();
        if (header->type == PageType::kDataPage) {
          ASSERT_TRUE(header->data_page_header.has_value()) << name;
          values += header->data_page_header->num_values;
        } else if (header->type == PageType::kDataPageV2) {
          ASSERT_TRUE(header->data_page_header_v2.has_value()) << name;
          values += header->data_page_header_v2->num_values;
        } else if (header->type == PageType::kDictionaryPage) {
          ASSERT_TRUE(header->dictionary_page_header.has_value()) << name;
        }
        // The page header re-encodes to something that decodes to the same value.
        size_t encoded_size = 0;
        auto again = DecodePage(Encode(*header), &encoded_size);
        ASSERT_TRUE(again.ok()) << name;
        EXPECT_EQ(*again, *header) << name;
        position += static_cast<int64_t>(header_size) + header->compressed_page_size;
        ++pages;
      }
      EXPECT_EQ(position, end) << name << " row group " << group << " column " << column;
      EXPECT_EQ(values, meta.num_values) << name << " row group " << group << " column " << column;
    }
  }
}

TEST(ParquetMetadataCorpusTest, FootersMatchTheIndex) {
  if (!fs::exists(kCorpus / "INDEX.json")) {
    GTEST_SKIP() << "Parquet corpus not found at " << kCorpus.string()
                 << " (set -DSLUICE_CORPUS_DIR=...); corpus checks skipped";
  }
  const std::vector<CorpusEntry> entries = LoadIndex();
  ASSERT_GT(entries.size(), 10u) << "INDEX.json could not be read";
  int decoded_files = 0;
  bool saw_alltypes_plain = false;
  for (const CorpusEntry& entry : entries) {
    SCOPED_TRACE(entry.file);
    const std::string file = ReadFile(kCorpus / entry.file);
    ASSERT_FALSE(file.empty());
    const std::optional<std::string> footer = FooterBytes(file);
    if (!footer) {
      // Only the encrypted-footer file (PARE magic) lacks a plain footer.
      EXPECT_EQ(entry.expect, "error");
      continue;
    }
    auto metadata = Decode(*footer);
    const bool corrupt_thrift = entry.file.find("PARQUET-1481") != std::string::npos;
    if (corrupt_thrift) {
      ASSERT_FALSE(metadata.ok()) << "corrupt footer decoded";
      EXPECT_EQ(metadata.status().code(), StatusCode::kDataError);
      EXPECT_NE(metadata.status().message().find("SchemaElement.type: invalid value"),
                std::string::npos)
          << metadata.status().message();
      continue;
    }
    if (entry.expect == "error" && !metadata.ok()) {
      EXPECT_EQ(metadata.status().code(), StatusCode::kDataError);
      continue;
    }
    ASSERT_TRUE(metadata.ok()) << metadata.status().ToString();
    ++decoded_files;
    if (entry.has_footer_facts) {
      EXPECT_EQ(metadata->num_rows, entry.num_rows);
      EXPECT_EQ(static_cast<int64_t>(metadata->row_groups.size()), entry.num_row_groups);
      if (entry.created_by && !entry.created_by->empty()) {
        EXPECT_EQ(metadata->created_by, entry.created_by);
      }
      std::set<std::string> codecs;
      std::set<std::string> encodings;
      for (const RowGroup& row_group : metadata->row_groups) {
        for (const ColumnChunk& chunk : row_group.columns) {
          if (!chunk.meta_data) continue;
          codecs.insert(CodecName(chunk.meta_data->codec));
          for (Encoding encoding : chunk.meta_data->encodings) {
            encodings.insert(EncodingName(encoding));
          }
        }
      }
      EXPECT_EQ(codecs, entry.codecs);
      // The index lists an empty encodings list as [""].
      std::set<std::string> expected_encodings = entry.encodings;
      expected_encodings.erase("");
      EXPECT_EQ(encodings, expected_encodings);
    }
    if (entry.file == "apache-parquet-testing/alltypes_plain.parquet") {
      saw_alltypes_plain = true;
      EXPECT_EQ(metadata->num_rows, 8);
      EXPECT_EQ(metadata->row_groups.size(), 1u);
      ASSERT_TRUE(metadata->created_by.has_value());
      EXPECT_EQ(metadata->created_by->rfind("impala", 0), 0u);
      EXPECT_EQ(metadata->schema.size(), 12u);  // root + 11 columns
      EXPECT_EQ(metadata->schema[0].num_children, 11);
    }
    // Re-encoding is stable: after one normalisation (fields sluice does not keep are gone), a
    // second round trip changes nothing.
    auto first = Decode(Encode(*metadata));
    ASSERT_TRUE(first.ok()) << first.status().ToString();
    EXPECT_EQ(first->num_rows, metadata->num_rows);
    EXPECT_EQ(first->row_groups, metadata->row_groups);
    EXPECT_EQ(first->schema.size(), metadata->schema.size());
    auto second = Decode(Encode(*first));
    ASSERT_TRUE(second.ok()) << second.status().ToString();
    EXPECT_EQ(*second, *first);
    if (entry.expect == "read") CheckPages(file, *metadata, entry.file);
  }
  EXPECT_TRUE(saw_alltypes_plain);
  EXPECT_GT(decoded_files, 40);
}

TEST(ParquetMetadataCorpusTest, RealFootersSurviveTruncationAndCorruption) {
  if (!fs::exists(kCorpus)) {
    GTEST_SKIP() << "Parquet corpus not found at " << kCorpus.string() << "; skipped";
  }
  for (const char* name : {"apache-parquet-testing/alltypes_plain.parquet",
                           "apache-parquet-testing/datapage_v2.snappy.parquet",
                           "duckdb/arrow/column_orders.parquet"}) {
    SCOPED_TRACE(name);
    const std::optional<std::string> footer = FooterBytes(ReadFile(kCorpus / name));
    ASSERT_TRUE(footer.has_value());
    ASSERT_TRUE(Decode(*footer).ok());
    ExpectEveryPrefixFails(*footer, false);
    FlipBytes(*footer, false, 12345, 1000);
  }
}

TEST(ParquetMetadataCorpusTest, ColumnOrdersAndLogicalTypesFromRealFiles) {
  if (!fs::exists(kCorpus)) {
    GTEST_SKIP() << "Parquet corpus not found at " << kCorpus.string() << "; skipped";
  }
  auto decode_file = [](const char* name) -> Result<FileMetaData> {
    const std::optional<std::string> footer = FooterBytes(ReadFile(kCorpus / name));
    if (!footer) return Status::NotFound(name);
    return Decode(*footer);
  };
  auto orders = decode_file("duckdb/arrow/column_orders.parquet");
  ASSERT_TRUE(orders.ok()) << orders.status().ToString();
  EXPECT_GT(orders->column_orders_count, 0);

  auto timestamps = decode_file("duckdb/tz.parquet");
  ASSERT_TRUE(timestamps.ok()) << timestamps.status().ToString();
  bool saw_timestamp = false;
  for (const SchemaElement& element : timestamps->schema) {
    if (element.logical && element.logical->kind == LogicalType::Kind::kTimestamp) {
      saw_timestamp = true;
      EXPECT_TRUE(element.logical->is_adjusted_to_utc);
      EXPECT_EQ(element.logical->unit, TimeUnit::kMillis);
    }
  }
  EXPECT_TRUE(saw_timestamp);

  auto uuid = decode_file("duckdb/arrow/uuid-arrow.parquet");
  ASSERT_TRUE(uuid.ok()) << uuid.status().ToString();
  bool saw_uuid = false;
  for (const SchemaElement& element : uuid->schema) {
    if (element.logical && element.logical->kind == LogicalType::Kind::kUUID) saw_uuid = true;
  }
  EXPECT_TRUE(saw_uuid);
}

}  // namespace
}  // namespace sluice::parquet

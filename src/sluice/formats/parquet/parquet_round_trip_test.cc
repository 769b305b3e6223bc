// Writer → reader round trips over every sluice type, codec and encoding path, plus projection,
// row-group skipping and damaged files.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/decimal.h"
#include "sluice/columnar/value_formatter.h"
#include "sluice/formats/parquet/parquet_reader.h"
#include "sluice/formats/parquet/parquet_writer.h"

namespace sluice::parquet {
namespace {

using columnar::DataType;
using columnar::Field;
using columnar::Int128;

// Every type, nullable and not.
columnar::SchemaPtr AllTypesSchema() {
  return std::make_shared<const columnar::Schema>(std::vector<Field>{
      {"b", DataType::Bool(), true},
      {"i32", DataType::Int32(), true},
      {"i64", DataType::Int64(), false},
      {"f64", DataType::Float64(), true},
      {"d9", DataType::Decimal(9, 2), true},
      {"d18", DataType::Decimal(18, 4), true},
      {"d38", DataType::Decimal(38, 10), true},
      {"d20", DataType::Decimal(20, 0), true},
      {"s", DataType::String(), true},
      {"bin", DataType::Binary(), true},
      {"date", DataType::Date(), true},
      {"time", DataType::Time(), true},
      {"ts", DataType::Timestamp(), true},
      {"j", DataType::Json(), true},
      {"req_s", DataType::String(), false},
  });
}

// Deterministic rows: nulls every few rows, extremes at fixed positions, unicode and empty strings.
columnar::BatchPtr MakeBatch(const columnar::SchemaPtr& schema, int64_t begin, int64_t rows,
                             int distinct) {
  std::vector<std::unique_ptr<columnar::ColumnBuilder>> builders;
  for (const Field& field : schema->fields()) builders.push_back(columnar::MakeBuilder(field.type));
  const std::string unicode[] = {
      "",     "héllo", "日本語", "emoji 🚀", "a\"quote", "tab\there", std::string("nul\0byte", 8),
      "plain"};
  for (int64_t r = begin; r < begin + rows; ++r) {
    const int64_t k = r % distinct;
    for (size_t c = 0; c < builders.size(); ++c) {
      auto* builder = builders[c].get();
      const Field& field = schema->field(c);
      if (field.nullable && (r + static_cast<int64_t>(c)) % 7 == 3) {
        builder->AppendNull();
        continue;
      }
      switch (field.type.id()) {
        case columnar::TypeId::kBool:
          static_cast<columnar::BooleanBuilder*>(builder)->Append(k % 3 == 0);
          break;
        case columnar::TypeId::kInt32: {
          int32_t v = static_cast<int32_t>(k * 7919 - 50000);
          if (r == 1) v = std::numeric_limits<int32_t>::min();
          if (r == 2) v = std::numeric_limits<int32_t>::max();
          static_cast<columnar::Int32Builder*>(builder)->Append(v);
          break;
        }
        case columnar::TypeId::kInt64: {
          int64_t v = k * 1000003 - 7;
          if (r == 1) v = std::numeric_limits<int64_t>::min();
          if (r == 2) v = std::numeric_limits<int64_t>::max();
          static_cast<columnar::Int64Builder*>(builder)->Append(v);
          break;
        }
        case columnar::TypeId::kFloat64: {
          double v = static_cast<double>(k) / 3.0 - 10;
          if (r == 1) v = -0.0;
          if (r == 2) v = std::numeric_limits<double>::max();
          if (r == 4) v = std::numeric_limits<double>::denorm_min();
          if (r == 5) v = -std::numeric_limits<double>::infinity();
          static_cast<columnar::Float64Builder*>(builder)->Append(v);
          break;
        }
        case columnar::TypeId::kDecimal: {
          const int precision = field.type.precision();
          Int128 v = static_cast<Int128>(k * 12345 - 99999);
          if (r == 1) v = columnar::MaxUnscaled(precision);
          if (r == 2) v = -columnar::MaxUnscaled(precision);
          static_cast<columnar::DecimalBuilder*>(builder)->Append(v);
          break;
        }
        case columnar::TypeId::kString:
        case columnar::TypeId::kBinary: {
          std::string v = unicode[k % 8] + std::to_string(k);
          if (k % 5 == 0) v = unicode[k % 8];
          if (r == 6) v = std::string(200, 'x');  // longer than statistics keep
          static_cast<columnar::StringBuilder*>(builder)->Append(v);
          break;
        }
        case columnar::TypeId::kDate:
          static_cast<columnar::Int32Builder*>(builder)->Append(static_cast<int32_t>(k - 20000));
          break;
        case columnar::TypeId::kTime:
          static_cast<columnar::Int64Builder*>(builder)->Append((k * 1000001) % 86400000000ll);
          break;
        case columnar::TypeId::kTimestamp:
          static_cast<columnar::Int64Builder*>(builder)->Append(k * 3600000001ll - 10);
          break;
        case columnar::TypeId::kJson:
          static_cast<columnar::StringBuilder*>(builder)->Append("{\"k\":" + std::to_string(k) +
                                                                 ",\"a\":[1,2]}");
          break;
      }
    }
  }
  std::vector<columnar::ColumnPtr> columns;
  for (auto& builder : builders) columns.push_back(builder->Finish());
  return std::make_shared<const columnar::Batch>(schema, std::move(columns), rows);
}

// Every cell as text, row by row.
std::vector<std::string> Cells(const columnar::Batch& batch) {
  std::vector<std::string> cells;
  for (int64_t r = 0; r < batch.num_rows(); ++r) {
    std::string row;
    for (size_t c = 0; c < batch.num_columns(); ++c) {
      if (batch.column(c).IsNull(r)) {
        row += "NULL";
      } else {
        columnar::AppendValue(batch.column(c), r, columnar::ValueStyle::kJson, &row);
      }
      row += "|";
    }
    cells.push_back(std::move(row));
  }
  return cells;
}

std::string Write(const columnar::SchemaPtr& schema, const std::vector<columnar::BatchPtr>& batches,
                  const ParquetWriteOptions& options) {
  std::string file;
  auto writer =
      ParquetWriter::Open(io::MakeStringOutputStream(&file, "test.parquet"), schema, options);
  EXPECT_TRUE(writer.ok()) << writer.status().ToString();
  for (const auto& batch : batches) {
    Status status = (*writer)->Write(*batch);
    EXPECT_TRUE(status.ok()) << status.ToString();
  }
  auto summary = (*writer)->Close();
  EXPECT_TRUE(summary.ok()) << summary.status().ToString();
  return file;
}

struct ReadResult {
  columnar::SchemaPtr schema;
  std::vector<std::string> cells;
  int64_t skipped = 0;
  FileMetaData metadata;
};

Result<ReadResult> Read(const std::string& file, ParquetReadOptions options = {}) {
  SLUICE_ASSIGN_OR_RETURN(
      auto reader, ParquetReader::Open(std::shared_ptr<io::RandomAccessFile>(
                                           io::MakeMemoryRandomAccessFile(file, "t.parquet")),
                                       options));
  ReadResult result;
  result.schema = reader->schema();
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(auto batch, reader->Next());
    if (!batch) break;
    auto cells = Cells(*batch);
    result.cells.insert(result.cells.end(), cells.begin(), cells.end());
  }
  result.skipped = reader->row_groups_skipped();
  result.metadata = reader->metadata();
  return result;
}

std::vector<std::string> Expected(const std::vector<columnar::BatchPtr>& batches) {
  std::vector<std::string> cells;
  for (const auto& batch : batches) {
    auto more = Cells(*batch);
    cells.insert(cells.end(), more.begin(), more.end());
  }
  return cells;
}

class RoundTrip : public ::testing::TestWithParam<io::Codec> {};

TEST_P(RoundTrip, EveryTypeSurvives) {
  const auto schema = AllTypesSchema();
  std::vector<columnar::BatchPtr> batches = {MakeBatch(schema, 0, 1000, 50),
                                             MakeBatch(schema, 1000, 3000, 50)};
  ParquetWriteOptions options;
  options.codec = GetParam();
  const std::string file = Write(schema, batches, options);
  auto result = Read(file);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(*result->schema, *schema);
  EXPECT_EQ(result->cells, Expected(batches));
}

INSTANTIATE_TEST_SUITE_P(Codecs, RoundTrip,
                         ::testing::Values(io::Codec::kNone, io::Codec::kSnappy, io::Codec::kGzip,
                                           io::Codec::kZstd, io::Codec::kLZ4Raw,
                                           io::Codec::kBrotli));

TEST(ParquetRoundTrip, DictionaryFallbackSmallPagesAndManyRowGroups) {
  const auto schema = AllTypesSchema();
  std::vector<columnar::BatchPtr> batches;
  for (int i = 0; i < 6; ++i) batches.push_back(MakeBatch(schema, i * 5000, 5000, 100000));
  ParquetWriteOptions options;
  options.dictionary_bytes = 2000;  // falls back to PLAIN after the first pages
  options.page_bytes = 4096;
  options.row_group_bytes = 200000;
  options.threads = 2;
  const std::string file = Write(schema, batches, options);
  auto result = Read(file);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->cells, Expected(batches));
  EXPECT_GT(result->metadata.row_groups.size(), 2u);
  // Some chunk used both encodings.
  bool mixed = false;
  for (const auto& group : result->metadata.row_groups) {
    for (const auto& chunk : group.columns) {
      const auto& encodings = chunk.meta_data->encodings;
      const bool dictionary = std::find(encodings.begin(), encodings.end(),
                                        Encoding::kRLEDictionary) != encodings.end();
      int plain_pages = 0;
      for (const auto& stats : chunk.meta_data->encoding_stats) {
        if (stats.encoding == Encoding::kPlain && stats.page_type == PageType::kDataPage) {
          plain_pages += stats.count;
        }
      }
      mixed |= dictionary && plain_pages > 0;
    }
  }
  EXPECT_TRUE(mixed);
}

TEST(ParquetRoundTrip, NoDictionaryAtAll) {
  const auto schema = AllTypesSchema();
  std::vector<columnar::BatchPtr> batches = {MakeBatch(schema, 0, 2500, 7)};
  ParquetWriteOptions options;
  options.enable_dictionary = false;
  auto result = Read(Write(schema, batches, options));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->cells, Expected(batches));
}

TEST(ParquetRoundTrip, EmptyFileHasSchemaAndNoRows) {
  const auto schema = AllTypesSchema();
  auto result = Read(Write(schema, {}, ParquetWriteOptions{}));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(*result->schema, *schema);
  EXPECT_TRUE(result->cells.empty());
  EXPECT_EQ(result->metadata.num_rows, 0);
}

TEST(ParquetRoundTrip, AllNullColumn) {
  auto schema = std::make_shared<const columnar::Schema>(
      std::vector<Field>{{"x", DataType::Int64(), true}, {"s", DataType::String(), true}});
  columnar::Int64Builder ints(DataType::Int64());
  columnar::StringBuilder strings;
  for (int i = 0; i < 100; ++i) {
    ints.AppendNull();
    strings.AppendNull();
  }
  auto batch = std::make_shared<const columnar::Batch>(
      schema, std::vector<columnar::ColumnPtr>{ints.Finish(), strings.Finish()}, 100);
  auto result = Read(Write(schema, {batch}, ParquetWriteOptions{}));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->cells.size(), 100u);
  EXPECT_EQ(result->cells[0], "NULL|NULL|");
  const auto& stats = *result->metadata.row_groups[0].columns[0].meta_data->statistics;
  EXPECT_EQ(stats.null_count, 100);
  EXPECT_FALSE(stats.min_value.has_value());
}

TEST(ParquetRoundTrip, OnlyEmptyStrings) {
  // A dictionary whose one value is empty: gathering copies zero bytes from an empty buffer.
  auto schema =
      std::make_shared<const columnar::Schema>(std::vector<Field>{{"s", DataType::String(), true}});
  columnar::StringBuilder strings;
  for (int i = 0; i < 50; ++i) {
    if (i % 10 == 9) {
      strings.AppendNull();
    } else {
      strings.Append("");
    }
  }
  auto batch = std::make_shared<const columnar::Batch>(
      schema, std::vector<columnar::ColumnPtr>{strings.Finish()}, 50);
  auto result = Read(Write(schema, {batch}, ParquetWriteOptions{}));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->cells, Expected({batch}));
  EXPECT_EQ(result->cells[0], "\"\"|");
  EXPECT_EQ(result->cells[9], "NULL|");
}

TEST(ParquetRoundTrip, StatisticsUseUnsignedByteOrderAndSignedDecimals) {
  auto schema = std::make_shared<const columnar::Schema>(
      std::vector<Field>{{"s", DataType::String(), false}, {"d", DataType::Decimal(30, 0), false}});
  columnar::StringBuilder strings;
  columnar::DecimalBuilder decimals(DataType::Decimal(30, 0));
  for (const char* value : {"b", "\xc3\xa9", "a", "Z"}) strings.Append(value);
  for (int value : {5, -300, 7, 0}) decimals.Append(value);
  auto batch = std::make_shared<const columnar::Batch>(
      schema, std::vector<columnar::ColumnPtr>{strings.Finish(), decimals.Finish()}, 4);
  auto result = Read(Write(schema, {batch}, ParquetWriteOptions{}));
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  const auto& s = *result->metadata.row_groups[0].columns[0].meta_data->statistics;
  EXPECT_EQ(*s.min_value, "Z");
  EXPECT_EQ(*s.max_value, "\xc3\xa9");
  const auto& d = *result->metadata.row_groups[0].columns[1].meta_data->statistics;
  ASSERT_EQ(d.min_value->size(), 13u);                       // decimal(30) needs 13 bytes
  EXPECT_EQ(static_cast<uint8_t>((*d.min_value)[0]), 0xff);  // -300 is the minimum
  EXPECT_EQ(static_cast<uint8_t>((*d.max_value)[12]), 7);
}

TEST(ParquetRoundTrip, ProjectionReadsOnlyTheNamedColumnsInOrder) {
  const auto schema = AllTypesSchema();
  std::vector<columnar::BatchPtr> batches = {MakeBatch(schema, 0, 500, 20)};
  const std::string file = Write(schema, batches, ParquetWriteOptions{});
  ParquetReadOptions options;
  options.columns = {"ts", "s"};
  auto result = Read(file, options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->schema->num_fields(), 2u);
  EXPECT_EQ(result->schema->field(0).name, "ts");
  EXPECT_EQ(result->schema->field(1).name, "s");
  ASSERT_EQ(result->cells.size(), 500u);
  options.columns = {"nope"};
  auto missing = Read(file, options);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status().message().find("nope"), std::string::npos);
}

TEST(ParquetRoundTrip, RowGroupsAreSkippedByStatistics) {
  auto schema = std::make_shared<const columnar::Schema>(
      std::vector<Field>{{"id", DataType::Int64(), false}, {"name", DataType::String(), false}});
  std::vector<columnar::BatchPtr> batches;
  for (int g = 0; g < 4; ++g) {
    columnar::Int64Builder ids(DataType::Int64());
    columnar::StringBuilder names;
    for (int i = 0; i < 1000; ++i) {
      ids.Append(g * 1000 + i);
      names.Append(std::string(1, static_cast<char>('a' + g)) + std::to_string(i));
    }
    batches.push_back(std::make_shared<const columnar::Batch>(
        schema, std::vector<columnar::ColumnPtr>{ids.Finish(), names.Finish()}, 1000));
  }
  ParquetWriteOptions write;
  write.row_group_bytes = 1;  // one row group per batch
  const std::string file = Write(schema, batches, write);
  auto read_with = [&](RowGroupFilter filter) {
    ParquetReadOptions options;
    options.filters = {filter};
    return Read(file, options);
  };
  auto equal = read_with({"id", RowGroupFilter::Op::kEqual, "2500"});
  ASSERT_TRUE(equal.ok()) << equal.status().ToString();
  EXPECT_EQ(equal->skipped, 3);
  EXPECT_EQ(equal->cells.size(), 1000u);
  EXPECT_EQ(equal->cells[0], "2000|\"c0\"|");
  auto greater = read_with({"id", RowGroupFilter::Op::kGreaterEqual, "1999"});
  ASSERT_TRUE(greater.ok());
  EXPECT_EQ(greater->skipped, 1);
  auto less = read_with({"name", RowGroupFilter::Op::kLess, "b"});
  ASSERT_TRUE(less.ok());
  EXPECT_EQ(less->skipped, 3);
  auto none = read_with({"id", RowGroupFilter::Op::kGreater, "100000"});
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->skipped, 4);
  EXPECT_TRUE(none->cells.empty());
  auto not_null = read_with({"id", RowGroupFilter::Op::kIsNull, ""});
  ASSERT_TRUE(not_null.ok());
  EXPECT_EQ(not_null->skipped, 4);
  auto bad = read_with({"id", RowGroupFilter::Op::kEqual, "abc"});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
}

TEST(ParquetRoundTrip, RowGroupsAreSkippedByWideDecimalStatistics) {
  // decimal(30,2) is stored as FIXED_LEN_BYTE_ARRAY; its statistics are big-endian.
  auto schema = std::make_shared<const columnar::Schema>(
      std::vector<Field>{{"amount", DataType::Decimal(30, 2), false}});
  std::vector<columnar::BatchPtr> batches;
  for (int g = 0; g < 4; ++g) {
    columnar::DecimalBuilder amounts(DataType::Decimal(30, 2));
    for (int i = 0; i < 100; ++i) amounts.Append((g - 2) * 100000 + i);  // -2000.00 .. 1000.99
    batches.push_back(std::make_shared<const columnar::Batch>(
        schema, std::vector<columnar::ColumnPtr>{amounts.Finish()}, 100));
  }
  ParquetWriteOptions write;
  write.row_group_bytes = 1;
  const std::string file = Write(schema, batches, write);
  ParquetReadOptions options;
  options.filters = {{"amount", RowGroupFilter::Op::kLess, "-999.5"}};
  auto negative = Read(file, options);
  ASSERT_TRUE(negative.ok()) << negative.status().ToString();
  EXPECT_EQ(negative->skipped, 2);  // only the groups starting at -2000.00 and -1000.00 remain
  EXPECT_EQ(negative->cells.front(), "-2000.00|");
  options.filters = {{"amount", RowGroupFilter::Op::kEqual, "1000.50"}};
  auto equal = Read(file, options);
  ASSERT_TRUE(equal.ok());
  EXPECT_EQ(equal->skipped, 3);
}

TEST(ParquetRoundTrip, TruncatedAndCorruptFilesFailCleanly) {
  const auto schema = AllTypesSchema();
  std::vector<columnar::BatchPtr> batches = {MakeBatch(schema, 0, 300, 20)};
  ParquetWriteOptions options;
  options.page_bytes = 512;
  const std::string file = Write(schema, batches, options);
  ASSERT_TRUE(Read(file).ok());
  // Every truncation fails (the footer moves), never crashes.
  for (size_t length = 0; length < file.size(); length += 7) {
    EXPECT_FALSE(Read(file.substr(0, length)).ok()) << length;
  }
  // Random byte flips: an error or a successful read, never a crash or a hang.
  std::mt19937 random(42);
  int failures = 0;
  for (int round = 0; round < 400; ++round) {
    std::string damaged = file;
    for (int flips = 0; flips < 3; ++flips) {
      damaged[random() % damaged.size()] = static_cast<char>(random());
    }
    failures += !Read(damaged).ok();
  }
  EXPECT_GT(failures, 0);
}

}  // namespace
}  // namespace sluice::parquet

#include "sluice/lake/file_statistics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/decimal.h"
#include "sluice/columnar/temporal.h"
#include "sluice/lake/delta_schema.h"

namespace sluice::lake {
namespace {

using columnar::Batch;
using columnar::ColumnPtr;
using columnar::DataType;
using columnar::Field;
using columnar::Int128;
using columnar::Schema;
using columnar::SchemaPtr;

template <typename Builder, typename T>
ColumnPtr Build(DataType type, const std::vector<std::optional<T>>& values) {
  Builder builder(type);
  for (const std::optional<T>& value : values) {
    if (value) {
      builder.Append(*value);
    } else {
      builder.AppendNull();
    }
  }
  return builder.Finish();
}

ColumnPtr Int32s(const std::vector<std::optional<int32_t>>& values,
                 DataType type = DataType::Int32()) {
  return Build<columnar::Int32Builder>(type, values);
}
ColumnPtr Int64s(const std::vector<std::optional<int64_t>>& values,
                 DataType type = DataType::Int64()) {
  return Build<columnar::Int64Builder>(type, values);
}
ColumnPtr Doubles(const std::vector<std::optional<double>>& values) {
  return Build<columnar::Float64Builder>(DataType::Float64(), values);
}
ColumnPtr Strings(const std::vector<std::optional<std::string>>& values,
                  DataType type = DataType::String()) {
  columnar::StringBuilder builder(type);
  for (const auto& value : values) {
    if (value) {
      builder.Append(*value);
    } else {
      builder.AppendNull();
    }
  }
  return builder.Finish();
}
ColumnPtr Bools(const std::vector<std::optional<bool>>& values) {
  columnar::BooleanBuilder builder;
  for (const auto& value : values) {
    if (value) {
      builder.Append(*value);
    } else {
      builder.AppendNull();
    }
  }
  return builder.Finish();
}

Int128 Unscaled(std::string_view text, DataType type) {
  Int128 value = 0;
  EXPECT_EQ(columnar::ParseDecimal(text, type.precision(), type.scale(), &value),
            columnar::DecimalParseError::kOk)
      << text;
  return value;
}
ColumnPtr Decimals(const std::vector<std::optional<std::string>>& values, DataType type) {
  std::vector<std::optional<Int128>> unscaled;
  for (const auto& value : values) {
    unscaled.push_back(value ? std::optional<Int128>(Unscaled(*value, type)) : std::nullopt);
  }
  return Build<columnar::DecimalBuilder>(type, unscaled);
}

int32_t Days(std::string_view text) {
  int32_t days = 0;
  EXPECT_TRUE(columnar::ParseDate(text, columnar::DateOrder::kYMD, &days)) << text;
  return days;
}
int64_t Micros(std::string_view text) {
  int64_t micros = 0;
  EXPECT_TRUE(columnar::ParseTimestamp(text, columnar::DateOrder::kYMD, &micros)) << text;
  return micros;
}

Batch MakeBatch(SchemaPtr schema, std::vector<ColumnPtr> columns) {
  const int64_t rows = columns.empty() ? 0 : columns[0]->length();
  return Batch(std::move(schema), std::move(columns), rows);
}

TEST(StatsCollectorTest, WritesSparkShapedJson) {
  const DataType price_type = DataType::Decimal(10, 2);
  auto schema = std::make_shared<const Schema>(std::vector<Field>{
      {"id", DataType::Int64(), false},
      {"name", DataType::String(), true},
      {"price", price_type, true},
      {"day", DataType::Date(), true},
      {"at", DataType::Timestamp(), true},
      {"flag", DataType::Bool(), true},
      {"score", DataType::Float64(), true},
      {"clock", DataType::Time(), true},
      {"qty", DataType::Int32(), true},
  });
  StatsCollector collector(schema);
  collector.Update(MakeBatch(
      schema,
      {Int64s({3, 1, 2}), Strings({"b", std::nullopt, "a\"\n"}),
       Decimals({"12.5", "-0.05", std::nullopt}, price_type),
       Int32s({Days("2024-01-31"), std::nullopt, Days("2023-12-01")}, DataType::Date()),
       Int64s({Micros("2024-01-02T03:04:05.123456Z"), Micros("1969-12-31T23:59:59.9995Z"),
               Micros("2024-01-02T03:04:05.123999Z")},
              DataType::Timestamp()),
       Bools({true, std::nullopt, false}), Doubles({1.5, std::nan(""), std::nullopt}),
       Int64s({std::nullopt, std::nullopt, std::nullopt}, DataType::Time()), Int32s({-7, 7, 0})}));
  EXPECT_EQ(collector.num_records(), 3);
  EXPECT_EQ(collector.ToJson(),
            R"j({"numRecords":3,)j"
            R"j("minValues":{"id":1,"name":"a\"\n","price":-0.05,"day":"2023-12-01",)j"
            R"j("at":"1969-12-31T23:59:59.999Z","score":1.5,"qty":-7},)j"
            R"j("maxValues":{"id":3,"name":"b","price":12.50,"day":"2024-01-31",)j"
            R"j("at":"2024-01-02T03:04:05.123Z","score":1.5,"qty":7},)j"
            R"j("nullCount":{"id":0,"name":1,"price":1,"day":1,"at":0,"flag":1,"score":1,)j"
            R"j("clock":3,"qty":0}})j");
}

TEST(StatsCollectorTest, MergesBatchesAndSkipsNaNAndNullOnlyColumns) {
  auto schema = std::make_shared<const Schema>(std::vector<Field>{{"x", DataType::Float64()},
                                                                  {"nan", DataType::Float64()},
                                                                  {"t", DataType::Time()},
                                                                  {"s", DataType::String()},
                                                                  {"j", DataType::Json()},
                                                                  {"b", DataType::Binary()}});
  StatsCollector collector(schema);
  EXPECT_EQ(collector.ToJson(), R"j({"numRecords":0,"minValues":{},"maxValues":{},)j"
                                R"j("nullCount":{"x":0,"nan":0,"t":0,"s":0,"j":0,"b":0}})j");
  const double nan = std::numeric_limits<double>::quiet_NaN();
  collector.Update(MakeBatch(
      schema, {Doubles({nan, 2.25, std::nullopt}), Doubles({nan, std::nullopt, nan}),
               Int64s({std::nullopt, 5, 3}, DataType::Time()), Strings({"m", "k", std::nullopt}),
               Strings({"{}", std::nullopt, "[1]"}, DataType::Json()),
               Strings({"\x01", "\xff", std::nullopt}, DataType::Binary())}));
  collector.Update(MakeBatch(schema, {Doubles({-1e300, nan}), Doubles({nan, nan}),
                                      Int64s({86399999999, 0}, DataType::Time()),
                                      Strings({"z", "a"}), Strings({"1", "2"}, DataType::Json()),
                                      Strings({std::nullopt, std::nullopt}, DataType::Binary())}));
  // An empty batch changes nothing.
  collector.Update(
      MakeBatch(schema, {Doubles({}), Doubles({}), Int64s({}, DataType::Time()), Strings({}),
                         Strings({}, DataType::Json()), Strings({}, DataType::Binary())}));
  EXPECT_EQ(collector.num_records(), 5);
  EXPECT_EQ(collector.ToJson(), R"j({"numRecords":5,"minValues":{"x":-1e+300,"t":0,"s":"a"},)j"
                                R"j("maxValues":{"x":2.25,"t":86399999999,"s":"z"},)j"
                                R"j("nullCount":{"x":1,"nan":1,"t":1,"s":1,"j":1,"b":3}})j");
}

TEST(StatsCollectorTest, InfiniteBoundsAreOmitted) {
  auto schema = std::make_shared<const Schema>(std::vector<Field>{{"x", DataType::Float64()}});
  StatsCollector collector(schema);
  collector.Update(MakeBatch(schema, {Doubles({-INFINITY, 4.0})}));
  EXPECT_EQ(collector.ToJson(),
            R"j({"numRecords":2,"minValues":{},"maxValues":{"x":4},"nullCount":{"x":0}})j");
}

TEST(StatsCollectorTest, DatesOutsideFourDigitYearsGetNoBound) {
  auto schema = std::make_shared<const Schema>(
      std::vector<Field>{{"d", DataType::Date()}, {"ts", DataType::Timestamp()}});
  StatsCollector collector(schema);
  const int32_t year_10000 = columnar::DaysFromCivil(10000, 1, 1);
  const int64_t year_0 = int64_t{columnar::DaysFromCivil(0, 12, 31)} * columnar::kMicrosPerDay;
  collector.Update(MakeBatch(
      schema, {Int32s({Days("9999-12-31"), year_10000, Days("0001-01-01")}, DataType::Date()),
               Int64s({year_0, Micros("9999-12-31T23:59:59.999999Z"), 0}, DataType::Timestamp())}));
  EXPECT_EQ(collector.ToJson(),
            R"j({"numRecords":3,"minValues":{"d":"0001-01-01"},)j"
            R"j("maxValues":{"ts":"9999-12-31T23:59:59.999Z"},"nullCount":{"d":0,"ts":0}})j");
}

TEST(StatsCollectorTest, IndexedColumnsLimit) {
  auto schema = std::make_shared<const Schema>(std::vector<Field>{
      {"a", DataType::Int32()}, {"b", DataType::Int32()}, {"c", DataType::Int32()}});
  const Batch batch = MakeBatch(schema, {Int32s({1}), Int32s({2}), Int32s({std::nullopt})});
  StatsCollector two(schema, 2);
  two.Update(batch);
  EXPECT_EQ(two.ToJson(),
            R"j({"numRecords":1,"minValues":{"a":1,"b":2},"maxValues":{"a":1,"b":2},)j"
            R"j("nullCount":{"a":0,"b":0}})j");
  StatsCollector all(schema, -1);
  all.Update(batch);
  EXPECT_EQ(all.ToJson(),
            R"j({"numRecords":1,"minValues":{"a":1,"b":2},"maxValues":{"a":1,"b":2},)j"
            R"j("nullCount":{"a":0,"b":0,"c":1}})j");
  StatsCollector none(schema, 0);
  none.Update(batch);
  EXPECT_EQ(none.ToJson(), R"j({"numRecords":1,"minValues":{},"maxValues":{},"nullCount":{}})j");

  // A column of the wrong type keeps its null count and loses min/max.
  StatsCollector mismatched(schema);
  mismatched.Update(MakeBatch(schema, {Int64s({5, std::nullopt}), Int32s({1, 2}), Int32s({3, 4})}));
  EXPECT_EQ(mismatched.ToJson(),
            R"j({"numRecords":2,"minValues":{"b":1,"c":3},"maxValues":{"b":2,"c":4},)j"
            R"j("nullCount":{"a":1,"b":0,"c":0}})j");
}

// ---- String truncation (Spark's StatsCollectionSuite vectors, padded to the 32-unit prefix) ----

struct StringBounds {
  std::optional<std::string> min;
  std::optional<std::string> max;
};

StringBounds CollectStrings(const std::vector<std::optional<std::string>>& values) {
  auto schema = std::make_shared<const Schema>(std::vector<Field>{{"s", DataType::String()}});
  StatsCollector collector(schema);
  collector.Update(MakeBatch(schema, {Strings(values)}));
  const nlohmann::json json = nlohmann::json::parse(collector.ToJson());
  StringBounds bounds;
  if (json["minValues"].contains("s")) bounds.min = json["minValues"]["s"].get<std::string>();
  if (json["maxValues"].contains("s")) bounds.max = json["maxValues"]["s"].get<std::string>();
  return bounds;
}

const std::string kUtf8Max = "\xF4\x8F\xBF\xBF";  // U+10FFFF
const std::string kReplacement = "\xEF\xBF\xBD";  // U+FFFD

TEST(StatsCollectorTest, TruncatesStringsLikeSpark) {
  struct Case {
    int pad;  // ASCII characters put in front so that Spark's prefix length maps onto 32
    std::string input;
    std::optional<std::string> expected_max;
  };
  const std::string r = kReplacement;
  const std::vector<Case> cases = {
      {30, "a" + kUtf8Max + "d", "a" + kUtf8Max + "\x7F"},
      {26, "abcdef", "abcdef"},
      {26, "abcd" + r + "abcd", "abcd" + r + "a\x7F"},
      {26, r + "abcd", r + "abcd"},
      {26, "abcdef" + r, "abcdef" + kUtf8Max},
      {26, "abcdef" + r + r, "abcdef" + kUtf8Max},
      {26, "abcdef-abcdef" + r, "abcdef\x7F"},
      {26, "abcdef" + r + "abcdef", "abcdef" + kUtf8Max},
      {26, "abcde" + r + "abcdef" + r + "abcdef" + r + "abcdef", "abcde" + r + "\x7F"},
      {26, "漢字仮名한글தமி", "漢字仮名한글" + kUtf8Max},
      {26, "漢字仮名한글", "漢字仮名한글"},
      {26, "abcdef🚀", "abcdef" + kUtf8Max},
      {0, "abcdefghijklm💞😉💕\n🥀🌹💐🌺🌷🌼🌻🌷🥀",
       "abcdefghijklm💞😉💕\n🥀🌹💐🌺🌷🌼" + kUtf8Max},
      {0, "abcdefghijklmnopqrstuvwxyz0123456789", "abcdefghijklmnopqrstuvwxyz012345\x7F"},
  };
  for (const Case& c : cases) {
    const std::string pad(static_cast<size_t>(c.pad), 'x');
    const std::string input = pad + c.input;
    const StringBounds bounds = CollectStrings({input});
    ASSERT_TRUE(bounds.max.has_value()) << input;
    EXPECT_EQ(*bounds.max, pad + *c.expected_max) << input;
    EXPECT_GE(*bounds.max, input);
    ASSERT_TRUE(bounds.min.has_value());
    EXPECT_EQ(input.substr(0, bounds.min->size()), *bounds.min);
  }
  // Too many U+10FFFF characters after the prefix: no upper bound short enough, so none.
  std::string maxes;
  for (int i = 0; i < 40; ++i) maxes += kUtf8Max;
  const StringBounds bounds = CollectStrings({std::string(31, 'x') + maxes});
  EXPECT_FALSE(bounds.max.has_value());
  // The min keeps 32 units without splitting the surrogate pair: 31 + one 2-unit character.
  ASSERT_TRUE(bounds.min.has_value());
  EXPECT_EQ(*bounds.min, std::string(31, 'x') + kUtf8Max);
}

TEST(StatsCollectorTest, StringMinCutsAtCharacterBoundariesAndMaxBoundsEveryValue) {
  std::vector<std::optional<std::string>> values;
  std::string long_accented;
  for (int i = 0; i < 40; ++i) long_accented += "é";
  values.push_back(long_accented);
  values.push_back(long_accented + "z");
  values.push_back("émile");
  values.push_back(std::nullopt);
  const StringBounds bounds = CollectStrings(values);
  ASSERT_TRUE(bounds.min && bounds.max);
  EXPECT_EQ(*bounds.min, "émile");
  std::string prefix;
  for (int i = 0; i < 32; ++i) prefix += "é";
  EXPECT_EQ(*bounds.max, prefix + kUtf8Max);
  for (const auto& value : values) {
    if (value) {
      EXPECT_LE(*bounds.min, *value);
      EXPECT_GE(*bounds.max, *value);
    }
  }
  // Invalid UTF-8 yields no bound rather than a bound a reader would mangle.
  const StringBounds invalid = CollectStrings({std::string("ok"), std::string("\xff\xfe")});
  EXPECT_TRUE(invalid.min.has_value());
  EXPECT_FALSE(invalid.max.has_value());
}

// ---- Round trip: ParseStats(ToJson()) bounds every value ----

TEST(FileStatisticsTest, RoundTripBoundsEveryValueOfEveryType) {
  const DataType decimal_type = DataType::Decimal(38, 6);
  auto schema = std::make_shared<const Schema>(std::vector<Field>{{"i32", DataType::Int32()},
                                                                  {"i64", DataType::Int64()},
                                                                  {"f64", DataType::Float64()},
                                                                  {"dec", decimal_type},
                                                                  {"str", DataType::String()},
                                                                  {"date", DataType::Date()},
                                                                  {"time", DataType::Time()},
                                                                  {"ts", DataType::Timestamp()},
                                                                  {"bool", DataType::Bool()},
                                                                  {"bin", DataType::Binary()},
                                                                  {"json", DataType::Json()}});
  StatsCollector collector(schema);
  std::vector<Batch> batches;
  uint64_t state = 12345;
  const auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 11;
  };
  const char* pieces[] = {"a", "Z", "é", "漢", "🚀", "\x7f", "", "zz"};
  for (int b = 0; b < 4; ++b) {
    const int rows = b == 3 ? 1 : 500;
    std::vector<std::unique_ptr<columnar::ColumnBuilder>> builders;
    for (const Field& field : schema->fields())
      builders.push_back(columnar::MakeBuilder(field.type));
    for (int row = 0; row < rows; ++row) {
      for (size_t c = 0; c < builders.size(); ++c) {
        columnar::ColumnBuilder* builder = builders[c].get();
        if (next() % 10 == 0) {
          builder->AppendNull();
          continue;
        }
        const uint64_t r = next();
        const int64_t signed_r = static_cast<int64_t>(r) - (int64_t{1} << 52);
        switch (schema->field(c).type.id()) {
          case columnar::TypeId::kInt32:
          case columnar::TypeId::kDate:
            static_cast<columnar::Int32Builder*>(builder)->Append(
                static_cast<int32_t>(signed_r % 100000));
            break;
          case columnar::TypeId::kInt64:
            static_cast<columnar::Int64Builder*>(builder)->Append(signed_r);
            break;
          case columnar::TypeId::kTime:
            static_cast<columnar::Int64Builder*>(builder)->Append(
                static_cast<int64_t>(r % static_cast<uint64_t>(columnar::kMicrosPerDay)));
            break;
          case columnar::TypeId::kTimestamp:
            static_cast<columnar::Int64Builder*>(builder)->Append(signed_r % (int64_t{1} << 50));
            break;
          case columnar::TypeId::kFloat64: {
            double value = static_cast<double>(signed_r) / 3.0e7;
            if (r % 7 == 0) value = std::nan("");
            if (r % 11 == 0) value = static_cast<double>(static_cast<float>(value) / 7.0f);
            static_cast<columnar::Float64Builder*>(builder)->Append(value);
            break;
          }
          case columnar::TypeId::kDecimal:
            static_cast<columnar::DecimalBuilder*>(builder)->Append(
                static_cast<Int128>(signed_r) * static_cast<Int128>(r % 1000000000));
            break;
          case columnar::TypeId::kString:
          case columnar::TypeId::kBinary:
          case columnar::TypeId::kJson: {
            std::string value;
            const int length = static_cast<int>(r % 50);
            for (int k = 0; k < length; ++k) value += pieces[next() % 8];
            static_cast<columnar::StringBuilder*>(builder)->Append(value);
            break;
          }
          case columnar::TypeId::kBool:
            static_cast<columnar::BooleanBuilder*>(builder)->Append(r % 2 == 0);
            break;
        }
      }
    }
    std::vector<ColumnPtr> columns;
    for (auto& builder : builders) columns.push_back(builder->Finish());
    batches.push_back(MakeBatch(schema, std::move(columns)));
    collector.Update(batches.back());
  }
  const std::string json = collector.ToJson();
  Result<FileStats> stats = ParseStats(json, *schema);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->num_records, 1501);
  for (size_t c = 0; c < schema->num_fields(); ++c) {
    const Field& field = schema->field(c);
    const bool has_bounds = field.type.id() != columnar::TypeId::kBool &&
                            field.type.id() != columnar::TypeId::kBinary &&
                            field.type.id() != columnar::TypeId::kJson;
    ASSERT_TRUE(stats->columns.count(field.name)) << field.name;
    const ColumnStats& column = stats->columns.at(field.name);
    EXPECT_EQ(column.min.has_value(), has_bounds) << field.name << " " << json;
    EXPECT_EQ(column.max.has_value(), has_bounds) << field.name << " " << json;
    int64_t nulls = 0;
    std::optional<StatValue> true_min;
    std::optional<StatValue> true_max;
    for (const Batch& batch : batches) {
      nulls += batch.column(c).null_count();
      for (int64_t row = 0; row < batch.num_rows(); ++row) {
        const StatValue value = StatValueAt(batch.column(c), row);
        if (std::holds_alternative<std::monostate>(value) || !has_bounds) continue;
        EXPECT_LE(CompareStatValues(*column.min, value), 0) << field.name << " row " << row;
        EXPECT_GE(CompareStatValues(*column.max, value), 0) << field.name << " row " << row;
        if (!true_min || CompareStatValues(value, *true_min) < 0) true_min = value;
        if (!true_max || CompareStatValues(value, *true_max) > 0) true_max = value;
      }
    }
    EXPECT_EQ(column.null_count, nulls) << field.name;
    if (!has_bounds) continue;
    // Tight: exact for integers, dates, times and decimals; within a millisecond for timestamps.
    switch (field.type.id()) {
      case columnar::TypeId::kTimestamp:
        EXPECT_LT(std::get<int64_t>(*true_min) - std::get<int64_t>(*column.min), 1000);
        EXPECT_LT(std::get<int64_t>(*column.max) - std::get<int64_t>(*true_max), 1000);
        break;
      case columnar::TypeId::kFloat64:
      case columnar::TypeId::kString:
        break;
      default:
        EXPECT_EQ(CompareStatValues(*column.min, *true_min), 0) << field.name;
        EXPECT_EQ(CompareStatValues(*column.max, *true_max), 0) << field.name;
    }
  }
}

TEST(FileStatisticsTest, RoundTripOfAFullBatch) {
  auto schema = std::make_shared<const Schema>(std::vector<Field>{{"v", DataType::Int64()}});
  columnar::Int64Builder builder(DataType::Int64());
  for (int64_t i = 0; i < columnar::kMaxBatchRows; ++i) {
    if (i % 1000 == 999) {
      builder.AppendNull();
    } else {
      builder.Append((i * 7919) % 100003 - 50000);
    }
  }
  StatsCollector collector(schema);
  collector.Update(MakeBatch(schema, {builder.Finish()}));
  Result<FileStats> stats = ParseStats(collector.ToJson(), *schema);
  ASSERT_TRUE(stats.ok());
  const ColumnStats& column = stats->columns.at("v");
  EXPECT_EQ(std::get<int64_t>(*column.min), -50000);
  EXPECT_EQ(std::get<int64_t>(*column.max), 50002);
  EXPECT_EQ(column.null_count, 65);
}

// ---- Parsing Spark-written statistics ----

TEST(ParseStatsTest, SparkLongColumn) {
  // basic-with-inserts-overwrite-restore/_delta_log/00000000000000000000.json
  const Schema schema({{"id", DataType::Int64()}});
  Result<FileStats> stats = ParseStats(
      R"j({"numRecords":50,"minValues":{"id":0},"maxValues":{"id":49},"nullCount":{"id":0}})j",
      schema);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->num_records, 50);
  const ColumnStats& id = stats->columns.at("id");
  EXPECT_EQ(std::get<int64_t>(*id.min), 0);
  EXPECT_EQ(std::get<int64_t>(*id.max), 49);
  EXPECT_EQ(id.null_count, 0);
}

TEST(ParseStatsTest, SparkAllTypesWithTimestampOffset) {
  // delta-io/delta golden table data-skipping-basic-stats-all-types (Spark, session zone -08:00).
  Result<Schema> schema = ParseDeltaSchema(
      R"j({"type":"struct","fields":[{"name":"as_int","type":"integer","nullable":true,)j"
      R"j("metadata":{}},{"name":"as_long","type":"long","nullable":true,"metadata":{}},)j"
      R"j({"name":"as_byte","type":"byte","nullable":true,"metadata":{}},)j"
      R"j({"name":"as_short","type":"short","nullable":true,"metadata":{}},)j"
      R"j({"name":"as_float","type":"float","nullable":true,"metadata":{}},)j"
      R"j({"name":"as_double","type":"double","nullable":true,"metadata":{}},)j"
      R"j({"name":"as_string","type":"string","nullable":true,"metadata":{}},)j"
      R"j({"name":"as_date","type":"date","nullable":true,"metadata":{}},)j"
      R"j({"name":"as_timestamp","type":"timestamp","nullable":true,"metadata":{}},)j"
      R"j({"name":"as_big_decimal","type":"decimal(1,0)","nullable":true,"metadata":{}}]})j");
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  Result<FileStats> stats = ParseStats(
      R"j({"numRecords":1,"minValues":{"as_int":0,"as_long":0,"as_byte":0,"as_short":0,)j"
      R"j("as_float":0.0,"as_double":0.0,"as_string":"0","as_date":"2000-01-01",)j"
      R"j("as_timestamp":"2000-01-01T00:00:00.000-08:00","as_big_decimal":0},)j"
      R"j("maxValues":{"as_int":0,"as_long":0,"as_byte":0,"as_short":0,"as_float":0.0,)j"
      R"j("as_double":0.0,"as_string":"0","as_date":"2000-01-01",)j"
      R"j("as_timestamp":"2000-01-01T00:00:00.000-08:00","as_big_decimal":0},)j"
      R"j("nullCount":{"as_int":0,"as_long":0,"as_byte":0,"as_short":0,"as_float":0,)j"
      R"j("as_double":0,"as_string":0,"as_date":0,"as_timestamp":0,"as_big_decimal":0}})j",
      *schema);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  ASSERT_EQ(stats->columns.size(), 10u);
  for (const auto& [name, column] : stats->columns) {
    EXPECT_EQ(column.null_count, 0) << name;
    EXPECT_TRUE(column.min.has_value()) << name;
    EXPECT_TRUE(column.max.has_value()) << name;
  }
  EXPECT_EQ(std::get<int64_t>(*stats->columns.at("as_byte").max), 0);
  EXPECT_EQ(std::get<double>(*stats->columns.at("as_float").min), 0.0);
  EXPECT_EQ(std::get<std::string>(*stats->columns.at("as_string").min), "0");
  EXPECT_EQ(std::get<std::string>(*stats->columns.at("as_string").max), "0" + kUtf8Max);
  EXPECT_EQ(std::get<int64_t>(*stats->columns.at("as_date").min), Days("2000-01-01"));
  const int64_t midnight_pst = Micros("2000-01-01T08:00:00Z");
  EXPECT_EQ(std::get<int64_t>(*stats->columns.at("as_timestamp").min), midnight_pst);
  EXPECT_EQ(std::get<int64_t>(*stats->columns.at("as_timestamp").max), midnight_pst + 999);
  EXPECT_TRUE(std::get<Int128>(*stats->columns.at("as_big_decimal").max) == 0);
}

TEST(ParseStatsTest, SparkDecimals) {
  // delta-io/delta golden table basic-decimal-table-legacy.
  const Schema schema({{"col1", DataType::Decimal(5, 2)},
                       {"col2", DataType::Decimal(10, 5)},
                       {"col3", DataType::Decimal(20, 10)}});
  Result<FileStats> stats = ParseStats(
      R"j({"numRecords":1,"minValues":{"col1":-999.99,"col2":-99999.99999,)j"
      R"j("col3":-9999999999.9999999999},"maxValues":{"col1":0.00,"col2":2.00000,"col3":0E-10},)j"
      R"j("nullCount":{"col1":0,"col2":0,"col3":0}})j",
      schema);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_TRUE(std::get<Int128>(*stats->columns.at("col1").min) == -99999);
  EXPECT_TRUE(std::get<Int128>(*stats->columns.at("col2").min) == -9999999999);
  EXPECT_TRUE(std::get<Int128>(*stats->columns.at("col3").min) ==
              Unscaled("-9999999999.9999999999", DataType::Decimal(20, 10)));
  EXPECT_TRUE(std::get<Int128>(*stats->columns.at("col1").max) == 0);
  EXPECT_TRUE(std::get<Int128>(*stats->columns.at("col2").max) == 200000);
  EXPECT_TRUE(std::get<Int128>(*stats->columns.at("col3").max) == 0);
}

TEST(ParseStatsTest, TimestampZonesAndPrecision) {
  const Schema schema({{"ts", DataType::Timestamp()}});
  const auto bounds = [&](std::string_view min, std::string_view max) {
    Result<FileStats> stats =
        ParseStats(R"j({"minValues":{"ts":")j" + std::string(min) + R"j("},"maxValues":{"ts":")j" +
                       std::string(max) + R"j("}})j",
                   schema);
    EXPECT_TRUE(stats.ok());
    const ColumnStats& column = stats->columns.at("ts");
    return std::make_pair(std::get<int64_t>(*column.min), std::get<int64_t>(*column.max));
  };
  auto [min, max] = bounds("2021-01-01T00:00:00.000-08:00", "2021-01-01T10:30:00.123+05:30");
  EXPECT_EQ(min, Micros("2021-01-01T08:00:00Z"));
  EXPECT_EQ(max, Micros("2021-01-01T05:00:00.123999Z"));
  // timestamp_ntz stats carry no zone; Z; microsecond precision is taken as exact.
  std::tie(min, max) = bounds("2021-11-18T02:30:00.123", "2021-11-18T02:30:00.123456Z");
  EXPECT_EQ(min, Micros("2021-11-18T02:30:00.123Z"));
  EXPECT_EQ(max, Micros("2021-11-18T02:30:00.123456Z"));
  // Before the epoch, truncation is still downwards.
  std::tie(min, max) = bounds("1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(min, -1000);
  EXPECT_EQ(max, -1);
}

TEST(ParseStatsTest, FloatStatsAreWidenedToCoverTheFloatValue) {
  const Schema schema({{"f", DataType::Float64()}});
  Result<FileStats> stats =
      ParseStats(R"j({"minValues":{"f":1.1},"maxValues":{"f":1.1}})j", schema);
  ASSERT_TRUE(stats.ok());
  const double as_float = static_cast<double>(1.1f);
  EXPECT_LE(std::get<double>(*stats->columns.at("f").min), as_float);
  EXPECT_GE(std::get<double>(*stats->columns.at("f").max), as_float);
  EXPECT_LE(std::get<double>(*stats->columns.at("f").min), 1.1);
  EXPECT_GE(std::get<double>(*stats->columns.at("f").max), 1.1);
  stats = ParseStats(R"j({"minValues":{"f":-2.5},"maxValues":{"f":1e300}})j", schema);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(std::get<double>(*stats->columns.at("f").min), -2.5);
  EXPECT_EQ(std::get<double>(*stats->columns.at("f").max), 1e300);
}

TEST(ParseStatsTest, OddValuesMeanNoBoundNeverAnError) {
  const Schema schema({{"id", DataType::Int64()},
                       {"s", DataType::String()},
                       {"nested", DataType::Json()},
                       {"d", DataType::Date()},
                       {"dec", DataType::Decimal(5, 1)},
                       {"ts", DataType::Timestamp()},
                       {"missing", DataType::Int32()}});
  Result<FileStats> stats = ParseStats(
      R"j({"numRecords":10,"tightBounds":true,)j"
      R"j("minValues":{"id":"seven","s":12,"nested":{"a":1},"d":"2024-02-30","dec":1.25,)j"
      R"j("ts":"yesterday","unknown":5},)j"
      R"j("maxValues":{"id":1.5,"s":"abc)j"
      "\xF4\x8F\xBF\xBF"
      R"j(","nested":{"a":{"b":2}},)j"
      R"j("d":"2024-02-29","dec":123456,"ts":null},)j"
      R"j("nullCount":{"id":-1,"s":2,"nested":{"a":0},"d":"3","dec":0}})j",
      schema);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_EQ(stats->num_records, 10);
  EXPECT_FALSE(stats->columns.count("id"));
  EXPECT_FALSE(stats->columns.count("nested"));
  EXPECT_FALSE(stats->columns.count("ts"));
  EXPECT_FALSE(stats->columns.count("missing"));
  EXPECT_FALSE(stats->columns.count("unknown"));
  const ColumnStats& s = stats->columns.at("s");
  EXPECT_FALSE(s.min.has_value());
  EXPECT_EQ(std::get<std::string>(*s.max), "abc" + kUtf8Max);  // already ends with U+10FFFF
  EXPECT_EQ(s.null_count, 2);
  const ColumnStats& d = stats->columns.at("d");
  EXPECT_FALSE(d.min.has_value());
  EXPECT_EQ(std::get<int64_t>(*d.max), Days("2024-02-29"));
  EXPECT_FALSE(d.null_count.has_value());
  const ColumnStats& dec = stats->columns.at("dec");
  EXPECT_FALSE(dec.min.has_value());  // 1.25 has more digits than the column's scale
  EXPECT_TRUE(std::get<Int128>(*dec.max) == 1234560);
  EXPECT_EQ(dec.null_count, 0);
}

TEST(ParseStatsTest, WideBoundsKeepOnlyInformativeNullCounts) {
  const Schema schema(
      {{"a", DataType::Int32()}, {"b", DataType::Int32()}, {"c", DataType::Int32()}});
  Result<FileStats> stats =
      ParseStats(R"j({"numRecords":4,"tightBounds":false,"minValues":{"a":1},"maxValues":{"a":9},)j"
                 R"j("nullCount":{"a":0,"b":4,"c":2}})j",
                 schema);
  ASSERT_TRUE(stats.ok());
  EXPECT_EQ(stats->columns.at("a").null_count, 0);
  EXPECT_EQ(stats->columns.at("b").null_count, 4);
  EXPECT_FALSE(stats->columns.count("c"));
  EXPECT_EQ(std::get<int64_t>(*stats->columns.at("a").max), 9);
}

TEST(ParseStatsTest, MalformedJsonIsADataError) {
  const Schema schema({{"id", DataType::Int64()}});
  for (std::string_view text : {"", "{", R"j({"numRecords":1,})j", "[1]", "null", "7", "{} {}"}) {
    Result<FileStats> stats = ParseStats(text, schema);
    ASSERT_FALSE(stats.ok()) << text;
    EXPECT_EQ(stats.status().code(), StatusCode::kDataError) << text;
  }
  Result<FileStats> empty = ParseStats("{}", schema);
  ASSERT_TRUE(empty.ok());
  EXPECT_FALSE(empty->num_records.has_value());
  EXPECT_TRUE(empty->columns.empty());
}

// ---- Comparing, row values, literals ----

TEST(StatValueTest, Compare) {
  EXPECT_EQ(CompareStatValues(int64_t{1}, int64_t{2}), -1);
  EXPECT_EQ(CompareStatValues(int64_t{2}, int64_t{2}), 0);
  EXPECT_EQ(CompareStatValues(Int128{-5}, Int128{-6}), 1);
  EXPECT_EQ(CompareStatValues(-0.5, 0.25), -1);
  EXPECT_EQ(CompareStatValues(std::string("é"), std::string("z")), 1);  // unsigned bytes
  EXPECT_EQ(CompareStatValues(std::string("ab"), std::string("abc")), -1);
  EXPECT_EQ(CompareStatValues(std::string("b"), std::string("abc")), 1);
  EXPECT_EQ(CompareStatValues(std::string(""), std::string("")), 0);
  EXPECT_EQ(CompareStatValues(std::monostate{}, std::monostate{}), 0);
}

TEST(StatValueTest, ValueAtRow) {
  const DataType decimal_type = DataType::Decimal(6, 2);
  EXPECT_EQ(std::get<int64_t>(StatValueAt(*Int32s({std::nullopt, -3}), 1)), -3);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(StatValueAt(*Int32s({std::nullopt, -3}), 0)));
  EXPECT_EQ(std::get<int64_t>(StatValueAt(*Int32s({Days("2024-01-31")}, DataType::Date()), 0)),
            Days("2024-01-31"));
  EXPECT_EQ(std::get<int64_t>(StatValueAt(*Int64s({5}, DataType::Timestamp()), 0)), 5);
  EXPECT_EQ(std::get<double>(StatValueAt(*Doubles({2.5}), 0)), 2.5);
  EXPECT_TRUE(std::holds_alternative<std::monostate>(StatValueAt(*Doubles({std::nan("")}), 0)));
  EXPECT_TRUE(std::get<Int128>(StatValueAt(*Decimals({"12.5"}, decimal_type), 0)) == 1250);
  EXPECT_EQ(std::get<std::string>(StatValueAt(*Strings({"hé"}), 0)), "hé");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(StatValueAt(*Bools({true}), 0)));
  EXPECT_TRUE(
      std::holds_alternative<std::monostate>(StatValueAt(*Strings({"{}"}, DataType::Json()), 0)));
  EXPECT_TRUE(
      std::holds_alternative<std::monostate>(StatValueAt(*Strings({"x"}, DataType::Binary()), 0)));
}

StatValue Literal(std::string_view text, DataType type) {
  Result<StatValue> value = ParseStatLiteral(text, type);
  EXPECT_TRUE(value.ok()) << text << ": " << value.status().ToString();
  return value.ok() ? *value : StatValue{};
}

void ExpectLiteralError(std::string_view text, DataType type) {
  Result<StatValue> value = ParseStatLiteral(text, type);
  ASSERT_FALSE(value.ok()) << text;
  EXPECT_EQ(value.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(value.status().message().find(type.ToString()), std::string::npos)
      << value.status().message();
}

TEST(StatValueTest, Literals) {
  EXPECT_EQ(std::get<int64_t>(Literal("42", DataType::Int32())), 42);
  EXPECT_EQ(std::get<int64_t>(Literal(" -7 ", DataType::Int32())), -7);
  EXPECT_EQ(std::get<int64_t>(Literal("'+9000000000'", DataType::Int64())), 9000000000);
  EXPECT_EQ(std::get<double>(Literal("12.5", DataType::Float64())), 12.5);
  EXPECT_EQ(std::get<double>(Literal("1e3", DataType::Float64())), 1000.0);
  EXPECT_TRUE(std::get<Int128>(Literal("12.5", DataType::Decimal(10, 2))) == 1250);
  EXPECT_TRUE(std::get<Int128>(Literal("-3", DataType::Decimal(10, 2))) == -300);
  EXPECT_EQ(std::get<int64_t>(Literal("2024-01-31", DataType::Date())), Days("2024-01-31"));
  EXPECT_EQ(std::get<int64_t>(Literal("'2024-01-31'", DataType::Date())), Days("2024-01-31"));
  EXPECT_EQ(std::get<int64_t>(Literal("2024-01-31T10:00:00Z", DataType::Timestamp())),
            Micros("2024-01-31T10:00:00Z"));
  EXPECT_EQ(std::get<int64_t>(Literal("\"2024-01-31 12:00:00+02:00\"", DataType::Timestamp())),
            Micros("2024-01-31T10:00:00Z"));
  EXPECT_EQ(std::get<int64_t>(Literal("2024-01-31", DataType::Timestamp())),
            Micros("2024-01-31T00:00:00Z"));
  EXPECT_EQ(std::get<int64_t>(Literal("10:30:00.5", DataType::Time())),
            (10 * 3600 + 30 * 60) * columnar::kMicrosPerSecond + 500000);
  EXPECT_EQ(std::get<std::string>(Literal("abc", DataType::String())), "abc");
  EXPECT_EQ(std::get<std::string>(Literal("'abc'", DataType::String())), "abc");
  EXPECT_EQ(std::get<std::string>(Literal("'it''s'", DataType::String())), "it's");
  EXPECT_EQ(std::get<std::string>(Literal("''", DataType::String())), "");

  ExpectLiteralError("3000000000", DataType::Int32());
  ExpectLiteralError("4.5", DataType::Int64());
  ExpectLiteralError("abc", DataType::Int64());
  ExpectLiteralError("+-1", DataType::Int64());
  ExpectLiteralError("", DataType::Float64());
  ExpectLiteralError("nan", DataType::Float64());
  ExpectLiteralError("12.345", DataType::Decimal(10, 2));
  ExpectLiteralError("123456789", DataType::Decimal(5, 2));
  ExpectLiteralError("2024-02-30", DataType::Date());
  ExpectLiteralError("tomorrow", DataType::Timestamp());
  ExpectLiteralError("25:00", DataType::Time());
  ExpectLiteralError("true", DataType::Bool());
  ExpectLiteralError("x", DataType::Binary());
  ExpectLiteralError("{}", DataType::Json());
}

// A literal compares against the stats of a file written by the collector: a pruning smoke test.
TEST(StatValueTest, LiteralsCompareWithCollectedStats) {
  auto schema = std::make_shared<const Schema>(std::vector<Field>{{"ts", DataType::Timestamp()}});
  StatsCollector collector(schema);
  collector.Update(
      MakeBatch(schema, {Int64s({Micros("2024-01-31T10:00:00.000700Z")}, DataType::Timestamp())}));
  Result<FileStats> stats = ParseStats(collector.ToJson(), *schema);
  ASSERT_TRUE(stats.ok());
  const ColumnStats& ts = stats->columns.at("ts");
  const StatValue exact = Literal("2024-01-31T10:00:00.0007Z", DataType::Timestamp());
  // ts = exact may match: min ≤ exact ≤ max, although the JSON max was cut to milliseconds.
  EXPECT_LE(CompareStatValues(*ts.min, exact), 0);
  EXPECT_GE(CompareStatValues(*ts.max, exact), 0);
  // ts > 10:00:00.001 cannot match.
  EXPECT_LT(CompareStatValues(*ts.max, Literal("2024-01-31T10:00:00.001Z", DataType::Timestamp())),
            0);
}

}  // namespace
}  // namespace sluice::lake

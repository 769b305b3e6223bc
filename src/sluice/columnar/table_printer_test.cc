#include "sluice/columnar/table_printer.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/temporal.h"
#include "sluice/columnar/value_formatter.h"

namespace sluice::columnar {
namespace {

SchemaPtr MakeSchema(std::vector<Field> fields) {
  return std::make_shared<const Schema>(std::move(fields));
}

ColumnPtr Int64s(const std::vector<std::optional<int64_t>>& values,
                 DataType type = DataType::Int64()) {
  Int64Builder builder(type);
  for (const auto& value : values) {
    if (value) {
      builder.Append(*value);
    } else {
      builder.AppendNull();
    }
  }
  return builder.Finish();
}

ColumnPtr Strings(const std::vector<std::optional<std::string>>& values,
                  DataType type = DataType::String()) {
  StringBuilder builder(type);
  for (const auto& value : values) {
    if (value) {
      builder.Append(*value);
    } else {
      builder.AppendNull();
    }
  }
  return builder.Finish();
}

// ---------------------------------------------------------------------------------------------
// TablePrinter

TEST(TablePrinterTest, PrintsABoxedTable) {
  DecimalBuilder prices(DataType::Decimal(8, 2));
  prices.Append(1250);
  prices.AppendNull();
  prices.Append(5);
  const SchemaPtr schema = MakeSchema({{"id", DataType::Int64()},
                                       {"name", DataType::String()},
                                       {"price", DataType::Decimal(8, 2)}});
  const Batch batch(schema,
                    {Int64s({1, -22, 333}), Strings({"ann", std::nullopt, "bartholomew the great"}),
                     prices.Finish()},
                    3);
  std::ostringstream out;
  TablePrinter printer(out, TablePrinter::Options{.max_column_width = 12});
  printer.Print(batch);
  printer.Finish();
  // Widths: id = "int64" (5); name = 21 characters capped at 12; price = "decimal(8,2)" (12).
  // Headers are left-aligned; numbers (and their NULLs) right-aligned.
  EXPECT_EQ(out.str(),
            "┌───────┬──────────────┬──────────────┐\n"
            "│ id    │ name         │ price        │\n"
            "│ int64 │ string       │ decimal(8,2) │\n"
            "├───────┼──────────────┼──────────────┤\n"
            "│     1 │ ann          │        12.50 │\n"
            "│   -22 │ NULL         │         NULL │\n"
            "│   333 │ bartholomew… │         0.05 │\n"
            "└───────┴──────────────┴──────────────┘\n"
            "3 rows\n");
}

TEST(TablePrinterTest, LaterWiderValuesAreCutAndTheFooterCountsAllBatches) {
  const SchemaPtr schema = MakeSchema({{"n", DataType::Int64()}});
  std::ostringstream out;
  TablePrinter printer(out);
  printer.Print(Batch(schema, {Int64s({5, 10})}, 2));
  // An equal schema in a different object continues the same table.
  printer.Print(Batch(MakeSchema({{"n", DataType::Int64()}}), {Int64s({123456})}, 1));
  printer.Finish();
  EXPECT_EQ(out.str(),
            "┌───────┐\n"
            "│ n     │\n"
            "│ int64 │\n"
            "├───────┤\n"
            "│     5 │\n"
            "│    10 │\n"
            "│ 1234… │\n"
            "└───────┘\n"
            "3 rows\n");
}

TEST(TablePrinterTest, SchemaChangeStartsANewTable) {
  std::ostringstream out;
  TablePrinter printer(out);
  printer.Print(Batch(MakeSchema({{"n", DataType::Int64()}}), {Int64s({7})}, 1));
  printer.Print(Batch(MakeSchema({{"s", DataType::String()}}), {Strings({"x", "yz"})}, 2));
  printer.Finish();
  EXPECT_EQ(out.str(),
            "┌───────┐\n"
            "│ n     │\n"
            "│ int64 │\n"
            "├───────┤\n"
            "│     7 │\n"
            "└───────┘\n"
            "┌────────┐\n"
            "│ s      │\n"
            "│ string │\n"
            "├────────┤\n"
            "│ x      │\n"
            "│ yz     │\n"
            "└────────┘\n"
            "3 rows\n");
}

TEST(TablePrinterTest, EscapesControlCharactersAndCountsCodePoints) {
  std::ostringstream out;
  TablePrinter printer(out);
  // "héllo wörld" is 11 characters but 13 bytes; the tab is shown as \t (2 columns).
  printer.Print(
      Batch(MakeSchema({{"text", DataType::String()}}), {Strings({"héllo wörld", "a\tb\nc"})}, 2));
  printer.Finish();
  EXPECT_EQ(out.str(),
            "┌─────────────┐\n"
            "│ text        │\n"
            "│ string      │\n"
            "├─────────────┤\n"
            "│ héllo wörld │\n"
            "│ a\\tb\\nc     │\n"
            "└─────────────┘\n"
            "2 rows\n");
}

TEST(TablePrinterTest, MaxRowsLimitsPrintedRows) {
  Int32Builder builder(DataType::Int32());
  builder.Append(1);
  builder.Append(2);
  builder.Append(3);
  std::ostringstream out;
  TablePrinter printer(out);
  printer.Print(Batch(MakeSchema({{"n", DataType::Int32()}}), {builder.Finish()}, 3), 1);
  printer.Finish();
  EXPECT_EQ(out.str(),
            "┌───────┐\n"
            "│ n     │\n"
            "│ int32 │\n"
            "├───────┤\n"
            "│     1 │\n"
            "└───────┘\n"
            "1 row\n");
}

TEST(TablePrinterTest, FinishWithOnlyASchemaPrintsTheHeader) {
  std::ostringstream out;
  TablePrinter printer(out);
  printer.SetSchema(MakeSchema({{"order_id", DataType::Int64()}, {"at", DataType::Timestamp()}}));
  printer.Finish();
  EXPECT_EQ(out.str(),
            "┌──────────┬───────────┐\n"
            "│ order_id │ at        │\n"
            "│ int64    │ timestamp │\n"
            "├──────────┼───────────┤\n"
            "└──────────┴───────────┘\n"
            "0 rows\n");
}

TEST(TablePrinterTest, FinishWithNothingPrintsZeroRows) {
  std::ostringstream out;
  TablePrinter printer(out);
  printer.Finish();
  EXPECT_EQ(out.str(), "0 rows\n");
}

TEST(TablePrinterTest, DisplayWidthCountsCodePoints) {
  EXPECT_EQ(DisplayWidth(""), 0u);
  EXPECT_EQ(DisplayWidth("abc"), 3u);
  EXPECT_EQ(DisplayWidth("é"), 1u);
  EXPECT_EQ(DisplayWidth("…"), 1u);
  EXPECT_EQ(DisplayWidth("a😀b"), 3u);
}

// ---------------------------------------------------------------------------------------------
// value_formatter

std::string Value(const ColumnPtr& column, int64_t row, ValueStyle style) {
  std::string out;
  AppendValue(*column, row, style, &out);
  return out;
}

constexpr ValueStyle kAllStyles[] = {ValueStyle::kDisplay, ValueStyle::kJson, ValueStyle::kCsv};

TEST(ValueFormatterTest, NullIsJsonNullAndEmptyElsewhere) {
  const std::vector<ColumnPtr> columns = {
      Int64s({std::nullopt}), Int64s({std::nullopt}, DataType::Timestamp()),
      Strings({std::nullopt}), Strings({std::nullopt}, DataType::Binary()),
      Strings({std::nullopt}, DataType::Json())};
  for (const ColumnPtr& column : columns) {
    EXPECT_EQ(Value(column, 0, ValueStyle::kJson), "null") << column->type().ToString();
    EXPECT_EQ(Value(column, 0, ValueStyle::kDisplay), "") << column->type().ToString();
    EXPECT_EQ(Value(column, 0, ValueStyle::kCsv), "") << column->type().ToString();
  }
}

TEST(ValueFormatterTest, BoolAndIntegers) {
  BooleanBuilder bools;
  bools.Append(true);
  bools.Append(false);
  const ColumnPtr bool_column = bools.Finish();
  Int32Builder int32s(DataType::Int32());
  int32s.Append(INT32_MIN);
  const ColumnPtr int32_column = int32s.Finish();
  const ColumnPtr int64_column = Int64s({INT64_MIN, 42});
  for (ValueStyle style : kAllStyles) {
    EXPECT_EQ(Value(bool_column, 0, style), "true");
    EXPECT_EQ(Value(bool_column, 1, style), "false");
    EXPECT_EQ(Value(int32_column, 0, style), "-2147483648");
    EXPECT_EQ(Value(int64_column, 0, style), "-9223372036854775808");
    EXPECT_EQ(Value(int64_column, 1, style), "42");
  }
}

TEST(ValueFormatterTest, FloatsShortestRoundTripAndNonFiniteInJson) {
  Float64Builder builder(DataType::Float64());
  builder.Append(0.1);
  builder.Append(1e300);
  builder.Append(std::numeric_limits<double>::quiet_NaN());
  builder.Append(std::numeric_limits<double>::infinity());
  builder.Append(-std::numeric_limits<double>::infinity());
  builder.Append(-2.5);
  const ColumnPtr column = builder.Finish();
  for (ValueStyle style : kAllStyles) {
    EXPECT_EQ(Value(column, 0, style), "0.1");
    EXPECT_EQ(Value(column, 1, style), "1e+300");
    EXPECT_EQ(Value(column, 5, style), "-2.5");
  }
  // Never null: the words Spark and pandas read back (strings in JSON, which has no literal).
  EXPECT_EQ(Value(column, 2, ValueStyle::kJson), "\"NaN\"");
  EXPECT_EQ(Value(column, 3, ValueStyle::kJson), "\"Infinity\"");
  EXPECT_EQ(Value(column, 4, ValueStyle::kJson), "\"-Infinity\"");
  EXPECT_EQ(Value(column, 2, ValueStyle::kCsv), "NaN");
  EXPECT_EQ(Value(column, 4, ValueStyle::kCsv), "-Infinity");
  EXPECT_EQ(Value(column, 2, ValueStyle::kDisplay), "nan");
  EXPECT_EQ(Value(column, 3, ValueStyle::kDisplay), "inf");
}

TEST(ValueFormatterTest, AppendDoubleIsShortestRoundTrip) {
  const auto text = [](double value) {
    std::string out;
    AppendDouble(value, &out);
    return out;
  };
  EXPECT_EQ(text(0.1), "0.1");
  EXPECT_EQ(text(1.5), "1.5");
  EXPECT_EQ(text(100), "100");
  EXPECT_EQ(text(123456), "123456");
  EXPECT_EQ(text(1e300), "1e+300");
  EXPECT_EQ(text(1e16), "1e+16");
  EXPECT_EQ(text(2.5e-7), "2.5e-07");
  EXPECT_EQ(text(0.1 + 0.2), "0.30000000000000004");
  EXPECT_EQ(text(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(text(5e-324), "5e-324");
  EXPECT_EQ(text(-0.0), "-0");
  EXPECT_EQ(text(0), "0");
  for (double value : {0.1, 1.0 / 3, 1e300, 2.5e-7, 123.456, -9007199254740993.0, 5e-324}) {
    EXPECT_EQ(std::strtod(text(value).c_str(), nullptr), value) << text(value);
  }
}

TEST(ValueFormatterTest, DecimalKeepsItsScaleInEveryStyle) {
  DecimalBuilder builder(DataType::Decimal(10, 2));
  builder.Append(1250);
  builder.Append(-5);
  builder.Append(0);
  const ColumnPtr column = builder.Finish();
  for (ValueStyle style : kAllStyles) {
    EXPECT_EQ(Value(column, 0, style), "12.50");
    EXPECT_EQ(Value(column, 1, style), "-0.05");
    EXPECT_EQ(Value(column, 2, style), "0.00");
  }
}

TEST(ValueFormatterTest, DateTimeAndTimestamp) {
  Int32Builder dates(DataType::Date());
  dates.Append(19783);  // 2024-03-01
  const ColumnPtr date = dates.Finish();
  const ColumnPtr time = Int64s({(13 * 3600 + 45 * 60 + 7) * kMicrosPerSecond}, DataType::Time());
  const ColumnPtr timestamp = Int64s({1709300707250000, -1}, DataType::Timestamp());

  EXPECT_EQ(Value(date, 0, ValueStyle::kDisplay), "2024-03-01");
  EXPECT_EQ(Value(date, 0, ValueStyle::kCsv), "2024-03-01");
  EXPECT_EQ(Value(date, 0, ValueStyle::kJson), "\"2024-03-01\"");

  EXPECT_EQ(Value(time, 0, ValueStyle::kDisplay), "13:45:07");
  EXPECT_EQ(Value(time, 0, ValueStyle::kCsv), "13:45:07");
  EXPECT_EQ(Value(time, 0, ValueStyle::kJson), "\"13:45:07\"");

  EXPECT_EQ(Value(timestamp, 0, ValueStyle::kDisplay), "2024-03-01 13:45:07.250000");
  EXPECT_EQ(Value(timestamp, 0, ValueStyle::kCsv), "2024-03-01T13:45:07.250000Z");
  EXPECT_EQ(Value(timestamp, 0, ValueStyle::kJson), "\"2024-03-01T13:45:07.250000Z\"");
  EXPECT_EQ(Value(timestamp, 1, ValueStyle::kJson), "\"1969-12-31T23:59:59.999999Z\"");
}

TEST(ValueFormatterTest, StringsAreEscapedOnlyInJson) {
  const std::string text = "say \"hi\"\\\n\t\x01 é";
  const ColumnPtr column = Strings({text});
  EXPECT_EQ(Value(column, 0, ValueStyle::kDisplay), text);
  EXPECT_EQ(Value(column, 0, ValueStyle::kCsv), text);
  EXPECT_EQ(Value(column, 0, ValueStyle::kJson), "\"say \\\"hi\\\"\\\\\\n\\t\\u0001 é\"");
}

TEST(ValueFormatterTest, BinaryIsHexForPeopleAndBase64Otherwise) {
  const ColumnPtr column = Strings({std::string("\x00\x01\xfe\xff", 4)}, DataType::Binary());
  EXPECT_EQ(Value(column, 0, ValueStyle::kDisplay), "\\x00\\x01\\xfe\\xff");
  EXPECT_EQ(Value(column, 0, ValueStyle::kCsv), "AAH+/w==");
  EXPECT_EQ(Value(column, 0, ValueStyle::kJson), "\"AAH+/w==\"");
}

TEST(ValueFormatterTest, JsonColumnsAreWrittenAsIs) {
  const ColumnPtr column = Strings({"{\"a\":[1,\"x\"]}"}, DataType::Json());
  for (ValueStyle style : kAllStyles) {
    EXPECT_EQ(Value(column, 0, style), "{\"a\":[1,\"x\"]}");
  }
}

TEST(ValueFormatterTest, AppendJsonStringEscapes) {
  std::string out;
  AppendJsonString("\b\f\r\x1f\x7f/", &out);
  EXPECT_EQ(out, "\"\\b\\f\\r\\u001f\x7f/\"");
  out.clear();
  AppendJsonString("", &out);
  EXPECT_EQ(out, "\"\"");
  out.clear();
  AppendJsonString(std::string_view("a\0b", 3), &out);
  EXPECT_EQ(out, "\"a\\u0000b\"");
}

TEST(ValueFormatterTest, AppendBase64MatchesRfc4648Vectors) {
  const auto base64 = [](std::string_view bytes) {
    std::string out;
    AppendBase64(bytes, &out);
    return out;
  };
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foob"), "Zm9vYg==");
  EXPECT_EQ(base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64("\xff\xfe"), "//4=");
}

}  // namespace
}  // namespace sluice::columnar

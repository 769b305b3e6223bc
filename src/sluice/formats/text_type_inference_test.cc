#include "sluice/formats/text_type_inference.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sluice::formats {
namespace {

using columnar::Column;
using columnar::ColumnPtr;
using columnar::DataType;
using columnar::DateOrder;

TextColumnType Infer(const std::vector<std::string>& values) {
  TextTypeInference inference;
  for (const std::string& value : values) inference.Observe(value);
  EXPECT_EQ(inference.observed(), static_cast<int64_t>(values.size()));
  return inference.Result();
}

// The inferred type's name, so failures print readably.
std::string InferType(const std::vector<std::string>& values) {
  return Infer(values).type.ToString();
}

std::string OrderName(DateOrder order) {
  switch (order) {
    case DateOrder::kYMD:
      return "YMD";
    case DateOrder::kMDY:
      return "MDY";
    case DateOrder::kDMY:
      return "DMY";
  }
  return "?";
}

std::string ErrorName(ConvertError error) {
  switch (error) {
    case ConvertError::kOk:
      return "ok";
    case ConvertError::kSyntax:
      return "syntax";
    case ConvertError::kOverflow:
      return "overflow";
    case ConvertError::kTooManyFractionDigits:
      return "too_many_fraction_digits";
    case ConvertError::kInvalidUtf8:
      return "invalid_utf8";
  }
  return "?";
}

// Converts one value into a fresh builder for `column_type`; returns the error and the column.
struct Converted {
  ConvertError error;
  ColumnPtr column;
};

Converted Convert(std::string_view text, TextColumnType column_type) {
  std::unique_ptr<columnar::ColumnBuilder> builder = columnar::MakeBuilder(column_type.type);
  const ConvertError error = AppendText(text, column_type, builder.get());
  return {error, builder->Finish()};
}

Converted Convert(std::string_view text, DataType type, DateOrder order = DateOrder::kYMD) {
  return Convert(text, TextColumnType{type, order});
}

// The error of converting `text`, checking that a failed conversion appends nothing.
std::string ConvertErrorOf(std::string_view text, DataType type,
                           DateOrder order = DateOrder::kYMD) {
  const Converted converted = Convert(text, type, order);
  EXPECT_EQ(converted.column->length(), converted.error == ConvertError::kOk ? 1 : 0)
      << "'" << text << "' as " << type.ToString();
  return ErrorName(converted.error);
}

template <typename ColumnType>
auto ValueOf(const Converted& converted) {
  EXPECT_EQ(ErrorName(converted.error), "ok");
  EXPECT_EQ(converted.column->length(), 1);
  return static_cast<const ColumnType&>(*converted.column).Value(0);
}

// ---------------------------------------------------------------------------------------------
// TextTypeInference

TEST(TextTypeInferenceTest, NoObservationsIsString) {
  TextTypeInference inference;
  EXPECT_EQ(inference.observed(), 0);
  EXPECT_EQ(inference.Result().type.ToString(), "string");
}

TEST(TextTypeInferenceTest, Integers) {
  EXPECT_EQ(InferType({"1", "-2", "+3", "0", "9223372036854775807"}), "int64");
  EXPECT_EQ(InferType({"-9223372036854775808"}), "int64");
}

TEST(TextTypeInferenceTest, IntegersAndDecimalsAreDecimal) {
  EXPECT_EQ(InferType({"1", "2.5", "3.25"}), "decimal(18,2)");
  EXPECT_EQ(InferType({"2.50"}), "decimal(18,2)");
  EXPECT_EQ(InferType({"-0.001", "12"}), "decimal(18,3)");
  EXPECT_EQ(InferType({".5"}), "decimal(18,1)");
  // 16 integer digits + scale 2 fit precision 18; 17 + 2 need 38.
  EXPECT_EQ(InferType({"1234567890123456", "0.25"}), "decimal(18,2)");
  EXPECT_EQ(InferType({"12345678901234567", "0.25"}), "decimal(38,2)");
  EXPECT_EQ(InferType({"82544000000000707.52"}), "decimal(38,2)");
}

TEST(TextTypeInferenceTest, IntegersBeyondInt64AreDecimal38) {
  EXPECT_EQ(InferType({"1", "123456789012345678901234"}), "decimal(38,0)");
  EXPECT_EQ(InferType({"9223372036854775808"}), "decimal(38,0)");
  EXPECT_EQ(InferType({std::string(38, '9')}), "decimal(38,0)");
  // More than 38 digits cannot be a decimal.
  EXPECT_EQ(InferType({std::string(39, '9')}), "float64");
}

TEST(TextTypeInferenceTest, ExponentsAreFloat) {
  EXPECT_EQ(InferType({"1e5", "2"}), "float64");
  EXPECT_EQ(InferType({"1.5E-3", "2.25"}), "float64");
  EXPECT_EQ(InferType({"-6.02e23"}), "float64");
}

TEST(TextTypeInferenceTest, LeadingZerosAreCodes) {
  EXPECT_EQ(InferType({"09001", "10001"}), "string");
  EXPECT_EQ(InferType({"007"}), "string");
  EXPECT_EQ(InferType({"-007"}), "string");
  EXPECT_EQ(InferType({"00.5"}), "string");
  EXPECT_EQ(InferType({"01e5"}), "string");
  // A single zero before the point or alone is a number.
  EXPECT_EQ(InferType({"0", "10"}), "int64");
  EXPECT_EQ(InferType({"0.5"}), "decimal(18,1)");
}

TEST(TextTypeInferenceTest, Booleans) {
  EXPECT_EQ(InferType({"true", "false"}), "bool");
  EXPECT_EQ(InferType({"TRUE", "False"}), "bool");
  EXPECT_EQ(InferType({"true", "1"}), "string");
  EXPECT_EQ(InferType({"yes", "no"}), "string");
}

TEST(TextTypeInferenceTest, IsoDatesAreYearMonthDay) {
  const TextColumnType result = Infer({"2024-01-31", "2023-12-01", "2024-02-29"});
  EXPECT_EQ(result.type.ToString(), "date");
  EXPECT_EQ(OrderName(result.date_order), "YMD");
}

TEST(TextTypeInferenceTest, UsDatesAreMonthDayYear) {
  const TextColumnType result = Infer({"01/31/2024", "12/01/2023"});
  EXPECT_EQ(result.type.ToString(), "date");
  EXPECT_EQ(OrderName(result.date_order), "MDY");
  // Ambiguous dates prefer month-day-year.
  EXPECT_EQ(OrderName(Infer({"01/02/2024"}).date_order), "MDY");
}

TEST(TextTypeInferenceTest, EuropeanDatesAreDayMonthYear) {
  const TextColumnType dotted = Infer({"31.01.2024", "01.12.2023"});
  EXPECT_EQ(dotted.type.ToString(), "date");
  EXPECT_EQ(OrderName(dotted.date_order), "DMY");
  // One day above 12 decides the order for the whole column.
  const TextColumnType slashed = Infer({"01/02/2024", "13/02/2024"});
  EXPECT_EQ(slashed.type.ToString(), "date");
  EXPECT_EQ(OrderName(slashed.date_order), "DMY");
}

TEST(TextTypeInferenceTest, Timestamps) {
  const TextColumnType iso = Infer({"2024-01-31T10:00:00Z", "2024-02-01T11:30:00.5Z"});
  EXPECT_EQ(iso.type.ToString(), "timestamp");
  EXPECT_EQ(OrderName(iso.date_order), "YMD");
  EXPECT_EQ(InferType({"2024-01-31 10:00:00", "2024-01-31 10:00:00+02:00"}), "timestamp");
  const TextColumnType us = Infer({"01/31/2024 10:00 PM", "12/01/2023 9:15 AM"});
  EXPECT_EQ(us.type.ToString(), "timestamp");
  EXPECT_EQ(OrderName(us.date_order), "MDY");
}

TEST(TextTypeInferenceTest, Times) {
  EXPECT_EQ(InferType({"10:00", "23:59:59", "07:30:00.125"}), "time");
  EXPECT_EQ(InferType({"10:00 PM"}), "time");
}

TEST(TextTypeInferenceTest, MixedValuesAreString) {
  EXPECT_EQ(InferType({"1", "abc"}), "string");
  EXPECT_EQ(InferType({"2024-01-31", "10:00"}), "string");
  EXPECT_EQ(InferType({"1", "2024-01-31"}), "string");
  EXPECT_EQ(InferType({"true", "2024-01-31"}), "string");
  EXPECT_EQ(InferType({"1.5", ""}), "string");
  EXPECT_EQ(InferType({"-"}), "string");
}

TEST(TextTypeInferenceTest, NanAndInfinityWordsAreString) {
  EXPECT_EQ(InferType({"nan"}), "string");
  EXPECT_EQ(InferType({"inf"}), "string");
  EXPECT_EQ(InferType({"NaN", "Infinity", "-inf"}), "string");
  EXPECT_EQ(InferType({"1.5", "nan"}), "string");
}

TEST(TextTypeInferenceTest, NotNumbers) {
  EXPECT_EQ(InferType({"0x1F"}), "string");
  EXPECT_EQ(InferType({"1,000"}), "string");
  EXPECT_EQ(InferType({"1 000"}), "string");
  EXPECT_EQ(InferType({"+-1"}), "string");
}

// The contract: the result parses every observed value. Check it by converting each value.
TEST(TextTypeInferenceTest, InferredTypeConvertsEveryObservedValue) {
  const std::vector<std::vector<std::string>> columns = {
      {"1", "-2", "+3"},
      {"1", "2.5", "3.25"},
      {"12345678901234567", "0.25"},
      {"1", "123456789012345678901234"},
      {"1e5", "2", "0.5"},
      {"true", "FALSE"},
      {"2024-01-31", "2023-12-01"},
      {"01/31/2024", "12/01/2023"},
      {"31.01.2024"},
      {"2024-01-31T10:00:00Z", "2024-02-01 11:30:00.5+01:00"},
      {"10:00", "11:59 PM"},
      {"09001", "abc"},
      // 38 integer digits and, elsewhere in the column, one fractional digit: decimal(38,1)
      // cannot hold the first value.
      {std::string(38, '9'), "0.5"},
      {"1" + std::string(30, '0'), "0.12345678901"},
  };
  for (const std::vector<std::string>& values : columns) {
    const TextColumnType type = Infer(values);
    for (const std::string& value : values) {
      EXPECT_EQ(ErrorName(Convert(value, type).error), "ok")
          << "'" << value << "' does not convert to the inferred " << type.type.ToString();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// AppendText

TEST(AppendTextTest, Int64) {
  EXPECT_EQ(ValueOf<columnar::Int64Column>(Convert("42", DataType::Int64())), 42);
  EXPECT_EQ(ValueOf<columnar::Int64Column>(Convert("-9223372036854775808", DataType::Int64())),
            INT64_MIN);
  EXPECT_EQ(ValueOf<columnar::Int64Column>(Convert("+7", DataType::Int64())), 7);
  EXPECT_EQ(ConvertErrorOf("9223372036854775808", DataType::Int64()), "overflow");
  EXPECT_EQ(ConvertErrorOf("-9223372036854775809", DataType::Int64()), "overflow");
  EXPECT_EQ(ConvertErrorOf("123456789012345678901234", DataType::Int64()), "overflow");
  EXPECT_EQ(ConvertErrorOf("12a", DataType::Int64()), "syntax");
  EXPECT_EQ(ConvertErrorOf("1.5", DataType::Int64()), "syntax");
  EXPECT_EQ(ConvertErrorOf("", DataType::Int64()), "syntax");
  EXPECT_EQ(ConvertErrorOf(" 1", DataType::Int64()), "syntax");
}

TEST(AppendTextTest, Int32) {
  EXPECT_EQ(ValueOf<columnar::Int32Column>(Convert("2147483647", DataType::Int32())), INT32_MAX);
  EXPECT_EQ(ValueOf<columnar::Int32Column>(Convert("-2147483648", DataType::Int32())), INT32_MIN);
  EXPECT_EQ(ConvertErrorOf("2147483648", DataType::Int32()), "overflow");
  EXPECT_EQ(ConvertErrorOf("-2147483649", DataType::Int32()), "overflow");
  EXPECT_EQ(ConvertErrorOf("x", DataType::Int32()), "syntax");
  // Too many digits for any integer is out of range too, as for int64.
  EXPECT_EQ(ConvertErrorOf("99999999999999999999", DataType::Int32()), "overflow");
}

TEST(AppendTextTest, Float64) {
  EXPECT_EQ(ValueOf<columnar::Float64Column>(Convert("1.5", DataType::Float64())), 1.5);
  EXPECT_EQ(ValueOf<columnar::Float64Column>(Convert("+2", DataType::Float64())), 2.0);
  EXPECT_EQ(ValueOf<columnar::Float64Column>(Convert("-6.02e23", DataType::Float64())), -6.02e23);
  EXPECT_EQ(ValueOf<columnar::Float64Column>(Convert("1e400", DataType::Float64())), HUGE_VAL);
  const double tiny = ValueOf<columnar::Float64Column>(Convert("-1e-400", DataType::Float64()));
  EXPECT_EQ(tiny, 0.0);
  EXPECT_TRUE(std::signbit(tiny));
  EXPECT_EQ(ConvertErrorOf("abc", DataType::Float64()), "syntax");
  EXPECT_EQ(ConvertErrorOf("1.5x", DataType::Float64()), "syntax");
  EXPECT_EQ(ConvertErrorOf("0x1p3", DataType::Float64()), "syntax");
  EXPECT_EQ(ConvertErrorOf("", DataType::Float64()), "syntax");
}

TEST(AppendTextTest, Decimal) {
  const DataType type = DataType::Decimal(10, 2);
  EXPECT_TRUE(ValueOf<columnar::DecimalColumn>(Convert("12.5", type)) == 1250);
  EXPECT_TRUE(ValueOf<columnar::DecimalColumn>(Convert("-0.01", type)) == -1);
  EXPECT_TRUE(ValueOf<columnar::DecimalColumn>(Convert("1.50", DataType::Decimal(10, 1))) == 15);
  EXPECT_EQ(ConvertErrorOf("1.555", type), "too_many_fraction_digits");
  EXPECT_EQ(ConvertErrorOf("123456789.00", type), "overflow");
  EXPECT_EQ(ConvertErrorOf("abc", type), "syntax");
  EXPECT_EQ(ConvertErrorOf("", type), "syntax");
}

TEST(AppendTextTest, Bool) {
  EXPECT_TRUE(ValueOf<columnar::BooleanColumn>(Convert("true", DataType::Bool())));
  EXPECT_FALSE(ValueOf<columnar::BooleanColumn>(Convert("FALSE", DataType::Bool())));
  EXPECT_EQ(ConvertErrorOf("yes", DataType::Bool()), "syntax");
  EXPECT_EQ(ConvertErrorOf("1", DataType::Bool()), "syntax");
}

TEST(AppendTextTest, Date) {
  constexpr int32_t kMarchFirst2024 = 19783;
  EXPECT_EQ(ValueOf<columnar::Int32Column>(Convert("2024-03-01", DataType::Date())),
            kMarchFirst2024);
  EXPECT_EQ(
      ValueOf<columnar::Int32Column>(Convert("03/01/2024", DataType::Date(), DateOrder::kMDY)),
      kMarchFirst2024);
  EXPECT_EQ(
      ValueOf<columnar::Int32Column>(Convert("01.03.2024", DataType::Date(), DateOrder::kDMY)),
      kMarchFirst2024);
  // A timestamp at midnight UTC is a date; any other time is not.
  EXPECT_EQ(ValueOf<columnar::Int32Column>(Convert("2024-03-01T00:00:00Z", DataType::Date())),
            kMarchFirst2024);
  EXPECT_EQ(ConvertErrorOf("2024-03-01T10:00:00", DataType::Date()), "syntax");
  EXPECT_EQ(ConvertErrorOf("2023-02-29", DataType::Date()), "syntax");
  EXPECT_EQ(ConvertErrorOf("03/01/2024", DataType::Date()), "syntax");
}

TEST(AppendTextTest, Timestamp) {
  EXPECT_EQ(
      ValueOf<columnar::Int64Column>(Convert("2024-03-01T13:45:07.25Z", DataType::Timestamp())),
      1709300707250000);
  EXPECT_EQ(ValueOf<columnar::Int64Column>(
                Convert("01-01-2000 12:12:00 AM", DataType::Timestamp(), DateOrder::kMDY)),
            946685520000000);
  // A date alone is midnight UTC.
  EXPECT_EQ(ValueOf<columnar::Int64Column>(Convert("2024-03-01", DataType::Timestamp())),
            int64_t{19783} * columnar::kMicrosPerDay);
  EXPECT_EQ(ConvertErrorOf("junk", DataType::Timestamp()), "syntax");
}

TEST(AppendTextTest, Time) {
  EXPECT_EQ(ValueOf<columnar::Int64Column>(Convert("13:45", DataType::Time())),
            (13 * 60 + 45) * 60 * columnar::kMicrosPerSecond);
  EXPECT_EQ(ValueOf<columnar::Int64Column>(Convert("12:30 AM", DataType::Time())),
            30 * 60 * columnar::kMicrosPerSecond);
  EXPECT_EQ(ConvertErrorOf("25:00", DataType::Time()), "syntax");
}

TEST(AppendTextTest, StringLikeTypesKeepTheTextVerbatim) {
  for (const DataType& type : {DataType::String(), DataType::Json(), DataType::Binary()}) {
    const std::string text = std::string("{\"a\": 1}\t\0x", 11);
    EXPECT_EQ(ValueOf<columnar::StringColumn>(Convert(text, type)), text) << type.ToString();
    EXPECT_EQ(ValueOf<columnar::StringColumn>(Convert("", type)), "") << type.ToString();
  }
}

TEST(AppendTextTest, AppendsToAnExistingBuilder) {
  columnar::Int64Builder builder(DataType::Int64());
  const TextColumnType type{DataType::Int64()};
  EXPECT_EQ(ErrorName(AppendText("1", type, &builder)), "ok");
  EXPECT_EQ(ErrorName(AppendText("x", type, &builder)), "syntax");
  EXPECT_EQ(ErrorName(AppendText("3", type, &builder)), "ok");
  const ColumnPtr column = builder.Finish();
  ASSERT_EQ(column->length(), 2);
  EXPECT_EQ(static_cast<const columnar::Int64Column&>(*column).Value(0), 1);
  EXPECT_EQ(static_cast<const columnar::Int64Column&>(*column).Value(1), 3);
}

TEST(ConvertErrorMessageTest, NamesTheValueAndTheType) {
  EXPECT_EQ(ConvertErrorMessage(ConvertError::kSyntax, "abc", DataType::Int64()),
            "'abc' is not a valid int64");
  EXPECT_EQ(ConvertErrorMessage(ConvertError::kSyntax, "2023-02-29", DataType::Date()),
            "'2023-02-29' is not a valid date");
  const std::string overflow =
      ConvertErrorMessage(ConvertError::kOverflow, "123456789.00", DataType::Decimal(10, 2));
  EXPECT_NE(overflow.find("'123456789.00'"), std::string::npos) << overflow;
  EXPECT_NE(overflow.find("decimal(10,2)"), std::string::npos) << overflow;
  const std::string fraction =
      ConvertErrorMessage(ConvertError::kTooManyFractionDigits, "1.555", DataType::Decimal(10, 2));
  EXPECT_NE(fraction.find("'1.555'"), std::string::npos) << fraction;
  EXPECT_NE(fraction.find("decimal(10,2)"), std::string::npos) << fraction;
  EXPECT_NE(fraction.find("fractional digits"), std::string::npos) << fraction;
}

TEST(ConvertErrorMessageTest, CutDoesNotSplitACharacter) {
  // 79 ASCII bytes then "é" (2 bytes): a cut at exactly 80 bytes would leave half a character.
  const std::string text = std::string(79, 'x') + "éééé";
  const std::string message = ConvertErrorMessage(ConvertError::kSyntax, text, DataType::Int64());
  EXPECT_TRUE(IsValidUtf8(message)) << message;
  EXPECT_EQ(message.rfind("' is not a valid int64"), message.size() - 22) << message;
}

TEST(ConvertErrorMessageTest, CutsLongValues) {
  const std::string text(100, 'x');
  const std::string message = ConvertErrorMessage(ConvertError::kSyntax, text, DataType::Int64());
  EXPECT_EQ(message, "'" + std::string(80, 'x') + "…' is not a valid int64");
}

// ---------------------------------------------------------------------------------------------
// Parsers

std::optional<int64_t> Int64(std::string_view text) {
  int64_t value = 0;
  if (!ParseInt64(text, &value)) return std::nullopt;
  return value;
}

TEST(ParseInt64Test, Limits) {
  EXPECT_EQ(Int64("9223372036854775807"), INT64_MAX);
  EXPECT_EQ(Int64("-9223372036854775808"), INT64_MIN);
  EXPECT_EQ(Int64("+9223372036854775807"), INT64_MAX);
  EXPECT_EQ(Int64("9223372036854775808"), std::nullopt);
  EXPECT_EQ(Int64("-9223372036854775809"), std::nullopt);
  EXPECT_EQ(Int64("9999999999999999999"), std::nullopt);   // 19 digits, fits uint64 only
  EXPECT_EQ(Int64("12345678901234567890"), std::nullopt);  // 20 digits
  EXPECT_EQ(Int64("-12345678901234567890"), std::nullopt);
  EXPECT_EQ(Int64("99999999999999999999"), std::nullopt);
}

TEST(ParseInt64Test, SignsAndShapes) {
  EXPECT_EQ(Int64("+5"), 5);
  EXPECT_EQ(Int64("-5"), -5);
  EXPECT_EQ(Int64("0"), 0);
  EXPECT_EQ(Int64("-0"), 0);
  EXPECT_EQ(Int64("007"), 7);
  for (const char* text :
       {"", "-", "+", "--1", "+-1", " 1", "1 ", "1.0", "1e3", "0x10", "1_000", "١"}) {
    EXPECT_EQ(Int64(text), std::nullopt) << "'" << text << "'";
  }
}

TEST(ParseFloat64Test, Values) {
  double value = 0;
  ASSERT_TRUE(ParseFloat64("1.5", &value));
  EXPECT_EQ(value, 1.5);
  ASSERT_TRUE(ParseFloat64("+1.5", &value));
  EXPECT_EQ(value, 1.5);
  ASSERT_TRUE(ParseFloat64("1e-400", &value));
  EXPECT_EQ(value, 0.0);
  ASSERT_TRUE(ParseFloat64("-1e400", &value));
  EXPECT_EQ(value, -HUGE_VAL);
  ASSERT_TRUE(ParseFloat64("1e-400", &value));
  EXPECT_EQ(value, 0.0);
  EXPECT_FALSE(std::signbit(value));
  ASSERT_TRUE(ParseFloat64("-1e-400", &value));
  EXPECT_EQ(value, 0.0);
  EXPECT_TRUE(std::signbit(value));
  for (const char* text : {"", "+", "-", "++1", "+-1", "1.5 ", " 1.5", "abc", "1,5", "e5"}) {
    EXPECT_FALSE(ParseFloat64(text, &value)) << "'" << text << "'";
  }
}

TEST(ParseFloat64Test, OutOfRangeWithoutTheUsualExponentSign) {
  // Underflow written without an exponent is a tiny number, not infinity.
  double value = 1;
  ASSERT_TRUE(ParseFloat64("0." + std::string(400, '0') + "1", &value));
  EXPECT_EQ(value, 0.0);
  ASSERT_TRUE(ParseFloat64("-0." + std::string(400, '0') + "1", &value));
  EXPECT_EQ(value, 0.0);
  EXPECT_TRUE(std::signbit(value));
  // Overflow with a negative exponent (10^400 * 10^-5) is infinity, not zero.
  ASSERT_TRUE(ParseFloat64("1" + std::string(400, '0') + "e-5", &value));
  EXPECT_EQ(value, HUGE_VAL);
}

TEST(ParseBoolTest, TrueAndFalseInAnyCase) {
  bool value = false;
  for (const char* text : {"true", "TRUE", "True", "tRuE"}) {
    value = false;
    ASSERT_TRUE(ParseBool(text, &value)) << text;
    EXPECT_TRUE(value);
  }
  for (const char* text : {"false", "FALSE", "False"}) {
    value = true;
    ASSERT_TRUE(ParseBool(text, &value)) << text;
    EXPECT_FALSE(value);
  }
  for (const char* text : {"", "t", "f", "1", "0", "yes", "no", "truee", "fals", "true ", "TRU3"}) {
    EXPECT_FALSE(ParseBool(text, &value)) << "'" << text << "'";
  }
}

TEST(IsValidUtf8Test, StrictUtf8) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("héllo 日本 😀"));
  EXPECT_FALSE(IsValidUtf8("caf\xE9"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));      // overlong
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));  // surrogate
  EXPECT_FALSE(IsValidUtf8("\xC3"));          // cut sequence
}

}  // namespace
}  // namespace sluice::formats

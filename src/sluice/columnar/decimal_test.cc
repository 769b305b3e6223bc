#include "sluice/columnar/decimal.h"

#include <gtest/gtest.h>

#include <string>

namespace sluice::columnar {
namespace {

std::string ErrorName(DecimalParseError error) {
  switch (error) {
    case DecimalParseError::kOk:
      return "ok";
    case DecimalParseError::kSyntax:
      return "syntax";
    case DecimalParseError::kTooManyFractionDigits:
      return "too_many_fraction_digits";
    case DecimalParseError::kOverflow:
      return "overflow";
  }
  return "?";
}

// Parses `text` at decimal(precision, scale) and returns the unscaled value as a plain integer
// string, or the error's name.
std::string ParseUnscaled(std::string_view text, int precision, int scale) {
  Int128 value = 12345;  // sentinel: must be overwritten on success
  const DecimalParseError error = ParseDecimal(text, precision, scale, &value);
  if (error != DecimalParseError::kOk) return ErrorName(error);
  return FormatDecimal(value, 0);
}

std::string ParseError(std::string_view text, int precision, int scale) {
  Int128 value = 0;
  return ErrorName(ParseDecimal(text, precision, scale, &value));
}

TEST(DecimalTest, PowerOfTen) {
  EXPECT_TRUE(PowerOfTen(0) == 1);
  EXPECT_TRUE(PowerOfTen(1) == 10);
  EXPECT_TRUE(PowerOfTen(18) == 1000000000000000000);
  EXPECT_TRUE(PowerOfTen(19) == Int128{1000000000000000000} * 10);
  EXPECT_EQ(FormatDecimal(PowerOfTen(38), 0), "1" + std::string(38, '0'));
  EXPECT_EQ(FormatDecimal(MaxUnscaled(38), 0), std::string(38, '9'));
  EXPECT_TRUE(MaxUnscaled(2) == 99);
}

TEST(DecimalTest, FormatPlacesThePoint) {
  EXPECT_EQ(FormatDecimal(12345, 2), "123.45");
  EXPECT_EQ(FormatDecimal(12345, 0), "12345");
  EXPECT_EQ(FormatDecimal(12345, 5), "0.12345");
  EXPECT_EQ(FormatDecimal(12345, 7), "0.0012345");
  EXPECT_EQ(FormatDecimal(-5, 3), "-0.005");
  EXPECT_EQ(FormatDecimal(-120, 1), "-12.0");
  EXPECT_EQ(FormatDecimal(7, 0), "7");
  EXPECT_EQ(FormatDecimal(-7, 0), "-7");
}

TEST(DecimalTest, FormatZeroKeepsTheScale) {
  EXPECT_EQ(FormatDecimal(0, 0), "0");
  EXPECT_EQ(FormatDecimal(0, 2), "0.00");
  EXPECT_EQ(FormatDecimal(100, 2), "1.00");
}

TEST(DecimalTest, FormatExtremes) {
  EXPECT_EQ(FormatDecimal(MaxUnscaled(38), 0), std::string(38, '9'));
  EXPECT_EQ(FormatDecimal(-MaxUnscaled(38), 2), "-" + std::string(36, '9') + ".99");
  EXPECT_EQ(FormatDecimal(1, 38), "0." + std::string(37, '0') + "1");
  EXPECT_EQ(FormatDecimal(-MaxUnscaled(38), 38), "-0." + std::string(38, '9'));
  // The most negative Int128 (-2^127) has no positive counterpart; it must still print.
  const Int128 min = static_cast<Int128>(static_cast<UInt128>(1) << 127);
  EXPECT_EQ(FormatDecimal(min, 0), "-170141183460469231731687303715884105728");
}

TEST(DecimalTest, AppendDecimalAppends) {
  std::string out = "x=";
  AppendDecimal(-250, 2, &out);
  EXPECT_EQ(out, "x=-2.50");
}

TEST(DecimalTest, ParsePlainValues) {
  EXPECT_EQ(ParseUnscaled("123.45", 10, 2), "12345");
  EXPECT_EQ(ParseUnscaled("0", 10, 2), "0");
  EXPECT_EQ(ParseUnscaled("42", 10, 0), "42");
  EXPECT_EQ(ParseUnscaled("0.5", 10, 1), "5");
  EXPECT_EQ(ParseUnscaled(".5", 10, 1), "5");
  EXPECT_EQ(ParseUnscaled("0007.25", 10, 2), "725");
}

TEST(DecimalTest, ParsePadsToTheScale) {
  EXPECT_EQ(ParseUnscaled("123.4", 10, 2), "12340");
  EXPECT_EQ(ParseUnscaled("123", 10, 2), "12300");
  EXPECT_EQ(ParseUnscaled("1", 10, 9), "1000000000");
}

TEST(DecimalTest, ParseSigns) {
  EXPECT_EQ(ParseUnscaled("-0.005", 10, 3), "-5");
  EXPECT_EQ(ParseUnscaled("-12.5", 10, 2), "-1250");
  EXPECT_EQ(ParseUnscaled("+7.5", 10, 1), "75");
  EXPECT_EQ(ParseUnscaled("+0", 10, 0), "0");
  EXPECT_EQ(ParseUnscaled("-0.00", 10, 2), "0");
}

TEST(DecimalTest, ParseTrailingZeroFractionDigitsAreNotRounding) {
  EXPECT_EQ(ParseUnscaled("1.50", 10, 1), "15");
  EXPECT_EQ(ParseUnscaled("1.5000000", 10, 1), "15");
  EXPECT_EQ(ParseUnscaled("2.000", 10, 0), "2");
  EXPECT_EQ(ParseError("1.55", 10, 1), "too_many_fraction_digits");
  EXPECT_EQ(ParseError("1.501", 10, 2), "too_many_fraction_digits");
  EXPECT_EQ(ParseError("0.5", 10, 0), "too_many_fraction_digits");
  EXPECT_EQ(ParseError("-0.001", 10, 2), "too_many_fraction_digits");
}

TEST(DecimalTest, ParseAcceptsManyTrailingZeros) {
  // "Extra fractional digits are accepted only when they are zeros": the number of zeros must not
  // matter. 38 zeros work; 39 or more zeros used to be reported as overflow.
  EXPECT_EQ(ParseUnscaled("1." + std::string(38, '0'), 10, 2), "100");
  EXPECT_EQ(ParseUnscaled("1." + std::string(39, '0'), 10, 2), "100");
  EXPECT_EQ(ParseUnscaled("1." + std::string(60, '0'), 10, 2), "100");
  EXPECT_EQ(ParseUnscaled("0." + std::string(60, '0'), 10, 2), "0");
}

TEST(DecimalTest, ParseTooPreciseFractionIsNotOverflow) {
  // 0.1 printed with 50 digits: it fits decimal(10,2) in magnitude; the problem is the fraction.
  EXPECT_EQ(ParseError("0.10000000000000000555111512312578270211815834045410", 10, 2),
            "too_many_fraction_digits");
  EXPECT_EQ(ParseError("0." + std::string(60, '0') + "1", 10, 2), "too_many_fraction_digits");
}

TEST(DecimalTest, ParseExponentForms) {
  EXPECT_EQ(ParseUnscaled("1.5e3", 10, 0), "1500");
  EXPECT_EQ(ParseUnscaled("1.5E3", 10, 2), "150000");
  EXPECT_EQ(ParseUnscaled("1e+2", 10, 0), "100");
  EXPECT_EQ(ParseUnscaled("15e-1", 10, 1), "15");
  EXPECT_EQ(ParseUnscaled("1.5e-1", 10, 2), "15");
  EXPECT_EQ(ParseUnscaled("-2.5e1", 10, 0), "-25");
  EXPECT_EQ(ParseUnscaled("1200e-2", 10, 0), "12");
  EXPECT_EQ(ParseUnscaled("0e500", 10, 2), "0");
  EXPECT_EQ(ParseError("1.5e-2", 10, 2), "too_many_fraction_digits");
  EXPECT_EQ(ParseError("1e-1", 10, 0), "too_many_fraction_digits");
  EXPECT_EQ(ParseError("1e10", 10, 0), "overflow");  // 11 digits
  EXPECT_EQ(ParseUnscaled("1e9", 10, 0), "1000000000");
  EXPECT_EQ(ParseError("1e1001", 38, 0), "overflow");
}

TEST(DecimalTest, ParseHonoursThirtyEightDigits) {
  const std::string nines(38, '9');
  EXPECT_EQ(ParseUnscaled(nines, 38, 0), nines);
  EXPECT_EQ(ParseUnscaled("-" + nines, 38, 0), "-" + nines);
  EXPECT_EQ(ParseUnscaled("0." + nines, 38, 38), nines);
  EXPECT_EQ(ParseUnscaled(std::string(36, '9') + ".99", 38, 2), nines);
  EXPECT_EQ(ParseUnscaled("1e37", 38, 0), "1" + std::string(37, '0'));
}

TEST(DecimalTest, ParseOverflow) {
  EXPECT_EQ(ParseError("1" + std::string(38, '0'), 38, 0), "overflow");  // 10^38
  EXPECT_EQ(ParseError(std::string(39, '9'), 38, 0), "overflow");
  EXPECT_EQ(ParseError(std::string(60, '9'), 38, 0), "overflow");
  EXPECT_EQ(ParseError("-" + std::string(39, '9'), 38, 0), "overflow");
  EXPECT_EQ(ParseError("1e38", 38, 0), "overflow");
  EXPECT_EQ(ParseError("12345.67", 6, 2), "overflow");  // needs 7 digits
  EXPECT_EQ(ParseUnscaled("9999.99", 6, 2), "999999");
  EXPECT_EQ(ParseError("-10000", 6, 2), "overflow");
  EXPECT_EQ(ParseError("1", 38, 38), "overflow");  // 1.000... needs 39 digits
}

TEST(DecimalTest, ParseOverflowDoesNotWrapAround) {
  // 2^128 and 2^128 + 5 have 39 digits: they must overflow, not wrap to 0 and 5.
  EXPECT_EQ(ParseError("340282366920938463463374607431768211456", 38, 0), "overflow");
  EXPECT_EQ(ParseError("340282366920938463463374607431768211461", 38, 0), "overflow");
  EXPECT_EQ(ParseError("3402823669209384634633746074317682114560", 38, 0), "overflow");
}

TEST(DecimalTest, ParseSyntaxErrors) {
  for (const char* text : {"",    "+",  "-",    ".",       "-.",    "abc", "1.2.3", "1,5",
                           " 1",  "1 ", "1e",   "1e+",     "1e-",   "e5",  ".e5",   "--1",
                           "+-1", "1x", "0x10", "1.5e3.2", "1e5e5", "nan", "inf",   "1_000"}) {
    EXPECT_EQ(ParseError(text, 38, 2), "syntax") << "'" << text << "'";
  }
}

TEST(DecimalTest, ParseValueBeyondDoublePrecisionExactly) {
  // 82544000000000707.52 is not representable as a double (it would print as ...704 or ...712);
  // the decimal parser must keep every digit.
  Int128 value = 0;
  ASSERT_EQ(ParseDecimal("82544000000000707.52", 38, 2, &value), DecimalParseError::kOk);
  EXPECT_TRUE(value == Int128{82544000000000707} * 100 + 52);
  EXPECT_EQ(FormatDecimal(value, 2), "82544000000000707.52");
  ASSERT_EQ(ParseDecimal("-82544000000000707.52", 19, 2, &value), DecimalParseError::kOk);
  EXPECT_EQ(FormatDecimal(value, 2), "-82544000000000707.52");
  EXPECT_EQ(ParseError("82544000000000707.52", 18, 2), "overflow");  // 19 digits
}

TEST(DecimalTest, ParseThenFormatRoundTrips) {
  for (const char* text : {"0.00", "1.00", "-1.25", "123456789.01", "-0.01", "99999999999999.99"}) {
    Int128 value = 0;
    ASSERT_EQ(ParseDecimal(text, 18, 2, &value), DecimalParseError::kOk) << text;
    EXPECT_EQ(FormatDecimal(value, 2), text);
  }
}

TEST(DecimalTest, FailedParseLeavesOutputUntouched) {
  Int128 value = 77;
  EXPECT_EQ(ParseDecimal("1.55", 10, 1, &value), DecimalParseError::kTooManyFractionDigits);
  EXPECT_TRUE(value == 77);
  EXPECT_EQ(ParseDecimal("abc", 10, 1, &value), DecimalParseError::kSyntax);
  EXPECT_TRUE(value == 77);
}

}  // namespace
}  // namespace sluice::columnar

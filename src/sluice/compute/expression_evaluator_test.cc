#include "sluice/compute/expression_evaluator.h"

#include <gtest/gtest.h>

#include <limits>

#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/value_formatter.h"

namespace sluice::compute {
namespace {

using columnar::DataType;

// Four rows: the last one is null everywhere.
class ExpressionEvaluatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    columnar::Int64Builder id(DataType::Int64());
    columnar::Int32Builder qty(DataType::Int32());
    columnar::Float64Builder price(DataType::Float64());
    columnar::StringBuilder name;
    columnar::BooleanBuilder ok;
    columnar::Int32Builder day(DataType::Date());
    columnar::Int64Builder big(DataType::Int64());
    columnar::DecimalBuilder amount(DataType::Decimal(10, 2));
    const columnar::Int128 amounts[] = {18173, -5, 9'999'999'999};  // 181.73, -0.05, 99999999.99
    const int64_t max = std::numeric_limits<int64_t>::max();
    for (int i = 0; i < 3; ++i) {
      id.Append(i + 1);
      qty.Append(i * 5);  // 0, 5, 10
      price.Append(1.5 * (i + 1));
      name.Append(i == 0 ? "  Ada " : i == 1 ? "bob" : "ÉMILE");
      ok.Append(i != 1);
      day.Append(19'723 + i);  // 2024-01-01 ...
      big.Append(i == 2 ? max : i);
      amount.Append(amounts[i]);
    }
    amount.AppendNull();
    id.AppendNull();
    qty.AppendNull();
    price.AppendNull();
    name.AppendNull();
    ok.AppendNull();
    day.AppendNull();
    big.AppendNull();
    auto schema = std::make_shared<const columnar::Schema>(
        std::vector<columnar::Field>{{"id", DataType::Int64()},
                                     {"qty", DataType::Int32()},
                                     {"price", DataType::Float64()},
                                     {"name", DataType::String()},
                                     {"ok", DataType::Bool()},
                                     {"day", DataType::Date()},
                                     {"big", DataType::Int64()},
                                     {"amount", DataType::Decimal(10, 2)}});
    batch_ = std::make_shared<const columnar::Batch>(
        schema,
        std::vector<columnar::ColumnPtr>{id.Finish(), qty.Finish(), price.Finish(), name.Finish(),
                                         ok.Finish(), day.Finish(), big.Finish(), amount.Finish()},
        4);
  }

  // The values, JSON-style, joined with '|'.
  std::string Eval(const std::string& text) {
    errors_.clear();
    auto parsed = ParseExpression(text);
    if (!parsed.ok()) return "PARSE " + parsed.status().message();
    auto bound = Bind(**parsed, *batch_->schema());
    if (!bound.ok()) return "BIND " + bound.status().message();
    auto column = Evaluate(**bound, *batch_, &errors_);
    if (!column.ok()) return "EVAL " + column.status().ToString();
    EXPECT_EQ((*column)->length(), 4);
    EXPECT_EQ((*column)->type(), (*bound)->type) << text;
    std::string out;
    for (int64_t i = 0; i < (*column)->length(); ++i) {
      if (i > 0) out += "|";
      columnar::AppendValue(**column, i, columnar::ValueStyle::kJson, &out);
    }
    return out;
  }

  columnar::BatchPtr batch_;
  std::vector<RowError> errors_;
};

TEST_F(ExpressionEvaluatorTest, ArithmeticWithNullsAndPromotion) {
  EXPECT_EQ(Eval("id + qty"), "1|7|13|null");
  EXPECT_EQ(Eval("id * 2 - 1"), "1|3|5|null");
  EXPECT_EQ(Eval("qty % 4"), "0|1|2|null");
  EXPECT_EQ(Eval("-id"), "-1|-2|-3|null");
  EXPECT_EQ(Eval("price * qty"), "0|15|45|null");    // floats print shortest
  EXPECT_EQ(Eval("qty / 2"), "0|2.5|5|null");        // '/' is float division, as in DuckDB
  EXPECT_EQ(Eval("id / qty"), "null|0.4|0.3|null");  // x / 0 is NULL
  EXPECT_EQ(Eval("id % (qty - qty)"), "null|null|null|null");
  EXPECT_EQ(Eval("id + NULL"), "null|null|null|null");
  EXPECT_TRUE(errors_.empty());
}

TEST_F(ExpressionEvaluatorTest, OverflowNullsTheRowAndSaysWhy) {
  EXPECT_EQ(Eval("big + 1"), "1|2|null|null");
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_EQ(errors_[0].row, 2);
  EXPECT_EQ(errors_[0].message, "integer overflow in addition at column 1");
  // A branch not taken does not report.
  EXPECT_EQ(Eval("CASE WHEN big > 100 THEN 0 ELSE big * 2 END"), "0|2|0|null");
  EXPECT_TRUE(errors_.empty());
}

TEST_F(ExpressionEvaluatorTest, ComparisonsAndThreeValuedLogic) {
  EXPECT_EQ(Eval("qty > 3"), "false|true|true|null");
  EXPECT_EQ(Eval("qty = 5.0"), "false|true|false|null");
  EXPECT_EQ(Eval("name <> 'bob'"), "true|false|true|null");
  EXPECT_EQ(Eval("ok AND qty > 3"), "false|false|true|null");
  EXPECT_EQ(Eval("ok OR qty > 3"), "true|true|true|null");
  EXPECT_EQ(Eval("NULL AND FALSE"), "false|false|false|false");
  EXPECT_EQ(Eval("NULL OR TRUE"), "true|true|true|true");
  EXPECT_EQ(Eval("NOT ok"), "false|true|false|null");
  EXPECT_EQ(Eval("name IS NULL"), "false|false|false|true");
  EXPECT_EQ(Eval("name IS NOT NULL"), "true|true|true|false");
  EXPECT_EQ(Eval("day >= '2024-01-02'"), "false|true|true|null");
  EXPECT_EQ(Eval("day < TIMESTAMP '2024-01-02 12:00:00'"), "true|true|false|null");
}

TEST_F(ExpressionEvaluatorTest, InBetweenCaseCoalesceNullif) {
  EXPECT_EQ(Eval("qty IN (5, 10)"), "false|true|true|null");
  EXPECT_EQ(Eval("qty NOT IN (5, NULL)"), "null|false|null|null");
  EXPECT_EQ(Eval("qty BETWEEN 1 AND 5"), "false|true|false|null");
  EXPECT_EQ(Eval("qty NOT BETWEEN 1 AND 5"), "true|false|true|null");
  EXPECT_EQ(Eval("CASE WHEN qty > 7 THEN 'bulk' WHEN qty > 0 THEN 'few' END"),
            "null|\"few\"|\"bulk\"|null");
  EXPECT_EQ(Eval("CASE qty WHEN 0 THEN 'none' ELSE 'some' END"),
            "\"none\"|\"some\"|\"some\"|\"some\"");
  EXPECT_EQ(Eval("CASE WHEN ok THEN qty ELSE price END"), "0|3|10|null");
  EXPECT_EQ(Eval("coalesce(name, 'n/a')"), "\"  Ada \"|\"bob\"|\"ÉMILE\"|\"n/a\"");
  EXPECT_EQ(Eval("coalesce(NULL, qty, id)"), "0|5|10|null");
  EXPECT_EQ(Eval("nullif(qty, 0)"), "null|5|10|null");
}

TEST_F(ExpressionEvaluatorTest, StringFunctions) {
  EXPECT_EQ(Eval("lower(trim(name))"), "\"ada\"|\"bob\"|\"émile\"|null");
  EXPECT_EQ(Eval("upper(name)"), "\"  ADA \"|\"BOB\"|\"ÉMILE\"|null");
  EXPECT_EQ(Eval("length(name)"), "6|3|5|null");  // characters, not bytes
  EXPECT_EQ(Eval("name || '#' || id"), "\"  Ada #1\"|\"bob#2\"|\"ÉMILE#3\"|null");
  EXPECT_EQ(Eval("concat(name, '@', day)"),
            "\"  Ada @2024-01-01\"|\"bob@2024-01-02\"|\"ÉMILE@2024-01-03\"|\"@\"");
}

TEST_F(ExpressionEvaluatorTest, CastsAndTryCasts) {
  EXPECT_EQ(Eval("CAST(qty AS string)"), "\"0\"|\"5\"|\"10\"|null");
  EXPECT_EQ(Eval("CAST(price AS int64)"), "2|3|4|null");  // 1.5 → 2, 4.5 → 4: half to even
  EXPECT_EQ(Eval("CAST(id AS float64) / 4"), "0.25|0.5|0.75|null");
  EXPECT_EQ(Eval("CAST(day AS timestamp)"),
            "\"2024-01-01T00:00:00Z\"|\"2024-01-02T00:00:00Z\"|\"2024-01-03T00:00:00Z\"|null");
  EXPECT_EQ(Eval("CAST(' 42 ' AS int32) + qty"), "42|47|52|null");
  EXPECT_EQ(Eval("'2024-05-01'::date"),
            "\"2024-05-01\"|\"2024-05-01\"|\"2024-05-01\"|\"2024-05-01\"");
  EXPECT_EQ(Eval("CAST('yes' AS bool) AND ok"), "true|false|true|null");
  EXPECT_TRUE(errors_.empty());
  EXPECT_EQ(Eval("TRY_CAST(name AS int64)"), "null|null|null|null");
  EXPECT_TRUE(errors_.empty());
  EXPECT_EQ(Eval("CAST(name AS int64)"), "null|null|null|null");
  ASSERT_EQ(errors_.size(), 3u);
  EXPECT_EQ(errors_[1].row, 1);
  EXPECT_EQ(errors_[1].message, "cannot cast 'bob' to int64 at column 1");
  EXPECT_EQ(Eval("CAST(big AS int32)"), "0|1|null|null");
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_EQ(errors_[0].message, "cannot cast 9223372036854775807 to int32 at column 1");
  EXPECT_EQ(Eval("CAST(day AS int64)"), "BIND column 1: cannot cast date to int64");
}

TEST_F(ExpressionEvaluatorTest, DecimalsAreExact) {
  EXPECT_EQ(Eval("amount + 0.01"), "181.74|-0.04|100000000.00|null");    // decimal(12,2): a carry
  EXPECT_EQ(Eval("amount * qty"), "0.00|-0.25|999999999.90|null");       // scale 2 + 0
  EXPECT_EQ(Eval("amount * 1.5"), "272.595|-0.075|149999999.985|null");  // scale 2 + 1
  EXPECT_EQ(Eval("amount - id"), "180.73|-2.05|99999996.99|null");
  EXPECT_EQ(Eval("amount / 4"), "45.4325|-0.0125|24999999.9975|null");  // '/' is float64
  EXPECT_EQ(Eval("amount > 100 AND amount < 181.74"), "true|false|false|null");
  EXPECT_EQ(Eval("amount = 181.730"), "true|false|false|null");        // scales meet
  EXPECT_EQ(Eval("amount + price"), "183.23|2.95|100000004.49|null");  // with a float: float64
  EXPECT_EQ(Eval("round(amount, 1)"), "181.7|-0.1|100000000.0|null");  // half away from zero
  EXPECT_EQ(Eval("round(amount)"), "182|0|100000000|null");
  EXPECT_EQ(Eval("round(amount, -2)"), "200|0|100000000|null");
  EXPECT_EQ(Eval("floor(amount)"), "181|-1|99999999|null");
  EXPECT_EQ(Eval("ceil(amount)"), "182|0|100000000|null");
  EXPECT_EQ(Eval("abs(amount)"), "181.73|0.05|99999999.99|null");
  EXPECT_EQ(Eval("-amount"), "-181.73|0.05|-99999999.99|null");
  EXPECT_EQ(Eval("coalesce(amount, 0)"), "181.73|-0.05|99999999.99|0.00");
  EXPECT_EQ(Eval("CASE WHEN ok THEN amount ELSE 0.5 END"), "181.73|0.50|99999999.99|0.50");
  EXPECT_EQ(Eval("amount % 1"), "0.73|-0.05|0.99|null");
  EXPECT_EQ(Eval("CAST(amount AS string)"), "\"181.73\"|\"-0.05\"|\"99999999.99\"|null");
  EXPECT_TRUE(errors_.empty());
}

TEST_F(ExpressionEvaluatorTest, DecimalCastsRoundAndCheckTheDigits) {
  EXPECT_EQ(Eval("CAST(amount AS int64)"), "182|0|100000000|null");  // half away from zero
  EXPECT_EQ(Eval("CAST(amount AS float64)"), "181.73|-0.05|99999999.99|null");
  EXPECT_EQ(Eval("CAST(amount AS decimal(12,1))"), "181.7|-0.1|100000000.0|null");
  EXPECT_EQ(Eval("CAST(price AS decimal(5,2))"), "1.50|3.00|4.50|null");
  EXPECT_EQ(Eval("CAST(qty AS decimal(4,1))"), "0.0|5.0|10.0|null");
  EXPECT_EQ(Eval("CAST('12.345' AS decimal(6,2)) + amount"), "194.08|12.30|100000012.34|null");
  EXPECT_TRUE(errors_.empty());
  EXPECT_EQ(Eval("CAST(amount AS decimal(5,2))"), "181.73|-0.05|null|null");
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_EQ(errors_[0].message, "cannot cast 99999999.99 to decimal(5,2) at column 1");
  EXPECT_EQ(Eval("TRY_CAST(name AS decimal(5,2))"), "null|null|null|null");
  EXPECT_TRUE(errors_.empty());
  EXPECT_EQ(Eval("CAST(amount AS bool)"), "BIND column 1: cannot cast decimal(10,2) to bool");
}

TEST_F(ExpressionEvaluatorTest, DecimalOverflowIsARowError) {
  // decimal(10,2) × decimal(10,2) is decimal(20,4): fits; × 38-digit literal: beyond 38 digits.
  EXPECT_EQ(Eval("amount * amount"), "33025.7929|0.0025|9999999998000000.0001|null");
  EXPECT_EQ(Eval("amount * 99999999999999999999999999999999.99"),
            "null|-4999999999999999999999999999999.9995|null|null");
  ASSERT_EQ(errors_.size(), 2u);
  EXPECT_EQ(errors_[0].message,
            "decimal overflow in multiplication (beyond decimal(38,4)) at column 1");
}

TEST_F(ExpressionEvaluatorTest, LikeAndMoreStringFunctions) {
  EXPECT_EQ(Eval("name LIKE '%b'"), "false|true|false|null");
  EXPECT_EQ(Eval("name LIKE '_MILE'"), "false|false|true|null");  // _ is one character
  EXPECT_EQ(Eval("name NOT LIKE '%d%'"), "false|true|true|null");
  EXPECT_EQ(Eval("name ILIKE '%ADA%'"), "true|false|false|null");
  EXPECT_EQ(Eval("'abcabc' LIKE 'a%c%c'"), "true|true|true|true");
  EXPECT_EQ(Eval("'abc' LIKE 'a%%d'"), "false|false|false|false");
  EXPECT_EQ(Eval("substr(name, 2, 3)"), "\" Ad\"|\"ob\"|\"MIL\"|null");
  EXPECT_EQ(Eval("substr(name, -2)"), "\"a \"|\"ob\"|\"LE\"|null");
  EXPECT_EQ(Eval("substr('hello', 0, 2)"), "\"h\"|\"h\"|\"h\"|\"h\"");
  EXPECT_EQ(Eval("replace(name, 'b', 'BB')"), "\"  Ada \"|\"BBoBB\"|\"ÉMILE\"|null");
  EXPECT_EQ(Eval("split_part('a,b,,c', ',', CAST(qty / 5 AS int64) + 1)"), "\"a\"|\"b\"|\"\"|null");
  EXPECT_EQ(Eval("split_part('a,b', ',', 9)"), "\"\"|\"\"|\"\"|\"\"");
}

TEST_F(ExpressionEvaluatorTest, RegularExpressions) {
  EXPECT_EQ(Eval("regexp_matches(name, '^[a-z]+$')"), "false|true|false|null");
  EXPECT_EQ(Eval("regexp_matches(name, 'd')"), "true|false|false|null");  // anywhere
  EXPECT_EQ(Eval("regexp_extract('order-1234-x', '([a-z]+)-(\\d+)', 2)"),
            "\"1234\"|\"1234\"|\"1234\"|\"1234\"");
  EXPECT_EQ(Eval("regexp_extract(name, '[0-9]+')"), "\"\"|\"\"|\"\"|null");  // no match: ''
  EXPECT_EQ(Eval("regexp_replace(name, '[aeiou]', '*')"), "\"  Ad* \"|\"b*b\"|\"ÉMILE\"|null");
  EXPECT_EQ(Eval("regexp_replace('a1b22c333', '(\\d+)', '<\\1>', 'g')"),
            "\"a<1>b<22>c<333>\"|\"a<1>b<22>c<333>\"|\"a<1>b<22>c<333>\"|\"a<1>b<22>c<333>\"");
  EXPECT_EQ(Eval("regexp_matches(name, 'a(')"),
            "BIND column 22: invalid regular expression: missing ): a(");
  EXPECT_EQ(Eval("regexp_matches(name, name)"),
            "BIND column 22: regexp_matches() needs the pattern as a string literal ('...')");
  EXPECT_EQ(Eval("regexp_extract(name, 'a', 2)"), "BIND column 27: the pattern has no group 2");
}

TEST_F(ExpressionEvaluatorTest, DateFunctions) {
  EXPECT_EQ(Eval("date_trunc('month', day)"), "\"2024-01-01\"|\"2024-01-01\"|\"2024-01-01\"|null");
  EXPECT_EQ(Eval("date_trunc('week', DATE '2024-01-07')"),  // a Sunday → its ISO Monday
            "\"2024-01-01\"|\"2024-01-01\"|\"2024-01-01\"|\"2024-01-01\"");
  EXPECT_EQ(Eval("date_trunc('hour', TIMESTAMP '2024-03-05 17:45:12')"),
            "\"2024-03-05T17:00:00Z\"|\"2024-03-05T17:00:00Z\"|\"2024-03-05T17:00:00Z\"|"
            "\"2024-03-05T17:00:00Z\"");
  EXPECT_EQ(Eval("extract(dow FROM day)"), "1|2|3|null");  // 2024-01-01 was a Monday
  EXPECT_EQ(Eval("date_part('doy', day) + extract(year from day)"), "2025|2026|2027|null");
  EXPECT_EQ(Eval("extract(week FROM DATE '2021-01-03')"), "53|53|53|53");  // ISO: 2020-W53
  EXPECT_EQ(Eval("extract(quarter FROM DATE '2024-08-15')"), "3|3|3|3");
  EXPECT_EQ(Eval("date_add(day, INTERVAL 1 MONTH)"),
            "\"2024-02-01\"|\"2024-02-02\"|\"2024-02-03\"|null");
  EXPECT_EQ(Eval("date_add(DATE '2024-01-31', INTERVAL '1 month')"),  // clamped: leap February
            "\"2024-02-29\"|\"2024-02-29\"|\"2024-02-29\"|\"2024-02-29\"");
  EXPECT_EQ(Eval("date_add(day, INTERVAL '36 hours')"),
            "\"2024-01-02T12:00:00Z\"|\"2024-01-03T12:00:00Z\"|\"2024-01-04T12:00:00Z\"|null");
  EXPECT_EQ(Eval("date_diff('month', DATE '2024-01-31', DATE '2024-02-01')"), "1|1|1|1");
  EXPECT_EQ(Eval("date_diff('day', day, TIMESTAMP '2024-01-10 23:00:00')"), "9|8|7|null");
  EXPECT_EQ(Eval("date_diff('year', DATE '2024-12-31', DATE '2023-01-01')"), "-1|-1|-1|-1");
  EXPECT_EQ(Eval("strftime(day, '%d/%m/%Y %a')"),
            "\"01/01/2024 Mon\"|\"02/01/2024 Tue\"|\"03/01/2024 Wed\"|null");
  EXPECT_EQ(Eval("strptime('31/12/2023 23:59', '%d/%m/%Y %H:%M') < day"), "true|true|true|null");
  EXPECT_TRUE(errors_.empty());
  EXPECT_EQ(Eval("strptime(name, '%Y')"), "null|null|null|null");
  ASSERT_EQ(errors_.size(), 3u);
  EXPECT_EQ(errors_[1].message, "'bob' does not match the format '%Y' at column 1");
  EXPECT_EQ(Eval("now() > TIMESTAMP '2026-01-01 00:00:00'"), "true|true|true|true");
  EXPECT_EQ(Eval("date_trunc('fortnight', day)"),
            "BIND column 12: unknown unit 'fortnight' for date_trunc() (year, quarter, month, "
            "week, day, hour, minute, second)");
  EXPECT_EQ(Eval("date_add(day, 3)"),
            "BIND column 15: date_add() takes an INTERVAL literal, e.g. INTERVAL 3 DAY");
  EXPECT_EQ(Eval("date_add(day, INTERVAL '3 fortnights')"),
            "BIND column 15: '3 fortnights' is not an interval (e.g. '3 days', '1 month', '2 "
            "hours 30 minutes')");
}

TEST_F(ExpressionEvaluatorTest, NumericFunctions) {
  EXPECT_EQ(Eval("abs(qty - 7)"), "7|2|3|null");
  EXPECT_EQ(Eval("round(price * 1.11, 1)"), "1.7|3.3|5|null");
  EXPECT_EQ(Eval("round(1234, -2) + round(1250, -2)"), "2500|2500|2500|2500");
  EXPECT_EQ(Eval("floor(-price)"), "-2|-3|-5|null");
  EXPECT_EQ(Eval("ceil(price)"), "2|3|5|null");
  EXPECT_EQ(Eval("abs(-9223372036854775807 - 1)"), "null|null|null|null");
  EXPECT_EQ(errors_.size(), 4u);
}

TEST_F(ExpressionEvaluatorTest, BindingErrorsPointAtTheirColumn) {
  EXPECT_EQ(Eval("qyt + 1"), "BIND column 1: unknown column 'qyt'; did you mean 'qty'?");
  EXPECT_EQ(Eval("QTY + 1"), "1|6|11|null");  // names match case-insensitively when unique
  EXPECT_EQ(Eval("id + name"), "BIND column 6: '+' needs numbers, not string");
  EXPECT_EQ(Eval("name = 1"), "BIND column 1: cannot compare string and int64");
  EXPECT_EQ(Eval("qty AND ok"), "BIND column 1: expected a true/false condition, found int32");
  EXPECT_EQ(Eval("lower(qty)"), "BIND column 7: lower() needs a string, not int32");
  EXPECT_EQ(Eval("trim(name, 'x')"), "BIND column 1: trim() takes 1 argument, not 2");
  EXPECT_EQ(Eval("frobnicate(1)"), "BIND column 1: unknown function frobnicate()");
  EXPECT_EQ(Eval("day > DATE '2024-02-30'"),
            "BIND column 7: '2024-02-30' is not a date (YYYY-MM-DD)");
  // A string column never turns into a date (only a string literal does).
  EXPECT_EQ(Eval("CASE WHEN ok THEN name ELSE day END"),
            "BIND column 29: cannot mix the CASE results string and date");
  EXPECT_EQ(Eval("coalesce(day, '2024-02-01')"),
            "\"2024-01-01\"|\"2024-01-02\"|\"2024-01-03\"|\"2024-02-01\"");
  EXPECT_EQ(Eval("CASE WHEN ok THEN 'a' ELSE 1 END"),
            "BIND column 28: cannot mix the CASE results string and int64");
}

}  // namespace
}  // namespace sluice::compute

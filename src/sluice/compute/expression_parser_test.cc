#include "sluice/compute/expression_parser.h"

#include <gtest/gtest.h>

namespace sluice::compute {
namespace {

std::string Sql(const std::string& text) {
  auto expr = ParseExpression(text);
  if (!expr.ok()) return "ERROR " + expr.status().message();
  return ToSql(**expr);
}

// The error message and the 1-based column it points at.
std::string Error(const std::string& text) {
  ExpressionError error;
  auto expr = ParseExpression(text, &error);
  if (expr.ok()) return "parsed as " + ToSql(**expr);
  EXPECT_EQ(expr.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(expr.status().message(),
            "column " + std::to_string(error.offset + 1) + ": " + error.message);
  return std::to_string(error.offset + 1) + ": " + error.message;
}

TEST(ExpressionParserTest, Literals) {
  EXPECT_EQ(Sql("42"), "42");
  EXPECT_EQ(Sql("-42"), "-42");
  EXPECT_EQ(Sql("12.50"), "12.50");
  EXPECT_EQ(Sql("-0.5"), "-0.5");
  EXPECT_EQ(Sql(".5"), ".5");
  EXPECT_EQ(Sql("1e3"), "1e3");
  EXPECT_EQ(Sql("2.5E-2"), "2.5E-2");
  EXPECT_EQ(Sql("18340888035654e070272"), "18340888035654e070272");  // out of range: kept as text
  EXPECT_EQ(Sql("'it''s'"), "'it''s'");
  EXPECT_EQ(Sql("''"), "''");
  EXPECT_EQ(Sql("TRUE"), "TRUE");
  EXPECT_EQ(Sql("false"), "FALSE");
  EXPECT_EQ(Sql("null"), "NULL");
  EXPECT_EQ(Sql("DATE '2024-01-31'"), "DATE '2024-01-31'");
  EXPECT_EQ(Sql("timestamp '2024-01-31 10:00:00'"), "TIMESTAMP '2024-01-31 10:00:00'");
  EXPECT_EQ(Sql("INTERVAL '3 days'"), "INTERVAL '3 days'");
  EXPECT_EQ(Sql("interval 3 DAY"), "INTERVAL '3 day'");
  // Beyond int64 an integer is kept exactly, as a decimal.
  EXPECT_EQ(Sql("99999999999999999999"), "99999999999999999999");
  auto big = ParseExpression("99999999999999999999");
  ASSERT_TRUE(big.ok());
  EXPECT_EQ((*big)->literal.kind, LiteralKind::kDecimal);
  auto small = ParseExpression("-9223372036854775807");
  ASSERT_TRUE(small.ok());
  EXPECT_EQ((*small)->literal.kind, LiteralKind::kInteger);
  EXPECT_EQ((*small)->literal.int_value, -9223372036854775807);
}

TEST(ExpressionParserTest, ColumnsKeepTheirCaseAndQuotedNamesTakeAnything) {
  auto expr = ParseExpression("Order_Id");
  ASSERT_TRUE(expr.ok());
  EXPECT_EQ((*expr)->kind, ExprKind::kColumn);
  EXPECT_EQ((*expr)->name, "Order_Id");
  EXPECT_EQ(Sql("\"unit price\" * 2"), "(\"unit price\" * 2)");
  EXPECT_EQ(Sql("\"say \"\"hi\"\"\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(Sql("\"end\""), "\"end\"");  // a keyword as a column name
}

TEST(ExpressionParserTest, PrecedenceFollowsSql) {
  EXPECT_EQ(Sql("a + b * c"), "(a + (b * c))");
  EXPECT_EQ(Sql("(a + b) * c"), "((a + b) * c)");
  EXPECT_EQ(Sql("a - b - c"), "((a - b) - c)");
  EXPECT_EQ(Sql("a / b % c"), "((a / b) % c)");
  EXPECT_EQ(Sql("-a * b"), "((-a) * b)");
  EXPECT_EQ(Sql("a || b || c"), "((a || b) || c)");
  EXPECT_EQ(Sql("a + 1 || b"), "((a + 1) || b)");
  EXPECT_EQ(Sql("a = 1 OR b = 2 AND c = 3"), "((a = 1) OR ((b = 2) AND (c = 3)))");
  EXPECT_EQ(Sql("NOT a = 1 AND b"), "((NOT (a = 1)) AND b)");
  EXPECT_EQ(Sql("NOT NOT a"), "(NOT (NOT a))");
  EXPECT_EQ(Sql("a != b"), "(a <> b)");
  EXPECT_EQ(Sql("a >= 1 and a <= 2"), "((a >= 1) AND (a <= 2))");
}

TEST(ExpressionParserTest, PredicatesFunctionsCaseAndCasts) {
  EXPECT_EQ(Sql("email IS NULL"), "(email IS NULL)");
  EXPECT_EQ(Sql("email is not null"), "(email IS NOT NULL)");
  EXPECT_EQ(Sql("status IN ('new', 'paid')"), "(status IN ('new', 'paid'))");
  EXPECT_EQ(Sql("status NOT IN ('void')"), "(status NOT IN ('void'))");
  EXPECT_EQ(Sql("qty BETWEEN 1 AND 10 AND ok"), "((qty BETWEEN 1 AND 10) AND ok)");
  EXPECT_EQ(Sql("qty NOT BETWEEN a + 1 AND b"), "(qty NOT BETWEEN (a + 1) AND b)");
  EXPECT_EQ(Sql("email LIKE '%@example.com'"), "(email LIKE '%@example.com')");
  EXPECT_EQ(Sql("name NOT ILIKE 'a%'"), "(name NOT ILIKE 'a%')");
  EXPECT_EQ(Sql("lower(trim(Email))"), "lower(trim(Email))");
  EXPECT_EQ(Sql("NOW()"), "now()");
  EXPECT_EQ(Sql("round(amount * 1.2, 2)"), "round((amount * 1.2), 2)");
  EXPECT_EQ(Sql("coalesce(a, b, 'x')"), "coalesce(a, b, 'x')");
  EXPECT_EQ(Sql("CASE WHEN qty > 10 THEN 'bulk' WHEN qty > 1 THEN 'few' ELSE 'one' END"),
            "CASE WHEN (qty > 10) THEN 'bulk' WHEN (qty > 1) THEN 'few' ELSE 'one' END");
  EXPECT_EQ(Sql("case status when 'a' then 1 end"), "CASE status WHEN 'a' THEN 1 END");
  EXPECT_EQ(Sql("CAST(qty AS bigint)"), "CAST(qty AS int64)");
  EXPECT_EQ(Sql("TRY_CAST(price AS decimal(10, 2))"), "TRY_CAST(price AS decimal(10,2))");
  EXPECT_EQ(Sql("ts::date"), "CAST(ts AS date)");
  EXPECT_EQ(Sql("'12'::int32 + 1"), "(CAST('12' AS int32) + 1)");
}

TEST(ExpressionParserTest, OffsetsPointAtEachNodesFirstToken) {
  auto expr = ParseExpression("  a + lower(b)");
  ASSERT_TRUE(expr.ok());
  EXPECT_EQ((*expr)->offset, 2);                     // the binary starts at its left operand
  EXPECT_EQ((*expr)->args[1]->offset, 6);            // lower(
  EXPECT_EQ((*expr)->args[1]->args[0]->offset, 12);  // b
}

TEST(ExpressionParserTest, ErrorsSayWhatWasExpectedAndWhere) {
  EXPECT_EQ(Error("a +"), "4: expected a value, found the end of the expression");
  EXPECT_EQ(Error("(a + b"),
            "7: expected ')' to close the '(' at column 1, found the end of "
            "the expression");
  EXPECT_EQ(Error("round(a, 2"),
            "11: expected ',' or ')' in the arguments of round() opened "
            "at column 6, found the end of the expression");
  EXPECT_EQ(Error("a = 'x"), "5: string is not closed (missing ')");
  EXPECT_EQ(Error("a # b"), "3: unexpected character '#'");
  EXPECT_EQ(Error("a b"), "3: unexpected 'b' after a complete expression");
  EXPECT_EQ(Error("1 < a < 3"),
            "7: comparisons do not chain: write 'a < b AND b < c', or add "
            "parentheses");
  EXPECT_EQ(Error("CASE WHEN a THEN 1"),
            "19: expected WHEN, ELSE or END in the CASE at column "
            "1, found the end of the expression");
  EXPECT_EQ(Error("CASE a THEN 1 END"), "8: expected WHEN in the CASE at column 1, found 'THEN'");
  EXPECT_EQ(Error("CAST(a AS money)"), "11: unknown type 'money'");
  EXPECT_EQ(Error("CAST(a int64)"), "8: expected AS in CAST(value AS type), found 'int64'");
  EXPECT_EQ(Error("a IN 1, 2"), "6: expected '(' after IN, found '1'");
  EXPECT_EQ(Error("a BETWEEN 1 OR 2"),
            "13: expected AND between the bounds of BETWEEN, found "
            "'OR'");
  EXPECT_EQ(Error("a IS 3"), "6: expected NULL after IS (IS NULL or IS NOT NULL), found '3'");
  EXPECT_EQ(Error("x = THEN"), "5: expected a value, found keyword 'THEN'");
  EXPECT_EQ(Error("2nd_col > 1"),
            "1: '2nd_col' is neither a number nor a name (names start "
            "with a letter or _; quote it: \"2nd_col\")");
  EXPECT_EQ(Error(std::string(300, '(') + "1" + std::string(300, ')')),
            "67: expression nested too deeply");
  EXPECT_EQ(Error(std::string(300, '-') + "1"), "199: expression nested too deeply");
  EXPECT_EQ(Error("\"\" = 1"), "1: a quoted name cannot be empty");
  EXPECT_EQ(Error(""), "1: expected a value, found the end of the expression");
}

}  // namespace
}  // namespace sluice::compute

// Expr: the syntax tree of a SQL expression as written in a project file ("amount * 1.2",
// "lower(trim(email))", "CASE WHEN qty > 10 THEN 'bulk' ELSE 'single' END").
//
// The tree is untyped: column references are names, functions are names, literals keep their
// text where precision matters (decimals). Binding to a schema — resolving names, checking and
// coercing types — happens later, once per table, before vectorized evaluation.
//
// Every node records `offset`, the byte offset in the expression text of the token that starts
// it, so that an error found at any stage can point at the exact column of the project file.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sluice/columnar/data_type.h"

namespace sluice::compute {

enum class ExprKind {
  kLiteral,   // literal
  kColumn,    // name
  kUnary,     // name = "-" or "not"; args = {operand}
  kBinary,    // name = "+" "-" "*" "/" "%" "||" "=" "<>" "<" "<=" ">" ">=" "and" "or"
  kFunction,  // name (lower case); args
  kCase,      // args = [operand] (when has_operand), then WHEN/THEN pairs, then [ELSE] (has_else)
  kCast,      // args = {value}; cast_type; try_cast
  kIn,        // args = {value, item, item, ...}; negated
  kBetween,   // args = {value, low, high}; negated
  kLike,      // args = {value, pattern}; negated; name = "like" or "ilike"
  kIsNull,    // args = {value}; negated (IS NOT NULL)
};

enum class LiteralKind {
  kNull,
  kBool,
  kInteger,    // fits int64
  kDecimal,    // digits with a point: text kept ("12.50")
  kFloat,      // with an exponent: "1e3"
  kString,     // '...'
  kDate,       // DATE '2024-01-31': text kept
  kTimestamp,  // TIMESTAMP '2024-01-31 10:00:00': text kept
  kInterval,   // INTERVAL '3 days' / INTERVAL 3 DAY: text kept ("3 day")
};

struct Literal {
  LiteralKind kind = LiteralKind::kNull;
  bool bool_value = false;
  int64_t int_value = 0;
  double float_value = 0;
  std::string text;  // string value, or the source text of decimal/float/date/timestamp/interval
};

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  int offset = 0;    // byte offset of the node's first token in the expression text
  std::string name;  // column, function or operator name (see ExprKind)
  Literal literal;
  std::vector<ExprPtr> args;
  bool negated = false;
  bool has_operand = false;  // CASE x WHEN ...
  bool has_else = false;
  bool try_cast = false;
  columnar::DataType cast_type;
};

// Canonical SQL text of a tree, fully parenthesized where precedence matters:
// "((a + 1) * 2)", "lower(name)", "CAST(x AS int64)". Used by tests and messages.
std::string ToSql(const Expr& expr);

}  // namespace sluice::compute

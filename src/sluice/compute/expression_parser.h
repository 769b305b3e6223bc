// ParseExpression: SQL expression text → Expr tree (expression.h), by precedence climbing.
//
// Grammar (lowest precedence first, as in PostgreSQL):
//   OR · AND · NOT · comparison (= <> != < <= > >=, IS [NOT] NULL, [NOT] IN (...),
//   [NOT] BETWEEN a AND b, [NOT] LIKE/ILIKE) · || · + - · * / % · unary - · primary
// Primary: literals (123, 12.50, 1e3, 'text' with '' for a quote, TRUE, FALSE, NULL,
// DATE '2024-01-31', TIMESTAMP '2024-01-31 10:00:00', INTERVAL '3 days' or INTERVAL 3 DAY),
// column names (letters, digits, _; or "quoted" for any other name, "" for a quote inside),
// function calls name(args), CASE [x] WHEN .. THEN .. [ELSE ..] END, CAST(x AS type),
// TRY_CAST(x AS type), x::type, and parentheses. Keywords are case-insensitive; column names keep
// their case. Comparisons do not chain (a < b < c is an error, as in SQL).
#pragma once

#include <string>
#include <string_view>

#include "sluice/common/result.h"
#include "sluice/compute/expression.h"

namespace sluice::compute {

struct ExpressionError {
  int offset = 0;       // byte offset in the text where the problem is
  std::string message;  // what is wrong, without the position
};

// The tree, or InvalidArgument "column N: message" (N = offset + 1). `error`, when given,
// receives the offset and the bare message so that a caller can point into its own file.
Result<ExprPtr> ParseExpression(std::string_view text, ExpressionError* error = nullptr);

}  // namespace sluice::compute

// Binding an Expr to a schema and evaluating it over batches, a column at a time.
//
// Bind resolves column names (exact, then case-insensitive, with a "did you mean"), checks types
// and inserts the implicit conversions SQL makes (int32 → int64, integers → float64 next to a
// float, a date next to a timestamp, a string literal next to a date/timestamp), and desugars
// IN, BETWEEN and NULLIF into comparisons. Errors carry the offset of the offending node.
//
// Evaluate runs the bound tree over a batch: every node produces a whole column (typed loops
// over the children's arrays), with SQL's null semantics — null in, null out; AND/OR are
// three-valued; IS NULL never yields null. A value that cannot be computed for one row (integer
// overflow, division by zero) does not fail the batch: the row's result is null and the row is
// listed in `RowErrors`, so that the caller can quarantine it with the reason.
//
// The language is documented in docs/expressions.md.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sluice/columnar/batch.h"
#include "sluice/columnar/schema.h"
#include "sluice/common/result.h"
#include "sluice/compute/calendar.h"
#include "sluice/compute/expression.h"
#include "sluice/compute/expression_parser.h"
#include "sluice/compute/kernel.h"

namespace re2 {
class RE2;
}

namespace sluice::compute {

struct BoundExpr;
using BoundExprPtr = std::shared_ptr<const BoundExpr>;

enum class BoundKind { kLiteral, kColumn, kCall };

struct BoundExpr {
  BoundKind kind = BoundKind::kLiteral;
  columnar::DataType type;
  bool null_type = false;  // the NULL literal before it meets a type
  int offset = 0;
  size_t column = 0;                // kColumn
  columnar::ColumnPtr literal;      // kLiteral: one row
  Kernel kernel = Kernel::kNullOf;  // kCall: what the node runs (kernel.h)
  std::vector<BoundExprPtr> args;
  std::shared_ptr<const re2::RE2> regex;  // regexp_*: the pattern, compiled once when bound
  bool global = false;                    // regexp_replace with 'g': every match
  int regex_group = 0;                    // regexp_extract: the group returned
  DatePart part = DatePart::kDay;         // date_trunc, date_part, date_diff
  Interval interval;                      // date_add
  std::string format;                     // strftime, strptime
  int digits = 0;                         // round of a decimal: the digits kept (may be < 0)
};

// Binds `expr` to `schema`. Errors: InvalidArgument "column N: ..."; `error` (optional) receives
// the offset and the bare message.
Result<BoundExprPtr> Bind(const Expr& expr, const columnar::Schema& schema,
                          ExpressionError* error = nullptr);

struct RowError {
  int64_t row = 0;
  std::string message;  // "integer overflow in 'qty * price'", "division by zero"
};

// Evaluates over `batch` (whose schema is the one bound to). The column has batch->num_rows()
// rows; rows that could not be computed are null and appended to `errors`.
Result<columnar::ColumnPtr> Evaluate(const BoundExpr& expr, const columnar::Batch& batch,
                                     std::vector<RowError>* errors);

}  // namespace sluice::compute

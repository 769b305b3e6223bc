// Fuzzes the expression parser: any text either parses, and then prints as SQL that parses to
// the same SQL again, or fails with an InvalidArgument naming a column inside the text.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "sluice/compute/expression_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  sluice::compute::ExpressionError error;
  auto expr = sluice::compute::ParseExpression(text, &error);
  if (!expr.ok()) {
    if (error.offset < 0 || static_cast<size_t>(error.offset) > text.size()) std::abort();
    return 0;
  }
  const std::string sql = sluice::compute::ToSql(**expr);
  auto again = sluice::compute::ParseExpression(sql);
  // Printing adds parentheses, which may push a deep tree over the nesting limit; otherwise the
  // printed form must read back to itself.
  if (again.ok() && sluice::compute::ToSql(**again) != sql) std::abort();
  return 0;
}

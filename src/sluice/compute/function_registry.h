// The SQL functions of the expression language, one entry each: the name (and aliases), how many
// arguments it takes, its signature and summary (what `sluice functions` and docs/expressions.md
// show), and its binding rule — which checks and converts the arguments and picks the kernel
// (kernel.h) the evaluator runs. The binder looks every call up here; adding a function is one
// entry, its rule and its test (and a kernel when no existing one does the work).
//
// Thread-safety: the table is immutable; rules run on the binder's thread.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/compute/expression_evaluator.h"

namespace sluice::compute {

// What a binding rule may ask of the binder.
class FunctionBinder {
 public:
  virtual ~FunctionBinder() = default;
  // The error that fails the binding with `message` at `offset` in the expression; a rule
  // returns it.
  virtual Status Fail(int offset, std::string message) = 0;
  // `value` converted to `type` (a typed NULL, a date literal from a string, a conversion node).
  virtual Result<BoundExprPtr> Convert(const BoundExprPtr& value,
                                       const columnar::DataType& type) = 0;
  // The type `values` meet at (string when all are NULL); fails naming `what` when none.
  virtual Result<columnar::DataType> CommonTypeOf(const std::vector<BoundExprPtr>& values,
                                                  const std::string& what) = 0;
  // `left op right` for op one of = <> < <= > >=.
  virtual Result<BoundExprPtr> Compare(const std::string& op, int offset, BoundExprPtr left,
                                       BoundExprPtr right) = 0;
  // Any value as text.
  virtual Result<BoundExprPtr> Text(const BoundExprPtr& value) = 0;
};

// A call node running `kernel` (mutable, so a rule can set its parameters before sharing it).
std::shared_ptr<BoundExpr> MakeCall(Kernel kernel, columnar::DataType type, int offset,
                                    std::vector<BoundExprPtr> args);

struct FunctionRule {
  std::string_view name;
  std::vector<std::string_view> aliases;
  size_t min_args = 0;
  size_t max_args = 0;
  std::string_view signature;  // "substr(s, start[, length])"
  std::string_view summary;
  // The index of an argument read from the syntax tree instead of bound (date_add's INTERVAL,
  // which has no column type), or -1.
  int syntax_arg = -1;
  // Binds a call: `call` is the call in the syntax tree, `args` its bound arguments (their number
  // already checked against min_args/max_args).
  Result<BoundExprPtr> (*bind)(FunctionBinder& binder, const Expr& call,
                               std::vector<BoundExprPtr>& args) = nullptr;
};

// Every function, sorted by name.
const std::vector<FunctionRule>& FunctionRules();

// The function called `name` (or with that alias), or nullptr.
const FunctionRule* FindFunction(std::string_view name);

}  // namespace sluice::compute

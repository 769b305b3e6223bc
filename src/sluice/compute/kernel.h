// Kernel: every operation a bound expression node can run. The binder (function rules in
// function_registry.h, operators in expression_evaluator.cc) picks one per node and the
// evaluator dispatches on it with a switch, so a kernel without an implementation is a compile
// error, never a run-time "no kernel".
#pragma once

#include <string_view>

namespace sluice::compute {

enum class Kernel {
  kNullOf,  // a typed NULL
  kCase,
  kCaseElse,
  kEq,  // kEq … kGe stay together: the evaluator tests the range
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kAnd,
  kOr,
  kNot,
  kIsNull,
  kAdd,
  kSubtract,
  kMultiply,
  kDivide,
  kModulo,
  kConvert,   // an implicit conversion the binder inserted
  kToString,  // any value as text
  kCast,
  kTryCast,
  kLike,
  kILike,
  kCoalesce,
  kConcat,        // concat(): nulls skipped
  kConcatStrict,  // ||: null if any side is
  kLower,
  kUpper,
  kTrim,
  kLength,
  kSubstr,
  kReplace,
  kSplitPart,
  kAbs,
  kFloor,
  kCeil,
  kRound,
  kRegexpMatches,
  kRegexpExtract,
  kRegexpReplace,
  kDateTrunc,
  kDatePart,
  kDateDiff,
  kDateAdd,
  kStrftime,
  kStrptime,
};

// The kernel's name in messages ("add", "regexp_replace", ...).
std::string_view KernelName(Kernel kernel);

}  // namespace sluice::compute

// Evaluation: dispatch on the kernel, and the logic, comparison, arithmetic, numeric, CASE and
// coalesce kernels. The other families live in cast_kernels.cc, text_kernels.cc and
// temporal_kernels.cc.
#include "sluice/compute/evaluator.h"

#include <cmath>
#include <limits>

#include "sluice/compute/type_rules.h"

namespace sluice::compute {
namespace {

using columnar::BooleanBuilder;
using columnar::BooleanColumn;
using columnar::Column;
using columnar::ColumnPtr;
using columnar::DataType;
using columnar::Float64Builder;
using columnar::Int128;
using columnar::Int32Builder;
using columnar::Int64Builder;
using columnar::StringBuilder;
using columnar::StringColumn;
using columnar::TypeId;

// x + y, x - y or x * y into *out; true on overflow.
template <typename T>
bool CheckedArithmetic(Kernel op, T x, T y, T* out) {
  if (op == Kernel::kAdd) return __builtin_add_overflow(x, y, out);
  if (op == Kernel::kSubtract) return __builtin_sub_overflow(x, y, out);
  return __builtin_mul_overflow(x, y, out);
}

// The operation's noun in row errors.
const char* Verb(Kernel op) {
  return op == Kernel::kAdd        ? "addition"
         : op == Kernel::kSubtract ? "subtraction"
                                   : "multiplication";
}

ColumnPtr Broadcast(const Column& one, int64_t rows) {
  const DataType& type = one.type();
  if (one.IsNull(0)) return NullColumn(type, rows);
  switch (type.id()) {
    case TypeId::kBool: {
      BooleanBuilder b;
      const bool value = static_cast<const BooleanColumn&>(one).Value(0);
      for (int64_t i = 0; i < rows; ++i) b.Append(value);
      return b.Finish();
    }
    case TypeId::kFloat64: {
      Float64Builder b(type);
      for (int64_t i = 0; i < rows; ++i) b.Append(Doubles(one)[0]);
      return b.Finish();
    }
    case TypeId::kDecimal: {
      columnar::DecimalBuilder b(type);
      for (int64_t i = 0; i < rows; ++i) b.Append(Decimals(one)[0]);
      return b.Finish();
    }
    case TypeId::kString: {
      StringBuilder b(type);
      const std::string_view value = static_cast<const StringColumn&>(one).Value(0);
      for (int64_t i = 0; i < rows; ++i) b.Append(value);
      return b.Finish();
    }
    case TypeId::kInt32:
    case TypeId::kDate: {
      Int32Builder b(type);
      for (int64_t i = 0; i < rows; ++i)
        b.Append(static_cast<const columnar::Int32Column&>(one).Value(0));
      return b.Finish();
    }
    default: {
      Int64Builder b(type);
      for (int64_t i = 0; i < rows; ++i) b.Append(IntReader(one)[0]);
      return b.Finish();
    }
  }
}

// Whether `order` (<0, 0, >0) satisfies the comparison kernel `op` (kEq … kGe).
bool Holds(Kernel op, int order) {
  if (op == Kernel::kEq) return order == 0;
  if (op == Kernel::kNe) return order != 0;
  if (op == Kernel::kLt) return order < 0;
  if (op == Kernel::kLe) return order <= 0;
  if (op == Kernel::kGt) return order > 0;
  return order >= 0;
}

}  // namespace

Int128 DivideRounding(Int128 v, int digits) {
  if (digits <= 0) return v;
  if (digits > columnar::kMaxDecimalPrecision) return 0;
  const Int128 power = columnar::PowerOfTen(digits);
  Int128 quotient = v / power;
  const Int128 remainder = Magnitude(v % power);
  if (remainder >= power - remainder) quotient += v < 0 ? -1 : 1;
  return quotient;
}

ColumnPtr NullColumn(const DataType& type, int64_t rows) {
  std::unique_ptr<columnar::ColumnBuilder> builder;
  switch (type.id()) {
    case TypeId::kBool:
      builder = std::make_unique<BooleanBuilder>();
      break;
    case TypeId::kInt32:
    case TypeId::kDate:
      builder = std::make_unique<Int32Builder>(type);
      break;
    case TypeId::kFloat64:
      builder = std::make_unique<Float64Builder>(type);
      break;
    case TypeId::kDecimal:
      builder = std::make_unique<columnar::DecimalBuilder>(type);
      break;
    case TypeId::kString:
      builder = std::make_unique<StringBuilder>(type);
      break;
    default:
      builder = std::make_unique<Int64Builder>(type);
      break;
  }
  for (int64_t i = 0; i < rows; ++i) builder->AppendNull();
  return builder->Finish();
}

Result<ColumnPtr> Evaluator::Run(const BoundExpr& expr) {
  switch (expr.kind) {
    case BoundKind::kLiteral:
      return Broadcast(*expr.literal, rows_);
    case BoundKind::kColumn:
      return batch_.columns()[expr.column];
    case BoundKind::kCall:
      break;
  }
  // Kernels that evaluate their arguments themselves (or have none).
  if (expr.kernel == Kernel::kNullOf) return NullColumn(expr.type, rows_);
  if (expr.kernel == Kernel::kCase || expr.kernel == Kernel::kCaseElse) return Case(expr);
  if (expr.kernel >= Kernel::kEq && expr.kernel <= Kernel::kGe)
    return Evaluator::CompareSides(expr);
  std::vector<ColumnPtr> args;
  for (const BoundExprPtr& arg : expr.args) {
    SLUICE_ASSIGN_OR_RETURN(ColumnPtr column, Run(*arg));
    args.push_back(std::move(column));
  }
  switch (expr.kernel) {
    case Kernel::kNullOf:
    case Kernel::kCase:
    case Kernel::kCaseElse:
    case Kernel::kEq:
    case Kernel::kNe:
    case Kernel::kLt:
    case Kernel::kLe:
    case Kernel::kGt:
    case Kernel::kGe:
      break;  // handled before the arguments are evaluated
    case Kernel::kAnd:
    case Kernel::kOr:
      return Logic(expr.kernel == Kernel::kAnd, *args[0], *args[1]);
    case Kernel::kNot:
      return Not(*args[0]);
    case Kernel::kIsNull:
      return IsNull(*args[0]);
    case Kernel::kAdd:
    case Kernel::kSubtract:
    case Kernel::kMultiply:
    case Kernel::kDivide:
    case Kernel::kModulo:
      return Arithmetic(expr, *args[0], *args[1]);
    case Kernel::kConvert:
      return ConvertColumn(expr, *args[0]);
    case Kernel::kToString:
      return ToText(*args[0]);
    case Kernel::kCoalesce:
      return Coalesce(expr.type, args);
    case Kernel::kConcat:
    case Kernel::kConcatStrict:
      return Concat(args, expr.kernel == Kernel::kConcatStrict);
    case Kernel::kCast:
    case Kernel::kTryCast:
      return Cast(expr, *args[0], expr.kernel == Kernel::kTryCast);
    case Kernel::kLike:
    case Kernel::kILike:
      return Like(*args[0], *args[1], expr.kernel == Kernel::kILike);
    case Kernel::kSubstr:
      return Substr(args);
    case Kernel::kDateTrunc:
    case Kernel::kDatePart:
    case Kernel::kDateDiff:
    case Kernel::kDateAdd:
    case Kernel::kStrftime:
    case Kernel::kStrptime:
      return Calendar(expr, args);
    case Kernel::kRegexpMatches:
    case Kernel::kRegexpExtract:
    case Kernel::kRegexpReplace:
      return Regex(expr, args);
    case Kernel::kReplace:
      return Replace(args);
    case Kernel::kSplitPart:
      return SplitPart(args);
    case Kernel::kAbs:
    case Kernel::kFloor:
    case Kernel::kCeil:
    case Kernel::kRound:
      return Numeric(expr, args);
    case Kernel::kLower:
    case Kernel::kUpper:
    case Kernel::kTrim:
    case Kernel::kLength:
      return StringFunction(expr.kernel, *args[0]);
  }
  return Status::Internal("unhandled kernel " + std::string(KernelName(expr.kernel)));
}

// A comparison; a literal side is compared as one value, not broadcast to a column first.
Result<ColumnPtr> Evaluator::CompareSides(const BoundExpr& expr) {
  const BoundExpr& left = *expr.args[0];
  const BoundExpr& right = *expr.args[1];
  ColumnPtr x = left.kind == BoundKind::kLiteral ? left.literal : nullptr;
  ColumnPtr y = right.kind == BoundKind::kLiteral ? right.literal : nullptr;
  if (!x) {
    SLUICE_ASSIGN_OR_RETURN(x, Run(left));
  }
  if (!y) {
    SLUICE_ASSIGN_OR_RETURN(y, Run(right));
  }
  return Comparison(expr.kernel, *x, *y, left.kind == BoundKind::kLiteral,
                    right.kind == BoundKind::kLiteral);
}

ColumnPtr Evaluator::Logic(bool is_and, const Column& a, const Column& b) {
  const auto& x = static_cast<const BooleanColumn&>(a);
  const auto& y = static_cast<const BooleanColumn&>(b);
  return Booleans([&](int64_t i, bool* value) {
    const bool x_null = x.IsNull(i), y_null = y.IsNull(i);
    const bool xv = !x_null && x.Value(i), yv = !y_null && y.Value(i);
    if (is_and) {
      if ((!x_null && !xv) || (!y_null && !yv)) return *value = false, true;
      if (x_null || y_null) return false;
      return *value = true, true;
    }
    if (xv || yv) return *value = true, true;
    if (x_null || y_null) return false;
    return *value = false, true;
  });
}

ColumnPtr Evaluator::Not(const Column& a) {
  const auto& x = static_cast<const BooleanColumn&>(a);
  return Booleans([&](int64_t i, bool* value) {
    if (x.IsNull(i)) return false;
    *value = !x.Value(i);
    return true;
  });
}

ColumnPtr Evaluator::IsNull(const Column& a) {
  return Booleans([&](int64_t i, bool* value) { return *value = a.IsNull(i), true; });
}

ColumnPtr Evaluator::Comparison(Kernel op, const Column& a, const Column& b, bool a_one,
                                bool b_one) {
  const TypeId id = a.type().id();
  const int64_t a_step = a_one ? 0 : 1;
  const int64_t b_step = b_one ? 0 : 1;
  auto valid = [&](int64_t i) { return a.IsValid(i * a_step) && b.IsValid(i * b_step); };
  auto order = [](auto x, auto y) { return x < y ? -1 : x > y ? 1 : 0; };
  if (id == TypeId::kString) {
    const auto& x = static_cast<const StringColumn&>(a);
    const auto& y = static_cast<const StringColumn&>(b);
    return Booleans([&](int64_t i, bool* value) {
      if (!valid(i)) return false;
      const int c = x.Value(i * a_step).compare(y.Value(i * b_step));
      return *value = Holds(op, c < 0 ? -1 : c > 0 ? 1 : 0), true;
    });
  }
  if (id == TypeId::kFloat64) {
    const double* x = Doubles(a);
    const double* y = Doubles(b);
    return Booleans([&](int64_t i, bool* value) {
      if (!valid(i)) return false;
      return *value = Holds(op, order(x[i * a_step], y[i * b_step])), true;
    });
  }
  if (id == TypeId::kDecimal) {
    const Int128* x = Decimals(a);
    const Int128* y = Decimals(b);
    return Booleans([&](int64_t i, bool* value) {
      if (!valid(i)) return false;
      return *value = Holds(op, order(x[i * a_step], y[i * b_step])), true;
    });
  }
  if (id == TypeId::kBool) {
    const auto& x = static_cast<const BooleanColumn&>(a);
    const auto& y = static_cast<const BooleanColumn&>(b);
    return Booleans([&](int64_t i, bool* value) {
      if (!valid(i)) return false;
      return *value = Holds(op, order(x.Value(i * a_step), y.Value(i * b_step))), true;
    });
  }
  const IntReader x(a), y(b);
  return Booleans([&](int64_t i, bool* value) {
    if (!valid(i)) return false;
    return *value = Holds(op, order(x[i * a_step], y[i * b_step])), true;
  });
}

ColumnPtr Evaluator::Arithmetic(const BoundExpr& expr, const Column& a, const Column& b) {
  const Kernel op = expr.kernel;
  if (expr.type.id() == TypeId::kFloat64) {
    const double* x = Doubles(a);
    const double* y = Doubles(b);
    Float64Builder builder(DataType::Float64());
    builder.Reserve(rows_);
    for (int64_t i = 0; i < rows_; ++i) {
      if (a.IsNull(i) || b.IsNull(i) ||
          ((op == Kernel::kDivide || op == Kernel::kModulo) && y[i] == 0)) {
        builder.AppendNull();  // x / 0 is NULL, as in DuckDB
        continue;
      }
      builder.Append(op == Kernel::kAdd        ? x[i] + y[i]
                     : op == Kernel::kSubtract ? x[i] - y[i]
                     : op == Kernel::kMultiply ? x[i] * y[i]
                     : op == Kernel::kDivide   ? x[i] / y[i]
                                               : std::fmod(x[i], y[i]));
    }
    return builder.Finish();
  }
  if (IsDecimal(expr.type)) {
    const Int128* x = Decimals(a);
    const Int128* y = Decimals(b);
    const Int128 limit = columnar::MaxUnscaled(expr.type.precision());
    columnar::DecimalBuilder builder(expr.type);
    builder.Reserve(rows_);
    for (int64_t i = 0; i < rows_; ++i) {
      if (a.IsNull(i) || b.IsNull(i) || (op == Kernel::kModulo && y[i] == 0)) {
        builder.AppendNull();
        continue;
      }
      Int128 out = 0;
      bool overflow = false;
      if (op == Kernel::kModulo) {
        out = x[i] % y[i];
      } else {
        overflow = CheckedArithmetic(op, x[i], y[i], &out);
      }
      if (overflow || Magnitude(out) > limit) {
        errors_->push_back({i, "decimal overflow in " + std::string(Verb(op)) + " (beyond " +
                                   expr.type.ToString() + ") at column " +
                                   std::to_string(expr.offset + 1)});
        builder.AppendNull();
        continue;
      }
      builder.Append(out);
    }
    return builder.Finish();
  }
  const IntReader x(a), y(b);
  Int64Builder builder(DataType::Int64());
  builder.Reserve(rows_);
  for (int64_t i = 0; i < rows_; ++i) {
    if (a.IsNull(i) || b.IsNull(i)) {
      builder.AppendNull();
      continue;
    }
    int64_t out = 0;
    bool overflow = false;
    if (op != Kernel::kModulo) {
      overflow = CheckedArithmetic(op, x[i], y[i], &out);
    } else {
      if (y[i] == 0) {
        builder.AppendNull();
        continue;
      }
      out = y[i] == -1 ? 0 : x[i] % y[i];
    }
    if (overflow) {
      errors_->push_back({i, std::string("integer overflow in ") + Verb(op) + " at column " +
                                 std::to_string(expr.offset + 1)});
      builder.AppendNull();
      continue;
    }
    builder.Append(out);
  }
  return builder.Finish();
}

ColumnPtr Evaluator::Numeric(const BoundExpr& expr, const std::vector<ColumnPtr>& args) {
  const Kernel f = expr.kernel;
  const Column& a = *args[0];
  if (IsDecimal(expr.type)) {
    const int scale = a.type().scale();
    const Int128 unit = columnar::PowerOfTen(scale);
    columnar::DecimalBuilder builder(expr.type);
    for (int64_t i = 0; i < rows_; ++i) {
      if (a.IsNull(i)) {
        builder.AppendNull();
        continue;
      }
      const Int128 v = Decimals(a)[i];
      if (f == Kernel::kAbs) {
        builder.Append(Magnitude(v));
      } else if (f == Kernel::kFloor || f == Kernel::kCeil) {
        Int128 whole = v / unit;
        if (v % unit != 0 && (f == Kernel::kFloor) == (v < 0)) whole += v < 0 ? -1 : 1;
        builder.Append(whole);
      } else if (expr.digits >= scale) {
        builder.Append(v);
      } else if (expr.digits >= 0) {
        builder.Append(DivideRounding(v, scale - expr.digits));
      } else {  // round(x, -2): to hundreds, scale 0
        const int drop = scale - expr.digits;
        builder.Append(drop > columnar::kMaxDecimalPrecision
                           ? 0
                           : DivideRounding(v, drop) * columnar::PowerOfTen(-expr.digits));
      }
    }
    return builder.Finish();
  }
  if (expr.type.id() == TypeId::kFloat64) {
    Float64Builder builder(DataType::Float64());
    for (int64_t i = 0; i < rows_; ++i) {
      if (a.IsNull(i) || (args.size() > 1 && args[1]->IsNull(i))) {
        builder.AppendNull();
        continue;
      }
      const double x = Doubles(a)[i];
      if (f == Kernel::kAbs) {
        builder.Append(std::fabs(x));
      } else if (f == Kernel::kFloor) {
        builder.Append(std::floor(x));
      } else if (f == Kernel::kCeil) {
        builder.Append(std::ceil(x));
      } else {
        const int64_t digits = args.size() > 1 ? IntReader(*args[1])[i] : 0;
        const double scale =
            std::pow(10.0, static_cast<double>(std::clamp<int64_t>(digits, -300, 300)));
        builder.Append(std::round(x * scale) / scale);
      }
    }
    return builder.Finish();
  }
  const IntReader x(a);
  Int64Builder builder(DataType::Int64());
  for (int64_t i = 0; i < rows_; ++i) {
    if (a.IsNull(i) || (args.size() > 1 && args[1]->IsNull(i))) {
      builder.AppendNull();
      continue;
    }
    int64_t value = x[i];
    if (f == Kernel::kAbs && value < 0) {
      if (value == std::numeric_limits<int64_t>::min()) {
        errors_->push_back(
            {i, "integer overflow in abs() at column " + std::to_string(expr.offset + 1)});
        builder.AppendNull();
        continue;
      }
      value = -value;
    }
    if (f == Kernel::kRound && args.size() > 1) {
      const int64_t digits = IntReader(*args[1])[i];
      if (digits < 0 && digits > -19) {
        int64_t scale = 1;
        for (int64_t k = 0; k < -digits; ++k) scale *= 10;
        const int64_t remainder = value % scale;
        value -= remainder;
        if (2 * (remainder < 0 ? -remainder : remainder) >= scale)
          value += remainder < 0 ? -scale : scale;
      } else if (digits <= -19) {
        value = 0;
      }
    }
    builder.Append(value);
  }
  return builder.Finish();
}

ColumnPtr Evaluator::Coalesce(const DataType& type, const std::vector<ColumnPtr>& args) {
  // Picks, per row, the first argument that is not null, then gathers from it.
  std::vector<int> source(static_cast<size_t>(rows_), -1);
  for (int64_t i = 0; i < rows_; ++i) {
    for (size_t k = 0; k < args.size(); ++k) {
      if (args[k]->IsValid(i)) {
        source[static_cast<size_t>(i)] = static_cast<int>(k);
        break;
      }
    }
  }
  return Evaluator::Gather(type, args, source);
}

// Row i from args[source[i]] (null where source[i] < 0).
ColumnPtr Evaluator::Gather(const DataType& type, const std::vector<ColumnPtr>& args,
                            const std::vector<int>& source) {
  auto from = [&](int64_t i) -> const Column* {
    const int k = source[static_cast<size_t>(i)];
    const Column* c = k < 0 ? nullptr : args[static_cast<size_t>(k)].get();
    return c == nullptr || c->IsNull(i) ? nullptr : c;
  };
  auto gather = [&](auto builder, auto value) {
    for (int64_t i = 0; i < rows_; ++i) {
      const Column* c = from(i);
      if (c == nullptr) {
        builder.AppendNull();
      } else {
        builder.Append(value(*c, i));
      }
    }
    return builder.Finish();
  };
  switch (type.id()) {
    case TypeId::kBool:
      return gather(BooleanBuilder(), [](const Column& c, int64_t i) {
        return static_cast<const BooleanColumn&>(c).Value(i);
      });
    case TypeId::kString:
      return gather(StringBuilder(type), [](const Column& c, int64_t i) {
        return static_cast<const StringColumn&>(c).Value(i);
      });
    case TypeId::kFloat64:
      return gather(Float64Builder(type), [](const Column& c, int64_t i) { return Doubles(c)[i]; });
    case TypeId::kDecimal:
      return gather(columnar::DecimalBuilder(type),
                    [](const Column& c, int64_t i) { return Decimals(c)[i]; });
    case TypeId::kInt32:
    case TypeId::kDate:
      return gather(Int32Builder(type), [](const Column& c, int64_t i) {
        return static_cast<int32_t>(IntReader(c)[i]);
      });
    default:
      return gather(Int64Builder(type), [](const Column& c, int64_t i) { return IntReader(c)[i]; });
  }
}

Result<ColumnPtr> Evaluator::Case(const BoundExpr& expr) {
  const size_t pairs = expr.args.size() / 2;
  const bool has_else = expr.kernel == Kernel::kCaseElse;
  std::vector<int> source(static_cast<size_t>(rows_), -1);
  std::vector<bool> decided(static_cast<size_t>(rows_), false);
  for (size_t k = 0; k < pairs; ++k) {
    SLUICE_ASSIGN_OR_RETURN(ColumnPtr condition, Run(*expr.args[2 * k]));
    const auto& test = static_cast<const BooleanColumn&>(*condition);
    for (int64_t i = 0; i < rows_; ++i) {
      if (!decided[static_cast<size_t>(i)] && test.IsValid(i) && test.Value(i)) {
        decided[static_cast<size_t>(i)] = true;
        source[static_cast<size_t>(i)] = static_cast<int>(k);
      }
    }
  }
  if (has_else) {
    for (int64_t i = 0; i < rows_; ++i) {
      if (!decided[static_cast<size_t>(i)])
        source[static_cast<size_t>(i)] = static_cast<int>(pairs);
    }
  }
  // Results are computed for every row, but only the errors of rows that take a branch count.
  std::vector<ColumnPtr> results;
  for (size_t k = 0; k < pairs + (has_else ? 1 : 0); ++k) {
    std::vector<RowError> branch_errors;
    Evaluator branch(batch_, &branch_errors);
    const BoundExpr& result = *expr.args[k < pairs ? 2 * k + 1 : expr.args.size() - 1];
    SLUICE_ASSIGN_OR_RETURN(ColumnPtr column, branch.Run(result));
    for (RowError& error : branch_errors) {
      if (source[static_cast<size_t>(error.row)] == static_cast<int>(k)) {
        errors_->push_back(std::move(error));
      }
    }
    results.push_back(std::move(column));
  }
  return Gather(expr.type, results, source);
}

Result<columnar::ColumnPtr> Evaluate(const BoundExpr& expr, const columnar::Batch& batch,
                                     std::vector<RowError>* errors) {
  Evaluator evaluator(batch, errors);
  return evaluator.Run(expr);
}

}  // namespace sluice::compute

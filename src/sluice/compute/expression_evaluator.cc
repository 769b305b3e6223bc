#include "sluice/compute/expression_evaluator.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <optional>

#include <re2/re2.h>

#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/temporal.h"
#include "sluice/columnar/value_formatter.h"
#include "sluice/compute/function_registry.h"
#include "sluice/compute/text_case.h"
#include "sluice/config/config_spec.h"

namespace sluice::compute {
namespace {

using columnar::BooleanBuilder;
using columnar::BooleanColumn;
using columnar::Column;
using columnar::ColumnPtr;
using columnar::DataType;
using columnar::Float64Builder;
using columnar::Int32Builder;
using columnar::Int64Builder;
using columnar::StringBuilder;
using columnar::StringColumn;
using columnar::TypeId;

class BindFailed {};

bool IsInteger(const DataType& t) { return t.id() == TypeId::kInt32 || t.id() == TypeId::kInt64; }
bool IsDecimal(const DataType& t) { return t.id() == TypeId::kDecimal; }
bool IsNumeric(const DataType& t) {
  return IsInteger(t) || IsDecimal(t) || t.id() == TypeId::kFloat64;
}

using columnar::Int128;

// Integers as the decimals that hold them exactly (int32 → decimal(10,0), int64 → decimal(19,0)).
DataType AsDecimal(const DataType& t) {
  if (t.id() == TypeId::kInt32) return DataType::Decimal(10, 0);
  if (t.id() == TypeId::kInt64) return DataType::Decimal(19, 0);
  return t;
}

// The decimal that holds both: the larger integer part and the larger scale (at most 38 digits).
DataType WiderDecimal(const DataType& a, const DataType& b, int extra_digit = 0) {
  const int scale = std::max(a.scale(), b.scale());
  const int whole = std::max(a.precision() - a.scale(), b.precision() - b.scale()) + extra_digit;
  return DataType::Decimal(std::min(columnar::kMaxDecimalPrecision, whole + scale), scale);
}

Int128 Magnitude(Int128 v) { return v < 0 ? -v : v; }

enum class ArithmeticOp { kAdd, kSubtract, kMultiply, kDivide, kModulo };

ArithmeticOp ArithmeticOpOf(const std::string& f) {
  return f == "add"        ? ArithmeticOp::kAdd
         : f == "subtract" ? ArithmeticOp::kSubtract
         : f == "multiply" ? ArithmeticOp::kMultiply
         : f == "divide"   ? ArithmeticOp::kDivide
                           : ArithmeticOp::kModulo;
}

// x + y, x - y or x * y into *out; true on overflow.
template <typename T>
bool CheckedArithmetic(ArithmeticOp op, T x, T y, T* out) {
  if (op == ArithmeticOp::kAdd) return __builtin_add_overflow(x, y, out);
  if (op == ArithmeticOp::kSubtract) return __builtin_sub_overflow(x, y, out);
  return __builtin_mul_overflow(x, y, out);
}

// v / 10^digits, rounded half away from zero (as DuckDB rounds decimals).
Int128 DivideRounding(Int128 v, int digits) {
  if (digits <= 0) return v;
  if (digits > columnar::kMaxDecimalPrecision) return 0;
  const Int128 power = columnar::PowerOfTen(digits);
  Int128 quotient = v / power;
  const Int128 remainder = Magnitude(v % power);
  if (remainder >= power - remainder) quotient += v < 0 ? -1 : 1;
  return quotient;
}
bool IsString(const DataType& t) { return t.id() == TypeId::kString; }

// A one-row column holding a literal.
ColumnPtr LiteralColumn(const Literal& literal, DataType* type) {
  switch (literal.kind) {
    case LiteralKind::kBool: {
      BooleanBuilder builder;
      builder.Append(literal.bool_value);
      *type = DataType::Bool();
      return builder.Finish();
    }
    case LiteralKind::kInteger: {
      Int64Builder builder(DataType::Int64());
      builder.Append(literal.int_value);
      *type = DataType::Int64();
      return builder.Finish();
    }
    case LiteralKind::kDecimal: {
      // An exact decimal, as in DuckDB: 12.50 is decimal(4,2). Beyond 38 digits: float64.
      std::string_view text = literal.text;
      if (!text.empty() && (text.front() == '-' || text.front() == '+')) text.remove_prefix(1);
      const size_t point = text.find('.');
      const int scale =
          point == std::string_view::npos ? 0 : static_cast<int>(text.size() - point - 1);
      std::string_view whole = text.substr(0, point);
      while (!whole.empty() && whole.front() == '0') whole.remove_prefix(1);
      const int precision = std::max(1, static_cast<int>(whole.size()) + scale);
      Int128 unscaled = 0;
      if (precision <= columnar::kMaxDecimalPrecision &&
          columnar::ParseDecimal(literal.text, precision, scale, &unscaled) ==
              columnar::DecimalParseError::kOk) {
        columnar::DecimalBuilder builder(DataType::Decimal(precision, scale));
        builder.Append(unscaled);
        *type = DataType::Decimal(precision, scale);
        return builder.Finish();
      }
      [[fallthrough]];
    }
    case LiteralKind::kFloat: {
      Float64Builder builder(DataType::Float64());
      builder.Append(literal.float_value);
      *type = DataType::Float64();
      return builder.Finish();
    }
    default: {
      StringBuilder builder;
      builder.Append(literal.text);
      *type = DataType::String();
      return builder.Finish();
    }
  }
}

class Binder final : public FunctionBinder {
 public:
  Binder(const columnar::Schema& schema, ExpressionError* error) : schema_(schema), error_(error) {}

  BoundExprPtr Bind(const Expr& expr) {
    switch (expr.kind) {
      case ExprKind::kLiteral:
        return BindLiteral(expr);
      case ExprKind::kColumn:
        return BindColumn(expr);
      case ExprKind::kUnary:
        if (expr.name == "not")
          return Call(Kernel::kNot, DataType::Bool(), expr.offset, {Boolean(*expr.args[0])});
        return Arithmetic("-", expr.offset, Literal0(expr.offset), Bind(*expr.args[0]));
      case ExprKind::kBinary:
        return BindBinary(expr);
      case ExprKind::kIsNull: {
        BoundExprPtr value = Bind(*expr.args[0]);
        BoundExprPtr test = Call(Kernel::kIsNull, DataType::Bool(), expr.offset, {value});
        return expr.negated ? Call(Kernel::kNot, DataType::Bool(), expr.offset, {test}) : test;
      }
      case ExprKind::kIn: {
        BoundExprPtr value = Bind(*expr.args[0]);
        BoundExprPtr any;
        for (size_t i = 1; i < expr.args.size(); ++i) {
          BoundExprPtr equal = Compare("=", expr.args[i]->offset, value, Bind(*expr.args[i]));
          any = any ? Call(Kernel::kOr, DataType::Bool(), expr.offset, {any, equal}) : equal;
        }
        return expr.negated ? Call(Kernel::kNot, DataType::Bool(), expr.offset, {any}) : any;
      }
      case ExprKind::kBetween: {
        BoundExprPtr value = Bind(*expr.args[0]);
        BoundExprPtr both = Call(Kernel::kAnd, DataType::Bool(), expr.offset,
                                 {Compare(">=", expr.offset, value, Bind(*expr.args[1])),
                                  Compare("<=", expr.offset, value, Bind(*expr.args[2]))});
        return expr.negated ? Call(Kernel::kNot, DataType::Bool(), expr.offset, {both}) : both;
      }
      case ExprKind::kCase:
        return BindCase(expr);
      case ExprKind::kFunction:
        return BindFunction(expr);
      case ExprKind::kCast:
        return BindCast(expr);
      case ExprKind::kLike: {
        BoundExprPtr value = Bind(*expr.args[0]);
        BoundExprPtr pattern = Bind(*expr.args[1]);
        for (const BoundExprPtr& side : {value, pattern}) {
          if (!side->null_type && !IsString(side->type)) {
            Fail(side->offset, std::string(expr.name == "ilike" ? "ILIKE" : "LIKE") +
                                   " compares strings, not " + side->type.ToString());
          }
        }
        BoundExprPtr match = Call(
            expr.name == "ilike" ? Kernel::kILike : Kernel::kLike, DataType::Bool(), expr.offset,
            {Convert(value, DataType::String()), Convert(pattern, DataType::String())});
        return expr.negated ? Call(Kernel::kNot, DataType::Bool(), expr.offset, {match}) : match;
      }
    }
    Fail(expr.offset, "unsupported expression");
  }

  [[noreturn]] void Fail(int offset, std::string message) override {
    error_->offset = offset;
    error_->message = std::move(message);
    throw BindFailed();
  }

 private:
  static std::shared_ptr<BoundExpr> Call(Kernel kernel, DataType type, int offset,
                                         std::vector<BoundExprPtr> args) {
    return MakeCall(kernel, type, offset, std::move(args));
  }

  BoundExprPtr Literal0(int offset) {
    Literal zero;
    zero.kind = LiteralKind::kInteger;
    auto node = std::make_shared<BoundExpr>();
    node->offset = offset;
    node->literal = LiteralColumn(zero, &node->type);
    return node;
  }

  BoundExprPtr BindLiteral(const Expr& expr) {
    auto node = std::make_shared<BoundExpr>();
    node->offset = expr.offset;
    const LiteralKind kind = expr.literal.kind;
    if (kind == LiteralKind::kNull) {
      node->null_type = true;
      StringBuilder builder;
      builder.AppendNull();
      node->literal = builder.Finish();
      node->type = DataType::String();
      return node;
    }
    if (kind == LiteralKind::kDate || kind == LiteralKind::kTimestamp) {
      return TemporalLiteral(expr.literal.text,
                             kind == LiteralKind::kDate ? DataType::Date() : DataType::Timestamp(),
                             expr.offset);
    }
    if (kind == LiteralKind::kInterval) Fail(expr.offset, "INTERVAL is not supported yet");
    node->literal = LiteralColumn(expr.literal, &node->type);
    return node;
  }

  BoundExprPtr TemporalLiteral(const std::string& text, DataType type, int offset) {
    auto node = std::make_shared<BoundExpr>();
    node->offset = offset;
    node->type = type;
    if (type.id() == TypeId::kDate) {
      int32_t days = 0;
      if (!columnar::ParseDate(text, columnar::DateOrder::kYMD, &days)) {
        Fail(offset, "'" + text + "' is not a date (YYYY-MM-DD)");
      }
      Int32Builder builder(DataType::Date());
      builder.Append(days);
      node->literal = builder.Finish();
    } else {
      int64_t micros = 0;
      if (!columnar::ParseTimestamp(text, columnar::DateOrder::kYMD, &micros)) {
        Fail(offset, "'" + text + "' is not a timestamp (YYYY-MM-DD HH:MM:SS)");
      }
      Int64Builder builder(DataType::Timestamp());
      builder.Append(micros);
      node->literal = builder.Finish();
    }
    return node;
  }

  BoundExprPtr BindColumn(const Expr& expr) {
    std::optional<size_t> index = schema_.FieldIndex(expr.name);
    if (!index) {
      std::vector<size_t> folded;
      for (size_t i = 0; i < schema_.num_fields(); ++i) {
        if (AsciiLower(schema_.field(i).name) == AsciiLower(expr.name)) folded.push_back(i);
      }
      if (folded.size() == 1) index = folded[0];
    }
    if (!index) {
      std::string message = "unknown column '" + expr.name + "'";
      std::vector<std::string> names;
      for (const columnar::Field& field : schema_.fields()) names.push_back(field.name);
      if (const std::string* near = config::ClosestName(expr.name, names)) {
        message += "; did you mean '" + *near + "'?";
      }
      Fail(expr.offset, message);
    }
    auto node = std::make_shared<BoundExpr>();
    node->kind = BoundKind::kColumn;
    node->column = *index;
    node->type = schema_.field(*index).type;
    node->offset = expr.offset;
    return node;
  }

  // `value` converted to `type` (which CommonType allows).
  BoundExprPtr Convert(const BoundExprPtr& value, const DataType& type) override {
    if (value->type == type && !value->null_type) return value;
    if (value->null_type) return Call(Kernel::kNullOf, type, value->offset, {});
    if (value->kind == BoundKind::kLiteral && IsString(value->type) &&
        (type.id() == TypeId::kDate || type.id() == TypeId::kTimestamp)) {
      const auto& text = static_cast<const StringColumn&>(*value->literal).Value(0);
      return TemporalLiteral(std::string(text), type, value->offset);
    }
    return Call(Kernel::kConvert, type, value->offset, {value});
  }

  // The type two operands meet at, or a failure naming both.
  // What the type of a value being combined is, for CommonType.
  struct Side {
    DataType type;
    bool null = false;            // only NULL literals so far
    bool string_literal = false;  // only literals so far (a string literal may become a date)
  };
  static Side SideOf(const BoundExprPtr& value) {
    return {value->type, value->null_type, value->kind == BoundKind::kLiteral};
  }

  DataType CommonType(const BoundExprPtr& a, const BoundExprPtr& b, int offset,
                      const std::string& what) {
    return CommonType(SideOf(a), SideOf(b), offset, what);
  }

  DataType CommonType(const Side& a, const Side& b, int offset, const std::string& what) {
    if (a.null) return b.type;
    if (b.null) return a.type;
    const DataType& x = a.type;
    const DataType& y = b.type;
    if (x == y) return x;
    if (IsInteger(x) && IsInteger(y)) return DataType::Int64();
    if (IsNumeric(x) && IsNumeric(y)) {
      if (x.id() == TypeId::kFloat64 || y.id() == TypeId::kFloat64) return DataType::Float64();
      return WiderDecimal(AsDecimal(x), AsDecimal(y));
    }
    auto temporal = [](const DataType& t) {
      return t.id() == TypeId::kDate || t.id() == TypeId::kTimestamp;
    };
    if (temporal(x) && temporal(y)) return DataType::Timestamp();
    if (temporal(x) && IsString(y) && b.string_literal) return x;
    if (temporal(y) && IsString(x) && a.string_literal) return y;
    Fail(offset, "cannot " + what + " " + x.ToString() + " and " + y.ToString());
  }

  // The type a list of values (CASE results, coalesce arguments) meets at; string when every one
  // is NULL.
  DataType CommonTypeOf(const std::vector<BoundExprPtr>& values, const std::string& what) override {
    Side running = SideOf(values[0]);
    for (const BoundExprPtr& value : values) {
      const Side next = SideOf(value);
      running = {CommonType(running, next, value->offset, what), running.null && next.null,
                 running.string_literal && next.string_literal};
    }
    return running.null ? DataType::String() : running.type;
  }

  BoundExprPtr Boolean(const Expr& expr) {
    BoundExprPtr value = Bind(expr);
    if (value->null_type) return Convert(value, DataType::Bool());
    if (value->type.id() != TypeId::kBool) {
      Fail(expr.offset, "expected a true/false condition, found " + value->type.ToString());
    }
    return value;
  }

  BoundExprPtr Compare(const std::string& op, int offset, BoundExprPtr left,
                       BoundExprPtr right) override {
    const DataType type = CommonType(left, right, offset, "compare");
    static const std::map<std::string, Kernel> kNames = {{"=", Kernel::kEq}, {"<>", Kernel::kNe},
                                                         {"<", Kernel::kLt}, {"<=", Kernel::kLe},
                                                         {">", Kernel::kGt}, {">=", Kernel::kGe}};
    return Call(kNames.at(op), DataType::Bool(), offset,
                {Convert(left, type), Convert(right, type)});
  }

  BoundExprPtr Arithmetic(const std::string& op, int offset, BoundExprPtr left,
                          BoundExprPtr right) {
    for (const BoundExprPtr& side : {left, right}) {
      if (!side->null_type && !IsNumeric(side->type)) {
        Fail(side->offset, "'" + op + "' needs numbers, not " + side->type.ToString());
      }
    }
    DataType type = CommonType(left, right, offset, "combine");
    if ((left->null_type && right->null_type) || IsInteger(type)) type = DataType::Int64();
    if (op == "/") type = DataType::Float64();
    static const std::map<std::string, Kernel> kNames = {{"+", Kernel::kAdd},
                                                         {"-", Kernel::kSubtract},
                                                         {"*", Kernel::kMultiply},
                                                         {"/", Kernel::kDivide},
                                                         {"%", Kernel::kModulo}};
    if (IsDecimal(type)) {
      // Exact: + and - keep the larger scale with room for a carry, * adds the scales; a result
      // beyond the type's digits is a row error, never a rounded value.
      const DataType a = left->null_type ? DataType::Decimal(1, 0) : AsDecimal(left->type);
      const DataType b = right->null_type ? DataType::Decimal(1, 0) : AsDecimal(right->type);
      if (op == "*") {
        if (a.scale() + b.scale() > columnar::kMaxDecimalPrecision) {
          Fail(offset, "the product of " + a.ToString() + " and " + b.ToString() +
                           " needs more than 38 decimal places; CAST one side first");
        }
        const DataType product = DataType::Decimal(
            std::min(columnar::kMaxDecimalPrecision, a.precision() + b.precision()),
            a.scale() + b.scale());
        return Call(Kernel::kMultiply, product, offset, {Convert(left, a), Convert(right, b)});
      }
      type = WiderDecimal(a, b, op == "%" ? 0 : 1);
    }
    return Call(kNames.at(op), type, offset, {Convert(left, type), Convert(right, type)});
  }

  BoundExprPtr BindBinary(const Expr& expr) {
    const std::string& op = expr.name;
    if (op == "and" || op == "or") {
      return Call(op == "and" ? Kernel::kAnd : Kernel::kOr, DataType::Bool(), expr.offset,
                  {Boolean(*expr.args[0]), Boolean(*expr.args[1])});
    }
    BoundExprPtr left = Bind(*expr.args[0]);
    BoundExprPtr right = Bind(*expr.args[1]);
    if (op == "||") {
      return Call(Kernel::kConcatStrict, DataType::String(), expr.offset,
                  {Text(left), Text(right)});
    }
    if (op == "=" || op == "<>" || op == "<" || op == "<=" || op == ">" || op == ">=") {
      return Compare(op, expr.offset, left, right);
    }
    return Arithmetic(op, expr.offset, left, right);
  }

  // Any value as text (numbers and dates formatted as DuckDB casts them to VARCHAR).
  BoundExprPtr Text(const BoundExprPtr& value) override {
    if (IsString(value->type) || value->null_type) return Convert(value, DataType::String());
    return Call(Kernel::kToString, DataType::String(), value->offset, {value});
  }

  BoundExprPtr BindCase(const Expr& expr) {
    std::vector<BoundExprPtr> conditions;
    std::vector<BoundExprPtr> results;
    size_t i = 0;
    BoundExprPtr operand;
    if (expr.has_operand) operand = Bind(*expr.args[i++]);
    const size_t pairs_end = expr.args.size() - (expr.has_else ? 1 : 0);
    for (; i + 2 <= pairs_end; i += 2) {
      if (operand) {
        conditions.push_back(Compare("=", expr.args[i]->offset, operand, Bind(*expr.args[i])));
      } else {
        conditions.push_back(Boolean(*expr.args[i]));
      }
      results.push_back(Bind(*expr.args[i + 1]));
    }
    if (expr.has_else) results.push_back(Bind(*expr.args.back()));
    const DataType type = CommonTypeOf(results, "mix the CASE results");
    std::vector<BoundExprPtr> args;
    for (size_t k = 0; k < conditions.size(); ++k) {
      args.push_back(conditions[k]);
      args.push_back(Convert(results[k], type));
    }
    if (expr.has_else) args.push_back(Convert(results.back(), type));
    return Call(expr.has_else ? Kernel::kCaseElse : Kernel::kCase, type, expr.offset,
                std::move(args));
  }

  BoundExprPtr BindCast(const Expr& expr) {
    BoundExprPtr value = Bind(*expr.args[0]);
    const DataType& to = expr.cast_type;
    const Kernel function = expr.try_cast ? Kernel::kTryCast : Kernel::kCast;
    if (value->null_type) return Convert(value, to);
    const DataType& from = value->type;
    if (from == to) return value;
    auto supported = [&](TypeId id) {
      return id == TypeId::kBool || id == TypeId::kInt32 || id == TypeId::kInt64 ||
             id == TypeId::kFloat64 || id == TypeId::kDecimal || id == TypeId::kString ||
             id == TypeId::kDate || id == TypeId::kTimestamp;
    };
    if (!supported(from.id()) || !supported(to.id()) ||
        (from.id() == TypeId::kBool && IsDecimal(to)) ||
        (to.id() == TypeId::kBool && IsDecimal(from)) ||
        (from.id() == TypeId::kBool &&
         (to.id() == TypeId::kDate || to.id() == TypeId::kTimestamp)) ||
        (to.id() == TypeId::kBool &&
         (from.id() == TypeId::kDate || from.id() == TypeId::kTimestamp)) ||
        ((from.id() == TypeId::kDate || from.id() == TypeId::kTimestamp) && IsNumeric(to)) ||
        ((to.id() == TypeId::kDate || to.id() == TypeId::kTimestamp) && IsNumeric(from))) {
      Fail(expr.offset, "cannot cast " + from.ToString() + " to " + to.ToString());
    }
    if (to.id() == TypeId::kString) return Text(value);
    return Call(function, to, expr.offset, {value});
  }

  BoundExprPtr BindFunction(const Expr& expr) {
    const std::string& name = expr.name;
    const FunctionRule* rule = FindFunction(name);
    if (rule == nullptr) Fail(expr.offset, "unknown function " + name + "()");
    std::vector<BoundExprPtr> args;
    for (size_t i = 0; i < expr.args.size(); ++i) {
      // An argument the rule reads from the syntax tree itself (an INTERVAL has no column type).
      const bool syntax = static_cast<int>(i) == rule->syntax_arg &&
                          expr.args[i]->kind == ExprKind::kLiteral &&
                          expr.args[i]->literal.kind == LiteralKind::kInterval;
      args.push_back(syntax ? Literal0(expr.args[i]->offset) : Bind(*expr.args[i]));
    }
    if (args.size() < rule->min_args || args.size() > rule->max_args) {
      const size_t low = rule->min_args;
      const size_t high = rule->max_args;
      Fail(expr.offset, name + "() takes " +
                            (low == high ? std::to_string(low)
                                         : std::to_string(low) + " to " + std::to_string(high)) +
                            " argument" + (high == 1 ? "" : "s") + ", not " +
                            std::to_string(args.size()));
    }
    return rule->bind(*this, expr, args);
  }

  const columnar::Schema& schema_;
  ExpressionError* error_;
};

// ---- evaluation ----

// Reads integers whatever the physical width (int32/date or int64/time/timestamp).
struct IntReader {
  explicit IntReader(const Column& column) {
    if (column.type().id() == TypeId::kInt32 || column.type().id() == TypeId::kDate) {
      narrow = static_cast<const columnar::Int32Column&>(column).data();
    } else {
      wide = static_cast<const columnar::Int64Column&>(column).data();
    }
  }
  int64_t operator[](int64_t i) const { return narrow != nullptr ? narrow[i] : wide[i]; }
  const int32_t* narrow = nullptr;
  const int64_t* wide = nullptr;
};

const double* Doubles(const Column& column) {
  return static_cast<const columnar::Float64Column&>(column).data();
}

const Int128* Decimals(const Column& column) {
  return static_cast<const columnar::DecimalColumn&>(column).data();
}

double DecimalToDouble(Int128 unscaled, int scale) {
  // Exact operands below 2^53 and one correctly rounded division: 18173 / 100 is 181.73.
  return static_cast<double>(unscaled) / std::pow(10.0, scale);
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

class Evaluator {
 public:
  Evaluator(const columnar::Batch& batch, std::vector<RowError>* errors)
      : batch_(batch), rows_(batch.num_rows()), errors_(errors) {}

  Result<ColumnPtr> Run(const BoundExpr& expr) {
    switch (expr.kind) {
      case BoundKind::kLiteral:
        return Broadcast(*expr.literal, rows_);
      case BoundKind::kColumn:
        return batch_.columns()[expr.column];
      case BoundKind::kCall:
        break;
    }
    const std::string f(KernelName(expr.kernel));
    // Kernels that evaluate their arguments themselves (or have none).
    if (expr.kernel == Kernel::kNullOf) return NullColumn(expr.type, rows_);
    if (expr.kernel == Kernel::kCase || expr.kernel == Kernel::kCaseElse) return Case(expr);
    if (expr.kernel >= Kernel::kEq && expr.kernel <= Kernel::kGe) return CompareSides(expr, f);
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
        return StringFunction(f, *args[0]);
    }
    return Status::Internal("unhandled kernel " + f);
  }

  // A comparison; a literal side is compared as one value, not broadcast to a column first.
  Result<ColumnPtr> CompareSides(const BoundExpr& expr, const std::string& f) {
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
    return Comparison(f, *x, *y, left.kind == BoundKind::kLiteral,
                      right.kind == BoundKind::kLiteral);
  }

 private:
  template <typename Fn>
  ColumnPtr Booleans(Fn fn) {  // fn(i, &value) → valid
    BooleanBuilder builder;
    builder.Reserve(rows_);
    for (int64_t i = 0; i < rows_; ++i) {
      bool value = false;
      if (fn(i, &value)) {
        builder.Append(value);
      } else {
        builder.AppendNull();
      }
    }
    return builder.Finish();
  }

  ColumnPtr Logic(bool is_and, const Column& a, const Column& b) {
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

  ColumnPtr Not(const Column& a) {
    const auto& x = static_cast<const BooleanColumn&>(a);
    return Booleans([&](int64_t i, bool* value) {
      if (x.IsNull(i)) return false;
      *value = !x.Value(i);
      return true;
    });
  }

  ColumnPtr IsNull(const Column& a) {
    return Booleans([&](int64_t i, bool* value) { return *value = a.IsNull(i), true; });
  }

  enum class CompareOp { kEq, kNe, kLt, kLe, kGt, kGe };
  static CompareOp CompareOpOf(const std::string& f) {
    return f == "eq"   ? CompareOp::kEq
           : f == "ne" ? CompareOp::kNe
           : f == "lt" ? CompareOp::kLt
           : f == "le" ? CompareOp::kLe
           : f == "gt" ? CompareOp::kGt
                       : CompareOp::kGe;
  }
  static bool Holds(CompareOp op, int order) {
    switch (op) {
      case CompareOp::kEq:
        return order == 0;
      case CompareOp::kNe:
        return order != 0;
      case CompareOp::kLt:
        return order < 0;
      case CompareOp::kLe:
        return order <= 0;
      case CompareOp::kGt:
        return order > 0;
      case CompareOp::kGe:
        break;
    }
    return order >= 0;
  }

  // `a_one`, `b_one`: that side is a one-row literal, compared with every row.
  ColumnPtr Comparison(const std::string& f, const Column& a, const Column& b, bool a_one,
                       bool b_one) {
    const CompareOp op = CompareOpOf(f);  // resolved once, not per row
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

  ColumnPtr Arithmetic(const BoundExpr& expr, const Column& a, const Column& b) {
    const std::string f(KernelName(expr.kernel));
    const ArithmeticOp op = ArithmeticOpOf(f);  // resolved once, not per row
    if (expr.type.id() == TypeId::kFloat64) {
      const double* x = Doubles(a);
      const double* y = Doubles(b);
      Float64Builder builder(DataType::Float64());
      builder.Reserve(rows_);
      for (int64_t i = 0; i < rows_; ++i) {
        if (a.IsNull(i) || b.IsNull(i) ||
            ((op == ArithmeticOp::kDivide || op == ArithmeticOp::kModulo) && y[i] == 0)) {
          builder.AppendNull();  // x / 0 is NULL, as in DuckDB
          continue;
        }
        builder.Append(op == ArithmeticOp::kAdd        ? x[i] + y[i]
                       : op == ArithmeticOp::kSubtract ? x[i] - y[i]
                       : op == ArithmeticOp::kMultiply ? x[i] * y[i]
                       : op == ArithmeticOp::kDivide   ? x[i] / y[i]
                                                       : std::fmod(x[i], y[i]));
      }
      return builder.Finish();
    }
    static const std::map<std::string, const char*> kVerbs = {
        {"add", "addition"}, {"subtract", "subtraction"}, {"multiply", "multiplication"}};
    if (IsDecimal(expr.type)) {
      const Int128* x = Decimals(a);
      const Int128* y = Decimals(b);
      const Int128 limit = columnar::MaxUnscaled(expr.type.precision());
      columnar::DecimalBuilder builder(expr.type);
      builder.Reserve(rows_);
      for (int64_t i = 0; i < rows_; ++i) {
        if (a.IsNull(i) || b.IsNull(i) || (op == ArithmeticOp::kModulo && y[i] == 0)) {
          builder.AppendNull();
          continue;
        }
        Int128 out = 0;
        bool overflow = false;
        if (op == ArithmeticOp::kModulo) {
          out = x[i] % y[i];
        } else {
          overflow = CheckedArithmetic(op, x[i], y[i], &out);
        }
        if (overflow || Magnitude(out) > limit) {
          errors_->push_back({i, "decimal overflow in " + std::string(kVerbs.at(f)) + " (beyond " +
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
      if (op != ArithmeticOp::kModulo) {
        overflow = CheckedArithmetic(op, x[i], y[i], &out);
      } else {
        if (y[i] == 0) {
          builder.AppendNull();
          continue;
        }
        out = y[i] == -1 ? 0 : x[i] % y[i];
      }
      if (overflow) {
        errors_->push_back({i, std::string("integer overflow in ") + kVerbs.at(f) + " at column " +
                                   std::to_string(expr.offset + 1)});
        builder.AppendNull();
        continue;
      }
      builder.Append(out);
    }
    return builder.Finish();
  }

  ColumnPtr ConvertColumn(const BoundExpr& expr, const Column& a) {
    const DataType& to = expr.type;
    if (IsDecimal(to) || IsDecimal(a.type())) {
      // Integers and narrower decimals into a decimal, or a decimal into float64: a cast that
      // cannot lose digits (one beyond 38 is a row error).
      return CastDecimal(expr, a, /*try_cast=*/false);
    }
    if (to.id() == TypeId::kFloat64) {
      const IntReader x(a);
      Float64Builder builder(to);
      builder.Reserve(rows_);
      for (int64_t i = 0; i < rows_; ++i) {
        if (a.IsNull(i)) {
          builder.AppendNull();
        } else {
          builder.Append(static_cast<double>(x[i]));
        }
      }
      return builder.Finish();
    }
    if (to.id() == TypeId::kBool || to.id() == TypeId::kString) return NullColumn(to, rows_);
    // int32 → int64, date → timestamp.
    const IntReader x(a);
    const bool days = a.type().id() == TypeId::kDate && to.id() == TypeId::kTimestamp;
    Int64Builder builder(to);
    builder.Reserve(rows_);
    for (int64_t i = 0; i < rows_; ++i) {
      if (a.IsNull(i)) {
        builder.AppendNull();
      } else {
        builder.Append(days ? x[i] * 86'400'000'000LL : x[i]);
      }
    }
    return builder.Finish();
  }

  ColumnPtr ToText(const Column& a) {
    StringBuilder builder;
    std::string text;
    for (int64_t i = 0; i < rows_; ++i) {
      if (a.IsNull(i)) {
        builder.AppendNull();
        continue;
      }
      text.clear();
      columnar::AppendValue(a, i, columnar::ValueStyle::kDisplay, &text);
      builder.Append(text);
    }
    return builder.Finish();
  }

  ColumnPtr Coalesce(const DataType& type, const std::vector<ColumnPtr>& args) {
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
    return Gather(type, args, source);
  }

  // Row i from args[source[i]] (null where source[i] < 0).
  ColumnPtr Gather(const DataType& type, const std::vector<ColumnPtr>& args,
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
        return gather(Float64Builder(type),
                      [](const Column& c, int64_t i) { return Doubles(c)[i]; });
      case TypeId::kDecimal:
        return gather(columnar::DecimalBuilder(type),
                      [](const Column& c, int64_t i) { return Decimals(c)[i]; });
      case TypeId::kInt32:
      case TypeId::kDate:
        return gather(Int32Builder(type), [](const Column& c, int64_t i) {
          return static_cast<int32_t>(IntReader(c)[i]);
        });
      default:
        return gather(Int64Builder(type),
                      [](const Column& c, int64_t i) { return IntReader(c)[i]; });
    }
  }

  Result<ColumnPtr> Case(const BoundExpr& expr) {
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

  // ---- casts ----
  // Casts from or to a decimal: exact where the value fits, rounded half away from zero where
  // digits are dropped (as DuckDB), a row error where the value does not fit.
  ColumnPtr CastDecimal(const BoundExpr& expr, const Column& a, bool try_cast) {
    const DataType& to = expr.type;
    const DataType& from = a.type();
    auto fail = [&](int64_t i) {
      if (try_cast) return;
      std::string text;
      columnar::AppendValue(a, i, columnar::ValueStyle::kDisplay, &text);
      if (IsString(from)) text = "'" + text + "'";
      errors_->push_back({i, "cannot cast " + text + " to " + to.ToString() + " at column " +
                                 std::to_string(expr.offset + 1)});
    };
    if (!IsDecimal(to)) {  // decimal → int32, int64 or float64
      Float64Builder doubles(to);
      Int64Builder wide(to);
      Int32Builder narrow(to);
      const bool is_narrow = to.id() == TypeId::kInt32;
      for (int64_t i = 0; i < rows_; ++i) {
        bool valid = a.IsValid(i);
        Int128 whole = 0;
        if (valid && to.id() != TypeId::kFloat64) {
          whole = DivideRounding(Decimals(a)[i], from.scale());
          valid = is_narrow ? whole >= std::numeric_limits<int32_t>::min() &&
                                  whole <= std::numeric_limits<int32_t>::max()
                            : whole >= std::numeric_limits<int64_t>::min() &&
                                  whole <= std::numeric_limits<int64_t>::max();
          if (!valid) fail(i);
        }
        if (to.id() == TypeId::kFloat64) {
          valid ? doubles.Append(DecimalToDouble(Decimals(a)[i], from.scale()))
                : doubles.AppendNull();
        } else if (is_narrow) {
          valid ? narrow.Append(static_cast<int32_t>(whole)) : narrow.AppendNull();
        } else {
          valid ? wide.Append(static_cast<int64_t>(whole)) : wide.AppendNull();
        }
      }
      return to.id() == TypeId::kFloat64 ? doubles.Finish()
             : is_narrow                 ? narrow.Finish()
                                         : wide.Finish();
    }
    const Int128 limit = columnar::MaxUnscaled(to.precision());
    columnar::DecimalBuilder builder(to);
    builder.Reserve(rows_);
    for (int64_t i = 0; i < rows_; ++i) {
      if (a.IsNull(i)) {
        builder.AppendNull();
        continue;
      }
      std::optional<Int128> out;
      Int128 value = 0;
      if (IsDecimal(from)) {
        const int shift = to.scale() - from.scale();
        if (shift < 0) {
          out = DivideRounding(Decimals(a)[i], -shift);
        } else if (!__builtin_mul_overflow(Decimals(a)[i], columnar::PowerOfTen(shift), &value)) {
          out = value;
        }
      } else if (IsInteger(from)) {
        if (!__builtin_mul_overflow(Int128(IntReader(a)[i]), columnar::PowerOfTen(to.scale()),
                                    &value)) {
          out = value;
        }
      } else if (from.id() == TypeId::kFloat64) {
        const long double scaled =
            std::roundl(static_cast<long double>(Doubles(a)[i]) * std::pow(10.0L, to.scale()));
        if (std::isfinite(scaled) && std::fabs(scaled) < 1e38L) out = static_cast<Int128>(scaled);
      } else {
        out = ParseDecimalText(static_cast<const StringColumn&>(a).Value(i), to.scale());
      }
      if (!out || Magnitude(*out) > limit) {
        fail(i);
        builder.AppendNull();
        continue;
      }
      builder.Append(*out);
    }
    return builder.Finish();
  }

  // Text as a decimal at `scale`, rounding extra fractional digits half away from zero.
  static std::optional<Int128> ParseDecimalText(std::string_view text, int scale) {
    while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
    Int128 out = 0;
    const columnar::DecimalParseError error =
        columnar::ParseDecimal(text, columnar::kMaxDecimalPrecision, scale, &out);
    if (error == columnar::DecimalParseError::kOk) return out;
    const size_t point = text.find('.');
    if (error != columnar::DecimalParseError::kTooManyFractionDigits ||
        point == std::string_view::npos || text.find_first_of("eE") != std::string_view::npos) {
      return std::nullopt;
    }
    const int fraction = static_cast<int>(text.size() - point - 1);
    if (fraction > columnar::kMaxDecimalPrecision ||
        columnar::ParseDecimal(text, columnar::kMaxDecimalPrecision, fraction, &out) !=
            columnar::DecimalParseError::kOk) {
      return std::nullopt;
    }
    return DivideRounding(out, fraction - scale);
  }

  Result<ColumnPtr> Cast(const BoundExpr& expr, const Column& a, bool try_cast) {
    const DataType& to = expr.type;
    const TypeId from = a.type().id();
    if (IsDecimal(to) || IsDecimal(a.type())) return CastDecimal(expr, a, try_cast);
    auto fail = [&](int64_t i, const std::string& what) {
      if (!try_cast) {
        errors_->push_back({i, "cannot cast " + what + " to " + to.ToString() + " at column " +
                                   std::to_string(expr.offset + 1)});
      }
    };
    auto text_of = [&](int64_t i) {
      std::string text;
      columnar::AppendValue(a, i, columnar::ValueStyle::kDisplay, &text);
      return text;
    };
    // Every target is built through one of three builders.
    BooleanBuilder bools;
    Float64Builder doubles(DataType::Float64());
    Int64Builder wide(to);
    Int32Builder narrow(to);
    for (int64_t i = 0; i < rows_; ++i) {
      bool valid = a.IsValid(i);
      bool b = false;
      double d = 0;
      int64_t n = 0;
      if (valid) {
        if (from == TypeId::kString) {
          std::string_view text = static_cast<const StringColumn&>(a).Value(i);
          while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
          while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
          valid = ParseText(text, to, &b, &d, &n);
          if (!valid)
            fail(i, "'" + std::string(static_cast<const StringColumn&>(a).Value(i)) + "'");
        } else if (from == TypeId::kBool) {
          b = static_cast<const BooleanColumn&>(a).Value(i);
          n = b ? 1 : 0;
          d = n;
        } else if (from == TypeId::kFloat64) {
          d = Doubles(a)[i];
          b = d != 0;
          if (IsInteger(to)) {
            const double r = std::nearbyint(d);  // half to even, as DuckDB's cast
            valid = std::isfinite(r) && r >= -9.2233720368547758e18 && r < 9.2233720368547758e18;
            if (valid) n = static_cast<int64_t>(r);
            if (!valid) fail(i, text_of(i));
          }
        } else {  // integers, date, timestamp
          n = IntReader(a)[i];
          b = n != 0;
          d = static_cast<double>(n);
          if (from == TypeId::kDate && to.id() == TypeId::kTimestamp) n *= 86'400'000'000LL;
          if (from == TypeId::kTimestamp && to.id() == TypeId::kDate) {
            n = n >= 0 ? n / 86'400'000'000LL : -((-n + 86'399'999'999LL) / 86'400'000'000LL);
          }
        }
      }
      if (valid && (to.id() == TypeId::kInt32 || to.id() == TypeId::kDate) &&
          (n < std::numeric_limits<int32_t>::min() || n > std::numeric_limits<int32_t>::max())) {
        fail(i, text_of(i));
        valid = false;
      }
      switch (to.id()) {
        case TypeId::kBool:
          valid ? bools.Append(b) : bools.AppendNull();
          break;
        case TypeId::kFloat64:
          valid ? doubles.Append(d) : doubles.AppendNull();
          break;
        case TypeId::kInt32:
        case TypeId::kDate:
          valid ? narrow.Append(static_cast<int32_t>(n)) : narrow.AppendNull();
          break;
        default:
          valid ? wide.Append(n) : wide.AppendNull();
          break;
      }
    }
    switch (to.id()) {
      case TypeId::kBool:
        return bools.Finish();
      case TypeId::kFloat64:
        return doubles.Finish();
      case TypeId::kInt32:
      case TypeId::kDate:
        return narrow.Finish();
      default:
        return wide.Finish();
    }
  }

  static bool ParseText(std::string_view text, const DataType& to, bool* b, double* d, int64_t* n) {
    switch (to.id()) {
      case TypeId::kBool: {
        const std::string lower = AsciiLower(text);
        if (lower == "true" || lower == "t" || lower == "1" || lower == "yes")
          return *b = true, true;
        if (lower == "false" || lower == "f" || lower == "0" || lower == "no")
          return *b = false, true;
        return false;
      }
      case TypeId::kInt32:
      case TypeId::kInt64: {
        if (!text.empty() && text.front() == '+') text.remove_prefix(1);
        const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *n);
        return !text.empty() && error == std::errc() && end == text.data() + text.size();
      }
      case TypeId::kFloat64: {
        if (text.empty()) return false;
        const std::string copy(text);
        char* end = nullptr;
        *d = std::strtod(copy.c_str(), &end);
        return end == copy.c_str() + copy.size();
      }
      case TypeId::kDate: {
        int32_t days = 0;
        if (!columnar::ParseDate(text, columnar::DateOrder::kYMD, &days)) return false;
        *n = days;
        return true;
      }
      case TypeId::kTimestamp:
        return columnar::ParseTimestamp(text, columnar::DateOrder::kYMD, n);
      default:
        return false;
    }
  }

  // ---- LIKE ----
  static size_t CharLength(std::string_view text, size_t at) {
    const unsigned char c = static_cast<unsigned char>(text[at]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    return std::min(n, text.size() - at);
  }

  // SQL LIKE: % any run, _ one character; iterative with one backtrack point per %.
  static bool LikeMatch(std::string_view text, std::string_view pattern) {
    size_t t = 0, p = 0, star_p = std::string_view::npos, star_t = 0;
    while (t < text.size()) {
      if (p < pattern.size() && pattern[p] == '%') {
        star_p = ++p;
        star_t = t;
      } else if (p < pattern.size() && pattern[p] == '_') {
        t += CharLength(text, t);
        ++p;
      } else if (p < pattern.size() && pattern[p] == text[t]) {
        ++t;
        ++p;
      } else if (star_p != std::string_view::npos) {
        star_t += CharLength(text, star_t);
        t = star_t;
        p = star_p;
      } else {
        return false;
      }
    }
    while (p < pattern.size() && pattern[p] == '%') ++p;
    return p == pattern.size();
  }

  ColumnPtr Like(const Column& a, const Column& b, bool fold_case) {
    const auto& x = static_cast<const StringColumn&>(a);
    const auto& y = static_cast<const StringColumn&>(b);
    std::string text, pattern;
    return Booleans([&](int64_t i, bool* value) {
      if (a.IsNull(i) || b.IsNull(i)) return false;
      if (!fold_case) return *value = LikeMatch(x.Value(i), y.Value(i)), true;
      CaseMap(x.Value(i), false, &text);
      CaseMap(y.Value(i), false, &pattern);
      return *value = LikeMatch(text, pattern), true;
    });
  }

  // ---- more string functions ----
  template <typename Fn>
  ColumnPtr Strings(const std::vector<ColumnPtr>& args, Fn fn) {  // fn(i, &out) → valid
    StringBuilder builder;
    std::string out;
    for (int64_t i = 0; i < rows_; ++i) {
      bool null = false;
      for (const ColumnPtr& arg : args) null |= arg->IsNull(i);
      out.clear();
      if (null || !fn(i, &out)) {
        builder.AppendNull();
      } else {
        builder.Append(out);
      }
    }
    return builder.Finish();
  }

  static std::string_view Str(const ColumnPtr& column, int64_t i) {
    return static_cast<const StringColumn&>(*column).Value(i);
  }

  // substr(text, start[, length]) counts characters from 1; a negative start counts from the
  // end (as DuckDB); a negative length gives ''.
  ColumnPtr Substr(const std::vector<ColumnPtr>& args) {
    constexpr int64_t kRest = std::numeric_limits<int64_t>::max();
    return Strings(args, [&](int64_t i, std::string* out) {
      const std::string_view text = Str(args[0], i);
      int64_t characters = 0;
      for (char c : text) characters += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
      int64_t start = IntReader(*args[1])[i];
      const int64_t length = args.size() > 2 ? IntReader(*args[2])[i] : kRest;
      if (length < 0) return true;
      if (start < 0)
        start = std::max<int64_t>(characters + start + 1, std::numeric_limits<int64_t>::min() / 2);
      const int64_t end = length >= kRest - std::max<int64_t>(start, 0) ? kRest : start + length;
      int64_t position = 1;
      for (size_t at = 0; at < text.size() && position < end; ++position) {
        const size_t n = CharLength(text, at);
        if (position >= start) out->append(text.substr(at, n));
        at += n;
      }
      return true;
    });
  }

  ColumnPtr Replace(const std::vector<ColumnPtr>& args) {
    return Strings(args, [&](int64_t i, std::string* out) {
      const std::string_view text = Str(args[0], i);
      const std::string_view from = Str(args[1], i);
      const std::string_view to = Str(args[2], i);
      if (from.empty()) return out->assign(text), true;
      size_t at = 0;
      while (true) {
        const size_t found = text.find(from, at);
        if (found == std::string_view::npos) break;
        out->append(text.substr(at, found - at));
        out->append(to);
        at = found + from.size();
      }
      out->append(text.substr(at));
      return true;
    });
  }

  ColumnPtr SplitPart(const std::vector<ColumnPtr>& args) {
    return Strings(args, [&](int64_t i, std::string* out) {
      const std::string_view text = Str(args[0], i);
      const std::string_view delimiter = Str(args[1], i);
      const int64_t index = IntReader(*args[2])[i];
      if (index < 1) return true;  // '' as DuckDB
      if (delimiter.empty()) return index == 1 ? (out->assign(text), true) : true;
      size_t at = 0;
      for (int64_t part = 1;; ++part) {
        const size_t found = text.find(delimiter, at);
        if (part == index) {
          out->assign(text.substr(
              at, found == std::string_view::npos ? std::string_view::npos : found - at));
          return true;
        }
        if (found == std::string_view::npos) return true;
        at = found + delimiter.size();
      }
    });
  }

  // ---- regular expressions (RE2: linear time, no backtracking blow-ups) ----
  ColumnPtr Regex(const BoundExpr& expr, const std::vector<ColumnPtr>& args) {
    const RE2& regex = *expr.regex;
    if (expr.kernel == Kernel::kRegexpMatches) {
      const auto& x = static_cast<const StringColumn&>(*args[0]);
      return Booleans([&](int64_t i, bool* value) {
        if (x.IsNull(i)) return false;
        const std::string_view text = x.Value(i);
        return *value = RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), regex), true;
      });
    }
    if (expr.kernel == Kernel::kRegexpExtract) {
      const int group = expr.regex_group;
      std::vector<re2::StringPiece> groups(static_cast<size_t>(group) + 1);
      return Strings(args, [&](int64_t i, std::string* out) {
        const std::string_view text = Str(args[0], i);
        const re2::StringPiece piece(text.data(), text.size());
        if (regex.Match(piece, 0, piece.size(), RE2::UNANCHORED, groups.data(),
                        static_cast<int>(groups.size()))) {
          out->assign(groups[static_cast<size_t>(group)].data(),
                      groups[static_cast<size_t>(group)].size());
        }
        return true;  // no match: '' (as DuckDB)
      });
    }
    return Strings(args, [&](int64_t i, std::string* out) {
      out->assign(Str(args[0], i));
      const std::string_view replacement = Str(args[1], i);
      const re2::StringPiece rewrite(replacement.data(), replacement.size());
      if (expr.global) {
        RE2::GlobalReplace(out, regex, rewrite);
      } else {
        RE2::Replace(out, regex, rewrite);
      }
      return true;
    });
  }

  // ---- dates ----
  ColumnPtr Calendar(const BoundExpr& expr, const std::vector<ColumnPtr>& args) {
    const std::string f(KernelName(expr.kernel));
    const Column& a = *args[0];
    if (f == "strptime") {
      Int64Builder builder(DataType::Timestamp());
      for (int64_t i = 0; i < rows_; ++i) {
        if (a.IsNull(i)) {
          builder.AppendNull();
          continue;
        }
        const std::string_view text = static_cast<const StringColumn&>(a).Value(i);
        const std::optional<int64_t> micros = Strptime(text, expr.format);
        if (!micros) {
          errors_->push_back({i, "'" + std::string(text) + "' does not match the format '" +
                                     expr.format + "' at column " +
                                     std::to_string(expr.offset + 1)});
          builder.AppendNull();
          continue;
        }
        builder.Append(*micros);
      }
      return builder.Finish();
    }
    // Every other input is a date or a timestamp, read as microseconds.
    const IntReader x(a);
    const bool date_in = a.type().id() == TypeId::kDate;
    auto micros_at = [&](int64_t i) { return date_in ? x[i] * kMicrosPerDay : x[i]; };
    if (f == "strftime") {
      StringBuilder builder;
      for (int64_t i = 0; i < rows_; ++i) {
        if (a.IsNull(i)) {
          builder.AppendNull();
        } else {
          builder.Append(Strftime(micros_at(i), expr.format));
        }
      }
      return builder.Finish();
    }
    if (expr.type.id() == TypeId::kDate) {  // date_trunc of a date, date_add of days to a date
      Int32Builder builder(DataType::Date());
      for (int64_t i = 0; i < rows_; ++i) {
        if (a.IsNull(i)) {
          builder.AppendNull();
          continue;
        }
        std::optional<int64_t> micros =
            f == "date_trunc" ? std::optional<int64_t>(TruncateTo(expr.part, micros_at(i)))
                              : AddInterval(micros_at(i), expr.interval);
        if (!micros || FloorDiv(*micros, kMicrosPerDay) < std::numeric_limits<int32_t>::min() ||
            FloorDiv(*micros, kMicrosPerDay) > std::numeric_limits<int32_t>::max()) {
          errors_->push_back({i, "date out of range at column " + std::to_string(expr.offset + 1)});
          builder.AppendNull();
          continue;
        }
        builder.Append(static_cast<int32_t>(FloorDiv(*micros, kMicrosPerDay)));
      }
      return builder.Finish();
    }
    Int64Builder builder(expr.type);
    for (int64_t i = 0; i < rows_; ++i) {
      if (a.IsNull(i) || (args.size() > 1 && args[1]->IsNull(i))) {
        builder.AppendNull();
        continue;
      }
      if (f == "date_trunc") {
        builder.Append(TruncateTo(expr.part, micros_at(i)));
      } else if (f == "date_part") {
        builder.Append(ExtractPart(expr.part, micros_at(i)));
      } else if (f == "date_diff") {
        builder.Append(DiffUnits(expr.part, micros_at(i), IntReader(*args[1])[i]));
      } else {
        const std::optional<int64_t> micros = AddInterval(micros_at(i), expr.interval);
        if (!micros) {
          errors_->push_back(
              {i, "timestamp out of range at column " + std::to_string(expr.offset + 1)});
          builder.AppendNull();
          continue;
        }
        builder.Append(*micros);
      }
    }
    return builder.Finish();
  }

  // ---- numeric functions ----
  ColumnPtr Numeric(const BoundExpr& expr, const std::vector<ColumnPtr>& args) {
    const std::string f(KernelName(expr.kernel));
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
        if (f == "abs") {
          builder.Append(Magnitude(v));
        } else if (f == "floor" || f == "ceil") {
          Int128 whole = v / unit;
          if (v % unit != 0 && (f == "floor") == (v < 0)) whole += v < 0 ? -1 : 1;
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
        if (f == "abs") {
          builder.Append(std::fabs(x));
        } else if (f == "floor") {
          builder.Append(std::floor(x));
        } else if (f == "ceil") {
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
      if (f == "abs" && value < 0) {
        if (value == std::numeric_limits<int64_t>::min()) {
          errors_->push_back(
              {i, "integer overflow in abs() at column " + std::to_string(expr.offset + 1)});
          builder.AppendNull();
          continue;
        }
        value = -value;
      }
      if (f == "round" && args.size() > 1) {
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

  ColumnPtr Concat(const std::vector<ColumnPtr>& args, bool strict) {
    StringBuilder builder;
    std::string text;
    for (int64_t i = 0; i < rows_; ++i) {
      text.clear();
      bool null = false;
      for (const ColumnPtr& arg : args) {
        if (arg->IsNull(i)) {
          null = true;
          continue;  // concat() skips nulls; || makes the whole value null
        }
        text += static_cast<const StringColumn&>(*arg).Value(i);
      }
      if (strict && null) {
        builder.AppendNull();
      } else {
        builder.Append(text);
      }
    }
    return builder.Finish();
  }

  ColumnPtr StringFunction(const std::string& f, const Column& a) {
    const auto& x = static_cast<const StringColumn&>(a);
    if (f == "length") {
      Int64Builder builder(DataType::Int64());
      for (int64_t i = 0; i < rows_; ++i) {
        if (a.IsNull(i)) {
          builder.AppendNull();
          continue;
        }
        int64_t characters = 0;  // UTF-8 code points: every byte that is not a continuation
        for (char c : x.Value(i)) characters += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
        builder.Append(characters);
      }
      return builder.Finish();
    }
    StringBuilder builder;
    std::string text;
    for (int64_t i = 0; i < rows_; ++i) {
      if (a.IsNull(i)) {
        builder.AppendNull();
        continue;
      }
      std::string_view value = x.Value(i);
      if (f == "trim") {
        while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
        while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
        builder.Append(value);
        continue;
      }
      CaseMap(value, f == "upper", &text);
      builder.Append(text);
    }
    return builder.Finish();
  }

  const columnar::Batch& batch_;
  int64_t rows_;
  std::vector<RowError>* errors_;
};

}  // namespace

Result<BoundExprPtr> Bind(const Expr& expr, const columnar::Schema& schema,
                          ExpressionError* error) {
  ExpressionError local;
  ExpressionError* target = error != nullptr ? error : &local;
  try {
    Binder binder(schema, target);
    return binder.Bind(expr);
  } catch (const BindFailed&) {
    return Status::InvalidArgument("column " + std::to_string(target->offset + 1) + ": " +
                                   target->message);
  }
}

Result<columnar::ColumnPtr> Evaluate(const BoundExpr& expr, const columnar::Batch& batch,
                                     std::vector<RowError>* errors) {
  Evaluator evaluator(batch, errors);
  return evaluator.Run(expr);
}

std::string_view KernelName(Kernel kernel) {
  switch (kernel) {
    case Kernel::kNullOf:
      return "null_of";
    case Kernel::kCase:
      return "case";
    case Kernel::kCaseElse:
      return "case_else";
    case Kernel::kEq:
      return "eq";
    case Kernel::kNe:
      return "ne";
    case Kernel::kLt:
      return "lt";
    case Kernel::kLe:
      return "le";
    case Kernel::kGt:
      return "gt";
    case Kernel::kGe:
      return "ge";
    case Kernel::kAnd:
      return "and";
    case Kernel::kOr:
      return "or";
    case Kernel::kNot:
      return "not";
    case Kernel::kIsNull:
      return "is_null";
    case Kernel::kAdd:
      return "add";
    case Kernel::kSubtract:
      return "subtract";
    case Kernel::kMultiply:
      return "multiply";
    case Kernel::kDivide:
      return "divide";
    case Kernel::kModulo:
      return "modulo";
    case Kernel::kConvert:
      return "convert";
    case Kernel::kToString:
      return "to_string";
    case Kernel::kCast:
      return "cast";
    case Kernel::kTryCast:
      return "try_cast";
    case Kernel::kLike:
      return "like";
    case Kernel::kILike:
      return "ilike";
    case Kernel::kCoalesce:
      return "coalesce";
    case Kernel::kConcat:
      return "concat";
    case Kernel::kConcatStrict:
      return "concat_strict";
    case Kernel::kLower:
      return "lower";
    case Kernel::kUpper:
      return "upper";
    case Kernel::kTrim:
      return "trim";
    case Kernel::kLength:
      return "length";
    case Kernel::kSubstr:
      return "substr";
    case Kernel::kReplace:
      return "replace";
    case Kernel::kSplitPart:
      return "split_part";
    case Kernel::kAbs:
      return "abs";
    case Kernel::kFloor:
      return "floor";
    case Kernel::kCeil:
      return "ceil";
    case Kernel::kRound:
      return "round";
    case Kernel::kRegexpMatches:
      return "regexp_matches";
    case Kernel::kRegexpExtract:
      return "regexp_extract";
    case Kernel::kRegexpReplace:
      return "regexp_replace";
    case Kernel::kDateTrunc:
      return "date_trunc";
    case Kernel::kDatePart:
      return "date_part";
    case Kernel::kDateDiff:
      return "date_diff";
    case Kernel::kDateAdd:
      return "date_add";
    case Kernel::kStrftime:
      return "strftime";
    case Kernel::kStrptime:
      return "strptime";
  }
  return "unknown";
}

}  // namespace sluice::compute

// Binding: names resolved against the schema, types checked, implicit conversions inserted and
// every call looked up in the function registry. Failures are values (Result), carrying the
// offset of the offending node.
#include <map>
#include <optional>

#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/temporal.h"
#include "sluice/common/ascii.h"
#include "sluice/compute/expression_evaluator.h"
#include "sluice/compute/function_registry.h"
#include "sluice/compute/type_rules.h"
#include "sluice/config/config_spec.h"

namespace sluice::compute {
namespace {

using columnar::BooleanBuilder;
using columnar::ColumnPtr;
using columnar::DataType;
using columnar::Float64Builder;
using columnar::Int128;
using columnar::Int64Builder;
using columnar::StringBuilder;
using columnar::StringColumn;
using columnar::TypeId;

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

  Result<BoundExprPtr> Bind(const Expr& expr) {
    switch (expr.kind) {
      case ExprKind::kLiteral:
        return BindLiteral(expr);
      case ExprKind::kColumn:
        return BindColumn(expr);
      case ExprKind::kUnary: {
        if (expr.name == "not") {
          SLUICE_ASSIGN_OR_RETURN(BoundExprPtr value, Boolean(*expr.args[0]));
          return Call(Kernel::kNot, DataType::Bool(), expr.offset, {value});
        }
        SLUICE_ASSIGN_OR_RETURN(BoundExprPtr value, Bind(*expr.args[0]));
        return Arithmetic("-", expr.offset, Literal0(expr.offset), value);
      }
      case ExprKind::kBinary:
        return BindBinary(expr);
      case ExprKind::kIsNull: {
        SLUICE_ASSIGN_OR_RETURN(BoundExprPtr value, Bind(*expr.args[0]));
        return Negated(expr, Call(Kernel::kIsNull, DataType::Bool(), expr.offset, {value}));
      }
      case ExprKind::kIn:
        return BindIn(expr);
      case ExprKind::kBetween:
        return BindBetween(expr);
      case ExprKind::kCase:
        return BindCase(expr);
      case ExprKind::kFunction:
        return BindFunction(expr);
      case ExprKind::kCast:
        return BindCast(expr);
      case ExprKind::kLike:
        return BindLike(expr);
    }
    return Fail(expr.offset, "unsupported expression");
  }

  Status Fail(int offset, std::string message) override {
    error_->offset = offset;
    error_->message = std::move(message);
    return Status::InvalidArgument("column " + std::to_string(offset + 1) + ": " + error_->message);
  }

  // `value` converted to `type` (which CommonType allows).
  Result<BoundExprPtr> Convert(const BoundExprPtr& value, const DataType& type) override {
    if (value->type == type && !value->null_type) return value;
    if (value->null_type) return Call(Kernel::kNullOf, type, value->offset, {});
    if (value->kind == BoundKind::kLiteral && IsString(value->type) &&
        (type.id() == TypeId::kDate || type.id() == TypeId::kTimestamp)) {
      const auto& text = static_cast<const StringColumn&>(*value->literal).Value(0);
      return TemporalLiteral(std::string(text), type, value->offset);
    }
    return Call(Kernel::kConvert, type, value->offset, {value});
  }

  // The type a list of values (CASE results, coalesce arguments) meets at; string when every one
  // is NULL.
  Result<DataType> CommonTypeOf(const std::vector<BoundExprPtr>& values,
                                const std::string& what) override {
    Side running = SideOf(values[0]);
    for (const BoundExprPtr& value : values) {
      const Side next = SideOf(value);
      SLUICE_ASSIGN_OR_RETURN(DataType type, CommonType(running, next, value->offset, what));
      running = {type, running.null && next.null, running.string_literal && next.string_literal};
    }
    return running.null ? DataType::String() : running.type;
  }

  Result<BoundExprPtr> Compare(const std::string& op, int offset, BoundExprPtr left,
                               BoundExprPtr right) override {
    SLUICE_ASSIGN_OR_RETURN(DataType type,
                            CommonType(SideOf(left), SideOf(right), offset, "compare"));
    static const std::map<std::string, Kernel> kNames = {{"=", Kernel::kEq}, {"<>", Kernel::kNe},
                                                         {"<", Kernel::kLt}, {"<=", Kernel::kLe},
                                                         {">", Kernel::kGt}, {">=", Kernel::kGe}};
    SLUICE_ASSIGN_OR_RETURN(BoundExprPtr x, Convert(left, type));
    SLUICE_ASSIGN_OR_RETURN(BoundExprPtr y, Convert(right, type));
    return Call(kNames.at(op), DataType::Bool(), offset, {x, y});
  }

  // Any value as text (numbers and dates formatted as DuckDB casts them to VARCHAR).
  Result<BoundExprPtr> Text(const BoundExprPtr& value) override {
    if (IsString(value->type) || value->null_type) return Convert(value, DataType::String());
    return Call(Kernel::kToString, DataType::String(), value->offset, {value});
  }

 private:
  static BoundExprPtr Call(Kernel kernel, DataType type, int offset,
                           std::vector<BoundExprPtr> args) {
    return MakeCall(kernel, type, offset, std::move(args));
  }

  // NOT `value` when the syntax says so (NOT IN, IS NOT NULL, NOT BETWEEN, NOT LIKE).
  static BoundExprPtr Negated(const Expr& expr, BoundExprPtr value) {
    return expr.negated ? Call(Kernel::kNot, DataType::Bool(), expr.offset, {value}) : value;
  }

  BoundExprPtr Literal0(int offset) {
    Literal zero;
    zero.kind = LiteralKind::kInteger;
    auto node = std::make_shared<BoundExpr>();
    node->offset = offset;
    node->literal = LiteralColumn(zero, &node->type);
    return node;
  }

  Result<BoundExprPtr> BindLiteral(const Expr& expr) {
    auto node = std::make_shared<BoundExpr>();
    node->offset = expr.offset;
    const LiteralKind kind = expr.literal.kind;
    if (kind == LiteralKind::kNull) {
      node->null_type = true;
      StringBuilder builder;
      builder.AppendNull();
      node->literal = builder.Finish();
      node->type = DataType::String();
      return BoundExprPtr(node);
    }
    if (kind == LiteralKind::kDate || kind == LiteralKind::kTimestamp) {
      return TemporalLiteral(expr.literal.text,
                             kind == LiteralKind::kDate ? DataType::Date() : DataType::Timestamp(),
                             expr.offset);
    }
    if (kind == LiteralKind::kInterval) return Fail(expr.offset, "INTERVAL is not supported yet");
    node->literal = LiteralColumn(expr.literal, &node->type);
    return BoundExprPtr(node);
  }

  Result<BoundExprPtr> TemporalLiteral(const std::string& text, DataType type, int offset) {
    auto node = std::make_shared<BoundExpr>();
    node->offset = offset;
    node->type = type;
    if (type.id() == TypeId::kDate) {
      int32_t days = 0;
      if (!columnar::ParseDate(text, columnar::DateOrder::kYMD, &days)) {
        return Fail(offset, "'" + text + "' is not a date (YYYY-MM-DD)");
      }
      columnar::Int32Builder builder(DataType::Date());
      builder.Append(days);
      node->literal = builder.Finish();
    } else {
      int64_t micros = 0;
      if (!columnar::ParseTimestamp(text, columnar::DateOrder::kYMD, &micros)) {
        return Fail(offset, "'" + text + "' is not a timestamp (YYYY-MM-DD HH:MM:SS)");
      }
      columnar::Int64Builder builder(DataType::Timestamp());
      builder.Append(micros);
      node->literal = builder.Finish();
    }
    return BoundExprPtr(node);
  }

  Result<BoundExprPtr> BindColumn(const Expr& expr) {
    std::optional<size_t> index = schema_.FieldIndex(expr.name);
    if (!index) {
      std::vector<size_t> folded;
      for (size_t i = 0; i < schema_.num_fields(); ++i) {
        if (EqualsIgnoringAsciiCase(schema_.field(i).name, expr.name)) folded.push_back(i);
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
      return Fail(expr.offset, message);
    }
    auto node = std::make_shared<BoundExpr>();
    node->kind = BoundKind::kColumn;
    node->column = *index;
    node->type = schema_.field(*index).type;
    node->offset = expr.offset;
    return BoundExprPtr(node);
  }

  // What the type of a value being combined is, for CommonType.
  struct Side {
    DataType type;
    bool null = false;            // only NULL literals so far
    bool string_literal = false;  // only literals so far (a string literal may become a date)
  };
  static Side SideOf(const BoundExprPtr& value) {
    return {value->type, value->null_type, value->kind == BoundKind::kLiteral};
  }

  // The type two operands meet at, or a failure naming both.
  Result<DataType> CommonType(const Side& a, const Side& b, int offset, const std::string& what) {
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
    if (IsTemporal(x) && IsTemporal(y)) return DataType::Timestamp();
    if (IsTemporal(x) && IsString(y) && b.string_literal) return x;
    if (IsTemporal(y) && IsString(x) && a.string_literal) return y;
    return Fail(offset, "cannot " + what + " " + x.ToString() + " and " + y.ToString());
  }

  Result<BoundExprPtr> Boolean(const Expr& expr) {
    SLUICE_ASSIGN_OR_RETURN(BoundExprPtr value, Bind(expr));
    if (value->null_type) return Convert(value, DataType::Bool());
    if (value->type.id() != TypeId::kBool) {
      return Fail(expr.offset, "expected a true/false condition, found " + value->type.ToString());
    }
    return value;
  }

  Result<BoundExprPtr> Arithmetic(const std::string& op, int offset, BoundExprPtr left,
                                  BoundExprPtr right) {
    for (const BoundExprPtr& side : {left, right}) {
      if (!side->null_type && !IsNumeric(side->type)) {
        return Fail(side->offset, "'" + op + "' needs numbers, not " + side->type.ToString());
      }
    }
    SLUICE_ASSIGN_OR_RETURN(DataType type,
                            CommonType(SideOf(left), SideOf(right), offset, "combine"));
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
          return Fail(offset, "the product of " + a.ToString() + " and " + b.ToString() +
                                  " needs more than 38 decimal places; CAST one side first");
        }
        const DataType product = DataType::Decimal(
            std::min(columnar::kMaxDecimalPrecision, a.precision() + b.precision()),
            a.scale() + b.scale());
        return BothAs(Kernel::kMultiply, product, offset, left, a, right, b);
      }
      type = WiderDecimal(a, b, op == "%" ? 0 : 1);
    }
    return BothAs(kNames.at(op), type, offset, left, type, right, type);
  }

  // kernel(left as `a`, right as `b`) of type `type`.
  Result<BoundExprPtr> BothAs(Kernel kernel, const DataType& type, int offset,
                              const BoundExprPtr& left, const DataType& a,
                              const BoundExprPtr& right, const DataType& b) {
    SLUICE_ASSIGN_OR_RETURN(BoundExprPtr x, Convert(left, a));
    SLUICE_ASSIGN_OR_RETURN(BoundExprPtr y, Convert(right, b));
    return Call(kernel, type, offset, {x, y});
  }

  Result<BoundExprPtr> BindBinary(const Expr& expr) {
    const std::string& op = expr.name;
    if (op == "and" || op == "or") {
      SLUICE_ASSIGN_OR_RETURN(BoundExprPtr left, Boolean(*expr.args[0]));
      SLUICE_ASSIGN_OR_RETURN(BoundExprPtr right, Boolean(*expr.args[1]));
      return Call(op == "and" ? Kernel::kAnd : Kernel::kOr, DataType::Bool(), expr.offset,
                  {left, right});
    }
    SLUICE_ASSIGN_OR_RETURN(BoundExprPtr left, Bind(*expr.args[0]));
    SLUICE_ASSIGN_OR_RETURN(BoundExprPtr right, Bind(*expr.args[1]));
    if (op == "||") {
      SLUICE_ASSIGN_OR_RETURN(BoundExprPtr x, Text(left));
      SLUICE_ASSIGN_OR_RETURN(BoundExprPtr y, Text(right));
      return Call(Kernel::kConcatStrict, DataType::String(), expr.offset, {x, y});
    }
    if (op == "=" || op == "<>" || op == "<" || op == "<=" || op == ">" || op == ">=") {
      return Compare(op, expr.offset, left, right);
    }
    return Arithmetic(op, expr.offset, left, right);
  }

  Result<BoundExprPtr> BindIn(const Expr& expr) {
    SLUICE_ASSIGN_OR_RETURN(BoundExprPtr value, Bind(*expr.args[0]));
    BoundExprPtr any;
    for (size_t i = 1; i < expr.args.size(); ++i) {
      SLUICE_ASSIGN_OR_RETURN(BoundExprPtr item, Bind(*expr.args[i]));
      SLUICE_ASSIGN_OR_RETURN(BoundExprPtr equal, Compare("=", expr.args[i]->offset, value, item));
      any = any ? Call(Kernel::kOr, DataType::Bool(), expr.offset, {any, equal}) : equal;
    }
    return Negated(expr, any);
  }

  Result<BoundExprPtr> BindBetween(const Expr& expr) {
    SLUICE_ASSIGN_OR_RETURN(BoundExprPtr value, Bind(*expr.args[0]));
    SLUICE_ASSIGN_OR_RETURN(BoundExprPtr low, Bind(*expr.args[1]));
    SLUICE_ASSIGN_OR_RETURN(BoundExprPtr high, Bind(*expr.args[2]));
    SLUICE_ASSIGN_OR_RETURN(BoundExprPtr above, Compare(">=", expr.offset, value, low));
    SLUICE_ASSIGN_OR_RETURN(BoundExprPtr below, Compare("<=", expr.offset, value, high));
    return Negated(expr, Call(Kernel::kAnd, DataType::Bool(), expr.offset, {above, below}));
  }

  Result<BoundExprPtr> BindLike(const Expr& expr) {
    SLUICE_ASSIGN_OR_RETURN(BoundExprPtr value, Bind(*expr.args[0]));
    SLUICE_ASSIGN_OR_RETURN(BoundExprPtr pattern, Bind(*expr.args[1]));
    const bool fold = expr.name == "ilike";
    for (const BoundExprPtr& side : {value, pattern}) {
      if (!side->null_type && !IsString(side->type)) {
        return Fail(side->offset, std::string(fold ? "ILIKE" : "LIKE") + " compares strings, not " +
                                      side->type.ToString());
      }
    }
    SLUICE_ASSIGN_OR_RETURN(
        BoundExprPtr match,
        BothAs(fold ? Kernel::kILike : Kernel::kLike, DataType::Bool(), expr.offset, value,
               DataType::String(), pattern, DataType::String()));
    return Negated(expr, match);
  }

  Result<BoundExprPtr> BindCase(const Expr& expr) {
    std::vector<BoundExprPtr> conditions;
    std::vector<BoundExprPtr> results;
    size_t i = 0;
    BoundExprPtr operand;
    if (expr.has_operand) {
      SLUICE_ASSIGN_OR_RETURN(operand, Bind(*expr.args[i++]));
    }
    const size_t pairs_end = expr.args.size() - (expr.has_else ? 1 : 0);
    for (; i + 2 <= pairs_end; i += 2) {
      BoundExprPtr condition;
      if (operand) {
        SLUICE_ASSIGN_OR_RETURN(BoundExprPtr when, Bind(*expr.args[i]));
        SLUICE_ASSIGN_OR_RETURN(condition, Compare("=", expr.args[i]->offset, operand, when));
      } else {
        SLUICE_ASSIGN_OR_RETURN(condition, Boolean(*expr.args[i]));
      }
      conditions.push_back(condition);
      SLUICE_ASSIGN_OR_RETURN(BoundExprPtr result, Bind(*expr.args[i + 1]));
      results.push_back(result);
    }
    if (expr.has_else) {
      SLUICE_ASSIGN_OR_RETURN(BoundExprPtr otherwise, Bind(*expr.args.back()));
      results.push_back(otherwise);
    }
    SLUICE_ASSIGN_OR_RETURN(DataType type, CommonTypeOf(results, "mix the CASE results"));
    std::vector<BoundExprPtr> args;
    for (size_t k = 0; k < results.size(); ++k) {
      if (k < conditions.size()) args.push_back(conditions[k]);
      SLUICE_ASSIGN_OR_RETURN(BoundExprPtr result, Convert(results[k], type));
      args.push_back(result);
    }
    return Call(expr.has_else ? Kernel::kCaseElse : Kernel::kCase, type, expr.offset,
                std::move(args));
  }

  static bool CastSupported(const DataType& from, const DataType& to) {
    auto known = [](TypeId id) {
      return id == TypeId::kBool || id == TypeId::kInt32 || id == TypeId::kInt64 ||
             id == TypeId::kFloat64 || id == TypeId::kDecimal || id == TypeId::kString ||
             id == TypeId::kDate || id == TypeId::kTimestamp;
    };
    const bool from_bool = from.id() == TypeId::kBool;
    const bool to_bool = to.id() == TypeId::kBool;
    return known(from.id()) && known(to.id()) && !(from_bool && IsDecimal(to)) &&
           !(to_bool && IsDecimal(from)) && !(from_bool && IsTemporal(to)) &&
           !(to_bool && IsTemporal(from)) && !(IsTemporal(from) && IsNumeric(to)) &&
           !(IsTemporal(to) && IsNumeric(from));
  }

  Result<BoundExprPtr> BindCast(const Expr& expr) {
    SLUICE_ASSIGN_OR_RETURN(BoundExprPtr value, Bind(*expr.args[0]));
    const DataType& to = expr.cast_type;
    if (value->null_type) return Convert(value, to);
    const DataType& from = value->type;
    if (from == to) return value;
    if (!CastSupported(from, to)) {
      return Fail(expr.offset, "cannot cast " + from.ToString() + " to " + to.ToString());
    }
    if (to.id() == TypeId::kString) return Text(value);
    return Call(expr.try_cast ? Kernel::kTryCast : Kernel::kCast, to, expr.offset, {value});
  }

  Result<BoundExprPtr> BindFunction(const Expr& expr) {
    const std::string& name = expr.name;
    const FunctionRule* rule = FindFunction(name);
    if (rule == nullptr) return Fail(expr.offset, "unknown function " + name + "()");
    std::vector<BoundExprPtr> args;
    for (size_t i = 0; i < expr.args.size(); ++i) {
      // An argument the rule reads from the syntax tree itself (an INTERVAL has no column type).
      const bool syntax = static_cast<int>(i) == rule->syntax_arg &&
                          expr.args[i]->kind == ExprKind::kLiteral &&
                          expr.args[i]->literal.kind == LiteralKind::kInterval;
      if (syntax) {
        args.push_back(Literal0(expr.args[i]->offset));
        continue;
      }
      SLUICE_ASSIGN_OR_RETURN(BoundExprPtr arg, Bind(*expr.args[i]));
      args.push_back(arg);
    }
    if (args.size() < rule->min_args || args.size() > rule->max_args) {
      const size_t low = rule->min_args;
      const size_t high = rule->max_args;
      return Fail(expr.offset,
                  name + "() takes " +
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

}  // namespace

Result<BoundExprPtr> Bind(const Expr& expr, const columnar::Schema& schema,
                          ExpressionError* error) {
  ExpressionError local;
  Binder binder(schema, error != nullptr ? error : &local);
  return binder.Bind(expr);
}

}  // namespace sluice::compute

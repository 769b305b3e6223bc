#include "sluice/compute/function_registry.h"

#include <algorithm>
#include <chrono>
#include <optional>

#include <re2/re2.h>

#include "sluice/columnar/column_builder.h"
#include "sluice/compute/type_rules.h"

namespace sluice::compute {
namespace {

using columnar::DataType;
using columnar::StringColumn;
using columnar::TypeId;

int64_t IntegerLiteral(const BoundExpr& arg) {
  return static_cast<const columnar::Int64Column&>(*arg.literal).Value(0);
}

// Fails unless argument `i` is NULL or `ok`.
Status Expect(FunctionBinder& binder, const Expr& call, const std::vector<BoundExprPtr>& args,
              size_t i, bool ok, const char* what) {
  if (args[i]->null_type || ok) return Status::OK();
  return binder.Fail(args[i]->offset, call.name + "() needs " + what + " as argument " +
                                          std::to_string(i + 1) + ", not " +
                                          args[i]->type.ToString());
}

// Argument `i` expected to be `what` (per `ok`) and converted to `type`.
Status ExpectAs(FunctionBinder& binder, const Expr& call, std::vector<BoundExprPtr>& args, size_t i,
                bool ok, const char* what, const DataType& type) {
  SLUICE_RETURN_NOT_OK(Expect(binder, call, args, i, ok, what));
  SLUICE_ASSIGN_OR_RETURN(args[i], binder.Convert(args[i], type));
  return Status::OK();
}

// Argument `i` as the text of a string literal.
Result<std::string> LiteralText(FunctionBinder& binder, const Expr& call,
                                const std::vector<BoundExprPtr>& args, size_t i, const char* what) {
  const BoundExpr& arg = *args[i];
  if (arg.kind != BoundKind::kLiteral || arg.null_type || !IsString(arg.type)) {
    return binder.Fail(arg.offset, call.name + "() takes " + what + " as a string literal ('...')");
  }
  return std::string(static_cast<const StringColumn&>(*arg.literal).Value(0));
}

// Argument `i` as a date part; the parts only extract knows (dow, isodow, doy, epoch) only when
// `extract_only_allowed`.
Result<DatePart> DatePartArg(FunctionBinder& binder, const Expr& call,
                             const std::vector<BoundExprPtr>& args, size_t i,
                             bool extract_only_allowed) {
  SLUICE_ASSIGN_OR_RETURN(const std::string text, LiteralText(binder, call, args, i, "the unit"));
  const std::optional<DatePart> part = ParseDatePart(text);
  if (!part || (!extract_only_allowed &&
                (*part == DatePart::kDayOfWeek || *part == DatePart::kIsoDayOfWeek ||
                 *part == DatePart::kDayOfYear || *part == DatePart::kEpoch))) {
    return binder.Fail(args[i]->offset,
                       "unknown unit '" + text + "' for " + call.name +
                           "() (year, quarter, month, week, day, hour, minute, second" +
                           (extract_only_allowed ? ", dow, isodow, doy, epoch)" : ")"));
  }
  return *part;
}

// ---- conditionals and text ----

Result<BoundExprPtr> BindCoalesce(FunctionBinder& binder, const Expr& call,
                                  std::vector<BoundExprPtr>& args) {
  SLUICE_ASSIGN_OR_RETURN(const DataType type, binder.CommonTypeOf(args, "mix in coalesce()"));
  for (BoundExprPtr& arg : args) {
    SLUICE_ASSIGN_OR_RETURN(arg, binder.Convert(arg, type));
  }
  return BoundExprPtr(MakeCall(Kernel::kCoalesce, type, call.offset, std::move(args)));
}

Result<BoundExprPtr> BindNullIf(FunctionBinder& binder, const Expr& call,
                                std::vector<BoundExprPtr>& args) {
  SLUICE_ASSIGN_OR_RETURN(BoundExprPtr equal, binder.Compare("=", call.offset, args[0], args[1]));
  BoundExprPtr null_value = MakeCall(Kernel::kNullOf, args[0]->type, call.offset, {});
  return BoundExprPtr(
      MakeCall(Kernel::kCaseElse, args[0]->type, call.offset, {equal, null_value, args[0]}));
}

Result<BoundExprPtr> BindStringFunction(FunctionBinder& binder, const Expr& call,
                                        std::vector<BoundExprPtr>& args) {
  if (!args[0]->null_type && !IsString(args[0]->type)) {
    return binder.Fail(args[0]->offset,
                       call.name + "() needs a string, not " + args[0]->type.ToString());
  }
  const Kernel kernel = call.name == "lower"   ? Kernel::kLower
                        : call.name == "upper" ? Kernel::kUpper
                        : call.name == "trim"  ? Kernel::kTrim
                                               : Kernel::kLength;
  SLUICE_ASSIGN_OR_RETURN(BoundExprPtr text, binder.Convert(args[0], DataType::String()));
  return BoundExprPtr(MakeCall(kernel,
                               kernel == Kernel::kLength ? DataType::Int64() : DataType::String(),
                               call.offset, {text}));
}

Result<BoundExprPtr> BindConcat(FunctionBinder& binder, const Expr& call,
                                std::vector<BoundExprPtr>& args) {
  for (BoundExprPtr& arg : args) {
    SLUICE_ASSIGN_OR_RETURN(arg, binder.Text(arg));
  }
  return BoundExprPtr(MakeCall(Kernel::kConcat, DataType::String(), call.offset, std::move(args)));
}

Result<BoundExprPtr> BindSubstr(FunctionBinder& binder, const Expr& call,
                                std::vector<BoundExprPtr>& args) {
  SLUICE_RETURN_NOT_OK(
      ExpectAs(binder, call, args, 0, IsString(args[0]->type), "a string", DataType::String()));
  for (size_t i = 1; i < args.size(); ++i) {
    SLUICE_RETURN_NOT_OK(
        ExpectAs(binder, call, args, i, IsInteger(args[i]->type), "an integer", DataType::Int64()));
  }
  return BoundExprPtr(MakeCall(Kernel::kSubstr, DataType::String(), call.offset, std::move(args)));
}

Result<BoundExprPtr> BindReplace(FunctionBinder& binder, const Expr& call,
                                 std::vector<BoundExprPtr>& args) {
  for (size_t i = 0; i < 3; ++i) {
    SLUICE_RETURN_NOT_OK(
        ExpectAs(binder, call, args, i, IsString(args[i]->type), "a string", DataType::String()));
  }
  return BoundExprPtr(MakeCall(Kernel::kReplace, DataType::String(), call.offset, std::move(args)));
}

Result<BoundExprPtr> BindSplitPart(FunctionBinder& binder, const Expr& call,
                                   std::vector<BoundExprPtr>& args) {
  for (size_t i = 0; i < 2; ++i) {
    SLUICE_RETURN_NOT_OK(
        ExpectAs(binder, call, args, i, IsString(args[i]->type), "a string", DataType::String()));
  }
  SLUICE_RETURN_NOT_OK(
      ExpectAs(binder, call, args, 2, IsInteger(args[2]->type), "an integer", DataType::Int64()));
  return BoundExprPtr(
      MakeCall(Kernel::kSplitPart, DataType::String(), call.offset, std::move(args)));
}

// ---- numbers ----

Result<BoundExprPtr> BindNumeric(FunctionBinder& binder, const Expr& call,
                                 std::vector<BoundExprPtr>& args) {
  const std::string& name = call.name;
  const Kernel kernel = name == "abs"     ? Kernel::kAbs
                        : name == "floor" ? Kernel::kFloor
                        : name == "round" ? Kernel::kRound
                                          : Kernel::kCeil;  // ceil, ceiling
  SLUICE_RETURN_NOT_OK(Expect(binder, call, args, 0, IsNumeric(args[0]->type), "a number"));
  if (args[0]->type.id() == TypeId::kDecimal && !args[0]->null_type) {
    // abs keeps the type; floor and ceil give scale 0; round(x, d) gives scale d (d a literal).
    const DataType& in = args[0]->type;
    int digits = 0;
    if (args.size() == 2) {
      if (args[1]->kind != BoundKind::kLiteral || !IsInteger(args[1]->type) || args[1]->null_type) {
        return binder.Fail(args[1]->offset,
                           "round() of a decimal takes the digits as an integer literal");
      }
      digits = static_cast<int>(std::clamp<int64_t>(IntegerLiteral(*args[1]), -38, 38));
    }
    const int scale = kernel == Kernel::kAbs ? in.scale() : std::clamp(digits, 0, in.scale());
    auto node = MakeCall(kernel, DataType::Decimal(in.precision(), scale), call.offset, {args[0]});
    node->digits = digits;
    return BoundExprPtr(node);
  }
  const DataType type = args[0]->null_type || args[0]->type.id() == TypeId::kFloat64
                            ? DataType::Float64()
                            : DataType::Int64();
  SLUICE_ASSIGN_OR_RETURN(args[0], binder.Convert(args[0], type));
  if (args.size() == 2) {
    SLUICE_RETURN_NOT_OK(
        ExpectAs(binder, call, args, 1, IsInteger(args[1]->type), "an integer", DataType::Int64()));
  }
  return BoundExprPtr(MakeCall(kernel, type, call.offset, std::move(args)));
}

// ---- regular expressions ----

// regexp_replace's options ('g') and regexp_extract's group, set on `node`.
Status BindRegexOptions(FunctionBinder& binder, const Expr& call, std::vector<BoundExprPtr>& args,
                        BoundExpr* node) {
  if (node->kernel == Kernel::kRegexpReplace) {
    SLUICE_RETURN_NOT_OK(
        ExpectAs(binder, call, args, 2, IsString(args[2]->type), "a string", DataType::String()));
    node->args.push_back(args[2]);
    if (args.size() == 4) {
      if (args[3]->kind != BoundKind::kLiteral || !IsString(args[3]->type)) {
        return binder.Fail(args[3]->offset,
                           "regexp_replace() takes its options as a string literal ('g')");
      }
      const std::string_view flags = static_cast<const StringColumn&>(*args[3]->literal).Value(0);
      if (flags != "g" && !flags.empty()) {
        return binder.Fail(args[3]->offset,
                           "regexp_replace() options: only 'g' (every match) is known");
      }
      node->global = flags == "g";
    }
  } else if (node->kernel == Kernel::kRegexpExtract && args.size() == 3) {
    if (args[2]->kind != BoundKind::kLiteral || !IsInteger(args[2]->type)) {
      return binder.Fail(args[2]->offset, "regexp_extract() takes the group as an integer literal");
    }
    const auto group = static_cast<int>(IntegerLiteral(*args[2]));
    if (group < 0 || group > node->regex->NumberOfCapturingGroups()) {
      return binder.Fail(args[2]->offset, "the pattern has no group " + std::to_string(group));
    }
    node->regex_group = group;
  }
  return Status::OK();
}

Result<BoundExprPtr> BindRegex(FunctionBinder& binder, const Expr& call,
                               std::vector<BoundExprPtr>& args) {
  const std::string& name = call.name;
  const Kernel kernel = name == "regexp_matches"   ? Kernel::kRegexpMatches
                        : name == "regexp_extract" ? Kernel::kRegexpExtract
                                                   : Kernel::kRegexpReplace;
  SLUICE_RETURN_NOT_OK(
      ExpectAs(binder, call, args, 0, IsString(args[0]->type), "a string", DataType::String()));
  if (args[1]->kind != BoundKind::kLiteral || args[1]->null_type || !IsString(args[1]->type)) {
    return binder.Fail(args[1]->offset, name + "() needs the pattern as a string literal ('...')");
  }
  const std::string pattern(static_cast<const StringColumn&>(*args[1]->literal).Value(0));
  RE2::Options options;
  options.set_log_errors(false);
  auto regex = std::make_shared<const RE2>(pattern, options);
  if (!regex->ok()) {
    return binder.Fail(args[1]->offset, "invalid regular expression: " + regex->error());
  }
  auto node =
      MakeCall(kernel, kernel == Kernel::kRegexpMatches ? DataType::Bool() : DataType::String(),
               call.offset, {args[0]});
  node->regex = regex;
  SLUICE_RETURN_NOT_OK(BindRegexOptions(binder, call, args, node.get()));
  return BoundExprPtr(node);
}

// ---- dates and times ----

Result<BoundExprPtr> BindNow(FunctionBinder&, const Expr& call, std::vector<BoundExprPtr>&) {
  auto node = std::make_shared<BoundExpr>();
  node->offset = call.offset;
  node->type = DataType::Timestamp();
  columnar::Int64Builder builder(DataType::Timestamp());
  builder.Append(std::chrono::duration_cast<std::chrono::microseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count());
  node->literal = builder.Finish();  // one instant for the whole binding, as a transaction
  return BoundExprPtr(node);
}

Result<BoundExprPtr> BindDateTruncOrPart(FunctionBinder& binder, const Expr& call,
                                         std::vector<BoundExprPtr>& args) {
  const bool trunc = call.name == "date_trunc";
  SLUICE_ASSIGN_OR_RETURN(const DatePart part, DatePartArg(binder, call, args, 0, !trunc));
  SLUICE_RETURN_NOT_OK(
      Expect(binder, call, args, 1, IsTemporal(args[1]->type), "a date or timestamp"));
  auto node = MakeCall(trunc ? Kernel::kDateTrunc : Kernel::kDatePart,
                       trunc ? args[1]->type : DataType::Int64(), call.offset, {args[1]});
  if (args[1]->null_type) {
    SLUICE_ASSIGN_OR_RETURN(node->args[0], binder.Convert(args[1], DataType::Timestamp()));
  }
  if (args[1]->null_type && trunc) node->type = DataType::Timestamp();
  node->part = part;
  return BoundExprPtr(node);
}

Result<BoundExprPtr> BindDateDiff(FunctionBinder& binder, const Expr& call,
                                  std::vector<BoundExprPtr>& args) {
  SLUICE_ASSIGN_OR_RETURN(const DatePart part, DatePartArg(binder, call, args, 0, false));
  for (size_t i = 1; i < 3; ++i) {
    SLUICE_RETURN_NOT_OK(ExpectAs(binder, call, args, i, IsTemporal(args[i]->type),
                                  "a date or timestamp", DataType::Timestamp()));
  }
  auto node = MakeCall(Kernel::kDateDiff, DataType::Int64(), call.offset, {args[1], args[2]});
  node->part = part;
  return BoundExprPtr(node);
}

Result<BoundExprPtr> BindDateAdd(FunctionBinder& binder, const Expr& call,
                                 std::vector<BoundExprPtr>& args) {
  SLUICE_RETURN_NOT_OK(
      Expect(binder, call, args, 0, IsTemporal(args[0]->type), "a date or timestamp"));
  const Expr& raw = *call.args[1];
  if (raw.kind != ExprKind::kLiteral ||
      (raw.literal.kind != LiteralKind::kInterval && raw.literal.kind != LiteralKind::kString)) {
    return binder.Fail(raw.offset, "date_add() takes an INTERVAL literal, e.g. INTERVAL 3 DAY");
  }
  const std::optional<Interval> interval = ParseInterval(raw.literal.text);
  if (!interval) {
    return binder.Fail(raw.offset, "'" + raw.literal.text +
                                       "' is not an interval (e.g. '3 days', " +
                                       "'1 month', '2 hours 30 minutes')");
  }
  const bool stays_date = args[0]->type.id() == TypeId::kDate && interval->micros == 0;
  SLUICE_ASSIGN_OR_RETURN(BoundExprPtr value, binder.Convert(args[0], DataType::Timestamp()));
  auto node = MakeCall(Kernel::kDateAdd, stays_date ? DataType::Date() : DataType::Timestamp(),
                       call.offset, {value});
  node->interval = *interval;
  return BoundExprPtr(node);
}

Result<BoundExprPtr> BindStrftime(FunctionBinder& binder, const Expr& call,
                                  std::vector<BoundExprPtr>& args) {
  SLUICE_RETURN_NOT_OK(ExpectAs(binder, call, args, 0, IsTemporal(args[0]->type),
                                "a date or timestamp", DataType::Timestamp()));
  auto node = MakeCall(Kernel::kStrftime, DataType::String(), call.offset, {args[0]});
  SLUICE_ASSIGN_OR_RETURN(node->format, LiteralText(binder, call, args, 1, "the format"));
  return BoundExprPtr(node);
}

Result<BoundExprPtr> BindStrptime(FunctionBinder& binder, const Expr& call,
                                  std::vector<BoundExprPtr>& args) {
  SLUICE_RETURN_NOT_OK(
      ExpectAs(binder, call, args, 0, IsString(args[0]->type), "a string", DataType::String()));
  auto node = MakeCall(Kernel::kStrptime, DataType::Timestamp(), call.offset, {args[0]});
  SLUICE_ASSIGN_OR_RETURN(node->format, LiteralText(binder, call, args, 1, "the format"));
  return BoundExprPtr(node);
}

FunctionRule Rule(std::string_view signature, size_t min_args, size_t max_args,
                  std::string_view summary, decltype(FunctionRule::bind) bind,
                  std::vector<std::string_view> aliases = {}, int syntax_arg = -1) {
  FunctionRule rule;
  rule.name = signature.substr(0, signature.find('('));
  rule.aliases = std::move(aliases);
  rule.min_args = min_args;
  rule.max_args = max_args;
  rule.signature = signature;
  rule.summary = summary;
  rule.syntax_arg = syntax_arg;
  rule.bind = bind;
  return rule;
}

// The table: one line per function (its name is the signature's up to "(").
std::vector<FunctionRule> MakeRules() {
  std::vector<FunctionRule> rules = {
      Rule("abs(x)", 1, 1, "absolute value; a decimal keeps its type", BindNumeric),
      Rule("ceil(x)", 1, 1, "smallest integer >= x; a decimal gives scale 0", BindNumeric,
           {"ceiling"}),
      Rule("coalesce(a, b, ...)", 1, 64, "the first argument that is not NULL", BindCoalesce),
      Rule("concat(a, ...)", 1, 64, "the arguments as text, NULLs skipped", BindConcat),
      Rule("date_add(x, INTERVAL ...)", 2, 2,
           "months, then days, then time added; a date plus whole days stays a date", BindDateAdd,
           {}, /*syntax_arg=*/1),
      Rule("date_diff('unit', a, b)", 3, 3,
           "unit boundaries crossed from a to b (int64, as DuckDB)", BindDateDiff, {"datediff"}),
      Rule("date_part('part', x)", 2, 2,
           "a part of a date or timestamp (int64); also extract(part FROM x)", BindDateTruncOrPart,
           {"datepart"}),
      Rule("date_trunc('unit', x)", 2, 2, "the start of the unit, same type as x",
           BindDateTruncOrPart),
      Rule("floor(x)", 1, 1, "largest integer <= x; a decimal gives scale 0", BindNumeric),
      Rule("length(s)", 1, 1, "characters (not bytes)", BindStringFunction),
      Rule("lower(s)", 1, 1, "Unicode lower case", BindStringFunction),
      Rule("now()", 0, 0, "one instant for the whole run (the time the expression was bound)",
           BindNow, {"current_timestamp"}),
      Rule("nullif(a, b)", 2, 2, "NULL when a = b, else a", BindNullIf),
      Rule("regexp_extract(s, 'pattern'[, group])", 2, 3,
           "the first match (or its group); '' when none", BindRegex),
      Rule("regexp_matches(s, 'pattern')", 2, 2, "true when the pattern matches anywhere",
           BindRegex),
      Rule("regexp_replace(s, 'pattern', replacement[, 'g'])", 3, 4,
           "the first match replaced, or every match with 'g'", BindRegex),
      Rule("replace(s, from, to)", 3, 3, "every occurrence replaced", BindReplace),
      Rule("round(x[, digits])", 1, 2, "half away from zero", BindNumeric),
      Rule("split_part(s, delimiter, n)", 3, 3, "the n-th part; '' when none", BindSplitPart),
      Rule("strftime(x, 'format')", 2, 2, "a date or timestamp as text", BindStrftime),
      Rule("strptime(s, 'format')", 2, 2, "text read as a timestamp", BindStrptime),
      Rule("substr(s, start[, length])", 2, 3,
           "characters from start (1-based; negative counts from the end)", BindSubstr,
           {"substring"}),
      Rule("trim(s)", 1, 1, "spaces removed at both ends", BindStringFunction),
      Rule("upper(s)", 1, 1, "Unicode upper case", BindStringFunction),
  };
  std::sort(rules.begin(), rules.end(),
            [](const FunctionRule& a, const FunctionRule& b) { return a.name < b.name; });
  return rules;
}

}  // namespace

std::shared_ptr<BoundExpr> MakeCall(Kernel kernel, DataType type, int offset,
                                    std::vector<BoundExprPtr> args) {
  auto node = std::make_shared<BoundExpr>();
  node->kind = BoundKind::kCall;
  node->kernel = kernel;
  node->type = type;
  node->offset = offset;
  node->args = std::move(args);
  return node;
}

const std::vector<FunctionRule>& FunctionRules() {
  static const std::vector<FunctionRule> rules = MakeRules();
  return rules;
}

const FunctionRule* FindFunction(std::string_view name) {
  for (const FunctionRule& rule : FunctionRules()) {
    if (rule.name == name) return &rule;
    for (std::string_view alias : rule.aliases) {
      if (alias == name) return &rule;
    }
  }
  return nullptr;
}

}  // namespace sluice::compute

#include "sluice/silver/quality.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <unordered_set>

#include "sluice/columnar/temporal.h"
#include "sluice/columnar/value_formatter.h"
#include "sluice/compute/expression_evaluator.h"
#include "sluice/compute/expression_parser.h"
#include "sluice/silver/transformer.h"

namespace sluice::silver {
namespace {

using columnar::DataType;
using columnar::TypeId;

std::string Quoted(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// A value written in the project file as an SQL literal fit for a column of `type`.
std::string Literal(const std::string& text, const DataType& type) {
  const bool numeric = type.id() == TypeId::kInt32 || type.id() == TypeId::kInt64 ||
                       type.id() == TypeId::kFloat64 || type.id() == TypeId::kDecimal;
  if (numeric) {
    double value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error == std::errc() && end == text.data() + text.size()) return text;
  }
  if (type.id() == TypeId::kBool && (text == "true" || text == "false")) return text;
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

// "no column 'x'; did you mean 'y'?"
std::string UnknownColumn(const std::string& column, const columnar::Schema& schema) {
  std::vector<std::string> names;
  for (const columnar::Field& field : schema.fields()) names.push_back(field.name);
  std::string message = "no column '" + column + "'";
  if (const std::string* near = config::ClosestName(column, names)) {
    message += "; did you mean '" + *near + "'?";
  }
  return message;
}

// The condition a row must meet, as SQL, for the expression-based checks; `types` are those of
// the check's columns.
std::string ConditionOf(const CheckSpec& check, const std::vector<DataType>& types) {
  switch (check.kind) {
    case CheckKind::kNotNull: {
      std::string sql;
      for (const std::string& column : check.columns) {
        sql += (sql.empty() ? "" : " AND ") + Quoted(column) + " IS NOT NULL";
      }
      return sql;
    }
    case CheckKind::kAcceptedValues: {
      std::string sql = Quoted(check.columns[0]) + " IN (";
      for (size_t i = 0; i < check.values.size(); ++i) {
        sql += (i ? ", " : "") + Literal(check.values[i], types[0]);
      }
      return sql + ")";
    }
    case CheckKind::kRange: {
      std::string sql;
      if (check.min) sql = Quoted(check.columns[0]) + " >= " + Literal(*check.min, types[0]);
      if (check.max) {
        sql += (sql.empty() ? "" : " AND ") + Quoted(check.columns[0]) +
               " <= " + Literal(*check.max, types[0]);
      }
      return sql;
    }
    case CheckKind::kRegex:
      return "regexp_matches(" + Quoted(check.columns[0]) + ", " +
             Literal(check.pattern, DataType::String()) + ")";
    default:
      return std::string();
  }
}

void Sample(CheckResult* result, const columnar::Batch& batch, const std::vector<size_t>& columns,
            int64_t row) {
  if (result->sample.size() >= 5) return;
  std::string text;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) text += ", ";
    columnar::AppendValue(*batch.columns()[columns[i]], row, columnar::ValueStyle::kDisplay, &text);
  }
  if (std::find(result->sample.begin(), result->sample.end(), text) == result->sample.end()) {
    result->sample.push_back(text);
  }
}

// One check bound to the run's schema, with what it has seen so far.
struct BoundCheck {
  size_t index = 0;                                        // in SilverTable::checks
  std::vector<size_t> columns;                             // the check's columns in the schema
  compute::BoundExprPtr condition;                         // condition checks
  std::vector<size_t> sample_columns;                      // condition checks: what a sample shows
  const std::unordered_set<std::string>* known = nullptr;  // unique / relationships
  std::unordered_set<std::string> seen;                    // unique: the run's keys so far
  std::optional<int64_t> low, high;                        // row_count
  std::optional<int64_t> newest;                           // freshness
  CheckResult result;
};

}  // namespace

// The checks of one table, bound to the run's schema; each kind of check is a stage of its own.
class CheckRun::Impl {
 public:
  Impl(const SilverTable& table, const columnar::Schema& schema, const CheckContext& context)
      : table_(table), schema_(schema), context_(context) {}

  Status Bind() {
    for (size_t c = 0; c < table_.checks.size(); ++c) {
      const CheckSpec& check = table_.checks[c];
      BoundCheck bound;
      bound.index = c;
      bound.result.name = check.name;
      bound.result.kind = check.kind;
      bound.result.severity = check.severity;
      for (const std::string& column : check.columns) {
        bound.result.columns += (bound.result.columns.empty() ? "" : ", ") + column;
        const std::optional<size_t> index = schema_.FieldIndex(column);
        if (!index) return Fail(check, UnknownColumn(column, schema_));
        bound.columns.push_back(*index);
      }
      switch (check.kind) {
        case CheckKind::kRowCount:
          SLUICE_RETURN_NOT_OK(BindRowCount(check, &bound));
          break;
        case CheckKind::kFreshness: {
          const DataType& type = schema_.field(bound.columns[0]).type;
          if (type.id() != TypeId::kTimestamp && type.id() != TypeId::kDate) {
            return Fail(check,
                        "freshness needs a date or timestamp column, not " + type.ToString());
          }
          break;
        }
        case CheckKind::kUnique:
        case CheckKind::kRelationships: {
          const bool unique = check.kind == CheckKind::kUnique;
          const auto& sets = unique ? context_.existing_keys : context_.reference_keys;
          auto it = sets.find(check.name);
          if (!unique && it == sets.end()) return Fail(check, "the referenced keys were not read");
          bound.known = it == sets.end() ? nullptr : &it->second;
          break;
        }
        default:
          SLUICE_RETURN_NOT_OK(BindCondition(check, &bound));
          break;
      }
      checks_.push_back(std::move(bound));
    }
    return Status::OK();
  }

  Status Add(const columnar::Batch& batch, std::vector<int>* quarantine) {
    quarantine->assign(static_cast<size_t>(batch.num_rows()), -1);
    total_rows_ += batch.num_rows();
    for (BoundCheck& check : checks_) {
      switch (table_.checks[check.index].kind) {
        case CheckKind::kRowCount:
          break;
        case CheckKind::kFreshness:
          Freshness(batch, &check);
          break;
        case CheckKind::kUnique:
        case CheckKind::kRelationships:
          Keys(batch, &check, quarantine);
          break;
        default:
          SLUICE_RETURN_NOT_OK(Condition(batch, &check, quarantine));
          break;
      }
    }
    return Status::OK();
  }

  std::vector<CheckResult> Finish() {
    std::vector<CheckResult> results;
    for (BoundCheck& check : checks_) {
      const CheckSpec& spec = table_.checks[check.index];
      CheckResult& result = check.result;
      result.rows_checked = total_rows_;
      switch (spec.kind) {
        case CheckKind::kRowCount:
          result.passed = (!check.low || total_rows_ >= *check.low) &&
                          (!check.high || total_rows_ <= *check.high);
          result.detail = std::to_string(total_rows_) + " rows" +
                          (check.low ? "; at least " + std::to_string(*check.low) : "") +
                          (check.high ? "; at most " + std::to_string(*check.high) : "") +
                          " expected";
          break;
        case CheckKind::kFreshness: {
          const std::optional<int64_t>& newest = check.newest;
          result.passed = newest && context_.now_micros - *newest <= spec.within_ms * 1000;
          const std::string newest_text =
              newest ? "the newest is " +
                           std::to_string((context_.now_micros - *newest) / 3'600'000'000LL) +
                           " hours old"
                     : "no value";
          result.detail = newest_text + "; at most " + std::to_string(spec.within_ms / 3'600'000) +
                          " hours expected";
          break;
        }
        case CheckKind::kUnique:
        case CheckKind::kRelationships:
          result.passed = result.rows_failed == 0;
          result.detail =
              spec.kind == CheckKind::kUnique
                  ? std::to_string(result.rows_failed) + " rows repeat a key"
                  : std::to_string(result.rows_failed) + " keys are not in " + spec.to_table;
          break;
        default:
          result.passed = result.rows_failed == 0;
          result.detail = std::to_string(result.rows_failed) + " of " +
                          std::to_string(total_rows_) + " rows fail";
          break;
      }
      results.push_back(std::move(result));
    }
    checks_.clear();
    return results;
  }

 private:
  Status Fail(const CheckSpec& check, const std::string& message) const {
    return Status::InvalidArgument(config::ConfigError{
        check.mark, "table '" + table_.name + "', check '" + check.name + "': " + message}
                                       .ToString());
  }

  // Row `row` fails `check`; the first quarantine check a row fails sends it away.
  void MarkRow(BoundCheck* check, int64_t row, std::vector<int>* quarantine) const {
    ++check->result.rows_failed;
    int& first = (*quarantine)[static_cast<size_t>(row)];
    if (table_.checks[check->index].severity == Severity::kQuarantine && first < 0) {
      first = static_cast<int>(check->index);
    }
  }

  // row_count: the run's rows within min..max (whole numbers).
  Status BindRowCount(const CheckSpec& check, BoundCheck* bound) const {
    auto whole = [](const std::optional<std::string>& text, std::optional<int64_t>* out) {
      if (!text) return true;
      int64_t value = 0;
      const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
      if (error != std::errc() || end != text->data() + text->size()) return false;
      *out = value;
      return true;
    };
    if (!whole(check.min, &bound->low) || !whole(check.max, &bound->high)) {
      return Fail(check, "row_count takes whole numbers for min and max");
    }
    return Status::OK();
  }

  // freshness: the newest value of a date or timestamp column at most `within` old.
  static void Freshness(const columnar::Batch& batch, BoundCheck* check) {
    const columnar::Column& column = *batch.columns()[check->columns[0]];
    for (int64_t i = 0; i < batch.num_rows(); ++i) {
      const std::optional<int64_t> micros = columnar::MicrosAt(column, i);
      if (micros) check->newest = check->newest ? std::max(*check->newest, *micros) : *micros;
    }
  }

  // unique (within the run and against the table's keys) and relationships (in the referenced
  // table's keys); rows with a null key column are not checked.
  void Keys(const columnar::Batch& batch, BoundCheck* check, std::vector<int>* quarantine) const {
    const bool unique = table_.checks[check->index].kind == CheckKind::kUnique;
    for (int64_t i = 0; i < batch.num_rows(); ++i) {
      bool null = false;
      for (size_t index : check->columns) null |= batch.columns()[index]->IsNull(i);
      if (null) continue;
      std::string key = EncodeKey(batch, check->columns, i);
      const bool bad = unique ? (check->known && check->known->count(key) != 0) ||
                                    !check->seen.insert(std::move(key)).second
                              : check->known->count(key) == 0;
      if (bad) {
        MarkRow(check, i, quarantine);
        Sample(&check->result, batch, check->columns, i);
      }
    }
  }

  // The other kinds: a condition each row must meet (custom checks write it; the rest are
  // conditions of their columns, ConditionOf).
  Status BindCondition(const CheckSpec& check, BoundCheck* bound) const {
    compute::ExprPtr condition;
    config::SourceMark mark = check.mark;
    if (check.kind == CheckKind::kCustom) {
      condition = check.expression.parsed;
      mark = check.expression.mark;
    } else {
      std::vector<DataType> types;
      for (size_t index : bound->columns) types.push_back(schema_.field(index).type);
      const std::string sql = ConditionOf(check, types);
      Result<compute::ExprPtr> parsed = compute::ParseExpression(sql);
      if (!parsed.ok()) return Fail(check, parsed.status().message() + " in " + sql);
      condition = *parsed;
    }
    compute::ExpressionError error;
    Result<compute::BoundExprPtr> bound_condition = compute::Bind(*condition, schema_, &error);
    if (!bound_condition.ok()) {
      if (mark.column > 0 && check.kind == CheckKind::kCustom) mark.column += error.offset;
      return Status::InvalidArgument(config::ConfigError{
          mark, "table '" + table_.name + "', check '" + check.name + "': " + error.message}
                                         .ToString());
    }
    if ((*bound_condition)->type.id() != TypeId::kBool) {
      return Fail(check,
                  "the condition is " + (*bound_condition)->type.ToString() + ", not true/false");
    }
    bound->condition = *bound_condition;
    bound->sample_columns = bound->columns;
    if (bound->sample_columns.empty()) {
      for (const std::string& key : table_.dedupe_key) {
        if (auto index = schema_.FieldIndex(key)) bound->sample_columns.push_back(*index);
      }
      if (bound->sample_columns.empty()) bound->sample_columns.push_back(0);
    }
    return Status::OK();
  }

  // A row whose condition cannot be computed fails.
  Status Condition(const columnar::Batch& batch, BoundCheck* check,
                   std::vector<int>* quarantine) const {
    std::vector<compute::RowError> errors;
    SLUICE_ASSIGN_OR_RETURN(columnar::ColumnPtr column,
                            compute::Evaluate(*check->condition, batch, &errors));
    const auto& passed = static_cast<const columnar::BooleanColumn&>(*column);
    std::vector<bool> errored(static_cast<size_t>(batch.num_rows()), false);
    for (const compute::RowError& row_error : errors) {
      errored[static_cast<size_t>(row_error.row)] = true;
    }
    for (int64_t i = 0; i < batch.num_rows(); ++i) {
      if (errored[static_cast<size_t>(i)] || (passed.IsValid(i) && !passed.Value(i))) {
        MarkRow(check, i, quarantine);
        Sample(&check->result, batch, check->sample_columns, i);
      }
    }
    return Status::OK();
  }

  const SilverTable& table_;
  const columnar::Schema& schema_;
  const CheckContext& context_;
  std::vector<BoundCheck> checks_;
  int64_t total_rows_ = 0;
};

Result<std::unique_ptr<CheckRun>> CheckRun::Start(const SilverTable& table,
                                                  const columnar::Schema& schema,
                                                  const CheckContext& context) {
  std::unique_ptr<CheckRun> run(new CheckRun());
  run->impl_ = std::make_unique<Impl>(table, schema, context);
  SLUICE_RETURN_NOT_OK(run->impl_->Bind());
  return run;
}

CheckRun::~CheckRun() = default;

Status CheckRun::Add(const columnar::Batch& batch, std::vector<int>* quarantine) {
  return impl_->Add(batch, quarantine);
}

std::vector<CheckResult> CheckRun::Finish() { return impl_->Finish(); }

Result<std::vector<CheckResult>> RunChecks(const SilverTable& table,
                                           const std::vector<columnar::BatchPtr>& batches,
                                           const CheckContext& context,
                                           std::vector<std::vector<int>>* quarantine) {
  quarantine->clear();
  if (batches.empty()) return std::vector<CheckResult>();
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<CheckRun> run,
                          CheckRun::Start(table, *batches[0]->schema(), context));
  for (const columnar::BatchPtr& batch : batches) {
    quarantine->emplace_back();
    SLUICE_RETURN_NOT_OK(run->Add(*batch, &quarantine->back()));
  }
  return run->Finish();
}

double QualityScore(const std::vector<CheckResult>& results) {
  if (results.empty()) return 100;
  double sum = 0;
  for (const CheckResult& result : results) {
    const bool row_level =
        result.kind != CheckKind::kRowCount && result.kind != CheckKind::kFreshness;
    if (row_level && result.rows_checked > 0) {
      sum +=
          1.0 - static_cast<double>(result.rows_failed) / static_cast<double>(result.rows_checked);
    } else {
      sum += result.passed ? 1.0 : 0.0;
    }
  }
  return 100.0 * sum / static_cast<double>(results.size());
}

}  // namespace sluice::silver

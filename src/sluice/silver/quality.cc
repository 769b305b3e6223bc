#include "sluice/silver/quality.h"

#include <algorithm>
#include <charconv>

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

// Runs the checks of one table over one run's batches; each kind of check is a stage of its own.
class CheckRunner {
 public:
  CheckRunner(const SilverTable& table, const std::vector<columnar::BatchPtr>& batches,
              const CheckContext& context, std::vector<std::vector<int>>* quarantine)
      : table_(table),
        batches_(batches),
        context_(context),
        quarantine_(quarantine),
        schema_(*batches[0]->schema()) {
    for (const columnar::BatchPtr& batch : batches) total_rows_ += batch->num_rows();
  }

  Result<CheckResult> Run(size_t c) {
    const CheckSpec& check = table_.checks[c];
    CheckResult result;
    result.name = check.name;
    result.kind = check.kind;
    result.severity = check.severity;
    result.rows_checked = total_rows_;
    for (const std::string& column : check.columns) {
      result.columns += (result.columns.empty() ? "" : ", ") + column;
    }
    std::vector<size_t> indices;
    for (const std::string& column : check.columns) {
      const std::optional<size_t> index = schema_.FieldIndex(column);
      if (!index) return Fail(check, UnknownColumn(column, schema_));
      indices.push_back(*index);
    }
    switch (check.kind) {
      case CheckKind::kRowCount:
        SLUICE_RETURN_NOT_OK(RowCount(check, &result));
        break;
      case CheckKind::kFreshness:
        SLUICE_RETURN_NOT_OK(Freshness(check, indices[0], &result));
        break;
      case CheckKind::kUnique:
      case CheckKind::kRelationships:
        SLUICE_RETURN_NOT_OK(Keys(c, indices, &result));
        break;
      default:
        SLUICE_RETURN_NOT_OK(Condition(c, indices, &result));
        break;
    }
    return result;
  }

 private:
  Status Fail(const CheckSpec& check, const std::string& message) const {
    return Status::InvalidArgument(config::ConfigError{
        check.mark, "table '" + table_.name + "', check '" + check.name + "': " + message}
                                       .ToString());
  }

  // Row `row` of batch `b` fails check `c`; the first quarantine check a row fails sends it away.
  void MarkRow(size_t c, size_t b, int64_t row, CheckResult* result) {
    ++result->rows_failed;
    int& first = (*quarantine_)[b][static_cast<size_t>(row)];
    if (table_.checks[c].severity == Severity::kQuarantine && first < 0) {
      first = static_cast<int>(c);
    }
  }

  // row_count: the run's rows within min..max.
  Status RowCount(const CheckSpec& check, CheckResult* result) const {
    int64_t low = 0, high = 0;
    auto whole = [](const std::optional<std::string>& text, int64_t* out) {
      return text &&
             std::from_chars(text->data(), text->data() + text->size(), *out).ec == std::errc();
    };
    const bool has_low = whole(check.min, &low);
    const bool has_high = whole(check.max, &high);
    if ((check.min && !has_low) || (check.max && !has_high)) {
      return Fail(check, "row_count takes whole numbers for min and max");
    }
    result->passed = (!has_low || total_rows_ >= low) && (!has_high || total_rows_ <= high);
    result->detail = std::to_string(total_rows_) + " rows" +
                     (has_low ? "; at least " + std::to_string(low) : "") +
                     (has_high ? "; at most " + std::to_string(high) : "") + " expected";
    return Status::OK();
  }

  // freshness: the newest value of a date or timestamp column at most `within` old.
  Status Freshness(const CheckSpec& check, size_t index, CheckResult* result) const {
    const DataType& type = schema_.field(index).type;
    if (type.id() != TypeId::kTimestamp && type.id() != TypeId::kDate) {
      return Fail(check, "freshness needs a date or timestamp column, not " + type.ToString());
    }
    std::optional<int64_t> newest;
    for (const columnar::BatchPtr& batch : batches_) {
      const columnar::Column& column = *batch->columns()[index];
      for (int64_t i = 0; i < batch->num_rows(); ++i) {
        const std::optional<int64_t> micros = columnar::MicrosAt(column, i);
        if (micros) newest = newest ? std::max(*newest, *micros) : *micros;
      }
    }
    result->passed = newest && context_.now_micros - *newest <= check.within_ms * 1000;
    const std::string newest_text =
        newest
            ? "the newest is " + std::to_string((context_.now_micros - *newest) / 3'600'000'000LL) +
                  " hours old"
            : "no value";
    result->detail = newest_text + "; at most " + std::to_string(check.within_ms / 3'600'000) +
                     " hours expected";
    return Status::OK();
  }

  // unique (within the run and against the table's keys) and relationships (in the referenced
  // table's keys); rows with a null key column are not checked.
  Status Keys(size_t c, const std::vector<size_t>& indices, CheckResult* result) {
    const CheckSpec& check = table_.checks[c];
    const bool unique = check.kind == CheckKind::kUnique;
    const auto& sets = unique ? context_.existing_keys : context_.reference_keys;
    auto it = sets.find(check.name);
    if (!unique && it == sets.end()) return Fail(check, "the referenced keys were not read");
    const std::unordered_set<std::string>* known = it == sets.end() ? nullptr : &it->second;
    std::unordered_set<std::string> seen;
    for (size_t b = 0; b < batches_.size(); ++b) {
      const columnar::Batch& batch = *batches_[b];
      for (int64_t i = 0; i < batch.num_rows(); ++i) {
        bool null = false;
        for (size_t index : indices) null |= batch.columns()[index]->IsNull(i);
        if (null) continue;
        const std::string key = EncodeKey(batch, indices, i);
        const bool bad = unique ? !seen.insert(key).second || (known && known->count(key) != 0)
                                : known->count(key) == 0;
        if (bad) {
          MarkRow(c, b, i, result);
          Sample(result, batch, indices, i);
        }
      }
    }
    result->passed = result->rows_failed == 0;
    result->detail =
        unique ? std::to_string(result->rows_failed) + " rows repeat a key"
               : std::to_string(result->rows_failed) + " keys are not in " + check.to_table;
    return Status::OK();
  }

  // The other kinds: a condition each row must meet (custom checks write it; the rest are
  // conditions of their columns, ConditionOf); a row whose condition cannot be computed fails.
  Status Condition(size_t c, const std::vector<size_t>& indices, CheckResult* result) {
    const CheckSpec& check = table_.checks[c];
    compute::ExprPtr condition;
    config::SourceMark mark = check.mark;
    if (check.kind == CheckKind::kCustom) {
      condition = check.expression.parsed;
      mark = check.expression.mark;
    } else {
      std::vector<DataType> types;
      for (size_t index : indices) types.push_back(schema_.field(index).type);
      const std::string sql = ConditionOf(check, types);
      Result<compute::ExprPtr> parsed = compute::ParseExpression(sql);
      if (!parsed.ok()) return Fail(check, parsed.status().message() + " in " + sql);
      condition = *parsed;
    }
    compute::ExpressionError error;
    Result<compute::BoundExprPtr> bound = compute::Bind(*condition, schema_, &error);
    if (!bound.ok()) {
      if (mark.column > 0 && check.kind == CheckKind::kCustom) mark.column += error.offset;
      return Status::InvalidArgument(config::ConfigError{
          mark, "table '" + table_.name + "', check '" + check.name + "': " + error.message}
                                         .ToString());
    }
    if ((*bound)->type.id() != TypeId::kBool) {
      return Fail(check, "the condition is " + (*bound)->type.ToString() + ", not true/false");
    }
    std::vector<size_t> sample_columns = indices;
    if (sample_columns.empty()) {
      for (const std::string& key : table_.dedupe_key) {
        if (auto index = schema_.FieldIndex(key)) sample_columns.push_back(*index);
      }
      if (sample_columns.empty()) sample_columns.push_back(0);
    }
    for (size_t b = 0; b < batches_.size(); ++b) {
      std::vector<compute::RowError> errors;
      SLUICE_ASSIGN_OR_RETURN(columnar::ColumnPtr column,
                              compute::Evaluate(**bound, *batches_[b], &errors));
      const auto& passed = static_cast<const columnar::BooleanColumn&>(*column);
      std::vector<bool> errored(static_cast<size_t>(batches_[b]->num_rows()), false);
      for (const compute::RowError& row_error : errors) {
        errored[static_cast<size_t>(row_error.row)] = true;
      }
      for (int64_t i = 0; i < batches_[b]->num_rows(); ++i) {
        if (errored[static_cast<size_t>(i)] || (passed.IsValid(i) && !passed.Value(i))) {
          MarkRow(c, b, i, result);
          Sample(result, *batches_[b], sample_columns, i);
        }
      }
    }
    result->passed = result->rows_failed == 0;
    result->detail =
        std::to_string(result->rows_failed) + " of " + std::to_string(total_rows_) + " rows fail";
    return Status::OK();
  }

  const SilverTable& table_;
  const std::vector<columnar::BatchPtr>& batches_;
  const CheckContext& context_;
  std::vector<std::vector<int>>* quarantine_;
  const columnar::Schema& schema_;
  int64_t total_rows_ = 0;
};

}  // namespace

Result<std::vector<CheckResult>> RunChecks(const SilverTable& table,
                                           const std::vector<columnar::BatchPtr>& batches,
                                           const CheckContext& context,
                                           std::vector<std::vector<int>>* quarantine) {
  quarantine->clear();
  for (const columnar::BatchPtr& batch : batches) {
    quarantine->emplace_back(static_cast<size_t>(batch->num_rows()), -1);
  }
  std::vector<CheckResult> results;
  if (batches.empty()) return results;
  CheckRunner runner(table, batches, context, quarantine);
  for (size_t c = 0; c < table.checks.size(); ++c) {
    SLUICE_ASSIGN_OR_RETURN(CheckResult result, runner.Run(c));
    results.push_back(std::move(result));
  }
  return results;
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

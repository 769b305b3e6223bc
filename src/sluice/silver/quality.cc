#include "sluice/silver/quality.h"

#include <algorithm>
#include <charconv>

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
  const columnar::Schema& schema = *batches[0]->schema();
  int64_t total_rows = 0;
  for (const columnar::BatchPtr& batch : batches) total_rows += batch->num_rows();
  for (size_t c = 0; c < table.checks.size(); ++c) {
    const CheckSpec& check = table.checks[c];
    CheckResult result;
    result.name = check.name;
    result.kind = check.kind;
    result.severity = check.severity;
    for (const std::string& column : check.columns) {
      result.columns += (result.columns.empty() ? "" : ", ") + column;
    }
    auto fail = [&](const std::string& message) {
      return Status::InvalidArgument(config::ConfigError{
          check.mark, "table '" + table.name + "', check '" + check.name + "': " + message}
                                         .ToString());
    };
    std::vector<size_t> indices;
    std::vector<DataType> types;
    for (const std::string& column : check.columns) {
      const std::optional<size_t> index = schema.FieldIndex(column);
      if (!index) return fail(UnknownColumn(column, schema));
      indices.push_back(*index);
      types.push_back(schema.field(*index).type);
    }
    auto mark_row = [&](size_t b, int64_t row) {
      ++result.rows_failed;
      if (check.severity == Severity::kQuarantine && (*quarantine)[b][row] < 0) {
        (*quarantine)[b][row] = static_cast<int>(c);
      }
    };
    result.rows_checked = total_rows;
    if (check.kind == CheckKind::kRowCount) {
      int64_t low = 0, high = 0;
      const bool has_low =
          check.min &&
          std::from_chars(check.min->data(), check.min->data() + check.min->size(), low).ec ==
              std::errc();
      const bool has_high =
          check.max &&
          std::from_chars(check.max->data(), check.max->data() + check.max->size(), high).ec ==
              std::errc();
      if ((check.min && !has_low) || (check.max && !has_high)) {
        return fail("row_count takes whole numbers for min and max");
      }
      result.passed = (!has_low || total_rows >= low) && (!has_high || total_rows <= high);
      result.detail = std::to_string(total_rows) + " rows" +
                      (has_low ? "; at least " + std::to_string(low) : "") +
                      (has_high ? "; at most " + std::to_string(high) : "") + " expected";
      results.push_back(std::move(result));
      continue;
    }
    if (check.kind == CheckKind::kFreshness) {
      const DataType& type = schema.field(indices[0]).type;
      if (type.id() != TypeId::kTimestamp && type.id() != TypeId::kDate) {
        return fail("freshness needs a date or timestamp column, not " + type.ToString());
      }
      int64_t newest = 0;
      bool any = false;
      for (const columnar::BatchPtr& batch : batches) {
        const columnar::Column& column = *batch->columns()[indices[0]];
        for (int64_t i = 0; i < batch->num_rows(); ++i) {
          if (column.IsNull(i)) continue;
          const int64_t micros =
              type.id() == TypeId::kDate
                  ? int64_t{static_cast<const columnar::Int32Column&>(column).Value(i)} *
                        86'400'000'000LL
                  : static_cast<const columnar::Int64Column&>(column).Value(i);
          newest = any ? std::max(newest, micros) : micros;
          any = true;
        }
      }
      result.passed = any && context.now_micros - newest <= check.within_ms * 1000;
      std::string newest_text = "no value";
      if (any) {
        newest_text = "the newest is " +
                      std::to_string((context.now_micros - newest) / 3'600'000'000LL) +
                      " hours old";
      }
      result.detail = newest_text + "; at most " + std::to_string(check.within_ms / 3'600'000) +
                      " hours expected";
      results.push_back(std::move(result));
      continue;
    }
    if (check.kind == CheckKind::kUnique || check.kind == CheckKind::kRelationships) {
      std::unordered_set<std::string> seen;
      const std::unordered_set<std::string>* known = nullptr;
      if (check.kind == CheckKind::kUnique) {
        auto it = context.existing_keys.find(check.name);
        if (it != context.existing_keys.end()) known = &it->second;
      } else {
        auto it = context.reference_keys.find(check.name);
        if (it == context.reference_keys.end()) return fail("the referenced keys were not read");
        known = &it->second;
      }
      for (size_t b = 0; b < batches.size(); ++b) {
        const columnar::Batch& batch = *batches[b];
        for (int64_t i = 0; i < batch.num_rows(); ++i) {
          bool null = false;
          for (size_t index : indices) null |= batch.columns()[index]->IsNull(i);
          if (null) continue;
          const std::string key = EncodeKey(batch, indices, i);
          const bool bad = check.kind == CheckKind::kUnique
                               ? !seen.insert(key).second || (known && known->count(key) != 0)
                               : known->count(key) == 0;
          if (bad) {
            mark_row(b, i);
            Sample(&result, batch, indices, i);
          }
        }
      }
      result.passed = result.rows_failed == 0;
      result.detail =
          check.kind == CheckKind::kUnique
              ? std::to_string(result.rows_failed) + " rows repeat a key"
              : std::to_string(result.rows_failed) + " keys are not in " + check.to_table;
      results.push_back(std::move(result));
      continue;
    }
    // Expression-based checks.
    compute::ExprPtr condition;
    config::SourceMark mark = check.mark;
    if (check.kind == CheckKind::kCustom) {
      condition = check.expression.parsed;
      mark = check.expression.mark;
    } else {
      const std::string sql = ConditionOf(check, types);
      Result<compute::ExprPtr> parsed = compute::ParseExpression(sql);
      if (!parsed.ok()) return fail(parsed.status().message() + " in " + sql);
      condition = *parsed;
    }
    compute::ExpressionError error;
    Result<compute::BoundExprPtr> bound = compute::Bind(*condition, schema, &error);
    if (!bound.ok()) {
      if (mark.column > 0 && check.kind == CheckKind::kCustom) mark.column += error.offset;
      return Status::InvalidArgument(config::ConfigError{
          mark, "table '" + table.name + "', check '" + check.name + "': " + error.message}
                                         .ToString());
    }
    if ((*bound)->type.id() != TypeId::kBool) {
      return fail("the condition is " + (*bound)->type.ToString() + ", not true/false");
    }
    std::vector<size_t> sample_columns = indices;
    if (sample_columns.empty()) {
      for (const std::string& key : table.dedupe_key) {
        if (auto index = schema.FieldIndex(key)) sample_columns.push_back(*index);
      }
      if (sample_columns.empty()) sample_columns.push_back(0);
    }
    for (size_t b = 0; b < batches.size(); ++b) {
      std::vector<compute::RowError> errors;
      SLUICE_ASSIGN_OR_RETURN(columnar::ColumnPtr column,
                              compute::Evaluate(**bound, *batches[b], &errors));
      const auto& passed = static_cast<const columnar::BooleanColumn&>(*column);
      std::vector<bool> errored(static_cast<size_t>(batches[b]->num_rows()), false);
      for (const compute::RowError& row_error : errors) {
        errored[static_cast<size_t>(row_error.row)] = true;
      }
      for (int64_t i = 0; i < batches[b]->num_rows(); ++i) {
        if (errored[static_cast<size_t>(i)] || (passed.IsValid(i) && !passed.Value(i))) {
          mark_row(b, i);
          Sample(&result, *batches[b], sample_columns, i);
        }
      }
    }
    result.passed = result.rows_failed == 0;
    result.detail =
        std::to_string(result.rows_failed) + " of " + std::to_string(total_rows) + " rows fail";
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

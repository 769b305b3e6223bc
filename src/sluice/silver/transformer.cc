#include "sluice/silver/transformer.h"

#include <algorithm>

#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/take.h"
#include "sluice/columnar/value_formatter.h"
#include "sluice/compute/expression_parser.h"

namespace sluice::silver {

using columnar::ColumnPtr;
using columnar::DataType;
using columnar::Field;
using columnar::TypeId;

struct Transformer::Step {
  enum Kind { kProject, kTrim, kEvaluate, kNullRule, kFilter, kLookup } kind = kProject;
  std::vector<size_t> sources;  // kProject: input index per output column; kLookup: key columns
  std::vector<Field> fields;    // kProject: the output fields
  int target = -1;              // kEvaluate, kNullRule: the column (-1: a new one at the end)
  Field field;                  // kEvaluate: the result's field
  std::string reject_kind;      // kEvaluate: "cast" or "expression"
  compute::BoundExprPtr bound;  // kEvaluate, kFilter
  NullAction action = NullAction::kFail;
};

Transformer::~Transformer() = default;

namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// Whether trim / empty_as_null would change any value of the column.
bool NeedsTrim(const columnar::StringColumn& text, bool trim, bool empty_as_null) {
  for (int64_t i = 0; i < text.length(); ++i) {
    if (text.IsNull(i)) continue;
    const std::string_view value = text.Value(i);
    if (value.empty() ? empty_as_null : trim && (IsBlank(value.front()) || IsBlank(value.back()))) {
      return true;
    }
  }
  return false;
}

compute::ExprPtr ColumnExpr(const std::string& name) {
  auto expr = std::make_shared<compute::Expr>();
  expr->kind = compute::ExprKind::kColumn;
  expr->name = name;
  return expr;
}

}  // namespace

// The steps of a table, planned in the order they run (docs/silver.md): one projection (audit
// columns, naming, rename, select/exclude), trim, casts, derived columns, null rules, filters,
// the lookup. `fields_` is the schema after the steps planned so far.
class Transformer::Planner {
 public:
  Planner(const SilverTable& table, const LookupData* lookup, std::vector<Field> fields)
      : table_(table), lookup_(lookup), fields_(std::move(fields)) {}

  Status PlanAll() {
    SLUICE_RETURN_NOT_OK(Project());
    if (table_.trim || table_.empty_as_null) Add(Step::kTrim);
    SLUICE_RETURN_NOT_OK(CastsAndDerives());
    SLUICE_RETURN_NOT_OK(NullRules());
    SLUICE_RETURN_NOT_OK(Filters());
    return Lookup();
  }

  std::vector<std::unique_ptr<Step>> TakeSteps() { return std::move(steps_); }
  columnar::SchemaPtr Schema() const { return std::make_shared<const columnar::Schema>(fields_); }

 private:
  [[nodiscard]] Status Fail(const config::SourceMark& mark, const std::string& message) const {
    return Status::InvalidArgument(
        config::ConfigError{mark, "table '" + table_.name + "': " + message}.ToString());
  }

  Result<size_t> Find(const std::string& name, const config::SourceMark& mark,
                      const std::string& what) const {
    std::vector<std::string> names;
    for (size_t i = 0; i < fields_.size(); ++i) {
      if (fields_[i].name == name) return i;
      names.push_back(fields_[i].name);
    }
    std::string message = what + ": no column '" + name + "'";
    if (const std::string* near = config::ClosestName(name, names)) {
      message += "; did you mean '" + *near + "'?";
    }
    return Fail(mark, message);
  }

  Result<compute::BoundExprPtr> Bind(const compute::Expr& expr, const config::SourceMark& mark,
                                     const std::string& what) const {
    compute::ExpressionError error;
    Result<compute::BoundExprPtr> bound = compute::Bind(expr, *Schema(), &error);
    if (!bound.ok()) {
      config::SourceMark at = mark;
      if (at.column > 0) at.column += error.offset;
      return Fail(at, what + ": " + error.message);
    }
    return bound;
  }

  Step* Add(Step::Kind kind) {
    steps_.push_back(std::make_unique<Step>());
    steps_.back()->kind = kind;
    return steps_.back().get();
  }

  // One projection for audit columns, naming, rename, select and exclude.
  Status Project() {
    Step* step = Add(Step::kProject);
    for (size_t i = 0; i < fields_.size(); ++i) {
      Field field = fields_[i];
      if (!table_.keep_audit_columns && field.name.starts_with("_sluice_")) continue;
      if (table_.snake_case) field.name = SnakeCase(field.name);
      step->sources.push_back(i);
      step->fields.push_back(field);
    }
    fields_ = step->fields;
    for (const auto& [from, to] : table_.rename) {
      SLUICE_ASSIGN_OR_RETURN(size_t index, Find(from, table_.mark, "rename"));
      step->fields[index].name = to;
      fields_[index].name = to;
    }
    if (!table_.select.empty() || !table_.exclude.empty()) {
      SLUICE_ASSIGN_OR_RETURN(std::vector<size_t> keep, Kept());
      std::vector<size_t> sources;
      std::vector<Field> fields;
      for (size_t index : keep) {
        sources.push_back(step->sources[index]);
        fields.push_back(step->fields[index]);
      }
      step->sources = std::move(sources);
      step->fields = std::move(fields);
      fields_ = step->fields;
    }
    std::vector<std::string> seen;
    for (const Field& field : fields_) {
      if (std::find(seen.begin(), seen.end(), field.name) != seen.end()) {
        return Fail(table_.mark, "two columns are named '" + field.name +
                                     "' (after naming and rename); rename or exclude one");
      }
      seen.push_back(field.name);
    }
    return Status::OK();
  }

  // The columns select keeps, or those exclude does not drop.
  Result<std::vector<size_t>> Kept() const {
    std::vector<size_t> keep;
    if (!table_.select.empty()) {
      for (const std::string& name : table_.select) {
        SLUICE_ASSIGN_OR_RETURN(size_t index, Find(name, table_.mark, "select"));
        keep.push_back(index);
      }
      return keep;
    }
    std::vector<bool> excluded(fields_.size(), false);
    for (const std::string& name : table_.exclude) {
      SLUICE_ASSIGN_OR_RETURN(size_t index, Find(name, table_.mark, "exclude"));
      excluded[index] = true;
    }
    for (size_t i = 0; i < fields_.size(); ++i) {
      if (!excluded[i]) keep.push_back(i);
    }
    return keep;
  }

  // A column computed by `bound`: replaces the column `name`, or is added at the end.
  void Evaluate(const std::string& name, compute::BoundExprPtr bound, const std::string& kind) {
    Step* step = Add(Step::kEvaluate);
    step->field = Field{name, bound->type, true};
    step->reject_kind = kind;
    step->bound = std::move(bound);
    step->target = -1;
    for (size_t i = 0; i < fields_.size(); ++i) {
      if (fields_[i].name == name) step->target = static_cast<int>(i);
    }
    if (step->target < 0) {
      fields_.push_back(step->field);
    } else {
      fields_[static_cast<size_t>(step->target)] = step->field;
    }
  }

  Status CastsAndDerives() {
    for (const auto& [name, type] : table_.cast) {
      SLUICE_RETURN_NOT_OK(Find(name, table_.mark, "cast").status());
      auto cast = std::make_shared<compute::Expr>();
      cast->kind = compute::ExprKind::kCast;
      cast->args = {ColumnExpr(name)};
      cast->cast_type = type;
      SLUICE_ASSIGN_OR_RETURN(compute::BoundExprPtr bound,
                              Bind(*cast, table_.mark, "cast of '" + name + "'"));
      Evaluate(name, bound, "cast");
    }
    for (const auto& [name, written] : table_.derive) {
      SLUICE_ASSIGN_OR_RETURN(compute::BoundExprPtr bound,
                              Bind(*written.parsed, written.mark, "derived column '" + name + "'"));
      Evaluate(name, bound, "expression");
    }
    return Status::OK();
  }

  // drop/quarantine/fail steps; a default is coalesce(column, default) of the column's type.
  Status NullRules() {
    for (const NullRule& rule : table_.nulls) {
      SLUICE_ASSIGN_OR_RETURN(size_t index, Find(rule.column, rule.mark, "null rule"));
      if (rule.action != NullAction::kDefault) {
        Step* step = Add(Step::kNullRule);
        step->target = static_cast<int>(index);
        step->action = rule.action;
        continue;
      }
      auto coalesce = std::make_shared<compute::Expr>();
      coalesce->kind = compute::ExprKind::kFunction;
      coalesce->name = "coalesce";
      coalesce->args = {ColumnExpr(rule.column), rule.default_value.parsed};
      SLUICE_ASSIGN_OR_RETURN(
          compute::BoundExprPtr bound,
          Bind(*coalesce, rule.default_value.mark, "the default of '" + rule.column + "'"));
      if (!(bound->type == fields_[index].type)) {
        return Fail(rule.default_value.mark, "the default of '" + rule.column + "' is " +
                                                 bound->type.ToString() + " but the column is " +
                                                 fields_[index].type.ToString());
      }
      Evaluate(rule.column, bound, "expression");
    }
    return Status::OK();
  }

  Status Filters() {
    for (const WrittenExpression& filter : table_.filters) {
      SLUICE_ASSIGN_OR_RETURN(compute::BoundExprPtr bound,
                              Bind(*filter.parsed, filter.mark, "filter"));
      if (bound->type.id() != TypeId::kBool) {
        return Fail(filter.mark,
                    "filter: the condition is " + bound->type.ToString() + ", not true/false");
      }
      Add(Step::kFilter)->bound = bound;
    }
    return Status::OK();
  }

  // The looked-up columns, added at the end (none may clash with the table's).
  Status Lookup() {
    if (!table_.lookup || lookup_ == nullptr) return Status::OK();
    Step* step = Add(Step::kLookup);
    for (const std::string& key : table_.lookup->on) {
      SLUICE_ASSIGN_OR_RETURN(size_t index, Find(key, table_.lookup->mark, "lookup key"));
      step->sources.push_back(index);
    }
    for (const Field& field : lookup_->rows->schema()->fields()) {
      for (const Field& existing : fields_) {
        if (existing.name == field.name) {
          return Fail(table_.lookup->mark, "lookup: the table already has a column '" + field.name +
                                               "'; rename it first");
        }
      }
      fields_.push_back(Field{field.name, field.type, true});
    }
    return Status::OK();
  }

  const SilverTable& table_;
  const LookupData* lookup_;
  std::vector<Field> fields_;
  std::vector<std::unique_ptr<Step>> steps_;
};

Result<std::unique_ptr<Transformer>> Transformer::Create(const SilverTable& table,
                                                         columnar::SchemaPtr input_schema,
                                                         const LookupData* lookup) {
  Planner planner(table, lookup, input_schema->fields());
  SLUICE_RETURN_NOT_OK(planner.PlanAll());
  std::unique_ptr<Transformer> transformer(new Transformer());
  transformer->table_ = &table;
  transformer->lookup_ = lookup;
  transformer->steps_ = planner.TakeSteps();
  transformer->output_schema_ = planner.Schema();
  return transformer;
}

Result<columnar::BatchPtr> Transformer::Apply(const columnar::Batch& batch,
                                              std::vector<RowReject>* rejects,
                                              TransformCounts* counts) const {
  const int64_t rows = batch.num_rows();
  enum : uint8_t { kKeep = 0, kRejected = 1, kDropped = 2 };
  std::vector<uint8_t> state(static_cast<size_t>(rows), kKeep);
  std::vector<Field> fields = batch.schema()->fields();
  std::vector<ColumnPtr> columns = batch.columns();
  auto reject = [&](int64_t row, const std::string& column, const std::string& kind,
                    std::string message) {
    if (state[static_cast<size_t>(row)] != kKeep) return;
    state[static_cast<size_t>(row)] = kRejected;
    rejects->push_back({row, column, kind, std::move(message), RowAsJson(batch, row)});
  };
  auto working = [&]() {
    return columnar::Batch(std::make_shared<const columnar::Schema>(fields), columns, rows);
  };
  for (const std::unique_ptr<Step>& step : steps_) {
    switch (step->kind) {
      case Step::kProject: {
        std::vector<ColumnPtr> projected;
        for (size_t source : step->sources) projected.push_back(columns[source]);
        columns = std::move(projected);
        fields = step->fields;
        break;
      }
      case Step::kTrim:
        for (size_t c = 0; c < columns.size(); ++c) {
          if (fields[c].type.id() != TypeId::kString) continue;
          const auto& text = static_cast<const columnar::StringColumn&>(*columns[c]);
          if (!NeedsTrim(text, table_->trim, table_->empty_as_null)) continue;  // kept as is
          columnar::StringBuilder builder;
          for (int64_t i = 0; i < rows; ++i) {
            if (text.IsNull(i)) {
              builder.AppendNull();
              continue;
            }
            std::string_view value = text.Value(i);
            if (table_->trim) {
              while (!value.empty() && IsBlank(value.front())) value.remove_prefix(1);
              while (!value.empty() && IsBlank(value.back())) value.remove_suffix(1);
            }
            if (table_->empty_as_null && value.empty()) {
              builder.AppendNull();
            } else {
              builder.Append(value);
            }
          }
          columns[c] = builder.Finish();
        }
        break;
      case Step::kEvaluate: {
        std::vector<compute::RowError> errors;
        const columnar::Batch current = working();
        SLUICE_ASSIGN_OR_RETURN(ColumnPtr result,
                                compute::Evaluate(*step->bound, current, &errors));
        for (compute::RowError& error : errors) {
          std::string message = std::move(error.message);
          if (step->reject_kind == "cast") {
            if (const size_t at = message.rfind(" at column "); at != std::string::npos) {
              message.resize(at);
            }
          }
          reject(error.row, step->field.name, step->reject_kind, step->field.name + ": " + message);
        }
        if (step->target < 0) {
          fields.push_back(step->field);
          columns.push_back(std::move(result));
        } else {
          fields[static_cast<size_t>(step->target)] = step->field;
          columns[static_cast<size_t>(step->target)] = std::move(result);
        }
        break;
      }
      case Step::kNullRule: {
        const auto target = static_cast<size_t>(step->target);
        const ColumnPtr& column = columns[target];
        if (column->null_count() == 0) break;
        for (int64_t i = 0; i < rows; ++i) {
          if (!column->IsNull(i) || state[static_cast<size_t>(i)] != kKeep) continue;
          if (step->action == NullAction::kDrop) {
            state[static_cast<size_t>(i)] = kDropped;
            ++counts->null_dropped;
          } else if (step->action == NullAction::kQuarantine) {
            reject(i, fields[target].name, "null_rule", fields[target].name + " is null");
          } else {
            return Status::DataError(fields[target].name +
                                     " is null (null rule: fail) in the row " +
                                     RowAsJson(working(), i));
          }
        }
        break;
      }
      case Step::kFilter: {
        std::vector<compute::RowError> errors;
        const columnar::Batch current = working();
        SLUICE_ASSIGN_OR_RETURN(ColumnPtr result,
                                compute::Evaluate(*step->bound, current, &errors));
        for (compute::RowError& error : errors) {
          reject(error.row, "", "expression", "filter: " + error.message);
        }
        const auto& keep = static_cast<const columnar::BooleanColumn&>(*result);
        for (int64_t i = 0; i < rows; ++i) {
          if (state[static_cast<size_t>(i)] != kKeep) continue;
          if (keep.IsNull(i) || !keep.Value(i)) {
            state[static_cast<size_t>(i)] = kDropped;
            ++counts->filtered;
          }
        }
        break;
      }
      case Step::kLookup: {
        const columnar::Batch current = working();
        std::vector<int64_t> matches(static_cast<size_t>(rows), -1);
        for (int64_t i = 0; i < rows; ++i) {
          auto found = lookup_->index.find(EncodeKey(current, step->sources, i));
          if (found != lookup_->index.end()) matches[static_cast<size_t>(i)] = found->second;
        }
        // Rows without a match take the lookup's last row, which is all nulls.
        const columnar::Batch& table = *lookup_->rows;
        for (int64_t& match : matches) {
          if (match < 0) match = table.num_rows() - 1;
        }
        for (size_t c = 0; c < table.columns().size(); ++c) {
          fields.push_back(Field{table.schema()->field(c).name, table.columns()[c]->type(), true});
          columns.push_back(columnar::TakeRows(*table.columns()[c], matches));
        }
        break;
      }
    }
  }
  std::vector<int64_t> kept;
  kept.reserve(static_cast<size_t>(rows));
  for (int64_t i = 0; i < rows; ++i) {
    if (state[static_cast<size_t>(i)] == kKeep) kept.push_back(i);
  }
  const columnar::Batch result(output_schema_, std::move(columns), rows);
  if (static_cast<int64_t>(kept.size()) == rows) {
    return std::make_shared<const columnar::Batch>(result);
  }
  return columnar::TakeRows(result, kept);
}

}  // namespace sluice::silver

// Aggregate (aggregate.h) as an Aggregator: the derived columns bound once, then batch by batch
// each row's group and every measure's running state (Fold), then the groups in value order
// (Finish).
#include "sluice/gold/aggregate.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/decimal.h"
#include "sluice/columnar/take.h"
#include "sluice/columnar/value_formatter.h"
#include "sluice/common/ascii.h"
#include "sluice/compute/expression_evaluator.h"
#include "sluice/compute/row_key.h"
#include "sluice/config/config_spec.h"

namespace sluice::gold {
namespace {

using columnar::BatchPtr;
using columnar::Column;
using columnar::ColumnPtr;
using columnar::DataType;
using columnar::Field;
using columnar::SchemaPtr;
using columnar::TypeId;

// Orders two values of the same column type (nulls first).
int CompareValues(const Column& a, int64_t i, const Column& b, int64_t j) {
  const bool an = a.IsNull(i);
  const bool bn = b.IsNull(j);
  if (an || bn) return an == bn ? 0 : (an ? -1 : 1);
  auto cmp = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
  switch (a.type().id()) {
    case TypeId::kBool:
      return cmp(static_cast<const columnar::BooleanColumn&>(a).Value(i),
                 static_cast<const columnar::BooleanColumn&>(b).Value(j));
    case TypeId::kInt32:
    case TypeId::kDate:
      return cmp(static_cast<const columnar::Int32Column&>(a).Value(i),
                 static_cast<const columnar::Int32Column&>(b).Value(j));
    case TypeId::kInt64:
    case TypeId::kTime:
    case TypeId::kTimestamp:
      return cmp(static_cast<const columnar::Int64Column&>(a).Value(i),
                 static_cast<const columnar::Int64Column&>(b).Value(j));
    case TypeId::kFloat64:
      return cmp(static_cast<const columnar::Float64Column&>(a).Value(i),
                 static_cast<const columnar::Float64Column&>(b).Value(j));
    case TypeId::kDecimal:
      return cmp(static_cast<const columnar::DecimalColumn&>(a).Value(i),
                 static_cast<const columnar::DecimalColumn&>(b).Value(j));
    default:
      return cmp(static_cast<const columnar::StringColumn&>(a).Value(i),
                 static_cast<const columnar::StringColumn&>(b).Value(j));
  }
}

double NumberAt(const Column& column, int64_t row) {
  switch (column.type().id()) {
    case TypeId::kInt32:
      return static_cast<const columnar::Int32Column&>(column).Value(row);
    case TypeId::kInt64:
      return static_cast<double>(static_cast<const columnar::Int64Column&>(column).Value(row));
    case TypeId::kFloat64:
      return static_cast<const columnar::Float64Column&>(column).Value(row);
    case TypeId::kDecimal:
      return static_cast<double>(static_cast<const columnar::DecimalColumn&>(column).Value(row)) /
             std::pow(10.0, column.type().scale());
    default:
      return 0;
  }
}

bool IsNumeric(TypeId id) {
  return id == TypeId::kInt32 || id == TypeId::kInt64 || id == TypeId::kFloat64 ||
         id == TypeId::kDecimal;
}

// The rows of `column` at `rows`, a null where a row is -1.
ColumnPtr TakeOrNull(const Column& column, const std::vector<int64_t>& rows) {
  const auto n = static_cast<int64_t>(rows.size());
  if (column.length() == 0) return columnar::MakeNullColumn(column.type(), n);
  std::vector<int64_t> at;
  bool any_null = false;
  for (int64_t row : rows) {
    at.push_back(std::max<int64_t>(row, 0));
    any_null |= row < 0;
  }
  ColumnPtr taken = columnar::TakeRows(column, at);
  if (!any_null) return taken;
  // One null after the taken values, and the empty groups pointed at it.
  const SchemaPtr one = std::make_shared<const columnar::Schema>(
      std::vector<Field>{Field{"value", column.type(), true}});
  const BatchPtr with_null = columnar::ConcatBatches(
      one, {std::make_shared<const columnar::Batch>(one, std::vector<ColumnPtr>{taken}, n),
            std::make_shared<const columnar::Batch>(
                one, std::vector<ColumnPtr>{columnar::MakeNullColumn(column.type(), 1)}, 1)});
  for (int64_t k = 0; k < n; ++k)
    at[static_cast<size_t>(k)] = rows[static_cast<size_t>(k)] < 0 ? n : k;
  return columnar::TakeRows(*with_null->columns()[0], at);
}

// `a` then `b` (same type) as one column.
ColumnPtr ConcatColumns(const ColumnPtr& a, const ColumnPtr& b) {
  const SchemaPtr one =
      std::make_shared<const columnar::Schema>(std::vector<Field>{Field{"value", a->type(), true}});
  const BatchPtr both = columnar::ConcatBatches(
      one, {std::make_shared<const columnar::Batch>(one, std::vector<ColumnPtr>{a}, a->length()),
            std::make_shared<const columnar::Batch>(one, std::vector<ColumnPtr>{b}, b->length())});
  return both->columns()[0];
}

// One measure's running state over the groups seen so far (indexed by group id).
struct MeasureState {
  const Measure* measure = nullptr;
  std::optional<size_t> column;  // in the derived schema; none for count(*)
  std::vector<int64_t> counts;   // rows (count), values (sum, avg)
  std::vector<std::unordered_set<std::string>> distinct;
  std::vector<std::unordered_set<int64_t>> distinct_integers;  // of integer and temporal columns
  std::vector<double> doubles;                                 // float64 sums, avg
  std::vector<columnar::Int128> decimals;                      // decimal sums
  std::vector<int64_t> integers;                               // integer sums
  ColumnPtr best;  // min/max: per group, null while none
};

}  // namespace

// Stage 1 binds the derived columns once; Add evaluates them, gives each row its group (new groups
// keep their first row's group values) and folds the rows into every measure's state.
struct Aggregator::State {
  const GoldModel* model = nullptr;
  SchemaPtr input_schema;
  std::vector<compute::BoundExprPtr> derive;  // in order, each seeing the ones before
  SchemaPtr schema;                           // input + derived columns
  std::vector<size_t> group;
  SchemaPtr group_schema;
  std::unordered_map<std::string, int64_t> ids;
  std::vector<BatchPtr> group_rows;  // the group values of groups 0.. in id order
  int64_t groups = 0;
  std::vector<MeasureState> measures;
  int64_t rows = 0;
};

Aggregator::Aggregator() : state_(std::make_unique<State>()) {}
Aggregator::~Aggregator() = default;

Result<std::unique_ptr<Aggregator>> Aggregator::Make(const GoldModel& model,
                                                     const SchemaPtr& input_schema) {
  std::unique_ptr<Aggregator> aggregator(new Aggregator());
  State& state = *aggregator->state_;
  state.model = &model;
  state.input_schema = input_schema;
  const AggregateSpec& spec = model.aggregate;
  SchemaPtr schema = input_schema;
  for (const auto& [name, written] : spec.derive) {
    compute::ExpressionError error;
    Result<compute::BoundExprPtr> bound = compute::Bind(*written.parsed, *schema, &error);
    if (!bound.ok()) {
      config::SourceMark mark = written.mark;
      mark.column += error.offset;
      return Status::InvalidArgument(config::ConfigError{
          mark, "table '" + model.name + "', derived column '" + name + "': " + error.message}
                                         .ToString());
    }
    std::vector<Field> fields = schema->fields();
    fields.push_back(Field{name, (*bound)->type, true});
    schema = std::make_shared<const columnar::Schema>(std::move(fields));
    state.derive.push_back(*bound);
  }
  state.schema = schema;
  std::vector<Field> group_fields;
  for (const std::string& column : spec.group_by) {
    auto index = schema->FieldIndex(column);
    if (!index) return MissingColumnError(model, "group_by column", column, *schema, spec.from);
    state.group.push_back(*index);
    group_fields.push_back(schema->field(*index));
  }
  state.group_schema = std::make_shared<const columnar::Schema>(std::move(group_fields));
  if (state.group.empty()) state.groups = 1;  // one row, also over no rows
  for (const Measure& measure : spec.measures) {
    MeasureState ms;
    ms.measure = &measure;
    if (!measure.column.empty()) {
      auto index = schema->FieldIndex(measure.column);
      if (!index) {
        return MissingColumnError(model, "measure '" + measure.name + "': column", measure.column,
                                  *schema, spec.from);
      }
      ms.column = *index;
      const DataType& type = schema->field(*index).type;
      const bool summed = measure.function == AggregateFunction::kSum ||
                          measure.function == AggregateFunction::kAvg;
      if (summed && !IsNumeric(type.id())) {
        return ModelError(model, "measure '" + measure.name +
                                     "': " + std::string(AggregateFunctionName(measure.function)) +
                                     " needs a number, but '" + measure.column + "' is " +
                                     type.ToString());
      }
      if (measure.function == AggregateFunction::kMin ||
          measure.function == AggregateFunction::kMax) {
        ms.best = columnar::MakeNullColumn(type, 0);
      }
    }
    state.measures.push_back(std::move(ms));
  }
  return aggregator;
}

namespace {

// Folds one batch's rows (their groups in `group_of`) into a measure's state; `groups`: how many
// groups there are now.
Status Fold(const GoldModel& model, const columnar::Batch& batch,
            const std::vector<int64_t>& group_of, int64_t groups, MeasureState* state) {
  const Measure& measure = *state->measure;
  const auto n = static_cast<size_t>(groups);
  const Column* column = state->column ? batch.columns()[*state->column].get() : nullptr;
  const int64_t rows = batch.num_rows();
  auto group_at = [&](int64_t i) { return static_cast<size_t>(group_of[static_cast<size_t>(i)]); };
  switch (measure.function) {
    case AggregateFunction::kCount:
    case AggregateFunction::kCountDistinct: {
      const bool distinct = measure.function == AggregateFunction::kCountDistinct;
      state->counts.resize(n, 0);
      if (distinct) {
        state->distinct.resize(n);
        state->distinct_integers.resize(n);
      }
      const TypeId id = column != nullptr ? column->type().id() : TypeId::kInt64;
      const bool wide = id == TypeId::kInt64 || id == TypeId::kTime || id == TypeId::kTimestamp;
      const bool narrow = id == TypeId::kInt32 || id == TypeId::kDate;
      for (int64_t i = 0; i < rows; ++i) {
        if (column != nullptr && column->IsNull(i)) continue;
        if (!distinct) {
          ++state->counts[group_at(i)];
          continue;
        }
        if (wide || narrow) {  // one column of one type: its integers are its distinct values
          state->distinct_integers[group_at(i)].insert(
              wide ? static_cast<const columnar::Int64Column&>(*column).Value(i)
                   : static_cast<const columnar::Int32Column&>(*column).Value(i));
          continue;
        }
        std::string value;
        columnar::AppendValue(*column, i, columnar::ValueStyle::kJson, &value);
        state->distinct[group_at(i)].insert(std::move(value));
      }
      return Status::OK();
    }
    case AggregateFunction::kSum:
    case AggregateFunction::kAvg: {
      state->counts.resize(n, 0);
      const TypeId id = column->type().id();
      const std::string where = "table '" + model.name + "': measure '" + measure.name + "'";
      if (measure.function == AggregateFunction::kAvg || id == TypeId::kFloat64) {
        state->doubles.resize(n, 0);
        for (int64_t i = 0; i < rows; ++i) {
          if (column->IsNull(i)) continue;
          state->doubles[group_at(i)] += NumberAt(*column, i);
          ++state->counts[group_at(i)];
        }
      } else if (id == TypeId::kDecimal) {
        state->decimals.resize(n, 0);
        const auto& values = static_cast<const columnar::DecimalColumn&>(*column);
        const columnar::Int128 limit = columnar::MaxUnscaled(38);
        for (int64_t i = 0; i < rows; ++i) {
          if (column->IsNull(i)) continue;
          columnar::Int128& sum = state->decimals[group_at(i)];
          sum += values.Value(i);
          if (sum > limit || sum < -limit) return Status::DataError(where + " overflows 38 digits");
          ++state->counts[group_at(i)];
        }
      } else {
        state->integers.resize(n, 0);
        for (int64_t i = 0; i < rows; ++i) {
          if (column->IsNull(i)) continue;
          const int64_t value = id == TypeId::kInt32
                                    ? static_cast<const columnar::Int32Column&>(*column).Value(i)
                                    : static_cast<const columnar::Int64Column&>(*column).Value(i);
          int64_t& sum = state->integers[group_at(i)];
          if (__builtin_add_overflow(sum, value, &sum)) {
            return Status::DataError(where + " overflows a 64-bit integer");
          }
          ++state->counts[group_at(i)];
        }
      }
      return Status::OK();
    }
    case AggregateFunction::kMin:
    case AggregateFunction::kMax: {
      const bool min = measure.function == AggregateFunction::kMin;
      // The best row of this batch per group, then whether it beats the group's best so far.
      std::vector<int64_t> candidate(n, -1);
      for (int64_t i = 0; i < rows; ++i) {
        if (column->IsNull(i)) continue;
        int64_t& c = candidate[group_at(i)];
        const int r = c < 0 ? 0 : CompareValues(*column, i, *column, c);
        if (c < 0 || (min ? r < 0 : r > 0)) c = i;
      }
      const ColumnPtr& best = state->best;
      const int64_t held = best->length();
      std::vector<int64_t> pick(n);
      bool changed = held != groups;
      for (size_t g = 0; g < n; ++g) {
        const auto old = static_cast<int64_t>(g);
        const bool has_old = old < held && best->IsValid(old);
        pick[g] = old < held ? old : -1;
        if (candidate[g] < 0) continue;
        const int r = has_old ? CompareValues(*column, candidate[g], *best, old) : 0;
        if (!has_old || (min ? r < 0 : r > 0)) {
          pick[g] = held + candidate[g];
          changed = true;
        }
      }
      if (!changed) return Status::OK();
      // Only the rows picked from this batch are kept with the old bests.
      state->best = TakeOrNull(*ConcatColumns(best, batch.columns()[*state->column]), pick);
      return Status::OK();
    }
  }
  return Status::Internal("unknown aggregate function");
}

}  // namespace

Status Aggregator::Add(const columnar::Batch& input) {
  State& state = *state_;
  const GoldModel& model = *state.model;
  std::vector<ColumnPtr> columns = input.columns();
  for (size_t d = 0; d < state.derive.size(); ++d) {
    // Each derived column sees the input and the derived columns before it.
    std::vector<Field> seen(state.schema->fields().begin(),
                            state.schema->fields().begin() + static_cast<long>(columns.size()));
    const columnar::Batch so_far(std::make_shared<const columnar::Schema>(std::move(seen)), columns,
                                 input.num_rows());
    std::vector<compute::RowError> errors;
    SLUICE_ASSIGN_OR_RETURN(ColumnPtr column, compute::Evaluate(*state.derive[d], so_far, &errors));
    if (!errors.empty()) {
      const std::string& name =
          std::next(model.aggregate.derive.begin(), static_cast<long>(d))->first;
      return Status::DataError("table '" + model.name + "', derived column '" + name + "': " +
                               errors[0].message + " (" + std::to_string(errors.size()) + " rows)");
    }
    columns.push_back(std::move(column));
  }
  const columnar::Batch batch(state.schema, std::move(columns), input.num_rows());
  std::vector<int64_t> group_of(static_cast<size_t>(batch.num_rows()), 0);
  if (!state.group.empty()) {
    std::vector<int64_t> fresh;
    // Rows of one group often come together (a day's facts share their date): a row whose group
    // values equal the row before's takes its group without a lookup. (Not for floats: NaN
    // compares equal to everything there.)
    const bool follow = std::none_of(state.group.begin(), state.group.end(), [&](size_t c) {
      return batch.columns()[c]->type().id() == TypeId::kFloat64;
    });
    for (int64_t i = 0; i < batch.num_rows(); ++i) {
      if (follow && i > 0 && std::all_of(state.group.begin(), state.group.end(), [&](size_t c) {
            return CompareValues(*batch.columns()[c], i - 1, *batch.columns()[c], i) == 0;
          })) {
        group_of[static_cast<size_t>(i)] = group_of[static_cast<size_t>(i - 1)];
        continue;
      }
      auto [it, inserted] =
          state.ids.emplace(compute::EncodeKey(batch, state.group, i), state.groups);
      if (inserted) {
        ++state.groups;
        fresh.push_back(i);
      }
      group_of[static_cast<size_t>(i)] = it->second;
    }
    if (!fresh.empty()) {
      std::vector<ColumnPtr> values;
      for (size_t c : state.group) values.push_back(columnar::TakeRows(*batch.columns()[c], fresh));
      state.group_rows.push_back(std::make_shared<const columnar::Batch>(
          state.group_schema, std::move(values), static_cast<int64_t>(fresh.size())));
    }
  }
  for (MeasureState& measure : state.measures) {
    SLUICE_RETURN_NOT_OK(Fold(model, batch, group_of, state.groups, &measure));
  }
  state.rows += batch.num_rows();
  return Status::OK();
}

Result<BatchPtr> Aggregator::Finish() {
  State& state = *state_;
  const auto n = static_cast<size_t>(state.groups);
  const BatchPtr keys = columnar::ConcatBatches(state.group_schema, state.group_rows);
  // The groups in the order of their values.
  std::vector<int64_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    for (const ColumnPtr& column : keys->columns()) {
      const int r = CompareValues(*column, a, *column, b);
      if (r != 0) return r < 0;
    }
    return false;
  });
  std::vector<Field> fields = state.group_schema->fields();
  std::vector<ColumnPtr> columns;
  for (const ColumnPtr& column : keys->columns()) {
    columns.push_back(columnar::TakeRows(*column, order));
  }
  for (MeasureState& ms : state.measures) {
    const Measure& measure = *ms.measure;
    const DataType type = ms.column ? state.schema->field(*ms.column).type : DataType::Int64();
    ms.counts.resize(n, 0);
    switch (measure.function) {
      case AggregateFunction::kCount:
      case AggregateFunction::kCountDistinct: {
        ms.distinct.resize(n);
        ms.distinct_integers.resize(n);
        const bool distinct = measure.function == AggregateFunction::kCountDistinct;
        columnar::Int64Builder out(DataType::Int64());
        for (int64_t g : order) {
          const auto at = static_cast<size_t>(g);
          out.Append(distinct ? static_cast<int64_t>(ms.distinct[at].size() +
                                                     ms.distinct_integers[at].size())
                              : ms.counts[at]);
        }
        fields.push_back(Field{measure.name, DataType::Int64(), false});
        columns.push_back(out.Finish());
        break;
      }
      case AggregateFunction::kSum:
      case AggregateFunction::kAvg: {
        const bool avg = measure.function == AggregateFunction::kAvg;
        ColumnPtr out;
        if (avg || type.id() == TypeId::kFloat64) {
          ms.doubles.resize(n, 0);
          columnar::Float64Builder values(DataType::Float64());
          for (int64_t g : order) {
            const auto at = static_cast<size_t>(g);
            if (ms.counts[at] == 0) {
              values.AppendNull();
            } else {
              values.Append(avg ? ms.doubles[at] / static_cast<double>(ms.counts[at])
                                : ms.doubles[at]);
            }
          }
          out = values.Finish();
        } else if (type.id() == TypeId::kDecimal) {
          ms.decimals.resize(n, 0);
          columnar::DecimalBuilder values(DataType::Decimal(38, type.scale()));
          for (int64_t g : order) {
            const auto at = static_cast<size_t>(g);
            ms.counts[at] == 0 ? values.AppendNull() : values.Append(ms.decimals[at]);
          }
          out = values.Finish();
        } else {
          ms.integers.resize(n, 0);
          columnar::Int64Builder values(DataType::Int64());
          for (int64_t g : order) {
            const auto at = static_cast<size_t>(g);
            ms.counts[at] == 0 ? values.AppendNull() : values.Append(ms.integers[at]);
          }
          out = values.Finish();
        }
        fields.push_back(Field{measure.name, out->type(), true});
        columns.push_back(std::move(out));
        break;
      }
      case AggregateFunction::kMin:
      case AggregateFunction::kMax: {
        std::vector<int64_t> rows;
        for (int64_t g : order) rows.push_back(g < ms.best->length() ? g : -1);
        fields.push_back(Field{measure.name, type, true});
        columns.push_back(TakeOrNull(*ms.best, rows));
        break;
      }
    }
  }
  return std::make_shared<const columnar::Batch>(std::make_shared<const columnar::Schema>(fields),
                                                 std::move(columns), static_cast<int64_t>(n));
}

namespace {

// The column names `expr` refers to.
void ColumnsOf(const compute::Expr& expr, std::set<std::string>* names) {
  if (expr.kind == compute::ExprKind::kColumn) names->insert(expr.name);
  for (const compute::ExprPtr& arg : expr.args) ColumnsOf(*arg, names);
}

}  // namespace

std::vector<std::string> AggregateInputColumns(const GoldModel& model,
                                               const columnar::Schema& upstream) {
  const AggregateSpec& spec = model.aggregate;
  std::set<std::string> names(spec.group_by.begin(), spec.group_by.end());
  for (const Measure& measure : spec.measures) {
    if (!measure.column.empty()) names.insert(measure.column);
  }
  for (const auto& [name, written] : spec.derive) ColumnsOf(*written.parsed, &names);
  std::vector<std::string> columns;
  for (const Field& field : upstream.fields()) {
    // Names are matched as the binder matches them: exactly, else ignoring ASCII case.
    for (const std::string& name : names) {
      if (field.name == name || EqualsIgnoringAsciiCase(field.name, name)) {
        columns.push_back(field.name);
        break;
      }
    }
  }
  return columns;
}

Result<BatchPtr> Aggregate(const GoldModel& model, const std::vector<BatchPtr>& input,
                           const SchemaPtr& input_schema) {
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<Aggregator> aggregator,
                          Aggregator::Make(model, input_schema));
  for (const BatchPtr& batch : input) SLUICE_RETURN_NOT_OK(aggregator->Add(*batch));
  return aggregator->Finish();
}

}  // namespace sluice::gold

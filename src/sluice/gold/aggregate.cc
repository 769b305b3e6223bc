// Aggregate (aggregate.h) as stages: DeriveColumns → GroupRows → one column per measure
// (CountMeasure, SumMeasure, ExtremeMeasure).
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

// The rows and their groups.
struct Grouping {
  BatchPtr rows;                  // every input row, derived columns included
  std::vector<int64_t> group_of;  // per row: its group
  std::vector<int64_t> first;     // per group: its first row (-1 for the one group of no rows)
  std::vector<size_t> order;      // the groups in the order of their values
  size_t groups() const { return first.size(); }
};

// Stage 1: the derived columns, each seeing the ones before.
Result<std::vector<BatchPtr>> DeriveColumns(const GoldModel& model, std::vector<BatchPtr> batches,
                                            SchemaPtr* schema) {
  for (const auto& [name, written] : model.aggregate.derive) {
    compute::ExpressionError error;
    Result<compute::BoundExprPtr> bound = compute::Bind(*written.parsed, **schema, &error);
    if (!bound.ok()) {
      config::SourceMark mark = written.mark;
      mark.column += error.offset;
      return Status::InvalidArgument(config::ConfigError{
          mark, "table '" + model.name + "', derived column '" + name + "': " + error.message}
                                         .ToString());
    }
    std::vector<Field> fields = (*schema)->fields();
    fields.push_back(Field{name, (*bound)->type, true});
    SchemaPtr next = std::make_shared<const columnar::Schema>(std::move(fields));
    for (BatchPtr& batch : batches) {
      std::vector<compute::RowError> errors;
      SLUICE_ASSIGN_OR_RETURN(ColumnPtr column, compute::Evaluate(**bound, *batch, &errors));
      if (!errors.empty()) {
        return Status::DataError("table '" + model.name + "', derived column '" + name +
                                 "': " + errors[0].message + " (" + std::to_string(errors.size()) +
                                 " rows)");
      }
      std::vector<ColumnPtr> columns = batch->columns();
      columns.push_back(std::move(column));
      batch = std::make_shared<const columnar::Batch>(next, std::move(columns), batch->num_rows());
    }
    *schema = next;
  }
  return batches;
}

// Stage 2: each row's group by the values of the `group` columns, groups in value order.
Grouping GroupRows(BatchPtr rows, const std::vector<size_t>& group) {
  Grouping grouping;
  grouping.rows = std::move(rows);
  const columnar::Batch& all = *grouping.rows;
  std::unordered_map<std::string, int64_t> ids;
  grouping.group_of.resize(static_cast<size_t>(all.num_rows()));
  for (int64_t i = 0; i < all.num_rows(); ++i) {
    auto [it, inserted] =
        ids.emplace(compute::EncodeKey(all, group, i), static_cast<int64_t>(grouping.first.size()));
    if (inserted) grouping.first.push_back(i);
    grouping.group_of[static_cast<size_t>(i)] = it->second;
  }
  if (group.empty() && grouping.first.empty()) grouping.first.push_back(-1);  // one row, no rows
  grouping.order.resize(grouping.groups());
  std::iota(grouping.order.begin(), grouping.order.end(), 0);
  if (!group.empty()) {
    std::sort(grouping.order.begin(), grouping.order.end(), [&](size_t a, size_t b) {
      for (size_t c : group) {
        const Column& column = *all.columns()[c];
        const int r = CompareValues(column, grouping.first[a], column, grouping.first[b]);
        if (r != 0) return r < 0;
      }
      return false;
    });
  }
  return grouping;
}

// count (of rows, or of non-null values) and count_distinct.
ColumnPtr CountMeasure(const Measure& measure, const Column* column, const Grouping& grouping) {
  const bool distinct = measure.function == AggregateFunction::kCountDistinct;
  std::vector<int64_t> count(grouping.groups(), 0);
  std::vector<std::unordered_set<std::string>> values(distinct ? grouping.groups() : 0);
  for (int64_t i = 0; i < grouping.rows->num_rows(); ++i) {
    if (column != nullptr && column->IsNull(i)) continue;
    const auto group = static_cast<size_t>(grouping.group_of[static_cast<size_t>(i)]);
    if (!distinct) {
      ++count[group];
      continue;
    }
    std::string value;
    columnar::AppendValue(*column, i, columnar::ValueStyle::kJson, &value);
    values[group].insert(std::move(value));
  }
  columnar::Int64Builder out(DataType::Int64());
  for (size_t g : grouping.order) {
    out.Append(distinct ? static_cast<int64_t>(values[g].size()) : count[g]);
  }
  return out.Finish();
}

// Per group: the sum of `value(row)` over non-null rows, null for a group with none; `add`
// accumulates and returns false on overflow.
template <typename T, typename Builder, typename Value, typename Add>
Result<ColumnPtr> Sums(const Column& column, const Grouping& grouping, Builder out, Value value,
                       Add add, const Status& overflow) {
  std::vector<T> sum(grouping.groups(), T{});
  std::vector<int64_t> count(grouping.groups(), 0);
  for (int64_t i = 0; i < grouping.rows->num_rows(); ++i) {
    if (column.IsNull(i)) continue;
    const auto group = static_cast<size_t>(grouping.group_of[static_cast<size_t>(i)]);
    if (!add(sum[group], value(i))) return overflow;
    ++count[group];
  }
  for (size_t g : grouping.order) {
    count[g] == 0 ? out.AppendNull() : out.Append(sum[g]);
  }
  return out.Finish();
}

// sum and avg: exact for integers (int64) and decimals (decimal(38, s)), float64 otherwise; avg
// is float64.
Result<ColumnPtr> SumMeasure(const GoldModel& model, const Measure& measure, const Column& column,
                             const Grouping& grouping) {
  const TypeId id = column.type().id();
  if (!IsNumeric(id)) {
    return ModelError(model, "measure '" + measure.name +
                                 "': " + std::string(AggregateFunctionName(measure.function)) +
                                 " needs a number, but '" + measure.column + "' is " +
                                 column.type().ToString());
  }
  if (measure.function == AggregateFunction::kAvg) {
    std::vector<double> sum(grouping.groups(), 0);
    std::vector<int64_t> count(grouping.groups(), 0);
    for (int64_t i = 0; i < grouping.rows->num_rows(); ++i) {
      if (column.IsNull(i)) continue;
      const auto group = static_cast<size_t>(grouping.group_of[static_cast<size_t>(i)]);
      sum[group] += NumberAt(column, i);
      ++count[group];
    }
    columnar::Float64Builder out(DataType::Float64());
    for (size_t g : grouping.order) {
      count[g] == 0 ? out.AppendNull() : out.Append(sum[g] / static_cast<double>(count[g]));
    }
    return out.Finish();
  }
  const std::string where = "table '" + model.name + "': measure '" + measure.name + "'";
  if (id == TypeId::kFloat64) {
    return Sums<double>(
        column, grouping, columnar::Float64Builder(DataType::Float64()),
        [&](int64_t i) { return NumberAt(column, i); },
        [](double& s, double v) { return s += v, true; }, Status::OK());
  }
  if (id == TypeId::kDecimal) {
    const auto& values = static_cast<const columnar::DecimalColumn&>(column);
    const columnar::Int128 limit = columnar::MaxUnscaled(38);
    return Sums<columnar::Int128>(
        column, grouping, columnar::DecimalBuilder(DataType::Decimal(38, column.type().scale())),
        [&](int64_t i) { return values.Value(i); },
        [&](columnar::Int128& s, columnar::Int128 v) {
          s += v;
          return s <= limit && s >= -limit;
        },
        Status::DataError(where + " overflows 38 digits"));
  }
  return Sums<int64_t>(
      column, grouping, columnar::Int64Builder(DataType::Int64()),
      [&](int64_t i) -> int64_t {
        return id == TypeId::kInt32 ? static_cast<const columnar::Int32Column&>(column).Value(i)
                                    : static_cast<const columnar::Int64Column&>(column).Value(i);
      },
      [](int64_t& s, int64_t v) { return !__builtin_add_overflow(s, v, &s); },
      Status::DataError(where + " overflows a 64-bit integer"));
}

// min and max of any comparable type; null for a group without a value.
ColumnPtr ExtremeMeasure(const Measure& measure, const Column& column, const Grouping& grouping) {
  const bool min = measure.function == AggregateFunction::kMin;
  std::vector<int64_t> best(grouping.groups(), -1);
  for (int64_t i = 0; i < grouping.rows->num_rows(); ++i) {
    if (column.IsNull(i)) continue;
    int64_t& b = best[static_cast<size_t>(grouping.group_of[static_cast<size_t>(i)])];
    if (b < 0) {
      b = i;
      continue;
    }
    const int r = CompareValues(column, i, column, b);
    if (min ? r < 0 : r > 0) b = i;
  }
  std::vector<int64_t> rows;
  for (size_t g : grouping.order) rows.push_back(best[g]);
  return TakeOrNull(column, rows);
}

// Stage 3: one measure's column (and its field).
Result<ColumnPtr> MeasureColumn(const GoldModel& model, const Measure& measure,
                                const Grouping& grouping, const columnar::Schema& schema,
                                Field* field) {
  const Column* column = nullptr;
  if (!measure.column.empty()) {
    auto index = schema.FieldIndex(measure.column);
    if (!index) {
      return MissingColumnError(model, "measure '" + measure.name + "': column", measure.column,
                                schema, model.aggregate.from);
    }
    column = grouping.rows->columns()[*index].get();
  }
  switch (measure.function) {
    case AggregateFunction::kCount:
    case AggregateFunction::kCountDistinct:
      *field = Field{measure.name, DataType::Int64(), false};
      return CountMeasure(measure, column, grouping);
    case AggregateFunction::kSum:
    case AggregateFunction::kAvg: {
      SLUICE_ASSIGN_OR_RETURN(ColumnPtr out, SumMeasure(model, measure, *column, grouping));
      *field = Field{measure.name, out->type(), true};
      return out;
    }
    case AggregateFunction::kMin:
    case AggregateFunction::kMax:
      *field = Field{measure.name, column->type(), true};
      return ExtremeMeasure(measure, *column, grouping);
  }
  return Status::Internal("unknown aggregate function");
}

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
  const AggregateSpec& spec = model.aggregate;
  SchemaPtr schema = input_schema;
  SLUICE_ASSIGN_OR_RETURN(std::vector<BatchPtr> batches, DeriveColumns(model, input, &schema));
  std::vector<size_t> group;
  for (const std::string& column : spec.group_by) {
    auto index = schema->FieldIndex(column);
    if (!index) return MissingColumnError(model, "group_by column", column, *schema, spec.from);
    group.push_back(*index);
  }
  const Grouping grouping = GroupRows(columnar::ConcatBatches(schema, batches), group);
  std::vector<Field> fields;
  std::vector<ColumnPtr> columns;
  std::vector<int64_t> firsts;
  for (size_t g : grouping.order) firsts.push_back(grouping.first[g]);
  for (size_t c : group) {
    fields.push_back(schema->field(c));
    columns.push_back(columnar::TakeRows(*grouping.rows->columns()[c], firsts));
  }
  for (const Measure& measure : spec.measures) {
    Field field;
    SLUICE_ASSIGN_OR_RETURN(ColumnPtr column,
                            MeasureColumn(model, measure, grouping, *schema, &field));
    fields.push_back(std::move(field));
    columns.push_back(std::move(column));
  }
  const auto rows = static_cast<int64_t>(grouping.order.size());
  return std::make_shared<const columnar::Batch>(std::make_shared<const columnar::Schema>(fields),
                                                 std::move(columns), rows);
}

}  // namespace sluice::gold

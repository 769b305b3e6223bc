#include "sluice/gold/star.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <unordered_set>

#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/decimal.h"
#include "sluice/columnar/take.h"
#include "sluice/columnar/temporal.h"
#include "sluice/columnar/value_formatter.h"
#include "sluice/compute/expression_evaluator.h"
#include "sluice/compute/row_key.h"
#include "sluice/config/config_spec.h"
#include "sluice/gold/dimension.h"

namespace sluice::gold {
namespace {

using columnar::BatchPtr;
using columnar::Column;
using columnar::ColumnPtr;
using columnar::DataType;
using columnar::Field;
using columnar::SchemaPtr;
using columnar::TypeId;

const char* const kMonthNames[] = {"January",   "February", "March",    "April",
                                   "May",       "June",     "July",     "August",
                                   "September", "October",  "November", "December"};
const char* const kDayNames[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                 "Friday", "Saturday", "Sunday"};

// 1 = Monday ... 7 = Sunday (1970-01-01 was a Thursday).
int IsoWeekday(int32_t days) { return static_cast<int>(((days % 7) + 7 + 3) % 7) + 1; }

Status ModelError(const GoldModel& model, const std::string& message) {
  return Status::InvalidArgument(
      config::ConfigError{model.mark, "table '" + model.name + "': " + message}.ToString());
}

Status NoColumn(const GoldModel& model, const std::string& what, const std::string& column,
                const columnar::Schema& schema, const std::string& of) {
  std::vector<std::string> names;
  for (const Field& field : schema.fields()) names.push_back(field.name);
  std::string message = what + " '" + column + "' is not a column of " + of;
  if (const std::string* near = config::ClosestName(column, names)) {
    message += "; did you mean '" + *near + "'?";
  }
  return ModelError(model, message);
}

// A day of a date or timestamp column; nullopt when null.
std::optional<int64_t> MicrosAt(const Column& column, int64_t row) {
  if (column.IsNull(row)) return std::nullopt;
  if (column.type().id() == TypeId::kDate) {
    return static_cast<int64_t>(static_cast<const columnar::Int32Column&>(column).Value(row)) *
           columnar::kMicrosPerDay;
  }
  return static_cast<const columnar::Int64Column&>(column).Value(row);
}

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

bool IsIntegerKey(const DataType& type) {
  return type.id() == TypeId::kInt32 || type.id() == TypeId::kInt64;
}

int64_t IntegerAt(const Column& column, int64_t row) {
  return column.type().id() == TypeId::kInt32
             ? static_cast<const columnar::Int32Column&>(column).Value(row)
             : static_cast<const columnar::Int64Column&>(column).Value(row);
}

bool IsNumeric(TypeId id) {
  return id == TypeId::kInt32 || id == TypeId::kInt64 || id == TypeId::kFloat64 ||
         id == TypeId::kDecimal;
}

}  // namespace

// ---- date dimension ------------------------------------------------------------------------

int32_t DateKey(int32_t days) {
  int year = 0;
  unsigned month = 0;
  unsigned day = 0;
  columnar::CivilFromDays(days, &year, &month, &day);
  return year * 10000 + static_cast<int32_t>(month) * 100 + static_cast<int32_t>(day);
}

BatchPtr GenerateDateDimension(const DateDimensionSpec& spec) {
  const std::vector<Field> fields = {
      {"date_key", DataType::Int32(), false},      {"date", DataType::Date(), true},
      {"year", DataType::Int32(), true},           {"quarter", DataType::Int32(), true},
      {"month", DataType::Int32(), true},          {"month_name", DataType::String(), true},
      {"day_of_month", DataType::Int32(), true},   {"day_of_year", DataType::Int32(), true},
      {"day_of_week", DataType::Int32(), true},    {"day_name", DataType::String(), true},
      {"is_weekend", DataType::Bool(), true},      {"iso_week", DataType::Int32(), true},
      {"iso_year", DataType::Int32(), true},       {"fiscal_year", DataType::Int32(), true},
      {"fiscal_quarter", DataType::Int32(), true}, {"fiscal_period", DataType::Int32(), true}};
  columnar::Int32Builder key(DataType::Int32()), date(DataType::Date()), year(DataType::Int32()),
      quarter(DataType::Int32()), month(DataType::Int32()), dom(DataType::Int32()),
      doy(DataType::Int32()), dow(DataType::Int32()), week(DataType::Int32()),
      iso_year(DataType::Int32()), fiscal_year(DataType::Int32()),
      fiscal_quarter(DataType::Int32()), fiscal_period(DataType::Int32());
  columnar::StringBuilder month_name(DataType::String()), day_name(DataType::String());
  columnar::BooleanBuilder weekend;
  // The unknown member.
  key.Append(0);
  for (columnar::Int32Builder* b : {&date, &year, &quarter, &month, &dom, &doy, &dow, &week,
                                    &iso_year, &fiscal_year, &fiscal_quarter, &fiscal_period}) {
    b->AppendNull();
  }
  month_name.Append("Unknown");
  day_name.Append("Unknown");
  weekend.AppendNull();
  for (int32_t days = spec.start; days <= spec.end; ++days) {
    int y = 0;
    unsigned m = 0;
    unsigned d = 0;
    columnar::CivilFromDays(days, &y, &m, &d);
    const int weekday = IsoWeekday(days);
    const int32_t thursday = days - (weekday - 1) + 3;
    int thursday_year = 0;
    unsigned tm = 0;
    unsigned td = 0;
    columnar::CivilFromDays(thursday, &thursday_year, &tm, &td);
    const int32_t iso_week = (thursday - columnar::DaysFromCivil(thursday_year, 1, 1)) / 7 + 1;
    const int month_number = static_cast<int>(m);
    int fy = y;
    int period = month_number;
    if (spec.fiscal_year_start != 1) {
      if (month_number >= spec.fiscal_year_start) {
        fy = y + 1;
        period = month_number - spec.fiscal_year_start + 1;
      } else {
        period = month_number + 12 - spec.fiscal_year_start + 1;
      }
    }
    key.Append(DateKey(days));
    date.Append(days);
    year.Append(y);
    quarter.Append((month_number - 1) / 3 + 1);
    month.Append(month_number);
    month_name.Append(kMonthNames[month_number - 1]);
    dom.Append(static_cast<int32_t>(d));
    doy.Append(days - columnar::DaysFromCivil(y, 1, 1) + 1);
    dow.Append(weekday);
    day_name.Append(kDayNames[weekday - 1]);
    weekend.Append(weekday >= 6);
    week.Append(iso_week);
    iso_year.Append(thursday_year);
    fiscal_year.Append(fy);
    fiscal_quarter.Append((period - 1) / 3 + 1);
    fiscal_period.Append(period);
  }
  const int64_t rows = static_cast<int64_t>(spec.end) - spec.start + 2;
  return std::make_shared<const columnar::Batch>(
      std::make_shared<const columnar::Schema>(fields),
      std::vector<ColumnPtr>{key.Finish(), date.Finish(), year.Finish(), quarter.Finish(),
                             month.Finish(), month_name.Finish(), dom.Finish(), doy.Finish(),
                             dow.Finish(), day_name.Finish(), weekend.Finish(), week.Finish(),
                             iso_year.Finish(), fiscal_year.Finish(), fiscal_quarter.Finish(),
                             fiscal_period.Finish()},
      rows);
}

// ---- facts -----------------------------------------------------------------------------------

Result<DimensionKeys> LoadDimensionKeys(const GoldModel& dimension, const FactDimension& use,
                                        const std::vector<BatchPtr>& rows) {
  const DimensionSpec& spec = dimension.dimension;
  DimensionKeys keys;
  keys.name = use.name;
  keys.column = use.as.empty() ? spec.surrogate_key : use.as;
  keys.point_in_time = spec.history == History::kScd2 && !use.as_of.empty();
  for (const BatchPtr& batch : rows) {
    const columnar::Schema& schema = *batch->schema();
    auto surrogate = schema.FieldIndex(spec.surrogate_key);
    if (!surrogate) {
      return Status::InvalidArgument(dimension.name + " has no column '" + spec.surrogate_key +
                                     "'");
    }
    std::vector<size_t> key_columns;
    for (const std::string& name : spec.key) {
      auto index = schema.FieldIndex(name);
      if (!index) return Status::InvalidArgument(dimension.name + " has no column '" + name + "'");
      key_columns.push_back(*index);
    }
    auto from = schema.FieldIndex(kValidFrom);
    auto to = schema.FieldIndex(kValidTo);
    auto current = schema.FieldIndex(kIsCurrent);
    const auto& surrogate_column =
        static_cast<const columnar::Int64Column&>(*batch->columns()[*surrogate]);
    for (int64_t i = 0; i < batch->num_rows(); ++i) {
      const int64_t key = surrogate_column.Value(i);
      if (key == 0) continue;
      DimensionKeys::Span span;
      span.key = key;
      if (from) span.from = MicrosAt(*batch->columns()[*from], i).value_or(INT64_MIN);
      if (to) span.to = MicrosAt(*batch->columns()[*to], i);
      if (current && batch->columns()[*current]->IsValid(i)) {
        span.current =
            static_cast<const columnar::BooleanColumn&>(*batch->columns()[*current]).Value(i);
      }
      if (key_columns.size() == 1 && IsIntegerKey(schema.field(key_columns[0]).type)) {
        keys.integer_keys = true;
        if (batch->column(key_columns[0]).IsNull(i)) continue;
        keys.integer_members[IntegerAt(batch->column(key_columns[0]), i)].push_back(span);
      } else {
        keys.members[compute::EncodeKey(*batch, key_columns, i)].push_back(span);
      }
    }
  }
  auto by_start = [](const DimensionKeys::Span& a, const DimensionKeys::Span& b) {
    return a.from < b.from;
  };
  for (auto& [key, spans] : keys.members) std::sort(spans.begin(), spans.end(), by_start);
  for (auto& [key, spans] : keys.integer_members) std::sort(spans.begin(), spans.end(), by_start);
  return keys;
}

DimensionKeys DateDimensionKeys(const GoldModel& dimension, const FactDimension& use) {
  DimensionKeys keys;
  keys.name = use.name;
  keys.column = use.as.empty() ? "date_key" : use.as;
  keys.type = DataType::Int32();
  keys.date = true;
  keys.first_day = dimension.date.start;
  keys.last_day = dimension.date.end;
  return keys;
}

Result<FactPlan> PlanFact(const GoldModel& model, const columnar::Schema& upstream,
                          const std::vector<DimensionKeys>& dimensions) {
  const FactSpec& spec = model.fact;
  FactPlan plan;
  plan.model = &model;
  std::vector<Field> fields;
  std::vector<std::string> used_on;
  for (size_t d = 0; d < spec.dimensions.size(); ++d) {
    const FactDimension& use = spec.dimensions[d];
    std::vector<size_t> on;
    for (const std::string& column : use.on) {
      auto index = upstream.FieldIndex(column);
      if (!index)
        return NoColumn(model, "dimension '" + use.name + "': on column", column, upstream,
                        spec.from);
      on.push_back(*index);
      used_on.push_back(column);
    }
    if (dimensions[d].date) {
      const TypeId id = upstream.field(on[0]).type.id();
      if (on.size() != 1 || (id != TypeId::kDate && id != TypeId::kTimestamp)) {
        return ModelError(model, "dimension '" + use.name +
                                     "': a date dimension is looked up by one date or timestamp "
                                     "column");
      }
    }
    plan.on.push_back(std::move(on));
    std::optional<size_t> as_of;
    if (!use.as_of.empty()) {
      as_of = upstream.FieldIndex(use.as_of);
      if (!as_of)
        return NoColumn(model, "dimension '" + use.name + "': as_of column", use.as_of, upstream,
                        spec.from);
      const TypeId id = upstream.field(*as_of).type.id();
      if (id != TypeId::kDate && id != TypeId::kTimestamp) {
        return ModelError(model, "dimension '" + use.name + "': as_of column '" + use.as_of +
                                     "' must be a timestamp or a date");
      }
    }
    plan.as_of.push_back(as_of);
    fields.push_back(Field{dimensions[d].column, dimensions[d].type, false});
  }
  std::vector<std::string> passthrough;
  if (spec.measures.empty() && spec.degenerate.empty()) {
    for (const Field& field : upstream.fields()) {
      if (field.name.rfind("_sluice_", 0) == 0) continue;
      if (std::find(used_on.begin(), used_on.end(), field.name) != used_on.end()) continue;
      passthrough.push_back(field.name);
    }
  } else {
    passthrough = spec.degenerate;
    passthrough.insert(passthrough.end(), spec.measures.begin(), spec.measures.end());
  }
  for (const std::string& column : passthrough) {
    auto index = upstream.FieldIndex(column);
    if (!index) return NoColumn(model, "column", column, upstream, spec.from);
    for (const Field& field : fields) {
      if (field.name == column) {
        return ModelError(model, "column '" + column +
                                     "' is written twice (a dimension key of "
                                     "that name, and a column of " +
                                     spec.from + ")");
      }
    }
    plan.passthrough.push_back(*index);
    fields.push_back(upstream.field(*index));
    fields.back().nullable = true;
  }
  plan.schema = std::make_shared<const columnar::Schema>(fields);
  for (const std::string& column : spec.grain) {
    auto index = plan.schema->FieldIndex(column);
    if (!index) {
      return NoColumn(model, "grain column", column, *plan.schema,
                      "the fact (list it under degenerate)");
    }
    plan.grain.push_back(*index);
  }
  return plan;
}

Result<BatchPtr> BuildFacts(const FactPlan& plan, const columnar::Batch& upstream,
                            const std::vector<DimensionKeys>& dimensions, FactCounts* counts) {
  const int64_t n = upstream.num_rows();
  // Integer business keys are looked up as integers (a dimension keyed by an int32 or int64
  // column, met by an integer fact column).
  std::vector<bool> integer_on(dimensions.size(), false);
  for (size_t d = 0; d < dimensions.size(); ++d) {
    integer_on[d] = dimensions[d].integer_keys && plan.on[d].size() == 1 &&
                    IsIntegerKey(upstream.schema()->field(plan.on[d][0]).type);
    if (dimensions[d].integer_keys && !integer_on[d] && !dimensions[d].date) {
      return Status::InvalidArgument("table '" + plan.model->name + "': dimension '" +
                                     dimensions[d].name +
                                     "' has an integer key; its 'on' column must be an integer");
    }
  }
  std::vector<ColumnPtr> columns;
  for (size_t d = 0; d < dimensions.size(); ++d) {
    const DimensionKeys& keys = dimensions[d];
    int64_t unknown = 0;
    if (keys.date) {
      const Column& on = *upstream.columns()[plan.on[d][0]];
      columnar::Int32Builder builder(DataType::Int32());
      builder.Reserve(n);
      for (int64_t i = 0; i < n; ++i) {
        const std::optional<int64_t> micros = MicrosAt(on, i);
        const int64_t day = micros ? columnar::FloorDiv(*micros, columnar::kMicrosPerDay) : 0;
        if (!micros || day < keys.first_day || day > keys.last_day) {
          builder.Append(0);
          ++unknown;
        } else {
          builder.Append(DateKey(static_cast<int32_t>(day)));
        }
      }
      columns.push_back(builder.Finish());
    } else {
      columnar::Int64Builder builder(DataType::Int64());
      builder.Reserve(n);
      const Column* as_of = plan.as_of[d] ? upstream.columns()[*plan.as_of[d]].get() : nullptr;
      for (int64_t i = 0; i < n; ++i) {
        bool null_key = false;
        for (size_t c : plan.on[d]) null_key = null_key || upstream.columns()[c]->IsNull(i);
        const std::vector<DimensionKeys::Span>* found = nullptr;
        if (!null_key && integer_on[d]) {
          auto it = keys.integer_members.find(IntegerAt(*upstream.columns()[plan.on[d][0]], i));
          if (it != keys.integer_members.end()) found = &it->second;
        } else if (!null_key) {
          auto it = keys.members.find(compute::EncodeKey(upstream, plan.on[d], i));
          if (it != keys.members.end()) found = &it->second;
        }
        if (found == nullptr || found->empty()) {
          builder.Append(0);
          ++unknown;
          continue;
        }
        const std::vector<DimensionKeys::Span>& spans = *found;
        const DimensionKeys::Span* chosen = nullptr;
        const std::optional<int64_t> at =
            keys.point_in_time && as_of != nullptr ? MicrosAt(*as_of, i) : std::nullopt;
        if (at) {
          // The version valid at `at`; before the first: the first; after a closed last: the last.
          chosen = &spans.front();
          for (const DimensionKeys::Span& span : spans) {
            if (span.from <= *at) chosen = &span;
          }
        } else {
          chosen = &spans.back();
          for (const DimensionKeys::Span& span : spans) {
            if (span.current && !span.to) chosen = &span;
          }
        }
        builder.Append(chosen->key);
      }
      columns.push_back(builder.Finish());
    }
    if (counts != nullptr && unknown > 0) counts->unknown[keys.name] += unknown;
  }
  for (size_t index : plan.passthrough) columns.push_back(upstream.columns()[index]);
  return std::make_shared<const columnar::Batch>(plan.schema, std::move(columns), n);
}

Status CheckGrain(const FactPlan& plan, const std::vector<BatchPtr>& facts) {
  int64_t rows = 0;
  for (const BatchPtr& batch : facts) rows += batch->num_rows();
  // A single integer grain (the usual order_id) is counted as integers; others as encoded text.
  const bool integer =
      plan.grain.size() == 1 && IsIntegerKey(plan.schema->field(plan.grain[0]).type);
  std::unordered_map<int64_t, int32_t> seen_integers;
  std::unordered_map<std::string, int32_t> seen_texts;
  int32_t seen_nulls = 0;
  (integer ? static_cast<void>(seen_integers.reserve(static_cast<size_t>(rows)))
           : static_cast<void>(seen_texts.reserve(static_cast<size_t>(rows))));
  std::vector<std::string> repeated;
  int64_t repeated_count = 0;
  for (const BatchPtr& batch : facts) {
    for (int64_t i = 0; i < batch->num_rows(); ++i) {
      int32_t times = 0;
      if (!integer) {
        times = ++seen_texts[compute::EncodeKey(*batch, plan.grain, i)];
      } else if (batch->column(plan.grain[0]).IsNull(i)) {
        times = ++seen_nulls;
      } else {
        times = ++seen_integers[IntegerAt(batch->column(plan.grain[0]), i)];
      }
      if (times != 2) continue;
      ++repeated_count;
      if (repeated.size() < 10) {
        std::string text;
        for (size_t g = 0; g < plan.grain.size(); ++g) {
          if (g > 0) text += ", ";
          text += batch->schema()->field(plan.grain[g]).name + "=";
          columnar::AppendValue(*batch->columns()[plan.grain[g]], i, columnar::ValueStyle::kJson,
                                &text);
        }
        repeated.push_back(text);
      }
    }
  }
  if (repeated_count == 0) return Status::OK();
  std::string list;
  for (const std::string& r : repeated) list += (list.empty() ? "" : "; ") + r;
  if (repeated_count > static_cast<int64_t>(repeated.size())) list += "; ...";
  std::string grain;
  for (const std::string& g : plan.model->fact.grain) grain += (grain.empty() ? "" : ", ") + g;
  return Status::DataError(std::to_string(repeated_count) +
                           (repeated_count == 1 ? " grain value of " : " grain values of ") +
                           plan.model->name + " (" + grain + ")" +
                           (repeated_count == 1 ? " appears" : " appear") + " more than once in " +
                           plan.model->fact.from + ": " + list + "; nothing committed");
}

// ---- aggregates --------------------------------------------------------------------------------

Result<BatchPtr> Aggregate(const GoldModel& model, const std::vector<BatchPtr>& input,
                           const SchemaPtr& input_schema) {
  const AggregateSpec& spec = model.aggregate;
  // Derived columns, each seeing the ones before.
  SchemaPtr schema = input_schema;
  std::vector<BatchPtr> batches = input;
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
    schema = next;
  }
  const BatchPtr all = columnar::ConcatBatches(schema, batches);
  std::vector<size_t> group;
  for (const std::string& column : spec.group_by) {
    auto index = schema->FieldIndex(column);
    if (!index) return NoColumn(model, "group_by column", column, *schema, spec.from);
    group.push_back(*index);
  }
  // Groups: first row of each, and each row's group.
  std::unordered_map<std::string, int64_t> ids;
  std::vector<int64_t> first_row;
  std::vector<int64_t> group_of(static_cast<size_t>(all->num_rows()));
  for (int64_t i = 0; i < all->num_rows(); ++i) {
    auto [it, inserted] =
        ids.emplace(compute::EncodeKey(*all, group, i), static_cast<int64_t>(first_row.size()));
    if (inserted) first_row.push_back(i);
    group_of[static_cast<size_t>(i)] = it->second;
  }
  if (group.empty() && first_row.empty()) first_row.push_back(-1);  // one row over no rows
  const size_t groups = first_row.size();
  // Groups in the order of their values.
  std::vector<size_t> order(groups);
  std::iota(order.begin(), order.end(), 0);
  if (!group.empty()) {
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
      for (size_t c : group) {
        const Column& column = *all->columns()[c];
        const int r = CompareValues(column, first_row[a], column, first_row[b]);
        if (r != 0) return r < 0;
      }
      return false;
    });
  }
  std::vector<Field> fields;
  std::vector<ColumnPtr> columns;
  std::vector<int64_t> firsts;
  for (size_t g : order) firsts.push_back(first_row[g]);
  for (size_t c : group) {
    fields.push_back(schema->field(c));
    columns.push_back(columnar::TakeRows(*all->columns()[c], firsts));
  }
  for (const Measure& measure : spec.measures) {
    const Column* column = nullptr;
    if (!measure.column.empty()) {
      auto index = schema->FieldIndex(measure.column);
      if (!index) {
        return NoColumn(model, "measure '" + measure.name + "': column", measure.column, *schema,
                        spec.from);
      }
      column = all->columns()[*index].get();
    }
    const int64_t n = all->num_rows();
    auto group_at = [&](int64_t i) {
      return static_cast<size_t>(group_of[static_cast<size_t>(i)]);
    };
    switch (measure.function) {
      case AggregateFunction::kCount:
      case AggregateFunction::kCountDistinct: {
        std::vector<int64_t> count(groups, 0);
        std::vector<std::unordered_set<std::string>> distinct(
            measure.function == AggregateFunction::kCountDistinct ? groups : 0);
        for (int64_t i = 0; i < n; ++i) {
          if (column != nullptr && column->IsNull(i)) continue;
          if (measure.function == AggregateFunction::kCount) {
            ++count[group_at(i)];
          } else {
            std::string value;
            columnar::AppendValue(*column, i, columnar::ValueStyle::kJson, &value);
            distinct[group_at(i)].insert(std::move(value));
          }
        }
        columnar::Int64Builder out(DataType::Int64());
        for (size_t g : order) {
          out.Append(measure.function == AggregateFunction::kCount
                         ? count[g]
                         : static_cast<int64_t>(distinct[g].size()));
        }
        fields.push_back(Field{measure.name, DataType::Int64(), false});
        columns.push_back(out.Finish());
        break;
      }
      case AggregateFunction::kSum:
      case AggregateFunction::kAvg: {
        const TypeId id = column->type().id();
        if (!IsNumeric(id)) {
          return ModelError(model, "measure '" + measure.name + "': " +
                                       std::string(AggregateFunctionName(measure.function)) +
                                       " needs a number, but '" + measure.column + "' is " +
                                       column->type().ToString());
        }
        std::vector<int64_t> count(groups, 0);
        if (measure.function == AggregateFunction::kAvg || id == TypeId::kFloat64) {
          std::vector<double> sum(groups, 0);
          for (int64_t i = 0; i < n; ++i) {
            if (column->IsNull(i)) continue;
            sum[group_at(i)] += NumberAt(*column, i);
            ++count[group_at(i)];
          }
          columnar::Float64Builder out(DataType::Float64());
          for (size_t g : order) {
            if (count[g] == 0) {
              out.AppendNull();
            } else {
              out.Append(measure.function == AggregateFunction::kAvg
                             ? sum[g] / static_cast<double>(count[g])
                             : sum[g]);
            }
          }
          fields.push_back(Field{measure.name, DataType::Float64(), true});
          columns.push_back(out.Finish());
        } else if (id == TypeId::kDecimal) {
          std::vector<columnar::Int128> sum(groups, 0);
          const auto& values = static_cast<const columnar::DecimalColumn&>(*column);
          const columnar::Int128 limit = columnar::MaxUnscaled(38);
          for (int64_t i = 0; i < n; ++i) {
            if (column->IsNull(i)) continue;
            columnar::Int128& s = sum[group_at(i)];
            s += values.Value(i);
            if (s > limit || s < -limit) {
              return Status::DataError("table '" + model.name + "': measure '" + measure.name +
                                       "' overflows 38 digits");
            }
            ++count[group_at(i)];
          }
          const DataType type = DataType::Decimal(38, column->type().scale());
          columnar::DecimalBuilder out(type);
          for (size_t g : order) {
            if (count[g] == 0) {
              out.AppendNull();
            } else {
              out.Append(sum[g]);
            }
          }
          fields.push_back(Field{measure.name, type, true});
          columns.push_back(out.Finish());
        } else {
          std::vector<int64_t> sum(groups, 0);
          for (int64_t i = 0; i < n; ++i) {
            if (column->IsNull(i)) continue;
            const int64_t exact = id == TypeId::kInt32
                                      ? static_cast<const columnar::Int32Column&>(*column).Value(i)
                                      : static_cast<const columnar::Int64Column&>(*column).Value(i);
            if (__builtin_add_overflow(sum[group_at(i)], exact, &sum[group_at(i)])) {
              return Status::DataError("table '" + model.name + "': measure '" + measure.name +
                                       "' overflows a 64-bit integer");
            }
            ++count[group_at(i)];
          }
          columnar::Int64Builder out(DataType::Int64());
          for (size_t g : order) {
            if (count[g] == 0) {
              out.AppendNull();
            } else {
              out.Append(sum[g]);
            }
          }
          fields.push_back(Field{measure.name, DataType::Int64(), true});
          columns.push_back(out.Finish());
        }
        break;
      }
      case AggregateFunction::kMin:
      case AggregateFunction::kMax: {
        std::vector<int64_t> best(groups, -1);
        const bool min = measure.function == AggregateFunction::kMin;
        for (int64_t i = 0; i < n; ++i) {
          if (column->IsNull(i)) continue;
          int64_t& b = best[group_at(i)];
          if (b < 0) {
            b = i;
            continue;
          }
          const int r = CompareValues(*column, i, *column, b);
          if (min ? r < 0 : r > 0) b = i;
        }
        // Take the best rows; a group without a value takes a null.
        std::vector<int64_t> rows;
        for (size_t g : order) rows.push_back(best[g]);
        bool any_null = false;
        for (int64_t& r : rows) {
          if (r < 0) {
            any_null = true;
            r = 0;
          }
        }
        ColumnPtr out;
        if (n == 0) {
          out = columnar::MakeNullColumn(column->type(), static_cast<int64_t>(rows.size()));
        } else {
          out = columnar::TakeRows(*column, rows);
        }
        if (any_null && n > 0) {
          // Rebuild with nulls where a group had no value.
          std::vector<int64_t> keep;
          for (size_t k = 0; k < order.size(); ++k) keep.push_back(best[order[k]]);
          std::vector<BatchPtr> pieces;
          const SchemaPtr one = std::make_shared<const columnar::Schema>(
              std::vector<Field>{Field{measure.name, column->type(), true}});
          for (int64_t r : keep) {
            if (r < 0) {
              pieces.push_back(std::make_shared<const columnar::Batch>(
                  one, std::vector<ColumnPtr>{columnar::MakeNullColumn(column->type(), 1)}, 1));
            } else {
              const int64_t at[] = {r};
              pieces.push_back(std::make_shared<const columnar::Batch>(
                  one, std::vector<ColumnPtr>{columnar::TakeRows(*column, at)}, 1));
            }
          }
          out = columnar::ConcatBatches(one, pieces)->columns()[0];
        }
        fields.push_back(Field{measure.name, column->type(), true});
        columns.push_back(std::move(out));
        break;
      }
    }
  }
  const auto rows = static_cast<int64_t>(order.size());
  return std::make_shared<const columnar::Batch>(std::make_shared<const columnar::Schema>(fields),
                                                 std::move(columns), rows);
}

}  // namespace sluice::gold

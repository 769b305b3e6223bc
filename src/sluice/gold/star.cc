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
using columnar::TypeId;

const char* const kMonthNames[] = {"January",   "February", "March",    "April",
                                   "May",       "June",     "July",     "August",
                                   "September", "October",  "November", "December"};
const char* const kDayNames[] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                 "Friday", "Saturday", "Sunday"};

// 1 = Monday ... 7 = Sunday (1970-01-01 was a Thursday).
int IsoWeekday(int32_t days) { return static_cast<int>(((days % 7) + 7 + 3) % 7) + 1; }

bool IsIntegerKey(const DataType& type) {
  return type.id() == TypeId::kInt32 || type.id() == TypeId::kInt64;
}

int64_t IntegerAt(const Column& column, int64_t row) {
  return column.type().id() == TypeId::kInt32
             ? static_cast<const columnar::Int32Column&>(column).Value(row)
             : static_cast<const columnar::Int64Column&>(column).Value(row);
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
      if (from) span.from = columnar::MicrosAt(*batch->columns()[*from], i).value_or(INT64_MIN);
      if (to) span.to = columnar::MicrosAt(*batch->columns()[*to], i);
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
        return MissingColumnError(model, "dimension '" + use.name + "': on column", column,
                                  upstream, spec.from);
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
        return MissingColumnError(model, "dimension '" + use.name + "': as_of column", use.as_of,
                                  upstream, spec.from);
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
    if (!index) return MissingColumnError(model, "column", column, upstream, spec.from);
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
      return MissingColumnError(model, "grain column", column, *plan.schema,
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
        const std::optional<int64_t> micros = columnar::MicrosAt(on, i);
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
            keys.point_in_time && as_of != nullptr ? columnar::MicrosAt(*as_of, i) : std::nullopt;
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
  GrainCheck check(plan);
  for (const BatchPtr& batch : facts) check.Add(*batch);
  return check.Finish();
}

GrainCheck::GrainCheck(const FactPlan& plan) : plan_(plan) {
  // A single integer grain (the usual order_id) is held as integers; others as their text.
  integer_ = plan.grain.size() == 1 && IsIntegerKey(plan.schema->field(plan.grain[0]).type);
}

void GrainCheck::Add(const columnar::Batch& facts) {
  for (int64_t i = 0; i < facts.num_rows(); ++i) {
    if (!integer_) {
      std::string text;
      for (size_t g = 0; g < plan_.grain.size(); ++g) {
        if (g > 0) text += ", ";
        text += facts.schema()->field(plan_.grain[g]).name + "=";
        columnar::AppendValue(*facts.columns()[plan_.grain[g]], i, columnar::ValueStyle::kJson,
                              &text);
      }
      texts_.push_back(std::move(text));
    } else if (facts.column(plan_.grain[0]).IsNull(i)) {
      ++nulls_;
    } else {
      integers_.push_back(IntegerAt(facts.column(plan_.grain[0]), i));
    }
  }
}

Status GrainCheck::Finish() {
  std::vector<std::string> repeated;  // up to 10, described
  int64_t repeated_count = 0;
  auto found = [&](const std::string& text) {
    ++repeated_count;
    if (repeated.size() < 10) repeated.push_back(text);
  };
  const std::string first = plan_.schema->field(plan_.grain[0]).name + "=";
  if (nulls_ > 1) found(first + "null");
  std::sort(integers_.begin(), integers_.end());
  for (size_t i = 1; i < integers_.size(); ++i) {
    if (integers_[i] == integers_[i - 1] && (i < 2 || integers_[i - 2] != integers_[i])) {
      found(first + std::to_string(integers_[i]));
    }
  }
  std::sort(texts_.begin(), texts_.end());
  for (size_t i = 1; i < texts_.size(); ++i) {
    if (texts_[i] == texts_[i - 1] && (i < 2 || texts_[i - 2] != texts_[i])) found(texts_[i]);
  }
  if (repeated_count == 0) return Status::OK();
  std::string list;
  for (const std::string& r : repeated) list += (list.empty() ? "" : "; ") + r;
  if (repeated_count > static_cast<int64_t>(repeated.size())) list += "; ...";
  std::string grain;
  for (const std::string& g : plan_.model->fact.grain) grain += (grain.empty() ? "" : ", ") + g;
  return Status::DataError(std::to_string(repeated_count) +
                           (repeated_count == 1 ? " grain value of " : " grain values of ") +
                           plan_.model->name + " (" + grain + ")" +
                           (repeated_count == 1 ? " appears" : " appear") + " more than once in " +
                           plan_.model->fact.from + ": " + list + "; nothing committed");
}

}  // namespace sluice::gold

#include "sluice/gold/gold_model.h"

#include <cctype>

#include "sluice/columnar/temporal.h"
#include "sluice/common/ascii.h"

namespace sluice::gold {
namespace {

using config::ConfigErrors;
using config::ConfigNode;
using config::MakeKey;
using config::SourceMark;
using config::ValueType;

config::KeySpec Required(config::KeySpec key) {
  key.required = true;
  return key;
}

config::KeySpec KindKey(const std::string& kind) {
  return Required(MakeKey("kind", ValueType::kEnum, "What the table is", "", {kind}, kind));
}

const config::ConfigSpec& FactDimensionSpec() {
  static const config::ConfigSpec spec(
      "dimension", "A dimension a fact row points to: its key is looked up by the fact's columns",
      {Required(MakeKey("table", ValueType::kString, "The gold dimension (or date dimension)", "",
                        {}, "gold.dim_customer")),
       Required(MakeKey("on", ValueType::kStringList,
                        "The fact's columns holding the dimension's business key (for a date "
                        "dimension: one date or timestamp column)",
                        "", {}, "customer_id")),
       MakeKey("as_of", ValueType::kString,
               "For an scd2 dimension: the fact's timestamp (or date) column; the version valid "
               "then is taken (default: the current version)",
               "", {}, "order_ts"),
       MakeKey("as", ValueType::kString,
               "The key column written to the fact (default: the dimension's surrogate key)", "",
               {}, "customer_key")});
  return spec;
}

bool IsColumnName(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  }
  return true;
}

std::optional<AggregateFunction> ParseFunction(std::string_view name) {
  if (name == "sum") return AggregateFunction::kSum;
  if (name == "count") return AggregateFunction::kCount;
  if (name == "count_distinct") return AggregateFunction::kCountDistinct;
  if (name == "avg") return AggregateFunction::kAvg;
  if (name == "min") return AggregateFunction::kMin;
  if (name == "max") return AggregateFunction::kMax;
  return std::nullopt;
}

// "sum(amount)", "count(*)", "count_distinct(customer_key)".
std::optional<Measure> ParseMeasure(const std::string& name, const ConfigNode& value,
                                    const std::string& where, ConfigErrors* errors) {
  const std::string text = std::string(TrimAsciiSpace(value.text()));
  const size_t open = text.find('(');
  const std::string usage =
      "; write function(column): sum, count, count_distinct, avg, min or max, e.g. sum(amount) "
      "or count(*)";
  if (open == std::string::npos || text.back() != ')') {
    errors->Add(value.mark(),
                where + ", measure '" + name + "': '" + text + "' is not a measure" + usage);
    return std::nullopt;
  }
  std::string function_name = std::string(TrimAsciiSpace(text.substr(0, open)));
  for (char& c : function_name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const std::string column =
      std::string(TrimAsciiSpace(text.substr(open + 1, text.size() - open - 2)));
  Measure measure;
  measure.name = name;
  measure.mark = value.mark();
  const std::optional<AggregateFunction> function = ParseFunction(function_name);
  if (!function) {
    errors->Add(value.mark(), where + ", measure '" + name + "': unknown function '" +
                                  function_name + "'" + usage);
    return std::nullopt;
  }
  measure.function = *function;
  if (column == "*") {
    if (*function != AggregateFunction::kCount) {
      errors->Add(value.mark(), where + ", measure '" + name + "': only count takes *");
      return std::nullopt;
    }
  } else if (!IsColumnName(column)) {
    errors->Add(value.mark(),
                where + ", measure '" + name + "': '" + column + "' is not a column name" + usage);
    return std::nullopt;
  } else {
    measure.column = column;
  }
  return measure;
}

}  // namespace

std::string_view ModelKindName(ModelKind kind) {
  switch (kind) {
    case ModelKind::kDimension:
      return "dimension";
    case ModelKind::kDateDimension:
      return "date_dimension";
    case ModelKind::kFact:
      return "fact";
    case ModelKind::kAggregate:
      return "aggregate";
  }
  return "dimension";
}

std::string_view AggregateFunctionName(AggregateFunction function) {
  switch (function) {
    case AggregateFunction::kSum:
      return "sum";
    case AggregateFunction::kCount:
      return "count";
    case AggregateFunction::kCountDistinct:
      return "count_distinct";
    case AggregateFunction::kAvg:
      return "avg";
    case AggregateFunction::kMin:
      return "min";
    case AggregateFunction::kMax:
      return "max";
  }
  return "count";
}

std::string DefaultSurrogateKey(const std::string& short_name) {
  std::string base = short_name;
  if (base.rfind("dim_", 0) == 0 && base.size() > 4) base = base.substr(4);
  return base + "_key";
}

std::vector<std::string> GoldModel::Reads() const {
  switch (kind) {
    case ModelKind::kDimension:
      return {dimension.from};
    case ModelKind::kDateDimension:
      return {};
    case ModelKind::kFact: {
      std::vector<std::string> reads = {fact.from};
      for (const FactDimension& dimension : fact.dimensions) reads.push_back(dimension.table);
      return reads;
    }
    case ModelKind::kAggregate:
      return {aggregate.from};
  }
  return {};
}

std::string GoldModel::ShortName() const {
  const size_t dot = name.find('.');
  return dot == std::string::npos ? name : name.substr(dot + 1);
}

const config::ConfigSpec& DimensionModelSpec() {
  static const config::ConfigSpec spec(
      "dimension",
      "A gold dimension: one row per business key (scd1) or per version (scd2), each with a "
      "stable integer surrogate key; key 0 is the unknown member",
      {KindKey("dimension"),
       Required(MakeKey("from", ValueType::kString, "The upstream lake table", "", {},
                        "silver.customers")),
       Required(MakeKey("key", ValueType::kStringList,
                        "The business key: the upstream columns identifying a member", "", {},
                        "customer_id")),
       MakeKey("history", ValueType::kEnum,
               "scd2: a change to a tracked column closes the current version and opens a new "
               "one (valid_from, valid_to, is_current); scd1: changes overwrite",
               "scd2", {"scd1", "scd2"}),
       MakeKey("columns", ValueType::kStringList,
               "The attributes kept (default: every upstream column but the key and _sluice_*)", "",
               {}, "[name, city, country]"),
       MakeKey("tracked", ValueType::kStringList,
               "scd2: the attributes whose changes make a new version (default: all); changes "
               "to the others overwrite every version of the member in place",
               "", {}, "[city, country]"),
       MakeKey("surrogate_key", ValueType::kString,
               "The surrogate key's column name (default: dim_customer → customer_key)", "", {},
               "customer_key"),
       MakeKey("valid_from", ValueType::kString,
               "The upstream timestamp column dating each change (default: the run's time); "
               "with it, a late-arriving change is put in its place in the history",
               "", {}, "updated_at"),
       MakeKey("close_missing", ValueType::kBool,
               "The upstream is a full snapshot: a member missing from it is closed (its current "
               "version ends, is_current false)",
               "false")});
  return spec;
}

const config::ConfigSpec& DateDimensionModelSpec() {
  static const config::ConfigSpec spec(
      "date_dimension",
      "A generated calendar, one row per day: date_key (yyyymmdd), date, year, quarter, month, "
      "month_name, day_of_month, day_of_year, day_of_week (1 = Monday), day_name, is_weekend, "
      "iso_week, iso_year, fiscal_year, fiscal_quarter, fiscal_period; date_key 0 is unknown",
      {KindKey("date_dimension"),
       MakeKey("start", ValueType::kString, "The first day", "2020-01-01"),
       MakeKey("end", ValueType::kString, "The last day", "2030-12-31"),
       MakeKey("fiscal_year_start", ValueType::kInt,
               "The month (1–12) the fiscal year begins; the fiscal year is named after the "
               "calendar year it ends in",
               "1", {}, "7")});
  return spec;
}

const config::ConfigSpec& FactModelSpec() {
  static const config::ConfigSpec spec = [] {
    std::vector<config::KeySpec> keys = {
        KindKey("fact"),
        Required(MakeKey("from", ValueType::kString, "The upstream lake table", "", {},
                         "silver.orders")),
        Required(MakeKey("grain", ValueType::kStringList,
                         "The columns identifying one fact row: checked unique, and the key "
                         "later runs merge by",
                         "", {}, "[order_id]"))};
    auto dimensions =
        MakeKey("dimensions", ValueType::kObjectMap, "The dimensions each row points to, by name");
    dimensions.object = &FactDimensionSpec();
    dimensions.example = "{customer: {table: gold.dim_customer, on: customer_id, as_of: order_ts}}";
    keys.push_back(dimensions);
    keys.push_back(MakeKey("measures", ValueType::kStringList,
                           "The numeric columns passed through (default, with degenerate: every "
                           "column but the dimensions' `on` columns)",
                           "", {}, "[quantity, amount]"));
    keys.push_back(MakeKey("degenerate", ValueType::kStringList,
                           "Dimension values kept on the fact itself", "", {},
                           "[order_id, status]"));
    return config::ConfigSpec(
        "fact",
        "A gold fact table: upstream rows at a declared grain with their dimensions' surrogate "
        "keys (point in time for scd2); a missing member gets key 0 and is counted",
        std::move(keys));
  }();
  return spec;
}

const config::ConfigSpec& AggregateModelSpec() {
  static const config::ConfigSpec spec(
      "aggregate",
      "A gold aggregate: group by columns with sum, count, count_distinct, avg, min, max; "
      "rebuilt when its upstream has a new version",
      {KindKey("aggregate"),
       Required(MakeKey("from", ValueType::kString, "The upstream lake table", "", {},
                        "gold.fact_sales")),
       MakeKey("derive", ValueType::kStringMap,
               "Columns computed before grouping: name: expression (docs/expressions.md)", "", {},
               "{month: \"date_trunc('month', order_date)\"}"),
       MakeKey("group_by", ValueType::kStringList, "The grouping columns (none: one row)", "", {},
               "[date_key]"),
       Required(MakeKey("measures", ValueType::kStringMap, "name: function(column)", "", {},
                        "{revenue: sum(amount), orders: count(*)}"))});
  return spec;
}

const config::ConfigSpec* GoldSpecForKind(std::string_view kind) {
  if (kind == "dimension") return &DimensionModelSpec();
  if (kind == "date_dimension") return &DateDimensionModelSpec();
  if (kind == "fact") return &FactModelSpec();
  if (kind == "aggregate") return &AggregateModelSpec();
  return nullptr;
}

std::optional<GoldModel> ParseGoldModel(const std::string& name, const SourceMark& name_mark,
                                        const ConfigNode& node, ConfigErrors* errors) {
  const std::string where = "table '" + name + "'";
  const ConfigNode* kind_node = node.Find("kind");
  if (kind_node == nullptr || !kind_node->IsScalar()) {
    errors->Add(name_mark, where +
                               ": a gold table needs 'kind': dimension, date_dimension, fact "
                               "or aggregate");
    return std::nullopt;
  }
  const config::ConfigSpec* spec = GoldSpecForKind(kind_node->text());
  if (spec == nullptr) {
    errors->Add(kind_node->mark(), where + ": unknown kind '" + kind_node->text() +
                                       "'; a gold table is a dimension, date_dimension, fact or "
                                       "aggregate");
    return std::nullopt;
  }
  const size_t before = errors->errors().size();
  spec->Validate(node, where, errors);
  if (errors->errors().size() != before) return std::nullopt;
  const config::ConfigValues values(&node, spec);
  GoldModel model;
  model.name = name;
  model.mark = name_mark;
  const std::string kind = kind_node->text();
  if (kind == "dimension") {
    model.kind = ModelKind::kDimension;
    DimensionSpec& d = model.dimension;
    d.from = values.String("from");
    d.key = values.StringList("key");
    d.history = values.String("history") == "scd1" ? History::kScd1 : History::kScd2;
    d.columns = values.StringList("columns");
    d.tracked = values.StringList("tracked");
    d.surrogate_key = values.Has("surrogate_key") ? values.String("surrogate_key")
                                                  : DefaultSurrogateKey(model.ShortName());
    d.valid_from = values.String("valid_from");
    d.close_missing = values.Bool("close_missing");
    if (d.key.empty()) errors->Add(values.Mark("key"), where + ": 'key' names no column");
    if (d.history == History::kScd1 && values.Has("tracked")) {
      errors->Add(values.Mark("tracked"),
                  where + ": 'tracked' applies to scd2 history; scd1 overwrites every change");
    }
    for (const std::string& column : d.tracked) {
      if (!d.columns.empty() &&
          std::find(d.columns.begin(), d.columns.end(), column) == d.columns.end()) {
        errors->Add(values.Mark("tracked"),
                    where + ": tracked column '" + column + "' is not among 'columns'");
      }
    }
    if (d.from == name) errors->Add(values.Mark("from"), where + " cannot read itself");
  } else if (kind == "date_dimension") {
    model.kind = ModelKind::kDateDimension;
    for (const char* key : {"start", "end"}) {
      int32_t days = 0;
      if (!columnar::ParseDate(values.String(key), columnar::DateOrder::kYMD, &days)) {
        errors->Add(values.Mark(key), where + ": '" + key +
                                          "' must be a date like 2020-01-01, not '" +
                                          values.String(key) + "'");
      }
      (std::string_view(key) == "start" ? model.date.start : model.date.end) = days;
    }
    if (model.date.end < model.date.start) {
      errors->Add(values.Mark("end"), where + ": 'end' is before 'start'");
    } else if (model.date.end - model.date.start > 200 * 366) {
      errors->Add(values.Mark("end"), where + ": more than 200 years of days; narrow start..end");
    }
    model.date.fiscal_year_start = static_cast<int>(values.Int("fiscal_year_start"));
    if (model.date.fiscal_year_start < 1 || model.date.fiscal_year_start > 12) {
      errors->Add(values.Mark("fiscal_year_start"),
                  where + ": 'fiscal_year_start' is a month, 1 to 12");
    }
  } else if (kind == "fact") {
    model.kind = ModelKind::kFact;
    FactSpec& f = model.fact;
    f.from = values.String("from");
    f.grain = values.StringList("grain");
    f.measures = values.StringList("measures");
    f.degenerate = values.StringList("degenerate");
    if (f.grain.empty()) errors->Add(values.Mark("grain"), where + ": 'grain' names no column");
    if (const ConfigNode* map = values.Node("dimensions"); map != nullptr && map->IsMap()) {
      for (const ConfigNode::Entry& entry : map->entries()) {
        const config::ConfigValues dimension_values(&entry.value, &FactDimensionSpec());
        FactDimension dimension;
        dimension.name = entry.key;
        dimension.mark = entry.key_mark;
        dimension.table = dimension_values.String("table");
        dimension.on = dimension_values.StringList("on");
        dimension.as_of = dimension_values.String("as_of");
        dimension.as = dimension_values.String("as");
        if (dimension.table.rfind("gold.", 0) != 0) {
          errors->Add(dimension_values.Mark("table"),
                      where + ", dimension '" + entry.key +
                          "': 'table' must be a gold dimension (gold.<name>), not '" +
                          dimension.table + "'");
        }
        if (dimension.on.empty()) {
          errors->Add(dimension_values.Mark("on"),
                      where + ", dimension '" + entry.key + "': 'on' names no column");
        }
        f.dimensions.push_back(std::move(dimension));
      }
    }
  } else {
    model.kind = ModelKind::kAggregate;
    AggregateSpec& a = model.aggregate;
    a.from = values.String("from");
    a.group_by = values.StringList("group_by");
    if (const ConfigNode* map = values.Node("derive"); map != nullptr && map->IsMap()) {
      for (const ConfigNode::Entry& entry : map->entries()) {
        if (auto written = silver::ParseWritten(entry.value, errors,
                                                where + ", derived column '" + entry.key + "'")) {
          a.derive.emplace_back(entry.key, std::move(*written));
        }
      }
    }
    if (const ConfigNode* map = values.Node("measures"); map != nullptr && map->IsMap()) {
      for (const ConfigNode::Entry& entry : map->entries()) {
        if (auto measure = ParseMeasure(entry.key, entry.value, where, errors)) {
          a.measures.push_back(std::move(*measure));
        }
      }
    }
    if (a.from == name) errors->Add(values.Mark("from"), where + " cannot read itself");
  }
  if (errors->errors().size() != before) return std::nullopt;
  return model;
}

Status ModelError(const GoldModel& model, const std::string& message) {
  return Status::InvalidArgument(
      config::ConfigError{model.mark, "table '" + model.name + "': " + message}.ToString());
}

Status MissingColumnError(const GoldModel& model, const std::string& what,
                          const std::string& column, const columnar::Schema& schema,
                          const std::string& of) {
  std::vector<std::string> names;
  for (const columnar::Field& field : schema.fields()) names.push_back(field.name);
  std::string message = what + " '" + column + "' is not a column of " + of;
  if (const std::string* near = config::ClosestName(column, names)) {
    message += "; did you mean '" + *near + "'?";
  }
  return ModelError(model, message);
}

}  // namespace sluice::gold

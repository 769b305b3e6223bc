#include "sluice/silver/silver_table.h"

#include <cctype>
#include <set>

#include "sluice/compute/expression_parser.h"

namespace sluice::silver {
namespace {

using config::ConfigErrors;
using config::ConfigNode;
using config::MakeKey;
using config::SourceMark;
using config::ValueType;

// Where character `offset` of a scalar's text is in the file.
SourceMark MarkAt(const ConfigNode& scalar, int offset) {
  SourceMark mark = scalar.mark();
  if (mark.column > 0) mark.column += offset + (scalar.quoted() ? 1 : 0);
  return mark;
}

config::KeySpec Required(config::KeySpec key) {
  key.required = true;
  return key;
}

const config::ConfigSpec& DedupeSpec() {
  static const config::ConfigSpec spec(
      "dedupe", "One row per key: the latest by an ordering column, across runs",
      {Required(MakeKey("key", ValueType::kStringList, "The columns that identify a row", "", {},
                        "[order_id]")),
       MakeKey("latest_by", ValueType::kString,
               "The row with the highest value wins (ties: the one read last); default: the one "
               "read last",
               "", {}, "updated_at"),
       MakeKey("apply_deletes", ValueType::kBool,
               "Change rows (a cdc source's _op column): a key whose latest row is a delete is "
               "removed from the table instead of kept",
               "false", {}, "true")});
  return spec;
}

const config::ConfigSpec& LookupSpecSpec() {
  static const config::ConfigSpec spec(
      "lookup", "A left join to a small lake table: each row gets the columns of its match",
      {Required(MakeKey("table", ValueType::kString, "The lake table to look up in", "", {},
                        "silver.products")),
       Required(MakeKey("on", ValueType::kStringList,
                        "The key columns, named alike in both tables (unique in the lookup "
                        "table)")),
       Required(MakeKey("columns", ValueType::kStringList, "The columns to take"))});
  return spec;
}

std::optional<Severity> ParseSeverity(std::string_view text) {
  if (text == "warn") return Severity::kWarn;
  if (text == "quarantine") return Severity::kQuarantine;
  if (text == "fail") return Severity::kFail;
  return std::nullopt;
}

std::optional<CheckKind> ParseCheckKind(std::string_view text) {
  for (CheckKind kind : {CheckKind::kNotNull, CheckKind::kUnique, CheckKind::kAcceptedValues,
                         CheckKind::kRange, CheckKind::kRegex, CheckKind::kRelationships,
                         CheckKind::kRowCount, CheckKind::kFreshness, CheckKind::kCustom}) {
    if (CheckKindName(kind) == text) return kind;
  }
  return std::nullopt;
}

}  // namespace

std::optional<WrittenExpression> ParseWritten(const ConfigNode& scalar, ConfigErrors* errors,
                                              const std::string& what) {
  WrittenExpression written;
  written.text = scalar.text();
  written.mark = MarkAt(scalar, 0);
  compute::ExpressionError error;
  Result<compute::ExprPtr> parsed = compute::ParseExpression(written.text, &error);
  if (!parsed.ok()) {
    errors->Add(MarkAt(scalar, error.offset), what + ": " + error.message);
    return std::nullopt;
  }
  written.parsed = *parsed;
  return written;
}

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kWarn:
      return "warn";
    case Severity::kQuarantine:
      return "quarantine";
    case Severity::kFail:
      return "fail";
  }
  return "?";
}

std::string_view CheckKindName(CheckKind kind) {
  switch (kind) {
    case CheckKind::kNotNull:
      return "not_null";
    case CheckKind::kUnique:
      return "unique";
    case CheckKind::kAcceptedValues:
      return "accepted_values";
    case CheckKind::kRange:
      return "range";
    case CheckKind::kRegex:
      return "regex";
    case CheckKind::kRelationships:
      return "relationships";
    case CheckKind::kRowCount:
      return "row_count";
    case CheckKind::kFreshness:
      return "freshness";
    case CheckKind::kCustom:
      return "custom";
  }
  return "?";
}

const config::ConfigSpec& CheckSpecSpec() {
  static const config::ConfigSpec spec = [] {
    std::vector<config::KeySpec> keys;
    keys.push_back(Required(MakeKey("check", ValueType::kEnum, "What is checked", "",
                                    {"not_null", "unique", "accepted_values", "range", "regex",
                                     "relationships", "row_count", "freshness", "custom"})));
    keys.push_back(MakeKey("severity", ValueType::kEnum,
                           "warn: reported; quarantine: the failing rows go to "
                           "quarantine/<table>, the rest continue; fail: the task fails and "
                           "nothing is committed",
                           "fail", {"warn", "quarantine", "fail"}));
    keys.push_back(MakeKey("column", ValueType::kString, "The checked column", "", {}, "status"));
    keys.push_back(MakeKey("columns", ValueType::kStringList,
                           "not_null, unique: the checked columns (unique: together)", "", {},
                           "[order_id]"));
    keys.push_back(MakeKey("values", ValueType::kStringList, "accepted_values: the allowed values",
                           "", {}, "[placed, shipped, delivered]"));
    keys.push_back(MakeKey("min", ValueType::kString,
                           "range: the lowest allowed value; row_count: the fewest rows", "", {},
                           "1"));
    keys.push_back(MakeKey("max", ValueType::kString,
                           "range: the highest allowed value; row_count: the most rows", "", {},
                           "1000"));
    keys.push_back(MakeKey("pattern", ValueType::kString,
                           "regex: an RE2 pattern each value must contain a match of (anchor "
                           "with ^ and $)",
                           "", {}, "'^[^@]+@[^@]+$'"));
    keys.push_back(MakeKey("to", ValueType::kString,
                           "relationships: the lake table every key must exist in", "", {},
                           "silver.customers"));
    keys.push_back(MakeKey("field", ValueType::kString,
                           "relationships: the key column in that table (default: the same "
                           "name)"));
    keys.push_back(MakeKey("within", ValueType::kDuration,
                           "freshness: the newest value must be at most this old", "", {}, "2d"));
    keys.push_back(MakeKey("expression", ValueType::kString,
                           "custom: a condition every row must meet (false fails; null passes)", "",
                           {}, "quantity * unit_price < 10000"));
    return config::ConfigSpec("check",
                              "A data-quality check of a silver table; rows that are null pass "
                              "every check but not_null",
                              std::move(keys));
  }();
  return spec;
}

const config::ConfigSpec& SilverTableSpec() {
  static const config::ConfigSpec spec = [] {
    std::vector<config::KeySpec> keys;
    keys.push_back(MakeKey("kind", ValueType::kEnum, "What the table is", "silver", {"silver"}));
    keys.push_back(Required(MakeKey("from", ValueType::kStringList,
                                    "The upstream lake tables; several are a union by column name",
                                    "", {}, "bronze.orders")));
    keys.push_back(MakeKey("naming", ValueType::kEnum,
                           "snake_case: every column name standardized (OrderID → order_id)",
                           "as_is", {"as_is", "snake_case"}));
    keys.push_back(MakeKey("rename", ValueType::kStringMap, "Columns renamed: old: new", "", {},
                           "{cust_id: customer_id}"));
    keys.push_back(MakeKey("select", ValueType::kStringList, "Only these columns, in this order"));
    keys.push_back(MakeKey("exclude", ValueType::kStringList, "Every column but these"));
    keys.push_back(MakeKey("keep_audit_columns", ValueType::kBool,
                           "Keep bronze's _sluice_* audit columns", "false"));
    keys.push_back(MakeKey("trim", ValueType::kBool,
                           "Trim leading and trailing spaces of every string value", "false"));
    keys.push_back(MakeKey("empty_as_null", ValueType::kBool,
                           "Empty strings (after trim) become null", "false"));
    keys.push_back(MakeKey("cast", ValueType::kStringMap,
                           "Columns converted: column: type (a value that does not convert goes "
                           "to quarantine)",
                           "", {}, "{quantity: int32}"));
    keys.push_back(MakeKey("derive", ValueType::kStringMap,
                           "New or replaced columns: name: expression (docs/expressions.md), in "
                           "order; each sees the ones before",
                           "", {}, "{amount: quantity * unit_price}"));
    keys.push_back(MakeKey("nulls", ValueType::kStringMap,
                           "What a null in a column does: drop (the row), quarantine, fail (the "
                           "task), or default <expression>",
                           "", {}, "{channel: \"default 'unknown'\", order_id: fail}"));
    keys.push_back(MakeKey("filter", ValueType::kStringList,
                           "Conditions a row must meet to be kept (others are dropped and "
                           "counted)",
                           "", {}, "status <> 'test'"));
    auto lookup = MakeKey("lookup", ValueType::kObject, "A left join to a small lake table");
    lookup.object = &LookupSpecSpec();
    lookup.example = "{table: silver.products, on: [product_id], columns: [name]}";
    keys.push_back(lookup);
    auto dedupe = MakeKey("dedupe", ValueType::kObject,
                          "One row per key, the latest by an ordering column, across runs");
    dedupe.object = &DedupeSpec();
    dedupe.example = "{key: [customer_id], latest_by: updated_at}";
    keys.push_back(dedupe);
    auto checks = MakeKey("checks", ValueType::kObjectMap, "Data-quality checks, by name");
    checks.object = &CheckSpecSpec();
    keys.push_back(checks);
    keys.push_back(MakeKey("mask", ValueType::kStringMap,
                           "PII masks: column: hmac | sha256 | mask(N) | redact | redact('text') "
                           "| email_domain | truncate_date(unit) | tokenize",
                           "", {}, "{email: hmac, phone: mask(4)}"));
    keys.push_back(MakeKey("max_rejects", ValueType::kString,
                           "The most rows one run may quarantine: a count or a share (5%); "
                           "beyond it the task fails and commits nothing",
                           "", {}, "1%"));
    return config::ConfigSpec("silver",
                              "A silver table: upstream lake tables cleaned, de-duplicated, "
                              "masked and checked (docs/silver.md)",
                              std::move(keys));
  }();
  return spec;
}

std::string SnakeCase(std::string_view name) {
  std::string out;
  for (size_t i = 0; i < name.size(); ++i) {
    const auto c = static_cast<unsigned char>(name[i]);
    if (std::isalnum(c) == 0) {
      if (!out.empty() && out.back() != '_') out += '_';
      continue;
    }
    if (std::isupper(c) != 0) {
      const bool after_lower =
          i > 0 && (std::islower(static_cast<unsigned char>(name[i - 1])) != 0 ||
                    std::isdigit(static_cast<unsigned char>(name[i - 1])) != 0);
      const bool before_lower =
          i > 0 && std::isupper(static_cast<unsigned char>(name[i - 1])) != 0 &&
          i + 1 < name.size() && std::islower(static_cast<unsigned char>(name[i + 1])) != 0;
      if ((after_lower || before_lower) && !out.empty() && out.back() != '_') out += '_';
      out += static_cast<char>(std::tolower(c));
    } else {
      out += static_cast<char>(c);
    }
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out.empty() ? std::string(name) : out;
}

std::vector<std::string> SilverTable::Reads() const {
  std::vector<std::string> tables = from;
  auto add = [&](const std::string& table) {
    if (std::find(tables.begin(), tables.end(), table) == tables.end()) tables.push_back(table);
  };
  if (lookup) add(lookup->table);
  for (const CheckSpec& check : checks) {
    if (check.kind == CheckKind::kRelationships) add(check.to_table);
  }
  return tables;
}

namespace {

// The entries of the map under `key`, or nullptr.
const std::vector<ConfigNode::Entry>* EntriesOf(const config::ConfigValues& values,
                                                std::string_view key) {
  const ConfigNode* map = values.Node(key);
  return map != nullptr && map->IsMap() ? &map->entries() : nullptr;
}

// One `nulls:` entry: drop, quarantine, fail or default <expression>.
std::optional<NullRule> ParseNullRule(const ConfigNode::Entry& entry, const std::string& where,
                                      ConfigErrors* errors) {
  NullRule rule;
  rule.column = entry.key;
  rule.mark = entry.value.mark();
  const std::string& text = entry.value.text();
  if (text == "drop") {
    rule.action = NullAction::kDrop;
  } else if (text == "quarantine") {
    rule.action = NullAction::kQuarantine;
  } else if (text == "fail") {
    rule.action = NullAction::kFail;
  } else if (text.starts_with("default ")) {
    rule.action = NullAction::kDefault;
    compute::ExpressionError error;
    const std::string expression = text.substr(8);
    Result<compute::ExprPtr> parsed = compute::ParseExpression(expression, &error);
    if (!parsed.ok()) {
      errors->Add(MarkAt(entry.value, 8 + error.offset),
                  where + ", null rule of '" + entry.key + "': " + error.message);
      return std::nullopt;
    }
    rule.default_value = {expression, MarkAt(entry.value, 8), *parsed};
  } else {
    errors->Add(entry.value.mark(),
                where + ": the null rule of '" + entry.key +
                    "' must be drop, quarantine, fail or default <value> (e.g. default "
                    "'unknown'), not '" +
                    text + "'");
    return std::nullopt;
  }
  return rule;
}

// rename, cast, derive, nulls, filter and mask: the per-column steps of the table.
void ParseColumnSteps(const config::ConfigValues& values, const std::string& where,
                      SilverTable* table, ConfigErrors* errors) {
  if (const auto* list = EntriesOf(values, "rename")) {
    for (const ConfigNode::Entry& entry : *list) {
      table->rename.emplace_back(entry.key, entry.value.text());
    }
  }
  if (const auto* list = EntriesOf(values, "cast")) {
    for (const ConfigNode::Entry& entry : *list) {
      Result<columnar::DataType> type = columnar::DataType::Parse(entry.value.text());
      if (!type.ok()) {
        errors->Add(entry.value.mark(),
                    where + ": cast of '" + entry.key + "': " + type.status().message());
        continue;
      }
      table->cast.emplace_back(entry.key, *type);
    }
  }
  if (const auto* list = EntriesOf(values, "derive")) {
    for (const ConfigNode::Entry& entry : *list) {
      if (auto written =
              ParseWritten(entry.value, errors, where + ", derived column '" + entry.key + "'")) {
        table->derive.emplace_back(entry.key, std::move(*written));
      }
    }
  }
  if (const auto* list = EntriesOf(values, "nulls")) {
    for (const ConfigNode::Entry& entry : *list) {
      if (auto rule = ParseNullRule(entry, where, errors)) table->nulls.push_back(std::move(*rule));
    }
  }
  if (const ConfigNode* filters = values.Node("filter")) {
    std::vector<const ConfigNode*> items;
    if (filters->IsSequence()) {
      for (const ConfigNode& item : filters->items()) items.push_back(&item);
    } else if (filters->IsScalar()) {
      items.push_back(filters);
    }
    for (const ConfigNode* item : items) {
      if (auto written = ParseWritten(*item, errors, where + ", filter")) {
        table->filters.push_back(std::move(*written));
      }
    }
  }
  if (const auto* list = EntriesOf(values, "mask")) {
    for (const ConfigNode::Entry& entry : *list) {
      Result<MaskRule> rule = ParseMaskRule(entry.value.text());
      if (!rule.ok()) {
        errors->Add(entry.value.mark(),
                    where + ": mask of '" + entry.key + "': " + rule.status().message());
        continue;
      }
      table->masks.emplace_back(entry.key, *rule);
    }
  }
}

// lookup, dedupe and max_rejects.
void ParseTableSteps(const config::ConfigValues& values, const std::string& where,
                     SilverTable* table, ConfigErrors* errors) {
  if (const ConfigNode* lookup = values.Node("lookup"); lookup != nullptr && lookup->IsMap()) {
    const config::ConfigValues lookup_values(lookup, &LookupSpecSpec());
    table->lookup = LookupSpec{lookup_values.String("table"), lookup_values.StringList("on"),
                               lookup_values.StringList("columns"), lookup->mark()};
  }
  if (const ConfigNode* dedupe = values.Node("dedupe"); dedupe != nullptr && dedupe->IsMap()) {
    const config::ConfigValues dedupe_values(dedupe, &DedupeSpec());
    table->dedupe_key = dedupe_values.StringList("key");
    table->latest_by = dedupe_values.String("latest_by");
    table->apply_deletes = dedupe_values.Bool("apply_deletes");
    if (table->dedupe_key.empty()) {
      errors->Add(dedupe_values.Mark("key"), where + ": dedupe needs at least one key column");
    }
  }
  Result<formats::RejectPolicy> policy =
      formats::RejectPolicy::Parse("quarantine", values.String("max_rejects"));
  if (!policy.ok()) {
    errors->Add(values.Mark("max_rejects"), where + ": " + policy.status().message());
  } else {
    table->rejects = *policy;
  }
}

// The settings only some kinds of check take (values, min/max, pattern, to, within,
// expression), each required by its kind.
void ParseCheckSettings(const config::ConfigValues& check_values, const ConfigNode::Entry& entry,
                        const std::string& what, CheckSpec* check, ConfigErrors* errors) {
  auto need = [&](std::string_view key) {
    if (check_values.Has(key)) return true;
    errors->Add(entry.key_mark, what + " needs '" + std::string(key) + "'");
    return false;
  };
  if (check_values.Has("min")) check->min = check_values.String("min");
  if (check_values.Has("max")) check->max = check_values.String("max");
  switch (check->kind) {
    case CheckKind::kAcceptedValues:
      if (need("values")) check->values = check_values.StringList("values");
      break;
    case CheckKind::kRange:
    case CheckKind::kRowCount:
      if (!check->min && !check->max) {
        errors->Add(entry.key_mark, what + " needs 'min', 'max' or both");
      }
      break;
    case CheckKind::kRegex:
      if (need("pattern")) check->pattern = check_values.String("pattern");
      break;
    case CheckKind::kRelationships:
      if (need("to")) check->to_table = check_values.String("to");
      check->to_column = check_values.Has("field") ? check_values.String("field")
                         : check->columns.empty()  ? ""
                                                   : check->columns[0];
      break;
    case CheckKind::kFreshness:
      if (need("within")) check->within_ms = check_values.DurationMs("within");
      break;
    case CheckKind::kCustom:
      if (need("expression")) {
        if (auto written = ParseWritten(*check_values.Node("expression"), errors, what)) {
          check->expression = std::move(*written);
        }
      }
      break;
    default:
      break;
  }
}

// One `checks:` entry (nullopt when its kind is unknown: the spec reports it).
std::optional<CheckSpec> ParseCheck(const ConfigNode::Entry& entry, const std::string& where,
                                    ConfigErrors* errors) {
  const config::ConfigValues check_values(&entry.value, &CheckSpecSpec());
  const std::optional<CheckKind> kind = ParseCheckKind(check_values.String("check"));
  if (!kind) return std::nullopt;
  CheckSpec check;
  check.name = entry.key;
  check.kind = *kind;
  check.mark = entry.key_mark;
  check.severity = ParseSeverity(check_values.String("severity")).value_or(Severity::kFail);
  const std::string what =
      where + ", check '" + entry.key + "' (" + std::string(CheckKindName(*kind)) + ")";
  if (check_values.Has("columns")) check.columns = check_values.StringList("columns");
  if (check_values.Has("column")) {
    check.columns.insert(check.columns.begin(), check_values.String("column"));
  }
  const bool needs_columns = *kind != CheckKind::kRowCount && *kind != CheckKind::kCustom;
  if (needs_columns && check.columns.empty()) {
    errors->Add(entry.key_mark, what + " needs 'column' (or 'columns')");
  }
  ParseCheckSettings(check_values, entry, what, &check, errors);
  if (!check.row_level() && check.severity == Severity::kQuarantine) {
    errors->Add(check_values.Mark("severity"),
                what + " judges the whole run, so it cannot quarantine rows; use warn or fail");
  }
  if (check.row_level() && check.kind != CheckKind::kNotNull && check.kind != CheckKind::kUnique &&
      check.columns.size() > 1) {
    errors->Add(entry.key_mark, what + " checks one column");
  }
  return check;
}

}  // namespace

std::optional<SilverTable> ParseSilverTable(const std::string& name, const SourceMark& name_mark,
                                            const ConfigNode& node, ConfigErrors* errors) {
  const size_t errors_before = errors->errors().size();
  const config::ConfigValues values(&node, &SilverTableSpec());
  SilverTable table;
  table.name = name;
  table.mark = name_mark;
  table.from = values.StringList("from");
  table.snake_case = values.String("naming") == "snake_case";
  table.select = values.StringList("select");
  table.exclude = values.StringList("exclude");
  table.keep_audit_columns = values.Bool("keep_audit_columns");
  table.trim = values.Bool("trim");
  table.empty_as_null = values.Bool("empty_as_null");
  const std::string where = "table '" + name + "'";
  if (!table.select.empty() && !table.exclude.empty()) {
    errors->Add(values.Mark("exclude"), where + ": use select or exclude, not both");
  }
  for (const std::string& upstream : table.from) {
    if (upstream == name) errors->Add(values.Mark("from"), where + " cannot read itself");
  }
  ParseColumnSteps(values, where, &table, errors);
  ParseTableSteps(values, where, &table, errors);
  if (const auto* list = EntriesOf(values, "checks")) {
    for (const ConfigNode::Entry& entry : *list) {
      if (!entry.value.IsMap()) continue;  // reported by the spec
      if (auto check = ParseCheck(entry, where, errors)) table.checks.push_back(std::move(*check));
    }
  }
  if (errors->errors().size() != errors_before) return std::nullopt;
  return table;
}

}  // namespace sluice::silver

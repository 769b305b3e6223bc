#include "sluice/lake/delta_schema.h"

#include <algorithm>

#include <cctype>
#include <charconv>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "sluice/common/ascii.h"

namespace sluice::lake {

using columnar::DataType;
using columnar::Field;
using columnar::Schema;
using columnar::TypeId;

namespace {

constexpr std::string_view kSluiceTypeKey = "sluice.type";

// A JSON string literal for `text` (invalid UTF-8 is replaced rather than thrown on).
std::string JsonString(std::string_view text) {
  return nlohmann::json(std::string(text))
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string Quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

std::string FieldLabel(size_t index, const std::string& name) {
  return "Delta schema: field " + std::to_string(index) +
         (name.empty() ? std::string() : " " + Quoted(name));
}

bool ParseInt(std::string_view text, int* out) {
  text = TrimSpaces(text);
  if (text.empty()) return false;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return error == std::errc() && end == text.data() + text.size();
}

// "decimal(p,s)" (spaces allowed around the numbers) or plain "decimal" (Spark's decimal(10,0)).
std::optional<DataType> ParseDecimalTypeName(std::string_view name) {
  if (name == "decimal") return DataType::Decimal(10, 0);
  constexpr std::string_view kPrefix = "decimal(";
  if (name.substr(0, kPrefix.size()) != kPrefix || name.back() != ')') return std::nullopt;
  const std::string_view inner = name.substr(kPrefix.size(), name.size() - kPrefix.size() - 1);
  const size_t comma = inner.find(',');
  if (comma == std::string_view::npos) return std::nullopt;
  int precision = 0;
  int scale = 0;
  if (!ParseInt(inner.substr(0, comma), &precision) || !ParseInt(inner.substr(comma + 1), &scale)) {
    return std::nullopt;
  }
  if (precision < 1 || precision > columnar::kMaxDecimalPrecision || scale < 0 ||
      scale > precision) {
    return std::nullopt;
  }
  return DataType::Decimal(precision, scale);
}

Result<DataType> ParsePrimitiveType(std::string_view name, const std::string& label) {
  if (name == "long") return DataType::Int64();
  if (name == "integer" || name == "short" || name == "byte") return DataType::Int32();
  if (name == "float" || name == "double") return DataType::Float64();
  if (name == "string") return DataType::String();
  if (name == "binary") return DataType::Binary();
  if (name == "boolean") return DataType::Bool();
  if (name == "date") return DataType::Date();
  if (name == "timestamp" || name == "timestamp_ntz") return DataType::Timestamp();
  if (name.substr(0, 7) == "decimal") {
    std::optional<DataType> decimal = ParseDecimalTypeName(name);
    if (decimal) return *decimal;
    return Status::DataError(label + ": invalid decimal type " + Quoted(name) +
                             " (expected decimal(p,s) with 1 <= p <= 38 and 0 <= s <= p)");
  }
  return Status::DataError(label + ": unknown type " + Quoted(name));
}

Result<Field> ParseField(const nlohmann::json& json, size_t index) {
  if (!json.is_object()) {
    return Status::DataError(FieldLabel(index, "") + ": expected a JSON object");
  }
  const auto name = json.find("name");
  if (name == json.end() || !name->is_string()) {
    return Status::DataError(FieldLabel(index, "") + ": missing string key \"name\"");
  }
  Field field;
  field.name = name->get<std::string>();
  const std::string label = FieldLabel(index, field.name);
  const auto type = json.find("type");
  if (type == json.end()) return Status::DataError(label + ": missing key \"type\"");
  const auto nullable = json.find("nullable");
  if (nullable == json.end() || !nullable->is_boolean()) {
    return Status::DataError(label + ": missing boolean key \"nullable\"");
  }
  field.nullable = nullable->get<bool>();
  if (type->is_object()) {
    // struct, array or map: read as JSON text.
    const auto kind = type->find("type");
    if (kind == type->end() || !kind->is_string()) {
      return Status::DataError(label + ": nested type without a string \"type\" key");
    }
    field.type = DataType::Json();
    return field;
  }
  if (!type->is_string()) {
    return Status::DataError(label + ": \"type\" must be a string or an object");
  }
  SLUICE_ASSIGN_OR_RETURN(field.type,
                          ParsePrimitiveType(type->get_ref<const std::string&>(), label));
  const auto metadata = json.find("metadata");
  if (metadata != json.end()) {
    if (!metadata->is_object())
      return Status::DataError(label + ": \"metadata\" must be an object");
    const auto sluice_type = metadata->find(kSluiceTypeKey);
    if (sluice_type != metadata->end() && sluice_type->is_string()) {
      const std::string& value = sluice_type->get_ref<const std::string&>();
      if (value == "time" && field.type.id() == TypeId::kInt64) field.type = DataType::Time();
      if (value == "json" && field.type.id() == TypeId::kString) field.type = DataType::Json();
    }
  }
  return field;
}

// Parses `schema_string` and checks the struct envelope; returns the "fields" array's elements.
Result<nlohmann::json> ParseEnvelope(std::string_view schema_string) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(schema_string);
  } catch (const nlohmann::json::exception& exception) {
    return Status::DataError(std::string("Delta schema: malformed JSON: ") + exception.what());
  }
  if (!json.is_object()) return Status::DataError("Delta schema: expected a JSON object");
  const auto type = json.find("type");
  if (type == json.end() || !type->is_string() || type->get_ref<const std::string&>() != "struct") {
    return Status::DataError("Delta schema: missing \"type\":\"struct\" at the top level");
  }
  auto fields = json.find("fields");
  if (fields == json.end() || !fields->is_array()) {
    return Status::DataError("Delta schema: missing \"fields\" array");
  }
  return std::move(*fields);
}

std::string FieldJson(const Field& field, bool nullable) {
  std::string out = "{\"name\":";
  out += JsonString(field.name);
  out += ",\"type\":";
  out += JsonString(DeltaTypeName(field.type));
  out += nullable ? ",\"nullable\":true" : ",\"nullable\":false";
  out += ",\"metadata\":";
  switch (field.type.id()) {
    case TypeId::kTime:
      out += "{\"sluice.type\":\"time\"}";
      break;
    case TypeId::kJson:
      out += "{\"sluice.type\":\"json\"}";
      break;
    default:
      out += "{}";
      break;
  }
  out += '}';
  return out;
}

// Returns the index just past the string literal starting at text[start] == '"', or npos.
size_t SkipString(std::string_view text, size_t start) {
  for (size_t i = start + 1; i < text.size(); ++i) {
    if (text[i] == '\\') {
      ++i;
    } else if (text[i] == '"') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

size_t SkipSpace(std::string_view text, size_t i) {
  while (i < text.size() &&
         (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r')) {
    ++i;
  }
  return i;
}

// In valid JSON text whose root object has a "fields" array, finds that array: returns the index
// of its closing ']' and sets *empty when it has no elements. npos when not found.
size_t FindFieldsArrayEnd(std::string_view text, bool* empty) {
  int depth = 0;
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"') {
      const size_t end = SkipString(text, i);
      if (end == std::string_view::npos) return end;
      const size_t after = SkipSpace(text, end);
      if (depth == 1 && after < text.size() && text[after] == ':' &&
          text.substr(i + 1, end - i - 2) == "fields") {
        const size_t open = SkipSpace(text, after + 1);
        if (open >= text.size() || text[open] != '[') return std::string_view::npos;
        *empty = true;
        int inner = 0;
        for (size_t j = open + 1; j < text.size();) {
          const char d = text[j];
          if (d == '"') {
            *empty = false;
            j = SkipString(text, j);
            if (j == std::string_view::npos) return j;
            continue;
          }
          if (d == '{' || d == '[') {
            ++inner;
          } else if (d == '}' || d == ']') {
            if (inner == 0) return j;
            --inner;
          }
          if (d != ' ' && d != '\t' && d != '\n' && d != '\r') *empty = false;
          ++j;
        }
        return std::string_view::npos;
      }
      i = end;
      continue;
    }
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
    }
    ++i;
  }
  return std::string_view::npos;
}

// True when a value of type `from` converts to `to` without loss.
bool WidensTo(DataType from, DataType to) {
  if (from == to) return true;
  const TypeId a = from.id();
  const TypeId b = to.id();
  if (a == TypeId::kInt32 && (b == TypeId::kInt64 || b == TypeId::kFloat64)) return true;
  if (b == TypeId::kDecimal) {
    const int integer_digits = to.precision() - to.scale();
    if (a == TypeId::kInt32) return integer_digits >= 10;
    if (a == TypeId::kInt64) return integer_digits >= 19;
    if (a == TypeId::kDecimal) {
      return to.scale() >= from.scale() && integer_digits >= from.precision() - from.scale();
    }
  }
  return false;
}

}  // namespace

std::string DeltaTypeName(DataType type) {
  switch (type.id()) {
    case TypeId::kBool:
      return "boolean";
    case TypeId::kInt32:
      return "integer";
    case TypeId::kInt64:
    case TypeId::kTime:
      return "long";
    case TypeId::kFloat64:
      return "double";
    case TypeId::kDecimal:
      return "decimal(" + std::to_string(type.precision()) + "," + std::to_string(type.scale()) +
             ")";
    case TypeId::kString:
    case TypeId::kJson:
      return "string";
    case TypeId::kBinary:
      return "binary";
    case TypeId::kDate:
      return "date";
    case TypeId::kTimestamp:
      return "timestamp";
  }
  return "string";
}

Result<Schema> ParseDeltaSchema(std::string_view schema_string) {
  SLUICE_ASSIGN_OR_RETURN(nlohmann::json fields, ParseEnvelope(schema_string));
  std::vector<Field> out;
  out.reserve(fields.size());
  std::set<std::string> names;
  for (size_t i = 0; i < fields.size(); ++i) {
    SLUICE_ASSIGN_OR_RETURN(Field field, ParseField(fields[i], i));
    if (!names.insert(AsciiLower(field.name)).second) {
      return Status::DataError("Delta schema: duplicate column " + Quoted(field.name));
    }
    out.push_back(std::move(field));
  }
  return Schema(std::move(out));
}

Result<std::vector<PhysicalColumn>> ParsePhysicalColumns(std::string_view schema_string,
                                                         bool need_ids) {
  SLUICE_ASSIGN_OR_RETURN(nlohmann::json fields, ParseEnvelope(schema_string));
  std::vector<PhysicalColumn> columns;
  for (size_t i = 0; i < fields.size(); ++i) {
    const nlohmann::json& field = fields[i];
    PhysicalColumn column;
    if (field.contains("name") && field["name"].is_string()) column.name = field["name"];
    const auto metadata = field.find("metadata");
    if (metadata != field.end() && metadata->is_object()) {
      const auto physical = metadata->find("delta.columnMapping.physicalName");
      if (physical != metadata->end() && physical->is_string()) column.physical_name = *physical;
      const auto id = metadata->find("delta.columnMapping.id");
      if (id != metadata->end() && id->is_number_integer()) {
        const int64_t value = id->get<int64_t>();
        if (value >= 0 && value <= INT32_MAX) column.field_id = static_cast<int32_t>(value);
      }
    }
    if (field.contains("type") && field["type"].is_object())
      column.nested_type = field["type"].dump();
    if (column.physical_name.empty()) {
      return Status::DataError("Delta schema: column " + Quoted(column.name) +
                               " has no delta.columnMapping.physicalName in a column-mapped table");
    }
    if (need_ids && !column.field_id.has_value()) {
      return Status::DataError("Delta schema: column " + Quoted(column.name) +
                               " has no delta.columnMapping.id in a table mapped by id");
    }
    columns.push_back(std::move(column));
  }
  return columns;
}

struct NestedFieldRenamer::Impl {
  nlohmann::json type;

  // Rewrites `value` (of Delta type `type`) in place.
  static void Walk(const nlohmann::json& type, nlohmann::json* value) {
    if (!type.is_object() || value->is_null()) return;
    const std::string kind = type.value("type", "");
    if (kind == "struct" && value->is_object() && type.contains("fields")) {
      nlohmann::json renamed = nlohmann::json::object();
      for (const nlohmann::json& field : type["fields"]) {
        const std::string name = field.value("name", "");
        std::string physical = name;
        if (field.contains("metadata") && field["metadata"].is_object()) {
          physical = field["metadata"].value("delta.columnMapping.physicalName", name);
        }
        auto it = value->find(physical);
        if (it == value->end()) it = value->find(name);
        if (it == value->end()) continue;
        nlohmann::json child = *it;
        if (field.contains("type")) Walk(field["type"], &child);
        renamed[name] = std::move(child);
      }
      *value = std::move(renamed);
    } else if (kind == "array" && value->is_array() && type.contains("elementType")) {
      for (nlohmann::json& element : *value) Walk(type["elementType"], &element);
    } else if (kind == "map" && value->is_object() && type.contains("valueType")) {
      for (auto& [key, element] : value->items()) Walk(type["valueType"], &element);
    }
  }
};

NestedFieldRenamer::NestedFieldRenamer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
NestedFieldRenamer::~NestedFieldRenamer() = default;

Result<std::shared_ptr<const NestedFieldRenamer>> NestedFieldRenamer::Make(
    std::string_view nested_type) {
  auto impl = std::make_unique<Impl>();
  impl->type = nlohmann::json::parse(nested_type, nullptr, false);
  if (impl->type.is_discarded() || !impl->type.is_object()) {
    return Status::DataError("Delta schema: a nested type that is not a JSON object");
  }
  return std::shared_ptr<const NestedFieldRenamer>(new NestedFieldRenamer(std::move(impl)));
}

std::string NestedFieldRenamer::Apply(std::string_view json) const {
  nlohmann::json value = nlohmann::json::parse(json, nullptr, false);
  if (value.is_discarded()) return std::string(json);
  Impl::Walk(impl_->type, &value);
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string DeltaSchemaString(const Schema& schema) {
  std::string out = "{\"type\":\"struct\",\"fields\":[";
  for (size_t i = 0; i < schema.num_fields(); ++i) {
    if (i > 0) out += ',';
    out += FieldJson(schema.field(i), schema.field(i).nullable);
  }
  out += "]}";
  return out;
}

Result<std::string> AddColumnsToSchemaString(std::string_view schema_string,
                                             const std::vector<Field>& new_fields) {
  SLUICE_ASSIGN_OR_RETURN(nlohmann::json fields, ParseEnvelope(schema_string));
  std::set<std::string> names;
  for (size_t i = 0; i < fields.size(); ++i) {
    const nlohmann::json& field = fields[i];
    if (!field.is_object() || !field.contains("name") || !field["name"].is_string()) {
      return Status::DataError(FieldLabel(i, "") + ": missing string key \"name\"");
    }
    names.insert(AsciiLower(field["name"].get_ref<const std::string&>()));
  }
  std::string addition;
  for (const Field& field : new_fields) {
    if (!names.insert(AsciiLower(field.name)).second) {
      return Status::InvalidArgument("cannot add column " + Quoted(field.name) +
                                     " to the Delta schema: a column with that name exists");
    }
    if (!addition.empty()) addition += ',';
    addition += FieldJson(field, /*nullable=*/true);
  }
  if (addition.empty()) return std::string(schema_string);
  bool empty = true;
  const size_t end = FindFieldsArrayEnd(schema_string, &empty);
  if (end == std::string_view::npos) {
    return Status::DataError("Delta schema: cannot locate the \"fields\" array");
  }
  std::string out;
  out.reserve(schema_string.size() + addition.size() + 1);
  out.append(schema_string.substr(0, end));
  if (!empty) out += ',';
  out += addition;
  out.append(schema_string.substr(end));
  return out;
}

Status CheckAppendCompatible(const Schema& table, const Schema& input, bool allow_new_columns,
                             std::vector<Field>* new_fields) {
  if (new_fields != nullptr) new_fields->clear();
  for (const Field& field : input.fields()) {
    const std::optional<size_t> index = table.FieldIndex(field.name);
    if (!index) {
      const std::string lower = AsciiLower(field.name);
      for (const Field& existing : table.fields()) {
        if (AsciiLower(existing.name) == lower) {
          return Status::SchemaMismatch("column " + Quoted(field.name) +
                                        " differs only in case from table column " +
                                        Quoted(existing.name) + "; rename it to match");
        }
      }
      if (!allow_new_columns) {
        return Status::SchemaMismatch(
            "column " + Quoted(field.name) + " (" + field.type.ToString() +
            ") is not in the table; allow new columns (schema evolution) to add it, or drop it");
      }
      if (new_fields != nullptr) new_fields->push_back(Field{field.name, field.type, true});
      continue;
    }
    const Field& existing = table.field(*index);
    if (!WidensTo(field.type, existing.type)) {
      return Status::SchemaMismatch("column " + Quoted(field.name) + ": the table has type " +
                                    existing.type.ToString() + ", the input has type " +
                                    field.type.ToString() + ", which does not convert losslessly");
    }
  }
  for (const Field& existing : table.fields()) {
    if (!existing.nullable && !input.FieldIndex(existing.name)) {
      return Status::SchemaMismatch("table column " + Quoted(existing.name) + " (" +
                                    existing.type.ToString() +
                                    ") is not nullable and is missing from the input");
    }
  }
  return Status::OK();
}

std::optional<size_t> FindColumn(const columnar::Schema& schema, std::string_view name) {
  if (auto index = schema.FieldIndex(std::string(name))) return index;
  for (size_t i = 0; i < schema.num_fields(); ++i) {
    if (EqualsIgnoringAsciiCase(schema.field(i).name, name)) return i;
  }
  return std::nullopt;
}

}  // namespace sluice::lake

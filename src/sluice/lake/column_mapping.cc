#include "sluice/lake/column_mapping.h"

#include <algorithm>
#include <cctype>

#include <nlohmann/json.hpp>

#include "sluice/common/ascii.h"
#include "sluice/lake/transaction.h"

namespace sluice::lake {
namespace {

// Key order kept: the schema text other tools wrote stays as it was, apart from what changes.
using Json = nlohmann::ordered_json;

constexpr const char* kPhysicalNameKey = "delta.columnMapping.physicalName";
constexpr const char* kIdKey = "delta.columnMapping.id";

std::string Quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

Result<Json> ParseSchema(std::string_view schema_string) {
  Json schema = Json::parse(schema_string, nullptr, /*allow_exceptions=*/false);
  if (schema.is_discarded() || !schema.is_object() || !schema.contains("fields") ||
      !schema["fields"].is_array()) {
    return Status::DataError("Delta schema: expected {\"type\":\"struct\",\"fields\":[...]}");
  }
  for (const Json& field : schema["fields"]) {
    if (!field.is_object() || !field.contains("name") || !field["name"].is_string()) {
      return Status::DataError("Delta schema: a field without a string \"name\"");
    }
  }
  return schema;
}

std::string Dump(const Json& json) {
  return json.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// Calls `visit` on every struct field of a Delta type, depth first (fields of nested structs,
// array elements and map keys/values included).
template <typename Visit>
void ForEachField(Json* type, const Visit& visit) {
  if (!type->is_object()) return;
  const auto kind = type->find("type");
  if (kind == type->end() || !kind->is_string()) return;
  const std::string& name = kind->get_ref<const std::string&>();
  if (name == "struct" && type->contains("fields") && (*type)["fields"].is_array()) {
    for (Json& field : (*type)["fields"]) {
      if (!field.is_object()) continue;
      visit(&field);
      if (field.contains("type")) ForEachField(&field["type"], visit);
    }
  } else if (name == "array" && type->contains("elementType")) {
    ForEachField(&(*type)["elementType"], visit);
  } else if (name == "map") {
    if (type->contains("keyType")) ForEachField(&(*type)["keyType"], visit);
    if (type->contains("valueType")) ForEachField(&(*type)["valueType"], visit);
  }
}

int64_t ConfiguredMaxId(const Metadata& metadata) {
  auto it = metadata.configuration.find(std::string(kMaxColumnIdKey));
  if (it == metadata.configuration.end()) return 0;
  try {
    return std::max<int64_t>(0, std::stoll(it->second));
  } catch (const std::exception&) {
    return 0;
  }
}

// The index of top-level field `name` (ignoring case, as Delta does), or npos.
size_t FindField(const Json& schema, std::string_view name) {
  const Json& fields = schema["fields"];
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i]["name"].get_ref<const std::string&>() == name) return i;
  }
  for (size_t i = 0; i < fields.size(); ++i) {
    if (EqualsIgnoringAsciiCase(fields[i]["name"].get_ref<const std::string&>(), name)) return i;
  }
  return std::string::npos;
}

Status RequireMapping(const Metadata& metadata, std::string_view what) {
  if (!ColumnMappingMode(metadata).empty()) return Status::OK();
  return Status::InvalidArgument(
      std::string(what) +
      " needs column mapping, so that data files keep naming the column as before; turn it on "
      "with `sluice table properties TABLE delta.columnMapping.mode=name` (readers need Delta "
      "reader version 2: Spark 3.2+/Delta 1.2+, DuckDB, delta-rs)");
}

}  // namespace

std::string ColumnMappingMode(const Metadata& metadata) {
  auto it = metadata.configuration.find(std::string(kColumnMappingModeKey));
  if (it == metadata.configuration.end()) return "";
  return it->second == "name" || it->second == "id" ? it->second : "";
}

Result<std::vector<PhysicalColumn>> PhysicalColumnsOf(const Metadata& metadata) {
  const std::string mode = ColumnMappingMode(metadata);
  if (mode.empty()) return std::vector<PhysicalColumn>();
  return ParsePhysicalColumns(metadata.schema_string, /*need_ids=*/mode == "id");
}

Status AssignColumnMapping(Metadata* metadata, bool keep_names) {
  if (ColumnMappingMode(*metadata).empty()) return Status::OK();
  SLUICE_ASSIGN_OR_RETURN(Json schema, ParseSchema(metadata->schema_string));
  int64_t max_id = ConfiguredMaxId(*metadata);
  ForEachField(&schema, [&](Json* field) {
    if (!field->contains("metadata") || !(*field)["metadata"].is_object()) {
      (*field)["metadata"] = Json::object();
    }
    const Json& meta = (*field)["metadata"];
    if (meta.contains(kIdKey) && meta[kIdKey].is_number_integer()) {
      max_id = std::max(max_id, meta[kIdKey].get<int64_t>());
    }
  });
  bool changed = false;
  ForEachField(&schema, [&](Json* field) {
    Json& meta = (*field)["metadata"];
    if (!meta.contains(kIdKey) || !meta[kIdKey].is_number_integer()) {
      meta[kIdKey] = ++max_id;
      changed = true;
    }
    if (!meta.contains(kPhysicalNameKey) || !meta[kPhysicalNameKey].is_string() ||
        meta[kPhysicalNameKey].get_ref<const std::string&>().empty()) {
      meta[kPhysicalNameKey] =
          keep_names ? (*field)["name"].get<std::string>() : "col-" + NewUUID();
      changed = true;
    }
  });
  if (changed) metadata->schema_string = Dump(schema);
  metadata->configuration[std::string(kMaxColumnIdKey)] = std::to_string(max_id);
  return Status::OK();
}

Status ChangeColumnMapping(const Metadata& before, Metadata* after) {
  const std::string key(kColumnMappingModeKey);
  const std::string old_mode = ColumnMappingMode(before);
  const std::string new_mode = ColumnMappingMode(*after);
  const std::string max_key(kMaxColumnIdKey);
  auto old_max = before.configuration.find(max_key);
  auto new_max = after->configuration.find(max_key);
  if ((old_max == before.configuration.end()) != (new_max == after->configuration.end()) ||
      (old_max != before.configuration.end() && old_max->second != new_max->second)) {
    return Status::InvalidArgument(max_key +
                                   " is kept by the writer (the highest column id given out); it "
                                   "cannot be set or removed");
  }
  if (old_mode == new_mode) return Status::OK();
  if (!old_mode.empty()) {
    return Status::InvalidArgument(
        key + " is '" + old_mode + "' and cannot become '" +
        (new_mode.empty() ? std::string("none") : new_mode) +
        "': data files name columns by their physical names, so mapping stays on");
  }
  if (new_mode == "id") {
    return Status::InvalidArgument(
        key +
        "=id can only be chosen when a table is created (its files must carry field ids); use "
        "name on an existing table");
  }
  return AssignColumnMapping(after, /*keep_names=*/true);
}

Status RenameColumn(Metadata* metadata, std::string_view from, std::string_view to) {
  SLUICE_RETURN_NOT_OK(RequireMapping(*metadata, "renaming a column"));
  SLUICE_ASSIGN_OR_RETURN(Json schema, ParseSchema(metadata->schema_string));
  const size_t index = FindField(schema, from);
  if (index == std::string::npos) {
    return Status::InvalidArgument("no column " + Quoted(from) + " to rename");
  }
  if (to.empty()) return Status::InvalidArgument("a column's new name cannot be empty");
  const size_t clash = FindField(schema, to);
  if (clash != std::string::npos && clash != index) {
    return Status::InvalidArgument("cannot rename " + Quoted(from) + " to " + Quoted(to) +
                                   ": the table has a column " +
                                   Quoted(schema["fields"][clash]["name"].get<std::string>()));
  }
  Json& field = schema["fields"][index];
  const std::string old_name = field["name"].get<std::string>();
  field["name"] = std::string(to);
  metadata->schema_string = Dump(schema);
  for (std::string& column : metadata->partition_columns) {
    if (column == old_name) column = std::string(to);
  }
  return Status::OK();
}

Status DropColumn(Metadata* metadata, std::string_view name) {
  SLUICE_RETURN_NOT_OK(RequireMapping(*metadata, "dropping a column"));
  SLUICE_ASSIGN_OR_RETURN(Json schema, ParseSchema(metadata->schema_string));
  const size_t index = FindField(schema, name);
  if (index == std::string::npos) {
    return Status::InvalidArgument("no column " + Quoted(name) + " to drop");
  }
  Json& fields = schema["fields"];
  const std::string old_name = fields[index]["name"].get<std::string>();
  for (const std::string& column : metadata->partition_columns) {
    if (column == old_name) {
      return Status::InvalidArgument("cannot drop " + Quoted(old_name) +
                                     ": it is a partition column (the table is partitioned by it)");
    }
  }
  if (fields.size() == 1) {
    return Status::InvalidArgument("cannot drop " + Quoted(old_name) +
                                   ": it is the table's only column");
  }
  fields.erase(index);
  metadata->schema_string = Dump(schema);
  return Status::OK();
}

Result<std::vector<std::string>> NestedColumns(std::string_view schema_string) {
  SLUICE_ASSIGN_OR_RETURN(Json schema, ParseSchema(schema_string));
  std::vector<std::string> nested;
  for (const Json& field : schema["fields"]) {
    if (field.contains("type") && field["type"].is_object()) {
      nested.push_back(field["name"].get<std::string>());
    }
  }
  return nested;
}

}  // namespace sluice::lake

// Delta log actions to and from JSON (nlohmann/json; its exceptions stay inside this file).
#include "sluice/lake/actions.h"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace sluice::lake {
namespace {

using Json = nlohmann::ordered_json;

// Field access that turns a missing or mistyped field into a message instead of an exception.
class ObjectReader {
 public:
  ObjectReader(const Json& object, std::string_view kind) : object_(object), kind_(kind) {}

  const std::string& error() const { return error_; }

  std::string RequiredString(const char* key) {
    const Json* value = Find(key);
    if (value == nullptr || !value->is_string()) {
      Fail(key, "a string");
      return {};
    }
    return value->get<std::string>();
  }
  std::optional<std::string> OptionalString(const char* key) {
    const Json* value = Find(key);
    if (value == nullptr || value->is_null()) return std::nullopt;
    if (!value->is_string()) {
      Fail(key, "a string");
      return std::nullopt;
    }
    return value->get<std::string>();
  }
  int64_t RequiredInt(const char* key) {
    const std::optional<int64_t> value = OptionalInt(key);
    if (!value.has_value() && error_.empty()) Fail(key, "an integer");
    return value.value_or(0);
  }
  std::optional<int64_t> OptionalInt(const char* key) {
    const Json* value = Find(key);
    if (value == nullptr || value->is_null()) return std::nullopt;
    if (!value->is_number_integer()) {
      Fail(key, "an integer");
      return std::nullopt;
    }
    return value->get<int64_t>();
  }
  std::optional<bool> OptionalBool(const char* key) {
    const Json* value = Find(key);
    if (value == nullptr || value->is_null()) return std::nullopt;
    if (!value->is_boolean()) {
      Fail(key, "true or false");
      return std::nullopt;
    }
    return value->get<bool>();
  }
  // A map of strings; non-string values (some writers put numbers in operation metrics) are kept
  // as their JSON text.
  std::optional<std::map<std::string, std::string>> OptionalStringMap(const char* key) {
    const Json* value = Find(key);
    if (value == nullptr || value->is_null()) return std::nullopt;
    if (!value->is_object()) {
      Fail(key, "an object");
      return std::nullopt;
    }
    std::map<std::string, std::string> result;
    for (const auto& [name, item] : value->items()) {
      if (item.is_null()) continue;
      result.emplace(name, item.is_string() ? item.get<std::string>() : item.dump());
    }
    return result;
  }
  StringMap PartitionValues(const char* key, bool required) {
    const Json* value = Find(key);
    StringMap result;
    if (value == nullptr || value->is_null()) {
      if (required) Fail(key, "an object");
      return result;
    }
    if (!value->is_object()) {
      Fail(key, "an object");
      return result;
    }
    for (const auto& [name, item] : value->items()) {
      if (item.is_null()) {
        result.emplace(name, std::nullopt);
      } else if (item.is_string()) {
        result.emplace(name, item.get<std::string>());
      } else {
        result.emplace(name, item.dump());
      }
    }
    return result;
  }
  std::optional<std::vector<std::string>> OptionalStringList(const char* key) {
    const Json* value = Find(key);
    if (value == nullptr || value->is_null()) return std::nullopt;
    if (!value->is_array()) {
      Fail(key, "an array of strings");
      return std::nullopt;
    }
    std::vector<std::string> result;
    for (const Json& item : *value) {
      if (!item.is_string()) {
        Fail(key, "an array of strings");
        return std::nullopt;
      }
      result.push_back(item.get<std::string>());
    }
    return result;
  }
  const Json* Find(const char* key) const {
    auto it = object_.find(key);
    return it == object_.end() ? nullptr : &*it;
  }
  void Fail(const char* key, const char* expected) {
    if (error_.empty()) {
      error_ = std::string(kind_) + "." + key + " must be " + expected;
    }
  }

 private:
  const Json& object_;
  std::string_view kind_;
  std::string error_;
};

std::optional<DeletionVector> ReadDeletionVector(ObjectReader* reader) {
  const Json* value = reader->Find("deletionVector");
  if (value == nullptr || value->is_null() || !value->is_object()) return std::nullopt;
  ObjectReader dv(*value, "deletionVector");
  DeletionVector result;
  result.storage_type = dv.RequiredString("storageType");
  result.path_or_inline_dv = dv.RequiredString("pathOrInlineDv");
  if (auto offset = dv.OptionalInt("offset")) result.offset = static_cast<int32_t>(*offset);
  result.size_in_bytes = static_cast<int32_t>(dv.OptionalInt("sizeInBytes").value_or(0));
  result.cardinality = dv.OptionalInt("cardinality").value_or(0);
  return result;
}

Result<Action> ActionFromJson(std::string_view kind, const Json& object) {
  if (!object.is_object()) {
    return Status::DataError(std::string(kind) + " must be a JSON object");
  }
  ObjectReader reader(object, kind);
  Action action;
  if (kind == "add") {
    AddFile add;
    add.path = reader.RequiredString("path");
    add.partition_values = reader.PartitionValues("partitionValues", /*required=*/false);
    add.size = reader.RequiredInt("size");
    add.modification_time = reader.OptionalInt("modificationTime").value_or(0);
    add.data_change = reader.OptionalBool("dataChange").value_or(true);
    add.stats = reader.OptionalString("stats");
    add.tags = reader.OptionalStringMap("tags");
    add.deletion_vector = ReadDeletionVector(&reader);
    action = std::move(add);
  } else if (kind == "remove") {
    RemoveFile remove;
    remove.path = reader.RequiredString("path");
    remove.deletion_timestamp = reader.OptionalInt("deletionTimestamp");
    remove.data_change = reader.OptionalBool("dataChange").value_or(true);
    remove.extended_file_metadata = reader.OptionalBool("extendedFileMetadata");
    if (reader.Find("partitionValues") != nullptr && !reader.Find("partitionValues")->is_null()) {
      remove.partition_values = reader.PartitionValues("partitionValues", false);
    }
    remove.size = reader.OptionalInt("size");
    remove.tags = reader.OptionalStringMap("tags");
    remove.deletion_vector = ReadDeletionVector(&reader);
    action = std::move(remove);
  } else if (kind == "metaData") {
    Metadata metadata;
    metadata.id = reader.RequiredString("id");
    metadata.name = reader.OptionalString("name");
    metadata.description = reader.OptionalString("description");
    if (const Json* format = reader.Find("format"); format != nullptr && format->is_object()) {
      ObjectReader format_reader(*format, "metaData.format");
      metadata.format.provider = format_reader.OptionalString("provider").value_or("parquet");
      metadata.format.options =
          format_reader.OptionalStringMap("options").value_or(std::map<std::string, std::string>{});
    }
    metadata.schema_string = reader.RequiredString("schemaString");
    metadata.partition_columns =
        reader.OptionalStringList("partitionColumns").value_or(std::vector<std::string>{});
    metadata.configuration =
        reader.OptionalStringMap("configuration").value_or(std::map<std::string, std::string>{});
    metadata.created_time = reader.OptionalInt("createdTime");
    action = std::move(metadata);
  } else if (kind == "protocol") {
    Protocol protocol;
    protocol.min_reader_version = static_cast<int32_t>(reader.RequiredInt("minReaderVersion"));
    protocol.min_writer_version = static_cast<int32_t>(reader.RequiredInt("minWriterVersion"));
    protocol.reader_features = reader.OptionalStringList("readerFeatures");
    protocol.writer_features = reader.OptionalStringList("writerFeatures");
    action = std::move(protocol);
  } else if (kind == "txn") {
    Txn txn;
    txn.app_id = reader.RequiredString("appId");
    txn.version = reader.RequiredInt("version");
    txn.last_updated = reader.OptionalInt("lastUpdated");
    action = std::move(txn);
  } else if (kind == "commitInfo") {
    CommitInfo info;
    info.timestamp = reader.OptionalInt("timestamp");
    info.operation = reader.OptionalString("operation").value_or("");
    info.operation_parameters = reader.OptionalStringMap("operationParameters")
                                    .value_or(std::map<std::string, std::string>{});
    info.operation_metrics =
        reader.OptionalStringMap("operationMetrics").value_or(std::map<std::string, std::string>{});
    info.read_version = reader.OptionalInt("readVersion");
    info.isolation_level = reader.OptionalString("isolationLevel");
    info.is_blind_append = reader.OptionalBool("isBlindAppend");
    info.txn_id = reader.OptionalString("txnId");
    info.engine_info = reader.OptionalString("engineInfo");
    info.in_commit_timestamp = reader.OptionalInt("inCommitTimestamp");
    action = std::move(info);
  } else if (kind == "cdc") {
    CdcFile cdc;
    cdc.path = reader.RequiredString("path");
    cdc.partition_values = reader.PartitionValues("partitionValues", /*required=*/false);
    cdc.size = reader.RequiredInt("size");
    cdc.data_change = reader.OptionalBool("dataChange").value_or(false);
    cdc.tags = reader.OptionalStringMap("tags");
    action = std::move(cdc);
  } else if (kind == "domainMetadata") {
    DomainMetadata domain;
    domain.domain = reader.RequiredString("domain");
    domain.configuration = reader.OptionalString("configuration").value_or("");
    domain.removed = reader.OptionalBool("removed").value_or(false);
    action = std::move(domain);
  } else {
    return Status::InvalidArgument("unknown Delta action '" + std::string(kind) + "'");
  }
  if (!reader.error().empty()) return Status::DataError(reader.error());
  return action;
}

bool IsKnownKind(std::string_view kind) {
  return kind == "add" || kind == "remove" || kind == "metaData" || kind == "protocol" ||
         kind == "txn" || kind == "commitInfo" || kind == "cdc" || kind == "domainMetadata";
}

Json StringMapJson(const std::map<std::string, std::string>& map) {
  Json object = Json::object();
  for (const auto& [key, value] : map) object[key] = value;
  return object;
}

Json PartitionValuesJson(const StringMap& map) {
  Json object = Json::object();
  for (const auto& [key, value] : map) {
    if (value.has_value()) {
      object[key] = *value;
    } else {
      object[key] = nullptr;
    }
  }
  return object;
}

Json DeletionVectorJson(const DeletionVector& dv) {
  Json object = Json::object();
  object["storageType"] = dv.storage_type;
  object["pathOrInlineDv"] = dv.path_or_inline_dv;
  if (dv.offset.has_value()) object["offset"] = *dv.offset;
  object["sizeInBytes"] = dv.size_in_bytes;
  object["cardinality"] = dv.cardinality;
  return object;
}

struct ActionToJson {
  Json operator()(const Protocol& protocol) const {
    Json object = Json::object();
    object["minReaderVersion"] = protocol.min_reader_version;
    object["minWriterVersion"] = protocol.min_writer_version;
    if (protocol.reader_features) object["readerFeatures"] = *protocol.reader_features;
    if (protocol.writer_features) object["writerFeatures"] = *protocol.writer_features;
    return Json{{"protocol", object}};
  }
  Json operator()(const Metadata& metadata) const {
    Json object = Json::object();
    object["id"] = metadata.id;
    if (metadata.name) object["name"] = *metadata.name;
    if (metadata.description) object["description"] = *metadata.description;
    object["format"] = Json{{"provider", metadata.format.provider},
                            {"options", StringMapJson(metadata.format.options)}};
    object["schemaString"] = metadata.schema_string;
    object["partitionColumns"] = metadata.partition_columns;
    object["configuration"] = StringMapJson(metadata.configuration);
    if (metadata.created_time) object["createdTime"] = *metadata.created_time;
    return Json{{"metaData", object}};
  }
  Json operator()(const AddFile& add) const {
    Json object = Json::object();
    object["path"] = add.path;
    object["partitionValues"] = PartitionValuesJson(add.partition_values);
    object["size"] = add.size;
    object["modificationTime"] = add.modification_time;
    object["dataChange"] = add.data_change;
    if (add.stats) object["stats"] = *add.stats;
    if (add.tags) object["tags"] = StringMapJson(*add.tags);
    if (add.deletion_vector) object["deletionVector"] = DeletionVectorJson(*add.deletion_vector);
    return Json{{"add", object}};
  }
  Json operator()(const RemoveFile& remove) const {
    Json object = Json::object();
    object["path"] = remove.path;
    if (remove.deletion_timestamp) object["deletionTimestamp"] = *remove.deletion_timestamp;
    object["dataChange"] = remove.data_change;
    if (remove.extended_file_metadata) {
      object["extendedFileMetadata"] = *remove.extended_file_metadata;
    }
    if (remove.partition_values) {
      object["partitionValues"] = PartitionValuesJson(*remove.partition_values);
    }
    if (remove.size) object["size"] = *remove.size;
    if (remove.tags) object["tags"] = StringMapJson(*remove.tags);
    if (remove.deletion_vector) {
      object["deletionVector"] = DeletionVectorJson(*remove.deletion_vector);
    }
    return Json{{"remove", object}};
  }
  Json operator()(const Txn& txn) const {
    Json object = Json::object();
    object["appId"] = txn.app_id;
    object["version"] = txn.version;
    if (txn.last_updated) object["lastUpdated"] = *txn.last_updated;
    return Json{{"txn", object}};
  }
  Json operator()(const CommitInfo& info) const {
    Json object = Json::object();
    if (info.timestamp) object["timestamp"] = *info.timestamp;
    object["operation"] = info.operation;
    object["operationParameters"] = StringMapJson(info.operation_parameters);
    if (!info.operation_metrics.empty()) {
      object["operationMetrics"] = StringMapJson(info.operation_metrics);
    }
    if (info.read_version) object["readVersion"] = *info.read_version;
    if (info.isolation_level) object["isolationLevel"] = *info.isolation_level;
    if (info.is_blind_append) object["isBlindAppend"] = *info.is_blind_append;
    if (info.engine_info) object["engineInfo"] = *info.engine_info;
    if (info.txn_id) object["txnId"] = *info.txn_id;
    if (info.in_commit_timestamp) object["inCommitTimestamp"] = *info.in_commit_timestamp;
    return Json{{"commitInfo", object}};
  }
  Json operator()(const CdcFile& cdc) const {
    Json object = Json::object();
    object["path"] = cdc.path;
    object["partitionValues"] = PartitionValuesJson(cdc.partition_values);
    object["size"] = cdc.size;
    object["dataChange"] = cdc.data_change;
    if (cdc.tags) object["tags"] = StringMapJson(*cdc.tags);
    return Json{{"cdc", object}};
  }
  Json operator()(const DomainMetadata& domain) const {
    Json object = Json::object();
    object["domain"] = domain.domain;
    object["configuration"] = domain.configuration;
    object["removed"] = domain.removed;
    return Json{{"domainMetadata", object}};
  }
};

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<std::vector<Action>> ParseCommit(std::string_view text, std::string_view path,
                                        std::vector<std::string>* unknown_kinds) {
  std::vector<Action> actions;
  int64_t line_number = 0;
  size_t position = 0;
  while (position < text.size()) {
    size_t end = text.find('\n', position);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(position, end - position);
    position = end + 1;
    ++line_number;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
    if (line.empty()) continue;
    const std::string where = std::string(path) + ":" + std::to_string(line_number);
    Json object = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (object.is_discarded()) {
      return Status::DataError(where + ": not valid JSON");
    }
    if (!object.is_object() || object.size() != 1) {
      return Status::DataError(where + ": an action must be an object with exactly one key");
    }
    const std::string kind = object.begin().key();
    if (!IsKnownKind(kind)) {
      if (unknown_kinds != nullptr) unknown_kinds->push_back(kind);
      continue;
    }
    Result<Action> action = ActionFromJson(kind, object.begin().value());
    if (!action.ok()) return action.status().WithContext(where);
    actions.push_back(std::move(action).ValueUnsafe());
  }
  return actions;
}

Result<Action> ParseAction(std::string_view kind, std::string_view object_json) {
  Json object = Json::parse(object_json, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded()) {
    return Status::DataError(std::string(kind) + ": not valid JSON");
  }
  return ActionFromJson(kind, object);
}

std::string SerializeAction(const Action& action) {
  return std::visit(ActionToJson{}, action).dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string SerializeCommit(const std::vector<Action>& actions) {
  std::string text;
  for (const Action& action : actions) {
    text += SerializeAction(action);
    text += '\n';
  }
  return text;
}

std::string DecodeActionPath(std::string_view path) {
  std::string result;
  result.reserve(path.size());
  for (size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '%' && i + 2 < path.size()) {
      const int high = HexValue(path[i + 1]);
      const int low = HexValue(path[i + 2]);
      if (high >= 0 && low >= 0) {
        result += static_cast<char>(high * 16 + low);
        i += 2;
        continue;
      }
    }
    result += path[i];
  }
  return result;
}

std::string EncodeActionPath(std::string_view relative_path) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string result;
  result.reserve(relative_path.size());
  for (const char c : relative_path) {
    const auto byte = static_cast<unsigned char>(c);
    const bool plain = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') ||
                       (byte >= '0' && byte <= '9') || c == '-' || c == '_' || c == '.' ||
                       c == '~' || c == '/' || c == '=';
    if (plain) {
      result += c;
    } else {
      result += '%';
      result += kHex[byte >> 4];
      result += kHex[byte & 15];
    }
  }
  return result;
}

std::string DeletionVectorUniqueId(const DeletionVector& dv) {
  std::string id = dv.storage_type + dv.path_or_inline_dv;
  if (dv.offset.has_value()) id += "@" + std::to_string(*dv.offset);
  return id;
}

std::string FileKey::ToString() const {
  return dv_id.empty() ? path : path + " (deletion vector " + dv_id + ")";
}

FileKey KeyOf(const AddFile& add) {
  return FileKey{DecodeActionPath(add.path),
                 add.deletion_vector ? DeletionVectorUniqueId(*add.deletion_vector) : ""};
}

FileKey KeyOf(const RemoveFile& remove) {
  return FileKey{DecodeActionPath(remove.path),
                 remove.deletion_vector ? DeletionVectorUniqueId(*remove.deletion_vector) : ""};
}

RemoveFile RemoveOf(const AddFile& add, int64_t deletion_timestamp, bool data_change) {
  RemoveFile remove;
  remove.path = add.path;
  remove.deletion_vector = add.deletion_vector;
  remove.deletion_timestamp = deletion_timestamp;
  remove.data_change = data_change;
  remove.extended_file_metadata = true;
  remove.partition_values = add.partition_values;
  remove.size = add.size;
  remove.tags = add.tags;
  return remove;
}

std::string CommitFileName(int64_t version) {
  char name[32];
  std::snprintf(name, sizeof(name), "%020lld.json", static_cast<long long>(version));
  return name;
}

}  // namespace sluice::lake

// libFuzzer target: any bytes as a project file must parse (libyaml → ConfigNode, with ${ENV}
// interpolation) or give a clean "file:line:column: ..." error, and whatever parses must validate
// against a nested spec without a crash, hang or over-read; every error must carry a mark.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "sluice/common/redactor.h"
#include "sluice/config/config_spec.h"
#include "sluice/config/yaml_loader.h"

namespace {

using sluice::config::ConfigSpec;
using sluice::config::KeySpec;
using sluice::config::ValueType;

KeySpec Key(std::string name, ValueType type, std::string default_value = "") {
  return sluice::config::MakeKey(std::move(name), type, "", std::move(default_value));
}

const ConfigSpec& RetrySpec() {
  static const ConfigSpec spec(
      "retries", "retries",
      {Key("attempts", ValueType::kInt, "2"), Key("delay", ValueType::kDuration, "5s"),
       Key("backoff", ValueType::kNumber, "2")});
  return spec;
}

const ConfigSpec& SourceSpec() {
  static const ConfigSpec spec = [] {
    std::vector<KeySpec> keys;
    keys.push_back(Key("type", ValueType::kEnum, "file"));
    keys.back().choices = {"file", "postgres"};
    keys.push_back(Key("path", ValueType::kString));
    keys.back().required = true;
    keys.push_back(Key("format", ValueType::kEnum));
    keys.back().choices = {"csv", "json", "ndjson", "parquet"};
    keys.push_back(Key("min_age", ValueType::kDuration, "10s"));
    keys.push_back(Key("max_size", ValueType::kByteSize, "64MiB"));
    keys.push_back(Key("header", ValueType::kBool));
    keys.push_back(Key("password", ValueType::kString));
    keys.back().secret = true;
    keys.push_back(Key("url", ValueType::kString));
    keys.push_back(Key("columns", ValueType::kStringList, "[\"\"]"));
    keys.push_back(Key("schema", ValueType::kStringMap));
    keys.push_back(Key("retries", ValueType::kObject));
    keys.back().object = &RetrySpec();
    return ConfigSpec("file", "file", std::move(keys));
  }();
  return spec;
}

const ConfigSpec& ProjectSpec() {
  static const ConfigSpec spec = [] {
    std::vector<KeySpec> keys;
    keys.push_back(Key("name", ValueType::kString));
    keys.back().required = true;
    keys.push_back(Key("parallelism", ValueType::kInt));
    keys.push_back(Key("retries", ValueType::kObject));
    keys.back().object = &RetrySpec();
    keys.push_back(Key("sources", ValueType::kObjectMap));
    keys.back().object = &SourceSpec();
    // A spec that nests itself: validation follows the data, which is at most 64 levels deep.
    keys.push_back(Key("children", ValueType::kObjectMap));
    return ConfigSpec("project", "project", std::move(keys));
  }();
  return spec;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice::config;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  YamlLoadOptions options;
  options.environment = [](const std::string& name) -> std::optional<std::string> {
    if (name.empty() || name[0] == 'U') return std::nullopt;  // U... is unset
    return std::string("fuzz-value-") + name;
  };
  auto node = ParseYaml(text, "fuzz.yml", options);
  if (!node.ok()) {
    if (node.status().message().rfind("fuzz.yml:", 0) != 0) std::abort();
    return 0;
  }
  ConfigErrors errors;
  ProjectSpec().Validate(*node, "the project", &errors);
  for (const ConfigError& error : errors.errors()) {
    if (error.mark.file != "fuzz.yml" || error.mark.line < 1 || error.mark.column < 1) std::abort();
  }
  (void)errors.ToStatus();
  const ConfigValues values(&*node, &ProjectSpec());
  (void)values.String("name");
  (void)values.Int("parallelism");
  if (const ConfigNode* sources = values.Node("sources"); sources != nullptr) {
    for (const ConfigNode::Entry& entry : sources->entries()) {
      const ConfigValues source(&entry.value, &SourceSpec());
      (void)source.DurationMs("min_age");
      (void)source.Bytes("max_size");
      (void)source.Bool("header");
      (void)source.StringList("columns");
      (void)source.StringMap("schema");
      (void)source.Mark("path");
    }
  }
  (void)ParseDurationMs(text.substr(0, 64));
  (void)ParseByteSizeText(text.substr(0, 64));
  (void)HasLiteralPassword(text);
  (void)sluice::Redactor::Global().Redact(text.substr(0, 256));
  sluice::Redactor::Global().Clear();
  return 0;
}

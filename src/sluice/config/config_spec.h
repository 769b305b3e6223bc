// ConfigSpec: the typed keys a component (source, sink, transform, check, the project itself)
// accepts — name, type, default, whether it is required or secret, a one-line description. One spec
// drives three things: validation of the project file (every error names file:line:column and
// suggests the likely key), `sluice components` help, and the generated docs/components/ pages.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/result.h"
#include "sluice/config/config_node.h"

namespace sluice::config {

enum class ValueType {
  kString,
  kInt,         // 64-bit integer ("12", "-3")
  kNumber,      // double
  kBool,        // true/false (yes/no/on/off accepted, case-insensitive)
  kDuration,    // "500ms", "30s", "5m", "2h", "1d", "1h30m", or a plain number of seconds
  kByteSize,    // "1048576", "512k", "64MB" (10^6), "128MiB" (2^20)
  kEnum,        // one of KeySpec::choices
  kStringList,  // a list of strings; a single scalar counts as a one-item list
  kStringMap,   // a map of string → string (e.g. column → type)
  kObject,      // a nested map validated by KeySpec::object
  kObjectMap,   // a map of name → nested map, each validated by KeySpec::object
};

// "string", "integer", "number", "boolean", "duration", "byte size", "one of a|b", "list of
// strings", "map of strings", "map", "map of maps".
std::string ValueTypeName(ValueType type);

class ConfigSpec;

struct KeySpec {
  std::string name;
  ValueType type = ValueType::kString;
  std::string description;  // one line
  // Default as text (parsed like a written value); empty = no default.
  std::string default_value;
  bool required = false;
  // A secret: its value must come from ${ENV} (a literal is refused) and is registered with the
  // Redactor so it never appears in logs or reports.
  bool secret = false;
  std::vector<std::string> choices;    // kEnum
  const ConfigSpec* object = nullptr;  // kObject, kObjectMap
  std::string example;                 // optional, shown in docs
};

// A KeySpec from its common fields (the others keep their defaults), for building spec lists.
KeySpec MakeKey(std::string name, ValueType type, std::string description,
                std::string default_value = "", std::vector<std::string> choices = {},
                std::string example = "");

// One configuration error: where and what. `suggestion` is e.g. "did you mean 'format'?".
struct ConfigError {
  SourceMark mark;
  std::string message;

  // "retail.yml:7:5: unknown key 'fromat' in source 'orders'; did you mean 'format'?"
  std::string ToString() const;
};

// Accumulates errors across a whole document, so that one `sluice validate` shows them all.
class ConfigErrors {
 public:
  void Add(SourceMark mark, std::string message);
  bool empty() const { return errors_.empty(); }
  const std::vector<ConfigError>& errors() const { return errors_; }
  // OK when empty; else InvalidArgument holding every error, one per line, in file order.
  Status ToStatus() const;

 private:
  std::vector<ConfigError> errors_;
};

class ConfigSpec {
 public:
  ConfigSpec(std::string name, std::string description, std::vector<KeySpec> keys)
      : name_(std::move(name)), description_(std::move(description)), keys_(std::move(keys)) {}

  const std::string& name() const { return name_; }
  const std::string& description() const { return description_; }
  const std::vector<KeySpec>& keys() const { return keys_; }
  const KeySpec* FindKey(std::string_view key) const;

  // Checks `node` (must be a map) against the spec, recursing into kObject/kObjectMap keys, and
  // adds every problem to `errors`: not a map, unknown key (with the closest known key when one
  // is near: Damerau-Levenshtein distance ≤ 2, or a case-insensitive match), missing required
  // key, wrong type (names the expected type and shows the value), a value not among the choices
  // (lists them), a literal value for a secret key or for any key whose name looks secret
  // (LooksSecret). `context` names the thing for messages, e.g. "source 'orders'". Nested maps
  // are named "'retries' of <context>" (kObject) and "<key in the singular> '<entry>'" (kObjectMap:
  // an entry "orders" under "sources" is "source 'orders'"). A null value (`key:` with nothing)
  // counts as an empty map or list for kObject, kObjectMap, kStringList and kStringMap. Secret
  // values that came from ${ENV} are registered with Redactor::Global().
  void Validate(const ConfigNode& node, const std::string& context, ConfigErrors* errors) const;

 private:
  std::string name_;
  std::string description_;
  std::vector<KeySpec> keys_;
};

// True for key names that conventionally hold secrets: password, passwd, pwd, secret, token,
// api_key, apikey, access_key, secret_key, private_key, credentials, auth_token, and names ending
// in _password, _secret, _token, _api_key (case-insensitive). A plain "key" is not secret (it is
// a business key in sluice's vocabulary).
bool LooksSecret(std::string_view key_name);

// The candidate closest to `word` for a "did you mean": a case-insensitive match first, then the
// nearest by edit distance (transpositions count once) if it is at most 2 and at most half the
// longer name; nullptr when none is near.
const std::string* ClosestName(std::string_view word, const std::vector<std::string>& candidates);

// True when `text` holds a URI whose user-info has a literal password ("postgres://u:pw@h/db").
bool HasLiteralPassword(std::string_view text);

// Typed reads of a map validated by `spec`: absent keys give the spec's default. Calling a getter
// for a key whose written value does not parse (i.e. on an unvalidated node) returns the default;
// validation is where errors are reported.
class ConfigValues {
 public:
  ConfigValues(const ConfigNode* node, const ConfigSpec* spec) : node_(node), spec_(spec) {}

  bool Has(std::string_view key) const;  // written in the file (not a default)
  std::string String(std::string_view key) const;
  int64_t Int(std::string_view key) const;
  double Number(std::string_view key) const;
  bool Bool(std::string_view key) const;
  int64_t DurationMs(std::string_view key) const;
  int64_t Bytes(std::string_view key) const;
  std::vector<std::string> StringList(std::string_view key) const;
  std::vector<std::pair<std::string, std::string>> StringMap(std::string_view key) const;
  // The written node for `key`, or nullptr.
  const ConfigNode* Node(std::string_view key) const;
  // Where `key` was written (its value's mark); the map's own mark when absent.
  SourceMark Mark(std::string_view key) const;

 private:
  const ConfigNode* node_;
  const ConfigSpec* spec_;
};

// Parsers shared by validation and ConfigValues. Errors: InvalidArgument describing the text.
Result<int64_t> ParseDurationMs(std::string_view text);
Result<int64_t> ParseByteSizeText(std::string_view text);
Result<bool> ParseBool(std::string_view text);

// Writes the spec as a Markdown page (docs/components/<kind>/<name>.md): title, description, a
// table of keys (key, type, default, required, description) and examples.
std::string SpecToMarkdown(const ConfigSpec& spec, std::string_view kind);
// Plain-text help for `sluice components NAME`.
std::string SpecToText(const ConfigSpec& spec, std::string_view kind);

}  // namespace sluice::config

#include "sluice/config/config_spec.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>
#include <utility>

#include "sluice/common/ascii.h"
#include "sluice/common/redactor.h"
#include "sluice/config/yaml_loader.h"

namespace sluice::config {

namespace {

std::string Join(const std::vector<std::string>& items, std::string_view separator) {
  std::string joined;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) joined += separator;
    joined += items[i];
  }
  return joined;
}

// Optimal string alignment distance (Damerau-Levenshtein where a substring is edited once).
size_t EditDistance(std::string_view a, std::string_view b) {
  const size_t rows = a.size() + 1;
  const size_t columns = b.size() + 1;
  std::vector<size_t> d(rows * columns, 0);
  auto at = [&](size_t i, size_t j) -> size_t& { return d[i * columns + j]; };
  for (size_t i = 0; i < rows; ++i) at(i, 0) = i;
  for (size_t j = 0; j < columns; ++j) at(0, j) = j;
  for (size_t i = 1; i < rows; ++i) {
    for (size_t j = 1; j < columns; ++j) {
      const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      size_t best = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        best = std::min(best, at(i - 2, j - 2) + 1);
      }
      at(i, j) = best;
    }
  }
  return at(rows - 1, columns - 1);
}

// A written value for messages: 'text' (shortened), or what kind of node it is.
std::string Describe(const ConfigNode& node) {
  if (node.IsScalar()) {
    std::string text = node.text();
    if (text.size() > 60) text = text.substr(0, 57) + "...";
    for (char& c : text) {
      if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    }
    return "'" + text + "'";
  }
  return std::string(node.KindName());
}

// "a duration (e.g. 30s, 5m)": what a key of this type must be, for messages.
std::string Expectation(const KeySpec& key) {
  switch (key.type) {
    case ValueType::kString:
      return "a string";
    case ValueType::kInt:
      return "an integer (e.g. 10)";
    case ValueType::kNumber:
      return "a number (e.g. 1.5)";
    case ValueType::kBool:
      return "true or false";
    case ValueType::kDuration:
      return "a duration (e.g. 30s, 5m)";
    case ValueType::kByteSize:
      return "a byte size (e.g. 512k, 64MB, 128MiB)";
    case ValueType::kEnum:
      return "one of " + Join(key.choices, ", ");
    case ValueType::kStringList:
      return "a list of strings (e.g. [a, b])";
    case ValueType::kStringMap:
      return "a map of strings (e.g. {a: x, b: y})";
    case ValueType::kObject:
      return "a map";
    case ValueType::kObjectMap:
      return "a map of names to maps (e.g. {name: {...}})";
  }
  return "a value";
}

// "sources" → "source", "entries" → "entry": names one entry of an object map in messages.
std::string Singular(const std::string& word) {
  if (word.size() > 3 && word.ends_with("ies")) return word.substr(0, word.size() - 3) + "y";
  if (word.size() > 1 && word.ends_with("s") && !word.ends_with("ss")) {
    return word.substr(0, word.size() - 1);
  }
  return word;
}

std::optional<int64_t> ParseInt(std::string_view text) {
  text = TrimAsciiSpace(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<double> ParseNumber(std::string_view text) {
  text = TrimAsciiSpace(text);
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

// A decimal number without sign or exponent at the start of `text` ("12", "1.5"); its length.
size_t ScanDecimal(std::string_view text, double* value) {
  size_t i = 0;
  bool digits = false;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    ++i;
    digits = true;
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      ++i;
      digits = true;
    }
  }
  if (!digits) return 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + i, *value);
  if (error != std::errc() || end != text.data() + i) return 0;
  return i;
}

// Largest value the duration and byte-size parsers return (far beyond any sensible setting, well
// inside int64).
constexpr double kMaxParsed = 9.0e18;

// Parses the written value or the default of typed getters: nullopt when neither parses.
template <typename T, typename Parse>
T ReadOr(const ConfigNode* node, const KeySpec* key, Parse parse) {
  if (node != nullptr && node->IsScalar()) {
    if (std::optional<T> value = parse(node->text())) return *value;
  }
  if (key != nullptr && !key->default_value.empty()) {
    if (std::optional<T> value = parse(key->default_value)) return *value;
  }
  return T{};
}

// A default written as YAML flow text ("[a, b]", "{a: x}").
std::optional<ConfigNode> ParseDefault(const std::string& text) {
  YamlLoadOptions options;
  options.environment = [](const std::string&) -> std::optional<std::string> {
    return std::nullopt;
  };
  Result<ConfigNode> node = ParseYaml(text, "<default>", options);
  if (!node.ok()) return std::nullopt;
  return std::move(node).ValueUnsafe();
}

std::optional<std::vector<std::string>> ListOf(const ConfigNode& node) {
  if (node.IsScalar()) return std::vector<std::string>{node.text()};
  if (!node.IsSequence()) return std::nullopt;
  std::vector<std::string> items;
  for (const ConfigNode& item : node.items()) {
    if (!item.IsScalar()) return std::nullopt;
    items.push_back(item.text());
  }
  return items;
}

std::optional<std::vector<std::pair<std::string, std::string>>> MapOf(const ConfigNode& node) {
  if (!node.IsMap()) return std::nullopt;
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const ConfigNode::Entry& entry : node.entries()) {
    if (!entry.value.IsScalar()) return std::nullopt;
    pairs.emplace_back(entry.key, entry.value.text());
  }
  return pairs;
}

// Validation of one map against one spec, adding to `errors`.
class Validator {
 public:
  explicit Validator(ConfigErrors* errors) : errors_(errors) {}

  void ValidateMap(const ConfigSpec& spec, const ConfigNode& node, const std::string& context) {
    if (!node.IsMap() && !node.IsNull()) {
      std::vector<std::string> names;
      for (const KeySpec& key : spec.keys()) {
        if (names.size() == 5) {
          names.push_back("...");
          break;
        }
        names.push_back(key.name);
      }
      errors_->Add(node.mark(), context + " must be a map of keys (" + Join(names, ", ") +
                                    "), not " + Describe(node));
      return;
    }
    for (const ConfigNode::Entry& entry : node.entries()) {
      const KeySpec* key = spec.FindKey(entry.key);
      if (key == nullptr) {
        UnknownKey(spec, entry, context);
        continue;
      }
      ValidateValue(*key, entry.value, context);
    }
    for (const KeySpec& key : spec.keys()) {
      if (key.required && node.Find(key.name) == nullptr) {
        errors_->Add(node.mark(), context + " needs '" + key.name + "'");
      }
    }
  }

 private:
  void UnknownKey(const ConfigSpec& spec, const ConfigNode::Entry& entry,
                  const std::string& context) {
    std::vector<std::string> names;
    names.reserve(spec.keys().size());
    for (const KeySpec& key : spec.keys()) names.push_back(key.name);
    std::string message = "unknown key '" + entry.key + "' in " + context;
    if (const std::string* suggestion = ClosestName(entry.key, names)) {
      message += "; did you mean '" + *suggestion + "'?";
    } else if (names.empty()) {
      message += "; it takes no keys";
    } else {
      message += "; known keys: " + Join(names, ", ");
    }
    errors_->Add(entry.key_mark, std::move(message));
  }

  void WrongType(const KeySpec& key, const ConfigNode& value, const std::string& context) {
    errors_->Add(value.mark(), "'" + key.name + "' in " + context + " must be " + Expectation(key) +
                                   ", not " + Describe(value));
  }

  // A string value: secrets must come from ${ENV}; URIs must not carry a literal password.
  // `subject` names the value in messages ("'password' in source 'orders'").
  void CheckText(const std::string& subject, const ConfigNode& value, bool secret) {
    if (value.text().empty()) return;
    if (secret) {
      if (value.interpolated()) {
        Redactor::Global().Register(value.text());
      } else {
        errors_->Add(value.mark(), subject +
                                       " holds a literal secret; write it as ${SOME_ENV_VAR} "
                                       "and set the variable");
      }
      return;
    }
    if (!value.interpolated() && HasLiteralPassword(value.text())) {
      errors_->Add(value.mark(), subject +
                                     " holds a URI with a literal password; use ${ENV} for the "
                                     "password");
    }
  }

  void ValidateValue(const KeySpec& key, const ConfigNode& value, const std::string& context) {
    const std::string subject = "'" + key.name + "' in " + context;
    const bool secret = key.secret || LooksSecret(key.name);
    switch (key.type) {
      case ValueType::kString:
        if (!value.IsScalar()) return WrongType(key, value, context);
        return CheckText(subject, value, secret);
      case ValueType::kInt:
        if (!value.IsScalar() || !ParseInt(value.text())) WrongType(key, value, context);
        return;
      case ValueType::kNumber:
        if (!value.IsScalar() || !ParseNumber(value.text())) WrongType(key, value, context);
        return;
      case ValueType::kBool:
        if (!value.IsScalar() || !ParseBool(value.text()).ok()) WrongType(key, value, context);
        return;
      case ValueType::kDuration:
        if (!value.IsScalar() || !ParseDurationMs(value.text()).ok()) {
          WrongType(key, value, context);
        }
        return;
      case ValueType::kByteSize:
        if (!value.IsScalar() || !ParseByteSizeText(value.text()).ok()) {
          WrongType(key, value, context);
        }
        return;
      case ValueType::kEnum: {
        if (value.IsScalar() &&
            std::find(key.choices.begin(), key.choices.end(), value.text()) != key.choices.end()) {
          return;
        }
        std::string message = subject + " must be " + Expectation(key) + ", not " + Describe(value);
        if (value.IsScalar()) {
          if (const std::string* suggestion = ClosestName(value.text(), key.choices)) {
            message += "; did you mean '" + *suggestion + "'?";
          }
        }
        errors_->Add(value.mark(), std::move(message));
        return;
      }
      case ValueType::kStringList:
        if (value.IsNull()) return;
        if (value.IsScalar()) return CheckText(subject, value, secret);
        if (!value.IsSequence()) return WrongType(key, value, context);
        for (size_t i = 0; i < value.items().size(); ++i) {
          const ConfigNode& item = value.items()[i];
          const std::string item_subject =
              "item " + std::to_string(i + 1) + " of '" + key.name + "' in " + context;
          if (!item.IsScalar()) {
            errors_->Add(item.mark(),
                         item_subject + " must be a string, not " + Describe(item) +
                             (item.IsNull() ? " (quote it if you mean the text)" : ""));
            continue;
          }
          CheckText(item_subject, item, secret);
        }
        return;
      case ValueType::kStringMap:
        if (value.IsNull()) return;
        if (!value.IsMap()) return WrongType(key, value, context);
        for (const ConfigNode::Entry& entry : value.entries()) {
          const std::string entry_subject =
              "'" + entry.key + "' in '" + key.name + "' of " + context;
          if (!entry.value.IsScalar()) {
            errors_->Add(entry.value.mark(),
                         entry_subject + " must be a string, not " + Describe(entry.value) +
                             (entry.value.IsNull() ? " (quote it if you mean the text)" : ""));
            continue;
          }
          CheckText(entry_subject, entry.value, secret || LooksSecret(entry.key));
        }
        return;
      case ValueType::kObject:
        if (!value.IsMap() && !value.IsNull()) return WrongType(key, value, context);
        if (key.object != nullptr)
          ValidateMap(*key.object, value, "'" + key.name + "' of " + context);
        return;
      case ValueType::kObjectMap:
        if (value.IsNull()) return;
        if (!value.IsMap()) return WrongType(key, value, context);
        for (const ConfigNode::Entry& entry : value.entries()) {
          const std::string entry_context = Singular(key.name) + " '" + entry.key + "'";
          if (key.object != nullptr) {
            ValidateMap(*key.object, entry.value, entry_context);
          } else if (!entry.value.IsMap() && !entry.value.IsNull()) {
            errors_->Add(entry.value.mark(),
                         entry_context + " must be a map, not " + Describe(entry.value));
          }
        }
        return;
    }
  }

  ConfigErrors* errors_;
};

// The type as shown in help and docs: enums list their choices with `separator`.
std::string TypeText(const KeySpec& key, std::string_view separator) {
  if (key.type == ValueType::kEnum && !key.choices.empty()) {
    return "one of " + Join(key.choices, separator);
  }
  return ValueTypeName(key.type);
}

// A Markdown table cell: pipes escaped, one line.
std::string Cell(std::string_view text) {
  std::string cell;
  for (char c : text) {
    if (c == '|') {
      cell += "\\|";
    } else if (c == '\n' || c == '\r') {
      cell += ' ';
    } else {
      cell += c;
    }
  }
  return cell;
}

// Inline code in a Markdown cell; backticks inside take a longer fence.
std::string Code(std::string_view text) {
  const std::string fence = text.find('`') != std::string_view::npos ? "`` " : "`";
  const std::string close = fence == "`" ? "`" : " ``";
  return fence + Cell(text) + close;
}

void MarkdownTable(const ConfigSpec& spec, std::string* out) {
  *out += "| key | type | default | required | description |\n|---|---|---|---|---|\n";
  for (const KeySpec& key : spec.keys()) {
    std::string description = key.description;
    if (key.secret) {
      description += (description.empty() ? "" : " ") +
                     std::string("Secret: write it as `${ENV_VAR}`; it is redacted from logs.");
    }
    if (key.type == ValueType::kObject && key.object != nullptr) {
      description += (description.empty() ? "" : " ") + std::string("See [") + key.name + "](#" +
                     key.name + ").";
    } else if (key.type == ValueType::kObjectMap && key.object != nullptr) {
      description += (description.empty() ? "" : " ") + std::string("Each entry: see [") +
                     key.name + "](#" + key.name + ").";
    }
    std::string cell = Cell(description);
    if (!key.example.empty()) {
      cell += (cell.empty() ? "" : " ") + std::string("Example: ") + Code(key.example);
    }
    *out += "| " + Code(key.name) + " | " + Cell(TypeText(key, ", ")) + " | " +
            (key.default_value.empty() ? std::string() : Code(key.default_value)) + " | " +
            (key.required ? "yes" : "") + " | " + cell + " |\n";
  }
}

void MarkdownNested(const ConfigSpec& spec, std::set<const ConfigSpec*>* seen, std::string* out) {
  for (const KeySpec& key : spec.keys()) {
    if ((key.type != ValueType::kObject && key.type != ValueType::kObjectMap) ||
        key.object == nullptr || !seen->insert(key.object).second) {
      continue;
    }
    *out += "\n## " + key.name + "\n\n";
    if (key.type == ValueType::kObjectMap) {
      *out += "A map of names to maps, each with the keys of `" + key.object->name() + "`";
    } else {
      *out += "A map with the keys of `" + key.object->name() + "`";
    }
    if (!key.object->description().empty()) *out += ": " + key.object->description();
    *out += ".\n\n";
    MarkdownTable(*key.object, out);
    MarkdownNested(*key.object, seen, out);
  }
}

std::string Pad(std::string text, size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

void TextRows(const ConfigSpec& spec, size_t indent, std::set<const ConfigSpec*>* seen,
              std::string* out) {
  const std::string margin(indent, ' ');
  size_t key_width = 3;
  size_t type_width = 4;
  size_t default_width = 7;
  std::vector<std::string> types;
  for (const KeySpec& key : spec.keys()) {
    std::string type = TypeText(key, "|");
    if (key.required) type += ", required";
    if (key.secret) type += ", secret";
    key_width = std::max(key_width, key.name.size());
    type_width = std::max(type_width, std::min<size_t>(type.size(), 40));
    default_width = std::max(default_width, std::min<size_t>(key.default_value.size(), 20));
    types.push_back(std::move(type));
  }
  *out += margin + Pad("KEY", key_width) + "  " + Pad("TYPE", type_width) + "  " +
          Pad("DEFAULT", default_width) + "  DESCRIPTION\n";
  for (size_t i = 0; i < spec.keys().size(); ++i) {
    const KeySpec& key = spec.keys()[i];
    std::string line = margin + Pad(key.name, key_width) + "  " + Pad(types[i], type_width) + "  " +
                       Pad(key.default_value, default_width) + "  " + key.description;
    if (!key.example.empty()) line += " (e.g. " + key.example + ")";
    while (!line.empty() && line.back() == ' ') line.pop_back();
    *out += line + "\n";
    if ((key.type == ValueType::kObject || key.type == ValueType::kObjectMap) &&
        key.object != nullptr && indent < 16 && seen->insert(key.object).second) {
      *out += margin + "  " + key.name +
              (key.type == ValueType::kObjectMap ? ": a map of names to maps with these keys\n"
                                                 : ": a map with these keys\n");
      TextRows(*key.object, indent + 4, seen, out);
    }
  }
}

}  // namespace

const std::string* ClosestName(std::string_view word, const std::vector<std::string>& candidates) {
  if (word.size() > 256) return nullptr;
  const std::string lower_word = AsciiLower(word);
  const std::string* best = nullptr;
  size_t best_distance = std::numeric_limits<size_t>::max();
  for (const std::string& candidate : candidates) {
    if (candidate.size() > 256) continue;
    const std::string lower_candidate = AsciiLower(candidate);
    size_t distance = 0;
    if (lower_candidate != lower_word) {
      distance = EditDistance(lower_word, lower_candidate);
      const size_t longer = std::max(lower_word.size(), lower_candidate.size());
      if (distance > 2 || distance > longer / 2) continue;
    }
    if (distance < best_distance) {
      best = &candidate;
      best_distance = distance;
    }
  }
  return best;
}

KeySpec MakeKey(std::string name, ValueType type, std::string description,
                std::string default_value, std::vector<std::string> choices, std::string example) {
  KeySpec key;
  key.name = std::move(name);
  key.type = type;
  key.description = std::move(description);
  key.default_value = std::move(default_value);
  key.choices = std::move(choices);
  key.example = std::move(example);
  return key;
}

std::string ValueTypeName(ValueType type) {
  switch (type) {
    case ValueType::kString:
      return "string";
    case ValueType::kInt:
      return "integer";
    case ValueType::kNumber:
      return "number";
    case ValueType::kBool:
      return "boolean";
    case ValueType::kDuration:
      return "duration";
    case ValueType::kByteSize:
      return "byte size";
    case ValueType::kEnum:
      return "one of the choices";
    case ValueType::kStringList:
      return "list of strings";
    case ValueType::kStringMap:
      return "map of strings";
    case ValueType::kObject:
      return "map";
    case ValueType::kObjectMap:
      return "map of maps";
  }
  return "value";
}

std::string ConfigError::ToString() const {
  const std::string where = mark.ToString();
  return where.empty() ? message : where + ": " + message;
}

void ConfigErrors::Add(SourceMark mark, std::string message) {
  ConfigError error;
  error.mark = std::move(mark);
  error.message = std::move(message);
  errors_.push_back(std::move(error));
}

Status ConfigErrors::ToStatus() const {
  if (errors_.empty()) return Status::OK();
  std::vector<const ConfigError*> sorted;
  sorted.reserve(errors_.size());
  for (const ConfigError& error : errors_) sorted.push_back(&error);
  std::stable_sort(sorted.begin(), sorted.end(), [](const ConfigError* a, const ConfigError* b) {
    if (a->mark.line != b->mark.line) return a->mark.line < b->mark.line;
    return a->mark.column < b->mark.column;
  });
  std::string message;
  std::string previous;
  for (const ConfigError* error : sorted) {
    std::string line = error->ToString();
    if (line == previous) continue;  // the same problem reported twice
    if (!message.empty()) message += '\n';
    message += line;
    previous = std::move(line);
  }
  return Status::InvalidArgument(std::move(message));
}

const KeySpec* ConfigSpec::FindKey(std::string_view key) const {
  for (const KeySpec& spec : keys_) {
    if (spec.name == key) return &spec;
  }
  return nullptr;
}

void ConfigSpec::Validate(const ConfigNode& node, const std::string& context,
                          ConfigErrors* errors) const {
  Validator(errors).ValidateMap(*this, node, context);
}

bool LooksSecret(std::string_view key_name) {
  static const char* const kNames[] = {"password",   "passwd",      "pwd",         "secret",
                                       "token",      "api_key",     "apikey",      "access_key",
                                       "secret_key", "private_key", "credentials", "auth_token"};
  std::string name = AsciiLower(key_name);
  for (char& c : name) {
    if (c == '-') c = '_';
  }
  for (const char* secret : kNames) {
    const std::string_view word(secret);
    if (name == word) return true;
    if (name.size() > word.size() + 1 && name.ends_with(word) &&
        name[name.size() - word.size() - 1] == '_') {
      return true;
    }
  }
  return false;
}

bool HasLiteralPassword(std::string_view text) {
  size_t search = 0;
  while (true) {
    const size_t separator = text.find("://", search);
    if (separator == std::string_view::npos) return false;
    search = separator + 3;
    // A scheme: letters, digits, + - . before "://".
    size_t scheme_start = separator;
    while (scheme_start > 0) {
      const char c = text[scheme_start - 1];
      const bool scheme_char = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                               (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
      if (!scheme_char) break;
      --scheme_start;
    }
    if (scheme_start == separator) continue;
    const size_t authority_start = separator + 3;
    size_t authority_end = authority_start;
    while (authority_end < text.size()) {
      const char c = text[authority_end];
      if (c == '/' || c == '?' || c == '#' || c == ' ' || c == '\n' || c == '\t') break;
      ++authority_end;
    }
    const std::string_view authority =
        text.substr(authority_start, authority_end - authority_start);
    const size_t at = authority.rfind('@');
    if (at == std::string_view::npos) continue;
    const std::string_view user_info = authority.substr(0, at);
    const size_t colon = user_info.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view password = user_info.substr(colon + 1);
    if (!password.empty() && password != "***") return true;
  }
}

Result<int64_t> ParseDurationMs(std::string_view text) {
  const std::string lower = AsciiLower(TrimAsciiSpace(text));
  auto invalid = [&] {
    return Status::InvalidArgument("'" + std::string(text) +
                                   "' is not a duration (e.g. 500ms, 30s, 5m, 2h, 1d, 1h30m)");
  };
  if (lower.empty()) return invalid();
  if (lower.front() == '-') {
    return Status::InvalidArgument("a duration cannot be negative: '" + std::string(text) + "'");
  }
  double total_ms = 0;
  if (std::optional<double> seconds = ParseNumber(lower)) {
    total_ms = *seconds * 1000.0;
  } else {
    std::string_view rest(lower);
    while (!rest.empty()) {
      double amount = 0;
      const size_t length = ScanDecimal(rest, &amount);
      if (length == 0) return invalid();
      rest.remove_prefix(length);
      while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
      size_t unit_length = 0;
      while (unit_length < rest.size() && rest[unit_length] >= 'a' && rest[unit_length] <= 'z') {
        ++unit_length;
      }
      const std::string_view unit = rest.substr(0, unit_length);
      double scale = 0;
      if (unit == "ms") {
        scale = 1;
      } else if (unit == "s") {
        scale = 1000;
      } else if (unit == "m") {
        scale = 60.0 * 1000;
      } else if (unit == "h") {
        scale = 3600.0 * 1000;
      } else if (unit == "d") {
        scale = 86400.0 * 1000;
      } else {
        return invalid();
      }
      total_ms += amount * scale;
      rest.remove_prefix(unit_length);
      while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    }
  }
  if (!(total_ms >= 0) || total_ms > kMaxParsed) {
    return Status::InvalidArgument("duration '" + std::string(text) + "' is too long");
  }
  return static_cast<int64_t>(std::llround(total_ms));
}

Result<int64_t> ParseByteSizeText(std::string_view text) {
  const std::string lower = AsciiLower(TrimAsciiSpace(text));
  auto invalid = [&] {
    return Status::InvalidArgument("'" + std::string(text) +
                                   "' is not a byte size (e.g. 1048576, 512k, 64MB, 128MiB)");
  };
  if (lower.empty()) return invalid();
  if (lower.front() == '-') {
    return Status::InvalidArgument("a byte size cannot be negative: '" + std::string(text) + "'");
  }
  double amount = 0;
  const size_t length = ScanDecimal(lower, &amount);
  if (length == 0) return invalid();
  const std::string_view unit = TrimAsciiSpace(std::string_view(lower).substr(length));
  double scale = 0;
  if (unit.empty() || unit == "b") {
    scale = 1;
  } else if (unit == "k" || unit == "kb") {
    scale = 1e3;
  } else if (unit == "m" || unit == "mb") {
    scale = 1e6;
  } else if (unit == "g" || unit == "gb") {
    scale = 1e9;
  } else if (unit == "t" || unit == "tb") {
    scale = 1e12;
  } else if (unit == "kib" || unit == "ki") {
    scale = 1024.0;
  } else if (unit == "mib" || unit == "mi") {
    scale = 1024.0 * 1024;
  } else if (unit == "gib" || unit == "gi") {
    scale = 1024.0 * 1024 * 1024;
  } else if (unit == "tib" || unit == "ti") {
    scale = 1024.0 * 1024 * 1024 * 1024;
  } else {
    return invalid();
  }
  const double bytes = amount * scale;
  if (!(bytes >= 0) || bytes > kMaxParsed) {
    return Status::InvalidArgument("byte size '" + std::string(text) + "' is too large");
  }
  return static_cast<int64_t>(std::llround(bytes));
}

Result<bool> ParseBool(std::string_view text) {
  const std::string lower = AsciiLower(TrimAsciiSpace(text));
  if (lower == "true" || lower == "yes" || lower == "on" || lower == "1") return true;
  if (lower == "false" || lower == "no" || lower == "off" || lower == "0") return false;
  return Status::InvalidArgument("'" + std::string(text) +
                                 "' is not a boolean (true/false, yes/no, on/off, 1/0)");
}

// --- ConfigValues ---

const ConfigNode* ConfigValues::Node(std::string_view key) const {
  if (node_ == nullptr || !node_->IsMap()) return nullptr;
  return node_->Find(key);
}

bool ConfigValues::Has(std::string_view key) const {
  const ConfigNode* node = Node(key);
  return node != nullptr && !node->IsNull();
}

std::string ConfigValues::String(std::string_view key) const {
  const ConfigNode* node = Node(key);
  if (node != nullptr && node->IsScalar()) return node->text();
  const KeySpec* spec = spec_ != nullptr ? spec_->FindKey(key) : nullptr;
  return spec != nullptr ? spec->default_value : std::string();
}

int64_t ConfigValues::Int(std::string_view key) const {
  return ReadOr<int64_t>(Node(key), spec_ != nullptr ? spec_->FindKey(key) : nullptr,
                         [](std::string_view text) { return ParseInt(text); });
}

double ConfigValues::Number(std::string_view key) const {
  return ReadOr<double>(Node(key), spec_ != nullptr ? spec_->FindKey(key) : nullptr,
                        [](std::string_view text) { return ParseNumber(text); });
}

bool ConfigValues::Bool(std::string_view key) const {
  return ReadOr<bool>(Node(key), spec_ != nullptr ? spec_->FindKey(key) : nullptr,
                      [](std::string_view text) -> std::optional<bool> {
                        Result<bool> value = ParseBool(text);
                        if (!value.ok()) return std::nullopt;
                        return *value;
                      });
}

int64_t ConfigValues::DurationMs(std::string_view key) const {
  return ReadOr<int64_t>(Node(key), spec_ != nullptr ? spec_->FindKey(key) : nullptr,
                         [](std::string_view text) -> std::optional<int64_t> {
                           Result<int64_t> value = ParseDurationMs(text);
                           if (!value.ok()) return std::nullopt;
                           return *value;
                         });
}

int64_t ConfigValues::Bytes(std::string_view key) const {
  return ReadOr<int64_t>(Node(key), spec_ != nullptr ? spec_->FindKey(key) : nullptr,
                         [](std::string_view text) -> std::optional<int64_t> {
                           Result<int64_t> value = ParseByteSizeText(text);
                           if (!value.ok()) return std::nullopt;
                           return *value;
                         });
}

std::vector<std::string> ConfigValues::StringList(std::string_view key) const {
  if (const ConfigNode* node = Node(key)) {
    if (std::optional<std::vector<std::string>> items = ListOf(*node)) return *items;
  }
  const KeySpec* spec = spec_ != nullptr ? spec_->FindKey(key) : nullptr;
  if (spec == nullptr || spec->default_value.empty()) return {};
  if (spec->default_value.front() == '[') {
    if (std::optional<ConfigNode> parsed = ParseDefault(spec->default_value)) {
      if (std::optional<std::vector<std::string>> items = ListOf(*parsed)) return *items;
    }
  }
  return {spec->default_value};
}

std::vector<std::pair<std::string, std::string>> ConfigValues::StringMap(
    std::string_view key) const {
  if (const ConfigNode* node = Node(key)) {
    if (auto pairs = MapOf(*node)) return *pairs;
  }
  const KeySpec* spec = spec_ != nullptr ? spec_->FindKey(key) : nullptr;
  if (spec == nullptr || spec->default_value.empty()) return {};
  if (std::optional<ConfigNode> parsed = ParseDefault(spec->default_value)) {
    if (auto pairs = MapOf(*parsed)) return *pairs;
  }
  return {};
}

SourceMark ConfigValues::Mark(std::string_view key) const {
  if (const ConfigNode* node = Node(key)) return node->mark();
  return node_ != nullptr ? node_->mark() : SourceMark();
}

// --- Help and docs ---

std::string SpecToMarkdown(const ConfigSpec& spec, std::string_view kind) {
  std::string out = "# " + spec.name() + " (" + std::string(kind) + ")\n\n";
  if (!spec.description().empty()) out += spec.description() + "\n\n";
  MarkdownTable(spec, &out);
  std::set<const ConfigSpec*> seen = {&spec};
  MarkdownNested(spec, &seen, &out);
  std::string example;
  for (const KeySpec& key : spec.keys()) {
    if (!key.example.empty()) {
      example += key.name + ": " + key.example + "\n";
    } else if (key.required) {
      example += key.name + ": ...\n";
    }
  }
  if (!example.empty()) out += "\n## Example\n\n```yaml\n" + example + "```\n";
  return out;
}

std::string SpecToText(const ConfigSpec& spec, std::string_view kind) {
  std::string out = spec.name() + " (" + std::string(kind) + ")\n";
  if (!spec.description().empty()) out += "  " + spec.description() + "\n";
  out += "\n";
  std::set<const ConfigSpec*> seen = {&spec};
  TextRows(spec, 2, &seen, &out);
  return out;
}

}  // namespace sluice::config

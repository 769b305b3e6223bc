#include "sluice/config/yaml_loader.h"

#include <yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

namespace sluice::config {

namespace {

constexpr size_t kMaxBytes = size_t{16} << 20;
constexpr size_t kMaxDepth = 64;

// A map or list being read: its items so far and, for maps, the key waiting for its value.
struct Frame {
  bool is_map = false;
  SourceMark mark;
  std::vector<ConfigNode> items;
  std::vector<ConfigNode::Entry> entries;
  bool have_key = false;
  std::string key;
  SourceMark key_mark;
  std::unordered_map<std::string, int> key_lines;  // key → line first written
};

// Owns a libyaml parser (freed on every path out).
class ParserGuard {
 public:
  ParserGuard() { initialized_ = yaml_parser_initialize(&parser_) == 1; }
  ~ParserGuard() {
    if (initialized_) yaml_parser_delete(&parser_);
  }
  ParserGuard(const ParserGuard&) = delete;
  ParserGuard& operator=(const ParserGuard&) = delete;
  bool initialized() const { return initialized_; }
  yaml_parser_t* get() { return &parser_; }

 private:
  yaml_parser_t parser_{};
  bool initialized_ = false;
};

// Owns one event.
class EventGuard {
 public:
  EventGuard() = default;
  ~EventGuard() {
    if (filled_) yaml_event_delete(&event_);
  }
  EventGuard(const EventGuard&) = delete;
  EventGuard& operator=(const EventGuard&) = delete;
  yaml_event_t* get() { return &event_; }
  void set_filled() { filled_ = true; }

 private:
  yaml_event_t event_{};
  bool filled_ = false;
};

SourceMark MarkOf(const std::string& file, const yaml_mark_t& mark) {
  SourceMark result;
  result.file = file;
  result.line = static_cast<int>(mark.line) + 1;
  result.column = static_cast<int>(mark.column) + 1;
  return result;
}

Status ErrorAt(const SourceMark& mark, const std::string& message) {
  return Status::InvalidArgument(mark.ToString() + ": " + message);
}

// Line and column of a byte offset (for reader errors, which libyaml reports by offset).
SourceMark MarkOfOffset(const std::string& file, std::string_view text, size_t offset) {
  SourceMark mark;
  mark.file = file;
  mark.line = 1;
  mark.column = 1;
  const size_t end = std::min(offset, text.size());
  for (size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++mark.line;
      mark.column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
      ++mark.column;
    }
  }
  return mark;
}

Status ParserError(const std::string& file, std::string_view text, const yaml_parser_t& parser) {
  if (parser.error == YAML_MEMORY_ERROR) {
    return Status::InvalidArgument(file + ":1:1: out of memory while reading YAML");
  }
  std::string problem = parser.problem != nullptr ? parser.problem : "invalid YAML";
  if (parser.error == YAML_READER_ERROR) {
    if (parser.problem_value != -1) {
      char hex[16] = {};
      std::snprintf(hex, sizeof(hex), " (#%X)", static_cast<unsigned>(parser.problem_value));
      problem += hex;
    }
    return ErrorAt(MarkOfOffset(file, text, parser.problem_offset), problem);
  }
  SourceMark mark = MarkOf(file, parser.problem_mark);
  if (parser.context != nullptr) {
    const SourceMark context = MarkOf(file, parser.context_mark);
    problem += " (" + std::string(parser.context) + " that starts at line " +
               std::to_string(context.line) + ", column " + std::to_string(context.column) + ")";
  }
  return ErrorAt(mark, problem);
}

bool IsNameStart(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool IsNameChar(char c) { return IsNameStart(c) || (c >= '0' && c <= '9'); }

// Replaces ${NAME}, ${NAME:-default} and $${ in `text`.
Status Interpolate(const std::string& text, const SourceMark& mark, const YamlLoadOptions& options,
                   std::string* out, bool* interpolated) {
  out->clear();
  *interpolated = false;
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    if (c != '$') {
      out->push_back(c);
      ++i;
      continue;
    }
    if (text.compare(i, 3, "$${") == 0) {
      out->append("${");
      i += 3;
      continue;
    }
    if (text.compare(i, 2, "${") != 0) {
      out->push_back(c);
      ++i;
      continue;
    }
    const size_t close = text.find('}', i + 2);
    if (close == std::string::npos) {
      return ErrorAt(mark, "'${' without a closing '}' (write $${ for a literal ${)");
    }
    const std::string_view inside(text.data() + i + 2, close - i - 2);
    size_t name_end = 0;
    while (name_end < inside.size() && IsNameChar(inside[name_end])) ++name_end;
    const std::string name(inside.substr(0, name_end));
    const std::string_view rest = inside.substr(name_end);
    const bool has_default = rest.substr(0, 2) == ":-";
    if (name.empty() || !IsNameStart(name[0]) || (!rest.empty() && !has_default)) {
      return ErrorAt(mark, "'${" + std::string(inside) +
                               "}' is not a variable reference: write ${NAME} or "
                               "${NAME:-default}, NAME being letters, digits and _ (and $${ "
                               "for a literal ${)");
    }
    std::optional<std::string> value;
    if (options.environment) value = options.environment(name);
    std::string substituted;
    if (value.has_value() && !(has_default && value->empty())) {
      substituted = std::move(*value);
    } else if (has_default) {
      substituted = std::string(rest.substr(2));
    } else {
      return ErrorAt(mark, "environment variable " + name + " is not set (write ${" + name +
                               ":-default} for a default)");
    }
    // The substituted text (the variable's value, or the default standing in for it) is reported,
    // so that a secret written as a default is redacted too.
    if (options.on_interpolated) options.on_interpolated(name, substituted);
    out->append(substituted);
    *interpolated = true;
    i = close + 1;
  }
  return Status::OK();
}

bool IsNullText(std::string_view text) {
  return text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL";
}

class TreeBuilder {
 public:
  TreeBuilder(const std::string& file, const YamlLoadOptions& options)
      : file_(file), options_(options) {}

  Status OnEvent(const yaml_event_t& event) {
    const SourceMark mark = MarkOf(file_, event.start_mark);
    switch (event.type) {
      case YAML_STREAM_START_EVENT:
      case YAML_DOCUMENT_END_EVENT:
      case YAML_NO_EVENT:
        return Status::OK();
      case YAML_STREAM_END_EVENT:
        done_ = true;
        return Status::OK();
      case YAML_DOCUMENT_START_EVENT:
        if (++documents_ > 1) {
          return ErrorAt(mark, "a second YAML document ('---'); a project file holds one document");
        }
        return Status::OK();
      case YAML_ALIAS_EVENT:
        return ErrorAt(mark, "alias '*" + Text(event.data.alias.anchor) +
                                 "' is not supported; write the value out in full");
      case YAML_SCALAR_EVENT:
        SLUICE_RETURN_NOT_OK(
            CheckAnchorAndTag(mark, event.data.scalar.anchor, event.data.scalar.tag));
        return OnScalar(event, mark);
      case YAML_SEQUENCE_START_EVENT:
        SLUICE_RETURN_NOT_OK(CheckAnchorAndTag(mark, event.data.sequence_start.anchor,
                                               event.data.sequence_start.tag));
        return Open(/*is_map=*/false, mark);
      case YAML_MAPPING_START_EVENT:
        SLUICE_RETURN_NOT_OK(
            CheckAnchorAndTag(mark, event.data.mapping_start.anchor, event.data.mapping_start.tag));
        return Open(/*is_map=*/true, mark);
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT:
        return Close();
    }
    return Status::OK();
  }

  bool done() const { return done_; }

  ConfigNode TakeRoot() {
    if (!has_root_) {
      SourceMark mark;
      mark.file = file_;
      mark.line = 1;
      mark.column = 1;
      return ConfigNode::Null(mark);
    }
    return std::move(root_);
  }

 private:
  static std::string Text(const yaml_char_t* text) {
    return text != nullptr ? std::string(reinterpret_cast<const char*>(text)) : std::string();
  }

  Status CheckAnchorAndTag(const SourceMark& mark, const yaml_char_t* anchor,
                           const yaml_char_t* tag) const {
    if (anchor != nullptr) {
      return ErrorAt(
          mark, "anchor '&" + Text(anchor) + "' is not supported; write each value out in full");
    }
    if (tag != nullptr) {
      return ErrorAt(
          mark, "tag '" + Text(tag) + "' is not supported; quote the value if it is meant as text");
    }
    return Status::OK();
  }

  bool ExpectingKey() const {
    return !stack_.empty() && stack_.back().is_map && !stack_.back().have_key;
  }

  Status OnScalar(const yaml_event_t& event, const SourceMark& mark) {
    const std::string text(reinterpret_cast<const char*>(event.data.scalar.value),
                           event.data.scalar.length);
    const bool plain = event.data.scalar.style == YAML_PLAIN_SCALAR_STYLE ||
                       event.data.scalar.style == YAML_ANY_SCALAR_STYLE;
    if (ExpectingKey()) {
      Frame& frame = stack_.back();
      if (text.empty()) return ErrorAt(mark, "a map key is empty");
      auto [it, inserted] = frame.key_lines.emplace(text, mark.line);
      if (!inserted) {
        return ErrorAt(mark, "duplicate key '" + text + "' (first written at line " +
                                 std::to_string(it->second) + ")");
      }
      frame.have_key = true;
      frame.key = text;
      frame.key_mark = mark;
      return Status::OK();
    }
    if (plain && IsNullText(text)) return Attach(ConfigNode::Null(mark));
    std::string value;
    bool interpolated = false;
    SLUICE_RETURN_NOT_OK(Interpolate(text, mark, options_, &value, &interpolated));
    ConfigNode node = ConfigNode::Scalar(std::move(value), mark, !plain);
    node.set_interpolated(interpolated);
    return Attach(std::move(node));
  }

  Status Open(bool is_map, const SourceMark& mark) {
    if (ExpectingKey()) {
      return ErrorAt(
          mark, std::string("a map key must be plain text, not ") + (is_map ? "a map" : "a list"));
    }
    if (stack_.size() >= kMaxDepth) {
      return ErrorAt(mark, "nesting deeper than " + std::to_string(kMaxDepth) + " levels");
    }
    Frame frame;
    frame.is_map = is_map;
    frame.mark = mark;
    stack_.push_back(std::move(frame));
    return Status::OK();
  }

  Status Close() {
    if (stack_.empty()) return Status::Internal(file_ + ": unbalanced YAML events");
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    if (frame.is_map) {
      return Attach(ConfigNode::Map(std::move(frame.entries), std::move(frame.mark)));
    }
    return Attach(ConfigNode::Sequence(std::move(frame.items), std::move(frame.mark)));
  }

  Status Attach(ConfigNode node) {
    if (stack_.empty()) {
      root_ = std::move(node);
      has_root_ = true;
      return Status::OK();
    }
    Frame& frame = stack_.back();
    if (!frame.is_map) {
      frame.items.push_back(std::move(node));
      return Status::OK();
    }
    ConfigNode::Entry entry;
    entry.key = std::move(frame.key);
    entry.key_mark = std::move(frame.key_mark);
    entry.value = std::move(node);
    frame.entries.push_back(std::move(entry));
    frame.have_key = false;
    frame.key.clear();
    frame.key_mark = SourceMark();
    return Status::OK();
  }

  const std::string& file_;
  const YamlLoadOptions& options_;
  std::vector<Frame> stack_;
  ConfigNode root_;
  bool has_root_ = false;
  int documents_ = 0;
  bool done_ = false;
};

}  // namespace

EnvironmentLookup ProcessEnvironment() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* value = std::getenv(name.c_str());
    if (value == nullptr) return std::nullopt;
    return std::string(value);
  };
}

Result<ConfigNode> ParseYaml(std::string_view text, const std::string& file_name,
                             const YamlLoadOptions& options) {
  if (text.size() > kMaxBytes) {
    return Status::InvalidArgument(file_name + ":1:1: the file is larger than 16 MiB");
  }
  ParserGuard parser;
  if (!parser.initialized()) {
    return Status::Internal(file_name + ": could not initialize the YAML parser");
  }
  yaml_parser_set_input_string(parser.get(), reinterpret_cast<const unsigned char*>(text.data()),
                               text.size());
  TreeBuilder builder(file_name, options);
  while (!builder.done()) {
    EventGuard event;
    if (yaml_parser_parse(parser.get(), event.get()) != 1) {
      return ParserError(file_name, text, *parser.get());
    }
    event.set_filled();
    if (event.get()->type == YAML_NO_EVENT) break;
    SLUICE_RETURN_NOT_OK(builder.OnEvent(*event.get()));
  }
  return builder.TakeRoot();
}

Result<ConfigNode> LoadYamlFile(const std::string& path, const YamlLoadOptions& options) {
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(path, error);
  if (!std::filesystem::exists(status)) {
    return Status::NotFound(path + ": no such file");
  }
  if (std::filesystem::is_directory(status)) {
    return Status::IOError(path + ": is a folder, not a file");
  }
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    const int code = errno;
    if (code == ENOENT) return Status::NotFound(path + ": no such file");
    return Status::IOError(path + ": " + std::strerror(code));
  }
  std::string text;
  char buffer[65536];
  bool too_large = false;
  while (true) {
    const size_t read = std::fread(buffer, 1, sizeof(buffer), file);
    text.append(buffer, read);
    if (text.size() > kMaxBytes) {
      too_large = true;
      break;
    }
    if (read < sizeof(buffer)) break;
  }
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (too_large) return Status::InvalidArgument(path + ":1:1: the file is larger than 16 MiB");
  if (failed) return Status::IOError(path + ": read failed");
  return ParseYaml(text, path, options);
}

}  // namespace sluice::config

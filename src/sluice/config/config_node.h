// ConfigNode: a YAML document as a tree whose every node remembers where it was written
// (file:line:column), so that every configuration error can point at the text.
//
// The tree is built by ParseYaml (yaml_loader.h) and is read-only afterwards. Scalars keep their
// text as written (after ${ENV} interpolation); typing is the job of ConfigSpec (config_spec.h).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::config {

// Where a node was written. line and column are 1-based; 0 = unknown.
struct SourceMark {
  std::string file;
  int line = 0;
  int column = 0;

  // "retail.yml:7:5" ("retail.yml" when the line is unknown).
  std::string ToString() const;
};

class ConfigNode {
 public:
  enum class Kind { kNull, kScalar, kSequence, kMap };

  struct Entry;

  ConfigNode() = default;
  static ConfigNode Null(SourceMark mark);
  static ConfigNode Scalar(std::string text, SourceMark mark, bool quoted = false);
  static ConfigNode Sequence(std::vector<ConfigNode> items, SourceMark mark);
  static ConfigNode Map(std::vector<Entry> entries, SourceMark mark);

  Kind kind() const { return kind_; }
  bool IsNull() const { return kind_ == Kind::kNull; }
  bool IsScalar() const { return kind_ == Kind::kScalar; }
  bool IsSequence() const { return kind_ == Kind::kSequence; }
  bool IsMap() const { return kind_ == Kind::kMap; }
  // "null", "a value", "a list", "a map": for messages.
  std::string_view KindName() const;
  const SourceMark& mark() const { return mark_; }

  // Scalars: the text as written, after ${ENV} interpolation.
  const std::string& text() const { return text_; }
  // The scalar was quoted ('...' or "..."), so it is a string whatever it looks like.
  bool quoted() const { return quoted_; }
  // Some of the scalar's text came from ${...} interpolation.
  bool interpolated() const { return interpolated_; }
  void set_interpolated(bool value) { interpolated_ = value; }

  // Sequences.
  const std::vector<ConfigNode>& items() const { return items_; }
  // Maps, in the order written (keys are unique: the loader refuses duplicates).
  const std::vector<Entry>& entries() const { return entries_; }
  // The value of `key`, or nullptr.
  const ConfigNode* Find(std::string_view key) const;
  // The entry of `key`, or nullptr (gives the key's own mark).
  const Entry* FindEntry(std::string_view key) const;

 private:
  Kind kind_ = Kind::kNull;
  SourceMark mark_;
  std::string text_;
  bool quoted_ = false;
  bool interpolated_ = false;
  std::vector<ConfigNode> items_;
  std::vector<Entry> entries_;
};

struct ConfigNode::Entry {
  std::string key;
  SourceMark key_mark;
  ConfigNode value;
};

}  // namespace sluice::config

#include "sluice/config/config_node.h"

#include <utility>

namespace sluice::config {

std::string SourceMark::ToString() const {
  if (line <= 0) return file;
  std::string text = file.empty() ? std::string() : file + ":";
  text += std::to_string(line);
  if (column > 0) text += ":" + std::to_string(column);
  return text;
}

ConfigNode ConfigNode::Null(SourceMark mark) {
  ConfigNode node;
  node.kind_ = Kind::kNull;
  node.mark_ = std::move(mark);
  return node;
}

ConfigNode ConfigNode::Scalar(std::string text, SourceMark mark, bool quoted) {
  ConfigNode node;
  node.kind_ = Kind::kScalar;
  node.text_ = std::move(text);
  node.mark_ = std::move(mark);
  node.quoted_ = quoted;
  return node;
}

ConfigNode ConfigNode::Sequence(std::vector<ConfigNode> items, SourceMark mark) {
  ConfigNode node;
  node.kind_ = Kind::kSequence;
  node.items_ = std::move(items);
  node.mark_ = std::move(mark);
  return node;
}

ConfigNode ConfigNode::Map(std::vector<Entry> entries, SourceMark mark) {
  ConfigNode node;
  node.kind_ = Kind::kMap;
  node.entries_ = std::move(entries);
  node.mark_ = std::move(mark);
  return node;
}

std::string_view ConfigNode::KindName() const {
  switch (kind_) {
    case Kind::kNull:
      return "null";
    case Kind::kScalar:
      return "a value";
    case Kind::kSequence:
      return "a list";
    case Kind::kMap:
      return "a map";
  }
  return "null";
}

const ConfigNode* ConfigNode::Find(std::string_view key) const {
  const Entry* entry = FindEntry(key);
  return entry != nullptr ? &entry->value : nullptr;
}

const ConfigNode::Entry* ConfigNode::FindEntry(std::string_view key) const {
  for (const Entry& entry : entries_) {
    if (entry.key == key) return &entry;
  }
  return nullptr;
}

}  // namespace sluice::config

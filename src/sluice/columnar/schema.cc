#include "sluice/columnar/schema.h"

namespace sluice::columnar {

std::optional<size_t> Schema::FieldIndex(std::string_view name) const {
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (fields_[i].name == name) return i;
  }
  return std::nullopt;
}

std::string Schema::ToString() const {
  std::string out;
  for (size_t i = 0; i < fields_.size(); ++i) {
    if (i > 0) out += ", ";
    out += fields_[i].name + ": " + fields_[i].type.ToString();
  }
  return out;
}

}  // namespace sluice::columnar

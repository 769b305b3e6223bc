#include "sluice/formats/json/json_text.h"

#include <charconv>

#include "sluice/columnar/value_formatter.h"

namespace sluice::formats::json {
namespace {

namespace dom = simdjson::dom;

void AppendJsonDouble(double value, std::string* out) {
  const size_t start = out->size();
  columnar::AppendDouble(value, out);
  // "1" for 1.0: keep the value a JSON float so the text says what the input said.
  for (size_t i = start; i < out->size(); ++i) {
    const char c = (*out)[i];
    if (c != '-' && (c < '0' || c > '9')) return;
  }
  out->append(".0");
}

template <typename Integer>
void AppendInteger(Integer value, std::string* out) {
  char digits[24];
  auto result = std::to_chars(digits, digits + sizeof(digits), value);
  out->append(digits, result.ptr);
}

}  // namespace

// Compact JSON text of `element` (no whitespace; strings re-escaped; numbers in shortest form).
void AppendJsonText(dom::element element, std::string* out) {
  switch (element.type()) {
    case dom::element_type::ARRAY: {
      out->push_back('[');
      bool first = true;
      const dom::array array = element.get_array().value_unsafe();
      for (dom::element child : array) {
        if (!first) out->push_back(',');
        first = false;
        AppendJsonText(child, out);
      }
      out->push_back(']');
      return;
    }
    case dom::element_type::OBJECT: {
      out->push_back('{');
      bool first = true;
      const dom::object object = element.get_object().value_unsafe();
      for (dom::key_value_pair field : object) {
        if (!first) out->push_back(',');
        first = false;
        columnar::AppendJsonString(field.key, out);
        out->push_back(':');
        AppendJsonText(field.value, out);
      }
      out->push_back('}');
      return;
    }
    case dom::element_type::INT64:
      AppendInteger(element.get_int64().value_unsafe(), out);
      return;
    case dom::element_type::UINT64:
      AppendInteger(element.get_uint64().value_unsafe(), out);
      return;
    case dom::element_type::DOUBLE:
      AppendJsonDouble(element.get_double().value_unsafe(), out);
      return;
    case dom::element_type::STRING:
      columnar::AppendJsonString(element.get_string().value_unsafe(), out);
      return;
    case dom::element_type::BOOL:
      out->append(element.get_bool().value_unsafe() ? "true" : "false");
      return;
    case dom::element_type::NULL_VALUE:
      out->append("null");
      return;
  }
}

}  // namespace sluice::formats::json

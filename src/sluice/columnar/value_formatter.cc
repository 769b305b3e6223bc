#include "sluice/columnar/value_formatter.h"

#include <charconv>
#include <cmath>

#include "sluice/columnar/decimal.h"
#include "sluice/columnar/temporal.h"

namespace sluice::columnar {

void AppendJsonString(std::string_view text, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default:
        if (byte < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[byte >> 4]);
          out->push_back(kHex[byte & 15]);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

void AppendDouble(double value, std::string* out) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  out->append(buffer, ec == std::errc() ? static_cast<size_t>(end - buffer) : 0);
}

void AppendBase64(std::string_view bytes, std::string* out) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t v = (static_cast<uint8_t>(bytes[i]) << 16) |
                       (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                       static_cast<uint8_t>(bytes[i + 2]);
    out->push_back(kAlphabet[v >> 18]);
    out->push_back(kAlphabet[(v >> 12) & 63]);
    out->push_back(kAlphabet[(v >> 6) & 63]);
    out->push_back(kAlphabet[v & 63]);
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t v = static_cast<uint8_t>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out->push_back(kAlphabet[v >> 18]);
    out->push_back(kAlphabet[(v >> 12) & 63]);
    out->push_back(rest == 2 ? kAlphabet[(v >> 6) & 63] : '=');
    out->push_back('=');
  }
}

namespace {

void AppendHex(std::string_view bytes, std::string* out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    out->append("\\x");
    out->push_back(kHex[byte >> 4]);
    out->push_back(kHex[byte & 15]);
  }
}

}  // namespace

void AppendValue(const Column& column, int64_t row, ValueStyle style, std::string* out) {
  if (column.IsNull(row)) {
    if (style == ValueStyle::kJson) out->append("null");
    return;
  }
  const DataType& type = column.type();
  const bool json = style == ValueStyle::kJson;
  switch (type.id()) {
    case TypeId::kBool:
      out->append(static_cast<const BooleanColumn&>(column).Value(row) ? "true" : "false");
      return;
    case TypeId::kInt32:
      out->append(std::to_string(static_cast<const Int32Column&>(column).Value(row)));
      return;
    case TypeId::kInt64:
      out->append(std::to_string(static_cast<const Int64Column&>(column).Value(row)));
      return;
    case TypeId::kFloat64: {
      const double value = static_cast<const Float64Column&>(column).Value(row);
      if (style != ValueStyle::kDisplay && !std::isfinite(value)) {
        // The words Spark and pandas write and read back; JSON has no literal for them, so there
        // they are strings.
        const char* word = std::isnan(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
        if (json) out->push_back('"');
        out->append(word);
        if (json) out->push_back('"');
      } else {
        AppendDouble(value, out);
      }
      return;
    }
    case TypeId::kDecimal:
      AppendDecimal(static_cast<const DecimalColumn&>(column).Value(row), type.scale(), out);
      return;
    case TypeId::kDate: {
      if (json) out->push_back('"');
      AppendDate(static_cast<const Int32Column&>(column).Value(row), out);
      if (json) out->push_back('"');
      return;
    }
    case TypeId::kTime: {
      if (json) out->push_back('"');
      AppendTime(static_cast<const Int64Column&>(column).Value(row), out);
      if (json) out->push_back('"');
      return;
    }
    case TypeId::kTimestamp: {
      if (json) out->push_back('"');
      AppendTimestamp(static_cast<const Int64Column&>(column).Value(row),
                      style != ValueStyle::kDisplay, out);
      if (json) out->push_back('"');
      return;
    }
    case TypeId::kString: {
      const std::string_view text = static_cast<const StringColumn&>(column).Value(row);
      if (json) {
        AppendJsonString(text, out);
      } else {
        out->append(text);
      }
      return;
    }
    case TypeId::kJson:
      out->append(static_cast<const StringColumn&>(column).Value(row));
      return;
    case TypeId::kBinary: {
      const std::string_view bytes = static_cast<const StringColumn&>(column).Value(row);
      if (style == ValueStyle::kDisplay) {
        AppendHex(bytes, out);
      } else {
        if (json) out->push_back('"');
        AppendBase64(bytes, out);
        if (json) out->push_back('"');
      }
      return;
    }
  }
}

}  // namespace sluice::columnar

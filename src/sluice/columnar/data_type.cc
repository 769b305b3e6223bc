#include "sluice/columnar/data_type.h"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace sluice::columnar {

std::string DataType::ToString() const {
  switch (id_) {
    case TypeId::kBool:
      return "bool";
    case TypeId::kInt32:
      return "int32";
    case TypeId::kInt64:
      return "int64";
    case TypeId::kFloat64:
      return "float64";
    case TypeId::kDecimal:
      return "decimal(" + std::to_string(precision_) + "," + std::to_string(scale_) + ")";
    case TypeId::kString:
      return "string";
    case TypeId::kBinary:
      return "binary";
    case TypeId::kDate:
      return "date";
    case TypeId::kTime:
      return "time";
    case TypeId::kTimestamp:
      return "timestamp";
    case TypeId::kJson:
      return "json";
  }
  return "unknown";
}

namespace {

std::string Lower(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

bool ParseInt(std::string_view text, int* out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

Result<DataType> DataType::Parse(std::string_view text) {
  const std::string name = Lower(text);
  if (name == "bool" || name == "boolean") return Bool();
  if (name == "int32" || name == "int" || name == "integer") return Int32();
  if (name == "int64" || name == "bigint" || name == "long") return Int64();
  if (name == "float64" || name == "double" || name == "float") return Float64();
  if (name == "string" || name == "varchar" || name == "text") return String();
  if (name == "binary" || name == "bytes" || name == "blob") return Binary();
  if (name == "date") return Date();
  if (name == "time") return Time();
  if (name == "timestamp" || name == "timestamptz" || name == "datetime") return Timestamp();
  if (name == "json") return Json();
  for (std::string_view prefix : {"decimal", "numeric"}) {
    if (name.rfind(prefix, 0) != 0) continue;
    std::string_view rest(name);
    rest.remove_prefix(prefix.size());
    if (rest.empty()) return Decimal(38, 9);
    if (rest.front() != '(' || rest.back() != ')') break;
    rest = rest.substr(1, rest.size() - 2);
    const size_t comma = rest.find(',');
    int precision = 0;
    int scale = 0;
    if (!ParseInt(rest.substr(0, comma), &precision) ||
        (comma != std::string_view::npos && !ParseInt(rest.substr(comma + 1), &scale))) {
      break;
    }
    if (precision < 1 || precision > kMaxDecimalPrecision || scale < 0 || scale > precision) {
      return Status::InvalidArgument("decimal precision must be 1..38 and scale 0..precision in '" +
                                     std::string(text) + "'");
    }
    return Decimal(precision, scale);
  }
  return Status::InvalidArgument(
      "unknown type '" + std::string(text) +
      "' (expected bool, int32, int64, float64, decimal(p,s), string, binary, date, time, "
      "timestamp or json)");
}

}  // namespace sluice::columnar

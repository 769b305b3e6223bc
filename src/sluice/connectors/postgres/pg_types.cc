#include "sluice/connectors/postgres/pg_types.h"

#include <cstring>
#include <limits>

#include "sluice/columnar/decimal.h"
#include "sluice/columnar/temporal.h"
#include "sluice/formats/text_type_inference.h"

namespace sluice::connectors {

namespace {

using columnar::DataType;

// Type oids (pg_type.dat); stable across PostgreSQL versions.
constexpr uint32_t kBoolOid = 16, kByteaOid = 17, kNameOid = 19, kInt8Oid = 20, kInt2Oid = 21,
                   kInt4Oid = 23, kTextOid = 25, kJsonOid = 114, kFloat4Oid = 700, kFloat8Oid = 701,
                   kBpcharOid = 1042, kVarcharOid = 1043, kDateOid = 1082, kTimeOid = 1083,
                   kTimestampOid = 1114, kTimestamptzOid = 1184, kNumericOid = 1700,
                   kUuidOid = 2950, kJsonbOid = 3802;

// Days and microseconds between 1970-01-01 and PostgreSQL's epoch, 2000-01-01.
constexpr int32_t kEpochDays = 10957;
constexpr int64_t kEpochMicros = int64_t{kEpochDays} * 86'400'000'000;

uint16_t Be16(const char* p) {
  return static_cast<uint16_t>((static_cast<uint8_t>(p[0]) << 8) | static_cast<uint8_t>(p[1]));
}
uint32_t Be32(const char* p) {
  return (uint32_t{static_cast<uint8_t>(p[0])} << 24) |
         (uint32_t{static_cast<uint8_t>(p[1])} << 16) |
         (uint32_t{static_cast<uint8_t>(p[2])} << 8) | uint32_t{static_cast<uint8_t>(p[3])};
}
uint64_t Be64(const char* p) { return (uint64_t{Be32(p)} << 32) | Be32(p + 4); }

bool WrongSize(std::string_view bytes, size_t expected, std::string* error) {
  if (bytes.size() == expected) return false;
  *error = "a binary value of " + std::to_string(bytes.size()) + " bytes, expected " +
           std::to_string(expected);
  return true;
}

// numeric's binary form: ndigits, weight, sign, dscale (int16 each), then base-10000 digits.
bool NumericToUnscaled(std::string_view bytes, int precision, int scale, columnar::Int128* out,
                       std::string* error) {
  if (bytes.size() < 8) {
    *error = "a truncated numeric";
    return false;
  }
  const int ndigits = static_cast<int16_t>(Be16(bytes.data()));
  const int weight = static_cast<int16_t>(Be16(bytes.data() + 2));
  const uint16_t sign = Be16(bytes.data() + 4);
  if (sign == 0xC000 || sign == 0xD000 || sign == 0xF000) {
    *error = std::string(sign == 0xC000   ? "NaN"
                         : sign == 0xD000 ? "Infinity"
                                          : "-Infinity") +
             " does not fit decimal(" + std::to_string(precision) + "," + std::to_string(scale) +
             ")";
    return false;
  }
  if (ndigits < 0 || bytes.size() != 8 + 2 * static_cast<size_t>(ndigits)) {
    *error = "a malformed numeric";
    return false;
  }
  const columnar::Int128 limit = columnar::MaxUnscaled(precision);
  columnar::Int128 value = 0;
  for (int i = 0; i < ndigits; ++i) {
    const int digit = Be16(bytes.data() + 8 + 2 * i);
    if (digit == 0) continue;
    // The digit's place in base 10 at the column's scale.
    const int exponent = 4 * (weight - i) + scale;
    if (exponent < 0) {
      int drop = -exponent;
      int remainder = digit;
      bool lost = false;
      while (drop-- > 0) {
        lost |= remainder % 10 != 0;
        remainder /= 10;
      }
      if (lost) {
        *error = "more fractional digits than decimal(" + std::to_string(precision) + "," +
                 std::to_string(scale) + ") holds";
        return false;
      }
      value += remainder;
    } else if (exponent > columnar::kMaxDecimalPrecision) {
      value = limit + 1;
    } else {
      value += columnar::Int128{digit} * columnar::PowerOfTen(exponent);
    }
    if (value > limit) {
      *error = "more digits than decimal(" + std::to_string(precision) + "," +
               std::to_string(scale) + ") holds";
      return false;
    }
  }
  *out = sign == 0x4000 ? -value : value;
  return true;
}

template <typename Builder>
Builder* As(columnar::ColumnBuilder* builder) {
  return static_cast<Builder*>(builder);
}

}  // namespace

PgColumnPlan PlanPgColumn(const std::string& name, const std::string& quoted,
                          const PgTypeInfo& info, bool composites_as_text) {
  PgColumnPlan plan;
  plan.name = name;
  plan.select = quoted;
  plan.pg_type = info.name;
  auto as = [&](DataType type, PgDecode decode) {
    plan.type = type;
    plan.decode = decode;
    return plan;
  };
  if (info.category == 'A' || info.type_kind == 'c' || info.type_kind == 'r' ||
      info.type_kind == 'm') {
    if (composites_as_text) {
      plan.select = quoted + "::text";
      return as(DataType::String(), PgDecode::kText);
    }
    plan.select = "to_json(" + quoted + ")::text";
    return as(DataType::Json(), PgDecode::kText);
  }
  if (info.type_kind == 'e') {
    plan.select = quoted + "::text";
    return as(DataType::String(), PgDecode::kText);
  }
  switch (info.oid) {
    case kBoolOid:
      return as(DataType::Bool(), PgDecode::kBool);
    case kInt2Oid:
      return as(DataType::Int32(), PgDecode::kInt16);
    case kInt4Oid:
      return as(DataType::Int32(), PgDecode::kInt32);
    case kInt8Oid:
      return as(DataType::Int64(), PgDecode::kInt64);
    case kFloat4Oid:
      return as(DataType::Float64(), PgDecode::kFloat32);
    case kFloat8Oid:
      return as(DataType::Float64(), PgDecode::kFloat64);
    case kTextOid:
    case kVarcharOid:
    case kBpcharOid:
    case kNameOid:
      return as(DataType::String(), PgDecode::kText);
    case kByteaOid:
      return as(DataType::Binary(), PgDecode::kBytes);
    case kDateOid:
      return as(DataType::Date(), PgDecode::kDate);
    case kTimeOid:
      return as(DataType::Time(), PgDecode::kTime);
    case kTimestampOid:
    case kTimestamptzOid:
      return as(DataType::Timestamp(), PgDecode::kTimestamp);
    case kUuidOid:
      return as(DataType::String(), PgDecode::kUuid);
    case kJsonOid:
      return as(DataType::Json(), PgDecode::kText);
    case kJsonbOid:
      return as(DataType::Json(), PgDecode::kJsonb);
    case kNumericOid: {
      if (info.modifier >= 4) {
        const int precision = ((info.modifier - 4) >> 16) & 0xFFFF;
        const int scale = (info.modifier - 4) & 0x7FF;  // a negative scale sets bit 10
        if (precision >= 1 && precision <= columnar::kMaxDecimalPrecision && scale <= precision &&
            (scale & 0x400) == 0) {
          return as(DataType::Decimal(precision, scale), PgDecode::kNumeric);
        }
      }
      break;  // unconstrained or wider than 38 digits: the exact text
    }
    default:
      break;
  }
  plan.select = quoted + "::text";
  return as(DataType::String(), PgDecode::kText);
}

bool AppendPgValue(const PgColumnPlan& plan, std::string_view bytes,
                   columnar::ColumnBuilder* builder, std::string* error) {
  switch (plan.decode) {
    case PgDecode::kBool:
      if (WrongSize(bytes, 1, error)) return false;
      As<columnar::BooleanBuilder>(builder)->Append(bytes[0] != 0);
      return true;
    case PgDecode::kInt16:
      if (WrongSize(bytes, 2, error)) return false;
      As<columnar::Int32Builder>(builder)->Append(static_cast<int16_t>(Be16(bytes.data())));
      return true;
    case PgDecode::kInt32:
      if (WrongSize(bytes, 4, error)) return false;
      As<columnar::Int32Builder>(builder)->Append(static_cast<int32_t>(Be32(bytes.data())));
      return true;
    case PgDecode::kInt64:
      if (WrongSize(bytes, 8, error)) return false;
      As<columnar::Int64Builder>(builder)->Append(static_cast<int64_t>(Be64(bytes.data())));
      return true;
    case PgDecode::kFloat32: {
      if (WrongSize(bytes, 4, error)) return false;
      const uint32_t bits = Be32(bytes.data());
      float value;
      std::memcpy(&value, &bits, sizeof value);
      As<columnar::Float64Builder>(builder)->Append(static_cast<double>(value));
      return true;
    }
    case PgDecode::kFloat64: {
      if (WrongSize(bytes, 8, error)) return false;
      const uint64_t bits = Be64(bytes.data());
      double value;
      std::memcpy(&value, &bits, sizeof value);
      As<columnar::Float64Builder>(builder)->Append(value);
      return true;
    }
    case PgDecode::kNumeric: {
      columnar::Int128 unscaled = 0;
      if (!NumericToUnscaled(bytes, plan.type.precision(), plan.type.scale(), &unscaled, error)) {
        return false;
      }
      As<columnar::DecimalBuilder>(builder)->Append(unscaled);
      return true;
    }
    case PgDecode::kText:
    case PgDecode::kBytes:
      As<columnar::StringBuilder>(builder)->Append(bytes);
      return true;
    case PgDecode::kJsonb:
      if (bytes.empty() || bytes[0] != 1) {
        *error = "a jsonb value in an unknown binary version";
        return false;
      }
      As<columnar::StringBuilder>(builder)->Append(bytes.substr(1));
      return true;
    case PgDecode::kUuid: {
      if (WrongSize(bytes, 16, error)) return false;
      static constexpr char kHex[] = "0123456789abcdef";
      char text[36];
      size_t out = 0;
      for (size_t i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) text[out++] = '-';
        const auto byte = static_cast<uint8_t>(bytes[i]);
        text[out++] = kHex[byte >> 4];
        text[out++] = kHex[byte & 15];
      }
      As<columnar::StringBuilder>(builder)->Append(std::string_view(text, sizeof text));
      return true;
    }
    case PgDecode::kDate: {
      if (WrongSize(bytes, 4, error)) return false;
      const auto days = static_cast<int32_t>(Be32(bytes.data()));
      if (days == std::numeric_limits<int32_t>::max() ||
          days == std::numeric_limits<int32_t>::min()) {
        *error = std::string(days > 0 ? "infinity" : "-infinity") + " does not fit a date";
        return false;
      }
      if (days > std::numeric_limits<int32_t>::max() - kEpochDays) {
        *error = "a date beyond the lake's range";
        return false;
      }
      As<columnar::Int32Builder>(builder)->Append(days + kEpochDays);
      return true;
    }
    case PgDecode::kTime:
      if (WrongSize(bytes, 8, error)) return false;
      As<columnar::Int64Builder>(builder)->Append(static_cast<int64_t>(Be64(bytes.data())));
      return true;
    case PgDecode::kTimestamp: {
      if (WrongSize(bytes, 8, error)) return false;
      const auto micros = static_cast<int64_t>(Be64(bytes.data()));
      if (micros == std::numeric_limits<int64_t>::max() ||
          micros == std::numeric_limits<int64_t>::min()) {
        *error = std::string(micros > 0 ? "infinity" : "-infinity") + " does not fit a timestamp";
        return false;
      }
      As<columnar::Int64Builder>(builder)->Append(micros + kEpochMicros);
      return true;
    }
  }
  *error = "an unknown decoding";
  return false;
}

bool AppendPgText(const PgColumnPlan& plan, std::string_view text, columnar::ColumnBuilder* builder,
                  std::string* error) {
  auto fail = [&](const std::string& why) {
    *error = why;
    return false;
  };
  switch (plan.decode) {
    case PgDecode::kBool:
      if (text != "t" && text != "f") return fail("'" + std::string(text) + "' is not a boolean");
      As<columnar::BooleanBuilder>(builder)->Append(text == "t");
      return true;
    case PgDecode::kFloat32: {
      double value = 0;
      if (!formats::ParseFloat64(text, &value)) {
        return fail("'" + std::string(text) + "' is not a real");
      }
      As<columnar::Float64Builder>(builder)->Append(static_cast<double>(static_cast<float>(value)));
      return true;
    }
    case PgDecode::kBytes: {
      if (!text.starts_with("\\x") || text.size() % 2 != 0) {
        return fail("a bytea value not in hex output (bytea_output = hex)");
      }
      std::string bytes;
      bytes.reserve(text.size() / 2 - 1);
      auto nibble = [](char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
      };
      for (size_t i = 2; i < text.size(); i += 2) {
        const int high = nibble(text[i]), low = nibble(text[i + 1]);
        if (high < 0 || low < 0) return fail("a malformed bytea value");
        bytes += static_cast<char>((high << 4) | low);
      }
      As<columnar::StringBuilder>(builder)->Append(bytes);
      return true;
    }
    case PgDecode::kText:
    case PgDecode::kJsonb:
    case PgDecode::kUuid:
      As<columnar::StringBuilder>(builder)->Append(text);
      return true;
    case PgDecode::kDate:
    case PgDecode::kTimestamp:
      if (text == "infinity" || text == "-infinity") {
        return fail(std::string(text) + " does not fit a " +
                    (plan.decode == PgDecode::kDate ? "date" : "timestamp"));
      }
      break;
    case PgDecode::kNumeric:
      if (text == "NaN" || text == "Infinity" || text == "-Infinity") {
        return fail(std::string(text) + " does not fit decimal(" +
                    std::to_string(plan.type.precision()) + "," +
                    std::to_string(plan.type.scale()) + ")");
      }
      break;
    default:
      break;
  }
  formats::TextColumnType type;
  type.type = plan.type;
  const formats::ConvertError converted = formats::AppendText(text, type, builder);
  if (converted == formats::ConvertError::kOk) return true;
  return fail(formats::ConvertErrorMessage(converted, text, plan.type));
}

std::string PgCursorLiteral(const PgColumnPlan& plan, int64_t value) {
  std::string text;
  switch (plan.decode) {
    case PgDecode::kDate:
      columnar::AppendDate(static_cast<int32_t>(value), &text);
      return "'" + text + "'::date";
    case PgDecode::kTimestamp:
      columnar::AppendTimestamp(value, /*iso=*/false, &text);
      return "'" + text +
             (plan.pg_type == "timestamp with time zone" ? "+00'::timestamptz" : "'::timestamp");
    default:
      return std::to_string(value);
  }
}

}  // namespace sluice::connectors

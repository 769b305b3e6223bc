#include "sluice/formats/text_type_inference.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string>

#include "sluice/columnar/decimal.h"

namespace sluice::formats {

using columnar::DataType;
using columnar::DateOrder;
using columnar::TypeId;

bool ParseInt64(std::string_view text, int64_t* out) {
  const char* p = text.data();
  const char* end = p + text.size();
  if (p == end) return false;
  bool negative = false;
  if (*p == '-' || *p == '+') {
    negative = *p == '-';
    ++p;
    if (p == end) return false;
  }
  if (end - p > 19) return false;
  uint64_t value = 0;
  for (; p < end; ++p) {
    const unsigned digit = static_cast<unsigned char>(*p) - '0';
    if (digit > 9) return false;
    value = value * 10 + digit;
  }
  // 19 digits can exceed int64 (and wrap uint64 only past 20 digits, excluded above).
  if (negative) {
    if (value > 9223372036854775808ull) return false;
    *out = static_cast<int64_t>(0 - value);
  } else {
    if (value > 9223372036854775807ull) return false;
    *out = static_cast<int64_t>(value);
  }
  return true;
}

bool ParseFloat64(std::string_view text, double* out) {
  const char* begin = text.data();
  const char* end = begin + text.size();
  if (begin != end && *begin == '+') {
    ++begin;
    if (begin != end && *begin == '-') return false;
  }
  if (begin == end) return false;
  auto [ptr, ec] = std::from_chars(begin, end, *out);
  if (ptr != end) return false;
  if (ec == std::errc::result_out_of_range) {
    // from_chars reports overflow/underflow; follow IEEE: huge → ±inf, tiny → ±0.
    *out = std::strtod(std::string(begin, end).c_str(), nullptr);
    return true;
  }
  return ec == std::errc();
}

bool ParseBool(std::string_view text, bool* out) {
  if (text.size() == 4) {
    const char t[4] = {static_cast<char>(text[0] | 0x20), static_cast<char>(text[1] | 0x20),
                       static_cast<char>(text[2] | 0x20), static_cast<char>(text[3] | 0x20)};
    if (t[0] == 't' && t[1] == 'r' && t[2] == 'u' && t[3] == 'e') {
      *out = true;
      return true;
    }
  } else if (text.size() == 5) {
    std::string_view lower = text;
    char t[5];
    for (int i = 0; i < 5; ++i) t[i] = static_cast<char>(lower[static_cast<size_t>(i)] | 0x20);
    if (std::string_view(t, 5) == "false") {
      *out = false;
      return true;
    }
  }
  return false;
}

bool IsValidUtf8(std::string_view text) {
  return simdjson::validate_utf8(text.data(), text.size());
}

namespace {

// Shape of a plain decimal number: [+-]digits[.digits]; returns false for anything else.
bool DecimalShape(std::string_view text, int* integer_digits, int* scale, bool* leading_zero) {
  size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  const size_t integer_start = i;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  const size_t integer_end = i;
  int fraction = 0;
  bool point = false;
  if (i < text.size() && text[i] == '.') {
    point = true;
    ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      ++i;
      ++fraction;
    }
  }
  if (i != text.size()) return false;
  if (integer_end == integer_start && fraction == 0) return false;
  if (point && fraction == 0) return false;  // "12." is left to float
  *leading_zero = integer_end - integer_start > 1 && text[integer_start] == '0';
  // Significant integer digits.
  size_t first = integer_start;
  while (first < integer_end && text[first] == '0') ++first;
  *integer_digits = static_cast<int>(integer_end - first);
  *scale = fraction;
  return true;
}

}  // namespace

void TextTypeInference::Observe(std::string_view text) {
  ++observed_;
  uint32_t keep = 0;
  if (candidates_ & kBool) {
    bool value;
    if (ParseBool(text, &value)) keep |= kBool;
  }
  if (candidates_ & (kInt | kDecimal | kFloat)) {
    int integer_digits = 0;
    int scale = 0;
    bool leading_zero = false;
    if (DecimalShape(text, &integer_digits, &scale, &leading_zero)) {
      if (!leading_zero) {
        if (scale == 0) {
          int64_t value;
          if (ParseInt64(text, &value)) {
            keep |= kInt;
          } else {
            int_overflow_ = true;
          }
        }
        if (integer_digits + scale <= columnar::kMaxDecimalPrecision) {
          keep |= kDecimal;
          max_integer_digits_ = std::max(max_integer_digits_, integer_digits);
          max_scale_ = std::max(max_scale_, scale);
        }
        keep |= kFloat;
      }
    } else {
      double value;
      // Floats in exponent form and inf/nan; reject hex floats and "infinity"-like words via
      // from_chars rules, and leading-zero codes.
      const bool has_digit = text.find_first_of("0123456789") != std::string_view::npos;
      if ((candidates_ & kFloat) && has_digit && ParseFloat64(text, &value) &&
          !(text.size() > 1 && text[0] == '0' && text[1] >= '0' && text[1] <= '9')) {
        keep |= kFloat;
      }
    }
  }
  if (candidates_ &
      (kDateYMD | kDateMDY | kDateDMY | kTimestampYMD | kTimestampMDY | kTimestampDMY | kTime)) {
    int32_t days;
    int64_t micros;
    if ((candidates_ & kDateYMD) && columnar::ParseDate(text, DateOrder::kYMD, &days))
      keep |= kDateYMD;
    if ((candidates_ & kDateMDY) && columnar::ParseDate(text, DateOrder::kMDY, &days))
      keep |= kDateMDY;
    if ((candidates_ & kDateDMY) && columnar::ParseDate(text, DateOrder::kDMY, &days))
      keep |= kDateDMY;
    if ((candidates_ & kTimestampYMD) && columnar::ParseTimestamp(text, DateOrder::kYMD, &micros)) {
      keep |= kTimestampYMD;
    }
    if ((candidates_ & kTimestampMDY) && columnar::ParseTimestamp(text, DateOrder::kMDY, &micros)) {
      keep |= kTimestampMDY;
    }
    if ((candidates_ & kTimestampDMY) && columnar::ParseTimestamp(text, DateOrder::kDMY, &micros)) {
      keep |= kTimestampDMY;
    }
    if ((candidates_ & kTime) && columnar::ParseTime(text, &micros)) keep |= kTime;
  }
  candidates_ &= keep;
}

TextColumnType TextTypeInference::Result() const {
  TextColumnType result;
  if (observed_ == 0) return result;
  if (candidates_ & kBool) {
    result.type = DataType::Bool();
  } else if (candidates_ & kInt) {
    result.type = DataType::Int64();
  } else if ((candidates_ & kDecimal) &&
             max_integer_digits_ + max_scale_ <= columnar::kMaxDecimalPrecision) {
    const int digits = max_integer_digits_ + max_scale_;
    const int precision = digits <= 18 ? 18 : columnar::kMaxDecimalPrecision;
    result.type = DataType::Decimal(precision, max_scale_);
  } else if (candidates_ & kFloat) {
    result.type = DataType::Float64();
  } else if (candidates_ & (kDateYMD | kDateMDY | kDateDMY)) {
    result.type = DataType::Date();
    result.date_order = (candidates_ & kDateYMD)   ? DateOrder::kYMD
                        : (candidates_ & kDateMDY) ? DateOrder::kMDY
                                                   : DateOrder::kDMY;
  } else if (candidates_ & (kTimestampYMD | kTimestampMDY | kTimestampDMY)) {
    result.type = DataType::Timestamp();
    result.date_order = (candidates_ & kTimestampYMD)   ? DateOrder::kYMD
                        : (candidates_ & kTimestampMDY) ? DateOrder::kMDY
                                                        : DateOrder::kDMY;
  } else if (candidates_ & kTime) {
    result.type = DataType::Time();
  }
  (void)int_overflow_;
  return result;
}

namespace {

// Why `text` did not parse as an integer: too many digits (overflow) or not a number (syntax).
ConvertError IntegerError(std::string_view text) {
  int integer_digits;
  int scale;
  bool leading_zero;
  const bool whole_number =
      DecimalShape(text, &integer_digits, &scale, &leading_zero) && scale == 0;
  return whole_number ? ConvertError::kOverflow : ConvertError::kSyntax;
}

}  // namespace

ConvertError AppendText(std::string_view text, const TextColumnType& column_type,
                        columnar::ColumnBuilder* builder) {
  switch (column_type.type.id()) {
    case TypeId::kString:
    case TypeId::kJson:
    case TypeId::kBinary:
      static_cast<columnar::StringBuilder*>(builder)->Append(text);
      return ConvertError::kOk;
    case TypeId::kInt64: {
      int64_t value;
      if (!ParseInt64(text, &value)) return IntegerError(text);
      static_cast<columnar::Int64Builder*>(builder)->Append(value);
      return ConvertError::kOk;
    }
    case TypeId::kInt32: {
      int64_t value;
      if (!ParseInt64(text, &value)) return IntegerError(text);
      if (value < INT32_MIN || value > INT32_MAX) return ConvertError::kOverflow;
      static_cast<columnar::Int32Builder*>(builder)->Append(static_cast<int32_t>(value));
      return ConvertError::kOk;
    }
    case TypeId::kFloat64: {
      double value;
      if (!ParseFloat64(text, &value)) return ConvertError::kSyntax;
      static_cast<columnar::Float64Builder*>(builder)->Append(value);
      return ConvertError::kOk;
    }
    case TypeId::kDecimal: {
      columnar::Int128 value;
      switch (columnar::ParseDecimal(text, column_type.type.precision(), column_type.type.scale(),
                                     &value)) {
        case columnar::DecimalParseError::kOk:
          static_cast<columnar::DecimalBuilder*>(builder)->Append(value);
          return ConvertError::kOk;
        case columnar::DecimalParseError::kSyntax:
          return ConvertError::kSyntax;
        case columnar::DecimalParseError::kOverflow:
          return ConvertError::kOverflow;
        case columnar::DecimalParseError::kTooManyFractionDigits:
          return ConvertError::kTooManyFractionDigits;
      }
      return ConvertError::kSyntax;
    }
    case TypeId::kBool: {
      bool value;
      if (!ParseBool(text, &value)) return ConvertError::kSyntax;
      static_cast<columnar::BooleanBuilder*>(builder)->Append(value);
      return ConvertError::kOk;
    }
    case TypeId::kDate: {
      int32_t days;
      if (!columnar::ParseDate(text, column_type.date_order, &days)) {
        // A timestamp at midnight is a valid date.
        int64_t micros;
        if (columnar::ParseTimestamp(text, column_type.date_order, &micros) &&
            micros % columnar::kMicrosPerDay == 0) {
          days = static_cast<int32_t>(micros / columnar::kMicrosPerDay);
        } else {
          return ConvertError::kSyntax;
        }
      }
      static_cast<columnar::Int32Builder*>(builder)->Append(days);
      return ConvertError::kOk;
    }
    case TypeId::kTimestamp: {
      int64_t micros;
      if (!columnar::ParseTimestamp(text, column_type.date_order, &micros)) {
        int32_t days;
        if (!columnar::ParseDate(text, column_type.date_order, &days)) return ConvertError::kSyntax;
        micros = static_cast<int64_t>(days) * columnar::kMicrosPerDay;
      }
      static_cast<columnar::Int64Builder*>(builder)->Append(micros);
      return ConvertError::kOk;
    }
    case TypeId::kTime: {
      int64_t micros;
      if (!columnar::ParseTime(text, &micros)) return ConvertError::kSyntax;
      static_cast<columnar::Int64Builder*>(builder)->Append(micros);
      return ConvertError::kOk;
    }
  }
  return ConvertError::kSyntax;
}

std::string ConvertErrorMessage(ConvertError error, std::string_view text, const DataType& type) {
  size_t cut = std::min<size_t>(text.size(), 80);
  while (cut > 0 && cut < text.size() && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
    --cut;
  std::string shown(text.substr(0, cut));
  if (text.size() > 80) shown += "…";
  switch (error) {
    case ConvertError::kOk:
      return "ok";
    case ConvertError::kSyntax:
      return "'" + shown + "' is not a valid " + type.ToString();
    case ConvertError::kOverflow:
      return "'" + shown + "' is out of range for " + type.ToString();
    case ConvertError::kTooManyFractionDigits:
      return "'" + shown + "' has more fractional digits than " + type.ToString() +
             " keeps (values are never rounded)";
    case ConvertError::kInvalidUtf8:
      return "invalid UTF-8";
  }
  return "conversion failed";
}

}  // namespace sluice::formats

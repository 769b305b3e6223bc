#include "sluice/columnar/decimal.h"

#include <algorithm>

namespace sluice::columnar {

Int128 PowerOfTen(int n) {
  static const auto kTable = [] {
    struct Table {
      Int128 values[39];
    } table{};
    Int128 value = 1;
    for (int i = 0; i <= 38; ++i) {
      table.values[i] = value;
      if (i < 38) value *= 10;
    }
    return table;
  }();
  return kTable.values[std::clamp(n, 0, 38)];
}

void AppendDecimal(Int128 unscaled, int scale, std::string* out) {
  const bool negative = unscaled < 0;
  UInt128 magnitude = negative ? -static_cast<UInt128>(unscaled) : static_cast<UInt128>(unscaled);
  char digits[48];
  int count = 0;
  do {
    digits[count++] = static_cast<char>('0' + static_cast<int>(magnitude % 10));
    magnitude /= 10;
  } while (magnitude != 0);
  while (count <= scale) digits[count++] = '0';  // at least one integer digit
  if (negative) out->push_back('-');
  for (int i = count - 1; i >= 0; --i) {
    if (i == scale - 1) out->push_back('.');
    out->push_back(digits[i]);
  }
}

std::string FormatDecimal(Int128 unscaled, int scale) {
  std::string out;
  AppendDecimal(unscaled, scale, &out);
  return out;
}

DecimalParseError ParseDecimal(std::string_view text, int precision, int scale, Int128* out) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    negative = text[i] == '-';
    ++i;
  }
  // Collect significant digits and the position of the decimal point.
  UInt128 value = 0;
  int digits = 0;           // significant digits accumulated into value
  int fraction_digits = 0;  // digits after the point accumulated into value
  bool seen_digit = false;
  bool seen_point = false;
  bool nonzero_dropped = false;
  int dropped_fraction = 0;  // fraction digits beyond what we kept
  const UInt128 kLimit = static_cast<UInt128>(PowerOfTen(38));
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      seen_digit = true;
      if (seen_point && fraction_digits >= scale + 40) {
        // Far beyond any usable scale: only track whether something non-zero was dropped.
        if (c != '0') nonzero_dropped = true;
        ++dropped_fraction;
        continue;
      }
      if (value > kLimit / 10) {  // another digit would pass 38 significant digits
        if (!seen_point) return DecimalParseError::kOverflow;
        if (c != '0') nonzero_dropped = true;
        ++dropped_fraction;
        continue;
      }
      value = value * 10 + static_cast<unsigned>(c - '0');
      if (value != 0) ++digits;
      if (seen_point) ++fraction_digits;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (!seen_digit) return DecimalParseError::kSyntax;
  int exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exponent_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
      exponent_negative = text[i] == '-';
      ++i;
    }
    if (i >= text.size()) return DecimalParseError::kSyntax;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      exponent = exponent * 10 + (text[i] - '0');
      if (exponent > 1000) return DecimalParseError::kOverflow;
    }
    if (exponent_negative) exponent = -exponent;
  }
  if (i != text.size()) return DecimalParseError::kSyntax;
  (void)digits;
  (void)dropped_fraction;
  // value * 10^(exponent - fraction_digits) must be expressed at `scale`.
  int shift = scale - fraction_digits + exponent;
  if (shift >= 0) {
    for (int k = 0; k < shift; ++k) {
      if (value > kLimit / 10) return DecimalParseError::kOverflow;
      value *= 10;
    }
  } else {
    for (int k = 0; k < -shift; ++k) {
      if (value % 10 != 0) return DecimalParseError::kTooManyFractionDigits;
      value /= 10;
    }
  }
  if (nonzero_dropped) return DecimalParseError::kTooManyFractionDigits;
  if (value > static_cast<UInt128>(MaxUnscaled(precision))) return DecimalParseError::kOverflow;
  *out = negative ? -static_cast<Int128>(value) : static_cast<Int128>(value);
  return DecimalParseError::kOk;
}

}  // namespace sluice::columnar

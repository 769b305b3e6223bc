// Decimal128: exact decimal values as a scaled 128-bit integer (value = unscaled / 10^scale).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sluice::columnar {

__extension__ typedef __int128 Int128;
__extension__ typedef unsigned __int128 UInt128;

// 10^n for n in 0..38.
Int128 PowerOfTen(int n);

// Largest unscaled magnitude that fits `precision` digits: 10^precision - 1.
inline Int128 MaxUnscaled(int precision) { return PowerOfTen(precision) - 1; }

// Formats `unscaled` with `scale` fractional digits: (12345, 2) → "123.45", (-5, 3) → "-0.005".
std::string FormatDecimal(Int128 unscaled, int scale);

// Appends the decimal text to `out` (no allocation beyond out's growth).
void AppendDecimal(Int128 unscaled, int scale, std::string* out);

enum class DecimalParseError { kOk, kSyntax, kTooManyFractionDigits, kOverflow };

// Parses "[+-]digits[.digits]" (optionally with an exponent like "1.5e3") into an unscaled value
// at `scale`. Extra fractional digits are accepted only when they are zeros (no silent rounding).
// The result must fit `precision` digits.
DecimalParseError ParseDecimal(std::string_view text, int precision, int scale, Int128* out);

}  // namespace sluice::columnar

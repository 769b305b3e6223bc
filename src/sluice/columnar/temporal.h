// Calendar arithmetic, parsing and formatting for date, time and timestamp values.
//
// Dates are days since 1970-01-01 (proleptic Gregorian); times are microseconds since midnight;
// timestamps are microseconds since the Unix epoch in UTC. Parsers are allocation-free and accept
// exactly one value spanning the whole text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sluice/columnar/column.h"

namespace sluice::columnar {

inline constexpr int64_t kMicrosPerSecond = 1000000;
inline constexpr int64_t kMicrosPerDay = 86400 * kMicrosPerSecond;

int32_t DaysFromCivil(int year, unsigned month, unsigned day);
void CivilFromDays(int32_t days, int* year, unsigned* month, unsigned* day);
bool IsValidDate(int year, unsigned month, unsigned day);

// Order of the date components in text. Separators '-', '/' and '.' are accepted (one per value).
enum class DateOrder : uint8_t { kYMD, kMDY, kDMY };

// "2024-03-01", "2024/03/01", "03/01/2024" (MDY), "01.03.2024" (DMY).
bool ParseDate(std::string_view text, DateOrder order, int32_t* days);

// "HH:MM[:SS[.ffffff]]" with an optional " AM"/" PM" suffix.
bool ParseTime(std::string_view text, int64_t* micros);

// A date (in `order`), then 'T' or ' ', then a time (optionally AM/PM), then an optional zone:
// "Z", "UTC", "+HH:MM", "+HHMM", "+HH". Without a zone the value is taken as UTC.
bool ParseTimestamp(std::string_view text, DateOrder order, int64_t* micros);

// a / b rounded towards negative infinity (b > 0): the day of a timestamp before 1970 too.
int64_t FloorDiv(int64_t a, int64_t b);

// `value` (≥ 0) in decimal, zero-padded on the left to at least `width` digits.
void AppendDigits(int64_t value, int width, std::string* out);

// "2024-03-01".
void AppendDate(int32_t days, std::string* out);
// "13:45:07" or "13:45:07.250000" (6 fractional digits when not whole seconds).
void AppendTime(int64_t micros, std::string* out);
// "2024-03-01 13:45:07" (`iso` false) or "2024-03-01T13:45:07Z" (`iso` true); fractional seconds as
// in AppendTime.
void AppendTimestamp(int64_t micros, bool iso, std::string* out);

// Row `row` of a date or timestamp column as microseconds since the epoch (a date at midnight
// UTC); nullopt when null.
std::optional<int64_t> MicrosAt(const Column& column, int64_t row);

}  // namespace sluice::columnar

// Calendar arithmetic for the date functions of the expression language, on timestamps in
// microseconds since the Unix epoch (UTC; a date is its midnight). Pure functions, no time zone.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sluice/columnar/temporal.h"

namespace sluice::compute {

enum class DatePart {
  kYear,
  kQuarter,
  kMonth,
  kWeek,  // ISO week (Monday first)
  kDay,
  kHour,
  kMinute,
  kSecond,
  kDayOfWeek,     // 0 = Sunday … 6 = Saturday (extract only)
  kIsoDayOfWeek,  // 1 = Monday … 7 = Sunday (extract only)
  kDayOfYear,     // 1 … 366 (extract only)
  kEpoch,         // seconds since 1970-01-01 (extract only)
};

// "year", "years", "yy", "month", "mon", "day", "dow", "isodow", "doy", "epoch", ...
// (case-insensitive); nullopt when unknown.
std::optional<DatePart> ParseDatePart(std::string_view text);

struct Interval {
  int64_t months = 0;
  int64_t days = 0;
  int64_t micros = 0;
};

// "3 days", "1 month", "2 hours 30 minutes", "-1 year", "90 seconds"; nullopt when malformed.
std::optional<Interval> ParseInterval(std::string_view text);

using columnar::FloorDiv;       // columnar/temporal.h
using columnar::kMicrosPerDay;  // columnar/temporal.h

// The start of the unit containing `micros` (kYear … kSecond).
int64_t TruncateTo(DatePart unit, int64_t micros);

// The field of `micros` (any part).
int64_t ExtractPart(DatePart part, int64_t micros);

// `micros` plus the interval: months first (the day clamped to the month's length, as SQL does:
// Jan 31 + 1 month = Feb 29 in a leap year), then days, then microseconds. nullopt on overflow.
std::optional<int64_t> AddInterval(int64_t micros, const Interval& interval);

// Unit boundaries crossed from `a` to `b` (negative when b < a), as DuckDB's date_diff:
// date_diff('month', 2024-01-31, 2024-02-01) = 1.
int64_t DiffUnits(DatePart unit, int64_t a, int64_t b);

// strftime/strptime with C's % codes (UTC). Strptime returns nullopt when the text does not match
// the whole format.
std::string Strftime(int64_t micros, const std::string& format);
std::optional<int64_t> Strptime(std::string_view text, const std::string& format);

}  // namespace sluice::compute

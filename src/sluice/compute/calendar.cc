#include "sluice/compute/calendar.h"
#include "sluice/common/ascii.h"

#include <cctype>
#include <charconv>
#include <ctime>
#include <map>

#include "sluice/columnar/temporal.h"

namespace sluice::compute {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;

struct Civil {
  int year = 1970;
  unsigned month = 1;
  unsigned day = 1;
  int64_t micros_of_day = 0;
};

Civil ToCivil(int64_t micros) {
  Civil civil;
  const int64_t days = FloorDiv(micros, kMicrosPerDay);
  civil.micros_of_day = micros - days * kMicrosPerDay;
  columnar::CivilFromDays(static_cast<int32_t>(days), &civil.year, &civil.month, &civil.day);
  return civil;
}

int64_t FromCivil(int year, unsigned month, unsigned day, int64_t micros_of_day = 0) {
  return static_cast<int64_t>(columnar::DaysFromCivil(year, month, day)) * kMicrosPerDay +
         micros_of_day;
}

unsigned DaysInMonth(int year, unsigned month) {
  static const unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

// Days since the epoch of the Monday starting the ISO week that holds `days`.
int64_t IsoWeekStart(int64_t days) {
  // 1970-01-01 was a Thursday: (days + 3) mod 7 = 0 on Mondays.
  return days - (((days + 3) % 7) + 7) % 7;
}

}  // namespace

std::optional<DatePart> ParseDatePart(std::string_view text) {
  static const std::map<std::string, DatePart> kParts = {{"year", DatePart::kYear},
                                                         {"years", DatePart::kYear},
                                                         {"y", DatePart::kYear},
                                                         {"yy", DatePart::kYear},
                                                         {"yyyy", DatePart::kYear},
                                                         {"quarter", DatePart::kQuarter},
                                                         {"quarters", DatePart::kQuarter},
                                                         {"month", DatePart::kMonth},
                                                         {"months", DatePart::kMonth},
                                                         {"mon", DatePart::kMonth},
                                                         {"week", DatePart::kWeek},
                                                         {"weeks", DatePart::kWeek},
                                                         {"w", DatePart::kWeek},
                                                         {"day", DatePart::kDay},
                                                         {"days", DatePart::kDay},
                                                         {"d", DatePart::kDay},
                                                         {"hour", DatePart::kHour},
                                                         {"hours", DatePart::kHour},
                                                         {"h", DatePart::kHour},
                                                         {"minute", DatePart::kMinute},
                                                         {"minutes", DatePart::kMinute},
                                                         {"min", DatePart::kMinute},
                                                         {"m", DatePart::kMinute},
                                                         {"second", DatePart::kSecond},
                                                         {"seconds", DatePart::kSecond},
                                                         {"sec", DatePart::kSecond},
                                                         {"s", DatePart::kSecond},
                                                         {"dow", DatePart::kDayOfWeek},
                                                         {"dayofweek", DatePart::kDayOfWeek},
                                                         {"isodow", DatePart::kIsoDayOfWeek},
                                                         {"doy", DatePart::kDayOfYear},
                                                         {"dayofyear", DatePart::kDayOfYear},
                                                         {"epoch", DatePart::kEpoch}};
  auto it = kParts.find(AsciiLower(text));
  if (it == kParts.end()) return std::nullopt;
  return it->second;
}

std::optional<Interval> ParseInterval(std::string_view text) {
  Interval interval;
  bool any = false;
  size_t i = 0;
  auto skip_spaces = [&] {
    while (i < text.size() && text[i] == ' ') ++i;
  };
  while (true) {
    skip_spaces();
    if (i >= text.size()) break;
    size_t start = i;
    if (text[i] == '-' || text[i] == '+') ++i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    int64_t amount = 0;
    std::string_view digits = text.substr(start, i - start);
    if (!digits.empty() && digits.front() == '+') digits.remove_prefix(1);
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), amount);
    if (digits.empty() || error != std::errc() || end != digits.data() + digits.size()) {
      return std::nullopt;
    }
    skip_spaces();
    start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    const std::optional<DatePart> unit = ParseDatePart(text.substr(start, i - start));
    if (!unit) return std::nullopt;
    switch (*unit) {
      case DatePart::kYear:
        interval.months += amount * 12;
        break;
      case DatePart::kQuarter:
        interval.months += amount * 3;
        break;
      case DatePart::kMonth:
        interval.months += amount;
        break;
      case DatePart::kWeek:
        interval.days += amount * 7;
        break;
      case DatePart::kDay:
        interval.days += amount;
        break;
      case DatePart::kHour:
        interval.micros += amount * 3600 * kMicrosPerSecond;
        break;
      case DatePart::kMinute:
        interval.micros += amount * 60 * kMicrosPerSecond;
        break;
      case DatePart::kSecond:
        interval.micros += amount * kMicrosPerSecond;
        break;
      default:
        return std::nullopt;
    }
    any = true;
  }
  if (!any) return std::nullopt;
  return interval;
}

int64_t TruncateTo(DatePart unit, int64_t micros) {
  const Civil c = ToCivil(micros);
  switch (unit) {
    case DatePart::kYear:
      return FromCivil(c.year, 1, 1);
    case DatePart::kQuarter:
      return FromCivil(c.year, (c.month - 1) / 3 * 3 + 1, 1);
    case DatePart::kMonth:
      return FromCivil(c.year, c.month, 1);
    case DatePart::kWeek:
      return IsoWeekStart(FloorDiv(micros, kMicrosPerDay)) * kMicrosPerDay;
    case DatePart::kDay:
      return micros - c.micros_of_day;
    case DatePart::kHour:
      return FloorDiv(micros, 3600 * kMicrosPerSecond) * 3600 * kMicrosPerSecond;
    case DatePart::kMinute:
      return FloorDiv(micros, 60 * kMicrosPerSecond) * 60 * kMicrosPerSecond;
    case DatePart::kSecond:
      return FloorDiv(micros, kMicrosPerSecond) * kMicrosPerSecond;
    default:
      return micros;
  }
}

int64_t ExtractPart(DatePart part, int64_t micros) {
  const Civil c = ToCivil(micros);
  const int64_t days = FloorDiv(micros, kMicrosPerDay);
  switch (part) {
    case DatePart::kYear:
      return c.year;
    case DatePart::kQuarter:
      return (c.month - 1) / 3 + 1;
    case DatePart::kMonth:
      return c.month;
    case DatePart::kWeek: {
      // The ISO week's Thursday decides its year; week 1 holds the year's first Thursday.
      const int64_t thursday = IsoWeekStart(days) + 3;
      int year = 0;
      unsigned month = 0, day = 0;
      columnar::CivilFromDays(static_cast<int32_t>(thursday), &year, &month, &day);
      return (thursday - columnar::DaysFromCivil(year, 1, 1)) / 7 + 1;
    }
    case DatePart::kDay:
      return c.day;
    case DatePart::kHour:
      return c.micros_of_day / (3600 * kMicrosPerSecond);
    case DatePart::kMinute:
      return c.micros_of_day / (60 * kMicrosPerSecond) % 60;
    case DatePart::kSecond:
      return c.micros_of_day / kMicrosPerSecond % 60;
    case DatePart::kDayOfWeek:
      return ((days + 4) % 7 + 7) % 7;
    case DatePart::kIsoDayOfWeek:
      return ((days + 3) % 7 + 7) % 7 + 1;
    case DatePart::kDayOfYear:
      return days - columnar::DaysFromCivil(c.year, 1, 1) + 1;
    case DatePart::kEpoch:
      return FloorDiv(micros, kMicrosPerSecond);
  }
  return 0;
}

std::optional<int64_t> AddInterval(int64_t micros, const Interval& interval) {
  int64_t result = micros;
  if (interval.months != 0) {
    const Civil c = ToCivil(micros);
    const int64_t total = static_cast<int64_t>(c.year) * 12 + (c.month - 1) + interval.months;
    const int64_t year = FloorDiv(total, 12);
    if (year < -290'000 || year > 290'000) return std::nullopt;
    const unsigned month = static_cast<unsigned>(total - year * 12 + 1);
    const unsigned day = std::min(c.day, DaysInMonth(static_cast<int>(year), month));
    result = FromCivil(static_cast<int>(year), month, day, c.micros_of_day);
  }
  int64_t day_micros = 0;
  if (__builtin_mul_overflow(interval.days, kMicrosPerDay, &day_micros) ||
      __builtin_add_overflow(result, day_micros, &result) ||
      __builtin_add_overflow(result, interval.micros, &result)) {
    return std::nullopt;
  }
  return result;
}

int64_t DiffUnits(DatePart unit, int64_t a, int64_t b) {
  switch (unit) {
    case DatePart::kYear:
    case DatePart::kQuarter:
    case DatePart::kMonth: {
      const Civil x = ToCivil(a), y = ToCivil(b);
      const int64_t months = (static_cast<int64_t>(y.year) * 12 + y.month) -
                             (static_cast<int64_t>(x.year) * 12 + x.month);
      if (unit == DatePart::kMonth) return months;
      if (unit == DatePart::kYear) return static_cast<int64_t>(y.year) - x.year;
      return (static_cast<int64_t>(y.year) * 4 + (y.month - 1) / 3) -
             (static_cast<int64_t>(x.year) * 4 + (x.month - 1) / 3);
    }
    case DatePart::kWeek:
      return (TruncateTo(DatePart::kWeek, b) - TruncateTo(DatePart::kWeek, a)) /
             (7 * kMicrosPerDay);
    case DatePart::kDay:
      return FloorDiv(b, kMicrosPerDay) - FloorDiv(a, kMicrosPerDay);
    case DatePart::kHour:
      return FloorDiv(b, 3600 * kMicrosPerSecond) - FloorDiv(a, 3600 * kMicrosPerSecond);
    case DatePart::kMinute:
      return FloorDiv(b, 60 * kMicrosPerSecond) - FloorDiv(a, 60 * kMicrosPerSecond);
    default:
      return FloorDiv(b, kMicrosPerSecond) - FloorDiv(a, kMicrosPerSecond);
  }
}

std::string Strftime(int64_t micros, const std::string& format) {
  const Civil c = ToCivil(micros);
  std::tm tm{};
  tm.tm_year = c.year - 1900;
  tm.tm_mon = static_cast<int>(c.month) - 1;
  tm.tm_mday = static_cast<int>(c.day);
  tm.tm_hour = static_cast<int>(c.micros_of_day / (3600 * kMicrosPerSecond));
  tm.tm_min = static_cast<int>(c.micros_of_day / (60 * kMicrosPerSecond) % 60);
  tm.tm_sec = static_cast<int>(c.micros_of_day / kMicrosPerSecond % 60);
  tm.tm_wday = static_cast<int>(ExtractPart(DatePart::kDayOfWeek, micros));
  tm.tm_yday = static_cast<int>(ExtractPart(DatePart::kDayOfYear, micros)) - 1;
  char buffer[512];
  const size_t n = std::strftime(buffer, sizeof(buffer), format.c_str(), &tm);
  return std::string(buffer, n);
}

std::optional<int64_t> Strptime(std::string_view text, const std::string& format) {
  const std::string copy(text);
  std::tm tm{};
  tm.tm_mday = 1;
  const char* end = ::strptime(copy.c_str(), format.c_str(), &tm);
  if (end == nullptr || *end != '\0') return std::nullopt;
  const int year = tm.tm_year + 1900;
  const unsigned month = static_cast<unsigned>(tm.tm_mon + 1);
  const unsigned day = static_cast<unsigned>(tm.tm_mday);
  if (!columnar::IsValidDate(year, month, day)) return std::nullopt;
  return FromCivil(
      year, month, day,
      (static_cast<int64_t>(tm.tm_hour) * 3600 + tm.tm_min * 60 + tm.tm_sec) * kMicrosPerSecond);
}

}  // namespace sluice::compute

#include "sluice/columnar/temporal.h"

namespace sluice::columnar {

// Howard Hinnant's public-domain civil-calendar algorithms (days_from_civil / civil_from_days).
int32_t DaysFromCivil(int year, unsigned month, unsigned day) {
  year -= month <= 2;
  const int era = (year >= 0 ? year : year - 399) / 400;
  const unsigned year_of_era = static_cast<unsigned>(year - era * 400);
  const unsigned day_of_year = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
  return era * 146097 + static_cast<int>(day_of_era) - 719468;
}

void CivilFromDays(int32_t days_since_epoch, int* year, unsigned* month, unsigned* day) {
  const int64_t z = static_cast<int64_t>(days_since_epoch) + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned day_of_era = static_cast<unsigned>(z - era * 146097);
  const unsigned year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
  const int64_t y = static_cast<int64_t>(year_of_era) + era * 400;
  const unsigned day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const unsigned mp = (5 * day_of_year + 2) / 153;
  *day = day_of_year - (153 * mp + 2) / 5 + 1;
  *month = mp < 10 ? mp + 3 : mp - 9;
  *year = static_cast<int>(y + (*month <= 2));
}

bool IsValidDate(int year, unsigned month, unsigned day) {
  if (month < 1 || month > 12 || day < 1) return false;
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  unsigned limit = kDays[month - 1];
  if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)) limit = 29;
  return day <= limit;
}

namespace {

// Reads 1..max_digits digits (at least min_digits) at `pos`.
bool ReadNumber(std::string_view text, size_t* pos, int min_digits, int max_digits, int* out) {
  int value = 0;
  int count = 0;
  size_t i = *pos;
  while (i < text.size() && count < max_digits && text[i] >= '0' && text[i] <= '9') {
    value = value * 10 + (text[i] - '0');
    ++i;
    ++count;
  }
  if (count < min_digits) return false;
  *pos = i;
  *out = value;
  return true;
}

bool IsDateSeparator(char c) { return c == '-' || c == '/' || c == '.'; }

// Parses a date prefix of `text` starting at *pos; advances *pos past it.
bool ParseDatePrefix(std::string_view text, DateOrder order, size_t* pos, int32_t* days) {
  int parts[3];
  size_t i = *pos;
  char separator = 0;
  for (int k = 0; k < 3; ++k) {
    const bool is_year =
        (order == DateOrder::kYMD && k == 0) || (order != DateOrder::kYMD && k == 2);
    if (!ReadNumber(text, &i, is_year ? 4 : 1, is_year ? 4 : 2, &parts[k])) return false;
    if (k < 2) {
      if (i >= text.size() || !IsDateSeparator(text[i])) return false;
      if (separator == 0) {
        separator = text[i];
      } else if (separator != text[i]) {
        return false;
      }
      ++i;
    }
  }
  int year = 0;
  int month = 0;
  int day = 0;
  switch (order) {
    case DateOrder::kYMD:
      year = parts[0];
      month = parts[1];
      day = parts[2];
      break;
    case DateOrder::kMDY:
      month = parts[0];
      day = parts[1];
      year = parts[2];
      break;
    case DateOrder::kDMY:
      day = parts[0];
      month = parts[1];
      year = parts[2];
      break;
  }
  if (!IsValidDate(year, static_cast<unsigned>(month), static_cast<unsigned>(day))) return false;
  *days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  *pos = i;
  return true;
}

bool ParseTimePrefix(std::string_view text, size_t* pos, int64_t* micros) {
  size_t i = *pos;
  int hour = 0;
  int minute = 0;
  int second = 0;
  int64_t fraction = 0;
  if (!ReadNumber(text, &i, 1, 2, &hour)) return false;
  if (i >= text.size() || text[i] != ':') return false;
  ++i;
  if (!ReadNumber(text, &i, 2, 2, &minute)) return false;
  if (i < text.size() && text[i] == ':') {
    ++i;
    if (!ReadNumber(text, &i, 2, 2, &second)) return false;
    if (i < text.size() && (text[i] == '.' || text[i] == ',')) {
      ++i;
      int digits = 0;
      while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        if (digits < 6) {
          fraction = fraction * 10 + (text[i] - '0');
          ++digits;
        } else if (text[i] != '0') {
          return false;  // sub-microsecond precision would be lost
        }
        ++i;
      }
      if (digits == 0) return false;
      for (; digits < 6; ++digits) fraction *= 10;
    }
  }
  // Optional 12-hour clock suffix.
  size_t j = i;
  if (j < text.size() && text[j] == ' ') ++j;
  if (j + 2 <= text.size()) {
    const char a = static_cast<char>(text[j] | 0x20);
    const char m = static_cast<char>(text[j + 1] | 0x20);
    if ((a == 'a' || a == 'p') && m == 'm') {
      if (hour < 1 || hour > 12) return false;
      if (a == 'a' && hour == 12) hour = 0;
      if (a == 'p' && hour != 12) hour += 12;
      i = j + 2;
    }
  }
  if (hour > 23 || minute > 59 || second > 60) return false;
  if (second == 60) second = 59;  // leap second: clamp rather than reject
  *micros =
      ((static_cast<int64_t>(hour) * 60 + minute) * 60 + second) * kMicrosPerSecond + fraction;
  *pos = i;
  return true;
}

}  // namespace

bool ParseDate(std::string_view text, DateOrder order, int32_t* days) {
  size_t pos = 0;
  return ParseDatePrefix(text, order, &pos, days) && pos == text.size();
}

bool ParseTime(std::string_view text, int64_t* micros) {
  size_t pos = 0;
  return ParseTimePrefix(text, &pos, micros) && pos == text.size();
}

bool ParseTimestamp(std::string_view text, DateOrder order, int64_t* micros) {
  size_t pos = 0;
  int32_t days = 0;
  if (!ParseDatePrefix(text, order, &pos, &days)) return false;
  if (pos >= text.size() || (text[pos] != 'T' && text[pos] != ' ' && text[pos] != 't')) {
    return false;
  }
  ++pos;
  int64_t time_micros = 0;
  if (!ParseTimePrefix(text, &pos, &time_micros)) return false;
  int64_t offset_seconds = 0;
  if (pos < text.size() && text[pos] == ' ') ++pos;
  if (pos < text.size()) {
    const char c = text[pos];
    if (c == 'Z' || c == 'z') {
      ++pos;
    } else if (text.substr(pos) == "UTC") {
      pos += 3;
    } else if (c == '+' || c == '-') {
      ++pos;
      int hours = 0;
      int minutes = 0;
      if (!ReadNumber(text, &pos, 2, 2, &hours)) return false;
      if (pos < text.size() && text[pos] == ':') ++pos;
      if (pos < text.size()) {
        if (!ReadNumber(text, &pos, 2, 2, &minutes)) return false;
      }
      if (hours > 18 || minutes > 59) return false;
      offset_seconds = (hours * 60 + minutes) * 60;
      if (c == '-') offset_seconds = -offset_seconds;
    } else {
      return false;
    }
  }
  if (pos != text.size()) return false;
  *micros =
      static_cast<int64_t>(days) * kMicrosPerDay + time_micros - offset_seconds * kMicrosPerSecond;
  return true;
}

int64_t FloorDiv(int64_t a, int64_t b) {
  const int64_t quotient = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? quotient - 1 : quotient;
}

void AppendDigits(int64_t value, int width, std::string* out) {
  char buffer[24];
  int count = 0;
  do {
    buffer[count++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (count < width) buffer[count++] = '0';
  while (count > 0) out->push_back(buffer[--count]);
}

void AppendDate(int32_t days, std::string* out) {
  int year = 0;
  unsigned month = 0;
  unsigned day = 0;
  CivilFromDays(days, &year, &month, &day);
  if (year < 0) {
    out->push_back('-');
    year = -year;
  }
  AppendDigits(year, 4, out);
  out->push_back('-');
  AppendDigits(month, 2, out);
  out->push_back('-');
  AppendDigits(day, 2, out);
}

void AppendTime(int64_t micros, std::string* out) {
  const int64_t seconds = micros / kMicrosPerSecond;
  const int64_t fraction = micros % kMicrosPerSecond;
  AppendDigits(seconds / 3600, 2, out);
  out->push_back(':');
  AppendDigits(seconds / 60 % 60, 2, out);
  out->push_back(':');
  AppendDigits(seconds % 60, 2, out);
  if (fraction != 0) {
    out->push_back('.');
    AppendDigits(fraction, 6, out);
  }
}

void AppendTimestamp(int64_t micros, bool iso, std::string* out) {
  int64_t days = micros / kMicrosPerDay;
  int64_t rest = micros % kMicrosPerDay;
  if (rest < 0) {
    rest += kMicrosPerDay;
    --days;
  }
  AppendDate(static_cast<int32_t>(days), out);
  out->push_back(iso ? 'T' : ' ');
  AppendTime(rest, out);
  if (iso) out->push_back('Z');
}

std::optional<int64_t> MicrosAt(const Column& column, int64_t row) {
  if (column.IsNull(row)) return std::nullopt;
  if (column.type().id() == TypeId::kDate) {
    return static_cast<int64_t>(static_cast<const Int32Column&>(column).Value(row)) * kMicrosPerDay;
  }
  return static_cast<const Int64Column&>(column).Value(row);
}

}  // namespace sluice::columnar

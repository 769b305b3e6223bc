#include "sluice/columnar/temporal.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace sluice::columnar {
namespace {

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

std::optional<int32_t> Date(std::string_view text, DateOrder order = DateOrder::kYMD) {
  int32_t days = 123456;
  if (!ParseDate(text, order, &days)) return std::nullopt;
  return days;
}

std::optional<int64_t> Time(std::string_view text) {
  int64_t micros = 123456;
  if (!ParseTime(text, &micros)) return std::nullopt;
  return micros;
}

std::optional<int64_t> Timestamp(std::string_view text, DateOrder order = DateOrder::kYMD) {
  int64_t micros = 123456;
  if (!ParseTimestamp(text, order, &micros)) return std::nullopt;
  return micros;
}

constexpr int64_t Micros(int64_t hours, int64_t minutes, int64_t seconds, int64_t fraction = 0) {
  return ((hours * 60 + minutes) * 60 + seconds) * kMicrosPerSecond + fraction;
}

std::string DateText(int32_t days) {
  std::string out;
  AppendDate(days, &out);
  return out;
}

std::string TimeText(int64_t micros) {
  std::string out;
  AppendTime(micros, &out);
  return out;
}

std::string TimestampText(int64_t micros, bool iso) {
  std::string out;
  AppendTimestamp(micros, iso, &out);
  return out;
}

// Reference values computed independently (Python's datetime.date.toordinal() - 719163, and the
// proleptic Gregorian year 0 = 1 BC, a leap year).
TEST(TemporalTest, DaysFromCivilKnownDates) {
  EXPECT_EQ(DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(DaysFromCivil(2000, 1, 1), 10957);
  EXPECT_EQ(DaysFromCivil(2000, 2, 29), 11016);
  EXPECT_EQ(DaysFromCivil(2000, 3, 1), 11017);
  EXPECT_EQ(DaysFromCivil(2024, 2, 29), 19782);
  EXPECT_EQ(DaysFromCivil(2024, 3, 1), 19783);
  EXPECT_EQ(DaysFromCivil(1900, 3, 1), -25508);
  EXPECT_EQ(DaysFromCivil(1600, 2, 29), -135081);
  EXPECT_EQ(DaysFromCivil(9999, 12, 31), 2932896);
  EXPECT_EQ(DaysFromCivil(1, 1, 1), -719162);
  EXPECT_EQ(DaysFromCivil(0, 3, 1), -719468);
  EXPECT_EQ(DaysFromCivil(0, 1, 1), -719528);   // 366 days before 0001-01-01
  EXPECT_EQ(DaysFromCivil(-1, 1, 1), -719893);  // year -1 has 365 days
}

TEST(TemporalTest, CivilFromDaysKnownDates) {
  int year = 0;
  unsigned month = 0;
  unsigned day = 0;
  CivilFromDays(0, &year, &month, &day);
  EXPECT_EQ(year, 1970);
  EXPECT_EQ(month, 1u);
  EXPECT_EQ(day, 1u);
  CivilFromDays(11016, &year, &month, &day);
  EXPECT_EQ(year, 2000);
  EXPECT_EQ(month, 2u);
  EXPECT_EQ(day, 29u);
  CivilFromDays(-719893, &year, &month, &day);
  EXPECT_EQ(year, -1);
  EXPECT_EQ(month, 1u);
  EXPECT_EQ(day, 1u);
  CivilFromDays(-719469, &year, &month, &day);
  EXPECT_EQ(year, 0);
  EXPECT_EQ(month, 2u);
  EXPECT_EQ(day, 29u);
}

// Walks every day from 10000 BC to AD 10000 and checks that consecutive day numbers are
// consecutive calendar dates (so leap days appear exactly in leap years) and that the two
// conversions are inverse.
TEST(TemporalTest, CivilRoundTripOverTwentyThousandYears) {
  const int32_t first = DaysFromCivil(-10000, 1, 1);
  const int32_t last = DaysFromCivil(10000, 12, 31);
  int year = -10000;
  unsigned month = 1;
  unsigned day = 1;
  int64_t leap_days = 0;
  for (int32_t days = first; days <= last; ++days) {
    int got_year = 0;
    unsigned got_month = 0;
    unsigned got_day = 0;
    CivilFromDays(days, &got_year, &got_month, &got_day);
    ASSERT_EQ(got_year, year) << days;
    ASSERT_EQ(got_month, month) << days;
    ASSERT_EQ(got_day, day) << days;
    ASSERT_EQ(DaysFromCivil(year, month, day), days);
    if (month == 2 && day == 29) ++leap_days;
    // Advance (year, month, day) by one day without the code under test.
    static constexpr unsigned kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const unsigned month_days = month == 2 && IsLeapYear(year) ? 29 : kMonthDays[month - 1];
    if (++day > month_days) {
      day = 1;
      if (++month > 12) {
        month = 1;
        ++year;
      }
    }
  }
  EXPECT_EQ(year, 10001);
  // 20001 years = 50 full 400-year cycles (97 leap years each) + year 10000 (leap).
  EXPECT_EQ(leap_days, 50 * 97 + 1);
  EXPECT_EQ(last - first + 1, 50 * 146097 + 366);
}

TEST(TemporalTest, CivilRoundTripFarFromTheEpoch) {
  for (int year : {-1000000, -4713, -400, -100, -4, 4, 1582, 1000000}) {
    for (unsigned month : {1u, 2u, 3u, 12u}) {
      const int32_t days = DaysFromCivil(year, month, 1);
      int got_year = 0;
      unsigned got_month = 0;
      unsigned got_day = 0;
      CivilFromDays(days, &got_year, &got_month, &got_day);
      EXPECT_EQ(got_year, year);
      EXPECT_EQ(got_month, month);
      EXPECT_EQ(got_day, 1u);
    }
    EXPECT_EQ(DaysFromCivil(year + 1, 1, 1) - DaysFromCivil(year, 1, 1),
              IsLeapYear(year) ? 366 : 365)
        << year;
  }
}

TEST(TemporalTest, IsValidDate) {
  EXPECT_TRUE(IsValidDate(2024, 2, 29));
  EXPECT_FALSE(IsValidDate(2023, 2, 29));
  EXPECT_FALSE(IsValidDate(1900, 2, 29));
  EXPECT_TRUE(IsValidDate(2000, 2, 29));
  EXPECT_TRUE(IsValidDate(0, 2, 29));
  EXPECT_TRUE(IsValidDate(-4, 2, 29));
  EXPECT_FALSE(IsValidDate(-100, 2, 29));
  EXPECT_TRUE(IsValidDate(-400, 2, 29));
  EXPECT_FALSE(IsValidDate(2024, 2, 30));
  EXPECT_FALSE(IsValidDate(2024, 4, 31));
  EXPECT_TRUE(IsValidDate(2024, 12, 31));
  EXPECT_FALSE(IsValidDate(2024, 12, 32));
  EXPECT_FALSE(IsValidDate(2024, 0, 1));
  EXPECT_FALSE(IsValidDate(2024, 13, 1));
  EXPECT_FALSE(IsValidDate(2024, 1, 0));
}

TEST(TemporalTest, ParseDateYearMonthDay) {
  EXPECT_EQ(Date("2024-03-01"), 19783);
  EXPECT_EQ(Date("2024/03/01"), 19783);
  EXPECT_EQ(Date("2024.03.01"), 19783);
  EXPECT_EQ(Date("2024-3-1"), 19783);
  EXPECT_EQ(Date("1970-01-01"), 0);
  EXPECT_EQ(Date("1969-12-31"), -1);
  EXPECT_EQ(Date("2024-02-29"), 19782);
  EXPECT_EQ(Date("0001-01-01"), -719162);
  EXPECT_EQ(Date("9999-12-31"), 2932896);
}

TEST(TemporalTest, ParseDateMonthDayYear) {
  EXPECT_EQ(Date("03/01/2024", DateOrder::kMDY), 19783);
  EXPECT_EQ(Date("3/1/2024", DateOrder::kMDY), 19783);
  EXPECT_EQ(Date("03-01-2024", DateOrder::kMDY), 19783);
  EXPECT_EQ(Date("03.01.2024", DateOrder::kMDY), 19783);
  EXPECT_EQ(Date("01/31/2024", DateOrder::kMDY), 19753);
  EXPECT_EQ(Date("31/01/2024", DateOrder::kMDY), std::nullopt);
  EXPECT_EQ(Date("2024-03-01", DateOrder::kMDY), std::nullopt);
}

TEST(TemporalTest, ParseDateDayMonthYear) {
  EXPECT_EQ(Date("01.03.2024", DateOrder::kDMY), 19783);
  EXPECT_EQ(Date("01/03/2024", DateOrder::kDMY), 19783);
  EXPECT_EQ(Date("1-3-2024", DateOrder::kDMY), 19783);
  EXPECT_EQ(Date("31.01.2024", DateOrder::kDMY), 19753);
  EXPECT_EQ(Date("01/31/2024", DateOrder::kDMY), std::nullopt);
  EXPECT_EQ(Date("29.02.2023", DateOrder::kDMY), std::nullopt);
}

TEST(TemporalTest, ParseDateRejectsInvalidDatesAndShapes) {
  for (const char* text :
       {"2023-02-29", "1900-02-29",  "2024-02-30",  "2024-04-31",       "2024-13-01",
        "2024-00-10", "2024-01-00",  "2024-01-32",  "24-03-01",         "12024-03-01",
        "20240301",   "2024-03",     "2024-003-01", "2024-03-001",      "2024-03/01",
        "2024.03-01", "2024-03-01 ", " 2024-03-01", "2024-03-01T00:00", "",
        "-",          "2024--03-01", "2024-03-01-", "abcd-ef-gh",       "2024-O3-01"}) {
    EXPECT_EQ(Date(text), std::nullopt) << "'" << text << "'";
  }
}

TEST(TemporalTest, ParseTime) {
  EXPECT_EQ(Time("00:00"), 0);
  EXPECT_EQ(Time("13:45"), Micros(13, 45, 0));
  EXPECT_EQ(Time("13:45:07"), Micros(13, 45, 7));
  EXPECT_EQ(Time("23:59:59"), Micros(23, 59, 59));
  EXPECT_EQ(Time("13:45:07.25"), Micros(13, 45, 7, 250000));
  EXPECT_EQ(Time("13:45:07.000001"), Micros(13, 45, 7, 1));
  EXPECT_EQ(Time("13:45:07.123456"), Micros(13, 45, 7, 123456));
  // A seventh digit is fine when it is zero: nothing is lost.
  EXPECT_EQ(Time("13:45:07.1234560"), Micros(13, 45, 7, 123456));
}

TEST(TemporalTest, ParseTimeTwelveHourClock) {
  EXPECT_EQ(Time("12:00 AM"), 0);
  EXPECT_EQ(Time("12:30 AM"), Micros(0, 30, 0));
  EXPECT_EQ(Time("01:00 AM"), Micros(1, 0, 0));
  EXPECT_EQ(Time("11:59:59 AM"), Micros(11, 59, 59));
  EXPECT_EQ(Time("12:00 PM"), Micros(12, 0, 0));
  EXPECT_EQ(Time("12:59:59 PM"), Micros(12, 59, 59));
  EXPECT_EQ(Time("01:00 PM"), Micros(13, 0, 0));
  EXPECT_EQ(Time("11:15:30.5 PM"), Micros(23, 15, 30, 500000));
  EXPECT_EQ(Time("07:05 pm"), Micros(19, 5, 0));
  EXPECT_EQ(Time("07:05 am"), Micros(7, 5, 0));
}

TEST(TemporalTest, ParseTimeRejects) {
  for (const char* text : {"",         "10",       "10:",      "10:5",      "24:00",
                           "12:60",    "10:00:61", "10:00:5",  "10:00:00.", "10:00:00.1234567",
                           "13:00 PM", "00:30 AM", "10:00 XM", "10:00 AMX", "10:00 A",
                           "-1:00",    "10-00",    " 10:00",   "10:00 ",    "10:00:00Z",
                           "100:00"}) {
    EXPECT_EQ(Time(text), std::nullopt) << "'" << text << "'";
  }
}

TEST(TemporalTest, ParseTimeClampsLeapSecond) { EXPECT_EQ(Time("23:59:60"), Micros(23, 59, 59)); }

TEST(TemporalTest, ParseTimestampSeparatorsAndZones) {
  constexpr int64_t kExpected = 1709300707250000;  // 2024-03-01 13:45:07.25 UTC
  EXPECT_EQ(Timestamp("2024-03-01T13:45:07.25Z"), kExpected);
  EXPECT_EQ(Timestamp("2024-03-01 13:45:07.25"), kExpected);
  EXPECT_EQ(Timestamp("2024-03-01T13:45:07.250000"), kExpected);
  EXPECT_EQ(Timestamp("2024-03-01 13:45:07.25 UTC"), kExpected);
  EXPECT_EQ(Timestamp("2024-03-01T13:45:07.25+00:00"), kExpected);
  EXPECT_EQ(Timestamp("2024/03/01 13:45:07.25"), kExpected);
  EXPECT_EQ(Timestamp("2024-03-01T13:45"), kExpected - Micros(0, 0, 7, 250000));
}

TEST(TemporalTest, ParseTimestampOffsets) {
  constexpr int64_t kEightUtc = 1709280000000000;  // 2024-03-01 08:00:00 UTC
  EXPECT_EQ(Timestamp("2024-03-01T10:00:00+02:00"), kEightUtc);
  EXPECT_EQ(Timestamp("2024-03-01T10:00:00+0200"), kEightUtc);
  EXPECT_EQ(Timestamp("2024-03-01T10:00:00+02"), kEightUtc);
  EXPECT_EQ(Timestamp("2024-03-01 10:00:00 +02:00"), kEightUtc);
  // 10:00 at UTC-05:30 is 15:30 UTC.
  constexpr int64_t kHalfPastThreeUtc = 1709307000000000;
  EXPECT_EQ(Timestamp("2024-03-01T10:00:00-0530"), kHalfPastThreeUtc);
  EXPECT_EQ(Timestamp("2024-03-01T10:00:00-05:30"), kHalfPastThreeUtc);
  // An offset can move the value across midnight.
  EXPECT_EQ(Timestamp("2024-03-01T01:00:00+02:00"), Timestamp("2024-02-29T23:00:00Z"));
}

TEST(TemporalTest, ParseTimestampOtherDateOrdersAndTwelveHourClock) {
  EXPECT_EQ(Timestamp("01-01-2000 12:12:00 AM", DateOrder::kMDY), 946685520000000);
  EXPECT_EQ(Timestamp("01-01-2000 12:12:00 PM", DateOrder::kMDY),
            946685520000000 + Micros(12, 0, 0));
  EXPECT_EQ(Timestamp("03/01/2024 01:45:07.25 PM", DateOrder::kMDY), 1709300707250000);
  EXPECT_EQ(Timestamp("01.03.2024 13:45:07.25", DateOrder::kDMY), 1709300707250000);
  EXPECT_EQ(Timestamp("01-01-2000 12:12:00 AM", DateOrder::kYMD), std::nullopt);
}

TEST(TemporalTest, ParseTimestampBeforeTheEpoch) {
  EXPECT_EQ(Timestamp("1969-12-31T23:59:59.999999Z"), -1);
  EXPECT_EQ(Timestamp("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(Timestamp("1900-01-01 00:00:00"), -2208988800000000);
}

TEST(TemporalTest, ParseTimestampRejects) {
  for (const char* text :
       {"", "2024-03-01", "2024-03-01T", "2024-03-01 ", "2024-03-01X10:00", "2024-03-01T25:00",
        "2024-02-30T00:00", "2024-03-01T10:00+25:00", "2024-03-01T10:00+02:60",
        "2024-03-01T10:00+2", "2024-03-01T10:00Zjunk", "2024-03-01T10:00 EST",
        "2024-03-01T10:00:00.1234567Z", "10:00 2024-03-01", "2024-03-01T10:00 UTC+1"}) {
    EXPECT_EQ(Timestamp(text), std::nullopt) << "'" << text << "'";
  }
}

TEST(TemporalTest, AppendDate) {
  EXPECT_EQ(DateText(0), "1970-01-01");
  EXPECT_EQ(DateText(19783), "2024-03-01");
  EXPECT_EQ(DateText(19782), "2024-02-29");
  EXPECT_EQ(DateText(-1), "1969-12-31");
  EXPECT_EQ(DateText(-719162), "0001-01-01");
  EXPECT_EQ(DateText(-719528), "0000-01-01");
  EXPECT_EQ(DateText(-719893), "-0001-01-01");
  EXPECT_EQ(DateText(2932896), "9999-12-31");
  std::string out = "d=";
  AppendDate(0, &out);
  EXPECT_EQ(out, "d=1970-01-01");
}

TEST(TemporalTest, AppendTime) {
  EXPECT_EQ(TimeText(0), "00:00:00");
  EXPECT_EQ(TimeText(Micros(13, 45, 7)), "13:45:07");
  EXPECT_EQ(TimeText(Micros(13, 45, 7, 250000)), "13:45:07.250000");
  EXPECT_EQ(TimeText(1), "00:00:00.000001");
  EXPECT_EQ(TimeText(kMicrosPerDay - 1), "23:59:59.999999");
}

TEST(TemporalTest, AppendTimestamp) {
  EXPECT_EQ(TimestampText(0, false), "1970-01-01 00:00:00");
  EXPECT_EQ(TimestampText(0, true), "1970-01-01T00:00:00Z");
  EXPECT_EQ(TimestampText(1709300707250000, false), "2024-03-01 13:45:07.250000");
  EXPECT_EQ(TimestampText(1709300707250000, true), "2024-03-01T13:45:07.250000Z");
  EXPECT_EQ(TimestampText(1709280000000000, true), "2024-03-01T08:00:00Z");
}

TEST(TemporalTest, AppendTimestampBeforeTheEpoch) {
  EXPECT_EQ(TimestampText(-1, false), "1969-12-31 23:59:59.999999");
  EXPECT_EQ(TimestampText(-1500000, true), "1969-12-31T23:59:58.500000Z");
  EXPECT_EQ(TimestampText(-kMicrosPerDay, false), "1969-12-31 00:00:00");
  EXPECT_EQ(TimestampText(-kMicrosPerDay - 1, false), "1969-12-30 23:59:59.999999");
  EXPECT_EQ(TimestampText(-2208988800000000, true), "1900-01-01T00:00:00Z");
}

TEST(TemporalTest, FormattedValuesParseBack) {
  for (int64_t micros :
       {int64_t{0}, int64_t{-1}, int64_t{1709300707250000}, int64_t{-2208988800000000},
        int64_t{-62135596800000000}, int64_t{253402300799999999}, int64_t{946685520000001}}) {
    EXPECT_EQ(Timestamp(TimestampText(micros, true)), micros) << TimestampText(micros, true);
    EXPECT_EQ(Timestamp(TimestampText(micros, false)), micros) << TimestampText(micros, false);
  }
  for (int32_t days : {0, -1, 19782, -719162, 2932896}) {
    EXPECT_EQ(Date(DateText(days)), days);
  }
  for (int64_t micros : {int64_t{0}, int64_t{1}, Micros(13, 45, 7, 250000), kMicrosPerDay - 1}) {
    EXPECT_EQ(Time(TimeText(micros)), micros);
  }
}

}  // namespace
}  // namespace sluice::columnar

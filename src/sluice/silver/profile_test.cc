#include "sluice/silver/profile.h"

#include <gtest/gtest.h>

#include "sluice/columnar/column_builder.h"

namespace sluice::silver {
namespace {

std::string Kind(std::string_view value) {
  const std::optional<PiiKind> kind = DetectPii(value);
  return kind ? std::string(PiiKindName(*kind)) : "-";
}

TEST(ProfileTest, RecognisesPersonalData) {
  EXPECT_EQ(Kind("ada.lovelace@example.org"), "email");
  EXPECT_EQ(Kind("not-an-email@"), "-");
  EXPECT_EQ(Kind("a@b@c.org"), "-");
  EXPECT_EQ(Kind("+47 4 9517214"), "phone");
  EXPECT_EQ(Kind("(555) 010-0199"), "phone");
  EXPECT_EQ(Kind("1234567"), "-");  // a bare number is not taken for a phone
  EXPECT_EQ(Kind("4111 1111 1111 1111"), "card number");
  EXPECT_EQ(Kind("4111 1111 1111 1112"), "-");  // fails Luhn; too long for a phone
  EXPECT_EQ(Kind("DE89 3704 0044 0532 0130 00"), "IBAN");
  EXPECT_EQ(Kind("DE89 3704 0044 0532 0130 01"), "-");  // wrong check digits
  EXPECT_EQ(Kind("192.168.10.254"), "IP address");
  EXPECT_EQ(Kind("2001:db8::8a2e:370:7334"), "IP address");
  EXPECT_EQ(Kind("1.2.3"), "-");
  EXPECT_EQ(Kind("078-05-1120"), "national id");
  EXPECT_EQ(Kind("666-05-1120"), "-");
  EXPECT_EQ(Kind("2026-11-01"), "-");  // a date is not a phone
  EXPECT_TRUE(LuhnValid("79927398713"));
  EXPECT_FALSE(LuhnValid("79927398710"));
  EXPECT_TRUE(IbanValid("GB82 WEST 1234 5698 7654 32"));
}

TEST(ProfileTest, DistinctEstimateIsClose) {
  for (int n : {10, 1000, 200'000}) {
    DistinctCounter counter;
    for (int i = 0; i < n; ++i) {
      counter.Add("value-" + std::to_string(i));
      counter.Add("value-" + std::to_string(i / 2));  // repeats do not count
    }
    const double estimate = static_cast<double>(counter.Estimate());
    EXPECT_NEAR(estimate, n, n * 0.05 + 1) << n;
  }
}

TEST(ProfileTest, ProfilesColumnsAndSuggestsMasks) {
  columnar::StringBuilder email, phone, status;
  columnar::Int64Builder amount(columnar::DataType::Int64());
  columnar::Int32Builder birth(columnar::DataType::Date());
  for (int i = 0; i < 10; ++i) {
    if (i == 9) {
      email.Append("unknown");
    } else {
      email.Append("user" + std::to_string(i) + "@example.org");
    }
    if (i % 5 == 0) {
      phone.AppendNull();
    } else {
      phone.Append("+47 4 95172" + std::to_string(10 + i));
    }
    status.Append(i < 6 ? "shipped" : i < 9 ? "placed" : "lost");
    amount.Append(i * 7 - 20);
    birth.Append(7000 + i);
  }
  auto schema = std::make_shared<const columnar::Schema>(
      std::vector<columnar::Field>{{"email", columnar::DataType::String()},
                                   {"phone", columnar::DataType::String()},
                                   {"status", columnar::DataType::String()},
                                   {"amount", columnar::DataType::Int64()},
                                   {"BirthDate", columnar::DataType::Date()}});
  Profiler profiler;
  profiler.Add(columnar::Batch(
      schema, {email.Finish(), phone.Finish(), status.Finish(), amount.Finish(), birth.Finish()},
      10));
  const std::vector<ColumnProfile> profiles = profiler.Finish();
  ASSERT_EQ(profiles.size(), 5u);
  EXPECT_EQ(profiles[0].suggestion, "hmac");
  EXPECT_EQ(profiles[0].reason, "90% of the values look like email addresses");
  EXPECT_EQ(profiles[1].nulls, 2);
  EXPECT_EQ(profiles[1].suggestion, "mask(4)");
  EXPECT_DOUBLE_EQ(profiles[1].pii_share, 1.0);
  EXPECT_FALSE(profiles[2].pii.has_value());
  EXPECT_EQ(profiles[2].distinct, 3);
  ASSERT_EQ(profiles[2].top.size(), 3u);
  EXPECT_EQ(profiles[2].top[0], (std::pair<std::string, int64_t>{"shipped", 6}));
  EXPECT_EQ(profiles[2].top[2], (std::pair<std::string, int64_t>{"lost", 1}));
  EXPECT_EQ(profiles[3].min, "-20");  // numbers compare as numbers, not text
  EXPECT_EQ(profiles[3].max, "43");
  EXPECT_EQ(profiles[4].suggestion, "truncate_date(year)");
}

}  // namespace
}  // namespace sluice::silver

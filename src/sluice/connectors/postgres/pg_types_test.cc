#include "sluice/connectors/postgres/pg_types.h"

#include <gtest/gtest.h>

#include "sluice/columnar/value_formatter.h"
#include "sluice/connectors/mysql/mysql_driver.h"

namespace sluice::connectors {
namespace {

// Big-endian bytes of the given 16-bit words.
std::string Words(std::initializer_list<int> words) {
  std::string bytes;
  for (int word : words) {
    bytes += static_cast<char>((word >> 8) & 0xff);
    bytes += static_cast<char>(word & 0xff);
  }
  return bytes;
}

PgColumnPlan Plan(uint32_t oid, int32_t modifier = -1, char kind = 'b', char category = 'U') {
  PgTypeInfo info;
  info.oid = oid;
  info.modifier = modifier;
  info.name = "t";
  info.type_kind = kind;
  info.category = category;
  return PlanPgColumn("c", "\"c\"", info);
}

// The value `bytes` decodes to, as CSV text, or "error: ..." when it does not fit.
std::string Decode(const PgColumnPlan& plan, const std::string& bytes) {
  auto builder = columnar::MakeBuilder(plan.type);
  std::string error;
  if (!AppendPgValue(plan, bytes, builder.get(), &error)) return "error: " + error;
  EXPECT_EQ(builder->length(), 1);
  columnar::ColumnPtr column = builder->Finish();
  std::string text;
  columnar::AppendValue(*column, 0, columnar::ValueStyle::kCsv, &text);
  return text;
}

constexpr int32_t Numeric(int precision, int scale) { return ((precision << 16) | scale) + 4; }

TEST(PgTypesTest, MapsTypesAsDocumented) {
  EXPECT_EQ(Plan(16).type, columnar::DataType::Bool());
  EXPECT_EQ(Plan(21).type, columnar::DataType::Int32());
  EXPECT_EQ(Plan(20).type, columnar::DataType::Int64());
  EXPECT_EQ(Plan(1700, Numeric(12, 2)).type, columnar::DataType::Decimal(12, 2));
  EXPECT_EQ(Plan(1700).type, columnar::DataType::String());  // unconstrained
  EXPECT_EQ(Plan(1700).select, "\"c\"::text");
  EXPECT_EQ(Plan(1700, Numeric(50, 10)).type, columnar::DataType::String());  // > 38 digits
  EXPECT_EQ(Plan(1184).type, columnar::DataType::Timestamp());
  EXPECT_EQ(Plan(2950).type, columnar::DataType::String());
  EXPECT_EQ(Plan(3802).type, columnar::DataType::Json());
  const PgColumnPlan array = Plan(1007, -1, 'b', 'A');
  EXPECT_EQ(array.type, columnar::DataType::Json());
  EXPECT_EQ(array.select, "to_json(\"c\")::text");
  EXPECT_EQ(Plan(1186).select, "\"c\"::text");  // interval: the server's text
}

TEST(PgTypesTest, DecodesNumericExactlyAndRefusesWhatDoesNotFit) {
  const PgColumnPlan plan = Plan(1700, Numeric(12, 2));
  // 1234.5: digits 1234, 5000; weight 0; dscale 1.
  EXPECT_EQ(Decode(plan, Words({2, 0, 0, 1, 1234, 5000})), "1234.50");
  // -0.07: one digit 700 at weight -1.
  EXPECT_EQ(Decode(plan, Words({1, -1 & 0xffff, 0x4000, 2, 700})), "-0.07");
  EXPECT_EQ(Decode(plan, Words({0, 0, 0, 0})), "0.00");
  // 10^10 needs 13 digits at scale 2: more than decimal(12,2) holds.
  EXPECT_EQ(Decode(plan, Words({1, 2, 0, 0, 100})).rfind("error: more digits", 0), 0u);
  // 0.001 has a digit below the scale.
  EXPECT_EQ(Decode(plan, Words({1, -1 & 0xffff, 0, 3, 10})).rfind("error: more fractional", 0), 0u);
  EXPECT_EQ(Decode(plan, Words({0, 0, 0xC000, 0})), "error: NaN does not fit decimal(12,2)");
  EXPECT_EQ(Decode(plan, std::string("\x00\x01", 2)), "error: a truncated numeric");
}

TEST(PgTypesTest, DecodesTimesFromTheYear2000EpochAndRefusesInfinity) {
  const std::string zero(8, '\0');
  EXPECT_EQ(Decode(Plan(1114), zero), "2000-01-01T00:00:00Z");
  EXPECT_EQ(Decode(Plan(1082), std::string(4, '\0')), "2000-01-01");
  EXPECT_EQ(Decode(Plan(1082), std::string("\x7f\xff\xff\xff", 4)),
            "error: infinity does not fit a date");
  EXPECT_EQ(Decode(Plan(1114), std::string("\x80\0\0\0\0\0\0\0", 8)),
            "error: -infinity does not fit a timestamp");
  EXPECT_EQ(Decode(Plan(1114), std::string(4, '\0')).rfind("error: a binary value of 4", 0), 0u);
}

TEST(PgTypesTest, DecodesUuidJsonbAndFloats) {
  std::string uuid;
  for (int i = 0; i < 16; ++i) uuid += static_cast<char>(i * 17);
  EXPECT_EQ(Decode(Plan(2950), uuid), "00112233-4455-6677-8899-aabbccddeeff");
  EXPECT_EQ(Decode(Plan(3802), std::string("\x01{\"a\":1}")), "{\"a\":1}");
  EXPECT_EQ(Decode(Plan(3802), std::string("\x02{}")).rfind("error:", 0), 0u);
  EXPECT_EQ(Decode(Plan(700), std::string("\x3f\xc0\x00\x00", 4)), "1.5");  // real 1.5
  EXPECT_EQ(Decode(Plan(21), std::string("\xff\xfe", 2)), "-2");
}

TEST(MysqlUriTest, ParsesAndRefusesPasswords) {
  Result<MysqlConnectOptions> options =
      ParseMysqlUri("mariadb://etl@db.internal:3307/crm?sslmode=verify-full");
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_EQ(options->user, "etl");
  EXPECT_EQ(options->host, "db.internal");
  EXPECT_EQ(options->port, 3307);
  EXPECT_EQ(options->database, "crm");
  EXPECT_EQ(options->sslmode, "verify-full");
  EXPECT_EQ(ParseMysqlUri("mysql://u@h/d")->port, 3306);
  EXPECT_EQ(ParseMysqlUri("mysql://u@h/d?socket=/run/m.sock")->socket, "/run/m.sock");
  EXPECT_FALSE(ParseMysqlUri("mysql://u:secret@h/d").ok());
  EXPECT_FALSE(ParseMysqlUri("mysql://u@h/d?password=x").ok());
  EXPECT_FALSE(ParseMysqlUri("mysql://u@h").ok());
  EXPECT_FALSE(ParseMysqlUri("mysql://u@h:99999/d").ok());
  EXPECT_FALSE(ParseMysqlUri("postgresql://u@h/d").ok());
  EXPECT_FALSE(ParseMysqlUri("mysql://u@h/d?ssl=1").ok());
}

}  // namespace
}  // namespace sluice::connectors

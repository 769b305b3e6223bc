#include "sluice/connectors/postgres/pgoutput.h"

#include <gtest/gtest.h>

#include "sluice/columnar/value_formatter.h"
#include "sluice/connectors/postgres/pg_cdc.h"
#include "sluice/connectors/postgres/pg_types.h"

namespace sluice::connectors {
namespace {

// A message built field by field, big-endian, as the server writes it.
class Wire {
 public:
  Wire& Byte(char value) {
    bytes_ += value;
    return *this;
  }
  Wire& Int(uint64_t value, int size) {
    for (int shift = 8 * (size - 1); shift >= 0; shift -= 8) {
      bytes_ += static_cast<char>((value >> shift) & 0xFF);
    }
    return *this;
  }
  Wire& Text(const std::string& text) {
    bytes_ += text;
    bytes_ += '\0';
    return *this;
  }
  // A tuple of text values; "\x01" stands for null and "\x02" for an unchanged TOASTed value.
  Wire& Tuple(const std::vector<std::string>& values) {
    Int(values.size(), 2);
    for (const std::string& value : values) {
      if (value == "\x01") {
        Byte('n');
      } else if (value == "\x02") {
        Byte('u');
      } else {
        Byte('t').Int(value.size(), 4);
        bytes_ += value;
      }
    }
    return *this;
  }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string bytes_;
};

constexpr int64_t kCommitPg = 123'456'789;  // µs after 2000-01-01

TEST(PgOutputTest, BeginAndCommitCarryPositionsAndTheCommitTime) {
  PgChange change;
  ASSERT_TRUE(
      ParsePgOutput(Wire().Byte('B').Int(0x1600, 8).Int(kCommitPg, 8).Int(7, 4).bytes(), &change)
          .ok());
  EXPECT_EQ(change.kind, PgChangeKind::kBegin);
  EXPECT_EQ(change.final_lsn, 0x1600u);
  EXPECT_EQ(change.commit_micros, kCommitPg + kPgEpochUnixMicros);
  ASSERT_TRUE(
      ParsePgOutput(
          Wire().Byte('C').Byte(0).Int(0x1600, 8).Int(0x1638, 8).Int(kCommitPg, 8).bytes(), &change)
          .ok());
  EXPECT_EQ(change.kind, PgChangeKind::kCommit);
  EXPECT_EQ(change.end_lsn, 0x1638u);
}

TEST(PgOutputTest, RelationNamesItsColumns) {
  Wire wire;
  wire.Byte('R').Int(16384, 4).Text("public").Text("orders").Byte('d').Int(2, 2);
  wire.Byte(1).Text("id").Int(23, 4).Int(0xFFFFFFFF, 4);
  wire.Byte(0).Text("note").Int(25, 4).Int(0xFFFFFFFF, 4);
  PgChange change;
  ASSERT_TRUE(ParsePgOutput(wire.bytes(), &change).ok());
  EXPECT_EQ(change.kind, PgChangeKind::kRelation);
  EXPECT_EQ(change.relation, 16384u);
  EXPECT_EQ(change.schema, "public");
  EXPECT_EQ(change.name, "orders");
  EXPECT_EQ(change.columns, (std::vector<std::string>{"id", "note"}));
}

TEST(PgOutputTest, InsertUpdateDeleteAndTruncate) {
  // The parsed values point into the message: each is kept while its change is looked at.
  PgChange change;
  const std::string insert = Wire().Byte('I').Int(5, 4).Byte('N').Tuple({"1", "\x01"}).bytes();
  ASSERT_TRUE(ParsePgOutput(insert, &change).ok());
  EXPECT_EQ(change.kind, PgChangeKind::kInsert);
  ASSERT_EQ(change.tuple.size(), 2u);
  EXPECT_EQ(change.tuple[0].kind, 't');
  EXPECT_EQ(change.tuple[0].text, "1");
  EXPECT_EQ(change.tuple[1].kind, 'n');

  const std::string update = Wire()
                                 .Byte('U')
                                 .Int(5, 4)
                                 .Byte('O')
                                 .Tuple({"1", "long text"})
                                 .Byte('N')
                                 .Tuple({"1", "\x02"})
                                 .bytes();
  ASSERT_TRUE(ParsePgOutput(update, &change).ok());
  EXPECT_EQ(change.kind, PgChangeKind::kUpdate);
  ASSERT_TRUE(change.has_old);
  EXPECT_EQ(change.old_tuple[1].text, "long text");
  EXPECT_EQ(change.tuple[1].kind, 'u');

  const std::string new_only = Wire().Byte('U').Int(5, 4).Byte('N').Tuple({"2", "x"}).bytes();
  ASSERT_TRUE(ParsePgOutput(new_only, &change).ok());
  EXPECT_FALSE(change.has_old);
  EXPECT_EQ(change.tuple[1].text, "x");

  const std::string del = Wire().Byte('D').Int(5, 4).Byte('K').Tuple({"3", "\x01"}).bytes();
  ASSERT_TRUE(ParsePgOutput(del, &change).ok());
  EXPECT_EQ(change.kind, PgChangeKind::kDelete);
  EXPECT_EQ(change.tuple[0].text, "3");

  const std::string truncate = Wire().Byte('T').Int(2, 4).Byte(0).Int(5, 4).Int(9, 4).bytes();
  ASSERT_TRUE(ParsePgOutput(truncate, &change).ok());
  EXPECT_EQ(change.kind, PgChangeKind::kTruncate);
  EXPECT_EQ(change.truncated, (std::vector<uint32_t>{5, 9}));
}

TEST(PgOutputTest, TruncatedOrMalformedMessagesAreDataErrors) {
  PgChange change;
  const std::string insert = Wire().Byte('I').Int(5, 4).Byte('N').Tuple({"12345"}).bytes();
  for (size_t size = 1; size < insert.size(); ++size) {
    const Status status = ParsePgOutput(insert.substr(0, size), &change);
    EXPECT_EQ(status.code(), StatusCode::kDataError) << size;
  }
  // An unknown value kind.
  EXPECT_EQ(ParsePgOutput(Wire().Byte('I').Int(5, 4).Byte('N').Int(1, 2).Byte('z').bytes(), &change)
                .code(),
            StatusCode::kDataError);
  // Messages that say nothing about rows are skipped.
  EXPECT_TRUE(ParsePgOutput(Wire().Byte('O').Int(1, 8).Text("origin").bytes(), &change).ok());
  EXPECT_EQ(change.kind, PgChangeKind::kOther);
}

TEST(PgOutputTest, FramesAndTheStandbyStatus) {
  PgFrame frame;
  const std::string data = Wire().Byte('w').Int(0x10, 8).Int(0x20, 8).Int(0, 8).Byte('B').bytes();
  ASSERT_TRUE(ParsePgFrame(data, &frame).ok());
  EXPECT_EQ(frame.kind, PgFrameKind::kData);
  EXPECT_EQ(frame.start, 0x10u);
  EXPECT_EQ(frame.wal_end, 0x20u);
  EXPECT_EQ(frame.payload, "B");
  ASSERT_TRUE(ParsePgFrame(Wire().Byte('k').Int(0x30, 8).Int(0, 8).Byte(1).bytes(), &frame).ok());
  EXPECT_EQ(frame.kind, PgFrameKind::kKeepalive);
  EXPECT_EQ(frame.wal_end, 0x30u);
  EXPECT_TRUE(frame.reply_requested);
  EXPECT_EQ(ParsePgFrame(Wire().Byte('k').Int(0x30, 4).bytes(), &frame).code(),
            StatusCode::kDataError);

  const std::string status = PgStandbyStatus(0x40, 0x38, kPgEpochUnixMicros + 5, true);
  EXPECT_EQ(status,
            Wire().Byte('r').Int(0x40, 8).Int(0x38, 8).Int(0x38, 8).Int(5, 8).Byte(1).bytes());
}

TEST(PgOutputTest, LsnText) {
  EXPECT_EQ(ParseLsn("16/B374D848"), (uint64_t{0x16} << 32) | 0xB374D848);
  EXPECT_EQ(ParseLsn("0/0"), 0u);
  EXPECT_EQ(FormatLsn((uint64_t{0x16} << 32) | 0xB374D848), "16/B374D848");
  EXPECT_EQ(FormatLsn(*ParseLsn("ABCDEF01/2")), "ABCDEF01/2");
  EXPECT_FALSE(ParseLsn("16B374D848").has_value());
  EXPECT_FALSE(ParseLsn("/1").has_value());
  EXPECT_FALSE(ParseLsn("1/").has_value());
  EXPECT_FALSE(ParseLsn("1/G").has_value());
  EXPECT_FALSE(ParseLsn("123456789/0").has_value());
}

// A change stream's text value as the column holds it (its CSV text, unquoted), or "error: ...".
std::string FromText(uint32_t oid, const std::string& text, int32_t modifier = -1,
                     char category = 'U') {
  PgTypeInfo info;
  info.oid = oid;
  info.modifier = modifier;
  info.name = "t";
  info.category = category;
  const PgColumnPlan plan = PlanPgColumn("c", "\"c\"", info, /*composites_as_text=*/true);
  auto builder = columnar::MakeBuilder(plan.type);
  std::string error;
  if (!AppendPgText(plan, text, builder.get(), &error)) return "error: " + error;
  std::string out;
  columnar::AppendValue(*builder->Finish(), 0, columnar::ValueStyle::kCsv, &out);
  return out;
}

TEST(PgOutputTest, TextValuesDecodeAsTheBinaryCopyDoes) {
  EXPECT_EQ(FromText(16, "t"), "true");
  EXPECT_EQ(FromText(16, "f"), "false");
  EXPECT_NE(FromText(16, "true").find("error"), std::string::npos);
  EXPECT_EQ(FromText(21, "-32768"), "-32768");
  EXPECT_EQ(FromText(20, "9223372036854775807"), "9223372036854775807");
  // real widened from its float value, as the binary COPY gives it
  EXPECT_EQ(FromText(700, "0.1"), FromText(701, "0.10000000149011612"));
  EXPECT_EQ(FromText(1700, "-1234567890.12", (12 << 16 | 2) + 4), "-1234567890.12");
  EXPECT_NE(FromText(1700, "NaN", (12 << 16 | 2) + 4).find("NaN does not fit decimal(12,2)"),
            std::string::npos);
  EXPECT_EQ(FromText(1700, "3.14159265358979323846264338327950288419716939937510"),
            "3.14159265358979323846264338327950288419716939937510");
  EXPECT_EQ(FromText(1082, "2024-02-29"), "2024-02-29");
  EXPECT_NE(FromText(1082, "infinity").find("infinity does not fit a date"), std::string::npos);
  EXPECT_EQ(FromText(1184, "2026-12-05 09:00:00.5+00"), "2026-12-05T09:00:00.500000Z");
  EXPECT_EQ(FromText(1114, "1900-01-01 00:00:00"), "1900-01-01T00:00:00Z");
  EXPECT_EQ(FromText(1083, "13:45:07"), "13:45:07");
  EXPECT_EQ(FromText(2950, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
            "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
  EXPECT_EQ(FromText(3802, "{\"b\": {\"c\": null}}"), "{\"b\": {\"c\": null}}");
  // bytea in hex output; the CSV text of binary is base64
  EXPECT_EQ(FromText(17, "\\x00ff10"), "AP8Q");
  EXPECT_NE(FromText(17, "\\x0").find("error"), std::string::npos);
  EXPECT_NE(FromText(17, "\\000").find("hex"), std::string::npos);
  // arrays as the server's text
  EXPECT_EQ(FromText(1007, "{1,NULL,3}", -1, 'A'), "{1,NULL,3}");
}

}  // namespace
}  // namespace sluice::connectors

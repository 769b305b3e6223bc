#include "sluice/formats/reject.h"

#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <utility>
#include <vector>

namespace sluice::formats {
namespace {

Reject MakeReject(int64_t line, std::string message = "'abc' is not a valid int64") {
  Reject reject;
  reject.file = "orders.csv";
  reject.line = line;
  reject.byte_offset = 100 * line;
  reject.column = 5;
  reject.field = "quantity";
  reject.kind = RejectKind::kCastError;
  reject.message = std::move(message);
  reject.raw = "1,abc\n";
  return reject;
}

RejectPolicy ParsePolicy(std::string_view on_error, std::string_view max_rejects) {
  Result<RejectPolicy> policy = RejectPolicy::Parse(on_error, max_rejects);
  EXPECT_TRUE(policy.ok()) << on_error << " " << max_rejects << ": " << policy.status().ToString();
  return policy.ok() ? *policy : RejectPolicy{};
}

TEST(RejectKindTest, Names) {
  EXPECT_EQ(RejectKindName(RejectKind::kUnterminatedQuote), "unterminated_quote");
  EXPECT_EQ(RejectKindName(RejectKind::kUnexpectedQuote), "unexpected_quote");
  EXPECT_EQ(RejectKindName(RejectKind::kFieldCount), "field_count");
  EXPECT_EQ(RejectKindName(RejectKind::kInvalidUtf8), "invalid_utf8");
  EXPECT_EQ(RejectKindName(RejectKind::kMalformedJson), "malformed_json");
  EXPECT_EQ(RejectKindName(RejectKind::kCastError), "cast_error");
  EXPECT_EQ(RejectKindName(RejectKind::kRecordTooLarge), "record_too_large");
}

TEST(RejectPolicyTest, ParsesOnError) {
  EXPECT_EQ(ParsePolicy("fail", "").on_error, OnError::kFail);
  EXPECT_EQ(ParsePolicy("skip", "").on_error, OnError::kSkip);
  EXPECT_EQ(ParsePolicy("quarantine", "").on_error, OnError::kQuarantine);
  EXPECT_EQ(ParsePolicy("", "").on_error, OnError::kQuarantine);  // the default
  const RejectPolicy policy = ParsePolicy("skip", "");
  EXPECT_FALSE(policy.max_count.has_value());
  EXPECT_FALSE(policy.max_fraction.has_value());
}

TEST(RejectPolicyTest, ParsesMaxRejects) {
  const RejectPolicy count = ParsePolicy("skip", "10");
  ASSERT_TRUE(count.max_count.has_value());
  EXPECT_EQ(*count.max_count, 10);
  EXPECT_FALSE(count.max_fraction.has_value());

  const RejectPolicy zero = ParsePolicy("quarantine", "0");
  ASSERT_TRUE(zero.max_count.has_value());
  EXPECT_EQ(*zero.max_count, 0);

  const RejectPolicy percent = ParsePolicy("quarantine", "1.5%");
  ASSERT_TRUE(percent.max_fraction.has_value());
  EXPECT_DOUBLE_EQ(*percent.max_fraction, 0.015);
  EXPECT_FALSE(percent.max_count.has_value());

  EXPECT_DOUBLE_EQ(*ParsePolicy("skip", "100%").max_fraction, 1.0);
  EXPECT_DOUBLE_EQ(*ParsePolicy("skip", "0%").max_fraction, 0.0);
}

TEST(RejectPolicyTest, RejectsBadValues) {
  for (const char* on_error : {"abort", "FAIL", "skip ", "ignore"}) {
    Result<RejectPolicy> policy = RejectPolicy::Parse(on_error, "");
    ASSERT_FALSE(policy.ok()) << on_error;
    EXPECT_EQ(policy.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(policy.status().message().find(on_error), std::string::npos)
        << policy.status().message();
  }
  for (const char* max_rejects :
       {"-1", "abc", "10x", " 10", "1.5", "%", "101%", "-1%", "5%%", "1e400%", "nan%", "inf%"}) {
    Result<RejectPolicy> policy = RejectPolicy::Parse("skip", max_rejects);
    ASSERT_FALSE(policy.ok()) << "'" << max_rejects << "' was accepted";
    EXPECT_EQ(policy.status().code(), StatusCode::kInvalidArgument) << max_rejects;
    EXPECT_NE(policy.status().message().find(max_rejects), std::string::npos)
        << policy.status().message();
  }
}

TEST(RejectTrackerTest, FailPolicyFailsOnTheFirstReject) {
  RejectTracker tracker(ParsePolicy("fail", ""));
  const Status status = tracker.Add(MakeReject(12));
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kDataError);
  EXPECT_EQ(status.message(),
            "orders.csv:12:5: cast_error: column 'quantity': 'abc' is not a valid int64");
  EXPECT_EQ(tracker.count(), 1);
  EXPECT_TRUE(tracker.kept().empty());
}

TEST(RejectTrackerTest, SkipCountsButKeepsNothing) {
  RejectTracker tracker(ParsePolicy("skip", ""));
  for (int line = 1; line <= 5; ++line) EXPECT_TRUE(tracker.Add(MakeReject(line)).ok());
  EXPECT_EQ(tracker.count(), 5);
  EXPECT_TRUE(tracker.kept().empty());
  EXPECT_TRUE(tracker.Finish(0).ok());
}

TEST(RejectTrackerTest, QuarantineKeepsRejectsInOrder) {
  RejectTracker tracker(ParsePolicy("quarantine", ""));
  EXPECT_TRUE(tracker.Add(MakeReject(3)).ok());
  EXPECT_TRUE(tracker.Add(MakeReject(7, "other")).ok());
  EXPECT_EQ(tracker.count(), 2);
  ASSERT_EQ(tracker.kept().size(), 2u);
  EXPECT_EQ(tracker.kept()[0].line, 3);
  EXPECT_EQ(tracker.kept()[0].raw, "1,abc\n");
  EXPECT_EQ(tracker.kept()[1].line, 7);
  EXPECT_EQ(tracker.kept()[1].message, "other");
}

TEST(RejectTrackerTest, QuarantineWithSinkHandsRejectsToTheSink) {
  std::vector<int64_t> lines;
  RejectTracker tracker(ParsePolicy("quarantine", ""), [&lines](const Reject& reject) {
    lines.push_back(reject.line);
    return Status::OK();
  });
  EXPECT_TRUE(tracker.Add(MakeReject(4)).ok());
  EXPECT_TRUE(tracker.Add(MakeReject(9)).ok());
  EXPECT_EQ(lines, (std::vector<int64_t>{4, 9}));
  EXPECT_TRUE(tracker.kept().empty());
  EXPECT_EQ(tracker.count(), 2);
}

TEST(RejectTrackerTest, SinkErrorsPropagate) {
  RejectTracker tracker(ParsePolicy("quarantine", ""), [](const Reject&) {
    return Status::IOError("quarantine.ndjson: disk full");
  });
  const Status status = tracker.Add(MakeReject(1));
  EXPECT_EQ(status.code(), StatusCode::kIOError);
  EXPECT_EQ(status.message(), "quarantine.ndjson: disk full");
}

TEST(RejectTrackerTest, ExceedingMaxCountIsDataError) {
  for (const char* on_error : {"skip", "quarantine"}) {
    RejectTracker tracker(ParsePolicy(on_error, "2"));
    EXPECT_TRUE(tracker.Add(MakeReject(1)).ok()) << on_error;
    EXPECT_TRUE(tracker.Add(MakeReject(2)).ok()) << on_error;
    const Status status = tracker.Add(MakeReject(3));
    ASSERT_FALSE(status.ok()) << on_error;
    EXPECT_EQ(status.code(), StatusCode::kDataError);
    EXPECT_NE(status.message().find("more than 2"), std::string::npos) << status.message();
    // The message names the reject that crossed the limit.
    EXPECT_NE(status.message().find("orders.csv:3:5"), std::string::npos) << status.message();
    EXPECT_EQ(tracker.count(), 3);
  }
}

TEST(RejectTrackerTest, MaxCountZeroFailsOnTheFirstReject) {
  RejectTracker tracker(ParsePolicy("skip", "0"));
  EXPECT_EQ(tracker.Add(MakeReject(1)).code(), StatusCode::kDataError);
}

TEST(RejectTrackerTest, FinishChecksTheFraction) {
  // 1 reject out of 100 records (99 good rows) is 1%.
  {
    RejectTracker tracker(ParsePolicy("skip", "1%"));
    ASSERT_TRUE(tracker.Add(MakeReject(1)).ok());
    EXPECT_TRUE(tracker.Finish(99).ok());
  }
  {
    RejectTracker tracker(ParsePolicy("skip", "0.5%"));
    ASSERT_TRUE(tracker.Add(MakeReject(1)).ok());
    const Status status = tracker.Finish(99);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.code(), StatusCode::kDataError);
    EXPECT_NE(status.message().find("1 of 100 records"), std::string::npos) << status.message();
  }
  {
    // 2 of 3 records rejected is above 50%.
    RejectTracker tracker(ParsePolicy("quarantine", "50%"));
    ASSERT_TRUE(tracker.Add(MakeReject(1)).ok());
    ASSERT_TRUE(tracker.Add(MakeReject(2)).ok());
    EXPECT_EQ(tracker.Finish(1).code(), StatusCode::kDataError);
    // Rows accumulate across the inputs of one tracker: a second input with 1 more good row makes
    // it 2 of 4, exactly 50%: not above.
    EXPECT_TRUE(tracker.Finish(1).ok());
  }
  {
    // No rejects never fails, even with a 0% limit and no rows.
    RejectTracker tracker(ParsePolicy("skip", "0%"));
    EXPECT_TRUE(tracker.Finish(0).ok());
    ASSERT_TRUE(tracker.Add(MakeReject(1)).ok());
    EXPECT_EQ(tracker.Finish(1000000).code(), StatusCode::kDataError);
  }
}

TEST(RejectTest, ToStringFormat) {
  EXPECT_EQ(MakeReject(12).ToString(),
            "orders.csv:12:5: cast_error: column 'quantity': 'abc' is not a valid int64");
  Reject reject;
  reject.file = "events.ndjson";
  reject.line = 3;
  reject.column = 0;  // unknown: not printed
  reject.kind = RejectKind::kMalformedJson;
  reject.message = "missing closing brace";
  EXPECT_EQ(reject.ToString(), "events.ndjson:3: malformed_json: missing closing brace");
}

// Parses `json` with simdjson and returns the document's root object (fails the test otherwise).
class RejectJsonTest : public ::testing::Test {
 protected:
  simdjson::dom::object Parse(const std::string& json) {
    simdjson::dom::element element;
    const auto error = parser_.parse(json).get(element);
    EXPECT_EQ(error, simdjson::SUCCESS) << simdjson::error_message(error) << " in " << json;
    simdjson::dom::object object;
    if (error == simdjson::SUCCESS) {
      EXPECT_EQ(element.get(object), simdjson::SUCCESS) << json;
    }
    return object;
  }

  static std::string Text(simdjson::dom::object object, const char* key) {
    std::string_view value;
    EXPECT_EQ(object[key].get(value), simdjson::SUCCESS) << key;
    return std::string(value);
  }

  static int64_t Number(simdjson::dom::object object, const char* key) {
    int64_t value = -1;
    EXPECT_EQ(object[key].get(value), simdjson::SUCCESS) << key;
    return value;
  }

  simdjson::dom::parser parser_;
};

TEST_F(RejectJsonTest, ToJsonHasEveryField) {
  Reject reject = MakeReject(12);
  reject.raw = "1,\"a\tb\"\\x\n";
  const std::string json = reject.ToJson();
  EXPECT_EQ(json.find('\n'), std::string::npos) << "one line: " << json;
  const simdjson::dom::object object = Parse(json);
  EXPECT_EQ(Text(object, "file"), "orders.csv");
  EXPECT_EQ(Number(object, "line"), 12);
  EXPECT_EQ(Number(object, "byte_offset"), 1200);
  EXPECT_EQ(Number(object, "column"), 5);
  EXPECT_EQ(Text(object, "field"), "quantity");
  EXPECT_EQ(Text(object, "kind"), "cast_error");
  EXPECT_EQ(Text(object, "message"), "'abc' is not a valid int64");
  EXPECT_EQ(Text(object, "raw"), "1,\"a\tb\"\\x\n");
  EXPECT_EQ(object.size(), 8u);
}

TEST_F(RejectJsonTest, EmptyFieldIsNull) {
  Reject reject = MakeReject(2);
  reject.field.clear();
  reject.kind = RejectKind::kFieldCount;
  const simdjson::dom::object object = Parse(reject.ToJson());
  simdjson::dom::element field;
  ASSERT_EQ(object["field"].get(field), simdjson::SUCCESS);
  EXPECT_TRUE(field.is_null());
  EXPECT_EQ(Text(object, "kind"), "field_count");
}

TEST_F(RejectJsonTest, ControlCharactersAreEscaped) {
  Reject reject = MakeReject(1);
  reject.raw = std::string("a\x01\x1f\rb\0c", 7);
  const std::string json = reject.ToJson();
  const simdjson::dom::object object = Parse(json);
  EXPECT_EQ(Text(object, "raw"), std::string("a\x01\x1f\rb\0c", 7));
}

TEST_F(RejectJsonTest, ValidUtf8IsKept) {
  Reject reject = MakeReject(1);
  reject.raw = "Zoë,München,日本,😀";
  reject.field = "naïve";
  const simdjson::dom::object object = Parse(reject.ToJson());
  EXPECT_EQ(Text(object, "raw"), "Zoë,München,日本,😀");
  EXPECT_EQ(Text(object, "field"), "naïve");
}

TEST_F(RejectJsonTest, InvalidUtf8IsReplaced) {
  const std::string replacement = "\xEF\xBF\xBD";  // U+FFFD
  Reject reject = MakeReject(1);
  reject.file = "lat\xE9n.csv";          // Latin-1 é
  reject.raw = "caf\xE9,\xFF\xFE,\xC3";  // Latin-1, stray bytes, a cut 2-byte sequence
  reject.message = "bad \x80 byte";      // lone continuation byte
  const simdjson::dom::object object = Parse(reject.ToJson());
  EXPECT_EQ(Text(object, "file"), "lat" + replacement + "n.csv");
  EXPECT_EQ(Text(object, "raw"),
            "caf" + replacement + "," + replacement + replacement + "," + replacement);
  EXPECT_EQ(Text(object, "message"), "bad " + replacement + " byte");
}

TEST_F(RejectJsonTest, OverlongSurrogateAndOutOfRangeSequencesAreReplaced) {
  // Each of these has the right shape (lead byte + continuation bytes) but is not UTF-8:
  // overlong encodings, a UTF-16 surrogate, and a code point above U+10FFFF.
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"overlong 2-byte", "\xC0\xAF"},        {"overlong 3-byte", "\xE0\x80\xAF"},
      {"UTF-16 surrogate", "\xED\xA0\x80"},   {"overlong 4-byte", "\xF0\x80\x80\xAF"},
      {"above U+10FFFF", "\xF4\x90\x80\x80"},
  };
  for (const auto& [name, bytes] : cases) {
    Reject reject = MakeReject(1);
    reject.raw = "x" + bytes + "y";
    const std::string json = reject.ToJson();
    simdjson::dom::element element;
    const auto error = parser_.parse(json).get(element);
    if (error != simdjson::SUCCESS) {
      ADD_FAILURE() << name << ": ToJson output is not valid JSON ("
                    << simdjson::error_message(error) << ")";
      continue;
    }
    std::string_view raw;
    ASSERT_EQ(element["raw"].get(raw), simdjson::SUCCESS);
    EXPECT_EQ(raw.front(), 'x');
    EXPECT_EQ(raw.back(), 'y');
    EXPECT_NE(raw.find("\xEF\xBF\xBD"), std::string_view::npos);
  }
}

}  // namespace
}  // namespace sluice::formats

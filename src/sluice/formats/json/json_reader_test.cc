#include "sluice/formats/json/json_reader.h"

#include <gtest/gtest.h>

#include <zlib.h>
#include <random>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "sluice/columnar/value_formatter.h"
#include "sluice/io/input_stream.h"

namespace sluice::formats {
namespace {

using columnar::DataType;

// Everything one read produced: batches, rejects, and the cells rendered as JSON tokens.
struct ReadResult {
  Status status;
  columnar::SchemaPtr schema;  // the reader's schema at the end (widest)
  std::vector<columnar::BatchPtr> batches;
  std::vector<Reject> rejects;
  int64_t rows = 0;
  int64_t records_read = 0;

  // Column index in the final schema; fails the test when absent.
  size_t Index(const std::string& name) const {
    auto index = schema->FieldIndex(name);
    EXPECT_TRUE(index.has_value()) << "no column " << name << " in " << schema->ToString();
    return index.value_or(0);
  }
  DataType Type(const std::string& name) const { return schema->field(Index(name)).type; }

  // The value at `row` of column `name` as a JSON token ("null" when null or absent from the
  // row's batch).
  std::string Cell(int64_t row, const std::string& name) const {
    for (const auto& batch : batches) {
      if (row < batch->num_rows()) {
        auto index = batch->schema()->FieldIndex(name);
        if (!index) return "null";
        std::string out;
        columnar::AppendValue(batch->column(*index), row, columnar::ValueStyle::kJson, &out);
        return out;
      }
      row -= batch->num_rows();
    }
    ADD_FAILURE() << "row out of range";
    return "";
  }

  std::vector<std::string> Column(const std::string& name) const {
    std::vector<std::string> values;
    for (int64_t row = 0; row < rows; ++row) values.push_back(Cell(row, name));
    return values;
  }
};

ReadResult Read(std::string text, JSONReadOptions options = {}, RejectPolicy policy = {},
                size_t max_read = SIZE_MAX) {
  ReadResult result;
  RejectTracker tracker(policy);
  auto reader = JSONReader::Open(io::MakeMemoryInputStream(std::move(text), "test.json", max_read),
                                 std::move(options), &tracker);
  if (!reader.ok()) {
    result.status = reader.status();
    return result;
  }
  while (true) {
    auto batch = (*reader)->Next();
    if (!batch.ok()) {
      result.status = batch.status();
      break;
    }
    if (*batch == nullptr) break;
    EXPECT_GT((*batch)->num_rows(), 0);
    for (const auto& column : (*batch)->columns()) {
      EXPECT_EQ(column->length(), (*batch)->num_rows());
    }
    EXPECT_EQ((*batch)->num_columns(), (*batch)->schema()->num_fields());
    result.rows += (*batch)->num_rows();
    result.batches.push_back(*batch);
  }
  result.schema = (*reader)->schema();
  result.rejects = tracker.kept();
  result.records_read = (*reader)->records_read();
  if (result.status.ok()) {
    // Nothing lost: every record is a row or a reject.
    EXPECT_EQ(result.records_read, result.rows + tracker.count());
  }
  return result;
}

JSONReadOptions WithSample(int64_t sample_records) {
  JSONReadOptions options;
  options.common.sample_records = sample_records;
  return options;
}

// Every row as one line of JSON tokens in the final schema's column order (absent → null).
std::vector<std::string> AllRows(const ReadResult& result) {
  std::vector<std::string> rows;
  for (int64_t row = 0; row < result.rows; ++row) {
    std::string line;
    for (const auto& field : result.schema->fields()) line += result.Cell(row, field.name) + "|";
    rows.push_back(std::move(line));
  }
  return rows;
}

// NDJSON of `records` lines; `anomaly` picks what else the input holds.
std::string MakeNDJSON(int records, int anomaly, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::string text;
  for (int i = 0; i < records; ++i) {
    if (anomaly == 1 && random() % 4000 == 0) {
      text += "{\"id\": \"not a number\", \"v\": 1}\n";  // a cast error
      continue;
    }
    if (anomaly == 2 && i == records / 2) text += "{\"id\": 5, broken\n";  // malformed line
    if (anomaly == 3 && i == records * 3 / 4) {
      text += "{\"id\": " + std::to_string(i) + ", \"late\": true}\n";  // a new key
      continue;
    }
    if (anomaly == 4 && i == records * 2 / 3) {
      text += "{\n  \"id\": " + std::to_string(i) + ",\n  \"v\": 2.5\n}\n";  // spans lines
      continue;
    }
    text += "{\"id\": " + std::to_string(i) + ", \"v\": " + std::to_string(random() % 1000) +
            ".5, \"ts\": \"2024-03-0" + std::to_string(1 + random() % 9) +
            "T10:00:00Z\", \"tags\": [" + std::to_string(random() % 3) +
            "], \"user\": {\"name\": \"u" + std::to_string(random() % 100) + "\"}}\n";
  }
  return text;
}

TEST(JSONReaderTest, NumbersIntoDecimalColumnsAreExactAndNeverRounded) {
  JSONReadOptions options;
  options.common.column_types = {{"p", DataType::Decimal(10, 2)}};
  std::string text;
  std::vector<std::string> expected;
  // Prices written with 0, 1 or 2 decimals must read back exactly, at scale 2.
  std::mt19937_64 random(11);
  for (int i = 0; i < 2000; ++i) {
    const int64_t cents = static_cast<int64_t>(random() % 20000000) - 10000000;
    char number[32];
    std::snprintf(number, sizeof(number), "%s%lld.%02lld", cents < 0 ? "-" : "",
                  static_cast<long long>(std::llabs(cents) / 100),
                  static_cast<long long>(std::llabs(cents) % 100));
    text += std::string("{\"p\": ") + number + "}\n";
    expected.push_back(number);
  }
  text += "{\"p\": 1e2}\n{\"p\": 0.1}\n{\"p\": 12.5}\n";
  expected.insert(expected.end(), {"100.00", "0.10", "12.50"});
  // Not representable at scale 2 (more digits), or too many digits for precision 10.
  text += "{\"p\": 0.001}\n{\"p\": 0.30000000000000004}\n{\"p\": 123456789.5}\n{\"p\": 2.675}\n";
  const ReadResult result = Read(text, options);
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.Column("p"), expected);
  ASSERT_EQ(result.rejects.size(), 4u);
  for (const Reject& reject : result.rejects) EXPECT_EQ(reject.kind, RejectKind::kCastError);
}

TEST(JSONReaderTest, OverLongValuesAreRejectedTheSameWhateverTheReadSize) {
  JSONReadOptions options;
  options.common.threads = 1;
  options.common.max_record_bytes = 64;
  const std::string long_text(100, 'x');
  const std::vector<std::string> inputs = {
      // Array elements: a line break inside a string past the limit; a line break before it;
      // a long element without line breaks; trailing blanks past the limit.
      "[{\"a\": 1},\n {\"a\": \"" + long_text + "\nstill\"},\n {\"a\": 3}]\n",
      "[{\"a\": 1},\n {\"a\":\n \"" + long_text + "\"},\n {\"a\": 3}]\n",
      "[{\"a\": 1}, {\"a\": \"" + long_text + "\"}, {\"a\": 3}]\n",
      "[{\"a\": 1}, {\"a\": 2}" + std::string(100, ' ') + ", {\"a\": 3}]\n",
      // Values spanning lines in a sequence.
      "{\"a\": 1}\n{\"a\":\n\"" + long_text + "\nmore\"}\n{\"a\": 3}\n",
      "{\"a\": 1}\n{\"a\":\n[" + std::string(100, '1') + "]}\n{\"a\": 3}\n",
  };
  for (const std::string& text : inputs) {
    SCOPED_TRACE(text);
    const ReadResult reference = Read(text, options);
    ASSERT_TRUE(reference.status.ok());
    bool too_large = false;
    for (const Reject& reject : reference.rejects) {
      too_large = too_large || reject.kind == RejectKind::kRecordTooLarge;
    }
    EXPECT_TRUE(too_large);
    for (size_t max_read : {1, 5, 17, 64, 65, 100}) {
      SCOPED_TRACE("max_read " + std::to_string(max_read));
      const ReadResult result = Read(text, options, {}, max_read);
      ASSERT_TRUE(result.status.ok());
      EXPECT_EQ(AllRows(result), AllRows(reference));
      ASSERT_EQ(result.rejects.size(), reference.rejects.size());
      for (size_t i = 0; i < result.rejects.size(); ++i) {
        EXPECT_EQ(result.rejects[i].kind, reference.rejects[i].kind);
        EXPECT_EQ(result.rejects[i].line, reference.rejects[i].line);
        EXPECT_EQ(result.rejects[i].byte_offset, reference.rejects[i].byte_offset);
      }
    }
  }
}

TEST(JSONReaderTest, TwoThreadsGiveExactlyWhatOneThreadGives) {
  for (int anomaly = 0; anomaly <= 4; ++anomaly) {
    SCOPED_TRACE("anomaly " + std::to_string(anomaly));
    const std::string text = MakeNDJSON(60000, anomaly, 7 + anomaly);  // ~6 MB
    JSONReadOptions one;
    one.common.threads = 1;
    one.common.sample_records = 1000;
    JSONReadOptions two = one;
    two.common.threads = 2;
    two.common.block_bytes = 256 << 10;  // many blocks, each split in two
    const ReadResult a = Read(text, one);
    const ReadResult b = Read(text, two);
    const ReadResult c = Read(text, two, {}, 100003);
    ASSERT_TRUE(a.status.ok() && b.status.ok() && c.status.ok());
    EXPECT_EQ(a.schema->ToString(), b.schema->ToString());
    EXPECT_EQ(a.schema->ToString(), c.schema->ToString());
    EXPECT_EQ(a.rows, b.rows);
    EXPECT_EQ(a.records_read, b.records_read);
    EXPECT_EQ(AllRows(a), AllRows(b));
    EXPECT_EQ(AllRows(a), AllRows(c));
    ASSERT_EQ(a.rejects.size(), b.rejects.size());
    ASSERT_EQ(a.rejects.size(), c.rejects.size());
    for (size_t i = 0; i < a.rejects.size(); ++i) {
      EXPECT_EQ(a.rejects[i].line, b.rejects[i].line);
      EXPECT_EQ(a.rejects[i].byte_offset, b.rejects[i].byte_offset);
      EXPECT_EQ(a.rejects[i].kind, b.rejects[i].kind);
      EXPECT_EQ(a.rejects[i].raw, b.rejects[i].raw);
      EXPECT_EQ(a.rejects[i].line, c.rejects[i].line);
    }
    if (anomaly == 1 || anomaly == 2) {
      EXPECT_GT(a.rejects.size(), 0u);
    }
    if (anomaly == 3) {
      EXPECT_NE(a.schema->ToString().find("late"), std::string::npos);
    }
  }
}

TEST(JSONReaderTest, FlattensNestedObjectsInOrderOfFirstAppearance) {
  auto result = Read(R"({"id":1,"user":{"name":"ann","address":{"city":"Oslo"}},"ok":true}
{"id":2,"user":{"name":"bob","age":31},"extra":null}
)");
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  ASSERT_EQ(result.rows, 2);
  EXPECT_EQ(result.schema->ToString(),
            "id: int64, user__name: string, user__address__city: string, ok: bool, "
            "user__age: int64, extra: string");
  EXPECT_EQ(result.Column("user__name"), (std::vector<std::string>{"\"ann\"", "\"bob\""}));
  EXPECT_EQ(result.Column("user__address__city"), (std::vector<std::string>{"\"Oslo\"", "null"}));
  EXPECT_EQ(result.Column("user__age"), (std::vector<std::string>{"null", "31"}));
  EXPECT_EQ(result.Column("ok"), (std::vector<std::string>{"true", "null"}));
  EXPECT_TRUE(result.rejects.empty());
}

TEST(JSONReaderTest, ArraysAreKeptAsCompactJsonText) {
  auto result = Read(R"({"tags": ["a", "b"], "mixed": [1, {"x": 2.5}, null, "q\"z"]}
{"tags": [], "mixed": null}
)");
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.Type("tags"), DataType::Json());
  EXPECT_EQ(result.Column("tags"), (std::vector<std::string>{R"(["a","b"])", "[]"}));
  EXPECT_EQ(result.Cell(0, "mixed"), R"([1,{"x":2.5},null,"q\"z"])");
  EXPECT_EQ(result.Cell(1, "mixed"), "null");
}

TEST(JSONReaderTest, WidensIntToFloatAndMixedKindsToString) {
  auto result = Read(R"({"f": 1, "s": 1, "b": true, "n": null, "a": [1]}
{"f": 2.5, "s": "x", "b": 3, "n": null, "a": "text"}
{"f": -3, "s": false, "b": null, "n": null, "a": 1.0}
)");
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.Type("f"), DataType::Float64());
  EXPECT_EQ(result.Column("f"), (std::vector<std::string>{"1", "2.5", "-3"}));
  EXPECT_EQ(result.Type("s"), DataType::String());
  EXPECT_EQ(result.Column("s"), (std::vector<std::string>{"\"1\"", "\"x\"", "\"false\""}));
  EXPECT_EQ(result.Type("b"), DataType::String());
  EXPECT_EQ(result.Column("b"), (std::vector<std::string>{"\"true\"", "\"3\"", "null"}));
  EXPECT_EQ(result.Type("n"), DataType::String());  // only ever null
  EXPECT_EQ(result.Type("a"), DataType::String());  // arrays mixed with scalars
  EXPECT_EQ(result.Column("a"), (std::vector<std::string>{"\"[1]\"", "\"text\"", "\"1.0\""}));
}

TEST(JSONReaderTest, InfersDatesAndTimestampsFromStrings) {
  auto result = Read(R"({"d": "2024-03-01", "ts": "2024-03-01T13:45:07Z", "code": "007", "n": "42"}
{"d": "", "ts": "2024-03-02 00:00:01", "code": "12", "n": "43"}
)");
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.Type("d"), DataType::Date());
  EXPECT_EQ(result.Type("ts"), DataType::Timestamp());
  // Numbers written as JSON strings stay strings.
  EXPECT_EQ(result.Type("code"), DataType::String());
  EXPECT_EQ(result.Type("n"), DataType::String());
  EXPECT_EQ(result.Column("d"), (std::vector<std::string>{"\"2024-03-01\"", "null"}));
  EXPECT_EQ(result.Column("ts"),
            (std::vector<std::string>{"\"2024-03-01T13:45:07Z\"", "\"2024-03-02T00:00:01Z\""}));
  EXPECT_EQ(result.Column("n"), (std::vector<std::string>{"\"42\"", "\"43\""}));
}

TEST(JSONReaderTest, EmptyStringIsAValueInStringColumns) {
  auto result = Read("{\"s\": \"\"}\n{\"s\": \"x\"}\n{\"s\": null}\n");
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.Column("s"), (std::vector<std::string>{"\"\"", "\"x\"", "null"}));
}

TEST(JSONReaderTest, CustomNullTokensApplyToTypedColumnsOnly) {
  JSONReadOptions options;
  options.common.null_values = {"NA"};
  auto result = Read(R"({"n": 1, "s": "NA"}
{"n": "NA", "s": "x"}
)",
                     options);
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.Type("n"), DataType::Int64());
  EXPECT_EQ(result.Column("n"), (std::vector<std::string>{"1", "null"}));
  EXPECT_EQ(result.Column("s"), (std::vector<std::string>{"\"NA\"", "\"x\""}));
}

TEST(JSONReaderTest, NewKeyAfterTheSampleAddsANullableStringColumn) {
  auto result = Read(R"({"a": 1}
{"a": 2}
{"a": 3, "b": 7}
{"a": 4, "b": [1, 2]}
)",
                     WithSample(2));
  ASSERT_TRUE(result.status.ok());
  ASSERT_EQ(result.rows, 4);
  EXPECT_EQ(result.schema->ToString(), "a: int64, b: string");
  EXPECT_EQ(result.Column("a"), (std::vector<std::string>{"1", "2", "3", "4"}));
  EXPECT_EQ(result.Column("b"), (std::vector<std::string>{"null", "null", "\"7\"", "\"[1,2]\""}));
  // Each batch carries its own (widened) schema.
  for (const auto& batch : result.batches) {
    EXPECT_EQ(batch->schema()->num_fields(), 2u);
  }
}

TEST(JSONReaderTest, ValuesThatDoNotFitTheirColumnAfterTheSampleAreCastErrors) {
  auto result = Read(R"({"n": 1, "b": true}
{"n": 2, "b": false}
{"n": "abc", "b": true}
{"n": 1.5, "b": true}
{"n": 18446744073709551615, "b": true}
{"n": 5, "b": "yes"}
{"n": 6, "b": [true]}
{"n": 7, "b": null}
)",
                     WithSample(2));
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.Column("n"), (std::vector<std::string>{"1", "2", "7"}));
  EXPECT_EQ(result.Column("b"), (std::vector<std::string>{"true", "false", "null"}));
  ASSERT_EQ(result.rejects.size(), 5u);
  const std::vector<std::pair<int64_t, std::string>> expected = {
      {3, "n"}, {4, "n"}, {5, "n"}, {6, "b"}, {7, "b"}};
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(result.rejects[i].kind, RejectKind::kCastError);
    EXPECT_EQ(result.rejects[i].line, expected[i].first);
    EXPECT_EQ(result.rejects[i].field, expected[i].second);
    EXPECT_EQ(result.rejects[i].file, "test.json");
  }
  EXPECT_EQ(result.rejects[0].message, "'abc' is not a valid int64");
  EXPECT_EQ(result.rejects[0].raw, R"({"n": "abc", "b": true})");
  EXPECT_EQ(result.rejects[2].message, "'18446744073709551615' is out of range for int64");
}

TEST(JSONReaderTest, IntegersWidenIntoFloatColumnsAfterTheSample) {
  auto result = Read("{\"x\": 1.5}\n{\"x\": 2}\n{\"x\": 9223372036854775808}\n", WithSample(1));
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.Type("x"), DataType::Float64());
  EXPECT_EQ(result.Column("x"), (std::vector<std::string>{"1.5", "2", "9223372036854775808"}));
}

TEST(JSONReaderTest, MalformedLineIsRejectedAndTheFollowingLinesKept) {
  auto result = Read(R"({"a": 1}
{"a": 2,
{"a": tru}
{"a": 3}
not json
{"a": 4}
)");
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.Column("a"), (std::vector<std::string>{"1", "3", "4"}));
  ASSERT_EQ(result.rejects.size(), 3u);
  EXPECT_EQ(result.rejects[0].line, 2);
  EXPECT_EQ(result.rejects[0].kind, RejectKind::kMalformedJson);
  EXPECT_EQ(result.rejects[0].raw, "{\"a\": 2,");
  EXPECT_EQ(result.rejects[0].byte_offset, 9);
  EXPECT_EQ(result.rejects[1].line, 3);
  EXPECT_EQ(result.rejects[1].raw, "{\"a\": tru}");
  EXPECT_EQ(result.rejects[2].line, 5);
  EXPECT_EQ(result.rejects[2].raw, "not json");
}

TEST(JSONReaderTest, TrailingContentAfterAValueRejectsTheLine) {
  auto result = Read("{\"a\": 1}\n{\"a\": 2} x\n{\"a\": 3}{\"a\": 4}\n[5] \n\"s\" 1\n{\"a\": 6}\n");
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.Column("a"), (std::vector<std::string>{"1", "null", "6"}));
  EXPECT_EQ(result.Column("value"), (std::vector<std::string>{"null", "[5]", "null"}));
  ASSERT_EQ(result.rejects.size(), 3u);
  EXPECT_EQ(result.rejects[0].line, 2);
  EXPECT_EQ(result.rejects[0].column, 10);
  EXPECT_EQ(result.rejects[0].message, "trailing content after the JSON value");
  EXPECT_EQ(result.rejects[0].raw, "{\"a\": 2} x");
  EXPECT_EQ(result.rejects[1].line, 3);
  EXPECT_EQ(result.rejects[1].column, 9);
  EXPECT_EQ(result.rejects[2].line, 5);
}

TEST(JSONReaderTest, TopLevelArrayElementsAreRecords) {
  auto result = Read(R"([
  {"id": 1, "tags": ["x"]},
  {"id": 2,
   "tags": []}
  ,{"id": 3}
]
)");
  ASSERT_TRUE(result.status.ok());
  EXPECT_TRUE(result.rejects.empty());
  EXPECT_EQ(result.Column("id"), (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(result.Column("tags"), (std::vector<std::string>{"[\"x\"]", "[]", "null"}));
}

TEST(JSONReaderTest, TopLevelArrayOfScalarsUsesTheValueColumn) {
  auto result = Read("[1, 2, 3.5]");
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.Type("value"), DataType::Float64());
  EXPECT_EQ(result.Column("value"), (std::vector<std::string>{"1", "2", "3.5"}));
}

TEST(JSONReaderTest, BrokenTopLevelArraysAreRejectedElementByElement) {
  struct Case {
    std::string text;
    std::vector<std::string> values;
    size_t rejects;
  };
  const std::vector<Case> cases = {
      {"[1,,2]", {"1", "2"}, 1},
      {"[1,]", {"1"}, 1},
      {"[,1]", {"1"}, 1},
      {"[1 2, 3]", {"3"}, 1},
      {"[1, tru, 3]", {"1", "3"}, 1},
      {"[1, 2", {"1"}, 1},
      {"[1, 2,", {"1", "2"}, 1},
      {"[", {}, 1},
      {"[1] x", {"1"}, 1},
      {"[{\"a\":1}, {\"a\"}]", {}, 1},
      {"[1]\n[2, 3]\n", {"1", "2", "3"}, 0},
      {"[[1, 2], [3]]", {"[1,2]", "[3]"}, 0},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    auto result = Read(c.text);
    ASSERT_TRUE(result.status.ok());
    EXPECT_EQ(result.rejects.size(), c.rejects);
    if (!c.values.empty()) {
      EXPECT_EQ(result.Column("value"), c.values);
    }
    for (const Reject& reject : result.rejects) {
      EXPECT_EQ(reject.kind, RejectKind::kMalformedJson);
    }
  }
}

TEST(JSONReaderTest, LineBreakInsideAStringInAnArrayElement) {
  auto result = Read("[\n  {\"a\": \"broken\n  },\n  {\"a\": 2}\n]\n");
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.Column("a"), (std::vector<std::string>{"2"}));
  // The broken element up to the line break, then the stray '}' on the next line.
  ASSERT_EQ(result.rejects.size(), 2u);
  EXPECT_EQ(result.rejects[0].line, 2);
  EXPECT_EQ(result.rejects[0].raw, "{\"a\": \"broken");
  EXPECT_EQ(result.rejects[1].line, 3);
}

TEST(JSONReaderTest, PrettyPrintedValuesOneAfterAnother) {
  auto result = Read(R"({
  "a": 1,
  "b": {
    "c": "x"
  }
}
{
  "a": 2,
  "b": {"c": "y"}
}

   {"a": 3}
)");
  ASSERT_TRUE(result.status.ok());
  EXPECT_TRUE(result.rejects.empty());
  EXPECT_EQ(result.Column("a"), (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(result.Column("b__c"), (std::vector<std::string>{"\"x\"", "\"y\"", "null"}));
}

TEST(JSONReaderTest, BrokenMultiLineValueIsOneRejectAndGoodLinesAfterItAreKept) {
  auto result = Read(R"({"a": 1}
{
  "a": 2,
  "b": tru
}
{"a": 3}
{"a": [1, 2}
{"a": 4}
{"a": 5}
)");
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.Column("a"), (std::vector<std::string>{"1", "3", "4", "5"}));
  ASSERT_EQ(result.rejects.size(), 2u);
  EXPECT_EQ(result.rejects[0].line, 2);
  EXPECT_EQ(result.rejects[0].raw, "{\n\"a\": 2,\n\"b\": tru\n}");
  EXPECT_EQ(result.rejects[1].line, 7);
  EXPECT_EQ(result.rejects[1].raw, "{\"a\": [1, 2}");
}

TEST(JSONReaderTest, SecondUnterminatedValueSwitchesToLineByLineRecovery) {
  // Each '{' line never closes: rescanning from every following line would be quadratic, so after
  // the second one lines are read one by one (and good NDJSON lines are still kept).
  auto result = Read("{\"a\": 1}\n{\n{\n{\n{\"a\": 2}\n{\n");
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.Column("a"), (std::vector<std::string>{"1", "2"}));
  ASSERT_EQ(result.rejects.size(), 4u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(result.rejects[i].line, static_cast<int64_t>(i) + 2);
  EXPECT_EQ(result.rejects[3].line, 6);
}

TEST(JSONReaderTest, UnterminatedArrayElementsAreRecoveredLineByLine) {
  auto result = Read("[\n{\"a\": 1},\n{\n{\n{\"a\": 2},\n{\"a\": 3}\n]\n");
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.Column("a"), (std::vector<std::string>{"1", "2", "3"}));
  ASSERT_EQ(result.rejects.size(), 2u);
  EXPECT_EQ(result.rejects[0].line, 3);
  EXPECT_EQ(result.rejects[1].line, 4);
}

TEST(JSONReaderTest, TooDeeplyNestedValueIsOneReject) {
  std::string deep;
  for (int i = 0; i < 3000; ++i) deep += "[\n";
  for (int i = 0; i < 3000; ++i) deep += "]\n";
  auto result = Read("{\"a\": 1}\n" + deep + "{\"a\": 2}\n");
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.Column("a"), (std::vector<std::string>{"1", "2"}));
  ASSERT_EQ(result.rejects.size(), 1u);
  EXPECT_EQ(result.rejects[0].line, 2);
  EXPECT_EQ(result.rejects[0].kind, RejectKind::kMalformedJson);
}

TEST(JSONReaderTest, LineBreakInsideAStringEndsTheBadValue) {
  auto result = Read("{\"a\": \"abc\n{\"a\": \"ok\"}\n");
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.Column("a"), (std::vector<std::string>{"\"ok\""}));
  ASSERT_EQ(result.rejects.size(), 1u);
  EXPECT_EQ(result.rejects[0].line, 1);
  EXPECT_EQ(result.rejects[0].raw, "{\"a\": \"abc");
}

TEST(JSONReaderTest, UnterminatedValueAtTheEndIsRejected) {
  auto result = Read("{\"a\": 1}\n{\"a\": 2, \"b\": [1,");
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.rows, 1);
  ASSERT_EQ(result.rejects.size(), 1u);
  EXPECT_EQ(result.rejects[0].line, 2);
  EXPECT_EQ(result.rejects[0].kind, RejectKind::kMalformedJson);
}

TEST(JSONReaderTest, InvalidUtf8IsRejected) {
  auto result = Read("{\"a\": \"ok\"}\n{\"a\": \"\xff\xfe\"}\n{\"a\": \"fine\"}\n");
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.Column("a"), (std::vector<std::string>{"\"ok\"", "\"fine\""}));
  ASSERT_EQ(result.rejects.size(), 1u);
  EXPECT_EQ(result.rejects[0].kind, RejectKind::kInvalidUtf8);
  EXPECT_EQ(result.rejects[0].line, 2);
}

TEST(JSONReaderTest, RecordLongerThanTheLimitIsRejected) {
  JSONReadOptions options;
  options.common.max_record_bytes = 32;
  const std::string long_line = "{\"a\": \"" + std::string(100, 'x') + "\"}";
  auto result = Read("{\"a\": \"short\"}\n" + long_line + "\n{\"a\": \"after\"}\n", options, {}, 7);
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.Column("a"), (std::vector<std::string>{"\"short\"", "\"after\""}));
  ASSERT_EQ(result.rejects.size(), 1u);
  EXPECT_EQ(result.rejects[0].kind, RejectKind::kRecordTooLarge);
  EXPECT_EQ(result.rejects[0].line, 2);
}

TEST(JSONReaderTest, ArrayElementLongerThanTheLimitIsRejected) {
  JSONReadOptions options;
  options.common.max_record_bytes = 32;
  auto result =
      Read("[{\"a\": 1}, {\"a\": \"" + std::string(200, 'x') + "\"}, {\"a\": 3}]", options, {}, 5);
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.Column("a"), (std::vector<std::string>{"1", "3"}));
  ASSERT_EQ(result.rejects.size(), 1u);
  EXPECT_EQ(result.rejects[0].kind, RejectKind::kRecordTooLarge);
}

TEST(JSONReaderTest, RecordThatWouldAddTooManyColumnsIsRejected) {
  std::string wide = "{\"id\": 2, \"map\": {";
  for (int i = 0; i < 12000; ++i) {
    wide += (i > 0 ? ", \"k" : "\"k") + std::to_string(i) + "\": " + std::to_string(i);
  }
  wide += "}}";
  for (int64_t sample : {0, 10}) {
    SCOPED_TRACE(sample);
    auto result = Read("{\"id\": 1}\n" + wide + "\n{\"id\": 3}\n", WithSample(sample));
    ASSERT_TRUE(result.status.ok());
    // Without a sample every column is a string column (first seen after the sample).
    const std::vector<std::string> ids = sample == 0 ? std::vector<std::string>{"\"1\"", "\"3\""}
                                                     : std::vector<std::string>{"1", "3"};
    EXPECT_EQ(result.Column("id"), ids);
    ASSERT_EQ(result.rejects.size(), 1u);
    EXPECT_EQ(result.rejects[0].kind, RejectKind::kRecordTooLarge);
    EXPECT_EQ(result.rejects[0].line, 2);
    EXPECT_LE(result.schema->num_fields(), 10000u);
  }
}

TEST(JSONReaderTest, TopLevelScalarsBecomeTheValueColumn) {
  auto result = Read("\"a\"\n\"b\"\n{\"value\": \"c\", \"x\": 1}\n");
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.Column("value"), (std::vector<std::string>{"\"a\"", "\"b\"", "\"c\""}));
  EXPECT_EQ(result.Column("x"), (std::vector<std::string>{"null", "null", "1"}));
}

TEST(JSONReaderTest, DuplicateKeysKeepTheLastValue) {
  auto result = Read(R"({"id": 1, "id": 42, "o": {"k": 1}, "o": {"k": 2}})");
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.schema->num_fields(), 2u);
  EXPECT_EQ(result.Cell(0, "id"), "42");
  EXPECT_EQ(result.Cell(0, "o__k"), "2");
}

TEST(JSONReaderTest, ByteOrderMarkAndCrlf) {
  auto result = Read("\xEF\xBB\xBF{\"a\": 1}\r\n{\"a\": 2}\r\n\r\n{\"a\": x}\r\n");
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.Column("a"), (std::vector<std::string>{"1", "2"}));
  ASSERT_EQ(result.rejects.size(), 1u);
  EXPECT_EQ(result.rejects[0].line, 4);
  EXPECT_EQ(result.rejects[0].raw, "{\"a\": x}");
}

TEST(JSONReaderTest, ByteOrderMarkBeforeATopLevelArray) {
  auto result = Read("\xEF\xBB\xBF[{\"a\": 1}]");
  ASSERT_TRUE(result.status.ok());
  EXPECT_TRUE(result.rejects.empty());
  EXPECT_EQ(result.Column("a"), (std::vector<std::string>{"1"}));
}

TEST(JSONReaderTest, EmptyInputsGiveNoRecordsAndNoColumns) {
  for (const std::string text : {"", "  \n\n ", "[]", "[ \t\n ]\n", "\xEF\xBB\xBF"}) {
    SCOPED_TRACE(text);
    auto result = Read(text);
    ASSERT_TRUE(result.status.ok());
    EXPECT_EQ(result.rows, 0);
    EXPECT_TRUE(result.rejects.empty());
    EXPECT_EQ(result.schema->num_fields(), 0u);
  }
}

TEST(JSONReaderTest, EmptyObjectsAreRowsWithoutValues) {
  auto result = Read("{}\n{\"a\": {}}\n");
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.rows, 2);
  EXPECT_EQ(result.schema->num_fields(), 0u);
}

TEST(JSONReaderTest, InferTypesFalseMakesScalarsStrings) {
  JSONReadOptions options;
  options.common.infer_types = false;
  auto result = Read(R"({"n": 1, "f": 2.5, "b": true, "d": "2024-01-01", "a": [1]})", options);
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.schema->ToString(), "n: string, f: string, b: string, d: string, a: json");
  EXPECT_EQ(result.Cell(0, "n"), "\"1\"");
  EXPECT_EQ(result.Cell(0, "f"), "\"2.5\"");
  EXPECT_EQ(result.Cell(0, "b"), "\"true\"");
  EXPECT_EQ(result.Cell(0, "a"), "[1]");
}

TEST(JSONReaderTest, ExplicitColumnTypesOverrideInference) {
  JSONReadOptions options;
  options.common.column_types = {{"price", DataType::Decimal(10, 2)},
                                 {"zip", DataType::Int64()},
                                 {"when", DataType::Date()},
                                 {"flag", DataType::Bool()},
                                 {"missing", DataType::Int32()}};
  auto result = Read(R"({"price": 12.5, "zip": "0123", "when": "2024-02-29", "flag": "true"}
{"price": "7", "zip": 45, "when": "", "flag": false}
{"price": 1.005, "zip": 1, "when": "2024-01-01", "flag": true}
)",
                     options);
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.schema->ToString(),
            "price: decimal(10,2), zip: int64, when: date, flag: bool, missing: int32");
  EXPECT_EQ(result.Column("price"), (std::vector<std::string>{"12.50", "7.00"}));
  EXPECT_EQ(result.Column("zip"), (std::vector<std::string>{"123", "45"}));
  EXPECT_EQ(result.Column("when"), (std::vector<std::string>{"\"2024-02-29\"", "null"}));
  EXPECT_EQ(result.Column("flag"), (std::vector<std::string>{"true", "false"}));
  EXPECT_EQ(result.Column("missing"), (std::vector<std::string>{"null", "null"}));
  ASSERT_EQ(result.rejects.size(), 1u);  // 1.005 does not fit decimal(10,2) without rounding
  EXPECT_EQ(result.rejects[0].field, "price");
  EXPECT_EQ(result.rejects[0].line, 3);
}

TEST(JSONReaderTest, OnErrorFailReturnsDataError) {
  RejectPolicy policy;
  policy.on_error = OnError::kFail;
  auto result = Read("{\"a\": 1}\n{oops}\n{\"a\": 2}\n", {}, policy);
  EXPECT_EQ(result.status.code(), StatusCode::kDataError);
}

TEST(JSONReaderTest, MaxCountFailsAfterTooManyRejects) {
  RejectPolicy policy;
  policy.max_count = 2;
  auto ok = Read("x\ny\n{\"a\": 1}\n", {}, policy);
  EXPECT_TRUE(ok.status.ok());
  EXPECT_EQ(ok.rejects.size(), 2u);
  auto failed = Read("x\ny\nz\n{\"a\": 1}\n", {}, policy);
  EXPECT_EQ(failed.status.code(), StatusCode::kDataError);
}

TEST(JSONReaderTest, LargeInputsAreSplitIntoBatches) {
  std::string text;
  const int64_t records = columnar::kMaxBatchRows + 1000;
  for (int64_t i = 0; i < records; ++i) {
    text += "{\"i\": " + std::to_string(i) + ", \"s\": \"v" + std::to_string(i % 10) + "\"}\n";
  }
  auto result = Read(text, WithSample(100));
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.rows, records);
  ASSERT_EQ(result.batches.size(), 2u);
  EXPECT_EQ(result.batches[0]->num_rows(), columnar::kMaxBatchRows);
  EXPECT_EQ(result.Cell(records - 1, "i"), std::to_string(records - 1));
  EXPECT_EQ(result.Cell(70, "s"), "\"v0\"");
}

// Every way of cutting the input into reads gives the same rows and rejects.
TEST(JSONReaderTest, ReadBoundariesDoNotChangeTheResult) {
  const std::vector<std::string> inputs = {
      "{\"a\": 1, \"b\": \"x\\\"y\"}\n{\"a\": 2,\n \"b\": \"z\"}\n{bad}\n\"s\"\n{\"a\": [1,\n2]}\n",
      "\xEF\xBB\xBF[{\"a\": 1}, {\"a\": \"[,]\"},\n {\"a\": tru}, 7 ,[1,[2]]]  \n",
      "{\"a\": \"abc\n{\"a\": 1}\n{\"a\":\n1}{\"a\": 2}\n[1]\n",
      "{\"a\": 1}\n{\n{\n[\n{\"a\": 2}\n{\n \"a\": 3\n}\n",
      "[\n{\"a\": 1},\n{\n{\n{\"a\": 2},\n{\"a\": 3}\n]\n",
  };
  for (const std::string& input : inputs) {
    SCOPED_TRACE(input);
    auto whole = Read(input);
    ASSERT_TRUE(whole.status.ok());
    for (size_t max_read : {1, 2, 3, 5, 8, 13}) {
      auto pieces = Read(input, {}, {}, max_read);
      ASSERT_TRUE(pieces.status.ok());
      EXPECT_EQ(pieces.schema->ToString(), whole.schema->ToString());
      ASSERT_EQ(pieces.rows, whole.rows);
      for (const auto& field : whole.schema->fields()) {
        EXPECT_EQ(pieces.Column(field.name), whole.Column(field.name)) << field.name;
      }
      ASSERT_EQ(pieces.rejects.size(), whole.rejects.size());
      for (size_t i = 0; i < whole.rejects.size(); ++i) {
        EXPECT_EQ(pieces.rejects[i].ToJson(), whole.rejects[i].ToJson());
      }
    }
  }
}

TEST(JSONReaderTest, ReadsGzipInputThroughOpenDecompressed) {
  const auto directory =
      std::filesystem::temp_directory_path() / ("sluice_json_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(directory);
  const std::string path = (directory / "records.ndjson.gz").string();
  const std::string text = "{\"id\": 1, \"name\": \"a\"}\r\n{\"id\": 2, \"name\": \"b\"}\r\n";
  gzFile file = gzopen(path.c_str(), "wb");
  ASSERT_NE(file, nullptr);
  ASSERT_EQ(gzwrite(file, text.data(), static_cast<unsigned>(text.size())),
            static_cast<int>(text.size()));
  ASSERT_EQ(gzclose(file), Z_OK);

  auto input = io::OpenDecompressed(path);
  ASSERT_TRUE(input.ok()) << input.status().ToString();
  RejectTracker tracker(RejectPolicy{});
  auto reader = JSONReader::Open(std::move(*input), JSONReadOptions{}, &tracker);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto batch = (*reader)->Next();
  ASSERT_TRUE(batch.ok());
  ASSERT_NE(*batch, nullptr);
  EXPECT_EQ((*batch)->num_rows(), 2);
  EXPECT_EQ((*batch)->schema()->ToString(), "id: int64, name: string");
  auto end = (*reader)->Next();
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, nullptr);
  EXPECT_EQ(tracker.count(), 0);
  std::filesystem::remove_all(directory);
}

}  // namespace
}  // namespace sluice::formats

#include "sluice/formats/csv/csv_reader.h"

#include <gtest/gtest.h>

#include <random>

#include "sluice/columnar/value_formatter.h"

namespace sluice::formats {
namespace {

using columnar::DataType;
using columnar::TypeId;

struct ReadResult {
  Status status;
  columnar::SchemaPtr schema;
  std::vector<std::vector<std::string>> rows;  // values in JSON style; null as "null"
  std::vector<Reject> rejects;
  int64_t records = 0;
};

ReadResult Read(std::string text, CSVReadOptions options = {}, RejectPolicy policy = {},
                size_t max_read = SIZE_MAX) {
  ReadResult result;
  RejectTracker tracker(policy);
  auto reader = CSVReader::Open(io::MakeMemoryInputStream(std::move(text), "test.csv", max_read),
                                options, &tracker);
  if (!reader.ok()) {
    result.status = reader.status();
    return result;
  }
  result.schema = (*reader)->schema();
  while (true) {
    auto batch = (*reader)->Next();
    if (!batch.ok()) {
      result.status = batch.status();
      break;
    }
    if (*batch == nullptr) break;
    for (int64_t r = 0; r < (*batch)->num_rows(); ++r) {
      std::vector<std::string> row;
      for (size_t c = 0; c < (*batch)->num_columns(); ++c) {
        std::string value;
        columnar::AppendValue((*batch)->column(c), r, columnar::ValueStyle::kJson, &value);
        row.push_back(value);
      }
      result.rows.push_back(std::move(row));
    }
  }
  result.rejects = tracker.kept();
  result.records = (*reader)->records_read();
  return result;
}

using Rows = std::vector<std::vector<std::string>>;

TEST(CSVReaderTest, InfersTypes) {
  const ReadResult result = Read(
      "id,price,day,ts,ok,name,code\n"
      "1,12.50,2024-03-01,2024-03-01T10:00:00Z,true,Ann,007\n"
      "2,3.25,2024-03-02,2024-03-02 11:30:00,false,Bob,012\n");
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  EXPECT_EQ(result.schema->ToString(),
            "id: int64, price: decimal(18,2), day: date, ts: timestamp, ok: bool, name: string, "
            "code: string");
  EXPECT_EQ(result.rows, (Rows{{"1", "12.50", "\"2024-03-01\"", "\"2024-03-01T10:00:00Z\"", "true",
                                "\"Ann\"", "\"007\""},
                               {"2", "3.25", "\"2024-03-02\"", "\"2024-03-02T11:30:00Z\"", "false",
                                "\"Bob\"", "\"012\""}}));
}

TEST(CSVReaderTest, AllStringsMode) {
  CSVReadOptions options;
  options.common.infer_types = false;
  const ReadResult result = Read("a,b\n1,2024-01-01\n", options);
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.schema->ToString(), "a: string, b: string");
  EXPECT_EQ(result.rows, (Rows{{"\"1\"", "\"2024-01-01\""}}));
}

TEST(CSVReaderTest, HeaderlessFilesGetColumnNames) {
  CSVReadOptions options;
  options.header = false;
  const ReadResult result = Read("1,x\n2,y\n", options);
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.schema->ToString(), "column0: int64, column1: string");
}

TEST(CSVReaderTest, EmptyAndDuplicateHeaderNames) {
  const ReadResult result = Read("a,,a\n1,2,3\n");
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.schema->field(0).name, "a");
  EXPECT_EQ(result.schema->field(1).name, "column1");
  EXPECT_EQ(result.schema->field(2).name, "a_1");
}

TEST(CSVReaderTest, LineEndingsAndBom) {
  for (const std::string& text : {std::string("\xEF\xBB\xBFk,v\r\n1,a\r\n2,b\r\n"),
                                  std::string("k,v\r1,a\r2,b"), std::string("k,v\n1,a\n2,b\n")}) {
    const ReadResult result = Read(text);
    ASSERT_TRUE(result.status.ok());
    EXPECT_EQ(result.schema->field(0).name, "k");
    EXPECT_EQ(result.rows, (Rows{{"1", "\"a\""}, {"2", "\"b\""}}));
  }
}

TEST(CSVReaderTest, NullTokens) {
  const ReadResult defaults = Read("n,s\n,\n1,\"\"\n");
  ASSERT_TRUE(defaults.status.ok());
  // Unquoted empty → null; quoted empty string stays an empty string.
  EXPECT_EQ(defaults.rows, (Rows{{"null", "null"}, {"1", "\"\""}}));

  CSVReadOptions options;
  options.common.null_values = {"NA", "null"};
  const ReadResult custom = Read("n,s\nNA,null\n1,NA\n2,\n", options);
  ASSERT_TRUE(custom.status.ok());
  EXPECT_EQ(custom.schema->ToString(), "n: int64, s: string");
  EXPECT_EQ(custom.rows, (Rows{{"null", "null"}, {"1", "null"}, {"2", "\"\""}}));
}

TEST(CSVReaderTest, BlankLines) {
  const ReadResult multi = Read("a,b\n1,2\n\n3,4\n");
  EXPECT_EQ(multi.rows, (Rows{{"1", "2"}, {"3", "4"}}));
  // With one column a blank line is a (null) value.
  const ReadResult single = Read("a\n1\n\n3\n");
  EXPECT_EQ(single.rows, (Rows{{"1"}, {"null"}, {"3"}}));
}

TEST(CSVReaderTest, CommentLines) {
  CSVReadOptions options;
  options.comment = '#';
  const ReadResult result = Read("# header comment\na;b\n1;2\n# middle\n3;4\n#end", options);
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  EXPECT_EQ(result.rows, (Rows{{"1", "2"}, {"3", "4"}}));
}

TEST(CSVReaderTest, SchemaOverride) {
  CSVReadOptions options;
  options.common.column_types = {{"price", DataType::Decimal(10, 3)}, {"id", DataType::String()}};
  const ReadResult result = Read("id,price\n1,2.5\n", options);
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.schema->ToString(), "id: string, price: decimal(10,3)");
  EXPECT_EQ(result.rows, (Rows{{"\"1\"", "2.500"}}));

  options.common.column_types = {{"nope", DataType::Int64()}};
  const ReadResult missing = Read("id,price\n1,2.5\n", options);
  EXPECT_EQ(missing.status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(missing.status.message().find("'nope'"), std::string::npos);
}

TEST(CSVReaderTest, RejectsCarryLocationAndRaw) {
  CSVReadOptions options;
  options.common.sample_records = 1;  // the bad value arrives after the sample
  const ReadResult result = Read(
      "id,qty\n"    // line 1
      "1,5\n"       // line 2
      "2,x7\n"      // line 3: cast error in column 2
      "3\n"         // line 4: field count
      "4,\"a\"b\n"  // line 5: text after closing quote
      "5,6\n"       // line 6
      "6,\"7\n",    // line 7: unterminated quote at end of input
      options);
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  EXPECT_EQ(result.rows, (Rows{{"1", "5"}, {"5", "6"}}));
  ASSERT_EQ(result.rejects.size(), 4u);
  EXPECT_EQ(result.rejects[0].kind, RejectKind::kCastError);
  EXPECT_EQ(result.rejects[0].line, 3);
  EXPECT_EQ(result.rejects[0].column, 3);
  EXPECT_EQ(result.rejects[0].field, "qty");
  EXPECT_EQ(result.rejects[0].raw, "2,x7");
  EXPECT_EQ(result.rejects[0].byte_offset, 11);
  EXPECT_EQ(result.rejects[1].kind, RejectKind::kFieldCount);
  EXPECT_EQ(result.rejects[1].line, 4);
  EXPECT_EQ(result.rejects[2].kind, RejectKind::kUnexpectedQuote);
  EXPECT_EQ(result.rejects[2].line, 5);
  EXPECT_EQ(result.rejects[2].column, 6);
  EXPECT_EQ(result.rejects[3].kind, RejectKind::kUnterminatedQuote);
  EXPECT_EQ(result.rejects[3].line, 7);
  EXPECT_EQ(result.records, 6);
  EXPECT_EQ(result.records, static_cast<int64_t>(result.rows.size() + result.rejects.size()));
}

TEST(CSVReaderTest, InvalidUtf8IsRejected) {
  const ReadResult result = Read("a,b\nok,1\nbad\xE2\x82(,2\n");
  ASSERT_TRUE(result.status.ok());
  EXPECT_EQ(result.rows.size(), 1u);
  ASSERT_EQ(result.rejects.size(), 1u);
  EXPECT_EQ(result.rejects[0].kind, RejectKind::kInvalidUtf8);
  EXPECT_EQ(result.rejects[0].field, "a");
  EXPECT_EQ(result.rejects[0].line, 3);
}

TEST(CSVReaderTest, FailPolicyStopsWithLocation) {
  RejectPolicy policy;
  policy.on_error = OnError::kFail;
  const ReadResult result = Read("a,b\n1,2\n3\n", {}, policy);
  EXPECT_EQ(result.status.code(), StatusCode::kDataError);
  EXPECT_NE(result.status.message().find("test.csv:3:"), std::string::npos)
      << result.status.message();
}

TEST(CSVReaderTest, RejectLimits) {
  RejectPolicy count;
  count.max_count = 1;
  EXPECT_TRUE(Read("a,b\n1,2\n3\n", {}, count).status.ok());
  EXPECT_EQ(Read("a,b\n1,2\n3\n4\n", {}, count).status.code(), StatusCode::kDataError);
  RejectPolicy fraction;
  fraction.max_fraction = 0.25;
  EXPECT_TRUE(Read("a,b\n1,2\n1,2\n1,2\n3\n", {}, fraction).status.ok());
  EXPECT_EQ(Read("a,b\n1,2\n1,2\n3\n", {}, fraction).status.code(), StatusCode::kDataError);
}

TEST(CSVReaderTest, Utf16IsACleanError) {
  const ReadResult result =
      Read(std::string("\xFF\xFE"
                       "a\0,\0b\0",
                       8));
  EXPECT_EQ(result.status.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(result.status.message().find("UTF-16"), std::string::npos);
}

// A file larger than one block, with quoted multi-line fields and rejects spread through it: one
// thread, two threads and tiny reads must all give the same rows, rejects and line numbers.
std::string MakeLargeCSV(int rows, uint64_t seed) {
  std::mt19937_64 random(seed);
  std::string text = "id,note,amount\n";
  for (int i = 0; i < rows; ++i) {
    text += std::to_string(i) + ",";
    switch (random() % 7) {
      case 0:
        text += "\"multi\nline, \"\"quoted\"\"\r\nnote\"";
        break;
      case 1:
        text += "\"plain quoted\"";
        break;
      case 2:
        text += "";
        break;
      default:
        text += "note" + std::to_string(random() % 1000);
        break;
    }
    text += ",";
    if (i > 30000 && random() % 5000 == 0) {
      text += "oops";  // cast error
    } else {
      text += std::to_string(random() % 100000) + "." + std::to_string(10 + random() % 90);
    }
    text += (random() % 3 == 0) ? "\r\n" : "\n";
  }
  return text;
}

TEST(CSVReaderTest, ParallelAndBlockBoundariesGiveIdenticalResults) {
  const std::string text = MakeLargeCSV(400000, 42);  // ~12 MB: more than one block
  ASSERT_GT(text.size(), 9u << 20);
  CSVReadOptions one;
  one.common.threads = 1;
  CSVReadOptions two;
  two.common.threads = 2;
  const ReadResult a = Read(text, one);
  const ReadResult b = Read(text, two);
  const ReadResult c = Read(text, two, {}, 1000003);
  ASSERT_TRUE(a.status.ok() && b.status.ok() && c.status.ok());
  EXPECT_EQ(a.schema->ToString(), "id: int64, note: string, amount: decimal(18,2)");
  EXPECT_EQ(a.rows.size() + a.rejects.size(), 400000u);
  EXPECT_GT(a.rejects.size(), 0u);
  EXPECT_EQ(a.rows, b.rows);
  EXPECT_EQ(a.rows, c.rows);
  ASSERT_EQ(a.rejects.size(), b.rejects.size());
  ASSERT_EQ(a.rejects.size(), c.rejects.size());
  for (size_t i = 0; i < a.rejects.size(); ++i) {
    EXPECT_EQ(a.rejects[i].line, b.rejects[i].line);
    EXPECT_EQ(a.rejects[i].byte_offset, b.rejects[i].byte_offset);
    EXPECT_EQ(a.rejects[i].line, c.rejects[i].line);
    EXPECT_EQ(a.rejects[i].raw, c.rejects[i].raw);
    // The reported offset points at the rejected row's text.
    EXPECT_EQ(text.compare(static_cast<size_t>(a.rejects[i].byte_offset), a.rejects[i].raw.size(),
                           a.rejects[i].raw),
              0);
  }
  // Row ids are consecutive apart from rejects: nothing lost, nothing duplicated.
  int64_t previous = -1;
  for (const auto& row : a.rows) {
    const int64_t id = std::stoll(row[0]);
    EXPECT_GT(id, previous);
    previous = id;
  }
}

// With a backslash escape, quote parity misjudges where quoted fields end (an escaped quote is
// counted as a quote), so blocks are split inside quoted multi-line fields; the seam check must
// catch every such split and parse the rest again, giving exactly what one thread gives.
TEST(CSVReaderTest, SplitsInsideQuotedFieldsAreCaughtAtTheSeams) {
  std::mt19937_64 random(7);
  std::string text = "id,note,amount\n";
  for (int i = 0; i < 60000; ++i) {
    text += std::to_string(i) + ",";
    text += random() % 2 == 0 ? "\"say \\\"hi\nthere, \\\"friend\"" : "\"a \\\" b\nc\"";
    text += "," + std::to_string(random() % 1000) + "\n";
  }
  CSVReadOptions one;
  one.escape = '\\';
  one.common.threads = 1;
  one.common.block_bytes = 256 << 10;
  const ReadResult a = Read(text, one);
  ASSERT_TRUE(a.status.ok()) << a.status.ToString();
  ASSERT_EQ(a.rows.size(), 60000u);
  EXPECT_TRUE(a.rejects.empty());
  for (const auto& row : a.rows) {
    EXPECT_TRUE(row[1] == "\"a \\\" b\\nc\"" || row[1] == "\"say \\\"hi\\nthere, \\\"friend\"")
        << row[1];
  }
  for (int threads : {2, 3, 4}) {
    CSVReadOptions many = one;
    many.common.threads = threads;
    const ReadResult b = Read(text, many);
    ASSERT_TRUE(b.status.ok()) << b.status.ToString();
    EXPECT_EQ(a.rows, b.rows) << threads;
    EXPECT_TRUE(b.rejects.empty()) << threads;
  }
}

TEST(CSVReaderTest, RunawayQuoteIsRejectedAndReadingResumes) {
  std::string text = "a,b\n1,\"never closed\n";
  for (int i = 0; i < 1100000; ++i) text += std::to_string(i) + ",x\n";  // ~10 MB, no quotes
  CSVReadOptions options;
  options.common.max_record_bytes = 1 << 20;
  options.common.column_types = {{"a", DataType::Int64()}};
  const ReadResult result = Read(text, options);
  ASSERT_TRUE(result.status.ok()) << result.status.ToString();
  ASSERT_GE(result.rejects.size(), 1u);
  EXPECT_EQ(result.rejects[0].kind, RejectKind::kRecordTooLarge);
  EXPECT_EQ(result.rejects[0].line, 2);
  // Most of the file after the runaway quote is still read.
  EXPECT_GT(result.rows.size(), 1000000u);
  EXPECT_EQ(result.records, static_cast<int64_t>(result.rows.size() + result.rejects.size()));
}

}  // namespace
}  // namespace sluice::formats

#include "sluice/formats/csv/csv_tokenizer.h"

#include <gtest/gtest.h>

namespace sluice::formats {
namespace {

struct Parsed {
  RowStatus status;
  std::vector<std::string> fields;
  size_t next = 0;
  size_t error = 0;
};

Parsed Parse(const std::string& text, size_t pos = 0, bool at_end = true, CSVDialect dialect = {}) {
  CSVTokenizer tokenizer(dialect);
  std::vector<CSVField> fields;
  Parsed parsed;
  parsed.status = tokenizer.ParseRow(text.data(), text.size(), pos, at_end, &fields, &parsed.next,
                                     &parsed.error);
  for (const CSVField& field : fields) {
    parsed.fields.push_back(tokenizer.UnescapeToString(text.data(), field));
  }
  return parsed;
}

TEST(CSVTokenizerTest, SplitsFieldsAndRows) {
  const Parsed row = Parse("a,b,,d\nnext");
  EXPECT_EQ(row.status, RowStatus::kOk);
  EXPECT_EQ(row.fields, (std::vector<std::string>{"a", "b", "", "d"}));
  EXPECT_EQ(row.next, 7u);
}

TEST(CSVTokenizerTest, QuotedFieldsKeepDelimitersNewlinesAndDoubledQuotes) {
  const Parsed row = Parse("\"a,1\",\"line\nbreak\",\"say \"\"hi\"\"\"\r\nx");
  EXPECT_EQ(row.status, RowStatus::kOk);
  EXPECT_EQ(row.fields, (std::vector<std::string>{"a,1", "line\nbreak", "say \"hi\""}));
  EXPECT_EQ(row.next, std::string("\"a,1\",\"line\nbreak\",\"say \"\"hi\"\"\"\r\n").size());
}

TEST(CSVTokenizerTest, BareCarriageReturnEndsARow) {
  const Parsed row = Parse("a,b\rc,d");
  EXPECT_EQ(row.status, RowStatus::kOk);
  EXPECT_EQ(row.next, 4u);
}

TEST(CSVTokenizerTest, DistinctEscapeCharacter) {
  CSVDialect dialect;
  dialect.escape = '\\';
  const Parsed row = Parse("\"a\\\"b\",c\n", 0, true, dialect);
  EXPECT_EQ(row.status, RowStatus::kOk);
  EXPECT_EQ(row.fields, (std::vector<std::string>{"a\"b", "c"}));
}

TEST(CSVTokenizerTest, IncompleteWhenMoreInputMayFollow) {
  EXPECT_EQ(Parse("a,b", 0, false).status, RowStatus::kIncomplete);
  EXPECT_EQ(Parse("\"a\nb", 0, false).status, RowStatus::kIncomplete);
  // A CR at the very end may be the first half of CRLF.
  EXPECT_EQ(Parse("a,b\r", 0, false).status, RowStatus::kIncomplete);
  // A quote at the very end may be the first half of a doubled quote.
  EXPECT_EQ(Parse("\"a\"", 0, false).status, RowStatus::kIncomplete);
  EXPECT_EQ(Parse("a,b", 0, true).status, RowStatus::kOk);
}

TEST(CSVTokenizerTest, UnterminatedQuoteAtEnd) {
  EXPECT_EQ(Parse("a,\"bc\nd,e", 0, true).status, RowStatus::kUnterminatedQuote);
}

TEST(CSVTokenizerTest, TextAfterClosingQuoteIsAnError) {
  const Parsed row = Parse("\"a\"b,c\nnext\n");
  EXPECT_EQ(row.status, RowStatus::kUnexpectedQuote);
  EXPECT_EQ(row.error, 3u);
  EXPECT_EQ(row.next, 7u);  // resumes at the next line
}

TEST(CSVTokenizerTest, QuoteInsideUnquotedFieldIsLiteral) {
  const Parsed row = Parse("5\" pipe,b\n");
  EXPECT_EQ(row.status, RowStatus::kOk);
  EXPECT_EQ(row.fields, (std::vector<std::string>{"5\" pipe", "b"}));
}

TEST(CSVTokenizerTest, CommentLineHasNoFields) {
  CSVDialect dialect;
  dialect.comment = '#';
  const Parsed row = Parse("# note, with comma\na,b\n", 0, true, dialect);
  EXPECT_EQ(row.status, RowStatus::kOk);
  EXPECT_TRUE(row.fields.empty());
  EXPECT_EQ(row.next, 19u);
}

TEST(CSVTokenizerTest, LongFieldsCrossTheVectorizedScan) {
  const std::string long_value(1000, 'x');
  const Parsed row = Parse(long_value + ";" + long_value + "\n", 0, true, CSVDialect{';'});
  ASSERT_EQ(row.fields.size(), 2u);
  EXPECT_EQ(row.fields[0], long_value);
  EXPECT_EQ(row.fields[1], long_value);
}

}  // namespace
}  // namespace sluice::formats

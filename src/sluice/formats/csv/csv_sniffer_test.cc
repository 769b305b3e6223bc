#include "sluice/formats/csv/csv_sniffer.h"

#include <gtest/gtest.h>

namespace sluice::formats {
namespace {

CSVDialect Sniff(const std::string& text, CSVReadOptions options = {}) {
  return CSVSniffer::Sniff(text, true, options);
}

TEST(CSVSnifferTest, FindsTheDelimiter) {
  EXPECT_EQ(Sniff("a,b,c\n1,2,3\n").delimiter, ',');
  EXPECT_EQ(Sniff("a;b;c\n1;2,5;3\n4;5,5;6\n").delimiter, ';');
  EXPECT_EQ(Sniff("a|b\n1|2\n").delimiter, '|');
  EXPECT_EQ(Sniff("a\tb\n1\t2\n").delimiter, '\t');
  // A quoted delimiter does not count.
  EXPECT_EQ(Sniff("name|note\n\"x\"|\"a,b,c,d\"\n\"y\"|\"e,f,g,h\"\n").delimiter, '|');
}

TEST(CSVSnifferTest, SingleColumnFallsBackToComma) {
  EXPECT_EQ(Sniff("value\n1\n2\n").delimiter, ',');
}

TEST(CSVSnifferTest, DetectsAHeaderByTypes) {
  EXPECT_TRUE(Sniff("id,price\n1,2.50\n2,3.75\n").header);
  EXPECT_FALSE(Sniff("1,2.50\n2,3.75\n").header);
  EXPECT_FALSE(Sniff("2024-01-01,x\n2024-01-02,y\n").header);
}

TEST(CSVSnifferTest, AllStringColumns) {
  EXPECT_TRUE(Sniff("name,city\nann,paris\nbob,rome\n").header);
  // An empty value in the first row means it is data, not names.
  EXPECT_FALSE(Sniff("ann,\nbob,rome\n").header);
}

TEST(CSVSnifferTest, ExplicitOptionsWin) {
  CSVReadOptions options;
  options.delimiter = ';';
  options.header = false;
  const CSVDialect dialect = Sniff("a,b\n1,2\n", options);
  EXPECT_EQ(dialect.delimiter, ';');
  EXPECT_FALSE(dialect.header);
}

}  // namespace
}  // namespace sluice::formats

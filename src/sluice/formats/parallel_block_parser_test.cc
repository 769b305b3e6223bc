// ParallelBlockParser: cuts at records, shares in input order whatever the thread count, and the
// first seam that does not hold.
#include "sluice/formats/parallel_block_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice::formats {
namespace {

// A line-per-record format over a string: a share holds its lines, and ends after the last line
// that starts before its stop.
struct LineShare {
  std::vector<std::string> lines;
  size_t end = 0;
};

class LineParser : public ParallelBlockParser<LineShare> {
 public:
  // `cut_anywhere`: cut at the target byte itself, as a splitter fooled by what it cannot see.
  LineParser(std::string text, bool cut_anywhere)
      : text_(std::move(text)), cut_anywhere_(cut_anywhere) {}

  Block Parse(int threads) const { return ParseBlock(0, text_.size(), threads, 64); }

 private:
  size_t NextRecordStart(size_t from, size_t target, size_t end) const override {
    if (cut_anywhere_) return target;
    const size_t newline = text_.find('\n', target);
    return newline == std::string::npos || newline >= end ? end : newline + 1;
  }

  LineShare ParseShare(size_t start, size_t stop, bool last) const override {
    LineShare share;
    size_t pos = start;
    while (pos < (last ? text_.size() : stop)) {
      size_t newline = text_.find('\n', pos);
      if (newline == std::string::npos) newline = text_.size() - 1;
      share.lines.push_back(text_.substr(pos, newline - pos));
      pos = newline + 1;
    }
    share.end = pos;
    return share;
  }

  bool SeamHolds(const LineShare& share, size_t stop, bool last) const override {
    return last || share.end == stop;
  }

  std::string text_;
  bool cut_anywhere_;
};

std::string Lines(int count) {
  std::string text;
  for (int i = 0; i < count; ++i) text += "record " + std::to_string(i * 7919 % 1000) + "\n";
  return text;
}

std::vector<std::string> Concatenated(const LineParser::Block& block) {
  std::vector<std::string> lines;
  for (const LineShare& share : block.shares) {
    lines.insert(lines.end(), share.lines.begin(), share.lines.end());
  }
  return lines;
}

TEST(SplitAtRecordsTest, CutsNearEqualSharesAtRecordStarts) {
  const std::string text = "aaaa\nbbbb\ncccc\ndddd\n";
  auto next_line = [&](size_t from, size_t target, size_t end) {
    const size_t newline = text.find('\n', target);
    return newline == std::string::npos || newline >= end ? end : newline + 1;
  };
  EXPECT_EQ(SplitAtRecords(0, text.size(), 2, next_line), (std::vector<size_t>{0, 15, 20}));
  EXPECT_EQ(SplitAtRecords(0, text.size(), 4, next_line), (std::vector<size_t>{0, 10, 15, 20}));
  EXPECT_EQ(SplitAtRecords(0, text.size(), 1, next_line), (std::vector<size_t>{0, 20}));
  EXPECT_EQ(SplitAtRecords(5, text.size(), 3, next_line), (std::vector<size_t>{5, 15, 20}));
  // No record start before the end: one share.
  auto none = [](size_t, size_t, size_t end) { return end; };
  EXPECT_EQ(SplitAtRecords(0, text.size(), 4, none), (std::vector<size_t>{0, 20}));
}

TEST(SharesForTest, SmallBlocksAndOneThreadAreOneShare) {
  EXPECT_EQ(SharesFor(8u << 20, 1, 8u << 20), 1u);
  EXPECT_EQ(SharesFor(8u << 20, 4, 8u << 20), 4u);
  EXPECT_EQ(SharesFor((1u << 20) - 1, 4, 8u << 20), 1u);  // under 1 MiB
  EXPECT_EQ(SharesFor(100, 2, 256), 2u);                  // small blocks: a quarter of a block
  EXPECT_EQ(SharesFor(63, 2, 256), 1u);
}

TEST(ParallelBlockParserTest, SharesComeBackInInputOrderWhateverTheThreads) {
  const std::string text = Lines(5000);
  const LineParser parser(text, false);
  const LineParser::Block one = parser.Parse(1);
  ASSERT_EQ(one.shares.size(), 1u);
  EXPECT_EQ(one.held, 1u);
  const std::vector<std::string> expected = Concatenated(one);
  ASSERT_EQ(expected.size(), 5000u);
  for (int threads : {2, 3, 8}) {
    const LineParser::Block block = parser.Parse(threads);
    EXPECT_EQ(block.shares.size(), static_cast<size_t>(threads));
    EXPECT_EQ(block.held, block.shares.size());
    EXPECT_EQ(block.bounds.front(), 0u);
    EXPECT_EQ(block.bounds.back(), text.size());
    EXPECT_EQ(Concatenated(block), expected) << threads;
  }
}

TEST(ParallelBlockParserTest, TheFirstSeamThatDoesNotHoldIsReported) {
  const std::string text = Lines(1000);
  // Cuts in the middle of lines: a share reads its last line past the cut, so its seam does not
  // hold; held counts the shares before it.
  const LineParser::Block block = LineParser(text, true).Parse(4);
  ASSERT_EQ(block.shares.size(), 4u);
  ASSERT_LT(block.held, 3u);
  for (size_t k = 0; k < block.held; ++k) EXPECT_EQ(block.shares[k].end, block.bounds[k + 1]);
  EXPECT_GT(block.shares[block.held].end, block.bounds[block.held + 1]);
}

}  // namespace
}  // namespace sluice::formats

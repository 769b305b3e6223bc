#include "sluice/connectors/file/glob.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace sluice::connectors {
namespace {

TEST(GlobMatchTest, StarStaysInsideAComponent) {
  EXPECT_TRUE(GlobMatch("*.csv", "orders.csv"));
  EXPECT_FALSE(GlobMatch("*.csv", "a/orders.csv"));
  EXPECT_TRUE(GlobMatch("a/*.csv", "a/orders.csv"));
  EXPECT_FALSE(GlobMatch("*.csv", "orders.csv.gz"));
  EXPECT_TRUE(GlobMatch("orders_*_late.csv", "orders_2026-11-05_late.csv"));
  EXPECT_FALSE(GlobMatch("orders_*_late.csv", "orders_2026-11-05.csv"));
}

TEST(GlobMatchTest, QuestionMarkClassesAndEscapes) {
  EXPECT_TRUE(GlobMatch("day?.csv", "day1.csv"));
  EXPECT_FALSE(GlobMatch("day?.csv", "day10.csv"));
  EXPECT_TRUE(GlobMatch("day[0-9].csv", "day7.csv"));
  EXPECT_FALSE(GlobMatch("day[0-9].csv", "dayx.csv"));
  EXPECT_TRUE(GlobMatch("day[!0-9].csv", "dayx.csv"));
  EXPECT_FALSE(GlobMatch("day[!0-9].csv", "day3.csv"));
  EXPECT_TRUE(GlobMatch("a\\*b", "a*b"));
  EXPECT_FALSE(GlobMatch("a\\*b", "axb"));
  EXPECT_TRUE(GlobMatch("[ab", "[ab"));  // an unclosed class is literal
}

TEST(GlobMatchTest, DoubleStarCrossesDirectories) {
  EXPECT_TRUE(GlobMatch("**/*.json", "x.json"));
  EXPECT_TRUE(GlobMatch("**/*.json", "a/b/c/x.json"));
  EXPECT_TRUE(GlobMatch("a/**/x.json", "a/x.json"));
  EXPECT_TRUE(GlobMatch("a/**/x.json", "a/b/c/x.json"));
  EXPECT_FALSE(GlobMatch("a/**/x.json", "b/x.json"));
  EXPECT_TRUE(GlobMatch("a/**", "a/b/c"));
}

class ExpandGlobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ =
        std::filesystem::temp_directory_path() / ("sluice_glob_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(root_);
    for (const char* name : {"drops/b.csv", "drops/a.csv", "drops/c.json", "drops/sub/d.csv",
                             "drops/.hidden.csv", "drops/e.csv.tmp", "other/f.csv"}) {
      std::filesystem::create_directories((root_ / name).parent_path());
      std::ofstream(root_ / name) << "x\n1\n";
    }
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  std::vector<std::string> Names(const std::string& pattern) {
    auto files = ExpandGlob(*io::LocalFileSystem(), (root_ / pattern).string());
    EXPECT_TRUE(files.ok()) << files.status().ToString();
    std::vector<std::string> names;
    if (!files.ok()) return names;
    for (const io::FileInfo& file : *files) {
      names.push_back(std::filesystem::path(file.path).lexically_relative(root_).string());
      EXPECT_EQ(file.size, 4);
      EXPECT_GT(file.modification_time_ms, 0);
    }
    return names;
  }
  std::filesystem::path root_;
};

TEST_F(ExpandGlobTest, MatchesSortedAndSkipsHiddenAndTemporaryFiles) {
  EXPECT_EQ(Names("drops/*.csv"), (std::vector<std::string>{"drops/a.csv", "drops/b.csv"}));
  EXPECT_EQ(Names("drops/**/*.csv"),
            (std::vector<std::string>{"drops/a.csv", "drops/b.csv", "drops/sub/d.csv"}));
  EXPECT_EQ(Names("drops/*"),
            (std::vector<std::string>{"drops/a.csv", "drops/b.csv", "drops/c.json"}));
  EXPECT_EQ(Names("drops/.hidden.csv"), (std::vector<std::string>{"drops/.hidden.csv"}));
  EXPECT_EQ(Names("*/f.csv"), (std::vector<std::string>{"other/f.csv"}));
}

TEST_F(ExpandGlobTest, PlainPathsAndMissingFolders) {
  EXPECT_EQ(Names("drops/a.csv"), (std::vector<std::string>{"drops/a.csv"}));
  EXPECT_TRUE(Names("drops/none.csv").empty());
  EXPECT_TRUE(Names("missing/*.csv").empty());
}

}  // namespace
}  // namespace sluice::connectors

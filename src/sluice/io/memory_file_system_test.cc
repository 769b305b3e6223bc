// The in-memory file system keeps the FileSystem contract: whole objects on close, atomic
// create-if-absent, sorted recursive listing, idempotent delete, errors that name the path.
#include "sluice/io/memory_file_system.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

namespace sluice::io {
namespace {

class MemoryFileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override { ClearMemoryFileSystem(); }
  void TearDown() override {
    ClearMemoryFileSystem();
    SetMemoryFileSystemClock(nullptr);
  }
  std::shared_ptr<FileSystem> fs_ = MemoryFileSystem();
};

TEST_F(MemoryFileSystemTest, WritesAppearWholeOnCloseAndReadBackByRange) {
  auto out = fs_->OpenForWrite("mem://lake/t/a.bin").ValueOrDie();
  ASSERT_TRUE(out->Write("hello ").ok());
  EXPECT_EQ(fs_->Stat("mem://lake/t/a.bin").status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(out->Write("world").ok());
  EXPECT_EQ(out->position(), 11);
  ASSERT_TRUE(out->Close().ok());
  EXPECT_EQ(fs_->ReadAll("mem://lake/t/a.bin").ValueOrDie(), "hello world");
  auto file = fs_->OpenForRead("mem://lake/t/a.bin").ValueOrDie();
  uint8_t middle[5];
  ASSERT_TRUE(file->ReadAt(6, 5, middle).ok());
  EXPECT_EQ(std::string(reinterpret_cast<char*>(middle), 5), "world");
  EXPECT_FALSE(file->ReadAt(8, 5, middle).ok());  // past the end
  // A stream destroyed without Close leaves nothing.
  { auto abandoned = fs_->OpenForWrite("mem://lake/t/b.bin").ValueOrDie(); }
  EXPECT_EQ(fs_->Stat("mem://lake/t/b.bin").status().code(), StatusCode::kNotFound);
}

TEST_F(MemoryFileSystemTest, CreateIfAbsentHasOneWinnerAcrossThreads) {
  std::atomic<int> winners{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      if (fs_->CreateIfAbsent("mem://log/00.json", std::to_string(i)).ValueOrDie()) ++winners;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(winners.load(), 1);
  EXPECT_EQ(fs_->ReadAll("mem://log/00.json").ValueOrDie().size(), 1u);
  EXPECT_FALSE(fs_->CreateIfAbsent("mem://log/00.json", "again").ValueOrDie());
}

TEST_F(MemoryFileSystemTest, ListIsRecursiveSortedAndByPrefixStatUsesTheClock) {
  SetMemoryFileSystemClock([] { return int64_t{1234}; });
  for (const char* path : {"mem://t/b/2", "mem://t/a", "mem://t/b/1", "mem://u/x"}) {
    ASSERT_TRUE(fs_->CreateIfAbsent(path, "x").ValueOrDie());
  }
  std::vector<std::string> paths;
  for (const FileInfo& info : fs_->List("mem://t/").ValueOrDie()) paths.push_back(info.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"mem://t/a", "mem://t/b/1", "mem://t/b/2"}));
  EXPECT_TRUE(fs_->List("mem://none/").ValueOrDie().empty());
  const FileInfo info = fs_->Stat("mem://u/x").ValueOrDie();
  EXPECT_EQ(info.size, 1);
  EXPECT_EQ(info.modification_time_ms, 1234);
  ASSERT_TRUE(fs_->Delete("mem://u/x").ok());
  ASSERT_TRUE(fs_->Delete("mem://u/x").ok());  // idempotent
  const Status missing = fs_->ReadAll("mem://u/x").status();
  EXPECT_EQ(missing.code(), StatusCode::kNotFound);
  EXPECT_NE(missing.message().find("mem://u/x"), std::string::npos);
  EXPECT_EQ(fs_->ReadAll("/tmp/x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(FileSystemForUri("mem://anything").ValueOrDie(), fs_);
}

}  // namespace
}  // namespace sluice::io

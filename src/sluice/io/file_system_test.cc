#include "sluice/io/file_system.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <latch>
#include <string>
#include <thread>
#include <vector>

namespace sluice::io {
namespace {

class FileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/sluice_file_system_test_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code error;
    std::filesystem::remove_all(dir_, error);
  }

  std::string PathOf(const std::string& name) const { return dir_ + "/" + name; }

  // Writes a file directly, bypassing the FileSystem.
  std::string WriteRaw(const std::string& name, const std::string& bytes) const {
    const std::string path = PathOf(name);
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    EXPECT_TRUE(out.good()) << path;
    return path;
  }

  static std::string ReadRaw(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  // Every entry (hidden ones included) under `directory`, relative to it, sorted.
  static std::vector<std::string> EntriesUnder(const std::string& directory) {
    std::vector<std::string> entries;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(directory)) {
      entries.push_back(std::filesystem::relative(entry.path(), directory).string());
    }
    std::sort(entries.begin(), entries.end());
    return entries;
  }

  static std::vector<std::string> PathsOf(const std::vector<FileInfo>& files) {
    std::vector<std::string> paths;
    for (const FileInfo& file : files) paths.push_back(file.path);
    return paths;
  }

  std::shared_ptr<FileSystem> fs_ = LocalFileSystem();
  std::string dir_;
};

Status WriteObject(FileSystem* fs, const std::string& path, const std::string& contents) {
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<OutputStream> out, fs->OpenForWrite(path));
  SLUICE_RETURN_NOT_OK(out->Write(contents));
  return out->Close();
}

TEST_F(FileSystemTest, SchemeIsFile) { EXPECT_EQ(fs_->scheme(), "file"); }

TEST_F(FileSystemTest, WriteReadRoundTripCreatesParentsAndAppearsOnlyOnClose) {
  const std::string path = PathOf("a/b/c/object.bin");
  std::string big(3 * 1024 * 1024 + 17, '\0');  // larger than the write buffer
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 131 % 251);

  auto out = fs_->OpenForWrite(path);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)->path(), path);
  ASSERT_TRUE((*out)->Write("head:").ok());
  EXPECT_EQ((*out)->position(), 5);
  ASSERT_TRUE((*out)->Write(big).ok());
  ASSERT_TRUE((*out)->Write(std::string(1000, 'x')).ok());
  ASSERT_TRUE((*out)->Write(":tail").ok());
  const int64_t expected_size = 5 + static_cast<int64_t>(big.size()) + 1000 + 5;
  EXPECT_EQ((*out)->position(), expected_size);

  // Not visible before Close.
  EXPECT_EQ(fs_->Stat(path).status().code(), StatusCode::kNotFound);
  auto before = fs_->List(PathOf("a/"));
  ASSERT_TRUE(before.ok());
  EXPECT_TRUE(before->empty());

  ASSERT_TRUE((*out)->Close().ok());
  EXPECT_TRUE((*out)->Close().ok());  // a second Close is harmless
  EXPECT_FALSE((*out)->Write("late").ok());

  const std::string expected = "head:" + big + std::string(1000, 'x') + ":tail";
  auto all = fs_->ReadAll(path);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(*all, expected);

  auto file = fs_->OpenForRead(path);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ((*file)->size(), expected_size);
  EXPECT_EQ((*file)->path(), path);
  std::string range(10, '\0');
  ASSERT_TRUE((*file)->ReadAt(5, 10, reinterpret_cast<uint8_t*>(range.data())).ok());
  EXPECT_EQ(range, big.substr(0, 10));

  // Only the object is left in its directory: the temporary file was renamed.
  EXPECT_EQ(EntriesUnder(PathOf("a/b/c")), std::vector<std::string>{"object.bin"});
}

TEST_F(FileSystemTest, EmptyObjectRoundTrips) {
  const std::string path = PathOf("empty");
  ASSERT_TRUE(WriteObject(fs_.get(), path, "").ok());
  auto all = fs_->ReadAll(path);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(*all, "");
  auto info = fs_->Stat(path);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->size, 0);
}

TEST_F(FileSystemTest, WriteDestroyedWithoutCloseLeavesNothing) {
  const std::string path = PathOf("sub/object.json");
  {
    auto out = fs_->OpenForWrite(path);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    ASSERT_TRUE((*out)->Write(std::string(2 * 1024 * 1024, 'z')).ok());  // reached the disk
    ASSERT_TRUE((*out)->Write("buffered").ok());
  }
  EXPECT_EQ(fs_->Stat(path).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(EntriesUnder(PathOf("sub")).empty());
}

TEST_F(FileSystemTest, OpenForWriteReplacesAnExistingObject) {
  const std::string path = PathOf("object.txt");
  ASSERT_TRUE(WriteObject(fs_.get(), path, "old and longer contents").ok());
  ASSERT_TRUE(WriteObject(fs_.get(), path, "new").ok());
  auto all = fs_->ReadAll(path);
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, "new");
  EXPECT_EQ(EntriesUnder(dir_), std::vector<std::string>{"object.txt"});
}

TEST_F(FileSystemTest, OpenForWriteOfADirectoryPathIsAnError) {
  EXPECT_EQ(fs_->OpenForWrite(PathOf("dir/")).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(FileSystemTest, CreateIfAbsentCreatesOnceAndNeverOverwrites) {
  const std::string path = PathOf("_delta_log/00000000000000000000.json");
  auto first = fs_->CreateIfAbsent(path, "first commit");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(*first);
  auto second = fs_->CreateIfAbsent(path, "second commit");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_FALSE(*second);
  EXPECT_EQ(ReadRaw(path), "first commit");
  // No temporary files stay behind.
  EXPECT_EQ(EntriesUnder(PathOf("_delta_log")),
            std::vector<std::string>{"00000000000000000000.json"});
}

TEST_F(FileSystemTest, CreateIfAbsentOverAFileWrittenElsewhereReturnsFalse) {
  const std::string path = WriteRaw("existing", "someone else's");
  auto created = fs_->CreateIfAbsent(path, "mine");
  ASSERT_TRUE(created.ok());
  EXPECT_FALSE(*created);
  EXPECT_EQ(ReadRaw(path), "someone else's");
}

TEST_F(FileSystemTest, DeleteEmptyDirectoriesKeepsEveryFolderThatHoldsAFile) {
  std::filesystem::create_directories(PathOf("t/a/b/c"));
  std::filesystem::create_directories(PathOf("t/d/e"));
  WriteRaw("t/d/kept.txt", "k");
  ASSERT_TRUE(fs_->DeleteEmptyDirectories(PathOf("t")).ok());
  EXPECT_EQ(EntriesUnder(PathOf("t")), (std::vector<std::string>{"d", "d/kept.txt"}));
  std::filesystem::create_directories(PathOf("u/v"));
  ASSERT_TRUE(fs_->DeleteEmptyDirectories(PathOf("u")).ok());
  EXPECT_FALSE(std::filesystem::exists(PathOf("u")));
  EXPECT_TRUE(fs_->DeleteEmptyDirectories(PathOf("missing")).ok());
}

TEST_F(FileSystemTest, ListDirectoryPrefixIsRecursiveAndSorted) {
  WriteRaw("t/b.txt", "bb");
  WriteRaw("t/a.txt", "a");
  WriteRaw("t/sub/deeper/z.txt", "z");
  WriteRaw("t/sub/c.txt", "c");
  WriteRaw("t/.hidden", "hidden files are objects");
  WriteRaw("other/x.txt", "x");
  std::filesystem::create_directories(PathOf("t/empty_dir"));

  auto files = fs_->List(PathOf("t/"));
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(PathsOf(*files),
            (std::vector<std::string>{PathOf("t/.hidden"), PathOf("t/a.txt"), PathOf("t/b.txt"),
                                      PathOf("t/sub/c.txt"), PathOf("t/sub/deeper/z.txt")}));
  ASSERT_EQ(files->size(), 5u);
  EXPECT_EQ((*files)[2].size, 2);
}

TEST_F(FileSystemTest, ListPartialNamePrefixFiltersByFullPath) {
  WriteRaw("_delta_log/00000000000000000009.json", "9");
  WriteRaw("_delta_log/00000000000000000010.json", "10");
  WriteRaw("_delta_log/00000000000000000010.checkpoint.parquet", "cp");
  WriteRaw("_delta_log/00000000000000000011.json", "11");
  WriteRaw("_delta_log/00000000000000000001/nested.json", "nested");
  WriteRaw("_delta_log/_last_checkpoint", "{}");

  auto files = fs_->List(PathOf("_delta_log/0000000000000000001"));
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(PathsOf(*files),
            (std::vector<std::string>{PathOf("_delta_log/00000000000000000010.checkpoint.parquet"),
                                      PathOf("_delta_log/00000000000000000010.json"),
                                      PathOf("_delta_log/00000000000000000011.json")}));

  // A prefix without '/' that names a directory matches it and its siblings, like an object store.
  WriteRaw("_delta_log2/x", "x");
  auto both = fs_->List(PathOf("_delta_log"));
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->size(), 7u);
  EXPECT_EQ(both->back().path, PathOf("_delta_log2/x"));

  // A prefix that is a whole file name lists that file.
  auto exact = fs_->List(PathOf("_delta_log/_last_checkpoint"));
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(PathsOf(*exact), std::vector<std::string>{PathOf("_delta_log/_last_checkpoint")});
}

TEST_F(FileSystemTest, ListHidesTemporaryFilesOfUnfinishedWrites) {
  WriteRaw("t/done.json", "done");
  auto pending = fs_->OpenForWrite(PathOf("t/pending.json"));
  ASSERT_TRUE(pending.ok());
  ASSERT_TRUE((*pending)->Write(std::string(2 * 1024 * 1024, 'p')).ok());
  // A temporary file left by a crashed writer in another process.
  WriteRaw("t/.crashed.json.tmp-12345-00ff00ff00ff00ff", "partial");
  ASSERT_EQ(EntriesUnder(PathOf("t")).size(), 3u);  // they exist on disk

  auto files = fs_->List(PathOf("t/"));
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(PathsOf(*files), std::vector<std::string>{PathOf("t/done.json")});
  ASSERT_TRUE((*pending)->Close().ok());
  files = fs_->List(PathOf("t/"));
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(PathsOf(*files),
            (std::vector<std::string>{PathOf("t/done.json"), PathOf("t/pending.json")}));
}

TEST_F(FileSystemTest, ListOfAMissingDirectoryIsEmpty) {
  auto missing = fs_->List(PathOf("no/such/dir/"));
  ASSERT_TRUE(missing.ok()) << missing.status().ToString();
  EXPECT_TRUE(missing->empty());
  auto partial = fs_->List(PathOf("no/such/prefix"));
  ASSERT_TRUE(partial.ok()) << partial.status().ToString();
  EXPECT_TRUE(partial->empty());
  WriteRaw("file", "f");
  auto under_file = fs_->List(PathOf("file/"));  // a file used as a directory
  ASSERT_TRUE(under_file.ok()) << under_file.status().ToString();
  EXPECT_TRUE(under_file->empty());
}

TEST_F(FileSystemTest, ListCountsFileSymlinksAndDoesNotFollowDirectorySymlinks) {
  WriteRaw("t/real.txt", "real");
  ASSERT_EQ(::symlink(PathOf("t/real.txt").c_str(), PathOf("t/link.txt").c_str()), 0);
  ASSERT_EQ(::symlink(PathOf("t").c_str(), PathOf("t/loop").c_str()), 0);  // a cycle
  ASSERT_EQ(::symlink(PathOf("t/missing").c_str(), PathOf("t/dangling").c_str()), 0);
  auto files = fs_->List(PathOf("t/"));
  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(PathsOf(*files),
            (std::vector<std::string>{PathOf("t/link.txt"), PathOf("t/real.txt")}));
  EXPECT_EQ((*files)[0].size, 4);
}

TEST_F(FileSystemTest, ListWithRelativePathsReturnsRelativePaths) {
  WriteRaw("rel/one.txt", "1");
  WriteRaw("rel/two/three.txt", "3");
  char previous[4096] = {};
  ASSERT_NE(::getcwd(previous, sizeof(previous)), nullptr);
  ASSERT_EQ(::chdir(dir_.c_str()), 0);
  auto files = fs_->List("rel/");
  auto partial = fs_->List("re");
  auto written = WriteObject(fs_.get(), "top.txt", "top");
  auto read = fs_->ReadAll("top.txt");
  ASSERT_EQ(::chdir(previous), 0);

  ASSERT_TRUE(files.ok()) << files.status().ToString();
  EXPECT_EQ(PathsOf(*files), (std::vector<std::string>{"rel/one.txt", "rel/two/three.txt"}));
  ASSERT_TRUE(partial.ok()) << partial.status().ToString();
  EXPECT_EQ(PathsOf(*partial), (std::vector<std::string>{"rel/one.txt", "rel/two/three.txt"}));
  ASSERT_TRUE(written.ok()) << written.ToString();
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(*read, "top");
}

TEST_F(FileSystemTest, StatReportsSizeAndModificationTime) {
  const std::string path = WriteRaw("stat.bin", "12345");
  const struct timespec times[2] = {{1700000000, 123456789}, {1700000000, 123456789}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
  auto info = fs_->Stat(path);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_EQ(info->path, path);
  EXPECT_EQ(info->size, 5);
  EXPECT_EQ(info->modification_time_ms, 1700000000123);

  auto listed = fs_->List(path);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].modification_time_ms, 1700000000123);
}

TEST_F(FileSystemTest, DeleteIsIdempotent) {
  const std::string path = WriteRaw("gone.txt", "bye");
  EXPECT_TRUE(fs_->Delete(path).ok());
  EXPECT_EQ(fs_->Stat(path).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(fs_->Delete(path).ok());
  EXPECT_TRUE(fs_->Delete(PathOf("never/existed")).ok());
}

TEST_F(FileSystemTest, MissingObjectsAreNotFoundAndNamed) {
  const std::string path = PathOf("missing.parquet");
  const Status read_all = fs_->ReadAll(path).status();
  EXPECT_EQ(read_all.code(), StatusCode::kNotFound);
  EXPECT_NE(read_all.message().find(path), std::string::npos) << read_all.ToString();
  const Status open = fs_->OpenForRead(path).status();
  EXPECT_EQ(open.code(), StatusCode::kNotFound);
  EXPECT_NE(open.message().find(path), std::string::npos) << open.ToString();
  const Status stat = fs_->Stat(path).status();
  EXPECT_EQ(stat.code(), StatusCode::kNotFound);
  EXPECT_NE(stat.message().find(path), std::string::npos) << stat.ToString();
  std::filesystem::create_directories(PathOf("a_directory"));
  EXPECT_EQ(fs_->Stat(PathOf("a_directory")).status().code(), StatusCode::kNotFound);
}

TEST_F(FileSystemTest, WriteErrorsNameThePath) {
  WriteRaw("blocker", "a file where a directory is needed");
  const std::string path = PathOf("blocker/child.txt");
  const Status write = fs_->OpenForWrite(path).status();
  EXPECT_FALSE(write.ok());
  EXPECT_NE(write.message().find(PathOf("blocker")), std::string::npos) << write.ToString();
  const Status create = fs_->CreateIfAbsent(path, "x").status();
  EXPECT_FALSE(create.ok());
  EXPECT_NE(create.message().find(PathOf("blocker")), std::string::npos) << create.ToString();
}

TEST_F(FileSystemTest, FileURIsRoundTripAndListInTheCallersForm) {
  const std::string uri = "file://" + PathOf("lake/t/part-0.parquet");
  auto out = fs_->OpenForWrite(uri);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ((*out)->path(), uri);
  ASSERT_TRUE((*out)->Write("parquet bytes").ok());
  ASSERT_TRUE((*out)->Close().ok());

  EXPECT_EQ(ReadRaw(PathOf("lake/t/part-0.parquet")), "parquet bytes");
  auto via_uri = fs_->ReadAll(uri);
  ASSERT_TRUE(via_uri.ok()) << via_uri.status().ToString();
  EXPECT_EQ(*via_uri, "parquet bytes");
  auto file = fs_->OpenForRead(uri);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ((*file)->path(), uri);
  EXPECT_EQ((*file)->size(), 13);

  const std::string log = "file://" + PathOf("lake/t/_delta_log/00000000000000000000.json");
  auto created = fs_->CreateIfAbsent(log, "{}");
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_TRUE(*created);

  auto listed = fs_->List("file://" + PathOf("lake/"));
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(PathsOf(*listed), (std::vector<std::string>{log, uri}));
  auto partial = fs_->List("file://" + PathOf("lake/t/part-"));
  ASSERT_TRUE(partial.ok());
  EXPECT_EQ(PathsOf(*partial), std::vector<std::string>{uri});
  auto plain = fs_->List(PathOf("lake/"));
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(PathsOf(*plain),
            (std::vector<std::string>{PathOf("lake/t/_delta_log/00000000000000000000.json"),
                                      PathOf("lake/t/part-0.parquet")}));

  auto info = fs_->Stat(uri);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->path, uri);
  EXPECT_TRUE(fs_->Delete(uri).ok());
  EXPECT_EQ(fs_->Stat(uri).status().code(), StatusCode::kNotFound);

  // file://localhost/ is the same local file.
  auto localhost = fs_->ReadAll("file://localhost" + PathOf("lake/t/_delta_log/"
                                                            "00000000000000000000.json"));
  ASSERT_TRUE(localhost.ok()) << localhost.status().ToString();
  EXPECT_EQ(*localhost, "{}");
}

TEST_F(FileSystemTest, UnsupportedSchemesAreInvalidArguments) {
  const Status s3 = fs_->ReadAll("s3://bucket/lake/t/x.parquet").status();
  EXPECT_EQ(s3.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s3.message().find("the local file system does not take 's3://'"), std::string::npos)
      << s3.ToString();
  const Status gcs = fs_->List("gs://bucket/lake/").status();
  EXPECT_EQ(gcs.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(gcs.message().find("'gs://'"), std::string::npos) << gcs.ToString();
  EXPECT_EQ(fs_->OpenForWrite("hdfs://nn/x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fs_->CreateIfAbsent("s3://b/x", "x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fs_->Delete("s3://b/x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fs_->Stat("s3://b/x").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(fs_->OpenForRead("s3://b/x").status().code(), StatusCode::kInvalidArgument);
  // A file URI with a host other than localhost is not a local path.
  EXPECT_EQ(fs_->ReadAll("file://server/share/x").status().code(), StatusCode::kInvalidArgument);
}

TEST(FileSystemForUriTest, PicksTheLocalFileSystemForPlainPathsAndFileURIs) {
  for (const char* uri : {"/data/lake/t", "lake/t", "file:///data/lake/t", "FILE:///data"}) {
    auto fs = FileSystemForUri(uri);
    ASSERT_TRUE(fs.ok()) << uri << ": " << fs.status().ToString();
    EXPECT_EQ((*fs)->scheme(), "file") << uri;
    EXPECT_EQ(fs->get(), LocalFileSystem().get()) << uri;
  }
  auto s3 = FileSystemForUri("S3://bucket/lake");
  ASSERT_TRUE(s3.ok()) << s3.status().ToString();
  EXPECT_EQ((*s3)->scheme(), "s3");
  EXPECT_EQ(FileSystemForUri("s3://other/x")->get(), s3->get());  // one per process
  const Status azure = FileSystemForUri("abfss://container@account/lake").status();
  EXPECT_EQ(azure.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(azure.message().find("abfss"), std::string::npos) << azure.ToString();
}

TEST(JoinPathTest, JoinsWithExactlyOneSlash) {
  EXPECT_EQ(JoinPath("a/b", "c"), "a/b/c");
  EXPECT_EQ(JoinPath("a/b/", "/c"), "a/b/c");
  EXPECT_EQ(JoinPath("a/b/", "c/d.json"), "a/b/c/d.json");
  EXPECT_EQ(JoinPath("a/b", "/c"), "a/b/c");
  EXPECT_EQ(JoinPath("/", "c"), "/c");
  EXPECT_EQ(JoinPath("", "c"), "c");
  EXPECT_EQ(JoinPath("file:///data/lake", "_delta_log"), "file:///data/lake/_delta_log");
  EXPECT_EQ(JoinPath("file:///data/lake/", "/_delta_log"), "file:///data/lake/_delta_log");
  EXPECT_EQ(JoinPath("file:///", "data"), "file:///data");
  EXPECT_EQ(JoinPath("s3://bucket", "t/x"), "s3://bucket/t/x");
  EXPECT_EQ(JoinPath("s3://bucket/", "t/x"), "s3://bucket/t/x");
}

// Exit codes of the racing children.
constexpr int kChildCreated = 10;
constexpr int kChildLost = 11;
constexpr int kChildFailed = 12;

std::string ContentsOf(int writer) {
  // Large enough that a torn or interleaved write would show.
  return "writer " + std::to_string(writer) + "\n" +
         std::string(256 * 1024, static_cast<char>('a' + writer));
}

TEST_F(FileSystemTest, CreateIfAbsentRaceAcrossProcessesHasOneWinner) {
  constexpr int kChildren = 5;
  for (int round = 0; round < 3; ++round) {
    const std::string path = PathOf("race" + std::to_string(round) + "/_delta_log/commit.json");
    int start[2] = {-1, -1};  // children block on the pipe until the parent closes it
    ASSERT_EQ(::pipe(start), 0);
    std::vector<pid_t> children;
    for (int child = 0; child < kChildren; ++child) {
      const pid_t pid = ::fork();
      ASSERT_GE(pid, 0);
      if (pid == 0) {
        ::close(start[1]);
        char byte = 0;
        (void)!::read(start[0], &byte, 1);
        auto created = LocalFileSystem()->CreateIfAbsent(path, ContentsOf(child));
        ::_exit(!created.ok() ? kChildFailed : (*created ? kChildCreated : kChildLost));
      }
      children.push_back(pid);
    }
    ::close(start[0]);
    ::close(start[1]);  // go

    int winner = -1;
    int winners = 0;
    int losers = 0;
    for (int child = 0; child < kChildren; ++child) {
      int status = 0;
      ASSERT_EQ(::waitpid(children[child], &status, 0), children[child]);
      ASSERT_TRUE(WIFEXITED(status));
      const int code = WEXITSTATUS(status);
      EXPECT_NE(code, kChildFailed) << "child " << child;
      if (code == kChildCreated) {
        ++winners;
        winner = child;
      }
      if (code == kChildLost) ++losers;
    }
    EXPECT_EQ(winners, 1);
    EXPECT_EQ(losers, kChildren - 1);
    ASSERT_GE(winner, 0);
    EXPECT_EQ(ReadRaw(path), ContentsOf(winner));
    EXPECT_EQ(EntriesUnder(PathOf("race" + std::to_string(round) + "/_delta_log")),
              std::vector<std::string>{"commit.json"});
  }
}

TEST_F(FileSystemTest, CreateIfAbsentRaceAcrossThreadsHasOneWinner) {
  constexpr int kThreads = 8;
  const std::string path = PathOf("threads/_delta_log/commit.json");
  std::latch start(kThreads);
  std::atomic<int> winners{0};
  std::atomic<int> winner{-1};
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int index = 0; index < kThreads; ++index) {
    threads.emplace_back([&, index] {
      start.arrive_and_wait();
      auto created = fs_->CreateIfAbsent(path, ContentsOf(index));
      if (!created.ok()) {
        ++failures;
      } else if (*created) {
        ++winners;
        winner = index;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(winners.load(), 1);
  ASSERT_GE(winner.load(), 0);
  EXPECT_EQ(ReadRaw(path), ContentsOf(winner.load()));
  EXPECT_EQ(EntriesUnder(PathOf("threads/_delta_log")), std::vector<std::string>{"commit.json"});
}

TEST_F(FileSystemTest, ConcurrentWritersOfOnePathLeaveOneCompleteObject) {
  constexpr int kThreads = 4;
  const std::string path = PathOf("replaced/object.bin");
  std::latch start(kThreads);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int index = 0; index < kThreads; ++index) {
    threads.emplace_back([&, index] {
      start.arrive_and_wait();
      if (!WriteObject(fs_.get(), path, ContentsOf(index)).ok()) ++failures;
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  const std::string contents = ReadRaw(path);
  bool matches_one = false;
  for (int index = 0; index < kThreads; ++index) matches_one |= contents == ContentsOf(index);
  EXPECT_TRUE(matches_one);
  EXPECT_EQ(EntriesUnder(PathOf("replaced")), std::vector<std::string>{"object.bin"});
}

}  // namespace
}  // namespace sluice::io

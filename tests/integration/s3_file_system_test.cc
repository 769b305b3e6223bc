// The S3 file system against a real S3 server (radosgw, started by the ctest fixture).
#include "sluice/io/s3/s3_file_system.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <thread>

#include "s3_test_server.h"
#include "sluice/common/redactor.h"

namespace sluice::io::s3 {
namespace {

using sluice::testing::S3TestServer;

class S3FileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = S3TestServer::FromEnvironment();
    ASSERT_FALSE(server_.endpoint.empty());
    client_ = std::make_shared<S3Client>(server_.Config());
    fs_ = std::make_shared<S3FileSystem>(client_);
    prefix_ =
        S3TestServer::UniquePrefix(::testing::UnitTest::GetInstance()->current_test_info()->name());
  }

  std::string Path(const std::string& relative) const {
    return "s3://" + server_.bucket + "/" + prefix_ + relative;
  }

  static std::string Pattern(size_t size, uint32_t seed) {
    std::string data(size, '\0');
    uint32_t state = seed;
    for (char& c : data) {
      state = state * 1664525u + 1013904223u;
      c = static_cast<char>(state >> 24);
    }
    return data;
  }

  S3TestServer server_;
  std::shared_ptr<S3Client> client_;
  std::shared_ptr<S3FileSystem> fs_;
  std::string prefix_;
};

TEST_F(S3FileSystemTest, WritesReadsRangesStatsAndDeletes) {
  const std::string data = Pattern(100'000, 1);
  const std::string path = Path("dir/a file+with&odd=chars ü.bin");
  {
    auto out = fs_->OpenForWrite(path);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    ASSERT_TRUE((*out)->Write(data.substr(0, 1234)).ok());
    ASSERT_TRUE((*out)->Write(data.substr(1234)).ok());
    EXPECT_EQ((*out)->position(), 100'000);
    // Nothing is visible before Close().
    EXPECT_EQ(fs_->Stat(path).status().code(), StatusCode::kNotFound);
    ASSERT_TRUE((*out)->Close().ok());
  }
  auto all = fs_->ReadAll(path);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_TRUE(*all == data);

  auto file = fs_->OpenForRead(path);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ((*file)->size(), 100'000);
  std::string range(5000, '\0');
  ASSERT_TRUE((*file)->ReadAt(77'777, 5000, reinterpret_cast<uint8_t*>(range.data())).ok());
  EXPECT_TRUE(range == data.substr(77'777, 5000));
  uint8_t last = 0;
  ASSERT_TRUE((*file)->ReadAt(99'999, 1, &last).ok());
  EXPECT_EQ(static_cast<char>(last), data.back());
  EXPECT_EQ((*file)->ReadAt(99'999, 2, &last).code(), StatusCode::kDataError);
  EXPECT_TRUE((*file)->ReadAt(100'000, 0, &last).ok());

  auto info = fs_->Stat(path);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->size, 100'000);
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  EXPECT_LT(std::abs(info->modification_time_ms - now_ms), 120'000);

  // Replacing an object; an empty object.
  auto out = fs_->OpenForWrite(path);
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE((*out)->Close().ok());
  EXPECT_EQ(*fs_->ReadAll(path), "");

  ASSERT_TRUE(fs_->Delete(path).ok());
  EXPECT_EQ(fs_->ReadAll(path).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(fs_->OpenForRead(path).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(fs_->Delete(path).ok());  // deleting a missing object is fine
}

TEST_F(S3FileSystemTest, ListsEveryPageSortedAndDeletesInBatches) {
  S3Config config = server_.Config();
  config.settings.list_page_size = 7;
  auto paged = std::make_shared<S3FileSystem>(std::make_shared<S3Client>(config));
  std::vector<std::string> expected;
  for (int i = 0; i < 25; ++i) {
    const std::string path = Path((i % 2 == 0 ? "a/" : "b/deeper/") + std::to_string(i));
    auto created = paged->CreateIfAbsent(path, std::to_string(i));
    ASSERT_TRUE(created.ok() && *created) << path;
    expected.push_back(path);
  }
  std::sort(expected.begin(), expected.end());
  const int64_t requests_before = paged->client().stats().requests;
  auto listed = paged->List(Path(""));
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  EXPECT_EQ(paged->client().stats().requests - requests_before, 4);  // 7 + 7 + 7 + 4
  std::vector<std::string> paths;
  for (const FileInfo& file : *listed) paths.push_back(file.path);
  EXPECT_EQ(paths, expected);
  EXPECT_EQ((*listed)[0].size, 1);

  auto only_a = paged->List(Path("a/"));
  ASSERT_TRUE(only_a.ok());
  EXPECT_EQ(only_a->size(), 13u);
  auto none = paged->List(Path("nothing-here/"));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());

  std::vector<std::string> doomed = expected;
  doomed.push_back(Path("never-existed"));
  ASSERT_TRUE(paged->DeleteMany(doomed).ok());
  EXPECT_TRUE(paged->List(Path(""))->empty());
}

TEST_F(S3FileSystemTest, CreateIfAbsentCreatesOnceAndChecksTheStore) {
  const std::string path = Path("_delta_log/00000000000000000000.json");
  auto first = fs_->CreateIfAbsent(path, "first");
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_TRUE(*first);
  auto second = fs_->CreateIfAbsent(path, "second");
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_FALSE(*second);
  EXPECT_EQ(*fs_->ReadAll(path), "first");
  // The probe of the conditional-write check is gone; only the commit stays.
  auto listed = fs_->List(Path(""));
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].path, path);
}

TEST_F(S3FileSystemTest, MultipartUploadsInParallelAndLeavesNoParts) {
  S3Config config = server_.Config();
  config.settings.part_size = 5 << 20;
  config.settings.upload_parallelism = 3;
  auto fs = std::make_shared<S3FileSystem>(std::make_shared<S3Client>(config));
  const std::string data = Pattern((5 << 20) * 3 + 12345, 2);  // 4 parts, the last one small
  const std::string path = Path("big.bin");
  auto out = fs->OpenForWrite(path);
  ASSERT_TRUE(out.ok());
  for (size_t offset = 0; offset < data.size(); offset += 1 << 20) {
    ASSERT_TRUE((*out)->Write(std::string_view(data).substr(offset, 1 << 20)).ok());
  }
  ASSERT_TRUE((*out)->Close().ok());
  auto back = fs->ReadAll(path);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->size(), data.size());
  EXPECT_TRUE(*back == data);
  auto uploads = fs->client().ListMultipartUploads(server_.bucket, prefix_);
  ASSERT_TRUE(uploads.ok()) << uploads.status().ToString();
  EXPECT_TRUE(uploads->empty());

  // A stream dropped without Close() aborts its upload: no object, no parts.
  const std::string abandoned = Path("abandoned.bin");
  {
    auto stream = fs->OpenForWrite(abandoned);
    ASSERT_TRUE(stream.ok());
    ASSERT_TRUE((*stream)->Write(data.substr(0, (5 << 20) * 2 + 1)).ok());
    uploads = fs->client().ListMultipartUploads(server_.bucket, prefix_);
    ASSERT_TRUE(uploads.ok());
    EXPECT_EQ(uploads->size(), 1u);  // in progress
  }
  EXPECT_EQ(fs->Stat(abandoned).status().code(), StatusCode::kNotFound);
  uploads = fs->client().ListMultipartUploads(server_.bucket, prefix_);
  ASSERT_TRUE(uploads.ok());
  EXPECT_TRUE(uploads->empty());
}

// An upload a killed writer left behind (never completed, never aborted) is what VACUUM aborts:
// only once it is older than the cutoff, and a dry run only lists it.
TEST_F(S3FileSystemTest, StaleMultipartUploadsAreAbortedOnlyPastTheCutoff) {
  auto id = client_->CreateMultipartUpload(server_.bucket, prefix_ + "t/part-0.parquet");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  auto uploads = client_->ListMultipartUploads(server_.bucket, prefix_);
  ASSERT_TRUE(uploads.ok());
  ASSERT_EQ(uploads->size(), 1u);
  EXPECT_GT((*uploads)[0].initiated_ms, 0) << "the store gave no Initiated time";
  const int64_t initiated = (*uploads)[0].initiated_ms;
  // Younger than the cutoff: kept.
  auto kept = fs_->AbortStaleWrites(Path("t/"), initiated - 1000, /*dry_run=*/false);
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_TRUE(kept->empty());
  auto listed = fs_->AbortStaleWrites(Path("t/"), initiated + 1000, /*dry_run=*/true);
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].path, Path("t/part-0.parquet"));
  EXPECT_EQ(client_->ListMultipartUploads(server_.bucket, prefix_)->size(), 1u);
  auto aborted = fs_->AbortStaleWrites(Path("t"), initiated + 1000, /*dry_run=*/false);
  ASSERT_TRUE(aborted.ok()) << aborted.status().ToString();
  EXPECT_EQ(aborted->size(), 1u);
  EXPECT_TRUE(client_->ListMultipartUploads(server_.bucket, prefix_)->empty());
}

TEST_F(S3FileSystemTest, AWrongSecretIsAClearAuthenticationErrorThatNeverShowsTheSecret) {
  const std::string canary = "CANARY-wrong-secret-4f1c9e";
  Redactor::Global().Register(canary);
  S3Config config = server_.Config();
  config.credentials.secret_access_key = canary;
  auto fs = std::make_shared<S3FileSystem>(std::make_shared<S3Client>(config));
  const Status status = fs->ReadAll(Path("x")).status();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument) << status.ToString();
  EXPECT_NE(status.message().find("access denied"), std::string::npos) << status.ToString();
  EXPECT_NE(status.message().find("SignatureDoesNotMatch"), std::string::npos) << status.ToString();
  EXPECT_NE(status.message().find("the secret key does not match access key id '" +
                                  server_.access_key + "'"),
            std::string::npos)
      << status.ToString();
  EXPECT_EQ(status.ToString().find(canary), std::string::npos);
  EXPECT_EQ(fs->client().stats().retries, 0);  // not retried

  config = server_.Config();
  config.credentials.access_key_id = "NOSUCHKEYID";
  fs = std::make_shared<S3FileSystem>(std::make_shared<S3Client>(config));
  const Status unknown = fs->List(Path("")).status();
  EXPECT_EQ(unknown.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.message().find("'NOSUCHKEYID' is unknown"), std::string::npos)
      << unknown.ToString();
}

TEST_F(S3FileSystemTest, MissingBucketsAndCredentialsAreNamed) {
  const Status bucket = fs_->List("s3://no-such-bucket-here/x/").status();
  EXPECT_EQ(bucket.code(), StatusCode::kNotFound);
  EXPECT_NE(bucket.message().find("bucket 'no-such-bucket-here' does not exist"), std::string::npos)
      << bucket.ToString();
  S3Config config = server_.Config();
  config.credentials = {};
  config.credentials_error = "no S3 credentials found: set AWS_ACCESS_KEY_ID";
  auto fs = std::make_shared<S3FileSystem>(std::make_shared<S3Client>(config));
  const Status none = fs->ReadAll(Path("x")).status();
  EXPECT_EQ(none.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(none.message().find("no S3 credentials found"), std::string::npos);
  EXPECT_EQ(fs->client().stats().requests, 0);
}

TEST_F(S3FileSystemTest, ReusesConnections) {
  ASSERT_TRUE(fs_->CreateIfAbsent(Path("k"), "v").ok());
  const S3ClientStats before = client_->stats();
  for (int i = 0; i < 30; ++i) ASSERT_TRUE(fs_->ReadAll(Path("k")).ok());
  const S3ClientStats after = client_->stats();
  EXPECT_EQ(after.requests - before.requests, 30);
  EXPECT_LE(after.connections - before.connections, 1);
}

TEST_F(S3FileSystemTest, PresignedUrlsNeedNoCredentials) {
  ASSERT_TRUE(fs_->CreateIfAbsent(Path("shared/report.csv"), "a,b\n1,2\n").ok());
  const std::string url =
      client_->PresignedUrl("GET", server_.bucket, prefix_ + "shared/report.csv", 300);
  EXPECT_NE(url.find("X-Amz-Signature="), std::string::npos);
  HttpClient plain(HttpClientOptions{});
  HttpOutcome fetched = plain.Send({"GET", url, {}, {}, nullptr, 0});
  ASSERT_TRUE(fetched.ok()) << fetched.transport_error.message;
  EXPECT_EQ(fetched.response.status, 200) << fetched.response.body;
  EXPECT_EQ(fetched.response.body, "a,b\n1,2\n");
  // Tampering with the signature (or the object) makes it worthless.
  std::string tampered = url;
  tampered.back() = tampered.back() == '0' ? '1' : '0';
  EXPECT_EQ(plain.Send({"GET", tampered, {}, {}, nullptr, 0}).response.status, 403);
}

TEST_F(S3FileSystemTest, VirtualHostedUrlsNameTheBucketInTheHost) {
  // The server is configured with rgw dns name = localhost; curl resolves *.localhost itself.
  const std::string port = server_.endpoint.substr(server_.endpoint.rfind(':') + 1);
  S3Config config = server_.Config("http://localhost:" + port);
  config.url_style = "virtual";
  auto fs = std::make_shared<S3FileSystem>(std::make_shared<S3Client>(config));
  ASSERT_TRUE(fs->CreateIfAbsent(Path("v/one"), "1").ok());
  auto out = fs->OpenForWrite(Path("v/two"));
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE((*out)->Write("22").ok());
  ASSERT_TRUE((*out)->Close().ok());
  auto listed = fs->List(Path("v/"));
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[1].path, Path("v/two"));
  EXPECT_EQ(*fs_->ReadAll(Path("v/two")), "22");  // the same object, path style
}

TEST_F(S3FileSystemTest, RetriesAnUnreachableEndpointThenSaysSo) {
  S3Config config = server_.Config("http://127.0.0.1:9");  // discard port: nothing listens
  config.settings.max_attempts = 4;
  auto fs = std::make_shared<S3FileSystem>(std::make_shared<S3Client>(config));
  const Status status = fs->ReadAll(Path("x")).status();
  EXPECT_EQ(status.code(), StatusCode::kUnavailable) << status.ToString();
  EXPECT_NE(status.message().find("after 4 attempts"), std::string::npos) << status.ToString();
  EXPECT_NE(status.message().find("http://127.0.0.1:9"), std::string::npos);
  EXPECT_EQ(fs->client().stats().requests, 4);
  EXPECT_EQ(fs->client().stats().retries, 3);
}

}  // namespace
}  // namespace sluice::io::s3

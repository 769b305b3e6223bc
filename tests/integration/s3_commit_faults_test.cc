// Delta commits to a real S3 server through a proxy that delays, resets and swallows answers:
// every acknowledged commit lands exactly once, and the versions have no gap and no duplicate.
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "fault_proxy.h"
#include "s3_test_server.h"
#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/value_formatter.h"
#include "sluice/io/s3/s3_file_system.h"
#include "sluice/lake/delta_table.h"
#include "sluice/lake/table_scan.h"

namespace sluice {
namespace {

using columnar::DataType;
using columnar::Field;
using io::s3::S3Client;
using io::s3::S3Config;
using io::s3::S3FileSystem;
using sluice::testing::FaultPlan;
using sluice::testing::FaultProxy;
using sluice::testing::S3TestServer;

columnar::SchemaPtr RowSchema() {
  return std::make_shared<const columnar::Schema>(
      std::vector<Field>{{"id", DataType::Int64()}, {"writer", DataType::Int64()}});
}

lake::BatchSource OneRow(int64_t id, int64_t writer) {
  auto done = std::make_shared<bool>(false);
  return [=]() -> Result<columnar::BatchPtr> {
    if (*done) return columnar::BatchPtr();
    *done = true;
    columnar::Int64Builder ids(DataType::Int64());
    columnar::Int64Builder writers(DataType::Int64());
    ids.Append(id);
    writers.Append(writer);
    return std::make_shared<const columnar::Batch>(
        RowSchema(), std::vector<columnar::ColumnPtr>{ids.Finish(), writers.Finish()}, 1);
  };
}

// The ids in a table, with how often each occurs.
std::map<std::string, int> IdCounts(const std::shared_ptr<lake::DeltaLog>& log) {
  std::map<std::string, int> counts;
  auto snapshot = log->Load().ValueOrDie();
  auto scan = lake::TableScan::Open(log, snapshot).ValueOrDie();
  while (true) {
    columnar::BatchPtr batch = scan->Next().ValueOrDie();
    if (!batch) break;
    for (int64_t row = 0; row < batch->num_rows(); ++row) {
      std::string id;
      columnar::AppendValue(batch->column(0), row, columnar::ValueStyle::kJson, &id);
      ++counts[id];
    }
  }
  return counts;
}

class S3CommitFaultsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = S3TestServer::FromEnvironment();
    ASSERT_FALSE(server_.endpoint.empty());
    const std::string authority = server_.endpoint.substr(server_.endpoint.find("://") + 3);
    upstream_host_ = authority.substr(0, authority.find(':'));
    upstream_port_ = std::stoi(authority.substr(authority.find(':') + 1));
    table_ = "s3://" + server_.bucket + "/" +
             S3TestServer::UniquePrefix(
                 ::testing::UnitTest::GetInstance()->current_test_info()->name()) +
             "table";
  }

  // A file system that talks through `proxy`, with short timeouts so swallowed answers are
  // noticed quickly.
  std::shared_ptr<S3FileSystem> Through(const FaultProxy& proxy) const {
    S3Config config = server_.Config(proxy.endpoint());
    config.settings.request_timeout_ms = 1000;
    config.settings.connect_timeout_ms = 1000;
    config.settings.max_attempts = 12;
    config.settings.retry_base_delay_ms = 10;
    config.settings.retry_max_delay_ms = 100;
    return std::make_shared<S3FileSystem>(std::make_shared<S3Client>(config));
  }

  std::shared_ptr<S3FileSystem> Direct() const {
    return std::make_shared<S3FileSystem>(std::make_shared<S3Client>(server_.Config()));
  }

  S3TestServer server_;
  std::string upstream_host_;
  int upstream_port_ = 0;
  std::string table_;
};

TEST_F(S3CommitFaultsTest, CreateIfAbsentResolvesLostAnswersByReadingBack) {
  FaultPlan plan;
  plan.reset_after = 0.3;
  plan.swallow = 0.05;
  plan.delay = 0.1;
  plan.seed = 7;
  FaultProxy proxy(upstream_host_, upstream_port_, plan);
  auto fs = Through(proxy);
  for (int i = 0; i < 30; ++i) {
    const std::string path = table_ + "/objects/" + std::to_string(i);
    auto created = fs->CreateIfAbsent(path, "mine " + std::to_string(i));
    ASSERT_TRUE(created.ok()) << path << ": " << created.status().ToString();
    EXPECT_TRUE(*created) << path << ": our own landed write was taken for someone else's";
    auto again = fs->CreateIfAbsent(path, "other");
    ASSERT_TRUE(again.ok()) << again.status().ToString();
    EXPECT_FALSE(*again) << path;
    EXPECT_EQ(Direct()->ReadAll(path).ValueOrDie(), "mine " + std::to_string(i));
  }
  const auto counts = proxy.counts();
  std::cerr << "proxy: " << counts.requests << " requests, " << counts.reset_after
            << " reset after forwarding, " << counts.swallowed << " swallowed, " << counts.delayed
            << " delayed\n";
  EXPECT_GT(counts.reset_after, 5);  // the faults really happened
  EXPECT_GT(fs->client().stats().retries, 5);
}

TEST_F(S3CommitFaultsTest, ConcurrentCommitsThroughAFaultyNetworkLandExactlyOnce) {
  FaultPlan plan;
  plan.delay = 0.1;
  plan.reset_before = 0.04;
  plan.reset_after = 0.06;
  plan.swallow = 0.02;
  plan.seed = 2026;
  FaultProxy proxy(upstream_host_, upstream_port_, plan);
  constexpr int kWriters = 4;
  constexpr int kCommitsEach = 8;
  std::mutex mutex;
  std::map<int64_t, int64_t> acknowledged;  // version → id
  std::vector<std::string> failures;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      auto fs = Through(proxy);
      lake::DeltaTable table(std::make_shared<lake::DeltaLog>(fs, table_));
      for (int i = 0; i < kCommitsEach; ++i) {
        const int64_t id = w * 1000 + i;
        auto written = table.Write(RowSchema(), OneRow(id, w), {});
        std::lock_guard<std::mutex> lock(mutex);
        if (!written.ok()) {
          failures.push_back(written.status().ToString());
          continue;
        }
        const int64_t version = written->commit.version;
        if (acknowledged.count(version) != 0) {
          failures.push_back("version " + std::to_string(version) + " acknowledged twice");
        }
        acknowledged[version] = id;
      }
    });
  }
  for (std::thread& writer : writers) writer.join();
  EXPECT_TRUE(failures.empty()) << failures.front();
  const auto counts = proxy.counts();
  std::cerr << "proxy: " << counts.requests << " requests, " << counts.reset_before
            << " reset before forwarding, " << counts.reset_after << " reset after, "
            << counts.swallowed << " swallowed, " << counts.delayed << " delayed\n";
  EXPECT_GT(counts.reset_after + counts.swallowed, 3) << "too few faults to prove anything";

  // Read back without the proxy: versions 0..N-1, each acknowledged commit exactly once.
  auto log = std::make_shared<lake::DeltaLog>(Direct(), table_);
  auto history = log->History();
  ASSERT_TRUE(history.ok()) << history.status().ToString();
  EXPECT_EQ(history->size(), static_cast<size_t>(kWriters * kCommitsEach));
  std::set<int64_t> versions;
  for (const auto& entry : *history) versions.insert(entry.version);
  EXPECT_EQ(versions.size(), history->size());
  EXPECT_EQ(*versions.begin(), 0);
  EXPECT_EQ(*versions.rbegin(), kWriters * kCommitsEach - 1);
  const std::map<std::string, int> ids = IdCounts(log);
  EXPECT_EQ(ids.size(), acknowledged.size());
  for (const auto& [version, id] : acknowledged) {
    auto it = ids.find(std::to_string(id));
    ASSERT_NE(it, ids.end()) << "acknowledged id " << id << " (version " << version << ") is lost";
    EXPECT_EQ(it->second, 1) << "id " << id << " landed " << it->second << " times";
  }
}

TEST_F(S3CommitFaultsTest, ThrottlingIsRetriedAfterTheServersRetryAfter) {
  FaultPlan plan;
  plan.throttle = 0.3;
  plan.retry_after_s = 1;
  plan.seed = 11;
  FaultProxy proxy(upstream_host_, upstream_port_, plan);
  auto fs = Through(proxy);  // its own backoff is at most 100 ms
  const auto started = std::chrono::steady_clock::now();
  for (int i = 0; i < 4; ++i) {
    const std::string path = table_ + "/throttled/" + std::to_string(i);
    auto created = fs->CreateIfAbsent(path, "x");
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    EXPECT_TRUE(*created);
  }
  const auto elapsed = std::chrono::steady_clock::now() - started;
  const int64_t throttled = proxy.counts().throttled;
  EXPECT_GE(throttled, 2);
  EXPECT_EQ(fs->client().stats().retries, throttled);
  // Every throttled attempt waited the second the server asked for.
  EXPECT_GE(elapsed, std::chrono::seconds(throttled));
}

TEST_F(S3CommitFaultsTest, AStoreThatIgnoresConditionalWritesIsRefused) {
  FaultPlan plan;
  plan.fake_conditional_ok = 1.0;  // every PUT with If-None-Match "succeeds" without a check
  FaultProxy proxy(upstream_host_, upstream_port_, plan);
  auto fs = Through(proxy);
  lake::DeltaTable table(std::make_shared<lake::DeltaLog>(fs, table_));
  auto written = table.Write(RowSchema(), OneRow(1, 0), {});
  ASSERT_FALSE(written.ok());
  EXPECT_EQ(written.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(written.status().message().find("ignores conditional writes"), std::string::npos)
      << written.status().ToString();
  EXPECT_NE(written.status().message().find("refuses to commit"), std::string::npos);
  // No commit exists.
  auto listed = Direct()->List(table_ + "/_delta_log/");
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());
}

}  // namespace
}  // namespace sluice

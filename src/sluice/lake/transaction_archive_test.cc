// Expiring txn entries (delta.setTransactionRetentionDuration) without losing exactly-once: the
// archive's format, entries archived before they expire, lookups that fall back on the archive,
// checkpoints that carry it, and the skip rule of application transactions after expiry.
#include "sluice/lake/transaction_archive.h"

#include <gtest/gtest.h>

#include "sluice/columnar/column_builder.h"
#include "sluice/io/memory_file_system.h"
#include "sluice/lake/delta_table.h"
#include "sluice/lake/scratch_table.h"
#include "sluice/lake/table_features.h"

namespace sluice::lake {
namespace {

using columnar::DataType;
using scratch::SourceOf;

// The tables of these tests live in the in-memory file system: nothing touches a disk.
class MemoryRoot {
 public:
  explicit MemoryRoot(const std::string& name) : path_("mem://archive-test/" + name) {
    io::ClearMemoryFileSystem();
  }
  ~MemoryRoot() { io::ClearMemoryFileSystem(); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

constexpr int64_t kDay = 24ll * 3600 * 1000;
constexpr int64_t kStart = 1'700'000'000'000;

TEST(TransactionArchiveTest, RoundTripsAndRejectsWhatIsNotAnArchive) {
  TransactionArchive archive;
  archive.Record("sluice.file:inbox/a.csv", 42);
  archive.Record("sluice.upstream:bronze.orders", 7);
  archive.Record("sluice.file:inbox/a.csv", 43);  // replaces
  const std::string text = archive.Serialize();
  TransactionArchive parsed = TransactionArchive::Parse(text).ValueOrDie();
  EXPECT_EQ(parsed.size(), 2u);
  EXPECT_EQ(parsed.Find("sluice.file:inbox/a.csv"), 43);
  EXPECT_EQ(parsed.Find("sluice.upstream:bronze.orders"), 7);
  EXPECT_EQ(parsed.Find("sluice.file:inbox/b.csv"), std::nullopt);
  EXPECT_EQ(parsed.Serialize(), text);
  EXPECT_FALSE(TransactionArchive::Parse("{}").ok());
  EXPECT_FALSE(TransactionArchive::Parse(R"({"format":1,"entries":"abc"})").ok());
  EXPECT_FALSE(TransactionArchive::Parse(std::string(R"({"format":1,"entries":")") +
                                         std::string(48, 'z') + "\"}")
                   .ok());
}

columnar::BatchPtr OneRow(int64_t id) {
  columnar::Int64Builder ids(DataType::Int64());
  ids.Append(id);
  auto schema = std::make_shared<const columnar::Schema>(
      std::vector<columnar::Field>{{"id", DataType::Int64()}});
  return std::make_shared<const columnar::Batch>(schema,
                                                 std::vector<columnar::ColumnPtr>{ids.Finish()}, 1);
}

// Appends one row at `now_ms` recording `ledger` entries (as bronze records ingested files).
Result<WriteResult> AppendAt(DeltaTable* table, int64_t now_ms,
                             std::vector<std::pair<std::string, int64_t>> ledger,
                             std::map<std::string, std::string> configuration = {}) {
  TableWriteOptions options;
  options.commit.now_ms = now_ms;
  options.ledger = std::move(ledger);
  options.configuration = std::move(configuration);
  const columnar::BatchPtr batch = OneRow(now_ms);
  return table->Write(batch->schema(), SourceOf({batch}), options);
}

TEST(TransactionArchiveTest, EntriesAreArchivedBeforeTheyExpireAndStillAnswerLookups) {
  MemoryRoot dir("expiry");
  auto table = DeltaTable::Open(dir.path()).ValueOrDie();
  ASSERT_TRUE(AppendAt(table.get(), kStart, {{"sluice.file:a", 11}},
                       {{"delta.setTransactionRetentionDuration", "interval 2 days"},
                        {"delta.checkpointInterval", "3"}})
                  .ok());
  auto log = DeltaLog::Open(dir.path()).ValueOrDie();
  EXPECT_TRUE(SupportsWriterFeature(log->Load().ValueOrDie()->protocol, "domainMetadata"));
  ASSERT_TRUE(AppendAt(table.get(), kStart + kDay, {{"sluice.file:b", 22}}).ok());
  EXPECT_EQ(log->Load().ValueOrDie()->archived_transactions, nullptr);  // nothing old enough yet
  // Half the retention on, `a` is archived in the next commit, before it can expire.
  ASSERT_TRUE(AppendAt(table.get(), kStart + kDay * 3 / 2, {{"sluice.file:c", 33}}).ok());
  SnapshotPtr snapshot = log->Load().ValueOrDie();
  ASSERT_NE(snapshot->archived_transactions, nullptr);
  EXPECT_EQ(snapshot->archived_transactions->Find("sluice.file:a"), 11);
  EXPECT_EQ(snapshot->app_transactions.count("sluice.file:a"), 1u);  // not expired yet

  // Day 3 (version 3, checkpointed): `a` is past the retention and expires; `b` and `c` are
  // archived now. Every file still answers with its fingerprint.
  auto day3 = AppendAt(table.get(), kStart + 3 * kDay, {{"sluice.file:d", 44}});
  ASSERT_TRUE(day3.ok()) << day3.status().ToString();
  EXPECT_TRUE(day3->commit.checkpoint_written) << day3->commit.checkpoint_status.ToString();
  snapshot = log->Load().ValueOrDie();
  EXPECT_EQ(snapshot->checkpoint_version, 3);
  EXPECT_EQ(snapshot->app_transactions.count("sluice.file:a"), 0u);
  EXPECT_EQ(snapshot->archived_transactions->size(), 3u);
  for (const auto& [app_id, version] :
       std::vector<std::pair<std::string, int64_t>>{{"sluice.file:a", 11},
                                                    {"sluice.file:b", 22},
                                                    {"sluice.file:c", 33},
                                                    {"sluice.file:d", 44}}) {
    EXPECT_EQ(snapshot->TransactionVersion(app_id), version) << app_id;
  }
  EXPECT_EQ(snapshot->TransactionVersion("sluice.file:e"), std::nullopt);
  // The checkpoint carries the archive domain: the JSON log it covers is not needed for it.
  for (int v = 0; v <= 3; ++v) ASSERT_TRUE(log->fs()->Delete(log->CommitPath(v)).ok());
  ASSERT_EQ(log->fs()->Stat(log->CommitPath(0)).status().code(), StatusCode::kNotFound);
  SnapshotPtr from_checkpoint = log->Load().ValueOrDie();
  EXPECT_EQ(from_checkpoint->TransactionVersion("sluice.file:a"), 11);
  EXPECT_EQ(from_checkpoint->domains.size(), 1u);
}

TEST(TransactionArchiveTest, AnExpiredApplicationTransactionStillSkipsItsBatch) {
  MemoryRoot dir("skip");
  auto table = DeltaTable::Open(dir.path()).ValueOrDie();
  TableWriteOptions options;
  options.configuration["delta.setTransactionRetentionDuration"] = "interval 1 day";
  options.app_transaction = {"stream-1", 5};
  options.commit.now_ms = kStart;
  const columnar::BatchPtr batch = OneRow(1);
  ASSERT_TRUE(table->Write(batch->schema(), SourceOf({batch}), options).ok());
  // Other writes move the table's clock on; the entry is archived, then expires.
  for (int day = 1; day <= 3; ++day) {
    ASSERT_TRUE(AppendAt(table.get(), kStart + day * kDay, {{"other", day}}).ok());
  }
  SnapshotPtr snapshot = DeltaLog::Open(dir.path()).ValueOrDie()->Load().ValueOrDie();
  EXPECT_EQ(snapshot->app_transactions.count("stream-1"), 0u);
  options.commit.now_ms = kStart + 4 * kDay;
  auto again = table->Write(batch->schema(), SourceOf({batch}), options);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_TRUE(again->commit.already_committed);
  EXPECT_EQ(scratch::ReadRows(dir.path()).size(), 4u);  // the batch once, three appends
  // A table without the property keeps every entry, however old.
  const std::string plain_root = dir.path() + "-plain";
  auto forever = DeltaTable::Open(plain_root).ValueOrDie();
  ASSERT_TRUE(AppendAt(forever.get(), kStart, {{"sluice.file:a", 1}}).ok());
  ASSERT_TRUE(AppendAt(forever.get(), kStart + 400 * kDay, {{"sluice.file:b", 2}}).ok());
  snapshot = DeltaLog::Open(plain_root).ValueOrDie()->Load().ValueOrDie();
  EXPECT_EQ(snapshot->app_transactions.count("sluice.file:a"), 1u);
  EXPECT_EQ(snapshot->archived_transactions, nullptr);
}

}  // namespace
}  // namespace sluice::lake

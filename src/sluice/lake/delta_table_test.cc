// Delta table operations end to end on a local folder: writes, reads, time travel, schema
// evolution, partitions, DELETE, MERGE, OPTIMIZE, VACUUM, conflicts, idempotent commits.
#include "sluice/lake/delta_table.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/value_formatter.h"
#include "sluice/io/memory_file_system.h"
#include "sluice/lake/deletion_vector_writer.h"
#include "sluice/lake/scratch_table.h"
#include "sluice/lake/table_scan.h"

namespace sluice::lake {
namespace {

using scratch::ReadRows;
using scratch::SourceOf;
using scratch::TempDir;

using columnar::DataType;
using columnar::Field;

columnar::SchemaPtr OrdersSchema() {
  return std::make_shared<const columnar::Schema>(
      std::vector<Field>{{"id", DataType::Int64()},
                         {"region", DataType::String()},
                         {"amount", DataType::Decimal(10, 2)}});
}

// Rows (id, region, amount cents) as a batch.
columnar::BatchPtr Orders(const std::vector<std::tuple<int64_t, std::string, int64_t>>& rows,
                          columnar::SchemaPtr schema = OrdersSchema()) {
  columnar::Int64Builder ids(DataType::Int64());
  columnar::StringBuilder regions;
  columnar::DecimalBuilder amounts(DataType::Decimal(10, 2));
  for (const auto& [id, region, cents] : rows) {
    ids.Append(id);
    if (region.empty()) {
      regions.AppendNull();
    } else {
      regions.Append(region);
    }
    amounts.Append(cents);
  }
  return std::make_shared<const columnar::Batch>(
      schema, std::vector<columnar::ColumnPtr>{ids.Finish(), regions.Finish(), amounts.Finish()},
      static_cast<int64_t>(rows.size()));
}

RemoveFile MakeRemove(const std::string& path, int64_t timestamp) {
  RemoveFile remove;
  remove.path = path;
  remove.deletion_timestamp = timestamp;
  return remove;
}

AddFile MakeAdd(const std::string& path, int64_t size) {
  AddFile add;
  add.path = path;
  add.size = size;
  return add;
}

TableWriteOptions CreateOnly() {
  TableWriteOptions options;
  options.mode = WriteMode::kCreate;
  return options;
}

std::string Row(int64_t id, const std::string& region, const std::string& amount) {
  return "id=" + std::to_string(id) +
         "|region=" + (region.empty() ? "null" : "\"" + region + "\"") + "|amount=" + amount;
}

WriteResult WriteOrders(DeltaTable* table, columnar::BatchPtr batch, WriteMode mode,
                        TableWriteOptions options = {}) {
  options.mode = mode;
  auto result = table->Write(batch->schema(), SourceOf({batch}), options);
  EXPECT_TRUE(result.ok()) << result.status().ToString();
  return result.ok() ? *result : WriteResult{};
}

TEST(DeltaTableTest, CreateAppendOverwriteAndTimeTravel) {
  TempDir dir;
  auto table = DeltaTable::Open(dir.path()).ValueOrDie();
  WriteResult created =
      WriteOrders(table.get(), Orders({{1, "eu", 1050}, {2, "us", 99}}), WriteMode::kAppend);
  EXPECT_TRUE(created.created);
  EXPECT_EQ(created.commit.version, 0);
  EXPECT_EQ(created.rows, 2);
  WriteResult appended = WriteOrders(table.get(), Orders({{3, "", 1}}), WriteMode::kAppend);
  EXPECT_EQ(appended.commit.version, 1);
  EXPECT_FALSE(appended.created);
  EXPECT_EQ(
      ReadRows(dir.path()),
      (std::vector<std::string>{Row(1, "eu", "10.50"), Row(2, "us", "0.99"), Row(3, "", "0.01")}));
  WriteResult overwritten =
      WriteOrders(table.get(), Orders({{9, "apac", 500}}), WriteMode::kOverwrite);
  EXPECT_EQ(overwritten.commit.version, 2);
  EXPECT_EQ(overwritten.files_removed, 2);
  EXPECT_EQ(ReadRows(dir.path()), (std::vector<std::string>{Row(9, "apac", "5.00")}));
  // Time travel by version and by timestamp.
  EXPECT_EQ(ReadRows(dir.path(), 0).size(), 2u);
  EXPECT_EQ(ReadRows(dir.path(), 1).size(), 3u);
  auto log = DeltaLog::Open(dir.path()).ValueOrDie();
  auto v1 = log->Load(1).ValueOrDie();
  auto at = log->LoadAtTimestamp(v1->timestamp_ms).ValueOrDie();
  EXPECT_EQ(at->version, 1);
  EXPECT_EQ(log->LoadAtTimestamp(0).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(log->Load(7).status().code(), StatusCode::kNotFound);
  // kCreate refuses an existing table.
  auto again = table->Write(OrdersSchema(), SourceOf({Orders({{1, "x", 1}})}), CreateOnly());
  EXPECT_EQ(again.status().code(), StatusCode::kInvalidArgument);
  // History, newest first, with operation metrics.
  auto history = log->History().ValueOrDie();
  ASSERT_EQ(history.size(), 3u);
  EXPECT_EQ(history[0].version, 2);
  ASSERT_TRUE(history[0].commit_info.has_value());
  EXPECT_EQ(history[0].commit_info->operation, "WRITE");
  EXPECT_EQ(history[0].commit_info->operation_parameters.at("mode"), "Overwrite");
  EXPECT_EQ(history[0].commit_info->operation_metrics.at("numOutputRows"), "1");
  EXPECT_TRUE(history[0].commit_info->txn_id.has_value());
}

TEST(DeltaTableTest, SchemaEvolutionAddsNullableColumnsAndRefusesTypeChanges) {
  TempDir dir;
  auto table = DeltaTable::Open(dir.path()).ValueOrDie();
  WriteOrders(table.get(), Orders({{1, "eu", 100}}), WriteMode::kAppend);
  // A new column is added; old rows read it as null.
  auto wider = std::make_shared<const columnar::Schema>(
      std::vector<Field>{{"id", DataType::Int64()}, {"channel", DataType::String()}});
  columnar::Int64Builder ids(DataType::Int64());
  ids.Append(2);
  columnar::StringBuilder channels;
  channels.Append("web");
  auto batch = std::make_shared<const columnar::Batch>(
      wider, std::vector<columnar::ColumnPtr>{ids.Finish(), channels.Finish()}, 1);
  auto result = table->Write(wider, SourceOf({batch}), TableWriteOptions{});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->new_columns, std::vector<std::string>{"channel"});
  EXPECT_EQ(ReadRows(dir.path()),
            (std::vector<std::string>{"id=1|region=\"eu\"|amount=1.00|channel=null",
                                      "id=2|region=null|amount=null|channel=\"web\""}));
  // Refused when evolution is off.
  TableWriteOptions strict;
  strict.allow_new_columns = false;
  auto other = std::make_shared<const columnar::Schema>(
      std::vector<Field>{{"id", DataType::Int64()}, {"extra", DataType::Int64()}});
  columnar::Int64Builder a(DataType::Int64()), b(DataType::Int64());
  a.Append(3);
  b.Append(4);
  auto extra = std::make_shared<const columnar::Batch>(
      other, std::vector<columnar::ColumnPtr>{a.Finish(), b.Finish()}, 1);
  EXPECT_EQ(table->Write(other, SourceOf({extra}), strict).status().code(),
            StatusCode::kSchemaMismatch);
  // An incompatible type change names the column.
  auto changed =
      std::make_shared<const columnar::Schema>(std::vector<Field>{{"id", DataType::String()}});
  columnar::StringBuilder text;
  text.Append("x");
  auto bad = std::make_shared<const columnar::Batch>(
      changed, std::vector<columnar::ColumnPtr>{text.Finish()}, 1);
  auto refused = table->Write(changed, SourceOf({bad}), TableWriteOptions{});
  EXPECT_EQ(refused.status().code(), StatusCode::kSchemaMismatch);
  EXPECT_NE(refused.status().message().find("id"), std::string::npos);
  // Nothing of the refused writes remains: 2 data files only.
  auto snapshot = DeltaLog::Open(dir.path()).ValueOrDie()->Load().ValueOrDie();
  EXPECT_EQ(snapshot->version, 1);
  int parquet_files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path())) {
    parquet_files += entry.path().extension() == ".parquet" &&
                     entry.path().string().find("_delta_log") == std::string::npos;
  }
  EXPECT_EQ(parquet_files, 2);
}

TEST(DeltaTableTest, PartitionedWritesUseHiveFoldersAndReadBack) {
  TempDir dir;
  auto table = DeltaTable::Open(dir.path()).ValueOrDie();
  TableWriteOptions options;
  options.partition_by = {"region"};
  WriteOrders(
      table.get(),
      Orders({{1, "eu", 100}, {2, "us", 200}, {3, "eu", 300}, {4, "", 400}, {5, "a/b=c", 500}}),
      WriteMode::kAppend, options);
  auto snapshot = DeltaLog::Open(dir.path()).ValueOrDie()->Load().ValueOrDie();
  EXPECT_EQ(snapshot->metadata.partition_columns, std::vector<std::string>{"region"});
  EXPECT_EQ(snapshot->files.size(), 4u);
  std::set<std::string> folders;
  for (const auto& [key, add] : snapshot->files) {
    folders.insert(key.path.substr(0, key.path.find('/')));
    EXPECT_EQ(add.partition_values.count("region"), 1u);
  }
  EXPECT_EQ(folders,
            (std::set<std::string>{"region=eu", "region=us", "region=__HIVE_DEFAULT_PARTITION__",
                                   "region=a%2Fb%3Dc"}));
  EXPECT_EQ(
      ReadRows(dir.path()),
      (std::vector<std::string>{Row(1, "eu", "1.00"), Row(2, "us", "2.00"), Row(3, "eu", "3.00"),
                                Row(4, "", "4.00"), Row(5, "a/b=c", "5.00")}));
  // DELETE by partition value only touches that partition.
  auto deleted = table->Delete("region = 'eu'").ValueOrDie();
  EXPECT_EQ(deleted.rows_deleted, 2);
  EXPECT_EQ(deleted.files_read, 1);
  EXPECT_EQ(deleted.files_added, 0);
  EXPECT_EQ(ReadRows(dir.path()).size(), 3u);
}

TEST(DeltaTableTest, DeleteReadsOnlyFilesWhoseStatisticsMayMatch) {
  TempDir dir;
  auto table = DeltaTable::Open(dir.path()).ValueOrDie();
  for (int64_t file = 0; file < 5; ++file) {
    std::vector<std::tuple<int64_t, std::string, int64_t>> rows;
    for (int64_t i = 0; i < 100; ++i) rows.emplace_back(file * 100 + i, "r", i);
    WriteOrders(table.get(), Orders(rows), WriteMode::kAppend);
  }
  auto result = table->Delete("id >= 250 AND id < 260").ValueOrDie();
  EXPECT_EQ(result.files_total, 5);
  EXPECT_EQ(result.files_read, 1);
  EXPECT_EQ(result.files_removed, 1);
  EXPECT_EQ(result.rows_deleted, 10);
  EXPECT_EQ(result.rows_copied, 90);
  EXPECT_EQ(ReadRows(dir.path()).size(), 490u);
  // Nothing matches: no commit.
  auto none = table->Delete("id > 100000").ValueOrDie();
  EXPECT_EQ(none.commit.version, -1);
  EXPECT_EQ(none.files_read, 0);
  // IS NULL, a file-level match with no row matching leaves the file in place.
  auto nulls = table->Delete("region IS NULL").ValueOrDie();
  EXPECT_EQ(nulls.rows_deleted, 0);
  EXPECT_EQ(nulls.files_read, 0);
  auto bad = table->Delete("nope = 1");
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("nope"), std::string::npos);
}

TEST(DeltaTableTest, MergeUpsertsByKeyAndSkipsFilesOutsideTheKeyRange) {
  TempDir dir;
  auto table = DeltaTable::Open(dir.path()).ValueOrDie();
  for (int64_t file = 0; file < 4; ++file) {
    std::vector<std::tuple<int64_t, std::string, int64_t>> rows;
    for (int64_t i = 0; i < 10; ++i) rows.emplace_back(file * 10 + i, "old", 100);
    WriteOrders(table.get(), Orders(rows), WriteMode::kAppend);
  }
  MergeOptions options;
  options.keys = {"id"};
  auto changes = Orders({{12, "new", 999}, {15, "new", 1}, {100, "ins", 5}});
  auto result = table->Merge(changes->schema(), SourceOf({changes}), options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->rows_updated, 2);
  EXPECT_EQ(result->rows_inserted, 1);
  EXPECT_EQ(result->files_total, 4);
  EXPECT_EQ(result->files_read, 1);  // only the file with ids 10..19 can hold 12, 15 or 100
  EXPECT_EQ(result->files_removed, 1);
  EXPECT_EQ(result->rows_copied, 8);
  const std::vector<std::string> rows = ReadRows(dir.path());
  EXPECT_EQ(rows.size(), 41u);
  EXPECT_TRUE(std::find(rows.begin(), rows.end(), Row(12, "new", "9.99")) != rows.end());
  EXPECT_TRUE(std::find(rows.begin(), rows.end(), Row(100, "ins", "0.05")) != rows.end());
  EXPECT_TRUE(std::find(rows.begin(), rows.end(), Row(12, "old", "1.00")) == rows.end());
  // A file whose range holds a source key but whose rows do not is read (its key column only)
  // and left as it is.
  std::vector<std::tuple<int64_t, std::string, int64_t>> even;
  for (int64_t i = 0; i < 10; ++i) even.emplace_back(200 + 2 * i, "even", 1);
  WriteOrders(table.get(), Orders(even), WriteMode::kAppend);
  auto odd = Orders({{205, "odd", 7}});
  auto probed = table->Merge(odd->schema(), SourceOf({odd}), options);
  ASSERT_TRUE(probed.ok()) << probed.status().ToString();
  EXPECT_EQ(probed->files_read, 1);
  EXPECT_EQ(probed->files_removed, 0);
  EXPECT_EQ(probed->rows_copied, 0);
  EXPECT_EQ(probed->rows_inserted, 1);
  EXPECT_EQ(ReadRows(dir.path()).size(), 52u);
  // A key twice in the source is refused, naming it.
  // The source rows are written as they are read, so the files of a refused merge are deleted.
  const auto data_files = [&] {
    int files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
      files += entry.path().extension() == ".parquet" ? 1 : 0;
    }
    return files;
  };
  const int files_before = data_files();
  auto dup = Orders({{1, "a", 1}, {300, "x", 1}, {1, "b", 2}});
  auto refused = table->Merge(dup->schema(), SourceOf({dup}), options);
  EXPECT_EQ(refused.status().code(), StatusCode::kDataError);
  EXPECT_NE(refused.status().message().find("(1)"), std::string::npos);
  EXPECT_EQ(data_files(), files_before);
}

TEST(DeltaTableTest, MergeRowsMarkedAsDeletesRemoveTheirKeys) {
  TempDir dir;
  auto table = DeltaTable::Open(dir.path()).ValueOrDie();
  WriteOrders(table.get(), Orders({{1, "a", 1}, {2, "b", 2}, {3, "c", 3}}), WriteMode::kAppend);
  MergeOptions options;
  options.keys = {"id"};
  // A row whose customer is "DELETE" deletes its key: a matched one removes the row, an
  // unmatched one (9) does nothing; the others upsert.
  options.is_delete = [](const columnar::Batch& batch, int64_t row) {
    const auto& customer = static_cast<const columnar::StringColumn&>(batch.column(1));
    return customer.Value(row) == "DELETE";
  };
  auto changes = Orders({{2, "DELETE", 0}, {3, "c2", 30}, {4, "d", 4}, {9, "DELETE", 0}});
  auto result = table->Merge(changes->schema(), SourceOf({changes}), options);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->rows_deleted, 1);
  EXPECT_EQ(result->rows_updated, 1);
  EXPECT_EQ(result->rows_inserted, 1);
  std::vector<std::string> rows = ReadRows(dir.path());
  std::sort(rows.begin(), rows.end());
  EXPECT_EQ(rows, (std::vector<std::string>{Row(1, "a", "0.01"), Row(3, "c2", "0.30"),
                                            Row(4, "d", "0.04")}));
}

TEST(DeltaTableTest, ConcurrentDeletesOfTheSameFileConflictButBlindAppendsDoNot) {
  TempDir dir;
  auto table = DeltaTable::Open(dir.path()).ValueOrDie();
  WriteOrders(table.get(), Orders({{1, "eu", 1}, {2, "eu", 2}}), WriteMode::kAppend);
  auto log = DeltaLog::Open(dir.path()).ValueOrDie();
  auto snapshot = log->Load().ValueOrDie();
  const auto& [key, add] = *snapshot->files.begin();
  // Two transactions read the same snapshot and both remove the file.
  Transaction first(log, snapshot);
  first.MarkFileRead(key);
  first.Remove(MakeRemove(add.path, 1));
  Transaction second(log, snapshot);
  second.MarkFileRead(key);
  second.Remove(MakeRemove(add.path, 1));
  ASSERT_TRUE(first.Commit("DELETE", {}, {}).ok());
  auto lost = second.Commit("DELETE", {}, {});
  EXPECT_EQ(lost.status().code(), StatusCode::kConflict);
  EXPECT_NE(lost.status().message().find("version 1 (DELETE)"), std::string::npos);
  // Two blind appends from the same snapshot both land.
  auto base = log->Load().ValueOrDie();
  Transaction a(log, base);
  a.Add(MakeAdd("x.parquet", 1));
  Transaction b(log, base);
  b.Add(MakeAdd("y.parquet", 1));
  EXPECT_EQ(a.Commit("WRITE", {}, {}).ValueOrDie().version, 2);
  auto second_append = b.Commit("WRITE", {}, {}).ValueOrDie();
  EXPECT_EQ(second_append.version, 3);
  EXPECT_EQ(second_append.attempts, 2);
}

// A file system whose CreateIfAbsent writes the file and then reports a lost connection.
class LosesAnswers final : public io::FileSystem {
 public:
  explicit LosesAnswers(std::shared_ptr<io::FileSystem> inner) : inner_(std::move(inner)) {}
  std::string_view scheme() const override { return inner_->scheme(); }
  Result<std::shared_ptr<io::RandomAccessFile>> OpenForRead(const std::string& p) override {
    return inner_->OpenForRead(p);
  }
  Result<std::string> ReadAll(const std::string& p) override { return inner_->ReadAll(p); }
  Result<std::unique_ptr<io::OutputStream>> OpenForWrite(const std::string& p) override {
    return inner_->OpenForWrite(p);
  }
  Result<bool> CreateIfAbsent(const std::string& p, std::string_view contents) override {
    SLUICE_ASSIGN_OR_RETURN(bool created, inner_->CreateIfAbsent(p, contents));
    (void)created;
    ++lost_;
    return Status::IOError("connection reset while committing " + p);
  }
  Result<io::FileInfo> Stat(const std::string& p) override { return inner_->Stat(p); }
  Result<std::vector<io::FileInfo>> List(const std::string& p) override { return inner_->List(p); }
  Status Delete(const std::string& p) override { return inner_->Delete(p); }
  int lost() const { return lost_; }

 private:
  std::shared_ptr<io::FileSystem> inner_;
  int lost_ = 0;
};

TEST(DeltaTableTest, ALostCommitAnswerIsResolvedByReadingBackTheTxnId) {
  TempDir dir;
  auto flaky = std::make_shared<LosesAnswers>(io::LocalFileSystem());
  auto log = std::make_shared<DeltaLog>(flaky, dir.path());
  DeltaTable table(log);
  auto result = table.Write(OrdersSchema(), SourceOf({Orders({{1, "eu", 1}})}), {});
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(result->commit.version, 0);
  auto again = table.Write(OrdersSchema(), SourceOf({Orders({{2, "eu", 1}})}), {});
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->commit.version, 1);
  EXPECT_EQ(flaky->lost(), 2);
  // Exactly two commits, no duplicate.
  EXPECT_EQ(log->History().ValueOrDie().size(), 2u);
  EXPECT_EQ(ReadRows(dir.path()).size(), 2u);
}

TEST(DeltaTableTest, ApplicationTransactionsMakeBatchesExactlyOnce) {
  TempDir dir;
  auto table = DeltaTable::Open(dir.path()).ValueOrDie();
  TableWriteOptions options;
  options.app_transaction = std::make_pair(std::string("ingest-orders"), int64_t{7});
  WriteOrders(table.get(), Orders({{1, "eu", 1}}), WriteMode::kAppend, options);
  WriteResult repeat =
      WriteOrders(table.get(), Orders({{1, "eu", 1}}), WriteMode::kAppend, options);
  EXPECT_TRUE(repeat.commit.already_committed);
  options.app_transaction->second = 8;
  WriteResult next = WriteOrders(table.get(), Orders({{2, "eu", 1}}), WriteMode::kAppend, options);
  EXPECT_FALSE(next.commit.already_committed);
  EXPECT_EQ(ReadRows(dir.path()).size(), 2u);
  auto snapshot = DeltaLog::Open(dir.path()).ValueOrDie()->Load().ValueOrDie();
  EXPECT_EQ(snapshot->app_transactions.at("ingest-orders").version, 8);
}

TEST(DeltaTableTest, LedgerEntriesCommitWithTheDataAndConflictWhenRecordedTwice) {
  TempDir dir;
  auto table = DeltaTable::Open(dir.path()).ValueOrDie();
  WriteOrders(table.get(), Orders({{1, "eu", 1}}), WriteMode::kAppend);
  SnapshotPtr base = table->log()->Load().ValueOrDie();
  // Two writers read the same version and both record file a.csv: the second must conflict.
  TableWriteOptions first;
  first.read_snapshot = base;
  first.ledger = {{"sluice.file:a.csv", 11}, {"sluice.file:b.csv", 12}};
  WriteResult landed = WriteOrders(table.get(), Orders({{2, "eu", 1}}), WriteMode::kAppend, first);
  EXPECT_EQ(landed.commit.version, 1);
  TableWriteOptions second;
  second.read_snapshot = base;
  second.ledger = {{"sluice.file:a.csv", 11}};
  auto lost = table->Write(OrdersSchema(), SourceOf({Orders({{3, "eu", 1}})}), second);
  ASSERT_FALSE(lost.ok());
  EXPECT_EQ(lost.status().code(), StatusCode::kConflict);
  EXPECT_NE(lost.status().message().find("recorded 'sluice.file:a.csv'"), std::string::npos)
      << lost.status().message();
  // A writer recording another entry does not conflict.
  TableWriteOptions third;
  third.read_snapshot = base;
  third.ledger = {{"sluice.file:c.csv", 13}};
  WriteOrders(table.get(), Orders({{4, "eu", 1}}), WriteMode::kAppend, third);
  auto snapshot = table->log()->Load().ValueOrDie();
  EXPECT_EQ(snapshot->app_transactions.at("sluice.file:a.csv").version, 11);
  EXPECT_EQ(snapshot->app_transactions.at("sluice.file:c.csv").version, 13);
  EXPECT_EQ(ReadRows(dir.path()).size(), 3u);
  // The conflicting writer's data files were deleted: only committed files remain on disk.
  size_t parquet_files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path())) {
    parquet_files += entry.path().extension() == ".parquet";
  }
  EXPECT_EQ(parquet_files, snapshot->files.size());
}

TEST(DeltaTableTest, BeforeCommitRunsAfterTheDataAndCanAbortTheWrite) {
  TempDir dir;
  auto table = DeltaTable::Open(dir.path()).ValueOrDie();
  TableWriteOptions options;
  int64_t rows_seen = -1;
  options.before_commit = [&](const WriteResult& result) {
    rows_seen = result.rows;
    return Status::DataError("refused by the hook");
  };
  auto refused =
      table->Write(OrdersSchema(), SourceOf({Orders({{1, "eu", 1}, {2, "us", 2}})}), options);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(), "refused by the hook");
  EXPECT_EQ(rows_seen, 2);
  EXPECT_FALSE(table->log()->Load().ValueOrDie()->exists());
  size_t files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path())) {
    files += entry.is_regular_file();
  }
  EXPECT_EQ(files, 0u);
}

TEST(DeltaTableTest, CheckpointsEveryTenCommitsAgreeWithTheJsonLog) {
  TempDir dir;
  auto table = DeltaTable::Open(dir.path()).ValueOrDie();
  TableWriteOptions options;
  options.partition_by = {"region"};
  for (int64_t i = 0; i < 23; ++i) {
    WriteResult result = WriteOrders(table.get(), Orders({{i, i % 2 ? "eu" : "us", i}}),
                                     WriteMode::kAppend, options);
    EXPECT_EQ(result.commit.checkpoint_written, i == 10 || i == 20) << i;
  }
  ASSERT_TRUE(table->Delete("id < 3").ok());
  auto log = DeltaLog::Open(dir.path()).ValueOrDie();
  auto snapshot = log->Load().ValueOrDie();
  EXPECT_EQ(snapshot->checkpoint_version, 20);
  auto replayed = log->LoadFromJsonOnly().ValueOrDie();
  EXPECT_EQ(snapshot->version, replayed->version);
  EXPECT_EQ(snapshot->files, replayed->files);
  EXPECT_EQ(snapshot->metadata, replayed->metadata);
  EXPECT_EQ(snapshot->protocol, replayed->protocol);
  EXPECT_EQ(ReadRows(dir.path()).size(), 20u);
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/_delta_log/_last_checkpoint"));
}

// The whole life of a table — create, append, DELETE and MERGE with deletion vectors, OPTIMIZE, a
// checkpoint, VACUUM — on the in-memory file system: the lake needs no disk for its tests.
TEST(DeltaTableTest, ATableLivesWholeOnTheInMemoryFileSystem) {
  io::ClearMemoryFileSystem();
  const std::string root = "mem://lake/orders";
  auto table = DeltaTable::Open(root).ValueOrDie();
  TableWriteOptions create;
  create.configuration["delta.enableDeletionVectors"] = "true";
  create.configuration["delta.checkpointInterval"] = "4";
  WriteOrders(table.get(), Orders({{1, "eu", 100}, {2, "us", 200}}), WriteMode::kAppend, create);
  WriteOrders(table.get(), Orders({{3, "eu", 300}}), WriteMode::kAppend);
  EXPECT_EQ(table->Delete("id = 2").ValueOrDie().deletion_vectors, 1);
  MergeOptions merge;
  merge.keys = {"id"};
  ASSERT_TRUE(
      table->Merge(OrdersSchema(), SourceOf({Orders({{3, "eu", 333}, {4, "us", 400}})}), merge)
          .ok());
  EXPECT_TRUE(table->Optimize().ValueOrDie().commit.checkpoint_written);  // version 4
  EXPECT_EQ(ReadRows(root), (std::vector<std::string>{Row(1, "eu", "1.00"), Row(3, "eu", "3.33"),
                                                      Row(4, "us", "4.00")}));
  VacuumOptions vacuum;
  vacuum.retention_ms = 0;
  vacuum.allow_short_retention = true;
  const VacuumResult vacuumed = table->Vacuum(vacuum).ValueOrDie();
  EXPECT_FALSE(vacuumed.files.empty());
  EXPECT_EQ(ReadRows(root).size(), 3u);
  auto log = DeltaLog::Open(root).ValueOrDie();
  EXPECT_EQ(log->fs()->scheme(), "mem");
  EXPECT_EQ(log->Load().ValueOrDie()->checkpoint_version, 4);
  io::ClearMemoryFileSystem();
}

TEST(DeltaTableTest, OptimizeCompactsSmallFilesWithoutChangingRows) {
  TempDir dir;
  auto table = DeltaTable::Open(dir.path()).ValueOrDie();
  for (int64_t i = 0; i < 6; ++i)
    WriteOrders(table.get(), Orders({{i, "eu", i}}), WriteMode::kAppend);
  const std::vector<std::string> before = ReadRows(dir.path());
  auto result = table->Optimize().ValueOrDie();
  EXPECT_EQ(result.files_removed, 6);
  EXPECT_EQ(result.files_added, 1);
  EXPECT_EQ(ReadRows(dir.path()), before);
  auto log = DeltaLog::Open(dir.path()).ValueOrDie();
  auto commit = log->ReadCommit(result.commit.version).ValueOrDie();
  for (const Action& action : commit) {
    if (const auto* add = std::get_if<AddFile>(&action)) {
      EXPECT_FALSE(add->data_change);
    }
    if (const auto* remove = std::get_if<RemoveFile>(&action)) {
      EXPECT_FALSE(remove->data_change);
    }
  }
  EXPECT_EQ(table->Optimize().ValueOrDie().commit.version, -1);  // nothing left to compact
}

TEST(DeltaTableTest, VacuumHonoursTheRetentionWindow) {
  TempDir dir;
  auto table = DeltaTable::Open(dir.path()).ValueOrDie();
  const int64_t hour = 3600 * 1000;
  const int64_t removed_at = 1'700'000'000'000;
  TableWriteOptions options;
  options.commit.now_ms = removed_at - hour;
  WriteOrders(table.get(), Orders({{1, "eu", 1}}), WriteMode::kAppend, options);
  const std::string old_file =
      DeltaLog::Open(dir.path()).ValueOrDie()->Load().ValueOrDie()->files.begin()->first.path;
  options.commit.now_ms = removed_at;
  WriteOrders(table.get(), Orders({{2, "eu", 1}}), WriteMode::kOverwrite, options);
  const int64_t retention = 168 * hour;
  VacuumOptions vacuum;
  vacuum.retention_ms = retention;
  // Inside the window (retention − 1 h after the removal): kept.
  vacuum.now_ms = removed_at + retention - hour;
  EXPECT_TRUE(table->Vacuum(vacuum).ValueOrDie().files.empty());
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/" + old_file));
  // Past it (retention + 1 h): a dry run lists it, a real run deletes it; the live file stays.
  vacuum.now_ms = removed_at + retention + hour;
  vacuum.dry_run = true;
  EXPECT_EQ(table->Vacuum(vacuum).ValueOrDie().files, std::vector<std::string>{old_file});
  EXPECT_TRUE(std::filesystem::exists(dir.path() + "/" + old_file));
  vacuum.dry_run = false;
  EXPECT_EQ(table->Vacuum(vacuum).ValueOrDie().files, std::vector<std::string>{old_file});
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/" + old_file));
  EXPECT_EQ(ReadRows(dir.path()), (std::vector<std::string>{Row(2, "eu", "0.01")}));
}

// A retention below the table's is refused unless asked for explicitly; the table's own setting is
// the default; leftovers of killed writers older than the retention are cleaned up, younger ones
// (a writer may still be at work) are not.
TEST(DeltaTableTest, VacuumRefusesShortRetentionAndCleansUpAfterKilledWriters) {
  TempDir dir;
  auto table = DeltaTable::Open(dir.path()).ValueOrDie();
  TableWriteOptions options;
  options.configuration["delta.deletedFileRetentionDuration"] = "interval 2 hours";
  WriteOrders(table.get(), Orders({{1, "eu", 1}}), WriteMode::kAppend, options);
  const int64_t hour = 3600 * 1000;
  VacuumOptions vacuum;
  vacuum.retention_ms = hour;
  const Status refused = table->Vacuum(vacuum).status();
  EXPECT_EQ(refused.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.message().find("a retention of 1h is below the table's "
                                   "delta.deletedFileRetentionDuration (2h)"),
            std::string::npos)
      << refused.ToString();
  vacuum.retention_ms = 0;
  EXPECT_FALSE(table->Vacuum(vacuum).ok());
  // Temporary files of a killed writer: one 3 h old, one just written, in the table and its log.
  const std::string old_temp = dir.path() + "/.part-1.parquet.tmp-4242-0123456789abcdef";
  const std::string old_log_temp =
      dir.path() + "/_delta_log/.00000000000000000010.checkpoint.parquet.tmp-4242-00000000000000aa";
  const std::string young_temp = dir.path() + "/.part-2.parquet.tmp-4243-0123456789abcdef";
  for (const std::string& path : {old_temp, old_log_temp, young_temp}) {
    std::ofstream(path) << "partial";
  }
  const auto three_hours_ago =
      std::filesystem::file_time_type::clock::now() - std::chrono::hours(3);
  std::filesystem::last_write_time(old_temp, three_hours_ago);
  std::filesystem::last_write_time(old_log_temp, three_hours_ago);
  vacuum.retention_ms.reset();  // the table's 2 h
  vacuum.dry_run = true;
  VacuumResult dry = table->Vacuum(vacuum).ValueOrDie();
  EXPECT_EQ(dry.retention_ms, 2 * hour);
  EXPECT_EQ(dry.stale_writes.size(), 2u);
  EXPECT_TRUE(std::filesystem::exists(old_temp));
  vacuum.dry_run = false;
  VacuumResult done = table->Vacuum(vacuum).ValueOrDie();
  std::sort(done.stale_writes.begin(), done.stale_writes.end());
  EXPECT_EQ(done.stale_writes, (std::vector<std::string>{old_temp, old_log_temp}));
  EXPECT_FALSE(std::filesystem::exists(old_temp));
  EXPECT_FALSE(std::filesystem::exists(old_log_temp));
  EXPECT_TRUE(std::filesystem::exists(young_temp));
  // The explicit override works, and the live file survives any retention.
  vacuum.retention_ms = 0;
  vacuum.allow_short_retention = true;
  EXPECT_TRUE(table->Vacuum(vacuum).ValueOrDie().files.empty());
  EXPECT_EQ(ReadRows(dir.path()), (std::vector<std::string>{Row(1, "eu", "0.01")}));
}

TEST(DeltaTableTest, AppendOnlyTablesRefuseDeleteMergeAndOverwrite) {
  TempDir dir;
  auto table = DeltaTable::Open(dir.path()).ValueOrDie();
  TableWriteOptions options;
  options.configuration["delta.appendOnly"] = "true";
  WriteOrders(table.get(), Orders({{1, "eu", 1}, {2, "us", 2}}), WriteMode::kAppend, options);
  const Status deleted = table->Delete("id = 1").status();
  EXPECT_NE(deleted.message().find("append-only"), std::string::npos) << deleted.ToString();
  MergeOptions merge;
  merge.keys = {"id"};
  auto batch = Orders({{1, "eu", 5}});
  bool done = false;
  const Status merged = table
                            ->Merge(
                                batch->schema(),
                                [&]() -> Result<columnar::BatchPtr> {
                                  if (done) return columnar::BatchPtr();
                                  done = true;
                                  return batch;
                                },
                                merge)
                            .status();
  EXPECT_NE(merged.message().find("append-only"), std::string::npos) << merged.ToString();
  // Appends still land; nothing else changed.
  WriteOrders(table.get(), Orders({{3, "eu", 3}}), WriteMode::kAppend);
  EXPECT_EQ(ReadRows(dir.path()).size(), 3u);
  EXPECT_EQ(DeltaLog::Open(dir.path()).ValueOrDie()->Load().ValueOrDie()->version, 1);
}

TEST(DeltaTableTest, DurationsParseAndOverflowsAreErrors) {
  EXPECT_EQ(ParseIntervalMs("interval 7 days").ValueOrDie(), 7ll * 24 * 3600 * 1000);
  EXPECT_EQ(ParseIntervalMs("168h").ValueOrDie(), 168ll * 3600 * 1000);
  EXPECT_FALSE(ParseIntervalMs("999999999999 weeks").ok());
  EXPECT_FALSE(ParseIntervalMs("7 fortnights").ok());
  EXPECT_EQ(FormatDuration(168ll * 3600 * 1000), "168h");
  EXPECT_EQ(FormatDuration(90 * 1000), "90s");
}

// Deletion vectors (merge-on-read): DELETE and MERGE mark rows instead of copying files, a second
// DELETE grows the vector, OPTIMIZE purges them, VACUUM keeps every vector a live file needs.
TEST(DeltaTableTest, DeletionVectorsMarkRowsAndOptimizePurgesThem) {
  TempDir dir;
  auto table = DeltaTable::Open(dir.path()).ValueOrDie();
  TableWriteOptions options;
  options.configuration["delta.enableDeletionVectors"] = "true";
  WriteOrders(table.get(), Orders({{1, "eu", 1}, {2, "us", 2}, {3, "eu", 3}, {4, "us", 4}}),
              WriteMode::kAppend, options);
  auto log = DeltaLog::Open(dir.path()).ValueOrDie();
  SnapshotPtr created = log->Load().ValueOrDie();
  EXPECT_EQ(created->protocol.min_reader_version, 3);
  EXPECT_EQ(created->protocol.min_writer_version, 7);
  const std::string data_file = created->files.begin()->first.path;
  const int64_t data_size = created->files.begin()->second.size;

  DeleteResult deleted = table->Delete("id = 2").ValueOrDie();
  EXPECT_EQ(deleted.rows_deleted, 1);
  EXPECT_EQ(deleted.rows_copied, 0);
  EXPECT_EQ(deleted.deletion_vectors, 1);
  EXPECT_EQ(deleted.files_added, 0);
  SnapshotPtr after_delete = log->Load().ValueOrDie();
  ASSERT_EQ(after_delete->files.size(), 1u);
  const AddFile& marked = after_delete->files.begin()->second;
  EXPECT_EQ(after_delete->files.begin()->first.path, data_file);  // the same data file
  EXPECT_EQ(marked.size, data_size);
  ASSERT_TRUE(marked.deletion_vector.has_value());
  EXPECT_EQ(marked.deletion_vector->cardinality, 1);
  EXPECT_NE(marked.stats->find("\"tightBounds\":false"), std::string::npos);
  EXPECT_EQ(after_delete->NumRecords(), std::optional<int64_t>(3));

  // MERGE: id 3 replaced, id 9 inserted; the old row of id 3 joins the vector.
  MergeOptions merge;
  merge.keys = {"id"};
  MergeResult merged =
      table->Merge(OrdersSchema(), SourceOf({Orders({{3, "eu", 33}, {9, "eu", 9}})}), merge)
          .ValueOrDie();
  EXPECT_EQ(merged.rows_updated, 1);
  EXPECT_EQ(merged.rows_inserted, 1);
  EXPECT_EQ(merged.rows_copied, 0);
  EXPECT_EQ(merged.deletion_vectors, 1);
  EXPECT_EQ(ReadRows(dir.path()),
            (std::vector<std::string>{Row(1, "eu", "0.01"), Row(3, "eu", "0.33"),
                                      Row(4, "us", "0.04"), Row(9, "eu", "0.09")}));
  // A DELETE of a row already deleted finds nothing; one of every remaining row of the original
  // file removes the file outright.
  EXPECT_EQ(table->Delete("id = 2").ValueOrDie().commit.version, -1);
  EXPECT_EQ(table->Delete("id = 1").ValueOrDie().deletion_vectors, 1);
  DeleteResult emptied = table->Delete("id = 4").ValueOrDie();
  EXPECT_EQ(emptied.rows_deleted, 1);
  EXPECT_EQ(emptied.files_removed, 1);
  EXPECT_EQ(emptied.deletion_vectors, 0);
  SnapshotPtr now = log->Load().ValueOrDie();
  EXPECT_EQ(now->FindFile(data_file), nullptr);
  EXPECT_EQ(ReadRows(dir.path()),
            (std::vector<std::string>{Row(3, "eu", "0.33"), Row(9, "eu", "0.09")}));
  // Time travel still sees each version's rows.
  EXPECT_EQ(ReadRows(dir.path(), 1).size(), 3u);

  // The merge's new file gets a vector, then OPTIMIZE rewrites it without the deleted row.
  EXPECT_EQ(table->Delete("id = 9").ValueOrDie().deletion_vectors, 1);
  std::set<std::string> vector_files;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("deletion_vector_")) vector_files.insert(name);
  }
  // One per DELETE/MERGE that left a file with marked rows (not the one that removed a file).
  EXPECT_EQ(vector_files.size(), 4u);
  OptimizeResult optimized = table->Optimize().ValueOrDie();
  EXPECT_EQ(optimized.files_removed, 1);
  EXPECT_EQ(optimized.rows, 1);
  SnapshotPtr purged = log->Load().ValueOrDie();
  for (const auto& [key, add] : purged->files) EXPECT_FALSE(add.deletion_vector.has_value());
  EXPECT_EQ(ReadRows(dir.path()), (std::vector<std::string>{Row(3, "eu", "0.33")}));
  // VACUUM past the retention deletes the vectors no live file needs any more.
  VacuumOptions vacuum;
  vacuum.now_ms = CurrentTimeMs() + 8ll * 24 * 3600 * 1000;
  VacuumResult vacuumed = table->Vacuum(vacuum).ValueOrDie();
  size_t vectors_vacuumed = 0;
  for (const std::string& file : vacuumed.files) {
    vectors_vacuumed += file.starts_with("deletion_vector_") ? 1 : 0;
  }
  EXPECT_EQ(vectors_vacuumed, 4u);
  EXPECT_EQ(ReadRows(dir.path()), (std::vector<std::string>{Row(3, "eu", "0.33")}));
}

// VACUUM never deletes the deletion vector of a live file, however old.
TEST(DeltaTableTest, VacuumKeepsTheDeletionVectorsOfLiveFiles) {
  TempDir dir;
  auto table = DeltaTable::Open(dir.path()).ValueOrDie();
  WriteOrders(table.get(), Orders({{1, "eu", 1}, {2, "us", 2}, {3, "eu", 3}}), WriteMode::kAppend);
  PropertiesResult set =
      table->SetProperties({{"delta.enableDeletionVectors", "true"}}, {}).ValueOrDie();
  EXPECT_TRUE(set.protocol_upgraded);
  EXPECT_EQ(set.protocol.writer_features,
            (std::vector<std::string>{"appendOnly", "invariants", "deletionVectors"}));
  EXPECT_EQ(table->Delete("id = 2").ValueOrDie().deletion_vectors, 1);
  EXPECT_EQ(table->Delete("id = 3").ValueOrDie().deletion_vectors, 1);
  VacuumOptions vacuum;
  vacuum.now_ms = CurrentTimeMs() + 30ll * 24 * 3600 * 1000;
  VacuumResult vacuumed = table->Vacuum(vacuum).ValueOrDie();
  ASSERT_EQ(vacuumed.files.size(), 1u);  // the first vector, replaced by the second
  EXPECT_TRUE(vacuumed.files[0].starts_with("deletion_vector_"));
  EXPECT_EQ(ReadRows(dir.path()), (std::vector<std::string>{Row(1, "eu", "0.01")}));
  // Unknown properties and bad values are refused by name.
  EXPECT_NE(table->SetProperties({{"delta.enableDeletionVector", "true"}}, {})
                .status()
                .message()
                .find("did you mean 'delta.enableDeletionVectors'"),
            std::string::npos);
  EXPECT_FALSE(table->SetProperties({{"delta.appendOnly", "yes"}}, {}).ok());
  EXPECT_FALSE(table->SetProperties({{"delta.enableRowTracking", "true"}}, {}).ok());
}

// Two DELETEs marking rows of the same file from the same snapshot: the second conflicts, so
// neither vector is lost.
TEST(DeltaTableTest, ConcurrentDeletionVectorsOnOneFileConflict) {
  TempDir dir;
  auto table = DeltaTable::Open(dir.path()).ValueOrDie();
  TableWriteOptions options;
  options.configuration["delta.enableDeletionVectors"] = "true";
  WriteOrders(table.get(), Orders({{1, "eu", 1}, {2, "us", 2}, {3, "eu", 3}}), WriteMode::kAppend,
              options);
  auto log = DeltaLog::Open(dir.path()).ValueOrDie();
  SnapshotPtr base = log->Load().ValueOrDie();
  const auto& [key, add] = *base->files.begin();
  // A concurrent writer marks row 0 first.
  Transaction first(log, base);
  first.MarkFileRead(key);
  DeletionVectorWriter vectors(log->shared_fs(), log->root());
  DeletionBitmap rows;
  rows.Add(0);
  vectors.Add(add, std::move(rows), 3);
  ASSERT_TRUE(vectors.Finish(1, &first).ok());
  ASSERT_TRUE(first.Commit("DELETE", {}, {}).ok());
  // Our DELETE read the same snapshot: it must not commit over the first one.
  Transaction second(log, base);
  second.MarkFileRead(key);
  second.Remove(MakeRemove(add.path, 2));
  const Status lost = second.Commit("DELETE", {}, {}).status();
  EXPECT_EQ(lost.code(), StatusCode::kConflict) << lost.ToString();
  EXPECT_EQ(ReadRows(dir.path()).size(), 2u);
}

TEST(DeltaTableTest, NewerProtocolsAreReadButNeverWritten) {
  TempDir dir;
  auto table = DeltaTable::Open(dir.path()).ValueOrDie();
  WriteOrders(table.get(), Orders({{1, "eu", 1}}), WriteMode::kAppend);
  // A later writer upgrades the protocol to writer 7 with a feature sluice does not know.
  auto log = DeltaLog::Open(dir.path()).ValueOrDie();
  Protocol upgraded;
  upgraded.min_reader_version = 1;
  upgraded.min_writer_version = 7;
  upgraded.writer_features = std::vector<std::string>{"appendOnly", "invariants", "rowTracking"};
  CommitInfo info;
  info.operation = "UPGRADE PROTOCOL";
  ASSERT_TRUE(log->fs()
                  ->CreateIfAbsent(log->CommitPath(1), SerializeCommit({info, upgraded}))
                  .ValueOrDie());
  EXPECT_EQ(ReadRows(dir.path()).size(), 1u);
  auto refused = table->Write(OrdersSchema(), SourceOf({Orders({{2, "eu", 1}})}), {});
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("writer version 7"), std::string::npos);
  EXPECT_NE(refused.status().message().find("rowTracking"), std::string::npos);
  EXPECT_EQ(table->Delete("id = 1").status().code(), StatusCode::kInvalidArgument);
  // A column mapping mode sluice does not know is refused by name; a mapped table whose schema
  // lacks the physical names is corrupt.
  Metadata mapped = log->Load().ValueOrDie()->metadata;
  mapped.configuration["delta.columnMapping.mode"] = "position";
  ASSERT_TRUE(
      log->fs()->CreateIfAbsent(log->CommitPath(2), SerializeCommit({info, mapped})).ValueOrDie());
  auto unreadable = log->Load();
  EXPECT_EQ(unreadable.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unreadable.status().message().find("column mapping mode 'position'"),
            std::string::npos);
  mapped.configuration["delta.columnMapping.mode"] = "name";
  ASSERT_TRUE(
      log->fs()->CreateIfAbsent(log->CommitPath(3), SerializeCommit({info, mapped})).ValueOrDie());
  auto corrupt = log->Load();
  EXPECT_EQ(corrupt.status().code(), StatusCode::kDataError);
  EXPECT_NE(corrupt.status().message().find("delta.columnMapping.physicalName"), std::string::npos);
}

TEST(DeltaTableTest, ActionsRoundTripThroughJson) {
  AddFile add;
  add.path = "region=a%2Fb/part-0.parquet";
  add.partition_values = {{"region", "a/b"}, {"day", std::nullopt}};
  add.size = 10;
  add.modification_time = 5;
  add.stats = R"({"numRecords":1})";
  add.tags = std::map<std::string, std::string>{{"k", "v"}};
  Txn txn;
  txn.app_id = "app";
  txn.version = 3;
  txn.last_updated = 4;
  CommitInfo info;
  info.operation = "WRITE";
  info.txn_id = "t-1";
  info.operation_metrics = {{"numFiles", "1"}};
  const DomainMetadata domain{"sluice.expiredTransactions", "{\"format\":1}", false};
  const std::vector<Action> actions = {info, Protocol{}, add, txn, MakeRemove("x", 9), domain};
  auto parsed = ParseCommit(SerializeCommit(actions), "test").ValueOrDie();
  ASSERT_EQ(parsed.size(), actions.size());
  EXPECT_EQ(std::get<DomainMetadata>(parsed[5]), domain);
  EXPECT_EQ(std::get<AddFile>(parsed[2]), add);
  EXPECT_EQ(std::get<Txn>(parsed[3]), txn);
  EXPECT_EQ(std::get<CommitInfo>(parsed[0]).txn_id, "t-1");
  EXPECT_EQ(DecodeActionPath(add.path), "region=a/b/part-0.parquet");
  EXPECT_EQ(EncodeActionPath("a b/%.parquet"), "a%20b/%25.parquet");
  // Errors name the line; unknown actions are skipped.
  std::vector<std::string> unknown;
  auto skipped =
      ParseCommit("{\"checkpointMetadata\":{}}\n{\"txn\":{\"appId\":\"a\",\"version\":1}}\n", "c",
                  &unknown)
          .ValueOrDie();
  EXPECT_EQ(skipped.size(), 1u);
  EXPECT_EQ(unknown, std::vector<std::string>{"checkpointMetadata"});
  auto broken = ParseCommit("{\"add\":{\"path\":\"a\"}}\n", "00.json");
  EXPECT_EQ(broken.status().code(), StatusCode::kDataError);
  EXPECT_NE(broken.status().message().find("00.json:1"), std::string::npos);
  EXPECT_NE(broken.status().message().find("add.size"), std::string::npos);
  EXPECT_EQ(ParseCommit("{\"add\":", "t").status().code(), StatusCode::kDataError);
}

}  // namespace
}  // namespace sluice::lake

// Log replay: logical files keyed by (path, deletion vector id), as the protocol's action
// reconciliation asks, through JSON commits and checkpoints.
#include "sluice/lake/delta_log.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "sluice/columnar/column_builder.h"
#include "sluice/lake/data_file_writer.h"
#include "sluice/lake/deletion_vector.h"
#include "sluice/lake/delta_table.h"
#include "sluice/lake/scratch_table.h"
#include "sluice/lake/table_scan.h"

namespace sluice::lake {
namespace {

using scratch::TempDir;

using columnar::DataType;

// Appends rows ids [first, first + count) as one commit (one data file).
void AppendIds(const std::string& root, int64_t first, int64_t count) {
  auto schema = std::make_shared<const columnar::Schema>(
      std::vector<columnar::Field>{{"id", DataType::Int64()}});
  columnar::Int64Builder ids(DataType::Int64());
  for (int64_t id = first; id < first + count; ++id) ids.Append(id);
  auto batch = std::make_shared<const columnar::Batch>(
      schema, std::vector<columnar::ColumnPtr>{ids.Finish()}, count);
  bool done = false;
  auto table = DeltaTable::Open(root).ValueOrDie();
  ASSERT_TRUE(table
                  ->Write(
                      schema,
                      [&]() -> Result<columnar::BatchPtr> {
                        if (done) return columnar::BatchPtr();
                        done = true;
                        return batch;
                      },
                      TableWriteOptions{})
                  .ok());
}

// A deletion vector of `rows` in its own file in the table (prefix: a subfolder), or inline.
DeletionVector OnDisk(const std::string& root, const std::vector<uint64_t>& rows,
                      const std::string& prefix = "") {
  DeletionBitmap bitmap;
  for (const uint64_t row : rows) bitmap.Add(row);
  DeletionVectorFileContents contents = NewDeletionVectorFile(bitmap);
  const std::string folder = prefix.empty() ? root : root + "/" + prefix;
  std::filesystem::create_directories(folder);
  std::ofstream(folder + "/" + contents.relative_path, std::ios::binary) << contents.bytes;
  contents.descriptor.path_or_inline_dv = prefix + contents.descriptor.path_or_inline_dv;
  return contents.descriptor;
}

DeletionVector Inline(const std::vector<uint64_t>& rows) {
  DeletionBitmap bitmap;
  for (const uint64_t row : rows) bitmap.Add(row);
  return InlineDeletionVector(bitmap);
}

std::vector<int64_t> Ids(const std::shared_ptr<DeltaLog>& log, const SnapshotPtr& snapshot) {
  auto scan = TableScan::Open(log, snapshot).ValueOrDie();
  std::vector<int64_t> ids;
  while (true) {
    columnar::BatchPtr batch = scan->Next().ValueOrDie();
    if (batch == nullptr) break;
    const auto& column = static_cast<const columnar::Int64Column&>(batch->column(0));
    for (int64_t row = 0; row < batch->num_rows(); ++row) ids.push_back(column.Value(row));
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<int64_t> Range(int64_t first, int64_t end, std::set<int64_t> without = {}) {
  std::vector<int64_t> ids;
  for (int64_t id = first; id < end; ++id) {
    if (without.count(id) == 0) ids.push_back(id);
  }
  return ids;
}

// Writes `actions` as the next commit, as another writer (Spark) would.
void WriteCommit(const DeltaLog& log, int64_t version, const std::vector<Action>& actions) {
  std::filesystem::create_directories(log.LogDir());
  std::ofstream out(log.CommitPath(version), std::ios::binary);
  out << SerializeCommit(actions);
}

AddFile WithDeletionVector(AddFile add, const DeletionVector& dv) {
  add.deletion_vector = dv;
  return add;
}

RemoveFile RemoveOf(const AddFile& add, int64_t timestamp) {
  RemoveFile remove;
  remove.path = add.path;
  remove.deletion_timestamp = timestamp;
  remove.size = add.size;
  remove.deletion_vector = add.deletion_vector;
  return remove;
}

// A table of three files, then commits that give the first file a deletion vector and replace
// it twice — each commit holding an add and a remove of the same path, the add first, as Spark
// writes them — and that give the second file one, the remove first.
struct DeletionVectorHistory {
  TempDir dir;
  std::shared_ptr<DeltaLog> log;
  std::string first;
  std::string second;
  DeletionVector dv1;
  DeletionVector dv2;
  DeletionVector dv3;
  DeletionVector dv4;

  DeletionVectorHistory() {
    AppendIds(dir.path(), 0, 10);
    log = DeltaLog::Open(dir.path()).ValueOrDie();
    first = log->Load().ValueOrDie()->files.begin()->first.path;
    AppendIds(dir.path(), 10, 10);
    SnapshotPtr two = log->Load().ValueOrDie();
    for (const auto& [key, add] : two->files) {
      if (key.path != first) second = key.path;
    }
    AppendIds(dir.path(), 20, 10);
    SnapshotPtr base = log->Load().ValueOrDie();
    const AddFile a = *base->FindFile(first);
    const AddFile b = *base->FindFile(second);
    dv1 = OnDisk(dir.path(), {0});
    dv2 = Inline({0, 7});
    dv3 = OnDisk(dir.path(), {0, 7, 9}, "ab");
    dv4 = OnDisk(dir.path(), {3});
    WriteCommit(*log, 3, {WithDeletionVector(a, dv1), RemoveOf(a, 1000)});
    WriteCommit(*log, 4, {WithDeletionVector(a, dv2), RemoveOf(WithDeletionVector(a, dv1), 2000)});
    WriteCommit(*log, 5, {WithDeletionVector(a, dv3), RemoveOf(WithDeletionVector(a, dv2), 3000)});
    WriteCommit(*log, 6, {RemoveOf(b, 4000), WithDeletionVector(b, dv4)});
  }
};

// Replay, checkpoints (written from the snapshot's maps) and conflict detection key logical files
// by (path, deletion vector id); a path-keyed map would drop a file whose commit adds and removes
// the same path.
static_assert(std::is_same_v<decltype(Snapshot::files)::key_type, FileKey>);
static_assert(std::is_same_v<decltype(Snapshot::tombstones)::key_type, FileKey>);

TEST(DeltaLogTest, AFileGivenANewDeletionVectorStaysInTheSnapshot) {
  DeletionVectorHistory history;
  // After each commit: three live files, the first (and then the second) with its newest
  // deletion vector, and exactly the rows those vectors leave.
  const std::vector<std::pair<int64_t, std::set<int64_t>>> deleted = {
      {2, {}}, {3, {0}}, {4, {0, 7}}, {5, {0, 7, 9}}, {6, {0, 7, 9, 13}}};
  const std::vector<DeletionVector> newest = {history.dv1, history.dv2, history.dv3};
  for (const auto& [version, ids] : deleted) {
    SnapshotPtr snapshot = history.log->Load(version).ValueOrDie();
    ASSERT_EQ(snapshot->files.size(), 3u) << "version " << version;
    if (version >= 3) {
      const AddFile* first = snapshot->FindFile(history.first);
      ASSERT_NE(first, nullptr);
      EXPECT_EQ(first->deletion_vector,
                newest[static_cast<size_t>(std::min<int64_t>(version, 5) - 3)]);
    }
    EXPECT_EQ(Ids(history.log, snapshot), Range(0, 30, ids)) << "version " << version;
    EXPECT_EQ(snapshot->NumRecords(),
              std::optional<int64_t>(30 - static_cast<int64_t>(ids.size())));
  }
  // Tombstones: the first file without and with each replaced vector, the second without one.
  SnapshotPtr latest = history.log->Load().ValueOrDie();
  EXPECT_EQ(latest->tombstones.size(), 4u);
  EXPECT_EQ(latest->tombstones.count(FileKey{history.first, ""}), 1u);
  EXPECT_EQ(latest->tombstones.count(FileKey{history.first, DeletionVectorUniqueId(history.dv1)}),
            1u);
  EXPECT_EQ(latest->tombstones.count(FileKey{history.second, ""}), 1u);
}

TEST(DeltaLogTest, CheckpointsKeepDeletionVectors) {
  DeletionVectorHistory history;
  SnapshotPtr latest = history.log->Load().ValueOrDie();
  ASSERT_TRUE(history.log->WriteCheckpoint(*latest, 5000).ok());
  SnapshotPtr from_checkpoint = history.log->Load().ValueOrDie();
  EXPECT_EQ(from_checkpoint->checkpoint_version, std::optional<int64_t>(6));
  EXPECT_EQ(from_checkpoint->files, latest->files);
  EXPECT_EQ(from_checkpoint->tombstones, latest->tombstones);
  EXPECT_EQ(Ids(history.log, from_checkpoint), Range(0, 30, {0, 7, 9, 13}));
}

TEST(DeltaLogTest, ADeletionVectorThatDoesNotReadBackFailsTheScan) {
  DeletionVectorHistory history;
  std::filesystem::remove_all(history.dir.path() + "/ab");
  SnapshotPtr snapshot = history.log->Load().ValueOrDie();
  auto scan = TableScan::Open(history.log, snapshot).ValueOrDie();
  Status status;
  while (status.ok()) {
    Result<columnar::BatchPtr> batch = scan->Next();
    if (!batch.ok()) status = batch.status();
    if (batch.ok() && *batch == nullptr) break;
  }
  EXPECT_FALSE(status.ok()) << "a scan without the deletion vector file returned every row";
}

TEST(DeltaLogTest, PathsOutsideTheTableAreCorrupt) {
  TempDir dir;
  AppendIds(dir.path(), 0, 3);
  auto log = DeltaLog::Open(dir.path()).ValueOrDie();
  AddFile add = log->Load().ValueOrDie()->files.begin()->second;
  add.path = "../../etc/passwd";
  WriteCommit(*log, 1, {add});
  const Status status = log->Load().status();
  EXPECT_NE(status.message().find("corrupt table"), std::string::npos) << status.ToString();
  EXPECT_NE(status.message().find("00000000000000000001.json"), std::string::npos);
  // An absolute path inside the table is read as the relative one.
  add.path = "file://" + dir.path() + "/" + log->Load(0).ValueOrDie()->files.begin()->first.path;
  WriteCommit(*log, 1, {add});
  SnapshotPtr snapshot = log->Load().ValueOrDie();
  EXPECT_EQ(snapshot->files.size(), 1u);
  EXPECT_EQ(Ids(log, snapshot), Range(0, 3));
}

// A column-mapped table (mode name) as Spark writes it: data files and partition values use
// physical names; a rename changes only the logical name. Files are read by physical name.
TEST(DeltaLogTest, ColumnMappedTablesAreReadByPhysicalName) {
  TempDir dir;
  auto physical = std::make_shared<const columnar::Schema>(std::vector<columnar::Field>{
      {"col-7f3a", DataType::Int64()}, {"col-91bc", DataType::String()}});
  columnar::Int64Builder ids(DataType::Int64());
  columnar::StringBuilder regions;
  for (int64_t id = 0; id < 4; ++id) {
    ids.Append(id);
    regions.Append(id % 2 == 0 ? "eu" : "us");
  }
  columnar::Batch batch(physical, {ids.Finish(), regions.Finish()}, 4);
  DataFileWriter writer(io::FileSystemForUri(dir.path()).ValueOrDie(), dir.path(), physical,
                        {"col-91bc"});
  ASSERT_TRUE(writer.Write(batch).ok());
  std::vector<AddFile> adds = writer.Finish().ValueOrDie();
  ASSERT_EQ(adds.size(), 2u);
  auto schema_string = [](const std::string& id_name) {
    return R"({"type":"struct","fields":[{"name":")" + id_name +
           R"(","type":"long","nullable":true,"metadata":{"delta.columnMapping.id":1,)"
           R"("delta.columnMapping.physicalName":"col-7f3a"}},{"name":"region","type":"string",)"
           R"("nullable":true,"metadata":{"delta.columnMapping.id":2,)"
           R"("delta.columnMapping.physicalName":"col-91bc"}}]})";
  };
  Protocol protocol;
  protocol.min_reader_version = 2;
  protocol.min_writer_version = 5;
  Metadata metadata;
  metadata.id = "mapped";
  metadata.schema_string = schema_string("id");
  metadata.partition_columns = {"region"};
  metadata.configuration = {{"delta.columnMapping.mode", "name"},
                            {"delta.columnMapping.maxColumnId", "2"}};
  std::vector<Action> actions = {protocol, metadata};
  for (const AddFile& add : adds) actions.push_back(add);
  auto log = DeltaLog::Open(dir.path()).ValueOrDie();
  WriteCommit(*log, 0, actions);
  // RENAME COLUMN id TO order_id: a new metaData, the same files.
  metadata.schema_string = schema_string("order_id");
  WriteCommit(*log, 1, {metadata});
  SnapshotPtr snapshot = log->Load().ValueOrDie();
  EXPECT_EQ(snapshot->column_mapping_mode, "name");
  EXPECT_EQ(snapshot->schema->field(0).name, "order_id");
  auto scan = TableScan::Open(log, snapshot).ValueOrDie();
  std::vector<std::string> rows;
  while (true) {
    columnar::BatchPtr read = scan->Next().ValueOrDie();
    if (read == nullptr) break;
    const auto& id_column = static_cast<const columnar::Int64Column&>(read->column(0));
    const auto& region_column = static_cast<const columnar::StringColumn&>(read->column(1));
    for (int64_t row = 0; row < read->num_rows(); ++row) {
      ASSERT_FALSE(id_column.IsNull(row)) << "the data file was not matched by physical name";
      rows.push_back(std::to_string(id_column.Value(row)) + ":" +
                     std::string(region_column.Value(row)));
    }
  }
  std::sort(rows.begin(), rows.end());
  EXPECT_EQ(rows, (std::vector<std::string>{"0:eu", "1:us", "2:eu", "3:us"}));
  // And writes them, under the physical names of the table another writer made.
  EXPECT_TRUE(DeltaLog::CheckWritable(*snapshot).ok());
  const auto written = DeltaTable::Open(dir.path()).ValueOrDie()->Delete("order_id = 3");
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_EQ(written->rows_deleted, 1);
  snapshot = log->Load().ValueOrDie();
  for (const auto& [key, add] : snapshot->files) {
    EXPECT_EQ(add.partition_values.count("col-91bc"), 1u) << key.ToString();
  }
  EXPECT_EQ(snapshot->NumRecords(), 3);
}

// A v2 checkpoint (a UUID-named top-level JSON file naming Parquet sidecars that hold the file
// actions) is used for replay; the JSON commits it covers may be gone.
TEST(DeltaLogTest, ReadsV2CheckpointsWithSidecars) {
  TempDir dir;
  AppendIds(dir.path(), 0, 10);
  AppendIds(dir.path(), 10, 5);
  auto log = DeltaLog::Open(dir.path()).ValueOrDie();
  SnapshotPtr latest = log->Load().ValueOrDie();
  // The sidecar: a Parquet file of the add actions (the classic checkpoint writer's layout).
  ASSERT_TRUE(log->WriteCheckpoint(*latest, CurrentTimeMs()).ok());
  const std::string classic = dir.path() + "/_delta_log/00000000000000000001.checkpoint.parquet";
  const std::string sidecar =
      "00000000000000000001.checkpoint.0000000001.0000000001."
      "2b1e0c1a-0d7c-4f6e-9a51-0c3f2d5e7a11.parquet";
  std::filesystem::create_directories(dir.path() + "/_delta_log/_sidecars");
  std::filesystem::rename(classic, dir.path() + "/_delta_log/_sidecars/" + sidecar);
  std::filesystem::remove(dir.path() + "/_delta_log/_last_checkpoint");
  std::ofstream(dir.path() +
                "/_delta_log/00000000000000000001.checkpoint."
                "5c9d8a3e-1f2b-4c6d-8e7f-90a1b2c3d4e5.json")
      << "{\"checkpointMetadata\":{\"version\":1}}\n"
      << "{\"sidecar\":{\"path\":\"" << sidecar << "\",\"sizeInBytes\":1,\"modificationTime\":1}}\n"
      << SerializeAction(latest->protocol) << "\n"
      << SerializeAction(latest->metadata) << "\n";
  std::filesystem::remove(log->CommitPath(0));
  std::filesystem::remove(log->CommitPath(1));
  SnapshotPtr from_checkpoint = log->Load().ValueOrDie();
  EXPECT_EQ(from_checkpoint->checkpoint_version, std::optional<int64_t>(1));
  EXPECT_EQ(from_checkpoint->files, latest->files);
  EXPECT_EQ(Ids(log, from_checkpoint), Range(0, 15));
  // A sidecar path that leaves _sidecars is refused (the checkpoint is then unusable).
  std::ofstream(dir.path() +
                "/_delta_log/00000000000000000001.checkpoint."
                "5c9d8a3e-1f2b-4c6d-8e7f-90a1b2c3d4e5.json")
      << "{\"sidecar\":{\"path\":\"../../x.parquet\",\"sizeInBytes\":1,\"modificationTime\":1}}\n";
  EXPECT_FALSE(log->Load().ok());
}

// After a checkpoint older than delta.logRetentionDuration, the log before it goes; the table
// reads the same, and time travel to a removed version says why it cannot.
TEST(DeltaLogTest, ExpiredLogFilesAreCleanedUpBehindACheckpoint) {
  TempDir dir;
  for (int64_t version = 0; version < 25; ++version) AppendIds(dir.path(), version, 1);
  auto log = DeltaLog::Open(dir.path()).ValueOrDie();
  SnapshotPtr latest = log->Load().ValueOrDie();
  EXPECT_EQ(latest->checkpoint_version, std::optional<int64_t>(20));
  // Nothing is 30 days old yet.
  EXPECT_EQ(log->CleanUpExpiredLog(*latest, CurrentTimeMs()).ValueOrDie(), 0);
  const int64_t later = CurrentTimeMs() + 31ll * 24 * 3600 * 1000;
  EXPECT_EQ(log->CleanUpExpiredLog(*latest, later).ValueOrDie(),
            21);  // commits 0-19, checkpoint 10
  EXPECT_FALSE(std::filesystem::exists(log->CommitPath(19)));
  EXPECT_TRUE(std::filesystem::exists(log->CommitPath(20)));
  SnapshotPtr after = log->Load().ValueOrDie();
  EXPECT_EQ(after->files, latest->files);
  EXPECT_EQ(Ids(log, after), Range(0, 25));
  EXPECT_EQ(Ids(log, log->Load(20).ValueOrDie()), Range(0, 21));
  const Status gone = log->Load(5).status();
  EXPECT_EQ(gone.code(), StatusCode::kNotFound);
  EXPECT_NE(gone.message().find("delta.logRetentionDuration"), std::string::npos)
      << gone.ToString();
  EXPECT_EQ(log->History().ValueOrDie().size(), 5u);
  // Appends go on; the next checkpoint cleans nothing more until it, too, is old.
  AppendIds(dir.path(), 25, 1);
  EXPECT_EQ(Ids(log, log->Load().ValueOrDie()), Range(0, 26));
}

// With in-commit timestamps, time travel by timestamp uses commitInfo.inCommitTimestamp.
TEST(DeltaLogTest, TimeTravelUsesInCommitTimestamps) {
  TempDir dir;
  AppendIds(dir.path(), 0, 2);
  auto log = DeltaLog::Open(dir.path()).ValueOrDie();
  Metadata metadata = log->Load().ValueOrDie()->metadata;
  metadata.configuration["delta.enableInCommitTimestamps"] = "true";
  metadata.configuration["delta.inCommitTimestampEnablementVersion"] = "1";
  const int64_t base = 1'700'000'000'000;
  for (int64_t version = 1; version <= 3; ++version) {
    CommitInfo info;
    info.operation = "WRITE";
    info.in_commit_timestamp = base + version * 1000;
    std::vector<Action> actions = {info};
    if (version == 1) actions.push_back(metadata);
    WriteCommit(*log, version, actions);
  }
  EXPECT_EQ(log->LoadAtTimestamp(base + 2500).ValueOrDie()->version, 2);
  EXPECT_EQ(log->LoadAtTimestamp(base + 3000).ValueOrDie()->version, 3);
  EXPECT_EQ(log->LoadAtTimestamp(base + 99999).ValueOrDie()->version, 3);
  EXPECT_EQ(log->LoadAtTimestamp(base + 1000).ValueOrDie()->version, 1);
  EXPECT_EQ(log->Load(3).ValueOrDie()->timestamp_ms, base + 3000);
  // Before the enablement, the log files' times (version 0 was written just now).
  EXPECT_EQ(log->LoadAtTimestamp(base + 999).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace sluice::lake

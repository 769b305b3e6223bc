// Log replay: logical files keyed by (path, deletion vector id), as the protocol's action
// reconciliation asks, through JSON commits and checkpoints.
#include "sluice/lake/delta_log.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "sluice/columnar/column_builder.h"
#include "sluice/lake/delta_table.h"

namespace sluice::lake {
namespace {

using columnar::DataType;

class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/sluice-log-XXXXXX";
    path_ = ::mkdtemp(pattern);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

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

DeletionVector Descriptor(const std::string& uuid_z85, int64_t cardinality) {
  DeletionVector dv;
  dv.storage_type = "u";
  dv.path_or_inline_dv = uuid_z85;
  dv.offset = 1;
  dv.size_in_bytes = 34;
  dv.cardinality = cardinality;
  return dv;
}

// Writes `actions` as the next commit, as another writer (Spark) would.
void WriteCommit(const DeltaLog& log, int64_t version, const std::vector<Action>& actions) {
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
  DeletionVector dv1 = Descriptor("h{&8fAg]=QYJvl-}c!yH", 1);
  DeletionVector dv2 = Descriptor("j=hZPftg7qJYIw^L+Oz9", 2);
  DeletionVector dv3 = Descriptor("^jP?.<zvDfIGb{C.FPij", 3);
  DeletionVector dv4 = Descriptor("3yn<4!rjw:0k5ASxXyN+", 1);

  DeletionVectorHistory() {
    AppendIds(dir.path(), 0, 10);
    AppendIds(dir.path(), 10, 10);
    AppendIds(dir.path(), 20, 10);
    log = DeltaLog::Open(dir.path()).ValueOrDie();
    SnapshotPtr base = log->Load().ValueOrDie();
    const AddFile a = base->files.begin()->second;
    const AddFile b = std::next(base->files.begin())->second;
    first = base->files.begin()->first.path;
    second = std::next(base->files.begin())->first.path;
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
  // Without reading deletion vectors, the table must be refused — never read without the
  // rows they delete.
  for (const int64_t version : {3, 4, 5, 6}) {
    Result<SnapshotPtr> loaded = history.log->Load(version);
    ASSERT_FALSE(loaded.ok()) << "version " << version << " read with " << (*loaded)->files.size()
                              << " files";
    EXPECT_NE(loaded.status().message().find("deletion vector"), std::string::npos)
        << loaded.status().ToString();
  }
}

}  // namespace
}  // namespace sluice::lake

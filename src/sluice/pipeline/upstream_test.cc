// ReadDelta: what the commits after a consumed version added, for incremental tasks — the rows a
// MERGE brought, not the rows it copied around them.
#include "sluice/pipeline/upstream.h"

#include <gtest/gtest.h>

#include "sluice/columnar/column_builder.h"
#include "sluice/io/memory_file_system.h"
#include "sluice/lake/scratch_table.h"

namespace sluice::pipeline {
namespace {

using columnar::DataType;

columnar::BatchPtr Rows(const std::vector<std::pair<int64_t, std::string>>& rows) {
  columnar::Int64Builder ids(DataType::Int64());
  columnar::StringBuilder names;
  for (const auto& [id, name] : rows) {
    ids.Append(id);
    names.Append(name);
  }
  auto schema = std::make_shared<const columnar::Schema>(std::vector<columnar::Field>{
      {"id", DataType::Int64(), true}, {"name", DataType::String(), true}});
  return std::make_shared<const columnar::Batch>(
      schema, std::vector<columnar::ColumnPtr>{ids.Finish(), names.Finish()},
      static_cast<int64_t>(rows.size()));
}

// "id:name" of every row of `files`, sorted.
std::vector<std::string> RowsOf(const std::shared_ptr<const lake::DeltaLog>& log,
                                const lake::SnapshotPtr& snapshot,
                                const std::vector<std::string>& files) {
  lake::TableScanOptions options;
  options.files = files;
  std::vector<std::string> out;
  for (const columnar::BatchPtr& batch : ReadAll(log, snapshot, options, nullptr).ValueOrDie()) {
    for (int64_t i = 0; i < batch->num_rows(); ++i) {
      out.push_back(
          std::to_string(static_cast<const columnar::Int64Column&>(batch->column(0)).Value(i)) +
          ":" + std::string(static_cast<const columnar::StringColumn&>(batch->column(1)).Value(i)));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

class ReadDeltaTest : public ::testing::TestWithParam<bool> {};

TEST_P(ReadDeltaTest, AMergeBringsItsSourceRowsNotTheRowsItCopied) {
  io::ClearMemoryFileSystem();
  auto table = lake::DeltaTable::Open("mem://lake/t").ValueOrDie();
  lake::TableWriteOptions create;
  if (GetParam()) create.configuration["delta.enableDeletionVectors"] = "true";
  const columnar::BatchPtr day1 = Rows({{1, "a"}, {2, "b"}, {3, "c"}});
  ASSERT_TRUE(table->Write(day1->schema(), lake::scratch::SourceOf({day1}), create).ok());
  const columnar::BatchPtr day2 = Rows({{3, "c2"}, {4, "d"}});  // one update, one insert
  lake::MergeOptions merge;
  merge.keys = {"id"};
  ASSERT_TRUE(table->Merge(day2->schema(), lake::scratch::SourceOf({day2}), merge).ok());

  auto log = lake::DeltaLog::Open("mem://lake/t").ValueOrDie();
  auto snapshot = log->Load().ValueOrDie();
  Result<UpstreamDelta> delta = ReadDelta(*log, *snapshot, /*consumed=*/0);
  ASSERT_TRUE(delta.ok()) << delta.status().ToString();
  EXPECT_FALSE(delta->deleted_version.has_value());  // a merge deletes no row
  EXPECT_EQ(RowsOf(log, snapshot, delta->files), (std::vector<std::string>{"3:c2", "4:d"}));
  // The table itself holds every row once.
  EXPECT_EQ(RowsOf(log, snapshot, {}), (std::vector<std::string>{"1:a", "2:b", "3:c2", "4:d"}));

  // A merge that deletes a key (silver's apply_deletes) counts as deleting: readers that keep
  // state by key must see the row go.
  const columnar::BatchPtr day3 = Rows({{2, "DELETE"}, {5, "e"}});
  merge.is_delete = [](const columnar::Batch& batch, int64_t row) {
    return static_cast<const columnar::StringColumn&>(batch.column(1)).Value(row) == "DELETE";
  };
  ASSERT_TRUE(table->Merge(day3->schema(), lake::scratch::SourceOf({day3}), merge).ok());
  auto later = log->Load().ValueOrDie();
  Result<UpstreamDelta> deleting = ReadDelta(*log, *later, /*consumed=*/snapshot->version);
  ASSERT_TRUE(deleting.ok()) << deleting.status().ToString();
  EXPECT_EQ(deleting->deleted_version, later->version);
  EXPECT_EQ(RowsOf(log, later, {}), (std::vector<std::string>{"1:a", "3:c2", "4:d", "5:e"}));
}

TEST_P(ReadDeltaTest, ReplacedRowsAreThoseGoneSinceTheConsumedVersionThroughCopiesOfCopies) {
  io::ClearMemoryFileSystem();
  auto table = lake::DeltaTable::Open("mem://lake/t").ValueOrDie();
  lake::TableWriteOptions create;
  if (GetParam()) create.configuration["delta.enableDeletionVectors"] = "true";
  const columnar::BatchPtr rows = Rows({{1, "a"}, {2, "b"}, {3, "c"}, {4, "d"}});
  ASSERT_TRUE(table->Write(rows->schema(), lake::scratch::SourceOf({rows}), create).ok());
  // Two deletes: the second rewrites (or marks) the copies the first made.
  ASSERT_TRUE(table->Delete("id = 1").ok());
  ASSERT_TRUE(table->Delete("id = 2").ok());
  auto log = lake::DeltaLog::Open("mem://lake/t").ValueOrDie();
  auto snapshot = log->Load().ValueOrDie();
  UpstreamDelta delta = ReadDelta(*log, *snapshot, /*consumed=*/0).ValueOrDie();
  EXPECT_TRUE(delta.files.empty());
  Result<ReplacedRows> replaced = ReadReplacedRows(log, snapshot, 0, delta, {}, nullptr);
  ASSERT_TRUE(replaced.ok()) << replaced.status().ToString();
  ASSERT_TRUE(replaced->exact);
  std::vector<std::string> gone;
  for (const columnar::BatchPtr& batch : replaced->rows) {
    for (int64_t i = 0; i < batch->num_rows(); ++i) {
      gone.push_back(
          std::to_string(static_cast<const columnar::Int64Column&>(batch->column(0)).Value(i)));
    }
  }
  std::sort(gone.begin(), gone.end());
  EXPECT_EQ(gone, (std::vector<std::string>{"1", "2"}));
}

INSTANTIATE_TEST_SUITE_P(CopyOnWriteAndDeletionVectors, ReadDeltaTest, ::testing::Bool());

}  // namespace
}  // namespace sluice::pipeline

#include "sluice/columnar/batch_spool.h"

#include <dirent.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/value_formatter.h"

namespace sluice::columnar {
namespace {

SchemaPtr TestSchema() {
  return std::make_shared<const Schema>(
      std::vector<Field>{{"id", DataType::Int64(), true},
                         {"name", DataType::String(), true},
                         {"flag", DataType::Bool(), true},
                         {"price", DataType::Decimal(10, 2), true},
                         {"day", DataType::Date(), true},
                         {"score", DataType::Float64(), true}});
}

// Rows first..first+rows-1; every fourth row null in every column.
BatchPtr MakeBatch(int64_t first, int64_t rows) {
  Int64Builder ids(DataType::Int64());
  StringBuilder names;
  BooleanBuilder flags;
  DecimalBuilder prices(DataType::Decimal(10, 2));
  Int32Builder days(DataType::Date());
  Float64Builder scores(DataType::Float64());
  for (int64_t i = first; i < first + rows; ++i) {
    if (i % 4 == 3) {
      ids.AppendNull();
      names.AppendNull();
      flags.AppendNull();
      prices.AppendNull();
      days.AppendNull();
      scores.AppendNull();
      continue;
    }
    ids.Append(i);
    names.Append("name-" + std::to_string(i * 7));
    flags.Append(i % 2 == 0);
    prices.Append(i * 101);
    days.Append(static_cast<int32_t>(19000 + i));
    scores.Append(static_cast<double>(i) / 8);
  }
  return std::make_shared<const Batch>(
      TestSchema(),
      std::vector<ColumnPtr>{ids.Finish(), names.Finish(), flags.Finish(), prices.Finish(),
                             days.Finish(), scores.Finish()},
      rows);
}

std::string Render(const Batch& batch) {
  std::string text;
  for (int64_t i = 0; i < batch.num_rows(); ++i) {
    for (size_t c = 0; c < batch.num_columns(); ++c) {
      text += c ? "|" : "\n";
      AppendValue(batch.column(c), i, ValueStyle::kJson, &text);
    }
  }
  return text;
}

size_t EntriesIn(const std::string& directory) {
  size_t count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(directory)) ++count;
  return count;
}

TEST(BatchSpoolTest, ReadsBackWhatWasHeldAndWhatWasSpilledExactly) {
  const std::string directory = ::testing::TempDir() + "/spool_exact";
  std::filesystem::create_directories(directory);
  const BatchPtr first = MakeBatch(0, 1000);
  // Room for the first batch only: the rest go to the file.
  BatchSpool spool(TestSchema(), BatchBytes(*first) + 10, directory);
  std::vector<BatchPtr> batches = {first, MakeBatch(1000, 777), MakeBatch(1777, 1),
                                   MakeBatch(1778, 5000)};
  for (const BatchPtr& batch : batches) ASSERT_TRUE(spool.Append(batch).ok());
  EXPECT_EQ(spool.num_batches(), 4u);
  EXPECT_EQ(spool.num_rows(), 6778);
  EXPECT_EQ(spool.rows_before(3), 1778);
  EXPECT_EQ(spool.bytes_in_memory(), BatchBytes(*first));
  EXPECT_GT(spool.bytes_spilled(), BatchBytes(*batches[3]));
  // The spill file has no name: nothing to clean up after a crash.
  EXPECT_EQ(EntriesIn(directory), 0u);
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t b = 0; b < batches.size(); ++b) {
      Result<BatchPtr> back = spool.Get(b);
      ASSERT_TRUE(back.ok()) << back.status().ToString();
      EXPECT_EQ(Render(**back), Render(*batches[b])) << "batch " << b;
    }
  }
  const std::vector<size_t> columns = {3, 0};
  Result<BatchPtr> two = spool.Get(3, &columns);
  ASSERT_TRUE(two.ok());
  ASSERT_EQ((*two)->num_columns(), 2u);
  EXPECT_EQ((*two)->schema()->field(0).name, "price");
  EXPECT_EQ((*two)->schema()->field(1).name, "id");
  const Batch expected((*two)->schema(), {batches[3]->columns()[3], batches[3]->columns()[0]},
                       5000);
  EXPECT_EQ(Render(**two), Render(expected));
}

TEST(BatchSpoolTest, AnUnwritableDirectoryIsAnErrorNamingIt) {
  BatchSpool spool(TestSchema(), 0, "/nonexistent/spill");
  const Status status = spool.Append(MakeBatch(0, 10));
  ASSERT_FALSE(status.ok());
  EXPECT_NE(status.message().find("/nonexistent/spill"), std::string::npos) << status.message();
}

TEST(BatchSpoolTest, SpillDirectoryComesFromTheEnvironment) {
  ::setenv("SLUICE_SPILL_DIR", "/somewhere/fast", 1);
  EXPECT_EQ(DefaultSpillDirectory(), "/somewhere/fast");
  ::unsetenv("SLUICE_SPILL_DIR");
  ::setenv("TMPDIR", "/tmp/x", 1);
  EXPECT_EQ(DefaultSpillDirectory(), "/tmp/x");
  ::unsetenv("TMPDIR");
  EXPECT_EQ(DefaultSpillDirectory(), "/var/tmp");
}

}  // namespace
}  // namespace sluice::columnar

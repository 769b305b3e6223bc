#include "sluice/pipeline/read_ahead.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "sluice/columnar/column_builder.h"

namespace sluice::pipeline {
namespace {

columnar::BatchPtr OneRow(int64_t value) {
  columnar::Int64Builder builder(columnar::DataType::Int64());
  builder.Append(value);
  auto schema = std::make_shared<const columnar::Schema>(
      std::vector<columnar::Field>{{"v", columnar::DataType::Int64(), true}});
  return std::make_shared<const columnar::Batch>(
      schema, std::vector<columnar::ColumnPtr>{builder.Finish()}, 1);
}

int64_t ValueOf(const columnar::Batch& batch) {
  return static_cast<const columnar::PrimitiveColumn<int64_t>&>(batch.column(0)).Value(0);
}

TEST(ReadAheadTest, BatchesInOrderThenTheEndAndNoMoreReadsThanTheDepthAhead) {
  std::atomic<int> reads{0};
  ReadAhead ahead(
      [&]() -> Result<columnar::BatchPtr> {
        const int n = reads++;
        if (n == 10) return columnar::BatchPtr();
        return OneRow(n);
      },
      3);
  for (int wait = 0; wait < 500 && reads.load() < 3; ++wait) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(reads.load(), 3);  // the depth, nothing more while nobody takes a batch
  for (int64_t expected = 0; expected < 10; ++expected) {
    Result<columnar::BatchPtr> batch = ahead.Next();
    ASSERT_TRUE(batch.ok());
    ASSERT_NE(*batch, nullptr);
    EXPECT_EQ(ValueOf(**batch), expected);
  }
  Result<columnar::BatchPtr> end = ahead.Next();
  ASSERT_TRUE(end.ok());
  EXPECT_EQ(*end, nullptr);
  EXPECT_EQ(reads.load(), 11);
  // Asked again after the end: the end again, at once.
  EXPECT_EQ(*ahead.Next(), nullptr);
}

TEST(ReadAheadTest, AnErrorEndsTheReadsAndStopLeavesNoReadRunning) {
  int reads = 0;
  ReadAhead failing(
      [&]() -> Result<columnar::BatchPtr> {
        if (++reads == 2) return Status::IOError("the server went away");
        return OneRow(reads);
      },
      4);
  ASSERT_TRUE(failing.Next().ok());
  Result<columnar::BatchPtr> error = failing.Next();
  EXPECT_EQ(error.status().code(), StatusCode::kIOError);
  EXPECT_EQ(reads, 2);  // read on the thread, which has finished: no race here

  std::atomic<int> endless{0};
  {
    ReadAhead stopped([&]() -> Result<columnar::BatchPtr> { return OneRow(endless++); }, 2);
    ASSERT_TRUE(stopped.Next().ok());
    stopped.Stop();
    const int after_stop = endless.load();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_EQ(endless.load(), after_stop);
    EXPECT_EQ(*stopped.Next(), nullptr);  // what was read ahead is dropped
  }
}

}  // namespace
}  // namespace sluice::pipeline

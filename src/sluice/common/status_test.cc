// Status: codes, messages with context, and the one rule for what may be retried.
#include "sluice/common/status.h"

#include <gtest/gtest.h>

namespace sluice {
namespace {

TEST(StatusTest, WhatMayPassFollowsTheCodeUnlessItsMakerSaysOtherwise) {
  EXPECT_TRUE(Status::Unavailable("s3 down").IsRetryable());
  EXPECT_TRUE(Status::Timeout("slow").IsRetryable());
  EXPECT_TRUE(Status::Conflict("lost the race").IsRetryable());
  EXPECT_TRUE(Status::IOError("connection reset").IsRetryable());
  EXPECT_FALSE(Status::DataError("bad row").IsRetryable());
  EXPECT_FALSE(Status::InvalidArgument("bad option").IsRetryable());
  EXPECT_FALSE(Status::OK().IsRetryable());
  // An I/O error that a retry cannot fix, marked so by the code that saw it; context keeps it.
  const Status denied = Status::IOError("lake/t: permission denied").WithRetryable(false);
  EXPECT_FALSE(denied.IsRetryable());
  EXPECT_EQ(denied.code(), StatusCode::kIOError);
  const Status wrapped = denied.WithContext("bronze.orders");
  EXPECT_FALSE(wrapped.IsRetryable());
  EXPECT_EQ(wrapped.ToString(), "io_error: bronze.orders: lake/t: permission denied");
  EXPECT_TRUE(Status::DataError("flaky upstream").WithRetryable(true).IsRetryable());
  EXPECT_TRUE(Status::OK().WithRetryable(true).ok());
}

}  // namespace
}  // namespace sluice

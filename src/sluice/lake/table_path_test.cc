// Paths from a table's log never lead outside the table.
#include "sluice/lake/table_path.h"

#include <gtest/gtest.h>

namespace sluice::lake {
namespace {

std::string Resolved(std::string_view root, std::string_view path) {
  Result<std::string> resolved = ResolveTablePath(root, path);
  return resolved.ok() ? *resolved : "error: " + resolved.status().message();
}

TEST(TablePathTest, RelativePathsAreDecoded) {
  EXPECT_EQ(Resolved("/t", "part-0.parquet"), "part-0.parquet");
  EXPECT_EQ(Resolved("/t", "day=2024-01-01/a%20b.parquet"), "day=2024-01-01/a b.parquet");
  EXPECT_EQ(Resolved("s3://bucket/t", "x/y.parquet"), "x/y.parquet");
}

TEST(TablePathTest, AbsolutePathsInsideTheTableBecomeRelative) {
  EXPECT_EQ(Resolved("/data/t", "/data/t/p.parquet"), "p.parquet");
  EXPECT_EQ(Resolved("/data/t/", "file:///data/t/p.parquet"), "p.parquet");
  EXPECT_EQ(Resolved("/data/t", "file:/data/t/d%3D1/p.parquet"), "d=1/p.parquet");
  EXPECT_EQ(Resolved("s3://bucket/lake/t", "s3://bucket/lake/t/p.parquet"), "p.parquet");
  EXPECT_EQ(Resolved("s3://bucket/lake/t", "s3a://bucket/lake/t/p.parquet"), "p.parquet");
}

TEST(TablePathTest, PathsLeavingTheTableAreCorrupt) {
  for (const char* path :
       {"../secret.parquet", "a/../../x", "a/%2E%2E/%2E%2E/x", "./x", "a//b", "%2Fetc%2Fpasswd",
        "/etc/passwd", "/data/t2/p.parquet", "/data/t", "file:///etc/passwd",
        "file://otherhost/data/t/p", "s3://bucket/lake/t/p.parquet", "hdfs://nn/data/t/p", ""}) {
    EXPECT_EQ(Resolved("/data/t", path).rfind("error: corrupt table", 0), 0u) << path;
  }
  EXPECT_EQ(Resolved("s3://bucket/lake/t", "s3://other/lake/t/p").rfind("error: corrupt", 0), 0u);
  EXPECT_EQ(Resolved("s3://bucket/lake/t", "/lake/t/p").rfind("error: corrupt", 0), 0u);
  EXPECT_EQ(Resolved("s3://bucket/lake/t", "gs://bucket/lake/t/p").rfind("error: corrupt", 0), 0u);
}

}  // namespace
}  // namespace sluice::lake

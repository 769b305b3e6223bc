// ParquetReader: reads a Parquet file into batches.
//
// Types (Parquet → sluice): BOOLEAN → bool; INT32 (plain, INT(8|16|32), UINT(8|16)) → int32;
// UINT32 → int64; INT64 → int64; UINT64 → decimal(20,0); FLOAT, DOUBLE, FLOAT16 → float64;
// DECIMAL on any physical type → decimal(p,s) (p > 38 is read as a string); DATE → date; TIME
// (any unit) → time (µs); TIMESTAMP (any unit) and INT96 → timestamp (µs, nanoseconds
// truncated); STRING, ENUM, UTF8 → string; JSON → json; UUID → string (8-4-4-4-12); other
// byte arrays → binary. Nested fields (struct, list, map, including legacy list layouts and
// unannotated repeated fields) become one json column per top-level field: structs as objects,
// lists as arrays, maps as objects keyed by the key's text.
//
// Contract: every offset and length from the file is checked against the file and the page
// before use; a malformed or truncated file is a DataError naming the file and, where known, the
// column and row group. Page CRCs are verified when present (unless disabled). Encrypted files
// are refused with a clear error.
// Thread-safety: one reader per thread; ReadAt on the file must be thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "sluice/columnar/batch.h"
#include "sluice/columnar/comparison.h"
#include "sluice/columnar/decimal.h"
#include "sluice/common/result.h"
#include "sluice/formats/parquet/parquet_metadata.h"
#include "sluice/formats/parquet/parquet_schema.h"
#include "sluice/formats/record_reader.h"
#include "sluice/io/random_access_file.h"

namespace sluice::parquet {

// A simple comparison used to skip row groups by their statistics: `column op literal`, where the
// literal is given as text and parsed as the column's type.
struct RowGroupFilter {
  using Op = columnar::ComparisonOp;
  std::string column;
  Op op = Op::kEqual;
  std::string literal;
};

struct ParquetReadOptions {
  // Top-level columns to read, in this order (empty: all). An unknown name is InvalidArgument.
  std::vector<std::string> columns;
  // Row groups whose statistics prove no row can match every filter are skipped.
  std::vector<RowGroupFilter> filters;
  bool verify_checksums = true;
  int64_t batch_rows = columnar::kMaxBatchRows;
  int threads = 2;
};

class ParquetReader final : public formats::RecordReader {
 public:
  // Reads and checks the footer and maps the schema. Errors: DataError for a file that is not
  // Parquet, is truncated or has a malformed footer; InvalidArgument for unknown columns or
  // filters that do not fit their column.
  static Result<std::unique_ptr<ParquetReader>> Open(std::shared_ptr<io::RandomAccessFile> file,
                                                     ParquetReadOptions options = {});
  static Result<std::unique_ptr<ParquetReader>> Open(const std::string& path,
                                                     ParquetReadOptions options = {});
  ~ParquetReader() override;

  // The schema of the projected columns.
  columnar::SchemaPtr schema() const override;
  Result<columnar::BatchPtr> Next() override;
  int64_t records_read() const override;

  const FileMetaData& metadata() const;
  // Row groups skipped by the filters so far (all of them are decided at Open).
  int64_t row_groups_skipped() const;

 private:
  class Impl;
  explicit ParquetReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A statistics value (min_value, max_value) decoded into the comparable form of the leaf's sluice
// type: int64 for integers, dates (days), times and timestamps (µs); Int128 for decimals
// (unscaled); double; the bytes for strings. monostate when the type has no such form here
// (booleans, binary, UUID, float16, INT96, UINT64) or the bytes do not fit the type; NaN gives
// monostate too.
using StatisticValue = std::variant<std::monostate, int64_t, columnar::Int128, double, std::string>;
StatisticValue DecodeStatistic(const SchemaNode& leaf, const std::string& bytes);

// The sluice schema of a Parquet file's top-level fields (what ParquetReader produces).
Result<columnar::SchemaPtr> ParquetSchemaToSluice(const FileMetaData& metadata);

}  // namespace sluice::parquet

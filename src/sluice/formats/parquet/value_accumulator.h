// ValueAccumulator: the values of one sluice column under construction while Parquet pages are
// decoded into it — typed storage filled directly by the page decoders, a byte-per-row validity,
// dictionary gathers, and nulls spread into place from definition levels — then Finish()ed into
// a columnar::Column.
// Not thread-safe: one decoder at a time.
#pragma once

#include <cstdint>
#include <vector>

#include "sluice/columnar/column.h"
#include "sluice/columnar/raw_bytes.h"

namespace sluice::parquet {

// Values of one sluice type under construction, with a byte-per-row validity.
class ValueAccumulator {
 public:
  explicit ValueAccumulator(columnar::DataType type);

  const columnar::DataType& type() const { return type_; }
  int64_t length() const { return length_; }
  void Clear();

  // Moves the last `dense_count` values (appended without nulls) into place for `rows` rows whose
  // definition levels are `levels`: a row is present when its level equals `max_level`.
  void SpreadNulls(int64_t dense_count, const int16_t* levels, int64_t rows, int16_t max_level);

  // Appends `count` values taken from `dictionary` at `indices` (checked by the caller).
  void Gather(const ValueAccumulator& dictionary, const uint32_t* indices, int64_t count);

  columnar::ColumnPtr Finish();

  // Storage (one of these is used, by type).
  std::vector<uint8_t> booleans;  // one byte per value
  std::vector<int32_t> int32s;
  std::vector<int64_t> int64s;
  std::vector<double> doubles;
  std::vector<columnar::Int128> decimals;
  std::vector<int64_t> offsets;  // byte arrays: length + 1
  columnar::RawBytes bytes;
  // Advances length_ after values were appended to the storage directly.
  void AddValues(int64_t count) { length_ += count; }

 private:
  columnar::DataType type_;
  int64_t length_ = 0;
  std::vector<uint8_t> validity_;  // one byte per row; empty while every row is valid
  int64_t null_count_ = 0;
};

}  // namespace sluice::parquet

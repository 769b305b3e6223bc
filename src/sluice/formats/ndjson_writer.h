// NDJSONWriter: writes batches as newline-delimited JSON, one object per row, keys in column order.
//
// Values: integers as numbers; floats in shortest round-trip form (NaN and the infinities as the
// strings "NaN", "Infinity", "-Infinity"); decimals as numbers with their exact scale; dates
// "YYYY-MM-DD"; times "HH:MM:SS[.ffffff]"; timestamps ISO 8601 with Z; binary as base64 strings;
// json columns as their JSON; null as null.
#pragma once

#include <ostream>

#include "sluice/columnar/batch.h"

namespace sluice::formats {

class NDJSONWriter {
 public:
  explicit NDJSONWriter(std::ostream& out) : out_(out) {}
  // Writes the first `max_rows` rows (all when negative).
  void Write(const columnar::Batch& batch, int64_t max_rows = -1);

 private:
  std::ostream& out_;
};

}  // namespace sluice::formats

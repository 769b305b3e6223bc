// Rows as keys and as text: the one encoding of a row's key columns that silver (dedupe, unique
// checks, lookups), gold (surrogate keys, SCD2 change hashes, fact joins) and loads compare, and
// the JSON form of a row that quarantines and messages show.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sluice/columnar/batch.h"

namespace sluice::compute {

// The key of row `row` over `columns` as one text: each value in its JSON form followed by 0x1F
// (equal keys, equal texts; a null is "null", so null keys compare equal).
std::string EncodeKey(const columnar::Batch& batch, const std::vector<size_t>& columns,
                      int64_t row);

// The row as a JSON object {"col": value, ...}.
std::string RowAsJson(const columnar::Batch& batch, int64_t row);

}  // namespace sluice::compute

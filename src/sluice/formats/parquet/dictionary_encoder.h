// DictionaryEncoder: the column encoders that try a dictionary — fixed-width values (INT32,
// INT64, DOUBLE, decimals on them) and byte strings (BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY decimals).
// A chunk is pages of RLE indices into a PLAIN dictionary while the dictionary pays, PLAIN pages
// otherwise: a mostly-distinct first page turns the whole chunk PLAIN (no dictionary page), a
// dictionary past ParquetWriteOptions::dictionary_bytes leaves the rest of the chunk PLAIN.
// Min/max statistics are kept as values are appended (byte strings up to 64 bytes).
#pragma once

#include <memory>

#include "sluice/formats/parquet/column_encoder.h"

namespace sluice::parquet {

// The encoder for a leaf of any type but bool (nullptr for bool); `options` must outlive it.
std::unique_ptr<ColumnEncoder> MakeDictionaryEncoder(const LeafColumn& leaf,
                                                     const ParquetWriteOptions& options);

}  // namespace sluice::parquet

// Take: new columns and batches made of chosen rows of existing ones, and all-null columns.
//
// Used by the lake to split batches by partition, drop deleted rows and fill columns a data file
// lacks. Results are new immutable columns; inputs are not modified. Thread-safe (pure functions).
#pragma once

#include <cstdint>
#include <span>

#include "sluice/columnar/batch.h"
#include "sluice/columnar/column.h"

namespace sluice::columnar {

// The rows of `column` at `indices`, in that order (indices must be within the column).
ColumnPtr TakeRows(const Column& column, std::span<const int64_t> indices);

// The rows of every column of `batch` at `indices`.
BatchPtr TakeRows(const Batch& batch, std::span<const int64_t> indices);

// The rows of every batch, one after the other, as one batch (all batches in `schema`).
BatchPtr ConcatBatches(const SchemaPtr& schema, const std::vector<BatchPtr>& batches);

// A column of `length` nulls of `type`.
ColumnPtr MakeNullColumn(DataType type, int64_t length);

}  // namespace sluice::columnar

// Batch: a horizontal slice of a table — a schema and one column per field, all of equal length.
//
// Readers produce batches of at most kMaxBatchRows rows. Immutable once built; safe to share
// across threads.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "sluice/columnar/column.h"
#include "sluice/columnar/schema.h"

namespace sluice::columnar {

inline constexpr int64_t kMaxBatchRows = 64 * 1024;

class Batch {
 public:
  Batch(SchemaPtr schema, std::vector<ColumnPtr> columns, int64_t num_rows)
      : schema_(std::move(schema)), columns_(std::move(columns)), num_rows_(num_rows) {}

  const SchemaPtr& schema() const { return schema_; }
  const std::vector<ColumnPtr>& columns() const { return columns_; }
  const Column& column(size_t index) const { return *columns_[index]; }
  size_t num_columns() const { return columns_.size(); }
  int64_t num_rows() const { return num_rows_; }

 private:
  SchemaPtr schema_;
  std::vector<ColumnPtr> columns_;
  int64_t num_rows_;
};

using BatchPtr = std::shared_ptr<const Batch>;

}  // namespace sluice::columnar

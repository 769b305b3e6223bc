// The comparisons a filter can make of a column with a literal: what DELETE conditions
// (lake/row_predicate.h) and Parquet row-group skipping (formats/parquet/parquet_reader.h) share.
#pragma once

namespace sluice::columnar {

enum class ComparisonOp {
  kEqual,
  kNotEqual,
  kLess,
  kLessEqual,
  kGreater,
  kGreaterEqual,
  kIsNull,
  kIsNotNull
};

}  // namespace sluice::columnar

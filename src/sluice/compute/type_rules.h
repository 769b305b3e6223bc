// The type classes and decimal widening rules of the expression language, shared by the binder,
// the function rules and the kernels.
#pragma once

#include <algorithm>

#include "sluice/columnar/data_type.h"
#include "sluice/columnar/decimal.h"

namespace sluice::compute {

inline bool IsInteger(const columnar::DataType& t) {
  return t.id() == columnar::TypeId::kInt32 || t.id() == columnar::TypeId::kInt64;
}
inline bool IsDecimal(const columnar::DataType& t) { return t.id() == columnar::TypeId::kDecimal; }
inline bool IsNumeric(const columnar::DataType& t) {
  return IsInteger(t) || IsDecimal(t) || t.id() == columnar::TypeId::kFloat64;
}
inline bool IsString(const columnar::DataType& t) { return t.id() == columnar::TypeId::kString; }
inline bool IsTemporal(const columnar::DataType& t) {
  return t.id() == columnar::TypeId::kDate || t.id() == columnar::TypeId::kTimestamp;
}

// Integers as the decimals that hold them exactly (int32 → decimal(10,0), int64 → decimal(19,0)).
inline columnar::DataType AsDecimal(const columnar::DataType& t) {
  if (t.id() == columnar::TypeId::kInt32) return columnar::DataType::Decimal(10, 0);
  if (t.id() == columnar::TypeId::kInt64) return columnar::DataType::Decimal(19, 0);
  return t;
}

// The decimal that holds both: the larger integer part and the larger scale (at most 38 digits),
// with `extra_digit` more for a carry.
inline columnar::DataType WiderDecimal(const columnar::DataType& a, const columnar::DataType& b,
                                       int extra_digit = 0) {
  const int scale = std::max(a.scale(), b.scale());
  const int whole = std::max(a.precision() - a.scale(), b.precision() - b.scale()) + extra_digit;
  return columnar::DataType::Decimal(std::min(columnar::kMaxDecimalPrecision, whole + scale),
                                     scale);
}

}  // namespace sluice::compute

// DataType: the logical type of a column.
//
// Physical layouts (Arrow-compatible): bool as a bitmap; int32/date as int32 (date = days since
// 1970-01-01); int64/time/timestamp as int64 (time = µs since midnight, timestamp = µs since the
// Unix epoch, UTC); float64 as double; decimal(p,s) as a 128-bit two's-complement integer scaled by
// 10^s (p ≤ 38); string/binary/json as int64 offsets + bytes (json holds valid JSON text).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sluice/common/result.h"

namespace sluice::columnar {

enum class TypeId : uint8_t {
  kBool,
  kInt32,
  kInt64,
  kFloat64,
  kDecimal,
  kString,
  kBinary,
  kDate,
  kTime,
  kTimestamp,
  kJson,
};

inline constexpr int kMaxDecimalPrecision = 38;

class DataType {
 public:
  constexpr DataType() = default;
  constexpr explicit DataType(TypeId id) : id_(id) {}

  static constexpr DataType Bool() { return DataType(TypeId::kBool); }
  static constexpr DataType Int32() { return DataType(TypeId::kInt32); }
  static constexpr DataType Int64() { return DataType(TypeId::kInt64); }
  static constexpr DataType Float64() { return DataType(TypeId::kFloat64); }
  static constexpr DataType String() { return DataType(TypeId::kString); }
  static constexpr DataType Binary() { return DataType(TypeId::kBinary); }
  static constexpr DataType Date() { return DataType(TypeId::kDate); }
  static constexpr DataType Time() { return DataType(TypeId::kTime); }
  static constexpr DataType Timestamp() { return DataType(TypeId::kTimestamp); }
  static constexpr DataType Json() { return DataType(TypeId::kJson); }
  // precision in 1..38, scale in 0..precision; not checked here (see Parse).
  static constexpr DataType Decimal(int precision, int scale) {
    DataType type(TypeId::kDecimal);
    type.precision_ = static_cast<uint8_t>(precision);
    type.scale_ = static_cast<uint8_t>(scale);
    return type;
  }

  TypeId id() const { return id_; }
  int precision() const { return precision_; }
  int scale() const { return scale_; }

  // True for types stored as offsets + bytes.
  bool is_binary_like() const {
    return id_ == TypeId::kString || id_ == TypeId::kBinary || id_ == TypeId::kJson;
  }

  // "int64", "decimal(12,2)", "timestamp", ...; the inverse of Parse.
  std::string ToString() const;

  // Parses a type name as users write it: int32/int, int64/bigint/long, float64/double/float,
  // decimal(p,s)/numeric(p,s), string/varchar/text, binary/bytes, bool/boolean, date, time,
  // timestamp, json. Case-insensitive.
  static Result<DataType> Parse(std::string_view text);

  friend bool operator==(const DataType& a, const DataType& b) {
    return a.id_ == b.id_ && a.precision_ == b.precision_ && a.scale_ == b.scale_;
  }

 private:
  TypeId id_ = TypeId::kString;
  uint8_t precision_ = 0;
  uint8_t scale_ = 0;
};

}  // namespace sluice::columnar

// Column: an immutable array of values of one DataType, with a validity bitmap.
//
// Layout per type family (Arrow-compatible):
//   BooleanColumn          values as a bitmap (bit i = row i, LSB first)
//   PrimitiveColumn<T>     values as a contiguous T array (int32, int64, double, Int128)
//   StringColumn           int64 offsets (length + 1) into one byte buffer (string, binary, json)
// The validity bitmap is empty when no value is null; otherwise bit i is 1 when row i is valid.
// Values at null positions are unspecified (zero for primitives, empty for strings).
//
// Columns are built with the builders in column_builder.h and shared as shared_ptr<const Column>.
// Thread-safety: immutable after Finish(); safe to read from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "sluice/columnar/data_type.h"
#include "sluice/columnar/decimal.h"
#include "sluice/columnar/raw_bytes.h"

namespace sluice::columnar {

inline bool GetBit(const uint8_t* bits, int64_t i) { return (bits[i >> 3] >> (i & 7)) & 1; }

class Column {
 public:
  virtual ~Column() = default;

  const DataType& type() const { return type_; }
  int64_t length() const { return length_; }
  int64_t null_count() const { return null_count_; }
  bool IsNull(int64_t i) const { return null_count_ != 0 && !GetBit(validity_.data(), i); }
  bool IsValid(int64_t i) const { return !IsNull(i); }
  // Empty when null_count() == 0.
  const std::vector<uint8_t>& validity() const { return validity_; }

 protected:
  Column(DataType type, int64_t length, int64_t null_count, std::vector<uint8_t> validity)
      : type_(type), length_(length), null_count_(null_count), validity_(std::move(validity)) {}

 private:
  DataType type_;
  int64_t length_;
  int64_t null_count_;
  std::vector<uint8_t> validity_;
};

class BooleanColumn final : public Column {
 public:
  BooleanColumn(int64_t length, int64_t null_count, std::vector<uint8_t> validity,
                std::vector<uint8_t> values)
      : Column(DataType::Bool(), length, null_count, std::move(validity)),
        values_(std::move(values)) {}

  bool Value(int64_t i) const { return GetBit(values_.data(), i); }
  const std::vector<uint8_t>& values() const { return values_; }

 private:
  std::vector<uint8_t> values_;
};

template <typename T>
class PrimitiveColumn final : public Column {
 public:
  PrimitiveColumn(DataType type, int64_t length, int64_t null_count, std::vector<uint8_t> validity,
                  std::vector<T> values)
      : Column(type, length, null_count, std::move(validity)), values_(std::move(values)) {}

  T Value(int64_t i) const { return values_[static_cast<size_t>(i)]; }
  const T* data() const { return values_.data(); }

 private:
  std::vector<T> values_;
};

// int32 and date.
using Int32Column = PrimitiveColumn<int32_t>;
// int64, time and timestamp.
using Int64Column = PrimitiveColumn<int64_t>;
using Float64Column = PrimitiveColumn<double>;
using DecimalColumn = PrimitiveColumn<Int128>;

// string, binary and json.
class StringColumn final : public Column {
 public:
  StringColumn(DataType type, int64_t length, int64_t null_count, std::vector<uint8_t> validity,
               std::vector<int64_t> offsets, RawBytes bytes)
      : Column(type, length, null_count, std::move(validity)),
        offsets_(std::move(offsets)),
        bytes_(std::move(bytes)) {}

  std::string_view Value(int64_t i) const {
    const int64_t begin = offsets_[static_cast<size_t>(i)];
    return std::string_view(bytes_.data() + begin,
                            static_cast<size_t>(offsets_[static_cast<size_t>(i) + 1] - begin));
  }
  const std::vector<int64_t>& offsets() const { return offsets_; }
  const RawBytes& bytes() const { return bytes_; }

  // Every row holds the same non-null value (made by RepeatString): encoders and statistics look
  // at one value instead of each row's.
  bool repeats_one_value() const { return repeats_one_value_; }
  void set_repeats_one_value() { repeats_one_value_ = true; }

 private:
  std::vector<int64_t> offsets_;
  RawBytes bytes_;
  bool repeats_one_value_ = false;
};

using ColumnPtr = std::shared_ptr<const Column>;

}  // namespace sluice::columnar

// Builders: append values one by one, then Finish() into an immutable Column.
//
// Every builder supports AppendNull() and Truncate(n) (drop rows appended after the first n, used
// to roll back a partially converted row that turns out to be a reject). MakeBuilder(type) returns
// the builder for any DataType. Not thread-safe: one builder per thread.
#pragma once

#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "sluice/columnar/column.h"

namespace sluice::columnar {

// Validity bitmap under construction; allocated only once the first null arrives.
class ValidityBuilder {
 public:
  void AppendValid() {
    if (!bits_.empty()) SetBit(length_, true);
    ++length_;
  }
  void AppendNull();
  void Truncate(int64_t length);
  int64_t length() const { return length_; }
  int64_t null_count() const { return null_count_; }
  // Returns the bitmap (empty when there are no nulls) and resets the builder.
  std::vector<uint8_t> Finish();

 private:
  void SetBit(int64_t i, bool valid);
  std::vector<uint8_t> bits_;
  int64_t length_ = 0;
  int64_t null_count_ = 0;
};

class ColumnBuilder {
 public:
  explicit ColumnBuilder(DataType type) : type_(type) {}
  virtual ~ColumnBuilder() = default;

  const DataType& type() const { return type_; }
  int64_t length() const { return validity_.length(); }
  int64_t null_count() const { return validity_.null_count(); }

  virtual void AppendNull() = 0;
  virtual void Truncate(int64_t length) = 0;
  virtual void Reserve(int64_t rows) = 0;
  // Returns the column and leaves the builder empty and reusable.
  virtual ColumnPtr Finish() = 0;

 protected:
  DataType type_;
  ValidityBuilder validity_;
};

class BooleanBuilder final : public ColumnBuilder {
 public:
  BooleanBuilder() : ColumnBuilder(DataType::Bool()) {}
  void Append(bool value) {  // inline: the hot path of every predicate
    const int64_t i = length();
    const size_t byte = static_cast<size_t>(i >> 3);
    if (byte >= values_.size()) values_.push_back(0);
    if (value) values_[byte] |= static_cast<uint8_t>(1u << (i & 7));
    validity_.AppendValid();
  }
  void AppendNull() override;
  void Truncate(int64_t length) override;
  void Reserve(int64_t rows) override { values_.reserve(static_cast<size_t>((rows + 7) / 8)); }
  ColumnPtr Finish() override;

 private:
  std::vector<uint8_t> values_;
};

template <typename T>
class PrimitiveBuilder final : public ColumnBuilder {
 public:
  explicit PrimitiveBuilder(DataType type) : ColumnBuilder(type) {}
  void Append(T value) {
    values_.push_back(value);
    validity_.AppendValid();
  }
  void AppendNull() override {
    values_.push_back(T{});
    validity_.AppendNull();
  }
  void Truncate(int64_t length) override {
    if (length >= this->length()) return;
    values_.resize(static_cast<size_t>(length));
    validity_.Truncate(length);
  }
  void Reserve(int64_t rows) override { values_.reserve(static_cast<size_t>(rows)); }
  ColumnPtr Finish() override {
    const int64_t length = validity_.length();
    const int64_t null_count = validity_.null_count();
    auto column = std::make_shared<PrimitiveColumn<T>>(type_, length, null_count,
                                                       validity_.Finish(), std::move(values_));
    values_ = {};
    return column;
  }

 private:
  std::vector<T> values_;
};

using Int32Builder = PrimitiveBuilder<int32_t>;
using Int64Builder = PrimitiveBuilder<int64_t>;
using Float64Builder = PrimitiveBuilder<double>;
using DecimalBuilder = PrimitiveBuilder<Int128>;

class StringBuilder final : public ColumnBuilder {
 public:
  explicit StringBuilder(DataType type = DataType::String()) : ColumnBuilder(type) {
    offsets_.push_back(0);
  }
  void Append(std::string_view value) {
    const size_t old = bytes_.size();
    bytes_.resize(old + value.size());
    if (!value.empty()) std::memcpy(bytes_.data() + old, value.data(), value.size());
    offsets_.push_back(static_cast<int64_t>(bytes_.size()));
    validity_.AppendValid();
  }
  // Appends `size` bytes to the value under construction; EndValue() closes it. Lets callers
  // unescape directly into the column.
  char* ExtendValue(size_t size) {
    const size_t old = bytes_.size();
    bytes_.resize(old + size);
    return bytes_.data() + old;
  }
  void ShrinkValue(size_t unused) { bytes_.resize(bytes_.size() - unused); }
  void EndValue() {
    offsets_.push_back(static_cast<int64_t>(bytes_.size()));
    validity_.AppendValid();
  }
  void AppendNull() override {
    offsets_.push_back(static_cast<int64_t>(bytes_.size()));
    validity_.AppendNull();
  }
  void Truncate(int64_t length) override;
  void Reserve(int64_t rows) override { offsets_.reserve(static_cast<size_t>(rows) + 1); }
  void ReserveBytes(int64_t bytes) { bytes_.reserve(static_cast<size_t>(bytes)); }
  int64_t byte_size() const { return static_cast<int64_t>(bytes_.size()); }
  ColumnPtr Finish() override;

 private:
  std::vector<int64_t> offsets_;
  RawBytes bytes_;
};

// A column of `rows` copies of `value` (string, binary or json), marked repeats_one_value().
ColumnPtr RepeatString(DataType type, std::string_view value, int64_t rows);

// Returns the builder for `type` (BooleanBuilder, PrimitiveBuilder<T> or StringBuilder).
std::unique_ptr<ColumnBuilder> MakeBuilder(DataType type);

}  // namespace sluice::columnar

#include "sluice/columnar/column_builder.h"

#include <bit>

namespace sluice::columnar {

void ValidityBuilder::SetBit(int64_t i, bool valid) {
  const size_t byte = static_cast<size_t>(i >> 3);
  if (byte >= bits_.size()) bits_.resize(byte + 1 + bits_.size() / 2, 0);
  const uint8_t mask = static_cast<uint8_t>(1u << (i & 7));
  if (valid) {
    bits_[byte] |= mask;
  } else {
    bits_[byte] &= static_cast<uint8_t>(~mask);
  }
}

void ValidityBuilder::AppendNull() {
  if (bits_.empty()) {
    // First null: materialize "all valid" for the rows so far.
    bits_.assign(static_cast<size_t>(length_ / 8 + 1 + length_ / 16), 0);
    for (int64_t i = 0; i < length_; ++i) SetBit(i, true);
  }
  SetBit(length_, false);
  ++length_;
  ++null_count_;
}

void ValidityBuilder::Truncate(int64_t length) {
  if (length >= length_) return;
  if (!bits_.empty()) {
    for (int64_t i = length; i < length_; ++i) {
      if (!GetBit(bits_.data(), i)) --null_count_;
    }
  }
  length_ = length;
}

std::vector<uint8_t> ValidityBuilder::Finish() {
  std::vector<uint8_t> out;
  if (null_count_ != 0) {
    out = std::move(bits_);
    out.resize(static_cast<size_t>((length_ + 7) / 8));
    // Clear the padding bits past the end so equal columns have equal bitmaps.
    if (length_ % 8 != 0) out.back() &= static_cast<uint8_t>((1u << (length_ % 8)) - 1);
  }
  bits_ = {};
  length_ = 0;
  null_count_ = 0;
  return out;
}

void BooleanBuilder::AppendNull() {
  const size_t byte = static_cast<size_t>(length() >> 3);
  if (byte >= values_.size()) values_.push_back(0);
  validity_.AppendNull();
}

void BooleanBuilder::Truncate(int64_t length) {
  if (length >= this->length()) return;
  for (int64_t i = length; i < this->length(); ++i) {
    values_[static_cast<size_t>(i >> 3)] &= static_cast<uint8_t>(~(1u << (i & 7)));
  }
  values_.resize(static_cast<size_t>((length + 7) / 8));
  validity_.Truncate(length);
}

ColumnPtr BooleanBuilder::Finish() {
  const int64_t length = validity_.length();
  const int64_t null_count = validity_.null_count();
  auto column =
      std::make_shared<BooleanColumn>(length, null_count, validity_.Finish(), std::move(values_));
  values_ = {};
  return column;
}

void StringBuilder::Truncate(int64_t length) {
  if (length >= this->length()) return;
  offsets_.resize(static_cast<size_t>(length) + 1);
  bytes_.resize(static_cast<size_t>(offsets_.back()));
  validity_.Truncate(length);
}

ColumnPtr StringBuilder::Finish() {
  const int64_t length = validity_.length();
  const int64_t null_count = validity_.null_count();
  auto column = std::make_shared<StringColumn>(type_, length, null_count, validity_.Finish(),
                                               std::move(offsets_), std::move(bytes_));
  offsets_ = {0};
  bytes_ = {};
  return column;
}

ColumnPtr RepeatString(DataType type, std::string_view value, int64_t rows) {
  const size_t size = value.size();
  std::vector<int64_t> offsets(static_cast<size_t>(rows) + 1);
  for (int64_t i = 0; i <= rows; ++i)
    offsets[static_cast<size_t>(i)] = i * static_cast<int64_t>(size);
  RawBytes bytes;
  bytes.resize(size * static_cast<size_t>(rows));
  if (size > 0 && rows > 0) {
    // Doubling copies: log2(rows) memcpy calls.
    std::memcpy(bytes.data(), value.data(), size);
    size_t filled = size;
    while (filled < bytes.size()) {
      const size_t chunk = std::min(filled, bytes.size() - filled);
      std::memcpy(bytes.data() + filled, bytes.data(), chunk);
      filled += chunk;
    }
  }
  auto column = std::make_shared<StringColumn>(type, rows, 0, std::vector<uint8_t>{},
                                               std::move(offsets), std::move(bytes));
  if (rows > 0) column->set_repeats_one_value();
  return column;
}

std::unique_ptr<ColumnBuilder> MakeBuilder(DataType type) {
  switch (type.id()) {
    case TypeId::kBool:
      return std::make_unique<BooleanBuilder>();
    case TypeId::kInt32:
    case TypeId::kDate:
      return std::make_unique<Int32Builder>(type);
    case TypeId::kInt64:
    case TypeId::kTime:
    case TypeId::kTimestamp:
      return std::make_unique<Int64Builder>(type);
    case TypeId::kFloat64:
      return std::make_unique<Float64Builder>(type);
    case TypeId::kDecimal:
      return std::make_unique<DecimalBuilder>(type);
    case TypeId::kString:
    case TypeId::kBinary:
    case TypeId::kJson:
      return std::make_unique<StringBuilder>(type);
  }
  return std::make_unique<StringBuilder>(type);
}

}  // namespace sluice::columnar

#include "sluice/formats/parquet/value_accumulator.h"

#include <cstring>

namespace sluice::parquet {
namespace {

using columnar::DataType;
using columnar::TypeId;

enum class StorageKind { kBool, kInt32, kInt64, kDouble, kDecimal, kBytes };

StorageKind StorageOf(const DataType& type) {
  switch (type.id()) {
    case TypeId::kBool:
      return StorageKind::kBool;
    case TypeId::kInt32:
    case TypeId::kDate:
      return StorageKind::kInt32;
    case TypeId::kInt64:
    case TypeId::kTime:
    case TypeId::kTimestamp:
      return StorageKind::kInt64;
    case TypeId::kFloat64:
      return StorageKind::kDouble;
    case TypeId::kDecimal:
      return StorageKind::kDecimal;
    case TypeId::kString:
    case TypeId::kBinary:
    case TypeId::kJson:
      return StorageKind::kBytes;
  }
  return StorageKind::kBytes;
}

std::vector<uint8_t> PackBits(const std::vector<uint8_t>& bytes) {
  std::vector<uint8_t> bits((bytes.size() + 7) / 8, 0);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i]) bits[i >> 3] = static_cast<uint8_t>(bits[i >> 3] | (1u << (i & 7)));
  }
  return bits;
}

template <typename T>
void SpreadVector(std::vector<T>* values, int64_t start, int64_t dense_count, const int16_t* levels,
                  int64_t rows, int16_t max_level) {
  values->resize(static_cast<size_t>(start + rows));
  T* data = values->data() + start;
  int64_t dense = dense_count - 1;
  for (int64_t row = rows - 1; row >= 0 && row > dense; --row) {
    if (levels[row] == max_level) {
      data[row] = data[dense--];
    } else {
      data[row] = T{};
    }
  }
}

}  // namespace

ValueAccumulator::ValueAccumulator(DataType type) : type_(type) { Clear(); }

void ValueAccumulator::Clear() {
  booleans.clear();
  int32s.clear();
  int64s.clear();
  doubles.clear();
  decimals.clear();
  offsets.assign(1, 0);
  bytes.clear();
  validity_.clear();
  length_ = 0;
  null_count_ = 0;
}

void ValueAccumulator::SpreadNulls(int64_t dense_count, const int16_t* levels, int64_t rows,
                                   int16_t max_level) {
  const int64_t start = length_ - dense_count;
  if (dense_count != rows) {
    if (validity_.empty()) validity_.assign(static_cast<size_t>(start), 1);
    switch (StorageOf(type_)) {
      case StorageKind::kBool:
        SpreadVector(&booleans, start, dense_count, levels, rows, max_level);
        break;
      case StorageKind::kInt32:
        SpreadVector(&int32s, start, dense_count, levels, rows, max_level);
        break;
      case StorageKind::kInt64:
        SpreadVector(&int64s, start, dense_count, levels, rows, max_level);
        break;
      case StorageKind::kDouble:
        SpreadVector(&doubles, start, dense_count, levels, rows, max_level);
        break;
      case StorageKind::kDecimal:
        SpreadVector(&decimals, start, dense_count, levels, rows, max_level);
        break;
      case StorageKind::kBytes: {
        // offsets[start + 1 + i] is the end of row i.
        offsets.resize(static_cast<size_t>(start + rows + 1));
        int64_t* ends = offsets.data() + start + 1;
        int64_t dense = dense_count - 1;
        for (int64_t row = rows - 1; row >= 0 && row > dense; --row) {
          if (levels[row] == max_level) {
            ends[row] = ends[dense--];
          } else {
            ends[row] = dense >= 0 ? ends[dense] : offsets[static_cast<size_t>(start)];
          }
        }
        break;
      }
    }
  }
  if (!validity_.empty() || dense_count != rows) {
    validity_.resize(static_cast<size_t>(start + rows));
    for (int64_t row = 0; row < rows; ++row) {
      const bool valid = levels[row] == max_level;
      validity_[static_cast<size_t>(start + row)] = valid;
      null_count_ += !valid;
    }
  }
  length_ = start + rows;
}

void ValueAccumulator::Gather(const ValueAccumulator& dictionary, const uint32_t* indices,
                              int64_t count) {
  switch (StorageOf(type_)) {
    case StorageKind::kBool:
      for (int64_t i = 0; i < count; ++i) booleans.push_back(dictionary.booleans[indices[i]]);
      break;
    case StorageKind::kInt32: {
      const size_t old = int32s.size();
      int32s.resize(old + static_cast<size_t>(count));
      for (int64_t i = 0; i < count; ++i) int32s[old + i] = dictionary.int32s[indices[i]];
      break;
    }
    case StorageKind::kInt64: {
      const size_t old = int64s.size();
      int64s.resize(old + static_cast<size_t>(count));
      for (int64_t i = 0; i < count; ++i) int64s[old + i] = dictionary.int64s[indices[i]];
      break;
    }
    case StorageKind::kDouble: {
      const size_t old = doubles.size();
      doubles.resize(old + static_cast<size_t>(count));
      for (int64_t i = 0; i < count; ++i) doubles[old + i] = dictionary.doubles[indices[i]];
      break;
    }
    case StorageKind::kDecimal: {
      const size_t old = decimals.size();
      decimals.resize(old + static_cast<size_t>(count));
      for (int64_t i = 0; i < count; ++i) decimals[old + i] = dictionary.decimals[indices[i]];
      break;
    }
    case StorageKind::kBytes: {
      int64_t total = 0;
      for (int64_t i = 0; i < count; ++i) {
        total += dictionary.offsets[indices[i] + 1] - dictionary.offsets[indices[i]];
      }
      size_t position = bytes.size();
      bytes.resize(position + static_cast<size_t>(total));
      const size_t old = offsets.size();
      offsets.resize(old + static_cast<size_t>(count));
      for (int64_t i = 0; i < count; ++i) {
        const int64_t begin = dictionary.offsets[indices[i]];
        const size_t size = static_cast<size_t>(dictionary.offsets[indices[i] + 1] - begin);
        if (size > 0) std::memcpy(bytes.data() + position, dictionary.bytes.data() + begin, size);
        position += size;
        offsets[old + static_cast<size_t>(i)] = static_cast<int64_t>(position);
      }
      break;
    }
  }
  length_ += count;
}

columnar::ColumnPtr ValueAccumulator::Finish() {
  std::vector<uint8_t> validity;
  if (null_count_ > 0) validity = PackBits(validity_);
  const int64_t length = length_;
  const int64_t nulls = null_count_;
  columnar::ColumnPtr column;
  switch (StorageOf(type_)) {
    case StorageKind::kBool:
      column = std::make_shared<columnar::BooleanColumn>(length, nulls, std::move(validity),
                                                         PackBits(booleans));
      break;
    case StorageKind::kInt32:
      column = std::make_shared<columnar::Int32Column>(type_, length, nulls, std::move(validity),
                                                       std::move(int32s));
      break;
    case StorageKind::kInt64:
      column = std::make_shared<columnar::Int64Column>(type_, length, nulls, std::move(validity),
                                                       std::move(int64s));
      break;
    case StorageKind::kDouble:
      column = std::make_shared<columnar::Float64Column>(type_, length, nulls, std::move(validity),
                                                         std::move(doubles));
      break;
    case StorageKind::kDecimal:
      column = std::make_shared<columnar::DecimalColumn>(type_, length, nulls, std::move(validity),
                                                         std::move(decimals));
      break;
    case StorageKind::kBytes:
      column = std::make_shared<columnar::StringColumn>(type_, length, nulls, std::move(validity),
                                                        std::move(offsets), std::move(bytes));
      break;
  }
  Clear();
  return column;
}

}  // namespace sluice::parquet

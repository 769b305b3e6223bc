#include "sluice/columnar/take.h"

#include <cstring>

#include "sluice/columnar/column_builder.h"

namespace sluice::columnar {
namespace {

std::vector<uint8_t> TakeValidity(const Column& column, std::span<const int64_t> indices,
                                  int64_t* null_count) {
  *null_count = 0;
  if (column.null_count() == 0) return {};
  std::vector<uint8_t> bits((indices.size() + 7) / 8, 0);
  for (size_t i = 0; i < indices.size(); ++i) {
    if (column.IsValid(indices[i])) {
      bits[i >> 3] = static_cast<uint8_t>(bits[i >> 3] | (1u << (i & 7)));
    } else {
      ++*null_count;
    }
  }
  if (*null_count == 0) return {};
  return bits;
}

template <typename T>
ColumnPtr TakePrimitive(const Column& column, std::span<const int64_t> indices) {
  const auto& typed = static_cast<const PrimitiveColumn<T>&>(column);
  std::vector<T> values(indices.size());
  const T* data = typed.data();
  for (size_t i = 0; i < indices.size(); ++i) values[i] = data[indices[i]];
  int64_t null_count = 0;
  std::vector<uint8_t> validity = TakeValidity(column, indices, &null_count);
  return std::make_shared<PrimitiveColumn<T>>(column.type(), static_cast<int64_t>(indices.size()),
                                              null_count, std::move(validity), std::move(values));
}

// Every batch's column `c`, appended through `builder` (BooleanBuilder, PrimitiveBuilder<T> or
// StringBuilder, with the matching column class).
template <typename ColumnT, typename BuilderT>
ColumnPtr ConcatColumn(BuilderT builder, const std::vector<BatchPtr>& batches, size_t c) {
  for (const BatchPtr& batch : batches) {
    const auto& column = static_cast<const ColumnT&>(*batch->columns()[c]);
    for (int64_t i = 0; i < column.length(); ++i) {
      if (column.IsNull(i)) {
        builder.AppendNull();
      } else {
        builder.Append(column.Value(i));
      }
    }
  }
  return builder.Finish();
}

}  // namespace

BatchPtr ConcatBatches(const SchemaPtr& schema, const std::vector<BatchPtr>& batches) {
  if (batches.size() == 1) return batches[0];
  int64_t rows = 0;
  for (const BatchPtr& batch : batches) rows += batch->num_rows();
  std::vector<ColumnPtr> columns;
  for (size_t c = 0; c < schema->num_fields(); ++c) {
    const DataType type = schema->field(c).type;
    switch (type.id()) {
      case TypeId::kBool:
        columns.push_back(ConcatColumn<BooleanColumn>(BooleanBuilder(), batches, c));
        break;
      case TypeId::kInt32:
      case TypeId::kDate:
        columns.push_back(ConcatColumn<Int32Column>(Int32Builder(type), batches, c));
        break;
      case TypeId::kInt64:
      case TypeId::kTime:
      case TypeId::kTimestamp:
        columns.push_back(ConcatColumn<Int64Column>(Int64Builder(type), batches, c));
        break;
      case TypeId::kFloat64:
        columns.push_back(ConcatColumn<Float64Column>(Float64Builder(type), batches, c));
        break;
      case TypeId::kDecimal:
        columns.push_back(ConcatColumn<DecimalColumn>(DecimalBuilder(type), batches, c));
        break;
      default:
        columns.push_back(ConcatColumn<StringColumn>(StringBuilder(type), batches, c));
        break;
    }
  }
  return std::make_shared<const Batch>(schema, std::move(columns), rows);
}

ColumnPtr TakeRows(const Column& column, std::span<const int64_t> indices) {
  switch (column.type().id()) {
    case TypeId::kBool: {
      const auto& typed = static_cast<const BooleanColumn&>(column);
      std::vector<uint8_t> values((indices.size() + 7) / 8, 0);
      for (size_t i = 0; i < indices.size(); ++i) {
        if (typed.Value(indices[i])) {
          values[i >> 3] = static_cast<uint8_t>(values[i >> 3] | (1u << (i & 7)));
        }
      }
      int64_t null_count = 0;
      std::vector<uint8_t> validity = TakeValidity(column, indices, &null_count);
      return std::make_shared<BooleanColumn>(static_cast<int64_t>(indices.size()), null_count,
                                             std::move(validity), std::move(values));
    }
    case TypeId::kInt32:
    case TypeId::kDate:
      return TakePrimitive<int32_t>(column, indices);
    case TypeId::kInt64:
    case TypeId::kTime:
    case TypeId::kTimestamp:
      return TakePrimitive<int64_t>(column, indices);
    case TypeId::kFloat64:
      return TakePrimitive<double>(column, indices);
    case TypeId::kDecimal:
      return TakePrimitive<Int128>(column, indices);
    case TypeId::kString:
    case TypeId::kBinary:
    case TypeId::kJson: {
      const auto& typed = static_cast<const StringColumn&>(column);
      const std::vector<int64_t>& offsets = typed.offsets();
      int64_t total = 0;
      for (const int64_t row : indices) {
        total += offsets[static_cast<size_t>(row) + 1] - offsets[static_cast<size_t>(row)];
      }
      std::vector<int64_t> new_offsets;
      new_offsets.reserve(indices.size() + 1);
      RawBytes bytes(static_cast<size_t>(total));
      int64_t position = 0;
      new_offsets.push_back(0);
      for (const int64_t row : indices) {
        const std::string_view value = typed.Value(row);
        if (!value.empty()) {
          std::memcpy(bytes.data() + position, value.data(), value.size());
        }
        position += static_cast<int64_t>(value.size());
        new_offsets.push_back(position);
      }
      int64_t null_count = 0;
      std::vector<uint8_t> validity = TakeValidity(column, indices, &null_count);
      return std::make_shared<StringColumn>(column.type(), static_cast<int64_t>(indices.size()),
                                            null_count, std::move(validity), std::move(new_offsets),
                                            std::move(bytes));
    }
  }
  return nullptr;
}

BatchPtr TakeRows(const Batch& batch, std::span<const int64_t> indices) {
  std::vector<ColumnPtr> columns;
  columns.reserve(batch.num_columns());
  for (const ColumnPtr& column : batch.columns()) columns.push_back(TakeRows(*column, indices));
  return std::make_shared<Batch>(batch.schema(), std::move(columns),
                                 static_cast<int64_t>(indices.size()));
}

ColumnPtr MakeNullColumn(DataType type, int64_t length) {
  std::unique_ptr<ColumnBuilder> builder = MakeBuilder(type);
  builder->Reserve(length);
  for (int64_t i = 0; i < length; ++i) builder->AppendNull();
  return builder->Finish();
}

}  // namespace sluice::columnar

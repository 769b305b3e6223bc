#include "sluice/columnar/widen.h"

#include "sluice/columnar/decimal.h"

namespace sluice::columnar {
namespace {

template <typename From, typename To, typename Convert>
Result<ColumnPtr> Map(const Column& column, DataType to, Convert convert) {
  const auto& typed = static_cast<const PrimitiveColumn<From>&>(column);
  std::vector<To> values(static_cast<size_t>(column.length()));
  for (int64_t i = 0; i < column.length(); ++i) {
    if (column.IsNull(i)) {
      values[static_cast<size_t>(i)] = To{};
      continue;
    }
    SLUICE_ASSIGN_OR_RETURN(values[static_cast<size_t>(i)], convert(typed.Value(i)));
  }
  return ColumnPtr(std::make_shared<PrimitiveColumn<To>>(to, column.length(), column.null_count(),
                                                         column.validity(), std::move(values)));
}

Result<Int128> FitDecimal(Int128 unscaled, DataType to, const std::string& original) {
  const Int128 max = MaxUnscaled(to.precision());
  if (unscaled > max || unscaled < -max) {
    return Status::DataError("value " + original + " does not fit " + to.ToString());
  }
  return unscaled;
}

}  // namespace

Result<ColumnPtr> WidenColumn(const ColumnPtr& column, DataType to) {
  const DataType from = column->type();
  if (from == to) return column;
  const auto mismatch = [&] {
    return Status::SchemaMismatch("cannot convert " + from.ToString() + " to " + to.ToString() +
                                  " without losing values");
  };
  if (from.id() == TypeId::kInt32 && to.id() == TypeId::kInt64) {
    return Map<int32_t, int64_t>(*column, to,
                                 [](int32_t v) -> Result<int64_t> { return int64_t{v}; });
  }
  if (from.id() == TypeId::kInt32 && to.id() == TypeId::kFloat64) {
    return Map<int32_t, double>(*column, to,
                                [](int32_t v) -> Result<double> { return double{v * 1.0}; });
  }
  if ((from.id() == TypeId::kInt32 || from.id() == TypeId::kInt64) && to.id() == TypeId::kDecimal) {
    const Int128 factor = PowerOfTen(to.scale());
    const auto convert = [&](int64_t v) -> Result<Int128> {
      return FitDecimal(static_cast<Int128>(v) * factor, to, std::to_string(v));
    };
    if (from.id() == TypeId::kInt32) {
      return Map<int32_t, Int128>(*column, to, [&](int32_t v) { return convert(v); });
    }
    return Map<int64_t, Int128>(*column, to, convert);
  }
  if (from.id() == TypeId::kDate && to.id() == TypeId::kTimestamp) {
    // A date widened to a timestamp is its midnight (Delta type widening: date → timestamp_ntz).
    return Map<int32_t, int64_t>(*column, to, [](int32_t days) -> Result<int64_t> {
      return int64_t{days} * 86'400'000'000;
    });
  }
  if (from.id() == TypeId::kDecimal && to.id() == TypeId::kDecimal && to.scale() >= from.scale()) {
    const Int128 factor = PowerOfTen(to.scale() - from.scale());
    return Map<Int128, Int128>(*column, to, [&](Int128 v) -> Result<Int128> {
      return FitDecimal(v * factor, to, FormatDecimal(v, from.scale()));
    });
  }
  return mismatch();
}

Result<ColumnPtr> ReinterpretColumn(const ColumnPtr& column, DataType to) {
  const DataType from = column->type();
  if (from == to) return column;
  const auto layout = [](DataType type) {
    switch (type.id()) {
      case TypeId::kString:
      case TypeId::kJson:
      case TypeId::kBinary:
        return 1;
      case TypeId::kInt64:
      case TypeId::kTime:
      case TypeId::kTimestamp:
        return 2;
      case TypeId::kInt32:
      case TypeId::kDate:
        return 3;
      default:
        return 0;
    }
  };
  const int from_layout = layout(from);
  if (from_layout == 0 || from_layout != layout(to)) {
    return Status::SchemaMismatch("cannot read " + from.ToString() + " as " + to.ToString());
  }
  if (from_layout == 1) {
    const auto& typed = static_cast<const StringColumn&>(*column);
    return ColumnPtr(std::make_shared<StringColumn>(
        to, typed.length(), typed.null_count(), typed.validity(), typed.offsets(), typed.bytes()));
  }
  if (from_layout == 2) {
    const auto& typed = static_cast<const Int64Column&>(*column);
    return ColumnPtr(std::make_shared<Int64Column>(
        to, typed.length(), typed.null_count(), typed.validity(),
        std::vector<int64_t>(typed.data(), typed.data() + typed.length())));
  }
  const auto& typed = static_cast<const Int32Column&>(*column);
  return ColumnPtr(std::make_shared<Int32Column>(
      to, typed.length(), typed.null_count(), typed.validity(),
      std::vector<int32_t>(typed.data(), typed.data() + typed.length())));
}

}  // namespace sluice::columnar

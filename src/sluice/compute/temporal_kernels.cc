// Date and time kernels: date_trunc, date_part, date_diff, date_add, strftime, strptime.
#include <limits>
#include <optional>

#include "sluice/columnar/temporal.h"
#include "sluice/compute/calendar.h"
#include "sluice/compute/evaluator.h"

namespace sluice::compute {
namespace {

using columnar::Column;
using columnar::ColumnPtr;
using columnar::DataType;
using columnar::Int32Builder;
using columnar::Int64Builder;
using columnar::StringBuilder;
using columnar::StringColumn;
using columnar::TypeId;

}  // namespace

ColumnPtr Evaluator::Calendar(const BoundExpr& expr, const std::vector<ColumnPtr>& args) {
  const Kernel f = expr.kernel;
  const Column& a = *args[0];
  if (f == Kernel::kStrptime) {
    Int64Builder builder(DataType::Timestamp());
    for (int64_t i = 0; i < rows_; ++i) {
      if (a.IsNull(i)) {
        builder.AppendNull();
        continue;
      }
      const std::string_view text = static_cast<const StringColumn&>(a).Value(i);
      const std::optional<int64_t> micros = Strptime(text, expr.format);
      if (!micros) {
        errors_->push_back({i, "'" + std::string(text) + "' does not match the format '" +
                                   expr.format + "' at column " + std::to_string(expr.offset + 1)});
        builder.AppendNull();
        continue;
      }
      builder.Append(*micros);
    }
    return builder.Finish();
  }
  // Every other input is a date or a timestamp, read as microseconds.
  const IntReader x(a);
  const bool date_in = a.type().id() == TypeId::kDate;
  auto micros_at = [&](int64_t i) { return date_in ? x[i] * kMicrosPerDay : x[i]; };
  if (f == Kernel::kStrftime) {
    StringBuilder builder;
    for (int64_t i = 0; i < rows_; ++i) {
      if (a.IsNull(i)) {
        builder.AppendNull();
      } else {
        builder.Append(Strftime(micros_at(i), expr.format));
      }
    }
    return builder.Finish();
  }
  if (expr.type.id() == TypeId::kDate) {  // date_trunc of a date, date_add of days to a date
    Int32Builder builder(DataType::Date());
    for (int64_t i = 0; i < rows_; ++i) {
      if (a.IsNull(i)) {
        builder.AppendNull();
        continue;
      }
      std::optional<int64_t> micros =
          f == Kernel::kDateTrunc ? std::optional<int64_t>(TruncateTo(expr.part, micros_at(i)))
                                  : AddInterval(micros_at(i), expr.interval);
      if (!micros || FloorDiv(*micros, kMicrosPerDay) < std::numeric_limits<int32_t>::min() ||
          FloorDiv(*micros, kMicrosPerDay) > std::numeric_limits<int32_t>::max()) {
        errors_->push_back({i, "date out of range at column " + std::to_string(expr.offset + 1)});
        builder.AppendNull();
        continue;
      }
      builder.Append(static_cast<int32_t>(FloorDiv(*micros, kMicrosPerDay)));
    }
    return builder.Finish();
  }
  Int64Builder builder(expr.type);
  for (int64_t i = 0; i < rows_; ++i) {
    if (a.IsNull(i) || (args.size() > 1 && args[1]->IsNull(i))) {
      builder.AppendNull();
      continue;
    }
    if (f == Kernel::kDateTrunc) {
      builder.Append(TruncateTo(expr.part, micros_at(i)));
    } else if (f == Kernel::kDatePart) {
      builder.Append(ExtractPart(expr.part, micros_at(i)));
    } else if (f == Kernel::kDateDiff) {
      builder.Append(DiffUnits(expr.part, micros_at(i), IntReader(*args[1])[i]));
    } else {
      const std::optional<int64_t> micros = AddInterval(micros_at(i), expr.interval);
      if (!micros) {
        errors_->push_back(
            {i, "timestamp out of range at column " + std::to_string(expr.offset + 1)});
        builder.AppendNull();
        continue;
      }
      builder.Append(*micros);
    }
  }
  return builder.Finish();
}

}  // namespace sluice::compute

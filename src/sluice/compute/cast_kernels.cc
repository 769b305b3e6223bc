// Conversions: the implicit ones the binder inserts, CAST and TRY_CAST, and any value as text.
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>

#include "sluice/columnar/temporal.h"
#include "sluice/columnar/value_formatter.h"
#include "sluice/common/ascii.h"
#include "sluice/compute/evaluator.h"
#include "sluice/compute/type_rules.h"

namespace sluice::compute {
namespace {

using columnar::BooleanBuilder;
using columnar::BooleanColumn;
using columnar::Column;
using columnar::ColumnPtr;
using columnar::DataType;
using columnar::Float64Builder;
using columnar::Int128;
using columnar::Int32Builder;
using columnar::Int64Builder;
using columnar::StringBuilder;
using columnar::StringColumn;
using columnar::TypeId;

double DecimalToDouble(Int128 unscaled, int scale) {
  // Exact operands below 2^53 and one correctly rounded division: 18173 / 100 is 181.73.
  return static_cast<double>(unscaled) / std::pow(10.0, scale);
}

std::optional<Int128> ParseDecimalText(std::string_view text, int scale) {
  text = TrimSpaces(text);
  Int128 out = 0;
  const columnar::DecimalParseError error =
      columnar::ParseDecimal(text, columnar::kMaxDecimalPrecision, scale, &out);
  if (error == columnar::DecimalParseError::kOk) return out;
  const size_t point = text.find('.');
  if (error != columnar::DecimalParseError::kTooManyFractionDigits ||
      point == std::string_view::npos || text.find_first_of("eE") != std::string_view::npos) {
    return std::nullopt;
  }
  const int fraction = static_cast<int>(text.size() - point - 1);
  if (fraction > columnar::kMaxDecimalPrecision ||
      columnar::ParseDecimal(text, columnar::kMaxDecimalPrecision, fraction, &out) !=
          columnar::DecimalParseError::kOk) {
    return std::nullopt;
  }
  return DivideRounding(out, fraction - scale);
}

bool ParseText(std::string_view text, const DataType& to, bool* b, double* d, int64_t* n) {
  switch (to.id()) {
    case TypeId::kBool: {
      const std::string lower = AsciiLower(text);
      if (lower == "true" || lower == "t" || lower == "1" || lower == "yes") return *b = true, true;
      if (lower == "false" || lower == "f" || lower == "0" || lower == "no")
        return *b = false, true;
      return false;
    }
    case TypeId::kInt32:
    case TypeId::kInt64: {
      if (!text.empty() && text.front() == '+') text.remove_prefix(1);
      const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *n);
      return !text.empty() && error == std::errc() && end == text.data() + text.size();
    }
    case TypeId::kFloat64: {
      if (text.empty()) return false;
      const std::string copy(text);
      char* end = nullptr;
      *d = std::strtod(copy.c_str(), &end);
      return end == copy.c_str() + copy.size();
    }
    case TypeId::kDate: {
      int32_t days = 0;
      if (!columnar::ParseDate(text, columnar::DateOrder::kYMD, &days)) return false;
      *n = days;
      return true;
    }
    case TypeId::kTimestamp:
      return columnar::ParseTimestamp(text, columnar::DateOrder::kYMD, n);
    default:
      return false;
  }
}

}  // namespace

ColumnPtr Evaluator::ConvertColumn(const BoundExpr& expr, const Column& a) {
  const DataType& to = expr.type;
  if (IsDecimal(to) || IsDecimal(a.type())) {
    // Integers and narrower decimals into a decimal, or a decimal into float64: a cast that
    // cannot lose digits (one beyond 38 is a row error).
    return CastDecimal(expr, a, /*try_cast=*/false);
  }
  if (to.id() == TypeId::kFloat64) {
    const IntReader x(a);
    Float64Builder builder(to);
    builder.Reserve(rows_);
    for (int64_t i = 0; i < rows_; ++i) {
      if (a.IsNull(i)) {
        builder.AppendNull();
      } else {
        builder.Append(static_cast<double>(x[i]));
      }
    }
    return builder.Finish();
  }
  if (to.id() == TypeId::kBool || to.id() == TypeId::kString) return NullColumn(to, rows_);
  // int32 → int64, date → timestamp.
  const IntReader x(a);
  const bool days = a.type().id() == TypeId::kDate && to.id() == TypeId::kTimestamp;
  Int64Builder builder(to);
  builder.Reserve(rows_);
  for (int64_t i = 0; i < rows_; ++i) {
    if (a.IsNull(i)) {
      builder.AppendNull();
    } else {
      builder.Append(days ? x[i] * 86'400'000'000LL : x[i]);
    }
  }
  return builder.Finish();
}

ColumnPtr Evaluator::ToText(const Column& a) {
  StringBuilder builder;
  std::string text;
  for (int64_t i = 0; i < rows_; ++i) {
    if (a.IsNull(i)) {
      builder.AppendNull();
      continue;
    }
    text.clear();
    columnar::AppendValue(a, i, columnar::ValueStyle::kDisplay, &text);
    builder.Append(text);
  }
  return builder.Finish();
}

// Casts from or to a decimal: exact where the value fits, rounded half away from zero where
// digits are dropped (as DuckDB), a row error where the value does not fit.
ColumnPtr Evaluator::CastDecimal(const BoundExpr& expr, const Column& a, bool try_cast) {
  const DataType& to = expr.type;
  const DataType& from = a.type();
  auto fail = [&](int64_t i) {
    if (try_cast) return;
    std::string text;
    columnar::AppendValue(a, i, columnar::ValueStyle::kDisplay, &text);
    if (IsString(from)) text = "'" + text + "'";
    errors_->push_back({i, "cannot cast " + text + " to " + to.ToString() + " at column " +
                               std::to_string(expr.offset + 1)});
  };
  if (!IsDecimal(to)) {  // decimal → int32, int64 or float64
    Float64Builder doubles(to);
    Int64Builder wide(to);
    Int32Builder narrow(to);
    const bool is_narrow = to.id() == TypeId::kInt32;
    for (int64_t i = 0; i < rows_; ++i) {
      bool valid = a.IsValid(i);
      Int128 whole = 0;
      if (valid && to.id() != TypeId::kFloat64) {
        whole = DivideRounding(Decimals(a)[i], from.scale());
        valid = is_narrow ? whole >= std::numeric_limits<int32_t>::min() &&
                                whole <= std::numeric_limits<int32_t>::max()
                          : whole >= std::numeric_limits<int64_t>::min() &&
                                whole <= std::numeric_limits<int64_t>::max();
        if (!valid) fail(i);
      }
      if (to.id() == TypeId::kFloat64) {
        valid ? doubles.Append(DecimalToDouble(Decimals(a)[i], from.scale()))
              : doubles.AppendNull();
      } else if (is_narrow) {
        valid ? narrow.Append(static_cast<int32_t>(whole)) : narrow.AppendNull();
      } else {
        valid ? wide.Append(static_cast<int64_t>(whole)) : wide.AppendNull();
      }
    }
    return to.id() == TypeId::kFloat64 ? doubles.Finish()
           : is_narrow                 ? narrow.Finish()
                                       : wide.Finish();
  }
  const Int128 limit = columnar::MaxUnscaled(to.precision());
  columnar::DecimalBuilder builder(to);
  builder.Reserve(rows_);
  for (int64_t i = 0; i < rows_; ++i) {
    if (a.IsNull(i)) {
      builder.AppendNull();
      continue;
    }
    std::optional<Int128> out;
    Int128 value = 0;
    if (IsDecimal(from)) {
      const int shift = to.scale() - from.scale();
      if (shift < 0) {
        out = DivideRounding(Decimals(a)[i], -shift);
      } else if (!__builtin_mul_overflow(Decimals(a)[i], columnar::PowerOfTen(shift), &value)) {
        out = value;
      }
    } else if (IsInteger(from)) {
      if (!__builtin_mul_overflow(Int128(IntReader(a)[i]), columnar::PowerOfTen(to.scale()),
                                  &value)) {
        out = value;
      }
    } else if (from.id() == TypeId::kFloat64) {
      const long double scaled =
          std::roundl(static_cast<long double>(Doubles(a)[i]) * std::pow(10.0L, to.scale()));
      if (std::isfinite(scaled) && std::fabs(scaled) < 1e38L) out = static_cast<Int128>(scaled);
    } else {
      out = ParseDecimalText(static_cast<const StringColumn&>(a).Value(i), to.scale());
    }
    if (!out || Magnitude(*out) > limit) {
      fail(i);
      builder.AppendNull();
      continue;
    }
    builder.Append(*out);
  }
  return builder.Finish();
}

// Text as a decimal at `scale`, rounding extra fractional digits half away from zero.
Result<ColumnPtr> Evaluator::Cast(const BoundExpr& expr, const Column& a, bool try_cast) {
  const DataType& to = expr.type;
  const TypeId from = a.type().id();
  if (IsDecimal(to) || IsDecimal(a.type())) return CastDecimal(expr, a, try_cast);
  auto fail = [&](int64_t i, const std::string& what) {
    if (!try_cast) {
      errors_->push_back({i, "cannot cast " + what + " to " + to.ToString() + " at column " +
                                 std::to_string(expr.offset + 1)});
    }
  };
  auto text_of = [&](int64_t i) {
    std::string text;
    columnar::AppendValue(a, i, columnar::ValueStyle::kDisplay, &text);
    return text;
  };
  // Every target is built through one of three builders.
  BooleanBuilder bools;
  Float64Builder doubles(DataType::Float64());
  Int64Builder wide(to);
  Int32Builder narrow(to);
  for (int64_t i = 0; i < rows_; ++i) {
    bool valid = a.IsValid(i);
    bool b = false;
    double d = 0;
    int64_t n = 0;
    if (valid) {
      if (from == TypeId::kString) {
        std::string_view text = static_cast<const StringColumn&>(a).Value(i);
        text = TrimSpaces(text);
        valid = ParseText(text, to, &b, &d, &n);
        if (!valid) fail(i, "'" + std::string(static_cast<const StringColumn&>(a).Value(i)) + "'");
      } else if (from == TypeId::kBool) {
        b = static_cast<const BooleanColumn&>(a).Value(i);
        n = b ? 1 : 0;
        d = n;
      } else if (from == TypeId::kFloat64) {
        d = Doubles(a)[i];
        b = d != 0;
        if (IsInteger(to)) {
          const double r = std::nearbyint(d);  // half to even, as DuckDB's cast
          valid = std::isfinite(r) && r >= -9.2233720368547758e18 && r < 9.2233720368547758e18;
          if (valid) n = static_cast<int64_t>(r);
          if (!valid) fail(i, text_of(i));
        }
      } else {  // integers, date, timestamp
        n = IntReader(a)[i];
        b = n != 0;
        d = static_cast<double>(n);
        if (from == TypeId::kDate && to.id() == TypeId::kTimestamp) n *= 86'400'000'000LL;
        if (from == TypeId::kTimestamp && to.id() == TypeId::kDate) {
          n = n >= 0 ? n / 86'400'000'000LL : -((-n + 86'399'999'999LL) / 86'400'000'000LL);
        }
      }
    }
    if (valid && (to.id() == TypeId::kInt32 || to.id() == TypeId::kDate) &&
        (n < std::numeric_limits<int32_t>::min() || n > std::numeric_limits<int32_t>::max())) {
      fail(i, text_of(i));
      valid = false;
    }
    switch (to.id()) {
      case TypeId::kBool:
        valid ? bools.Append(b) : bools.AppendNull();
        break;
      case TypeId::kFloat64:
        valid ? doubles.Append(d) : doubles.AppendNull();
        break;
      case TypeId::kInt32:
      case TypeId::kDate:
        valid ? narrow.Append(static_cast<int32_t>(n)) : narrow.AppendNull();
        break;
      default:
        valid ? wide.Append(n) : wide.AppendNull();
        break;
    }
  }
  switch (to.id()) {
    case TypeId::kBool:
      return bools.Finish();
    case TypeId::kFloat64:
      return doubles.Finish();
    case TypeId::kInt32:
    case TypeId::kDate:
      return narrow.Finish();
    default:
      return wide.Finish();
  }
}

}  // namespace sluice::compute

// The evaluator behind Evaluate (expression_evaluator.h): one object per batch, each kernel a
// member turning whole argument columns into a result column, with SQL's null semantics and
// per-row errors. The kernels are defined by family: evaluator.cc (dispatch, logic, comparison,
// arithmetic, numeric functions, CASE, coalesce), cast_kernels.cc, text_kernels.cc and
// temporal_kernels.cc. Internal to compute/.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sluice/columnar/batch.h"
#include "sluice/columnar/column.h"
#include "sluice/columnar/column_builder.h"
#include "sluice/compute/expression_evaluator.h"

namespace sluice::compute {

// Reads integers whatever the physical width (int32/date or int64/time/timestamp).
struct IntReader {
  explicit IntReader(const columnar::Column& column) {
    const columnar::TypeId id = column.type().id();
    if (id == columnar::TypeId::kInt32 || id == columnar::TypeId::kDate) {
      narrow = static_cast<const columnar::Int32Column&>(column).data();
    } else {
      wide = static_cast<const columnar::Int64Column&>(column).data();
    }
  }
  int64_t operator[](int64_t i) const { return narrow != nullptr ? narrow[i] : wide[i]; }
  const int32_t* narrow = nullptr;
  const int64_t* wide = nullptr;
};

inline const double* Doubles(const columnar::Column& column) {
  return static_cast<const columnar::Float64Column&>(column).data();
}

inline const columnar::Int128* Decimals(const columnar::Column& column) {
  return static_cast<const columnar::DecimalColumn&>(column).data();
}

inline columnar::Int128 Magnitude(columnar::Int128 v) { return v < 0 ? -v : v; }

// v / 10^digits, rounded half away from zero (as DuckDB rounds decimals).
columnar::Int128 DivideRounding(columnar::Int128 v, int digits);

// `rows` nulls of `type`.
columnar::ColumnPtr NullColumn(const columnar::DataType& type, int64_t rows);

class Evaluator {
 public:
  Evaluator(const columnar::Batch& batch, std::vector<RowError>* errors)
      : batch_(batch), rows_(batch.num_rows()), errors_(errors) {}

  Result<columnar::ColumnPtr> Run(const BoundExpr& expr);

 private:
  using Column = columnar::Column;
  using ColumnPtr = columnar::ColumnPtr;

  // evaluator.cc
  Result<ColumnPtr> CompareSides(const BoundExpr& expr);
  // `a_one`, `b_one`: that side is a one-row literal, compared with every row.
  ColumnPtr Comparison(Kernel op, const Column& a, const Column& b, bool a_one, bool b_one);
  ColumnPtr Logic(bool is_and, const Column& a, const Column& b);
  ColumnPtr Not(const Column& a);
  ColumnPtr IsNull(const Column& a);
  ColumnPtr Arithmetic(const BoundExpr& expr, const Column& a, const Column& b);
  ColumnPtr Numeric(const BoundExpr& expr, const std::vector<ColumnPtr>& args);
  ColumnPtr Coalesce(const columnar::DataType& type, const std::vector<ColumnPtr>& args);
  // Row i from args[source[i]] (null where source[i] < 0).
  ColumnPtr Gather(const columnar::DataType& type, const std::vector<ColumnPtr>& args,
                   const std::vector<int>& source);
  Result<ColumnPtr> Case(const BoundExpr& expr);

  // cast_kernels.cc
  ColumnPtr ConvertColumn(const BoundExpr& expr, const Column& a);
  ColumnPtr ToText(const Column& a);
  ColumnPtr CastDecimal(const BoundExpr& expr, const Column& a, bool try_cast);
  Result<ColumnPtr> Cast(const BoundExpr& expr, const Column& a, bool try_cast);

  // text_kernels.cc
  ColumnPtr Like(const Column& a, const Column& b, bool fold_case);
  ColumnPtr Substr(const std::vector<ColumnPtr>& args);
  ColumnPtr Replace(const std::vector<ColumnPtr>& args);
  ColumnPtr SplitPart(const std::vector<ColumnPtr>& args);
  ColumnPtr Regex(const BoundExpr& expr, const std::vector<ColumnPtr>& args);
  ColumnPtr Concat(const std::vector<ColumnPtr>& args, bool strict);
  ColumnPtr StringFunction(Kernel f, const Column& a);

  // temporal_kernels.cc
  ColumnPtr Calendar(const BoundExpr& expr, const std::vector<ColumnPtr>& args);

  template <typename Fn>
  ColumnPtr Booleans(Fn fn) {  // fn(i, &value) → valid
    columnar::BooleanBuilder builder;
    builder.Reserve(rows_);
    for (int64_t i = 0; i < rows_; ++i) {
      bool value = false;
      if (fn(i, &value)) {
        builder.Append(value);
      } else {
        builder.AppendNull();
      }
    }
    return builder.Finish();
  }

  template <typename Fn>
  ColumnPtr Strings(const std::vector<ColumnPtr>& args, Fn fn) {  // fn(i, &out) → valid
    columnar::StringBuilder builder;
    std::string out;
    for (int64_t i = 0; i < rows_; ++i) {
      bool null = false;
      for (const ColumnPtr& arg : args) null |= arg->IsNull(i);
      out.clear();
      if (null || !fn(i, &out)) {
        builder.AppendNull();
      } else {
        builder.Append(out);
      }
    }
    return builder.Finish();
  }

  const columnar::Batch& batch_;
  int64_t rows_;
  std::vector<RowError>* errors_;
};

}  // namespace sluice::compute

// Fuzzes the expression language end to end: any text either fails to parse with an offset inside
// the text, or prints back as SQL that parses to the same SQL again; and whatever parses either
// fails to bind against a small schema with an offset inside the text, or evaluates over a batch
// (with nulls) to a column of the bound type and the batch's length.
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>

#include "sluice/columnar/column_builder.h"
#include "sluice/compute/expression_evaluator.h"
#include "sluice/compute/expression_parser.h"

namespace {

using sluice::columnar::DataType;

sluice::columnar::BatchPtr MakeBatch() {
  sluice::columnar::Int64Builder id(DataType::Int64());
  sluice::columnar::Int32Builder qty(DataType::Int32());
  sluice::columnar::Float64Builder price(DataType::Float64());
  sluice::columnar::StringBuilder name;
  sluice::columnar::BooleanBuilder ok;
  sluice::columnar::Int32Builder day(DataType::Date());
  sluice::columnar::Int64Builder ts(DataType::Timestamp());
  const int64_t values[] = {0, 1, -1, std::numeric_limits<int64_t>::max(),
                            std::numeric_limits<int64_t>::min()};
  for (int64_t v : values) {
    id.Append(v);
    qty.Append(static_cast<int32_t>(v));
    price.Append(static_cast<double>(v) / 3);
    name.Append(v == 0 ? "" : v == 1 ? "ÉA b%_" : "x,y,,z");
    ok.Append(v > 0);
    day.Append(static_cast<int32_t>(v % 100000));
    ts.Append(v / 1000);
  }
  id.AppendNull();
  qty.AppendNull();
  price.AppendNull();
  name.AppendNull();
  ok.AppendNull();
  day.AppendNull();
  ts.AppendNull();
  auto schema = std::make_shared<const sluice::columnar::Schema>(
      std::vector<sluice::columnar::Field>{{"id", DataType::Int64()},
                                           {"qty", DataType::Int32()},
                                           {"price", DataType::Float64()},
                                           {"name", DataType::String()},
                                           {"ok", DataType::Bool()},
                                           {"day", DataType::Date()},
                                           {"ts", DataType::Timestamp()}});
  return std::make_shared<const sluice::columnar::Batch>(
      schema,
      std::vector<sluice::columnar::ColumnPtr>{id.Finish(), qty.Finish(), price.Finish(),
                                               name.Finish(), ok.Finish(), day.Finish(),
                                               ts.Finish()},
      6);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const sluice::columnar::BatchPtr batch = MakeBatch();
  const std::string text(reinterpret_cast<const char*>(data), size);
  sluice::compute::ExpressionError error;
  auto expr = sluice::compute::ParseExpression(text, &error);
  if (!expr.ok()) {
    if (error.offset < 0 || static_cast<size_t>(error.offset) > text.size()) std::abort();
    return 0;
  }
  const std::string sql = sluice::compute::ToSql(**expr);
  auto again = sluice::compute::ParseExpression(sql);
  // Printing adds parentheses, which may push a deep tree over the nesting limit; otherwise the
  // printed form must read back to itself.
  if (again.ok() && sluice::compute::ToSql(**again) != sql) std::abort();

  auto bound = sluice::compute::Bind(**expr, *batch->schema(), &error);
  if (!bound.ok()) {
    if (error.offset < 0 || static_cast<size_t>(error.offset) > text.size()) std::abort();
    return 0;
  }
  std::vector<sluice::compute::RowError> errors;
  auto column = sluice::compute::Evaluate(**bound, *batch, &errors);
  if (!column.ok()) std::abort();  // evaluation reports rows, it never fails a bound expression
  if ((*column)->length() != batch->num_rows() || !((*column)->type() == (*bound)->type)) {
    std::abort();
  }
  return 0;
}

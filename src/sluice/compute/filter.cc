#include "sluice/compute/filter.h"

#include "sluice/columnar/take.h"

namespace sluice::compute {

Result<columnar::BatchPtr> Filter(const columnar::BatchPtr& batch, const BoundExpr& condition,
                                  std::vector<RowError>* errors) {
  if (condition.type.id() != columnar::TypeId::kBool) {
    return Status::InvalidArgument("a filter needs a true/false condition, not " +
                                   condition.type.ToString());
  }
  SLUICE_ASSIGN_OR_RETURN(columnar::ColumnPtr mask, Evaluate(condition, *batch, errors));
  const auto& keep = static_cast<const columnar::BooleanColumn&>(*mask);
  std::vector<int64_t> rows;
  rows.reserve(static_cast<size_t>(batch->num_rows()));
  for (int64_t i = 0; i < batch->num_rows(); ++i) {
    if (keep.IsValid(i) && keep.Value(i)) rows.push_back(i);
  }
  if (static_cast<int64_t>(rows.size()) == batch->num_rows()) return batch;
  return columnar::TakeRows(*batch, rows);
}

}  // namespace sluice::compute

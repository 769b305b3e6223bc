// Filter: the rows of a batch for which a bound condition is true (NULL and false drop the row,
// as SQL's WHERE). Rows whose condition could not be computed are dropped and listed in
// `errors`, so that a caller can report or quarantine them.
#pragma once

#include <vector>

#include "sluice/columnar/batch.h"
#include "sluice/common/result.h"
#include "sluice/compute/expression_evaluator.h"

namespace sluice::compute {

// Errors: InvalidArgument when `condition` is not boolean.
Result<columnar::BatchPtr> Filter(const columnar::BatchPtr& batch, const BoundExpr& condition,
                                  std::vector<RowError>* errors);

}  // namespace sluice::compute

// Gold aggregates, in memory: derived columns, then groups, then the measures (count,
// count_distinct, sum, avg, min, max) of each group.
#pragma once

#include <vector>

#include "sluice/columnar/batch.h"
#include "sluice/common/result.h"
#include "sluice/gold/gold_model.h"

namespace sluice::gold {

// Groups every row of `input` (derive, then group by, then the measures); groups ordered by their
// values; no group_by gives one row, also over no rows. Errors: InvalidArgument for unknown
// columns or measures that do not apply to a type; DataError when a sum overflows or a derived
// column cannot be computed for a row.
Result<columnar::BatchPtr> Aggregate(const GoldModel& model,
                                     const std::vector<columnar::BatchPtr>& input,
                                     const columnar::SchemaPtr& input_schema);

// The columns of `upstream` the aggregate reads (group_by, measures, and the columns its derived
// columns use), in upstream order: a reader need not read the others.
std::vector<std::string> AggregateInputColumns(const GoldModel& model,
                                               const columnar::Schema& upstream);

}  // namespace sluice::gold

// Gold aggregates: derived columns, then groups, then the measures (count, count_distinct, sum,
// avg, min, max) of each group — folded batch by batch.
#pragma once

#include <memory>
#include <vector>

#include "sluice/columnar/batch.h"
#include "sluice/common/result.h"
#include "sluice/gold/gold_model.h"

namespace sluice::gold {

// An aggregate fed batch by batch: memory follows the groups (and count_distinct's values), not
// the rows. Make binds the derived columns and checks the columns and measures; Add folds one
// batch of the input (of `input_schema`); Finish gives the groups, as Aggregate does.
class Aggregator {
 public:
  static Result<std::unique_ptr<Aggregator>> Make(const GoldModel& model,
                                                  const columnar::SchemaPtr& input_schema);
  ~Aggregator();
  Status Add(const columnar::Batch& batch);
  Result<columnar::BatchPtr> Finish();

 private:
  Aggregator();
  struct State;
  std::unique_ptr<State> state_;
};

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

// Transformer: steps 2–8 of a silver table (silver_table.h) over one batch at a time — naming,
// rename, select/exclude, trim and empty→null, cast, derive, null rules, filter, lookup join —
// bound once to the upstream schema.
//
// A row that cannot be transformed (a cast or an expression fails for it, a null where the rule
// says quarantine) is not written: it comes back as a RowReject with the reason and the row as it
// arrived (JSON), for quarantine. Rows dropped on purpose (filter, null rule drop) are counted.
// A null where the rule says fail fails the batch with DataError naming the column and the row.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sluice/columnar/batch.h"
#include "sluice/common/result.h"
#include "sluice/compute/expression_evaluator.h"
#include "sluice/compute/row_key.h"
#include "sluice/silver/silver_table.h"

namespace sluice::silver {

struct RowReject {
  int64_t row = 0;      // in the input batch
  std::string column;   // the column at fault, when one is
  std::string kind;     // "cast", "expression", "null_rule", "check:<name>"
  std::string message;  // the reason
  std::string raw;      // the row as a JSON object
};

struct TransformCounts {
  int64_t filtered = 0;      // rows a filter left out
  int64_t null_dropped = 0;  // rows a null rule `drop` left out
};

// The rows of a lookup table, keyed by the join columns (the key encoded as text).
struct LookupData {
  // The taken columns only, in LookupSpec::columns order, plus one last row of nulls (the
  // result for rows without a match).
  columnar::BatchPtr rows;
  std::map<std::string, int64_t> index;
};

// Row keys and rows as JSON (compute/row_key.h), as silver names them.
using compute::EncodeKey;
using compute::RowAsJson;

class Transformer {
 public:
  // Errors: InvalidArgument naming the project file's line and column (unknown columns with a
  // "did you mean", expressions that do not bind, casts that cannot be made).
  static Result<std::unique_ptr<Transformer>> Create(const SilverTable& table,
                                                     columnar::SchemaPtr input_schema,
                                                     const LookupData* lookup);
  ~Transformer();

  const columnar::SchemaPtr& output_schema() const { return output_schema_; }

  Result<columnar::BatchPtr> Apply(const columnar::Batch& batch, std::vector<RowReject>* rejects,
                                   TransformCounts* counts) const;

 private:
  struct Step;
  class Planner;  // turns the table's declaration into steps (transformer.cc)
  Transformer() = default;

  const SilverTable* table_ = nullptr;
  const LookupData* lookup_ = nullptr;
  columnar::SchemaPtr output_schema_;
  std::vector<std::unique_ptr<Step>> steps_;
};

}  // namespace sluice::silver

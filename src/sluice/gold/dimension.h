// Dimension: the scd1/scd2 logic of a gold dimension, in memory (the lake I/O is the task's).
//
// The dimension table's columns: the surrogate key (int64), the business key, the attributes,
// then for scd2 valid_from, valid_to (null while open), is_current, and row_hash (a hash of the
// tracked attributes); for scd1 row_hash and updated_at. Row 0 is the unknown member: key 0, null
// business key, 'Unknown' in string attributes.
//
// Applying a batch of upstream rows (one per business key; duplicates fail the task, naming the
// keys) to the dimension's current rows:
//   - a new business key gets a new surrogate key (the next of a counter the table keeps; a key is
//     never reused) and an open version;
//   - scd1: a changed row is overwritten in place;
//   - scd2: the change is dated (the valid_from column, else the run's time) and put where it
//     belongs in the member's history: the version valid then is closed at that time and a new
//     version runs until the next one (or stays open); a change back to an earlier value is a new
//     version; an unchanged row changes nothing; a change to untracked attributes only overwrites
//     the version valid then, in place;
//   - close_missing with a full snapshot: an open member missing from it is closed.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sluice/columnar/batch.h"
#include "sluice/common/result.h"
#include "sluice/gold/gold_model.h"

namespace sluice::gold {

// The columns SCD bookkeeping adds.
inline constexpr const char* kValidFrom = "valid_from";
inline constexpr const char* kValidTo = "valid_to";
inline constexpr const char* kIsCurrent = "is_current";
inline constexpr const char* kRowHash = "row_hash";
inline constexpr const char* kUpdatedAt = "updated_at";

// The dimension bound to its upstream's schema.
struct DimensionPlan {
  const GoldModel* model = nullptr;
  columnar::SchemaPtr schema;            // the dimension table's
  columnar::SchemaPtr attribute_schema;  // business key + attributes
  std::vector<size_t> upstream_columns;  // upstream index of each attribute_schema column
  std::optional<size_t> upstream_valid_from;
  size_t key_count = 0;         // the first key_count attribute_schema columns
  std::vector<size_t> tracked;  // attribute_schema indices hashed for versions
};

// Errors: InvalidArgument naming the model and the missing column (with "did you mean").
Result<DimensionPlan> PlanDimension(const GoldModel& model, const columnar::Schema& upstream);

struct DimensionChanges {
  bool changed = false;      // anything to write
  columnar::BatchPtr table;  // the whole dimension after the change (in surrogate key order)
  std::vector<int64_t> changed_rows;  // the rows of `table` that are new or changed
  bool schema_changed = false;        // the existing rows lack columns (or are none)
  int64_t next_key = 1;               // the counter after the change
  int64_t members_added = 0;          // new business keys
  int64_t versions_added = 0;         // scd2: new versions of known members
  int64_t rows_updated = 0;    // rows overwritten in place (scd1, untracked columns, a correction)
  int64_t members_closed = 0;  // close_missing
  int64_t rows_unchanged = 0;  // upstream rows that changed nothing
};

// `existing`: the dimension's rows (any schema close to plan.schema: columns are matched by name,
// missing ones are null); `incoming`: upstream rows; `next_key`: the table's counter (1 for a new
// table); `full_snapshot`: `incoming` is the whole upstream (close_missing applies).
// Errors: DataError listing business keys that appear more than once in `incoming`.
Result<DimensionChanges> ApplyDimension(const DimensionPlan& plan,
                                        const std::vector<columnar::BatchPtr>& existing,
                                        const std::vector<columnar::BatchPtr>& incoming,
                                        int64_t next_key, int64_t now_micros, bool full_snapshot);

}  // namespace sluice::gold

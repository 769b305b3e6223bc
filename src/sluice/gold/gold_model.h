// GoldModel: one `tables:` entry named gold.<name>, parsed and validated from the project file.
//
// Four kinds (docs/gold.md):
//   dimension       rows of an upstream table keyed by a business key, with a stable integer
//                   surrogate key, history scd1 (overwrite) or scd2 (valid_from, valid_to,
//                   is_current, row_hash), and an unknown member with key 0
//   date_dimension  a generated calendar (date_key yyyymmdd, ..., fiscal year and period)
//   fact            upstream rows at a declared grain, with dimension keys looked up (point in
//                   time for scd2 dimensions), measures and degenerate dimensions passed through
//   aggregate       group by with sum, count, count_distinct, avg, min, max
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sluice/columnar/schema.h"
#include "sluice/common/status.h"
#include "sluice/config/config_node.h"
#include "sluice/config/config_spec.h"
#include "sluice/silver/silver_table.h"

namespace sluice::gold {

enum class ModelKind { kDimension, kDateDimension, kFact, kAggregate };
std::string_view ModelKindName(ModelKind kind);

enum class History { kScd1, kScd2 };

struct DimensionSpec {
  std::string from;              // the upstream lake table
  std::vector<std::string> key;  // the business key columns
  History history = History::kScd2;
  std::vector<std::string> columns;  // attributes kept (empty: every upstream column but the key
                                     // and sluice's audit columns)
  std::vector<std::string> tracked;  // scd2: a change to these makes a new version (empty: all
                                     // attributes); changes to the others overwrite in place
  std::string surrogate_key;   // the key column's name (default: dim_customer → customer_key)
  std::string valid_from;      // the upstream column dating each change (empty: run time)
  bool close_missing = false;  // a key missing from the upstream closes its current version
};

struct DateDimensionSpec {
  int32_t start = 0;          // days since 1970-01-01, inclusive
  int32_t end = 0;            // inclusive
  int fiscal_year_start = 1;  // the month the fiscal year begins (7: FY2027 = July 2026–June 2027)
};

struct FactDimension {
  std::string name;             // the entry's name ("customer")
  std::string table;            // "gold.dim_customer"
  std::vector<std::string> on;  // fact columns matched to the dimension's business key
  std::string as_of;            // scd2: the fact column (timestamp or date) picking the version
  std::string as;               // the key column written (default: the dimension's surrogate key)
  config::SourceMark mark;
};

struct FactSpec {
  std::string from;
  std::vector<std::string> grain;  // the columns identifying a fact row (unique)
  std::vector<FactDimension> dimensions;
  std::vector<std::string> measures;    // empty with degenerate empty: every other column
  std::vector<std::string> degenerate;  // dimension values kept on the fact (order_id, status)
};

enum class AggregateFunction { kSum, kCount, kCountDistinct, kAvg, kMin, kMax };
std::string_view AggregateFunctionName(AggregateFunction function);

struct Measure {
  std::string name;
  AggregateFunction function = AggregateFunction::kCount;
  std::string column;  // empty: count(*)
  config::SourceMark mark;
};

struct AggregateSpec {
  std::string from;
  std::vector<std::pair<std::string, silver::WrittenExpression>> derive;  // before grouping
  std::vector<std::string> group_by;
  std::vector<Measure> measures;
};

struct GoldModel {
  std::string name;  // "gold.dim_customer"
  config::SourceMark mark;
  ModelKind kind = ModelKind::kDimension;
  DimensionSpec dimension;
  DateDimensionSpec date;
  FactSpec fact;
  AggregateSpec aggregate;

  // The lake tables this model reads (empty for a date dimension).
  std::vector<std::string> Reads() const;
  // "dim_customer": the model's name without "gold.".
  std::string ShortName() const;
};

// The spec of each kind (for validation, `sluice components` and docs).
const config::ConfigSpec& DimensionModelSpec();
const config::ConfigSpec& DateDimensionModelSpec();
const config::ConfigSpec& FactModelSpec();
const config::ConfigSpec& AggregateModelSpec();
// The spec of `kind`'s entries: silver, dimension, date_dimension, fact, aggregate; nullptr for an
// unknown kind.
const config::ConfigSpec* GoldSpecForKind(std::string_view kind);

// Validates `node` against its kind's spec and reads it; problems go to `errors` (nullopt when
// there were any).
std::optional<GoldModel> ParseGoldModel(const std::string& name,
                                        const config::SourceMark& name_mark,
                                        const config::ConfigNode& node,
                                        config::ConfigErrors* errors);

// An InvalidArgument at the model's place in the project file: "table '<name>': <message>".
Status ModelError(const GoldModel& model, const std::string& message);
// ModelError "<what> '<column>' is not a column of <of>", with a "did you mean" from `schema`.
Status MissingColumnError(const GoldModel& model, const std::string& what,
                          const std::string& column, const columnar::Schema& schema,
                          const std::string& of);

// "dim_customer" → "customer_key"; "customers" → "customers_key".
std::string DefaultSurrogateKey(const std::string& short_name);

}  // namespace sluice::gold

// Per-file statistics (PROTOCOL.md "Per-file Statistics"): the `stats` JSON of an add action,
// collected while a data file is written and parsed back for file pruning (data skipping).
//
//   {"numRecords":N,"minValues":{"col":...},"maxValues":{"col":...},"nullCount":{"col":N}}
//
// Values per sluice type, as Spark writes them:
//   int32, int64, time (µs)  JSON integers
//   float64                  JSON numbers (NaN ignored; an infinite bound is omitted)
//   decimal(p,s)             JSON numbers with exactly s fraction digits ("12.50")
//   string                   min: the minimum cut to 32 characters; max: the maximum, or when
//                            longer than 32 characters a prefix followed by a tie-breaker
//                            (U+007F or U+10FFFF) so that it stays ≥ every value. Exactly Spark's
//                            truncateMinStringAgg/truncateMaxStringAgg: lengths count UTF-16 units
//                            and a character is never split. Invalid UTF-8 gets no bound.
//   date                     "YYYY-MM-DD"
//   timestamp                "YYYY-MM-DDTHH:MM:SS.sssZ", truncated down to milliseconds
//                            (dates and timestamps outside years 0001..9999 get no bound)
//   bool, binary, json       nullCount only
// A column whose values are all null (or all NaN) gets a nullCount only.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sluice/columnar/batch.h"
#include "sluice/columnar/schema.h"
#include "sluice/common/result.h"

namespace sluice::lake {

// Delta's default for delta.dataSkippingNumIndexedCols.
inline constexpr int kDefaultIndexedColumns = 32;
// UTF-16 units of a string kept in min/max statistics (Spark's stringPrefixLength).
inline constexpr int kStringPrefixLength = 32;

// Accumulates statistics over the batches written to one data file.
// Thread-safety: not thread-safe; one collector per file being written.
class StatsCollector {
 public:
  // Statistics cover the first `indexed_columns` fields of `schema` (all when negative).
  explicit StatsCollector(columnar::SchemaPtr schema, int indexed_columns = kDefaultIndexedColumns);

  // Adds a batch. Its columns must match the collector's schema by position and type; a column
  // whose type differs keeps its null count but loses its min/max.
  void Update(const columnar::Batch& batch);

  int64_t num_records() const { return num_records_; }

  // The stats JSON for an add action (compact, keys in Spark's order, columns in schema order).
  std::string ToJson() const;

 private:
  struct ColumnState {
    int64_t null_count = 0;
    bool has_value = false;  // min/max hold at least one non-null, non-NaN value
    bool unusable = false;   // a batch had the wrong column type: no min/max
    int64_t int_min = 0;
    int64_t int_max = 0;
    double double_min = 0;
    double double_max = 0;
    columnar::Int128 decimal_min = 0;
    columnar::Int128 decimal_max = 0;
    std::string string_min;
    std::string string_max;
  };

  void UpdateColumn(const columnar::Column& column, const columnar::DataType& type,
                    ColumnState* state);

  columnar::SchemaPtr schema_;
  size_t indexed_columns_ = 0;
  int64_t num_records_ = 0;
  std::vector<ColumnState> columns_;
};

// A statistic in comparable form:
//   int64     int32, int64, date (days), time (µs), timestamp (µs)
//   Int128    decimal: the unscaled value at the column's scale
//   double    float64
//   string    string (bytes, compared as unsigned bytes)
//   monostate no value (null, NaN, or a type without statistics)
using StatValue = std::variant<std::monostate, int64_t, columnar::Int128, double, std::string>;

// Bounds for one column. `min` ≤ every non-null value ≤ `max` when present.
struct ColumnStats {
  std::optional<StatValue> min;
  std::optional<StatValue> max;
  std::optional<int64_t> null_count;
};

struct FileStats {
  std::optional<int64_t> num_records;
  std::map<std::string, ColumnStats> columns;  // by column name; absent: nothing known
};

// Parses an add action's stats JSON against the table's schema, keeping only what is safe to prune
// with: values are parsed per the column's type (timestamps with any UTC offset or none); a
// timestamp max on a whole millisecond gets +999 µs (writers truncate to milliseconds); a float64
// bound that may be a float32 printed in shortest form is widened by one float32 step; a string
// max gets U+10FFFF appended unless it already ends with it (writers truncate long maxima, not all
// with a tie-breaker, and the prefix length is configurable); with "tightBounds":false a nullCount
// other than 0 or numRecords is dropped. Columns absent from the schema or from the stats, nested
// values and values that do not parse give no bound: unknown statistics just mean "cannot prune".
// Stats are matched to schema fields by name (under column mapping, writers key stats by physical
// name; resolving those is the caller's business). Errors: DataError for malformed JSON or a root
// that is not an object.
Result<FileStats> ParseStats(std::string_view stats_json, const columnar::Schema& table_schema);

// Three-way comparison (<0, 0, >0). Both values must hold the same alternative (monostate equals
// monostate); strings compare as unsigned bytes, doubles numerically.
int CompareStatValues(const StatValue& a, const StatValue& b);

// The comparable form of row `row` of `column`: monostate for a null, a NaN, or a type without
// statistics (bool, binary, json).
StatValue StatValueAt(const columnar::Column& column, int64_t row);

// Parses a literal typed by a user (e.g. in a filter) into the comparable form for a column of
// `type`: 42, -7, 12.5, 1e3, 2024-01-31, 2024-01-31T10:00:00Z (a date alone means midnight UTC for
// timestamps), 10:30:00, abc. Surrounding single or double quotes are optional ('it''s' inside
// single quotes is it's). Errors: InvalidArgument naming the type when the text does not parse,
// does not fit the type (an int32 range, a decimal's precision or scale), or the type has no
// statistics.
Result<StatValue> ParseStatLiteral(std::string_view text, columnar::DataType type);

// A partition value's text (as stored in an add action) in comparable form: strings as they are
// (no quote handling), other types as ParseStatLiteral reads them.
Result<StatValue> PartitionStatValue(std::string_view text, columnar::DataType type);

}  // namespace sluice::lake

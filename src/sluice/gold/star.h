// The rest of the star schema, in memory: the date dimension's calendar, fact rows with their
// dimension keys looked up, and aggregates.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "sluice/columnar/batch.h"
#include "sluice/common/result.h"
#include "sluice/compute/row_key.h"
#include "sluice/gold/gold_model.h"

namespace sluice::gold {

// ---- date dimension ------------------------------------------------------------------------

// yyyymmdd of a day (days since 1970-01-01): 2026-11-05 → 20261105.
int32_t DateKey(int32_t days);

// The calendar's rows, start..end, after the unknown member (date_key 0): date_key, date, year,
// quarter, month, month_name, day_of_month, day_of_year, day_of_week (ISO: 1 = Monday), day_name,
// is_weekend, iso_week, iso_year, fiscal_year, fiscal_quarter, fiscal_period.
columnar::BatchPtr GenerateDateDimension(const DateDimensionSpec& spec);

// ---- facts -----------------------------------------------------------------------------------

// One dimension's keys, ready for lookups.
struct DimensionKeys {
  std::string name;    // the fact's name for the dimension ("customer")
  std::string column;  // the key column written to the fact
  columnar::DataType type = columnar::DataType::Int64();
  bool date = false;      // a date dimension: the key is computed from the date
  int32_t first_day = 0;  // date: the calendar's range
  int32_t last_day = 0;
  bool point_in_time = false;  // scd2 with as_of
  struct Span {
    int64_t from = 0;
    std::optional<int64_t> to;
    bool current = true;
    int64_t key = 0;
  };
  // Business key → versions by valid_from: by the integer itself for a single int32/int64 key,
  // else by its compute::EncodeKey text.
  bool integer_keys = false;
  std::unordered_map<int64_t, std::vector<Span>> integer_members;
  std::unordered_map<std::string, std::vector<Span>> members;
};

// From a dimension table's rows (`rows` hold the surrogate key, the business key, and for scd2
// valid_from, valid_to, is_current).
Result<DimensionKeys> LoadDimensionKeys(const GoldModel& dimension, const FactDimension& use,
                                        const std::vector<columnar::BatchPtr>& rows);
// For a date dimension (no rows needed: the calendar is known).
DimensionKeys DateDimensionKeys(const GoldModel& dimension, const FactDimension& use);

struct FactPlan {
  const GoldModel* model = nullptr;
  columnar::SchemaPtr schema;                // the fact table's
  std::vector<std::vector<size_t>> on;       // per dimension: upstream columns
  std::vector<std::optional<size_t>> as_of;  // per dimension
  std::vector<size_t> passthrough;           // upstream columns after the keys
  std::vector<size_t> grain;                 // fact table columns
};

Result<FactPlan> PlanFact(const GoldModel& model, const columnar::Schema& upstream,
                          const std::vector<DimensionKeys>& dimensions);

struct FactCounts {
  std::map<std::string, int64_t> unknown;  // per dimension name: rows given key 0
};

// One upstream batch → fact rows.
Result<columnar::BatchPtr> BuildFacts(const FactPlan& plan, const columnar::Batch& upstream,
                                      const std::vector<DimensionKeys>& dimensions,
                                      FactCounts* counts);

// The grain is unique across `facts`. Errors: DataError naming up to 10 repeated grains.
Status CheckGrain(const FactPlan& plan, const std::vector<columnar::BatchPtr>& facts);

// CheckGrain batch by batch, for facts written as they are built: holds the grain values only (a
// single integer grain as integers), sorted once at the end.
class GrainCheck {
 public:
  explicit GrainCheck(const FactPlan& plan);
  void Add(const columnar::Batch& facts);
  // DataError naming up to 10 of the values that repeat (the smallest), as CheckGrain.
  Status Finish();

 private:
  const FactPlan& plan_;
  bool integer_ = false;
  std::vector<int64_t> integers_;
  std::vector<std::string> texts_;
  int64_t nulls_ = 0;
};

}  // namespace sluice::gold

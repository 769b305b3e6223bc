// Quality: the checks of a silver table over the rows of one run, with a result per check and,
// for checks of severity quarantine, the rows to set aside.
//
// Row-level checks (not_null, unique, accepted_values, range, regex, relationships, custom) judge
// each row; a null passes every one of them but not_null. unique compares the run's rows with each
// other and with the keys already in the table; relationships looks each key up in the other lake
// table. row_count and freshness judge the run as a whole (the rows this run writes; the newest
// value among them).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "sluice/columnar/batch.h"
#include "sluice/common/result.h"
#include "sluice/silver/silver_table.h"

namespace sluice::silver {

struct CheckResult {
  std::string name;
  CheckKind kind = CheckKind::kCustom;
  Severity severity = Severity::kFail;
  std::string columns;  // "order_id", "order_id, line" or ""
  int64_t rows_checked = 0;
  int64_t rows_failed = 0;
  bool passed = true;
  std::vector<std::string> sample;  // up to 5 failing values or keys
  std::string detail;               // the reason, in words ("3 rows; at least 10 expected")
};

struct CheckContext {
  // unique checks (by check name): the keys the table holds already.
  std::map<std::string, std::unordered_set<std::string>> existing_keys;
  // relationships checks (by check name): the keys of the referenced table.
  std::map<std::string, std::unordered_set<std::string>> reference_keys;
  int64_t now_micros = 0;
};

// The checks of one table over a run's batches, fed one at a time (the run's rows need not be
// held): row-level checks judge each batch as it comes; unique keeps the run's keys so far;
// row_count and freshness are judged at Finish.
class CheckRun {
 public:
  // Binds every check to `schema` (the batches' schema). `table` and `context` must outlive the
  // run. Errors: InvalidArgument for a check that cannot be bound (an unknown column, named with
  // the project file's line).
  static Result<std::unique_ptr<CheckRun>> Start(const SilverTable& table,
                                                 const columnar::Schema& schema,
                                                 const CheckContext& context);
  ~CheckRun();

  // Judges the rows of `batch`. `quarantine` receives, per row, the index of the first check of
  // severity quarantine the row fails, or -1.
  Status Add(const columnar::Batch& batch, std::vector<int>* quarantine);
  // A result per check, in the table's order.
  std::vector<CheckResult> Finish();

 private:
  CheckRun() = default;
  class Impl;
  std::unique_ptr<Impl> impl_;
};

// Runs every check of `table` over `batches` (all in one schema); no results without batches.
// `quarantine` receives, per batch, per row, the index of the first check of severity quarantine
// the row fails, or -1. Errors: InvalidArgument for a check that cannot be bound (an unknown
// column, named with the project file's line).
Result<std::vector<CheckResult>> RunChecks(const SilverTable& table,
                                           const std::vector<columnar::BatchPtr>& batches,
                                           const CheckContext& context,
                                           std::vector<std::vector<int>>* quarantine);

// 100 × the mean, over the checks, of the share of rows that passed (a run-level check counts 0
// or 1); 100 when there are no checks.
double QualityScore(const std::vector<CheckResult>& results);

}  // namespace sluice::silver

// Task: one node of a run's DAG — e.g. ingest one source into bronze. Tasks are built from the
// project (pipeline_builder.h) and run by the executor (executor.h), which handles ordering,
// parallelism, retries and reporting; a task only does its work and says what it did.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sluice/common/result.h"

namespace sluice::pipeline {

// Live counters a task updates while it runs (read by the progress display from another thread).
struct TaskProgress {
  std::atomic<int64_t> rows{0};
  std::atomic<int64_t> bytes{0};
  std::atomic<int64_t> files_done{0};
  std::atomic<int64_t> files_total{0};
};

struct TaskContext {
  std::string run_id;
  int attempt = 1;  // 1-based
  TaskProgress* progress = nullptr;
  int threads = 2;  // reader/writer threads the task may use
  // Bytes of rows and state the task may hold between its stages; beyond them it spills to
  // temporary files (columnar::BatchSpool). The executor's share of the run's memory_limit.
  int64_t memory_budget = int64_t{512} << 20;
};

// What a finished task did. rows_in = rows_out + rows_quarantined for every ingesting task.
struct TaskOutcome {
  int64_t rows_in = 0;
  int64_t rows_out = 0;
  int64_t rows_quarantined = 0;
  int64_t bytes_in = 0;
  // Task-specific facts for the report (files taken/skipped, table version, ...).
  nlohmann::ordered_json details = nlohmann::ordered_json::object();
  // Notes for people, printed after the summary (e.g. "2 changed files not re-ingested").
  std::vector<std::string> notes;
};

class Task {
 public:
  virtual ~Task() = default;

  // Unique within a run, e.g. "bronze.orders".
  virtual const std::string& name() const = 0;
  // "bronze", later "silver", "gold", "load".
  virtual std::string kind() const = 0;
  // Names of the tasks that must succeed first.
  virtual std::vector<std::string> upstream() const = 0;
  // What the task reads and writes, for `sluice plan` (e.g. "drops/orders/*.csv (csv)",
  // "lake/bronze/orders").
  virtual std::vector<std::string> reads() const = 0;
  virtual std::vector<std::string> writes() const = 0;

  // Does the work. May be called again after a failure (a retry): it must be idempotent.
  // Errors carry their StatusCode; the executor retries retryable ones.
  virtual Result<TaskOutcome> Run(TaskContext& context) = 0;
};

}  // namespace sluice::pipeline

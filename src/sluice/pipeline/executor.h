// Executor: runs a DAG of tasks — each task once its upstream tasks succeeded, independent tasks
// in parallel (up to `parallelism` at once), each with retries — and reports every task's fate.
//
// A failing task (after its retries) stops its downstream tasks (reported as skipped, naming the
// failed task); every other task still runs to its end. Retries apply to errors that may pass
// (StatusCode unavailable, timeout, conflict, I/O): the delay before attempt n+1 is
// delay × backoff^(n-1), at most max_delay. Data and configuration errors are not retried.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sluice/common/result.h"
#include "sluice/pipeline/task.h"

namespace sluice::pipeline {

struct RetryPolicy {
  int attempts = 2;  // tries in all (1 = no retry)
  int64_t delay_ms = 5'000;
  double backoff = 2.0;
  int64_t max_delay_ms = 300'000;

  // The wait before attempt `next_attempt` (2, 3, ...).
  int64_t DelayBefore(int next_attempt) const;
};

enum class TaskState { kSucceeded, kFailed, kSkipped };

// "ok", "failed", "skipped".
std::string_view TaskStateName(TaskState state);

struct TaskReport {
  std::string name;
  std::string kind;
  TaskState state = TaskState::kSkipped;
  int attempts = 0;
  double seconds = 0;
  TaskOutcome outcome;                      // of the last attempt (empty when skipped or failed)
  Status error;                             // failed: the last attempt's error; skipped: why
  std::vector<std::string> retried_errors;  // the errors of earlier attempts
};

// Told about task events from worker threads (implementations synchronize).
class ExecutionListener {
 public:
  virtual ~ExecutionListener() = default;
  virtual void OnTaskStarted(const Task& task, int attempt, TaskProgress* progress) = 0;
  virtual void OnTaskRetrying(const Task& task, int attempt, const Status& error,
                              int64_t delay_ms) = 0;
  virtual void OnTaskFinished(const TaskReport& report) = 0;
};

struct ExecutorOptions {
  int parallelism = 2;
  RetryPolicy retries;
  std::string run_id;
  int threads_per_task = 2;
  int64_t memory_budget_per_task = int64_t{512} << 20;  // TaskContext::memory_budget
  ExecutionListener* listener = nullptr;
  // Waits between attempts (tests inject a clock); default sleeps.
  std::function<void(int64_t ms)> sleep;
};

// Checks the DAG: unique names, known upstream names, no cycles. Errors: InvalidArgument naming
// the task (and the cycle).
Status CheckGraph(const std::vector<std::unique_ptr<Task>>& tasks);

// Tasks in an order where every task follows its upstream tasks (declaration order otherwise).
// Call CheckGraph first.
std::vector<Task*> TopologicalOrder(const std::vector<std::unique_ptr<Task>>& tasks);

// Runs every task; reports come back in TopologicalOrder. Call CheckGraph first.
std::vector<TaskReport> RunTasks(const std::vector<std::unique_ptr<Task>>& tasks,
                                 const ExecutorOptions& options);

}  // namespace sluice::pipeline

#include "sluice/pipeline/executor.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace sluice::pipeline {

int64_t RetryPolicy::DelayBefore(int next_attempt) const {
  double delay = static_cast<double>(delay_ms);
  for (int n = 2; n < next_attempt; ++n) delay *= backoff;
  return std::min<int64_t>(max_delay_ms, static_cast<int64_t>(std::llround(delay)));
}

std::string_view TaskStateName(TaskState state) {
  switch (state) {
    case TaskState::kSucceeded:
      return "ok";
    case TaskState::kFailed:
      return "failed";
    case TaskState::kSkipped:
      return "skipped";
  }
  return "skipped";
}

Status CheckGraph(const std::vector<std::unique_ptr<Task>>& tasks) {
  std::map<std::string, const Task*> by_name;
  for (const auto& task : tasks) {
    if (!by_name.emplace(task->name(), task.get()).second) {
      return Status::InvalidArgument("two tasks are named '" + task->name() + "'");
    }
  }
  for (const auto& task : tasks) {
    for (const std::string& up : task->upstream()) {
      if (by_name.count(up) == 0) {
        return Status::InvalidArgument("task '" + task->name() + "' depends on '" + up +
                                       "', which is not a task of this project");
      }
    }
  }
  // Depth-first search for a cycle; report it as a → b → a.
  std::map<std::string, int> color;  // 0 white, 1 on the stack, 2 done
  std::vector<std::string> stack;
  std::function<Status(const Task*)> visit = [&](const Task* task) -> Status {
    color[task->name()] = 1;
    stack.push_back(task->name());
    for (const std::string& up : task->upstream()) {
      if (color[up] == 1) {
        std::string cycle;
        auto start = std::find(stack.begin(), stack.end(), up);
        for (auto it = start; it != stack.end(); ++it) cycle += *it + " → ";
        return Status::InvalidArgument("tasks depend on each other in a cycle: " + cycle + up);
      }
      if (color[up] == 0) SLUICE_RETURN_NOT_OK(visit(by_name[up]));
    }
    stack.pop_back();
    color[task->name()] = 2;
    return Status::OK();
  };
  for (const auto& task : tasks) {
    if (color[task->name()] == 0) SLUICE_RETURN_NOT_OK(visit(task.get()));
  }
  return Status::OK();
}

std::vector<Task*> TopologicalOrder(const std::vector<std::unique_ptr<Task>>& tasks) {
  std::vector<Task*> order;
  std::set<std::string> placed;
  while (order.size() < tasks.size()) {
    const size_t before = order.size();
    for (const auto& task : tasks) {
      if (placed.count(task->name()) != 0) continue;
      bool ready = true;
      for (const std::string& up : task->upstream()) ready &= placed.count(up) != 0;
      if (ready) {
        order.push_back(task.get());
        placed.insert(task->name());
      }
    }
    if (order.size() == before) break;  // a cycle: CheckGraph reports it
  }
  return order;
}

namespace {

class Run {
 public:
  Run(const std::vector<std::unique_ptr<Task>>& tasks, const ExecutorOptions& options)
      : options_(options), order_(TopologicalOrder(tasks)) {
    for (size_t i = 0; i < order_.size(); ++i) index_[order_[i]->name()] = i;
    reports_.resize(order_.size());
    for (size_t i = 0; i < order_.size(); ++i)
      progress_.push_back(std::make_unique<TaskProgress>());
    states_.assign(order_.size(), State::kWaiting);
    for (size_t i = 0; i < order_.size(); ++i) {
      reports_[i].name = order_[i]->name();
      reports_[i].kind = order_[i]->kind();
    }
  }

  std::vector<TaskReport> Execute() {
    const int workers =
        std::max(1, std::min<int>(options_.parallelism, static_cast<int>(order_.size())));
    std::vector<std::thread> threads;
    for (int i = 0; i < workers; ++i) threads.emplace_back([this] { Work(); });
    for (std::thread& thread : threads) thread.join();
    return std::move(reports_);
  }

 private:
  enum class State { kWaiting, kRunning, kDone };

  // Under mutex_: the next task whose upstream tasks all succeeded; marks downstream of failures
  // as skipped. Returns npos when nothing can start now.
  size_t NextReady() {
    for (size_t i = 0; i < order_.size(); ++i) {
      if (states_[i] != State::kWaiting) continue;
      bool ready = true;
      std::string failed_upstream;
      for (const std::string& up : order_[i]->upstream()) {
        const size_t u = index_[up];
        if (states_[u] != State::kDone) {
          ready = false;
        } else if (reports_[u].state != TaskState::kSucceeded) {
          failed_upstream = up;
        }
      }
      if (!failed_upstream.empty()) {
        states_[i] = State::kDone;
        reports_[i].state = TaskState::kSkipped;
        const bool upstream_skipped =
            reports_[index_[failed_upstream]].state == TaskState::kSkipped;
        reports_[i].error = Status::Cancelled("upstream task " + failed_upstream +
                                              (upstream_skipped ? " was skipped" : " failed"));
        ++finished_;
        if (options_.listener) options_.listener->OnTaskFinished(reports_[i]);
        changed_.notify_all();
        return NextReady();  // the state changed: look again from the start
      }
      if (ready) return i;
    }
    return std::string::npos;
  }

  void Work() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (true) {
      size_t next = NextReady();
      if (next == std::string::npos) {
        if (finished_ == order_.size()) return;
        changed_.wait(lock);
        continue;
      }
      states_[next] = State::kRunning;
      lock.unlock();
      TaskReport report = RunOne(*order_[next], progress_[next].get());
      lock.lock();
      reports_[next] = std::move(report);
      states_[next] = State::kDone;
      ++finished_;
      if (options_.listener) options_.listener->OnTaskFinished(reports_[next]);
      changed_.notify_all();
    }
  }

  // `progress` outlives the task's attempts (the display may read it until OnTaskFinished).
  TaskReport RunOne(Task& task, TaskProgress* progress) {
    TaskReport report;
    report.name = task.name();
    report.kind = task.kind();
    const auto start = std::chrono::steady_clock::now();
    const int attempts = std::max(1, options_.retries.attempts);
    for (int attempt = 1; attempt <= attempts; ++attempt) {
      progress->rows = 0;
      progress->bytes = 0;
      progress->files_done = 0;
      progress->files_total = 0;
      TaskContext context;
      context.run_id = options_.run_id;
      context.attempt = attempt;
      context.progress = progress;
      context.threads = options_.threads_per_task;
      context.memory_budget = options_.memory_budget_per_task;
      if (options_.listener) options_.listener->OnTaskStarted(task, attempt, progress);
      report.attempts = attempt;
      Result<TaskOutcome> outcome = task.Run(context);
      if (outcome.ok()) {
        report.state = TaskState::kSucceeded;
        report.outcome = std::move(outcome).ValueUnsafe();
        report.error = Status::OK();
        break;
      }
      report.state = TaskState::kFailed;
      report.error = outcome.status();
      if (attempt == attempts || !report.error.IsRetryable()) break;
      const int64_t delay = options_.retries.DelayBefore(attempt + 1);
      report.retried_errors.push_back(report.error.ToString());
      if (options_.listener) options_.listener->OnTaskRetrying(task, attempt, report.error, delay);
      if (options_.sleep) {
        options_.sleep(delay);
      } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(delay));
      }
    }
    report.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
    // The task's memory goes back to the system, not only to the allocator: the next tasks (and
    // the peak RSS the run is judged by) see what is in use, not what a finished task held.
    // (Not under AddressSanitizer, whose allocator replaces glibc's: malloc_trim would walk
    // glibc arenas that were never set up.)
    malloc_trim(0);
#endif
    return report;
  }

  const ExecutorOptions& options_;
  std::vector<Task*> order_;
  std::map<std::string, size_t> index_;
  std::vector<TaskReport> reports_;
  std::vector<std::unique_ptr<TaskProgress>> progress_;
  std::vector<State> states_;
  size_t finished_ = 0;
  std::mutex mutex_;
  std::condition_variable changed_;
};

}  // namespace

std::vector<TaskReport> RunTasks(const std::vector<std::unique_ptr<Task>>& tasks,
                                 const ExecutorOptions& options) {
  Run run(tasks, options);
  return run.Execute();
}

}  // namespace sluice::pipeline

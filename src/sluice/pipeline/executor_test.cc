#include "sluice/pipeline/executor.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

namespace sluice::pipeline {
namespace {

// A task that fails its first `failures` attempts with `error`, then succeeds with `rows`.
class FakeTask final : public Task {
 public:
  FakeTask(std::string name, std::vector<std::string> upstream, int failures = 0,
           Status error = Status::OK(), int sleep_ms = 0)
      : name_(std::move(name)),
        upstream_(std::move(upstream)),
        failures_(failures),
        error_(std::move(error)),
        sleep_ms_(sleep_ms) {}
  const std::string& name() const override { return name_; }
  std::string kind() const override { return "fake"; }
  std::vector<std::string> upstream() const override { return upstream_; }
  std::vector<std::string> reads() const override { return {}; }
  std::vector<std::string> writes() const override { return {}; }
  Result<TaskOutcome> Run(TaskContext& context) override {
    const int now = ++running_;
    int seen = max_running_.load();
    while (now > seen && !max_running_.compare_exchange_weak(seen, now)) {
    }
    if (sleep_ms_ > 0) std::this_thread::sleep_for(std::chrono::milliseconds(sleep_ms_));
    --running_;
    ++calls;
    {
      std::lock_guard<std::mutex> lock(order_mutex_);
      order_.push_back(name_);
    }
    if (context.attempt <= failures_) return error_;
    TaskOutcome outcome;
    outcome.rows_in = outcome.rows_out = 10;
    context.progress->rows += 10;
    return outcome;
  }
  int calls = 0;
  static std::atomic<int> running_;
  static std::atomic<int> max_running_;
  static std::mutex order_mutex_;
  static std::vector<std::string> order_;

 private:
  std::string name_;
  std::vector<std::string> upstream_;
  int failures_;
  Status error_;
  int sleep_ms_;
};
std::atomic<int> FakeTask::running_{0};
std::atomic<int> FakeTask::max_running_{0};
std::mutex FakeTask::order_mutex_;
std::vector<std::string> FakeTask::order_;

ExecutorOptions Options(int parallelism, int attempts, std::vector<int64_t>* sleeps) {
  ExecutorOptions options;
  options.parallelism = parallelism;
  options.retries.attempts = attempts;
  options.retries.delay_ms = 1000;
  options.retries.backoff = 3;
  options.retries.max_delay_ms = 5000;
  options.sleep = [sleeps](int64_t ms) { sleeps->push_back(ms); };
  return options;
}

const TaskReport& Find(const std::vector<TaskReport>& reports, const std::string& name) {
  for (const TaskReport& report : reports) {
    if (report.name == name) return report;
  }
  static TaskReport none;
  ADD_FAILURE() << "no report for " << name;
  return none;
}

TEST(ExecutorTest, RetryDelaysGrowAndAreCapped) {
  RetryPolicy policy;
  policy.delay_ms = 1000;
  policy.backoff = 3;
  policy.max_delay_ms = 5000;
  EXPECT_EQ(policy.DelayBefore(2), 1000);
  EXPECT_EQ(policy.DelayBefore(3), 3000);
  EXPECT_EQ(policy.DelayBefore(4), 5000);
}

TEST(ExecutorTest, UpstreamFirstAndIndependentTasksInParallel) {
  std::vector<std::unique_ptr<Task>> tasks;
  tasks.push_back(std::make_unique<FakeTask>("c", std::vector<std::string>{"a", "b"}));
  tasks.push_back(
      std::make_unique<FakeTask>("a", std::vector<std::string>{}, 0, Status::OK(), 150));
  tasks.push_back(
      std::make_unique<FakeTask>("b", std::vector<std::string>{}, 0, Status::OK(), 150));
  ASSERT_TRUE(CheckGraph(tasks).ok());
  FakeTask::order_.clear();
  FakeTask::max_running_ = 0;
  std::vector<int64_t> sleeps;
  std::vector<TaskReport> reports = RunTasks(tasks, Options(2, 1, &sleeps));
  ASSERT_EQ(reports.size(), 3u);
  EXPECT_EQ(reports[2].name, "c");  // topological order
  for (const TaskReport& report : reports) {
    EXPECT_EQ(report.state, TaskState::kSucceeded) << report.name;
    EXPECT_EQ(report.outcome.rows_out, 10);
  }
  EXPECT_EQ(FakeTask::order_.back(), "c");
  EXPECT_EQ(FakeTask::max_running_.load(), 2);  // a and b ran together
}

TEST(ExecutorTest, RetriesRetryableErrorsOnly) {
  std::vector<std::unique_ptr<Task>> tasks;
  tasks.push_back(std::make_unique<FakeTask>("flaky", std::vector<std::string>{}, 2,
                                             Status::Conflict("someone else committed")));
  tasks.push_back(std::make_unique<FakeTask>("bad_data", std::vector<std::string>{}, 5,
                                             Status::DataError("too many rejects")));
  std::vector<int64_t> sleeps;
  std::vector<TaskReport> reports = RunTasks(tasks, Options(1, 3, &sleeps));
  const TaskReport& flaky = Find(reports, "flaky");
  EXPECT_EQ(flaky.state, TaskState::kSucceeded);
  EXPECT_EQ(flaky.attempts, 3);
  EXPECT_EQ(flaky.retried_errors.size(), 2u);
  EXPECT_EQ(sleeps, (std::vector<int64_t>{1000, 3000}));
  // An I/O error its maker marked permanent is not retried.
  std::vector<std::unique_ptr<Task>> denied;
  denied.push_back(std::make_unique<FakeTask>(
      "denied", std::vector<std::string>{}, 5,
      Status::IOError("lake/t: permission denied").WithRetryable(false)));
  EXPECT_EQ(Find(RunTasks(denied, Options(1, 3, &sleeps)), "denied").attempts, 1);
  const TaskReport& bad = Find(reports, "bad_data");
  EXPECT_EQ(bad.state, TaskState::kFailed);
  EXPECT_EQ(bad.attempts, 1);
  EXPECT_EQ(bad.error.code(), StatusCode::kDataError);
}

TEST(ExecutorTest, AFailureSkipsDownstreamAndTheRestFinish) {
  std::vector<std::unique_ptr<Task>> tasks;
  tasks.push_back(std::make_unique<FakeTask>("fails", std::vector<std::string>{}, 9,
                                             Status::IOError("disk gone")));
  tasks.push_back(std::make_unique<FakeTask>("child", std::vector<std::string>{"fails"}));
  tasks.push_back(std::make_unique<FakeTask>("grandchild", std::vector<std::string>{"child"}));
  tasks.push_back(std::make_unique<FakeTask>("other", std::vector<std::string>{}));
  auto* child = static_cast<FakeTask*>(tasks[1].get());
  std::vector<int64_t> sleeps;
  std::vector<TaskReport> reports = RunTasks(tasks, Options(2, 2, &sleeps));
  EXPECT_EQ(Find(reports, "fails").state, TaskState::kFailed);
  EXPECT_EQ(Find(reports, "fails").attempts, 2);  // I/O errors are retried
  EXPECT_EQ(Find(reports, "child").state, TaskState::kSkipped);
  EXPECT_EQ(Find(reports, "child").error.message(), "upstream task fails failed");
  EXPECT_EQ(Find(reports, "grandchild").state, TaskState::kSkipped);
  EXPECT_EQ(Find(reports, "grandchild").error.message(), "upstream task child was skipped");
  EXPECT_EQ(Find(reports, "other").state, TaskState::kSucceeded);
  EXPECT_EQ(child->calls, 0);
}

TEST(ExecutorTest, GraphErrorsNameTheTasks) {
  std::vector<std::unique_ptr<Task>> unknown;
  unknown.push_back(std::make_unique<FakeTask>("a", std::vector<std::string>{"ghost"}));
  EXPECT_EQ(CheckGraph(unknown).message(),
            "task 'a' depends on 'ghost', which is not a task of this project");
  std::vector<std::unique_ptr<Task>> cycle;
  cycle.push_back(std::make_unique<FakeTask>("a", std::vector<std::string>{"b"}));
  cycle.push_back(std::make_unique<FakeTask>("b", std::vector<std::string>{"a"}));
  EXPECT_EQ(CheckGraph(cycle).message(), "tasks depend on each other in a cycle: a → b → a");
  std::vector<std::unique_ptr<Task>> twice;
  twice.push_back(std::make_unique<FakeTask>("a", std::vector<std::string>{}));
  twice.push_back(std::make_unique<FakeTask>("a", std::vector<std::string>{}));
  EXPECT_EQ(CheckGraph(twice).message(), "two tasks are named 'a'");
}

}  // namespace
}  // namespace sluice::pipeline

// ThreadPool: results, error propagation, the parallelism limit, nested use without deadlock, and
// tasks that are withdrawn before they start.
#include "sluice/common/thread_pool.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

namespace sluice {
namespace {

using std::chrono::seconds;

// Blocks the threads that Wait() until Open() (or a timeout, so a broken pool fails, not hangs).
class Gate {
 public:
  void Open() {
    std::lock_guard<std::mutex> lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  bool Wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, seconds(30), [this] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = false;
};

TEST(ThreadPoolTest, ForEachRunsEveryTaskExactlyOnce) {
  ThreadPool pool(3);
  std::vector<std::atomic<int>> hits(1000);
  ASSERT_TRUE(pool.ForEach(hits.size(), 4,
                           [&](size_t i) {
                             hits[i].fetch_add(1);
                             return Status::OK();
                           })
                  .ok());
  for (size_t i = 0; i < hits.size(); ++i) EXPECT_EQ(hits[i].load(), 1) << i;
}

TEST(ThreadPoolTest, ParallelismOneRunsInlineInOrder) {
  ThreadPool pool(2);
  std::vector<size_t> order;
  const std::thread::id caller = std::this_thread::get_id();
  bool all_on_caller = true;
  ASSERT_TRUE(pool.ForEach(5, 1,
                           [&](size_t i) {
                             order.push_back(i);
                             all_on_caller = all_on_caller && std::this_thread::get_id() == caller;
                             return Status::OK();
                           })
                  .ok());
  EXPECT_EQ(order, (std::vector<size_t>{0, 1, 2, 3, 4}));
  EXPECT_TRUE(all_on_caller);
}

TEST(ThreadPoolTest, ForEachReturnsTheLowestNumberedFailure) {
  ThreadPool pool(4);
  for (int parallelism : {1, 2, 8}) {
    std::atomic<int> ran{0};
    const Status status = pool.ForEach(100, parallelism, [&](size_t i) {
      ran.fetch_add(1);
      if (i == 70) return Status::IOError("task 70");
      if (i == 30) return Status::DataError("task 30");
      return Status::OK();
    });
    EXPECT_EQ(status.code(), StatusCode::kDataError) << parallelism;
    EXPECT_EQ(status.message(), "task 30") << parallelism;
    // Tasks not started when one failed are skipped; a sequential loop stops at the failure.
    if (parallelism == 1) {
      EXPECT_EQ(ran.load(), 31);
    }
  }
}

TEST(ThreadPoolTest, AtMostParallelismTasksRunAtOnce) {
  ThreadPool pool(8);
  std::mutex mutex;
  std::condition_variable changed;
  int active = 0;
  int most = 0;
  std::set<std::thread::id> threads;
  // The first three tasks wait for one another: they only all finish when three run at once.
  ASSERT_TRUE(pool.ForEach(60, 3,
                           [&](size_t i) {
                             std::unique_lock<std::mutex> lock(mutex);
                             ++active;
                             most = std::max(most, active);
                             threads.insert(std::this_thread::get_id());
                             changed.notify_all();
                             if (i < 3)
                               changed.wait_for(lock, seconds(30), [&] { return most >= 3; });
                             lock.unlock();
                             std::this_thread::sleep_for(std::chrono::microseconds(200));
                             lock.lock();
                             --active;
                             return Status::OK();
                           })
                  .ok());
  EXPECT_EQ(most, 3);
  EXPECT_LE(threads.size(), 3u);
}

TEST(ThreadPoolTest, NestedForEachCompletesOnASingleWorker) {
  ThreadPool pool(1);
  std::atomic<int64_t> sum{0};
  ASSERT_TRUE(pool.ForEach(8, 4,
                           [&](size_t outer) {
                             return pool.ForEach(8, 4, [&](size_t inner) {
                               sum.fetch_add(static_cast<int64_t>(outer * 8 + inner));
                               return Status::OK();
                             });
                           })
                  .ok());
  EXPECT_EQ(sum.load(), 63 * 64 / 2);
}

TEST(ThreadPoolTest, AsyncGivesTheResultAndItsError) {
  ThreadPool pool(2);
  ThreadPool::Future<int> answer = pool.Async<int>([]() -> Result<int> { return 42; });
  ThreadPool::Future<int> failure =
      pool.Async<int>([]() -> Result<int> { return Status::NotFound("no such file"); });
  Result<int> value = answer.Get();
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, 42);
  EXPECT_FALSE(answer.valid());
  Result<int> error = failure.Get();
  EXPECT_EQ(error.status().code(), StatusCode::kNotFound);
}

TEST(ThreadPoolTest, GetRunsATaskNoWorkerStartedInTheCaller) {
  ThreadPool pool(1);
  Gate gate;
  ThreadPool::Future<bool> blocker =
      pool.Async<bool>([&]() -> Result<bool> { return gate.Wait(); });
  // The only worker is busy: waiting for this task must run it here rather than block forever.
  const std::thread::id caller = std::this_thread::get_id();
  ThreadPool::Future<std::thread::id> queued = pool.Async<std::thread::id>(
      []() -> Result<std::thread::id> { return std::this_thread::get_id(); });
  Result<std::thread::id> ran_on = queued.Get();
  ASSERT_TRUE(ran_on.ok());
  EXPECT_EQ(*ran_on, caller);
  gate.Open();
  Result<bool> opened = blocker.Get();
  ASSERT_TRUE(opened.ok());
  EXPECT_TRUE(*opened);
}

TEST(ThreadPoolTest, ATaskMayWaitForATaskQueuedBehindIt) {
  ThreadPool pool(1);
  ThreadPool::Future<int> outer = pool.Async<int>([&pool]() -> Result<int> {
    ThreadPool::Future<int> inner = pool.Async<int>([]() -> Result<int> { return 7; });
    Result<int> value = inner.Get();
    if (!value.ok()) return value.status();
    return *value + 1;
  });
  Result<int> value = outer.Get();
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(*value, 8);
}

TEST(ThreadPoolTest, AnAbandonedFutureNeverStarts) {
  std::atomic<bool> ran{false};
  {
    ThreadPool pool(1);
    Gate gate;
    ThreadPool::Future<bool> blocker =
        pool.Async<bool>([&]() -> Result<bool> { return gate.Wait(); });
    ThreadPool::Future<bool> dropped = pool.Async<bool>([&]() -> Result<bool> {
      ran = true;
      return true;
    });
    dropped.Abandon();
    EXPECT_FALSE(dropped.valid());
    gate.Open();
  }  // the pool drains its queue and joins here
  EXPECT_FALSE(ran.load());
}

TEST(ThreadPoolTest, TheGlobalPoolIsOneInstanceWithAWorkerPerCore) {
  ThreadPool& pool = ThreadPool::Global();
  EXPECT_EQ(&pool, &ThreadPool::Global());
  EXPECT_GE(pool.workers(), 1);
  EXPECT_EQ(pool.workers(), static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
}

// Two tasks that only finish when both run at once: true when `pool` runs two at a time.
bool RunsTwoAtOnce(ThreadPool& pool) {
  std::mutex mutex;
  std::condition_variable changed;
  int arrived = 0;
  bool both = true;
  const Status status = pool.ForEach(2, 2, [&](size_t) {
    std::unique_lock<std::mutex> lock(mutex);
    ++arrived;
    changed.notify_all();
    both = changed.wait_for(lock, seconds(30), [&] { return arrived == 2; }) && both;
    return Status::OK();
  });
  return status.ok() && both;
}

TEST(ThreadPoolTest, AForkedChildGetsAPoolOfItsOwn) {
  ASSERT_TRUE(RunsTwoAtOnce(ThreadPool::Global()));  // the parent's workers are running
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // None of the parent's workers exist here: parallel work needs the child's own pool.
    ::_exit(RunsTwoAtOnce(ThreadPool::Global()) ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_TRUE(RunsTwoAtOnce(ThreadPool::Global()));  // and the parent's pool still works
}

}  // namespace
}  // namespace sluice

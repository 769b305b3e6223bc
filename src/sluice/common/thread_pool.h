// ThreadPool: the process's worker threads, shared by everything that works in parallel (the CSV
// and NDJSON block readers, Parquet's column loads and encoders, read-ahead).
//
// Two ways in:
//   - ForEach(count, parallelism, task): runs task(0..count-1) and returns when all have run. The
//     calling thread works too, and at most `parallelism` tasks run at once (the caller plus up to
//     parallelism - 1 workers), so a reader asked for `threads = k` never gets more than k-way
//     parallelism; parallelism <= 1 runs every task inline, in order, without touching the pool.
//   - Async(fn): starts fn on a worker and returns a Future; Future::Get() runs fn in the caller
//     when no worker has started it yet, then returns its Result.
//
// No deadlock by construction: no caller ever waits for a task that has not started — ForEach's
// caller takes the remaining tasks itself and withdraws the helpers no worker picked up, and
// Future::Get() runs a task no worker started. A task may therefore use the pool again (nested
// ForEach, Async) from a worker thread, whatever the number of workers.
//
// Errors: ForEach returns the Status of the lowest-numbered task that failed — the same one a
// sequential loop that stops at the first failure returns; tasks not yet started when a task
// fails are skipped.
//
// Thread-safety: all members may be called from any thread, including from the pool's own tasks.
// fork(): a child process has none of the parent's workers, so the child's first Global() makes
// it a pool of its own (the parent's is left behind, unused). Tasks the parent had in flight do
// not exist in the child; a Future from before the fork is not to be waited on there.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "sluice/common/result.h"

namespace sluice {

class ThreadPool {
 public:
  // One unit of work handed to the workers (see Async and ForEach). Claimed exactly once: by a
  // worker, or by Run/Withdraw in the thread that waits for it.
  class Task {
   public:
    explicit Task(std::function<void()> fn) : fn_(std::move(fn)) {}

    // Runs the task here unless a worker has started it; then waits until it has finished.
    void Run();
    // Makes sure the task never starts; waits for it when a worker has already started it.
    void Withdraw();

   private:
    friend class ThreadPool;
    enum class State { kQueued, kRunning, kDone };

    // Moves kQueued → kRunning; false when someone else claimed the task first.
    bool Claim();
    // Runs the claimed task and marks it done.
    void Execute();
    void WaitDone();

    std::function<void()> fn_;
    std::mutex mutex_;
    std::condition_variable done_;
    State state_ = State::kQueued;
  };

  // `workers` threads (at least 1), started now and joined by the destructor, which first lets
  // them finish the queued tasks.
  explicit ThreadPool(int workers);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  // The process-wide pool: one worker per hardware thread, created on first use and never
  // destroyed (tasks may still use it while the process exits); a fork()ed child gets its own.
  static ThreadPool& Global();

  int workers() const { return static_cast<int>(threads_.size()); }

  // Runs task(i) for every i in [0, count), at most `parallelism` at once, the caller being one of
  // them; returns when every started task has returned. See the header comment for errors.
  Status ForEach(size_t count, int parallelism, const std::function<Status(size_t)>& task);

  // Queues `task` for a worker. The caller must Run() or Withdraw() it before anything the task
  // uses goes away.
  std::shared_ptr<Task> Submit(std::function<void()> task);

  template <typename T>
  class Future;
  // Starts fn on a worker; see Future.
  template <typename T>
  Future<T> Async(std::function<Result<T>()> fn);

 private:
  void WorkerLoop();
  // pthread_atfork handlers for Global().
  static void BeforeFork();
  static void AfterForkInParent();
  static void AfterForkInChild();

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Task>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

// The pending result of ThreadPool::Async. Move-only; a default-constructed Future is not valid().
template <typename T>
class ThreadPool::Future {
 public:
  Future() = default;
  Future(Future&&) noexcept = default;
  Future& operator=(Future&& other) noexcept {
    Abandon();
    task_ = std::move(other.task_);
    slot_ = std::move(other.slot_);
    return *this;
  }
  ~Future() { Abandon(); }

  bool valid() const { return task_ != nullptr; }

  // The result, once: runs the function here when no worker has started it, else waits for it.
  // Leaves the Future not valid().
  Result<T> Get() {
    task_->Run();
    Result<T> result = std::move(**slot_);
    task_.reset();
    slot_.reset();
    return result;
  }

  // Drops the result: the function never starts, or has finished when this returns.
  void Abandon() {
    if (task_ == nullptr) return;
    task_->Withdraw();
    task_.reset();
    slot_.reset();
  }

 private:
  friend class ThreadPool;
  Future(std::shared_ptr<Task> task, std::shared_ptr<std::optional<Result<T>>> slot)
      : task_(std::move(task)), slot_(std::move(slot)) {}

  std::shared_ptr<Task> task_;
  std::shared_ptr<std::optional<Result<T>>> slot_;
};

template <typename T>
ThreadPool::Future<T> ThreadPool::Async(std::function<Result<T>()> fn) {
  auto slot = std::make_shared<std::optional<Result<T>>>();
  std::shared_ptr<Task> task = Submit([slot, fn = std::move(fn)]() { slot->emplace(fn()); });
  return Future<T>(std::move(task), std::move(slot));
}

}  // namespace sluice

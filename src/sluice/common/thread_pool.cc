#include "sluice/common/thread_pool.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <limits>

namespace sluice {
namespace {

// Global()'s pool, made on first use; reset to null in a fork()ed child (see AfterForkInChild).
std::mutex global_mutex;
ThreadPool* global_pool = nullptr;

}  // namespace

bool ThreadPool::Task::Claim() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (state_ != State::kQueued) return false;
  state_ = State::kRunning;
  return true;
}

void ThreadPool::Task::Execute() {
  fn_();
  std::function<void()> finished;  // released outside the lock: its captures may be large
  {
    std::lock_guard<std::mutex> lock(mutex_);
    state_ = State::kDone;
    finished = std::move(fn_);
  }
  done_.notify_all();
}

void ThreadPool::Task::WaitDone() {
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [this] { return state_ == State::kDone; });
}

void ThreadPool::Task::Run() {
  if (Claim()) {
    Execute();
  } else {
    WaitDone();
  }
}

void ThreadPool::Task::Withdraw() {
  std::function<void()> dropped;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    if (state_ == State::kQueued) {
      state_ = State::kDone;  // the worker that pops it finds it claimed and drops it
      dropped = std::move(fn_);
    } else {
      done_.wait(lock, [this] { return state_ == State::kDone; });
    }
  }
}

ThreadPool::ThreadPool(int workers) {
  const int count = std::max(1, workers);
  threads_.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) threads_.emplace_back([this] { WorkerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

ThreadPool& ThreadPool::Global() {
  static const int registered = pthread_atfork(BeforeFork, AfterForkInParent, AfterForkInChild);
  static_cast<void>(registered);
  std::lock_guard<std::mutex> lock(global_mutex);
  if (global_pool == nullptr) {
    // Never destroyed: a task may still run, or a static object's destructor use the pool, while
    // the process exits.
    global_pool =
        new ThreadPool(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  }
  return *global_pool;
}

// The forking thread holds global_mutex across fork(), so the child's copy is not left locked by
// a thread that does not exist there.
void ThreadPool::BeforeFork() { global_mutex.lock(); }

void ThreadPool::AfterForkInParent() { global_mutex.unlock(); }

void ThreadPool::AfterForkInChild() {
  // The parent's workers did not come along. Their pool is left as it is (its std::threads must
  // not be joined or destroyed here); the child's next Global() starts a pool of its own.
  global_pool = nullptr;
  global_mutex.unlock();
}

void ThreadPool::WorkerLoop() {
  while (true) {
    std::shared_ptr<Task> task;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to do
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    if (task->Claim()) task->Execute();
  }
}

std::shared_ptr<ThreadPool::Task> ThreadPool::Submit(std::function<void()> fn) {
  auto task = std::make_shared<Task>(std::move(fn));
  {
    std::lock_guard<std::mutex> lock(mutex_);
    queue_.push_back(task);
  }
  wake_.notify_one();
  return task;
}

Status ThreadPool::ForEach(size_t count, int parallelism,
                           const std::function<Status(size_t)>& task) {
  const size_t helpers =
      parallelism <= 1 || count <= 1
          ? 0
          : std::min({static_cast<size_t>(parallelism) - 1, count - 1, threads_.size()});
  if (helpers == 0) {
    for (size_t i = 0; i < count; ++i) SLUICE_RETURN_NOT_OK(task(i));
    return Status::OK();
  }
  // Lives on the caller's stack: when ForEach returns, every helper has finished or was withdrawn
  // before it started.
  struct Progress {
    std::atomic<size_t> next{0};
    std::atomic<bool> failed{false};
    std::mutex mutex;
    size_t failed_index = std::numeric_limits<size_t>::max();
    Status failure;
  } progress;
  // Indexes are taken in increasing order, so a failing task's lower-numbered ones have all been
  // taken (and run) before it: the lowest failure is always seen.
  auto work = [&progress, &task, count]() {
    while (!progress.failed.load(std::memory_order_relaxed)) {
      const size_t i = progress.next.fetch_add(1);
      if (i >= count) return;
      Status status = task(i);
      if (!status.ok()) {
        std::lock_guard<std::mutex> lock(progress.mutex);
        if (i < progress.failed_index) {
          progress.failed_index = i;
          progress.failure = std::move(status);
        }
        progress.failed.store(true, std::memory_order_relaxed);
      }
    }
  };
  std::vector<std::shared_ptr<Task>> submitted;
  submitted.reserve(helpers);
  for (size_t h = 0; h < helpers; ++h) submitted.push_back(Submit(work));
  work();
  for (const std::shared_ptr<Task>& helper : submitted) helper->Withdraw();
  return progress.failure;
}

}  // namespace sluice

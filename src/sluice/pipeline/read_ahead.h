// ReadAhead: a source's batches read on a thread of its own, up to `depth` batches ahead of the
// writer that consumes them. A database source must be drained steadily: while nobody reads its
// socket, the server stops producing, and on two cores every pause of the reader (waiting for the
// writer to take a batch) is time the server sits idle. One read at a time, all on that thread,
// so the source, its reject tracker and counts are never touched by two threads; once Next has
// returned the end (or an error) the thread has finished, and everything it wrote is visible.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

#include "sluice/columnar/batch.h"
#include "sluice/common/result.h"

namespace sluice::pipeline {

class ReadAhead {
 public:
  ReadAhead(std::function<Result<columnar::BatchPtr>()> read, size_t depth)
      : read_(std::move(read)), depth_(depth < 1 ? 1 : depth), thread_([this] { Loop(); }) {}
  ~ReadAhead() { Stop(); }
  ReadAhead(const ReadAhead&) = delete;
  ReadAhead& operator=(const ReadAhead&) = delete;

  // The next batch (null at the end, and after Stop).
  Result<columnar::BatchPtr> Next() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !queue_.empty() || finished_; });
    if (queue_.empty()) return columnar::BatchPtr();
    Result<columnar::BatchPtr> batch = std::move(queue_.front());
    queue_.pop_front();
    changed_.notify_all();
    const bool last = !batch.ok() || *batch == nullptr;
    lock.unlock();
    if (last) Stop();
    return batch;
  }

  // No further read starts; the one in progress finishes first; what was read ahead is dropped.
  void Stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    if (thread_.joinable()) thread_.join();
    std::lock_guard lock(mutex_);
    queue_.clear();
  }

 private:
  void Loop() {
    bool last = false;
    while (!last) {
      {
        std::unique_lock lock(mutex_);
        changed_.wait(lock, [&] { return stopping_ || queue_.size() < depth_; });
        if (stopping_) break;
      }
      Result<columnar::BatchPtr> batch = read_();
      last = !batch.ok() || *batch == nullptr;
      std::lock_guard lock(mutex_);
      queue_.push_back(std::move(batch));
      changed_.notify_all();
    }
    std::lock_guard lock(mutex_);
    finished_ = true;
    changed_.notify_all();
  }

  std::function<Result<columnar::BatchPtr>()> read_;
  size_t depth_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Result<columnar::BatchPtr>> queue_;
  bool stopping_ = false;
  bool finished_ = false;  // the thread reads no more
  std::thread thread_;     // last: starts once the rest is set up
};

}  // namespace sluice::pipeline

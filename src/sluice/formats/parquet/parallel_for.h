// ParallelFor: runs fn(i) for i in [0, count) on up to `threads` threads, the caller being one of
// them; returns when every call has returned. Work is handed out one index at a time, so uneven
// columns balance themselves. Used to encode or decode the columns of a batch on both cores.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

namespace sluice::parquet {

template <typename Fn>
void ParallelFor(int threads, size_t count, Fn&& fn) {
  if (threads <= 1 || count <= 1) {
    for (size_t i = 0; i < count; ++i) fn(i);
    return;
  }
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next.fetch_add(1); i < count; i = next.fetch_add(1)) fn(i);
  };
  std::vector<std::thread> helpers;
  const size_t extra = std::min(static_cast<size_t>(threads - 1), count - 1);
  helpers.reserve(extra);
  for (size_t i = 0; i < extra; ++i) helpers.emplace_back(work);
  work();
  for (auto& helper : helpers) helper.join();
}

}  // namespace sluice::parquet

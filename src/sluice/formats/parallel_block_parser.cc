#include "sluice/formats/parallel_block_parser.h"

#include <algorithm>

namespace sluice::formats {

std::vector<size_t> SplitAtRecords(
    size_t begin, size_t end, size_t shares,
    const std::function<size_t(size_t from, size_t target, size_t end)>& next_record_start) {
  std::vector<size_t> bounds{begin};
  const size_t bytes = end - begin;
  for (size_t k = 1; k < shares; ++k) {
    const size_t target = begin + bytes * k / shares;
    const size_t from = bounds.back();
    const size_t cut = next_record_start(from, std::max(target, from), end);
    if (cut >= end) break;
    bounds.push_back(cut);
  }
  bounds.push_back(end);
  return bounds;
}

size_t SharesFor(size_t bytes, int threads, size_t block_bytes) {
  if (threads <= 1 || bytes < std::min(kMinParallelBlockBytes, block_bytes / 4)) return 1;
  return static_cast<size_t>(threads);
}

}  // namespace sluice::formats

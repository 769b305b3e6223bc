// ParallelBlockParser: parses one block of a text input (CSV, NDJSON) as several shares at once, on
// the process-wide ThreadPool, and says where the result can be trusted.
//
// A format derives from ParallelBlockParser<Share> and supplies the three things only it knows:
//   - NextRecordStart: where a record may start at or after a given offset (a CSV line break
//     outside quotes as far as quote parity can tell, an NDJSON line break). The guess may be
//     wrong — a quote or a multi-line value begun before the split point is invisible from it —
//     which is why the seams are verified.
//   - ParseShare: parses bytes [start, stop) into a Share (batches, rejects with share-relative
//     positions, counts, whatever the format needs to verify and deliver it). Called concurrently
//     for different shares of one block: it may only read the state it shares with them.
//   - SeamHolds: whether a parsed share joins the next one exactly at its end (CSV: the share's
//     last row ended where the next share began; NDJSON: the share had no line that failed to
//     parse, which a value crossing the seam would cause). Asked of every share, the last one
//     included (last = true).
// ParseBlock cuts [begin, end) into at most `threads` shares near equal sizes at the records the
// format finds, parses them on at most `threads` threads (the caller being one; threads <= 1 or a
// small block: one share, parsed inline), and returns them in input order with the number of
// leading shares whose seams held. What to do past the first broken seam is the format's choice
// (CSV parses the rest again from where the share really ended; NDJSON reads the rest with one
// reader); delivering the shares in order is the format's too.
//
// Thread-safety: ParseBlock is const and may run while the caller owns the block's bytes; the
// format's ParseShare must be safe to call from several threads at once.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "sluice/common/thread_pool.h"

namespace sluice::formats {

// Below min(kMinParallelBlockBytes, block_bytes / 4) bytes a block is one share: splitting it
// would cost more than it saves.
inline constexpr size_t kMinParallelBlockBytes = 1u << 20;

// Offsets that cut [begin, end) into at most `shares` pieces near equal sizes: the first is
// begin, the last end, and each other one next_record_start(from, target, end) for target the
// k-th equal share (never before the previous cut); a cut at or past `end` ends the list.
std::vector<size_t> SplitAtRecords(
    size_t begin, size_t end, size_t shares,
    const std::function<size_t(size_t from, size_t target, size_t end)>& next_record_start);

// How many shares a block of `bytes` is parsed as, when asked for `threads`.
size_t SharesFor(size_t bytes, int threads, size_t block_bytes);

template <typename Share>
class ParallelBlockParser {
 public:
  struct Block {
    std::vector<size_t> bounds;  // share k holds [bounds[k], bounds[k + 1])
    std::vector<Share> shares;   // in input order
    size_t held = 0;             // shares [0, held) passed SeamHolds; == shares.size() when all did
  };

  virtual ~ParallelBlockParser() = default;

  // Parses [begin, end) of the block; see the header comment.
  Block ParseBlock(size_t begin, size_t end, int threads, size_t block_bytes) const {
    Block block;
    block.bounds = SplitAtRecords(begin, end, SharesFor(end - begin, threads, block_bytes),
                                  [this](size_t from, size_t target, size_t limit) {
                                    return NextRecordStart(from, target, limit);
                                  });
    const size_t count = block.bounds.size() - 1;
    block.shares.resize(count);
    // A share's problems are in the Share itself, so the loop cannot fail.
    static_cast<void>(ThreadPool::Global().ForEach(count, threads, [&](size_t k) {
      block.shares[k] = ParseShare(block.bounds[k], block.bounds[k + 1], k + 1 == count);
      return Status::OK();
    }));
    block.held = count;
    for (size_t k = 0; k < count; ++k) {
      if (!SeamHolds(block.shares[k], block.bounds[k + 1], k + 1 == count)) {
        block.held = k;
        break;
      }
    }
    return block;
  }

 protected:
  // The start of the first record at or after `target` (from <= target <= end), judged from the
  // bytes [from, end); `end` when none starts before it.
  virtual size_t NextRecordStart(size_t from, size_t target, size_t end) const = 0;
  // Parses [start, stop); `last` is the block's last share (which may run past `stop`, e.g. into
  // an incomplete record the next block completes).
  virtual Share ParseShare(size_t start, size_t stop, bool last) const = 0;
  // True when `share`, parsed up to `stop`, joins the next share exactly there.
  virtual bool SeamHolds(const Share& share, size_t stop, bool last) const = 0;
};

}  // namespace sluice::formats

// ParallelNDJSONReader: reads NDJSON on several threads, giving exactly what one JSONReaderImpl
// would (JSONReader::Open uses it for threads > 1).
//
// The first block (big enough to hold the whole type sample) is read by one reader, which settles
// the columns. Each later block is cut at its last line break and parsed as shares cut at line
// breaks (ParallelBlockParser, on the process-wide pool); a JSONReaderImpl per share starts from
// the settled columns. A share's seam holds only when the share is "clean": no reject other than
// cast_error (a line that does not parse may be part of a value spanning the seam) and no new
// column (a new key must get the same column position and type as in a sequential read); a share
// that starts with '[' is not clean either. When a seam does not hold, and when the input is a
// top-level array, everything from that block on is read by one reader, so the output never
// depends on the thread count.
//
// Thread-safety: one caller at a time.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/formats/json/json_reader_impl.h"
#include "sluice/formats/parallel_block_parser.h"

namespace sluice::formats::json {

// What one reader made of one share of a block, kept until the block is accepted.
struct NDJSONShare {
  Status status;
  std::vector<BatchPtr> batches;
  std::vector<Reject> rejects;  // positions relative to the share
  std::vector<PresetColumn> columns;
  SchemaPtr initial_schema;
  int64_t records = 0;
  int64_t rows = 0;
  int64_t newlines = 0;  // line breaks in the share's text
  bool clean = true;
  bool sample_reached_end = false;
};

class ParallelNDJSONReader final : public JSONReader, private ParallelBlockParser<NDJSONShare> {
 public:
  ParallelNDJSONReader(std::unique_ptr<io::InputStream> input, JSONReadOptions options,
                       RejectTracker* rejects)
      : input_(std::move(input)), options_(std::move(options)), rejects_(rejects) {
    path_ = input_->path();
    threads_ = std::max(1, options_.common.threads);
    block_size_ = static_cast<size_t>(std::max<int64_t>(64, options_.common.block_bytes));
    options_.common.threads = 1;  // for the readers this one creates
  }

  // Reads the first block with one reader, which settles the columns.
  Status Init();

  // Like the sequential reader: the schema after the sample, then that of the last batch returned.
  SchemaPtr schema() const override { return schema_; }
  int64_t records_read() const override;

  Result<BatchPtr> Next() override;

 private:
  static bool StartsWithArray(std::string_view text);

  std::string_view Carry() const { return std::string_view(carry_.data(), carry_.size()); }

  Status ReadBlock();

  // Drops the first `bytes` of carry_, keeping the offset and line of what remains.
  void Consume(size_t bytes, int64_t newlines);

  // Reads `text` with one reader, from `preset` columns (or with a sample when null).
  NDJSONShare RunChunk(std::string_view text, const std::vector<PresetColumn>* preset) const;

  // Hands a share's rejects (moved to input positions: the share starts at `offset`, on `line`)
  // and batches on.
  Status Deliver(NDJSONShare& chunk, int64_t offset, int64_t line);

  // ParallelBlockParser over carry_: shares end at line breaks; a share holds when it is clean.
  size_t NextRecordStart(size_t from, size_t target, size_t end) const override;
  NDJSONShare ParseShare(size_t start, size_t stop, bool last) const override;
  bool SeamHolds(const NDJSONShare& share, size_t stop, bool last) const override {
    return share.status.ok() && share.clean;
  }

  // Reads the next block and delivers it, or hands the rest of the input to one reader.
  Status ProcessBlock();

  // Reads everything from carry_ on with one reader (starting from `preset` columns, or with a
  // sample when null), forwarding its rejects with their positions in the whole input.
  Status SwitchToStream(const std::vector<PresetColumn>* preset);

  // The whole input is read: apply the reject policy's fraction over all of it.
  Status FinishRead();

  std::unique_ptr<io::InputStream> input_;
  JSONReadOptions options_;
  RejectTracker* rejects_;
  std::string path_;
  int threads_ = 1;
  size_t block_size_ = 0;

  std::string carry_;         // input read but not yet parsed
  int64_t carry_offset_ = 0;  // input offset of carry_[0]
  int64_t carry_line_ = 1;    // 1-based line of carry_[0]
  bool eof_ = false;
  std::vector<PresetColumn> preset_;
  SchemaPtr schema_;

  std::deque<BatchPtr> ready_;
  int64_t records_ = 0;
  int64_t rows_ = 0;
  bool finished_ = false;

  std::unique_ptr<RejectTracker> stream_tracker_;
  std::unique_ptr<JSONReaderImpl> stream_;
};

}  // namespace sluice::formats::json

// RecordSplitter: turns JSON input into records (parsed values with their raw text, line and byte
// offset) and rejects, in input order, with bounded memory.
//
// Shape comes from the first non-blank byte after an optional UTF-8 BOM: `[` means top-level
// array(s) whose elements are records, anything else a sequence of values (NDJSON, or
// pretty-printed values one after another). See formats/json/README.md for how broken input is
// recovered from (every outcome is independent of read sizes).
//
// Thread-safety: one caller at a time.
#pragma once

#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "sluice/columnar/raw_bytes.h"
#include "sluice/common/result.h"
#include "sluice/formats/json/value_scan.h"
#include "sluice/formats/reject.h"
#include "sluice/io/input_stream.h"

namespace sluice::formats::json {

namespace dom = simdjson::dom;

// Reads start small (small files stay cheap) and double up to kMaxReadSize while they come back
// full.
inline constexpr size_t kFirstReadSize = 64 << 10;
inline constexpr size_t kMaxReadSize = 4 << 20;
// simdjson reads up to this many bytes past the end of a value; the buffers keep them allocated.
inline constexpr size_t kPadding = simdjson::SIMDJSON_PADDING;

class RecordSplitter {
 public:
  enum class Event { kRecord, kReject, kEnd };
  struct Record {
    dom::element value;     // valid until the next call to Next()
    std::string_view text;  // the record's raw text; valid until the next call to Next()
    int64_t line = 0;
    int64_t byte_offset = 0;
  };

  // `first_read_size`: the size of the first read (later reads double up to kMaxReadSize); a
  // caller that knows the input is small or already in memory can read it at once.
  RecordSplitter(io::InputStream* input, int64_t max_record_bytes, dom::parser* parser,
                 size_t first_read_size = kFirstReadSize)
      : input_(input),
        max_record_bytes_(static_cast<size_t>(std::max<int64_t>(max_record_bytes, 1))),
        parser_(parser),
        read_size_(std::clamp<size_t>(first_read_size, 1, kMaxReadSize)) {}

  Result<Event> Next(Record* record, Reject* reject) {
    while (true) {
      if (!queue_.empty()) {
        *reject = std::move(queue_.front());
        queue_.pop_front();
        return Event::kReject;
      }
      if (record_ready_) {
        record_ready_ = false;
        *record = record_;
        return Event::kRecord;
      }
      if (state_ == State::kEnd) {
        if (pending_) {
          FlushPending();
          continue;
        }
        return Event::kEnd;
      }
      SLUICE_RETURN_NOT_OK(Step());
    }
  }

 private:
  enum class State {
    kStart,
    kTopLevel,
    kArrayExpectElement,
    kArrayAfterElement,
    kAfterArray,
    kEnd
  };

  // Where a line ends, relative to pos_: `index` is its '\n' (or the end of the input).
  struct LineEnd {
    size_t index = 0;
    bool has_newline = false;
    bool too_long = false;  // no '\n' within max_record_bytes (index is then meaningless)
  };

  const char* data() const { return buffer_.data() + pos_; }
  size_t available() const { return end_ - pos_; }
  int64_t Absolute(size_t relative) const {
    return base_offset_ + static_cast<int64_t>(pos_ + relative);
  }

  Status Step();
  Status StepStart();

  // One top-level value of a value sequence (NDJSON or pretty-printed values). pos_ is at its
  // first byte, which is the first non-blank byte of its line.
  Status StepValue();

  // Inside a top-level array, between elements.
  Status StepArray();

  // One element of a top-level array; pos_ is at its first byte.
  Status StepElement();

  // Rejects an element longer than max_record_bytes. With a line break within the limit, only the
  // element's first line is rejected and reading goes on from the next; otherwise the whole element
  // is rejected and skipped without keeping it in memory. Only what lies within the limit decides,
  // so the outcome does not depend on read sizes.
  Status RejectLargeElement(ValueScan* scan, ValueScan::Status status);

  // An element that must end on its own line (see LineOnly()).
  Status StepElementOnItsLine();

  // Parses the element in [0, value_end) and emits it as a record, or as a reject when it does
  // not parse.
  void EmitParsedElement(size_t value_end);

  // Continues `scan` to the end of its element, dropping bytes as they are scanned.
  Status DiscardElement(ValueScan* scan);

  // After a top-level array's ']': the rest of the line must be blank.
  Status StepAfterArray();

  // Rejects the record at pos_ as longer than max_record_bytes (raw text cut) and skips to the end
  // of the line holding relative index `from`, without keeping the skipped bytes.
  Status RejectTooLarge(size_t from);

  // Values must end on their own line (no scan past it) inside a complete multi-line value that
  // did not parse, and after a second unterminated value inside the bytes an earlier one scanned:
  // this keeps recovery linear whatever the input.
  bool LineOnly() const { return Absolute(0) < line_only_until_; }

  // Where a scan that found no end counts as having reached: the end of the input, or for a value
  // past max_record_bytes the point where it passed the limit — not where the buffer happened to
  // end, so recovery does not depend on read sizes.
  int64_t ScannedUntil(const ValueScan& scan, bool too_large) const;

  // Records that the value at pos_ never ended; its scan covered input up to `range_end`.
  void NoteUnterminated(int64_t range_end);
  std::string TooLargeMessage() const;

  // Runs `scan` from pos_, reading more input as needed. Returns kNeedMore when the input ended
  // first, or (with *too_large set) when the value passed max_record_bytes.
  Result<ValueScan::Status> RunScan(ValueScan* scan, bool* too_large);

  // Finds the end of the line containing relative index `from`.
  Result<LineEnd> FindLineEnd(size_t from);

  // Moves pos_ to the next non-whitespace byte; false at the end of the input.
  Result<bool> SkipWhitespace();

  // Moves pos_ forward by `count` bytes, counting line breaks.
  void Advance(size_t count);

  // Moves past a line whose '\n' (if any) is at relative index line.index.
  void ConsumeLine(const LineEnd& line);
  // Moves past the end of a line that may start before pos_ (counting every break on the way).
  void Consume(const LineEnd& line) { Advance(line.index + (line.has_newline ? 1 : 0)); }

  // Makes more input available after end_, first moving the unconsumed bytes to the front.
  // Returns false at the end of the input. Relative indexes (from pos_) stay valid.
  Result<bool> Refill();

  // Parses [begin, begin + length) of what is available (simdjson's padding is kept after end_).
  simdjson::error_code Parse(size_t begin, size_t length, dom::element* value);
  // `end` moved back over trailing JSON whitespace (not before `begin`).
  size_t TrimmedEnd(size_t begin, size_t end) const;

  // 1-based column of relative index `index`, which must be on the line of pos_.
  int64_t ColumnOf(size_t index) const { return Absolute(index) - line_start_ + 1; }

  // A reject at the line of pos_, its raw text [begin, end) without the line break.
  Reject MakeReject(RejectKind kind, size_t begin, size_t end, std::string message,
                    int64_t column = 0) const;

  // Queues a reject. `region_end` >= 0 marks the first line of a complete multi-line value that
  // does not parse, whose following lines are read again on their own: rejects starting before
  // region_end (the rest of that value, e.g. a broken pretty-printed object) merge into this one
  // until a good record comes.
  void EmitReject(Reject reject, int64_t region_end = -1);
  // Queues the merged reject being built, if any.
  void FlushPending();
  // Makes the value at pos_ (its text ending at relative `end`) the next record.
  void EmitRecord(dom::element value, size_t end);

  io::InputStream* input_;
  size_t max_record_bytes_;
  dom::parser* parser_;

  columnar::RawBytes buffer_;  // grows without zero-filling
  size_t pos_ = 0;             // next unconsumed byte
  size_t end_ = 0;             // end of the bytes read
  size_t read_size_;
  bool eof_ = false;
  int64_t base_offset_ = 0;  // input offset of buffer_[0]
  int64_t line_ = 1;         // 1-based line of pos_
  int64_t line_start_ = 0;   // input offset where line_ starts

  State state_ = State::kStart;
  bool array_shape_ = false;
  bool first_element_ = true;
  bool eof_reported_ = false;
  int64_t line_only_until_ = 0;         // see LineOnly()
  int64_t unterminated_range_end_ = 0;  // end of the input scanned by unterminated values

  std::deque<Reject> queue_;
  std::optional<Reject> pending_;
  int64_t pending_region_end_ = 0;
  int64_t pending_extra_lines_ = 0;
  bool record_ready_ = false;
  Record record_;
};

}  // namespace sluice::formats::json

// ValueScan: finds where one JSON value ends without parsing it — a bracket counter that knows
// about strings and escapes. Resumable: Run() may be called again with more bytes. The record
// splitter uses it when a line does not parse on its own (a value spanning lines, or broken) and
// to cut the elements of a top-level array.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sluice::formats::json {

// "No such index".
inline constexpr size_t kNone = static_cast<size_t>(-1);

inline bool IsJsonWhitespace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
// Blank space within a line.
inline bool IsBlank(char c) { return c == ' ' || c == '\r' || c == '\t'; }

class ValueScan {
 public:
  enum class Mode : uint8_t {
    kContainer,  // a top-level object or array: ends when its bracket closes
    kString,     // a top-level string: ends at its closing quote
    kScalar,     // a top-level number/literal (or garbage): ends at whitespace or punctuation
    kElement,    // an element of a top-level array: ends before ',' or ']' at depth 0
  };
  enum class Status : uint8_t {
    kComplete,    // offset() is the end of the value (kElement: the index of ',' or ']')
    kNeedMore,    // every available byte was consumed
    kRawNewline,  // a line break inside a string; offset() is its index
  };

  // The mode for a top-level value starting with `first`.
  static Mode ModeFor(char first);

  explicit ValueScan(Mode mode) : mode_(mode) {}

  Mode mode() const { return mode_; }
  size_t offset() const { return offset_; }
  // Index of the first line break seen outside strings, or kNone.
  size_t first_newline() const { return first_newline_; }
  // True when everything scanned so far is balanced and outside strings.
  bool balanced() const { return depth_ == 0 && !in_string_; }

  // Forgets the first `count` bytes (the caller discarded them); the scan state is kept.
  void Discard(size_t count);

  // `data` starts at the value's first byte; `size` bytes are available.
  Status Run(const char* data, size_t size);

 private:
  Status Stop(size_t offset, Status status);

  Mode mode_;
  bool started_ = false;
  bool in_string_ = false;
  bool escape_ = false;
  int64_t depth_ = 0;
  size_t offset_ = 0;
  size_t first_newline_ = kNone;
};

}  // namespace sluice::formats::json

#include "sluice/formats/json/json_reader.h"

#include <simdjson.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/raw_bytes.h"
#include "sluice/columnar/value_formatter.h"
#include "sluice/formats/text_type_inference.h"
#include "sluice/io/input_stream.h"

namespace sluice::formats {
namespace {

namespace dom = simdjson::dom;
using columnar::BatchPtr;
using columnar::DataType;
using columnar::SchemaPtr;
using columnar::TypeId;

// Reads start small (small files stay cheap) and double up to kMaxReadSize while they come back
// full.
constexpr size_t kFirstReadSize = 64 << 10;
constexpr size_t kMaxReadSize = 4 << 20;
// simdjson reads up to this many bytes past the end of a value; the buffers keep them allocated.
constexpr size_t kPadding = simdjson::SIMDJSON_PADDING;
// A batch ends at kMaxBatchRows rows, or earlier once it holds this much record text or this many
// cells (rows × columns), so wide or bulky records keep batches small.
constexpr int64_t kBatchTextBytes = 16 << 20;
constexpr int64_t kBatchCells = 4 << 20;
// Columns a reader may create; a record that would add more is rejected (protects memory from
// objects used as maps with millions of distinct keys).
constexpr size_t kMaxColumns = 10000;
// The type-inference sample also stops once it holds this much record text.
constexpr size_t kMaxSampleTextBytes = 64 << 20;
constexpr size_t kNone = static_cast<size_t>(-1);

inline bool IsJsonWhitespace(char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; }
inline bool IsBlank(char c) { return c == ' ' || c == '\r' || c == '\t'; }

RejectKind KindForError(simdjson::error_code error) {
  return error == simdjson::UTF8_ERROR ? RejectKind::kInvalidUtf8 : RejectKind::kMalformedJson;
}

std::string ParseErrorMessage(simdjson::error_code error) {
  return std::string("malformed JSON: ") + simdjson::error_message(error);
}

// ---------------------------------------------------------------------------------------------
// JSON text of parsed values (arrays kept as text, scalars rendered into string columns).

void AppendJsonDouble(double value, std::string* out) {
  const size_t start = out->size();
  columnar::AppendDouble(value, out);
  // "1" for 1.0: keep the value a JSON float so the text says what the input said.
  for (size_t i = start; i < out->size(); ++i) {
    const char c = (*out)[i];
    if (c != '-' && (c < '0' || c > '9')) return;
  }
  out->append(".0");
}

template <typename Integer>
void AppendInteger(Integer value, std::string* out) {
  char digits[24];
  auto result = std::to_chars(digits, digits + sizeof(digits), value);
  out->append(digits, result.ptr);
}

// Compact JSON text of `element` (no whitespace; strings re-escaped; numbers in shortest form).
void AppendJsonText(dom::element element, std::string* out) {
  switch (element.type()) {
    case dom::element_type::ARRAY: {
      out->push_back('[');
      bool first = true;
      const dom::array array = element.get_array().value_unsafe();
      for (dom::element child : array) {
        if (!first) out->push_back(',');
        first = false;
        AppendJsonText(child, out);
      }
      out->push_back(']');
      return;
    }
    case dom::element_type::OBJECT: {
      out->push_back('{');
      bool first = true;
      const dom::object object = element.get_object().value_unsafe();
      for (dom::key_value_pair field : object) {
        if (!first) out->push_back(',');
        first = false;
        columnar::AppendJsonString(field.key, out);
        out->push_back(':');
        AppendJsonText(field.value, out);
      }
      out->push_back('}');
      return;
    }
    case dom::element_type::INT64:
      AppendInteger(element.get_int64().value_unsafe(), out);
      return;
    case dom::element_type::UINT64:
      AppendInteger(element.get_uint64().value_unsafe(), out);
      return;
    case dom::element_type::DOUBLE:
      AppendJsonDouble(element.get_double().value_unsafe(), out);
      return;
    case dom::element_type::STRING:
      columnar::AppendJsonString(element.get_string().value_unsafe(), out);
      return;
    case dom::element_type::BOOL:
      out->append(element.get_bool().value_unsafe() ? "true" : "false");
      return;
    case dom::element_type::NULL_VALUE:
      out->append("null");
      return;
  }
}

// A set of bytes, for scanning loops.
struct ByteSet {
  bool entries[256] = {};
  constexpr explicit ByteSet(std::string_view chars) {
    for (char c : chars) entries[static_cast<unsigned char>(c)] = true;
  }
  constexpr bool operator[](unsigned char c) const { return entries[c]; }
};
// Bytes that end a run of ordinary string content.
constexpr ByteSet kStringStop{"\"\\\n"};
// Bytes that end a top-level number or literal.
constexpr ByteSet kScalarStop{" \t\r\n,:[]{}\""};

// ---------------------------------------------------------------------------------------------
// ValueScan: finds where one JSON value ends without parsing it — a bracket counter that knows
// about strings and escapes. Resumable: Run() may be called again with more bytes.

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
  static Mode ModeFor(char first) {
    if (first == '{' || first == '[') return Mode::kContainer;
    if (first == '"') return Mode::kString;
    return Mode::kScalar;
  }

  explicit ValueScan(Mode mode) : mode_(mode) {}

  Mode mode() const { return mode_; }
  size_t offset() const { return offset_; }
  // Index of the first line break seen outside strings, or kNone.
  size_t first_newline() const { return first_newline_; }
  // True when everything scanned so far is balanced and outside strings.
  bool balanced() const { return depth_ == 0 && !in_string_; }

  // Forgets the first `count` bytes (the caller discarded them); the scan state is kept.
  void Discard(size_t count) {
    offset_ -= count;
    first_newline_ = kNone;
  }

  // `data` starts at the value's first byte; `size` bytes are available.
  Status Run(const char* data, size_t size) {
    size_t i = offset_;
    if (!started_ && size > 0) {
      started_ = true;
      switch (mode_) {
        case Mode::kContainer:
          depth_ = 1;
          i = 1;
          break;
        case Mode::kString:
          in_string_ = true;
          i = 1;
          break;
        case Mode::kScalar:
          i = 1;
          break;
        case Mode::kElement:
          break;
      }
    }
    while (i < size) {
      if (in_string_) {
        if (escape_) {
          escape_ = false;
          if (data[i] == '\n') return Stop(i, Status::kRawNewline);
          ++i;
          continue;
        }
        while (i < size && !kStringStop[static_cast<unsigned char>(data[i])]) ++i;
        if (i == size) break;
        const char c = data[i];
        if (c == '\n') return Stop(i, Status::kRawNewline);
        ++i;
        if (c == '\\') {
          escape_ = true;
        } else {  // closing quote
          in_string_ = false;
          if (mode_ == Mode::kString) return Stop(i, Status::kComplete);
        }
        continue;
      }
      const char c = data[i];
      if (mode_ == Mode::kScalar) {
        if (kScalarStop[static_cast<unsigned char>(c)]) return Stop(i, Status::kComplete);
        ++i;
        continue;
      }
      switch (c) {
        case '"':
          in_string_ = true;
          break;
        case '{':
        case '[':
          ++depth_;
          break;
        case '}':
        case ']':
          if (depth_ == 0) {
            // Only kElement runs at depth 0: ']' closes the top-level array, a stray '}' is left
            // to the parser to reject.
            if (c == ']') return Stop(i, Status::kComplete);
          } else if (--depth_ == 0 && mode_ == Mode::kContainer) {
            return Stop(i + 1, Status::kComplete);
          }
          break;
        case ',':
          if (depth_ == 0 && mode_ == Mode::kElement) return Stop(i, Status::kComplete);
          break;
        case '\n':
          if (first_newline_ == kNone) first_newline_ = i;
          break;
        default:
          break;
      }
      ++i;
    }
    offset_ = i;
    return Status::kNeedMore;
  }

 private:
  Status Stop(size_t offset, Status status) {
    offset_ = offset;
    return status;
  }

  Mode mode_;
  bool started_ = false;
  bool in_string_ = false;
  bool escape_ = false;
  int64_t depth_ = 0;
  size_t offset_ = 0;
  size_t first_newline_ = kNone;
};

// ---------------------------------------------------------------------------------------------
// RecordSplitter: turns the input into records (parsed values with their text and position) and
// rejects, in input order, with bounded memory.

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

  Status Step() {
    switch (state_) {
      case State::kStart:
        return StepStart();
      case State::kTopLevel: {
        SLUICE_ASSIGN_OR_RETURN(bool any, SkipWhitespace());
        if (!any) {
          state_ = State::kEnd;
          return Status::OK();
        }
        if (array_shape_ && data()[0] == '[') {
          Advance(1);
          state_ = State::kArrayExpectElement;
          first_element_ = true;
          return Status::OK();
        }
        return StepValue();
      }
      case State::kArrayExpectElement:
      case State::kArrayAfterElement:
        return StepArray();
      case State::kAfterArray:
        return StepAfterArray();
      case State::kEnd:
        return Status::OK();
    }
    return Status::OK();
  }

  Status StepStart() {
    while (available() < 3) {
      SLUICE_ASSIGN_OR_RETURN(bool more, Refill());
      if (!more) break;
    }
    if (available() >= 3 && std::memcmp(data(), "\xEF\xBB\xBF", 3) == 0) {
      pos_ += 3;
      line_start_ = 3;
    }
    SLUICE_ASSIGN_OR_RETURN(bool any, SkipWhitespace());
    if (!any) {
      state_ = State::kEnd;
      return Status::OK();
    }
    array_shape_ = data()[0] == '[';
    state_ = State::kTopLevel;
    return Status::OK();
  }

  // One top-level value of a value sequence (NDJSON or pretty-printed values). pos_ is at its
  // first byte, which is the first non-blank byte of its line.
  Status StepValue() {
    SLUICE_ASSIGN_OR_RETURN(LineEnd line, FindLineEnd(0));
    if (line.too_long) return RejectTooLarge(0);

    // Fast path: the line is exactly one JSON value (NDJSON).
    dom::element value;
    simdjson::error_code error = Parse(0, line.index, &value);
    if (!error) {
      EmitRecord(value, TrimmedEnd(0, line.index));
      ConsumeLine(line);
      return Status::OK();
    }

    if (LineOnly()) {
      EmitReject(MakeReject(KindForError(error), 0, line.index, ParseErrorMessage(error)));
      ConsumeLine(line);
      return Status::OK();
    }

    // Slow path: find where the value ends (it may span lines).
    ValueScan scan(ValueScan::ModeFor(data()[0]));
    bool too_large = false;
    SLUICE_ASSIGN_OR_RETURN(ValueScan::Status status, RunScan(&scan, &too_large));
    if (status == ValueScan::Status::kComplete) {
      const size_t value_end = scan.offset();
      if (value_end <= line.index) {
        // The value ends on its first line, so the line holds something else too (or the value
        // itself is broken).
        size_t garbage = value_end;
        while (garbage < line.index && IsBlank(data()[garbage])) ++garbage;
        dom::element alone;
        if (garbage < line.index && !Parse(0, value_end, &alone)) {
          EmitReject(MakeReject(RejectKind::kMalformedJson, 0, line.index,
                                "trailing content after the JSON value", ColumnOf(garbage)));
        } else {
          EmitReject(MakeReject(KindForError(error), 0, line.index, ParseErrorMessage(error)));
        }
        ConsumeLine(line);
        return Status::OK();
      }
      if (value_end > max_record_bytes_) {
        // Too long, though it happens to be in the buffer already: the same outcome as when it
        // is not (reject its first line, read on from the next), whatever the read sizes.
        NoteUnterminated(ScannedUntil(scan, true));
        EmitReject(MakeReject(RejectKind::kRecordTooLarge, 0, line.index, TooLargeMessage()));
        ConsumeLine(line);
        return Status::OK();
      }
      // A value spanning lines: parse it whole, then check the rest of its last line.
      error = Parse(0, value_end, &value);
      SLUICE_ASSIGN_OR_RETURN(LineEnd tail, FindLineEnd(value_end));
      size_t garbage = value_end;
      const size_t tail_end = tail.too_long ? available() : tail.index;
      while (garbage < tail_end && IsBlank(data()[garbage])) ++garbage;
      if (!error && garbage == tail_end && !tail.too_long) {
        EmitRecord(value, value_end);
        Consume(tail);
        return Status::OK();
      }
      if (!error) {
        if (tail.too_long) return RejectTooLarge(value_end);
        EmitReject(MakeReject(RejectKind::kMalformedJson, 0, tail.index,
                              "trailing content after the JSON value (which starts at line " +
                                  std::to_string(line_) + ")"));
        Consume(tail);
        return Status::OK();
      }
      // It does not parse: reject its first line and read the following lines of the value again,
      // each on its own, so good NDJSON lines after a broken one are kept.
      EmitReject(MakeReject(KindForError(error), 0, line.index,
                            ParseErrorMessage(error) + " (in a value spanning several lines)"),
                 Absolute(value_end));
      line_only_until_ = std::max(line_only_until_, Absolute(value_end));
      ConsumeLine(line);
      return Status::OK();
    }
    if (status == ValueScan::Status::kRawNewline && scan.offset() > max_record_bytes_) {
      too_large = true;  // as when the scan stops at the limit (small reads): see below
    } else if (status == ValueScan::Status::kRawNewline) {
      const size_t newline = scan.offset();
      EmitReject(MakeReject(RejectKind::kMalformedJson, 0, line.index,
                            newline == line.index
                                ? "unterminated string (a line break inside a string)"
                                : "a line break inside a string in a value spanning lines"));
      ConsumeLine(line);
      return Status::OK();
    }
    // No end found: the input ended, or the value is longer than max_record_bytes.
    NoteUnterminated(ScannedUntil(scan, too_large));
    if (too_large) {
      EmitReject(MakeReject(RejectKind::kRecordTooLarge, 0, line.index, TooLargeMessage()));
    } else {
      EmitReject(MakeReject(RejectKind::kMalformedJson, 0, line.index,
                            line.has_newline
                                ? "JSON value that never closes (unbalanced brackets or quotes); "
                                  "reading resumes on the next line"
                                : "unterminated JSON value at the end of the input"));
    }
    ConsumeLine(line);
    return Status::OK();
  }

  // Inside a top-level array, between elements.
  Status StepArray() {
    SLUICE_ASSIGN_OR_RETURN(bool any, SkipWhitespace());
    if (!any) {
      if (!eof_reported_) {
        EmitReject(MakeReject(RejectKind::kMalformedJson, 0, 0,
                              "unterminated top-level array: the input ends before ']'"));
      }
      state_ = State::kEnd;
      return Status::OK();
    }
    const char c = data()[0];
    if (state_ == State::kArrayExpectElement) {
      if (c == ']') {
        if (!first_element_) {
          EmitReject(MakeReject(RejectKind::kMalformedJson, 0, 1, "trailing comma before ']'",
                                ColumnOf(0)));
        }
        Advance(1);
        state_ = State::kAfterArray;
        return Status::OK();
      }
      if (c == ',') {
        EmitReject(
            MakeReject(RejectKind::kMalformedJson, 0, 1, "missing value before ','", ColumnOf(0)));
        Advance(1);
        first_element_ = false;
        return Status::OK();
      }
    } else {
      if (c == ',') {
        Advance(1);
        state_ = State::kArrayExpectElement;
        first_element_ = false;
        return Status::OK();
      }
      if (c == ']') {
        Advance(1);
        state_ = State::kAfterArray;
        return Status::OK();
      }
      // Resynchronizing after a broken element: what follows is taken as the next element.
    }
    return StepElement();
  }

  // One element of a top-level array; pos_ is at its first byte.
  Status StepElement() {
    if (LineOnly()) return StepElementOnItsLine();
    ValueScan scan(ValueScan::Mode::kElement);
    bool too_large = false;
    SLUICE_ASSIGN_OR_RETURN(ValueScan::Status status, RunScan(&scan, &too_large));
    state_ = State::kArrayAfterElement;
    // An element whose end (or a line break inside a string) lies past max_record_bytes is too
    // large however the input arrived; the scan stops there when reading in small pieces.
    if (status != ValueScan::Status::kNeedMore && scan.offset() > max_record_bytes_) {
      too_large = true;
    }
    if (too_large) return RejectLargeElement(&scan, status);
    if (status == ValueScan::Status::kComplete) {
      const size_t terminator = scan.offset();
      EmitParsedElement(TrimmedEnd(0, terminator));
      Advance(terminator);
      return Status::OK();
    }
    if (status == ValueScan::Status::kRawNewline) {
      EmitReject(MakeReject(RejectKind::kMalformedJson, 0, scan.offset(),
                            "unterminated string (a line break inside a string)"));
      Advance(scan.offset() + 1);
      return Status::OK();
    }
    // The input ends inside the element.
    const size_t first_newline = scan.first_newline();
    if (first_newline != kNone) NoteUnterminated(ScannedUntil(scan, false));
    eof_reported_ = true;
    if (first_newline == kNone) {
      EmitReject(MakeReject(RejectKind::kMalformedJson, 0, available(),
                            "unterminated top-level array: the input ends inside an element"));
      Advance(available());
      return Status::OK();
    }
    EmitReject(MakeReject(RejectKind::kMalformedJson, 0, first_newline,
                          "unterminated top-level array: the input ends inside an element"));
    Advance(first_newline + 1);
    return Status::OK();
  }

  // Rejects an element longer than max_record_bytes. With a line break within the limit, only the
  // element's first line is rejected and reading goes on from the next; otherwise the whole element
  // is rejected and skipped without keeping it in memory. Only what lies within the limit decides,
  // so the outcome does not depend on read sizes.
  Status RejectLargeElement(ValueScan* scan, ValueScan::Status status) {
    const size_t first_newline = scan->first_newline();
    if (first_newline != kNone && first_newline <= max_record_bytes_) {
      NoteUnterminated(ScannedUntil(*scan, true));
      EmitReject(MakeReject(RejectKind::kRecordTooLarge, 0, first_newline, TooLargeMessage()));
      Advance(first_newline + 1);
      return Status::OK();
    }
    EmitReject(MakeReject(RejectKind::kRecordTooLarge, 0,
                          std::min(available(), max_record_bytes_ + 1), TooLargeMessage()));
    switch (status) {
      case ValueScan::Status::kComplete:
        Advance(scan->offset());
        return Status::OK();
      case ValueScan::Status::kRawNewline:
        Advance(scan->offset() + 1);
        return Status::OK();
      default:
        return DiscardElement(scan);
    }
  }

  // An element that must end on its own line (see LineOnly()).
  Status StepElementOnItsLine() {
    SLUICE_ASSIGN_OR_RETURN(LineEnd line, FindLineEnd(0));
    state_ = State::kArrayAfterElement;
    if (line.too_long) return RejectTooLarge(0);
    ValueScan scan(ValueScan::Mode::kElement);
    const ValueScan::Status status = scan.Run(data(), line.index);
    size_t end = line.index;  // the element runs to the end of its line...
    if (status == ValueScan::Status::kComplete) {
      end = scan.offset();  // ...or to its ',' or ']'
    } else if (!scan.balanced()) {
      EmitReject(MakeReject(RejectKind::kMalformedJson, 0, line.index,
                            "array element does not end on its line (read line by line after an "
                            "unterminated value)"));
      ConsumeLine(line);
      return Status::OK();
    }
    const size_t value_end = TrimmedEnd(0, end);
    EmitParsedElement(value_end);
    Advance(end);
    return Status::OK();
  }

  // Parses the element in [0, value_end) and emits it as a record, or as a reject when it does
  // not parse.
  void EmitParsedElement(size_t value_end) {
    dom::element value;
    const simdjson::error_code error = Parse(0, value_end, &value);
    if (!error) {
      EmitRecord(value, value_end);
    } else {
      EmitReject(MakeReject(KindForError(error), 0, value_end, ParseErrorMessage(error)));
    }
  }

  // Continues `scan` to the end of its element, dropping bytes as they are scanned.
  Status DiscardElement(ValueScan* scan) {
    while (true) {
      const size_t scanned = scan->offset();
      Advance(scanned);
      scan->Discard(scanned);
      SLUICE_ASSIGN_OR_RETURN(bool more, Refill());
      if (!more) {
        eof_reported_ = true;
        return Status::OK();
      }
      const ValueScan::Status status = scan->Run(data(), available());
      if (status == ValueScan::Status::kComplete) {
        Advance(scan->offset());
        return Status::OK();
      }
      if (status == ValueScan::Status::kRawNewline) {
        Advance(scan->offset() + 1);
        return Status::OK();
      }
    }
  }

  // After a top-level array's ']': the rest of the line must be blank.
  Status StepAfterArray() {
    while (true) {
      size_t i = 0;
      while (i < available() && IsBlank(data()[i])) ++i;
      if (i < available()) {
        if (data()[i] == '\n') {
          Advance(i + 1);
        } else {
          Advance(i);
          SLUICE_ASSIGN_OR_RETURN(LineEnd line, FindLineEnd(0));
          if (line.too_long) {
            state_ = State::kTopLevel;
            return RejectTooLarge(0);
          }
          EmitReject(MakeReject(RejectKind::kMalformedJson, 0, line.index,
                                "trailing content after the top-level array", ColumnOf(0)));
          ConsumeLine(line);
        }
        state_ = State::kTopLevel;
        return Status::OK();
      }
      Advance(i);
      SLUICE_ASSIGN_OR_RETURN(bool more, Refill());
      if (!more) {
        state_ = State::kEnd;
        return Status::OK();
      }
    }
  }

  // Rejects the record at pos_ as longer than max_record_bytes (raw text cut) and skips to the end
  // of the line holding relative index `from`, without keeping the skipped bytes.
  Status RejectTooLarge(size_t from) {
    EmitReject(MakeReject(RejectKind::kRecordTooLarge, 0, available(), TooLargeMessage()));
    Advance(from);
    while (true) {
      const void* newline = std::memchr(data(), '\n', available());
      if (newline != nullptr) {
        const size_t index = static_cast<size_t>(static_cast<const char*>(newline) - data());
        Advance(index + 1);
        return Status::OK();
      }
      Advance(available());
      SLUICE_ASSIGN_OR_RETURN(bool more, Refill());
      if (!more) return Status::OK();
    }
  }

  // Values must end on their own line (no scan past it) inside a complete multi-line value that
  // did not parse, and after a second unterminated value inside the bytes an earlier one scanned:
  // this keeps recovery linear whatever the input.
  bool LineOnly() const { return Absolute(0) < line_only_until_; }

  // Where a scan that found no end counts as having reached: the end of the input, or for a value
  // past max_record_bytes the point where it passed the limit — not where the buffer happened to
  // end, so recovery does not depend on read sizes.
  int64_t ScannedUntil(const ValueScan& scan, bool too_large) const {
    const size_t offset =
        too_large ? std::min(scan.offset(), max_record_bytes_ + 1) : scan.offset();
    return Absolute(offset);
  }

  // Records that the value at pos_ never ended; its scan covered input up to `range_end`.
  void NoteUnterminated(int64_t range_end) {
    if (Absolute(0) < unterminated_range_end_) {
      line_only_until_ = std::max(line_only_until_, range_end);
    }
    unterminated_range_end_ = std::max(unterminated_range_end_, range_end);
  }

  std::string TooLargeMessage() const {
    return "record longer than max_record_bytes (" + std::to_string(max_record_bytes_) +
           " bytes), or a value that never ends";
  }

  // Runs `scan` from pos_, reading more input as needed. Returns kNeedMore when the input ended
  // first, or (with *too_large set) when the value passed max_record_bytes.
  Result<ValueScan::Status> RunScan(ValueScan* scan, bool* too_large) {
    while (true) {
      const ValueScan::Status status = scan->Run(data(), available());
      if (status != ValueScan::Status::kNeedMore) return status;
      if (scan->offset() > max_record_bytes_) {
        *too_large = true;
        return status;
      }
      SLUICE_ASSIGN_OR_RETURN(bool more, Refill());
      if (!more) {
        // A number or literal may end at the end of the input; nothing else may.
        if (scan->mode() == ValueScan::Mode::kScalar) return ValueScan::Status::kComplete;
        return status;
      }
    }
  }

  // Finds the end of the line containing relative index `from`.
  Result<LineEnd> FindLineEnd(size_t from) {
    size_t searched = from;
    while (true) {
      const void* newline = std::memchr(data() + searched, '\n', available() - searched);
      if (newline != nullptr) {
        LineEnd line;
        line.index = static_cast<size_t>(static_cast<const char*>(newline) - data());
        line.has_newline = true;
        line.too_long = line.index - from > max_record_bytes_;
        return line;
      }
      searched = available();
      if (searched - from > max_record_bytes_) {
        LineEnd line;
        line.too_long = true;
        return line;
      }
      SLUICE_ASSIGN_OR_RETURN(bool more, Refill());
      if (!more) {
        LineEnd line;
        line.index = available();
        return line;
      }
    }
  }

  // Moves pos_ to the next non-whitespace byte; false at the end of the input.
  Result<bool> SkipWhitespace() {
    while (true) {
      size_t i = 0;
      const size_t size = available();
      const char* bytes = data();
      while (i < size && IsJsonWhitespace(bytes[i])) ++i;
      Advance(i);
      if (available() > 0) return true;
      SLUICE_ASSIGN_OR_RETURN(bool more, Refill());
      if (!more) return false;
    }
  }

  // Moves pos_ forward by `count` bytes, counting line breaks.
  void Advance(size_t count) {
    const char* begin = data();
    const char* end = begin + count;
    for (const char* p = begin; p < end;) {
      const void* newline = std::memchr(p, '\n', static_cast<size_t>(end - p));
      if (newline == nullptr) break;
      p = static_cast<const char*>(newline) + 1;
      ++line_;
      line_start_ = base_offset_ + (p - buffer_.data());
    }
    pos_ += count;
  }

  // Moves past a line whose '\n' (if any) is at relative index line.index.
  void ConsumeLine(const LineEnd& line) {
    pos_ += line.index;
    if (line.has_newline) {
      ++pos_;
      ++line_;
      line_start_ = Absolute(0);
    }
  }
  // Moves past the end of a line that may start before pos_ (counting every break on the way).
  void Consume(const LineEnd& line) { Advance(line.index + (line.has_newline ? 1 : 0)); }

  // Makes more input available after end_, first moving the unconsumed bytes to the front.
  // Returns false at the end of the input. Relative indexes (from pos_) stay valid.
  Result<bool> Refill() {
    if (eof_) return false;
    if (pos_ > 0) {
      std::memmove(buffer_.data(), buffer_.data() + pos_, end_ - pos_);
      base_offset_ += static_cast<int64_t>(pos_);
      end_ -= pos_;
      pos_ = 0;
    }
    const size_t needed = end_ + read_size_ + kPadding;
    if (buffer_.size() < needed) buffer_.resize(needed);
    SLUICE_ASSIGN_OR_RETURN(size_t count, input_->Read(buffer_.data() + end_, read_size_));
    // Larger reads only for a stream that keeps filling them (a big file, not a trickle).
    if (count == read_size_ && read_size_ < kMaxReadSize) read_size_ *= 2;
    if (count == 0) {
      eof_ = true;
      return false;
    }
    end_ += count;
    return true;
  }

  simdjson::error_code Parse(size_t begin, size_t length, dom::element* value) {
    // The buffer always keeps kPadding bytes after end_, as simdjson requires.
    return parser_->parse(data() + begin, length, false).get(*value);
  }

  size_t TrimmedEnd(size_t begin, size_t end) const {
    while (end > begin && IsJsonWhitespace(data()[end - 1])) --end;
    return end;
  }

  // 1-based column of relative index `index`, which must be on the line of pos_.
  int64_t ColumnOf(size_t index) const { return Absolute(index) - line_start_ + 1; }

  Reject MakeReject(RejectKind kind, size_t begin, size_t end, std::string message,
                    int64_t column = 0) const {
    Reject reject;
    reject.file = input_->path();
    reject.line = line_;
    reject.byte_offset = Absolute(begin);
    reject.column = column;
    reject.kind = kind;
    reject.message = std::move(message);
    end = std::min(end, available());
    while (end > begin && (data()[end - 1] == '\n' || data()[end - 1] == '\r')) --end;
    reject.raw.assign(data() + begin, std::min(end - begin, Reject::kMaxRawBytes));
    return reject;
  }

  // Queues a reject. `region_end` >= 0 marks the first line of a complete multi-line value that
  // does not parse, whose following lines are read again on their own: rejects starting before
  // region_end (the rest of that value, e.g. a broken pretty-printed object) merge into this one
  // until a good record comes.
  void EmitReject(Reject reject, int64_t region_end = -1) {
    if (pending_ && reject.byte_offset < pending_region_end_) {
      if (pending_->raw.size() < Reject::kMaxRawBytes) {
        pending_->raw += '\n';
        pending_->raw += reject.raw;
        if (pending_->raw.size() > Reject::kMaxRawBytes) pending_->raw.resize(Reject::kMaxRawBytes);
      }
      ++pending_extra_lines_;
      pending_region_end_ = std::max(pending_region_end_, region_end);
      return;
    }
    FlushPending();
    if (region_end >= 0) {
      pending_ = std::move(reject);
      pending_region_end_ = region_end;
      pending_extra_lines_ = 0;
      return;
    }
    queue_.push_back(std::move(reject));
  }

  void FlushPending() {
    if (!pending_) return;
    if (pending_extra_lines_ > 0) {
      pending_->message += "; the next " + std::to_string(pending_extra_lines_) +
                           " piece(s) of it did not parse on their own either";
    }
    queue_.push_back(std::move(*pending_));
    pending_.reset();
  }

  void EmitRecord(dom::element value, size_t end) {
    FlushPending();
    record_.value = value;
    record_.text = std::string_view(data(), end);
    record_.line = line_;
    record_.byte_offset = Absolute(0);
    record_ready_ = true;
  }

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

// ---------------------------------------------------------------------------------------------
// The reader: flattens records into columns, infers types over a sample, builds batches.

struct NameHash {
  using is_transparent = void;
  size_t operator()(std::string_view name) const { return std::hash<std::string_view>{}(name); }
};

// Kinds of JSON values seen in a column during the sample.
enum KindBit : uint32_t {
  kSeenNull = 1u << 0,  // null, or a string equal to a null token
  kSeenBool = 1u << 1,
  kSeenInt = 1u << 2,    // an integer that fits int64
  kSeenFloat = 1u << 3,  // any other number
  kSeenString = 1u << 4,
  kSeenArray = 1u << 5,
};

constexpr uint32_t kNoColumn = static_cast<uint32_t>(-1);

struct ColumnState {
  std::string name;
  formats::TextColumnType type;  // type.type is the column's DataType
  bool explicit_type = false;
  // Inference, during the sample only.
  uint32_t kinds = 0;
  TextTypeInference strings;
  // Building.
  std::unique_ptr<columnar::ColumnBuilder> builder;
  uint64_t stamp = 0;              // the record that last set this column
  uint32_t slot = 0;               // its index in values_ for that record
  uint32_t next_hint = kNoColumn;  // the column that followed this one in the last record
};

struct FieldValue {
  uint32_t column;
  dom::element value;
};

// A sample record kept until the types are known, or a reject met while sampling.
struct SampleItem {
  std::optional<Reject> reject;
  size_t text_begin = 0;
  size_t text_size = 0;
  int64_t line = 0;
  int64_t byte_offset = 0;
};

// A column as a reader has settled it: the state a reader of a later part of the same input
// starts from (see ParallelNDJSONReader).
struct PresetColumn {
  std::string name;
  TextColumnType type;
  bool explicit_type = false;
};

class JSONReaderImpl final : public JSONReader {
 public:
  JSONReaderImpl(std::unique_ptr<io::InputStream> input, JSONReadOptions options,
                 RejectTracker* rejects, size_t first_read_size = kFirstReadSize)
      : input_(std::move(input)),
        options_(std::move(options)),
        rejects_(rejects),
        splitter_(input_.get(), options_.common.max_record_bytes, &parser_, first_read_size) {
    null_is_empty_only_ =
        options_.common.null_values.size() == 1 && options_.common.null_values[0].empty();
  }

  Status Init() {
    rejects_before_ = rejects_->count();
    for (const auto& [name, type] : options_.common.column_types) {
      explicit_types_.emplace(name, type);
    }
    SLUICE_RETURN_NOT_OK(ReadSample());
    InferTypes();
    return Status::OK();
  }

  // Starts without a sample, with the columns (in order, with their types) another reader of the
  // same input settled on; new keys still add columns as after a sample.
  Status InitWithColumns(const std::vector<PresetColumn>& columns) {
    rejects_before_ = rejects_->count();
    for (const auto& [name, type] : options_.common.column_types) {
      explicit_types_.emplace(name, type);
    }
    for (const PresetColumn& preset : columns) {
      const uint32_t index = AddColumn(preset.name);
      ColumnState& column = columns_[index];
      column.type = preset.type;
      column.explicit_type = preset.explicit_type;
      column.builder = columnar::MakeBuilder(column.type.type);
    }
    schema_dirty_ = true;
    UpdateSchema();
    return Status::OK();
  }

  std::vector<PresetColumn> Columns() const {
    std::vector<PresetColumn> out;
    out.reserve(columns_.size());
    for (const ColumnState& column : columns_) {
      out.push_back(PresetColumn{column.name, column.type, column.explicit_type});
    }
    return out;
  }

  // True when the sample stopped because the input ended (a longer input might infer otherwise).
  bool sample_reached_end() const { return sample_reached_end_; }

  SchemaPtr schema() const override { return schema_; }
  int64_t records_read() const override { return rows_ + rejects_->count() - rejects_before_; }

  Result<BatchPtr> Next() override {
    if (!error_.ok()) return error_;
    Status status = Fill();
    if (!status.ok()) {
      error_ = status;
      return status;
    }
    if (rows_in_batch_ > 0) return FinishBatch();
    if (!finish_checked_) {
      finish_checked_ = true;
      status = rejects_->Finish(rows_);
      if (!status.ok()) {
        error_ = status;
        return status;
      }
    }
    return BatchPtr();
  }

 private:
  // Reads records into the builders until the batch is full or the input ends.
  Status Fill() {
    while (!BatchFull()) {
      if (replay_index_ < sample_.size()) {
        SLUICE_RETURN_NOT_OK(ReplaySampleItem(sample_[replay_index_++]));
        if (replay_index_ == sample_.size()) {
          sample_ = {};
          sample_text_ = {};
        }
        continue;
      }
      if (input_done_) return Status::OK();
      RecordSplitter::Record record;
      Reject reject;
      SLUICE_ASSIGN_OR_RETURN(RecordSplitter::Event event, splitter_.Next(&record, &reject));
      switch (event) {
        case RecordSplitter::Event::kEnd:
          input_done_ = true;
          return Status::OK();
        case RecordSplitter::Event::kReject:
          SLUICE_RETURN_NOT_OK(rejects_->Add(std::move(reject)));
          break;
        case RecordSplitter::Event::kRecord:
          SLUICE_RETURN_NOT_OK(
              AppendRecord(record.value, record.text, record.line, record.byte_offset));
          break;
      }
    }
    return Status::OK();
  }

  bool BatchFull() const {
    return rows_in_batch_ >= columnar::kMaxBatchRows || batch_text_bytes_ >= kBatchTextBytes ||
           rows_in_batch_ * static_cast<int64_t>(columns_.size()) >= kBatchCells;
  }

  // Reads the first sample_records records (rejects met on the way are kept in order), flattening
  // each to learn its columns and the kinds of their values.
  Status ReadSample() {
    sampling_ = true;
    int64_t records = 0;
    while (records < options_.common.sample_records && sample_text_.size() < kMaxSampleTextBytes) {
      RecordSplitter::Record record;
      Reject reject;
      SLUICE_ASSIGN_OR_RETURN(RecordSplitter::Event event, splitter_.Next(&record, &reject));
      if (event == RecordSplitter::Event::kEnd) {
        input_done_ = true;
        break;
      }
      SampleItem item;
      if (event == RecordSplitter::Event::kReject) {
        item.reject = std::move(reject);
        sample_.push_back(std::move(item));
        continue;
      }
      Flatten(record.value);
      if (too_many_columns_) {
        item.reject = TooManyColumnsReject(record.text, record.line, record.byte_offset);
        sample_.push_back(std::move(item));
        continue;
      }
      for (const FieldValue& field : values_) Observe(&columns_[field.column], field.value);
      item.text_begin = sample_text_.size();
      item.text_size = record.text.size();
      item.line = record.line;
      item.byte_offset = record.byte_offset;
      sample_text_.append(record.text);
      sample_.push_back(std::move(item));
      ++records;
    }
    // simdjson reads past the end of a value: keep padding after the last one.
    sample_text_.append(kPadding, ' ');
    sampling_ = false;
    sample_reached_end_ = input_done_;
    return Status::OK();
  }

  void Observe(ColumnState* column, dom::element value) {
    switch (value.type()) {
      case dom::element_type::NULL_VALUE:
        column->kinds |= kSeenNull;
        return;
      case dom::element_type::BOOL:
        column->kinds |= kSeenBool;
        return;
      case dom::element_type::INT64:
        column->kinds |= kSeenInt;
        return;
      case dom::element_type::UINT64:
      case dom::element_type::DOUBLE:
        column->kinds |= kSeenFloat;
        return;
      case dom::element_type::STRING: {
        const std::string_view text = value.get_string().value_unsafe();
        if (IsNullToken(text)) {
          column->kinds |= kSeenNull;
        } else {
          column->kinds |= kSeenString;
          if (options_.common.infer_types) column->strings.Observe(text);
        }
        return;
      }
      case dom::element_type::ARRAY:
        column->kinds |= kSeenArray;
        return;
      case dom::element_type::OBJECT:
        return;  // only empty objects get here; they add nothing
    }
  }

  void InferTypes() {
    for (ColumnState& column : columns_) {
      if (!column.explicit_type) column.type = InferredType(column);
      column.builder = columnar::MakeBuilder(column.type.type);
    }
    // Explicit types for columns the sample never showed.
    for (const auto& [name, type] : options_.common.column_types) {
      if (column_index_.find(name) == column_index_.end()) AddColumn(name);
    }
    schema_dirty_ = true;
    UpdateSchema();
  }

  TextColumnType InferredType(const ColumnState& column) const {
    TextColumnType result;  // string
    const uint32_t kinds = column.kinds & ~kSeenNull;
    if (kinds == kSeenArray) {
      result.type = DataType::Json();
    } else if (!options_.common.infer_types || kinds == 0) {
      // strings
    } else if (kinds == kSeenBool) {
      result.type = DataType::Bool();
    } else if (kinds == kSeenInt) {
      result.type = DataType::Int64();
    } else if ((kinds & ~(kSeenInt | kSeenFloat)) == 0) {
      result.type = DataType::Float64();
    } else if (kinds == kSeenString) {
      // Strings that are all dates, timestamps or times get that type; numbers, booleans and
      // everything else written as JSON strings stay strings.
      const TextColumnType text = column.strings.Result();
      const TypeId id = text.type.id();
      if (id == TypeId::kDate || id == TypeId::kTimestamp || id == TypeId::kTime) result = text;
    }
    return result;
  }

  // Flattens `root` into values_: one entry per column, the last value winning for repeated keys.
  void Flatten(dom::element root) {
    ++stamp_;
    values_.clear();
    too_many_columns_ = false;
    previous_column_ = kNoColumn;
    if (root.type() == dom::element_type::OBJECT) {
      name_.clear();
      FlattenObject(root.get_object().value_unsafe(), 0);
    } else {
      SetField("value", root);
    }
  }

  void FlattenObject(dom::object object, int depth) {
    for (dom::key_value_pair field : object) {
      const size_t old_size = name_.size();
      if (depth > 0) name_ += "__";
      name_ += field.key;
      if (field.value.type() == dom::element_type::OBJECT) {
        FlattenObject(field.value.get_object().value_unsafe(), depth + 1);
      } else {
        SetField(name_, field.value);
      }
      name_.resize(old_size);
    }
  }

  void SetField(std::string_view name, dom::element value) {
    const uint32_t index = FindOrAddColumn(name);
    if (index == kNoColumn) {
      too_many_columns_ = true;
      return;
    }
    ColumnState& column = columns_[index];
    if (column.stamp == stamp_) {
      values_[column.slot].value = value;  // a repeated key: the last value wins
      return;
    }
    column.stamp = stamp_;
    column.slot = static_cast<uint32_t>(values_.size());
    values_.push_back(FieldValue{index, value});
  }

  uint32_t FindOrAddColumn(std::string_view name) {
    // Records usually repeat the previous record's key order: try that before hashing.
    const uint32_t hint =
        previous_column_ == kNoColumn ? first_column_hint_ : columns_[previous_column_].next_hint;
    uint32_t index;
    if (hint != kNoColumn && columns_[hint].name == name) {
      index = hint;
    } else {
      auto found = column_index_.find(name);
      if (found != column_index_.end()) {
        index = found->second;
      } else if (columns_.size() >= kMaxColumns) {
        return kNoColumn;
      } else {
        index = AddColumn(name);
      }
    }
    if (previous_column_ == kNoColumn) {
      first_column_hint_ = index;
    } else {
      columns_[previous_column_].next_hint = index;
    }
    previous_column_ = index;
    return index;
  }

  uint32_t AddColumn(std::string_view name) {
    const auto index = static_cast<uint32_t>(columns_.size());
    ColumnState column;
    column.name = std::string(name);
    auto explicit_type = explicit_types_.find(name);
    if (explicit_type != explicit_types_.end()) {
      column.type.type = explicit_type->second;
      column.explicit_type = true;
    }
    if (!sampling_) {
      // After the sample: a new column, nullable, string unless typed explicitly; null for the
      // rows already in the batch.
      column.builder = columnar::MakeBuilder(column.type.type);
      for (int64_t row = 0; row < rows_in_batch_; ++row) column.builder->AppendNull();
      schema_dirty_ = true;
    }
    column_index_.emplace(column.name, index);
    columns_.push_back(std::move(column));
    return index;
  }

  bool IsNullToken(std::string_view text) const {
    if (null_is_empty_only_) return text.empty();
    for (const std::string& token : options_.common.null_values) {
      if (text == token) return true;
    }
    return false;
  }

  Status ReplaySampleItem(SampleItem& item) {
    if (item.reject) return rejects_->Add(std::move(*item.reject));
    dom::element value;
    const simdjson::error_code error =
        parser_.parse(sample_text_.data() + item.text_begin, item.text_size, false).get(value);
    if (error) {
      return Status::Internal("JSON reader: a sample record no longer parses: " +
                              std::string(simdjson::error_message(error)));
    }
    return AppendRecord(value,
                        std::string_view(sample_text_).substr(item.text_begin, item.text_size),
                        item.line, item.byte_offset);
  }

  Reject TooManyColumnsReject(std::string_view text, int64_t line, int64_t byte_offset) const {
    Reject reject;
    reject.file = input_->path();
    reject.line = line;
    reject.byte_offset = byte_offset;
    reject.kind = RejectKind::kRecordTooLarge;
    reject.message =
        "the record would make the table wider than " + std::to_string(kMaxColumns) + " columns";
    reject.raw = std::string(text.substr(0, Reject::kMaxRawBytes));
    return reject;
  }

  // Appends one record as a row, or rejects it when a value does not fit its column.
  Status AppendRecord(dom::element value, std::string_view text, int64_t line,
                      int64_t byte_offset) {
    Flatten(value);
    if (too_many_columns_) {
      return rejects_->Add(TooManyColumnsReject(text, line, byte_offset));
    }
    for (size_t k = 0; k < values_.size(); ++k) {
      ColumnState& column = columns_[values_[k].column];
      if (!AppendCell(column, values_[k].value)) {
        for (size_t j = 0; j < k; ++j)
          columns_[values_[j].column].builder->Truncate(rows_in_batch_);
        Reject reject;
        reject.file = input_->path();
        reject.line = line;
        reject.byte_offset = byte_offset;
        reject.field = column.name;
        reject.kind = RejectKind::kCastError;
        reject.message = std::move(cell_error_);
        reject.raw = std::string(text.substr(0, Reject::kMaxRawBytes));
        return rejects_->Add(std::move(reject));
      }
    }
    for (ColumnState& column : columns_) {
      if (column.stamp != stamp_) column.builder->AppendNull();
    }
    ++rows_in_batch_;
    ++rows_;
    batch_text_bytes_ += static_cast<int64_t>(text.size());
    return Status::OK();
  }

  // Appends `value` to `column`'s builder; false (with cell_error_ set) when it does not fit.
  bool AppendCell(ColumnState& column, dom::element value) {
    columnar::ColumnBuilder* builder = column.builder.get();
    const dom::element_type kind = value.type();
    if (kind == dom::element_type::NULL_VALUE) {
      builder->AppendNull();
      return true;
    }
    const TypeId id = column.type.type.id();
    if (id == TypeId::kString || id == TypeId::kJson || id == TypeId::kBinary) {
      auto* strings = static_cast<columnar::StringBuilder*>(builder);
      if (kind == dom::element_type::STRING && id != TypeId::kJson) {
        strings->Append(value.get_string().value_unsafe());
      } else {
        scratch_.clear();
        AppendJsonText(value, &scratch_);
        strings->Append(scratch_);
      }
      return true;
    }
    switch (kind) {
      case dom::element_type::STRING: {
        const std::string_view text = value.get_string().value_unsafe();
        if (IsNullToken(text)) {
          builder->AppendNull();
          return true;
        }
        // Text converts into types JSON has no literal for (dates, times, decimals) and into any
        // type named explicitly; a string in an inferred bool or number column is a cast error.
        const bool converts = column.explicit_type || id == TypeId::kDate || id == TypeId::kTime ||
                              id == TypeId::kTimestamp || id == TypeId::kDecimal;
        const ConvertError error =
            converts ? AppendText(text, column.type, builder) : ConvertError::kSyntax;
        if (error == ConvertError::kOk) return true;
        cell_error_ = ConvertErrorMessage(error, text, column.type.type);
        return false;
      }
      case dom::element_type::INT64: {
        const int64_t number = value.get_int64().value_unsafe();
        switch (id) {
          case TypeId::kInt64:
            static_cast<columnar::Int64Builder*>(builder)->Append(number);
            return true;
          case TypeId::kFloat64:
            static_cast<columnar::Float64Builder*>(builder)->Append(static_cast<double>(number));
            return true;
          case TypeId::kInt32:
          case TypeId::kDecimal:
            return AppendNumberText(column, value);
          default:
            break;
        }
        break;
      }
      case dom::element_type::UINT64:
        if (id == TypeId::kFloat64) {
          static_cast<columnar::Float64Builder*>(builder)->Append(
              static_cast<double>(value.get_uint64().value_unsafe()));
          return true;
        }
        if (id == TypeId::kInt64 || id == TypeId::kInt32 || id == TypeId::kDecimal) {
          return AppendNumberText(column, value);
        }
        break;
      case dom::element_type::DOUBLE:
        if (id == TypeId::kFloat64) {
          static_cast<columnar::Float64Builder*>(builder)->Append(
              value.get_double().value_unsafe());
          return true;
        }
        if (id == TypeId::kDecimal) return AppendNumberText(column, value);
        break;
      case dom::element_type::BOOL:
        if (id == TypeId::kBool) {
          static_cast<columnar::BooleanBuilder*>(builder)->Append(value.get_bool().value_unsafe());
          return true;
        }
        break;
      default:
        break;
    }
    scratch_.clear();
    AppendJsonText(value, &scratch_);
    cell_error_ = ConvertErrorMessage(ConvertError::kSyntax, scratch_, column.type.type);
    return false;
  }

  // Numbers into int32 / int64 (out of range) / decimal columns go through their text.
  bool AppendNumberText(ColumnState& column, dom::element value) {
    if (value.type() == dom::element_type::DOUBLE && column.type.type.id() == TypeId::kDecimal &&
        AppendDecimalFast(column, value)) {
      return true;
    }
    scratch_.clear();
    if (value.type() == dom::element_type::DOUBLE) {
      columnar::AppendDouble(value.get_double().value_unsafe(), &scratch_);
    } else {
      AppendJsonText(value, &scratch_);
    }
    const ConvertError error = AppendText(scratch_, column.type, column.builder.get());
    if (error == ConvertError::kOk) return true;
    cell_error_ = ConvertErrorMessage(error, scratch_, column.type.type);
    return false;
  }

  // A JSON number (read as a double) into decimal(p,s) without going through text: when some
  // integer n gives exactly this double as n / 10^s, the number's shortest text has at most s
  // fractional digits and its value is n / 10^s — the same result the text path gives. Returns
  // false (use the text path) when that does not hold or the value is out of the fast range.
  static bool AppendDecimalFast(ColumnState& column, dom::element value) {
    static constexpr double kPowers[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                         1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    const int scale = column.type.type.scale();
    if (scale > 15) return false;
    const double number = value.get_double().value_unsafe();
    const double scaled = number * kPowers[scale];
    if (!(std::fabs(scaled) < 9007199254740992.0)) return false;  // 2^53: n exact as a double
    const double rounded = std::nearbyint(scaled);
    if (rounded / kPowers[scale] != number) return false;
    const auto unscaled = static_cast<int64_t>(rounded);
    if (static_cast<columnar::Int128>(unscaled < 0 ? -unscaled : unscaled) >
        columnar::MaxUnscaled(column.type.type.precision())) {
      return false;  // the text path reports the overflow
    }
    static_cast<columnar::DecimalBuilder*>(column.builder.get())->Append(unscaled);
    return true;
  }

  void UpdateSchema() {
    if (!schema_dirty_) return;
    std::vector<columnar::Field> fields;
    fields.reserve(columns_.size());
    for (const ColumnState& column : columns_) {
      fields.push_back(columnar::Field{column.name, column.type.type, true});
    }
    schema_ = std::make_shared<columnar::Schema>(std::move(fields));
    schema_dirty_ = false;
  }

  BatchPtr FinishBatch() {
    UpdateSchema();
    std::vector<columnar::ColumnPtr> built;
    built.reserve(columns_.size());
    for (ColumnState& column : columns_) built.push_back(column.builder->Finish());
    auto batch = std::make_shared<columnar::Batch>(schema_, std::move(built), rows_in_batch_);
    rows_in_batch_ = 0;
    batch_text_bytes_ = 0;
    return batch;
  }

  std::unique_ptr<io::InputStream> input_;
  JSONReadOptions options_;
  RejectTracker* rejects_;
  int64_t rejects_before_ = 0;
  bool null_is_empty_only_ = true;
  dom::parser parser_;  // one parser for every record (declared before splitter_, which uses it)
  RecordSplitter splitter_;
  bool input_done_ = false;
  bool sample_reached_end_ = false;
  bool finish_checked_ = false;
  Status error_;

  std::unordered_map<std::string, DataType, NameHash, std::equal_to<>> explicit_types_;
  std::vector<ColumnState> columns_;
  std::unordered_map<std::string, uint32_t, NameHash, std::equal_to<>> column_index_;
  SchemaPtr schema_;
  bool schema_dirty_ = true;

  // The sample, replayed into batches once the types are known.
  bool sampling_ = false;
  std::vector<SampleItem> sample_;
  std::string sample_text_;
  size_t replay_index_ = 0;

  // The record being flattened.
  uint64_t stamp_ = 0;
  std::vector<FieldValue> values_;
  std::string name_;
  uint32_t previous_column_ = kNoColumn;
  uint32_t first_column_hint_ = kNoColumn;
  bool too_many_columns_ = false;  // the record needs more than kMaxColumns columns
  std::string scratch_;
  std::string cell_error_;

  int64_t rows_in_batch_ = 0;
  int64_t batch_text_bytes_ = 0;
  int64_t rows_ = 0;
};

// Reads NDJSON on several threads, giving exactly what one JSONReaderImpl would.
//
// The first block (big enough to hold the whole type sample) is read by one reader, which settles
// the columns. Each later block is cut at its last line break and split at line breaks into one
// chunk per thread; a reader per chunk starts from the settled columns. A chunk is accepted only
// when it is "clean": no reject other than cast_error (a line that does not parse may be part of a
// value spanning lines) and no new column (a new key must get the same column position and type
// as in a sequential read). Otherwise, and when the input is a top-level array, everything from
// that block on is read by one reader, so the output never depends on the thread count.
class ParallelNDJSONReader final : public JSONReader {
 public:
  ParallelNDJSONReader(std::unique_ptr<io::InputStream> input, JSONReadOptions options,
                       RejectTracker* rejects)
      : input_(std::move(input)), options_(std::move(options)), rejects_(rejects) {
    path_ = input_->path();
    threads_ = std::max(1, options_.common.threads);
    block_size_ = static_cast<size_t>(std::max<int64_t>(64, options_.common.block_bytes));
    options_.common.threads = 1;  // for the readers this one creates
  }

  Status Init() {
    // The first block: enough lines for the sample (or the sample's byte limit), or all input.
    const auto sample_lines =
        static_cast<size_t>(std::max<int64_t>(1, options_.common.sample_records)) + 1;
    size_t lines = 0;
    while (!eof_ && (carry_.size() < block_size_ || lines < sample_lines) &&
           carry_.size() < kMaxSampleTextBytes + block_size_) {
      const size_t before = carry_.size();
      SLUICE_RETURN_NOT_OK(ReadBlock());
      lines += static_cast<size_t>(
          std::count(carry_.begin() + static_cast<std::ptrdiff_t>(before), carry_.end(), '\n'));
    }
    if (StartsWithArray(Carry())) return SwitchToStream(nullptr);
    const size_t cut = eof_ ? carry_.size() : Carry().rfind('\n') + 1;
    if (!eof_ && cut == 0) return SwitchToStream(nullptr);  // no line break at all: one reader
    ChunkOutput head = RunChunk(std::string_view(carry_.data(), cut), nullptr);
    if (!head.status.ok() || !head.clean || (head.sample_reached_end && !eof_)) {
      return SwitchToStream(nullptr);
    }
    schema_ = head.initial_schema;
    preset_ = head.columns;
    SLUICE_RETURN_NOT_OK(Deliver(head, 0, 1));
    Consume(cut, head.newlines);
    return Status::OK();
  }

  // Like the sequential reader: the schema after the sample, then that of the last batch returned.
  SchemaPtr schema() const override { return schema_; }
  int64_t records_read() const override {
    return records_ + (stream_ ? stream_->records_read() : 0);
  }

  Result<BatchPtr> Next() override {
    while (ready_.empty()) {
      if (finished_) return BatchPtr();
      if (stream_) {
        SLUICE_ASSIGN_OR_RETURN(BatchPtr batch, stream_->Next());
        if (batch) {
          rows_ += batch->num_rows();
          schema_ = batch->schema();
          return batch;
        }
        records_ += stream_->records_read();
        stream_.reset();
        SLUICE_RETURN_NOT_OK(FinishRead());
        return BatchPtr();
      }
      SLUICE_RETURN_NOT_OK(ProcessBlock());
    }
    BatchPtr batch = std::move(ready_.front());
    ready_.pop_front();
    schema_ = batch->schema();
    return batch;
  }

 private:
  // The output of one reader over one chunk, kept until the chunk is accepted.
  struct ChunkOutput {
    Status status;
    std::vector<BatchPtr> batches;
    std::vector<Reject> rejects;
    std::vector<PresetColumn> columns;
    SchemaPtr initial_schema;
    int64_t records = 0;
    int64_t rows = 0;
    int64_t newlines = 0;  // line breaks in the chunk's text
    bool clean = true;
    bool sample_reached_end = false;
  };

  static constexpr size_t kMaxSampleTextBytes = 64u << 20;
  static constexpr size_t kMinParallelBytes = 1u << 20;

  static bool StartsWithArray(std::string_view text) {
    size_t i = 0;
    if (text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
    while (i < text.size() && IsJsonWhitespace(text[i])) ++i;
    return i < text.size() && text[i] == '[';
  }

  std::string_view Carry() const { return std::string_view(carry_.data(), carry_.size()); }

  Status ReadBlock() {
    const size_t old = carry_.size();
    carry_.resize(old + block_size_);
    SLUICE_ASSIGN_OR_RETURN(size_t count, input_->ReadFully(carry_.data() + old, block_size_));
    carry_.resize(old + count);
    if (count < block_size_) eof_ = true;
    return Status::OK();
  }

  // Drops the first `bytes` of carry_, keeping the offset and line of what remains.
  void Consume(size_t bytes, int64_t newlines) {
    carry_line_ += newlines;
    carry_offset_ += static_cast<int64_t>(bytes);
    carry_.erase(carry_.begin(), carry_.begin() + static_cast<std::ptrdiff_t>(bytes));
  }

  ChunkOutput RunChunk(std::string_view text, const std::vector<PresetColumn>* preset) const {
    ChunkOutput out;
    out.newlines = std::count(text.begin(), text.end(), '\n');
    RejectTracker local{RejectPolicy{}};  // keeps every reject; the real policy applies on delivery
    // The chunk is in memory: read it at once rather than in growing steps.
    JSONReaderImpl reader(io::MakeMemoryViewInputStream(text, path_), options_, &local,
                          text.size() + 1);
    out.status = preset ? reader.InitWithColumns(*preset) : reader.Init();
    if (!out.status.ok()) return out;
    out.initial_schema = reader.schema();
    out.sample_reached_end = reader.sample_reached_end();
    while (true) {
      Result<BatchPtr> batch = reader.Next();
      if (!batch.ok()) {
        out.status = batch.status();
        return out;
      }
      if (*batch == nullptr) break;
      out.rows += (*batch)->num_rows();
      out.batches.push_back(std::move(*batch));
    }
    out.rejects = local.kept();
    out.records = reader.records_read();
    out.columns = reader.Columns();
    for (const Reject& reject : out.rejects) {
      if (reject.kind != RejectKind::kCastError) out.clean = false;
    }
    if (preset && out.columns.size() != preset->size()) out.clean = false;
    return out;
  }

  Status Deliver(ChunkOutput& chunk, int64_t offset, int64_t line) {
    for (Reject& reject : chunk.rejects) {
      reject.line += line - 1;
      reject.byte_offset += offset;
      SLUICE_RETURN_NOT_OK(rejects_->Add(std::move(reject)));
    }
    for (BatchPtr& batch : chunk.batches) ready_.push_back(std::move(batch));
    records_ += chunk.records;
    rows_ += chunk.rows;
    return Status::OK();
  }

  Status ProcessBlock() {
    SLUICE_RETURN_NOT_OK(ReadBlock());
    if (carry_.empty() && eof_) return FinishRead();
    const size_t last_break = Carry().rfind('\n');
    if (!eof_ && last_break == std::string::npos) return SwitchToStream(&preset_);
    const size_t cut = eof_ ? carry_.size() : last_break + 1;
    // Chunk boundaries at line breaks near equal shares.
    std::vector<size_t> starts{0};
    const size_t threads =
        cut < std::min(kMinParallelBytes, block_size_ / 4) ? 1 : static_cast<size_t>(threads_);
    for (size_t k = 1; k < threads; ++k) {
      const size_t target = cut * k / threads;
      const size_t next = Carry().find('\n', std::max(target, starts.back()));
      if (next == std::string::npos || next + 1 >= cut) break;
      starts.push_back(next + 1);
    }
    starts.push_back(cut);
    const size_t chunks = starts.size() - 1;
    for (size_t k = 0; k < chunks; ++k) {
      if (StartsWithArray(Carry().substr(starts[k], starts[k + 1] - starts[k]))) {
        return SwitchToStream(&preset_);
      }
    }
    std::vector<ChunkOutput> outputs(chunks);
    {
      std::vector<std::thread> workers;
      for (size_t k = 1; k < chunks; ++k) {
        workers.emplace_back([this, &outputs, &starts, k]() {
          outputs[k] = RunChunk(
              std::string_view(carry_.data() + starts[k], starts[k + 1] - starts[k]), &preset_);
        });
      }
      outputs[0] = RunChunk(std::string_view(carry_.data(), starts[1]), &preset_);
      for (std::thread& worker : workers) worker.join();
    }
    for (const ChunkOutput& output : outputs) {
      if (!output.status.ok() || !output.clean) return SwitchToStream(&preset_);
    }
    int64_t line = carry_line_;
    for (size_t k = 0; k < chunks; ++k) {
      SLUICE_RETURN_NOT_OK(
          Deliver(outputs[k], carry_offset_ + static_cast<int64_t>(starts[k]), line));
      line += outputs[k].newlines;
    }
    Consume(cut, line - carry_line_);
    return Status::OK();
  }

  // Reads everything from carry_ on with one reader (starting from `preset` columns, or with a
  // sample when null), forwarding its rejects with their positions in the whole input.
  Status SwitchToStream(const std::vector<PresetColumn>* preset) {
    const int64_t offset = carry_offset_;
    const int64_t line = carry_line_;
    stream_tracker_ = std::make_unique<RejectTracker>(
        RejectPolicy{}, [this, offset, line](const Reject& reject) -> Status {
          Reject shifted = reject;
          shifted.line += line - 1;
          shifted.byte_offset += offset;
          return rejects_->Add(std::move(shifted));
        });
    auto stream =
        io::MakePrefixedInputStream(std::string(carry_.data(), carry_.size()), std::move(input_));
    carry_.clear();
    stream_ = std::make_unique<JSONReaderImpl>(std::move(stream), options_, stream_tracker_.get());
    SLUICE_RETURN_NOT_OK(preset ? stream_->InitWithColumns(*preset) : stream_->Init());
    if (!schema_) schema_ = stream_->schema();
    return Status::OK();
  }

  // The whole input is read: apply the reject policy's fraction over all of it.
  Status FinishRead() {
    finished_ = true;
    return rejects_->Finish(rows_);
  }

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

}  // namespace

Result<std::unique_ptr<JSONReader>> JSONReader::Open(std::unique_ptr<io::InputStream> input,
                                                     JSONReadOptions options,
                                                     RejectTracker* rejects) {
  if (input == nullptr) return Status::InvalidArgument("JSON reader: no input stream");
  if (rejects == nullptr) return Status::InvalidArgument("JSON reader: no reject tracker");
  if (options.common.threads > 1) {
    auto reader =
        std::make_unique<ParallelNDJSONReader>(std::move(input), std::move(options), rejects);
    SLUICE_RETURN_NOT_OK(reader->Init());
    return std::unique_ptr<JSONReader>(std::move(reader));
  }
  auto reader = std::make_unique<JSONReaderImpl>(std::move(input), std::move(options), rejects);
  SLUICE_RETURN_NOT_OK(reader->Init());
  return std::unique_ptr<JSONReader>(std::move(reader));
}

}  // namespace sluice::formats

#include "sluice/formats/json/record_splitter.h"

#include <cstring>

namespace sluice::formats::json {
namespace {

RejectKind KindForError(simdjson::error_code error) {
  return error == simdjson::UTF8_ERROR ? RejectKind::kInvalidUtf8 : RejectKind::kMalformedJson;
}

std::string ParseErrorMessage(simdjson::error_code error) {
  return std::string("malformed JSON: ") + simdjson::error_message(error);
}

}  // namespace

Status RecordSplitter::Step() {
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

Status RecordSplitter::StepStart() {
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

Status RecordSplitter::StepValue() {
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

Status RecordSplitter::StepArray() {
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
        EmitReject(
            MakeReject(RejectKind::kMalformedJson, 0, 1, "trailing comma before ']'", ColumnOf(0)));
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

Status RecordSplitter::StepElement() {
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

Status RecordSplitter::RejectLargeElement(ValueScan* scan, ValueScan::Status status) {
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

Status RecordSplitter::StepElementOnItsLine() {
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

void RecordSplitter::EmitParsedElement(size_t value_end) {
  dom::element value;
  const simdjson::error_code error = Parse(0, value_end, &value);
  if (!error) {
    EmitRecord(value, value_end);
  } else {
    EmitReject(MakeReject(KindForError(error), 0, value_end, ParseErrorMessage(error)));
  }
}

Status RecordSplitter::DiscardElement(ValueScan* scan) {
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

Status RecordSplitter::StepAfterArray() {
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

Status RecordSplitter::RejectTooLarge(size_t from) {
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

int64_t RecordSplitter::ScannedUntil(const ValueScan& scan, bool too_large) const {
  const size_t offset = too_large ? std::min(scan.offset(), max_record_bytes_ + 1) : scan.offset();
  return Absolute(offset);
}

void RecordSplitter::NoteUnterminated(int64_t range_end) {
  if (Absolute(0) < unterminated_range_end_) {
    line_only_until_ = std::max(line_only_until_, range_end);
  }
  unterminated_range_end_ = std::max(unterminated_range_end_, range_end);
}

std::string RecordSplitter::TooLargeMessage() const {
  return "record longer than max_record_bytes (" + std::to_string(max_record_bytes_) +
         " bytes), or a value that never ends";
}

Result<ValueScan::Status> RecordSplitter::RunScan(ValueScan* scan, bool* too_large) {
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

Result<RecordSplitter::LineEnd> RecordSplitter::FindLineEnd(size_t from) {
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

Result<bool> RecordSplitter::SkipWhitespace() {
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

void RecordSplitter::Advance(size_t count) {
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

void RecordSplitter::ConsumeLine(const LineEnd& line) {
  pos_ += line.index;
  if (line.has_newline) {
    ++pos_;
    ++line_;
    line_start_ = Absolute(0);
  }
}

Result<bool> RecordSplitter::Refill() {
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

simdjson::error_code RecordSplitter::Parse(size_t begin, size_t length, dom::element* value) {
  // The buffer always keeps kPadding bytes after end_, as simdjson requires.
  return parser_->parse(data() + begin, length, false).get(*value);
}

size_t RecordSplitter::TrimmedEnd(size_t begin, size_t end) const {
  while (end > begin && IsJsonWhitespace(data()[end - 1])) --end;
  return end;
}

Reject RecordSplitter::MakeReject(RejectKind kind, size_t begin, size_t end, std::string message,
                                  int64_t column) const {
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

void RecordSplitter::EmitReject(Reject reject, int64_t region_end) {
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

void RecordSplitter::FlushPending() {
  if (!pending_) return;
  if (pending_extra_lines_ > 0) {
    pending_->message += "; the next " + std::to_string(pending_extra_lines_) +
                         " piece(s) of it did not parse on their own either";
  }
  queue_.push_back(std::move(*pending_));
  pending_.reset();
}

void RecordSplitter::EmitRecord(dom::element value, size_t end) {
  FlushPending();
  record_.value = value;
  record_.text = std::string_view(data(), end);
  record_.line = line_;
  record_.byte_offset = Absolute(0);
  record_ready_ = true;
}

}  // namespace sluice::formats::json

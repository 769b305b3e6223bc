#include "sluice/formats/json/value_scan.h"

#include <string_view>

namespace sluice::formats::json {
namespace {

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

}  // namespace

ValueScan::Mode ValueScan::ModeFor(char first) {
  if (first == '{' || first == '[') return Mode::kContainer;
  if (first == '"') return Mode::kString;
  return Mode::kScalar;
}

void ValueScan::Discard(size_t count) {
  offset_ -= count;
  first_newline_ = kNone;
}

ValueScan::Status ValueScan::Run(const char* data, size_t size) {
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

ValueScan::Status ValueScan::Stop(size_t offset, Status status) {
  offset_ = offset;
  return status;
}

}  // namespace sluice::formats::json

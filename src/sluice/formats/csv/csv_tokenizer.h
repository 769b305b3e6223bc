// CSVTokenizer: splits delimited text into rows and fields, without copying.
//
// A row ends at LF, CRLF or a bare CR outside quotes. Quoted fields may contain delimiters and line
// breaks; a quote inside a quoted field is written doubled ("") or, when the dialect has a distinct
// escape character, preceded by it. A quote inside an unquoted field is literal text. Text between
// a closing quote and the next delimiter is an error (kUnexpectedQuote).
//
// Thread-safety: a tokenizer holds only the dialect; ParseRow is const and may run on many threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/formats/csv/csv_options.h"

namespace sluice::formats {

struct CSVField {
  static constexpr uint8_t kQuoted = 1;   // the field was enclosed in quotes
  static constexpr uint8_t kEscaped = 2;  // the field contains doubled quotes or escape characters

  uint32_t begin;  // offset of the first content byte (after an opening quote)
  uint32_t end;    // offset one past the last content byte (before a closing quote)
  uint8_t flags;

  bool quoted() const { return flags & kQuoted; }
  bool escaped() const { return flags & kEscaped; }
};

enum class RowStatus {
  kOk,                 // a complete row; *next is the start of the following row
  kIncomplete,         // the input ended inside the row and more input may follow
  kUnterminatedQuote,  // at end of input, inside a quoted field
  kUnexpectedQuote,    // text after a closing quote; *error_offset points at it
};

class CSVTokenizer {
 public:
  explicit CSVTokenizer(const CSVDialect& dialect);

  // Parses the row starting at `pos` in data[0, size). `at_end`: no input follows `size`. Fills
  // `fields` (offsets relative to `data`). On kOk sets *next past the row terminator; on
  // kUnexpectedQuote sets *error_offset and *next past the end of the bad row so parsing can
  // resume. A comment line (dialect.comment at the start of a row) yields kOk with zero fields.
  RowStatus ParseRow(const char* data, size_t size, size_t pos, bool at_end,
                     std::vector<CSVField>* fields, size_t* next, size_t* error_offset) const;

  // Writes the unescaped content of a field (doubled quotes or escape characters removed) to
  // `out`, which must have room for field.end - field.begin bytes. Returns the length written.
  size_t Unescape(const char* data, const CSVField& field, char* out) const;
  std::string UnescapeToString(const char* data, const CSVField& field) const;

  // Skips to just past the next line break at or after `pos` (quotes ignored); returns size when
  // there is none. Used to resynchronize after a bad row.
  size_t SkipLine(const char* data, size_t size, size_t pos) const;

  const CSVDialect& dialect() const { return dialect_; }

 private:
  CSVDialect dialect_;
  bool special_[256];  // delimiter, CR, LF
};

}  // namespace sluice::formats

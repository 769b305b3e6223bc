#include "sluice/formats/csv/csv_tokenizer.h"

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace sluice::formats {

CSVTokenizer::CSVTokenizer(const CSVDialect& dialect) : dialect_(dialect) {
  std::memset(special_, 0, sizeof(special_));
  special_[static_cast<unsigned char>(dialect.delimiter)] = true;
  special_[static_cast<unsigned char>('\n')] = true;
  special_[static_cast<unsigned char>('\r')] = true;
}

namespace {

// Finds the first byte in [p, end) equal to a, b or c; returns end when none.
inline const char* FindAny3(const char* p, const char* end, char a, char b, char c) {
#if defined(__SSE2__)
  const __m128i va = _mm_set1_epi8(a);
  const __m128i vb = _mm_set1_epi8(b);
  const __m128i vc = _mm_set1_epi8(c);
  while (end - p >= 16) {
    const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    const __m128i hit =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(chunk, va), _mm_cmpeq_epi8(chunk, vb)),
                     _mm_cmpeq_epi8(chunk, vc));
    const int mask = _mm_movemask_epi8(hit);
    if (mask != 0) return p + __builtin_ctz(static_cast<unsigned>(mask));
    p += 16;
  }
#endif
  for (; p < end; ++p) {
    if (*p == a || *p == b || *p == c) return p;
  }
  return end;
}

}  // namespace

RowStatus CSVTokenizer::ParseRow(const char* data, size_t size, size_t pos, bool at_end,
                                 std::vector<CSVField>* fields, size_t* next,
                                 size_t* error_offset) const {
  fields->clear();
  const char* const end = data + size;
  const char* p = data + pos;
  const char quote = dialect_.quote;
  const char escape = dialect_.escape;
  const char delimiter = dialect_.delimiter;

  if (dialect_.comment != '\0' && p < end && *p == dialect_.comment) {
    const char* line_end = FindAny3(p, end, '\n', '\r', '\n');
    if (line_end == end) {
      if (!at_end) return RowStatus::kIncomplete;
      *next = size;
      return RowStatus::kOk;
    }
    if (*line_end == '\r') {
      if (line_end + 1 == end && !at_end) return RowStatus::kIncomplete;
      if (line_end + 1 < end && line_end[1] == '\n') ++line_end;
    }
    *next = static_cast<size_t>(line_end + 1 - data);
    return RowStatus::kOk;
  }

  while (true) {
    // One field starts at p.
    if (quote != '\0' && p < end && *p == quote) {
      const char* content = p + 1;
      const char* q = content;
      uint8_t flags = CSVField::kQuoted;
      while (true) {
        const char* hit =
            escape == quote
                ? static_cast<const char*>(std::memchr(q, quote, static_cast<size_t>(end - q)))
                : FindAny3(q, end, quote, escape, quote);
        if (hit == nullptr || hit == end) {
          return at_end ? RowStatus::kUnterminatedQuote : RowStatus::kIncomplete;
        }
        if (escape != quote && *hit == escape) {
          if (hit + 1 >= end)
            return at_end ? RowStatus::kUnterminatedQuote : RowStatus::kIncomplete;
          flags |= CSVField::kEscaped;
          q = hit + 2;
          continue;
        }
        // *hit == quote
        if (escape == quote) {
          if (hit + 1 == end && !at_end) return RowStatus::kIncomplete;
          if (hit + 1 < end && hit[1] == quote) {
            flags |= CSVField::kEscaped;
            q = hit + 2;
            continue;
          }
        }
        fields->push_back(CSVField{static_cast<uint32_t>(content - data),
                                   static_cast<uint32_t>(hit - data), flags});
        p = hit + 1;
        break;
      }
      // After the closing quote: delimiter, line break or end.
      if (p == end) {
        if (!at_end) return RowStatus::kIncomplete;
        *next = size;
        return RowStatus::kOk;
      }
      if (*p == delimiter) {
        ++p;
        continue;
      }
      if (*p == '\n' || *p == '\r') {
        // handled below as a row end
      } else {
        *error_offset = static_cast<size_t>(p - data);
        // Resume after the end of this physical line.
        *next = SkipLine(data, size, static_cast<size_t>(p - data));
        if (*next == size && !at_end) return RowStatus::kIncomplete;
        return RowStatus::kUnexpectedQuote;
      }
    } else {
      // Unquoted field: runs to the next delimiter or line break.
      const char* start = p;
      if (delimiter == ',' || delimiter == '\t' || delimiter == ';' || delimiter == '|') {
        p = FindAny3(p, end, delimiter, '\n', '\r');
      } else {
        while (p < end && !special_[static_cast<unsigned char>(*p)]) ++p;
      }
      fields->push_back(
          CSVField{static_cast<uint32_t>(start - data), static_cast<uint32_t>(p - data), 0});
      if (p == end) {
        if (!at_end) return RowStatus::kIncomplete;
        *next = size;
        return RowStatus::kOk;
      }
      if (*p == delimiter) {
        ++p;
        continue;
      }
    }
    // Row end at p: '\n', '\r' or "\r\n".
    if (*p == '\r') {
      if (p + 1 == end && !at_end) return RowStatus::kIncomplete;
      if (p + 1 < end && p[1] == '\n') ++p;
    }
    *next = static_cast<size_t>(p + 1 - data);
    return RowStatus::kOk;
  }
}

size_t CSVTokenizer::Unescape(const char* data, const CSVField& field, char* out) const {
  const char* p = data + field.begin;
  const char* const end = data + field.end;
  char* o = out;
  if (!field.escaped()) {
    std::memcpy(o, p, static_cast<size_t>(end - p));
    return static_cast<size_t>(end - p);
  }
  const char escape = dialect_.escape;
  while (p < end) {
    if (*p == escape && p + 1 < end) {
      *o++ = p[1];
      p += 2;
    } else {
      *o++ = *p++;
    }
  }
  return static_cast<size_t>(o - out);
}

std::string CSVTokenizer::UnescapeToString(const char* data, const CSVField& field) const {
  std::string out(field.end - field.begin, '\0');
  out.resize(Unescape(data, field, out.data()));
  return out;
}

size_t CSVTokenizer::SkipLine(const char* data, size_t size, size_t pos) const {
  const char* end = data + size;
  const char* p = FindAny3(data + pos, end, '\n', '\r', '\n');
  if (p == end) return size;
  if (*p == '\r' && p + 1 < end && p[1] == '\n') ++p;
  return static_cast<size_t>(p + 1 - data);
}

}  // namespace sluice::formats

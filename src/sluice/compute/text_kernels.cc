// Text kernels: LIKE, substr, replace, split_part, regular expressions (RE2: linear time, no
// backtracking blow-ups), concatenation, case mapping, trim and length.
#include <algorithm>
#include <limits>

#include <re2/re2.h>

#include "sluice/common/ascii.h"
#include "sluice/compute/evaluator.h"
#include "sluice/compute/text_case.h"

namespace sluice::compute {
namespace {

using columnar::Column;
using columnar::ColumnPtr;
using columnar::DataType;
using columnar::Int64Builder;
using columnar::StringBuilder;
using columnar::StringColumn;

size_t CharLength(std::string_view text, size_t at) {
  const unsigned char c = static_cast<unsigned char>(text[at]);
  size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
  return std::min(n, text.size() - at);
}

// SQL LIKE: % any run, _ one character; iterative with one backtrack point per %.
bool LikeMatch(std::string_view text, std::string_view pattern) {
  size_t t = 0, p = 0, star_p = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '%') {
      star_p = ++p;
      star_t = t;
    } else if (p < pattern.size() && pattern[p] == '_') {
      t += CharLength(text, t);
      ++p;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++t;
      ++p;
    } else if (star_p != std::string_view::npos) {
      star_t += CharLength(text, star_t);
      t = star_t;
      p = star_p;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '%') ++p;
  return p == pattern.size();
}

std::string_view Str(const ColumnPtr& column, int64_t i) {
  return static_cast<const StringColumn&>(*column).Value(i);
}

// substr(text, start[, length]) counts characters from 1; a negative start counts from the
// end (as DuckDB); a negative length gives ''.

}  // namespace

ColumnPtr Evaluator::Like(const Column& a, const Column& b, bool fold_case) {
  const auto& x = static_cast<const StringColumn&>(a);
  const auto& y = static_cast<const StringColumn&>(b);
  std::string text, pattern;
  return Booleans([&](int64_t i, bool* value) {
    if (a.IsNull(i) || b.IsNull(i)) return false;
    if (!fold_case) return *value = LikeMatch(x.Value(i), y.Value(i)), true;
    CaseMap(x.Value(i), false, &text);
    CaseMap(y.Value(i), false, &pattern);
    return *value = LikeMatch(text, pattern), true;
  });
}

ColumnPtr Evaluator::Substr(const std::vector<ColumnPtr>& args) {
  constexpr int64_t kRest = std::numeric_limits<int64_t>::max();
  return Strings(args, [&](int64_t i, std::string* out) {
    const std::string_view text = Str(args[0], i);
    int64_t characters = 0;
    for (char c : text) characters += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    int64_t start = IntReader(*args[1])[i];
    const int64_t length = args.size() > 2 ? IntReader(*args[2])[i] : kRest;
    if (length < 0) return true;
    if (start < 0)
      start = std::max<int64_t>(characters + start + 1, std::numeric_limits<int64_t>::min() / 2);
    const int64_t end = length >= kRest - std::max<int64_t>(start, 0) ? kRest : start + length;
    int64_t position = 1;
    for (size_t at = 0; at < text.size() && position < end; ++position) {
      const size_t n = CharLength(text, at);
      if (position >= start) out->append(text.substr(at, n));
      at += n;
    }
    return true;
  });
}

ColumnPtr Evaluator::Replace(const std::vector<ColumnPtr>& args) {
  return Strings(args, [&](int64_t i, std::string* out) {
    const std::string_view text = Str(args[0], i);
    const std::string_view from = Str(args[1], i);
    const std::string_view to = Str(args[2], i);
    if (from.empty()) return out->assign(text), true;
    size_t at = 0;
    while (true) {
      const size_t found = text.find(from, at);
      if (found == std::string_view::npos) break;
      out->append(text.substr(at, found - at));
      out->append(to);
      at = found + from.size();
    }
    out->append(text.substr(at));
    return true;
  });
}

ColumnPtr Evaluator::SplitPart(const std::vector<ColumnPtr>& args) {
  return Strings(args, [&](int64_t i, std::string* out) {
    const std::string_view text = Str(args[0], i);
    const std::string_view delimiter = Str(args[1], i);
    const int64_t index = IntReader(*args[2])[i];
    if (index < 1) return true;  // '' as DuckDB
    if (delimiter.empty()) return index == 1 ? (out->assign(text), true) : true;
    size_t at = 0;
    for (int64_t part = 1;; ++part) {
      const size_t found = text.find(delimiter, at);
      if (part == index) {
        out->assign(
            text.substr(at, found == std::string_view::npos ? std::string_view::npos : found - at));
        return true;
      }
      if (found == std::string_view::npos) return true;
      at = found + delimiter.size();
    }
  });
}

// ---- regular expressions (RE2: linear time, no backtracking blow-ups) ----
// ---- regular expressions (RE2: linear time, no backtracking blow-ups) ----
ColumnPtr Evaluator::Regex(const BoundExpr& expr, const std::vector<ColumnPtr>& args) {
  const RE2& regex = *expr.regex;
  if (expr.kernel == Kernel::kRegexpMatches) {
    const auto& x = static_cast<const StringColumn&>(*args[0]);
    return Booleans([&](int64_t i, bool* value) {
      if (x.IsNull(i)) return false;
      const std::string_view text = x.Value(i);
      return *value = RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), regex), true;
    });
  }
  if (expr.kernel == Kernel::kRegexpExtract) {
    const int group = expr.regex_group;
    std::vector<re2::StringPiece> groups(static_cast<size_t>(group) + 1);
    return Strings(args, [&](int64_t i, std::string* out) {
      const std::string_view text = Str(args[0], i);
      const re2::StringPiece piece(text.data(), text.size());
      if (regex.Match(piece, 0, piece.size(), RE2::UNANCHORED, groups.data(),
                      static_cast<int>(groups.size()))) {
        out->assign(groups[static_cast<size_t>(group)].data(),
                    groups[static_cast<size_t>(group)].size());
      }
      return true;  // no match: '' (as DuckDB)
    });
  }
  return Strings(args, [&](int64_t i, std::string* out) {
    out->assign(Str(args[0], i));
    const std::string_view replacement = Str(args[1], i);
    const re2::StringPiece rewrite(replacement.data(), replacement.size());
    if (expr.global) {
      RE2::GlobalReplace(out, regex, rewrite);
    } else {
      RE2::Replace(out, regex, rewrite);
    }
    return true;
  });
}

ColumnPtr Evaluator::Concat(const std::vector<ColumnPtr>& args, bool strict) {
  StringBuilder builder;
  std::string text;
  for (int64_t i = 0; i < rows_; ++i) {
    text.clear();
    bool null = false;
    for (const ColumnPtr& arg : args) {
      if (arg->IsNull(i)) {
        null = true;
        continue;  // concat() skips nulls; || makes the whole value null
      }
      text += static_cast<const StringColumn&>(*arg).Value(i);
    }
    if (strict && null) {
      builder.AppendNull();
    } else {
      builder.Append(text);
    }
  }
  return builder.Finish();
}

ColumnPtr Evaluator::StringFunction(Kernel f, const Column& a) {
  const auto& x = static_cast<const StringColumn&>(a);
  if (f == Kernel::kLength) {
    Int64Builder builder(DataType::Int64());
    for (int64_t i = 0; i < rows_; ++i) {
      if (a.IsNull(i)) {
        builder.AppendNull();
        continue;
      }
      int64_t characters = 0;  // UTF-8 code points: every byte that is not a continuation
      for (char c : x.Value(i)) characters += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
      builder.Append(characters);
    }
    return builder.Finish();
  }
  StringBuilder builder;
  std::string text;
  for (int64_t i = 0; i < rows_; ++i) {
    if (a.IsNull(i)) {
      builder.AppendNull();
      continue;
    }
    std::string_view value = x.Value(i);
    if (f == Kernel::kTrim) {
      value = TrimSpaces(value);
      builder.Append(value);
      continue;
    }
    CaseMap(value, f == Kernel::kUpper, &text);
    builder.Append(text);
  }
  return builder.Finish();
}

}  // namespace sluice::compute

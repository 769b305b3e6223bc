#include "sluice/connectors/file/glob.h"

#include <algorithm>

namespace sluice::connectors {

namespace {

// Matches one character class starting at pattern[i] == '['; sets *next past the ']'. Returns
// false with *next = npos when the class is not closed (then '[' is literal).
bool MatchClass(std::string_view pattern, size_t i, char c, size_t* next) {
  size_t j = i + 1;
  bool negate = false;
  if (j < pattern.size() && (pattern[j] == '!' || pattern[j] == '^')) {
    negate = true;
    ++j;
  }
  bool matched = false;
  bool first = true;
  while (j < pattern.size() && (pattern[j] != ']' || first)) {
    first = false;
    char low = pattern[j];
    if (low == '\\' && j + 1 < pattern.size()) low = pattern[++j];
    char high = low;
    if (j + 2 < pattern.size() && pattern[j + 1] == '-' && pattern[j + 2] != ']') {
      high = pattern[j + 2];
      if (high == '\\' && j + 3 < pattern.size()) {
        high = pattern[j + 3];
        ++j;
      }
      j += 2;
    }
    if (c >= low && c <= high) matched = true;
    ++j;
  }
  if (j >= pattern.size()) {
    *next = std::string_view::npos;
    return false;
  }
  *next = j + 1;
  return matched != negate;
}

bool MatchFrom(std::string_view pattern, size_t p, std::string_view path, size_t s) {
  while (p < pattern.size()) {
    const char c = pattern[p];
    if (c == '*') {
      const bool double_star = p + 1 < pattern.size() && pattern[p + 1] == '*';
      if (double_star) {
        // "**/" matches zero or more whole directories; a trailing "**" matches everything.
        size_t after = p + 2;
        if (after == pattern.size()) return true;
        if (pattern[after] == '/') {
          ++after;
          for (size_t t = s; t <= path.size(); ++t) {
            if ((t == s || path[t - 1] == '/') && MatchFrom(pattern, after, path, t)) return true;
          }
          return false;
        }
        // "**x" inside a component behaves like '*'.
        p = after - 1;
        continue;
      }
      // Single star: any run of non-'/' characters.
      for (size_t t = s; t <= path.size(); ++t) {
        if (MatchFrom(pattern, p + 1, path, t)) return true;
        if (t < path.size() && path[t] == '/') break;
      }
      return false;
    }
    if (s >= path.size()) return false;
    if (c == '?') {
      if (path[s] == '/') return false;
      ++p;
      ++s;
      continue;
    }
    if (c == '[') {
      size_t next = 0;
      const bool matched = path[s] != '/' && MatchClass(pattern, p, path[s], &next);
      if (next == std::string_view::npos) {
        if (path[s] != '[') return false;  // an unclosed '[' is literal
        ++p;
        ++s;
        continue;
      }
      if (!matched) return false;
      p = next;
      ++s;
      continue;
    }
    char literal = c;
    if (c == '\\' && p + 1 < pattern.size()) literal = pattern[++p];
    if (path[s] != literal) return false;
    ++p;
    ++s;
  }
  return s == path.size();
}

bool IsHiddenOrTemporary(std::string_view relative) {
  size_t start = 0;
  while (start <= relative.size()) {
    size_t end = relative.find('/', start);
    if (end == std::string_view::npos) end = relative.size();
    std::string_view component = relative.substr(start, end - start);
    if (!component.empty() && component.front() == '.') return true;
    if (component.find(".tmp-") != std::string_view::npos) return true;
    if (component.ends_with(".tmp") || component.ends_with(".part") ||
        component.ends_with(".crdownload") || component.ends_with("~")) {
      return true;
    }
    start = end + 1;
  }
  return false;
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view path) {
  return MatchFrom(pattern, 0, path, 0);
}

bool HasWildcard(std::string_view pattern) {
  return pattern.find_first_of("*?[") != std::string_view::npos;
}

Result<std::vector<io::FileInfo>> ExpandGlob(io::FileSystem& fs, const std::string& pattern) {
  // The listing prefix: everything up to the last '/' before the first wildcard.
  const size_t wildcard = pattern.find_first_of("*?[");
  if (wildcard == std::string::npos) {
    if (pattern.ends_with("/")) {
      SLUICE_ASSIGN_OR_RETURN(std::vector<io::FileInfo> files, fs.List(pattern));
      std::erase_if(files, [&](const io::FileInfo& file) {
        return IsHiddenOrTemporary(std::string_view(file.path).substr(pattern.size()));
      });
      return files;
    }
    Result<io::FileInfo> info = fs.Stat(pattern);
    if (!info.ok()) {
      if (info.status().code() == StatusCode::kNotFound) return std::vector<io::FileInfo>();
      return info.status();
    }
    return std::vector<io::FileInfo>{*info};
  }
  const size_t slash = pattern.rfind('/', wildcard);
  const std::string prefix = slash == std::string::npos ? "" : pattern.substr(0, slash + 1);
  SLUICE_ASSIGN_OR_RETURN(std::vector<io::FileInfo> listed,
                          fs.List(prefix.empty() ? "./" : prefix));
  std::vector<io::FileInfo> matched;
  const std::string_view rest = std::string_view(pattern).substr(prefix.size());
  const bool pattern_names_hidden =
      rest.find("/.") != std::string_view::npos || rest.starts_with(".");
  for (io::FileInfo& file : listed) {
    std::string_view path = file.path;
    // A listing of "./" gives "./x"; match the pattern against the part after the prefix.
    const std::string& listed_prefix = prefix.empty() ? std::string("./") : prefix;
    if (!path.starts_with(listed_prefix)) continue;
    std::string_view relative = path.substr(listed_prefix.size());
    if (!pattern_names_hidden && IsHiddenOrTemporary(relative)) continue;
    if (!GlobMatch(rest, relative)) continue;
    if (prefix.empty()) file.path = std::string(relative);
    matched.push_back(std::move(file));
  }
  std::sort(matched.begin(), matched.end(),
            [](const io::FileInfo& a, const io::FileInfo& b) { return a.path < b.path; });
  return matched;
}

}  // namespace sluice::connectors

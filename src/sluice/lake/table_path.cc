#include "sluice/lake/table_path.h"

#include <cctype>
#include <filesystem>

#include "sluice/lake/actions.h"

namespace sluice::lake {
namespace {

// The URI scheme of `path` in lower case ("" when it has none).
std::string SchemeOf(std::string_view path) {
  const size_t colon = path.find(':');
  if (colon == std::string_view::npos || colon == 0) return "";
  std::string scheme;
  for (size_t i = 0; i < colon; ++i) {
    const auto c = static_cast<unsigned char>(path[i]);
    if (!std::isalnum(c) && c != '+' && c != '-' && c != '.') return "";
    scheme += static_cast<char>(std::tolower(c));
  }
  if (!std::isalpha(static_cast<unsigned char>(scheme[0]))) return "";
  return scheme;
}

std::string SameStore(const std::string& scheme) {
  return scheme == "s3a" || scheme == "s3n" ? "s3" : scheme;
}

Status Corrupt(std::string_view path, const std::string& why) {
  return Status::DataError("corrupt table: the log names the file '" + std::string(path) + "', " +
                           why);
}

// The local path of a "file:" URI (file:/a, file:///a, file://localhost/a); empty when malformed.
std::string LocalPathOfFileUri(std::string_view uri) {
  std::string_view rest = uri.substr(5);
  if (rest.starts_with("//")) {
    rest.remove_prefix(2);
    const size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return "";
    const std::string_view host = rest.substr(0, slash);
    if (!host.empty() && host != "localhost") return "";
    rest.remove_prefix(slash);
  }
  return rest.starts_with('/') ? std::string(rest) : "";
}

}  // namespace

Result<std::string> ResolveTablePath(std::string_view table_root, std::string_view action_path) {
  const std::string decoded = DecodeActionPath(action_path);
  const std::string scheme = SchemeOf(decoded);
  const std::string root_scheme = SchemeOf(table_root);
  std::string relative;
  if (!scheme.empty() || decoded.starts_with('/')) {
    std::string path;
    std::string root;
    if (scheme.empty() || scheme == "file") {
      if (!root_scheme.empty() && root_scheme != "file") {
        return Corrupt(action_path, "a local path in a table on " + root_scheme + "://");
      }
      path = scheme.empty() ? decoded : LocalPathOfFileUri(decoded);
      if (path.empty()) return Corrupt(action_path, "a malformed file: URI");
      root = root_scheme.empty() ? std::string(table_root)
                                 : LocalPathOfFileUri(std::string(table_root));
      root = std::filesystem::absolute(root).lexically_normal().string();
    } else {
      if (SameStore(scheme) != SameStore(root_scheme)) {
        return Corrupt(action_path, "whose scheme " + scheme + ": is not the table's (" +
                                        (root_scheme.empty() ? "a local folder" : root_scheme) +
                                        ")");
      }
      path = decoded.substr(scheme.size() + 1);
      root = std::string(table_root.substr(root_scheme.size() + 1));
    }
    while (root.size() > 1 && root.back() == '/') root.pop_back();
    if (!path.starts_with(root + "/")) {
      return Corrupt(action_path, "an absolute path outside the table " + std::string(table_root));
    }
    relative = path.substr(root.size() + 1);
  } else {
    relative = decoded;
  }
  if (relative.empty()) return Corrupt(action_path, "an empty path");
  size_t start = 0;
  while (start <= relative.size()) {
    size_t slash = relative.find('/', start);
    if (slash == std::string::npos) slash = relative.size();
    const std::string_view segment = std::string_view(relative).substr(start, slash - start);
    if (segment == "." || segment == "..") {
      return Corrupt(action_path, "a path with a '" + std::string(segment) + "' segment");
    }
    if (segment.empty()) return Corrupt(action_path, "a path with an empty segment");
    if (segment.find('\0') != std::string_view::npos) {
      return Corrupt(action_path, "a path with a NUL byte");
    }
    start = slash + 1;
  }
  return relative;
}

}  // namespace sluice::lake

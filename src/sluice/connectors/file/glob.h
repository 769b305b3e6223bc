// Glob patterns over a FileSystem: the `path:` of a file source.
//
//   *       any characters except '/'
//   ?       one character except '/'
//   [abc]   one of the characters; [a-z] a range; [!abc] none of them
//   **      as a whole path component: any number of directories (including none)
//   \x      the character x literally
// A pattern without wildcards names one file (or, when it ends with '/', every file under it).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/result.h"
#include "sluice/io/file_system.h"

namespace sluice::connectors {

// True when `path` matches `pattern` in full (both use '/' separators).
bool GlobMatch(std::string_view pattern, std::string_view path);

// True when `pattern` has any wildcard.
bool HasWildcard(std::string_view pattern);

// The files matching `pattern` (a path or URI), sorted by path; listing starts at the longest
// directory prefix without wildcards. Hidden files (a component starting with '.') and
// temporary files are not matched unless the pattern names them. Errors: I/O errors of the listing.
Result<std::vector<io::FileInfo>> ExpandGlob(io::FileSystem& fs, const std::string& pattern);

}  // namespace sluice::connectors

// Where a path from a table's log points: the only place a log entry's path becomes a file path.
//
// Paths in add/remove actions and 'p' deletion vectors are URL-encoded URIs, relative to the table
// root or absolute. A table whose log sends a reader outside its own folder is corrupt (or
// hostile): an absolute path must lie inside the table root, with the table's scheme (s3, s3a and
// s3n are one; file: and plain absolute paths for a local table), and no path may hold "." or
// ".." segments or empty segments once decoded.
#pragma once

#include <string>
#include <string_view>

#include "sluice/common/result.h"

namespace sluice::lake {

// The decoded path of the file relative to `table_root`. Errors: DataError ("corrupt table")
// naming the path and what is wrong with it.
Result<std::string> ResolveTablePath(std::string_view table_root, std::string_view action_path);

}  // namespace sluice::lake

// FileSystem: the storage a lake lives on — a local folder now, an object store (s3://) next.
//
// Paths are URIs: "file:///data/lake/t/_delta_log/00000000000000000000.json", or a plain local
// path ("/data/lake/t/...", "lake/t/..."), which means the local file system. Each implementation
// accepts only its own scheme and returns InvalidArgument for others. Listing and writing take
// the same kind of URI the caller passed in (a plain path in, plain paths out).
//
// The operations are the ones an object store offers, so that a lake written through this
// interface behaves the same on both: ranged reads, whole-object streamed writes that become
// visible only when closed, list by prefix, delete, and an atomic create-if-absent that is the
// basis of Delta commits.
//
// Durability (local): Close() of a write and CreateIfAbsent() fsync the file and its directory
// before returning, so an acknowledged object survives a power loss. A crash before that leaves
// either nothing at the final path or the complete object, never a partial one.
//
// Thread-safety: every method may be called concurrently from several threads and processes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/result.h"
#include "sluice/io/output_stream.h"
#include "sluice/io/random_access_file.h"

namespace sluice::io {

struct FileInfo {
  std::string path;                  // the full URI/path, in the caller's form
  int64_t size = 0;                  // bytes
  int64_t modification_time_ms = 0;  // milliseconds since the Unix epoch
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // "file" or "s3": names this implementation in messages.
  virtual std::string_view scheme() const = 0;

  // Opens an object for ranged reads. Errors: NotFound, IOError.
  virtual Result<std::shared_ptr<RandomAccessFile>> OpenForRead(const std::string& path) = 0;

  // Reads a whole object. Errors: NotFound, IOError.
  virtual Result<std::string> ReadAll(const std::string& path) = 0;

  // Starts a streamed write of a whole object; parent directories are created as needed. The
  // object appears at `path` only when Close() succeeds (written to a temporary name and renamed
  // on a local disk); an existing object is replaced. A stream destroyed without Close() leaves
  // nothing at `path`.
  virtual Result<std::unique_ptr<OutputStream>> OpenForWrite(const std::string& path) = 0;

  // Atomically creates `path` with `contents` only if nothing exists there yet. Returns true when
  // this call created it and false when the path already existed (then nothing was written).
  // Only a complete object is ever visible at `path`. Errors: IOError (the outcome may then be
  // unknown: the caller reads the path back to learn whether its write landed).
  virtual Result<bool> CreateIfAbsent(const std::string& path, std::string_view contents) = 0;

  // Size and modification time of one object. Errors: NotFound, IOError.
  virtual Result<FileInfo> Stat(const std::string& path) = 0;

  // Every object whose path starts with `prefix` (a "directory" prefix ends with '/'), at any
  // depth, sorted by path. A prefix that matches nothing gives an empty list. Directories
  // themselves are not listed (an object store has none).
  virtual Result<std::vector<FileInfo>> List(const std::string& prefix) = 0;

  // Deletes one object. Deleting a missing object is not an error.
  virtual Status Delete(const std::string& path) = 0;

  // Cleans up after writes that were interrupted and that nobody will finish: the temporary files
  // of killed writers (local) or multipart uploads never completed (object store) under the
  // directory `prefix`, started before `older_than_ms` (ms since the epoch; younger ones may
  // belong to a writer still at work). Returns what was cleaned (with `dry_run`, what would be),
  // by path. Default: nothing to clean.
  virtual Result<std::vector<FileInfo>> AbortStaleWrites(const std::string& prefix,
                                                         int64_t older_than_ms, bool dry_run) {
    return std::vector<FileInfo>();
  }

  // Removes the directories under `prefix` (and `prefix` itself) that hold no file, deepest
  // first: what a write that failed before its commit leaves on a local disk. Default (an object
  // store has no directories): nothing.
  virtual Status DeleteEmptyDirectories(const std::string& prefix) { return Status::OK(); }

  // Deletes many objects (an object store does it in batches). Missing objects are not errors.
  virtual Status DeleteMany(const std::vector<std::string>& paths) {
    for (const std::string& path : paths) SLUICE_RETURN_NOT_OK(Delete(path));
    return Status::OK();
  }
};

// The local file system ("file://" URIs and plain paths).
std::shared_ptr<FileSystem> LocalFileSystem();

// The file system for a URI by its scheme: plain paths and file:// → local, mem:// → the
// process's in-memory store (memory_file_system.h, for tests), s3:// → the process's S3 file
// system (io/s3/s3_file_system.h; endpoint, region and credentials from
// ConfigureS3 and the AWS environment). Errors: InvalidArgument naming the scheme when it is not
// supported. Defined in the sluice_file_systems library, which links every implementation.
Result<std::shared_ptr<FileSystem>> FileSystemForUri(std::string_view uri);

// The scheme of "<scheme>://..." in lower case, or "" for a plain path.
std::string UriScheme(std::string_view uri);

// Joins a base URI/path and a relative path with exactly one '/' between them.
std::string JoinPath(std::string_view base, std::string_view relative);

}  // namespace sluice::io

// InputStream: a sequential byte source (a local file, stdin, or a decompressing wrapper).
//
// Paths are local file paths or "-" for standard input. The FileSystem interface (local, s3://)
// arrives with the lake; readers only need this sequential view.
// Not thread-safe: one reader at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "sluice/common/result.h"

namespace sluice::io {

class InputStream {
 public:
  virtual ~InputStream() = default;

  // Reads up to `size` bytes into `buffer`; returns the count, 0 only at end of stream.
  virtual Result<size_t> Read(char* buffer, size_t size) = 0;

  // The path this stream reads, for error messages.
  virtual const std::string& path() const = 0;

  // Reads until `size` bytes are read or the stream ends; returns the count.
  Result<size_t> ReadFully(char* buffer, size_t size);
};

// Opens a local file ("-" = standard input) for sequential reading.
Result<std::unique_ptr<InputStream>> OpenFile(const std::string& path);

// A stream over bytes held in memory (tests, fuzzers, data already fetched). `path` names it in
// error messages. `max_read` caps each Read() to exercise callers' buffer-boundary handling.
std::unique_ptr<InputStream> MakeMemoryInputStream(std::string data, std::string path,
                                                   size_t max_read = SIZE_MAX);

// A stream that yields `prefix` first and then the rest of `rest` (bytes a reader already took
// from `rest` and wants to hand on with it).
std::unique_ptr<InputStream> MakePrefixedInputStream(std::string prefix,
                                                     std::unique_ptr<InputStream> rest);

// Like MakeMemoryInputStream, but over bytes the caller owns and keeps alive and unchanged for
// the stream's lifetime (no copy).
std::unique_ptr<InputStream> MakeMemoryViewInputStream(std::string_view data, std::string path);

enum class Compression { kNone, kGzip, kZstd };

// Compression by file extension (".gz", ".zst"/".zstd"), else kNone.
Compression CompressionFromPath(const std::string& path);

// Opens `path` and decompresses it when its extension or its first bytes (gzip or zstd magic) say
// it is compressed. The returned stream yields the decompressed bytes.
Result<std::unique_ptr<InputStream>> OpenDecompressed(const std::string& path);

}  // namespace sluice::io

// RandomAccessFile: ranged reads of an object of known size (a local file, later an S3 object).
//
// Contract: ReadAt returns exactly the requested range or an error (IOError; reading past the
// end is a DataError naming the path, since it means a file's own offsets point outside it).
// Thread-safety: ReadAt may be called concurrently from several threads.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "sluice/common/result.h"

namespace sluice::io {

class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;

  virtual int64_t size() const = 0;
  virtual const std::string& path() const = 0;

  // Reads [offset, offset + length) into `out`.
  virtual Status ReadAt(int64_t offset, int64_t length, uint8_t* out) const = 0;
};

// Opens a local file for ranged reads. Errors: NotFound, IOError.
Result<std::unique_ptr<RandomAccessFile>> OpenRandomAccessFile(const std::string& path);

// A file over bytes in memory (tests, fuzzers). `path` names it in errors.
std::unique_ptr<RandomAccessFile> MakeMemoryRandomAccessFile(std::string data, std::string path);

}  // namespace sluice::io

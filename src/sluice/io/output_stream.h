// OutputStream: a sequential byte sink (a local file, stdout, or memory).
//
// Contract: Write either takes all bytes or fails (IOError naming the path). Close flushes and,
// for files opened with `sync`, fsyncs the file before returning — only then are the bytes
// durable. A stream destroyed without Close discards nothing it has already handed to the OS but
// reports no errors. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "sluice/common/result.h"

namespace sluice::io {

class OutputStream {
 public:
  virtual ~OutputStream() = default;

  virtual Status Write(const void* data, size_t size) = 0;
  Status Write(std::string_view bytes) { return Write(bytes.data(), bytes.size()); }
  // Bytes written so far.
  virtual int64_t position() const = 0;
  virtual Status Close() = 0;
  virtual const std::string& path() const = 0;
};

struct FileOutputOptions {
  bool sync = false;  // fsync on Close
};

// Creates or truncates a local file ("-" = standard output).
Result<std::unique_ptr<OutputStream>> OpenOutputFile(const std::string& path,
                                                     FileOutputOptions options = {});

// A stream appending to *target, which must outlive it.
std::unique_ptr<OutputStream> MakeStringOutputStream(std::string* target,
                                                     std::string path = "<memory>");

}  // namespace sluice::io

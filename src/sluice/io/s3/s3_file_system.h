// S3FileSystem: the FileSystem interface over an S3-compatible object store ("s3://bucket/key").
//
// - OpenForRead: a HEAD for the size, then ranged GETs for each ReadAt.
// - OpenForWrite: bytes are buffered; an object smaller than the part size is one PUT on Close().
//   A larger one becomes a multipart upload whose parts go up in parallel (up to
//   `upload_parallelism` at once) while the caller keeps writing; Close() completes it. Any
//   failure, or a stream destroyed without Close(), aborts the upload, so no orphan parts stay
//   behind (and nothing appears at the path).
// - CreateIfAbsent: a PUT with If-None-Match: * (a 412 means the object exists). The first time a
//   process creates an object in a bucket it checks that the store honours the condition — it
//   writes a probe object twice and expects the second PUT to be refused — and refuses every
//   CreateIfAbsent in that bucket, with a message saying why, when the store silently overwrites:
//   Delta commits on such a store would lose each other.
// - List: ListObjectsV2, every page; Delete: DELETE; DeleteMany: DeleteObjects batches of 1000.
//
// Paths in and out are "s3://bucket/key". Thread-safety: all methods, from any thread.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "sluice/io/file_system.h"
#include "sluice/io/s3/s3_client.h"

namespace sluice::io::s3 {

class S3FileSystem final : public FileSystem {
 public:
  explicit S3FileSystem(std::shared_ptr<S3Client> client);

  std::string_view scheme() const override { return "s3"; }
  Result<std::shared_ptr<RandomAccessFile>> OpenForRead(const std::string& path) override;
  Result<std::string> ReadAll(const std::string& path) override;
  Result<std::unique_ptr<OutputStream>> OpenForWrite(const std::string& path) override;
  Result<bool> CreateIfAbsent(const std::string& path, std::string_view contents) override;
  Result<FileInfo> Stat(const std::string& path) override;
  Result<std::vector<FileInfo>> List(const std::string& prefix) override;
  Status Delete(const std::string& path) override;
  // Aborts multipart uploads under `prefix` initiated before `older_than_ms` (an upload whose
  // store gives no initiation time is left alone).
  Result<std::vector<FileInfo>> AbortStaleWrites(const std::string& prefix, int64_t older_than_ms,
                                                 bool dry_run) override;
  Status DeleteMany(const std::vector<std::string>& paths) override;

  S3Client& client() { return *client_; }

 private:
  // Once per bucket: does a conditional PUT on an existing object fail as it must?
  Status CheckConditionalWrites(const std::string& bucket, const std::string& key);

  std::shared_ptr<S3Client> client_;
  std::mutex mutex_;
  std::map<std::string, Status> conditional_checks_;  // bucket → the check's verdict
};

// The process's S3 settings (the project file's `s3:` block). Call before the first s3:// path
// is used; a later call replaces the file system DefaultS3FileSystem hands out.
void ConfigureS3(S3Settings settings);

// The process's S3 file system, built on first use from ConfigureS3's settings and the AWS
// environment (S3Config). Errors: InvalidArgument for a malformed endpoint or profile file.
Result<std::shared_ptr<FileSystem>> DefaultS3FileSystem();

}  // namespace sluice::io::s3

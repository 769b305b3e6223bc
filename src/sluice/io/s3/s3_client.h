// S3Client: the S3 REST operations sluice uses, signed (SigV4) and retried.
//
// Every request is signed afresh per attempt, with the payload's SHA-256. An attempt that fails
// with a transport error (refused, reset, stalled past the request timeout), a 5xx, a 429 or a
// throttling/RequestTimeout code is retried after an exponential backoff with full jitter
// (ceiling = retry_base_delay_ms × 2^(attempt-1), at most retry_max_delay_ms), or after the
// server's Retry-After when that is longer; other answers are returned at once. When attempts run
// out the error is Unavailable (or Timeout), naming the operation, the object and the last cause.
//
// Errors name the object as s3://bucket/key and the server's error code and sentence. Access
// problems (403: a wrong secret, an unknown key id, a denied bucket) are InvalidArgument — a
// configuration error no retry can mend — and say which credentials were used (never the secret).
//
// Thread-safety: every method may be called from any number of threads at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/common/result.h"
#include "sluice/io/s3/http_client.h"
#include "sluice/io/s3/s3_config.h"
#include "sluice/io/s3/s3_xml.h"

namespace sluice::io::s3 {

struct ObjectInfo {
  int64_t size = 0;
  int64_t modification_time_ms = 0;
  std::string etag;
};

// Counters for tests and diagnostics.
struct S3ClientStats {
  int64_t requests = 0;     // attempts sent
  int64_t retries = 0;      // attempts that were retries
  int64_t connections = 0;  // new connections opened (the rest reused one)
};

class S3Client {
 public:
  explicit S3Client(S3Config config);

  const S3Config& config() const { return config_; }

  Result<ObjectInfo> Head(const std::string& bucket, const std::string& key);
  Result<std::string> Get(const std::string& bucket, const std::string& key);
  // Reads exactly [offset, offset + length) into `out`.
  Status GetRange(const std::string& bucket, const std::string& key, int64_t offset, int64_t length,
                  uint8_t* out);
  Status Put(const std::string& bucket, const std::string& key, std::string_view body);
  // PUT with If-None-Match: *. True when this call created the object, false when one existed.
  // A 412 is followed by reading the object back: equal to `body` means an earlier attempt of
  // this call landed without our seeing the answer (true). Writers of one path must therefore
  // write distinct contents (Delta commits do: each carries its txnId).
  Result<bool> PutIfAbsent(const std::string& bucket, const std::string& key,
                           std::string_view body);
  // One page of ListObjectsV2 (max_keys ≤ 1000).
  Result<ListPage> ListObjects(const std::string& bucket, const std::string& prefix,
                               const std::string& continuation_token, int max_keys = 1000);
  Status Delete(const std::string& bucket, const std::string& key);
  // DeleteObjects, up to 1000 keys per request (more are split). Missing keys are not errors.
  Status DeleteMany(const std::string& bucket, const std::vector<std::string>& keys);

  Result<std::string> CreateMultipartUpload(const std::string& bucket, const std::string& key);
  // Returns the part's ETag.
  Result<std::string> UploadPart(const std::string& bucket, const std::string& key,
                                 const std::string& upload_id, int part_number,
                                 std::string_view body);
  Status CompleteMultipartUpload(const std::string& bucket, const std::string& key,
                                 const std::string& upload_id,
                                 const std::vector<UploadedPart>& parts);
  Status AbortMultipartUpload(const std::string& bucket, const std::string& key,
                              const std::string& upload_id);
  // The uploads in progress under `prefix` (to prove none is left behind).
  Result<std::vector<MultipartUploadInfo>> ListMultipartUploads(const std::string& bucket,
                                                                const std::string& prefix);

  // A URL anyone may use with `method` (GET, PUT) on the object until `expires_seconds` pass:
  // the presigned (query) form of SigV4, nothing sent.
  std::string PresignedUrl(const std::string& method, const std::string& bucket,
                           const std::string& key, int64_t expires_seconds) const;

  S3ClientStats stats() const;

 private:
  struct Call {
    std::string method;
    std::string bucket;
    std::string key;  // "" for bucket-level operations
    std::vector<std::pair<std::string, std::string>> query;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string_view body;
    uint8_t* into = nullptr;
    int64_t into_capacity = 0;
  };
  struct CallResult {
    HttpResponse response;
    bool unclear = false;  // some attempt may have taken effect without our seeing the answer
  };

  // The Host header and the encoded path of an object (path or virtual-hosted style).
  void Address(const std::string& bucket, const std::string& key, std::string* host,
               std::string* path) const;
  // Sends with signing and retries; any HTTP answer that is not retryable is returned as is.
  Result<CallResult> Execute(const Call& call);
  // The Status for a non-2xx answer.
  Status ErrorStatus(const Call& call, const HttpResponse& response) const;
  std::string Describe(const Call& call) const;  // "PUT s3://bucket/key", "LIST s3://b/prefix"
  static std::string Prefix(const Call& call);   // the prefix query parameter, or ""
  void Backoff(int attempt, std::string_view retry_after);

  S3Config config_;
  HttpClient http_;
  std::string scheme_;  // "http" or "https"
  std::string host_;    // endpoint host[:port]
  std::atomic<int64_t> requests_{0};
  std::atomic<int64_t> retries_{0};
  std::atomic<int64_t> connections_{0};
};

// "s3://bucket/key/with/slashes" → {"bucket", "key/with/slashes"}. Errors: InvalidArgument.
Result<std::pair<std::string, std::string>> ParseS3Uri(std::string_view uri);

}  // namespace sluice::io::s3

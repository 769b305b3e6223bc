// HttpClient: one HTTP/1.1 exchange at a time per call, over libcurl, with connections kept
// alive and reused across calls (a pool of curl handles, each keeping its own connections).
//
// It knows nothing of S3: no signing, no retries. It reports what happened — a status line with
// headers and body, or a transport failure with whether the request may have reached the server —
// and the S3 client decides what that means.
//
// Timeouts: connecting must finish within `connect_timeout_ms`, and a transfer that moves no byte
// for `idle_timeout_ms` is abandoned (a stalled or swallowed response), however large the body.
//
// Thread-safety: Send may be called from any number of threads at once.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/common/result.h"

namespace sluice::io::s3 {

struct HttpRequest {
  std::string method;  // GET, HEAD, PUT, POST, DELETE
  std::string url;     // absolute, already percent-encoded
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;  // sent with Content-Length (never chunked)
  // When set, a 2xx body is written here instead of into HttpResponse::body; more than
  // `into_capacity` bytes is an error (the server sent more than the range asked for).
  uint8_t* into = nullptr;
  int64_t into_capacity = 0;
};

struct HttpResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  int64_t body_bytes = 0;       // bytes received (into `body` or into `HttpRequest::into`)
  int64_t new_connections = 0;  // connections this exchange opened (0: it reused one)

  // The first header with this lower-case name, or "" when absent.
  std::string_view Header(std::string_view name) const;
};

// A failure below HTTP: could not connect, reset, timed out, TLS failed.
struct TransportError {
  std::string message;
  bool timed_out = false;
  // False only when the request certainly never reached the server (could not resolve or
  // connect), so its effect is known to be nothing.
  bool maybe_sent = true;
};

struct HttpOutcome {
  bool ok() const { return transport_error.message.empty(); }
  HttpResponse response;           // when ok()
  TransportError transport_error;  // when !ok()
};

struct HttpClientOptions {
  int64_t connect_timeout_ms = 10'000;
  int64_t idle_timeout_ms = 30'000;
  bool verify_tls = true;
  std::string ca_file;  // empty: the system's CA store
};

class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpOutcome Send(const HttpRequest& request);

  const HttpClientOptions& options() const { return options_; }

 private:
  void* TakeHandle();
  void ReturnHandle(void* handle);

  HttpClientOptions options_;
  std::mutex mutex_;
  std::vector<void*> idle_handles_;  // CURL*, each with its own live connections
};

}  // namespace sluice::io::s3

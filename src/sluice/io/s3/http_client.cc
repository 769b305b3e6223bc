#include "sluice/io/s3/http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <mutex>

#include "sluice/common/ascii.h"

namespace sluice::io::s3 {
namespace {

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// The state one transfer's callbacks share.
struct Transfer {
  const HttpRequest* request = nullptr;
  HttpResponse* response = nullptr;
  size_t body_sent = 0;
  bool overflow = false;
  // Idle detection: the last time a byte moved either way.
  int64_t idle_timeout_ms = 0;
  curl_off_t last_down = -1;
  curl_off_t last_up = -1;
  std::chrono::steady_clock::time_point last_progress;
  bool idle = false;
};

// Called by libcurl at least once a second: aborts a transfer that moved no byte for too long
// (CURLOPT_LOW_SPEED_TIME averages over several seconds, so a silent server would cost 3-6 s
// more than asked).
int CheckProgress(void* user, curl_off_t, curl_off_t down, curl_off_t, curl_off_t up) {
  auto* transfer = static_cast<Transfer*>(user);
  const auto now = std::chrono::steady_clock::now();
  if (down != transfer->last_down || up != transfer->last_up) {
    transfer->last_down = down;
    transfer->last_up = up;
    transfer->last_progress = now;
    return 0;
  }
  if (now - transfer->last_progress > std::chrono::milliseconds(transfer->idle_timeout_ms)) {
    transfer->idle = true;
    return 1;  // aborts with CURLE_ABORTED_BY_CALLBACK
  }
  return 0;
}

size_t ReadBody(char* buffer, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const std::string_view body = transfer->request->body;
  const size_t n = std::min(size * count, body.size() - transfer->body_sent);
  std::memcpy(buffer, body.data() + transfer->body_sent, n);
  transfer->body_sent += n;
  return n;
}

// Rewinds the upload when curl must send it again (a redirect or a reused connection that closed).
int SeekBody(void* user, curl_off_t offset, int origin) {
  auto* transfer = static_cast<Transfer*>(user);
  if (origin != SEEK_SET || offset < 0 ||
      static_cast<size_t>(offset) > transfer->request->body.size()) {
    return CURL_SEEKFUNC_FAIL;
  }
  transfer->body_sent = static_cast<size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

size_t WriteBody(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t n = size * count;
  HttpResponse& response = *transfer->response;
  // Only a successful body goes to the caller's buffer; an error body is kept for its message.
  const bool into =
      transfer->request->into != nullptr && response.status >= 200 && response.status < 300;
  if (into) {
    if (response.body_bytes + static_cast<int64_t>(n) > transfer->request->into_capacity) {
      transfer->overflow = true;
      return 0;  // aborts the transfer
    }
    std::memcpy(transfer->request->into + response.body_bytes, data, n);
  } else {
    response.body.append(data, n);
  }
  response.body_bytes += static_cast<int64_t>(n);
  return n;
}

size_t ReadHeader(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const size_t n = size * count;
  const std::string_view line(data, n);
  HttpResponse& response = *transfer->response;
  if (line.starts_with("HTTP/")) {
    // A new status line (after a 100 Continue, say): what came before belonged to another answer.
    response.headers.clear();
    const size_t space = line.find(' ');
    response.status = space == std::string_view::npos ? 0 : std::atoi(line.data() + space + 1);
    return n;
  }
  const size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    response.headers.emplace_back(AsciiLower(TrimAsciiSpace(line.substr(0, colon))),
                                  std::string(TrimAsciiSpace(line.substr(colon + 1))));
  }
  return n;
}

}  // namespace

std::string_view HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return value;
  }
  return {};
}

HttpClient::HttpClient(HttpClientOptions options) : options_(std::move(options)) { GlobalInit(); }

HttpClient::~HttpClient() {
  for (void* handle : idle_handles_) curl_easy_cleanup(static_cast<CURL*>(handle));
}

void* HttpClient::TakeHandle() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!idle_handles_.empty()) {
      void* handle = idle_handles_.back();
      idle_handles_.pop_back();
      return handle;
    }
  }
  return curl_easy_init();
}

void HttpClient::ReturnHandle(void* handle) {
  std::lock_guard<std::mutex> lock(mutex_);
  idle_handles_.push_back(handle);
}

HttpOutcome HttpClient::Send(const HttpRequest& request) {
  HttpOutcome outcome;
  CURL* curl = static_cast<CURL*>(TakeHandle());
  if (curl == nullptr) {
    outcome.transport_error = {"cannot create a curl handle", false, false};
    return outcome;
  }
  Transfer transfer;
  transfer.request = &request;
  transfer.response = &outcome.response;
  char error_buffer[CURL_ERROR_SIZE] = {0};

  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout_ms));
  // No byte either way for idle_timeout_ms → abandoned.
  transfer.idle_timeout_ms = options_.idle_timeout_ms;
  transfer.last_progress = std::chrono::steady_clock::now();
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, CheckProgress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
  if (!options_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, ReadHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);

  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method == "PUT" || request.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadBody);
    curl_easy_setopt(curl, CURLOPT_READDATA, &transfer);
    curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, SeekBody);
    curl_easy_setopt(curl, CURLOPT_SEEKDATA, &transfer);
    if (request.method == "POST") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, "POST");
  } else if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  curl_slist* headers = nullptr;
  for (const auto& [name, value] : request.headers) {
    const std::string line = name + ": " + value;
    headers = curl_slist_append(headers, line.c_str());
  }
  // No "Expect: 100-continue" round trip, and no Accept header curl would add unsigned.
  headers = curl_slist_append(headers, "Expect:");
  headers = curl_slist_append(headers, "Accept:");
  if (request.method == "PUT" || request.method == "POST") {
    headers = curl_slist_append(headers, "Transfer-Encoding:");
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);

  const CURLcode code = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  if (code != CURLE_OK) {
    TransportError& error = outcome.transport_error;
    error.message = error_buffer[0] != '\0' ? std::string(error_buffer) : curl_easy_strerror(code);
    if (transfer.overflow) {
      error.message = "the server sent more than the " + std::to_string(request.into_capacity) +
                      " bytes asked for";
    }
    if (transfer.idle) {
      error.message = "no byte moved for " + std::to_string(options_.idle_timeout_ms) + " ms";
    }
    error.timed_out = code == CURLE_OPERATION_TIMEDOUT || transfer.idle;
    error.maybe_sent = !(code == CURLE_COULDNT_RESOLVE_HOST || code == CURLE_COULDNT_CONNECT ||
                         code == CURLE_COULDNT_RESOLVE_PROXY || code == CURLE_URL_MALFORMAT ||
                         code == CURLE_UNSUPPORTED_PROTOCOL);
    // A handle whose transfer failed may hold a broken connection: drop it with the handle.
    curl_easy_cleanup(curl);
    return outcome;
  }
  long connects = 0;
  curl_easy_getinfo(curl, CURLINFO_NUM_CONNECTS, &connects);
  outcome.response.new_connections = connects;
  // Nothing in the pooled handle may point at this call's stack (error buffer, callbacks' data);
  // the reset keeps its live connections.
  curl_easy_reset(curl);
  ReturnHandle(curl);
  return outcome;
}

}  // namespace sluice::io::s3

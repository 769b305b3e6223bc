#include "sluice/io/s3/s3_client.h"
#include "sluice/common/digest.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <thread>

namespace sluice::io::s3 {
namespace {

constexpr int64_t kMaxRetryAfterMs = 60'000;

std::string Base64Md5(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(data.data(), data.size(), digest, &length, EVP_md5(), nullptr);
  unsigned char encoded[64] = {0};
  const int n = EVP_EncodeBlock(encoded, digest, static_cast<int>(length));
  return std::string(reinterpret_cast<const char*>(encoded), static_cast<size_t>(n));
}

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool RetryableAnswer(int status, const std::string& code) {
  return status >= 500 || status == 429 || code == "SlowDown" || code == "RequestTimeout" ||
         code == "Throttling" || code == "ThrottlingException" ||
         code == "ConditionalRequestConflict" || code == "OperationAborted";
}

// Retry-After: delta seconds or an HTTP date; -1 when absent or unreadable.
int64_t RetryAfterMs(std::string_view value) {
  if (value.empty()) return -1;
  bool digits =
      std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (digits && value.size() < 9) return std::stoll(std::string(value)) * 1000;
  const time_t when = curl_getdate(std::string(value).c_str(), nullptr);
  if (when < 0) return -1;
  return std::max<int64_t>(0, (static_cast<int64_t>(when) - NowSeconds()) * 1000);
}

std::string StatusWithCode(const HttpResponse& response, const S3ErrorBody& error) {
  std::string text = std::to_string(response.status);
  if (!error.code.empty()) text += " " + error.code;
  if (!error.message.empty()) text += ": " + error.message;
  return text;
}

}  // namespace

Result<std::pair<std::string, std::string>> ParseS3Uri(std::string_view uri) {
  constexpr std::string_view kScheme = "s3://";
  if (uri.size() < kScheme.size() ||
      !std::equal(kScheme.begin(), kScheme.end(), uri.begin(),
                  [](char a, char b) { return a == std::tolower(b); })) {
    return Status::InvalidArgument(std::string(uri) + ": not an s3:// URI");
  }
  std::string_view rest = uri.substr(kScheme.size());
  const size_t slash = rest.find('/');
  std::string bucket(rest.substr(0, slash));
  std::string key = slash == std::string_view::npos ? "" : std::string(rest.substr(slash + 1));
  if (bucket.empty()) {
    return Status::InvalidArgument(std::string(uri) +
                                   ": an s3:// URI names a bucket: " + "s3://bucket/prefix");
  }
  return std::make_pair(std::move(bucket), std::move(key));
}

S3Client::S3Client(S3Config config)
    : config_(std::move(config)),
      http_(HttpClientOptions{config_.settings.connect_timeout_ms,
                              config_.settings.request_timeout_ms, config_.settings.verify_tls,
                              ""}) {
  const size_t colon = config_.endpoint.find("://");
  scheme_ = config_.endpoint.substr(0, colon);
  host_ = config_.endpoint.substr(colon + 3);
}

std::string S3Client::Describe(const Call& call) const {
  if (call.key.empty()) {
    for (const auto& [name, value] : call.query) {
      if (name == "list-type") return "LIST s3://" + call.bucket + "/" + Prefix(call);
      if (name == "delete") return "DELETE (batch) in s3://" + call.bucket;
      if (name == "uploads") return "LIST UPLOADS s3://" + call.bucket + "/" + Prefix(call);
    }
  }
  std::string text = call.method + " s3://" + call.bucket;
  if (!call.key.empty()) text += "/" + call.key;
  return text;
}

std::string S3Client::Prefix(const Call& call) {
  for (const auto& [name, value] : call.query) {
    if (name == "prefix") return value;
  }
  return "";
}

S3ClientStats S3Client::stats() const {
  return {requests_.load(), retries_.load(), connections_.load()};
}

void S3Client::Backoff(int attempt, std::string_view retry_after) {
  thread_local std::mt19937_64 random(std::random_device{}());
  const int64_t ceiling =
      std::min(config_.settings.retry_max_delay_ms,
               config_.settings.retry_base_delay_ms << std::min(attempt - 1, 20));
  int64_t delay = std::uniform_int_distribution<int64_t>(0, std::max<int64_t>(0, ceiling))(random);
  const int64_t asked = RetryAfterMs(retry_after);
  if (asked > delay) delay = std::min(asked, kMaxRetryAfterMs);
  std::this_thread::sleep_for(std::chrono::milliseconds(delay));
}

void S3Client::Address(const std::string& bucket, const std::string& key, std::string* host,
                       std::string* path) const {
  const bool virtual_host =
      config_.url_style == "virtual" || (config_.url_style == "auto" && !config_.custom_endpoint &&
                                         bucket.find('.') == std::string::npos);
  *host = virtual_host ? bucket + "." + host_ : host_;
  *path = virtual_host ? "/" : "/" + UriEncode(bucket, false);
  if (!key.empty()) {
    if (!virtual_host) *path += "/";
    *path += UriEncode(key, true);
  }
}

std::string S3Client::PresignedUrl(const std::string& method, const std::string& bucket,
                                   const std::string& key, int64_t expires_seconds) const {
  SignableRequest signable;
  signable.method = method;
  Address(bucket, key, &signable.host, &signable.path);
  return scheme_ + "://" + signable.host + signable.path + "?" +
         PresignQuery(signable, config_.credentials, {config_.region, "s3", NowSeconds()},
                      expires_seconds);
}

Result<S3Client::CallResult> S3Client::Execute(const Call& call) {
  if (!config_.credentials_error.empty()) {
    return Status::InvalidArgument(Describe(call) + ": " + config_.credentials_error);
  }
  SignableRequest signable;
  signable.method = call.method;
  Address(call.bucket, call.key, &signable.host, &signable.path);
  signable.query = call.query;
  signable.payload_sha256 = Sha256Hex(call.body);
  signable.headers = call.headers;
  signable.headers.emplace_back("x-amz-content-sha256", signable.payload_sha256);

  std::vector<std::pair<std::string, std::string>> sorted_query;
  for (const auto& [name, value] : call.query) {
    sorted_query.emplace_back(UriEncode(name, false), UriEncode(value, false));
  }
  std::sort(sorted_query.begin(), sorted_query.end());
  std::string url = scheme_ + "://" + signable.host + signable.path;
  for (size_t i = 0; i < sorted_query.size(); ++i) {
    url += (i == 0 ? "?" : "&") + sorted_query[i].first + "=" + sorted_query[i].second;
  }

  CallResult result;
  std::string last_cause;
  bool timed_out = false;
  const int attempts = std::max(1, config_.settings.max_attempts);
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    if (attempt > 1) retries_.fetch_add(1);
    requests_.fetch_add(1);
    HttpRequest request;
    request.method = call.method;
    request.url = url;
    request.headers = signable.headers;
    request.headers.emplace_back("Host", signable.host);
    for (auto& header :
         SignHeaders(signable, config_.credentials, {config_.region, "s3", NowSeconds()})) {
      request.headers.push_back(std::move(header));
    }
    request.body = call.body;
    request.into = call.into;
    request.into_capacity = call.into_capacity;
    HttpOutcome outcome = http_.Send(request);
    std::string_view retry_after;
    if (!outcome.ok()) {
      const TransportError& error = outcome.transport_error;
      if (error.maybe_sent) result.unclear = true;
      timed_out = error.timed_out;
      last_cause = error.message;
    } else {
      connections_.fetch_add(outcome.response.new_connections);
      const S3ErrorBody error =
          outcome.response.status >= 300 ? ParseErrorBody(outcome.response.body) : S3ErrorBody{};
      if (!RetryableAnswer(outcome.response.status, error.code)) {
        result.response = std::move(outcome.response);
        return result;
      }
      if (outcome.response.status >= 500) result.unclear = true;
      timed_out = false;
      last_cause = StatusWithCode(outcome.response, error);
      retry_after = outcome.response.Header("retry-after");
      if (attempt < attempts) {
        Backoff(attempt, retry_after);
        continue;
      }
      break;
    }
    if (attempt < attempts) Backoff(attempt, retry_after);
  }
  std::string message = Describe(call) + ": no usable answer from " + config_.endpoint + " after " +
                        std::to_string(attempts) + " attempts (last: " + last_cause + ")";
  return timed_out ? Status::Timeout(std::move(message)) : Status::Unavailable(std::move(message));
}

Status S3Client::ErrorStatus(const Call& call, const HttpResponse& response) const {
  const S3ErrorBody error = ParseErrorBody(response.body);
  const std::string what = Describe(call);
  const std::string answer = StatusWithCode(response, error);
  const std::string& key_id = config_.credentials.access_key_id;
  switch (response.status) {
    case 404:
      if (error.code == "NoSuchBucket") {
        return Status::NotFound(what + ": bucket '" + call.bucket + "' does not exist at " +
                                config_.endpoint);
      }
      return Status::NotFound(what + ": no such object (" + answer + ")");
    case 401:
    case 403: {
      std::string hint;
      if (error.code == "SignatureDoesNotMatch") {
        hint = "the secret key does not match access key id '" + key_id + "'";
      } else if (error.code == "InvalidAccessKeyId") {
        hint = "access key id '" + key_id + "' is unknown to " + config_.endpoint;
      } else if (error.code == "RequestTimeTooSkewed") {
        hint = "this machine's clock is too far from the server's";
      } else if (error.code == "ExpiredToken" || error.code == "InvalidToken") {
        hint = "the session token (AWS_SESSION_TOKEN) has expired or is invalid";
      } else {
        hint = "access key id '" + key_id + "' may not do this here";
      }
      return Status::InvalidArgument(what + ": access denied by " + config_.endpoint + " (" +
                                     answer + "): " + hint + "; credentials from " +
                                     config_.credentials_source);
    }
    case 301:
    case 307: {
      const std::string_view region = response.Header("x-amz-bucket-region");
      return Status::InvalidArgument(what + ": the bucket lives elsewhere (" + answer + ")" +
                                     (region.empty() ? std::string()
                                                     : "; it is in region '" + std::string(region) +
                                                           "': set s3.region or AWS_REGION"));
    }
    case 412:
      return Status::Conflict(what + ": precondition failed (" + answer + ")");
    default:
      return Status::IOError(what + ": " + answer);
  }
}

Result<ObjectInfo> S3Client::Head(const std::string& bucket, const std::string& key) {
  Call call{"HEAD", bucket, key, {}, {}, {}, nullptr, 0};
  SLUICE_ASSIGN_OR_RETURN(CallResult result, Execute(call));
  const HttpResponse& response = result.response;
  if (response.status != 200) return ErrorStatus(call, response);
  ObjectInfo info;
  const std::string length(response.Header("content-length"));
  info.size = length.empty() ? 0 : std::stoll(length);
  info.etag = response.Header("etag");
  const std::string modified(response.Header("last-modified"));
  const time_t when = modified.empty() ? -1 : curl_getdate(modified.c_str(), nullptr);
  info.modification_time_ms = when < 0 ? 0 : static_cast<int64_t>(when) * 1000;
  return info;
}

Result<std::string> S3Client::Get(const std::string& bucket, const std::string& key) {
  Call call{"GET", bucket, key, {}, {}, {}, nullptr, 0};
  SLUICE_ASSIGN_OR_RETURN(CallResult result, Execute(call));
  if (result.response.status != 200) return ErrorStatus(call, result.response);
  return std::move(result.response.body);
}

Status S3Client::GetRange(const std::string& bucket, const std::string& key, int64_t offset,
                          int64_t length, uint8_t* out) {
  if (length == 0) return Status::OK();
  Call call{
      "GET",
      bucket,
      key,
      {},
      {{"Range", "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1)}},
      {},
      out,
      length};
  SLUICE_ASSIGN_OR_RETURN(CallResult result, Execute(call));
  const HttpResponse& response = result.response;
  if (response.status != 206 && response.status != 200) return ErrorStatus(call, response);
  if (response.body_bytes != length) {
    return Status::IOError(Describe(call) + ": asked for " + std::to_string(length) +
                           " bytes at offset " + std::to_string(offset) + ", got " +
                           std::to_string(response.body_bytes));
  }
  return Status::OK();
}

Status S3Client::Put(const std::string& bucket, const std::string& key, std::string_view body) {
  Call call{"PUT", bucket, key, {}, {}, body, nullptr, 0};
  SLUICE_ASSIGN_OR_RETURN(CallResult result, Execute(call));
  if (result.response.status != 200) return ErrorStatus(call, result.response);
  return Status::OK();
}

Result<bool> S3Client::PutIfAbsent(const std::string& bucket, const std::string& key,
                                   std::string_view body) {
  Call call{"PUT", bucket, key, {}, {{"If-None-Match", "*"}}, body, nullptr, 0};
  SLUICE_ASSIGN_OR_RETURN(CallResult result, Execute(call));
  const HttpResponse& response = result.response;
  if (response.status == 200) return true;
  if (response.status == 412) {
    // An earlier attempt may be the one that created it — ours after an unclear outcome, or
    // libcurl's own silent resend on a fresh connection when a reused one died — so what is
    // there decides.
    SLUICE_ASSIGN_OR_RETURN(std::string existing, Get(bucket, key));
    return existing == body;
  }
  if (response.status == 501) {
    return Status::InvalidArgument(Describe(call) + ": " + config_.endpoint +
                                   " does not support conditional writes (If-None-Match: *), " +
                                   "which Delta commits need");
  }
  return ErrorStatus(call, response);
}

Result<ListPage> S3Client::ListObjects(const std::string& bucket, const std::string& prefix,
                                       const std::string& continuation_token, int max_keys) {
  Call call{"GET", bucket, "", {}, {}, {}, nullptr, 0};
  call.query = {{"list-type", "2"},
                {"encoding-type", "url"},
                {"max-keys", std::to_string(max_keys)},
                {"prefix", prefix}};
  if (!continuation_token.empty())
    call.query.emplace_back("continuation-token", continuation_token);
  SLUICE_ASSIGN_OR_RETURN(CallResult result, Execute(call));
  if (result.response.status != 200) return ErrorStatus(call, result.response);
  Result<ListPage> page = ParseListObjectsV2(result.response.body);
  if (!page.ok()) return page.status().WithContext(Describe(call));
  return page;
}

Status S3Client::Delete(const std::string& bucket, const std::string& key) {
  Call call{"DELETE", bucket, key, {}, {}, {}, nullptr, 0};
  SLUICE_ASSIGN_OR_RETURN(CallResult result, Execute(call));
  const int status = result.response.status;
  if (status == 204 || status == 200) return Status::OK();
  if (status == 404 && ParseErrorBody(result.response.body).code != "NoSuchBucket") {
    return Status::OK();
  }
  return ErrorStatus(call, result.response);
}

Status S3Client::DeleteMany(const std::string& bucket, const std::vector<std::string>& keys) {
  constexpr size_t kBatch = 1000;
  for (size_t start = 0; start < keys.size(); start += kBatch) {
    const std::vector<std::string> batch(
        keys.begin() + static_cast<std::ptrdiff_t>(start),
        keys.begin() + static_cast<std::ptrdiff_t>(std::min(keys.size(), start + kBatch)));
    const std::string body = DeleteObjectsXml(batch);
    Call call{"POST",
              bucket,
              "",
              {{"delete", ""}},
              {{"Content-MD5", Base64Md5(body)}, {"Content-Type", "application/xml"}},
              body,
              nullptr,
              0};
    SLUICE_ASSIGN_OR_RETURN(CallResult result, Execute(call));
    if (result.response.status != 200) return ErrorStatus(call, result.response);
    SLUICE_ASSIGN_OR_RETURN(std::vector<DeleteFailure> failures,
                            ParseDeleteResult(result.response.body));
    std::string message;
    int shown = 0;
    for (const DeleteFailure& failure : failures) {
      if (failure.error.code == "NoSuchKey") continue;
      if (shown++ < 3) {
        message += (message.empty() ? "" : "; ") + failure.key + ": " + failure.error.code + " " +
                   failure.error.message;
      }
    }
    if (shown > 0) {
      return Status::IOError("batch delete in s3://" + bucket + ": " + std::to_string(shown) +
                             " objects were not deleted (" + message + ")");
    }
  }
  return Status::OK();
}

Result<std::string> S3Client::CreateMultipartUpload(const std::string& bucket,
                                                    const std::string& key) {
  Call call{"POST", bucket, key, {{"uploads", ""}}, {}, {}, nullptr, 0};
  SLUICE_ASSIGN_OR_RETURN(CallResult result, Execute(call));
  if (result.response.status != 200) return ErrorStatus(call, result.response);
  Result<std::string> id = ParseUploadId(result.response.body);
  if (!id.ok()) return id.status().WithContext(Describe(call));
  return id;
}

Result<std::string> S3Client::UploadPart(const std::string& bucket, const std::string& key,
                                         const std::string& upload_id, int part_number,
                                         std::string_view body) {
  Call call{"PUT",   bucket,
            key,     {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id}},
            {},      body,
            nullptr, 0};
  SLUICE_ASSIGN_OR_RETURN(CallResult result, Execute(call));
  if (result.response.status != 200) return ErrorStatus(call, result.response);
  std::string etag(result.response.Header("etag"));
  if (etag.empty()) {
    return Status::IOError(Describe(call) + ": part " + std::to_string(part_number) +
                           " was accepted without an ETag");
  }
  return etag;
}

Status S3Client::CompleteMultipartUpload(const std::string& bucket, const std::string& key,
                                         const std::string& upload_id,
                                         const std::vector<UploadedPart>& parts) {
  const std::string body = CompleteMultipartUploadXml(parts);
  Call call{"POST", bucket,  key, {{"uploadId", upload_id}}, {{"Content-Type", "application/xml"}},
            body,   nullptr, 0};
  SLUICE_ASSIGN_OR_RETURN(CallResult result, Execute(call));
  const HttpResponse& response = result.response;
  if (response.status == 404 && result.unclear &&
      ParseErrorBody(response.body).code == "NoSuchUpload") {
    // An earlier attempt completed it and the upload id is gone: the object must be there.
    Result<ObjectInfo> info = Head(bucket, key);
    if (info.ok()) return Status::OK();
  }
  if (response.status != 200) return ErrorStatus(call, response);
  const S3ErrorBody error = ParseCompleteError(response.body);
  if (!error.code.empty()) {
    return Status::IOError(Describe(call) + ": completing the upload failed (" + error.code + ": " +
                           error.message + ")");
  }
  return Status::OK();
}

Status S3Client::AbortMultipartUpload(const std::string& bucket, const std::string& key,
                                      const std::string& upload_id) {
  Call call{"DELETE", bucket, key, {{"uploadId", upload_id}}, {}, {}, nullptr, 0};
  SLUICE_ASSIGN_OR_RETURN(CallResult result, Execute(call));
  const int status = result.response.status;
  if (status == 204 || status == 200) return Status::OK();
  if (status == 404 && ParseErrorBody(result.response.body).code == "NoSuchUpload") {
    return Status::OK();
  }
  return ErrorStatus(call, result.response);
}

Result<std::vector<MultipartUploadInfo>> S3Client::ListMultipartUploads(const std::string& bucket,
                                                                        const std::string& prefix) {
  Call call{"GET", bucket, "", {{"uploads", ""}, {"prefix", prefix}}, {}, {}, nullptr, 0};
  SLUICE_ASSIGN_OR_RETURN(CallResult result, Execute(call));
  if (result.response.status != 200) return ErrorStatus(call, result.response);
  return ParseListMultipartUploads(result.response.body);
}

}  // namespace sluice::io::s3

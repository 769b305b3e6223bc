// AWS Signature Version 4 for S3 requests: the Authorization header form and the presigned-URL
// (query) form. The signer is pure computation — no clock, no I/O — so it is tested against the
// published AWS test vectors; the S3 file system gives it the time and the credentials.
//
// S3 rules, which differ from the generic SigV4 suite in one place: the path is used as sent
// (already percent-encoded once, slashes kept) and never normalized, since an S3 key may contain
// "//" and "." segments.
//
// Secrets: the secret key is used only inside Sign*/Presign and never appears in what they return
// except as a derived signature.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluice::io::s3 {

struct AwsCredentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty unless temporary credentials
};

// One HTTP request to sign.
struct SignableRequest {
  std::string method;  // "GET", "PUT", ...
  std::string host;    // the Host header: "bucket.s3.us-east-1.amazonaws.com" or "host:port"
  std::string path;    // as sent, percent-encoded (UriEncodePath); "/" at least
  // Query parameters, decoded; encoded and sorted when signing.
  std::vector<std::pair<std::string, std::string>> query;
  // Headers to sign besides host, x-amz-date and x-amz-security-token (which the signer adds).
  // Names in any case; a name may repeat (values are joined with ',' in the given order).
  std::vector<std::pair<std::string, std::string>> headers;
  // Hex SHA-256 of the body, or "UNSIGNED-PAYLOAD".
  std::string payload_sha256;
};

struct SigningScope {
  std::string region;          // "us-east-1"
  std::string service = "s3";  // "s3"
  int64_t time_seconds = 0;    // Unix time of the request
};

// The pieces of a signature, for tests and for debugging a SignatureDoesNotMatch.
struct SignatureParts {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;  // "host;range;x-amz-content-sha256;x-amz-date"
  std::string signature;       // 64 hex digits
};

// Header form. Returns the headers to send with the request, besides those of `request`:
// x-amz-date, x-amz-security-token (with a session token) and Authorization. `parts` (optional)
// receives the intermediate strings.
std::vector<std::pair<std::string, std::string>> SignHeaders(const SignableRequest& request,
                                                             const AwsCredentials& credentials,
                                                             const SigningScope& scope,
                                                             SignatureParts* parts = nullptr);

// Presigned form: the full query string (the request's own parameters plus X-Amz-Algorithm,
// X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders, X-Amz-Security-Token and
// X-Amz-Signature), encoded and sorted. The payload is UNSIGNED-PAYLOAD.
std::string PresignQuery(const SignableRequest& request, const AwsCredentials& credentials,
                         const SigningScope& scope, int64_t expires_seconds,
                         SignatureParts* parts = nullptr);

// Percent-encodes every byte except A-Z a-z 0-9 - _ . ~ (and '/' when `keep_slash`), as SigV4
// and S3 keys require.
std::string UriEncode(std::string_view text, bool keep_slash);

}  // namespace sluice::io::s3

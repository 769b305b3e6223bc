#include "sluice/io/s3/aws_signer.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <map>

#include "sluice/common/ascii.h"
#include "sluice/common/digest.h"

namespace sluice::io::s3 {

namespace {

std::string Hmac(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &size);
  return std::string(reinterpret_cast<const char*>(out), size);
}

// "20150830T123600Z" and "20150830".
std::pair<std::string, std::string> AmzDate(int64_t time_seconds) {
  const std::time_t seconds = static_cast<std::time_t>(time_seconds);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &utc);
  return {stamp, std::string(stamp, 8)};
}

// Trims and collapses runs of spaces to one, as SigV4 canonical header values require.
std::string CanonicalValue(std::string_view value) {
  std::string out;
  bool space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  return out;
}

std::string CanonicalQuery(const std::vector<std::pair<std::string, std::string>>& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query) {
    encoded.emplace_back(UriEncode(name, false), UriEncode(value, false));
  }
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out += name + "=" + value;
  }
  return out;
}

// Builds the canonical request and signs it; `headers` must hold every header to sign.
SignatureParts Sign(const SignableRequest& request,
                    const std::vector<std::pair<std::string, std::string>>& headers,
                    const std::vector<std::pair<std::string, std::string>>& query,
                    const std::string& payload, const AwsCredentials& credentials,
                    const SigningScope& scope, const std::string& amz_date,
                    const std::string& date) {
  std::map<std::string, std::string> canonical;  // sorted by lower-case name
  for (const auto& [name, value] : headers) {
    std::string& joined = canonical[AsciiLower(name)];
    if (!joined.empty()) joined.push_back(',');
    joined += CanonicalValue(value);
  }
  SignatureParts parts;
  std::string header_lines;
  for (const auto& [name, value] : canonical) {
    header_lines += name + ":" + value + "\n";
    if (!parts.signed_headers.empty()) parts.signed_headers.push_back(';');
    parts.signed_headers += name;
  }
  parts.canonical_request = request.method + "\n" + (request.path.empty() ? "/" : request.path) +
                            "\n" + CanonicalQuery(query) + "\n" + header_lines + "\n" +
                            parts.signed_headers + "\n" + payload;
  const std::string credential_scope =
      date + "/" + scope.region + "/" + scope.service + "/aws4_request";
  parts.string_to_sign = "AWS4-HMAC-SHA256\n" + amz_date + "\n" + credential_scope + "\n" +
                         Sha256Hex(parts.canonical_request);
  const std::string key = Hmac(
      Hmac(Hmac(Hmac("AWS4" + credentials.secret_access_key, date), scope.region), scope.service),
      "aws4_request");
  const std::string signature = Hmac(key, parts.string_to_sign);
  parts.signature =
      LowerHex(reinterpret_cast<const unsigned char*>(signature.data()), signature.size());
  return parts;
}

}  // namespace

std::string UriEncode(std::string_view text, bool keep_slash) {
  static const char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
        (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kDigits[c >> 4]);
      out.push_back(kDigits[c & 15]);
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> SignHeaders(const SignableRequest& request,
                                                             const AwsCredentials& credentials,
                                                             const SigningScope& scope,
                                                             SignatureParts* parts) {
  const auto [amz_date, date] = AmzDate(scope.time_seconds);
  std::vector<std::pair<std::string, std::string>> added = {{"x-amz-date", amz_date}};
  if (!credentials.session_token.empty()) {
    added.emplace_back("x-amz-security-token", credentials.session_token);
  }
  std::vector<std::pair<std::string, std::string>> headers = request.headers;
  headers.emplace_back("host", request.host);
  headers.insert(headers.end(), added.begin(), added.end());
  SignatureParts signed_parts = Sign(request, headers, request.query, request.payload_sha256,
                                     credentials, scope, amz_date, date);
  added.emplace_back("Authorization",
                     "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" + date + "/" +
                         scope.region + "/" + scope.service + "/aws4_request, SignedHeaders=" +
                         signed_parts.signed_headers + ", Signature=" + signed_parts.signature);
  if (parts != nullptr) *parts = std::move(signed_parts);
  return added;
}

std::string PresignQuery(const SignableRequest& request, const AwsCredentials& credentials,
                         const SigningScope& scope, int64_t expires_seconds,
                         SignatureParts* parts) {
  const auto [amz_date, date] = AmzDate(scope.time_seconds);
  std::vector<std::pair<std::string, std::string>> query = request.query;
  query.emplace_back("X-Amz-Algorithm", "AWS4-HMAC-SHA256");
  query.emplace_back("X-Amz-Credential", credentials.access_key_id + "/" + date + "/" +
                                             scope.region + "/" + scope.service + "/aws4_request");
  query.emplace_back("X-Amz-Date", amz_date);
  query.emplace_back("X-Amz-Expires", std::to_string(expires_seconds));
  if (!credentials.session_token.empty()) {
    query.emplace_back("X-Amz-Security-Token", credentials.session_token);
  }
  std::vector<std::pair<std::string, std::string>> headers = request.headers;
  headers.emplace_back("host", request.host);
  std::string signed_headers;
  {
    std::vector<std::string> names;
    for (const auto& header : headers) names.push_back(AsciiLower(header.first));
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    for (const std::string& name : names) {
      signed_headers += (signed_headers.empty() ? "" : ";") + name;
    }
  }
  query.emplace_back("X-Amz-SignedHeaders", signed_headers);
  SignatureParts signed_parts =
      Sign(request, headers, query, "UNSIGNED-PAYLOAD", credentials, scope, amz_date, date);
  query.emplace_back("X-Amz-Signature", signed_parts.signature);
  if (parts != nullptr) *parts = std::move(signed_parts);
  return CanonicalQuery(query);
}

}  // namespace sluice::io::s3

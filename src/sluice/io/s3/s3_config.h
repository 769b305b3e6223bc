// S3Config: where an S3 lake lives and who signs for it, resolved the way the AWS tools do.
//
// Precedence, first found wins:
//   endpoint     project file `s3.endpoint` → AWS_ENDPOINT_URL_S3 → AWS_ENDPOINT_URL →
//                the profile's `endpoint_url` (config file) → https://s3.<region>.amazonaws.com
//   region       project file `s3.region` → AWS_REGION → AWS_DEFAULT_REGION → the profile's
//                `region` (config file) → us-east-1
//   credentials  the project file's `s3.profile` when set → AWS_ACCESS_KEY_ID +
//                AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN) → profile AWS_PROFILE (or "default")
//                in the shared credentials file (AWS_SHARED_CREDENTIALS_FILE, ~/.aws/credentials),
//                then in the config file (AWS_CONFIG_FILE, ~/.aws/config, section "profile NAME")
//   URL style    `s3.url_style`: path (https://host/bucket/key) or virtual
//                (https://bucket.host/key); auto = path for a custom endpoint, virtual for AWS
//                unless the bucket name has dots.
//
// Secrets never come from the project file. The secret key and session token found are
// registered with the process's Redactor so that no log line, error or report can show them.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "sluice/common/result.h"
#include "sluice/io/s3/aws_signer.h"

namespace sluice::io::s3 {

// What the project file may say (all optional).
struct S3Settings {
  std::string endpoint;                 // "http://127.0.0.1:7480", "https://minio.example.com"
  std::string region;                   // "eu-west-1"
  std::string url_style;                // "auto" (""), "path", "virtual"
  std::string profile;                  // a profile of the shared credentials/config files
  int64_t request_timeout_ms = 30'000;  // no byte moved for this long → the attempt failed
  int64_t connect_timeout_ms = 10'000;
  int max_attempts = 8;                 // per request, with exponential backoff and jitter
  int64_t retry_base_delay_ms = 200;    // the first backoff ceiling; doubles per attempt
  int64_t retry_max_delay_ms = 20'000;  // the ceiling of one backoff (Retry-After may exceed it)
  int64_t part_size = 8 << 20;          // multipart part size; objects below it are one PUT
  int upload_parallelism = 4;           // parts in flight per written object
  int list_page_size = 1000;            // keys per ListObjectsV2 page (S3's maximum)
  bool verify_tls = true;
};

struct S3Config {
  S3Settings settings;
  std::string endpoint;  // scheme://host[:port], no trailing slash
  bool custom_endpoint = false;
  std::string region;
  std::string url_style;  // "auto", "path" or "virtual"
  AwsCredentials credentials;
  std::string credentials_source;  // "environment", "profile 'x' in /root/.aws/credentials"
  std::string credentials_error;   // why none were found (credentials then empty)
};

// Looks up an environment variable; null when unset. Tests pass their own.
using EnvironmentLookup = std::function<const char*(const char*)>;

// Resolves endpoint, region and credentials. Errors: InvalidArgument for a malformed endpoint or
// url_style, or an unreadable profile file. Missing credentials are not an error here: every
// request then fails with `credentials_error`, so that merely naming an s3:// path costs nothing.
Result<S3Config> ResolveS3Config(const S3Settings& settings, const EnvironmentLookup& environment);
Result<S3Config> ResolveS3Config(const S3Settings& settings);  // the process environment

}  // namespace sluice::io::s3

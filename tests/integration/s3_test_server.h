// The S3 server the integration tests use: radosgw, started once per test run by the ctest
// fixture (tests/integration/services/radosgw.sh), which writes S3_ENDPOINT, S3_ACCESS_KEY,
// S3_SECRET_KEY, S3_REGION and S3_BUCKET into the file that SLUICE_S3_ENV names.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <random>
#include <string>

#include "sluice/io/s3/s3_config.h"

namespace sluice::testing {

struct S3TestServer {
  std::string endpoint;
  std::string access_key;
  std::string secret_key;
  std::string region;
  std::string bucket;

  // Reads the fixture's env file; fails the test (never skips) when it is missing.
  static S3TestServer FromEnvironment() {
    S3TestServer server;
    const char* path = std::getenv("SLUICE_S3_ENV");
    if (path == nullptr) {
      ADD_FAILURE() << "SLUICE_S3_ENV is not set: run this test through ctest, whose fixture "
                       "starts radosgw (tests/integration/services/radosgw.sh)";
      return server;
    }
    std::ifstream in(path);
    if (!in) {
      ADD_FAILURE() << path << " is missing: the radosgw fixture did not start";
      return server;
    }
    std::map<std::string, std::string> values;
    for (std::string line; std::getline(in, line);) {
      const size_t equals = line.find('=');
      if (equals != std::string::npos) values[line.substr(0, equals)] = line.substr(equals + 1);
    }
    server.endpoint = values["S3_ENDPOINT"];
    server.access_key = values["S3_ACCESS_KEY"];
    server.secret_key = values["S3_SECRET_KEY"];
    server.region = values["S3_REGION"];
    server.bucket = values["S3_BUCKET"];
    return server;
  }

  // A config that talks to this server (or to `endpoint_override`, e.g. a proxy in front of it).
  io::s3::S3Config Config(const std::string& endpoint_override = "") const {
    io::s3::S3Config config;
    config.endpoint = endpoint_override.empty() ? endpoint : endpoint_override;
    config.custom_endpoint = true;
    config.region = region;
    config.url_style = "path";
    config.credentials = {access_key, secret_key, ""};
    config.credentials_source = "the test server's env file";
    config.settings.retry_base_delay_ms = 20;
    config.settings.retry_max_delay_ms = 200;
    return config;
  }

  // A prefix no other test (or earlier run) uses: "<name>-<time>-<random>/".
  static std::string UniquePrefix(const std::string& name) {
    std::random_device random;
    return name + "-" +
           std::to_string(std::chrono::system_clock::now().time_since_epoch().count()) + "-" +
           std::to_string(random()) + "/";
  }
};

}  // namespace sluice::testing

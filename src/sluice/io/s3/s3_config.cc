#include "sluice/io/s3/s3_config.h"

#include <ini.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include "sluice/common/redactor.h"

namespace sluice::io::s3 {
namespace {

using Section = std::map<std::string, std::string>;
using IniFile = std::map<std::string, Section>;

std::string Env(const EnvironmentLookup& environment, const char* name) {
  const char* value = environment(name);
  return value == nullptr ? std::string() : std::string(value);
}

int CollectIni(void* user, const char* section, const char* name, const char* value) {
  auto* file = static_cast<IniFile*>(user);
  (*file)[section][name] = value;
  return 1;
}

// Reads an AWS-style INI file; a missing file is an empty one.
Result<IniFile> ReadIni(const std::string& path) {
  IniFile file;
  std::ifstream in(path, std::ios::binary);
  if (!in) return file;
  std::stringstream text;
  text << in.rdbuf();
  const int error_line = ini_parse_string(text.str().c_str(), CollectIni, &file);
  if (error_line > 0) {
    return Status::InvalidArgument(path + ":" + std::to_string(error_line) +
                                   ": not a valid INI line (expected [section] or key = value)");
  }
  return file;
}

std::string HomeFile(const EnvironmentLookup& environment, const char* variable,
                     const char* relative) {
  std::string path = Env(environment, variable);
  if (!path.empty()) return path;
  const std::string home = Env(environment, "HOME");
  return home.empty() ? std::string() : home + "/" + relative;
}

const Section* Find(const IniFile& file, const std::string& section) {
  auto it = file.find(section);
  return it == file.end() ? nullptr : &it->second;
}

std::string Value(const Section* section, const std::string& key) {
  if (section == nullptr) return "";
  auto it = section->find(key);
  return it == section->end() ? std::string() : it->second;
}

Status CheckEndpoint(const std::string& endpoint, const std::string& origin) {
  if (!(endpoint.starts_with("http://") || endpoint.starts_with("https://")) ||
      endpoint.find('/', endpoint.find("://") + 3) != std::string::npos ||
      endpoint.size() <= endpoint.find("://") + 3) {
    return Status::InvalidArgument(origin + " '" + endpoint +
                                   "' is not an endpoint URL: expected http(s)://host[:port]");
  }
  return Status::OK();
}

}  // namespace

Result<S3Config> ResolveS3Config(const S3Settings& settings, const EnvironmentLookup& environment) {
  S3Config config;
  config.settings = settings;
  const std::string profile = !settings.profile.empty() ? settings.profile
                              : !Env(environment, "AWS_PROFILE").empty()
                                  ? Env(environment, "AWS_PROFILE")
                                  : std::string("default");
  const std::string credentials_path =
      HomeFile(environment, "AWS_SHARED_CREDENTIALS_FILE", ".aws/credentials");
  const std::string config_path = HomeFile(environment, "AWS_CONFIG_FILE", ".aws/config");
  IniFile credentials_file;
  IniFile config_file;
  if (!credentials_path.empty()) {
    SLUICE_ASSIGN_OR_RETURN(credentials_file, ReadIni(credentials_path));
  }
  if (!config_path.empty()) {
    SLUICE_ASSIGN_OR_RETURN(config_file, ReadIni(config_path));
  }
  const Section* in_credentials = Find(credentials_file, profile);
  const Section* in_config =
      Find(config_file, profile == "default" ? std::string("default") : "profile " + profile);

  // Endpoint.
  std::string endpoint_origin = "s3.endpoint";
  config.endpoint = settings.endpoint;
  if (config.endpoint.empty()) {
    endpoint_origin = "AWS_ENDPOINT_URL_S3";
    config.endpoint = Env(environment, "AWS_ENDPOINT_URL_S3");
  }
  if (config.endpoint.empty()) {
    endpoint_origin = "AWS_ENDPOINT_URL";
    config.endpoint = Env(environment, "AWS_ENDPOINT_URL");
  }
  if (config.endpoint.empty()) {
    endpoint_origin = "endpoint_url of profile '" + profile + "' in " + config_path;
    config.endpoint = Value(in_config, "endpoint_url");
  }
  while (config.endpoint.ends_with('/')) config.endpoint.pop_back();
  config.custom_endpoint = !config.endpoint.empty();
  if (config.custom_endpoint) SLUICE_RETURN_NOT_OK(CheckEndpoint(config.endpoint, endpoint_origin));

  // Region.
  config.region = settings.region;
  if (config.region.empty()) config.region = Env(environment, "AWS_REGION");
  if (config.region.empty()) config.region = Env(environment, "AWS_DEFAULT_REGION");
  if (config.region.empty()) config.region = Value(in_config, "region");
  if (config.region.empty()) config.region = "us-east-1";
  if (!config.custom_endpoint) config.endpoint = "https://s3." + config.region + ".amazonaws.com";

  config.url_style = settings.url_style.empty() ? "auto" : settings.url_style;
  if (config.url_style != "auto" && config.url_style != "path" && config.url_style != "virtual") {
    return Status::InvalidArgument("s3.url_style '" + settings.url_style +
                                   "' is not one of auto, path, virtual");
  }

  // Credentials.
  auto from_profile = [&]() -> bool {
    for (const auto& [section, path] :
         {std::pair{in_credentials, credentials_path}, std::pair{in_config, config_path}}) {
      const std::string id = Value(section, "aws_access_key_id");
      const std::string secret = Value(section, "aws_secret_access_key");
      if (!id.empty() && !secret.empty()) {
        config.credentials = {id, secret, Value(section, "aws_session_token")};
        config.credentials_source = "profile '" + profile + "' in " + path;
        return true;
      }
    }
    return false;
  };
  const std::string env_id = Env(environment, "AWS_ACCESS_KEY_ID");
  const std::string env_secret = Env(environment, "AWS_SECRET_ACCESS_KEY");
  bool found = false;
  if (!settings.profile.empty()) {
    found = from_profile();
  } else if (!env_id.empty() && !env_secret.empty()) {
    config.credentials = {env_id, env_secret, Env(environment, "AWS_SESSION_TOKEN")};
    config.credentials_source = "environment (AWS_ACCESS_KEY_ID)";
    found = true;
  } else {
    found = from_profile();
  }
  if (!found) {
    std::string why = "no S3 credentials found: ";
    if (!settings.profile.empty()) {
      why += "profile '" + profile + "' (s3.profile) has no aws_access_key_id and " +
             "aws_secret_access_key in " + credentials_path + " or " + config_path;
    } else if (!env_id.empty() || !env_secret.empty()) {
      why += env_id.empty() ? "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not"
                            : "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not";
    } else {
      why += "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or give profile '" + profile +
             "' keys in " + (credentials_path.empty() ? "~/.aws/credentials" : credentials_path);
    }
    config.credentials_error = why;
  }
  Redactor::Global().Register(config.credentials.secret_access_key);
  Redactor::Global().Register(config.credentials.session_token);
  return config;
}

Result<S3Config> ResolveS3Config(const S3Settings& settings) {
  return ResolveS3Config(settings, [](const char* name) { return std::getenv(name); });
}

}  // namespace sluice::io::s3

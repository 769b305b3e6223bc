#include "sluice/io/s3/s3_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "sluice/common/redactor.h"

namespace sluice::io::s3 {
namespace {

class S3ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = std::filesystem::temp_directory_path() /
            ("sluice_s3_config_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(home_);
    std::filesystem::create_directories(home_ / ".aws");
    env_["HOME"] = home_.string();
  }
  void TearDown() override { std::filesystem::remove_all(home_); }

  void Write(const std::string& relative, const std::string& text) {
    std::ofstream(home_ / relative) << text;
  }

  Result<S3Config> Resolve(const S3Settings& settings = {}) {
    return ResolveS3Config(settings, [this](const char* name) -> const char* {
      auto it = env_.find(name);
      return it == env_.end() ? nullptr : it->second.c_str();
    });
  }

  std::filesystem::path home_;
  std::map<std::string, std::string> env_;
};

TEST_F(S3ConfigTest, DefaultsToAwsInUsEast1WithoutCredentials) {
  auto config = Resolve();
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->endpoint, "https://s3.us-east-1.amazonaws.com");
  EXPECT_FALSE(config->custom_endpoint);
  EXPECT_EQ(config->region, "us-east-1");
  EXPECT_EQ(config->url_style, "auto");
  EXPECT_TRUE(config->credentials.access_key_id.empty());
  EXPECT_NE(config->credentials_error.find("AWS_ACCESS_KEY_ID"), std::string::npos)
      << config->credentials_error;
}

TEST_F(S3ConfigTest, EnvironmentGivesEndpointRegionAndCredentials) {
  env_["AWS_ENDPOINT_URL"] = "http://generic:9000";
  env_["AWS_ENDPOINT_URL_S3"] = "http://127.0.0.1:7480/";
  env_["AWS_DEFAULT_REGION"] = "eu-west-3";
  env_["AWS_REGION"] = "eu-central-1";
  env_["AWS_ACCESS_KEY_ID"] = "AKIDENV";
  env_["AWS_SECRET_ACCESS_KEY"] = "envsecretvalue";
  env_["AWS_SESSION_TOKEN"] = "envsessiontoken";
  auto config = Resolve();
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->endpoint, "http://127.0.0.1:7480");  // _S3 wins; trailing slash dropped
  EXPECT_TRUE(config->custom_endpoint);
  EXPECT_EQ(config->region, "eu-central-1");
  EXPECT_EQ(config->credentials.access_key_id, "AKIDENV");
  EXPECT_EQ(config->credentials.secret_access_key, "envsecretvalue");
  EXPECT_EQ(config->credentials.session_token, "envsessiontoken");
  EXPECT_TRUE(config->credentials_error.empty());
  // The secret and the token are registered for redaction.
  EXPECT_EQ(Redactor::Global().Redact("x envsecretvalue envsessiontoken"), "x *** ***");

  env_.erase("AWS_ENDPOINT_URL_S3");
  env_.erase("AWS_REGION");
  config = Resolve();
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->endpoint, "http://generic:9000");
  EXPECT_EQ(config->region, "eu-west-3");
}

TEST_F(S3ConfigTest, ProjectSettingsWinOverTheEnvironment) {
  env_["AWS_ENDPOINT_URL_S3"] = "http://env:1";
  env_["AWS_REGION"] = "eu-central-1";
  S3Settings settings;
  settings.endpoint = "https://minio.example.com";
  settings.region = "auto";
  settings.url_style = "virtual";
  auto config = Resolve(settings);
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->endpoint, "https://minio.example.com");
  EXPECT_EQ(config->region, "auto");
  EXPECT_EQ(config->url_style, "virtual");
}

TEST_F(S3ConfigTest, SharedCredentialsFileAndProfiles) {
  Write(".aws/credentials",
        "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = defaultsecret\n"
        "[team]\naws_access_key_id=AKIDTEAM\naws_secret_access_key=teamsecret\n"
        "aws_session_token=teamtoken\n");
  Write(".aws/config",
        "[default]\nregion = ap-south-1\n"
        "[profile team]\nregion = sa-east-1\nendpoint_url = http://team-store:8000\n"
        "[profile onlyconfig]\naws_access_key_id = AKIDCONF\naws_secret_access_key = confsecret\n");
  auto config = Resolve();
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->credentials.access_key_id, "AKIDDEFAULT");
  EXPECT_EQ(config->region, "ap-south-1");
  EXPECT_NE(config->credentials_source.find("profile 'default'"), std::string::npos);

  env_["AWS_PROFILE"] = "team";
  config = Resolve();
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->credentials.access_key_id, "AKIDTEAM");
  EXPECT_EQ(config->credentials.session_token, "teamtoken");
  EXPECT_EQ(config->region, "sa-east-1");
  EXPECT_EQ(config->endpoint, "http://team-store:8000");

  // Environment keys beat AWS_PROFILE, as with the AWS CLI...
  env_["AWS_ACCESS_KEY_ID"] = "AKIDENV";
  env_["AWS_SECRET_ACCESS_KEY"] = "envsecret";
  config = Resolve();
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->credentials.access_key_id, "AKIDENV");
  // ...but a profile named in the project file beats them.
  S3Settings settings;
  settings.profile = "onlyconfig";
  config = Resolve(settings);
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->credentials.access_key_id, "AKIDCONF");

  settings.profile = "missing";
  config = Resolve(settings);
  ASSERT_TRUE(config.ok());
  EXPECT_NE(config->credentials_error.find("profile 'missing'"), std::string::npos)
      << config->credentials_error;
}

TEST_F(S3ConfigTest, ExplicitFilePathsComeFromTheEnvironment) {
  Write("creds", "[default]\naws_access_key_id = AKIDFILE\naws_secret_access_key = filesecret\n");
  env_["AWS_SHARED_CREDENTIALS_FILE"] = (home_ / "creds").string();
  auto config = Resolve();
  ASSERT_TRUE(config.ok());
  EXPECT_EQ(config->credentials.access_key_id, "AKIDFILE");
}

TEST_F(S3ConfigTest, BadValuesAreClearErrors) {
  S3Settings settings;
  settings.endpoint = "minio:9000";
  auto config = Resolve(settings);
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("s3.endpoint 'minio:9000' is not an endpoint URL"),
            std::string::npos)
      << config.status().ToString();
  settings = {};
  settings.url_style = "subdomain";
  EXPECT_EQ(Resolve(settings).status().code(), StatusCode::kInvalidArgument);
  Write(".aws/credentials", "[default]\nthis line is not ini\n");
  config = Resolve();
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.status().message().find("credentials:2"), std::string::npos)
      << config.status().ToString();
  env_["AWS_ACCESS_KEY_ID"] = "AKIDONLY";
  Write(".aws/credentials", "");
  config = Resolve();
  ASSERT_TRUE(config.ok());
  EXPECT_NE(config->credentials_error.find("AWS_SECRET_ACCESS_KEY is not"), std::string::npos);
}

}  // namespace
}  // namespace sluice::io::s3

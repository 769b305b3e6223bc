// The SigV4 signer against AWS's published vectors: the generic aws-sig-v4-test-suite cases
// (credentials AKIDEXAMPLE, 2015-08-30T12:36:00Z, us-east-1, service "service") and the S3
// examples of the S3 API reference (examplebucket, 2013-05-24, AKIAIOSFODNN7EXAMPLE).
#include "sluice/io/s3/aws_signer.h"
#include "sluice/common/digest.h"

#include <gtest/gtest.h>

namespace sluice::io::s3 {
namespace {

constexpr int64_t kSuiteTime = 1440938160;  // 2015-08-30T12:36:00Z
constexpr int64_t kS3Time = 1369353600;     // 2013-05-24T00:00:00Z
const std::string kEmptySha256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

AwsCredentials SuiteCredentials() {
  return AwsCredentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
}

AwsCredentials S3Credentials() {
  return AwsCredentials{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
}

SigningScope SuiteScope() { return SigningScope{"us-east-1", "service", kSuiteTime}; }
SigningScope S3Scope() { return SigningScope{"us-east-1", "s3", kS3Time}; }

SignableRequest SuiteRequest(std::string method = "GET") {
  SignableRequest request;
  request.method = std::move(method);
  request.host = "example.amazonaws.com";
  request.path = "/";
  request.payload_sha256 = kEmptySha256;
  return request;
}

std::string AuthorizationOf(const std::vector<std::pair<std::string, std::string>>& headers) {
  for (const auto& [name, value] : headers) {
    if (name == "Authorization") return value;
  }
  return "";
}

std::string SuiteAuthorization(const std::string& signed_headers, const std::string& signature) {
  return "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
         "SignedHeaders=" +
         signed_headers + ", Signature=" + signature;
}

TEST(AwsSignerTest, GetVanilla) {
  SignatureParts parts;
  auto headers = SignHeaders(SuiteRequest(), SuiteCredentials(), SuiteScope(), &parts);
  EXPECT_EQ(parts.canonical_request,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
            "host;x-amz-date\n" +
                kEmptySha256);
  EXPECT_EQ(parts.string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  EXPECT_EQ(AuthorizationOf(headers),
            SuiteAuthorization("host;x-amz-date",
                               "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"));
  ASSERT_EQ(headers.size(), 2u);
  EXPECT_EQ(headers[0], (std::pair<std::string, std::string>{"x-amz-date", "20150830T123600Z"}));
}

TEST(AwsSignerTest, QueryParametersSortByNameThenValue) {
  SignableRequest request = SuiteRequest();
  request.query = {{"Param2", "value2"}, {"Param1", "value1"}};
  EXPECT_EQ(AuthorizationOf(SignHeaders(request, SuiteCredentials(), SuiteScope())),
            SuiteAuthorization("host;x-amz-date",
                               "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"));
  request.query = {{"Param1", "value2"}, {"Param1", "value1"}};
  EXPECT_EQ(AuthorizationOf(SignHeaders(request, SuiteCredentials(), SuiteScope())),
            SuiteAuthorization("host;x-amz-date",
                               "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"));
}

TEST(AwsSignerTest, Utf8QueryAndUnreservedPath) {
  SignableRequest request = SuiteRequest();
  request.query = {{"\xE1\x88\xB4", "bar"}};
  EXPECT_EQ(AuthorizationOf(SignHeaders(request, SuiteCredentials(), SuiteScope())),
            SuiteAuthorization("host;x-amz-date",
                               "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"));
  SignableRequest unreserved = SuiteRequest();
  unreserved.path =
      UriEncode("/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", true);
  EXPECT_EQ(AuthorizationOf(SignHeaders(unreserved, SuiteCredentials(), SuiteScope())),
            SuiteAuthorization("host;x-amz-date",
                               "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"));
}

TEST(AwsSignerTest, HeaderValuesAreTrimmedJoinedInOrderAndNamesLowerCased) {
  SignableRequest trim = SuiteRequest();
  trim.headers = {{"My-Header1", " value1"}, {"My-Header2", "\"a   b   c\""}};
  EXPECT_EQ(AuthorizationOf(SignHeaders(trim, SuiteCredentials(), SuiteScope())),
            SuiteAuthorization("host;my-header1;my-header2;x-amz-date",
                               "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"));
  SignableRequest order = SuiteRequest();
  order.headers = {{"My-Header1", "value4"},
                   {"My-Header1", "value1"},
                   {"My-Header1", "value3"},
                   {"My-Header1", "value2"}};
  EXPECT_EQ(AuthorizationOf(SignHeaders(order, SuiteCredentials(), SuiteScope())),
            SuiteAuthorization("host;my-header1;x-amz-date",
                               "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"));
  SignableRequest duplicate = SuiteRequest();
  duplicate.headers = {
      {"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}};
  EXPECT_EQ(AuthorizationOf(SignHeaders(duplicate, SuiteCredentials(), SuiteScope())),
            SuiteAuthorization("host;my-header1;x-amz-date",
                               "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"));
}

TEST(AwsSignerTest, PostWithABody) {
  SignableRequest request = SuiteRequest("POST");
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  request.payload_sha256 = Sha256Hex("Param1=value1");
  EXPECT_EQ(AuthorizationOf(SignHeaders(request, SuiteCredentials(), SuiteScope())),
            SuiteAuthorization("content-type;host;x-amz-date",
                               "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"));
}

TEST(AwsSignerTest, SessionTokenIsSignedAndSent) {
  AwsCredentials credentials = SuiteCredentials();
  credentials.session_token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267";
  auto headers = SignHeaders(SuiteRequest(), credentials, SuiteScope());
  EXPECT_EQ(AuthorizationOf(headers),
            SuiteAuthorization("host;x-amz-date;x-amz-security-token",
                               "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8"));
  EXPECT_EQ(headers[1].first, "x-amz-security-token");
  EXPECT_EQ(headers[1].second, credentials.session_token);
}

TEST(AwsSignerTest, S3GetObjectWithRange) {
  SignableRequest request;
  request.method = "GET";
  request.host = "examplebucket.s3.amazonaws.com";
  request.path = "/test.txt";
  request.headers = {{"Range", "bytes=0-9"}, {"x-amz-content-sha256", kEmptySha256}};
  request.payload_sha256 = kEmptySha256;
  EXPECT_EQ(AuthorizationOf(SignHeaders(request, S3Credentials(), S3Scope())),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(AwsSignerTest, S3ListObjects) {
  SignableRequest request;
  request.method = "GET";
  request.host = "examplebucket.s3.amazonaws.com";
  request.path = "/";
  request.query = {{"max-keys", "2"}, {"prefix", "J"}};
  request.headers = {{"x-amz-content-sha256", kEmptySha256}};
  request.payload_sha256 = kEmptySha256;
  EXPECT_EQ(AuthorizationOf(SignHeaders(request, S3Credentials(), S3Scope())),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;x-amz-content-sha256;x-amz-date, "
            "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(AwsSignerTest, S3PutObjectWithAnEncodedKey) {
  SignableRequest request;
  request.method = "PUT";
  request.host = "examplebucket.s3.amazonaws.com";
  request.path = UriEncode("/test$file.text", true);
  EXPECT_EQ(request.path, "/test%24file.text");
  request.payload_sha256 = Sha256Hex("Welcome to Amazon S3.");
  request.headers = {{"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                     {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
                     {"x-amz-content-sha256", request.payload_sha256}};
  EXPECT_EQ(AuthorizationOf(SignHeaders(request, S3Credentials(), S3Scope())),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class, "
            "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(AwsSignerTest, S3PresignedUrl) {
  SignableRequest request;
  request.method = "GET";
  request.host = "examplebucket.s3.amazonaws.com";
  request.path = "/test.txt";
  SignatureParts parts;
  const std::string query = PresignQuery(request, S3Credentials(), S3Scope(), 86400, &parts);
  EXPECT_EQ(parts.signature, "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
  EXPECT_EQ(query,
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2F"
            "us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&"
            "X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404&"
            "X-Amz-SignedHeaders=host");
}

TEST(AwsSignerTest, UriEncodeKeepsOnlyUnreservedBytes) {
  EXPECT_EQ(UriEncode("a b/c+d=e~f", false), "a%20b%2Fc%2Bd%3De~f");
  EXPECT_EQ(UriEncode("dir/part 1.parquet", true), "dir/part%201.parquet");
  EXPECT_EQ(UriEncode("\xC3\xA9", true), "%C3%A9");
  EXPECT_EQ(Sha256Hex(""), kEmptySha256);
}

}  // namespace
}  // namespace sluice::io::s3

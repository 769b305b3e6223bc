#include "sluice/io/s3/s3_xml.h"

#include <gtest/gtest.h>

namespace sluice::io::s3 {
namespace {

TEST(S3XmlTest, ParsesAListPageWithUrlEncodedKeys) {
  const std::string xml =
      R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>b</Name><Prefix>t%2F</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
  <EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>
  <Contents><Key>t/a%20b%26c.parquet</Key><LastModified>2026-11-22T10:15:30.250Z</LastModified>
    <ETag>"x"</ETag><Size>1234</Size><StorageClass>STANDARD</StorageClass></Contents>
  <Contents><Key>t/_delta_log/00000000000000000000.json</Key>
    <LastModified>1970-01-01T00:00:01.000Z</LastModified><Size>0</Size></Contents>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
</ListBucketResult>)";
  auto page = ParseListObjectsV2(xml);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "t/a b&c.parquet");
  EXPECT_EQ(page->objects[0].size, 1234);
  EXPECT_EQ(page->objects[0].modification_time_ms, 1795342530250);
  EXPECT_EQ(page->objects[1].modification_time_ms, 1000);
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_continuation_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
}

TEST(S3XmlTest, RejectsWhatIsNotAListOrIsTruncatedWithoutToken) {
  EXPECT_EQ(ParseListObjectsV2("<html>proxy error</html>").status().code(), StatusCode::kIOError);
  EXPECT_EQ(ParseListObjectsV2("").status().code(), StatusCode::kIOError);
  EXPECT_FALSE(ParseListObjectsV2("<ListBucketResult><IsTruncated>true</IsTruncated>"
                                  "</ListBucketResult>")
                   .ok());
  EXPECT_FALSE(
      ParseListObjectsV2("<ListBucketResult><Contents><Key>k</Key></Contents></ListBucketResult>")
          .ok());  // no size
}

TEST(S3XmlTest, ParsesErrorsUploadIdsAndDeleteResults) {
  const S3ErrorBody error = ParseErrorBody(
      "<?xml version=\"1.0\"?><Error><Code>SignatureDoesNotMatch</Code><Message>The request "
      "signature we calculated does not match</Message><RequestId>r</RequestId></Error>");
  EXPECT_EQ(error.code, "SignatureDoesNotMatch");
  EXPECT_EQ(error.message, "The request signature we calculated does not match");
  EXPECT_TRUE(ParseErrorBody("not xml").code.empty());
  EXPECT_TRUE(ParseCompleteError("<CompleteMultipartUploadResult><ETag>e</ETag>"
                                 "</CompleteMultipartUploadResult>")
                  .code.empty());
  EXPECT_EQ(ParseCompleteError("<Error><Code>InternalError</Code></Error>").code, "InternalError");

  auto id = ParseUploadId(
      "<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Bucket>b</Bucket><Key>k</Key><UploadId>2~abc</UploadId></InitiateMultipartUploadResult>");
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(*id, "2~abc");
  EXPECT_FALSE(ParseUploadId("<InitiateMultipartUploadResult/>").ok());

  auto failures = ParseDeleteResult(
      "<DeleteResult><Deleted><Key>a</Key></Deleted><Error><Key>b</Key><Code>AccessDenied</Code>"
      "<Message>no</Message></Error></DeleteResult>");
  ASSERT_TRUE(failures.ok());
  ASSERT_EQ(failures->size(), 1u);
  EXPECT_EQ((*failures)[0].key, "b");
  EXPECT_EQ((*failures)[0].error.code, "AccessDenied");

  auto uploads = ParseListMultipartUploads(
      "<ListMultipartUploadsResult><Upload><Key>k</Key><UploadId>u1</UploadId></Upload>"
      "</ListMultipartUploadsResult>");
  ASSERT_TRUE(uploads.ok());
  ASSERT_EQ(uploads->size(), 1u);
  EXPECT_EQ((*uploads)[0].upload_id, "u1");
}

TEST(S3XmlTest, BuildsRequestBodiesWithEscapedText) {
  EXPECT_EQ(CompleteMultipartUploadXml({{1, "\"e1\""}, {2, "\"e2\""}}),
            "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&quot;e1&quot;</ETag>"
            "</Part><Part><PartNumber>2</PartNumber><ETag>&quot;e2&quot;</ETag></Part>"
            "</CompleteMultipartUpload>");
  EXPECT_EQ(DeleteObjectsXml({"a<b", "c&d"}),
            "<Delete><Quiet>true</Quiet><Object><Key>a&lt;b</Key></Object><Object><Key>c&amp;d"
            "</Key></Object></Delete>");
}

TEST(S3XmlTest, TimesAndPercentDecoding) {
  EXPECT_EQ(ParseIso8601Ms("2026-11-22T10:15:30Z"), 1795342530000);
  EXPECT_EQ(ParseIso8601Ms("2026-11-22 10:15:30Z"), -1);
  EXPECT_EQ(ParseIso8601Ms("2026-11-22T10:15:30"), -1);
  EXPECT_EQ(PercentDecode("a%2Fb%zz%4"), "a/b%zz%4");
}

}  // namespace
}  // namespace sluice::io::s3

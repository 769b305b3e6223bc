// The XML of the S3 REST API: parsing the answers sluice reads (libxml2) and building the two
// request bodies it sends. Element names are matched by local name, whatever the namespace.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/result.h"

namespace sluice::io::s3 {

struct S3ErrorBody {
  std::string code;     // "NoSuchKey", "SignatureDoesNotMatch", ...
  std::string message;  // the server's sentence
};

struct ListedObject {
  std::string key;
  int64_t size = 0;
  int64_t modification_time_ms = 0;
};

struct ListPage {
  std::vector<ListedObject> objects;
  bool truncated = false;
  std::string next_continuation_token;
};

struct UploadedPart {
  int number = 0;
  std::string etag;  // as the server returned it, quotes included
};

struct DeleteFailure {
  std::string key;
  S3ErrorBody error;
};

struct MultipartUploadInfo {
  std::string key;
  std::string upload_id;
  int64_t initiated_ms = 0;  // ms since the epoch (0 when the store does not say)
};

// <Error><Code/><Message/></Error>; empty fields when the body is not such a document.
S3ErrorBody ParseErrorBody(std::string_view xml);

// ListObjectsV2 with encoding-type=url (keys are percent-decoded here).
Result<ListPage> ParseListObjectsV2(std::string_view xml);

// InitiateMultipartUploadResult → UploadId.
Result<std::string> ParseUploadId(std::string_view xml);

// CompleteMultipartUpload may answer 200 with an <Error> document: that error, or empty fields.
S3ErrorBody ParseCompleteError(std::string_view xml);

// DeleteResult → the keys that could not be deleted.
Result<std::vector<DeleteFailure>> ParseDeleteResult(std::string_view xml);

// ListMultipartUploadsResult → the uploads in progress.
Result<std::vector<MultipartUploadInfo>> ParseListMultipartUploads(std::string_view xml);

std::string CompleteMultipartUploadXml(const std::vector<UploadedPart>& parts);
std::string DeleteObjectsXml(const std::vector<std::string>& keys);  // Quiet mode

// "2026-11-22T10:15:00.000Z" → milliseconds since the epoch; -1 when malformed.
int64_t ParseIso8601Ms(std::string_view text);

// Percent-decoding (for keys listed with encoding-type=url).
std::string PercentDecode(std::string_view text);

}  // namespace sluice::io::s3

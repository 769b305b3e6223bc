#include "sluice/io/s3/s3_xml.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <charconv>
#include <cstring>
#include <ctime>
#include <memory>

namespace sluice::io::s3 {
namespace {

struct DocumentFree {
  void operator()(xmlDoc* document) const { xmlFreeDoc(document); }
};
using Document = std::unique_ptr<xmlDoc, DocumentFree>;

Document Parse(std::string_view xml) {
  if (xml.empty()) return nullptr;
  return Document(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "s3.xml", nullptr,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
}

bool Named(const xmlNode* node, const char* name) {
  return node->type == XML_ELEMENT_NODE &&
         std::strcmp(reinterpret_cast<const char*>(node->name), name) == 0;
}

const xmlNode* Child(const xmlNode* parent, const char* name) {
  for (const xmlNode* node = parent->children; node != nullptr; node = node->next) {
    if (Named(node, name)) return node;
  }
  return nullptr;
}

std::string Text(const xmlNode* node) {
  if (node == nullptr) return "";
  xmlChar* content = xmlNodeGetContent(node);
  std::string text = content == nullptr ? "" : reinterpret_cast<const char*>(content);
  xmlFree(content);
  return text;
}

std::string ChildText(const xmlNode* parent, const char* name) { return Text(Child(parent, name)); }

Result<const xmlNode*> Root(const Document& document, const char* name, std::string_view what) {
  const xmlNode* root = document ? xmlDocGetRootElement(document.get()) : nullptr;
  if (root == nullptr || !Named(root, name)) {
    return Status::IOError("the object store's answer to " + std::string(what) + " is not a <" +
                           name + "> document");
  }
  return root;
}

S3ErrorBody ErrorFrom(const xmlNode* node) {
  return {ChildText(node, "Code"), ChildText(node, "Message")};
}

void AppendEscaped(std::string* out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&':
        *out += "&amp;";
        break;
      case '<':
        *out += "&lt;";
        break;
      case '>':
        *out += "&gt;";
        break;
      case '"':
        *out += "&quot;";
        break;
      case '\'':
        *out += "&apos;";
        break;
      default:
        *out += c;
    }
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool ParseInt(std::string_view text, int64_t* value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

S3ErrorBody ParseErrorBody(std::string_view xml) {
  Document document = Parse(xml);
  const xmlNode* root = document ? xmlDocGetRootElement(document.get()) : nullptr;
  if (root == nullptr || !Named(root, "Error")) return {};
  return ErrorFrom(root);
}

Result<ListPage> ParseListObjectsV2(std::string_view xml) {
  Document document = Parse(xml);
  SLUICE_ASSIGN_OR_RETURN(const xmlNode* root, Root(document, "ListBucketResult", "a list"));
  ListPage page;
  const bool url_encoded = ChildText(root, "EncodingType") == "url";
  page.truncated = ChildText(root, "IsTruncated") == "true";
  page.next_continuation_token = ChildText(root, "NextContinuationToken");
  for (const xmlNode* node = root->children; node != nullptr; node = node->next) {
    if (!Named(node, "Contents")) continue;
    ListedObject object;
    object.key = ChildText(node, "Key");
    if (url_encoded) object.key = PercentDecode(object.key);
    if (!ParseInt(ChildText(node, "Size"), &object.size)) {
      return Status::IOError("the object store listed '" + object.key + "' without a size");
    }
    object.modification_time_ms = ParseIso8601Ms(ChildText(node, "LastModified"));
    page.objects.push_back(std::move(object));
  }
  if (page.truncated && page.next_continuation_token.empty()) {
    return Status::IOError("the object store said the list is truncated but gave no token");
  }
  return page;
}

Result<std::string> ParseUploadId(std::string_view xml) {
  Document document = Parse(xml);
  SLUICE_ASSIGN_OR_RETURN(const xmlNode* root,
                          Root(document, "InitiateMultipartUploadResult", "a multipart start"));
  std::string id = ChildText(root, "UploadId");
  if (id.empty()) return Status::IOError("the object store started an upload without an id");
  return id;
}

S3ErrorBody ParseCompleteError(std::string_view xml) { return ParseErrorBody(xml); }

Result<std::vector<DeleteFailure>> ParseDeleteResult(std::string_view xml) {
  Document document = Parse(xml);
  SLUICE_ASSIGN_OR_RETURN(const xmlNode* root, Root(document, "DeleteResult", "a batch delete"));
  std::vector<DeleteFailure> failures;
  for (const xmlNode* node = root->children; node != nullptr; node = node->next) {
    if (Named(node, "Error")) failures.push_back({ChildText(node, "Key"), ErrorFrom(node)});
  }
  return failures;
}

Result<std::vector<MultipartUploadInfo>> ParseListMultipartUploads(std::string_view xml) {
  Document document = Parse(xml);
  SLUICE_ASSIGN_OR_RETURN(const xmlNode* root, Root(document, "ListMultipartUploadsResult",
                                                    "a list of multipart uploads"));
  std::vector<MultipartUploadInfo> uploads;
  for (const xmlNode* node = root->children; node != nullptr; node = node->next) {
    if (Named(node, "Upload")) {
      uploads.push_back({ChildText(node, "Key"), ChildText(node, "UploadId"),
                         ParseIso8601Ms(ChildText(node, "Initiated"))});
    }
  }
  return uploads;
}

std::string CompleteMultipartUploadXml(const std::vector<UploadedPart>& parts) {
  std::string xml = "<CompleteMultipartUpload>";
  for (const UploadedPart& part : parts) {
    xml += "<Part><PartNumber>" + std::to_string(part.number) + "</PartNumber><ETag>";
    AppendEscaped(&xml, part.etag);
    xml += "</ETag></Part>";
  }
  xml += "</CompleteMultipartUpload>";
  return xml;
}

std::string DeleteObjectsXml(const std::vector<std::string>& keys) {
  std::string xml = "<Delete><Quiet>true</Quiet>";
  for (const std::string& key : keys) {
    xml += "<Object><Key>";
    AppendEscaped(&xml, key);
    xml += "</Key></Object>";
  }
  xml += "</Delete>";
  return xml;
}

int64_t ParseIso8601Ms(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS[.fff]Z
  if (text.size() < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':') {
    return -1;
  }
  int64_t year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!ParseInt(text.substr(0, 4), &year) || !ParseInt(text.substr(5, 2), &month) ||
      !ParseInt(text.substr(8, 2), &day) || !ParseInt(text.substr(11, 2), &hour) ||
      !ParseInt(text.substr(14, 2), &minute) || !ParseInt(text.substr(17, 2), &second)) {
    return -1;
  }
  int64_t millis = 0;
  size_t i = 19;
  if (i < text.size() && text[i] == '.') {
    int64_t scale = 100;
    for (++i; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) {
      millis += (text[i] - '0') * scale;
      scale /= 10;
    }
  }
  if (i >= text.size() || text[i] != 'Z') return -1;
  std::tm tm{};
  tm.tm_year = static_cast<int>(year - 1900);
  tm.tm_mon = static_cast<int>(month - 1);
  tm.tm_mday = static_cast<int>(day);
  tm.tm_hour = static_cast<int>(hour);
  tm.tm_min = static_cast<int>(minute);
  tm.tm_sec = static_cast<int>(second);
  return static_cast<int64_t>(timegm(&tm)) * 1000 + millis;
}

std::string PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      const int high = HexValue(text[i + 1]);
      const int low = HexValue(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out += static_cast<char>(high * 16 + low);
        i += 2;
        continue;
      }
    }
    out += text[i];
  }
  return out;
}

}  // namespace sluice::io::s3

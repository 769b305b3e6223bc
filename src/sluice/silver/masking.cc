#include "sluice/silver/masking.h"

#include "sluice/common/digest.h"

#include <cstdlib>
#include <cstring>
#include <memory>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/take.h"
#include "sluice/columnar/value_formatter.h"
#include "sluice/common/ascii.h"
#include "sluice/common/redactor.h"

namespace sluice::silver {
namespace {

using columnar::DataType;
using columnar::TypeId;

const char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Base64Url(const std::string& bytes) {
  std::string out;
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t n = (static_cast<uint8_t>(bytes[i]) << 16) |
                       (static_cast<uint8_t>(bytes[i + 1]) << 8) |
                       static_cast<uint8_t>(bytes[i + 2]);
    for (int shift = 18; shift >= 0; shift -= 6) out += kBase64Url[(n >> shift) & 63];
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t n = static_cast<uint8_t>(bytes[i]) << 16;
    if (rest == 2) n |= static_cast<uint8_t>(bytes[i + 1]) << 8;
    out += kBase64Url[(n >> 18) & 63];
    out += kBase64Url[(n >> 12) & 63];
    if (rest == 2) out += kBase64Url[(n >> 6) & 63];
  }
  return out;
}

std::optional<std::string> FromBase64Url(std::string_view text) {
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    const char* at = std::strchr(kBase64Url, c);
    if (c == '\0' || at == nullptr) return std::nullopt;
    bits = (bits << 6) | static_cast<uint32_t>(at - kBase64Url);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xFF);
    }
  }
  if (count >= 6) return std::nullopt;  // a lone trailing character is not base64
  return out;
}

struct CipherContextFree {
  void operator()(EVP_CIPHER_CTX* context) const { EVP_CIPHER_CTX_free(context); }
};
struct CipherFree {
  void operator()(EVP_CIPHER* cipher) const { EVP_CIPHER_free(cipher); }
};

// AES-128-SIV: a 32-byte key (MAC key and CTR key), a 16-byte synthetic IV, no nonce.
Result<std::string> Siv(std::string_view key, std::string_view input, bool encrypt) {
  // Fetched once: the lookup is the expensive part of a short message.
  static const std::unique_ptr<EVP_CIPHER, CipherFree> cipher(
      EVP_CIPHER_fetch(nullptr, "AES-128-SIV", nullptr));
  std::unique_ptr<EVP_CIPHER_CTX, CipherContextFree> context(EVP_CIPHER_CTX_new());
  if (!cipher || !context) return Status::Internal("AES-SIV is not available in this OpenSSL");
  const auto* key_bytes = reinterpret_cast<const unsigned char*>(key.data());
  constexpr int kTag = 16;
  std::string tag;
  std::string_view body = input;
  if (!encrypt) {
    tag.assign(input.substr(0, kTag));
    body = input.substr(kTag);
  }
  if (EVP_CipherInit_ex2(context.get(), cipher.get(), key_bytes, nullptr, encrypt ? 1 : 0,
                         nullptr) != 1) {
    return Status::Internal("AES-SIV: cannot initialize");
  }
  if (!encrypt &&
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_AEAD_SET_TAG, kTag, tag.data()) != 1) {
    return Status::Internal("AES-SIV: cannot set the tag");
  }
  std::string out(body.size() + 16, '\0');
  int length = 0;
  // SIV takes the whole message in one update (an empty one included).
  if (EVP_CipherUpdate(context.get(), reinterpret_cast<unsigned char*>(out.data()), &length,
                       reinterpret_cast<const unsigned char*>(body.data()),
                       static_cast<int>(body.size())) != 1) {
    return Status::DataError("the token was not made with this key, or was altered");
  }
  int final_length = 0;
  if (EVP_CipherFinal_ex(context.get(), reinterpret_cast<unsigned char*>(out.data()) + length,
                         &final_length) != 1) {
    return Status::DataError("the token was not made with this key, or was altered");
  }
  out.resize(static_cast<size_t>(length + final_length));
  if (!encrypt) return out;
  std::string computed(kTag, '\0');
  if (EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_AEAD_GET_TAG, kTag, computed.data()) != 1) {
    return Status::Internal("AES-SIV: cannot read the tag");
  }
  return computed + out;
}

bool IsTemporal(const DataType& type) {
  return type.id() == TypeId::kDate || type.id() == TypeId::kTimestamp;
}

std::string_view Trimmed(std::string_view text) {
  text = TrimSpaces(text);
  return text;
}

}  // namespace

namespace {

struct DigestContextFree {
  void operator()(EVP_MD_CTX* context) const { EVP_MD_CTX_free(context); }
};
using DigestContext = std::unique_ptr<EVP_MD_CTX, DigestContextFree>;

// HMAC-SHA256 (RFC 2104) with the key's inner and outer states computed once: a value costs two
// context copies and two short hashes, not a key schedule and an algorithm lookup.
class HmacSha256 {
 public:
  explicit HmacSha256(std::string_view key)
      : inner_(EVP_MD_CTX_new()), outer_(EVP_MD_CTX_new()), work_(EVP_MD_CTX_new()) {
    unsigned char block[64] = {};
    if (key.size() > sizeof(block)) {
      SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), block);
    } else {
      std::memcpy(block, key.data(), key.size());
    }
    unsigned char inner_pad[64], outer_pad[64];
    for (size_t i = 0; i < sizeof(block); ++i) {
      inner_pad[i] = block[i] ^ 0x36;
      outer_pad[i] = block[i] ^ 0x5c;
    }
    EVP_DigestInit_ex(inner_.get(), EVP_sha256(), nullptr);
    EVP_DigestUpdate(inner_.get(), inner_pad, sizeof(inner_pad));
    EVP_DigestInit_ex(outer_.get(), EVP_sha256(), nullptr);
    EVP_DigestUpdate(outer_.get(), outer_pad, sizeof(outer_pad));
  }

  std::string Hex(std::string_view value) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_MD_CTX_copy_ex(work_.get(), inner_.get());
    EVP_DigestUpdate(work_.get(), value.data(), value.size());
    EVP_DigestFinal_ex(work_.get(), digest, &size);
    EVP_MD_CTX_copy_ex(work_.get(), outer_.get());
    EVP_DigestUpdate(work_.get(), digest, size);
    EVP_DigestFinal_ex(work_.get(), digest, &size);
    return LowerHex(digest, size);
  }

 private:
  DigestContext inner_, outer_, work_;
};

}  // namespace

std::string HmacSha256Hex(std::string_view key, std::string_view value) {
  return HmacSha256(key).Hex(value);
}

Result<std::string> Tokenize(std::string_view key, std::string_view value) {
  if (key.size() != 32) return Status::InvalidArgument("a token key is 32 bytes");
  // A version byte first: the format can change, and the message is never empty (OpenSSL's SIV
  // refuses an empty one).
  SLUICE_ASSIGN_OR_RETURN(std::string sealed, Siv(key, "\x01" + std::string(value), true));
  return "tok_" + Base64Url(sealed);
}

Result<std::string> Detokenize(std::string_view key, std::string_view token) {
  if (key.size() != 32) return Status::InvalidArgument("a token key is 32 bytes");
  const std::string_view text = Trimmed(token);
  std::optional<std::string> sealed;
  if (text.starts_with("tok_")) sealed = FromBase64Url(text.substr(4));
  if (!sealed || sealed->size() < 16) {
    return Status::InvalidArgument("'" + std::string(text) +
                                   "' is not a token (tokens look like tok_ followed by "
                                   "base64url text)");
  }
  SLUICE_ASSIGN_OR_RETURN(std::string opened, Siv(key, *sealed, false));
  if (opened.empty() || opened[0] != '\x01') {
    return Status::DataError("the token was made by an unknown version of tokenize");
  }
  return opened.substr(1);
}

Result<MaskRule> ParseMaskRule(std::string_view text) {
  const std::string_view written = Trimmed(text);
  std::string_view name = written;
  std::string_view argument;
  bool has_argument = false;
  if (const size_t open = written.find('('); open != std::string_view::npos) {
    if (!written.ends_with(')')) {
      return Status::InvalidArgument("'" + std::string(written) + "': a ')' is missing");
    }
    name = Trimmed(written.substr(0, open));
    argument = Trimmed(written.substr(open + 1, written.size() - open - 2));
    has_argument = true;
  }
  MaskRule rule;
  auto no_argument = [&]() -> Status {
    if (has_argument) {
      return Status::InvalidArgument(std::string(name) + " takes no argument");
    }
    return Status::OK();
  };
  if (name == "hmac") {
    rule.method = MaskMethod::kHmac;
    SLUICE_RETURN_NOT_OK(no_argument());
  } else if (name == "sha256") {
    rule.method = MaskMethod::kSha256;
    SLUICE_RETURN_NOT_OK(no_argument());
  } else if (name == "email_domain") {
    rule.method = MaskMethod::kEmailDomain;
    SLUICE_RETURN_NOT_OK(no_argument());
  } else if (name == "tokenize") {
    rule.method = MaskMethod::kTokenize;
    SLUICE_RETURN_NOT_OK(no_argument());
  } else if (name == "mask") {
    rule.method = MaskMethod::kMask;
    if (has_argument) {
      char* end = nullptr;
      const std::string digits(argument);
      const long keep = std::strtol(digits.c_str(), &end, 10);
      if (digits.empty() || *end != '\0' || keep < 0 || keep > 64) {
        return Status::InvalidArgument(
            "mask(N) keeps the last N characters, N from 0 to 64; not '" + digits + "'");
      }
      rule.keep = static_cast<int>(keep);
    }
  } else if (name == "redact") {
    rule.method = MaskMethod::kRedact;
    if (has_argument) {
      if (argument.size() < 2 || argument.front() != '\'' || argument.back() != '\'') {
        return Status::InvalidArgument("redact('text') takes the text in single quotes");
      }
      rule.constant = std::string(argument.substr(1, argument.size() - 2));
    }
  } else if (name == "truncate_date") {
    rule.method = MaskMethod::kTruncateDate;
    const std::optional<compute::DatePart> unit = compute::ParseDatePart(argument);
    if (!has_argument || !unit ||
        !(*unit == compute::DatePart::kYear || *unit == compute::DatePart::kQuarter ||
          *unit == compute::DatePart::kMonth || *unit == compute::DatePart::kWeek ||
          *unit == compute::DatePart::kDay)) {
      return Status::InvalidArgument(
          "truncate_date(unit) takes year, quarter, month, week or day, e.g. "
          "truncate_date(year)");
    }
    rule.unit = *unit;
  } else {
    return Status::InvalidArgument(
        "unknown mask '" + std::string(written) +
        "'; the masks are hmac, sha256, mask(N), redact, redact('text'), email_domain, "
        "truncate_date(unit) and tokenize");
  }
  return rule;
}

Result<DataType> MaskedType(const MaskRule& rule, const DataType& type) {
  switch (rule.method) {
    case MaskMethod::kTruncateDate:
      if (!IsTemporal(type)) {
        return Status::InvalidArgument("truncate_date needs a date or timestamp column, not " +
                                       type.ToString());
      }
      return type;
    case MaskMethod::kRedact:
      if (rule.constant && type.id() != TypeId::kString) {
        return Status::InvalidArgument(
            "redact('text') needs a string column; use redact (null) for " + type.ToString());
      }
      return type;
    case MaskMethod::kEmailDomain:
      if (type.id() != TypeId::kString) {
        return Status::InvalidArgument("email_domain needs a string column, not " +
                                       type.ToString());
      }
      return type;
    default:
      return DataType::String();
  }
}

Result<std::string> MaskingKeyFromEnvironment() {
  const char* value = std::getenv(kMaskingKeyVariable);
  if (value == nullptr || std::string_view(value).size() < 16) {
    return Status::InvalidArgument(
        std::string("the hmac mask needs a secret key of at least 16 characters in ") +
        kMaskingKeyVariable + " (e.g. export " + kMaskingKeyVariable +
        "=$(openssl rand -hex 32)); keep it out of the project file");
  }
  Redactor::Global().Register(value);
  return std::string(value);
}

Result<std::string> TokenKeyFromEnvironment() {
  const char* value = std::getenv(kTokenKeyVariable);
  std::string key;
  const std::string_view text = value == nullptr ? "" : value;
  if (text.size() == 64) {
    for (size_t i = 0; i < 64; i += 2) {
      const std::string pair(text.substr(i, 2));
      char* end = nullptr;
      const long byte = std::strtol(pair.c_str(), &end, 16);
      if (*end != '\0' || !std::isxdigit(static_cast<unsigned char>(pair[0]))) break;
      key += static_cast<char>(byte);
    }
  }
  if (key.size() != 32) {
    return Status::InvalidArgument(std::string("tokenize needs a key of 64 hex characters (32 "
                                               "bytes) in ") +
                                   kTokenKeyVariable + " (e.g. export " + kTokenKeyVariable +
                                   "=$(openssl rand -hex 32)); keep it out of the project file");
  }
  Redactor::Global().Register(std::string(text));
  return key;
}

Result<columnar::ColumnPtr> ApplyMask(const MaskRule& rule, const columnar::Column& column,
                                      const MaskingKeys& keys) {
  const DataType& type = column.type();
  SLUICE_RETURN_NOT_OK(MaskedType(rule, type).status());
  const int64_t rows = column.length();
  if (rule.method == MaskMethod::kRedact) {
    if (!rule.constant) return columnar::MakeNullColumn(type, rows);
    columnar::StringBuilder builder;
    for (int64_t i = 0; i < rows; ++i) builder.Append(*rule.constant);
    return builder.Finish();
  }
  if (rule.method == MaskMethod::kTruncateDate) {
    if (type.id() == TypeId::kDate) {
      const auto& days = static_cast<const columnar::Int32Column&>(column);
      columnar::Int32Builder builder(type);
      for (int64_t i = 0; i < rows; ++i) {
        if (column.IsNull(i)) {
          builder.AppendNull();
          continue;
        }
        const int64_t micros =
            compute::TruncateTo(rule.unit, int64_t{days.Value(i)} * compute::kMicrosPerDay);
        builder.Append(static_cast<int32_t>(compute::FloorDiv(micros, compute::kMicrosPerDay)));
      }
      return builder.Finish();
    }
    const auto& micros = static_cast<const columnar::Int64Column&>(column);
    columnar::Int64Builder builder(type);
    for (int64_t i = 0; i < rows; ++i) {
      if (column.IsNull(i)) {
        builder.AppendNull();
      } else {
        builder.Append(compute::TruncateTo(rule.unit, micros.Value(i)));
      }
    }
    return builder.Finish();
  }
  std::optional<HmacSha256> hmac;
  if (rule.method == MaskMethod::kHmac) hmac.emplace(keys.hmac_key);
  columnar::StringBuilder builder;
  std::string text;
  std::string out;
  for (int64_t i = 0; i < rows; ++i) {
    if (column.IsNull(i)) {
      builder.AppendNull();
      continue;
    }
    std::string_view value;
    if (type.id() == TypeId::kString) {
      value = static_cast<const columnar::StringColumn&>(column).Value(i);
    } else {
      text.clear();
      columnar::AppendValue(column, i, columnar::ValueStyle::kDisplay, &text);
      value = text;
    }
    switch (rule.method) {
      case MaskMethod::kHmac:
        builder.Append(hmac->Hex(value));
        break;
      case MaskMethod::kSha256:
        builder.Append(Sha256Hex(value));
        break;
      case MaskMethod::kTokenize: {
        SLUICE_ASSIGN_OR_RETURN(std::string token, Tokenize(keys.token_key, value));
        builder.Append(token);
        break;
      }
      case MaskMethod::kEmailDomain: {
        const size_t at = value.rfind('@');
        if (at == std::string_view::npos || at + 1 == value.size()) {
          builder.AppendNull();
        } else {
          builder.Append(value.substr(at + 1));
        }
        break;
      }
      default: {  // mask(N): by characters, so a multi-byte character counts once
        std::vector<size_t> starts;
        for (size_t at = 0; at < value.size(); ++at) {
          if ((static_cast<unsigned char>(value[at]) & 0xC0) != 0x80) starts.push_back(at);
        }
        const size_t keep = std::min(starts.size(), static_cast<size_t>(rule.keep));
        out.assign(starts.size() - keep, '*');
        if (keep > 0) out.append(value.substr(starts[starts.size() - keep]));
        builder.Append(out);
        break;
      }
    }
  }
  return builder.Finish();
}

}  // namespace sluice::silver

// Masking: the PII masks a silver table applies to its columns, each a whole-column kernel.
//
//   hmac                HMAC-SHA256 of the value keyed with SLUICE_MASKING_KEY, as 64 hex
//                       characters: equal inputs give equal outputs (joins still work), and without
//                       the key no dictionary of guesses can be matched against it. The default
//                       way to pseudonymize.
//   sha256              plain SHA-256 hex. Anyone can hash a list of likely emails or phone numbers
//                       and look the outputs up: it hides nothing from a dictionary attack. Kept
//                       for compatibility with systems that already use it.
//   mask(N)             every character but the last N replaced by '*' ("*******1234").
//   redact              null; redact('text') the constant instead (string columns).
//   email_domain        the part after the last '@' ("example.org"); null when there is none.
//   truncate_date(unit) a date or timestamp truncated to year, quarter, month, week or day.
//   tokenize            deterministic AES-SIV encryption (RFC 5297, AES-128-SIV via OpenSSL)
//                       keyed with SLUICE_TOKEN_KEY, written "tok_" + base64url: equal inputs
//                       give equal tokens, and `sluice detokenize` turns a token back into the
//                       value for whoever holds the key.
//
// Values of other types are masked as their text (hmac, sha256, mask, tokenize give strings).
// Keys come from the environment only and are registered with the Redactor.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sluice/columnar/column.h"
#include "sluice/common/digest.h"  // Sha256Hex (the sha256 mask)
#include "sluice/common/result.h"
#include "sluice/compute/calendar.h"

namespace sluice::silver {

inline constexpr const char* kMaskingKeyVariable = "SLUICE_MASKING_KEY";
inline constexpr const char* kTokenKeyVariable = "SLUICE_TOKEN_KEY";

enum class MaskMethod { kHmac, kSha256, kMask, kRedact, kEmailDomain, kTruncateDate, kTokenize };

struct MaskRule {
  MaskMethod method = MaskMethod::kHmac;
  int keep = 4;                                       // mask(N)
  std::optional<std::string> constant;                // redact('text')
  compute::DatePart unit = compute::DatePart::kYear;  // truncate_date(unit)
};

// Parses "hmac", "mask(4)", "redact('n/a')", "truncate_date(month)", ... Errors: InvalidArgument
// listing the methods.
Result<MaskRule> ParseMaskRule(std::string_view text);

// The type a rule gives a column of `type`. Errors: InvalidArgument when the rule does not apply
// to the type (truncate_date of a string, redact('text') of a number, ...).
Result<columnar::DataType> MaskedType(const MaskRule& rule, const columnar::DataType& type);

// Keys from the environment (SLUICE_MASKING_KEY, SLUICE_TOKEN_KEY). A token key is 64 hex
// characters (32 bytes, e.g. `openssl rand -hex 32`); a masking key is any secret of 16 bytes or
// more. Errors: InvalidArgument naming the variable and what it must hold.
struct MaskingKeys {
  std::string hmac_key;
  std::string token_key;  // 32 raw bytes
};
Result<std::string> MaskingKeyFromEnvironment();
Result<std::string> TokenKeyFromEnvironment();

// Applies `rule` to every value (nulls stay null, except redact('text')).
Result<columnar::ColumnPtr> ApplyMask(const MaskRule& rule, const columnar::Column& column,
                                      const MaskingKeys& keys);

// One value: HMAC-SHA256 / SHA-256 as lower-case hex.
std::string HmacSha256Hex(std::string_view key, std::string_view value);

// Tokenize and detokenize one value with a 32-byte key. Detokenize errors: InvalidArgument for
// text that is not a token, DataError when the token was not made with this key (or was altered).
Result<std::string> Tokenize(std::string_view key, std::string_view value);
Result<std::string> Detokenize(std::string_view key, std::string_view token);

}  // namespace sluice::silver

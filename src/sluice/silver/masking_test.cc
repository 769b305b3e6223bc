#include "sluice/silver/masking.h"

#include <gtest/gtest.h>

#include <set>

#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/value_formatter.h"

namespace sluice::silver {
namespace {

columnar::ColumnPtr Strings(const std::vector<std::string>& values) {
  columnar::StringBuilder builder;
  for (const std::string& value : values) {
    if (value == "<null>") {
      builder.AppendNull();
    } else {
      builder.Append(value);
    }
  }
  return builder.Finish();
}

std::string Render(const columnar::Column& column) {
  std::string out;
  for (int64_t i = 0; i < column.length(); ++i) {
    if (i > 0) out += "|";
    columnar::AppendValue(column, i, columnar::ValueStyle::kJson, &out);
  }
  return out;
}

std::string Mask(const std::string& rule_text, const columnar::ColumnPtr& column,
                 const MaskingKeys& keys = {}) {
  Result<MaskRule> rule = ParseMaskRule(rule_text);
  if (!rule.ok()) return "PARSE " + rule.status().message();
  Result<columnar::ColumnPtr> masked = ApplyMask(*rule, *column, keys);
  if (!masked.ok()) return "APPLY " + masked.status().message();
  return Render(**masked);
}

// Emails and phone numbers an attacker would guess.
std::vector<std::string> Dictionary() {
  std::vector<std::string> values;
  for (const char* first : {"ada", "bob", "carla", "dmitri", "emma"}) {
    for (const char* domain : {"example.org", "example.com", "gmail.com"}) {
      values.push_back(std::string(first) + "@" + domain);
    }
  }
  for (int i = 0; i < 200; ++i) values.push_back("+47 4 95172" + std::to_string(10 + i));
  return values;
}

TEST(MaskingTest, HmacOutputsMatchNoDictionaryOfPlainHashes) {
  const std::vector<std::string> inputs = Dictionary();
  const columnar::ColumnPtr column = Strings(inputs);
  MaskingKeys keys;
  keys.hmac_key = "a-secret-key-of-32-characters!!!";
  Result<columnar::ColumnPtr> hmac = ApplyMask(*ParseMaskRule("hmac"), *column, keys);
  Result<columnar::ColumnPtr> sha = ApplyMask(*ParseMaskRule("sha256"), *column, keys);
  ASSERT_TRUE(hmac.ok() && sha.ok());
  // The attacker's dictionary: SHA-256 of every guess.
  std::set<std::string> dictionary;
  for (const std::string& guess : inputs) dictionary.insert(Sha256Hex(guess));
  const auto& hmac_values = static_cast<const columnar::StringColumn&>(**hmac);
  const auto& sha_values = static_cast<const columnar::StringColumn&>(**sha);
  int sha_found = 0;
  std::set<std::string> distinct;
  for (int64_t i = 0; i < column->length(); ++i) {
    EXPECT_EQ(dictionary.count(std::string(hmac_values.Value(i))), 0u) << inputs[i];
    sha_found += dictionary.count(std::string(sha_values.Value(i))) != 0;
    distinct.insert(std::string(hmac_values.Value(i)));
    EXPECT_EQ(hmac_values.Value(i).size(), 64u);
  }
  // sha256 is reversed by the dictionary for every value; hmac for none, and stays one-to-one.
  EXPECT_EQ(sha_found, static_cast<int>(inputs.size()));
  EXPECT_EQ(distinct.size(), inputs.size());
  // Deterministic: the same input and key give the same output (joins still work).
  EXPECT_EQ(HmacSha256Hex(keys.hmac_key, "ada@example.org"), std::string(hmac_values.Value(0)));
  EXPECT_NE(HmacSha256Hex("another-key-another-key", "ada@example.org"),
            std::string(hmac_values.Value(0)));
  // RFC 4231 test case 2.
  EXPECT_EQ(HmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(MaskingTest, TokenizeRoundTripsOnlyWithTheKey) {
  const std::string key(32, '\x07');
  const std::string other(32, '\x08');
  for (const std::string& value :
       std::vector<std::string>{"ada@example.org", "", "Ünïcode ✓", std::string(1000, 'x')}) {
    Result<std::string> token = Tokenize(key, value);
    ASSERT_TRUE(token.ok()) << token.status().ToString() << " for " << value.size();
    EXPECT_TRUE(token->starts_with("tok_"));
    EXPECT_EQ(*Tokenize(key, value), *token);  // deterministic
    Result<std::string> back = Detokenize(key, *token);
    ASSERT_TRUE(back.ok()) << back.status().ToString() << " for " << value.size();
    EXPECT_EQ(*back, value);
    Result<std::string> wrong = Detokenize(other, *token);
    EXPECT_FALSE(wrong.ok());
    EXPECT_EQ(wrong.status().code(), StatusCode::kDataError);
  }
  EXPECT_NE(*Tokenize(key, "a"), *Tokenize(key, "b"));
  std::string altered = *Tokenize(key, "ada@example.org");
  altered[6] = altered[6] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(Detokenize(key, altered).ok());
  EXPECT_EQ(Detokenize(key, "not-a-token").status().code(), StatusCode::kInvalidArgument);
}

TEST(MaskingTest, PartialMasks) {
  const columnar::ColumnPtr phones = Strings({"+47 4 9517214", "12", "<null>", "Øre-99"});
  EXPECT_EQ(Mask("mask(4)", phones), "\"*********7214\"|\"12\"|null|\"**e-99\"");
  EXPECT_EQ(Mask("mask", phones), "\"*********7214\"|\"12\"|null|\"**e-99\"");
  EXPECT_EQ(Mask("mask(0)", phones), "\"*************\"|\"**\"|null|\"******\"");
  EXPECT_EQ(Mask("redact", phones), "null|null|null|null");
  EXPECT_EQ(Mask("redact('n/a')", phones), "\"n/a\"|\"n/a\"|\"n/a\"|\"n/a\"");
  const columnar::ColumnPtr emails =
      Strings({"ada@example.org", "no-at-sign", "<null>", "a@b@c.io"});
  EXPECT_EQ(Mask("email_domain", emails), "\"example.org\"|null|null|\"c.io\"");
  columnar::Int32Builder days(columnar::DataType::Date());
  days.Append(19'783);  // 2024-03-01
  days.AppendNull();
  const columnar::ColumnPtr birth = days.Finish();
  EXPECT_EQ(Mask("truncate_date(year)", birth), "\"2024-01-01\"|null");
  EXPECT_EQ(Mask("truncate_date(month)", birth), "\"2024-03-01\"|null");
  EXPECT_EQ(Mask("truncate_date(year)", phones),
            "APPLY truncate_date needs a date or timestamp column, not string");
  EXPECT_EQ(Mask("hash", phones).substr(0, 25), "PARSE unknown mask 'hash'");
  EXPECT_EQ(Mask("mask(x)", phones),
            "PARSE mask(N) keeps the last N characters, N from 0 to 64; not 'x'");
}

TEST(MaskingTest, KeysComeFromTheEnvironment) {
  unsetenv(kTokenKeyVariable);
  EXPECT_EQ(TokenKeyFromEnvironment().status().code(), StatusCode::kInvalidArgument);
  setenv(kTokenKeyVariable, "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", 1);
  Result<std::string> key = TokenKeyFromEnvironment();
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->size(), 32u);
  EXPECT_EQ(static_cast<unsigned char>((*key)[31]), 0xff);
  setenv(kTokenKeyVariable, "zz112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", 1);
  EXPECT_FALSE(TokenKeyFromEnvironment().ok());
  setenv(kMaskingKeyVariable, "short", 1);
  EXPECT_FALSE(MaskingKeyFromEnvironment().ok());
  setenv(kMaskingKeyVariable, "long-enough-secret", 1);
  EXPECT_TRUE(MaskingKeyFromEnvironment().ok());
}

}  // namespace
}  // namespace sluice::silver

#include "sluice/silver/silver_table.h"

#include <gtest/gtest.h>

#include "sluice/config/yaml_loader.h"

namespace sluice::silver {
namespace {

TEST(SilverTableTest, SnakeCase) {
  EXPECT_EQ(SnakeCase("OrderID"), "order_id");
  EXPECT_EQ(SnakeCase("Unit Price"), "unit_price");
  EXPECT_EQ(SnakeCase("customerEmail"), "customer_email");
  EXPECT_EQ(SnakeCase("already_snake"), "already_snake");
  EXPECT_EQ(SnakeCase("HTTPStatus2xx"), "http_status2xx");
  EXPECT_EQ(SnakeCase("--"), "--");
}

std::string Errors(const std::string& yaml) {
  Result<config::ConfigNode> node = config::ParseYaml(yaml, "p.yml");
  if (!node.ok()) return node.status().ToString();
  config::ConfigErrors errors;
  SilverTableSpec().Validate(*node, "table 'silver.t'", &errors);
  std::optional<SilverTable> table = ParseSilverTable("silver.t", {}, *node, &errors);
  std::string out;
  for (const config::ConfigError& error : errors.errors()) out += error.ToString() + "\n";
  if (out.empty() && !table) return "no table and no error";
  return out;
}

TEST(SilverTableTest, ErrorsPointIntoTheProjectFile) {
  EXPECT_EQ(Errors("from: bronze.orders\nderive: {amount: quantity * }\n"),
            "p.yml:2:28: table 'silver.t', derived column 'amount': expected a value, found the "
            "end of the expression\n");
  EXPECT_EQ(Errors("from: bronze.orders\nmask: {email: hash}\n"),
            "p.yml:2:15: table 'silver.t': mask of 'email': unknown mask 'hash'; the masks are "
            "hmac, sha256, mask(N), redact, redact('text'), email_domain, truncate_date(unit) and "
            "tokenize\n");
  EXPECT_EQ(Errors("from: bronze.orders\nnulls: {channel: maybe}\n"),
            "p.yml:2:18: table 'silver.t': the null rule of 'channel' must be drop, quarantine, "
            "fail or default <value> (e.g. default 'unknown'), not 'maybe'\n");
  EXPECT_EQ(Errors("from: bronze.orders\nchecks:\n  enough: {check: row_count, severity: "
                   "quarantine, min: 1}\n"),
            "p.yml:3:40: table 'silver.t', check 'enough' (row_count) judges the whole run, so "
            "it cannot quarantine rows; use warn or fail\n");
  EXPECT_EQ(Errors("from: bronze.orders\nchecks:\n  known: {check: accepted_values, column: s}\n"),
            "p.yml:3:3: table 'silver.t', check 'known' (accepted_values) needs 'values'\n");
  EXPECT_EQ(Errors("from: bronze.orders\ncast: {qty: integr}\n"),
            "p.yml:2:13: table 'silver.t': cast of 'qty': unknown type 'integr' (expected bool, "
            "int32, int64, float64, decimal(p,s), string, binary, date, time, timestamp or "
            "json)\n");
  EXPECT_EQ(
      Errors("from: bronze.orders\ndedupe: {key: [id], latest_by: ts}\nfilter: \"qty > 0\"\n"), "");
}

}  // namespace
}  // namespace sluice::silver

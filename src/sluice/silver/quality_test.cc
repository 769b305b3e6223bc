// The kinds of check alone: which rows each fails, which it sends to quarantine (the first
// quarantine check a row fails), run-level judgements, and the quality score.
#include "sluice/silver/quality.h"

#include <gtest/gtest.h>

#include "sluice/columnar/column_builder.h"
#include "sluice/compute/row_key.h"
#include "sluice/config/yaml_loader.h"

namespace sluice::silver {
namespace {

using columnar::BatchPtr;
using columnar::DataType;

SilverTable Table(const std::string& checks) {
  Result<config::ConfigNode> node =
      config::ParseYaml("from: bronze.orders\ndedupe: {key: [id]}\nchecks:\n" + checks, "p.yml");
  EXPECT_TRUE(node.ok()) << node.status().ToString();
  config::ConfigErrors errors;
  std::optional<SilverTable> table = ParseSilverTable("silver.orders", {}, *node, &errors);
  EXPECT_TRUE(errors.empty()) << errors.ToStatus().ToString();
  return table.value_or(SilverTable{});
}

// (id, status, amount, day) rows; a negative amount is null.
BatchPtr Orders(const std::vector<std::tuple<int64_t, std::string, int64_t, int32_t>>& rows) {
  columnar::Int64Builder id(DataType::Int64()), amount(DataType::Int64());
  columnar::StringBuilder status;
  columnar::Int32Builder day(DataType::Date());
  for (const auto& [i, s, a, d] : rows) {
    id.Append(i);
    status.Append(s);
    a < 0 ? amount.AppendNull() : amount.Append(a);
    day.Append(d);
  }
  auto schema = std::make_shared<const columnar::Schema>(
      std::vector<columnar::Field>{{"id", DataType::Int64(), true},
                                   {"status", DataType::String(), true},
                                   {"amount", DataType::Int64(), true},
                                   {"day", DataType::Date(), true}});
  return std::make_shared<const columnar::Batch>(
      schema,
      std::vector<columnar::ColumnPtr>{id.Finish(), status.Finish(), amount.Finish(), day.Finish()},
      static_cast<int64_t>(rows.size()));
}

constexpr int32_t kDay = 20'000;  // 2024-10-04
constexpr int64_t kNoon = (int64_t{kDay} * 86'400 + 43'200) * 1'000'000;

TEST(QualityTest, RowChecksMarkTheFirstQuarantineCheckEachRowFails) {
  const SilverTable table = Table(
      "  amount_known: {check: not_null, column: amount, severity: quarantine}\n"
      "  known_status: {check: accepted_values, column: status, values: [paid, open], severity: "
      "quarantine}\n"
      "  small: {check: range, column: amount, max: 100, severity: warn}\n");
  const BatchPtr rows = Orders(
      {{1, "paid", 5, kDay}, {2, "lost", -1, kDay}, {3, "lost", 500, kDay}, {4, "open", 7, kDay}});
  std::vector<std::vector<int>> quarantine;
  Result<std::vector<CheckResult>> results = RunChecks(table, {rows}, {}, &quarantine);
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  ASSERT_EQ(results->size(), 3u);
  EXPECT_EQ((*results)[0].rows_failed, 1);
  EXPECT_EQ((*results)[1].rows_failed, 2);
  EXPECT_EQ((*results)[1].sample, (std::vector<std::string>{"lost"}));
  EXPECT_EQ((*results)[2].rows_failed, 1);  // a null passes range
  EXPECT_FALSE((*results)[2].passed);
  // Row 2 fails both quarantine checks: the first one names it; a warn check quarantines nothing.
  EXPECT_EQ(quarantine, (std::vector<std::vector<int>>{{-1, 0, 1, -1}}));
}

TEST(QualityTest, UniqueComparesWithTheRunAndTheTableAndRelationshipsWithTheOtherTable) {
  const SilverTable table = Table(
      "  one_each: {check: unique, column: id, severity: quarantine}\n"
      "  real_status: {check: relationships, column: status, to: silver.statuses}\n");
  CheckContext context;
  // The keys as the task reads them from the tables: id 3 is in the table, "paid" a status.
  context.existing_keys["one_each"] = {compute::EncodeKey(*Orders({{3, "x", 0, kDay}}), {0}, 0)};
  context.reference_keys["real_status"] = {
      compute::EncodeKey(*Orders({{0, "paid", 0, kDay}}), {1}, 0)};
  const BatchPtr rows = Orders({{1, "paid", 5, kDay}, {1, "paid", 5, kDay}, {3, "open", 1, kDay}});
  std::vector<std::vector<int>> quarantine;
  Result<std::vector<CheckResult>> results = RunChecks(table, {rows}, context, &quarantine);
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  EXPECT_EQ((*results)[0].rows_failed, 2);  // the second id 1, and id 3 already in the table
  EXPECT_EQ((*results)[0].detail, "2 rows repeat a key");
  EXPECT_EQ(quarantine, (std::vector<std::vector<int>>{{-1, 0, 0}}));
  EXPECT_EQ((*results)[1].rows_failed, 1);
  EXPECT_EQ((*results)[1].detail, "1 keys are not in silver.statuses");
}

TEST(QualityTest, RunChecksJudgeTheWholeRun) {
  const SilverTable table = Table(
      "  enough: {check: row_count, min: 3}\n"
      "  fresh: {check: freshness, column: day, within: 24h}\n");
  CheckContext context;
  context.now_micros = kNoon;
  std::vector<std::vector<int>> quarantine;
  Result<std::vector<CheckResult>> results = RunChecks(
      table, {Orders({{1, "paid", 5, kDay - 3}, {2, "paid", 5, kDay}})}, context, &quarantine);
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  EXPECT_FALSE((*results)[0].passed);
  EXPECT_EQ((*results)[0].detail, "2 rows; at least 3 expected");
  EXPECT_TRUE((*results)[1].passed);  // the newest day is 12 hours old
  EXPECT_EQ((*results)[1].detail, "the newest is 12 hours old; at most 24 hours expected");
  context.now_micros = kNoon + int64_t{2} * 86'400'000'000;
  results = RunChecks(table, {Orders({{1, "paid", 5, kDay}})}, context, &quarantine);
  ASSERT_TRUE(results.ok());
  EXPECT_FALSE((*results)[1].passed);
}

TEST(QualityTest, ACustomConditionFailsRowsItCannotComputeAndNamesUnknownColumns) {
  const SilverTable table = Table("  sane: {check: custom, expression: \"amount * 2 < 100\"}\n");
  std::vector<std::vector<int>> quarantine;
  Result<std::vector<CheckResult>> results =
      RunChecks(table,
                {Orders({{1, "paid", 5, kDay},
                         {2, "paid", 60, kDay},
                         {3, "paid", std::numeric_limits<int64_t>::max(), kDay}})},
                {}, &quarantine);
  ASSERT_TRUE(results.ok()) << results.status().ToString();
  EXPECT_EQ((*results)[0].rows_failed, 2);  // 120 >= 100, and an overflow
  EXPECT_EQ((*results)[0].sample, (std::vector<std::string>{"2", "3"}));  // by the dedupe key
  EXPECT_NEAR(QualityScore(*results), 100.0 / 3, 1e-9);

  const SilverTable typo = Table("  sane: {check: not_null, column: amout}\n");
  results = RunChecks(typo, {Orders({{1, "paid", 5, kDay}})}, {}, &quarantine);
  ASSERT_FALSE(results.ok());
  EXPECT_NE(results.status().message().find("did you mean 'amount'"), std::string::npos)
      << results.status().ToString();
}

}  // namespace
}  // namespace sluice::silver

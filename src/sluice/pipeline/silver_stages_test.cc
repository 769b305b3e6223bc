// The stages of a silver run, each alone: the union of upstream schemas, dedupe (within the run and
// against the table), rows failing quarantine checks, masks, and the quarantine and quality rows.
#include "sluice/pipeline/silver_stages.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/value_formatter.h"
#include "sluice/lake/delta_table.h"
#include "sluice/lake/scratch_table.h"
#include "sluice/pipeline/upstream.h"

namespace sluice::pipeline {
namespace {

using columnar::BatchPtr;
using columnar::DataType;
using columnar::Field;

SilverUpstream UpstreamOf(const std::string& name, std::vector<Field> fields) {
  auto snapshot = std::make_shared<lake::Snapshot>();
  snapshot->version = 0;
  snapshot->schema = std::make_shared<const columnar::Schema>(std::move(fields));
  SilverUpstream upstream;
  upstream.name = name;
  upstream.snapshot = snapshot;
  return upstream;
}

// (id, updated, email) rows.
BatchPtr Rows(const std::vector<std::tuple<int64_t, int64_t, std::string>>& rows) {
  columnar::Int64Builder ids(DataType::Int64());
  columnar::Int64Builder updated(DataType::Int64());
  columnar::StringBuilder emails;
  for (const auto& [id, at, email] : rows) {
    ids.Append(id);
    updated.Append(at);
    emails.Append(email);
  }
  auto schema = std::make_shared<const columnar::Schema>(std::vector<Field>{
      {"id", DataType::Int64()}, {"updated", DataType::Int64()}, {"email", DataType::String()}});
  return std::make_shared<const columnar::Batch>(
      schema, std::vector<columnar::ColumnPtr>{ids.Finish(), updated.Finish(), emails.Finish()},
      static_cast<int64_t>(rows.size()));
}

// "id/updated/email" of every row, sorted.
std::vector<std::string> Texts(const std::vector<BatchPtr>& batches) {
  std::vector<std::string> texts;
  for (const BatchPtr& batch : batches) {
    for (int64_t row = 0; row < batch->num_rows(); ++row) {
      std::string text;
      for (size_t c = 0; c < batch->num_columns(); ++c) {
        if (c > 0) text += '/';
        columnar::AppendValue(batch->column(c), row, columnar::ValueStyle::kCsv, &text);
      }
      texts.push_back(text);
    }
  }
  std::sort(texts.begin(), texts.end());
  return texts;
}

// The rows in a spool: all in its file when `spilled`, else all in memory.
std::unique_ptr<columnar::BatchSpool> Spool(const std::vector<BatchPtr>& rows, bool spilled) {
  auto spool =
      std::make_unique<columnar::BatchSpool>(rows[0]->schema(), spilled ? 0 : int64_t{1} << 30);
  for (const BatchPtr& batch : rows) EXPECT_TRUE(spool->Append(batch).ok());
  return spool;
}

// Texts() of the rows `keep` keeps.
std::vector<std::string> KeptTexts(const columnar::BatchSpool& spool, const RowSelection& keep) {
  std::vector<BatchPtr> kept;
  for (size_t b = 0; b < spool.num_batches(); ++b) {
    kept.push_back(KeptRows(spool, keep.empty() ? nullptr : &keep, b).ValueOrDie());
  }
  return Texts(kept);
}

std::vector<std::string> Sorted(std::vector<std::string> texts) {
  std::sort(texts.begin(), texts.end());
  return texts;
}

silver::SilverTable Table() {
  silver::SilverTable table;
  table.name = "silver.customers";
  table.dedupe_key = {"id"};
  table.latest_by = "updated";
  return table;
}

TEST(SilverStagesTest, UnionSchemaMeetsIntegersAtInt64AndNamesTypeClashes) {
  std::vector<SilverUpstream> upstreams = {
      UpstreamOf("bronze.a", {{"id", DataType::Int32()}, {"name", DataType::String()}}),
      UpstreamOf("bronze.b", {{"id", DataType::Int64()}, {"city", DataType::String()}})};
  auto schema = UnionSchema(upstreams).ValueOrDie();
  ASSERT_EQ(schema->num_fields(), 3u);
  EXPECT_EQ(schema->field(0).type, DataType::Int64());
  EXPECT_EQ(schema->field(2).name, "city");
  upstreams.push_back(UpstreamOf("bronze.c", {{"name", DataType::Date()}}));
  const Status clash = UnionSchema(upstreams).status();
  EXPECT_EQ(clash.code(), StatusCode::kSchemaMismatch);
  EXPECT_NE(clash.message().find("bronze.c"), std::string::npos) << clash.ToString();
  // No upstream table exists yet: no schema, no error.
  SilverUpstream missing = UpstreamOf("bronze.d", {});
  std::const_pointer_cast<lake::Snapshot>(missing.snapshot)->version = -1;
  EXPECT_EQ(UnionSchema({missing}).ValueOrDie(), nullptr);
}

// Both ways of de-duplicating — a single integer key (sorted key/order/row triples) and any other
// key (a map by the key's text, here the email) — with the run's rows in memory or in a file.
TEST(SilverStagesTest, DedupeKeepsTheLatestRowPerKeyAndNeverAnOlderOneThanTheTable) {
  for (bool by_email : {false, true}) {
    for (bool spilled : {false, true}) {
      SCOPED_TRACE(std::string(by_email ? "email key" : "integer key") +
                   (spilled ? ", spilled" : ", in memory"));
      silver::SilverTable table = Table();
      // The same shape of data both ways: email "k<id>" is the key.
      auto row = [&](int64_t id, int64_t at, const std::string& email) {
        return std::tuple<int64_t, int64_t, std::string>{
            by_email ? at * 1000 + id : id, at, by_email ? "k" + std::to_string(id) : email};
      };
      if (by_email) table.dedupe_key = {"email"};
      const std::vector<BatchPtr> batches = {
          Rows({row(1, 10, "a@x"), row(2, 10, "b@x"), row(1, 30, "a2@x")}),
          Rows({row(1, 20, "a1@x"), row(3, 5, "c@x"), row(1, 30, "a3@x")})};
      const auto schema = batches[0]->schema();
      const auto spool = Spool(batches, spilled);
      RowSelection keep;
      auto counts = Dedupe(table, schema, nullptr, nullptr, 1, *spool, &keep).ValueOrDie();
      EXPECT_EQ(counts.duplicates, 3);
      EXPECT_EQ(counts.stale, 0);
      // Row 1 at 30 twice: the one read last wins.
      const std::string first_one = by_email ? "30001/30/k1" : "1/30/a3@x";
      const std::string two = by_email ? "10002/10/k2" : "2/10/b@x";
      const std::string three = by_email ? "5003/5/k3" : "3/5/c@x";
      EXPECT_EQ(KeptTexts(*spool, keep), Sorted({first_one, two, three}));

      // Against a table that holds key 3 at updated 9: the run's older row 3 is left out.
      lake::scratch::TempDir dir;
      auto target = lake::DeltaTable::Open(dir.path()).ValueOrDie();
      ASSERT_TRUE(target->Write(schema, OneBatch(Rows({row(3, 9, "c9@x")})), {}).ok());
      auto log = lake::DeltaLog::Open(dir.path()).ValueOrDie();
      counts = Dedupe(table, schema, log, log->Load().ValueOrDie(), 1, *spool, &keep).ValueOrDie();
      EXPECT_EQ(counts.stale, 1);
      EXPECT_EQ(counts.files_read, 1);
      EXPECT_EQ(counts.duplicates, 4);
      EXPECT_EQ(KeptTexts(*spool, keep), Sorted({first_one, two}));

      // Files whose key statistics hold none of the run's keys are not read; a file that holds
      // one still counts (key 2 at updated 40 is newer, so the run's row 2 is stale).
      ASSERT_TRUE(
          target->Write(schema, OneBatch(Rows({row(100, 1, "x"), row(200, 1, "y")})), {}).ok());
      ASSERT_TRUE(
          target->Write(schema, OneBatch(Rows({row(2, 40, "b40@x"), row(9, 1, "z")})), {}).ok());
      counts = Dedupe(table, schema, log, log->Load().ValueOrDie(), 1, *spool, &keep).ValueOrDie();
      EXPECT_EQ(counts.stale, 2);
      if (!by_email) {
        EXPECT_EQ(counts.files_read, 2);  // "k100" sorts between "k1" and "k3"
      }
      EXPECT_EQ(KeptTexts(*spool, keep), (std::vector<std::string>{first_one}));

      silver::SilverTable wrong = table;
      wrong.latest_by = "modified";
      const Status refused = Dedupe(wrong, schema, nullptr, nullptr, 1, *spool, &keep).status();
      EXPECT_NE(refused.message().find("latest_by: no column 'modified'"), std::string::npos);
    }
  }
}

TEST(SilverStagesTest, UniqueChecksHoldOnlyTheTableKeysTheRunAlsoHas) {
  silver::SilverTable table = Table();
  table.dedupe_key.clear();  // appended to: a unique check compares with the table's keys
  silver::CheckSpec check;
  check.name = "id_unique";
  check.kind = silver::CheckKind::kUnique;
  check.columns = {"id"};
  table.checks = {check};
  lake::scratch::TempDir dir;
  auto target = lake::DeltaTable::Open(dir.path()).ValueOrDie();
  const BatchPtr held = Rows({{1, 1, "a"}, {5, 1, "b"}});
  ASSERT_TRUE(target->Write(held->schema(), OneBatch(held), {}).ok());
  ASSERT_TRUE(target->Write(held->schema(), OneBatch(Rows({{50, 1, "c"}})), {}).ok());
  auto log = lake::DeltaLog::Open(dir.path()).ValueOrDie();
  const std::vector<BatchPtr> rows = {Rows({{5, 2, "b2"}, {7, 2, "d"}, {50, 2, "e"}})};
  const auto spool = Spool(rows, /*spilled=*/true);
  const RowSelection keep = {true, true, false};  // 50 was left out by an earlier stage
  Project project;
  const silver::CheckContext context =
      LoadCheckInputs(project, table, *spool, &keep, log, log->Load().ValueOrDie(), 0).ValueOrDie();
  const auto& keys = context.existing_keys.at("id_unique");
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(*keys.begin(), silver::EncodeKey(*rows[0], {0}, 0));  // 5, held and incoming
}

TEST(SilverStagesTest, RowsFailingAQuarantineCheckLeaveWithTheValueAtFault) {
  silver::SilverTable table = Table();
  silver::CheckSpec check;
  check.name = "email_has_at";
  check.kind = silver::CheckKind::kRegex;
  check.columns = {"email"};
  table.checks = {check};
  BatchPtr rows = Rows({{1, 1, "a@x"}, {2, 1, "broken"}});
  std::vector<silver::RowReject> rejects;
  QuarantineFailedRows(table, {-1, 0}, &rows, &rejects);
  EXPECT_EQ(Texts({rows}), std::vector<std::string>{"1/1/a@x"});
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0].column, "email");
  EXPECT_EQ(rejects[0].kind, "check:email_has_at");
  EXPECT_EQ(rejects[0].message.rfind("email = \"broken\": failed check 'email_has_at'", 0), 0u)
      << rejects[0].message;
  const BatchPtr quarantine = RejectRows("run-1", table.name, rejects, 7);
  EXPECT_EQ(quarantine->num_rows(), 1);
  EXPECT_EQ(*quarantine->schema(), *RowQuarantineSchema());
}

TEST(SilverStagesTest, MasksChangeEveryBatchAndNameAMissingColumn) {
  silver::SilverTable table = Table();
  silver::MaskRule rule;
  rule.method = silver::MaskMethod::kEmailDomain;
  table.masks = {{"email", rule}};
  std::vector<BatchPtr> rows = {Rows({{1, 1, "ann@shop.example"}}),
                                Rows({{2, 1, "bo@mail.example"}})};
  const auto schema = rows[0]->schema();
  auto masked = MaskedSchema(table, schema).ValueOrDie();
  EXPECT_EQ(masked->num_fields(), 3u);
  for (BatchPtr& batch : rows) batch = MaskBatch(table, masked, {}, batch).ValueOrDie();
  const std::vector<std::string> texts = Texts(rows);
  ASSERT_EQ(texts.size(), 2u);
  for (const std::string& text : texts) {
    EXPECT_EQ(text.find("ann"), std::string::npos) << text;
    EXPECT_EQ(text.find("bo@"), std::string::npos) << text;
    EXPECT_NE(text.find(".example"), std::string::npos) << text;
  }
  table.masks = {{"phone", rule}};
  EXPECT_NE(MaskedSchema(table, schema).status().message().find("no column 'phone'"),
            std::string::npos);
}

TEST(SilverStagesTest, QualityRowsHoldOneRowPerCheck) {
  silver::CheckResult passed;
  passed.name = "ids";
  silver::CheckResult failed;
  failed.name = "emails";
  failed.passed = false;
  failed.sample = {"broken"};
  const BatchPtr rows = QualityRows("run-1", "silver.customers", 4, {passed, failed}, 50.0, 9);
  ASSERT_EQ(rows->num_rows(), 2);
  EXPECT_EQ(*rows->schema(), *QualitySchema());
  EXPECT_EQ(Texts({rows})[0].find("run-1/silver.customers/4/"), 0u) << Texts({rows})[0];
}

}  // namespace
}  // namespace sluice::pipeline

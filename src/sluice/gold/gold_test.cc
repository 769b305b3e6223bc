#include <gtest/gtest.h>

#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/take.h"
#include "sluice/columnar/temporal.h"
#include "sluice/columnar/value_formatter.h"
#include "sluice/config/yaml_loader.h"
#include "sluice/gold/aggregate.h"
#include "sluice/gold/dimension.h"
#include "sluice/gold/gold_model.h"
#include "sluice/gold/star.h"

namespace sluice::gold {
namespace {

using columnar::BatchPtr;
using columnar::DataType;

GoldModel Parse(const std::string& yaml, const std::string& name = "gold.dim_customer") {
  Result<config::ConfigNode> node = config::ParseYaml(yaml, "p.yml");
  EXPECT_TRUE(node.ok()) << node.status().ToString();
  config::ConfigErrors errors;
  std::optional<GoldModel> model = ParseGoldModel(name, {"p.yml", 1, 1}, *node, &errors);
  EXPECT_TRUE(errors.empty()) << errors.ToStatus().ToString();
  return model.value_or(GoldModel{});
}

std::string ParseErrors(const std::string& yaml, const std::string& name = "gold.t") {
  Result<config::ConfigNode> node = config::ParseYaml(yaml, "p.yml");
  if (!node.ok()) return node.status().ToString();
  config::ConfigErrors errors;
  ParseGoldModel(name, {"p.yml", 1, 1}, *node, &errors);
  std::string out;
  for (const config::ConfigError& error : errors.errors()) out += error.ToString() + "\n";
  return out;
}

int64_t Ts(const char* text) {
  int64_t micros = 0;
  EXPECT_TRUE(columnar::ParseTimestamp(text, columnar::DateOrder::kYMD, &micros)) << text;
  return micros;
}

struct Customer {
  int64_t id;
  const char* city;
  const char* email;
  const char* updated_at;
};

BatchPtr Customers(const std::vector<Customer>& rows) {
  columnar::Int64Builder id(DataType::Int64());
  columnar::StringBuilder city(DataType::String()), email(DataType::String());
  columnar::Int64Builder at(DataType::Timestamp());
  for (const Customer& row : rows) {
    id.Append(row.id);
    city.Append(row.city);
    email.Append(row.email);
    at.Append(Ts(row.updated_at));
  }
  auto schema = std::make_shared<const columnar::Schema>(
      std::vector<columnar::Field>{{"customer_id", DataType::Int64(), true},
                                   {"city", DataType::String(), true},
                                   {"email", DataType::String(), true},
                                   {"updated_at", DataType::Timestamp(), true}});
  return std::make_shared<const columnar::Batch>(
      schema,
      std::vector<columnar::ColumnPtr>{id.Finish(), city.Finish(), email.Finish(), at.Finish()},
      static_cast<int64_t>(rows.size()));
}

// The table as lines "key|customer_id|city|email|valid_from|valid_to|is_current".
std::vector<std::string> Lines(const BatchPtr& batch, std::vector<std::string> columns) {
  std::vector<std::string> lines;
  for (int64_t i = 0; i < batch->num_rows(); ++i) {
    std::string line;
    for (const std::string& name : columns) {
      if (!line.empty()) line += '|';
      auto index = batch->schema()->FieldIndex(name);
      if (!index) {
        line += "?";
        continue;
      }
      columnar::AppendValue(*batch->columns()[*index], i, columnar::ValueStyle::kDisplay, &line);
    }
    lines.push_back(line);
  }
  return lines;
}

const std::vector<std::string> kScd2Columns = {"customer_key", "customer_id", "city",
                                               "valid_from",   "valid_to",    "is_current"};

class Scd2Test : public ::testing::Test {
 protected:
  void SetUp() override {
    model_ = Parse(
        "kind: dimension\nfrom: silver.customers\nkey: customer_id\nhistory: scd2\n"
        "tracked: [city]\nvalid_from: updated_at\nclose_missing: true\n");
    Result<DimensionPlan> plan = PlanDimension(model_, *Customers({})->schema());
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    plan_ = *plan;
    plan_.model = &model_;
  }

  // Applies a batch; returns the lines of the whole table afterwards.
  Result<std::vector<std::string>> Apply(const std::vector<Customer>& rows, bool full = false,
                                         const char* now = "2026-12-01T00:00:00Z") {
    std::vector<BatchPtr> existing;
    if (table_) existing.push_back(table_);
    SLUICE_ASSIGN_OR_RETURN(
        DimensionChanges changes,
        ApplyDimension(plan_, existing, {Customers(rows)}, next_key_, Ts(now), full));
    last_ = changes;
    next_key_ = changes.next_key;
    if (changes.changed) table_ = changes.table;
    return Lines(table_, kScd2Columns);
  }

  GoldModel model_;
  DimensionPlan plan_;
  BatchPtr table_;
  int64_t next_key_ = 1;
  DimensionChanges last_;
};

TEST_F(Scd2Test, NewMembersGetKeysAndTheUnknownMemberIsZero) {
  auto lines = Apply(
      {{1, "Oslo", "a@x", "2026-11-01T06:00:00Z"}, {2, "Madrid", "b@x", "2026-11-01T06:00:00Z"}});
  ASSERT_TRUE(lines.ok()) << lines.status().ToString();
  EXPECT_EQ(*lines, (std::vector<std::string>{
                        "0||Unknown|1900-01-01 00:00:00||true",
                        "1|1|Oslo|2026-11-01 06:00:00||true",
                        "2|2|Madrid|2026-11-01 06:00:00||true",
                    }));
  EXPECT_EQ(last_.members_added, 2);
}

TEST_F(Scd2Test, AKeyChangedTwiceInOneBatchFailsNamingTheKey) {
  Result<std::vector<std::string>> lines = Apply({{1, "Oslo", "a@x", "2026-11-01T06:00:00Z"},
                                                  {3, "Vienna", "c@x", "2026-11-01T06:00:00Z"},
                                                  {3, "Madrid", "c@x", "2026-11-03T06:00:00Z"},
                                                  {3, "Berlin", "c@x", "2026-11-05T06:00:00Z"}});
  ASSERT_FALSE(lines.ok());
  EXPECT_EQ(lines.status().code(), StatusCode::kDataError);
  EXPECT_EQ(lines.status().message(),
            "1 business key appears more than once in one batch of silver.customers (a dimension "
            "takes one row per key per run; dedupe upstream): customer_id=3 (3 rows); nothing "
            "committed");
}

TEST_F(Scd2Test, AChangeClosesTheVersionAndAChangeBackIsANewVersion) {
  ASSERT_TRUE(Apply({{1, "Oslo", "a@x", "2026-11-01T06:00:00Z"}}).ok());
  ASSERT_TRUE(Apply({{1, "Bergen", "a@x", "2026-11-03T06:00:00Z"}}).ok());
  EXPECT_EQ(last_.versions_added, 1);
  auto lines = Apply({{1, "Oslo", "a@x", "2026-11-05T06:00:00Z"}});
  ASSERT_TRUE(lines.ok()) << lines.status().ToString();
  EXPECT_EQ(*lines, (std::vector<std::string>{
                        "0||Unknown|1900-01-01 00:00:00||true",
                        "1|1|Oslo|2026-11-01 06:00:00|2026-11-03 06:00:00|false",
                        "2|1|Bergen|2026-11-03 06:00:00|2026-11-05 06:00:00|false",
                        "3|1|Oslo|2026-11-05 06:00:00||true",
                    }));
}

TEST_F(Scd2Test, ALateArrivingChangeGoesInItsPlaceInTheHistory) {
  ASSERT_TRUE(Apply({{1, "Oslo", "a@x", "2026-11-01T06:00:00Z"}}).ok());
  ASSERT_TRUE(Apply({{1, "Bergen", "a@x", "2026-11-05T06:00:00Z"}}).ok());
  // A change of 3 November arrives after the one of the 5th.
  auto lines = Apply({{1, "Trondheim", "a@x", "2026-11-03T06:00:00Z"}});
  ASSERT_TRUE(lines.ok()) << lines.status().ToString();
  EXPECT_EQ(*lines, (std::vector<std::string>{
                        "0||Unknown|1900-01-01 00:00:00||true",
                        "1|1|Oslo|2026-11-01 06:00:00|2026-11-03 06:00:00|false",
                        "2|1|Bergen|2026-11-05 06:00:00||true",
                        "3|1|Trondheim|2026-11-03 06:00:00|2026-11-05 06:00:00|false",
                    }));
  // And one older than the member's first version.
  lines = Apply({{1, "Tromsø", "a@x", "2026-10-01T06:00:00Z"}});
  ASSERT_TRUE(lines.ok());
  EXPECT_EQ((*lines)[4], "4|1|Tromsø|2026-10-01 06:00:00|2026-11-01 06:00:00|false");
}

TEST_F(Scd2Test, AHardDeleteClosesTheMemberAndItMayComeBack) {
  ASSERT_TRUE(Apply({{1, "Oslo", "a@x", "2026-11-01T06:00:00Z"},
                     {2, "Madrid", "b@x", "2026-11-01T06:00:00Z"}},
                    true)
                  .ok());
  // The full snapshot no longer holds customer 2.
  auto lines = Apply({{1, "Oslo", "a@x", "2026-11-01T06:00:00Z"}}, true, "2026-11-10T00:00:00Z");
  ASSERT_TRUE(lines.ok()) << lines.status().ToString();
  EXPECT_EQ(last_.members_closed, 1);
  EXPECT_EQ((*lines)[2], "2|2|Madrid|2026-11-01 06:00:00|2026-11-10 00:00:00|false");
  // An incremental batch (not a full snapshot) closes nothing.
  ASSERT_TRUE(Apply({{3, "Rome", "c@x", "2026-11-11T00:00:00Z"}}, false).ok());
  EXPECT_EQ(last_.members_closed, 0);
  // Customer 2 returns.
  lines = Apply({{2, "Madrid", "b@x", "2026-11-12T00:00:00Z"}}, false);
  ASSERT_TRUE(lines.ok());
  EXPECT_EQ(lines->back(), "4|2|Madrid|2026-11-12 00:00:00||true");
}

TEST_F(Scd2Test, ANoOpRerunChangesNothing) {
  const std::vector<Customer> rows = {{1, "Oslo", "a@x", "2026-11-01T06:00:00Z"},
                                      {2, "Madrid", "b@x", "2026-11-01T06:00:00Z"}};
  auto first = Apply(rows);
  ASSERT_TRUE(first.ok());
  auto again = Apply(rows);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(last_.changed);
  EXPECT_EQ(last_.rows_unchanged, 2);
  EXPECT_EQ(*again, *first);
  EXPECT_EQ(next_key_, 3);
}

TEST_F(Scd2Test, UntrackedChangesOverwriteInPlace) {
  ASSERT_TRUE(Apply({{1, "Oslo", "a@x", "2026-11-01T06:00:00Z"}}).ok());
  auto lines = Apply({{1, "Oslo", "new@x", "2026-11-02T06:00:00Z"}});
  ASSERT_TRUE(lines.ok());
  EXPECT_EQ(last_.rows_updated, 1);
  EXPECT_EQ(last_.versions_added, 0);
  EXPECT_EQ(Lines(table_, {"customer_key", "email", "is_current"})[1], "1|new@x|true");
}

TEST(Scd1Test, ChangesOverwriteAndKeysStayStable) {
  GoldModel model =
      Parse("kind: dimension\nfrom: silver.customers\nkey: customer_id\nhistory: scd1\n");
  Result<DimensionPlan> plan = PlanDimension(model, *Customers({})->schema());
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  auto first = ApplyDimension(*plan, {}, {Customers({{7, "Oslo", "a@x", "2026-11-01T00:00:00Z"}})},
                              1, Ts("2026-11-01T00:00:00Z"), false);
  ASSERT_TRUE(first.ok());
  auto second = ApplyDimension(*plan, {first->table},
                               {Customers({{7, "Bergen", "a@x", "2026-11-02T00:00:00Z"},
                                           {8, "Rome", "b@x", "2026-11-02T00:00:00Z"}})},
                               first->next_key, Ts("2026-11-02T00:00:00Z"), false);
  ASSERT_TRUE(second.ok());
  // updated_at is the upstream's own column here, an attribute; the dimension's is separate.
  EXPECT_EQ(Lines(second->table, {"customer_key", "customer_id", "city"}),
            (std::vector<std::string>{"0||Unknown", "1|7|Bergen", "2|8|Rome"}));
  EXPECT_EQ(second->rows_updated, 1);
  EXPECT_EQ(second->members_added, 1);
}

TEST(GoldModelTest, ErrorsNameTheFileAndTheProblem) {
  EXPECT_EQ(ParseErrors("kind: dimensoin\nfrom: silver.x\n"),
            "p.yml:1:7: table 'gold.t': unknown kind 'dimensoin'; a gold table is a dimension, "
            "date_dimension, fact or aggregate\n");
  EXPECT_EQ(ParseErrors("kind: aggregate\nfrom: gold.f\nmeasures: {revenue: total(amount)}\n"),
            "p.yml:3:21: table 'gold.t', measure 'revenue': unknown function 'total'; write "
            "function(column): sum, count, count_distinct, avg, min or max, e.g. sum(amount) or "
            "count(*)\n");
  EXPECT_EQ(
      ParseErrors("kind: date_dimension\nstart: 2020-13-01\n"),
      "p.yml:2:8: table 'gold.t': 'start' must be a date like 2020-01-01, not '2020-13-01'\n");
  EXPECT_NE(ParseErrors("kind: fact\nfrom: silver.o\ngrain: [id]\nhistroy: x\n")
                .find("unknown key 'histroy'"),
            std::string::npos);
}

TEST(DateDimensionTest, CalendarColumns) {
  GoldModel model =
      Parse("kind: date_dimension\nstart: 2026-12-28\nend: 2027-01-04\nfiscal_year_start: 7\n",
            "gold.dim_date");
  BatchPtr dates = GenerateDateDimension(model.date);
  ASSERT_EQ(dates->num_rows(), 9);
  const std::vector<std::string> lines =
      Lines(dates, {"date_key", "date", "year", "quarter", "month_name", "day_of_week", "day_name",
                    "is_weekend", "iso_week", "iso_year", "fiscal_year", "fiscal_period"});
  EXPECT_EQ(lines[0], "0||||Unknown||Unknown|||||");
  // 2026-12-28 is a Monday in ISO week 53 of 2026; 2027-01-03 a Sunday still in that week.
  EXPECT_EQ(lines[1], "20261228|2026-12-28|2026|4|December|1|Monday|false|53|2026|2027|6");
  EXPECT_EQ(lines[7], "20270103|2027-01-03|2027|1|January|7|Sunday|true|53|2026|2027|7");
  EXPECT_EQ(lines[8], "20270104|2027-01-04|2027|1|January|1|Monday|false|1|2027|2027|7");
}

TEST(FactTest, PointInTimeLookupsUnknownMembersAndGrain) {
  GoldModel dim =
      Parse("kind: dimension\nfrom: silver.customers\nkey: customer_id\nvalid_from: updated_at\n");
  Result<DimensionPlan> plan = PlanDimension(dim, *Customers({})->schema());
  ASSERT_TRUE(plan.ok());
  auto v1 = ApplyDimension(*plan, {}, {Customers({{1, "Oslo", "a", "2026-11-01T00:00:00Z"}})}, 1,
                           Ts("2026-11-01T00:00:00Z"), false);
  ASSERT_TRUE(v1.ok());
  auto v2 =
      ApplyDimension(*plan, {v1->table}, {Customers({{1, "Bergen", "a", "2026-11-03T00:00:00Z"}})},
                     v1->next_key, Ts("2026-11-03T00:00:00Z"), false);
  ASSERT_TRUE(v2.ok());  // key 1: Oslo until the 3rd, key 2: Bergen since

  GoldModel fact = Parse(
      "kind: fact\nfrom: silver.orders\ngrain: [order_id]\n"
      "dimensions:\n  customer: {table: gold.dim_customer, on: customer_id, as_of: order_ts}\n"
      "  date: {table: gold.dim_date, on: order_ts}\n",
      "gold.fact_sales");
  GoldModel dates =
      Parse("kind: date_dimension\nstart: 2026-11-01\nend: 2026-11-30\n", "gold.dim_date");
  Result<DimensionKeys> customer = LoadDimensionKeys(dim, fact.fact.dimensions[0], {v2->table});
  ASSERT_TRUE(customer.ok()) << customer.status().ToString();
  std::vector<DimensionKeys> keys = {*customer, DateDimensionKeys(dates, fact.fact.dimensions[1])};

  columnar::Int64Builder order(DataType::Int64()), customer_id(DataType::Int64()),
      ts(DataType::Timestamp());
  columnar::Float64Builder amount(DataType::Float64());
  auto add = [&](int64_t o, std::optional<int64_t> c, const char* t, double a) {
    order.Append(o);
    if (c) {
      customer_id.Append(*c);
    } else {
      customer_id.AppendNull();
    }
    ts.Append(Ts(t));
    amount.Append(a);
  };
  add(10, 1, "2026-11-02T12:00:00Z", 5);   // Oslo's version
  add(11, 1, "2026-11-04T12:00:00Z", 6);   // Bergen's
  add(12, 1, "2026-10-20T12:00:00Z", 7);   // before the first version: the first; date unknown
  add(13, 99, "2026-11-04T12:00:00Z", 8);  // no such customer
  add(14, std::nullopt, "2026-11-04T12:00:00Z", 9);
  auto schema = std::make_shared<const columnar::Schema>(
      std::vector<columnar::Field>{{"order_id", DataType::Int64(), true},
                                   {"customer_id", DataType::Int64(), true},
                                   {"order_ts", DataType::Timestamp(), true},
                                   {"amount", DataType::Float64(), true}});
  auto orders = std::make_shared<const columnar::Batch>(
      schema,
      std::vector<columnar::ColumnPtr>{order.Finish(), customer_id.Finish(), ts.Finish(),
                                       amount.Finish()},
      5);
  Result<FactPlan> fact_plan = PlanFact(fact, *schema, keys);
  ASSERT_TRUE(fact_plan.ok()) << fact_plan.status().ToString();
  FactCounts counts;
  Result<BatchPtr> facts = BuildFacts(*fact_plan, *orders, keys, &counts);
  ASSERT_TRUE(facts.ok());
  EXPECT_EQ(Lines(*facts, {"customer_key", "date_key", "order_id", "amount"}),
            (std::vector<std::string>{"1|20261102|10|5", "2|20261104|11|6", "1|0|12|7",
                                      "0|20261104|13|8", "0|20261104|14|9"}));
  EXPECT_EQ(counts.unknown["customer"], 2);
  EXPECT_EQ(counts.unknown["date"], 1);
  EXPECT_TRUE(CheckGrain(*fact_plan, {*facts}).ok());
  Status repeated = CheckGrain(*fact_plan, {*facts, *facts});
  EXPECT_EQ(repeated.code(), StatusCode::kDataError);
  EXPECT_EQ(repeated.message(),
            "5 grain values of gold.fact_sales (order_id) appear more than once in silver.orders: "
            "order_id=10; order_id=11; order_id=12; order_id=13; order_id=14; nothing committed");
}

TEST(AggregateTest, GroupByWithEveryFunction) {
  GoldModel model = Parse(
      "kind: aggregate\nfrom: gold.f\nderive: {month: \"CAST(floor(day / 100) AS "
      "int32)\"}\ngroup_by: [month]\n"
      "measures: {revenue: sum(amount), orders: count(*), customers: count_distinct(customer), "
      "average: avg(amount), smallest: min(amount), largest: max(amount)}\n",
      "gold.monthly");
  columnar::Int32Builder day(DataType::Int32());
  columnar::Int64Builder customer(DataType::Int64());
  columnar::DecimalBuilder amount(DataType::Decimal(10, 2));
  const std::vector<std::tuple<int32_t, int64_t, int64_t>> rows = {
      {20261102, 1, 1000}, {20261103, 1, 250}, {20261201, 2, 99}, {20261105, 3, 1}};
  for (const auto& [d, c, a] : rows) {
    day.Append(d);
    customer.Append(c);
    amount.Append(a);
  }
  amount.AppendNull();
  day.Append(20261130);
  customer.Append(4);
  auto schema = std::make_shared<const columnar::Schema>(
      std::vector<columnar::Field>{{"day", DataType::Int32(), true},
                                   {"customer", DataType::Int64(), true},
                                   {"amount", DataType::Decimal(10, 2), true}});
  auto batch = std::make_shared<const columnar::Batch>(
      schema, std::vector<columnar::ColumnPtr>{day.Finish(), customer.Finish(), amount.Finish()},
      5);
  Result<BatchPtr> result = Aggregate(model, {batch}, schema);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ((*result)->schema()->ToString(),
            "month: int32, revenue: decimal(38,2), orders: int64, customers: int64, average: "
            "float64, smallest: decimal(10,2), largest: decimal(10,2)");
  EXPECT_EQ(
      Lines(*result, {"month", "revenue", "orders", "customers", "average", "smallest", "largest"}),
      (std::vector<std::string>{"202611|12.51|4|3|4.17|0.01|10.00",
                                "202612|0.99|1|1|0.99|0.99|0.99"}));

  // Fed one row per batch, in another order (each batch's min and max meet the ones before):
  // the same groups.
  std::vector<BatchPtr> singles;
  for (int64_t row : {4, 2, 0, 3, 1}) {
    singles.push_back(columnar::TakeRows(*batch, std::vector<int64_t>{row}));
  }
  Result<std::unique_ptr<Aggregator>> aggregator = Aggregator::Make(model, schema);
  ASSERT_TRUE(aggregator.ok()) << aggregator.status().ToString();
  for (const BatchPtr& single : singles) ASSERT_TRUE((*aggregator)->Add(*single).ok());
  Result<BatchPtr> folded = (*aggregator)->Finish();
  ASSERT_TRUE(folded.ok()) << folded.status().ToString();
  EXPECT_EQ(
      Lines(*folded, {"month", "revenue", "orders", "customers", "average", "smallest", "largest"}),
      Lines(*result,
            {"month", "revenue", "orders", "customers", "average", "smallest", "largest"}));
}

TEST(AggregateTest, EmptyGroupsNoRowsAndOverflow) {
  GoldModel model = Parse(
      "kind: aggregate\nfrom: gold.f\ngroup_by: [customer]\n"
      "measures: {total: sum(amount), smallest: min(amount), orders: count(*)}\n",
      "gold.by_customer");
  auto schema = std::make_shared<const columnar::Schema>(std::vector<columnar::Field>{
      {"customer", DataType::Int64(), true}, {"amount", DataType::Int64(), true}});
  auto batch = [&](const std::vector<std::pair<int64_t, std::optional<int64_t>>>& rows) {
    columnar::Int64Builder customer(DataType::Int64()), amount(DataType::Int64());
    for (const auto& [c, a] : rows) {
      customer.Append(c);
      a ? amount.Append(*a) : amount.AppendNull();
    }
    return std::make_shared<const columnar::Batch>(
        schema, std::vector<columnar::ColumnPtr>{customer.Finish(), amount.Finish()},
        static_cast<int64_t>(rows.size()));
  };
  // Customer 2 has no amount: its sum and min are null, its count is not.
  Result<BatchPtr> result = Aggregate(model, {batch({{1, 5}, {2, std::nullopt}, {1, 3}})}, schema);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Lines(*result, {"customer", "total", "smallest", "orders"}),
            (std::vector<std::string>{"1|8|3|2", "2|||1"}));

  GoldModel overall =
      Parse("kind: aggregate\nfrom: gold.f\nmeasures: {orders: count(*)}\n", "gold.overall");
  result = Aggregate(overall, {batch({})}, schema);  // no group_by: one row, also over no rows
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ(Lines(*result, {"orders"}), (std::vector<std::string>{"0"}));

  result = Aggregate(model, {batch({{1, std::numeric_limits<int64_t>::max()}, {1, 1}})}, schema);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().message(),
            "table 'gold.by_customer': measure 'total' overflows a 64-bit integer");
}

}  // namespace
}  // namespace sluice::gold

// The PostgreSQL connection against a real server (ctest fixture pg_server): every lake type
// through binary COPY (tables sluice creates) and text COPY (a table whose column types differ),
// read back equal to the values written; refused rows reported with the server's reason.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>

#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/decimal.h"
#include "sluice/columnar/temporal.h"
#include "sluice/warehouse/connection.h"
#include "sluice/warehouse/loader.h"

namespace sluice::warehouse {
namespace {

using columnar::DataType;

std::map<std::string, std::string> ReadEnv() {
  std::map<std::string, std::string> env;
  const char* file = std::getenv("SLUICE_PG_ENV");
  if (file == nullptr) return env;
  std::ifstream in(file);
  std::string line;
  while (std::getline(in, line)) {
    const size_t eq = line.find('=');
    if (eq != std::string::npos) env[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return env;
}

class PostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::map<std::string, std::string> env = ReadEnv();
    ASSERT_FALSE(env.empty()) << "run through ctest: the pg_server fixture writes SLUICE_PG_ENV";
    settings_.type = "postgres";
    settings_.host = env["PGHOST"];
    settings_.port = std::stoi(env["PGPORT"]);
    settings_.database = env["PGDATABASE"];
    settings_.user = env["PGUSER"];
    settings_.password = env["PGPASSWORD"];
    settings_.sslmode = "disable";
    schema_ = std::string("t_") + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    for (char& c : schema_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    {
      Result<std::unique_ptr<Connection>> admin = Connect(settings_);
      ASSERT_TRUE(admin.ok()) << admin.status().ToString();
      ASSERT_TRUE(
          (*admin)
              ->Execute("DROP SCHEMA IF EXISTS " + schema_ + " CASCADE; CREATE SCHEMA " + schema_)
              .ok());
    }
    settings_.schema = schema_;
    Result<std::unique_ptr<Connection>> connection = Connect(settings_);
    ASSERT_TRUE(connection.ok()) << connection.status().ToString();
    db_ = std::move(*connection);
  }

  std::vector<std::string> Select(const std::string& sql) {
    Result<QueryRows> rows = db_->Query(sql);
    EXPECT_TRUE(rows.ok()) << rows.status().ToString();
    std::vector<std::string> lines;
    if (!rows.ok()) return lines;
    for (const auto& row : *rows) {
      std::string line;
      for (size_t i = 0; i < row.size(); ++i) line += (i ? "|" : "") + row[i].value_or("NULL");
      lines.push_back(line);
    }
    return lines;
  }

  WarehouseSettings settings_;
  std::string schema_;
  std::unique_ptr<Connection> db_;
};

int64_t Ts(const char* text) {
  int64_t micros = 0;
  EXPECT_TRUE(columnar::ParseTimestamp(text, columnar::DateOrder::kYMD, &micros)) << text;
  return micros;
}

columnar::Int128 Dec(const char* text, int precision, int scale) {
  columnar::Int128 value = 0;
  EXPECT_EQ(columnar::ParseDecimal(text, precision, scale, &value),
            columnar::DecimalParseError::kOk)
      << text;
  return value;
}

// Every lake type, with the values at the edges of their encodings.
columnar::BatchPtr EveryType() {
  columnar::Int64Builder id(DataType::Int64());
  columnar::BooleanBuilder flag;
  columnar::Int32Builder small(DataType::Int32());
  columnar::Float64Builder real(DataType::Float64());
  columnar::DecimalBuilder wide(DataType::Decimal(38, 10));
  columnar::DecimalBuilder money(DataType::Decimal(12, 2));
  columnar::DecimalBuilder whole(DataType::Decimal(20, 0));
  columnar::StringBuilder text(DataType::String());
  columnar::StringBuilder bytes(DataType::Binary());
  columnar::StringBuilder json(DataType::Json());
  columnar::Int32Builder day(DataType::Date());
  columnar::Int64Builder at(DataType::Timestamp());
  columnar::Int64Builder clock(DataType::Time());
  struct Row {
    bool flag;
    int32_t small;
    double real;
    const char* wide;
    const char* money;
    const char* whole;
    std::string text;
    std::string bytes;
    const char* json;
    const char* day;
    const char* at;
    int64_t clock;
  };
  const std::vector<Row> rows = {
      {true, 0, 0.0, "0", "0", "0", "", "", "{}", "2000-01-01", "2000-01-01T00:00:00Z", 0},
      {false, -2147483647 - 1, -1.5, "-1", "-0.01", "-1", "tab\there", std::string("\0\1\xff", 3),
       "[1, 2.5, \"x\"]", "1970-01-01", "1970-01-01T00:00:00Z", 1},
      {true, 2147483647, 1e-300, "0.0000000001", "9999999999.99", "99999999999999999999",
       "new\nline\\back\rslash", "\\x00", "{\"a\": {\"b\": null}}", "1900-02-28",
       "1969-12-31T23:59:59.999999Z", 86'399'999'999},
      {false, 7, -0.0, "-1234567890123456789012345678.1234567890", "123.40", "-10000", "ünïcødé ✓",
       "abc", "\"text\"", "9999-12-31", "2026-11-05T06:00:00.5Z", 45'296'000'001},
      {true, 42, 1.7976931348623157e308, "9999999999999999999999999999.9999999999", "0.05",
       "100000000", "quote'\"", "z", "12.5", "1600-03-01", "2262-04-11T23:47:16.854775Z",
       43'200'000'000},
  };
  int64_t n = 0;
  for (const Row& row : rows) {
    id.Append(n++);
    flag.Append(row.flag);
    small.Append(row.small);
    real.Append(row.real);
    wide.Append(Dec(row.wide, 38, 10));
    money.Append(Dec(row.money, 12, 2));
    whole.Append(Dec(row.whole, 20, 0));
    text.Append(row.text);
    bytes.Append(row.bytes);
    json.Append(row.json);
    int32_t days = 0;
    EXPECT_TRUE(columnar::ParseDate(row.day, columnar::DateOrder::kYMD, &days));
    day.Append(days);
    at.Append(Ts(row.at));
    clock.Append(row.clock);
  }
  // A row of nulls.
  id.Append(n++);
  for (columnar::ColumnBuilder* builder : std::vector<columnar::ColumnBuilder*>{
           &flag, &small, &real, &wide, &money, &whole, &text, &bytes, &json, &day, &at, &clock}) {
    builder->AppendNull();
  }
  auto schema = std::make_shared<const columnar::Schema>(
      std::vector<columnar::Field>{{"id", DataType::Int64(), true},
                                   {"flag", DataType::Bool(), true},
                                   {"small", DataType::Int32(), true},
                                   {"real", DataType::Float64(), true},
                                   {"wide", DataType::Decimal(38, 10), true},
                                   {"money", DataType::Decimal(12, 2), true},
                                   {"whole", DataType::Decimal(20, 0), true},
                                   {"text", DataType::String(), true},
                                   {"bytes", DataType::Binary(), true},
                                   {"json", DataType::Json(), true},
                                   {"day", DataType::Date(), true},
                                   {"at", DataType::Timestamp(), true},
                                   {"clock", DataType::Time(), true}});
  return std::make_shared<const columnar::Batch>(
      schema,
      std::vector<columnar::ColumnPtr>{id.Finish(), flag.Finish(), small.Finish(), real.Finish(),
                                       wide.Finish(), money.Finish(), whole.Finish(), text.Finish(),
                                       bytes.Finish(), json.Finish(), day.Finish(), at.Finish(),
                                       clock.Finish()},
      n);
}

const char* kAsText =
    "SELECT id, flag::text, small::text, real::text, wide::text, money::text, whole::text, "
    "replace(replace(text, E'\\n', '\\n'), E'\\r', '\\r'), encode(bytes, 'hex'), json::text, "
    "day::text, to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'), clock::text FROM ";

TEST_F(PostgresTest, EveryTypeRoundTripsThroughBinaryAndTextCopy) {
  const columnar::BatchPtr batch = EveryType();
  std::vector<RowRefusal> refused;
  // Binary: the table sluice creates.
  {
    Result<std::unique_ptr<TableLoader>> loader = TableLoader::Begin(db_.get());
    ASSERT_TRUE(loader.ok()) << loader.status().ToString();
    ASSERT_TRUE(
        (*loader)
            ->Prepare({"binary_load", batch->schema(), {"id"}, {}, {}, {}, {}}, LoadMode::kAppend)
            .ok());
    ASSERT_TRUE((*loader)->Add(*batch, &refused).ok());
    ASSERT_TRUE((*loader)->Commit("gold.t", 1).ok());
  }
  // Text: a table made by someone else, with types binary values would not fit.
  ASSERT_TRUE(db_->Execute("CREATE TABLE text_load (id BIGINT PRIMARY KEY, flag BOOLEAN, small "
                           "BIGINT, real FLOAT8, wide NUMERIC, money NUMERIC, whole NUMERIC, text "
                           "VARCHAR, bytes BYTEA, json JSON, day DATE, at TIMESTAMPTZ, clock TIME)")
                  .ok());
  {
    Result<std::unique_ptr<TableLoader>> loader = TableLoader::Begin(db_.get());
    ASSERT_TRUE(loader.ok());
    ASSERT_TRUE(
        (*loader)
            ->Prepare({"text_load", batch->schema(), {"id"}, {}, {}, {}, {}}, LoadMode::kAppend)
            .ok());
    ASSERT_TRUE((*loader)->Add(*batch, &refused).ok());
    ASSERT_TRUE((*loader)->Commit("gold.t2", 1).ok());
  }
  EXPECT_TRUE(refused.empty());
  const std::vector<std::string> binary = Select(std::string(kAsText) + "binary_load ORDER BY id");
  const std::vector<std::string> text = Select(std::string(kAsText) + "text_load ORDER BY id");
  ASSERT_EQ(binary.size(), 6u);
  EXPECT_EQ(binary, text);
  EXPECT_EQ(binary[0],
            "0|true|0|0|0.0000000000|0.00|0|||{}|2000-01-01|2000-01-01 00:00:00.000000|00:00:00");
  EXPECT_EQ(binary[1],
            "1|false|-2147483648|-1.5|-1.0000000000|-0.01|-1|tab\there|0001ff|[1, 2.5, \"x\"]|"
            "1970-01-01|1970-01-01 00:00:00.000000|00:00:00.000001");
  EXPECT_EQ(binary[2],
            "2|true|2147483647|1e-300|0.0000000001|9999999999.99|99999999999999999999|"
            "new\\nline\\back\\rslash|5c783030|{\"a\": {\"b\": null}}|1900-02-28|"
            "1969-12-31 23:59:59.999999|23:59:59.999999");
  EXPECT_EQ(binary[3],
            "3|false|7|-0|-1234567890123456789012345678.1234567890|123.40|-10000|ünïcødé ✓|"
            "616263|\"text\"|9999-12-31|2026-11-05 06:00:00.500000|12:34:56.000001");
  EXPECT_EQ(binary[4],
            "4|true|42|1.7976931348623157e+308|9999999999999999999999999999.9999999999|0.05|"
            "100000000|quote'\"|7a|12.5|1600-03-01|2262-04-11 23:47:16.854775|12:00:00");
  EXPECT_EQ(binary[5], "5|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL|NULL");
  // The binary table's types are the declared ones.
  EXPECT_EQ(Select("SELECT upper(format_type(atttypid, atttypmod)) FROM pg_attribute WHERE "
                   "attrelid = 'binary_load'::regclass AND attnum IN (5, 12) ORDER BY attnum"),
            (std::vector<std::string>{"NUMERIC(38,10)", "TIMESTAMP WITH TIME ZONE"}));
}

TEST_F(PostgresTest, RefusedRowsAreFoundAndTheRestLoads) {
  // Invalid JSON for a JSONB column, and a NUL byte in text: refused, never coerced.
  columnar::Int64Builder id(DataType::Int64());
  columnar::StringBuilder json(DataType::Json()), text(DataType::String());
  for (int i = 0; i < 5; ++i) {
    id.Append(i);
    json.Append(i == 1 ? "{not json" : "{\"i\": 1}");
    text.Append(i == 3 ? std::string("a\0b", 3) : std::string("ok"));
  }
  auto schema = std::make_shared<const columnar::Schema>(
      std::vector<columnar::Field>{{"id", DataType::Int64(), true},
                                   {"doc", DataType::Json(), true},
                                   {"note", DataType::String(), true}});
  columnar::Batch batch(schema, {id.Finish(), json.Finish(), text.Finish()}, 5);
  std::vector<RowRefusal> refused;
  Result<std::unique_ptr<TableLoader>> loader = TableLoader::Begin(db_.get());
  ASSERT_TRUE(loader.ok());
  ASSERT_TRUE((*loader)->Prepare({"docs", schema, {"id"}, {}, {}, {}, {}}, LoadMode::kMerge).ok());
  ASSERT_TRUE((*loader)->Add(batch, &refused).ok());
  Result<LoadSummary> summary = (*loader)->Commit("gold.docs", 1);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->rows, 3);
  ASSERT_EQ(refused.size(), 2u);
  std::sort(refused.begin(), refused.end(),
            [](const RowRefusal& a, const RowRefusal& b) { return a.row < b.row; });
  EXPECT_EQ(refused[0].row, 1);
  EXPECT_EQ(refused[0].message, "invalid input syntax for type json");
  EXPECT_EQ(refused[1].row, 3);
  EXPECT_EQ(refused[1].message, "a text value holds a NUL byte, which PostgreSQL text cannot hold");
  EXPECT_EQ(Select("SELECT string_agg(id::text, ',' ORDER BY id) FROM docs"),
            (std::vector<std::string>{"0,2,4"}));
}

TEST_F(PostgresTest, AMergeDeletesKeysBeforeItMergesTheStagedRows) {
  auto schema = std::make_shared<const columnar::Schema>(
      std::vector<columnar::Field>{{"region", DataType::String(), true},
                                   {"id", DataType::Int64(), true},
                                   {"amount", DataType::Int64(), true}});
  auto rows = [&](const std::vector<std::tuple<const char*, int64_t, int64_t>>& values) {
    columnar::StringBuilder region(DataType::String());
    columnar::Int64Builder id(DataType::Int64()), amount(DataType::Int64());
    for (const auto& [r, i, a] : values) {
      region.Append(r);
      id.Append(i);
      amount.Append(a);
    }
    return columnar::Batch(schema, {region.Finish(), id.Finish(), amount.Finish()},
                           static_cast<int64_t>(values.size()));
  };
  const TableDesign design{"sales", schema, {"region", "id"}, {}, {}, {}, {}};
  std::vector<RowRefusal> refused;
  {
    auto loader = TableLoader::Begin(db_.get()).ValueOrDie();
    ASSERT_TRUE(loader->Prepare(design, LoadMode::kMerge).ok());
    ASSERT_TRUE(loader->Add(rows({{"eu", 1, 10}, {"eu", 2, 20}, {"us", 1, 30}}), &refused).ok());
    ASSERT_TRUE(loader->Commit("gold.sales", 1).ok());
  }
  auto loader = TableLoader::Begin(db_.get()).ValueOrDie();
  ASSERT_TRUE(loader->Prepare(design, LoadMode::kMerge).ok());
  // (eu, 1) is gone; (us, 1) was replaced and comes back with the merged rows.
  auto key_schema = std::make_shared<const columnar::Schema>(std::vector<columnar::Field>{
      {"region", DataType::String(), true}, {"id", DataType::Int64(), true}});
  columnar::StringBuilder region(DataType::String());
  columnar::Int64Builder id(DataType::Int64());
  for (const auto& [r, i] : std::vector<std::pair<const char*, int64_t>>{{"eu", 1}, {"us", 1}}) {
    region.Append(r);
    id.Append(i);
  }
  ASSERT_TRUE(
      loader->DeleteKeys(columnar::Batch(key_schema, {region.Finish(), id.Finish()}, 2)).ok());
  ASSERT_TRUE(loader->Add(rows({{"us", 1, 31}, {"us", 2, 40}}), &refused).ok());
  Result<LoadSummary> summary = loader->Commit("gold.sales", 2);
  ASSERT_TRUE(summary.ok()) << summary.status().ToString();
  EXPECT_EQ(summary->rows_deleted, 2);
  EXPECT_EQ(Select("SELECT string_agg(region || id || ':' || amount, ',' ORDER BY region, id) "
                   "FROM sales"),
            (std::vector<std::string>{"eu2:20,us1:31,us2:40"}));
}

TEST_F(PostgresTest, AWrongPasswordIsAClearErrorThatNeverShowsIt) {
  WarehouseSettings wrong = settings_;
  wrong.password = "canary-wrong-password-31337";
  Result<std::unique_ptr<Connection>> connection = Connect(wrong);
  ASSERT_FALSE(connection.ok());
  EXPECT_EQ(connection.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(connection.status().message().find("password authentication failed"), std::string::npos)
      << connection.status().message();
  EXPECT_EQ(connection.status().message().find("canary"), std::string::npos);
}

}  // namespace
}  // namespace sluice::warehouse

#include "sluice/lake/delta_schema.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice::lake {
namespace {

using columnar::DataType;
using columnar::Field;
using columnar::Schema;

Schema EveryType() {
  return Schema({
      {"b", DataType::Bool(), true},
      {"i32", DataType::Int32(), false},
      {"i64", DataType::Int64(), true},
      {"f64", DataType::Float64(), true},
      {"dec", DataType::Decimal(12, 2), true},
      {"wide", DataType::Decimal(38, 10), false},
      {"s", DataType::String(), true},
      {"bin", DataType::Binary(), true},
      {"d", DataType::Date(), true},
      {"t", DataType::Time(), true},
      {"ts", DataType::Timestamp(), false},
      {"j", DataType::Json(), true},
  });
}

TEST(DeltaSchemaTest, WritesEveryTypeLikeSpark) {
  EXPECT_EQ(
      DeltaSchemaString(EveryType()),
      R"j({"type":"struct","fields":[)j"
      R"j({"name":"b","type":"boolean","nullable":true,"metadata":{}},)j"
      R"j({"name":"i32","type":"integer","nullable":false,"metadata":{}},)j"
      R"j({"name":"i64","type":"long","nullable":true,"metadata":{}},)j"
      R"j({"name":"f64","type":"double","nullable":true,"metadata":{}},)j"
      R"j({"name":"dec","type":"decimal(12,2)","nullable":true,"metadata":{}},)j"
      R"j({"name":"wide","type":"decimal(38,10)","nullable":false,"metadata":{}},)j"
      R"j({"name":"s","type":"string","nullable":true,"metadata":{}},)j"
      R"j({"name":"bin","type":"binary","nullable":true,"metadata":{}},)j"
      R"j({"name":"d","type":"date","nullable":true,"metadata":{}},)j"
      R"j({"name":"t","type":"long","nullable":true,"metadata":{"sluice.type":"time"}},)j"
      R"j({"name":"ts","type":"timestamp","nullable":false,"metadata":{}},)j"
      R"j({"name":"j","type":"string","nullable":true,"metadata":{"sluice.type":"json"}}]})j");
}

TEST(DeltaSchemaTest, RoundTripsEveryType) {
  const Schema schema = EveryType();
  Result<Schema> parsed = ParseDeltaSchema(DeltaSchemaString(schema));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, schema);
}

TEST(DeltaSchemaTest, RoundTripsEmptySchemaAndEscapedNames) {
  Result<Schema> empty = ParseDeltaSchema(DeltaSchemaString(Schema()));
  ASSERT_TRUE(empty.ok()) << empty.status().ToString();
  EXPECT_EQ(empty->num_fields(), 0u);

  const Schema odd({{"quote\"back\\slash", DataType::Int64(), true}, {"été", DataType::Date()}});
  Result<Schema> parsed = ParseDeltaSchema(DeltaSchemaString(odd));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, odd);
}

TEST(DeltaSchemaTest, TypeNames) {
  EXPECT_EQ(DeltaTypeName(DataType::Int32()), "integer");
  EXPECT_EQ(DeltaTypeName(DataType::Int64()), "long");
  EXPECT_EQ(DeltaTypeName(DataType::Float64()), "double");
  EXPECT_EQ(DeltaTypeName(DataType::Decimal(5, 0)), "decimal(5,0)");
  EXPECT_EQ(DeltaTypeName(DataType::Bool()), "boolean");
  EXPECT_EQ(DeltaTypeName(DataType::Time()), "long");
  EXPECT_EQ(DeltaTypeName(DataType::Json()), "string");
  EXPECT_EQ(DeltaTypeName(DataType::Timestamp()), "timestamp");
}

// From the corpus: data-reader-primitives/_delta_log/00000000000000000000.json (Spark-written).
constexpr std::string_view kSparkPrimitives =
    R"j({"type":"struct","fields":[{"name":"as_int","type":"integer","nullable":true,)j"
    R"j("metadata":{}},{"name":"as_long","type":"long","nullable":true,"metadata":{}},)j"
    R"j({"name":"as_byte","type":"byte","nullable":true,"metadata":{}},)j"
    R"j({"name":"as_short","type":"short","nullable":true,"metadata":{}},)j"
    R"j({"name":"as_boolean","type":"boolean","nullable":true,"metadata":{}},)j"
    R"j({"name":"as_float","type":"float","nullable":true,"metadata":{}},)j"
    R"j({"name":"as_double","type":"double","nullable":true,"metadata":{}},)j"
    R"j({"name":"as_string","type":"string","nullable":true,"metadata":{}},)j"
    R"j({"name":"as_binary","type":"binary","nullable":true,"metadata":{}},)j"
    R"j({"name":"as_big_decimal","type":"decimal(1,0)","nullable":true,"metadata":{}}]})j";

TEST(DeltaSchemaTest, ParsesSparkPrimitives) {
  Result<Schema> parsed = ParseDeltaSchema(kSparkPrimitives);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->ToString(),
            "as_int: int32, as_long: int64, as_byte: int32, as_short: int32, as_boolean: bool, "
            "as_float: float64, as_double: float64, as_string: string, as_binary: binary, "
            "as_big_decimal: decimal(1,0)");
  for (const Field& field : parsed->fields()) EXPECT_TRUE(field.nullable) << field.name;
}

TEST(DeltaSchemaTest, ParsesSparkSchemaEvolution) {
  // time-travel-schema-changes-b, version 1 (a column added with mergeSchema).
  Result<Schema> parsed = ParseDeltaSchema(
      R"j({"type":"struct","fields":[{"name":"id","type":"long","nullable":true,"metadata":{}},)j"
      R"j({"name":"part","type":"long","nullable":true,"metadata":{}}]})j");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, Schema({{"id", DataType::Int64(), true}, {"part", DataType::Int64(), true}}));
}

TEST(DeltaSchemaTest, NestedTypesBecomeJson) {
  // The protocol's example schema (pretty-printed, as some writers emit it).
  Result<Schema> parsed = ParseDeltaSchema(R"j({
    "type" : "struct",
    "fields" : [ {"name" : "a", "type" : "integer", "nullable" : false, "metadata" : { } },
      {"name" : "b", "type" : {"type" : "struct", "fields" : [ {"name" : "d", "type" : "integer",
        "nullable" : false, "metadata" : { } } ]}, "nullable" : true, "metadata" : { } },
      {"name" : "c", "type" : {"type" : "array", "elementType" : "integer",
        "containsNull" : false}, "nullable" : true, "metadata" : { } },
      {"name" : "f", "type" : {"type" : "map", "keyType" : "string", "valueType" : "string",
        "valueContainsNull" : true}, "nullable" : false, "metadata" : { } } ]
  })j");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, Schema({{"a", DataType::Int32(), false},
                             {"b", DataType::Json(), true},
                             {"c", DataType::Json(), true},
                             {"f", DataType::Json(), false}}));
}

TEST(DeltaSchemaTest, TimestampNtzMetadataAndDecimalSpellings) {
  Result<Schema> parsed = ParseDeltaSchema(
      R"j({"type":"struct","fields":[)j"
      R"j({"name":"ntz","type":"timestamp_ntz","nullable":true,"metadata":{}},)j"
      R"j({"name":"spaced","type":"decimal(10, 3)","nullable":true,"metadata":{}},)j"
      R"j({"name":"plain","type":"decimal","nullable":true},)j"
      R"j({"name":"mapped","type":"long","nullable":true,)j"
      R"j("metadata":{"delta.columnMapping.id":5,"sluice.type":"time"}},)j"
      R"j({"name":"not_time","type":"integer","nullable":true,"metadata":{"sluice.type":"time"}},)j"
      R"j({"name":"doc","type":"string","nullable":false,"metadata":{"sluice.type":"json"}}]})j");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, Schema({{"ntz", DataType::Timestamp(), true},
                             {"spaced", DataType::Decimal(10, 3), true},
                             {"plain", DataType::Decimal(10, 0), true},
                             {"mapped", DataType::Time(), true},
                             {"not_time", DataType::Int32(), true},
                             {"doc", DataType::Json(), false}}));
}

void ExpectDataError(std::string_view schema_string, std::string_view message_part) {
  Result<Schema> parsed = ParseDeltaSchema(schema_string);
  ASSERT_FALSE(parsed.ok()) << schema_string;
  EXPECT_EQ(parsed.status().code(), StatusCode::kDataError) << parsed.status().ToString();
  EXPECT_NE(parsed.status().message().find(message_part), std::string::npos)
      << parsed.status().message();
}

TEST(DeltaSchemaTest, Errors) {
  ExpectDataError(R"j({"type":"struct","fields":[)j", "malformed JSON");
  ExpectDataError("", "malformed JSON");
  ExpectDataError(R"j([1,2])j", "expected a JSON object");
  ExpectDataError(R"j({"fields":[]})j", "\"type\":\"struct\"");
  ExpectDataError(R"j({"type":"struct"})j", "\"fields\"");
  ExpectDataError(R"j({"type":"struct","fields":[{"type":"long","nullable":true}]})j",
                  "field 0: missing string key \"name\"");
  ExpectDataError(R"j({"type":"struct","fields":[{"name":"x","nullable":true}]})j",
                  "field 0 'x': missing key \"type\"");
  ExpectDataError(R"j({"type":"struct","fields":[{"name":"x","type":"long"}]})j",
                  "missing boolean key \"nullable\"");
  ExpectDataError(
      R"j({"type":"struct","fields":[{"name":"x","type":"varchar(3)","nullable":true}]})j",
      "unknown type 'varchar(3)'");
  ExpectDataError(R"j({"type":"struct","fields":[{"name":"v","type":"variant","nullable":true}]})j",
                  "field 0 'v': unknown type 'variant'");
  ExpectDataError(
      R"j({"type":"struct","fields":[{"name":"x","type":"decimal(39,2)","nullable":true}]})j",
      "invalid decimal type 'decimal(39,2)'");
  ExpectDataError(
      R"j({"type":"struct","fields":[{"name":"x","type":"decimal(5,6)","nullable":true}]})j",
      "invalid decimal type");
  ExpectDataError(R"j({"type":"struct","fields":[{"name":"x","type":7,"nullable":true}]})j",
                  "must be a string or an object");
  ExpectDataError(R"j({"type":"struct","fields":[{"name":"x","type":"long","nullable":true},)j"
                  R"j({"name":"X","type":"long","nullable":true}]})j",
                  "duplicate column 'X'");
}

TEST(DeltaSchemaTest, AddColumnsKeepsExistingFieldsByteForByte) {
  // A Spark table with a "short" column, column-mapping metadata, a nested struct, a type sluice
  // does not read, and unicode escapes: all must survive untouched.
  const std::string original =
      R"j({"type":"struct","fields":[{"name":"s","type":"short","nullable":true,"metadata":{}},)j"
      R"j({"name":"m","type":"long","nullable":false,"metadata":{"delta.columnMapping.id":1,)j"
      R"j("delta.columnMapping.physicalName":"col-5f1c","comment":"caf\u00e9 1.50"}},)j"
      R"j({"name":"n","type":{"type":"struct","fields":[{"name":"x","type":"float",)j"
      R"j("nullable":true,"metadata":{}}]},"nullable":true,"metadata":{}},)j"
      R"j({"name":"v","type":"variant","nullable":true,"metadata":{}}]})j";
  Result<std::string> added = AddColumnsToSchemaString(
      original, {{"t", DataType::Time(), false}, {"price", DataType::Decimal(9, 2), true}});
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  const std::string expected =
      original.substr(0, original.size() - 2) +
      R"j(,{"name":"t","type":"long","nullable":true,"metadata":{"sluice.type":"time"}})j"
      R"j(,{"name":"price","type":"decimal(9,2)","nullable":true,"metadata":{}}]})j";
  EXPECT_EQ(*added, expected);
}

TEST(DeltaSchemaTest, AddColumnsToEmptyAndPrettyPrintedSchemas) {
  Result<std::string> added =
      AddColumnsToSchemaString(R"j({"type":"struct","fields":[]})j", {{"a", DataType::Int64()}});
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ(
      *added,
      R"j({"type":"struct","fields":[{"name":"a","type":"long","nullable":true,"metadata":{}}]})j");

  // "fields" after a key whose string value contains brackets and the word fields.
  const std::string pretty =
      "{ \"comment\" : \"[\\\"fields\\\"]\",\n  \"type\" : \"struct\",\n  \"fields\" : [ {\n"
      "    \"name\" : \"a\", \"type\" : \"integer\", \"nullable\" : true, \"metadata\" : { }\n"
      "  } ]\n}";
  added = AddColumnsToSchemaString(pretty, {{"b", DataType::String()}});
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  Result<Schema> parsed = ParseDeltaSchema(*added);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, Schema({{"a", DataType::Int32(), true}, {"b", DataType::String(), true}}));
  EXPECT_EQ(added->substr(0, pretty.size() - 3), pretty.substr(0, pretty.size() - 3));

  Result<std::string> unchanged = AddColumnsToSchemaString(pretty, {});
  ASSERT_TRUE(unchanged.ok());
  EXPECT_EQ(*unchanged, pretty);
}

TEST(DeltaSchemaTest, AddColumnsErrors) {
  Result<std::string> duplicate = AddColumnsToSchemaString(
      R"j({"type":"struct","fields":[{"name":"Id","type":"long","nullable":true,"metadata":{}}]})j",
      {{"id", DataType::Int64()}});
  ASSERT_FALSE(duplicate.ok());
  EXPECT_EQ(duplicate.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(duplicate.status().message().find("'id'"), std::string::npos);

  Result<std::string> malformed =
      AddColumnsToSchemaString("{\"type\":", {{"a", DataType::Int64()}});
  ASSERT_FALSE(malformed.ok());
  EXPECT_EQ(malformed.status().code(), StatusCode::kDataError);
}

// ---- CheckAppendCompatible ----

Status Check(DataType table_type, DataType input_type) {
  std::vector<Field> new_fields;
  return CheckAppendCompatible(Schema({{"c", table_type, true}}), Schema({{"c", input_type, true}}),
                               false, &new_fields);
}

TEST(AppendCompatibilityTest, Matrix) {
  struct Case {
    DataType table;
    DataType input;
    bool ok;
  };
  const Case cases[] = {
      {DataType::Int64(), DataType::Int64(), true},
      {DataType::Int64(), DataType::Int32(), true},
      {DataType::Int32(), DataType::Int64(), false},
      {DataType::Float64(), DataType::Int32(), true},
      {DataType::Float64(), DataType::Int64(), false},
      {DataType::Int64(), DataType::Float64(), false},
      {DataType::Decimal(10, 0), DataType::Int32(), true},
      {DataType::Decimal(11, 2), DataType::Int32(), false},
      {DataType::Decimal(12, 2), DataType::Int32(), true},
      {DataType::Decimal(19, 0), DataType::Int64(), true},
      {DataType::Decimal(20, 2), DataType::Int64(), false},
      {DataType::Decimal(38, 2), DataType::Int64(), true},
      {DataType::Decimal(12, 4), DataType::Decimal(10, 2), true},
      {DataType::Decimal(12, 2), DataType::Decimal(10, 2), true},
      {DataType::Decimal(12, 1), DataType::Decimal(10, 2), false},
      {DataType::Decimal(11, 4), DataType::Decimal(10, 2), false},
      {DataType::Decimal(10, 2), DataType::Decimal(12, 2), false},
      {DataType::Int64(), DataType::Decimal(10, 0), false},
      {DataType::Timestamp(), DataType::Date(), false},
      {DataType::Date(), DataType::Timestamp(), false},
      {DataType::Int64(), DataType::Time(), false},
      {DataType::Time(), DataType::Int64(), false},
      {DataType::String(), DataType::Json(), false},
      {DataType::Json(), DataType::String(), false},
      {DataType::String(), DataType::Int32(), false},
      {DataType::Binary(), DataType::String(), false},
      {DataType::Bool(), DataType::Bool(), true},
      {DataType::Json(), DataType::Json(), true},
  };
  for (const Case& c : cases) {
    const Status status = Check(c.table, c.input);
    EXPECT_EQ(status.ok(), c.ok) << "table " << c.table.ToString() << " input "
                                 << c.input.ToString() << ": " << status.ToString();
    if (!status.ok()) {
      EXPECT_EQ(status.code(), StatusCode::kSchemaMismatch);
      EXPECT_NE(status.message().find("'c'"), std::string::npos) << status.message();
      EXPECT_NE(status.message().find(c.table.ToString()), std::string::npos) << status.message();
      EXPECT_NE(status.message().find(c.input.ToString()), std::string::npos) << status.message();
    }
  }
}

TEST(AppendCompatibilityTest, NewColumns) {
  const Schema table({{"id", DataType::Int64(), false}});
  const Schema input({{"id", DataType::Int64(), false}, {"extra", DataType::String(), false}});
  std::vector<Field> new_fields = {{"stale", DataType::Bool()}};
  Status status = CheckAppendCompatible(table, input, /*allow_new_columns=*/false, &new_fields);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kSchemaMismatch);
  EXPECT_NE(status.message().find("'extra'"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("allow new columns"), std::string::npos) << status.message();

  status = CheckAppendCompatible(table, input, /*allow_new_columns=*/true, &new_fields);
  ASSERT_TRUE(status.ok()) << status.ToString();
  ASSERT_EQ(new_fields.size(), 1u);
  EXPECT_EQ(new_fields[0], (Field{"extra", DataType::String(), true}));

  EXPECT_TRUE(CheckAppendCompatible(table, input, true, nullptr).ok());
  EXPECT_TRUE(CheckAppendCompatible(table, table, false, &new_fields).ok());
  EXPECT_TRUE(new_fields.empty());
}

TEST(AppendCompatibilityTest, MissingAndCaseMismatchedColumns) {
  const Schema table({{"id", DataType::Int64(), false}, {"note", DataType::String(), true}});
  // A nullable table column may be missing; a non-nullable one may not.
  EXPECT_TRUE(
      CheckAppendCompatible(table, Schema({{"id", DataType::Int32(), true}}), false, nullptr).ok());
  Status status =
      CheckAppendCompatible(table, Schema({{"note", DataType::String()}}), true, nullptr);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kSchemaMismatch);
  EXPECT_NE(status.message().find("'id'"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("not nullable"), std::string::npos) << status.message();

  status = CheckAppendCompatible(
      table, Schema({{"id", DataType::Int64()}, {"NOTE", DataType::String()}}), true, nullptr);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kSchemaMismatch);
  EXPECT_NE(status.message().find("differs only in case"), std::string::npos) << status.message();
}

}  // namespace
}  // namespace sluice::lake

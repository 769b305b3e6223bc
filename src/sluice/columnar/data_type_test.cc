#include "sluice/columnar/data_type.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sluice::columnar {
namespace {

// The parsed type's name, or the error, so failures print readably.
std::string Parsed(std::string_view text) {
  Result<DataType> result = DataType::Parse(text);
  return result.ok() ? result->ToString() : result.status().ToString();
}

DataType ParseOk(std::string_view text) {
  Result<DataType> result = DataType::Parse(text);
  EXPECT_TRUE(result.ok()) << text << ": " << result.status().ToString();
  return result.ok() ? *result : DataType::Binary();
}

TEST(DataTypeTest, ToStringNamesEveryType) {
  EXPECT_EQ(DataType::Bool().ToString(), "bool");
  EXPECT_EQ(DataType::Int32().ToString(), "int32");
  EXPECT_EQ(DataType::Int64().ToString(), "int64");
  EXPECT_EQ(DataType::Float64().ToString(), "float64");
  EXPECT_EQ(DataType::Decimal(12, 2).ToString(), "decimal(12,2)");
  EXPECT_EQ(DataType::Decimal(38, 0).ToString(), "decimal(38,0)");
  EXPECT_EQ(DataType::String().ToString(), "string");
  EXPECT_EQ(DataType::Binary().ToString(), "binary");
  EXPECT_EQ(DataType::Date().ToString(), "date");
  EXPECT_EQ(DataType::Time().ToString(), "time");
  EXPECT_EQ(DataType::Timestamp().ToString(), "timestamp");
  EXPECT_EQ(DataType::Json().ToString(), "json");
}

TEST(DataTypeTest, ParseIsTheInverseOfToString) {
  const std::vector<DataType> types = {
      DataType::Bool(),          DataType::Int32(),        DataType::Int64(),
      DataType::Float64(),       DataType::Decimal(1, 0),  DataType::Decimal(10, 2),
      DataType::Decimal(38, 38), DataType::Decimal(38, 0), DataType::String(),
      DataType::Binary(),        DataType::Date(),         DataType::Time(),
      DataType::Timestamp(),     DataType::Json(),
  };
  for (const DataType& type : types) {
    const DataType parsed = ParseOk(type.ToString());
    EXPECT_EQ(parsed, type) << type.ToString() << " parsed as " << parsed.ToString();
    EXPECT_EQ(parsed.ToString(), type.ToString());
  }
}

TEST(DataTypeTest, ParseAcceptsAliases) {
  EXPECT_EQ(Parsed("boolean"), "bool");
  EXPECT_EQ(Parsed("int"), "int32");
  EXPECT_EQ(Parsed("integer"), "int32");
  EXPECT_EQ(Parsed("bigint"), "int64");
  EXPECT_EQ(Parsed("long"), "int64");
  EXPECT_EQ(Parsed("double"), "float64");
  EXPECT_EQ(Parsed("float"), "float64");
  EXPECT_EQ(Parsed("varchar"), "string");
  EXPECT_EQ(Parsed("text"), "string");
  EXPECT_EQ(Parsed("bytes"), "binary");
  EXPECT_EQ(Parsed("numeric(10,2)"), "decimal(10,2)");
}

TEST(DataTypeTest, ParseIsCaseInsensitiveAndIgnoresSpaces) {
  EXPECT_EQ(Parsed("INT64"), "int64");
  EXPECT_EQ(Parsed("Timestamp"), "timestamp");
  EXPECT_EQ(Parsed("  string "), "string");
  EXPECT_EQ(Parsed("DECIMAL( 12 , 3 )"), "decimal(12,3)");
  EXPECT_EQ(Parsed("Numeric(5,0)"), "decimal(5,0)");
}

TEST(DataTypeTest, DecimalWithoutScaleHasScaleZero) {
  const DataType type = ParseOk("decimal(7)");
  EXPECT_EQ(type.id(), TypeId::kDecimal);
  EXPECT_EQ(type.precision(), 7);
  EXPECT_EQ(type.scale(), 0);
}

TEST(DataTypeTest, DecimalAccessors) {
  const DataType type = ParseOk("decimal(20,4)");
  EXPECT_EQ(type.id(), TypeId::kDecimal);
  EXPECT_EQ(type.precision(), 20);
  EXPECT_EQ(type.scale(), 4);
  EXPECT_NE(type, DataType::Decimal(20, 3));
  EXPECT_NE(type, DataType::Decimal(21, 4));
}

TEST(DataTypeTest, BadDecimalPrecisionOrScaleIsInvalidArgument) {
  for (const char* text : {"decimal(0,0)", "decimal(39,2)", "decimal(100)", "decimal(5,6)",
                           "decimal(10,-1)", "decimal(-3,0)", "numeric(39,0)"}) {
    Result<DataType> result = DataType::Parse(text);
    ASSERT_FALSE(result.ok()) << text << " parsed as " << result->ToString();
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_NE(result.status().message().find(text), std::string::npos)
        << "message should quote the input: " << result.status().message();
  }
}

TEST(DataTypeTest, MalformedOrUnknownNamesAreInvalidArgument) {
  for (const char* text :
       {"", "int128", "decimal(", "decimal()", "decimal(10,2", "decimal10,2)", "decimal(a,b)",
        "decimal(10,)", "decimalx", "strings", "uint64", "timestamp(3)"}) {
    Result<DataType> result = DataType::Parse(text);
    ASSERT_FALSE(result.ok()) << "'" << text << "' parsed as " << result->ToString();
    EXPECT_EQ(result.status().code(), StatusCode::kInvalidArgument) << text;
  }
}

TEST(DataTypeTest, IsBinaryLike) {
  EXPECT_TRUE(DataType::String().is_binary_like());
  EXPECT_TRUE(DataType::Binary().is_binary_like());
  EXPECT_TRUE(DataType::Json().is_binary_like());
  EXPECT_FALSE(DataType::Int64().is_binary_like());
  EXPECT_FALSE(DataType::Decimal(10, 2).is_binary_like());
  EXPECT_FALSE(DataType::Timestamp().is_binary_like());
}

TEST(DataTypeTest, DefaultIsString) { EXPECT_EQ(DataType(), DataType::String()); }

}  // namespace
}  // namespace sluice::columnar

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sluice/formats/parquet/column_chunk_reader.h"
#include "sluice/formats/parquet/parquet_schema.h"

namespace sluice::parquet {
namespace {

std::string WideText(const std::vector<uint8_t>& bytes, int scale) {
  std::string text;
  AppendWideDecimalText(bytes.data(), bytes.size(), scale, &text);
  return text;
}

// Big-endian two's complement of `value` (fits int64) in `width` bytes.
std::vector<uint8_t> BigEndian(int64_t value, size_t width) {
  std::vector<uint8_t> bytes(width, value < 0 ? 0xff : 0x00);
  for (size_t k = 0; k < 8 && k < width; ++k) {
    bytes[width - 1 - k] = static_cast<uint8_t>(static_cast<uint64_t>(value) >> (8 * k));
  }
  return bytes;
}

TEST(WideDecimalTest, TextIsExactAtAnyWidth) {
  EXPECT_EQ(WideText(BigEndian(12345, 32), 2), "123.45");
  EXPECT_EQ(WideText(BigEndian(-12345, 32), 2), "-123.45");
  EXPECT_EQ(WideText(BigEndian(5, 32), 3), "0.005");
  EXPECT_EQ(WideText(BigEndian(-5, 32), 3), "-0.005");
  EXPECT_EQ(WideText(BigEndian(0, 32), 4), "0.0000");
  EXPECT_EQ(WideText(BigEndian(7, 32), 0), "7");
  // 2^255 - 1, the largest 32-byte value: 77 digits, no rounding.
  std::vector<uint8_t> largest(32, 0xff);
  largest[0] = 0x7f;
  EXPECT_EQ(WideText(largest, 10),
            "5789604461865809771178549250434395392663499233282028201972879200395.6564819967");
  std::vector<uint8_t> smallest(32, 0x00);
  smallest[0] = 0x80;
  EXPECT_EQ(WideText(smallest, 0),
            "-57896044618658097711785492504343953926634992332820282019728792003956564819968");
}

TEST(WideDecimalTest, SchemaReadsThemAsStrings) {
  std::vector<SchemaElement> elements(2);
  elements[0].name = "schema";
  elements[0].num_children = 1;
  elements[1].name = "big";
  elements[1].type = Type::kFixedLenByteArray;
  elements[1].type_length = 32;
  elements[1].repetition = Repetition::kOptional;
  elements[1].converted = ConvertedType::kDecimal;
  elements[1].precision = 76;
  elements[1].scale = 38;
  auto schema = ParquetSchema::Make(elements, "wide.parquet");
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  EXPECT_EQ((*schema)->FieldType(0), columnar::DataType::String());
  EXPECT_EQ((*schema)->leaves()[0]->conversion, LeafConversion::kWideDecimal);
  EXPECT_EQ((*schema)->leaves()[0]->scale, 38);
  // On INT64 a decimal can hold at most 18 digits: a wider one is an error, not a string.
  elements[1].type = Type::kInt64;
  elements[1].type_length.reset();
  EXPECT_FALSE(ParquetSchema::Make(elements, "wide.parquet").ok());
}

}  // namespace
}  // namespace sluice::parquet

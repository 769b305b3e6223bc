#include "sluice/columnar/column_builder.h"

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace sluice::columnar {
namespace {

// Row i's validity as '1'/'0', read from the column's bitmap (all '1' when the bitmap is empty).
std::string ValidityBits(const Column& column) {
  std::string out;
  for (int64_t i = 0; i < column.length(); ++i) out += column.IsValid(i) ? '1' : '0';
  return out;
}

template <typename ColumnType>
const ColumnType& As(const ColumnPtr& column) {
  return static_cast<const ColumnType&>(*column);
}

TEST(ValidityBuilderTest, NoBitmapUntilTheFirstNull) {
  ValidityBuilder validity;
  for (int i = 0; i < 20; ++i) validity.AppendValid();
  EXPECT_EQ(validity.length(), 20);
  EXPECT_EQ(validity.null_count(), 0);
  EXPECT_TRUE(validity.Finish().empty());
  EXPECT_EQ(validity.length(), 0);
}

TEST(ValidityBuilderTest, BitmapIsLsbFirstWithClearedPadding) {
  ValidityBuilder validity;
  // rows: 0 valid, 1 null, 2..8 valid, 9 null, 10 valid  → 11 rows, 2 nulls
  validity.AppendValid();
  validity.AppendNull();
  for (int i = 2; i <= 8; ++i) validity.AppendValid();
  validity.AppendNull();
  validity.AppendValid();
  EXPECT_EQ(validity.length(), 11);
  EXPECT_EQ(validity.null_count(), 2);
  const std::vector<uint8_t> bits = validity.Finish();
  ASSERT_EQ(bits.size(), 2u);
  EXPECT_EQ(bits[0], 0b11111101);
  EXPECT_EQ(bits[1], 0b00000101);  // rows 8 and 10 valid, row 9 null, bits 11..15 padding = 0
  EXPECT_EQ(validity.length(), 0);
  EXPECT_EQ(validity.null_count(), 0);
}

TEST(ValidityBuilderTest, FirstNullAfterManyValidRows) {
  ValidityBuilder validity;
  for (int i = 0; i < 1000; ++i) validity.AppendValid();
  validity.AppendNull();
  const std::vector<uint8_t> bits = validity.Finish();
  ASSERT_EQ(bits.size(), 126u);  // ceil(1001 / 8)
  for (size_t i = 0; i < 125; ++i) ASSERT_EQ(bits[i], 0xFF) << i;
  EXPECT_EQ(bits[125], 0x00);  // row 1000 null, rest padding
}

TEST(ValidityBuilderTest, TruncateForgetsDroppedNulls) {
  ValidityBuilder validity;
  validity.AppendValid();
  validity.AppendNull();
  validity.AppendNull();
  validity.AppendValid();
  validity.Truncate(2);
  EXPECT_EQ(validity.length(), 2);
  EXPECT_EQ(validity.null_count(), 1);
  validity.Truncate(1);
  EXPECT_EQ(validity.null_count(), 0);
  EXPECT_TRUE(validity.Finish().empty());
}

TEST(ValidityBuilderTest, RowsAppendedAfterTruncateOverwriteOldBits) {
  ValidityBuilder validity;
  validity.AppendNull();
  validity.AppendNull();
  validity.AppendNull();
  validity.Truncate(1);
  validity.AppendValid();
  validity.AppendValid();
  EXPECT_EQ(validity.null_count(), 1);
  const std::vector<uint8_t> bits = validity.Finish();
  ASSERT_EQ(bits.size(), 1u);
  EXPECT_EQ(bits[0], 0b00000110);
}

TEST(Int64BuilderTest, ValuesWithoutNulls) {
  Int64Builder builder(DataType::Int64());
  builder.Append(1);
  builder.Append(-2);
  builder.Append(INT64_MAX);
  EXPECT_EQ(builder.length(), 3);
  EXPECT_EQ(builder.null_count(), 0);
  const ColumnPtr column = builder.Finish();
  EXPECT_EQ(column->type(), DataType::Int64());
  EXPECT_EQ(column->length(), 3);
  EXPECT_EQ(column->null_count(), 0);
  EXPECT_TRUE(column->validity().empty());
  const auto& values = As<Int64Column>(column);
  EXPECT_EQ(values.Value(0), 1);
  EXPECT_EQ(values.Value(1), -2);
  EXPECT_EQ(values.Value(2), INT64_MAX);
  EXPECT_EQ(ValidityBits(*column), "111");
}

TEST(Int64BuilderTest, NullsAreZeroAndMarkedInTheBitmap) {
  Int64Builder builder(DataType::Timestamp());
  builder.Append(10);
  builder.AppendNull();
  builder.Append(30);
  builder.AppendNull();
  EXPECT_EQ(builder.null_count(), 2);
  const ColumnPtr column = builder.Finish();
  EXPECT_EQ(column->type(), DataType::Timestamp());
  EXPECT_EQ(column->null_count(), 2);
  EXPECT_EQ(ValidityBits(*column), "1010");
  ASSERT_EQ(column->validity().size(), 1u);
  EXPECT_EQ(column->validity()[0], 0b0101);
  const auto& values = As<Int64Column>(column);
  EXPECT_EQ(values.Value(0), 10);
  EXPECT_EQ(values.Value(1), 0);
  EXPECT_EQ(values.Value(2), 30);
  EXPECT_TRUE(column->IsNull(3));
}

TEST(Int64BuilderTest, TruncateRollsBackValuesAndNulls) {
  Int64Builder builder(DataType::Int64());
  builder.Append(1);
  builder.Append(2);
  builder.AppendNull();
  builder.Append(4);
  builder.Truncate(2);
  EXPECT_EQ(builder.length(), 2);
  EXPECT_EQ(builder.null_count(), 0);
  builder.Append(5);
  const ColumnPtr column = builder.Finish();
  ASSERT_EQ(column->length(), 3);
  EXPECT_EQ(column->null_count(), 0);
  EXPECT_TRUE(column->validity().empty());
  const auto& values = As<Int64Column>(column);
  EXPECT_EQ(values.Value(0), 1);
  EXPECT_EQ(values.Value(1), 2);
  EXPECT_EQ(values.Value(2), 5);
}

TEST(Int64BuilderTest, TruncateToCurrentLengthOrBeyondChangesNothing) {
  Int64Builder builder(DataType::Int64());
  builder.Append(1);
  builder.Append(2);
  builder.Truncate(2);
  builder.Truncate(5);  // nothing was appended after the first 5 rows
  EXPECT_EQ(builder.length(), 2);
  builder.Append(3);
  const ColumnPtr column = builder.Finish();
  ASSERT_EQ(column->length(), 3);
  const auto& values = As<Int64Column>(column);
  EXPECT_EQ(values.Value(0), 1);
  EXPECT_EQ(values.Value(1), 2);
  EXPECT_EQ(values.Value(2), 3);
}

TEST(Int64BuilderTest, FinishResetsForReuse) {
  Int64Builder builder(DataType::Int64());
  builder.Append(1);
  builder.AppendNull();
  const ColumnPtr first = builder.Finish();
  EXPECT_EQ(builder.length(), 0);
  EXPECT_EQ(builder.null_count(), 0);
  builder.Append(7);
  builder.Append(8);
  const ColumnPtr second = builder.Finish();
  // The first column is unaffected by later appends.
  EXPECT_EQ(first->length(), 2);
  EXPECT_EQ(first->null_count(), 1);
  EXPECT_EQ(As<Int64Column>(first).Value(0), 1);
  EXPECT_EQ(second->length(), 2);
  EXPECT_EQ(second->null_count(), 0);
  EXPECT_TRUE(second->validity().empty());
  EXPECT_EQ(As<Int64Column>(second).Value(0), 7);
  EXPECT_EQ(As<Int64Column>(second).Value(1), 8);
  EXPECT_EQ(builder.Finish()->length(), 0);
}

TEST(PrimitiveBuilderTest, Int32Float64AndDecimal) {
  Int32Builder ints(DataType::Date());
  ints.Append(INT32_MIN);
  ints.AppendNull();
  ints.Append(19783);
  const ColumnPtr int_column = ints.Finish();
  EXPECT_EQ(int_column->type(), DataType::Date());
  EXPECT_EQ(As<Int32Column>(int_column).Value(0), INT32_MIN);
  EXPECT_EQ(As<Int32Column>(int_column).Value(2), 19783);
  EXPECT_EQ(ValidityBits(*int_column), "101");

  Float64Builder doubles(DataType::Float64());
  doubles.Append(0.5);
  doubles.Append(-1e300);
  const ColumnPtr double_column = doubles.Finish();
  EXPECT_EQ(As<Float64Column>(double_column).Value(0), 0.5);
  EXPECT_EQ(As<Float64Column>(double_column).Value(1), -1e300);

  DecimalBuilder decimals(DataType::Decimal(38, 2));
  const Int128 big = MaxUnscaled(38);
  decimals.Append(big);
  decimals.AppendNull();
  decimals.Append(-big);
  const ColumnPtr decimal_column = decimals.Finish();
  EXPECT_EQ(decimal_column->type(), DataType::Decimal(38, 2));
  EXPECT_TRUE(As<DecimalColumn>(decimal_column).Value(0) == big);
  EXPECT_TRUE(As<DecimalColumn>(decimal_column).Value(1) == 0);
  EXPECT_TRUE(As<DecimalColumn>(decimal_column).Value(2) == -big);
  EXPECT_EQ(decimal_column->null_count(), 1);
}

TEST(BooleanBuilderTest, ValuesAndNullsAcrossByteBoundaries) {
  BooleanBuilder builder;
  // 19 rows: value true when i % 3 == 0, null when i % 5 == 4.
  std::string expected_validity;
  for (int i = 0; i < 19; ++i) {
    if (i % 5 == 4) {
      builder.AppendNull();
      expected_validity += '0';
    } else {
      builder.Append(i % 3 == 0);
      expected_validity += '1';
    }
  }
  EXPECT_EQ(builder.null_count(), 3);
  const ColumnPtr column = builder.Finish();
  EXPECT_EQ(column->type(), DataType::Bool());
  ASSERT_EQ(column->length(), 19);
  EXPECT_EQ(column->null_count(), 3);
  EXPECT_EQ(ValidityBits(*column), expected_validity);
  const auto& values = As<BooleanColumn>(column);
  for (int i = 0; i < 19; ++i) {
    if (i % 5 == 4) continue;
    EXPECT_EQ(values.Value(i), i % 3 == 0) << i;
  }
}

TEST(BooleanBuilderTest, TruncateClearsDroppedValues) {
  BooleanBuilder builder;
  for (int i = 0; i < 10; ++i) builder.Append(true);
  builder.AppendNull();
  builder.Truncate(3);
  EXPECT_EQ(builder.length(), 3);
  EXPECT_EQ(builder.null_count(), 0);
  // Rows appended after the rollback must not see the old `true` bits.
  for (int i = 0; i < 8; ++i) builder.Append(false);
  const ColumnPtr column = builder.Finish();
  ASSERT_EQ(column->length(), 11);
  EXPECT_EQ(column->null_count(), 0);
  const auto& values = As<BooleanColumn>(column);
  for (int i = 0; i < 11; ++i) EXPECT_EQ(values.Value(i), i < 3) << i;
}

TEST(BooleanBuilderTest, FinishResetsForReuse) {
  BooleanBuilder builder;
  builder.Append(true);
  builder.AppendNull();
  const ColumnPtr first = builder.Finish();
  builder.Append(false);
  builder.Append(true);
  const ColumnPtr second = builder.Finish();
  EXPECT_EQ(first->length(), 2);
  EXPECT_EQ(first->null_count(), 1);
  EXPECT_TRUE(As<BooleanColumn>(first).Value(0));
  EXPECT_EQ(second->length(), 2);
  EXPECT_EQ(second->null_count(), 0);
  EXPECT_FALSE(As<BooleanColumn>(second).Value(0));
  EXPECT_TRUE(As<BooleanColumn>(second).Value(1));
}

TEST(StringBuilderTest, ValuesNullsAndOffsets) {
  StringBuilder builder;
  builder.Append("ab");
  builder.AppendNull();
  builder.Append("");
  builder.Append("cde");
  EXPECT_EQ(builder.byte_size(), 5);
  const ColumnPtr column = builder.Finish();
  EXPECT_EQ(column->type(), DataType::String());
  ASSERT_EQ(column->length(), 4);
  EXPECT_EQ(column->null_count(), 1);
  EXPECT_EQ(ValidityBits(*column), "1011");
  const auto& strings = As<StringColumn>(column);
  EXPECT_EQ(strings.offsets(), (std::vector<int64_t>{0, 2, 2, 2, 5}));
  EXPECT_EQ(std::string(strings.bytes().begin(), strings.bytes().end()), "abcde");
  EXPECT_EQ(strings.Value(0), "ab");
  EXPECT_EQ(strings.Value(1), "");
  EXPECT_EQ(strings.Value(2), "");
  EXPECT_TRUE(strings.IsValid(2));
  EXPECT_EQ(strings.Value(3), "cde");
}

TEST(StringBuilderTest, KeepsEmbeddedZeroBytes) {
  StringBuilder builder(DataType::Binary());
  builder.Append(std::string_view("a\0b", 3));
  const ColumnPtr column = builder.Finish();
  EXPECT_EQ(column->type(), DataType::Binary());
  EXPECT_EQ(As<StringColumn>(column).Value(0), std::string_view("a\0b", 3));
}

TEST(StringBuilderTest, ExtendShrinkEndBuildsAValueInPlace) {
  StringBuilder builder;
  builder.Append("x");
  char* out = builder.ExtendValue(8);
  std::memcpy(out, "hello", 5);
  builder.ShrinkValue(3);  // 8 reserved, 5 written
  out = builder.ExtendValue(2);
  std::memcpy(out, "!!", 2);
  builder.EndValue();
  builder.ExtendValue(0);
  builder.EndValue();  // an empty value built in place
  builder.Append("y");
  const ColumnPtr column = builder.Finish();
  ASSERT_EQ(column->length(), 4);
  EXPECT_EQ(column->null_count(), 0);
  const auto& strings = As<StringColumn>(column);
  EXPECT_EQ(strings.Value(0), "x");
  EXPECT_EQ(strings.Value(1), "hello!!");
  EXPECT_EQ(strings.Value(2), "");
  EXPECT_TRUE(strings.IsValid(2));
  EXPECT_EQ(strings.Value(3), "y");
}

TEST(StringBuilderTest, TruncateRollsBackBytesAndNulls) {
  StringBuilder builder;
  builder.Append("keep");
  builder.AppendNull();
  builder.Append("drop me");
  builder.AppendNull();
  builder.Truncate(2);
  EXPECT_EQ(builder.length(), 2);
  EXPECT_EQ(builder.null_count(), 1);
  EXPECT_EQ(builder.byte_size(), 4);
  builder.Append("new");
  builder.Truncate(5);  // beyond the length: nothing to drop
  const ColumnPtr column = builder.Finish();
  ASSERT_EQ(column->length(), 3);
  EXPECT_EQ(column->null_count(), 1);
  EXPECT_EQ(ValidityBits(*column), "101");
  const auto& strings = As<StringColumn>(column);
  EXPECT_EQ(strings.Value(0), "keep");
  EXPECT_EQ(strings.Value(2), "new");
  EXPECT_EQ(std::string(strings.bytes().begin(), strings.bytes().end()), "keepnew");
}

TEST(StringBuilderTest, TruncateToZeroThenFinish) {
  StringBuilder builder;
  builder.Append("a");
  builder.AppendNull();
  builder.Truncate(0);
  const ColumnPtr column = builder.Finish();
  EXPECT_EQ(column->length(), 0);
  EXPECT_EQ(column->null_count(), 0);
  EXPECT_TRUE(column->validity().empty());
  EXPECT_EQ(As<StringColumn>(column).offsets(), std::vector<int64_t>{0});
}

TEST(StringBuilderTest, FinishResetsForReuse) {
  StringBuilder builder(DataType::Json());
  builder.Append("{}");
  builder.AppendNull();
  const ColumnPtr first = builder.Finish();
  EXPECT_EQ(builder.length(), 0);
  EXPECT_EQ(builder.byte_size(), 0);
  builder.Append("[1]");
  const ColumnPtr second = builder.Finish();
  EXPECT_EQ(first->type(), DataType::Json());
  EXPECT_EQ(As<StringColumn>(first).Value(0), "{}");
  EXPECT_EQ(first->null_count(), 1);
  ASSERT_EQ(second->length(), 1);
  EXPECT_EQ(second->null_count(), 0);
  EXPECT_EQ(As<StringColumn>(second).Value(0), "[1]");
  EXPECT_EQ(As<StringColumn>(second).offsets(), (std::vector<int64_t>{0, 3}));
}

TEST(MakeBuilderTest, ReturnsTheBuilderForEachType) {
  struct Case {
    DataType type;
    bool (*is_expected)(const ColumnBuilder*);
  };
  const std::vector<Case> cases = {
      {DataType::Bool(),
       [](const ColumnBuilder* b) { return dynamic_cast<const BooleanBuilder*>(b) != nullptr; }},
      {DataType::Int32(),
       [](const ColumnBuilder* b) { return dynamic_cast<const Int32Builder*>(b) != nullptr; }},
      {DataType::Date(),
       [](const ColumnBuilder* b) { return dynamic_cast<const Int32Builder*>(b) != nullptr; }},
      {DataType::Int64(),
       [](const ColumnBuilder* b) { return dynamic_cast<const Int64Builder*>(b) != nullptr; }},
      {DataType::Time(),
       [](const ColumnBuilder* b) { return dynamic_cast<const Int64Builder*>(b) != nullptr; }},
      {DataType::Timestamp(),
       [](const ColumnBuilder* b) { return dynamic_cast<const Int64Builder*>(b) != nullptr; }},
      {DataType::Float64(),
       [](const ColumnBuilder* b) { return dynamic_cast<const Float64Builder*>(b) != nullptr; }},
      {DataType::Decimal(10, 2),
       [](const ColumnBuilder* b) { return dynamic_cast<const DecimalBuilder*>(b) != nullptr; }},
      {DataType::String(),
       [](const ColumnBuilder* b) { return dynamic_cast<const StringBuilder*>(b) != nullptr; }},
      {DataType::Binary(),
       [](const ColumnBuilder* b) { return dynamic_cast<const StringBuilder*>(b) != nullptr; }},
      {DataType::Json(),
       [](const ColumnBuilder* b) { return dynamic_cast<const StringBuilder*>(b) != nullptr; }},
  };
  for (const Case& c : cases) {
    std::unique_ptr<ColumnBuilder> builder = MakeBuilder(c.type);
    ASSERT_NE(builder, nullptr);
    EXPECT_TRUE(c.is_expected(builder.get())) << c.type.ToString();
    EXPECT_EQ(builder->type(), c.type) << c.type.ToString();
    // Every builder supports nulls through the base interface, and the column keeps the type.
    builder->AppendNull();
    builder->AppendNull();
    builder->Truncate(1);
    const ColumnPtr column = builder->Finish();
    EXPECT_EQ(column->type(), c.type) << c.type.ToString();
    EXPECT_EQ(column->length(), 1) << c.type.ToString();
    EXPECT_EQ(column->null_count(), 1) << c.type.ToString();
    EXPECT_TRUE(column->IsNull(0)) << c.type.ToString();
  }
}

}  // namespace
}  // namespace sluice::columnar

#include "sluice/columnar/take.h"

#include <gtest/gtest.h>

#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/value_formatter.h"
#include "sluice/columnar/widen.h"

namespace sluice::columnar {
namespace {

std::string Render(const Column& column) {
  std::string text;
  for (int64_t i = 0; i < column.length(); ++i) {
    if (i > 0) text += ',';
    AppendValue(column, i, ValueStyle::kJson, &text);
  }
  return text;
}

TEST(TakeTest, PicksRowsOfEveryLayoutKeepingNulls) {
  Int64Builder ints(DataType::Int64());
  StringBuilder strings;
  BooleanBuilder bools;
  DecimalBuilder decimals(DataType::Decimal(5, 2));
  for (int i = 0; i < 10; ++i) {
    if (i % 3 == 0) {
      ints.AppendNull();
      strings.AppendNull();
      bools.AppendNull();
      decimals.AppendNull();
    } else {
      ints.Append(i);
      strings.Append(std::string(static_cast<size_t>(i), 'x'));
      bools.Append(i % 2 == 0);
      decimals.Append(i * 101);
    }
  }
  const std::vector<int64_t> rows = {9, 1, 3, 1, 8};
  EXPECT_EQ(Render(*TakeRows(*ints.Finish(), rows)), "null,1,null,1,8");
  EXPECT_EQ(Render(*TakeRows(*strings.Finish(), rows)), "null,\"x\",null,\"x\",\"xxxxxxxx\"");
  EXPECT_EQ(Render(*TakeRows(*bools.Finish(), rows)), "null,false,null,false,true");
  ColumnPtr taken = TakeRows(*decimals.Finish(), rows);
  EXPECT_EQ(Render(*taken), "null,1.01,null,1.01,8.08");
  EXPECT_EQ(taken->null_count(), 2);
  // No nulls picked: no validity bitmap.
  Int32Builder small(DataType::Int32());
  small.AppendNull();
  small.Append(5);
  ColumnPtr valid_only = TakeRows(*small.Finish(), std::vector<int64_t>{1, 1});
  EXPECT_EQ(valid_only->null_count(), 0);
  EXPECT_TRUE(valid_only->validity().empty());
  ColumnPtr nulls = MakeNullColumn(DataType::Date(), 3);
  EXPECT_EQ(nulls->null_count(), 3);
  EXPECT_EQ(Render(*nulls), "null,null,null");
}

TEST(WidenTest, WidensLosslesslyAndRefusesTheRest) {
  Int32Builder ints(DataType::Int32());
  ints.Append(-7);
  ints.AppendNull();
  ints.Append(2147483647);
  ColumnPtr column = ints.Finish();
  EXPECT_EQ(Render(*WidenColumn(column, DataType::Int64()).ValueOrDie()), "-7,null,2147483647");
  EXPECT_EQ(Render(*WidenColumn(column, DataType::Decimal(12, 2)).ValueOrDie()),
            "-7.00,null,2147483647.00");
  EXPECT_EQ(Render(*WidenColumn(column, DataType::Float64()).ValueOrDie()), "-7,null,2147483647");
  auto too_small = WidenColumn(column, DataType::Decimal(5, 2));
  EXPECT_EQ(too_small.status().code(), StatusCode::kDataError);
  EXPECT_NE(too_small.status().message().find("2147483647"), std::string::npos);
  EXPECT_EQ(WidenColumn(column, DataType::String()).status().code(), StatusCode::kSchemaMismatch);
  Int32Builder dates(DataType::Date());
  dates.Append(19000);  // 2022-01-08
  EXPECT_EQ(Render(*WidenColumn(dates.Finish(), DataType::Timestamp()).ValueOrDie()),
            "\"2022-01-08T00:00:00Z\"");
  DecimalBuilder decimals(DataType::Decimal(4, 1));
  decimals.Append(-125);
  EXPECT_EQ(Render(*WidenColumn(decimals.Finish(), DataType::Decimal(6, 3)).ValueOrDie()),
            "-12.500");
  StringBuilder json(DataType::Json());
  json.Append("{\"a\":1}");
  ColumnPtr as_string = ReinterpretColumn(json.Finish(), DataType::String()).ValueOrDie();
  EXPECT_EQ(as_string->type(), DataType::String());
  EXPECT_EQ(Render(*as_string), "\"{\\\"a\\\":1}\"");
  Int64Builder micros(DataType::Int64());
  micros.Append(3600000000);
  EXPECT_EQ(Render(*ReinterpretColumn(micros.Finish(), DataType::Time()).ValueOrDie()),
            "\"01:00:00\"");
  EXPECT_EQ(ReinterpretColumn(column, DataType::String()).status().code(),
            StatusCode::kSchemaMismatch);
}

}  // namespace
}  // namespace sluice::columnar

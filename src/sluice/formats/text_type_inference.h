// Type inference for values that arrive as text (CSV fields, JSON strings), and conversion of text
// into typed column builders.
//
// Candidates, in order of preference: bool (true/false), int64, decimal (plain digits with a point,
// no exponent; precision 18 or 38, scale = the widest seen), float64, date, timestamp, time,
// string. Numbers with a leading zero ("007", "09001") are codes and stay strings. Dates and
// timestamps are tried as year-month-day, then month-day-year, then day-month-year; one order per
// column.
#pragma once

#include <cstdint>
#include <string_view>

#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/data_type.h"
#include "sluice/columnar/temporal.h"

namespace sluice::formats {

// A column type plus how its text is laid out.
struct TextColumnType {
  columnar::DataType type = columnar::DataType::String();
  columnar::DateOrder date_order = columnar::DateOrder::kYMD;
};

class TextTypeInference {
 public:
  // Observes one non-null value.
  void Observe(std::string_view text);
  // The narrowest type that parses every observed value (string when none were observed).
  TextColumnType Result() const;
  int64_t observed() const { return observed_; }

 private:
  enum Candidate : uint32_t {
    kBool = 1u << 0,
    kInt = 1u << 1,
    kDecimal = 1u << 2,
    kFloat = 1u << 3,
    kDateYMD = 1u << 4,
    kDateMDY = 1u << 5,
    kDateDMY = 1u << 6,
    kTimestampYMD = 1u << 7,
    kTimestampMDY = 1u << 8,
    kTimestampDMY = 1u << 9,
    kTime = 1u << 10,
    kAll = (1u << 11) - 1,
  };
  uint32_t candidates_ = kAll;
  int max_integer_digits_ = 0;
  int max_scale_ = 0;
  bool int_overflow_ = false;
  int64_t observed_ = 0;
};

// Why a text value did not convert.
enum class ConvertError { kOk, kSyntax, kOverflow, kTooManyFractionDigits, kInvalidUtf8 };

// Converts `text` into a value of `column_type` appended to `builder` (which must be the builder
// for column_type.type). On failure nothing is appended and the error says why.
ConvertError AppendText(std::string_view text, const TextColumnType& column_type,
                        columnar::ColumnBuilder* builder);

// "is not a valid int64", "does not fit decimal(10,2)", ...
std::string ConvertErrorMessage(ConvertError error, std::string_view text,
                                const columnar::DataType& type);

// Fast parsers used by AppendText, exposed for other readers.
bool ParseInt64(std::string_view text, int64_t* out);
bool ParseFloat64(std::string_view text, double* out);
bool ParseBool(std::string_view text, bool* out);
bool IsValidUtf8(std::string_view text);

}  // namespace sluice::formats

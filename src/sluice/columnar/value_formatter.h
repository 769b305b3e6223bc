// Renders single column values as text, for printers and text writers.
#pragma once

#include <cstdint>
#include <string>

#include "sluice/columnar/column.h"

namespace sluice::columnar {

enum class ValueStyle {
  kDisplay,  // for people: timestamps "2024-03-01 13:45:07", binary as hex "\x01\x02", NULL shown
             // by the caller
  kJson,     // a JSON token: strings quoted/escaped, timestamps ISO 8601 with Z, binary base64,
             // decimals as numbers with their exact scale, floats shortest round-trip (NaN and the
             // infinities as the strings "NaN", "Infinity", "-Infinity"), json as-is
  kCsv,      // raw text (the caller quotes): timestamps ISO 8601 with Z, binary base64, floats as
             // in JSON but unquoted (NaN, Infinity, -Infinity)
};

// Appends the value at `row` of `column` to `out`. For kJson a null becomes `null`; for the other
// styles a null appends nothing (callers decide how to show it).
void AppendValue(const Column& column, int64_t row, ValueStyle style, std::string* out);

// Appends `text` as a JSON string literal (quotes, escapes of ", \ and control characters).
void AppendJsonString(std::string_view text, std::string* out);

// Appends the shortest decimal text that round-trips to `value` ("1.5", "1e+300", "nan" → null in
// JSON by the caller).
void AppendDouble(double value, std::string* out);

// Standard base64 with padding.
void AppendBase64(std::string_view bytes, std::string* out);

}  // namespace sluice::columnar

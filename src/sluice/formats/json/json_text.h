// JSON text of values simdjson parsed: what the JSON reader stores for arrays (type json) and for
// scalars that land in string columns.
#pragma once

#include <simdjson.h>

#include <string>

namespace sluice::formats::json {

// Appends the compact JSON text of `element` to `out`: no whitespace, strings re-escaped,
// integers as written, floats in shortest round-trip form and always with a fraction or exponent
// ("1.0", not "1"), so the text says what the input said.
void AppendJsonText(simdjson::dom::element element, std::string* out);

}  // namespace sluice::formats::json

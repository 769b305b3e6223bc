// Unicode case mapping of values for the expression language (lower, upper, ILIKE). ASCII
// folding of keywords, names and units is common/ascii.h's AsciiLower.
#pragma once

#include <string>
#include <string_view>

namespace sluice::compute {

// Unicode case mapping through the C.UTF-8 locale's tables (glibc's built-in locale), one code
// point at a time; ASCII only when that locale is missing. Invalid UTF-8 bytes are kept as they
// are. `out` is replaced.
void CaseMap(std::string_view text, bool upper, std::string* out);

}  // namespace sluice::compute

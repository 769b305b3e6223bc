// CSV dialect and read options.
#pragma once

#include <optional>
#include <string>

#include "sluice/common/result.h"
#include "sluice/formats/record_reader.h"

namespace sluice::formats {

// A fully resolved dialect (after sniffing).
struct CSVDialect {
  char delimiter = ',';
  char quote = '"';   // '\0': no quoting
  char escape = '"';  // equal to quote: quotes are doubled ("")
  bool header = true;
  char comment = '\0';  // '\0': no comment lines

  std::string ToString() const;  // "delimiter=',' quote='\"' escape='\"' header=yes"
};

struct CSVReadOptions {
  CommonReadOptions common;
  std::optional<char> delimiter;  // sniffed from , ; | tab when absent
  char quote = '"';
  std::optional<char> escape;  // defaults to quote
  std::optional<bool> header;  // sniffed when absent
  char comment = '\0';
};

// Parses a one-character option as users type it: "," ";" "|" "\\t" "tab" "\\" ... `name` is
// the option name for the error message.
Result<char> ParseCharOption(std::string_view text, std::string_view name);

}  // namespace sluice::formats

#include "sluice/formats/csv/csv_options.h"

namespace sluice::formats {

namespace {

std::string Show(char c) {
  switch (c) {
    case '\0':
      return "none";
    case '\t':
      return "'\\t'";
    default:
      return std::string("'") + c + "'";
  }
}

}  // namespace

std::string CSVDialect::ToString() const {
  std::string out = "delimiter=" + Show(delimiter) + " quote=" + Show(quote) +
                    " escape=" + Show(escape) + " header=" + (header ? "yes" : "no");
  if (comment != '\0') out += " comment=" + Show(comment);
  return out;
}

Result<char> ParseCharOption(std::string_view text, std::string_view name) {
  if (text == "\\t" || text == "tab" || text == "\t") return '\t';
  if (text == "none" || text.empty()) return '\0';
  if (text.size() == 1) {
    const char c = text[0];
    if (c == '\n' || c == '\r') {
      return Status::InvalidArgument(std::string(name) + " cannot be a line break");
    }
    return c;
  }
  return Status::InvalidArgument(std::string(name) + " must be a single character (or \\t), not '" +
                                 std::string(text) + "'");
}

}  // namespace sluice::formats

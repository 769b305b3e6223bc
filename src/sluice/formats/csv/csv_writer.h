// CSVWriter: writes batches as RFC 4180 CSV with a header row.
//
// Fields are quoted only when they contain the delimiter, a quote, CR or LF, or start/end with a
// space; quotes inside are doubled. Null is an empty unquoted field; an empty string is "" so the
// two stay distinct. Values use the text forms of NDJSONWriter (ISO timestamps with Z, base64
// binary). A batch with a different schema starts a new header.
#pragma once

#include <ostream>

#include "sluice/columnar/batch.h"

namespace sluice::formats {

class CSVWriter {
 public:
  explicit CSVWriter(std::ostream& out, char delimiter = ',') : out_(out), delimiter_(delimiter) {}
  void Write(const columnar::Batch& batch, int64_t max_rows = -1);

 private:
  void AppendField(std::string_view text, bool force_quotes, std::string* out) const;

  std::ostream& out_;
  char delimiter_;
  columnar::SchemaPtr schema_;
};

}  // namespace sluice::formats

#include "sluice/formats/csv/csv_writer.h"

#include <algorithm>
#include <string>

#include "sluice/columnar/value_formatter.h"

namespace sluice::formats {

void CSVWriter::AppendField(std::string_view text, bool force_quotes, std::string* out) const {
  bool quote = force_quotes || (!text.empty() && (text.front() == ' ' || text.back() == ' '));
  if (!quote) {
    for (char c : text) {
      if (c == delimiter_ || c == '"' || c == '\n' || c == '\r') {
        quote = true;
        break;
      }
    }
  }
  if (!quote) {
    out->append(text);
    return;
  }
  out->push_back('"');
  for (char c : text) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

void CSVWriter::Write(const columnar::Batch& batch, int64_t max_rows) {
  std::string out;
  if (!schema_ || *schema_ != *batch.schema()) {
    schema_ = batch.schema();
    for (size_t c = 0; c < schema_->num_fields(); ++c) {
      if (c > 0) out.push_back(delimiter_);
      AppendField(schema_->field(c).name, false, &out);
    }
    out.push_back('\n');
  }
  const int64_t rows = max_rows < 0 ? batch.num_rows() : std::min(max_rows, batch.num_rows());
  std::string value;
  for (int64_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < batch.num_columns(); ++c) {
      if (c > 0) out.push_back(delimiter_);
      const columnar::Column& column = batch.column(c);
      if (column.IsNull(r)) continue;
      value.clear();
      columnar::AppendValue(column, r, columnar::ValueStyle::kCsv, &value);
      AppendField(value, value.empty(), &out);
    }
    out.push_back('\n');
    if (out.size() > (1 << 20)) {
      out_.write(out.data(), static_cast<std::streamsize>(out.size()));
      out.clear();
    }
  }
  out_.write(out.data(), static_cast<std::streamsize>(out.size()));
}

}  // namespace sluice::formats

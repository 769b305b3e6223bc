#include "sluice/formats/ndjson_writer.h"

#include <algorithm>
#include <string>

#include "sluice/columnar/value_formatter.h"

namespace sluice::formats {

void NDJSONWriter::Write(const columnar::Batch& batch, int64_t max_rows) {
  const int64_t rows = max_rows < 0 ? batch.num_rows() : std::min(max_rows, batch.num_rows());
  std::vector<std::string> keys;
  for (const columnar::Field& field : batch.schema()->fields()) {
    std::string key;
    columnar::AppendJsonString(field.name, &key);
    key += ':';
    keys.push_back(std::move(key));
  }
  std::string out;
  out.reserve(1 << 20);
  for (int64_t r = 0; r < rows; ++r) {
    out += '{';
    for (size_t c = 0; c < batch.num_columns(); ++c) {
      if (c > 0) out += ',';
      out += keys[c];
      columnar::AppendValue(batch.column(c), r, columnar::ValueStyle::kJson, &out);
    }
    out += "}\n";
    if (out.size() > (1 << 20)) {
      out_.write(out.data(), static_cast<std::streamsize>(out.size()));
      out.clear();
    }
  }
  out_.write(out.data(), static_cast<std::streamsize>(out.size()));
}

}  // namespace sluice::formats

#include "sluice/compute/row_key.h"

#include "sluice/columnar/value_formatter.h"

namespace sluice::compute {

std::string EncodeKey(const columnar::Batch& batch, const std::vector<size_t>& columns,
                      int64_t row) {
  std::string key;
  for (size_t column : columns) {
    columnar::AppendValue(*batch.columns()[column], row, columnar::ValueStyle::kJson, &key);
    key += '\x1f';
  }
  return key;
}

std::string RowAsJson(const columnar::Batch& batch, int64_t row) {
  std::string out = "{";
  for (size_t i = 0; i < batch.columns().size(); ++i) {
    if (i > 0) out += ", ";
    out += '"';
    for (char c : batch.schema()->field(i).name) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += "\": ";
    columnar::AppendValue(*batch.columns()[i], row, columnar::ValueStyle::kJson, &out);
  }
  return out + "}";
}

}  // namespace sluice::compute

#include "sluice/formats/csv/csv_sniffer.h"

#include <algorithm>
#include <map>
#include <vector>

#include "sluice/formats/csv/csv_tokenizer.h"
#include "sluice/formats/text_type_inference.h"

namespace sluice::formats {

namespace {

// Tokenizes up to kSampleRows rows of the sample; non-blank rows only.
std::vector<std::vector<std::string>> SampleRows(std::string_view sample, bool at_end,
                                                 const CSVDialect& dialect) {
  CSVTokenizer tokenizer(dialect);
  std::vector<std::vector<std::string>> rows;
  std::vector<CSVField> fields;
  size_t pos = 0;
  const size_t size = std::min(sample.size(), CSVSniffer::kSampleBytes);
  const bool whole = at_end && size == sample.size();
  while (pos < size && static_cast<int>(rows.size()) < CSVSniffer::kSampleRows) {
    size_t next = 0;
    size_t error = 0;
    const RowStatus status =
        tokenizer.ParseRow(sample.data(), size, pos, whole, &fields, &next, &error);
    if (status == RowStatus::kIncomplete || status == RowStatus::kUnterminatedQuote) break;
    if (status == RowStatus::kOk && !fields.empty() &&
        !(fields.size() == 1 && fields[0].begin == fields[0].end && !fields[0].quoted())) {
      std::vector<std::string> row;
      for (const CSVField& field : fields)
        row.push_back(tokenizer.UnescapeToString(sample.data(), field));
      rows.push_back(std::move(row));
    }
    if (next <= pos) break;
    pos = next;
  }
  return rows;
}

bool LooksTyped(const std::string& value) {
  if (value.empty()) return false;
  TextTypeInference inference;
  inference.Observe(value);
  return inference.Result().type.id() != columnar::TypeId::kString;
}

}  // namespace

CSVDialect CSVSniffer::Sniff(std::string_view sample, bool at_end, const CSVReadOptions& options) {
  CSVDialect dialect;
  dialect.quote = options.quote;
  dialect.escape = options.escape.value_or(options.quote);
  dialect.comment = options.comment;

  if (options.delimiter) {
    dialect.delimiter = *options.delimiter;
  } else {
    double best_score = -1;
    size_t best_fields = 0;
    dialect.delimiter = ',';
    for (char candidate : {',', ';', '|', '\t'}) {
      CSVDialect trial = dialect;
      trial.delimiter = candidate;
      const auto rows = SampleRows(sample, at_end, trial);
      if (rows.empty()) continue;
      std::map<size_t, int> counts;
      for (const auto& row : rows) ++counts[row.size()];
      auto mode = std::max_element(counts.begin(), counts.end(), [](const auto& a, const auto& b) {
        return a.second < b.second;
      });
      if (mode->first < 2) continue;
      const double consistency =
          static_cast<double>(mode->second) / static_cast<double>(rows.size());
      if (consistency > best_score + 1e-9 ||
          (consistency > best_score - 1e-9 && mode->first > best_fields)) {
        best_score = consistency;
        best_fields = mode->first;
        dialect.delimiter = candidate;
      }
    }
  }

  if (options.header) {
    dialect.header = *options.header;
    return dialect;
  }
  const auto rows = SampleRows(sample, at_end, dialect);
  if (rows.empty()) {
    dialect.header = true;
    return dialect;
  }
  const std::vector<std::string>& first = rows.front();
  bool typed_column = false;
  bool first_row_misfits = false;
  for (size_t column = 0; column < first.size(); ++column) {
    TextTypeInference inference;
    for (size_t r = 1; r < rows.size(); ++r) {
      if (column < rows[r].size() && !rows[r][column].empty()) inference.Observe(rows[r][column]);
    }
    const TextColumnType type = inference.Result();
    if (type.type.id() == columnar::TypeId::kString) continue;
    typed_column = true;
    if (first[column].empty()) continue;
    auto builder = columnar::MakeBuilder(type.type);
    if (AppendText(first[column], type, builder.get()) != ConvertError::kOk)
      first_row_misfits = true;
  }
  if (typed_column) {
    dialect.header = first_row_misfits;
  } else {
    dialect.header = std::none_of(first.begin(), first.end(), [](const std::string& value) {
      return value.empty() || LooksTyped(value);
    });
  }
  return dialect;
}

}  // namespace sluice::formats

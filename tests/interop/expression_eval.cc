// Evaluates expressions over a CSV file with sluice's expression engine and prints one NDJSON
// line per row ({"e0": …, "e1": …}), in sluice's NDJSON conventions — for
// duckdb_checks_expressions.sh, which has DuckDB compute the same expressions over the same file.
//
//   expression_eval DATA.csv SCHEMA EXPRESSIONS.txt
//
// SCHEMA: "name:type,…" for every column. EXPRESSIONS.txt: one expression per line. A row the
// engine could not compute prints "ROW ERROR: <reason>" as its value, so it cannot match.
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "sluice/columnar/value_formatter.h"
#include "sluice/compute/expression_evaluator.h"
#include "sluice/formats/file_reader.h"
#include "sluice/formats/reject.h"

using namespace sluice;

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: expression_eval DATA.csv SCHEMA EXPRESSIONS.txt\n";
    return 2;
  }
  formats::FileReadOptions options;
  std::stringstream schema_text(argv[2]);
  for (std::string item; std::getline(schema_text, item, ';');) {
    const size_t colon = item.find(':');
    auto type = columnar::DataType::Parse(item.substr(colon + 1));
    if (colon == std::string::npos || !type.ok()) {
      std::cerr << "expression_eval: bad schema item '" << item << "'\n";
      return 2;
    }
    options.csv.common.column_types.emplace_back(item.substr(0, colon), *type);
  }
  std::vector<std::string> texts;
  std::ifstream in(argv[3]);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) texts.push_back(line);
  }
  formats::RejectTracker rejects(formats::RejectPolicy{}, [](const formats::Reject& reject) {
    std::cerr << "expression_eval: reject: " << reject.message << "\n";
    return Status::OK();
  });
  auto reader = formats::OpenFileReader(argv[1], options, &rejects);
  if (!reader.ok()) {
    std::cerr << "expression_eval: " << reader.status().ToString() << "\n";
    return 1;
  }
  std::vector<compute::BoundExprPtr> bound;
  for (const std::string& text : texts) {
    auto parsed = compute::ParseExpression(text);
    auto bind = parsed.ok() ? compute::Bind(**parsed, *(*reader)->schema()) : parsed.status();
    if (!bind.ok()) {
      std::cerr << "expression_eval: " << text << ": " << bind.status().message() << "\n";
      return 1;
    }
    bound.push_back(*bind);
  }
  while (true) {
    auto batch = (*reader)->Next();
    if (!batch.ok()) {
      std::cerr << "expression_eval: " << batch.status().ToString() << "\n";
      return 1;
    }
    if (!*batch) break;
    std::vector<columnar::ColumnPtr> columns;
    std::vector<std::map<int64_t, std::string>> row_errors(bound.size());
    for (size_t e = 0; e < bound.size(); ++e) {
      std::vector<compute::RowError> errors;
      auto column = compute::Evaluate(*bound[e], **batch, &errors);
      if (!column.ok()) {
        std::cerr << "expression_eval: " << column.status().ToString() << "\n";
        return 1;
      }
      for (const compute::RowError& error : errors) row_errors[e][error.row] = error.message;
      columns.push_back(*column);
    }
    std::string line;
    for (int64_t row = 0; row < (*batch)->num_rows(); ++row) {
      line = "{";
      for (size_t e = 0; e < columns.size(); ++e) {
        if (e > 0) line += ",";
        line += "\"e" + std::to_string(e) + "\":";
        auto error = row_errors[e].find(row);
        if (error != row_errors[e].end()) {
          line += "\"ROW ERROR: " + error->second + "\"";
        } else {
          columnar::AppendValue(*columns[e], row, columnar::ValueStyle::kJson, &line);
        }
      }
      line += "}\n";
      std::cout << line;
    }
  }
  return 0;
}

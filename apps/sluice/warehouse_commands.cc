// sluice query: a SQL query against the project's warehouse, printed as a table (or CSV).
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>

#include "commands.h"
#include "exit_codes.h"
#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/decimal.h"
#include "sluice/columnar/table_printer.h"
#include "sluice/pipeline/project.h"
#include "sluice/warehouse/connection.h"

namespace sluice::cli {
namespace {

struct QueryFlags {
  std::string project = ".";
  std::string sql;
  bool csv = false;
};

void WriteCsvField(const std::string& value, std::string* out) {
  if (value.find_first_of(",\"\n\r") == std::string::npos) {
    *out += value;
    return;
  }
  *out += '"';
  for (char c : value) {
    if (c == '"') *out += '"';
    *out += c;
  }
  *out += '"';
}

Status RunQuery(const QueryFlags& flags) {
  SLUICE_ASSIGN_OR_RETURN(pipeline::Project project, pipeline::LoadProject(flags.project));
  if (!project.warehouse) {
    return Status::InvalidArgument(project.file +
                                   ": the project has no warehouse (add 'warehouse:' and 'load:')");
  }
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<warehouse::Connection> connection,
                          warehouse::Connect(project.warehouse->settings));
  SLUICE_ASSIGN_OR_RETURN(warehouse::QueryResult result, connection->QueryWithNames(flags.sql));
  if (flags.csv) {
    std::string out;
    for (size_t i = 0; i < result.columns.size(); ++i) {
      if (i > 0) out += ',';
      WriteCsvField(result.columns[i], &out);
    }
    out += '\n';
    for (const auto& row : result.rows) {
      for (size_t i = 0; i < row.size(); ++i) {
        if (i > 0) out += ',';
        if (row[i]) WriteCsvField(*row[i], &out);
      }
      out += '\n';
    }
    std::cout << out;
    return Status::OK();
  }
  // Columns whose every value is an integer print as int64, plain decimals as an exact decimal
  // (right-aligned); the rest as text, as the warehouse gave them.
  std::vector<columnar::Field> fields;
  std::vector<columnar::ColumnPtr> columns;
  for (size_t c = 0; c < result.columns.size(); ++c) {
    bool integers = true;
    bool decimals = true;  // plain decimal notation, at most 38 digits: shown exactly
    int scale = 0;
    for (const auto& row : result.rows) {
      if (c >= row.size() || !row[c]) continue;
      const std::string& text = *row[c];
      char* end = nullptr;
      errno = 0;
      const long long parsed = std::strtoll(text.c_str(), &end, 10);
      // Only canonical integers: '007' (a postcode) stays text.
      integers =
          integers && !text.empty() && *end == '\0' && errno == 0 && text == std::to_string(parsed);
      const size_t digits_start = !text.empty() && (text[0] == '-' || text[0] == '+') ? 1 : 0;
      const size_t dot = text.find('.');
      decimals =
          decimals && text.size() > digits_start && text.size() <= 40 &&
          text.find_first_not_of("0123456789.", digits_start) == std::string::npos &&
          text.find('.', dot == std::string::npos ? text.size() : dot + 1) == std::string::npos &&
          !(text.size() > digits_start + 1 && text[digits_start] == '0' &&
            text[digits_start + 1] != '.');
      if (dot != std::string::npos)
        scale = std::max(scale, static_cast<int>(text.size() - dot - 1));
    }
    decimals = decimals && scale <= 18;
    auto value = [&](const auto& row) -> const std::optional<std::string>& {
      static const std::optional<std::string> kNull;
      return c < row.size() ? row[c] : kNull;
    };
    if (integers && !result.rows.empty()) {
      columnar::Int64Builder builder(columnar::DataType::Int64());
      for (const auto& row : result.rows) {
        if (value(row)) {
          builder.Append(std::strtoll(value(row)->c_str(), nullptr, 10));
        } else {
          builder.AppendNull();
        }
      }
      fields.push_back({result.columns[c], columnar::DataType::Int64(), true});
      columns.push_back(builder.Finish());
    } else if (decimals && !result.rows.empty()) {
      const columnar::DataType type = columnar::DataType::Decimal(38, scale);
      columnar::DecimalBuilder builder(type);
      for (const auto& row : result.rows) {
        columnar::Int128 unscaled = 0;
        if (value(row) && columnar::ParseDecimal(*value(row), 38, scale, &unscaled) ==
                              columnar::DecimalParseError::kOk) {
          builder.Append(unscaled);
        } else {
          builder.AppendNull();
        }
      }
      fields.push_back({result.columns[c], type, true});
      columns.push_back(builder.Finish());
    } else {
      columnar::StringBuilder builder(columnar::DataType::String());
      for (const auto& row : result.rows) {
        if (value(row)) {
          builder.Append(*value(row));
        } else {
          builder.AppendNull();
        }
      }
      fields.push_back({result.columns[c], columnar::DataType::String(), true});
      columns.push_back(builder.Finish());
    }
  }
  auto schema = std::make_shared<const columnar::Schema>(fields);
  columnar::Batch batch(schema, std::move(columns), static_cast<int64_t>(result.rows.size()));
  columnar::TablePrinter printer(std::cout, {60, "rows"});
  printer.SetSchema(schema);
  printer.Print(batch);
  printer.Finish();
  return Status::OK();
}

}  // namespace

void RegisterWarehouseCommands(CLI::App* app, int* exit_code) {
  auto flags = std::make_shared<QueryFlags>();
  CLI::App* query =
      app->add_subcommand("query", "Run a SQL query in the project's warehouse and print the rows");
  query->add_option("PROJECT", flags->project, "The project file or its folder")->required();
  query->add_option("SQL", flags->sql, "The query, e.g. \"select * from daily_sales limit 5\"")
      ->required();
  query->add_flag("--csv", flags->csv, "Print CSV (a header line, then the rows)");
  query->footer(
      "The warehouse is the project's (warehouse: in sluice.yml): tables loaded from the lake,\n"
      "the SQL models, and _sluice_loads, the ledger of which lake version each table holds.\n"
      "Example: sluice query examples/retail \"select * from revenue_by_country\"");
  query->callback([flags, exit_code] {
    Status status = RunQuery(*flags);
    *exit_code = status.ok() ? kExitOk : ReportError(status);
  });
}

}  // namespace sluice::cli

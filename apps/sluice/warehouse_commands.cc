// sluice query: a SQL query against the project's warehouse, printed as a table (or CSV).
#include <iostream>
#include <memory>
#include <string>

#include "commands.h"
#include "exit_codes.h"
#include "sluice/columnar/column_builder.h"
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
  std::vector<columnar::Field> fields;
  std::vector<columnar::StringBuilder> builders;
  for (const std::string& name : result.columns) {
    fields.push_back({name, columnar::DataType::String(), true});
    builders.emplace_back(columnar::DataType::String());
  }
  for (const auto& row : result.rows) {
    for (size_t i = 0; i < row.size() && i < builders.size(); ++i) {
      if (row[i]) {
        builders[i].Append(*row[i]);
      } else {
        builders[i].AppendNull();
      }
    }
  }
  std::vector<columnar::ColumnPtr> columns;
  for (auto& builder : builders) columns.push_back(builder.Finish());
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

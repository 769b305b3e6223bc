// sluice schema: print the columns and types sluice infers for files.
#include <iostream>
#include <memory>

#include "commands.h"
#include "exit_codes.h"
#include "read_flags.h"
#include "sluice/formats/csv/csv_reader.h"

namespace sluice::cli {

namespace {

Status RunSchema(const ReadFlags& flags, const GlobalFlags& global) {
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<ReadSession> session,
                          ReadSession::Make(flags, global.threads));
  for (const std::string& path : flags.paths) {
    SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<formats::RecordReader> reader, session->OpenNext());
    if (flags.paths.size() > 1) std::cout << path << ":\n";
    if (auto* csv = dynamic_cast<formats::CSVReader*>(reader.get())) {
      std::cout << "# csv " << csv->dialect().ToString() << '\n';
    }
    size_t width = 4;
    for (const columnar::Field& field : reader->schema()->fields())
      width = std::max(width, field.name.size());
    for (const columnar::Field& field : reader->schema()->fields()) {
      std::cout << field.name << std::string(width + 2 - field.name.size(), ' ')
                << field.type.ToString() << '\n';
    }
  }
  return Status::OK();
}

}  // namespace

void RegisterSchema(CLI::App* app, const GlobalFlags* global, int* exit_code) {
  auto flags = std::make_shared<ReadFlags>();
  CLI::App* command = app->add_subcommand(
      "schema", "Print the column names and types inferred for files (and the CSV dialect found)");
  command->footer("Example:\n  sluice schema orders.csv\n");
  flags->Register(command);
  command->callback([flags, global, exit_code]() {
    const Status status = RunSchema(*flags, *global);
    *exit_code = status.ok() ? kExitOk : ReportError(status);
  });
}

}  // namespace sluice::cli

// sluice count: read files completely (every value parsed into its column) and print the row count.
#include <iostream>
#include <memory>

#include "commands.h"
#include "exit_codes.h"
#include "read_flags.h"

namespace sluice::cli {

namespace {

Status RunCount(const ReadFlags& flags, const GlobalFlags& global) {
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<ReadSession> session,
                          ReadSession::Make(flags, global.threads));
  int64_t rows = 0;
  Status status;
  while (status.ok()) {
    SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<formats::RecordReader> reader, session->OpenNext());
    if (!reader) break;
    while (true) {
      auto batch = reader->Next();
      if (!batch.ok()) {
        status = batch.status();
        break;
      }
      if (*batch == nullptr) break;
      rows += (*batch)->num_rows();
    }
  }
  if (status.ok()) std::cout << rows << '\n';
  session->ReportRejects();
  return status;
}

}  // namespace

void RegisterCount(CLI::App* app, const GlobalFlags* global, int* exit_code) {
  auto flags = std::make_shared<ReadFlags>();
  CLI::App* command = app->add_subcommand(
      "count", "Read files completely, converting every value, and print the number of good rows");
  command->footer("Example:\n  sluice count orders.csv --threads 2\n");
  flags->Register(command);
  command->callback([flags, global, exit_code]() {
    const Status status = RunCount(*flags, *global);
    *exit_code = status.ok() ? kExitOk : ReportError(status);
  });
}

}  // namespace sluice::cli

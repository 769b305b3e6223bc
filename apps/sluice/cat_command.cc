// sluice cat: print the rows of files as a table, NDJSON or CSV.
#include <iostream>
#include <memory>

#include "commands.h"
#include "exit_codes.h"
#include "read_flags.h"
#include "sluice/columnar/table_printer.h"
#include "sluice/formats/csv/csv_writer.h"
#include "sluice/formats/ndjson_writer.h"

namespace sluice::cli {

namespace {

struct CatFlags {
  ReadFlags read;
  std::string to = "table";
  int64_t limit = -1;
};

Status RunCat(const CatFlags& flags, const GlobalFlags& global) {
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<ReadSession> session,
                          ReadSession::Make(flags.read, global.threads));
  std::ios::sync_with_stdio(false);
  columnar::TablePrinter table(std::cout);
  formats::NDJSONWriter ndjson(std::cout);
  formats::CSVWriter csv(std::cout);
  int64_t remaining = flags.limit;
  bool any_opened = false;
  Status status;
  while (remaining != 0) {
    auto opened = session->OpenNext();
    if (!opened.ok()) {
      status = opened.status();  // still close the table and report rejects so far
      break;
    }
    std::unique_ptr<formats::RecordReader> reader = std::move(opened).ValueUnsafe();
    if (!reader) break;
    any_opened = true;
    if (flags.to == "table") table.SetSchema(reader->schema());
    while (remaining != 0) {
      auto batch = reader->Next();
      if (!batch.ok()) {
        status = batch.status();
        break;
      }
      if (*batch == nullptr) break;
      const columnar::Batch& rows = **batch;
      const int64_t take = remaining < 0 ? rows.num_rows() : std::min(remaining, rows.num_rows());
      if (flags.to == "table") {
        table.Print(rows, take);
      } else if (flags.to == "ndjson") {
        ndjson.Write(rows, take);
      } else {
        csv.Write(rows, take);
      }
      if (remaining > 0) remaining -= take;
    }
    if (!status.ok()) break;
  }
  if (flags.to == "table" && any_opened) table.Finish();
  std::cout.flush();
  session->ReportRejects();
  return status;
}

}  // namespace

void RegisterCat(CLI::App* app, const GlobalFlags* global, int* exit_code) {
  auto flags = std::make_shared<CatFlags>();
  CLI::App* command = app->add_subcommand(
      "cat", "Print the rows of files or Delta tables (types inferred; bad records reported)");
  command->footer(
      "Examples:\n"
      "  sluice cat orders.csv --limit 10\n"
      "  sluice cat events.ndjson.gz --to csv > events.csv\n"
      "  sluice cat export.txt --delimiter ';' --header no --types none\n"
      "  sluice cat orders.csv --schema 'price:decimal(10,2)' --rejects bad.ndjson --max-rejects "
      "1%\n"
      "  sluice cat lake/bronze/orders --version 3            (a Delta table, time travel)\n"
      "  sluice cat s3://analytics/lake/bronze/orders --limit 5   (endpoint, region and keys\n"
      "      from AWS_ENDPOINT_URL_S3, AWS_REGION, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or\n"
      "      ~/.aws/credentials)\n");
  flags->read.Register(command);
  command->add_option("--to", flags->to, "Output: table (default), ndjson or csv")
      ->check(CLI::IsMember({"table", "ndjson", "csv"}));
  command->add_option("--limit", flags->limit, "Print at most N rows")
      ->check(CLI::NonNegativeNumber);
  command->callback([flags, global, exit_code]() {
    const Status status = RunCat(*flags, *global);
    *exit_code = status.ok() ? kExitOk : ReportError(status);
  });
}

}  // namespace sluice::cli

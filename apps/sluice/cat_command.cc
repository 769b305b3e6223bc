// sluice cat: print the rows of files as a table, NDJSON or CSV.
#include <iostream>
#include <memory>

#include "commands.h"
#include "exit_codes.h"
#include "read_flags.h"
#include "sluice/columnar/table_printer.h"
#include "sluice/compute/filter.h"
#include "sluice/formats/csv/csv_writer.h"
#include "sluice/formats/ndjson_writer.h"

namespace sluice::cli {

namespace {

struct CatFlags {
  ReadFlags read;
  std::string to = "table";
  int64_t limit = -1;
  std::string where;
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
  compute::ExprPtr where;
  if (!flags.where.empty()) {
    Result<compute::ExprPtr> parsed = compute::ParseExpression(flags.where);
    if (!parsed.ok()) return parsed.status().WithContext("--where");
    where = *parsed;
  }
  int64_t unevaluated = 0;
  std::string first_unevaluated;
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
    compute::BoundExprPtr condition;
    if (where) {
      Result<compute::BoundExprPtr> bound = compute::Bind(*where, *reader->schema());
      if (!bound.ok()) return bound.status().WithContext("--where");
      if ((*bound)->type.id() != columnar::TypeId::kBool) {
        return Status::InvalidArgument("--where needs a true/false condition, not " +
                                       (*bound)->type.ToString());
      }
      condition = *bound;
    }
    while (remaining != 0) {
      auto batch = reader->Next();
      if (!batch.ok()) {
        status = batch.status();
        break;
      }
      if (*batch == nullptr) break;
      columnar::BatchPtr kept = *batch;
      if (condition) {
        std::vector<compute::RowError> errors;
        Result<columnar::BatchPtr> filtered = compute::Filter(kept, *condition, &errors);
        if (!filtered.ok()) {
          status = filtered.status();
          break;
        }
        kept = *filtered;
        if (!errors.empty() && first_unevaluated.empty()) first_unevaluated = errors[0].message;
        unevaluated += static_cast<int64_t>(errors.size());
      }
      const columnar::Batch& rows = *kept;
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
  if (unevaluated > 0) {
    std::cerr << "sluice: warning: --where could not be evaluated for " << unevaluated
              << (unevaluated == 1 ? " row" : " rows") << ", left out (first: " << first_unevaluated
              << ")\n";
  }
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
      "  sluice cat orders.csv --where \"qty > 10 AND status IN ('paid', 'shipped')\"\n"
      "  sluice cat lake/bronze/orders --version 3            (a Delta table, time travel)\n"
      "  sluice cat s3://analytics/lake/bronze/orders --limit 5   (endpoint, region and keys\n"
      "      from AWS_ENDPOINT_URL_S3, AWS_REGION, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or\n"
      "      ~/.aws/credentials)\n");
  flags->read.Register(command);
  command->add_option("--to", flags->to, "Output: table (default), ndjson or csv")
      ->check(CLI::IsMember({"table", "ndjson", "csv"}));
  command->add_option("--limit", flags->limit, "Print at most N rows")
      ->check(CLI::NonNegativeNumber);
  command->add_option("--where", flags->where,
                      "Only rows where this SQL condition is true, e.g. \"qty > 10 AND "
                      "lower(country) = 'fr'\" (docs/expressions.md)");
  command->callback([flags, global, exit_code]() {
    const Status status = RunCat(*flags, *global);
    *exit_code = status.ok() ? kExitOk : ReportError(status);
  });
}

}  // namespace sluice::cli

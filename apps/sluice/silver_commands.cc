// sluice quality and sluice detokenize: the check history of a silver table, and tokens back to
// values for whoever holds the key.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "exit_codes.h"
#include "sluice/columnar/table_printer.h"
#include "sluice/columnar/take.h"
#include "sluice/io/file_system.h"
#include "sluice/lake/table_scan.h"
#include "sluice/silver/masking.h"

namespace sluice::cli {
namespace {

// The quality table of a lake table: <lake>/silver/orders → <lake>/quality/silver.orders; a path
// that is a quality table already is taken as it is.
std::string QualityTableOf(const std::string& table) {
  std::filesystem::path path = std::filesystem::path(table).lexically_normal();
  if (path.filename().empty()) path = path.parent_path();
  const std::string name = path.filename().string();
  const std::string layer = path.parent_path().filename().string();
  if (layer == "quality") return path.string();
  return (path.parent_path().parent_path() / "quality" / (layer + "." + name)).string();
}

Status RunQuality(const std::string& table, int64_t limit) {
  const std::string quality = QualityTableOf(table);
  SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<lake::DeltaLog> log, lake::DeltaLog::Open(quality));
  SLUICE_ASSIGN_OR_RETURN(lake::SnapshotPtr snapshot, log->Load());
  if (!snapshot->exists()) {
    return Status::NotFound(table + ": no check history (looked in " + quality +
                            "); a silver table with checks records one per run");
  }
  lake::TableScanOptions options;
  options.columns = {"checked_at",   "run_id",      "table_version", "check",  "severity",
                     "rows_checked", "rows_failed", "passed",        "detail", "score"};
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<lake::TableScan> scan,
                          lake::TableScan::Open(log, snapshot, options));
  std::vector<columnar::BatchPtr> batches;
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(columnar::BatchPtr batch, scan->Next());
    if (!batch) break;
    batches.push_back(std::move(batch));
  }
  columnar::TablePrinter printer(std::cout);
  printer.SetSchema(scan->schema());
  if (!batches.empty()) {
    // The newest runs first; a run's checks in the order declared.
    const columnar::BatchPtr all = columnar::ConcatBatches(scan->schema(), batches);
    const auto& checked_at = static_cast<const columnar::Int64Column&>(*all->columns()[0]);
    std::vector<int64_t> order(static_cast<size_t>(all->num_rows()));
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int64_t>(i);
    std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
      return checked_at.Value(a) > checked_at.Value(b);
    });
    if (limit >= 0 && static_cast<int64_t>(order.size()) > limit) {
      order.resize(static_cast<size_t>(limit));
    }
    printer.Print(*columnar::TakeRows(*all, order));
  }
  printer.Finish();
  return Status::OK();
}

Status RunDetokenize(const std::vector<std::string>& tokens) {
  SLUICE_ASSIGN_OR_RETURN(std::string key, silver::TokenKeyFromEnvironment());
  std::vector<std::string> inputs = tokens;
  if (inputs.empty() || (inputs.size() == 1 && inputs[0] == "-")) {
    inputs.clear();
    for (std::string line; std::getline(std::cin, line);) {
      if (!line.empty()) inputs.push_back(line);
    }
  }
  for (const std::string& token : inputs) {
    SLUICE_ASSIGN_OR_RETURN(std::string value, silver::Detokenize(key, token));
    std::cout << value << '\n';
  }
  return Status::OK();
}

}  // namespace

void RegisterSilverCommands(CLI::App* app, int* exit_code) {
  auto table = std::make_shared<std::string>();
  auto limit = std::make_shared<int64_t>(-1);
  CLI::App* quality = app->add_subcommand(
      "quality", "Print the check history of a silver table: every check of every run");
  quality->add_option("TABLE", *table, "The silver table (e.g. lake/silver/orders)")->required();
  quality->add_option("--limit", *limit, "At most this many rows (the newest runs first)");
  quality->footer(
      "Each run of a silver table with checks appends one row per check to\n"
      "<lake>/quality/silver.<name>: rows checked and failed, a sample, the table's score.");
  quality->callback([table, limit, exit_code] {
    Status status = RunQuality(*table, *limit);
    *exit_code = status.ok() ? kExitOk : ReportError(status);
  });

  auto tokens = std::make_shared<std::vector<std::string>>();
  CLI::App* detokenize = app->add_subcommand(
      "detokenize", "Turn tokens made by the tokenize mask back into their values");
  detokenize->add_option("TOKEN", *tokens, "Tokens (tok_...); none or '-': one per line on stdin");
  detokenize->footer(
      "Needs the key the tokens were made with in SLUICE_TOKEN_KEY (64 hex characters).\n"
      "A token made with another key, or altered, is refused (exit 1).");
  detokenize->callback([tokens, exit_code] {
    Status status = RunDetokenize(*tokens);
    *exit_code = status.ok() ? kExitOk : ReportError(status);
  });
}

}  // namespace sluice::cli

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
#include "read_flags.h"
#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/table_printer.h"
#include "sluice/columnar/take.h"
#include "sluice/io/file_system.h"
#include "sluice/lake/table_scan.h"
#include "sluice/silver/masking.h"
#include "sluice/silver/profile.h"

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

std::string Percent(int64_t part, int64_t whole) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f%%",
                whole == 0 ? 0.0 : 100.0 * static_cast<double>(part) / static_cast<double>(whole));
  return text;
}

Status RunProfile(const ReadFlags& flags, bool suggest, const GlobalFlags& global) {
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<ReadSession> session,
                          ReadSession::Make(flags, global.threads));
  silver::Profiler profiler;
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<formats::RecordReader> reader, session->OpenNext());
    if (!reader) break;
    while (true) {
      SLUICE_ASSIGN_OR_RETURN(columnar::BatchPtr batch, reader->Next());
      if (!batch) break;
      profiler.Add(*batch);
    }
  }
  session->ReportRejects();
  const std::vector<silver::ColumnProfile> profiles = profiler.Finish();
  const std::vector<std::string> headers = {"column", "type", "nulls",      "distinct",
                                            "min",    "max",  "top values", "pii"};
  std::vector<columnar::StringBuilder> cells(headers.size());
  for (const silver::ColumnProfile& profile : profiles) {
    std::string top;
    for (const auto& [value, count] : profile.top) {
      top += (top.empty() ? "" : ", ") + value + " (" + std::to_string(count) + ")";
    }
    const std::string pii = profile.pii
                                ? std::string(silver::PiiKindName(*profile.pii)) + " " +
                                      Percent(static_cast<int64_t>(profile.pii_share * 1000), 1000)
                                : "";
    const std::vector<std::string> row = {
        profile.name,
        profile.type.ToString(),
        Percent(profile.nulls, profile.rows),
        (profile.distinct >= 100'000 ? "~" : "") + std::to_string(profile.distinct),
        profile.min,
        profile.max,
        top,
        pii};
    for (size_t i = 0; i < row.size(); ++i) cells[i].Append(row[i]);
  }
  std::vector<columnar::Field> fields;
  std::vector<columnar::ColumnPtr> columns;
  for (size_t i = 0; i < headers.size(); ++i) {
    fields.push_back({headers[i], columnar::DataType::String(), true});
    columns.push_back(cells[i].Finish());
  }
  columnar::TablePrinter::Options options;
  options.count_noun = "columns";
  columnar::TablePrinter printer(std::cout, options);
  printer.Print(columnar::Batch(std::make_shared<const columnar::Schema>(fields), columns,
                                static_cast<int64_t>(profiles.size())));
  printer.Finish();
  std::cout << (profiles.empty() ? 0 : profiles[0].rows) << " rows read\n";
  if (suggest) {
    std::string block;
    for (const silver::ColumnProfile& profile : profiles) {
      if (profile.suggestion.empty()) continue;
      block += "  " + profile.name + ": " + profile.suggestion + "  # " + profile.reason + "\n";
    }
    if (block.empty()) {
      std::cout << "\n# No column looks like personal data.\n";
    } else {
      std::cout
          << "\n# Masks for the silver table (docs/silver.md); hmac needs SLUICE_MASKING_KEY.\n"
          << "mask:\n"
          << block;
    }
  }
  return Status::OK();
}

}  // namespace

void RegisterSilverCommands(CLI::App* app, const GlobalFlags* global, int* exit_code) {
  auto read_flags = std::make_shared<ReadFlags>();
  auto suggest = std::make_shared<bool>(false);
  CLI::App* profile = app->add_subcommand(
      "profile",
      "Profile files or a table: per column type, null share, distinct values, min/max, top "
      "values, and whether it looks like personal data");
  read_flags->Register(profile);
  profile->add_flag("--suggest", *suggest,
                    "Print the mask block for the project file for the columns that look like "
                    "personal data");
  profile->footer(
      "Personal data is recognised by the values: emails, phone numbers, card numbers (Luhn),\n"
      "IBANs (mod 97), IP addresses, US SSNs; and birth dates by the column name.\n"
      "Example:\n  sluice profile lake/bronze/customers --suggest\n");
  profile->callback([read_flags, suggest, global, exit_code] {
    Status status = RunProfile(*read_flags, *suggest, *global);
    *exit_code = status.ok() ? kExitOk : ReportError(status);
  });

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

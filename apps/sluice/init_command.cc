// sluice init DIR: scaffold a working project — a project file, a sample drop, a .gitignore.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "commands.h"
#include "exit_codes.h"

namespace sluice::cli {
namespace {

constexpr const char* kProjectFile =
    R"yaml(# A sluice project: file drops → bronze → silver → gold (a star schema) in ./lake, then a
# SQLite warehouse (./warehouse.db). Reference: docs/project-file.md; every option:
# `sluice components`. See what a run does: `sluice plan .`
name: NAME
lake: ./lake            # the lake's root folder (relative to this file)
retries: {attempts: 2, delay: 5s}

sources:
  orders:
    format: csv
    path: drops/orders/*.csv    # every file matching is ingested exactly once
    min_age: 10s                # files modified more recently wait for the next run
    schema: {order_id: int64, ordered_at: timestamp, quantity: int32, amount: "decimal(10,2)"}
    max_rejects: 10%            # more bad records than this fails the run, committing nothing

tables:
  # Silver (docs/silver.md): cleaned, de-duplicated, checked.
  silver.orders:
    from: bronze.orders
    trim: true
    derive: {order_date: CAST(ordered_at AS date)}
    dedupe: {key: [order_id], latest_by: ordered_at}
    checks:
      quantity_positive: {check: range, column: quantity, min: 1, severity: quarantine}
  # Gold (docs/gold.md): a calendar, a fact table pointing to it, and daily totals.
  gold.dim_date: {kind: date_dimension, start: 2026-01-01, end: 2026-12-31}
  gold.fact_orders:
    kind: fact
    from: silver.orders
    grain: [order_id]
    dimensions:
      date: {table: gold.dim_date, on: order_date}
  gold.daily_orders:
    kind: aggregate
    from: gold.fact_orders
    group_by: [date_key]
    measures: {orders: count(*), units: sum(quantity), revenue: sum(amount)}

# The warehouse (docs/warehouse.md): `sluice query . "select * from daily_orders"`.
warehouse: {type: sqlite, path: ./warehouse.db}
load:
  gold.*: {}
)yaml";

constexpr const char* kSampleDrop =
    "order_id,ordered_at,customer,quantity,amount\n"
    "1,2026-01-05T09:30:00Z,ann@example.com,2,19.90\n"
    "2,2026-01-05T10:02:00Z,bob@example.org,1,5.00\n"
    "3,2026-01-05T11:45:00Z,chen@example.net,three,7.50\n"
    "4,2026-01-05T12:10:00Z,dana@example.com,4,12.00\n"
    "5,2026-01-05T12:30:00Z,eve@example.org,1,3.20\n"
    "6,2026-01-05T13:05:00Z,ann@example.com,6,44.10\n"
    "7,2026-01-05T13:40:00Z,femi@example.net,2,8.00\n"
    "8,2026-01-05T14:15:00Z,bob@example.org,1,99.99\n"
    "9,2026-01-05T15:00:00Z,gus@example.com,3,15.75\n"
    "10,2026-01-05T15:20:00Z,chen@example.net,5,21.00\n"
    "11,2026-01-05T16:45:00Z,dana@example.com,2,6.40\n";

constexpr const char* kGitignore = "lake/\nruns/\nwarehouse.db*\n";

Status WriteNew(const std::filesystem::path& path, const std::string& text) {
  std::error_code error;
  std::filesystem::create_directories(path.parent_path(), error);
  if (error) return Status::IOError(path.parent_path().string() + ": " + error.message());
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  if (!out) return Status::IOError(path.string() + ": write failed");
  return Status::OK();
}

Status RunInit(const std::string& dir) {
  const std::filesystem::path root(dir);
  std::error_code error;
  if (std::filesystem::exists(root / "sluice.yml", error)) {
    return Status::InvalidArgument((root / "sluice.yml").string() +
                                   " exists already; init never overwrites a project");
  }
  std::string name = std::filesystem::absolute(root, error).lexically_normal().filename().string();
  if (name.empty()) name = "project";
  for (char& c : name) {
    c = std::isalnum(static_cast<unsigned char>(c)) ? static_cast<char>(std::tolower(c)) : '_';
  }
  std::string project = kProjectFile;
  project.replace(project.find("NAME"), 4, name);
  SLUICE_RETURN_NOT_OK(WriteNew(root / "sluice.yml", project));
  SLUICE_RETURN_NOT_OK(WriteNew(root / "drops/orders/orders_0001.csv", kSampleDrop));
  if (!std::filesystem::exists(root / ".gitignore", error)) {
    SLUICE_RETURN_NOT_OK(WriteNew(root / ".gitignore", kGitignore));
  }
  std::cout << "sluice: created " << (root / "sluice.yml").string() << " and a sample drop in "
            << (root / "drops/orders/").string() << "\n\nNext:\n"
            << "  sluice validate " << dir << "      check the project file\n"
            << "  sluice plan " << dir << "          see what a run does\n"
            << "  sluice run " << dir
            << "           ingest the drops (files must be 10s old), build silver and gold,\n"
            << "                              load the warehouse\n"
            << "  sluice cat " << (root / "lake/bronze/orders").string()
            << "   look at the bronze table\n"
            << "  sluice query " << dir << " \"select * from daily_orders\"   ask the warehouse\n";
  return Status::OK();
}

}  // namespace

void RegisterInit(CLI::App* app, int* exit_code) {
  auto dir = std::make_shared<std::string>();
  CLI::App* command = app->add_subcommand("init",
                                          "Create a working project in DIR: sluice.yml (bronze → "
                                          "silver → gold → SQLite) and a sample drop");
  command->add_option("DIR", *dir, "The project folder (created when absent)")->required();
  command->callback([dir, exit_code] {
    Status status = RunInit(*dir);
    *exit_code = status.ok() ? kExitOk : ReportError(status);
  });
}

}  // namespace sluice::cli

// The project file's `warehouse:` and `load:`: where the warehouse is, which lake tables are loaded
// into it and how, its SQL models and model tests (docs/warehouse.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sluice/config/config_node.h"
#include "sluice/config/config_spec.h"
#include "sluice/warehouse/connection.h"
#include "sluice/warehouse/loader.h"
#include "sluice/warehouse/models.h"

namespace sluice::pipeline {

struct Project;

// One lake table to load.
struct LoadDeclaration {
  std::string table;   // the lake table ("gold.fact_sales")
  std::string target;  // the warehouse table ("fact_sales")
  warehouse::LoadMode mode = warehouse::LoadMode::kMerge;
  std::vector<std::string> key;                     // primary key (and merge key)
  std::vector<std::string> indexes;                 // foreign-key columns
  std::vector<warehouse::ForeignKey> foreign_keys;  // declared as constraints
  std::vector<std::string> after;  // load tasks that must run first (its dimensions)
  config::SourceMark mark;
};

struct WarehouseDeclaration {
  warehouse::WarehouseSettings settings;
  std::vector<LoadDeclaration> loads;
  std::string models_dir;
  std::vector<warehouse::SqlModel> models;  // in dependency order
  std::vector<warehouse::ModelTest> tests;
};

const config::ConfigSpec& WarehouseSpec();
const config::ConfigSpec& LoadEntrySpec();
const config::ConfigSpec& ModelTestSpec();

// Reads `warehouse:` (may be null: the embedded default, SQLite at ./warehouse.db) and `load:`
// (may be null: every gold table) once the project's tables are known. Nothing to load and no
// `warehouse:` → nullopt. Problems go to `errors`.
std::optional<WarehouseDeclaration> ParseWarehouse(const config::ConfigNode* warehouse,
                                                   const config::ConfigNode* load,
                                                   const Project& project,
                                                   config::ConfigErrors* errors);

}  // namespace sluice::pipeline

// LoadTask: loads one lake table into the warehouse (warehouse/loader.h), exactly once per lake
// version: the warehouse's ledger table says which version it holds, in the same transaction as
// the rows.
//
// replace reads the whole table; append and merge read only the rows commits added since the
// version loaded (not the rows a merge copied). Rows the lake deleted since are deleted by key in
// a merge (their keys read from the removed files at the version loaded, less the rows kept);
// in an append, or when that version's files are gone or the schema changed, the load becomes a
// replace with a note saying why. Rows the warehouse refuses go to quarantine/load.<target> with
// the reason, ledgered like the load.
//
// ModelsTask: after every load, rebuilds the SQL models and runs the model tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sluice/lake/snapshot.h"
#include "sluice/pipeline/project.h"
#include "sluice/pipeline/task.h"
#include "sluice/warehouse/loader.h"

namespace sluice::pipeline {

class LoadTask final : public Task {
 public:
  LoadTask(const Project& project, const LoadDeclaration& load,
           std::vector<std::string> upstream_tasks, bool full_refresh, int64_t now_ms = 0);

  const std::string& name() const override { return name_; }
  std::string kind() const override { return "load"; }
  std::vector<std::string> upstream() const override { return upstream_; }
  std::vector<std::string> reads() const override;
  std::vector<std::string> writes() const override;

  Result<TaskOutcome> Run(TaskContext& context) override;

 private:
  // The warehouse table's design at `snapshot` (its schema; the version stamps changed keys).
  warehouse::TableDesign DesignOf(const lake::Snapshot& snapshot) const;

  const Project& project_;
  LoadDeclaration load_;
  std::string name_;  // "load.fact_sales"
  std::vector<std::string> upstream_;
  bool full_refresh_;
  int64_t now_ms_;
};

class ModelsTask final : public Task {
 public:
  // `full_refresh`: every test reads every row (else a test of a loaded table that passed before
  // reads the rows changed since).
  ModelsTask(const Project& project, std::vector<std::string> upstream_tasks,
             bool full_refresh = false);

  const std::string& name() const override { return name_; }
  std::string kind() const override { return "models"; }
  std::vector<std::string> upstream() const override { return upstream_; }
  std::vector<std::string> reads() const override;
  std::vector<std::string> writes() const override;

  Result<TaskOutcome> Run(TaskContext& context) override;

 private:
  const Project& project_;
  std::string name_ = "warehouse.models";
  std::vector<std::string> upstream_;
  bool full_refresh_ = false;
};

// Whether a model test of the warehouse reads `target` (as its table or a relationship's).
bool TestsRead(const WarehouseDeclaration& warehouse, const std::string& target);

// The columns of `target` its model tests read (sorted): the loads keep them with the changed
// keys (warehouse/changes.h).
std::vector<std::string> TestedColumns(const WarehouseDeclaration& warehouse,
                                       const std::string& target);

// "load.fact_sales".
std::string LoadTaskName(const LoadDeclaration& load);

}  // namespace sluice::pipeline

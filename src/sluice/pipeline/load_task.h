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

#include "sluice/pipeline/project.h"
#include "sluice/pipeline/task.h"

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
  const Project& project_;
  LoadDeclaration load_;
  std::string name_;  // "load.fact_sales"
  std::vector<std::string> upstream_;
  bool full_refresh_;
  int64_t now_ms_;
};

class ModelsTask final : public Task {
 public:
  ModelsTask(const Project& project, std::vector<std::string> upstream_tasks);

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
};

// "load.fact_sales".
std::string LoadTaskName(const LoadDeclaration& load);

}  // namespace sluice::pipeline

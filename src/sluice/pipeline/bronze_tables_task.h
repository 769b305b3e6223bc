// BronzeTablesTask: the bronze task of a source of many tables (`tables: ["public.*"]`). A run
// lists the tables the source matches now and ingests each into bronze.<table> with a BronzeTask
// of its own (its own ledger, quarantine/<source>_<table> and commit), so a table added at the
// source is picked up by the next run and a failing table does not hold back the others: the
// task fails after trying them all, naming the tables that failed.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sluice/pipeline/project.h"
#include "sluice/pipeline/task.h"

namespace sluice::pipeline {

class BronzeTablesTask final : public Task {
 public:
  BronzeTablesTask(const Project& project, const SourceDeclaration& source, int64_t now_ms = 0);

  const std::string& name() const override { return name_; }
  std::string kind() const override { return "bronze"; }
  std::vector<std::string> upstream() const override { return {}; }
  std::vector<std::string> reads() const override { return source_.source->Describe(); }
  std::vector<std::string> writes() const override;

  Result<TaskOutcome> Run(TaskContext& context) override;

 private:
  const Project& project_;
  SourceDeclaration source_;
  std::string name_;
  int64_t now_ms_;
};

}  // namespace sluice::pipeline

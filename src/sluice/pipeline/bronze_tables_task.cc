#include "sluice/pipeline/bronze_tables_task.h"

#include <set>

#include "sluice/pipeline/bronze_task.h"

namespace sluice::pipeline {

BronzeTablesTask::BronzeTablesTask(const Project& project, const SourceDeclaration& source,
                                   int64_t now_ms)
    : project_(project), source_(source), name_(source.table), now_ms_(now_ms) {}

std::vector<std::string> BronzeTablesTask::writes() const {
  return {project_.TablePath("bronze") + "/<table> for each table found (partitioned by " +
              "_sluice_ingest_date)",
          project_.QuarantinePath(source_.name) + "_<table> (rejected records)"};
}

Result<TaskOutcome> BronzeTablesTask::Run(TaskContext& context) {
  TaskOutcome outcome;
  SLUICE_ASSIGN_OR_RETURN(std::vector<connectors::SourcePart> parts, source_.source->Expand());
  // Tables another source of the project writes are left to it.
  std::set<std::string> owned;
  for (const SourceDeclaration& other : project_.sources) owned.insert(other.table);
  nlohmann::ordered_json tables = nlohmann::ordered_json::object();
  std::vector<std::string> failed;
  StatusCode failure = StatusCode::kOk;
  for (const connectors::SourcePart& part : parts) {
    if (owned.contains(part.table)) {
      outcome.notes.push_back(name_ + ": " + part.read + " is left to the source writing " +
                              part.table);
      continue;
    }
    SourceDeclaration declaration;
    declaration.name = source_.name + "_" + part.table.substr(part.table.find('.') + 1);
    declaration.type = source_.type;
    declaration.table = part.table;
    declaration.mark = source_.mark;
    declaration.source = part.source;
    BronzeTask task(project_, declaration, now_ms_);
    Result<TaskOutcome> ran = task.Run(context);
    if (!ran.ok()) {
      if (failed.empty()) failure = ran.status().code();
      failed.push_back(part.table + ": " + ran.status().message());
      tables[part.table] = {{"read", part.read}, {"error", ran.status().message()}};
      continue;
    }
    outcome.rows_in += ran->rows_in;
    outcome.rows_out += ran->rows_out;
    outcome.rows_quarantined += ran->rows_quarantined;
    outcome.bytes_in += ran->bytes_in;
    for (std::string& note : ran->notes) outcome.notes.push_back(std::move(note));
    ran->details["read"] = part.read;
    tables[part.table] = std::move(ran->details);
  }
  outcome.details["source"] = source_.name;
  outcome.details["tables"] = std::move(tables);
  if (parts.empty()) {
    outcome.notes.push_back(name_ + ": no table matches " + source_.source->Describe()[0]);
  }
  if (!failed.empty()) {
    std::string message = std::to_string(failed.size()) + " of " + std::to_string(parts.size()) +
                          " tables failed (the others committed): ";
    for (size_t i = 0; i < failed.size(); ++i) message += (i ? "; " : "") + failed[i];
    return Status(failure, message);
  }
  return outcome;
}

}  // namespace sluice::pipeline

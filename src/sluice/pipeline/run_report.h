// RunReport: what one `sluice run` did — per task: state, attempts, rows in/out/quarantined,
// seconds, error — as a summary table for people and runs/<run_id>/report.json for machines.
// Every message passes through the Redactor first.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sluice/common/result.h"
#include "sluice/pipeline/executor.h"

namespace sluice::pipeline {

// Exit codes of `sluice run` (and every command): the contract scripts rely on.
inline constexpr int kExitOk = 0;
inline constexpr int kExitData = 1;     // data rejected beyond a limit, a failed quality check
inline constexpr int kExitConfig = 2;   // the project file or the command line is wrong
inline constexpr int kExitRuntime = 3;  // anything else: I/O, services, bugs

// The exit code for a task error: data and schema errors → 1, configuration → 2, others → 3.
int ExitCodeForStatus(const Status& status);

// A new run id: "20261122T101500Z-1a2b3c" (UTC time, then random hex), sortable by time.
std::string NewRunId(int64_t now_ms);

struct RunReport {
  std::string project;
  std::string project_file;
  std::string run_id;
  int64_t started_at_ms = 0;
  int64_t finished_at_ms = 0;
  std::vector<std::string> selected;  // --select, empty = all
  std::vector<TaskReport> tasks;

  // 0 when every task succeeded; else the highest of the failed tasks' codes (3 > 1).
  int ExitCode() const;
  nlohmann::ordered_json ToJson() const;
  // The summary table: task, status, rows in, rows out, quarantined, seconds; then errors and
  // notes, one per line.
  std::string SummaryText() const;
  // Writes <runs_dir>/<run_id>/report.json (atomically); returns its path.
  Result<std::string> Write(const std::string& runs_dir) const;
};

}  // namespace sluice::pipeline

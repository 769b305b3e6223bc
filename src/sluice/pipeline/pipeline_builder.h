// PipelineBuilder: a project → the DAG of tasks a run executes (a bronze task per source, a silver
// task per silver table; gold and load tasks plug in later), and the plan `sluice plan` prints.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sluice/common/result.h"
#include "sluice/pipeline/project.h"
#include "sluice/pipeline/task.h"

namespace sluice::pipeline {

// The project's tasks in declaration order: a bronze task per source, a silver task per table.
// `select`: task names ("bronze.orders") or source names ("orders"); empty = every task.
// `full_refresh`: silver tasks rebuild their tables from all of their upstream. Errors:
// InvalidArgument for a name that is neither, listing the task names; or a DAG problem (executor.h
// CheckGraph). `now_ms` (tests): the clock tasks use (0 = the system clock).
Result<std::vector<std::unique_ptr<Task>>> BuildTasks(const Project& project,
                                                      const std::vector<std::string>& select,
                                                      int64_t now_ms = 0,
                                                      bool full_refresh = false);

// The plan in words: each task in run order with its upstream tasks, what it reads and writes.
std::string DescribePlan(const Project& project, const std::vector<std::unique_ptr<Task>>& tasks);

}  // namespace sluice::pipeline

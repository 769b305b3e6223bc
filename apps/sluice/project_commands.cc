// sluice run | validate | plan: the commands that work on a project file.
#include <unistd.h>

#include <iostream>
#include <memory>

#include "commands.h"
#include "exit_codes.h"
#include "sluice/common/redactor.h"
#include "sluice/config/config_spec.h"
#include "sluice/io/file_system.h"
#include "sluice/io/s3/s3_file_system.h"
#include "sluice/lake/transaction.h"
#include "sluice/pipeline/executor.h"
#include "sluice/pipeline/pipeline_builder.h"
#include "sluice/pipeline/progress_display.h"
#include "sluice/pipeline/project.h"
#include "sluice/pipeline/run_report.h"

namespace sluice::cli {
namespace {

struct ProjectFlags {
  std::string project = ".";
  std::vector<std::string> select;
  bool no_progress = false;
  bool quiet = false;
  bool full_refresh = false;
  std::string memory_limit;  // --memory-limit, as written
};

// Prints a project-loading error: each configuration error on its own line.
int ReportProjectError(const Status& status) {
  const std::string message = Redactor::Global().Redact(status.message());
  size_t start = 0;
  while (start < message.size()) {
    size_t end = message.find('\n', start);
    if (end == std::string::npos) end = message.size();
    std::cerr << "sluice: error: " << message.substr(start, end - start) << '\n';
    start = end + 1;
  }
  // A missing or invalid project is a configuration error (2), whatever its code.
  return status.code() == StatusCode::kIOError ? kExitRuntime : kExitUsage;
}

// The project and its tasks, or the exit code of the error (printed).
struct LoadedProject {
  pipeline::Project project;
  std::vector<std::unique_ptr<pipeline::Task>> tasks;
  int exit_code = kExitOk;
};

// `needs_lake`: the command will touch the lake, so an s3:// lake must have credentials.
LoadedProject Load(const ProjectFlags& flags, bool needs_lake) {
  LoadedProject loaded;
  Result<pipeline::Project> project = pipeline::LoadProject(flags.project);
  if (!project.ok()) {
    loaded.exit_code = ReportProjectError(project.status());
    return loaded;
  }
  loaded.project = std::move(project).ValueUnsafe();
  io::s3::ConfigureS3(loaded.project.s3);
  if (needs_lake && io::UriScheme(loaded.project.lake) == "s3") {
    Result<io::s3::S3Config> s3 = io::s3::ResolveS3Config(loaded.project.s3);
    Status problem = s3.status();
    if (s3.ok() && !s3->credentials_error.empty()) {
      problem = Status::InvalidArgument(s3->credentials_error);
    }
    if (!problem.ok()) {
      loaded.exit_code = ReportProjectError(
          problem.WithContext(loaded.project.file + ": lake " + loaded.project.lake));
      return loaded;
    }
  }
  Result<std::vector<std::unique_ptr<pipeline::Task>>> tasks =
      pipeline::BuildTasks(loaded.project, flags.select, 0, flags.full_refresh);
  if (!tasks.ok()) {
    loaded.exit_code = ReportProjectError(tasks.status());
    return loaded;
  }
  loaded.tasks = std::move(tasks).ValueUnsafe();
  return loaded;
}

int RunValidate(const ProjectFlags& flags) {
  LoadedProject loaded = Load(flags, /*needs_lake=*/true);
  if (loaded.exit_code != kExitOk) return loaded.exit_code;
  const pipeline::Project* project = &loaded.project;
  const auto* tasks = &loaded.tasks;
  std::cout << project->file << ": ok — project " << project->name << ", "
            << project->sources.size() << (project->sources.size() == 1 ? " source" : " sources")
            << ", " << tasks->size() << (tasks->size() == 1 ? " task" : " tasks") << '\n';
  // Not errors, but worth knowing before a run: globs that match nothing yet.
  for (const pipeline::SourceDeclaration& source : project->sources) {
    for (const std::string& note : source.source->Notes()) {
      std::cerr << "sluice: note: " << note << '\n';
    }
  }
  return kExitOk;
}

int RunPlan(const ProjectFlags& flags) {
  LoadedProject loaded = Load(flags, /*needs_lake=*/false);
  if (loaded.exit_code != kExitOk) return loaded.exit_code;
  std::cout << pipeline::DescribePlan(loaded.project, loaded.tasks);
  return kExitOk;
}

int RunRun(const ProjectFlags& flags, const GlobalFlags& global) {
  int64_t memory_limit = 0;
  if (!flags.memory_limit.empty()) {
    Result<int64_t> parsed = config::ParseByteSizeText(flags.memory_limit);
    if (!parsed.ok() || *parsed < (int64_t{16} << 20)) {
      std::cerr << "sluice: error: --memory-limit " << flags.memory_limit
                << ": expected a size of at least 16MiB, e.g. 512MiB or 2GB\n";
      return kExitUsage;
    }
    memory_limit = *parsed;
  }
  LoadedProject loaded = Load(flags, /*needs_lake=*/true);
  if (loaded.exit_code != kExitOk) return loaded.exit_code;
  if (memory_limit > 0) loaded.project.memory_limit = memory_limit;
  const pipeline::Project* project = &loaded.project;
  auto* tasks = &loaded.tasks;

  pipeline::RunReport report;
  report.project = project->name;
  report.project_file = project->file;
  report.started_at_ms = lake::CurrentTimeMs();
  report.run_id = pipeline::NewRunId(report.started_at_ms);
  report.selected = flags.select;
  if (!flags.quiet) {
    std::cerr << "sluice: run " << report.run_id << " of "
              << Redactor::Global().Redact(project->name) << " (" << tasks->size()
              << (tasks->size() == 1 ? " task" : " tasks") << ", lake " << project->lake << ")\n";
  }
  const bool interactive = !flags.no_progress && !flags.quiet && ::isatty(STDERR_FILENO) == 1;
  pipeline::ProgressDisplay display(std::cerr, interactive);
  pipeline::ExecutorOptions options;
  options.parallelism = project->parallelism;
  options.retries = project->retries;
  options.run_id = report.run_id;
  const int at_once =
      std::max(1, std::min<int>(project->parallelism, static_cast<int>(tasks->size())));
  options.threads_per_task = std::max(1, global.threads / at_once);
  options.memory_budget_per_task = project->memory_limit / at_once;
  options.listener = flags.quiet ? nullptr : &display;
  report.tasks = pipeline::RunTasks(*tasks, options);
  display.Stop();
  report.finished_at_ms = lake::CurrentTimeMs();
  Result<std::string> written = report.Write(project->runs_dir);
  if (!flags.quiet) {
    std::cout << '\n' << report.SummaryText();
    std::cout << "\nlake:   " << project->lake << '\n';
    if (written.ok()) std::cout << "report: " << *written << '\n';
  }
  if (flags.quiet) {
    for (const pipeline::TaskReport& task : report.tasks) {
      if (task.state != pipeline::TaskState::kFailed) continue;
      std::cerr << "sluice: error: " << task.name << ": "
                << Redactor::Global().Redact(task.error.message()) << '\n';
    }
  }
  if (!written.ok()) {
    std::cerr << "sluice: error: could not write the run report: " << written.status().message()
              << '\n';
    return std::max(report.ExitCode(), kExitRuntime);
  }
  return report.ExitCode();
}

void AddProjectArgument(CLI::App* command, ProjectFlags* flags) {
  command->add_option("PROJECT", flags->project,
                      "The project file, or the folder holding sluice.yml (default: .)");
}

}  // namespace

void RegisterProjectCommands(CLI::App* app, const GlobalFlags* global, int* exit_code) {
  auto flags = std::make_shared<ProjectFlags>();

  CLI::App* run = app->add_subcommand(
      "run",
      "Run the project's pipeline: ingest new file drops into bronze Delta tables, build the "
      "silver and gold tables from what is new, load the warehouse, build its SQL models and "
      "run their tests");
  AddProjectArgument(run, flags.get());
  run->add_option("--select", flags->select,
                  "Run only these tasks (task or source names, e.g. bronze.orders or orders)")
      ->delimiter(',');
  run->add_flag("--no-progress", flags->no_progress,
                "Plain log lines even on a terminal (no live progress)");
  run->add_flag("--quiet,-q", flags->quiet, "Print nothing but errors (the report is written)");
  run->add_option("--memory-limit", flags->memory_limit,
                  "Memory the running tasks may hold for rows between their stages, e.g. 512MiB "
                  "or 2GB; beyond it they spill to temporary files (default: memory_limit in the "
                  "project file, else a quarter of RAM between 256 MiB and 1 GiB)");
  run->add_flag("--full-refresh", flags->full_refresh,
                "Rebuild silver and gold tables from all of their upstream rows, and reload the "
                "warehouse tables whole");
  run->footer(
      "Every file is ingested exactly once, every upstream row reaches a silver or gold table\n"
      "once, and every lake version is loaded into the warehouse once: a rerun over the same\n"
      "drops changes nothing.\n"
      "The summary goes to stdout, progress to stderr; runs/<run_id>/report.json has the same\n"
      "facts for machines. Exit codes: 0 ok, 1 rejected records beyond a limit or a failed\n"
      "check or model test of severity fail, 2 project file error, 3 runtime error.");
  run->callback([flags, global, exit_code] { *exit_code = RunRun(*flags, *global); });

  CLI::App* validate = app->add_subcommand(
      "validate", "Check a project file without running it (every error with file:line:column)");
  AddProjectArgument(validate, flags.get());
  validate->callback([flags, exit_code] { *exit_code = RunValidate(*flags); });

  CLI::App* plan = app->add_subcommand(
      "plan", "Print the tasks a run would execute, in order, and what each reads and writes");
  AddProjectArgument(plan, flags.get());
  plan->add_option("--select", flags->select, "Only these tasks (task or source names)")
      ->delimiter(',');
  plan->callback([flags, exit_code] { *exit_code = RunPlan(*flags); });
}

}  // namespace sluice::cli

#include "sluice/pipeline/pipeline_builder.h"

#include <set>
#include <sstream>

#include "sluice/pipeline/bronze_task.h"
#include "sluice/pipeline/executor.h"
#include "sluice/pipeline/silver_task.h"

namespace sluice::pipeline {

Result<std::vector<std::unique_ptr<Task>>> BuildTasks(const Project& project,
                                                      const std::vector<std::string>& select,
                                                      int64_t now_ms, bool full_refresh) {
  std::vector<std::unique_ptr<Task>> all;
  std::vector<std::string> source_of;  // the source name of each task
  for (const SourceDeclaration& source : project.sources) {
    all.push_back(std::make_unique<BronzeTask>(project, source, now_ms));
    source_of.push_back(source.name);
  }
  std::set<std::string> producers;
  for (const auto& task : all) producers.insert(task->name());
  for (const silver::SilverTable& table : project.tables) producers.insert(table.name);
  for (const silver::SilverTable& table : project.tables) {
    std::vector<std::string> upstream;
    for (const std::string& read : table.Reads()) {
      if (producers.count(read) != 0) upstream.push_back(read);
    }
    all.push_back(
        std::make_unique<SilverTask>(project, table, std::move(upstream), full_refresh, now_ms));
    source_of.push_back("");
  }
  SLUICE_RETURN_NOT_OK(CheckGraph(all));
  if (select.empty()) return all;
  std::set<std::string> wanted;
  for (const std::string& name : select) {
    bool found = false;
    for (size_t i = 0; i < all.size(); ++i) {
      if (all[i]->name() == name || source_of[i] == name) {
        wanted.insert(all[i]->name());
        found = true;
      }
    }
    if (!found) {
      std::string names;
      for (const auto& task : all) names += (names.empty() ? "" : ", ") + task->name();
      return Status::InvalidArgument("--select: no task or source is named '" + name +
                                     "'; the tasks are " + names);
    }
  }
  std::vector<std::unique_ptr<Task>> selected;
  for (auto& task : all) {
    if (wanted.count(task->name()) != 0) selected.push_back(std::move(task));
  }
  // A selected task whose upstream task was not selected runs on the upstream's last output:
  // drop those edges (later task kinds honour this through their own inputs).
  SLUICE_RETURN_NOT_OK(CheckGraph(selected));
  return selected;
}

std::string DescribePlan(const Project& project, const std::vector<std::unique_ptr<Task>>& tasks) {
  std::ostringstream out;
  out << "project " << project.name << " (" << project.file << ")\n";
  out << "lake    " << project.lake << "\n";
  out << tasks.size() << (tasks.size() == 1 ? " task" : " tasks") << ", up to "
      << project.parallelism << " at once, " << project.retries.attempts
      << (project.retries.attempts == 1 ? " try" : " tries") << " each\n";
  int step = 0;
  for (const Task* task : TopologicalOrder(tasks)) {
    out << '\n' << ++step << ". " << task->name() << " (" << task->kind() << ")";
    const std::vector<std::string> upstream = task->upstream();
    if (!upstream.empty()) {
      out << " after ";
      for (size_t i = 0; i < upstream.size(); ++i) out << (i ? ", " : "") << upstream[i];
    }
    out << '\n';
    for (const std::string& read : task->reads()) out << "   reads  " << read << '\n';
    for (const std::string& write : task->writes()) out << "   writes " << write << '\n';
  }
  return out.str();
}

}  // namespace sluice::pipeline

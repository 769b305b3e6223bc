#include "sluice/pipeline/pipeline_builder.h"

#include <algorithm>
#include <map>
#include <set>
#include <sstream>

#include "sluice/pipeline/bronze_tables_task.h"
#include "sluice/pipeline/bronze_task.h"
#include "sluice/pipeline/executor.h"
#include "sluice/pipeline/gold_task.h"
#include "sluice/pipeline/load_task.h"
#include "sluice/pipeline/silver_task.h"

namespace sluice::pipeline {

namespace {

// Every task of the project; `wanted` (null: all) limits which are made, and a silver task's
// upstream edges to tasks not made are dropped: it runs on their last output.
std::vector<std::unique_ptr<Task>> MakeTasks(const Project& project,
                                             const std::set<std::string>* wanted, int64_t now_ms,
                                             bool full_refresh) {
  auto made = [&](const std::string& name) { return wanted == nullptr || wanted->count(name); };
  std::vector<std::unique_ptr<Task>> tasks;
  std::set<std::string> producers;
  for (const SourceDeclaration& source : project.sources) {
    producers.insert(source.table);
    if (!made(source.table)) continue;
    if (source.source->many()) {
      tasks.push_back(std::make_unique<BronzeTablesTask>(project, source, now_ms));
    } else {
      tasks.push_back(std::make_unique<BronzeTask>(project, source, now_ms));
    }
  }
  for (const silver::SilverTable& table : project.tables) producers.insert(table.name);
  for (const gold::GoldModel& model : project.gold) producers.insert(model.name);
  // The task writing a table: the table's own, or a source of many tables covering it.
  auto producer_of = [&](const std::string& table) -> std::string {
    if (producers.count(table) != 0) return table;
    for (const SourceDeclaration& source : project.sources) {
      if (source.source->many() && source.source->Covers(table)) return source.table;
    }
    return "";
  };
  for (const silver::SilverTable& table : project.tables) {
    if (!made(table.name)) continue;
    std::vector<std::string> upstream;
    for (const std::string& read : table.Reads()) {
      const std::string producer = producer_of(read);
      if (!producer.empty() && made(producer) &&
          std::find(upstream.begin(), upstream.end(), producer) == upstream.end()) {
        upstream.push_back(producer);
      }
    }
    tasks.push_back(
        std::make_unique<SilverTask>(project, table, std::move(upstream), full_refresh, now_ms));
  }
  for (const gold::GoldModel& model : project.gold) {
    if (!made(model.name)) continue;
    std::vector<std::string> upstream;
    for (const std::string& read : model.Reads()) {
      const std::string producer = producer_of(read);
      if (!producer.empty() && made(producer) &&
          std::find(upstream.begin(), upstream.end(), producer) == upstream.end()) {
        upstream.push_back(producer);
      }
    }
    tasks.push_back(
        std::make_unique<GoldTask>(project, model, std::move(upstream), full_refresh, now_ms));
  }
  if (!project.warehouse) return tasks;
  // Loads after the tables they read (and after their dimensions' loads), then the models.
  std::vector<std::string> loads;
  std::map<std::string, std::string> load_of;  // lake table → load task
  for (const LoadDeclaration& load : project.warehouse->loads) {
    load_of[load.table] = LoadTaskName(load);
  }
  for (const LoadDeclaration& load : project.warehouse->loads) {
    const std::string name = LoadTaskName(load);
    if (!made(name)) continue;
    loads.push_back(name);
    std::vector<std::string> upstream;
    const std::string producer = producer_of(load.table);
    if (!producer.empty() && made(producer)) upstream.push_back(producer);
    for (const std::string& dimension : load.after) {
      auto it = load_of.find(dimension);
      if (it != load_of.end() && made(it->second)) upstream.push_back(it->second);
    }
    tasks.push_back(
        std::make_unique<LoadTask>(project, load, std::move(upstream), full_refresh, now_ms));
  }
  if ((!project.warehouse->models.empty() || !project.warehouse->tests.empty()) &&
      made("warehouse.models")) {
    tasks.push_back(std::make_unique<ModelsTask>(project, std::move(loads), full_refresh));
  }
  return tasks;
}

}  // namespace

Result<std::vector<std::unique_ptr<Task>>> BuildTasks(const Project& project,
                                                      const std::vector<std::string>& select,
                                                      int64_t now_ms, bool full_refresh) {
  std::vector<std::unique_ptr<Task>> all = MakeTasks(project, nullptr, now_ms, full_refresh);
  SLUICE_RETURN_NOT_OK(CheckGraph(all));
  if (select.empty()) return all;
  std::set<std::string> wanted;
  for (const std::string& name : select) {
    bool found = false;
    for (const auto& task : all) {
      if (task->name() == name) {
        wanted.insert(name);
        found = true;
      }
    }
    for (const SourceDeclaration& source : project.sources) {
      if (source.name == name) {
        wanted.insert(source.table);
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
  std::vector<std::unique_ptr<Task>> selected = MakeTasks(project, &wanted, now_ms, full_refresh);
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

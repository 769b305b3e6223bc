#include "sluice/pipeline/project.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "sluice/config/redactor.h"
#include "sluice/connectors/source_registry.h"

namespace sluice::pipeline {

namespace {

bool IsIdentifier(std::string_view text) {
  if (text.empty() || text.size() > 128) return false;
  if (!(std::islower(static_cast<unsigned char>(text[0])) || text[0] == '_')) return false;
  for (char c : text) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '_')) {
      return false;
    }
  }
  return true;
}

// Keys of the design brief that later versions implement: a clear message instead of "unknown".
const char* NotYetSupported(std::string_view key) {
  if (key == "tables") return "silver and gold tables ('tables:')";
  if (key == "load") return "loading a warehouse ('load:')";
  if (key == "warehouse") return "a warehouse ('warehouse:')";
  if (key == "schedule") return "schedules ('schedule:')";
  return nullptr;
}

std::string Absolute(const std::string& dir, const std::string& path) {
  if (path.find("://") != std::string::npos) return path;
  std::filesystem::path p(path);
  if (p.is_absolute()) return p.lexically_normal().string();
  return (std::filesystem::path(dir) / p).lexically_normal().string();
}

}  // namespace

const config::ConfigSpec& RetrySpec() {
  using config::ValueType;
  static const config::ConfigSpec spec(
      "retries",
      "How often a failing task is tried again; only errors that may pass are retried (a service "
      "unavailable, a timeout, a concurrent commit, an I/O error)",
      {config::MakeKey("attempts", ValueType::kInt, "Tries in all (1 = no retry)", "2"),
       config::MakeKey("delay", ValueType::kDuration, "Wait before the second try", "5s"),
       config::MakeKey("backoff", ValueType::kNumber, "Each further wait is this many times longer",
                       "2"),
       config::MakeKey("max_delay", ValueType::kDuration, "The longest wait between tries", "5m")});
  return spec;
}

const config::ConfigSpec& ProjectSpec() {
  using config::ValueType;
  static const config::ConfigSpec spec = [] {
    std::vector<config::KeySpec> keys = {
        config::MakeKey("name", ValueType::kString, "The project's name (shown in reports)"),
        config::MakeKey("description", ValueType::kString, "What the project is for"),
        config::MakeKey("lake", ValueType::kString,
                        "The lake's root folder, relative to the project file (s3:// later)",
                        "./lake"),
        config::MakeKey(
            "runs", ValueType::kString,
            "Where run reports go (runs/<run_id>/report.json), relative to the project file",
            "./runs"),
        config::MakeKey("parallelism", ValueType::kInt,
                        "Tasks run at once (default: the number of cores, at most 8)", ""),
    };
    keys[0].required = true;
    keys[0].example = "retail";
    config::KeySpec retries =
        config::MakeKey("retries", ValueType::kObject, "Retries of failing tasks");
    retries.object = &RetrySpec();
    retries.example = "{attempts: 3, delay: 10s}";
    keys.push_back(retries);
    config::KeySpec sources = config::MakeKey(
        "sources", ValueType::kObjectMap,
        "The inputs, by name; each is ingested into its bronze table (see the source "
        "components)");
    sources.object = &connectors::FileSourceSpec();
    keys.push_back(sources);
    return config::ConfigSpec("project", "The project file (sluice.yml): one pipeline",
                              std::move(keys));
  }();
  return spec;
}

std::string Project::TablePath(const std::string& table) const {
  std::string relative = table;
  const size_t dot = relative.find('.');
  if (dot != std::string::npos) relative[dot] = '/';
  return io::JoinPath(lake, relative);
}

std::string Project::QuarantinePath(const std::string& name) const {
  return io::JoinPath(lake, "quarantine/" + name);
}

const std::vector<std::string>& ProjectFileNames() {
  static const std::vector<std::string> names = {"sluice.yml", "sluice.yaml"};
  return names;
}

Result<Project> LoadProject(const std::string& path, const config::YamlLoadOptions& options) {
  std::string file = path;
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    file.clear();
    for (const std::string& name : ProjectFileNames()) {
      const std::string candidate =
          (std::filesystem::path(path) / name).lexically_normal().string();
      if (std::filesystem::exists(candidate, error)) {
        file = candidate;
        break;
      }
    }
    if (file.empty()) {
      return Status::NotFound(path +
                              ": no project file here (looked for sluice.yml and "
                              "sluice.yaml); create one with `sluice init " +
                              path + "`");
    }
  } else if (!std::filesystem::exists(path, error)) {
    return Status::NotFound(path + ": no such project file or folder");
  }
  config::YamlLoadOptions load = options;
  auto user_callback = options.on_interpolated;
  load.on_interpolated = [user_callback](const std::string& name, const std::string& value) {
    if (config::LooksSecret(name)) config::Redactor::Global().Register(value);
    if (user_callback) user_callback(name, value);
  };
  SLUICE_ASSIGN_OR_RETURN(config::ConfigNode root, config::LoadYamlFile(file, load));
  if (!root.IsMap()) {
    return Status::InvalidArgument(root.mark().ToString() +
                                   ": a project file is a map of keys (name, lake, sources, ...), "
                                   "not " +
                                   std::string(root.KindName()));
  }
  config::ConfigErrors errors;
  // Keys a later version implements get their own message; the rest is validated by the spec.
  std::vector<config::ConfigNode::Entry> known;
  for (const config::ConfigNode::Entry& entry : root.entries()) {
    if (const char* feature = NotYetSupported(entry.key)) {
      errors.Add(entry.key_mark, std::string(feature) +
                                     " is not supported by this version of sluice yet; remove '" +
                                     entry.key + "' (see docs/project-file.md)");
      continue;
    }
    known.push_back(entry);
  }
  const config::ConfigNode checked = config::ConfigNode::Map(std::move(known), root.mark());
  ProjectSpec().Validate(checked, "the project", &errors);

  Project project;
  project.file = file;
  project.dir = std::filesystem::path(file).parent_path().lexically_normal().string();
  if (project.dir.empty()) project.dir = ".";
  const config::ConfigValues values(&checked, &ProjectSpec());
  project.name = values.String("name");
  project.description = values.String("description");
  project.lake = Absolute(project.dir, values.String("lake"));
  project.runs_dir = Absolute(project.dir, values.String("runs"));
  if (values.Has("parallelism")) {
    project.parallelism = static_cast<int>(values.Int("parallelism"));
    if (project.parallelism < 1 || project.parallelism > 256) {
      errors.Add(values.Mark("parallelism"), "'parallelism' must be between 1 and 256");
    }
  } else {
    project.parallelism = std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, 8);
  }
  if (const config::ConfigNode* retries = values.Node("retries"); retries && retries->IsMap()) {
    const config::ConfigValues retry(retries, &RetrySpec());
    project.retries.attempts = static_cast<int>(retry.Int("attempts"));
    project.retries.delay_ms = retry.DurationMs("delay");
    project.retries.backoff = retry.Number("backoff");
    project.retries.max_delay_ms = retry.DurationMs("max_delay");
    if (project.retries.attempts < 1 || project.retries.attempts > 100) {
      errors.Add(retry.Mark("attempts"), "'attempts' in retries must be between 1 and 100");
    }
    if (project.retries.backoff < 1 || project.retries.backoff > 100) {
      errors.Add(retry.Mark("backoff"), "'backoff' in retries must be between 1 and 100");
    }
  } else {
    const config::ConfigValues retry(nullptr, &RetrySpec());
    project.retries.attempts = static_cast<int>(retry.Int("attempts"));
    project.retries.delay_ms = retry.DurationMs("delay");
    project.retries.backoff = retry.Number("backoff");
    project.retries.max_delay_ms = retry.DurationMs("max_delay");
  }

  std::map<std::string, std::string> table_owner;
  if (const config::ConfigNode* sources = values.Node("sources"); sources && sources->IsMap()) {
    for (const config::ConfigNode::Entry& entry : sources->entries()) {
      if (!IsIdentifier(entry.key)) {
        errors.Add(entry.key_mark, "source name '" + entry.key +
                                       "' must be lower-case letters, digits and _ (it names "
                                       "tables and folders)");
        continue;
      }
      if (!entry.value.IsMap()) continue;  // reported by the spec
      const config::ConfigValues source_values(&entry.value, &connectors::FileSourceSpec());
      SourceDeclaration declaration;
      declaration.name = entry.key;
      declaration.mark = entry.key_mark;
      declaration.type = source_values.String("type");
      if (connectors::FindSourceComponent(declaration.type) == nullptr) continue;  // reported
      declaration.table =
          source_values.Has("table") ? source_values.String("table") : "bronze." + entry.key;
      const size_t dot = declaration.table.find('.');
      if (dot == std::string::npos || declaration.table.substr(0, dot) != "bronze" ||
          !IsIdentifier(declaration.table.substr(dot + 1))) {
        errors.Add(source_values.Mark("table"),
                   "'table' of source '" + entry.key + "' must name a bronze table, e.g. bronze." +
                       entry.key + ", not '" + declaration.table + "'");
        continue;
      }
      auto [owner, inserted] = table_owner.emplace(declaration.table, entry.key);
      if (!inserted) {
        errors.Add(source_values.Mark("table"),
                   "sources '" + owner->second + "' and '" + entry.key + "' both write " +
                       declaration.table + "; give each source its own table");
        continue;
      }
      if (!source_values.Has("path")) continue;  // reported by the spec
      if (connectors::FileSourceOptionsFromConfig(entry.key, entry.value, project.dir,
                                                  &declaration.file, &errors)) {
        project.sources.push_back(std::move(declaration));
      }
    }
  }
  if (project.sources.empty() && errors.empty()) {
    errors.Add(root.mark(),
               "the project declares no sources; add one under 'sources:' (see "
               "`sluice init` for an example)");
  }
  SLUICE_RETURN_NOT_OK(errors.ToStatus());
  return project;
}

}  // namespace sluice::pipeline

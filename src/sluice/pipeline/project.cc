#include "sluice/pipeline/project.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include <unistd.h>

#include "sluice/common/redactor.h"
#include "sluice/connectors/source_registry.h"
#include "sluice/io/file_system.h"

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
  if (key == "schedule") return "schedules ('schedule:')";
  return nullptr;
}

// `warehouse: sqlite:PATH` or `warehouse: postgresql://[user@]host[:port]/database[?sslmode=M]`
// as the map it stands for. A password in the URI is refused (it belongs in the environment).
std::optional<config::ConfigNode> ExpandWarehouseUri(const config::ConfigNode& value,
                                                     config::ConfigErrors* errors) {
  const std::string text = value.text();
  const config::SourceMark mark = value.mark();
  std::vector<config::ConfigNode::Entry> entries;
  auto add = [&](const std::string& key, const std::string& v) {
    entries.push_back({key, mark, config::ConfigNode::Scalar(v, mark)});
  };
  const std::string usage =
      "; write 'sqlite:./warehouse.db', 'postgresql://user@host:5432/database' or a map "
      "(docs/warehouse.md)";
  if (text.rfind("sqlite:", 0) == 0) {
    std::string path = text.substr(7);
    if (path.rfind("//", 0) == 0) path = path.substr(2);
    if (path.empty()) {
      errors->Add(mark, "'warehouse' names no SQLite file" + usage);
      return std::nullopt;
    }
    add("type", "sqlite");
    add("path", path);
  } else if (text.rfind("postgresql://", 0) == 0 || text.rfind("postgres://", 0) == 0) {
    std::string rest = text.substr(text.find("://") + 3);
    std::string query;
    if (const size_t q = rest.find('?'); q != std::string::npos) {
      query = rest.substr(q + 1);
      rest = rest.substr(0, q);
    }
    if (const size_t at = rest.rfind('@'); at != std::string::npos) {
      const std::string user = rest.substr(0, at);
      if (user.find(':') != std::string::npos) {
        errors->Add(mark,
                    "'warehouse' holds a password; keep it out of the project file: "
                    "add 'password: ${WAREHOUSE_PASSWORD}' in the map form, or use "
                    "PGPASSWORD or ~/.pgpass");
        return std::nullopt;
      }
      add("user", user);
      rest = rest.substr(at + 1);
    }
    const size_t slash = rest.find('/');
    if (slash == std::string::npos || slash + 1 >= rest.size()) {
      errors->Add(mark, "'warehouse' names no database" + usage);
      return std::nullopt;
    }
    add("database", rest.substr(slash + 1));
    std::string host = rest.substr(0, slash);
    if (const size_t colon = host.rfind(':'); colon != std::string::npos) {
      add("port", host.substr(colon + 1));
      host = host.substr(0, colon);
    }
    add("type", "postgres");
    if (!host.empty()) add("host", host);
    size_t at = 0;
    while (at < query.size()) {
      size_t end = query.find('&', at);
      if (end == std::string::npos) end = query.size();
      const std::string pair = query.substr(at, end - at);
      const size_t eq = pair.find('=');
      const std::string key = pair.substr(0, eq);
      if (eq == std::string::npos ||
          (key != "sslmode" && key != "sslrootcert" && key != "schema")) {
        errors->Add(mark, "'warehouse': unknown URI parameter '" + key +
                              "' (sslmode, sslrootcert and schema are known)");
        return std::nullopt;
      }
      add(key, pair.substr(eq + 1));
      at = end + 1;
    }
  } else {
    errors->Add(mark, "'warehouse' must be a map or a URI, not '" + text + "'" + usage);
    return std::nullopt;
  }
  return config::ConfigNode::Map(std::move(entries), mark);
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

const config::ConfigSpec& S3SettingsSpec() {
  using config::ValueType;
  static const config::ConfigSpec spec = [] {
    std::vector<config::KeySpec> keys;
    keys.push_back(config::MakeKey(
        "endpoint", ValueType::kString,
        "The S3-compatible endpoint (MinIO, Ceph, R2, ...). Default: AWS_ENDPOINT_URL_S3, "
        "AWS_ENDPOINT_URL, the profile's endpoint_url, else AWS S3 in the region",
        "", {}, "http://127.0.0.1:9000"));
    keys.push_back(config::MakeKey(
        "region", ValueType::kString,
        "The signing region. Default: AWS_REGION, AWS_DEFAULT_REGION, the profile's region, "
        "else us-east-1",
        "", {}, "eu-west-1"));
    keys.push_back(config::MakeKey(
        "url_style", ValueType::kEnum,
        "path: http://host/bucket/key; virtual: http://bucket.host/key; auto: path for a custom "
        "endpoint, virtual for AWS",
        "auto", {"auto", "path", "virtual"}));
    keys.push_back(config::MakeKey(
        "profile", ValueType::kString,
        "A profile of ~/.aws/credentials and ~/.aws/config to take keys from (default: the "
        "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY variables, then AWS_PROFILE or 'default'). "
        "Keys themselves never go in the project file",
        "", {}, "lake-writer"));
    keys.push_back(config::MakeKey(
        "request_timeout", ValueType::kDuration,
        "An attempt that moves no byte for this long has failed and is retried", "30s"));
    keys.push_back(config::MakeKey("connect_timeout", ValueType::kDuration,
                                   "Connecting must finish within this", "10s"));
    keys.push_back(config::MakeKey(
        "max_attempts", ValueType::kInt,
        "Tries per request on 5xx, throttling, timeouts and resets (exponential backoff with "
        "jitter; Retry-After honoured)",
        "8"));
    keys.push_back(config::MakeKey(
        "part_size", ValueType::kByteSize,
        "Objects larger than this are multipart uploads of parts this size (at least 5MiB)",
        "8MiB"));
    keys.push_back(config::MakeKey("upload_parallelism", ValueType::kInt,
                                   "Parts of one object uploaded at once", "4"));
    keys.push_back(config::MakeKey("verify_tls", ValueType::kBool,
                                   "Check the endpoint's TLS certificate", "true"));
    return config::ConfigSpec("s3",
                              "Where an s3:// lake lives: endpoint, region, URL style and the "
                              "profile to sign with (credentials come from the environment)",
                              std::move(keys));
  }();
  return spec;
}

const config::ConfigSpec& ProjectSpec() {
  using config::ValueType;
  static const config::ConfigSpec spec = [] {
    std::vector<config::KeySpec> keys = {
        config::MakeKey("name", ValueType::kString, "The project's name (shown in reports)"),
        config::MakeKey("description", ValueType::kString, "What the project is for"),
        config::MakeKey("lake", ValueType::kString,
                        "The lake's root: a folder relative to the project file, or "
                        "s3://bucket/prefix (see `s3`)",
                        "./lake"),
        config::MakeKey(
            "runs", ValueType::kString,
            "Where run reports go (runs/<run_id>/report.json), relative to the project file",
            "./runs"),
        config::MakeKey("parallelism", ValueType::kInt,
                        "Tasks run at once (default: the number of cores, at most 8)", ""),
        config::MakeKey("memory_limit", ValueType::kByteSize,
                        "Memory the running tasks may hold for rows between their stages; "
                        "beyond it they spill to temporary files in $SLUICE_SPILL_DIR, else "
                        "$TMPDIR, else /var/tmp (default: a quarter of RAM, 256 MiB to 1 GiB; "
                        "--memory-limit overrides)",
                        ""),
    };
    keys[0].required = true;
    keys[0].example = "retail";
    config::KeySpec retries =
        config::MakeKey("retries", ValueType::kObject, "Retries of failing tasks");
    retries.object = &RetrySpec();
    retries.example = "{attempts: 3, delay: 10s}";
    keys.push_back(retries);
    config::KeySpec s3 = config::MakeKey(
        "s3", ValueType::kObject, "Object-store settings for an s3:// lake (see the s3 component)");
    s3.object = &S3SettingsSpec();
    s3.example = "{endpoint: http://127.0.0.1:9000, region: us-east-1}";
    keys.push_back(s3);
    config::KeySpec sources = config::MakeKey(
        "sources", ValueType::kObjectMap,
        "The inputs, by name; each is ingested into its bronze table (see the source "
        "components)");
    sources.example = "{orders: {path: drops/orders/*.csv}}";
    keys.push_back(sources);
    // Each entry is validated by its kind's spec (silver, dimension, date_dimension, fact,
    // aggregate): see LoadProject.
    config::KeySpec tables = config::MakeKey(
        "tables", ValueType::kObjectMap,
        "Silver and gold tables by name (silver.<name>, gold.<name>), each built from lake tables "
        "(see the table components, docs/silver.md and docs/gold.md)");
    keys.push_back(tables);
    config::KeySpec warehouse = config::MakeKey(
        "warehouse", ValueType::kObject,
        "The warehouse gold tables are loaded into: a map (see the warehouse component and "
        "docs/warehouse.md) or a URI, sqlite:./warehouse.db or postgresql://user@host:5432/db; "
        "with 'load:' and no 'warehouse:', SQLite at ./warehouse.db");
    warehouse.object = &WarehouseSpec();
    warehouse.example = "{type: sqlite, path: ./warehouse.db}";
    keys.push_back(warehouse);
    config::KeySpec load = config::MakeKey(
        "load", ValueType::kObjectMap,
        "Lake tables loaded into the warehouse, by name or pattern (gold.*), each with the keys "
        "of the load component; default with 'warehouse:': every gold table");
    load.example = "{gold.*: {}, gold.daily_sales: {mode: replace}}";
    keys.push_back(load);
    return config::ConfigSpec("project", "The project file (sluice.yml): one pipeline",
                              std::move(keys));
  }();
  return spec;
}

const gold::GoldModel* Project::FindGold(const std::string& table) const {
  for (const gold::GoldModel& model : gold) {
    if (model.name == table) return &model;
  }
  return nullptr;
}

int64_t DefaultMemoryLimit() {
  const long pages = ::sysconf(_SC_PHYS_PAGES);
  const long page_size = ::sysconf(_SC_PAGESIZE);
  const int64_t ram = pages > 0 && page_size > 0 ? int64_t{pages} * page_size : int64_t{4} << 30;
  return std::clamp<int64_t>(ram / 4, int64_t{256} << 20, int64_t{1} << 30);
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

std::string Project::QualityPath(const std::string& table) const {
  return io::JoinPath(lake, "quality/" + table);
}

std::string ProjectPath(const std::string& dir, const std::string& path) {
  if (path.find("://") != std::string::npos) return path;
  std::filesystem::path p(path);
  if (p.is_absolute()) return p.lexically_normal().string();
  return (std::filesystem::path(dir) / p).lexically_normal().string();
}

const std::vector<std::string>& ProjectFileNames() {
  static const std::vector<std::string> names = {"sluice.yml", "sluice.yaml"};
  return names;
}

namespace {

// The project file at `path`: the file itself, or sluice.yml / sluice.yaml in the folder.
Result<std::string> FindProjectFile(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_directory(path, error)) {
    if (!std::filesystem::exists(path, error)) {
      return Status::NotFound(path + ": no such project file or folder");
    }
    return path;
  }
  for (const std::string& name : ProjectFileNames()) {
    const std::string candidate = (std::filesystem::path(path) / name).lexically_normal().string();
    if (std::filesystem::exists(candidate, error)) return candidate;
  }
  return Status::NotFound(path +
                          ": no project file here (looked for sluice.yml and "
                          "sluice.yaml); create one with `sluice init " +
                          path + "`");
}

// The file's YAML, with every interpolated secret registered with the redactor.
Result<config::ConfigNode> ReadProjectFile(const std::string& file,
                                           const config::YamlLoadOptions& options) {
  config::YamlLoadOptions load = options;
  auto user_callback = options.on_interpolated;
  load.on_interpolated = [user_callback](const std::string& name, const std::string& value) {
    if (config::LooksSecret(name)) Redactor::Global().Register(value);
    if (user_callback) user_callback(name, value);
  };
  SLUICE_ASSIGN_OR_RETURN(config::ConfigNode root, config::LoadYamlFile(file, load));
  if (!root.IsMap()) {
    return Status::InvalidArgument(root.mark().ToString() +
                                   ": a project file is a map of keys (name, lake, sources, ...), "
                                   "not " +
                                   std::string(root.KindName()));
  }
  return root;
}

// The top level validated against the spec: keys a later version implements get their own
// message, and the short form of 'warehouse' is expanded.
config::ConfigNode CheckTopLevel(const config::ConfigNode& root, config::ConfigErrors* errors) {
  std::vector<config::ConfigNode::Entry> known;
  for (const config::ConfigNode::Entry& entry : root.entries()) {
    if (const char* feature = NotYetSupported(entry.key)) {
      errors->Add(entry.key_mark, std::string(feature) +
                                      " is not supported by this version of sluice yet; remove '" +
                                      entry.key + "' (see docs/project-file.md)");
      continue;
    }
    if (entry.key == "warehouse" && entry.value.IsScalar()) {
      // The short form: "sqlite:./warehouse.db" or "postgresql://user@host:5432/db".
      std::optional<config::ConfigNode> expanded = ExpandWarehouseUri(entry.value, errors);
      if (!expanded) continue;
      known.push_back({entry.key, entry.key_mark, std::move(*expanded)});
      continue;
    }
    known.push_back(entry);
  }
  config::ConfigNode checked = config::ConfigNode::Map(std::move(known), root.mark());
  ProjectSpec().Validate(checked, "the project", errors);
  return checked;
}

// name, description, lake, runs, parallelism, memory_limit and retries.
void ReadSettings(const config::ConfigValues& values, Project* project,
                  config::ConfigErrors* errors) {
  project->name = values.String("name");
  project->description = values.String("description");
  project->lake = ProjectPath(project->dir, values.String("lake"));
  project->runs_dir = ProjectPath(project->dir, values.String("runs"));
  const std::string scheme = io::UriScheme(project->lake);
  if (scheme != "" && scheme != "file" && scheme != "s3") {
    errors->Add(values.Mark("lake"), "'lake' must be a folder or an s3://bucket/prefix URI, not '" +
                                         project->lake + "'");
  }
  if (values.Has("parallelism")) {
    project->parallelism = static_cast<int>(values.Int("parallelism"));
    if (project->parallelism < 1 || project->parallelism > 256) {
      errors->Add(values.Mark("parallelism"), "'parallelism' must be between 1 and 256");
    }
  } else {
    project->parallelism = std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 1, 8);
  }
  project->memory_limit = values.Has("memory_limit") ? values.Bytes("memory_limit") : 0;
  if (values.Has("memory_limit") && project->memory_limit < (int64_t{16} << 20)) {
    errors->Add(values.Mark("memory_limit"), "'memory_limit' must be at least 16MiB");
  }
  if (project->memory_limit == 0) project->memory_limit = DefaultMemoryLimit();
  const config::ConfigNode* retries = values.Node("retries");
  const config::ConfigValues retry(retries != nullptr && retries->IsMap() ? retries : nullptr,
                                   &RetrySpec());
  project->retries.attempts = static_cast<int>(retry.Int("attempts"));
  project->retries.delay_ms = retry.DurationMs("delay");
  project->retries.backoff = retry.Number("backoff");
  project->retries.max_delay_ms = retry.DurationMs("max_delay");
  if (project->retries.attempts < 1 || project->retries.attempts > 100) {
    errors->Add(retry.Mark("attempts"), "'attempts' in retries must be between 1 and 100");
  }
  if (project->retries.backoff < 1 || project->retries.backoff > 100) {
    errors->Add(retry.Mark("backoff"), "'backoff' in retries must be between 1 and 100");
  }
}

// The s3 settings, each checked against its range.
void ReadS3Settings(const config::ConfigValues& values, Project* project,
                    config::ConfigErrors* errors) {
  const config::ConfigNode* node = values.Node("s3");
  const config::ConfigValues s3(node != nullptr && node->IsMap() ? node : nullptr,
                                &S3SettingsSpec());
  io::s3::S3Settings& settings = project->s3;
  settings.endpoint = s3.String("endpoint");
  settings.region = s3.String("region");
  settings.url_style = s3.String("url_style");
  settings.profile = s3.String("profile");
  settings.request_timeout_ms = s3.DurationMs("request_timeout");
  settings.connect_timeout_ms = s3.DurationMs("connect_timeout");
  settings.max_attempts = static_cast<int>(s3.Int("max_attempts"));
  settings.part_size = s3.Bytes("part_size");
  settings.upload_parallelism = static_cast<int>(s3.Int("upload_parallelism"));
  settings.verify_tls = s3.Bool("verify_tls");
  if (settings.max_attempts < 1 || settings.max_attempts > 100) {
    errors->Add(s3.Mark("max_attempts"), "'max_attempts' in s3 must be between 1 and 100");
  }
  if (settings.part_size < (5 << 20) || settings.part_size > (int64_t{5} << 30)) {
    errors->Add(s3.Mark("part_size"), "'part_size' in s3 must be between 5MiB and 5GiB");
  }
  if (settings.upload_parallelism < 1 || settings.upload_parallelism > 64) {
    errors->Add(s3.Mark("upload_parallelism"),
                "'upload_parallelism' in s3 must be between 1 and 64");
  }
  if (!settings.endpoint.empty()) {
    io::s3::S3Settings endpoint_only;
    endpoint_only.endpoint = settings.endpoint;
    Result<io::s3::S3Config> resolved =
        io::s3::ResolveS3Config(endpoint_only, [](const char*) -> const char* { return nullptr; });
    if (!resolved.ok()) errors->Add(s3.Mark("endpoint"), resolved.status().message());
  }
}

// The sources; returns each bronze table's source (the tables the sources write).
std::map<std::string, std::string> ReadSources(const config::ConfigValues& values, Project* project,
                                               config::ConfigErrors* errors) {
  std::map<std::string, std::string> table_owner;
  const config::ConfigNode* sources = values.Node("sources");
  if (sources == nullptr || !sources->IsMap()) return table_owner;
  for (const config::ConfigNode::Entry& entry : sources->entries()) {
    if (!IsIdentifier(entry.key)) {
      errors->Add(entry.key_mark, "source name '" + entry.key +
                                      "' must be lower-case letters, digits and _ (it names "
                                      "tables and folders)");
      continue;
    }
    if (!entry.value.IsMap()) {
      errors->Add(entry.value.mark(), "source '" + entry.key +
                                          "' must be a map of options, e.g. {path: drops/" +
                                          entry.key + "/*.csv}");
      continue;
    }
    // Each entry is checked against the spec of its component (`type`, default file).
    const config::ConfigNode* type_node = entry.value.Find("type");
    const std::string type =
        type_node != nullptr && type_node->IsScalar() ? type_node->text() : "file";
    const connectors::SourceComponent* component = connectors::FindSourceComponent(type);
    if (component == nullptr) {
      errors->Add(type_node != nullptr ? type_node->mark() : entry.key_mark,
                  "source '" + entry.key + "': unknown type '" + type + "'; expected one of " +
                      connectors::SourceComponentNames());
      continue;
    }
    const size_t errors_before = errors->errors().size();
    component->spec->Validate(entry.value, "source '" + entry.key + "'", errors);
    if (errors->errors().size() != errors_before) continue;
    const config::ConfigValues source_values(&entry.value, component->spec);
    SourceDeclaration declaration;
    declaration.name = entry.key;
    declaration.mark = entry.key_mark;
    declaration.type = type;
    if (source_values.Has("tables")) {
      // Many tables: their bronze tables are known when a run lists them (Source::Covers).
      std::unique_ptr<connectors::Source> many =
          component->make(entry.key, entry.value, project->dir, errors);
      if (many == nullptr) continue;
      declaration.table = ManyTablesTaskName(entry.key);
      declaration.source = std::move(many);
      project->sources.push_back(std::move(declaration));
      continue;
    }
    const std::string& table_key = component->bronze_table_key;
    declaration.table =
        source_values.Has(table_key) ? source_values.String(table_key) : "bronze." + entry.key;
    const size_t dot = declaration.table.find('.');
    if (dot == std::string::npos || declaration.table.substr(0, dot) != "bronze" ||
        !IsIdentifier(declaration.table.substr(dot + 1))) {
      errors->Add(source_values.Mark(table_key), "'" + table_key + "' of source '" + entry.key +
                                                     "' must name a bronze table, e.g. bronze." +
                                                     entry.key + ", not '" + declaration.table +
                                                     "'");
      continue;
    }
    auto [owner, inserted] = table_owner.emplace(declaration.table, entry.key);
    if (!inserted) {
      errors->Add(source_values.Mark(table_key),
                  "sources '" + owner->second + "' and '" + entry.key + "' both write " +
                      declaration.table + "; give each source its own table");
      continue;
    }
    std::unique_ptr<connectors::Source> source =
        component->make(entry.key, entry.value, project->dir, errors);
    if (source == nullptr) continue;
    declaration.source = std::move(source);
    project->sources.push_back(std::move(declaration));
  }
  return table_owner;
}

// Every table a table reads is written by a source or a table of the project.
class ReadsCheck {
 public:
  ReadsCheck(const std::map<std::string, std::string>& table_owner,
             const config::ConfigNode& tables, const std::vector<SourceDeclaration>& sources)
      : sources_(sources) {
    for (const auto& [table, owner] : table_owner) known_.push_back(table);
    for (const config::ConfigNode::Entry& entry : tables.entries()) known_.push_back(entry.key);
  }

  void Check(const std::string& table, const std::vector<std::string>& reads,
             const config::SourceMark& mark, config::ConfigErrors* errors) const {
    for (const std::string& read : reads) {
      if (std::find(known_.begin(), known_.end(), read) != known_.end()) continue;
      if (std::any_of(sources_.begin(), sources_.end(), [&](const SourceDeclaration& source) {
            return source.source->many() && source.source->Covers(read);
          })) {
        continue;
      }
      std::string message = "table '" + table + "' reads " + read +
                            ", which no source or table of the project writes";
      if (const std::string* near = config::ClosestName(read, known_)) {
        message += "; did you mean " + *near + "?";
      }
      errors->Add(mark, message);
    }
  }

 private:
  std::vector<std::string> known_;
  const std::vector<SourceDeclaration>& sources_;
};

// The silver and gold tables.
void ReadTables(const config::ConfigValues& values,
                const std::map<std::string, std::string>& table_owner, Project* project,
                config::ConfigErrors* errors) {
  const config::ConfigNode* tables = values.Node("tables");
  if (tables == nullptr || !tables->IsMap()) return;
  const ReadsCheck reads(table_owner, *tables, project->sources);
  for (const config::ConfigNode::Entry& entry : tables->entries()) {
    const size_t dot = entry.key.find('.');
    const std::string layer = dot == std::string::npos ? "" : entry.key.substr(0, dot);
    if ((layer != "silver" && layer != "gold") || !IsIdentifier(entry.key.substr(dot + 1))) {
      errors->Add(entry.key_mark, "table name '" + entry.key +
                                      "' must be silver.<name> or gold.<name> (lower-case "
                                      "letters, digits and _), e.g. silver.orders");
      continue;
    }
    if (!entry.value.IsMap()) continue;  // reported by the spec
    if (layer == "gold") {
      std::optional<gold::GoldModel> model =
          gold::ParseGoldModel(entry.key, entry.key_mark, entry.value, errors);
      if (!model) continue;
      const config::ConfigValues model_values(
          &entry.value, gold::GoldSpecForKind(gold::ModelKindName(model->kind)));
      reads.Check(entry.key, model->Reads(),
                  model->kind == gold::ModelKind::kFact ? model_values.Mark("dimensions")
                                                        : model_values.Mark("from"),
                  errors);
      project->gold.push_back(std::move(*model));
      continue;
    }
    const size_t before = errors->errors().size();
    silver::SilverTableSpec().Validate(entry.value, "table '" + entry.key + "'", errors);
    if (errors->errors().size() != before) continue;
    std::optional<silver::SilverTable> table =
        silver::ParseSilverTable(entry.key, entry.key_mark, entry.value, errors);
    if (!table) continue;
    const config::ConfigValues table_values(&entry.value, &silver::SilverTableSpec());
    reads.Check(entry.key, table->Reads(), table_values.Mark("from"), errors);
    project->tables.push_back(std::move(*table));
  }
}

// A fact's dimensions must be the project's gold dimensions, joined on as many columns as their
// keys have.
void CheckFactDimensions(const Project& project, config::ConfigErrors* errors) {
  for (const gold::GoldModel& model : project.gold) {
    if (model.kind != gold::ModelKind::kFact) continue;
    for (const gold::FactDimension& use : model.fact.dimensions) {
      const gold::GoldModel* dimension = project.FindGold(use.table);
      if (dimension == nullptr) continue;  // reported by ReadTables
      const std::string where = "table '" + model.name + "', dimension '" + use.name + "': ";
      if (dimension->kind != gold::ModelKind::kDimension &&
          dimension->kind != gold::ModelKind::kDateDimension) {
        errors->Add(use.mark, where + use.table + " is a " +
                                  std::string(gold::ModelKindName(dimension->kind)) +
                                  ", not a dimension");
      } else if (dimension->kind == gold::ModelKind::kDimension &&
                 use.on.size() != dimension->dimension.key.size()) {
        errors->Add(use.mark, where + "'on' has " + std::to_string(use.on.size()) +
                                  " columns but " + use.table + "'s key has " +
                                  std::to_string(dimension->dimension.key.size()));
      }
    }
  }
}

}  // namespace

Result<Project> LoadProject(const std::string& path, const config::YamlLoadOptions& options) {
  SLUICE_ASSIGN_OR_RETURN(const std::string file, FindProjectFile(path));
  SLUICE_ASSIGN_OR_RETURN(const config::ConfigNode root, ReadProjectFile(file, options));
  config::ConfigErrors errors;
  const config::ConfigNode checked = CheckTopLevel(root, &errors);
  const config::ConfigValues values(&checked, &ProjectSpec());
  Project project;
  project.file = file;
  project.dir = std::filesystem::path(file).parent_path().lexically_normal().string();
  if (project.dir.empty()) project.dir = ".";
  ReadSettings(values, &project, &errors);
  ReadS3Settings(values, &project, &errors);
  const std::map<std::string, std::string> table_owner = ReadSources(values, &project, &errors);
  ReadTables(values, table_owner, &project, &errors);
  CheckFactDimensions(project, &errors);
  project.warehouse =
      ParseWarehouse(values.Node("warehouse"), values.Node("load"), project, &errors);
  if (project.sources.empty() && errors.empty()) {
    errors.Add(root.mark(),
               "the project declares no sources; add one under 'sources:' (see "
               "`sluice init` for an example)");
  }
  SLUICE_RETURN_NOT_OK(errors.ToStatus());
  return project;
}

}  // namespace sluice::pipeline

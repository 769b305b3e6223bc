#include "sluice/pipeline/warehouse_config.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "sluice/pipeline/project.h"

namespace sluice::pipeline {
namespace {

using config::ConfigNode;
using config::MakeKey;
using config::ValueType;

std::string ShortName(const std::string& table) {
  const size_t dot = table.find('.');
  return dot == std::string::npos ? table : table.substr(dot + 1);
}

}  // namespace

const config::ConfigSpec& ModelTestSpec() {
  static const config::ConfigSpec spec(
      "test", "A test of a warehouse table or model, run as SQL after the load and the models",
      {[] {
         auto key = MakeKey("model", ValueType::kString, "The warehouse table or model", "", {},
                            "customer_revenue");
         key.required = true;
         return key;
       }(),
       [] {
         auto key = MakeKey("test", ValueType::kEnum, "What is tested", "",
                            {"not_null", "unique", "accepted_values", "relationships"});
         key.required = true;
         return key;
       }(),
       [] {
         auto key = MakeKey("column", ValueType::kString, "The tested column", "", {}, "segment");
         key.required = true;
         return key;
       }(),
       MakeKey("values", ValueType::kStringList, "accepted_values: the values allowed"),
       MakeKey("to", ValueType::kString,
               "relationships: the table.column every value must be found in", "", {},
               "dim_customer.customer_key"),
       MakeKey("severity", ValueType::kEnum, "fail: the run fails; warn: a note", "fail",
               {"warn", "fail"})});
  return spec;
}

const config::ConfigSpec& LoadEntrySpec() {
  static const config::ConfigSpec spec(
      "load",
      "How a lake table (or every table matching gold.* or silver.*) is loaded into the warehouse",
      {MakeKey("mode", ValueType::kEnum,
               "replace: a staging table swapped in; append: new rows added; merge: upsert by "
               "key; auto: merge for dimensions (surrogate key) and facts (grain), replace for "
               "the rest",
               "auto", {"auto", "replace", "append", "merge"}),
       MakeKey("key", ValueType::kStringList,
               "The primary key (and merge key); default: the surrogate key, the grain, the "
               "aggregate's group_by, or the silver table's dedupe key"),
       MakeKey("as", ValueType::kString,
               "The warehouse table's name (default: the lake table's name after the dot)", "", {},
               "fact_sales")});
  return spec;
}

const config::ConfigSpec& WarehouseSpec() {
  static const config::ConfigSpec spec = [] {
    std::vector<config::KeySpec> keys = {
        MakeKey("type", ValueType::kEnum, "The warehouse", "sqlite", {"sqlite", "postgres"}),
        MakeKey("path", ValueType::kString,
                "sqlite: the database file, relative to the project file", "./warehouse.db"),
        MakeKey("host", ValueType::kString, "postgres: the server", "127.0.0.1"),
        MakeKey("port", ValueType::kInt, "postgres: the port", "5432"),
        MakeKey("database", ValueType::kString, "postgres: the database", "", {}, "shop"),
        MakeKey("user", ValueType::kString, "postgres: the user", "", {}, "loader"),
        [] {
          auto key = MakeKey("password", ValueType::kString,
                             "postgres: the password, from the environment (default: libpq's "
                             "PGPASSWORD or ~/.pgpass)",
                             "", {}, "${WAREHOUSE_PASSWORD}");
          key.secret = true;
          return key;
        }(),
        MakeKey("sslmode", ValueType::kEnum, "postgres: TLS (libpq's sslmode)", "prefer",
                {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}),
        MakeKey("sslrootcert", ValueType::kString,
                "postgres: the CA certificate file for verify-ca and verify-full"),
        MakeKey("schema", ValueType::kString, "postgres: the schema tables go to", "public"),
        MakeKey("connect_timeout", ValueType::kDuration, "Connecting must finish within this",
                "10s"),
        MakeKey("models", ValueType::kString,
                "The folder of SQL models (*.sql with {{ ref('name') }}), relative to the "
                "project file",
                "./models"),
        MakeKey("foreign_keys", ValueType::kBool,
                "Declare foreign-key constraints from facts to their loaded dimensions (indexes "
                "on those columns are always made)",
                "false")};
    auto tests =
        MakeKey("tests", ValueType::kObjectMap, "Tests of warehouse tables and models, by name");
    tests.object = &ModelTestSpec();
    tests.example =
        "{revenue_segment_known: {model: revenue_by_segment, test: not_null, column: segment}}";
    keys.push_back(tests);
    return config::ConfigSpec("warehouse",
                              "Where gold (and silver) tables are loaded: SQLite (a file, the "
                              "default) or PostgreSQL; SQL models and tests run there",
                              std::move(keys));
  }();
  return spec;
}

namespace {

// A lake table chosen for loading: its entry under `load:` (nullptr: the defaults) and where.
struct ChosenTable {
  const ConfigNode* entry = nullptr;
  config::SourceMark mark;
};

// The connection settings of `warehouse:`.
void ReadConnection(const config::ConfigValues& values, const Project& project,
                    WarehouseDeclaration* declaration, config::ConfigErrors* errors) {
  warehouse::WarehouseSettings& settings = declaration->settings;
  settings.type = values.String("type");
  settings.path = ProjectPath(project.dir, values.String("path"));
  settings.host = values.String("host");
  settings.port = static_cast<int>(values.Int("port"));
  settings.database = values.String("database");
  settings.user = values.String("user");
  settings.password = values.String("password");
  settings.sslmode = values.String("sslmode");
  settings.sslrootcert = values.String("sslrootcert");
  settings.schema = values.String("schema");
  settings.connect_timeout_ms = values.DurationMs("connect_timeout");
  declaration->models_dir = ProjectPath(project.dir, values.String("models"));
  if (settings.type == "postgres" && settings.database.empty()) {
    errors->Add(values.Mark("type"), "a postgres warehouse needs 'database'");
  }
}

// Which lake tables are loaded: every gold table without `load:`, else the tables its entries
// name (a trailing ".*" matches a prefix).
std::map<std::string, ChosenTable> ChooseTables(const ConfigNode* load,
                                                const std::vector<std::string>& lake_tables,
                                                const Project& project,
                                                config::ConfigErrors* errors) {
  std::map<std::string, ChosenTable> chosen;
  if (load == nullptr || !load->IsMap()) {
    for (const gold::GoldModel& model : project.gold) chosen[model.name] = {nullptr, model.mark};
    return chosen;
  }
  for (const ConfigNode::Entry& entry : load->entries()) {
    if (!entry.value.IsNull() && !entry.value.IsMap()) continue;  // reported by the spec
    if (entry.value.IsMap()) {
      LoadEntrySpec().Validate(entry.value, "load of '" + entry.key + "'", errors);
    }
    const bool pattern = entry.key.size() > 2 && entry.key.substr(entry.key.size() - 2) == ".*";
    bool matched = false;
    for (const std::string& table : lake_tables) {
      if (pattern ? table.rfind(entry.key.substr(0, entry.key.size() - 1), 0) == 0
                  : table == entry.key) {
        chosen[table] = {entry.value.IsMap() ? &entry.value : nullptr, entry.key_mark};
        matched = true;
      }
    }
    if (!matched) {
      std::string message =
          "load: '" + entry.key + "' matches no silver or gold table of the project";
      if (const std::string* near = config::ClosestName(entry.key, lake_tables)) {
        message += "; did you mean " + *near + "?";
      }
      errors->Add(entry.key_mark, message);
    }
  }
  return chosen;
}

// A fact's dimension keys: indexed, loaded after their dimensions, and with `foreign_keys`
// declared as foreign keys.
void AddFactDimensions(const gold::GoldModel& fact, const Project& project,
                       const std::map<std::string, std::string>& target_of, bool foreign_keys,
                       LoadDeclaration* load) {
  size_t non_date_indexes = 0;
  for (const gold::FactDimension& use : fact.fact.dimensions) {
    const gold::GoldModel* dimension = project.FindGold(use.table);
    if (dimension == nullptr) continue;
    const std::string key = dimension->kind == gold::ModelKind::kDateDimension
                                ? "date_key"
                                : dimension->dimension.surrogate_key;
    const std::string column = !use.as.empty() ? use.as : key;
    // Calendar keys last: the first index orders a merge's rows (TableLoader::Commit), and a
    // day's rows share a few dates but reach members all over the other dimensions.
    if (dimension->kind == gold::ModelKind::kDateDimension) {
      load->indexes.push_back(column);
    } else {
      load->indexes.insert(load->indexes.begin() + static_cast<std::ptrdiff_t>(non_date_indexes++),
                           column);
    }
    auto dim_target = target_of.find(use.table);
    if (dim_target == target_of.end()) continue;
    load->after.push_back(use.table);
    if (foreign_keys) load->foreign_keys.push_back({column, dim_target->second, key});
  }
}

// The key and mode a table's kind implies (a dimension merges on its surrogate key, a fact on its
// grain, a deduplicated silver table on its key; the rest is replaced).
void KindDefaults(const std::string& table, const Project& project,
                  const std::map<std::string, std::string>& target_of, bool foreign_keys,
                  LoadDeclaration* load, std::string* natural_mode) {
  *natural_mode = "replace";
  const gold::GoldModel* model = project.FindGold(table);
  if (model == nullptr) {
    for (const silver::SilverTable& silver_table : project.tables) {
      if (silver_table.name != table) continue;
      load->key = silver_table.dedupe_key;
      if (!load->key.empty()) *natural_mode = "merge";
    }
    return;
  }
  switch (model->kind) {
    case gold::ModelKind::kDimension:
      load->key = {model->dimension.surrogate_key};
      *natural_mode = "merge";
      break;
    case gold::ModelKind::kDateDimension:
      load->key = {"date_key"};
      break;
    case gold::ModelKind::kFact:
      load->key = model->fact.grain;
      *natural_mode = "merge";
      AddFactDimensions(*model, project, target_of, foreign_keys, load);
      break;
    case gold::ModelKind::kAggregate:
      load->key = model->aggregate.group_by;
      break;
  }
}

// One load per chosen table, in project order.
void DeclareLoads(const std::vector<std::string>& lake_tables,
                  const std::map<std::string, ChosenTable>& chosen, const Project& project,
                  bool foreign_keys, WarehouseDeclaration* declaration,
                  config::ConfigErrors* errors) {
  std::map<std::string, std::string> target_of;  // lake table → warehouse table
  for (const auto& [table, choice] : chosen) {
    const config::ConfigValues entry_values(choice.entry, &LoadEntrySpec());
    target_of[table] = entry_values.Has("as") ? entry_values.String("as") : ShortName(table);
  }
  std::map<std::string, std::string> owner;
  for (const std::string& table : lake_tables) {
    auto it = chosen.find(table);
    if (it == chosen.end()) continue;
    const config::ConfigValues entry_values(it->second.entry, &LoadEntrySpec());
    LoadDeclaration load;
    load.table = table;
    load.target = target_of[table];
    load.mark = it->second.mark;
    auto [previous, inserted] = owner.emplace(load.target, table);
    if (!inserted) {
      errors->Add(load.mark, "load: " + previous->second + " and " + table +
                                 " would both be warehouse table '" + load.target +
                                 "'; give one another name with 'as'");
      continue;
    }
    std::string natural;
    KindDefaults(table, project, target_of, foreign_keys, &load, &natural);
    if (entry_values.Has("key")) load.key = entry_values.StringList("key");
    std::string mode = entry_values.String("mode");
    if (mode == "auto") mode = natural;
    load.mode = mode == "replace"  ? warehouse::LoadMode::kReplace
                : mode == "append" ? warehouse::LoadMode::kAppend
                                   : warehouse::LoadMode::kMerge;
    if (load.mode == warehouse::LoadMode::kMerge && load.key.empty()) {
      errors->Add(load.mark, "load of " + table +
                                 ": merge needs a key; add 'key: [column, ...]' or use "
                                 "mode: replace");
    }
    declaration->loads.push_back(std::move(load));
  }
}

// One `tests:` entry; `relations`: the loaded tables and models it may name.
warehouse::ModelTest ReadModelTest(const ConfigNode::Entry& entry,
                                   const std::vector<std::string>& relations,
                                   config::ConfigErrors* errors) {
  const config::ConfigValues test_values(&entry.value, &ModelTestSpec());
  warehouse::ModelTest test;
  test.name = entry.key;
  test.mark = entry.key_mark;
  test.model = test_values.String("model");
  test.column = test_values.String("column");
  test.fail = test_values.String("severity") == "fail";
  const std::string kind = test_values.String("test");
  const std::string where = "test '" + entry.key + "'";
  if (std::find(relations.begin(), relations.end(), test.model) == relations.end()) {
    std::string message = where + ": '" + test.model + "' is no loaded table or model";
    if (const std::string* near = config::ClosestName(test.model, relations)) {
      message += "; did you mean '" + *near + "'?";
    }
    errors->Add(test_values.Mark("model"), message);
  }
  if (kind == "not_null") {
    test.kind = warehouse::TestKind::kNotNull;
  } else if (kind == "unique") {
    test.kind = warehouse::TestKind::kUnique;
  } else if (kind == "accepted_values") {
    test.kind = warehouse::TestKind::kAcceptedValues;
    test.values = test_values.StringList("values");
    if (test.values.empty()) {
      errors->Add(test_values.Mark("values"), where + ": accepted_values needs 'values'");
    }
  } else {
    test.kind = warehouse::TestKind::kRelationships;
    const std::string to = test_values.String("to");
    const size_t dot = to.find('.');
    if (dot == std::string::npos) {
      errors->Add(test_values.Mark("to"), where + ": relationships needs 'to: table.column'");
    } else {
      test.to_model = to.substr(0, dot);
      test.to_column = to.substr(dot + 1);
    }
  }
  return test;
}

// The SQL models of `models_dir` in dependency order, then the tests.
void ReadModelsAndTests(const config::ConfigValues& values, WarehouseDeclaration* declaration,
                        config::ConfigErrors* errors) {
  Result<std::vector<warehouse::SqlModel>> models = warehouse::ReadModels(declaration->models_dir);
  std::vector<std::string> targets;
  for (const LoadDeclaration& l : declaration->loads) targets.push_back(l.target);
  if (models.ok()) models = warehouse::OrderModels(std::move(*models), targets);
  if (!models.ok()) {
    errors->Add({}, models.status().message());
  } else {
    declaration->models = std::move(*models);
  }
  std::vector<std::string> relations = targets;
  for (const warehouse::SqlModel& model : declaration->models) relations.push_back(model.name);
  const ConfigNode* tests = values.Node("tests");
  if (tests == nullptr || !tests->IsMap()) return;
  for (const ConfigNode::Entry& entry : tests->entries()) {
    if (!entry.value.IsMap()) continue;  // reported by the spec
    declaration->tests.push_back(ReadModelTest(entry, relations, errors));
  }
}

}  // namespace

std::optional<WarehouseDeclaration> ParseWarehouse(const ConfigNode* warehouse,
                                                   const ConfigNode* load, const Project& project,
                                                   config::ConfigErrors* errors) {
  if (warehouse == nullptr && load == nullptr) return std::nullopt;
  WarehouseDeclaration declaration;
  const config::ConfigValues values(
      warehouse != nullptr && warehouse->IsMap() ? warehouse : nullptr, &WarehouseSpec());
  ReadConnection(values, project, &declaration, errors);
  std::vector<std::string> lake_tables;
  for (const gold::GoldModel& model : project.gold) lake_tables.push_back(model.name);
  for (const silver::SilverTable& table : project.tables) lake_tables.push_back(table.name);
  const std::map<std::string, ChosenTable> chosen =
      ChooseTables(load, lake_tables, project, errors);
  DeclareLoads(lake_tables, chosen, project, values.Bool("foreign_keys"), &declaration, errors);
  ReadModelsAndTests(values, &declaration, errors);
  return declaration;
}

}  // namespace sluice::pipeline

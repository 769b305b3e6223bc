#include "sluice/warehouse/models.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "sluice/common/ascii.h"
#include "sluice/config/config_spec.h"
#include "sluice/warehouse/changes.h"

namespace sluice::warehouse {
namespace {

// "name('arg')" or "name(key='arg')" → (name, key, arg); false when it is not that shape.
bool ParseCall(const std::string& text, std::string* name, std::string* key, std::string* arg) {
  const size_t open = text.find('(');
  if (open == std::string::npos || text.back() != ')') return false;
  *name = std::string(TrimAsciiSpace(text.substr(0, open)));
  std::string inside = std::string(TrimAsciiSpace(text.substr(open + 1, text.size() - open - 2)));
  key->clear();
  const size_t equals = inside.find('=');
  if (equals != std::string::npos && inside.find_first_of("'\"") > equals) {
    *key = std::string(TrimAsciiSpace(inside.substr(0, equals)));
    inside = std::string(TrimAsciiSpace(inside.substr(equals + 1)));
  }
  if (inside.size() < 2 || (inside.front() != '\'' && inside.front() != '"') ||
      inside.back() != inside.front()) {
    return false;
  }
  *arg = inside.substr(1, inside.size() - 2);
  return true;
}

config::SourceMark MarkAt(const std::string& file, const std::string& text, size_t offset) {
  config::SourceMark mark;
  mark.file = file;
  mark.line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++mark.line;
      line_start = i + 1;
    }
  }
  mark.column = static_cast<int>(offset - line_start) + 1;
  return mark;
}

Status ModelError(const config::SourceMark& mark, const std::string& message) {
  return Status::InvalidArgument(config::ConfigError{mark, message}.ToString());
}

}  // namespace

std::string_view MaterializationName(Materialization materialization) {
  switch (materialization) {
    case Materialization::kView:
      return "view";
    case Materialization::kTable:
      return "table";
    case Materialization::kMaterializedView:
      return "materialized_view";
  }
  return "view";
}

std::string_view TestKindName(TestKind kind) {
  switch (kind) {
    case TestKind::kNotNull:
      return "not_null";
    case TestKind::kUnique:
      return "unique";
    case TestKind::kAcceptedValues:
      return "accepted_values";
    case TestKind::kRelationships:
      return "relationships";
  }
  return "not_null";
}

Result<std::vector<SqlModel>> ReadModels(const std::string& dir) {
  std::vector<SqlModel> models;
  std::error_code error;
  if (!std::filesystem::is_directory(dir, error)) return models;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir, error)) {
    if (entry.path().extension() == ".sql") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const std::filesystem::path& path : files) {
    std::ifstream in(path);
    std::stringstream buffer;
    buffer << in.rdbuf();
    if (!in && !in.eof()) return Status::IOError(path.string() + ": cannot read");
    SqlModel model;
    model.name = path.stem().string();
    model.file = path.string();
    model.text = buffer.str();
    size_t at = 0;
    while (true) {
      const size_t open = model.text.find("{{", at);
      if (open == std::string::npos) {
        model.sql += model.text.substr(at);
        break;
      }
      model.sql += model.text.substr(at, open - at);
      const size_t close = model.text.find("}}", open + 2);
      const config::SourceMark mark = MarkAt(model.file, model.text, open);
      if (close == std::string::npos) return ModelError(mark, "'{{' is never closed by '}}'");
      const std::string inside =
          std::string(TrimAsciiSpace(model.text.substr(open + 2, close - open - 2)));
      std::string name;
      std::string key;
      std::string arg;
      if (!ParseCall(inside, &name, &key, &arg)) {
        return ModelError(mark, "'{{ " + inside +
                                    " }}' is not understood; write {{ ref('table') }} or "
                                    "{{ config(materialized='view') }}");
      }
      if (name == "ref" && key.empty()) {
        model.refs.push_back({arg, mark});
        model.sql += Connection::Quote(arg);
      } else if (name == "config" && key == "materialized") {
        if (arg == "view") {
          model.materialized = Materialization::kView;
        } else if (arg == "table") {
          model.materialized = Materialization::kTable;
        } else if (arg == "materialized_view") {
          model.materialized = Materialization::kMaterializedView;
        } else {
          return ModelError(
              mark, "materialized must be view, table or materialized_view, not '" + arg + "'");
        }
      } else {
        return ModelError(mark, "'{{ " + inside +
                                    " }}' is not understood; write {{ ref('table') }} or "
                                    "{{ config(materialized='view') }}");
      }
      at = close + 2;
    }
    // A trailing semicolon would end the CREATE ... AS statement early.
    std::string sql = std::string(TrimAsciiSpace(model.sql));
    while (!sql.empty() && sql.back() == ';')
      sql = std::string(TrimAsciiSpace(sql.substr(0, sql.size() - 1)));
    if (sql.empty()) return ModelError(MarkAt(model.file, model.text, 0), "the model is empty");
    model.sql = sql;
    models.push_back(std::move(model));
  }
  return models;
}

Result<std::vector<SqlModel>> OrderModels(std::vector<SqlModel> models,
                                          const std::vector<std::string>& tables) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < models.size(); ++i) index[models[i].name] = i;
  std::vector<std::string> known = tables;
  for (const SqlModel& model : models) {
    if (std::find(tables.begin(), tables.end(), model.name) != tables.end()) {
      return ModelError(
          MarkAt(model.file, model.text, 0),
          "model '" + model.name + "' has the name of a loaded table; rename the file");
    }
    known.push_back(model.name);
  }
  for (const SqlModel& model : models) {
    for (const SqlModel::Ref& ref : model.refs) {
      if (std::find(known.begin(), known.end(), ref.name) != known.end()) continue;
      std::string message = "ref('" + ref.name + "') names no loaded table or model";
      if (const std::string* near = config::ClosestName(ref.name, known)) {
        message += "; did you mean '" + *near + "'?";
      }
      return ModelError(ref.mark, message);
    }
  }
  std::vector<SqlModel> ordered;
  std::vector<int> state(models.size(), 0);  // 0 new, 1 visiting, 2 done
  std::function<Status(size_t, std::vector<std::string>&)> visit =
      [&](size_t i, std::vector<std::string>& path) -> Status {
    if (state[i] == 2) return Status::OK();
    path.push_back(models[i].name);
    if (state[i] == 1) {
      std::string cycle;
      for (const std::string& name : path) cycle += (cycle.empty() ? "" : " → ") + name;
      return Status::InvalidArgument("the models ref each other in a cycle: " + cycle);
    }
    state[i] = 1;
    for (const SqlModel::Ref& ref : models[i].refs) {
      auto it = index.find(ref.name);
      if (it != index.end()) SLUICE_RETURN_NOT_OK(visit(it->second, path));
    }
    state[i] = 2;
    path.pop_back();
    ordered.push_back(models[i]);
    return Status::OK();
  };
  for (size_t i = 0; i < models.size(); ++i) {
    std::vector<std::string> path;
    SLUICE_RETURN_NOT_OK(visit(i, path));
  }
  return ordered;
}

std::string Fingerprint(std::string_view text) {
  uint64_t hash = 14695981039346656037ull;  // FNV-1a, 64 bits
  for (char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  char out[17];
  std::snprintf(out, sizeof(out), "%016llx", static_cast<unsigned long long>(hash));
  return out;
}

Result<ModelBuild> BuildModels(Connection* connection, const std::vector<SqlModel>& models) {
  ModelBuild build;
  if (models.empty()) return build;
  const std::string ledger = Connection::Quote(kModelsTable);
  // Its own statement, before the transaction (see TableLoader::Begin).
  Status created = connection->Execute(
      "CREATE TABLE IF NOT EXISTS " + ledger +
      " (name TEXT PRIMARY KEY, materialized TEXT NOT NULL, sql_hash TEXT NOT NULL, built_at " +
      connection->TypeFor(columnar::DataType::Timestamp()) + " NOT NULL)");
  if (!created.ok()) {
    SLUICE_ASSIGN_OR_RETURN(std::vector<ColumnInfo> columns,
                            connection->TableColumns(kModelsTable));
    if (columns.empty()) return created;
  }
  SLUICE_RETURN_NOT_OK(connection->BeginTransaction());
  auto fail = [&](Status status) -> Status {
    (void)connection->Execute("ROLLBACK");
    return status;
  };
  Result<QueryRows> recorded_rows =
      connection->Query("SELECT name, materialized, sql_hash FROM " + ledger);
  if (!recorded_rows.ok()) return fail(recorded_rows.status());
  std::map<std::string, std::string> recorded;  // name → materialized:hash
  for (const auto& row : *recorded_rows) {
    recorded[row[0].value_or("")] = row[1].value_or("") + ":" + row[2].value_or("");
  }
  // A materialized view whose SQL is unchanged, and whose models are kept too, is refreshed in
  // place (its grants and indexes stay); every other model is dropped and created again.
  std::set<std::string> names;
  for (const SqlModel& model : models) names.insert(model.name);
  std::set<std::string> kept;
  for (const SqlModel& model : models) {  // dependency order: a model's refs come before it
    if (!connection->HasMaterializedViews() ||
        model.materialized != Materialization::kMaterializedView) {
      continue;
    }
    auto it = recorded.find(model.name);
    if (it == recorded.end() || it->second != "materialized_view:" + Fingerprint(model.sql))
      continue;
    Result<bool> exists = connection->ViewExists(model.name);
    if (!exists.ok()) return fail(exists.status());
    bool refs_kept = *exists;
    for (const SqlModel::Ref& ref : model.refs) {
      refs_kept = refs_kept && (names.count(ref.name) == 0 || kept.count(ref.name) != 0);
    }
    if (refs_kept) kept.insert(model.name);
  }
  for (auto it = models.rbegin(); it != models.rend(); ++it) {
    if (kept.count(it->name) != 0) continue;
    Status status = connection->DropRelation(it->name);
    if (!status.ok()) return fail(status);
  }
  for (const SqlModel& model : models) {
    Status status =
        kept.count(model.name) != 0
            ? connection->Execute("REFRESH MATERIALIZED VIEW " + Connection::Quote(model.name))
            : connection->CreateModel(model.name, model.sql, model.materialized);
    if (!status.ok()) {
      return fail(Status::InvalidArgument("model " + model.file + ": " + status.message()));
    }
    (kept.count(model.name) != 0 ? build.refreshed : build.created).push_back(model.name);
    status = connection->Execute(
        "INSERT INTO " + ledger + " (name, materialized, sql_hash, built_at) VALUES (" +
        Connection::Literal(model.name) + ", " +
        Connection::Literal(std::string(MaterializationName(model.materialized))) + ", " +
        Connection::Literal(Fingerprint(model.sql)) +
        ", CURRENT_TIMESTAMP) ON CONFLICT (name) DO UPDATE SET materialized = "
        "excluded.materialized, sql_hash = excluded.sql_hash, built_at = excluded.built_at");
    if (!status.ok()) return fail(status);
  }
  SLUICE_RETURN_NOT_OK(connection->Execute("COMMIT"));
  return build;
}

std::string TestSql(const ModelTest& test) {
  const std::string table = Connection::Quote(test.model);
  const std::string column = Connection::Quote(test.column);
  switch (test.kind) {
    case TestKind::kNotNull:
      return "SELECT NULL FROM " + table + " WHERE " + column + " IS NULL";
    case TestKind::kUnique:
      return "SELECT " + column + " FROM " + table + " WHERE " + column + " IS NOT NULL GROUP BY " +
             column + " HAVING count(*) > 1";
    case TestKind::kAcceptedValues: {
      std::string list;
      for (const std::string& value : test.values) {
        list += (list.empty() ? "" : ", ") + Connection::Literal(value);
      }
      return "SELECT " + column + " FROM " + table + " WHERE " + column + " IS NOT NULL AND CAST(" +
             column + " AS TEXT) NOT IN (" + list + ")";
    }
    case TestKind::kRelationships:
      return "SELECT t." + column + " FROM " + table + " t WHERE t." + column +
             " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " + Connection::Quote(test.to_model) +
             " r WHERE r." + Connection::Quote(test.to_column) + " = t." + column + ")";
  }
  return "";
}

Result<std::vector<ModelTestResult>> RunModelTests(Connection* connection,
                                                   const std::vector<ModelTest>& tests,
                                                   const TestRunOptions& options) {
  SLUICE_ASSIGN_OR_RETURN(TestLedger ledger, TestLedger::Read(connection, options.tracked));
  std::vector<ModelTestResult> results;
  std::vector<const ModelTest*> run;
  std::vector<TestScope> scopes;
  std::vector<bool> passed;
  for (const ModelTest& test : tests) {
    ModelTestResult result;
    result.test = &test;
    SLUICE_ASSIGN_OR_RETURN(TestScope scope, ledger.ScopeOf(test, options.all_rows));
    result.sql = ledger.ScopedSql(test, scope);
    result.changed_after = scope.model_changed_after;
    Result<QueryRows> count = connection->Query("SELECT count(*) FROM (" + result.sql + ") f");
    if (!count.ok()) {
      return ModelError(test.mark, "test '" + test.name + "': " + count.status().message());
    }
    result.rows_failed = std::stoll((*count)[0][0].value_or("0"));
    if (result.rows_failed > 0) {
      SLUICE_ASSIGN_OR_RETURN(QueryRows sample, connection->Query(result.sql + " LIMIT 3"));
      for (const auto& row : sample) result.sample.push_back(row[0].value_or("NULL"));
    }
    run.push_back(&test);
    scopes.push_back(std::move(scope));
    passed.push_back(result.rows_failed == 0);
    results.push_back(std::move(result));
  }
  SLUICE_RETURN_NOT_OK(ledger.RecordPasses(run, scopes, passed));
  return results;
}

}  // namespace sluice::warehouse

#include "sluice/warehouse/changes.h"

#include <algorithm>
#include <functional>

#include "sluice/warehouse/loader.h"
#include "sluice/warehouse/models.h"

namespace sluice::warehouse {
namespace {

// Makes sure the table exists: a CREATE racing another process's may fail in PostgreSQL while
// the table is there (as in TableLoader::Begin).
Status EnsureTable(Connection* connection, const std::string& name, const std::string& columns) {
  Status created =
      connection->Execute("CREATE TABLE IF NOT EXISTS " + Connection::Quote(name) + columns);
  if (created.ok()) return created;
  SLUICE_ASSIGN_OR_RETURN(std::vector<ColumnInfo> existing, connection->TableColumns(name));
  return existing.empty() ? created : Status::OK();
}

Result<std::map<std::string, int64_t>> ReadEpochs(Connection* connection, const std::string& sql) {
  SLUICE_ASSIGN_OR_RETURN(QueryRows rows, connection->Query(sql));
  std::map<std::string, int64_t> out;
  for (const auto& row : rows) {
    if (row[0] && row[1]) out[*row[0]] = std::stoll(*row[1]);
  }
  return out;
}

// The rows of `table` changed after `after` that fail `failing` (a condition on the alias, "c"
// or "t"): the changes that failed when recorded (the companion keeps the values tests read),
// then the table's rows of those keys that still fail — a row changed again later, or deleted,
// counts as it is now. The companion is read whole; the table only at the failing keys.
//   "(SELECT DISTINCT k1 FROM t__sluice_changed c WHERE c.epoch > E AND <c fails>) ch
//    JOIN t t ON t.k1 = ch.k1 WHERE <t fails>"
std::string FailingChangedRows(const TrackedTable& table, int64_t after,
                               const std::function<std::string(const std::string&)>& failing) {
  std::string keys;
  std::string on;
  for (const std::string& k : table.key) {
    keys += (keys.empty() ? "c." : ", c.") + Connection::Quote(k);
    on += std::string(on.empty() ? "" : " AND ") + "t." + Connection::Quote(k) + " = ch." +
          Connection::Quote(k);
  }
  return "(SELECT DISTINCT " + keys + " FROM " + Connection::Quote(ChangedTableName(table.name)) +
         " c WHERE c.epoch > " + std::to_string(after) + " AND " + failing("c") + ") ch JOIN " +
         Connection::Quote(table.name) + " t ON " + on + " WHERE " + failing("t");
}

}  // namespace

Result<TestLedger> TestLedger::Read(Connection* connection, std::vector<TrackedTable> tracked) {
  TestLedger ledger;
  ledger.connection_ = connection;
  ledger.tracked_ = std::move(tracked);
  if (ledger.tracked_.empty()) return ledger;
  SLUICE_RETURN_NOT_OK(EnsureTable(connection, kTestsTable,
                                   " (name TEXT PRIMARY KEY, sql_hash TEXT NOT NULL, model_epoch "
                                   "BIGINT NOT NULL, to_epoch BIGINT NOT NULL)"));
  SLUICE_RETURN_NOT_OK(
      EnsureTable(connection, kChangesTable, " (target TEXT PRIMARY KEY, since BIGINT NOT NULL)"));
  SLUICE_ASSIGN_OR_RETURN(std::vector<ColumnInfo> ledger_columns,
                          connection->TableColumns(kLedgerTable));
  if (ledger_columns.empty()) return ledger;  // nothing loaded yet: every test reads every row
  SLUICE_ASSIGN_OR_RETURN(ledger.loaded_,
                          ReadEpochs(connection, "SELECT target, lake_version FROM " +
                                                     Connection::Quote(kLedgerTable)));
  SLUICE_ASSIGN_OR_RETURN(
      ledger.since_,
      ReadEpochs(connection, "SELECT target, since FROM " + Connection::Quote(kChangesTable)));
  SLUICE_ASSIGN_OR_RETURN(QueryRows states,
                          connection->Query("SELECT name, sql_hash, model_epoch, to_epoch FROM " +
                                            Connection::Quote(kTestsTable)));
  for (const auto& row : states) {
    if (!row[0] || !row[1] || !row[2] || !row[3]) continue;
    ledger.states_[*row[0]] = {*row[1], std::stoll(*row[2]), std::stoll(*row[3])};
  }
  return ledger;
}

const TrackedTable* TestLedger::Tracked(const std::string& name) const {
  for (const TrackedTable& table : tracked_) {
    if (table.name == name) return &table;
  }
  return nullptr;
}

Result<TestScope> TestLedger::ScopeOf(const ModelTest& test, bool all_rows) {
  TestScope scope;
  const TrackedTable* model = Tracked(test.model);
  const TrackedTable* to = test.kind == TestKind::kRelationships ? Tracked(test.to_model) : nullptr;
  std::string keys;
  for (const TrackedTable* table : {model, to}) {
    if (table == nullptr) continue;
    for (const std::string& k : table->key) keys += "," + k;
    keys += ";";
  }
  scope.fingerprint = Fingerprint(TestSql(test) + "|" + keys);
  auto epoch = [&](const TrackedTable* table, const std::map<std::string, int64_t>& of) {
    if (table == nullptr) return std::optional<int64_t>();
    auto it = of.find(table->name);
    return it == of.end() ? std::optional<int64_t>() : std::optional<int64_t>(it->second);
  };
  scope.model_epoch = epoch(model, loaded_).value_or(-1);
  scope.to_epoch = epoch(to, loaded_).value_or(-1);
  auto state = states_.find(test.name);
  const std::optional<int64_t> model_since = epoch(model, since_);
  if (all_rows || state == states_.end() || state->second.fingerprint != scope.fingerprint ||
      !model_since || state->second.model_epoch < *model_since) {
    return scope;
  }
  if (test.kind == TestKind::kRelationships) {
    const std::optional<int64_t> to_since = epoch(to, since_);
    if (!to_since || state->second.to_epoch < *to_since) return scope;
    if (to->key != std::vector<std::string>{test.to_column}) {
      // A parent row that changed may no longer carry the value a child points to: unless no
      // parent row changed since, every child is read.
      SLUICE_ASSIGN_OR_RETURN(
          QueryRows changed,
          connection_->Query("SELECT 1 FROM " + Connection::Quote(ChangedTableName(to->name)) +
                             " WHERE epoch > " + std::to_string(state->second.to_epoch) +
                             " LIMIT 1"));
      if (!changed.empty()) return scope;
    } else {
      scope.to_changed_after = state->second.to_epoch;
    }
  }
  scope.model_changed_after = state->second.model_epoch;
  return scope;
}

std::string TestLedger::ScopedSql(const ModelTest& test, const TestScope& scope) const {
  const TrackedTable* model = Tracked(test.model);
  if (!scope.model_changed_after || model == nullptr) return TestSql(test);
  const int64_t after = *scope.model_changed_after;
  const std::string quoted = Connection::Quote(test.column);
  auto column = [&](const std::string& alias) { return alias + "." + quoted; };
  switch (test.kind) {
    case TestKind::kNotNull:
      return "SELECT NULL FROM " + FailingChangedRows(*model, after, [&](const std::string& a) {
               return column(a) + " IS NULL";
             });
    case TestKind::kUnique:
      return "SELECT " + quoted + " FROM " + Connection::Quote(test.model) + " WHERE " + quoted +
             " IN (SELECT c." + quoted + " FROM " +
             Connection::Quote(ChangedTableName(model->name)) + " c WHERE c.epoch > " +
             std::to_string(after) + ") GROUP BY " + quoted + " HAVING count(*) > 1";
    case TestKind::kAcceptedValues: {
      std::string list;
      for (const std::string& value : test.values) {
        list += (list.empty() ? "" : ", ") + Connection::Literal(value);
      }
      return "SELECT t." + quoted + " FROM " +
             FailingChangedRows(*model, after, [&](const std::string& a) {
               return column(a) + " IS NOT NULL AND CAST(" + column(a) + " AS TEXT) NOT IN (" +
                      list + ")";
             });
    }
    case TestKind::kRelationships: {
      // The changed children, and (the parent's key being the column) the children of changed
      // parents; a child in both counts once (by its key).
      std::string keys;
      for (size_t i = 0; i < model->key.size(); ++i) {
        keys += ", t." + Connection::Quote(model->key[i]) + " AS _k" + std::to_string(i);
      }
      auto orphan = [&](const std::string& a) {
        return column(a) + " IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " +
               Connection::Quote(test.to_model) + " r WHERE r." +
               Connection::Quote(test.to_column) + " = " + column(a) + ")";
      };
      std::string sql = "SELECT t." + quoted + " AS failing" + keys + " FROM " +
                        FailingChangedRows(*model, after, orphan);
      if (scope.to_changed_after) {
        sql += " UNION SELECT t." + quoted + " AS failing" + keys + " FROM " +
               Connection::Quote(test.model) + " t WHERE t." + quoted + " IN (SELECT " +
               Connection::Quote(test.to_column) + " FROM " +
               Connection::Quote(ChangedTableName(test.to_model)) + " WHERE epoch > " +
               std::to_string(*scope.to_changed_after) + ") AND " + orphan("t");
      }
      return "SELECT failing FROM (" + sql + ") u";
    }
  }
  return TestSql(test);
}

Status TestLedger::RecordPasses(const std::vector<const ModelTest*>& tests,
                                const std::vector<TestScope>& scopes,
                                const std::vector<bool>& passed) {
  if (tracked_.empty()) return Status::OK();
  SLUICE_RETURN_NOT_OK(connection_->BeginTransaction());
  auto fail = [&](Status status) {
    (void)connection_->Execute("ROLLBACK");
    return status;
  };
  for (size_t i = 0; i < tests.size(); ++i) {
    if (!passed[i] || Tracked(tests[i]->model) == nullptr) continue;
    states_[tests[i]->name] = {scopes[i].fingerprint, scopes[i].model_epoch, scopes[i].to_epoch};
    Status status = connection_->Execute(
        "INSERT INTO " + Connection::Quote(kTestsTable) +
        " (name, sql_hash, model_epoch, to_epoch) VALUES (" + Connection::Literal(tests[i]->name) +
        ", " + Connection::Literal(scopes[i].fingerprint) + ", " +
        std::to_string(scopes[i].model_epoch) + ", " + std::to_string(scopes[i].to_epoch) +
        ") ON CONFLICT (name) DO UPDATE SET sql_hash = excluded.sql_hash, model_epoch = "
        "excluded.model_epoch, to_epoch = excluded.to_epoch");
    if (!status.ok()) return fail(status);
  }
  // A companion keeps what a recorded test may still read: changes after the oldest epoch
  // recorded for it. A test with no record (or an outdated one) reads every row next time.
  for (const TrackedTable& table : tracked_) {
    if (!since_.contains(table.name) || !loaded_.contains(table.name)) continue;
    int64_t keep_after = loaded_[table.name];
    for (size_t i = 0; i < tests.size(); ++i) {
      auto state = states_.find(tests[i]->name);
      if (state == states_.end() || state->second.fingerprint != scopes[i].fingerprint) continue;
      if (tests[i]->model == table.name && state->second.model_epoch >= since_[table.name]) {
        keep_after = std::min(keep_after, state->second.model_epoch);
      }
      if (tests[i]->kind == TestKind::kRelationships && tests[i]->to_model == table.name &&
          state->second.to_epoch >= since_[table.name]) {
        keep_after = std::min(keep_after, state->second.to_epoch);
      }
    }
    Status status =
        connection_->Execute("DELETE FROM " + Connection::Quote(ChangedTableName(table.name)) +
                             " WHERE epoch <= " + std::to_string(keep_after));
    if (!status.ok()) return fail(status);
  }
  return connection_->Execute("COMMIT");
}

}  // namespace sluice::warehouse

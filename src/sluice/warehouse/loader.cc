#include "sluice/warehouse/loader.h"

#include <algorithm>

#include "sluice/columnar/column_builder.h"
#include "sluice/warehouse/changes.h"

namespace sluice::warehouse {
namespace {

bool Contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::string ColumnList(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& name : names) out += (out.empty() ? "" : ", ") + Connection::Quote(name);
  return out;
}

}  // namespace

std::string_view LoadModeName(LoadMode mode) {
  switch (mode) {
    case LoadMode::kReplace:
      return "replace";
    case LoadMode::kAppend:
      return "append";
    case LoadMode::kMerge:
      return "merge";
  }
  return "append";
}

Result<std::unique_ptr<TableLoader>> TableLoader::Begin(Connection* connection) {
  std::unique_ptr<TableLoader> loader(new TableLoader(connection));
  // The ledger table, in a statement of its own: loads running at once may both create it (in
  // PostgreSQL one of them then fails, and finds it there).
  Status created = connection->Execute(
      "CREATE TABLE IF NOT EXISTS " + Connection::Quote(kLedgerTable) +
      " (target TEXT PRIMARY KEY, lake_table TEXT NOT NULL, lake_version BIGINT NOT NULL, mode "
      "TEXT NOT NULL, rows_loaded BIGINT NOT NULL, loaded_at " +
      connection->TypeFor(columnar::DataType::Timestamp()) + " NOT NULL)");
  if (!created.ok()) {
    SLUICE_ASSIGN_OR_RETURN(std::vector<ColumnInfo> columns,
                            connection->TableColumns(kLedgerTable));
    if (columns.empty()) return created;
  }
  created = connection->Execute("CREATE TABLE IF NOT EXISTS " + Connection::Quote(kChangesTable) +
                                " (target TEXT PRIMARY KEY, since BIGINT NOT NULL)");
  if (!created.ok()) {
    SLUICE_ASSIGN_OR_RETURN(std::vector<ColumnInfo> columns,
                            connection->TableColumns(kChangesTable));
    if (columns.empty()) return created;
  }
  SLUICE_RETURN_NOT_OK(connection->BeginTransaction());
  loader->open_ = true;
  return loader;
}

TableLoader::~TableLoader() { Rollback(); }

void TableLoader::Rollback() {
  if (!open_) return;
  open_ = false;
  (void)connection_->Execute("ROLLBACK");
}

Result<std::optional<int64_t>> TableLoader::LoadedVersion(const std::string& target) {
  SLUICE_ASSIGN_OR_RETURN(
      QueryRows rows,
      connection_->Query("SELECT lake_version FROM " + Connection::Quote(kLedgerTable) +
                         " WHERE target = " + Connection::Literal(target)));
  if (rows.empty() || !rows[0][0]) return std::optional<int64_t>();
  return std::optional<int64_t>(std::stoll(*rows[0][0]));
}

std::string TableLoader::ColumnDefinition(const columnar::Field& field, bool in_key) const {
  return Connection::Quote(field.name) + " " + connection_->TypeFor(field.type) +
         (in_key ? " NOT NULL" : "");
}

std::string TableLoader::CreateTableSql(const std::string& name, bool with_constraints) const {
  std::string sql = "CREATE TABLE " + Connection::Quote(name) + " (";
  bool first = true;
  for (const columnar::Field& field : design_.schema->fields()) {
    sql += (first ? "" : ", ") +
           ColumnDefinition(field, with_constraints && Contains(design_.primary_key, field.name));
    first = false;
  }
  if (with_constraints && !design_.primary_key.empty()) {
    sql += ", PRIMARY KEY (" + ColumnList(design_.primary_key) + ")";
  }
  if (with_constraints) {
    for (const ForeignKey& key : design_.foreign_keys) {
      sql += ", FOREIGN KEY (" + Connection::Quote(key.column) + ") REFERENCES " +
             Connection::Quote(key.table) + " (" + Connection::Quote(key.to_column) + ")" +
             connection_->ForeignKeyOptions();
    }
  }
  return sql + ")";
}

std::vector<std::string> TableLoader::ChangedColumns() const {
  std::vector<std::string> columns = design_.primary_key;
  for (const std::string& name : design_.changes_columns) {
    if (!Contains(columns, name)) columns.push_back(name);
  }
  return columns;
}

std::string TableLoader::ChangedTableSql(bool if_not_exists) const {
  std::string sql = std::string(if_not_exists ? "CREATE TABLE IF NOT EXISTS " : "CREATE TABLE ") +
                    Connection::Quote(ChangedTableName(design_.name)) + " (epoch BIGINT NOT NULL";
  for (const std::string& name : ChangedColumns()) {
    std::optional<size_t> index = design_.schema->FieldIndex(name);
    if (!index) return "";
    sql += ", " + ColumnDefinition(design_.schema->field(*index), false);
  }
  return sql + ")";
}

Status TableLoader::Prepare(const TableDesign& design, LoadMode mode) {
  design_ = design;
  mode_ = mode;
  if (design_.primary_key.empty() || ChangedTableSql(false).empty()) tracks_keys_ = false;
  if (mode == LoadMode::kMerge && design.primary_key.empty()) {
    return Status::InvalidArgument("merge into " + design.name + " needs a key");
  }
  SLUICE_ASSIGN_OR_RETURN(std::vector<ColumnInfo> existing, connection_->TableColumns(design.name));
  summary_.created = existing.empty();
  if (mode == LoadMode::kReplace && connection_->SwapsByRename()) {
    insert_into_ = design.name + "__sluice_staging";
    SLUICE_RETURN_NOT_OK(
        connection_->Execute("DROP TABLE IF EXISTS " + Connection::Quote(insert_into_)));
    return connection_->Execute(CreateTableSql(insert_into_, true));
  }
  if (existing.empty()) {
    SLUICE_RETURN_NOT_OK(connection_->Execute(CreateTableSql(design.name, true)));
  } else {
    for (const columnar::Field& field : design.schema->fields()) {
      const bool present = std::any_of(existing.begin(), existing.end(),
                                       [&](const ColumnInfo& c) { return c.name == field.name; });
      if (present) continue;
      SLUICE_RETURN_NOT_OK(connection_->Execute("ALTER TABLE " + Connection::Quote(design.name) +
                                                " ADD COLUMN " + ColumnDefinition(field, false)));
      summary_.columns_added.push_back(field.name);
    }
  }
  // A table made by this load is empty: rows go straight in, whatever the mode, and its indexes
  // are built once after them — except in PostgreSQL with foreign keys, which cannot index a
  // table whose deferred checks are pending, so indexes come first there.
  defer_indexes_ =
      summary_.created && (design.foreign_keys.empty() || connection_->SwapsByRename());
  if (!defer_indexes_) SLUICE_RETURN_NOT_OK(CreateIndexes());
  if (design.changes_epoch && tracks_keys_ && !summary_.created) {
    // A companion recording other columns (the tests changed) starts again with this load.
    SLUICE_ASSIGN_OR_RETURN(std::vector<ColumnInfo> kept,
                            connection_->TableColumns(ChangedTableName(design.name)));
    std::vector<std::string> wanted = ChangedColumns();
    wanted.insert(wanted.begin(), "epoch");
    bool same = kept.size() == wanted.size();
    for (size_t i = 0; same && i < kept.size(); ++i) same = kept[i].name == wanted[i];
    if (!kept.empty() && !same) {
      SLUICE_RETURN_NOT_OK(
          connection_->Execute("DROP TABLE " + Connection::Quote(ChangedTableName(design.name))));
      changes_restart_ = true;
    }
    SLUICE_RETURN_NOT_OK(connection_->Execute(ChangedTableSql(true)));
  }
  if (mode == LoadMode::kAppend || summary_.created) {
    insert_into_ = design.name;
    return Status::OK();
  }
  // Merge (and replace without a rename): rows are staged in a temporary table first.
  insert_into_ = design.name + "__sluice_stage";
  SLUICE_RETURN_NOT_OK(
      connection_->Execute("DROP TABLE IF EXISTS " + Connection::Quote(insert_into_)));
  std::string sql = connection_->TempTableSql(insert_into_) + " (";
  bool first = true;
  for (const columnar::Field& field : design.schema->fields()) {
    sql += (first ? "" : ", ") + ColumnDefinition(field, Contains(design.primary_key, field.name));
    first = false;
  }
  return connection_->Execute(sql + ")");
}

Status TableLoader::CreateIndexes() {
  for (const std::string& column : design_.indexes) {
    SLUICE_RETURN_NOT_OK(connection_->Execute(
        "CREATE INDEX IF NOT EXISTS " + Connection::Quote("ix_" + design_.name + "_" + column) +
        " ON " + Connection::Quote(design_.name) + " (" + Connection::Quote(column) + ")"));
  }
  return Status::OK();
}

Status TableLoader::DeleteKeys(const columnar::Batch& keys) {
  if (mode_ != LoadMode::kMerge || summary_.created) {
    return Status::Internal("DeleteKeys needs a merge into an existing table");
  }
  if (keys.num_rows() == 0) return Status::OK();
  const std::string gone = design_.name + "__sluice_gone";
  SLUICE_RETURN_NOT_OK(connection_->Execute("DROP TABLE IF EXISTS " + Connection::Quote(gone)));
  std::string sql = connection_->TempTableSql(gone) + " (";
  for (size_t i = 0; i < keys.num_columns(); ++i) {
    sql += (i == 0 ? "" : ", ") + ColumnDefinition(keys.schema()->field(i), false);
  }
  SLUICE_RETURN_NOT_OK(connection_->Execute(sql + ")"));
  std::vector<RowRefusal> refused;
  SLUICE_RETURN_NOT_OK(connection_->Insert(gone, keys, &refused));
  if (!refused.empty()) {
    return Status::DataError("a key to delete from " + design_.name +
                             " was refused: " + refused[0].message);
  }
  const std::string key_list = ColumnList(design_.primary_key);
  const std::string target = design_.primary_key.size() == 1 ? key_list : "(" + key_list + ")";
  SLUICE_RETURN_NOT_OK(connection_->Execute("DELETE FROM " + Connection::Quote(design_.name) +
                                            " WHERE " + target + " IN (SELECT " + key_list +
                                            " FROM " + Connection::Quote(gone) + ")"));
  summary_.rows_deleted += keys.num_rows();
  if (design_.changes_epoch && tracks_keys_) {
    SLUICE_RETURN_NOT_OK(connection_->Execute(
        "INSERT INTO " + Connection::Quote(ChangedTableName(design_.name)) + " (epoch, " +
        key_list + ") SELECT " + std::to_string(*design_.changes_epoch) + ", " + key_list +
        " FROM " + Connection::Quote(gone)));
  }
  return connection_->Execute("DROP TABLE " + Connection::Quote(gone));
}

Status TableLoader::Add(const columnar::Batch& batch, std::vector<RowRefusal>* refused) {
  const size_t before = refused->size();
  SLUICE_RETURN_NOT_OK(connection_->Insert(insert_into_, batch, refused));
  if (design_.changes_epoch && tracks_keys_ && !summary_.created && insert_into_ == design_.name) {
    SLUICE_RETURN_NOT_OK(AddChangedKeys(batch));  // an append: the rows went straight in
  }
  const auto refusals = static_cast<int64_t>(refused->size() - before);
  summary_.rows += batch.num_rows() - refusals;
  summary_.rows_refused += refusals;
  return Status::OK();
}

Result<LoadSummary> TableLoader::Commit(const std::string& lake_table, int64_t lake_version) {
  const std::string table = Connection::Quote(design_.name);
  std::vector<std::string> columns;
  for (const columnar::Field& field : design_.schema->fields()) columns.push_back(field.name);
  if (insert_into_ == design_.name) {
    // The rows went straight into the table (append, or a table this load made).
  } else if (mode_ == LoadMode::kReplace && connection_->SwapsByRename()) {
    SLUICE_RETURN_NOT_OK(connection_->SwapIn(insert_into_, design_.name));
  } else if (mode_ == LoadMode::kReplace) {
    // The rows change inside the transaction: readers see the old rows until the commit.
    SLUICE_RETURN_NOT_OK(connection_->Execute("DELETE FROM " + table));
    SLUICE_RETURN_NOT_OK(connection_->Execute("INSERT INTO " + table + " (" + ColumnList(columns) +
                                              ") SELECT " + ColumnList(columns) + " FROM " +
                                              Connection::Quote(insert_into_)));
    SLUICE_RETURN_NOT_OK(connection_->Execute("DROP TABLE " + Connection::Quote(insert_into_)));
  } else if (mode_ == LoadMode::kMerge) {
    std::string updates;
    for (const columnar::Field& field : design_.schema->fields()) {
      if (Contains(design_.primary_key, field.name)) continue;
      updates += (updates.empty() ? "" : ", ") + Connection::Quote(field.name) + " = excluded." +
                 Connection::Quote(field.name);
    }
    // In the order of the first indexed column: a fact's rows reach the index of a dimension
    // key at as many places as the day has members, and in key order the index is visited as
    // one sweep instead of at random — the pages a day touches stay those it needs once each.
    const std::string order =
        design_.indexes.empty() ? "" : " ORDER BY " + Connection::Quote(design_.indexes.front());
    SLUICE_RETURN_NOT_OK(connection_->Execute(
        "INSERT INTO " + table + " (" + ColumnList(columns) + ") SELECT " + ColumnList(columns) +
        " FROM " + Connection::Quote(insert_into_) + " WHERE true" + order + " ON CONFLICT (" +
        ColumnList(design_.primary_key) + ") DO " +
        (updates.empty() ? std::string("NOTHING") : "UPDATE SET " + updates)));
    SLUICE_RETURN_NOT_OK(RecordChanges(lake_version));
    SLUICE_RETURN_NOT_OK(connection_->Execute("DROP TABLE " + Connection::Quote(insert_into_)));
  }
  if (mode_ != LoadMode::kMerge || insert_into_ == design_.name) {
    SLUICE_RETURN_NOT_OK(RecordChanges(lake_version));
  }
  if (defer_indexes_ || (mode_ == LoadMode::kReplace && connection_->SwapsByRename())) {
    SLUICE_RETURN_NOT_OK(CreateIndexes());
  }
  SLUICE_RETURN_NOT_OK(connection_->Execute(
      "INSERT INTO " + Connection::Quote(kLedgerTable) +
      " (target, lake_table, lake_version, mode, rows_loaded, loaded_at) VALUES (" +
      Connection::Literal(design_.name) + ", " + Connection::Literal(lake_table) + ", " +
      std::to_string(lake_version) + ", " + Connection::Literal(std::string(LoadModeName(mode_))) +
      ", " + std::to_string(summary_.rows) +
      ", CURRENT_TIMESTAMP) ON CONFLICT (target) DO UPDATE SET lake_table = excluded.lake_table, "
      "lake_version = excluded.lake_version, mode = excluded.mode, rows_loaded = "
      "excluded.rows_loaded, loaded_at = excluded.loaded_at"));
  SLUICE_RETURN_NOT_OK(connection_->Execute("COMMIT"));
  open_ = false;
  return summary_;
}

Status TableLoader::AddChangedKeys(const columnar::Batch& batch) {
  columnar::Int64Builder epochs(columnar::DataType::Int64());
  for (int64_t row = 0; row < batch.num_rows(); ++row) epochs.Append(*design_.changes_epoch);
  std::vector<columnar::Field> fields = {{"epoch", columnar::DataType::Int64()}};
  std::vector<columnar::ColumnPtr> columns = {epochs.Finish()};
  for (const std::string& name : ChangedColumns()) {
    std::optional<size_t> index = batch.schema()->FieldIndex(name);
    if (!index) return Status::Internal("a loaded batch lacks the column " + name);
    fields.push_back(batch.schema()->field(*index));
    columns.push_back(batch.columns()[*index]);
  }
  columnar::Batch keys(std::make_shared<const columnar::Schema>(std::move(fields)),
                       std::move(columns), batch.num_rows());
  std::vector<RowRefusal> refused;
  SLUICE_RETURN_NOT_OK(connection_->Insert(ChangedTableName(design_.name), keys, &refused));
  // A key the table refused (a null) was not loaded either: there is no row of it to test.
  return Status::OK();
}

Status TableLoader::RecordChanges(int64_t lake_version) {
  const std::string changed = Connection::Quote(ChangedTableName(design_.name));
  const std::string target = Connection::Literal(design_.name);
  const std::string since_table = Connection::Quote(kChangesTable);
  if (!design_.changes_epoch || !tracks_keys_) {
    // No test reads the changes, or there is no key to record them by: nothing is kept (the
    // tests of the table read every row).
    SLUICE_RETURN_NOT_OK(connection_->Execute("DROP TABLE IF EXISTS " + changed));
    return connection_->Execute("DELETE FROM " + since_table + " WHERE target = " + target);
  }
  const std::string start_at = "INSERT INTO " + since_table + " (target, since) VALUES (" + target +
                               ", " + std::to_string(lake_version) +
                               ") ON CONFLICT (target) DO UPDATE SET since = excluded.since";
  if (mode_ == LoadMode::kReplace || summary_.created || changes_restart_) {
    // Every row may have changed: the record starts again at this version.
    SLUICE_RETURN_NOT_OK(connection_->Execute("DROP TABLE IF EXISTS " + changed));
    SLUICE_RETURN_NOT_OK(connection_->Execute(ChangedTableSql(false)));
    return connection_->Execute(start_at);
  }
  SLUICE_ASSIGN_OR_RETURN(QueryRows since, connection_->Query("SELECT since FROM " + since_table +
                                                              " WHERE target = " + target));
  if (since.empty()) {  // tracking starts with this load: what came before is unknown
    SLUICE_RETURN_NOT_OK(connection_->Execute("DELETE FROM " + changed));
    SLUICE_RETURN_NOT_OK(connection_->Execute(start_at));
  }
  if (mode_ != LoadMode::kMerge) return Status::OK();  // an append's keys went in with its rows
  const std::string list = ColumnList(ChangedColumns());
  return connection_->Execute("INSERT INTO " + changed + " (epoch, " + list + ") SELECT " +
                              std::to_string(lake_version) + ", " + list + " FROM " +
                              Connection::Quote(insert_into_));
}

}  // namespace sluice::warehouse

// The SQLite warehouse: a file, in WAL mode so that readers (BI tools, the demo) read while a load
// writes; foreign keys enforced.
#include <sqlite3.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <mutex>

#include "sluice/columnar/column.h"
#include "sluice/columnar/decimal.h"
#include "sluice/columnar/temporal.h"
#include "sluice/warehouse/connection.h"

namespace sluice::warehouse {
namespace {

using columnar::TypeId;

class Statement {
 public:
  Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(statement_); }
  sqlite3_stmt** out() { return &statement_; }
  sqlite3_stmt* get() const { return statement_; }

 private:
  sqlite3_stmt* statement_ = nullptr;
};

// One writer at a time per database file within this process: the tasks of a run that load the
// same SQLite file wait for each other here, however long a load takes, instead of failing when
// SQLite's busy timeout runs out. (Other processes still meet the busy timeout.)
class WriterLocks {
 public:
  // The lock of the database at `path`; null for an in-memory database.
  static std::mutex* For(const std::string& path) {
    if (path.empty() || path == ":memory:") return nullptr;
    std::error_code error;
    std::filesystem::path canonical = std::filesystem::weakly_canonical(path, error);
    const std::string key = error ? path : canonical.string();
    static std::mutex guard;
    static std::map<std::string, std::unique_ptr<std::mutex>> locks;
    std::lock_guard<std::mutex> held(guard);
    std::unique_ptr<std::mutex>& lock = locks[key];
    if (lock == nullptr) lock = std::make_unique<std::mutex>();
    return lock.get();
  }
};

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(sqlite3* db, std::string path)
      : db_(db), path_(std::move(path)), writer_lock_(WriterLocks::For(path_)) {}
  ~SqliteConnection() override {
    sqlite3_close_v2(db_);
    ReleaseWriter();
  }

  std::string kind() const override { return "sqlite"; }
  std::string description() const override { return path_; }

  Status Execute(const std::string& sql) override {
    char* message = nullptr;
    const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
    if (sqlite3_get_autocommit(db_) != 0) ReleaseWriter();  // the transaction ended
    if (rc == SQLITE_OK) return Status::OK();
    std::string text = message != nullptr ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    return Error(rc, text + " (in: " + Shorten(sql) + ")");
  }

  Result<QueryRows> Query(const std::string& sql) override {
    SLUICE_ASSIGN_OR_RETURN(QueryResult result, QueryWithNames(sql));
    return std::move(result.rows);
  }

  Result<QueryResult> QueryWithNames(const std::string& sql) override {
    Statement statement;
    int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, statement.out(), nullptr);
    if (rc != SQLITE_OK)
      return Error(rc, std::string(sqlite3_errmsg(db_)) + " (in: " + Shorten(sql) + ")");
    QueryResult result;
    const int n = sqlite3_column_count(statement.get());
    for (int i = 0; i < n; ++i)
      result.columns.emplace_back(sqlite3_column_name(statement.get(), i));
    while ((rc = sqlite3_step(statement.get())) == SQLITE_ROW) {
      std::vector<std::optional<std::string>> row;
      for (int i = 0; i < n; ++i) {
        if (sqlite3_column_type(statement.get(), i) == SQLITE_NULL) {
          row.emplace_back(std::nullopt);
        } else {
          const auto* text = sqlite3_column_text(statement.get(), i);
          row.emplace_back(
              std::string(reinterpret_cast<const char*>(text),
                          static_cast<size_t>(sqlite3_column_bytes(statement.get(), i))));
        }
      }
      result.rows.push_back(std::move(row));
    }
    if (rc != SQLITE_DONE)
      return Error(rc, std::string(sqlite3_errmsg(db_)) + " (in: " + Shorten(sql) + ")");
    return result;
  }

  Result<std::vector<ColumnInfo>> TableColumns(const std::string& table) override {
    SLUICE_ASSIGN_OR_RETURN(
        QueryRows rows,
        Query("SELECT name, upper(type) FROM pragma_table_info(" + Literal(table) + ")"));
    std::vector<ColumnInfo> columns;
    for (const auto& row : rows) columns.push_back({row[0].value_or(""), row[1].value_or("")});
    return columns;
  }

  Result<bool> ViewExists(const std::string& name) override {
    SLUICE_ASSIGN_OR_RETURN(
        QueryRows rows,
        Query("SELECT 1 FROM sqlite_master WHERE type = 'view' AND name = " + Literal(name)));
    return !rows.empty();
  }

  Status Insert(const std::string& table, const columnar::Batch& batch,
                std::vector<RowRefusal>* refused) override {
    const columnar::Schema& schema = *batch.schema();
    std::string sql = "INSERT INTO " + Quote(table) + " (";
    std::string marks;
    for (size_t i = 0; i < schema.num_fields(); ++i) {
      sql += (i ? ", " : "") + Quote(schema.field(i).name);
      marks += i ? ", ?" : "?";
    }
    sql += ") VALUES (" + marks + ")";
    Statement statement;
    int rc = sqlite3_prepare_v2(db_, sql.c_str(), -1, statement.out(), nullptr);
    if (rc != SQLITE_OK)
      return Error(rc, std::string(sqlite3_errmsg(db_)) + " (in: " + Shorten(sql) + ")");
    std::string text;
    for (int64_t row = 0; row < batch.num_rows(); ++row) {
      std::string refusal;
      for (size_t c = 0; c < schema.num_fields() && refusal.empty(); ++c) {
        const int at = static_cast<int>(c) + 1;
        const columnar::Column& column = batch.column(c);
        if (column.IsNull(row)) {
          rc = sqlite3_bind_null(statement.get(), at);
          continue;
        }
        switch (column.type().id()) {
          case TypeId::kBool:
            rc = sqlite3_bind_int(statement.get(), at,
                                  static_cast<const columnar::BooleanColumn&>(column).Value(row));
            break;
          case TypeId::kInt32:
            rc = sqlite3_bind_int(statement.get(), at,
                                  static_cast<const columnar::Int32Column&>(column).Value(row));
            break;
          case TypeId::kInt64:
            rc = sqlite3_bind_int64(statement.get(), at,
                                    static_cast<const columnar::Int64Column&>(column).Value(row));
            break;
          case TypeId::kFloat64: {
            const double value = static_cast<const columnar::Float64Column&>(column).Value(row);
            if (std::isnan(value)) {
              refusal =
                  schema.field(c).name + " is NaN, which SQLite cannot hold (it would become NULL)";
              break;
            }
            rc = sqlite3_bind_double(statement.get(), at, value);
            break;
          }
          case TypeId::kDecimal:
            text = columnar::FormatDecimal(
                static_cast<const columnar::DecimalColumn&>(column).Value(row),
                column.type().scale());
            rc = sqlite3_bind_text(statement.get(), at, text.data(), static_cast<int>(text.size()),
                                   SQLITE_TRANSIENT);
            break;
          case TypeId::kDate:
            text.clear();
            columnar::AppendDate(static_cast<const columnar::Int32Column&>(column).Value(row),
                                 &text);
            rc = sqlite3_bind_text(statement.get(), at, text.data(), static_cast<int>(text.size()),
                                   SQLITE_TRANSIENT);
            break;
          case TypeId::kTimestamp:
            text.clear();
            columnar::AppendTimestamp(static_cast<const columnar::Int64Column&>(column).Value(row),
                                      false, &text);
            rc = sqlite3_bind_text(statement.get(), at, text.data(), static_cast<int>(text.size()),
                                   SQLITE_TRANSIENT);
            break;
          case TypeId::kTime:
            text.clear();
            columnar::AppendTime(static_cast<const columnar::Int64Column&>(column).Value(row),
                                 &text);
            rc = sqlite3_bind_text(statement.get(), at, text.data(), static_cast<int>(text.size()),
                                   SQLITE_TRANSIENT);
            break;
          case TypeId::kBinary: {
            const std::string_view bytes =
                static_cast<const columnar::StringColumn&>(column).Value(row);
            rc = sqlite3_bind_blob(statement.get(), at, bytes.data(),
                                   static_cast<int>(bytes.size()), SQLITE_STATIC);
            break;
          }
          default: {
            const std::string_view value =
                static_cast<const columnar::StringColumn&>(column).Value(row);
            rc = sqlite3_bind_text(statement.get(), at, value.data(),
                                   static_cast<int>(value.size()), SQLITE_STATIC);
            break;
          }
        }
        if (rc != SQLITE_OK) return Error(rc, sqlite3_errmsg(db_));
      }
      if (refusal.empty()) {
        rc = sqlite3_step(statement.get());
        if (rc != SQLITE_DONE) {
          const int primary = rc & 0xff;
          if (primary == SQLITE_CONSTRAINT || primary == SQLITE_MISMATCH ||
              primary == SQLITE_TOOBIG || primary == SQLITE_RANGE) {
            refusal = sqlite3_errmsg(db_);
          } else {
            const std::string message = sqlite3_errmsg(db_);
            sqlite3_reset(statement.get());
            return Error(rc, message);
          }
        }
      }
      sqlite3_reset(statement.get());
      sqlite3_clear_bindings(statement.get());
      if (!refusal.empty()) refused->push_back({row, std::move(refusal)});
    }
    return Status::OK();
  }

  Status BeginTransaction() override {
    if (writer_lock_ != nullptr && !writing_) {
      writer_lock_->lock();
      writing_ = true;
    }
    return Execute("BEGIN IMMEDIATE; PRAGMA defer_foreign_keys = ON");
  }

  std::string TempTableSql(const std::string& name) const override {
    return "CREATE TEMP TABLE " + Quote(name);
  }

  bool SwapsByRename() const override { return true; }

  Status SwapIn(const std::string& staging, const std::string& table) override {
    SLUICE_ASSIGN_OR_RETURN(
        QueryRows referenced,
        Query("SELECT count(*) FROM sqlite_master m, pragma_foreign_key_list(m.name) k WHERE "
              "m.type = 'table' AND k.\"table\" = " +
              Literal(table)));
    SLUICE_ASSIGN_OR_RETURN(std::vector<ColumnInfo> existing, TableColumns(table));
    if (existing.empty() || referenced.empty() || referenced[0][0].value_or("0") == "0") {
      // Views name tables, not objects: a view of `table` reads the new rows after the rename.
      SLUICE_RETURN_NOT_OK(Execute("DROP TABLE IF EXISTS " + Quote(table)));
      return Execute("ALTER TABLE " + Quote(staging) + " RENAME TO " + Quote(table));
    }
    // Other tables' foreign keys point here: dropping it would orphan their rows, so the rows
    // are replaced instead (the checks run at commit, when every key is back).
    SLUICE_ASSIGN_OR_RETURN(std::vector<ColumnInfo> columns, TableColumns(staging));
    std::string list;
    for (const ColumnInfo& column : columns) {
      const bool present = std::any_of(existing.begin(), existing.end(),
                                       [&](const ColumnInfo& c) { return c.name == column.name; });
      if (!present) {
        SLUICE_RETURN_NOT_OK(Execute("ALTER TABLE " + Quote(table) + " ADD COLUMN " +
                                     Quote(column.name) + " " + column.type));
      }
      list += (list.empty() ? "" : ", ") + Quote(column.name);
    }
    SLUICE_RETURN_NOT_OK(Execute("DELETE FROM " + Quote(table)));
    SLUICE_RETURN_NOT_OK(Execute("INSERT INTO " + Quote(table) + " (" + list + ") SELECT " + list +
                                 " FROM " + Quote(staging)));
    return Execute("DROP TABLE " + Quote(staging));
  }

  Status DropRelation(const std::string& name) override {
    SLUICE_ASSIGN_OR_RETURN(QueryRows rows,
                            Query("SELECT type FROM sqlite_master WHERE name = " + Literal(name) +
                                  " AND type IN ('view', 'table')"));
    if (rows.empty()) return Status::OK();
    return Execute(std::string(rows[0][0].value_or("") == "view" ? "DROP VIEW " : "DROP TABLE ") +
                   Quote(name));
  }

  Status CreateModel(const std::string& name, const std::string& sql,
                     Materialization materialization) override {
    // SQLite has no materialized views: those are views here.
    return Execute(
        std::string(materialization == Materialization::kTable ? "CREATE TABLE " : "CREATE VIEW ") +
        Quote(name) + " AS " + sql);
  }

  std::string TypeFor(const columnar::DataType& type) const override {
    switch (type.id()) {
      case TypeId::kBool:
        return "BOOLEAN";
      case TypeId::kInt32:
        return "INTEGER";
      case TypeId::kInt64:
        return "BIGINT";
      case TypeId::kFloat64:
        return "DOUBLE PRECISION";
      case TypeId::kDecimal:
        return "NUMERIC(" + std::to_string(type.precision()) + "," + std::to_string(type.scale()) +
               ")";
      case TypeId::kDate:
        return "DATE";
      case TypeId::kTime:
        return "TIME";
      case TypeId::kTimestamp:
        return "TIMESTAMP";  // text in UTC: 2026-11-01 06:00:00
      case TypeId::kBinary:
        return "BLOB";
      case TypeId::kJson:
        return "JSON";
      default:
        return "TEXT";
    }
  }

 private:
  static std::string Shorten(const std::string& sql) {
    return sql.size() > 200 ? sql.substr(0, 200) + "..." : sql;
  }

  Status Error(int rc, const std::string& message) const {
    const int primary = rc & 0xff;
    if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED || primary == SQLITE_IOERR ||
        primary == SQLITE_FULL) {
      return Status::IOError("SQLite " + path_ + ": " + message);
    }
    return Status::InvalidArgument("SQLite " + path_ + ": " + message);
  }

  void ReleaseWriter() {
    if (!writing_) return;
    writing_ = false;
    writer_lock_->unlock();
  }

  sqlite3* db_;
  std::string path_;
  std::mutex* writer_lock_;  // WriterLocks::For(path_)
  bool writing_ = false;     // this connection holds writer_lock_
};

}  // namespace

Result<std::unique_ptr<Connection>> ConnectSqlite(const std::string& path) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(
      path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    sqlite3_close_v2(db);
    return Status::IOError("SQLite " + path + ": cannot open: " + message);
  }
  sqlite3_busy_timeout(db, 60'000);
  auto connection = std::make_unique<SqliteConnection>(db, path);
  // A 64 MiB page cache (SQLite's default is 2 MiB): a merge into a large table updates its
  // indexes at keys spread over the whole table, and a small cache makes that cost grow with the
  // table instead of with the rows merged. Temporary storage (staging tables, sorters, and the
  // statement journal, which keeps the original of every page a statement changes) goes to
  // SQLite's temporary files, not memory: a merge of a day into a fact of 40M rows changes pages
  // all over its indexes, and the journal of them took the process to 1 GB held in memory
  // (143 MB with files, which the page cache keeps; measured in docs/benchmarks.md).
  SLUICE_RETURN_NOT_OK(connection->Execute(
      "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA legacy_alter_table = ON; "
      "PRAGMA cache_size = -65536; PRAGMA temp_store = FILE"));
  return std::unique_ptr<Connection>(std::move(connection));
}

std::string Connection::Quote(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string Connection::Literal(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

Result<std::unique_ptr<Connection>> Connect(const WarehouseSettings& settings) {
  if (settings.type == "sqlite") return ConnectSqlite(settings.path);
  if (settings.type == "postgres") return ConnectPostgres(settings);
  return Status::InvalidArgument("warehouse type '" + settings.type +
                                 "' is not supported by this version of sluice yet (sqlite is)");
}

}  // namespace sluice::warehouse

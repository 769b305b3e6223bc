// Connection: one session with a warehouse (SQLite or PostgreSQL), the few operations loading and
// modelling need: SQL statements, small queries, the columns of a table, and a bulk insert of
// batches that reports each row the target refuses instead of coercing it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sluice/columnar/batch.h"
#include "sluice/columnar/data_type.h"
#include "sluice/common/result.h"

namespace sluice::warehouse {

// A row the target refused: which row of the batch, and the target's reason.
struct RowRefusal {
  int64_t row = 0;
  std::string message;
};

struct ColumnInfo {
  std::string name;
  std::string type;  // as the warehouse reports it, upper case ("BIGINT", "NUMERIC(10,2)")
};

// What a SQL model is built as.
enum class Materialization { kView, kTable, kMaterializedView };

using QueryRows = std::vector<std::vector<std::optional<std::string>>>;

struct QueryResult {
  std::vector<std::string> columns;
  QueryRows rows;
};

class Connection {
 public:
  virtual ~Connection() = default;

  // "sqlite" or "postgres".
  virtual std::string kind() const = 0;
  // Where it is connected, without secrets ("warehouse.db", "postgres@127.0.0.1:5432/shop").
  virtual std::string description() const = 0;

  // Runs one or more statements. Errors carry the warehouse's message and the statement.
  virtual Status Execute(const std::string& sql) = 0;
  // Runs a query; every value as text (null as nullopt).
  virtual Result<QueryRows> Query(const std::string& sql) = 0;
  // A query with its column names.
  virtual Result<QueryResult> QueryWithNames(const std::string& sql) = 0;
  // The columns of `table` in order; empty when there is no such table.
  virtual Result<std::vector<ColumnInfo>> TableColumns(const std::string& table) = 0;
  // Does a view (or materialized view) of that name exist?
  virtual Result<bool> ViewExists(const std::string& name) = 0;

  // Appends the batch's rows to `table` (columns by the batch's field names). A row the target
  // refuses (a constraint, a value it cannot hold) is left out and reported in `refused`; any
  // other failure is an error. Inside the caller's transaction.
  virtual Status Insert(const std::string& table, const columnar::Batch& batch,
                        std::vector<RowRefusal>* refused) = 0;

  // Starts a transaction that will write (SQLite: BEGIN IMMEDIATE, foreign keys checked at
  // commit).
  virtual Status BeginTransaction() = 0;
  // "CREATE TEMP TABLE name": the start of a session-private table's definition.
  virtual std::string TempTableSql(const std::string& name) const = 0;
  // Whether a replace swaps a staging table in by rename (SQLite), or deletes the table's rows and
  // inserts the staged ones (PostgreSQL, where views and foreign keys bind to the table itself).
  virtual bool SwapsByRename() const = 0;
  // Inside the transaction: `staging` takes the place of `table` (which may not exist).
  virtual Status SwapIn(const std::string& staging, const std::string& table) = 0;
  // What follows a FOREIGN KEY ... REFERENCES clause (" DEFERRABLE INITIALLY DEFERRED").
  virtual std::string ForeignKeyOptions() const { return ""; }

  // Whether CREATE MATERIALIZED VIEW exists here (PostgreSQL; SQLite builds those as views).
  virtual bool HasMaterializedViews() const { return false; }
  // Drops the view, materialized view or table `name` if there is one.
  virtual Status DropRelation(const std::string& name) = 0;
  // CREATE VIEW / TABLE / MATERIALIZED VIEW name AS sql.
  virtual Status CreateModel(const std::string& name, const std::string& sql,
                             Materialization materialization) = 0;

  // The column type for a lake type ("NUMERIC(10,2)", "TIMESTAMPTZ").
  virtual std::string TypeFor(const columnar::DataType& type) const = 0;

  // "name" quoted as an identifier.
  static std::string Quote(const std::string& name);
  // 'text' quoted as a string literal.
  static std::string Literal(const std::string& text);
};

// What a project's `warehouse:` says.
struct WarehouseSettings {
  std::string type = "sqlite";  // sqlite | postgres
  std::string path;             // sqlite: the database file (absolute)
  // postgres
  std::string host;
  int port = 5432;
  std::string database;
  std::string user;
  std::string password;  // from the environment (empty: libpq's PGPASSWORD or ~/.pgpass)
  std::string sslmode;   // disable | allow | prefer | require | verify-ca | verify-full
  std::string sslrootcert;
  std::string schema;  // tables go here (default: public)
  int64_t connect_timeout_ms = 10'000;
};

// Opens a session. Errors: IOError (retryable) when the warehouse cannot be reached,
// InvalidArgument for settings it refuses (a wrong password, an unknown database).
Result<std::unique_ptr<Connection>> Connect(const WarehouseSettings& settings);

// SQLite (warehouse/sqlite_connection.cc).
Result<std::unique_ptr<Connection>> ConnectSqlite(const std::string& path);
// PostgreSQL (warehouse/postgres_connection.cc).
Result<std::unique_ptr<Connection>> ConnectPostgres(const WarehouseSettings& settings);

}  // namespace sluice::warehouse

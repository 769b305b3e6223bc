// What the database sources (postgres, mysql) share: the options of a table or query read in
// full or incrementally, and one run of it over a `DbDriver` — the part that speaks the server's
// protocol.
//
// Full mode reads the table in one consistent snapshot and replaces the bronze table's rows.
// Incremental mode reads the rows whose cursor (an integer, date or timestamp column) is at or
// past the committed high-water mark minus the lookback; the new mark — the largest cursor read —
// is a txn action ("sluice.<kind>:<table>:<cursor>", version = the integer, days or µs since
// 1970) in the same Delta commit as the rows. Rows of that window an earlier run committed (same
// primary key, or every column without one, and same cursor value; read back from the bronze
// files whose statistics reach the window) are left out, so rows sharing the last cursor value,
// and rows committed late inside the lookback, are taken exactly once.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sluice/columnar/column_builder.h"
#include "sluice/config/config_node.h"
#include "sluice/config/config_spec.h"
#include "sluice/connectors/source.h"

namespace sluice::connectors {

struct DatabaseSourceOptions {
  std::string name;
  std::string table;  // as written ("public.orders"); or
  std::string query;
  std::vector<std::string> tables;  // or: every table matching these ("public.*"), one bronze each
  std::vector<std::string> primary_key;
  std::string cursor;  // empty: full snapshots
  int64_t lookback_ms = 0;
  bool cdc = false;  // incremental: {mode: cdc} (postgres only)
  std::string slot;
  std::string publication;
  int64_t batch_rows = 100'000;
  SchemaDrift schema_drift = SchemaDrift::kEvolve;
  formats::RejectPolicy rejects;
};

// A column as the driver reads it.
struct DbColumn {
  std::string name;
  std::string select;  // the expression selected (quoted name, or a cast)
  columnar::DataType type;
  std::string db_type;  // the server's name for the type, for messages
};

enum class DbRow { kRow, kRejected, kEnd };

// Why a row was rejected.
struct DbReject {
  size_t column = 0;
  std::string message;
  std::string raw;  // {"id": 4, "d": "0000-00-00", ...}
};

class DbDriver {
 public:
  virtual ~DbDriver() = default;

  // "etl@db:5432/shop", without secrets.
  virtual std::string where() const = 0;
  // Connects and starts a consistent, read-only snapshot.
  virtual Status Open() = 0;
  // The table's name as SQL (quoted, schema-qualified) for FROM; NotFound-like InvalidArgument
  // naming it when there is no such table.
  virtual Result<std::string> ResolveTable(const std::string& table) = 0;
  // The columns `SELECT * FROM from` returns, with their lake types.
  virtual Result<std::vector<DbColumn>> Columns(const std::string& from) = 0;
  // The table's primary key columns (empty: none).
  virtual Result<std::vector<std::string>> PrimaryKey(const std::string& table) = 0;
  // A SQL literal comparing with `column` (a cursor type) for `value` (integer, days or µs).
  virtual std::string CursorLiteral(const DbColumn& column, int64_t value) const = 0;
  // Starts reading `SELECT <selects> FROM <from> [WHERE <where>]`.
  virtual Status StartRead(const std::vector<DbColumn>& columns, const std::string& from,
                           const std::string& where) = 0;
  // Decodes the next row into `builders` (one per column, made by columnar::MakeBuilder). A value
  // that does not fit: kRejected, nothing appended, and `reject` says which column, why, and the
  // row as a JSON object of its values (for the quarantine's `raw`).
  virtual Result<DbRow> NextRow(std::vector<std::unique_ptr<columnar::ColumnBuilder>>* builders,
                                DbReject* reject) = 0;
  // Ends the snapshot after the last row.
  virtual Status Finish() = 0;
  // Drops the connection (after Finish, or when the run fails).
  virtual void Close() = 0;
  virtual int64_t bytes_read() const = 0;
};

// The keys every database source has (table, query, into, primary_key, incremental, batch_rows,
// schema_drift, on_error, max_rejects), after the component's own.
void AddDatabaseSourceKeys(std::vector<config::KeySpec>* keys);
// Reads them from a validated entry; false when a value is wrong (added to `errors`).
bool DatabaseOptionsFromConfig(const std::string& name, const config::ConfigValues& values,
                               DatabaseSourceOptions* options, config::ConfigErrors* errors);
// "table public.orders (incremental on updated_at, lookback 600s)".
std::string DescribeDatabaseRead(const DatabaseSourceOptions& options);

// One run: `kind` names the ledger ("sluice.<kind>:..."). Errors: the driver's (connecting,
// resolving the table); a cursor or key column that is missing or cannot order rows.
Result<std::unique_ptr<SourceRun>> PlanDatabaseRun(std::unique_ptr<DbDriver> driver,
                                                   DatabaseSourceOptions options,
                                                   const SourceState& state,
                                                   const std::string& kind);

}  // namespace sluice::connectors

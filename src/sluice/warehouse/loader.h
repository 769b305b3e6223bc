// TableLoader: one load of a lake table into a warehouse table, in one transaction.
//
//   replace  rows go into a staging table, which then takes the table's place (drop and rename,
//            in the same transaction: readers see the old rows or the new, never none or part)
//   append   rows are inserted into the table
//   merge    rows go into a temporary staging table, then INSERT ... ON CONFLICT (key) DO UPDATE
//
// The table is created when missing (primary key, indexes on foreign-key columns, optional
// foreign-key constraints) and altered when the lake table gained columns. The ledger table
// _sluice_loads (target, lake table, lake version, mode, rows, loaded_at) is written in the same
// transaction as the rows, so a repeated or retried load of the same version adds nothing.
// With TableDesign::changes_epoch, the keys the load changed are recorded too (changes.h).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sluice/columnar/schema.h"
#include "sluice/warehouse/connection.h"

namespace sluice::warehouse {

enum class LoadMode { kReplace, kAppend, kMerge };
std::string_view LoadModeName(LoadMode mode);

struct ForeignKey {
  std::string column;     // in the loaded table
  std::string table;      // the referenced warehouse table
  std::string to_column;  // its key column
};

struct TableDesign {
  std::string name;  // the warehouse table
  columnar::SchemaPtr schema;
  std::vector<std::string> primary_key;  // merge needs one
  std::vector<std::string> indexes;      // columns indexed (foreign-key columns)
  std::vector<ForeignKey> foreign_keys;  // declared as constraints
  // Set: the keys this load changes are kept in the table's changed-keys companion, stamped with
  // this epoch (the lake version loaded), for model tests that read only changed rows (changes.h).
  std::optional<int64_t> changes_epoch;
  std::vector<std::string> changes_columns;  // kept with the keys: the columns the tests read
};

inline constexpr const char* kLedgerTable = "_sluice_loads";

struct LoadSummary {
  int64_t rows = 0;          // rows loaded
  int64_t rows_deleted = 0;  // keys deleted (a merge after the lake deleted rows)
  int64_t rows_refused = 0;
  bool created = false;  // the table did not exist
  std::vector<std::string> columns_added;
};

class TableLoader {
 public:
  // Starts the transaction and makes sure the ledger table exists.
  static Result<std::unique_ptr<TableLoader>> Begin(Connection* connection);
  ~TableLoader();

  // The lake version last loaded into `target` (nullopt: never).
  Result<std::optional<int64_t>> LoadedVersion(const std::string& target);

  // Creates or alters the table and the staging table for `mode`.
  Status Prepare(const TableDesign& design, LoadMode mode);
  // Merge into an existing table: deletes the rows whose key is one of `keys` (a batch of the
  // key columns, by name) before the staged rows are merged.
  Status DeleteKeys(const columnar::Batch& keys);
  // Loads one batch (columns by name; the design's schema). Refused rows are reported.
  Status Add(const columnar::Batch& batch, std::vector<RowRefusal>* refused);
  // Moves staged rows into place, records the ledger row and commits.
  Result<LoadSummary> Commit(const std::string& lake_table, int64_t lake_version);
  // Rolls back (also done by the destructor when neither Commit nor Rollback ran).
  void Rollback();

 private:
  explicit TableLoader(Connection* connection) : connection_(connection) {}

  std::string ColumnDefinition(const columnar::Field& field, bool in_key) const;
  std::string CreateTableSql(const std::string& name, bool with_constraints) const;
  Status CreateIndexes();
  // The key and the changes_columns, as the companion holds them after its epoch.
  std::vector<std::string> ChangedColumns() const;
  // The CREATE TABLE of the changed-keys companion; empty when one of its columns is not in the
  // schema.
  std::string ChangedTableSql(bool if_not_exists) const;
  // The changed-keys bookkeeping of a commit (changes.h), before the staging table goes.
  Status RecordChanges(int64_t lake_version);
  // Adds the keys of `keys` (a batch holding the key columns by name) as changed at the epoch.
  Status AddChangedKeys(const columnar::Batch& keys);

  Connection* connection_;
  bool open_ = false;
  TableDesign design_;
  LoadMode mode_ = LoadMode::kAppend;
  std::string insert_into_;       // the table rows go to first
  bool defer_indexes_ = false;    // a new table: indexes after the rows
  bool tracks_keys_ = true;       // the design has a key its changes can be recorded by
  bool changes_restart_ = false;  // the companion was made again: its record starts now
  LoadSummary summary_;
};

}  // namespace sluice::warehouse

// Snapshot: the state of a Delta table at one version, the result of log replay.
//
// Immutable once built; shared between readers and transactions as shared_ptr<const Snapshot>.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sluice/columnar/schema.h"
#include "sluice/lake/actions.h"
#include "sluice/lake/delta_schema.h"
#include "sluice/lake/transaction_archive.h"

namespace sluice::lake {

struct Snapshot {
  // -1 when the table does not exist yet (no commit in the log).
  int64_t version = -1;
  // Commit timestamp of `version` (ms since the epoch): the log file's modification time, made
  // strictly increasing across versions as the protocol asks.
  int64_t timestamp_ms = 0;
  Protocol protocol;
  Metadata metadata;
  // The table schema from metadata.schema_string (partition columns included).
  columnar::SchemaPtr schema;
  // Column mapping (delta.columnMapping.mode "name" or "id"; "" when off): where each top-level
  // column of `schema` lives in the data files (delta_schema.h), in schema order.
  std::string column_mapping_mode;
  std::vector<PhysicalColumn> physical_columns;
  // `schema` with each column under its physical name, when columns are mapped (else null):
  // statistics are keyed so and parsed against it.
  columnar::SchemaPtr physical_schema;
  // Live logical files by (decoded relative path, deletion vector id); at most one per path.
  std::map<FileKey, AddFile> files;
  // Removed logical files still remembered (tombstones), for VACUUM and checkpoints. The same
  // data file may be here with several deletion vectors, and live with yet another one.
  std::map<FileKey, RemoveFile> tombstones;
  // Application transactions by appId (entries past delta.setTransactionRetentionDuration are
  // gone; see transaction_archive.h).
  std::map<std::string, Txn> app_transactions;
  // Application transactions archived before they expired (the sluice.expiredTransactions
  // domain), or null.
  std::shared_ptr<const TransactionArchive> archived_transactions;
  // Domain metadata by domain (removed domains are gone).
  std::map<std::string, DomainMetadata> domains;
  // The checkpoint replay started from, when there was one.
  std::optional<int64_t> checkpoint_version;

  bool exists() const { return version >= 0; }
  // Sets column_mapping_mode, physical_columns (one per column of `schema`, in order; none when
  // the mode is "") and physical_schema.
  void SetColumnMapping(std::string mode, std::vector<PhysicalColumn> columns);
  // The key of top-level column `name` in partitionValues and statistics: its physical name under
  // column mapping, else `name` itself.
  const std::string& PhysicalName(const std::string& name) const;
  // The schema statistics are parsed against: physical_schema under column mapping, else schema.
  const columnar::Schema& StatsSchema() const;
  // The version application `app_id` has committed: its live txn entry, else its archived one;
  // nullopt when it never committed (or its entry expired unarchived).
  std::optional<int64_t> TransactionVersion(const std::string& app_id) const;
  // The live file whose data file is at `path` (decoded relative path), or nullptr.
  const AddFile* FindFile(const std::string& path) const;
  // Applies one add or remove by its logical file key: an add replaces any live file of the same
  // path (the protocol keeps one live logical file per path) and clears the key's tombstone; a
  // remove drops the key from the live files and remembers it as a tombstone.
  void ApplyAdd(AddFile add);
  void ApplyRemove(RemoveFile remove);
  // Rows in the live files (numRecords less the rows their deletion vectors remove) when every
  // file has stats; nullopt otherwise.
  std::optional<int64_t> NumRecords() const;
  int64_t SizeBytes() const;
};

using SnapshotPtr = std::shared_ptr<const Snapshot>;

}  // namespace sluice::lake

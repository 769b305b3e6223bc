// DeltaTable: the operations on one Delta table — create/append/overwrite, DELETE, MERGE (upsert
// by key), OPTIMIZE, VACUUM — each one atomic Delta commit (VACUUM commits nothing).
//
// Every write streams its input into new Parquet data files first and then commits once through
// a Transaction (see transaction.h for the conflict rules); a failure before the commit deletes the
// new files and leaves the table as it was. DELETE and MERGE are copy-on-write: only files whose
// statistics or partition values allow a match are read, only files that really hold matching
// rows are rewritten, and everything else is left untouched.
//
// Thread-safety: a DeltaTable may be used by one thread at a time; any number of DeltaTables in
// any number of processes may write one table concurrently.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sluice/columnar/batch.h"
#include "sluice/common/result.h"
#include "sluice/lake/data_file_writer.h"
#include "sluice/lake/delta_log.h"
#include "sluice/lake/row_predicate.h"
#include "sluice/lake/transaction.h"

namespace sluice::lake {

// Produces the input of a write: the next batch, or nullptr at the end.
using BatchSource = std::function<Result<columnar::BatchPtr>()>;

enum class WriteMode {
  kAppend,     // create the table when absent, else add rows
  kOverwrite,  // create when absent, else replace every row (and the schema, when it differs)
  kCreate,     // the table must not exist yet
};

struct TableWriteOptions {
  WriteMode mode = WriteMode::kAppend;
  // Partition columns for a new table (ignored for an existing one, which keeps its own).
  std::vector<std::string> partition_by;
  // Appending input with columns the table lacks adds them (nullable) when true; refused when
  // false. Type changes are never allowed (lossless widening of the input is done silently).
  bool allow_new_columns = true;
  // Table properties for a new table (delta.* configuration).
  std::map<std::string, std::string> configuration;
  // Exactly-once: (appId, version) committed as a txn action with the data; a version at or
  // below the table's recorded one is skipped and reported as already committed.
  std::optional<std::pair<std::string, int64_t>> app_transaction;
  DataFileOptions files;
  CommitOptions commit;
  // Extra commitInfo operation parameters.
  std::map<std::string, std::string> parameters;
  // The table state the write is based on (default: the latest). A commit made after it that
  // conflicts (transaction.h) fails the write with Conflict.
  SnapshotPtr read_snapshot;
  // Ledger entries committed with the data as txn actions (Transaction::
  // RecordApplicationTransaction): e.g. the files a bronze batch ingested.
  std::vector<std::pair<std::string, int64_t>> ledger;
  // More ledger entries, known only once every batch is read (a source's high-water mark):
  // called after the last batch, before `before_commit`.
  std::function<std::vector<std::pair<std::string, int64_t>>()> ledger_after_rows;
  // Called after the data files are written and before the commit, with the rows and files
  // written so far; an error aborts the write (the new files are deleted, nothing is committed).
  std::function<Status(const struct WriteResult&)> before_commit;
};

struct WriteResult {
  CommitResult commit;
  bool created = false;
  int64_t rows = 0;
  int64_t files_added = 0;
  int64_t files_removed = 0;
  int64_t bytes_added = 0;
  std::vector<std::string> new_columns;
};

struct DeleteResult {
  CommitResult commit;  // version -1 when nothing matched (no commit)
  int64_t rows_deleted = 0;
  int64_t rows_copied = 0;
  int64_t files_total = 0;
  int64_t files_read = 0;  // files whose statistics allowed a match
  int64_t files_removed = 0;
  int64_t files_added = 0;
  int64_t deletion_vectors = 0;  // files given a new or larger deletion vector (merge-on-read)
};

struct MergeOptions {
  std::vector<std::string> keys;  // the columns identifying a row
  DataFileOptions files;
  CommitOptions commit;
  std::optional<std::pair<std::string, int64_t>> app_transaction;
  // Ledger entries committed with the rows (as TableWriteOptions::ledger).
  std::vector<std::pair<std::string, int64_t>> ledger;
  // Extra commitInfo operation parameters.
  std::map<std::string, std::string> parameters;
  // Source rows that delete their key instead of upserting it (WHEN MATCHED THEN DELETE; an
  // unmatched one does nothing). Not with the change data feed.
  std::function<bool(const columnar::Batch& batch, int64_t row)> is_delete;
};

struct MergeResult {
  CommitResult commit;
  int64_t rows_updated = 0;
  int64_t rows_inserted = 0;
  int64_t rows_deleted = 0;
  int64_t rows_copied = 0;
  int64_t files_total = 0;
  int64_t files_read = 0;
  int64_t files_removed = 0;
  int64_t files_added = 0;
  int64_t deletion_vectors = 0;  // files given a new or larger deletion vector (merge-on-read)
};

struct OptimizeResult {
  CommitResult commit;  // version -1 when there was nothing to compact
  int64_t files_removed = 0;
  int64_t files_added = 0;
  int64_t rows = 0;
};

struct PropertiesResult {
  CommitResult commit;  // version -1 when nothing changed (no commit)
  Protocol protocol;    // the table's protocol afterwards
  bool protocol_upgraded = false;
  std::map<std::string, std::string> configuration;  // the table's properties afterwards
};

struct VacuumOptions {
  // Keep every file a version of the last `retention_ms` references; nullopt: the table's
  // delta.deletedFileRetentionDuration (7 days by default). A shorter retention than the table's
  // is refused unless `allow_short_retention`: files a concurrent writer has written but not yet
  // committed look exactly like files nobody references.
  std::optional<int64_t> retention_ms;
  bool allow_short_retention = false;
  bool dry_run = false;
  int64_t now_ms = 0;  // 0 = the system clock (tests inject a clock)
};

struct VacuumResult {
  // Data and deletion vector files deleted (or, in a dry run, to be deleted): relative paths.
  std::vector<std::string> files;
  int64_t bytes = 0;
  // Leftovers of killed writers cleaned up (temporary files, multipart uploads), by path.
  std::vector<std::string> stale_writes;
  int64_t retention_ms = 0;        // the retention applied
  int64_t table_retention_ms = 0;  // the table's delta.deletedFileRetentionDuration
};

class DeltaTable {
 public:
  // Errors: InvalidArgument for an unsupported URI scheme.
  static Result<std::unique_ptr<DeltaTable>> Open(const std::string& uri);
  explicit DeltaTable(std::shared_ptr<const DeltaLog> log) : log_(std::move(log)) {}

  const std::shared_ptr<const DeltaLog>& log() const { return log_; }

  // Writes every batch of `source` (all batches share `input_schema`). Errors: SchemaMismatch for
  // incompatible input (the column and both types named), Conflict, I/O errors; AlreadyExists-like
  // InvalidArgument for kCreate on an existing table.
  Result<WriteResult> Write(const columnar::SchemaPtr& input_schema, const BatchSource& source,
                            const TableWriteOptions& options);

  // Deletes the rows matching `predicate`.
  Result<DeleteResult> Delete(const std::string& predicate, const DataFileOptions& files = {},
                              const CommitOptions& commit = {});

  // Upserts: every source row replaces the table row with the same key, or is inserted. The
  // source is held in memory (it is the change set, not the table). Errors: DataError for a key
  // that appears twice in the source or a null key (both name the key).
  Result<MergeResult> Merge(const columnar::SchemaPtr& source_schema, const BatchSource& source,
                            const MergeOptions& options);

  // Sets and removes table properties in one commit (SET TBLPROPERTIES), raising the protocol
  // when a property needs it (delta.enableDeletionVectors → reader 3 / writer 7, see
  // table_features.h). Errors: InvalidArgument for an unknown delta.* key or a bad value (naming
  // it), Conflict when the metadata changed concurrently.
  Result<PropertiesResult> SetProperties(const std::map<std::string, std::string>& set,
                                         const std::vector<std::string>& unset,
                                         const CommitOptions& commit = {});

  // Renames a column, or drops one, in a metadata-only commit (the data files stay as they are):
  // the table must map columns (delta.columnMapping.mode name or id, column_mapping.h). A dropped
  // column's values stay in the files but no reader sees them, and a column added later under
  // the same name starts empty. Errors: InvalidArgument when the table does not map columns, for
  // an unknown column, a name taken, a partition column or the only column dropped; Conflict.
  Result<CommitResult> RenameColumn(const std::string& from, const std::string& to,
                                    const CommitOptions& commit = {});
  Result<CommitResult> DropColumn(const std::string& name, const CommitOptions& commit = {});

  // Compacts, per partition, the files smaller than `target_file_bytes` into files of about that
  // size (dataChange=false: readers of the change feed see no change).
  Result<OptimizeResult> Optimize(int64_t target_file_bytes = 128ll << 20,
                                  const DataFileOptions& files = {},
                                  const CommitOptions& commit = {});

  // Deletes data files (and deletion vector files) no version inside the retention window
  // references: files removed longer than the retention ago, and files never committed that are
  // older than it; then aborts what killed writers left unfinished (temporary files, multipart
  // uploads) older than the retention. Errors: InvalidArgument for a retention below the
  // table's without `allow_short_retention`, naming both.
  Result<VacuumResult> Vacuum(const VacuumOptions& options);

 private:
  Result<CommitResult> ChangeSchema(const std::function<Status(Metadata*)>& change,
                                    const std::string& operation,
                                    std::map<std::string, std::string> parameters,
                                    const CommitOptions& commit);

  std::shared_ptr<const DeltaLog> log_;
};

}  // namespace sluice::lake

#include "sluice/lake/delta_table.h"

#include "sluice/lake/key_ranges.h"

#include <algorithm>
#include <cctype>
#include <unordered_map>
#include <unordered_set>

#include "sluice/columnar/take.h"
#include "sluice/columnar/value_formatter.h"
#include "sluice/columnar/widen.h"
#include "sluice/lake/change_data_feed.h"
#include "sluice/lake/column_mapping.h"
#include "sluice/lake/deletion_vector.h"
#include "sluice/lake/deletion_vector_writer.h"
#include "sluice/lake/delta_schema.h"
#include "sluice/lake/file_statistics.h"
#include "sluice/lake/key_ranges.h"
#include "sluice/lake/merge_keys.h"
#include "sluice/lake/table_features.h"
#include "sluice/lake/table_scan.h"

namespace sluice::lake {
namespace {

// The batch's columns rearranged into `table` order: missing columns as nulls, narrower types
// widened.
Result<columnar::BatchPtr> AlignBatch(const columnar::Batch& batch,
                                      const columnar::SchemaPtr& table) {
  for (const columnar::Field& field : batch.schema()->fields()) {
    if (!FindColumn(*table, field.name).has_value()) {
      return Status::SchemaMismatch("the input has a column " + field.name +
                                    " that its first rows did not show; give the input's columns "
                                    "up front (e.g. --schema) or write it in a separate append");
    }
  }
  std::vector<columnar::ColumnPtr> columns;
  columns.reserve(table->num_fields());
  for (const columnar::Field& field : table->fields()) {
    std::optional<size_t> index = FindColumn(*batch.schema(), field.name);
    if (!index.has_value()) {
      if (!field.nullable) {
        return Status::SchemaMismatch("column " + field.name +
                                      " is required (not nullable) and missing from the input");
      }
      columns.push_back(columnar::MakeNullColumn(field.type, batch.num_rows()));
      continue;
    }
    columnar::ColumnPtr column = batch.columns()[*index];
    if (!(column->type() == field.type)) {
      Result<columnar::ColumnPtr> widened = columnar::WidenColumn(column, field.type);
      if (!widened.ok()) return widened.status().WithContext("column " + field.name);
      column = std::move(widened).ValueUnsafe();
    }
    if (!field.nullable && column->null_count() > 0) {
      return Status::DataError("column " + field.name + " is not nullable but the input has " +
                               std::to_string(column->null_count()) + " null value(s)");
    }
    columns.push_back(std::move(column));
  }
  return std::make_shared<const columnar::Batch>(table, std::move(columns), batch.num_rows());
}

std::string JsonStringArray(const std::vector<std::string>& values) {
  std::string text = "[";
  for (size_t i = 0; i < values.size(); ++i) {
    if (i > 0) text += ',';
    columnar::AppendJsonString(values[i], &text);
  }
  return text + "]";
}

void DeleteFiles(io::FileSystem* fs, const std::string& root, const std::vector<AddFile>& adds) {
  for (const AddFile& add : adds) (void)fs->Delete(io::JoinPath(root, DecodeActionPath(add.path)));
}

// The file options for writing into `snapshot`'s table: its columns' physical names and ids.
DataFileOptions ForTable(DataFileOptions options, const Snapshot& snapshot) {
  options.physical_columns = snapshot.physical_columns;
  return options;
}

int64_t NowOr(int64_t now_ms) { return now_ms != 0 ? now_ms : CurrentTimeMs(); }

// Commits; on a definite failure (a conflict) the new files are deleted again. Other errors may
// leave the outcome unknown, so the files stay (VACUUM removes them if they were never committed).
Result<CommitResult> CommitOrCleanUp(Transaction* txn, const std::shared_ptr<const DeltaLog>& log,
                                     const std::vector<AddFile>& adds, const std::string& operation,
                                     std::map<std::string, std::string> parameters,
                                     std::map<std::string, std::string> metrics,
                                     const CommitOptions& options,
                                     const std::vector<std::string>& extra_files = {}) {
  Result<CommitResult> result =
      txn->Commit(operation, std::move(parameters), std::move(metrics), options);
  if ((!result.ok() && result.status().code() == StatusCode::kConflict) ||
      (result.ok() && result->already_committed)) {
    DeleteFiles(log->fs(), log->root(), adds);
    for (const std::string& path : extra_files) (void)log->fs()->Delete(path);
  }
  return result;
}

// delta.appendOnly=true tables take appends only: no overwrite, DELETE or MERGE.
Status CheckNotAppendOnly(const DeltaLog& log, const Snapshot& snapshot, const std::string& what) {
  auto append_only = snapshot.metadata.configuration.find("delta.appendOnly");
  if (append_only != snapshot.metadata.configuration.end() && append_only->second == "true") {
    return Status::InvalidArgument(log.root() + " is append-only (delta.appendOnly=true): rows " +
                                   "cannot be " + what + "; only appends are allowed");
  }
  return Status::OK();
}

// True when the table already holds `app_transaction` (or a later version of its appId).
bool AlreadyCommitted(const Snapshot& snapshot,
                      const std::optional<std::pair<std::string, int64_t>>& app_transaction) {
  if (!app_transaction.has_value()) return false;
  const std::optional<int64_t> committed = snapshot.TransactionVersion(app_transaction->first);
  return committed.has_value() && *committed >= app_transaction->second;
}

Status CheckPartitionColumns(const columnar::Schema& schema,
                             const std::vector<std::string>& partition_by) {
  for (const std::string& name : partition_by) {
    std::optional<size_t> index = schema.FieldIndex(name);
    if (!index.has_value()) {
      return Status::InvalidArgument("partition column '" + name + "' is not in the input (" +
                                     schema.ToString() + ")");
    }
    const columnar::TypeId type = schema.field(*index).type.id();
    if (type == columnar::TypeId::kBinary || type == columnar::TypeId::kJson ||
        type == columnar::TypeId::kFloat64) {
      return Status::InvalidArgument("cannot partition by " + name + " of type " +
                                     schema.field(*index).type.ToString() +
                                     " (use a date, string, integer, boolean or decimal column)");
    }
  }
  if (partition_by.size() == schema.num_fields() && !schema.fields().empty()) {
    return Status::InvalidArgument(
        "cannot partition by every column: data files need at least "
        "one column that is not a partition column");
  }
  return Status::OK();
}

// Reads one file of the table whole, as batches in the table schema.
Result<std::vector<columnar::BatchPtr>> ReadFile(const std::shared_ptr<const DeltaLog>& log,
                                                 const SnapshotPtr& snapshot,
                                                 const std::string& path) {
  TableScanOptions options;
  options.files = {path};
  SLUICE_ASSIGN_OR_RETURN(auto scan, TableScan::Open(log, snapshot, options));
  std::vector<columnar::BatchPtr> batches;
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(columnar::BatchPtr batch, scan->Next());
    if (batch == nullptr) break;
    batches.push_back(std::move(batch));
  }
  return batches;
}

// Closes the writer's files and adds them to `txn`; on failure deletes every file written.
// `copies`: the files hold rows copied unchanged out of files the commit removes (kCopiedRowsTag).
Result<std::vector<AddFile>> FinishInto(DataFileWriter* writer, Transaction* txn,
                                        bool copies = false) {
  Result<std::vector<AddFile>> adds = writer->Finish();
  if (!adds.ok()) {
    writer->Abort();
    return adds.status();
  }
  for (AddFile& add : *adds) {
    if (copies) {
      if (!add.tags) add.tags.emplace();
      (*add.tags)[kCopiedRowsTag] = "true";
    }
    txn->Add(add);
  }
  return adds;
}

// Closes the change data files into `txn` (cdc actions); their absolute paths join `written`.
Status FinishChangeData(ChangeDataWriter* change_data, const std::string& root, Transaction* txn,
                        std::vector<std::string>* written) {
  Result<std::vector<CdcFile>> files = change_data->Finish();
  if (!files.ok()) {
    change_data->Abort();
    return files.status();
  }
  for (CdcFile& file : *files) {
    written->push_back(io::JoinPath(root, DecodeActionPath(file.path)));
    txn->AddChangeData(std::move(file));
  }
  return Status::OK();
}

// Closes what a DELETE or MERGE writes besides data files — change data files and deletion
// vectors — into `txn`; their paths join `written` (deleted again if the commit fails for good).
// On failure the operation's new data files `adds` are deleted too.
Status FinishSideFiles(const DeltaLog& log, ChangeDataWriter* change_data,
                       DeletionVectorWriter* vectors, int64_t now_ms,
                       const std::vector<AddFile>& adds, Transaction* txn,
                       std::vector<std::string>* written, DeletionVectorCounts* counts) {
  Status status;
  if (change_data != nullptr) status = FinishChangeData(change_data, log.root(), txn, written);
  if (status.ok() && !vectors->empty()) {
    Result<DeletionVectorCounts> finished = vectors->Finish(now_ms, txn);
    status = finished.status();
    if (finished.ok()) *counts = *finished;
    if (!vectors->written_path().empty()) written->push_back(vectors->written_path());
  }
  if (!status.ok()) {
    DeleteFiles(log.fs(), log.root(), adds);
    for (const std::string& path : *written) (void)log.fs()->Delete(path);
  }
  return status;
}

// Marks, for each row of a batch, whether the row goes (1) or stays (0).
using RowDropper = std::function<Status(const columnar::Batch&, std::vector<uint8_t>*)>;

// Where the rows a DELETE or MERGE changes are recorded as `change_type`: the change data feed,
// when it is on (a null writer records nothing).
struct ChangeRecorder {
  ChangeDataWriter* changes = nullptr;
  std::string_view change_type;
  Status Record(const columnar::Batch& batch, const std::vector<int64_t>& rows) const {
    if (changes == nullptr || rows.empty()) return Status::OK();
    return changes->Write(*columnar::TakeRows(batch, rows), change_type);
  }
};

// Copy-on-write of one live file: reads it and drops the rows `drop` marks. When any row goes,
// the file is removed in `txn` and its remaining rows are written to `writer` (counted in
// *rows_copied); otherwise the file stays as it is. Returns the rows dropped.
Result<int64_t> RewriteWithout(const std::shared_ptr<const DeltaLog>& log,
                               const SnapshotPtr& snapshot, const FileKey& key, const AddFile& add,
                               const RowDropper& drop, const ChangeRecorder& dropped_rows,
                               int64_t now_ms, Transaction* txn, DataFileWriter* writer,
                               int64_t* rows_copied) {
  txn->MarkFileRead(key);
  SLUICE_ASSIGN_OR_RETURN(std::vector<columnar::BatchPtr> batches,
                          ReadFile(log, snapshot, key.path));
  int64_t dropped = 0;
  std::vector<columnar::BatchPtr> kept;
  std::vector<uint8_t> marks;
  std::vector<int64_t> gone;
  for (const columnar::BatchPtr& batch : batches) {
    SLUICE_RETURN_NOT_OK(drop(*batch, &marks));
    std::vector<int64_t> keep;
    keep.reserve(static_cast<size_t>(batch->num_rows()));
    gone.clear();
    for (int64_t row = 0; row < batch->num_rows(); ++row) {
      (marks[static_cast<size_t>(row)] == 0 ? keep : gone).push_back(row);
    }
    SLUICE_RETURN_NOT_OK(dropped_rows.Record(*batch, gone));
    dropped += batch->num_rows() - static_cast<int64_t>(keep.size());
    if (keep.size() == static_cast<size_t>(batch->num_rows())) {
      kept.push_back(batch);
    } else if (!keep.empty()) {
      kept.push_back(columnar::TakeRows(*batch, keep));
    }
  }
  if (dropped == 0) return dropped;  // read, but untouched
  txn->Remove(RemoveOf(add, now_ms, /*data_change=*/true));
  writer->SetFileTags({{kCopiedFromTag, key.path}});
  for (const columnar::BatchPtr& batch : kept) {
    *rows_copied += batch->num_rows();
    SLUICE_RETURN_NOT_OK(writer->Write(*batch));
  }
  // One file's rows per new file: copies of files of different days (or key ranges) kept apart
  // keep their statistics narrow, so later reads and merges still prune them.
  SLUICE_RETURN_NOT_OK(writer->CloseOpenFiles());
  writer->SetFileTags({});
  return dropped;
}

// Merge-on-read of one live file: marks the rows `drop` selects, among the rows the file still
// holds, in a new deletion vector (the old one's rows and the new ones) handed to `vectors`; the
// data file stays as it is. Returns the rows newly marked.
Result<int64_t> MarkWithout(const std::shared_ptr<const DeltaLog>& log, const SnapshotPtr& snapshot,
                            const FileKey& key, const AddFile& add, const RowDropper& drop,
                            const ChangeRecorder& dropped_rows, Transaction* txn,
                            DeletionVectorWriter* vectors) {
  txn->MarkFileRead(key);
  DeletionBitmap deleted;
  if (add.deletion_vector.has_value()) {
    SLUICE_ASSIGN_OR_RETURN(
        deleted, ReadDeletionVector(log->fs(), log->root(), *add.deletion_vector, key.path));
  }
  TableScanOptions options;
  options.files = {key.path};
  options.skip_deleted_rows = false;
  SLUICE_ASSIGN_OR_RETURN(auto scan, TableScan::Open(log, snapshot, options));
  int64_t position = 0;
  int64_t marked = 0;
  std::vector<uint8_t> marks;
  std::vector<int64_t> live;
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(columnar::BatchPtr batch, scan->Next());
    if (batch == nullptr) break;
    // Only the rows the file still holds are offered to `drop`.
    live.clear();
    for (int64_t row = 0; row < batch->num_rows(); ++row) {
      if (!deleted.Contains(static_cast<uint64_t>(position + row))) live.push_back(row);
    }
    if (!live.empty()) {
      const columnar::BatchPtr rows = static_cast<int64_t>(live.size()) == batch->num_rows()
                                          ? batch
                                          : columnar::TakeRows(*batch, live);
      SLUICE_RETURN_NOT_OK(drop(*rows, &marks));
      std::vector<int64_t> gone;
      for (size_t i = 0; i < live.size(); ++i) {
        if (marks[i] == 0) continue;
        deleted.Add(static_cast<uint64_t>(position + live[i]));
        gone.push_back(static_cast<int64_t>(i));
        ++marked;
      }
      SLUICE_RETURN_NOT_OK(dropped_rows.Record(*rows, gone));
    }
    position += batch->num_rows();
  }
  if (marked > 0) vectors->Add(add, std::move(deleted), position);
  return marked;
}

// Whether DELETE and MERGE mark rows in deletion vectors instead of rewriting files.
bool WritesDeletionVectors(const Snapshot& snapshot) {
  return DeletionVectorsEnabled(snapshot.metadata) &&
         SupportsWriterFeature(snapshot.protocol, "deletionVectors");
}

// The writers a DELETE or MERGE uses on `snapshot`'s table: the rows kept of rewritten files
// (copy-on-write), MERGE's source rows in files of their own (so that a reader of what a commit
// added finds the new rows apart from the old ones copied around them), deletion vectors
// (merge-on-read) and, when the change feed is on, change data files.
struct RewriteWriters {
  RewriteWriters(const std::shared_ptr<const DeltaLog>& log, const Snapshot& snapshot,
                 const DataFileOptions& options)
      : files(ForTable(options, snapshot)),
        data(log->shared_fs(), log->root(), snapshot.schema, snapshot.metadata.partition_columns,
             files),
        source(log->shared_fs(), log->root(), snapshot.schema, snapshot.metadata.partition_columns,
               files),
        vectors(log->shared_fs(), log->root()),
        merge_on_read(WritesDeletionVectors(snapshot)) {
    if (WritesChangeData(snapshot)) {
      change_data.emplace(log->shared_fs(), log->root(), snapshot.schema,
                          snapshot.metadata.partition_columns, files);
    }
  }
  // The change data writer, or nullptr when the feed is off.
  ChangeDataWriter* changes() { return change_data ? &*change_data : nullptr; }
  // Deletes every file written so far (before a commit that will not happen).
  void Abort() {
    data.Abort();
    source.Abort();
    AbortChangeData();
  }
  void AbortChangeData() {
    if (change_data) change_data->Abort();
  }

  DataFileOptions files;
  DataFileWriter data;
  DataFileWriter source;
  DeletionVectorWriter vectors;
  bool merge_on_read;
  std::optional<ChangeDataWriter> change_data;
};

void AddDeletionVectorMetrics(const DeletionVectorCounts& counts,
                              std::map<std::string, std::string>* metrics) {
  (*metrics)["numDeletionVectorsAdded"] = std::to_string(counts.added + counts.updated);
  (*metrics)["numDeletionVectorsRemoved"] = std::to_string(counts.updated + counts.files_removed);
  (*metrics)["numDeletionVectorsUpdated"] = std::to_string(counts.updated);
}

}  // namespace

Result<std::unique_ptr<DeltaTable>> DeltaTable::Open(const std::string& uri) {
  SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<DeltaLog> log, DeltaLog::Open(uri));
  return std::make_unique<DeltaTable>(std::move(log));
}

Result<WriteResult> DeltaTable::Write(const columnar::SchemaPtr& input_schema,
                                      const BatchSource& source, const TableWriteOptions& options) {
  SnapshotPtr snapshot = options.read_snapshot;
  if (snapshot == nullptr) {
    SLUICE_ASSIGN_OR_RETURN(snapshot, log_->Load());
  }
  WriteResult result;
  if (snapshot->exists() && options.mode == WriteMode::kCreate) {
    return Status::InvalidArgument(log_->root() + " already exists (version " +
                                   std::to_string(snapshot->version) +
                                   "); use append or overwrite");
  }
  if (snapshot->exists()) SLUICE_RETURN_NOT_OK(DeltaLog::CheckWritable(*snapshot));
  if (AlreadyCommitted(*snapshot, options.app_transaction)) {
    result.commit.already_committed = true;
    result.commit.version = snapshot->version;
    return result;
  }
  const bool overwrite = options.mode == WriteMode::kOverwrite && snapshot->exists();
  if (overwrite) SLUICE_RETURN_NOT_OK(CheckNotAppendOnly(*log_, *snapshot, "overwritten"));
  const int64_t now_ms = NowOr(options.commit.now_ms);
  std::optional<Metadata> new_metadata;
  columnar::SchemaPtr table_schema;
  std::vector<std::string> partition_columns;
  const bool new_shape =
      !snapshot->exists() ||
      (overwrite && !(*snapshot->schema == *input_schema &&
                      (options.partition_by.empty() ||
                       options.partition_by == snapshot->metadata.partition_columns)));
  if (new_shape) {
    SLUICE_RETURN_NOT_OK(CheckPartitionColumns(*input_schema, options.partition_by));
    Metadata metadata;
    metadata.id = snapshot->exists() ? snapshot->metadata.id : NewUUID();
    metadata.schema_string = DeltaSchemaString(*input_schema);
    metadata.partition_columns = options.partition_by;
    metadata.configuration =
        snapshot->exists() ? snapshot->metadata.configuration : options.configuration;
    metadata.created_time = snapshot->exists() ? snapshot->metadata.created_time : now_ms;
    if (snapshot->exists()) {
      // Ids keep counting up across the replaced schema: old files never match a new column.
      auto max_id = snapshot->metadata.configuration.find(std::string(kMaxColumnIdKey));
      if (max_id != snapshot->metadata.configuration.end()) {
        metadata.configuration[max_id->first] = max_id->second;
      }
    }
    SLUICE_RETURN_NOT_OK(AssignColumnMapping(&metadata, /*keep_names=*/false));
    table_schema = input_schema;
    partition_columns = metadata.partition_columns;
    new_metadata = std::move(metadata);
    result.created = !snapshot->exists();
  } else {
    std::vector<columnar::Field> new_fields;
    SLUICE_RETURN_NOT_OK(CheckAppendCompatible(*snapshot->schema, *input_schema,
                                               options.allow_new_columns, &new_fields)
                             .WithContext(log_->root()));
    partition_columns = snapshot->metadata.partition_columns;
    if (new_fields.empty()) {
      table_schema = snapshot->schema;
    } else {
      Metadata metadata = snapshot->metadata;
      SLUICE_ASSIGN_OR_RETURN(metadata.schema_string,
                              AddColumnsToSchemaString(metadata.schema_string, new_fields));
      SLUICE_RETURN_NOT_OK(AssignColumnMapping(&metadata, /*keep_names=*/false));
      std::vector<columnar::Field> fields = snapshot->schema->fields();
      for (const columnar::Field& field : new_fields) {
        fields.push_back(field);
        result.new_columns.push_back(field.name);
      }
      table_schema = std::make_shared<const columnar::Schema>(std::move(fields));
      new_metadata = std::move(metadata);
    }
  }

  const Metadata& table_metadata = new_metadata ? *new_metadata : snapshot->metadata;
  DataFileOptions file_options = options.files;
  SLUICE_ASSIGN_OR_RETURN(file_options.physical_columns, PhysicalColumnsOf(table_metadata));
  DataFileWriter writer(log_->shared_fs(), log_->root(), table_schema, partition_columns,
                        file_options);
  while (true) {
    Result<columnar::BatchPtr> batch = source();
    if (!batch.ok()) {
      writer.Abort();
      return batch.status();
    }
    if (*batch == nullptr) break;
    Result<columnar::BatchPtr> aligned = AlignBatch(**batch, table_schema);
    Status status = aligned.ok() ? writer.Write(**aligned) : aligned.status();
    if (!status.ok()) {
      writer.Abort();
      return status.WithContext(log_->root());
    }
  }
  Transaction txn(log_, snapshot);
  SLUICE_ASSIGN_OR_RETURN(std::vector<AddFile> adds, FinishInto(&writer, &txn));
  if (!snapshot->exists()) {
    Protocol protocol;
    protocol.min_reader_version = kReaderVersion;
    protocol.min_writer_version = kWriterVersion;
    txn.UpdateProtocol(RequiredProtocol(protocol, new_metadata->configuration));
  }
  if (new_metadata.has_value()) txn.UpdateMetadata(*new_metadata);
  if (overwrite) {
    for (const auto& [key, add] : snapshot->files) {
      txn.Remove(RemoveOf(add, now_ms, /*data_change=*/true));
      txn.MarkFileRead(key);
    }
    txn.SetReadPredicate([](const AddFile&) { return true; });
    result.files_removed = static_cast<int64_t>(snapshot->files.size());
  }
  if (options.app_transaction.has_value()) {
    txn.SetApplicationTransaction(options.app_transaction->first, options.app_transaction->second);
  }
  for (const auto& [app_id, version] : options.ledger) {
    txn.RecordApplicationTransaction(app_id, version);
  }
  if (options.ledger_after_rows) {
    for (const auto& [app_id, version] : options.ledger_after_rows()) {
      txn.RecordApplicationTransaction(app_id, version);
    }
  }
  result.rows = writer.rows_written();
  result.files_added = static_cast<int64_t>(adds.size());
  result.bytes_added = writer.bytes_written();
  if (options.before_commit) {
    Status status = options.before_commit(result);
    if (!status.ok()) {
      DeleteFiles(log_->fs(), log_->root(), adds);
      return status;
    }
  }
  std::map<std::string, std::string> parameters = options.parameters;
  parameters["mode"] = options.mode == WriteMode::kOverwrite ? "Overwrite"
                       : options.mode == WriteMode::kCreate  ? "ErrorIfExists"
                                                             : "Append";
  parameters["partitionBy"] = JsonStringArray(partition_columns);
  std::map<std::string, std::string> metrics = {
      {"numFiles", std::to_string(result.files_added)},
      {"numOutputRows", std::to_string(result.rows)},
      {"numOutputBytes", std::to_string(result.bytes_added)}};
  SLUICE_ASSIGN_OR_RETURN(result.commit,
                          CommitOrCleanUp(&txn, log_, adds, "WRITE", std::move(parameters),
                                          std::move(metrics), options.commit));
  // A creation that lost the race to an identical one became an append.
  result.created = result.created && result.commit.version == 0;
  return result;
}

Result<DeleteResult> DeltaTable::Delete(const std::string& predicate_text,
                                        const DataFileOptions& file_options,
                                        const CommitOptions& commit_options) {
  SLUICE_ASSIGN_OR_RETURN(SnapshotPtr snapshot, log_->Load());
  if (!snapshot->exists()) return Status::NotFound(log_->root() + " is not a Delta table");
  SLUICE_RETURN_NOT_OK(DeltaLog::CheckWritable(*snapshot));
  SLUICE_RETURN_NOT_OK(CheckNotAppendOnly(*log_, *snapshot, "deleted"));
  SLUICE_ASSIGN_OR_RETURN(RowPredicate predicate,
                          RowPredicate::Parse(predicate_text, *snapshot->schema));
  const int64_t now_ms = NowOr(commit_options.now_ms);
  DeleteResult result;
  result.files_total = static_cast<int64_t>(snapshot->files.size());
  RewriteWriters rewrite(log_, *snapshot, file_options);
  const ChangeRecorder deleted_rows{rewrite.changes(), "delete"};
  Transaction txn(log_, snapshot);
  const RowDropper matching = [&predicate](const columnar::Batch& batch,
                                           std::vector<uint8_t>* marks) {
    return predicate.Evaluate(batch, marks);
  };
  for (const auto& [key, add] : snapshot->files) {
    if (!predicate.MayMatch(add, *snapshot)) {
      continue;
    }
    ++result.files_read;
    Result<int64_t> deleted =
        rewrite.merge_on_read
            ? MarkWithout(log_, snapshot, key, add, matching, deleted_rows, &txn, &rewrite.vectors)
            : RewriteWithout(log_, snapshot, key, add, matching, deleted_rows, now_ms, &txn,
                             &rewrite.data, &result.rows_copied);
    if (!deleted.ok()) {
      rewrite.Abort();
      return deleted.status();
    }
    result.rows_deleted += *deleted;
    result.files_removed += *deleted > 0 && !rewrite.merge_on_read ? 1 : 0;
  }
  SLUICE_ASSIGN_OR_RETURN(std::vector<AddFile> adds,
                          FinishInto(&rewrite.data, &txn, /*copies=*/true));
  if (result.rows_deleted == 0) {
    rewrite.AbortChangeData();
    result.commit.version = -1;
    return result;
  }
  std::vector<std::string> extra_files;
  DeletionVectorCounts counts;
  SLUICE_RETURN_NOT_OK(FinishSideFiles(*log_, rewrite.changes(), &rewrite.vectors, now_ms, adds,
                                       &txn, &extra_files, &counts));
  result.deletion_vectors = counts.added + counts.updated;
  result.files_removed += counts.files_removed;
  result.files_added = static_cast<int64_t>(adds.size());
  const std::shared_ptr<const Snapshot> read_snapshot = snapshot;
  txn.SetReadPredicate([predicate, read_snapshot](const AddFile& add) {
    return predicate.MayMatch(add, *read_snapshot);
  });
  std::map<std::string, std::string> parameters = {
      {"predicate", JsonStringArray({predicate.text()})}};
  std::map<std::string, std::string> metrics = {
      {"numDeletedRows", std::to_string(result.rows_deleted)},
      {"numCopiedRows", std::to_string(result.rows_copied)},
      {"numRemovedFiles", std::to_string(result.files_removed)},
      {"numAddedFiles", std::to_string(result.files_added)},
      {"numFilesRead", std::to_string(result.files_read)}};
  AddDeletionVectorMetrics(counts, &metrics);
  SLUICE_ASSIGN_OR_RETURN(result.commit,
                          CommitOrCleanUp(&txn, log_, adds, "DELETE", std::move(parameters),
                                          std::move(metrics), commit_options, extra_files));
  return result;
}

namespace {

// A MERGE's source: its keys (each once, none null), the sorted key values that decide which
// files may hold them, and its rows aligned to the table schema — written straight to `writer`
// as they come when one is given (memory: the keys), else held (the change data feed needs them
// once the matches are known).
struct ChangeSet {
  std::vector<columnar::BatchPtr> batches;  // held rows (no writer)
  MergeKeys keys;
  KeyRanges ranges;
  int64_t rows = 0;
  MergeKeys deletes;  // the keys of rows that delete (MergeOptions::is_delete)
  int64_t delete_rows = 0;
};

Result<ChangeSet> ReadChangeSet(const BatchSource& source, const columnar::SchemaPtr& schema,
                                const std::vector<size_t>& key_indices,
                                const std::vector<std::string>& key_names, DataFileWriter* writer,
                                const MergeOptions& options) {
  ChangeSet set{{}, MergeKeys(*schema, key_indices), KeyRanges(key_names),
                0,  MergeKeys(*schema, key_indices), 0};
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(columnar::BatchPtr batch, source());
    if (batch == nullptr) break;
    SLUICE_ASSIGN_OR_RETURN(columnar::BatchPtr aligned, AlignBatch(*batch, schema));
    for (int64_t row = 0; row < aligned->num_rows(); ++row) {
      const MergeKeys::Added added = set.keys.Add(*aligned, row);
      if (added == MergeKeys::Added::kNull) {
        return Status::DataError("merge source row " + std::to_string(set.rows + row + 1) +
                                 " has a null key");
      }
      if (added == MergeKeys::Added::kDuplicate) {
        return Status::DataError("merge source has the key (" + set.keys.Describe(*aligned, row) +
                                 ") more than once; each target row may be updated by one "
                                 "source row only");
      }
      set.ranges.AddRow(*aligned, key_indices, row);
    }
    set.rows += aligned->num_rows();
    if (options.is_delete) {
      std::vector<int64_t> upserts;
      for (int64_t row = 0; row < aligned->num_rows(); ++row) {
        if (options.is_delete(*aligned, row)) {
          set.deletes.Add(*aligned, row);
          ++set.delete_rows;
        } else {
          upserts.push_back(row);
        }
      }
      if (static_cast<int64_t>(upserts.size()) != aligned->num_rows()) {
        aligned = columnar::TakeRows(*aligned, upserts);
      }
    }
    if (writer != nullptr) {
      SLUICE_RETURN_NOT_OK(writer->Write(*aligned));
    } else {
      set.batches.push_back(std::move(aligned));
    }
  }
  if (std::optional<std::string> twice = set.keys.Seal()) {
    return Status::DataError("merge source has the key (" + *twice +
                             ") more than once; each target row may be updated by one source "
                             "row only");
  }
  set.ranges.Seal();
  set.deletes.Seal();
  return set;
}

// Whether the live rows of one file hold a key of `keys`, judged from its key columns alone: a
// file whose statistics only may hold one is read this way before it is rewritten.
Result<bool> HoldsAnyKey(const std::shared_ptr<const DeltaLog>& log, const SnapshotPtr& snapshot,
                         const std::string& path, const std::vector<std::string>& key_names,
                         const MergeKeys& keys) {
  TableScanOptions options;
  options.files = {path};
  options.columns = key_names;
  SLUICE_ASSIGN_OR_RETURN(auto scan, TableScan::Open(log, snapshot, options));
  std::vector<size_t> at(key_names.size());
  for (size_t k = 0; k < at.size(); ++k) at[k] = k;
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(columnar::BatchPtr batch, scan->Next());
    if (batch == nullptr) return false;
    for (int64_t row = 0; row < batch->num_rows(); ++row) {
      if (keys.Contains(*batch, row, &at)) return true;
    }
  }
}

// The commitInfo's operationMetrics of a MERGE, as Delta's writers name them.
std::map<std::string, std::string> MergeMetrics(const MergeResult& result, int64_t source_rows) {
  return {{"numSourceRows", std::to_string(source_rows)},
          {"numTargetRowsUpdated", std::to_string(result.rows_updated)},
          {"numTargetRowsInserted", std::to_string(result.rows_inserted)},
          {"numTargetRowsDeleted", std::to_string(result.rows_deleted)},
          {"numTargetRowsCopied", std::to_string(result.rows_copied)},
          {"numTargetFilesRemoved", std::to_string(result.files_removed)},
          {"numTargetFilesAdded", std::to_string(result.files_added)},
          {"numTargetFilesRead", std::to_string(result.files_read)}};
}

}  // namespace

Result<MergeResult> DeltaTable::Merge(const columnar::SchemaPtr& source_schema,
                                      const BatchSource& source, const MergeOptions& options) {
  SLUICE_ASSIGN_OR_RETURN(SnapshotPtr snapshot, log_->Load());
  if (!snapshot->exists()) return Status::NotFound(log_->root() + " is not a Delta table");
  SLUICE_RETURN_NOT_OK(DeltaLog::CheckWritable(*snapshot));
  MergeResult result;
  if (AlreadyCommitted(*snapshot, options.app_transaction)) {
    result.commit.already_committed = true;
    result.commit.version = snapshot->version;
    return result;
  }
  SLUICE_RETURN_NOT_OK(CheckNotAppendOnly(*log_, *snapshot, "updated by MERGE"));
  if (options.keys.empty()) return Status::InvalidArgument("merge needs at least one key column");
  std::vector<columnar::Field> new_fields;
  SLUICE_RETURN_NOT_OK(CheckAppendCompatible(*snapshot->schema, *source_schema,
                                             /*allow_new_columns=*/false, &new_fields)
                           .WithContext(log_->root()));
  std::vector<size_t> key_indices;
  for (const std::string& key : options.keys) {
    std::optional<size_t> index = snapshot->schema->FieldIndex(key);
    if (!index.has_value() || !FindColumn(*source_schema, key).has_value()) {
      return Status::InvalidArgument("merge key '" + key +
                                     "' must be a column of both the table and the source");
    }
    key_indices.push_back(*index);
  }
  const int64_t now_ms = NowOr(options.commit.now_ms);
  result.files_total = static_cast<int64_t>(snapshot->files.size());
  RewriteWriters rewrite(log_, *snapshot, options.files);
  // Without a change data feed the source rows go to their files as they are read.
  if (options.is_delete && rewrite.changes() != nullptr) {
    rewrite.Abort();
    return Status::InvalidArgument(log_->root() +
                                   ": a merge that deletes rows cannot record the change data "
                                   "feed yet (delta.enableChangeDataFeed)");
  }
  Result<ChangeSet> read =
      ReadChangeSet(source, snapshot->schema, key_indices, options.keys,
                    rewrite.changes() == nullptr ? &rewrite.source : nullptr, options);
  if (!read.ok()) {
    rewrite.Abort();
    return read.status();
  }
  ChangeSet& change_set = *read;
  std::vector<columnar::BatchPtr>& changes = change_set.batches;
  const MergeKeys& source_keys = change_set.keys;
  const KeyRanges& ranges = change_set.ranges;
  const int64_t source_rows = change_set.rows;
  const ChangeRecorder replaced_rows{rewrite.changes(), "update_preimage"};
  Transaction txn(log_, snapshot);
  MergeKeys matched_keys(*snapshot->schema, key_indices);
  auto fail = [&](const Status& status) {
    rewrite.Abort();
    return status;
  };
  const RowDropper matched_rows = [&](const columnar::Batch& batch, std::vector<uint8_t>* marks) {
    marks->assign(static_cast<size_t>(batch.num_rows()), 0);
    for (int64_t row = 0; row < batch.num_rows(); ++row) {
      if (source_keys.Contains(batch, row)) {
        matched_keys.Add(batch, row);
        (*marks)[static_cast<size_t>(row)] = 1;
        if (change_set.delete_rows > 0 && change_set.deletes.Contains(batch, row)) {
          ++result.rows_deleted;
        }
      }
    }
    return Status::OK();
  };
  for (const auto& [file_key, add] : snapshot->files) {
    if (source_keys.empty() || !ranges.MayContain(add, *snapshot)) continue;
    ++result.files_read;
    Result<bool> holds = HoldsAnyKey(log_, snapshot, file_key.path, options.keys, source_keys);
    if (!holds.ok()) return fail(holds.status());
    if (!*holds) {
      txn.MarkFileRead(file_key);
      continue;
    }
    Result<int64_t> matched =
        rewrite.merge_on_read
            ? MarkWithout(log_, snapshot, file_key, add, matched_rows, replaced_rows, &txn,
                          &rewrite.vectors)
            : RewriteWithout(log_, snapshot, file_key, add, matched_rows, replaced_rows, now_ms,
                             &txn, &rewrite.data, &result.rows_copied);
    if (!matched.ok()) return fail(matched.status());
    result.rows_updated += *matched;
    result.files_removed += *matched > 0 && !rewrite.merge_on_read ? 1 : 0;
  }
  matched_keys.Seal();  // a key the table holds twice counts once
  for (const columnar::BatchPtr& batch : changes) {
    Status status = rewrite.source.Write(*batch);
    if (status.ok() && rewrite.changes() != nullptr) {
      // The source rows as the change feed sees them: new values of matched keys, inserts.
      std::vector<int64_t> updated;
      std::vector<int64_t> inserted;
      for (int64_t row = 0; row < batch->num_rows(); ++row) {
        (matched_keys.Contains(*batch, row) ? updated : inserted).push_back(row);
      }
      status = ChangeRecorder{rewrite.changes(), "update_postimage"}.Record(*batch, updated);
      if (status.ok())
        status = ChangeRecorder{rewrite.changes(), "insert"}.Record(*batch, inserted);
    }
    if (!status.ok()) return fail(status);
  }
  result.rows_updated -= result.rows_deleted;
  result.rows_inserted = source_rows - change_set.delete_rows -
                         (static_cast<int64_t>(matched_keys.size()) - result.rows_deleted);
  SLUICE_ASSIGN_OR_RETURN(std::vector<AddFile> adds,
                          FinishInto(&rewrite.data, &txn, /*copies=*/true));
  Result<std::vector<AddFile>> source_adds = FinishInto(&rewrite.source, &txn);
  if (!source_adds.ok()) {
    rewrite.data.Abort();
    return source_adds.status();
  }
  adds.insert(adds.end(), source_adds->begin(), source_adds->end());
  result.files_added = static_cast<int64_t>(adds.size());
  std::vector<std::string> extra_files;
  DeletionVectorCounts counts;
  SLUICE_RETURN_NOT_OK(FinishSideFiles(*log_, rewrite.changes(), &rewrite.vectors, now_ms, adds,
                                       &txn, &extra_files, &counts));
  result.deletion_vectors = counts.added + counts.updated;
  result.files_removed += counts.files_removed;
  if (options.app_transaction.has_value()) {
    txn.SetApplicationTransaction(options.app_transaction->first, options.app_transaction->second);
  }
  for (const auto& [app_id, version] : options.ledger) {
    txn.RecordApplicationTransaction(app_id, version);
  }
  const std::shared_ptr<const Snapshot> read_snapshot = snapshot;
  auto shared_ranges = std::make_shared<KeyRanges>(std::move(ranges));
  txn.SetReadPredicate([shared_ranges, read_snapshot](const AddFile& add) {
    return shared_ranges->MayContain(add, *read_snapshot);
  });
  std::map<std::string, std::string> parameters = {
      {"predicate", JsonStringArray(options.keys)},
      {"matchedPredicates", "[{\"actionType\":\"update\"}]"},
      {"notMatchedPredicates", "[{\"actionType\":\"insert\"}]"}};
  parameters.insert(options.parameters.begin(), options.parameters.end());
  std::map<std::string, std::string> metrics = MergeMetrics(result, source_rows);
  AddDeletionVectorMetrics(counts, &metrics);
  SLUICE_ASSIGN_OR_RETURN(result.commit,
                          CommitOrCleanUp(&txn, log_, adds, "MERGE", std::move(parameters),
                                          std::move(metrics), options.commit, extra_files));
  return result;
}

Result<PropertiesResult> DeltaTable::SetProperties(const std::map<std::string, std::string>& set,
                                                   const std::vector<std::string>& unset,
                                                   const CommitOptions& commit_options) {
  for (const auto& [key, value] : set) SLUICE_RETURN_NOT_OK(CheckTableProperty(key, value));
  SLUICE_ASSIGN_OR_RETURN(SnapshotPtr snapshot, log_->Load());
  if (!snapshot->exists()) return Status::NotFound(log_->root() + " is not a Delta table");
  SLUICE_RETURN_NOT_OK(DeltaLog::CheckWritable(*snapshot));
  Metadata metadata = snapshot->metadata;
  for (const std::string& key : unset) {
    if (metadata.configuration.erase(key) == 0) {
      return Status::InvalidArgument(log_->root() + " has no property '" + key + "' to unset");
    }
  }
  for (const auto& [key, value] : set) metadata.configuration[key] = value;
  SLUICE_RETURN_NOT_OK(
      ChangeColumnMapping(snapshot->metadata, &metadata).WithContext(log_->root()));
  PropertiesResult result;
  result.protocol = RequiredProtocol(snapshot->protocol, metadata.configuration);
  result.protocol_upgraded = !(result.protocol == snapshot->protocol);
  result.configuration = metadata.configuration;
  if (metadata == snapshot->metadata && !result.protocol_upgraded) {
    result.commit.version = -1;
    return result;
  }
  Transaction txn(log_, snapshot);
  if (result.protocol_upgraded) txn.UpdateProtocol(result.protocol);
  txn.UpdateMetadata(std::move(metadata));
  std::string properties = "{";
  for (const auto& [key, value] : set) {
    if (properties.size() > 1) properties += ',';
    columnar::AppendJsonString(key, &properties);
    properties += ':';
    columnar::AppendJsonString(value, &properties);
  }
  properties += "}";
  std::map<std::string, std::string> parameters = {{"properties", properties}};
  if (!unset.empty()) parameters["unset"] = JsonStringArray(unset);
  SLUICE_ASSIGN_OR_RETURN(
      result.commit,
      txn.Commit(unset.empty() || !set.empty() ? "SET TBLPROPERTIES" : "UNSET TBLPROPERTIES",
                 std::move(parameters), {}, commit_options));
  return result;
}

Result<CommitResult> DeltaTable::RenameColumn(const std::string& from, const std::string& to,
                                              const CommitOptions& commit) {
  return ChangeSchema([&](Metadata* metadata) { return lake::RenameColumn(metadata, from, to); },
                      "RENAME COLUMN", {{"oldColumnPath", from}, {"newColumnPath", to}}, commit);
}

Result<CommitResult> DeltaTable::DropColumn(const std::string& name, const CommitOptions& commit) {
  return ChangeSchema([&](Metadata* metadata) { return lake::DropColumn(metadata, name); },
                      "DROP COLUMNS", {{"columns", JsonStringArray({name})}}, commit);
}

Result<CommitResult> DeltaTable::ChangeSchema(const std::function<Status(Metadata*)>& change,
                                              const std::string& operation,
                                              std::map<std::string, std::string> parameters,
                                              const CommitOptions& commit) {
  SLUICE_ASSIGN_OR_RETURN(SnapshotPtr snapshot, log_->Load());
  if (!snapshot->exists()) return Status::NotFound(log_->root() + " is not a Delta table");
  SLUICE_RETURN_NOT_OK(DeltaLog::CheckWritable(*snapshot));
  Metadata metadata = snapshot->metadata;
  SLUICE_RETURN_NOT_OK(change(&metadata).WithContext(log_->root()));
  // The new schema must read: parse it as a reader would before committing it.
  SLUICE_RETURN_NOT_OK(ParseDeltaSchema(metadata.schema_string).status());
  SLUICE_RETURN_NOT_OK(PhysicalColumnsOf(metadata).status());
  Transaction txn(log_, snapshot);
  txn.UpdateMetadata(std::move(metadata));
  return txn.Commit(operation, std::move(parameters), {}, commit);
}

Result<OptimizeResult> DeltaTable::Optimize(int64_t target_file_bytes,
                                            const DataFileOptions& file_options,
                                            const CommitOptions& commit_options) {
  SLUICE_ASSIGN_OR_RETURN(SnapshotPtr snapshot, log_->Load());
  if (!snapshot->exists()) return Status::NotFound(log_->root() + " is not a Delta table");
  SLUICE_RETURN_NOT_OK(DeltaLog::CheckWritable(*snapshot));
  OptimizeResult result;
  // Small files grouped by partition.
  std::map<std::string, std::vector<const std::pair<const FileKey, AddFile>*>> groups;
  for (const auto& entry : snapshot->files) {
    // Files with deletion vectors are always rewritten: OPTIMIZE purges deleted rows.
    if (entry.second.size >= target_file_bytes && !entry.second.deletion_vector.has_value()) {
      continue;
    }
    std::string partition;
    for (const auto& [column, value] : entry.second.partition_values) {
      partition += HivePartitionSegment(column, value) + "/";
    }
    groups[partition].push_back(&entry);
  }
  const int64_t now_ms = NowOr(commit_options.now_ms);
  DataFileOptions options = ForTable(file_options, *snapshot);
  options.data_change = false;
  // The target is for the compressed file; the writer rolls by in-memory size, about 3× larger.
  options.target_file_bytes = target_file_bytes * 3;
  DataFileWriter writer(log_->shared_fs(), log_->root(), snapshot->schema,
                        snapshot->metadata.partition_columns, options);
  Transaction txn(log_, snapshot);
  for (const auto& [partition, files] : groups) {
    if (files.size() < 2 && !files.front()->second.deletion_vector.has_value()) continue;
    for (const auto* entry : files) {
      txn.MarkFileRead(entry->first);
      txn.Remove(RemoveOf(entry->second, now_ms, /*data_change=*/false));
      ++result.files_removed;
      Result<std::vector<columnar::BatchPtr>> batches = ReadFile(log_, snapshot, entry->first.path);
      if (!batches.ok()) {
        writer.Abort();
        return batches.status();
      }
      for (const columnar::BatchPtr& batch : *batches) {
        result.rows += batch->num_rows();
        Status status = writer.Write(*batch);
        if (!status.ok()) {
          writer.Abort();
          return status;
        }
      }
    }
    // One partition's files are finished before the next partition starts.
  }
  SLUICE_ASSIGN_OR_RETURN(std::vector<AddFile> adds, FinishInto(&writer, &txn));
  if (result.files_removed == 0) {
    result.commit.version = -1;
    return result;
  }
  result.files_added = static_cast<int64_t>(adds.size());
  std::map<std::string, std::string> parameters = {
      {"predicate", "[]"}, {"targetFileSize", std::to_string(target_file_bytes)}};
  std::map<std::string, std::string> metrics = {
      {"numRemovedFiles", std::to_string(result.files_removed)},
      {"numAddedFiles", std::to_string(result.files_added)},
      {"numRows", std::to_string(result.rows)}};
  SLUICE_ASSIGN_OR_RETURN(result.commit,
                          CommitOrCleanUp(&txn, log_, adds, "OPTIMIZE", std::move(parameters),
                                          std::move(metrics), commit_options));
  return result;
}

}  // namespace sluice::lake

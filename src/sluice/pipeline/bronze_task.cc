#include "sluice/pipeline/bronze_task.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/temporal.h"
#include "sluice/common/ascii.h"
#include "sluice/common/thread_pool.h"
#include "sluice/lake/delta_schema.h"
#include "sluice/lake/delta_table.h"
#include "sluice/lake/file_statistics.h"
#include "sluice/lake/table_scan.h"
#include "sluice/lake/transaction.h"
#include "sluice/pipeline/read_ahead.h"

namespace sluice::pipeline {

namespace {

using columnar::DataType;
using columnar::Field;

// Batches read ahead of the writer (a batch: batch_rows rows, 100k by default).
constexpr size_t kReadAheadBatches = 4;
constexpr char kIngestedAt[] = "_sluice_ingested_at";
constexpr char kSource[] = "_sluice_source";
constexpr char kFile[] = "_sluice_file";
constexpr char kBatchId[] = "_sluice_batch_id";
constexpr char kIngestDate[] = "_sluice_ingest_date";

std::vector<Field> AuditFields() {
  return {Field{kIngestedAt, DataType::Timestamp(), true}, Field{kSource, DataType::String(), true},
          Field{kFile, DataType::String(), true}, Field{kBatchId, DataType::String(), true},
          Field{kIngestDate, DataType::Date(), true}};
}

bool IsAuditColumn(std::string_view name) { return name.starts_with("_sluice_"); }

columnar::ColumnPtr ConstantString(std::string_view value, int64_t rows) {
  return columnar::RepeatString(DataType::String(), value, rows);
}

template <typename Builder, typename T>
columnar::ColumnPtr Constant(DataType type, T value, int64_t rows) {
  Builder builder(type);
  for (int64_t i = 0; i < rows; ++i) builder.Append(value);
  return builder.Finish();
}

// A record bound for quarantine/<source>.
struct QuarantineRecord {
  std::string file;
  int64_t line = 0;
  int64_t byte_offset = 0;
  int64_t column = 0;
  std::string field;
  std::string kind;
  std::string message;
  std::string raw;
};

columnar::SchemaPtr QuarantineSchema() {
  static const columnar::SchemaPtr schema = std::make_shared<const columnar::Schema>(
      std::vector<Field>{{"run_id", DataType::String(), true},
                         {"source", DataType::String(), true},
                         {"file", DataType::String(), true},
                         {"line", DataType::Int64(), true},
                         {"byte_offset", DataType::Int64(), true},
                         {"column", DataType::Int64(), true},
                         {"field", DataType::String(), true},
                         {"error_kind", DataType::String(), true},
                         {"message", DataType::String(), true},
                         {"raw", DataType::String(), true},
                         {"quarantined_at", DataType::Timestamp(), true}});
  return schema;
}

columnar::BatchPtr QuarantineBatch(const std::vector<const QuarantineRecord*>& records,
                                   const std::string& run_id, const std::string& source,
                                   int64_t now_micros) {
  const auto rows = static_cast<int64_t>(records.size());
  columnar::StringBuilder file(DataType::String()), field(DataType::String()),
      kind(DataType::String()), message(DataType::String()), raw(DataType::String());
  columnar::Int64Builder line(DataType::Int64()), offset(DataType::Int64()),
      column(DataType::Int64());
  for (const QuarantineRecord* record : records) {
    file.Append(record->file);
    line.Append(record->line);
    offset.Append(record->byte_offset);
    if (record->column > 0) {
      column.Append(record->column);
    } else {
      column.AppendNull();
    }
    if (record->field.empty()) {
      field.AppendNull();
    } else {
      field.Append(record->field);
    }
    kind.Append(record->kind);
    message.Append(record->message);
    raw.Append(record->raw);
  }
  std::vector<columnar::ColumnPtr> columns = {
      ConstantString(run_id, rows),
      ConstantString(source, rows),
      file.Finish(),
      line.Finish(),
      offset.Finish(),
      column.Finish(),
      field.Finish(),
      kind.Finish(),
      message.Finish(),
      raw.Finish(),
      Constant<columnar::Int64Builder>(DataType::Timestamp(), now_micros, rows)};
  return std::make_shared<const columnar::Batch>(QuarantineSchema(), std::move(columns), rows);
}

// A run's rows with the audit columns, counting rows and rejects per origin and keeping the
// rejects for quarantine. Not thread-safe: one Next() at a time.
class AuditedRows {
 public:
  AuditedRows(connectors::SourceRun* run, std::string source, const formats::RejectPolicy& policy,
              TaskContext* context, int64_t now_micros)
      : run_(run),
        source_(std::move(source)),
        context_(context),
        now_micros_(now_micros),
        ingest_date_(static_cast<int32_t>(columnar::FloorDiv(now_micros, columnar::kMicrosPerDay))),
        tracker_(policy, [this](const formats::Reject& reject) {
          QuarantineRecord record;
          record.file = !run_->origin().empty() ? run_->origin() : reject.file;
          record.line = reject.line;
          record.byte_offset = reject.byte_offset;
          record.column = reject.column;
          record.field = reject.field;
          record.kind = std::string(formats::RejectKindName(reject.kind));
          record.message = reject.message;
          record.raw = reject.raw;
          ++counts[record.file].rejects;
          quarantined.push_back(std::move(record));
          return Status::OK();
        }) {}

  Result<columnar::BatchPtr> Next() {
    SLUICE_ASSIGN_OR_RETURN(columnar::BatchPtr batch, run_->Next(&tracker_));
    if (context_->progress) {
      context_->progress->files_done = run_->inputs_done();
      context_->progress->bytes = run_->bytes_done();
    }
    if (batch == nullptr) return batch;
    const int64_t rows = batch->num_rows();
    counts[run_->origin()].rows += rows;
    if (context_->progress) context_->progress->rows += rows;
    std::vector<columnar::ColumnPtr> columns = batch->columns();
    columns.push_back(Constant<columnar::Int64Builder>(DataType::Timestamp(), now_micros_, rows));
    columns.push_back(ConstantString(source_, rows));
    columns.push_back(ConstantString(run_->origin(), rows));
    columns.push_back(ConstantString(context_->run_id, rows));
    columns.push_back(Constant<columnar::Int32Builder>(DataType::Date(), ingest_date_, rows));
    std::vector<Field> fields = batch->schema()->fields();
    for (const Field& field : AuditFields()) fields.push_back(field);
    return std::make_shared<const columnar::Batch>(
        std::make_shared<const columnar::Schema>(std::move(fields)), std::move(columns), rows);
  }

  std::map<std::string, connectors::OriginCount> counts;
  std::vector<QuarantineRecord> quarantined;

 private:
  connectors::SourceRun* run_;
  std::string source_;
  TaskContext* context_;
  int64_t now_micros_;
  int32_t ingest_date_;
  formats::RejectTracker tracker_;
};

// What a commit of quarantine/<source> wrote.
struct QuarantineCommit {
  int64_t version = -1;
  int64_t rows = 0;
};

// Commits the quarantined records, ledgered by the same entries as the bronze commit, so a crash
// between the two commits never duplicates them on the rerun: origins the quarantine already
// holds at the same version are left out.
Result<QuarantineCommit> CommitQuarantine(lake::DeltaTable* quarantine,
                                          const lake::SnapshotPtr& snapshot,
                                          const std::vector<connectors::LedgerEntry>& entries,
                                          const std::vector<QuarantineRecord>& quarantined,
                                          const std::string& source, const std::string& run_id,
                                          int64_t now_micros, int64_t commit_now_ms) {
  std::map<std::string, const connectors::LedgerEntry*> by_origin;
  for (const connectors::LedgerEntry& entry : entries) by_origin[entry.origin] = &entry;
  std::vector<const QuarantineRecord*> pending;
  std::vector<std::pair<std::string, int64_t>> ledger;
  std::set<std::string> ledgered;
  for (const QuarantineRecord& record : quarantined) {
    const auto entry = by_origin.find(record.file);
    if (entry != by_origin.end()) {
      if (snapshot->TransactionVersion(entry->second->app_id) == entry->second->version) {
        continue;  // an earlier attempt quarantined this origin's records already
      }
      if (ledgered.insert(record.file).second) {
        ledger.emplace_back(entry->second->app_id, entry->second->version);
      }
    }
    pending.push_back(&record);
  }
  QuarantineCommit commit;
  if (pending.empty()) return commit;
  lake::TableWriteOptions options;
  options.mode = lake::WriteMode::kAppend;
  options.read_snapshot = snapshot;
  options.ledger = std::move(ledger);
  options.commit.now_ms = commit_now_ms;
  options.parameters["sluice.source"] = source;
  options.parameters["sluice.run_id"] = run_id;
  size_t next = 0;
  lake::BatchSource records = [&]() -> Result<columnar::BatchPtr> {
    if (next >= pending.size()) return columnar::BatchPtr();
    const size_t end = std::min(pending.size(), next + 8192);
    std::vector<const QuarantineRecord*> slice(pending.begin() + static_cast<ptrdiff_t>(next),
                                               pending.begin() + static_cast<ptrdiff_t>(end));
    next = end;
    return QuarantineBatch(slice, run_id, source, now_micros);
  };
  SLUICE_ASSIGN_OR_RETURN(lake::WriteResult written,
                          quarantine->Write(QuarantineSchema(), records, options));
  commit.version = written.commit.version;
  commit.rows = written.rows;
  return commit;
}

nlohmann::ordered_json Names(const std::vector<std::string>& names) {
  nlohmann::ordered_json array = nlohmann::ordered_json::array();
  for (const std::string& name : names) array.push_back(name);
  return array;
}

std::string Plural(int64_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

// Whole inputs the source could not read: one quarantine record each; on_error: fail and
// max_rejects stop the run first. Errors: DataError naming the input or the count.
Status QuarantineUnreadable(const formats::RejectPolicy& policy, const std::string& table_name,
                            const std::vector<connectors::SourceReject>& unreadable,
                            std::map<std::string, connectors::OriginCount>* counts,
                            std::vector<QuarantineRecord>* quarantined) {
  if (unreadable.empty()) return Status::OK();
  if (policy.on_error == formats::OnError::kFail) {
    return Status::DataError(unreadable.front().origin + ": " + unreadable.front().message +
                             " (on_error: fail)");
  }
  if (policy.max_count && static_cast<int64_t>(unreadable.size()) > *policy.max_count) {
    return Status::DataError(table_name + ": " +
                             Plural(static_cast<int64_t>(unreadable.size()), "unreadable file") +
                             ", more than max_rejects allows; nothing committed");
  }
  for (const connectors::SourceReject& reject : unreadable) {
    ++(*counts)[reject.origin].rejects;
    QuarantineRecord record;
    record.file = reject.origin;
    record.kind = reject.kind;
    record.message = reject.message;
    quarantined->push_back(std::move(record));
  }
  return Status::OK();
}

// The report's view of a committed run: the commit, the quarantine, unreadable inputs.
void ReportIngested(const std::map<std::string, connectors::OriginCount>& counts,
                    const std::vector<connectors::SourceReject>& unreadable,
                    const std::vector<QuarantineRecord>& quarantined,
                    const lake::WriteResult& written, const QuarantineCommit& quarantine,
                    const std::string& quarantine_path, const std::string& table_name,
                    const std::string& source_name, TaskOutcome* outcome) {
  nlohmann::ordered_json& details = outcome->details;
  int64_t rejects = 0;
  for (const auto& [origin, count] : counts) {
    outcome->rows_out += count.rows;
    rejects += count.rejects;
  }
  for (const connectors::SourceReject& reject : unreadable) {
    outcome->notes.push_back(table_name + ": " + reject.origin + " could not be read (" +
                             reject.message + "); recorded in quarantine/" + source_name);
  }
  outcome->rows_quarantined = rejects;
  outcome->rows_in = outcome->rows_out + rejects;
  details["version"] = written.commit.version;
  details["committed"] = true;
  details["created"] = written.created;
  details["new_columns"] = Names(written.new_columns);
  details["data_files_added"] = written.files_added;
  details["bytes_written"] = written.bytes_added;
  std::map<std::string, int64_t> by_kind;
  for (const QuarantineRecord& record : quarantined) ++by_kind[record.kind];
  nlohmann::ordered_json kinds = nlohmann::ordered_json::object();
  for (const auto& [kind, count] : by_kind) kinds[kind] = count;
  details["quarantine"] = {
      {"table_path", quarantine_path},
      {"rows", rejects},
      {"rows_written", quarantine.rows},
      {"version", quarantine.version >= 0 ? nlohmann::ordered_json(quarantine.version)
                                          : nlohmann::ordered_json(nullptr)},
      {"by_kind", kinds}};
  for (const std::string& column : written.new_columns) {
    outcome->notes.push_back(table_name + ": added column " + column + " (schema_drift: evolve)");
  }
}

// The table's columns without the audit columns; null before the first commit.
columnar::SchemaPtr TableColumns(const lake::Snapshot& snapshot) {
  if (!snapshot.exists() || snapshot.schema == nullptr) return nullptr;
  std::vector<Field> fields;
  for (const Field& field : snapshot.schema->fields()) {
    if (!IsAuditColumn(field.name)) fields.push_back(field);
  }
  return std::make_shared<const columnar::Schema>(std::move(fields));
}

// The `columns` of the table's rows in files whose statistics allow `column` ≥ `min` (see
// connectors::SourceState::committed_rows).
Status ReadCommittedRows(const lake::DeltaTable& table, const lake::SnapshotPtr& snapshot,
                         const std::vector<std::string>& columns, const std::string& column,
                         int64_t min, int threads,
                         const std::function<Status(const columnar::Batch&)>& visit) {
  if (!snapshot->exists()) return Status::OK();
  lake::TableScanOptions options;
  options.columns = columns;
  options.threads = threads;
  for (const auto& [key, add] : snapshot->files) {
    if (add.stats) {
      Result<lake::FileStats> stats = lake::ParseStats(*add.stats, *snapshot->schema);
      if (stats.ok()) {
        const auto found = stats->columns.find(column);
        if (found != stats->columns.end() && found->second.max &&
            std::holds_alternative<int64_t>(*found->second.max) &&
            std::get<int64_t>(*found->second.max) < min) {
          continue;  // every value of the file is before the window
        }
      }
    }
    options.files.push_back(key.path);
  }
  if (options.files.empty()) return Status::OK();
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<lake::TableScan> scan,
                          lake::TableScan::Open(table.log(), snapshot, options));
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(columnar::BatchPtr batch, scan->Next());
    if (batch == nullptr) return Status::OK();
    SLUICE_RETURN_NOT_OK(visit(*batch));
  }
}

}  // namespace

BronzeTask::BronzeTask(const Project& project, const SourceDeclaration& source, int64_t now_ms)
    : name_(source.table),
      table_path_(project.TablePath(source.table)),
      quarantine_path_(project.QuarantinePath(source.name)),
      lake_(project.lake),
      source_(source.source),
      now_ms_(now_ms) {}

std::vector<std::string> BronzeTask::reads() const { return source_->Describe(); }

std::vector<std::string> BronzeTask::writes() const {
  return {table_path_ + " (partitioned by " + kIngestDate + ")",
          quarantine_path_ + " (rejected records)"};
}

Result<TaskOutcome> BronzeTask::Run(TaskContext& context) {
  const int64_t now_ms = now_ms_ != 0 ? now_ms_ : lake::CurrentTimeMs();
  const int64_t now_micros = now_ms * 1000;
  TaskOutcome outcome;
  nlohmann::ordered_json& details = outcome.details;
  details["source"] = source_->name();
  details["table"] = name_;
  details["table_path"] = table_path_;

  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<lake::DeltaTable> table,
                          lake::DeltaTable::Open(table_path_));
  SLUICE_ASSIGN_OR_RETURN(lake::SnapshotPtr snapshot, table->log()->Load());
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<lake::DeltaTable> quarantine,
                          lake::DeltaTable::Open(quarantine_path_));
  SLUICE_ASSIGN_OR_RETURN(lake::SnapshotPtr quarantine_snapshot, quarantine->log()->Load());

  connectors::SourceState state;
  state.committed = [&snapshot](const std::string& app_id) {
    return snapshot->TransactionVersion(app_id);
  };
  state.table = name_;
  state.table_schema = TableColumns(*snapshot);
  state.committed_rows = [&](const std::vector<std::string>& columns, const std::string& column,
                             int64_t min,
                             const std::function<Status(const columnar::Batch&)>& visit) {
    return ReadCommittedRows(*table, snapshot, columns, column, min, std::max(1, context.threads),
                             visit);
  };
  state.now_ms = now_ms;
  state.threads = std::max(1, context.threads);
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<connectors::SourceRun> run, source_->Plan(state));
  std::vector<std::string> plan_notes;
  run->ReportPlan(&details, &plan_notes);
  for (const std::string& note : plan_notes) outcome.notes.push_back(name_ + ": " + note);
  if (context.progress) context.progress->files_total = run->inputs();
  if (run->empty()) {
    details["version"] = snapshot->exists() ? nlohmann::ordered_json(snapshot->version)
                                            : nlohmann::ordered_json(nullptr);
    details["committed"] = false;
    return outcome;
  }

  std::vector<connectors::SourceReject> unreadable;
  SLUICE_ASSIGN_OR_RETURN(columnar::SchemaPtr columns, run->PlanSchema(&unreadable));
  std::vector<Field> fields = columns->fields();
  for (const Field& field : AuditFields()) fields.push_back(field);
  const auto input_schema = std::make_shared<const columnar::Schema>(std::move(fields));

  AuditedRows audited(run.get(), source_->name(), source_->rejects(), &context, now_micros);
  std::map<std::string, connectors::OriginCount>& counts = audited.counts;
  std::vector<QuarantineRecord>& quarantined = audited.quarantined;
  SLUICE_RETURN_NOT_OK(
      QuarantineUnreadable(source_->rejects(), name_, unreadable, &counts, &quarantined));
  // Read-ahead: batches are read (rejects, counts and audit columns included) on a thread of
  // their own, a few ahead of the writer (read_ahead.h); the writer sees the tracker and the
  // counts only after the end.
  ReadAhead ahead([&]() { return audited.Next(); }, kReadAheadBatches);
  lake::BatchSource batches = [&]() { return ahead.Next(); };

  lake::TableWriteOptions options;
  options.mode = run->replaces() ? lake::WriteMode::kOverwrite : lake::WriteMode::kAppend;
  options.partition_by = {kIngestDate};
  options.allow_new_columns =
      source_->schema_drift() == connectors::SchemaDrift::kEvolve || !snapshot->exists();
  options.read_snapshot = snapshot;
  options.files.parquet.threads = std::max(1, context.threads);
  options.commit.now_ms = now_ms_;
  options.parameters["sluice.source"] = source_->name();
  options.parameters["sluice.run_id"] = context.run_id;
  for (auto& [key, value] : run->CommitParameters()) options.parameters[key] = std::move(value);
  // The ledger is complete once the rows are read; it is taken just before the commit. The
  // rejects go to quarantine before the bronze commit (see CommitQuarantine).
  QuarantineCommit quarantine_commit;
  bool nothing_new = false;
  options.before_commit = [&](const lake::WriteResult& result) -> Status {
    // A source that read a window again and found only rows committed before: no commit.
    if (!run->replaces() && result.rows == 0 && quarantined.empty()) {
      nothing_new = true;
      for (const connectors::LedgerEntry& entry : run->Ledger()) {
        nothing_new &= snapshot->TransactionVersion(entry.app_id) == entry.version;
      }
      if (nothing_new) return Status(StatusCode::kCancelled, "nothing new");
    }
    SLUICE_ASSIGN_OR_RETURN(
        quarantine_commit,
        CommitQuarantine(quarantine.get(), quarantine_snapshot, run->Ledger(), quarantined,
                         source_->name(), context.run_id, now_micros, now_ms_));
    return Status::OK();
  };
  options.ledger_after_rows = [&]() {
    std::vector<std::pair<std::string, int64_t>> ledger;
    for (const connectors::LedgerEntry& entry : run->Ledger()) {
      ledger.emplace_back(entry.app_id, entry.version);
    }
    return ledger;
  };
  Result<lake::WriteResult> written = table->Write(input_schema, batches, options);
  ahead.Stop();  // a failed write: the read in flight finishes first
  if (written.ok() || nothing_new) {
    std::vector<std::string> after;
    run->AfterCommit(&after);
    for (const std::string& note : after) outcome.notes.push_back(name_ + ": " + note);
  }
  run->Close();
  if (!written.ok() && nothing_new) {
    outcome.notes.push_back(name_ + ": nothing new in " + run->origin());
    details["version"] = snapshot->exists() ? nlohmann::ordered_json(snapshot->version)
                                            : nlohmann::ordered_json(nullptr);
    details["committed"] = false;
    return outcome;
  }
  if (!written.ok()) {
    Status status = written.status();
    if (status.code() == StatusCode::kDataError) {
      status = Status::DataError(status.message() + "; nothing committed to " + name_);
    }
    return status;
  }
  ReportIngested(counts, unreadable, quarantined, *written, quarantine_commit, quarantine_path_,
                 name_, source_->name(), &outcome);
  run->ReportDone(counts, &details, &outcome.notes, &outcome.bytes_in);
  return outcome;
}

}  // namespace sluice::pipeline

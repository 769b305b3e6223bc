#include "sluice/pipeline/bronze_task.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/temporal.h"
#include "sluice/common/ascii.h"
#include "sluice/lake/delta_schema.h"
#include "sluice/lake/delta_table.h"
#include "sluice/lake/transaction.h"

namespace sluice::pipeline {

namespace {

using columnar::DataType;
using columnar::Field;

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
  auto builder = std::make_unique<columnar::StringBuilder>(DataType::String());
  for (int64_t i = 0; i < rows; ++i) builder->Append(value);
  return builder->Finish();
}

template <typename Builder, typename T>
columnar::ColumnPtr Constant(DataType type, T value, int64_t rows) {
  Builder builder(type);
  for (int64_t i = 0; i < rows; ++i) builder.Append(value);
  return builder.Finish();
}

// One file of this run and what happened to it.
struct FileWork {
  connectors::DropFile file;
  int64_t fingerprint = 0;
  bool unreadable = false;
  std::string unreadable_reason;
  int64_t rows = 0;
  int64_t rejects = 0;
};

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

nlohmann::ordered_json Names(const std::vector<std::string>& names) {
  nlohmann::ordered_json array = nlohmann::ordered_json::array();
  for (const std::string& name : names) array.push_back(name);
  return array;
}

std::string Plural(int64_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

// The files of one run, chosen from the listing by the table's ledger.
struct FileSelection {
  std::vector<FileWork> work;  // to ingest, in path order
  std::vector<std::string> too_young, changed_reported, changed_taken;
  int64_t already = 0;  // ingested before with the same fingerprint
};

FileSelection SelectFiles(std::vector<connectors::DropFile> listed, const lake::Snapshot& table,
                          const connectors::FileSourceOptions& source, int64_t now_ms) {
  FileSelection selection;
  for (connectors::DropFile& file : listed) {
    if (now_ms - file.modification_time_ms < source.min_age_ms) {
      selection.too_young.push_back(file.relative);
      continue;
    }
    const int64_t fingerprint = FileFingerprint(file.size, file.modification_time_ms);
    const std::optional<int64_t> recorded =
        table.TransactionVersion(FileLedgerAppId(file.relative));
    if (recorded.has_value()) {
      if (*recorded == fingerprint) {
        ++selection.already;
        continue;
      }
      if (source.on_change == connectors::OnChange::kReport) {
        selection.changed_reported.push_back(file.relative);
        continue;
      }
      selection.changed_taken.push_back(file.relative);
    }
    FileWork item;
    item.file = std::move(file);
    item.fingerprint = fingerprint;
    selection.work.push_back(std::move(item));
  }
  return selection;
}

// The schema the run writes: the table's columns, then each file's new columns in path order,
// then the audit columns. `types` gains the type of every column (the reader uses them); a file
// whose schema cannot be probed is marked unreadable. Errors: I/O errors; SchemaMismatch for a
// column with the reserved _sluice_ prefix or, under schema_drift: freeze, a new column.
Result<columnar::SchemaPtr> PlanSchema(const connectors::FileSource& source,
                                       const connectors::FileSourceOptions& options,
                                       const lake::Snapshot& table, const std::string& table_name,
                                       std::vector<FileWork>* work,
                                       std::vector<std::pair<std::string, DataType>>* types) {
  std::vector<Field> fields;
  auto has_type = [&](const std::string& name) {
    for (const auto& given : *types) {
      if (EqualsIgnoringAsciiCase(given.first, name)) return true;
    }
    return false;
  };
  if (table.exists()) {
    for (const Field& field : table.schema->fields()) {
      if (IsAuditColumn(field.name)) continue;
      fields.push_back(field);
      if (!has_type(field.name)) types->emplace_back(field.name, field.type);
    }
  }
  for (FileWork& item : *work) {
    if (item.file.size == 0) continue;  // an empty file: ingested with no rows
    Result<columnar::SchemaPtr> schema = source.ProbeSchema(item.file, *types);
    if (!schema.ok()) {
      if (schema.status().code() == StatusCode::kIOError ||
          schema.status().code() == StatusCode::kUnavailable ||
          schema.status().code() == StatusCode::kTimeout) {
        return schema.status().WithContext(item.file.relative);
      }
      item.unreadable = true;
      item.unreadable_reason = schema.status().message();
      continue;
    }
    for (const Field& field : (*schema)->fields()) {
      if (IsAuditColumn(field.name)) {
        return Status::SchemaMismatch(item.file.relative + ": column '" + field.name +
                                      "' uses the _sluice_ prefix reserved for audit columns");
      }
      auto same = std::find_if(fields.begin(), fields.end(), [&](const Field& f) {
        return EqualsIgnoringAsciiCase(f.name, field.name);
      });
      if (same != fields.end()) continue;
      if (table.exists() && options.schema_drift == connectors::SchemaDrift::kFreeze) {
        return Status::SchemaMismatch(item.file.relative + ": column '" + field.name +
                                      "' is not in " + table_name +
                                      " and the source's schema_drift is freeze; add the column "
                                      "deliberately (schema_drift: evolve) or fix the file");
      }
      Field added = field;
      added.nullable = true;
      fields.push_back(added);
      if (!has_type(field.name)) types->emplace_back(field.name, field.type);
    }
  }
  for (const Field& field : AuditFields()) fields.push_back(field);
  return std::make_shared<const columnar::Schema>(std::move(fields));
}

// Unreadable files go to quarantine as one record each; on_error: fail and max_rejects stop the
// run first. Errors: DataError naming the file or the count.
Status QuarantineUnreadable(const connectors::FileSourceOptions& source,
                            const std::string& table_name, std::vector<FileWork>* work,
                            std::vector<QuarantineRecord>* quarantined) {
  if (source.rejects.on_error == formats::OnError::kFail) {
    for (const FileWork& item : *work) {
      if (item.unreadable) {
        return Status::DataError(item.file.relative + ": " + item.unreadable_reason +
                                 " (on_error: fail)");
      }
    }
  }
  int64_t unreadable = 0;
  for (FileWork& item : *work) {
    if (!item.unreadable) continue;
    ++unreadable;
    item.rejects = 1;
    QuarantineRecord record;
    record.file = item.file.relative;
    record.kind = "unreadable_file";
    record.message = item.unreadable_reason;
    quarantined->push_back(std::move(record));
  }
  if (source.rejects.max_count && unreadable > *source.rejects.max_count) {
    return Status::DataError(table_name + ": " + Plural(unreadable, "unreadable file") +
                             ", more than max_rejects allows; nothing committed");
  }
  return Status::OK();
}

// The rows of the run's files in turn, each batch with the audit columns appended; counts rows
// and rejects per file and reports progress.
class AuditedBatches {
 public:
  AuditedBatches(connectors::FileSource* source, std::vector<FileWork>* work,
                 const std::vector<std::pair<std::string, DataType>>* types,
                 formats::RejectTracker* tracker, TaskContext* context, std::string source_name,
                 int64_t now_micros)
      : source_(source),
        work_(work),
        types_(types),
        tracker_(tracker),
        context_(context),
        source_name_(std::move(source_name)),
        now_micros_(now_micros),
        ingest_date_(
            static_cast<int32_t>(columnar::FloorDiv(now_micros, columnar::kMicrosPerDay))) {}

  // The file being read (rejects are attributed to it), or nullptr.
  const std::string* current_file() const { return current_file_; }
  // Its index in the work list (== size at the end).
  size_t current() const { return current_; }
  void Close() { reader_.reset(); }

  Result<columnar::BatchPtr> Next() {
    while (current_ < work_->size()) {
      FileWork& item = (*work_)[current_];
      if (!reader_) {
        if (item.file.size == 0 || item.unreadable) {
          if (context_->progress) context_->progress->files_done += 1;
          ++current_;
          continue;
        }
        current_file_ = &item.file.relative;
        SLUICE_ASSIGN_OR_RETURN(reader_, source_->Open(item.file, *types_, tracker_));
      }
      Result<columnar::BatchPtr> next = reader_->Next();
      if (!next.ok()) return next.status().WithContext(item.file.relative);
      columnar::BatchPtr batch = std::move(next).ValueUnsafe();
      if (batch == nullptr) {
        reader_.reset();
        if (context_->progress) {
          context_->progress->files_done += 1;
          context_->progress->bytes += item.file.size;
        }
        ++current_;
        continue;
      }
      return WithAuditColumns(*batch, item);
    }
    return columnar::BatchPtr();
  }

 private:
  columnar::BatchPtr WithAuditColumns(const columnar::Batch& batch, FileWork& item) {
    const int64_t rows = batch.num_rows();
    item.rows += rows;
    if (context_->progress) context_->progress->rows += rows;
    std::vector<Field> fields = batch.schema()->fields();
    std::vector<columnar::ColumnPtr> columns = batch.columns();
    for (const Field& field : AuditFields()) fields.push_back(field);
    columns.push_back(Constant<columnar::Int64Builder>(DataType::Timestamp(), now_micros_, rows));
    columns.push_back(ConstantString(source_name_, rows));
    columns.push_back(ConstantString(item.file.relative, rows));
    columns.push_back(ConstantString(context_->run_id, rows));
    columns.push_back(Constant<columnar::Int32Builder>(DataType::Date(), ingest_date_, rows));
    return std::make_shared<const columnar::Batch>(
        std::make_shared<const columnar::Schema>(std::move(fields)), std::move(columns), rows);
  }

  connectors::FileSource* source_;
  std::vector<FileWork>* work_;
  const std::vector<std::pair<std::string, DataType>>* types_;
  formats::RejectTracker* tracker_;
  TaskContext* context_;
  std::string source_name_;
  int64_t now_micros_;
  int32_t ingest_date_;
  size_t current_ = 0;
  const std::string* current_file_ = nullptr;
  std::unique_ptr<formats::RecordReader> reader_;
};

// What a commit of quarantine/<source> wrote.
struct QuarantineCommit {
  int64_t version = -1;
  int64_t rows = 0;
};

// Commits the quarantined records, ledgered per file by the same fingerprints as the bronze
// commit, so a crash between the two commits never duplicates them on the rerun: files the
// quarantine already holds with the same fingerprint are left out.
Result<QuarantineCommit> CommitQuarantine(lake::DeltaTable* quarantine,
                                          const lake::SnapshotPtr& snapshot,
                                          const std::vector<FileWork>& work,
                                          const std::vector<QuarantineRecord>& quarantined,
                                          const std::string& source, const std::string& run_id,
                                          int64_t now_micros, int64_t commit_now_ms) {
  std::map<std::string, int64_t> fingerprints;
  for (const FileWork& item : work) fingerprints[item.file.relative] = item.fingerprint;
  std::vector<const QuarantineRecord*> pending;
  std::vector<std::pair<std::string, int64_t>> ledger;
  std::set<std::string> ledgered;
  for (const QuarantineRecord& record : quarantined) {
    const int64_t fingerprint = fingerprints[record.file];
    if (snapshot->TransactionVersion(FileLedgerAppId(record.file)) == fingerprint) {
      continue;  // an earlier attempt quarantined this file's records already
    }
    pending.push_back(&record);
    if (ledgered.insert(record.file).second) {
      ledger.emplace_back(FileLedgerAppId(record.file), fingerprint);
    }
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

// The report's view of a committed run: per-file facts, unreadable files, the commit, the
// quarantine.
void ReportIngested(const std::vector<FileWork>& work,
                    const std::vector<QuarantineRecord>& quarantined,
                    const lake::WriteResult& written, const QuarantineCommit& quarantine,
                    const std::string& quarantine_path, const std::string& table_name,
                    const std::string& source_name, TaskOutcome* outcome) {
  nlohmann::ordered_json& details = outcome->details;
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  std::vector<std::string> unreadable;
  int64_t rejects = 0;
  for (const FileWork& item : work) {
    files.push_back({{"file", item.file.relative},
                     {"size", item.file.size},
                     {"modification_time", item.file.modification_time_ms},
                     {"rows", item.rows},
                     {"rejects", item.rejects}});
    outcome->rows_out += item.rows;
    rejects += item.rejects;
    outcome->bytes_in += item.file.size;
    if (item.unreadable) {
      unreadable.push_back(item.file.relative);
      outcome->notes.push_back(table_name + ": " + item.file.relative + " could not be read (" +
                               item.unreadable_reason + "); recorded in quarantine/" + source_name);
    }
  }
  outcome->rows_quarantined = rejects;
  outcome->rows_in = outcome->rows_out + rejects;
  details["files"]["ingested"] = files;
  details["files"]["unreadable"] = Names(unreadable);
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

}  // namespace

std::string FileLedgerAppId(const std::string& relative_path) {
  return "sluice.file:" + relative_path;
}

int64_t FileFingerprint(int64_t size, int64_t modification_time_ms) {
  // FNV-1a over the decimal text, so the value is the same on every platform and run.
  const std::string text = std::to_string(size) + ":" + std::to_string(modification_time_ms);
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return static_cast<int64_t>(hash & 0x3FFFFFFFFFFFFFFFull);
}

BronzeTask::BronzeTask(const Project& project, const SourceDeclaration& source, int64_t now_ms)
    : name_(source.table),
      table_path_(project.TablePath(source.table)),
      quarantine_path_(project.QuarantinePath(source.name)),
      lake_(project.lake),
      source_(source.file),
      now_ms_(now_ms) {}

std::vector<std::string> BronzeTask::reads() const {
  std::string format = source_.read.format
                           ? std::string(formats::FileFormatName(*source_.read.format))
                           : std::string("format by extension");
  return {source_.pattern + " (" + format + ", files older than " +
          std::to_string(source_.min_age_ms / 1000) + "s)"};
}

std::vector<std::string> BronzeTask::writes() const {
  return {table_path_ + " (partitioned by " + kIngestDate + ")",
          quarantine_path_ + " (rejected records)"};
}

Result<TaskOutcome> BronzeTask::Run(TaskContext& context) {
  const int64_t now_ms = now_ms_ != 0 ? now_ms_ : lake::CurrentTimeMs();
  const int64_t now_micros = now_ms * 1000;
  TaskOutcome outcome;
  nlohmann::ordered_json& details = outcome.details;
  details["source"] = source_.name;
  details["table"] = name_;
  details["table_path"] = table_path_;

  connectors::FileSourceOptions source_options = source_;
  source_options.read.csv.common.threads = std::max(1, context.threads);
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<connectors::FileSource> source,
                          connectors::FileSource::Make(std::move(source_options)));
  SLUICE_ASSIGN_OR_RETURN(std::vector<connectors::DropFile> listed, source->List());
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<lake::DeltaTable> table,
                          lake::DeltaTable::Open(table_path_));
  SLUICE_ASSIGN_OR_RETURN(lake::SnapshotPtr snapshot, table->log()->Load());
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<lake::DeltaTable> quarantine,
                          lake::DeltaTable::Open(quarantine_path_));
  SLUICE_ASSIGN_OR_RETURN(lake::SnapshotPtr quarantine_snapshot, quarantine->log()->Load());

  const size_t matched = listed.size();
  FileSelection selection = SelectFiles(std::move(listed), *snapshot, source_, now_ms);
  std::vector<FileWork>& work = selection.work;
  details["files"] = {{"matched", matched},
                      {"ingested", nlohmann::ordered_json::array()},
                      {"already_ingested", selection.already},
                      {"too_young", Names(selection.too_young)},
                      {"changed_not_reingested", Names(selection.changed_reported)},
                      {"changed_reingested", Names(selection.changed_taken)},
                      {"unreadable", nlohmann::ordered_json::array()}};
  if (!selection.too_young.empty()) {
    outcome.notes.push_back(name_ + ": " +
                            Plural(static_cast<int64_t>(selection.too_young.size()), "file") +
                            " younger than min_age (" + std::to_string(source_.min_age_ms / 1000) +
                            "s) left for a later run");
  }
  for (const std::string& file : selection.changed_reported) {
    outcome.notes.push_back(name_ + ": " + file +
                            " changed since it was ingested (new size or modification time); "
                            "not ingested again (set on_change: reingest to ingest it again)");
  }
  if (context.progress) context.progress->files_total = static_cast<int64_t>(work.size());
  if (work.empty()) {
    details["version"] = snapshot->exists() ? nlohmann::ordered_json(snapshot->version)
                                            : nlohmann::ordered_json(nullptr);
    details["committed"] = false;
    return outcome;
  }

  std::vector<std::pair<std::string, DataType>> types = source_.read.csv.common.column_types;
  SLUICE_ASSIGN_OR_RETURN(const columnar::SchemaPtr input_schema,
                          PlanSchema(*source, source_, *snapshot, name_, &work, &types));
  // Read every file in turn; rejects are kept for quarantine.
  std::vector<QuarantineRecord> quarantined;
  std::unique_ptr<AuditedBatches> batches;
  formats::RejectTracker tracker(source_.rejects, [&](const formats::Reject& reject) {
    QuarantineRecord record;
    const std::string* file = batches ? batches->current_file() : nullptr;
    record.file = file != nullptr ? *file : reject.file;
    record.line = reject.line;
    record.byte_offset = reject.byte_offset;
    record.column = reject.column;
    record.field = reject.field;
    record.kind = std::string(formats::RejectKindName(reject.kind));
    record.message = reject.message;
    record.raw = reject.raw;
    quarantined.push_back(std::move(record));
    if (batches && batches->current() < work.size()) ++work[batches->current()].rejects;
    return Status::OK();
  });
  SLUICE_RETURN_NOT_OK(QuarantineUnreadable(source_, name_, &work, &quarantined));
  batches = std::make_unique<AuditedBatches>(source.get(), &work, &types, &tracker, &context,
                                             source_.name, now_micros);

  lake::TableWriteOptions options;
  options.mode = lake::WriteMode::kAppend;
  options.partition_by = {kIngestDate};
  options.allow_new_columns =
      source_.schema_drift == connectors::SchemaDrift::kEvolve || !snapshot->exists();
  options.read_snapshot = snapshot;
  options.files.parquet.threads = std::max(1, context.threads);
  options.commit.now_ms = now_ms_;
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (const FileWork& item : work) {
    options.ledger.emplace_back(FileLedgerAppId(item.file.relative), item.fingerprint);
    files.push_back({{"file", item.file.relative},
                     {"size", item.file.size},
                     {"modification_time", item.file.modification_time_ms}});
  }
  options.parameters["sluice.source"] = source_.name;
  options.parameters["sluice.run_id"] = context.run_id;
  options.parameters["sluice.files"] = files.dump();
  // The fractional reject limit is checked by each reader at its end; the count limit as rejects
  // arrive. The rejects go to quarantine before the bronze commit (see CommitQuarantine).
  QuarantineCommit quarantine_commit;
  options.before_commit = [&](const lake::WriteResult&) -> Status {
    SLUICE_ASSIGN_OR_RETURN(
        quarantine_commit,
        CommitQuarantine(quarantine.get(), quarantine_snapshot, work, quarantined, source_.name,
                         context.run_id, now_micros, now_ms_));
    return Status::OK();
  };
  Result<lake::WriteResult> written = table->Write(
      input_schema, [&]() { return batches->Next(); }, options);
  batches->Close();
  if (!written.ok()) {
    Status status = written.status();
    if (status.code() == StatusCode::kDataError) {
      status = Status::DataError(status.message() + "; nothing committed to " + name_);
    }
    return status;
  }
  ReportIngested(work, quarantined, *written, quarantine_commit, quarantine_path_, name_,
                 source_.name, &outcome);
  return outcome;
}

}  // namespace sluice::pipeline

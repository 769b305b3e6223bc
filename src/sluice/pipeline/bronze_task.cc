#include "sluice/pipeline/bronze_task.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/temporal.h"
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

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

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

  // Decide, from the table's ledger, what this run takes.
  std::vector<FileWork> work;
  std::vector<std::string> too_young, changed_reported, changed_taken;
  int64_t already = 0;
  for (connectors::DropFile& file : listed) {
    if (now_ms - file.modification_time_ms < source_.min_age_ms) {
      too_young.push_back(file.relative);
      continue;
    }
    const int64_t fingerprint = FileFingerprint(file.size, file.modification_time_ms);
    const std::optional<int64_t> recorded =
        snapshot->TransactionVersion(FileLedgerAppId(file.relative));
    if (recorded.has_value()) {
      if (*recorded == fingerprint) {
        ++already;
        continue;
      }
      if (source_.on_change == connectors::OnChange::kReport) {
        changed_reported.push_back(file.relative);
        continue;
      }
      changed_taken.push_back(file.relative);
    }
    FileWork item;
    item.file = std::move(file);
    item.fingerprint = fingerprint;
    work.push_back(std::move(item));
  }
  details["files"] = {{"matched", listed.size()},
                      {"ingested", nlohmann::ordered_json::array()},
                      {"already_ingested", already},
                      {"too_young", Names(too_young)},
                      {"changed_not_reingested", Names(changed_reported)},
                      {"changed_reingested", Names(changed_taken)},
                      {"unreadable", nlohmann::ordered_json::array()}};
  if (!too_young.empty()) {
    outcome.notes.push_back(name_ + ": " + Plural(static_cast<int64_t>(too_young.size()), "file") +
                            " younger than min_age (" + std::to_string(source_.min_age_ms / 1000) +
                            "s) left for a later run");
  }
  for (const std::string& file : changed_reported) {
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

  // Plan the schema: the table's columns, then each file's new columns in path order.
  std::vector<std::pair<std::string, DataType>> types = source_.read.csv.common.column_types;
  std::vector<Field> fields;
  auto has_type = [&](const std::string& name) {
    for (const auto& given : types) {
      if (EqualsIgnoreCase(given.first, name)) return true;
    }
    return false;
  };
  if (snapshot->exists()) {
    for (const Field& field : snapshot->schema->fields()) {
      if (IsAuditColumn(field.name)) continue;
      fields.push_back(field);
      if (!has_type(field.name)) types.emplace_back(field.name, field.type);
    }
  }
  for (FileWork& item : work) {
    if (item.file.size == 0) continue;  // an empty file: ingested with no rows
    Result<columnar::SchemaPtr> schema = source->ProbeSchema(item.file, types);
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
        return EqualsIgnoreCase(f.name, field.name);
      });
      if (same != fields.end()) continue;
      if (snapshot->exists() && source_.schema_drift == connectors::SchemaDrift::kFreeze) {
        return Status::SchemaMismatch(item.file.relative + ": column '" + field.name +
                                      "' is not in " + name_ +
                                      " and the source's schema_drift is freeze; add the column "
                                      "deliberately (schema_drift: evolve) or fix the file");
      }
      Field added = field;
      added.nullable = true;
      fields.push_back(added);
      if (!has_type(field.name)) types.emplace_back(field.name, field.type);
    }
  }
  std::vector<Field> input_fields = fields;
  for (const Field& field : AuditFields()) input_fields.push_back(field);
  const auto input_schema = std::make_shared<const columnar::Schema>(input_fields);

  // Read every file in turn; rejects are kept for quarantine.
  std::vector<QuarantineRecord> quarantined;
  size_t current = 0;
  const std::string* current_file = nullptr;
  formats::RejectTracker tracker(source_.rejects, [&](const formats::Reject& reject) {
    QuarantineRecord record;
    record.file = current_file != nullptr ? *current_file : reject.file;
    record.line = reject.line;
    record.byte_offset = reject.byte_offset;
    record.column = reject.column;
    record.field = reject.field;
    record.kind = std::string(formats::RejectKindName(reject.kind));
    record.message = reject.message;
    record.raw = reject.raw;
    quarantined.push_back(std::move(record));
    if (current < work.size()) ++work[current].rejects;
    return Status::OK();
  });
  if (source_.rejects.on_error == formats::OnError::kFail) {
    for (const FileWork& item : work) {
      if (item.unreadable) {
        return Status::DataError(item.file.relative + ": " + item.unreadable_reason +
                                 " (on_error: fail)");
      }
    }
  }
  int64_t unreadable = 0;
  for (FileWork& item : work) {
    if (!item.unreadable) continue;
    ++unreadable;
    item.rejects = 1;
    QuarantineRecord record;
    record.file = item.file.relative;
    record.kind = "unreadable_file";
    record.message = item.unreadable_reason;
    quarantined.push_back(std::move(record));
  }
  if (source_.rejects.max_count && unreadable > *source_.rejects.max_count) {
    return Status::DataError(name_ + ": " + Plural(unreadable, "unreadable file") +
                             ", more than max_rejects allows; nothing committed");
  }
  const std::string& run_id = context.run_id;
  const int32_t ingest_date = static_cast<int32_t>(now_ms / (86400 * 1000ll));
  std::unique_ptr<formats::RecordReader> reader;
  lake::BatchSource batches = [&]() -> Result<columnar::BatchPtr> {
    while (current < work.size()) {
      FileWork& item = work[current];
      if (!reader) {
        if (item.file.size == 0 || item.unreadable) {
          if (context.progress) context.progress->files_done += 1;
          ++current;
          continue;
        }
        current_file = &item.file.relative;
        SLUICE_ASSIGN_OR_RETURN(reader, source->Open(item.file, types, &tracker));
      }
      Result<columnar::BatchPtr> next = reader->Next();
      if (!next.ok()) return next.status().WithContext(item.file.relative);
      columnar::BatchPtr batch = std::move(next).ValueUnsafe();
      if (batch == nullptr) {
        reader.reset();
        if (context.progress) {
          context.progress->files_done += 1;
          context.progress->bytes += item.file.size;
        }
        ++current;
        continue;
      }
      const int64_t rows = batch->num_rows();
      item.rows += rows;
      if (context.progress) context.progress->rows += rows;
      std::vector<Field> batch_fields = batch->schema()->fields();
      std::vector<columnar::ColumnPtr> columns = batch->columns();
      for (const Field& field : AuditFields()) batch_fields.push_back(field);
      columns.push_back(Constant<columnar::Int64Builder>(DataType::Timestamp(), now_micros, rows));
      columns.push_back(ConstantString(source_.name, rows));
      columns.push_back(ConstantString(item.file.relative, rows));
      columns.push_back(ConstantString(run_id, rows));
      columns.push_back(Constant<columnar::Int32Builder>(DataType::Date(), ingest_date, rows));
      return std::make_shared<const columnar::Batch>(
          std::make_shared<const columnar::Schema>(std::move(batch_fields)), std::move(columns),
          rows);
    }
    return columnar::BatchPtr();
  };

  // The per-file facts recorded in the report.
  auto file_facts = [&]() {
    nlohmann::ordered_json array = nlohmann::ordered_json::array();
    for (const FileWork& item : work) {
      array.push_back({{"file", item.file.relative},
                       {"size", item.file.size},
                       {"modification_time", item.file.modification_time_ms},
                       {"rows", item.rows},
                       {"rejects", item.rejects}});
    }
    return array;
  };

  lake::TableWriteOptions options;
  options.mode = lake::WriteMode::kAppend;
  options.partition_by = {kIngestDate};
  options.allow_new_columns =
      source_.schema_drift == connectors::SchemaDrift::kEvolve || !snapshot->exists();
  options.read_snapshot = snapshot;
  options.files.parquet.threads = std::max(1, context.threads);
  options.commit.now_ms = now_ms_;
  for (const FileWork& item : work) {
    options.ledger.emplace_back(FileLedgerAppId(item.file.relative), item.fingerprint);
  }
  options.parameters["sluice.source"] = source_.name;
  options.parameters["sluice.run_id"] = run_id;
  {
    nlohmann::ordered_json files = nlohmann::ordered_json::array();
    for (const FileWork& item : work) {
      files.push_back({{"file", item.file.relative},
                       {"size", item.file.size},
                       {"modification_time", item.file.modification_time_ms}});
    }
    options.parameters["sluice.files"] = files.dump();
  }
  int64_t quarantine_version = -1;
  int64_t quarantine_rows_written = 0;
  options.before_commit = [&](const lake::WriteResult&) -> Status {
    // The fractional reject limit is checked by each reader at its end; the count limit as
    // rejects arrive. Here: the rejects go to quarantine first, ledgered per file, so a crash
    // before the bronze commit never duplicates them on the rerun.
    std::map<std::string, int64_t> fingerprints;
    for (const FileWork& item : work) fingerprints[item.file.relative] = item.fingerprint;
    std::vector<const QuarantineRecord*> pending;
    std::vector<std::pair<std::string, int64_t>> ledger;
    std::set<std::string> ledgered;
    for (const QuarantineRecord& record : quarantined) {
      const int64_t fingerprint = fingerprints[record.file];
      if (quarantine_snapshot->TransactionVersion(FileLedgerAppId(record.file)) == fingerprint) {
        continue;  // an earlier attempt quarantined this file's records already
      }
      pending.push_back(&record);
      if (ledgered.insert(record.file).second) {
        ledger.emplace_back(FileLedgerAppId(record.file), fingerprint);
      }
    }
    if (pending.empty()) return Status::OK();
    lake::TableWriteOptions quarantine_options;
    quarantine_options.mode = lake::WriteMode::kAppend;
    quarantine_options.read_snapshot = quarantine_snapshot;
    quarantine_options.ledger = std::move(ledger);
    quarantine_options.commit.now_ms = now_ms_;
    quarantine_options.parameters["sluice.source"] = source_.name;
    quarantine_options.parameters["sluice.run_id"] = run_id;
    size_t next = 0;
    lake::BatchSource records = [&]() -> Result<columnar::BatchPtr> {
      if (next >= pending.size()) return columnar::BatchPtr();
      const size_t end = std::min(pending.size(), next + 8192);
      std::vector<const QuarantineRecord*> slice(pending.begin() + static_cast<ptrdiff_t>(next),
                                                 pending.begin() + static_cast<ptrdiff_t>(end));
      next = end;
      return QuarantineBatch(slice, run_id, source_.name, now_micros);
    };
    SLUICE_ASSIGN_OR_RETURN(lake::WriteResult written,
                            quarantine->Write(QuarantineSchema(), records, quarantine_options));
    quarantine_version = written.commit.version;
    quarantine_rows_written = written.rows;
    return Status::OK();
  };
  Result<lake::WriteResult> written = table->Write(input_schema, batches, options);
  reader.reset();
  if (!written.ok()) {
    Status status = written.status();
    if (status.code() == StatusCode::kDataError) {
      status = Status::DataError(status.message() + "; nothing committed to " + name_);
    }
    return status;
  }
  int64_t rows_out = 0;
  int64_t rejects = 0;
  for (const FileWork& item : work) {
    rows_out += item.rows;
    rejects += item.rejects;
  }
  outcome.rows_out = rows_out;
  outcome.rows_quarantined = rejects;
  outcome.rows_in = rows_out + rejects;
  for (const FileWork& item : work) outcome.bytes_in += item.file.size;
  nlohmann::ordered_json ingested = file_facts();
  details["files"]["ingested"] = ingested;
  std::vector<std::string> unreadable_names;
  for (const FileWork& item : work) {
    if (item.unreadable) {
      unreadable_names.push_back(item.file.relative);
      outcome.notes.push_back(name_ + ": " + item.file.relative + " could not be read (" +
                              item.unreadable_reason + "); recorded in quarantine/" + source_.name);
    }
  }
  details["files"]["unreadable"] = Names(unreadable_names);
  details["version"] = written->commit.version;
  details["committed"] = true;
  details["created"] = written->created;
  details["new_columns"] = Names(written->new_columns);
  details["data_files_added"] = written->files_added;
  details["bytes_written"] = written->bytes_added;
  std::map<std::string, int64_t> by_kind;
  for (const QuarantineRecord& record : quarantined) ++by_kind[record.kind];
  nlohmann::ordered_json kinds = nlohmann::ordered_json::object();
  for (const auto& [kind, count] : by_kind) kinds[kind] = count;
  details["quarantine"] = {
      {"table_path", quarantine_path_},
      {"rows", rejects},
      {"rows_written", quarantine_rows_written},
      {"version", quarantine_version >= 0 ? nlohmann::ordered_json(quarantine_version)
                                          : nlohmann::ordered_json(nullptr)},
      {"by_kind", kinds}};
  for (const std::string& column : written->new_columns) {
    outcome.notes.push_back(name_ + ": added column " + column + " (schema_drift: evolve)");
  }
  return outcome;
}

}  // namespace sluice::pipeline

// sluice table: look after a Delta table — history, describe, properties, optimize, vacuum,
// delete, merge.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "commands.h"
#include "exit_codes.h"
#include "read_flags.h"
#include "sluice/columnar/table_printer.h"
#include "sluice/columnar/temporal.h"
#include "sluice/formats/csv/csv_writer.h"
#include "sluice/formats/ndjson_writer.h"
#include "sluice/lake/change_data_feed.h"
#include "sluice/lake/delta_table.h"

namespace sluice::cli {
namespace {

// "2024-05-01T12:00:00.123Z" (milliseconds, UTC).
std::string FormatTime(int64_t ms) {
  std::string text;
  columnar::AppendTimestamp(ms * 1000, /*iso=*/true, &text);
  if (text.size() > 24 && text[19] == '.') text = text.substr(0, 23) + "Z";
  return text;
}

Status RunHistory(const std::string& path, int64_t limit) {
  SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<lake::DeltaLog> log, lake::DeltaLog::Open(path));
  SLUICE_ASSIGN_OR_RETURN(bool exists, log->Exists());
  if (!exists) return Status::NotFound(path + " is not a Delta table (no _delta_log)");
  SLUICE_ASSIGN_OR_RETURN(std::vector<lake::HistoryEntry> entries, log->History(limit));
  std::printf("%-8s %-24s %-14s %7s %7s  %s\n", "version", "timestamp", "operation", "+files",
              "-files", "details");
  for (const lake::HistoryEntry& entry : entries) {
    std::string operation = entry.commit_info ? entry.commit_info->operation : "";
    std::string details;
    if (entry.commit_info) {
      for (const auto& [key, value] : entry.commit_info->operation_parameters) {
        if (value.empty() || value == "[]") continue;
        details += details.empty() ? "" : " ";
        details += key + "=" + value;
      }
      for (const auto& [key, value] : entry.commit_info->operation_metrics) {
        details += details.empty() ? "" : " ";
        details += key + "=" + value;
      }
    }
    std::printf("%-8lld %-24s %-14s %7lld %7lld  %s\n", static_cast<long long>(entry.version),
                FormatTime(entry.timestamp_ms).c_str(), operation.c_str(),
                static_cast<long long>(entry.files_added),
                static_cast<long long>(entry.files_removed), details.c_str());
  }
  return Status::OK();
}

std::string ProtocolText(const lake::Protocol& protocol) {
  std::string text = "reader " + std::to_string(protocol.min_reader_version) + ", writer " +
                     std::to_string(protocol.min_writer_version);
  std::string features;
  for (const auto* list : {&protocol.reader_features, &protocol.writer_features}) {
    if (!list->has_value()) continue;
    for (const std::string& feature : **list) {
      if (features.find(feature) == std::string::npos) {
        features += (features.empty() ? "" : ", ") + feature;
      }
    }
  }
  return features.empty() ? text : text + " (features: " + features + ")";
}

Status RunDescribe(const std::string& path, int64_t version) {
  SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<lake::DeltaLog> log, lake::DeltaLog::Open(path));
  SLUICE_ASSIGN_OR_RETURN(lake::SnapshotPtr snapshot,
                          log->Load(version >= 0 ? std::optional<int64_t>(version) : std::nullopt));
  if (!snapshot->exists()) return Status::NotFound(path + " is not a Delta table (no _delta_log)");
  std::cout << "table:       " << path << '\n';
  std::cout << "id:          " << snapshot->metadata.id << '\n';
  std::cout << "version:     " << snapshot->version << " (" << FormatTime(snapshot->timestamp_ms)
            << ")\n";
  std::cout << "protocol:    " << ProtocolText(snapshot->protocol) << '\n';
  std::cout << "files:       " << snapshot->files.size() << " (" << Megabytes(snapshot->SizeBytes())
            << ")\n";
  const std::optional<int64_t> rows = snapshot->NumRecords();
  int64_t files_with_vectors = 0;
  int64_t rows_marked = 0;
  for (const auto& [key, add] : snapshot->files) {
    if (!add.deletion_vector.has_value()) continue;
    ++files_with_vectors;
    rows_marked += add.deletion_vector->cardinality;
  }
  std::cout << "rows:        " << (rows ? std::to_string(*rows) : "unknown (files without stats)");
  if (files_with_vectors > 0) {
    std::cout << " (and " << rows_marked << " marked deleted by deletion vectors in "
              << files_with_vectors << (files_with_vectors == 1 ? " file)" : " files)");
  }
  std::cout << '\n';
  if (!snapshot->column_mapping_mode.empty()) {
    std::cout << "columns map: by " << snapshot->column_mapping_mode << " (column mapping)\n";
  }
  std::string partitions;
  for (const std::string& column : snapshot->metadata.partition_columns) {
    partitions += partitions.empty() ? "" : ", ";
    partitions += column;
  }
  std::cout << "partitioned: " << (partitions.empty() ? "no" : "by " + partitions) << '\n';
  std::cout << "checkpoint:  "
            << (snapshot->checkpoint_version ? std::to_string(*snapshot->checkpoint_version)
                                             : "none")
            << '\n';
  if (!snapshot->app_transactions.empty()) {
    std::cout << "app transactions:\n";
    for (const auto& [app, txn] : snapshot->app_transactions) {
      std::cout << "  " << app << " @ " << txn.version << '\n';
    }
  }
  if (snapshot->archived_transactions != nullptr) {
    std::cout << "app transactions archived before expiry: "
              << snapshot->archived_transactions->size() << '\n';
  }
  if (!snapshot->metadata.configuration.empty()) {
    std::cout << "properties:\n";
    for (const auto& [key, value] : snapshot->metadata.configuration) {
      std::cout << "  " << key << " = " << value << '\n';
    }
  }
  std::cout << "columns:\n";
  size_t width = 4;
  for (const columnar::Field& field : snapshot->schema->fields()) {
    width = std::max(width, field.name.size());
  }
  for (const columnar::Field& field : snapshot->schema->fields()) {
    std::cout << "  " << field.name << std::string(width + 2 - field.name.size(), ' ')
              << field.type.ToString() << (field.nullable ? "" : " not null") << '\n';
  }
  return Status::OK();
}

void PrintCommit(const lake::CommitResult& commit) {
  if (commit.checkpoint_written) {
    std::cerr << "sluice: checkpoint written at version " << commit.version << '\n';
  } else if (!commit.checkpoint_status.ok()) {
    std::cerr << "sluice: warning: checkpoint at version " << commit.version
              << " not written: " << commit.checkpoint_status.message() << '\n';
  }
}

struct TableFlags {
  std::string table;
  int64_t limit = 0;
  int64_t version = -1;
  std::string retain;  // empty: the table's delta.deletedFileRetentionDuration
  bool allow_short_retention = false;
  bool dry_run = false;
  std::string target_file_size = "128MiB";
  std::string where;
  std::string keys;
  std::vector<std::string> properties;  // KEY=VALUE
  std::vector<std::string> unset;
  int64_t from_version = -1;
  int64_t to_version = -1;
  std::string to = "table";
  ReadFlags read;             // merge source
  std::string rename_column;  // OLD=NEW
  std::string drop_column;
};

Status RunChanges(const TableFlags& flags) {
  SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<lake::DeltaLog> log, lake::DeltaLog::Open(flags.table));
  SLUICE_ASSIGN_OR_RETURN(
      std::unique_ptr<formats::RecordReader> reader,
      lake::OpenChangeFeed(
          log, flags.from_version,
          flags.to_version >= 0 ? std::optional<int64_t>(flags.to_version) : std::nullopt));
  std::ios::sync_with_stdio(false);
  columnar::TablePrinter table(std::cout);
  formats::NDJSONWriter ndjson(std::cout);
  formats::CSVWriter csv(std::cout);
  if (flags.to == "table") table.SetSchema(reader->schema());
  int64_t remaining = flags.limit > 0 ? flags.limit : -1;
  Status status;
  while (remaining != 0) {
    Result<columnar::BatchPtr> batch = reader->Next();
    if (!batch.ok()) {
      status = batch.status();
      break;
    }
    if (*batch == nullptr) break;
    const int64_t take =
        remaining < 0 ? (*batch)->num_rows() : std::min(remaining, (*batch)->num_rows());
    if (flags.to == "table") {
      table.Print(**batch, take);
    } else if (flags.to == "ndjson") {
      ndjson.Write(**batch, take);
    } else {
      csv.Write(**batch, take);
    }
    if (remaining > 0) remaining -= take;
  }
  if (flags.to == "table") table.Finish();
  std::cout.flush();
  return status;
}

Status RunProperties(const TableFlags& flags) {
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<lake::DeltaTable> table,
                          lake::DeltaTable::Open(flags.table));
  using Properties = std::map<std::string, std::string>;
  SLUICE_ASSIGN_OR_RETURN(Properties set, ParseProperties(flags.properties, "property"));
  lake::PropertiesResult result;
  if (set.empty() && flags.unset.empty()) {
    SLUICE_ASSIGN_OR_RETURN(lake::SnapshotPtr snapshot, table->log()->Load());
    if (!snapshot->exists()) return Status::NotFound(flags.table + " is not a Delta table");
    result.configuration = snapshot->metadata.configuration;
    result.protocol = snapshot->protocol;
  } else {
    SLUICE_ASSIGN_OR_RETURN(result, table->SetProperties(set, flags.unset));
  }
  for (const auto& [key, value] : result.configuration) std::cout << key << '=' << value << '\n';
  if (result.commit.version >= 0) {
    std::cerr << "sluice: properties set → version " << result.commit.version << '\n';
  } else if (!set.empty() || !flags.unset.empty()) {
    std::cerr << "sluice: properties unchanged\n";
  }
  if (result.protocol_upgraded) {
    std::cerr << "sluice: protocol raised to " << ProtocolText(result.protocol)
              << ": readers and writers must support these features\n";
  }
  return Status::OK();
}

Status RunAlter(const TableFlags& flags) {
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<lake::DeltaTable> table,
                          lake::DeltaTable::Open(flags.table));
  if (flags.rename_column.empty() == flags.drop_column.empty()) {
    return Status::InvalidArgument(
        "sluice table alter: give one of --rename-column OLD=NEW or --drop-column NAME");
  }
  lake::CommitResult commit;
  if (!flags.rename_column.empty()) {
    const size_t equals = flags.rename_column.find('=');
    if (equals == std::string::npos || equals == 0) {
      return Status::InvalidArgument("--rename-column expects OLD=NEW, got '" +
                                     flags.rename_column + "'");
    }
    SLUICE_ASSIGN_OR_RETURN(commit, table->RenameColumn(flags.rename_column.substr(0, equals),
                                                        flags.rename_column.substr(equals + 1)));
    std::cerr << "sluice: column renamed → version " << commit.version << '\n';
  } else {
    SLUICE_ASSIGN_OR_RETURN(commit, table->DropColumn(flags.drop_column));
    std::cerr << "sluice: column dropped → version " << commit.version << '\n';
  }
  PrintCommit(commit);
  return Status::OK();
}

Status RunOptimize(const TableFlags& flags) {
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<lake::DeltaTable> table,
                          lake::DeltaTable::Open(flags.table));
  SLUICE_ASSIGN_OR_RETURN(int64_t target,
                          ParseByteSize(flags.target_file_size, "--target-file-size"));
  SLUICE_ASSIGN_OR_RETURN(lake::OptimizeResult result, table->Optimize(target));
  if (result.commit.version < 0) {
    std::cerr << "sluice: nothing to compact in " << flags.table << '\n';
    return Status::OK();
  }
  std::cerr << "sluice: compacted " << result.files_removed << " files (" << result.rows
            << " rows) into " << result.files_added << " → version " << result.commit.version
            << '\n';
  PrintCommit(result.commit);
  return Status::OK();
}

Status RunVacuum(const TableFlags& flags) {
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<lake::DeltaTable> table,
                          lake::DeltaTable::Open(flags.table));
  lake::VacuumOptions options;
  if (!flags.retain.empty()) {
    Result<int64_t> retention = lake::ParseIntervalMs(flags.retain);
    if (!retention.ok()) return retention.status().WithContext("--retain");
    options.retention_ms = *retention;
  }
  options.allow_short_retention = flags.allow_short_retention;
  options.dry_run = flags.dry_run;
  Result<lake::VacuumResult> vacuumed = table->Vacuum(options);
  if (!vacuumed.ok()) {
    if (vacuumed.status().message().find("override the check") != std::string::npos) {
      return Status::InvalidArgument(vacuumed.status().message() + " with --allow-short-retention");
    }
    return vacuumed.status();
  }
  const lake::VacuumResult& result = *vacuumed;
  if (result.retention_ms < result.table_retention_ms) {
    std::cerr << "sluice: warning: retention " << lake::FormatDuration(result.retention_ms)
              << " is below the table's " << lake::FormatDuration(result.table_retention_ms)
              << " (--allow-short-retention): uncommitted files of a running writer and files "
                 "readers of older versions need "
              << (flags.dry_run ? "would be" : "are") << " deleted\n";
  }
  for (const std::string& file : result.files) std::cout << file << '\n';
  std::cerr << "sluice: " << (flags.dry_run ? "would delete " : "deleted ") << result.files.size()
            << (result.files.size() == 1 ? " file" : " files") << " (" << Megabytes(result.bytes)
            << ") not referenced by any version in the last "
            << lake::FormatDuration(result.retention_ms) << '\n';
  if (!result.stale_writes.empty()) {
    std::cerr << "sluice: " << (flags.dry_run ? "would clean up " : "cleaned up ")
              << result.stale_writes.size()
              << " leftover(s) of interrupted writes (temporary files, multipart uploads):\n";
    for (const std::string& path : result.stale_writes) std::cerr << "  " << path << '\n';
  }
  return Status::OK();
}

Status RunDelete(const TableFlags& flags) {
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<lake::DeltaTable> table,
                          lake::DeltaTable::Open(flags.table));
  const auto start = std::chrono::steady_clock::now();
  SLUICE_ASSIGN_OR_RETURN(lake::DeleteResult result, table->Delete(flags.where));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cerr << "sluice: deleted " << result.rows_deleted << " rows (read " << result.files_read
            << " of " << result.files_total << " files, ";
  if (result.deletion_vectors > 0) {
    std::cerr << "marked deleted rows in " << result.deletion_vectors << " deletion vector"
              << (result.deletion_vectors == 1 ? "" : "s");
    if (result.files_removed > 0) std::cerr << ", removed " << result.files_removed;
    std::cerr << ")";
  } else {
    std::cerr << "rewrote " << result.files_removed << ", copied " << result.rows_copied
              << " rows)";
  }
  if (result.commit.version >= 0) std::cerr << " → version " << result.commit.version;
  std::fprintf(stderr, " in %.2f s\n", seconds);
  PrintCommit(result.commit);
  return Status::OK();
}

Status RunMerge(TableFlags flags, const GlobalFlags& global) {
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<lake::DeltaTable> table,
                          lake::DeltaTable::Open(flags.table));
  SLUICE_ASSIGN_OR_RETURN(lake::SnapshotPtr snapshot, table->log()->Load());
  if (!snapshot->exists()) return Status::NotFound(flags.table + " is not a Delta table");
  const auto start = std::chrono::steady_clock::now();
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<ReadSession> session,
                          ReadSession::Make(flags.read, global.threads));
  std::vector<std::pair<std::string, columnar::DataType>> hints;
  for (const columnar::Field& field : snapshot->schema->fields()) {
    hints.emplace_back(field.name, field.type);
  }
  session->SetColumnTypeHints(std::move(hints));
  std::unique_ptr<formats::RecordReader> reader;
  SLUICE_ASSIGN_OR_RETURN(reader, session->OpenNext());
  if (!reader) return Status::InvalidArgument("merge needs a source file");
  const columnar::SchemaPtr source_schema = reader->schema();
  lake::BatchSource source = [&]() -> Result<columnar::BatchPtr> {
    while (reader) {
      SLUICE_ASSIGN_OR_RETURN(columnar::BatchPtr batch, reader->Next());
      if (batch != nullptr) return batch;
      SLUICE_ASSIGN_OR_RETURN(reader, session->OpenNext());
    }
    return columnar::BatchPtr();
  };
  lake::MergeOptions options;
  options.keys = SplitList(flags.keys);
  Result<lake::MergeResult> merged = table->Merge(source_schema, source, options);
  session->ReportRejects();
  if (!merged.ok()) return merged.status();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cerr << "sluice: merged into " << flags.table << ": " << merged->rows_updated << " updated, "
            << merged->rows_inserted << " inserted (read " << merged->files_read << " of "
            << merged->files_total << " files, ";
  if (merged->deletion_vectors > 0) {
    std::cerr << "marked replaced rows in " << merged->deletion_vectors << " deletion vector"
              << (merged->deletion_vectors == 1 ? "" : "s");
  } else {
    std::cerr << "rewrote " << merged->files_removed << ", copied " << merged->rows_copied
              << " rows";
  }
  std::cerr << ") → version " << merged->commit.version;
  std::fprintf(stderr, " in %.2f s\n", seconds);
  PrintCommit(merged->commit);
  return Status::OK();
}

}  // namespace

void RegisterTable(CLI::App* app, const GlobalFlags* global, int* exit_code) {
  CLI::App* command = app->add_subcommand("table", "Inspect and maintain Delta tables");
  command->require_subcommand(1);
  command->footer(
      "Examples:\n"
      "  sluice table history lake/orders\n"
      "  sluice table describe lake/orders\n"
      "  sluice table delete lake/orders --where \"status = 'cancelled' AND order_date < "
      "2024-01-01\"\n"
      "  sluice table merge lake/orders changes.csv --key order_id\n"
      "  sluice table optimize lake/orders\n"
      "  sluice table properties lake/orders delta.enableDeletionVectors=true\n"
      "  sluice table properties lake/orders delta.enableChangeDataFeed=true\n"
      "  sluice table changes lake/orders --from-version 5\n"
      "  sluice table properties lake/orders delta.columnMapping.mode=name\n"
      "  sluice table alter lake/orders --rename-column amount=amount_eur\n"
      "  sluice table vacuum lake/orders --dry-run\n");
  auto flags = std::make_shared<TableFlags>();
  const auto finish = [exit_code](const Status& status) {
    *exit_code = status.ok() ? kExitOk : ReportError(status);
  };

  CLI::App* history = command->add_subcommand("history", "List the table's commits, newest first");
  history->add_option("TABLE", flags->table, "The table: a folder or s3://bucket/prefix")
      ->required();
  history->add_option("--limit", flags->limit, "At most N commits")->check(CLI::NonNegativeNumber);
  history->callback([flags, finish] { finish(RunHistory(flags->table, flags->limit)); });

  CLI::App* describe = command->add_subcommand(
      "describe", "Show version, schema, partitioning, files, rows and properties");
  describe->add_option("TABLE", flags->table, "The table: a folder or s3://bucket/prefix")
      ->required();
  describe->add_option("--version", flags->version, "Describe this version (default: latest)");
  describe->callback([flags, finish] { finish(RunDescribe(flags->table, flags->version)); });

  CLI::App* optimize = command->add_subcommand(
      "optimize",
      "Compact small files into larger ones and purge deletion vectors (a rewrite with "
      "dataChange=false)");
  optimize->add_option("TABLE", flags->table, "The table: a folder or s3://bucket/prefix")
      ->required();
  optimize->add_option("--target-file-size", flags->target_file_size,
                       "Files smaller than this are compacted (default: 128MiB)");
  optimize->callback([flags, finish] { finish(RunOptimize(*flags)); });

  CLI::App* vacuum = command->add_subcommand(
      "vacuum",
      "Delete files no version within the retention period references (removed data files, "
      "deletion vectors, old change data, files and uploads of killed writers); the retention is "
      "the table's delta.deletedFileRetentionDuration (7 days) unless --retain says more");
  vacuum->add_option("TABLE", flags->table, "The table: a folder or s3://bucket/prefix")
      ->required();
  vacuum->add_option("--retain", flags->retain,
                     "Keep every file a version of the last DURATION references (default: the "
                     "table's delta.deletedFileRetentionDuration, 7 days unless set; e.g. 240h, "
                     "30d)");
  vacuum->add_flag("--allow-short-retention", flags->allow_short_retention,
                   "Allow --retain below the table's delta.deletedFileRetentionDuration. Only "
                   "when no writer and no reader of older versions is using the table: files a "
                   "running writer has not committed yet would be deleted");
  vacuum->add_flag("--dry-run", flags->dry_run, "List the files that would be deleted");
  vacuum->callback([flags, finish] { finish(RunVacuum(*flags)); });

  CLI::App* properties = command->add_subcommand(
      "properties",
      "Show the table's properties, or set (KEY=VALUE) and --unset them in one commit; a property "
      "that needs a newer protocol raises it (delta.enableDeletionVectors=true: reader 3 / writer "
      "7)");
  properties->add_option("TABLE", flags->table, "The table: a folder or s3://bucket/prefix")
      ->required();
  properties->add_option("KEY=VALUE", flags->properties,
                         "Properties to set, e.g. delta.enableDeletionVectors=true "
                         "delta.deletedFileRetentionDuration='interval 14 days'");
  properties->add_option("--unset", flags->unset, "Properties to remove (repeatable)");
  properties->callback([flags, finish] { finish(RunProperties(*flags)); });

  CLI::App* alter = command->add_subcommand(
      "alter",
      "Rename or drop a column without rewriting data (needs column mapping: set "
      "delta.columnMapping.mode=name first; readers then need Delta reader version 2)");
  alter->add_option("TABLE", flags->table, "The table: a folder or s3://bucket/prefix")->required();
  alter->add_option("--rename-column", flags->rename_column, "OLD=NEW: give a column a new name");
  alter->add_option("--drop-column", flags->drop_column,
                    "NAME: drop a column (its values stay in the files, unseen; a column added "
                    "later under the name starts empty)");
  alter->callback([flags, finish] { finish(RunAlter(*flags)); });

  CLI::App* changes = command->add_subcommand(
      "changes",
      "The row changes between two versions (the change data feed): each row with _change_type "
      "(insert, delete, update_preimage, update_postimage), _commit_version and "
      "_commit_timestamp");
  changes->add_option("TABLE", flags->table, "The table: a folder or s3://bucket/prefix")
      ->required();
  changes->add_option("--from-version", flags->from_version, "First version to read")
      ->required()
      ->check(CLI::NonNegativeNumber);
  changes->add_option("--to-version", flags->to_version, "Last version to read (default: latest)")
      ->check(CLI::NonNegativeNumber);
  changes->add_option("--to", flags->to, "Output: table (default), csv or ndjson")
      ->check(CLI::IsMember({"table", "csv", "ndjson"}));
  changes->add_option("--limit", flags->limit, "At most N rows")->check(CLI::NonNegativeNumber);
  changes->callback([flags, finish] { finish(RunChanges(*flags)); });

  CLI::App* remove =
      command->add_subcommand("delete",
                              "Delete the rows matching a condition (rewrites only files that hold "
                              "such rows, or marks them "
                              "in deletion vectors when delta.enableDeletionVectors=true)");
  remove->add_option("TABLE", flags->table, "The table: a folder or s3://bucket/prefix")
      ->required();
  remove
      ->add_option("--where", flags->where,
                   "Condition: comparisons joined by AND, e.g. \"id < 100 AND status = 'x'\" or "
                   "\"email IS NULL\"")
      ->required();
  remove->callback([flags, finish] { finish(RunDelete(*flags)); });

  CLI::App* merge = command->add_subcommand(
      "merge", "Upsert the rows of files into the table by key (update matches, insert the rest)");
  merge->add_option("TABLE", flags->table, "The table: a folder or s3://bucket/prefix")->required();
  flags->read.Register(merge);
  merge->get_option("PATH")->description("Source files with the new and changed rows");
  merge->add_option("--key", flags->keys, "Key column(s), comma-separated")->required();
  merge->callback([flags, global, finish] { finish(RunMerge(*flags, *global)); });
}

}  // namespace sluice::cli

#include "sluice/lake/change_data_feed.h"

#include <deque>

#include "sluice/columnar/column_builder.h"
#include "sluice/lake/table_features.h"
#include "sluice/lake/table_scan.h"

namespace sluice::lake {
namespace {

columnar::SchemaPtr WithChangeType(const columnar::Schema& table) {
  std::vector<columnar::Field> fields = table.fields();
  fields.push_back({std::string(kChangeTypeColumn), columnar::DataType::String(), true});
  return std::make_shared<const columnar::Schema>(std::move(fields));
}

DataFileOptions ChangeFileOptions(DataFileOptions options) {
  options.directory = "_change_data";
  options.file_prefix = "cdc";
  options.data_change = false;
  options.indexed_columns = 0;
  if (!options.physical_columns.empty()) {
    // Under column mapping, _change_type is stored under its own name.
    const std::string name(kChangeTypeColumn);
    options.physical_columns.push_back(PhysicalColumn{name, name, std::nullopt, ""});
  }
  return options;
}

columnar::ColumnPtr ConstantString(std::string_view value, int64_t rows) {
  columnar::StringBuilder builder;
  builder.Reserve(rows);
  for (int64_t i = 0; i < rows; ++i) builder.Append(value);
  return builder.Finish();
}

columnar::ColumnPtr ConstantInt64(columnar::DataType type, int64_t value, int64_t rows) {
  columnar::Int64Builder builder(type);
  builder.Reserve(rows);
  for (int64_t i = 0; i < rows; ++i) builder.Append(value);
  return builder.Finish();
}

// One set of files of one version read with one TableScan: its change files, or its added or
// removed files (then `change_type` names the change).
struct Segment {
  SnapshotPtr files;
  std::string change_type;  // "" when the files carry _change_type
  int64_t version = 0;
  int64_t timestamp_ms = 0;
};

class ChangeFeedReader final : public formats::RecordReader {
 public:
  ChangeFeedReader(std::shared_ptr<const DeltaLog> log, SnapshotPtr table,
                   std::deque<Segment> segments)
      : log_(std::move(log)), table_(std::move(table)), segments_(std::move(segments)) {
    std::vector<columnar::Field> fields = table_->schema->fields();
    fields.push_back({std::string(kChangeTypeColumn), columnar::DataType::String(), true});
    fields.push_back({std::string(kCommitVersionColumn), columnar::DataType::Int64(), true});
    fields.push_back({std::string(kCommitTimestampColumn), columnar::DataType::Timestamp(), true});
    schema_ = std::make_shared<const columnar::Schema>(std::move(fields));
  }

  columnar::SchemaPtr schema() const override { return schema_; }
  int64_t records_read() const override { return records_read_; }

  Result<columnar::BatchPtr> Next() override {
    while (true) {
      if (scan_ == nullptr) {
        if (segments_.empty()) return columnar::BatchPtr();
        current_ = std::move(segments_.front());
        segments_.pop_front();
        SLUICE_ASSIGN_OR_RETURN(scan_, TableScan::Open(log_, current_.files));
      }
      SLUICE_ASSIGN_OR_RETURN(columnar::BatchPtr batch, scan_->Next());
      if (batch == nullptr) {
        scan_.reset();
        continue;
      }
      const int64_t rows = batch->num_rows();
      std::vector<columnar::ColumnPtr> columns(
          batch->columns().begin(),
          batch->columns().begin() + static_cast<std::ptrdiff_t>(table_->schema->num_fields()));
      if (current_.change_type.empty()) {
        columns.push_back(batch->columns().back());
      } else {
        columns.push_back(ConstantString(current_.change_type, rows));
      }
      columns.push_back(ConstantInt64(columnar::DataType::Int64(), current_.version, rows));
      columns.push_back(
          ConstantInt64(columnar::DataType::Timestamp(), current_.timestamp_ms * 1000, rows));
      records_read_ += rows;
      return std::make_shared<const columnar::Batch>(schema_, std::move(columns), rows);
    }
  }

 private:
  std::shared_ptr<const DeltaLog> log_;
  SnapshotPtr table_;
  std::deque<Segment> segments_;
  Segment current_;
  std::unique_ptr<TableScan> scan_;
  columnar::SchemaPtr schema_;
  int64_t records_read_ = 0;
};

// A snapshot-shaped holder of some files, read in the table's shape (plus _change_type for change
// files).
std::shared_ptr<Snapshot> FilesOf(const Snapshot& table, int64_t version, bool change_files) {
  auto files = std::make_shared<Snapshot>();
  files->version = version;
  files->protocol = table.protocol;
  files->metadata = table.metadata;
  files->schema = change_files ? WithChangeType(*table.schema) : table.schema;
  std::vector<PhysicalColumn> physical = table.physical_columns;
  if (change_files && !physical.empty()) {
    // Change files name their _change_type column as it is.
    const std::string name(kChangeTypeColumn);
    physical.push_back(PhysicalColumn{name, name, std::nullopt, ""});
  }
  files->SetColumnMapping(table.column_mapping_mode, std::move(physical));
  return files;
}

}  // namespace

ChangeDataWriter::ChangeDataWriter(std::shared_ptr<io::FileSystem> fs, std::string table_root,
                                   const columnar::SchemaPtr& table_schema,
                                   std::vector<std::string> partition_columns,
                                   DataFileOptions options)
    : schema_(WithChangeType(*table_schema)),
      writer_(std::move(fs), std::move(table_root), schema_, std::move(partition_columns),
              ChangeFileOptions(std::move(options))) {}

Status ChangeDataWriter::Write(const columnar::Batch& rows, std::string_view change_type) {
  if (rows.num_rows() == 0) return Status::OK();
  std::vector<columnar::ColumnPtr> columns = rows.columns();
  columns.push_back(ConstantString(change_type, rows.num_rows()));
  return writer_.Write(columnar::Batch(schema_, std::move(columns), rows.num_rows()));
}

Result<std::vector<CdcFile>> ChangeDataWriter::Finish() {
  SLUICE_ASSIGN_OR_RETURN(std::vector<AddFile> adds, writer_.Finish());
  std::vector<CdcFile> files;
  for (AddFile& add : adds) {
    CdcFile cdc;
    cdc.path = std::move(add.path);
    cdc.partition_values = std::move(add.partition_values);
    cdc.size = add.size;
    files.push_back(std::move(cdc));
  }
  return files;
}

void ChangeDataWriter::Abort() { writer_.Abort(); }

bool WritesChangeData(const Snapshot& snapshot) {
  return ChangeDataFeedEnabled(snapshot.metadata) &&
         SupportsWriterFeature(snapshot.protocol, "changeDataFeed");
}

Result<std::unique_ptr<formats::RecordReader>> OpenChangeFeed(std::shared_ptr<const DeltaLog> log,
                                                              int64_t from_version,
                                                              std::optional<int64_t> to_version) {
  SLUICE_ASSIGN_OR_RETURN(SnapshotPtr table, log->Load(to_version));
  if (!table->exists()) return Status::NotFound(log->root() + " is not a Delta table");
  if (from_version < 0 || from_version > table->version) {
    return Status::InvalidArgument(log->root() + ": --from-version " +
                                   std::to_string(from_version) + " is not between 0 and " +
                                   std::to_string(table->version));
  }
  SLUICE_ASSIGN_OR_RETURN(auto timestamps, log->CommitTimestamps());
  std::deque<Segment> segments;
  for (int64_t version = from_version; version <= table->version; ++version) {
    SLUICE_ASSIGN_OR_RETURN(std::vector<Action> actions, log->ReadCommit(version));
    int64_t timestamp = timestamps.count(version) != 0 ? timestamps.at(version) : 0;
    auto changes = FilesOf(*table, version, /*change_files=*/true);
    auto inserted = FilesOf(*table, version, false);
    auto deleted = FilesOf(*table, version, false);
    for (Action& action : actions) {
      if (const auto* info = std::get_if<CommitInfo>(&action)) {
        if (info->in_commit_timestamp.has_value()) timestamp = *info->in_commit_timestamp;
      } else if (auto* cdc = std::get_if<CdcFile>(&action)) {
        AddFile file;
        file.path = cdc->path;
        file.partition_values = cdc->partition_values;
        file.size = cdc->size;
        changes->files.emplace(KeyOf(file), std::move(file));
      } else if (auto* add = std::get_if<AddFile>(&action)) {
        if (add->data_change) inserted->files.emplace(KeyOf(*add), std::move(*add));
      } else if (auto* remove = std::get_if<RemoveFile>(&action)) {
        if (!remove->data_change) continue;
        AddFile file;
        file.path = remove->path;
        file.partition_values = remove->partition_values.value_or(StringMap{});
        file.size = remove->size.value_or(0);
        file.deletion_vector = remove->deletion_vector;
        deleted->files.emplace(KeyOf(file), std::move(file));
      }
    }
    if (!changes->files.empty()) {
      segments.push_back(Segment{std::move(changes), "", version, timestamp});
      continue;
    }
    if (!deleted->files.empty()) {
      segments.push_back(Segment{std::move(deleted), "delete", version, timestamp});
    }
    if (!inserted->files.empty()) {
      segments.push_back(Segment{std::move(inserted), "insert", version, timestamp});
    }
  }
  return std::unique_ptr<formats::RecordReader>(
      std::make_unique<ChangeFeedReader>(std::move(log), std::move(table), std::move(segments)));
}

}  // namespace sluice::lake

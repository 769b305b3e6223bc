#include "sluice/lake/table_scan.h"

#include <algorithm>
#include <cctype>
#include <map>

#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/take.h"
#include "sluice/columnar/widen.h"
#include "sluice/formats/parquet/parquet_reader.h"
#include "sluice/formats/text_type_inference.h"
#include "sluice/lake/delta_schema.h"

namespace sluice::lake {
namespace {

Result<columnar::ColumnPtr> PartitionColumn(const std::optional<std::string>& value,
                                            columnar::DataType type, int64_t rows,
                                            const std::string& file, const std::string& column) {
  if (!value.has_value()) return columnar::MakeNullColumn(type, rows);
  std::unique_ptr<columnar::ColumnBuilder> builder = columnar::MakeBuilder(type);
  builder->Reserve(rows);
  formats::TextColumnType text_type;
  text_type.type = type;
  for (int64_t i = 0; i < rows; ++i) {
    const formats::ConvertError error = formats::AppendText(*value, text_type, builder.get());
    if (error != formats::ConvertError::kOk) {
      return Status::DataError(file + ": partition value of " + column + ": " +
                               formats::ConvertErrorMessage(error, *value, type));
    }
  }
  return builder->Finish();
}

// The top-level columns of a Parquet file by field id (files of tables mapped by id).
std::map<int32_t, std::string> TopLevelFieldIds(const parquet::FileMetaData& metadata) {
  std::map<int32_t, std::string> ids;
  const std::vector<parquet::SchemaElement>& elements = metadata.schema;
  if (elements.empty()) return ids;
  const int32_t top_level = elements[0].num_children.value_or(0);
  size_t index = 1;
  for (int32_t field = 0; field < top_level && index < elements.size(); ++field) {
    const parquet::SchemaElement& element = elements[index];
    if (element.field_id.has_value()) ids.emplace(*element.field_id, element.name);
    // Skip the field's subtree.
    int64_t pending = 1;
    while (pending > 0 && index < elements.size()) {
      pending += elements[index].num_children.value_or(0) - 1;
      ++index;
    }
  }
  return ids;
}

}  // namespace

TableScan::TableScan(std::shared_ptr<const DeltaLog> log, SnapshotPtr snapshot,
                     TableScanOptions options, columnar::SchemaPtr schema,
                     std::vector<size_t> table_indices)
    : log_(std::move(log)),
      snapshot_(std::move(snapshot)),
      options_(std::move(options)),
      schema_(std::move(schema)),
      table_indices_(std::move(table_indices)) {
  if (options_.files.empty()) {
    for (const auto& [key, add] : snapshot_->files) files_.push_back(key.path);
  } else {
    files_ = options_.files;
  }
}

TableScan::~TableScan() = default;

Result<std::unique_ptr<TableScan>> TableScan::Open(std::shared_ptr<const DeltaLog> log,
                                                   SnapshotPtr snapshot, TableScanOptions options) {
  if (!snapshot->exists()) return Status::NotFound(log->root() + " is not a Delta table");
  const columnar::Schema& table = *snapshot->schema;
  std::vector<size_t> indices;
  std::vector<columnar::Field> fields;
  if (options.columns.empty()) {
    for (size_t i = 0; i < table.num_fields(); ++i) indices.push_back(i);
  } else {
    for (const std::string& name : options.columns) {
      std::optional<size_t> index = FindColumn(table, name);
      if (!index.has_value()) {
        return Status::InvalidArgument(log->root() + ": no column '" + name + "' (the table has " +
                                       table.ToString() + ")");
      }
      indices.push_back(*index);
    }
  }
  for (const size_t index : indices) fields.push_back(table.field(index));
  std::vector<std::shared_ptr<const NestedFieldRenamer>> renamers(indices.size());
  for (size_t out = 0; out < indices.size() && !snapshot->physical_columns.empty(); ++out) {
    const PhysicalColumn& column = snapshot->physical_columns[indices[out]];
    if (!column.nested_type.empty()) {
      SLUICE_ASSIGN_OR_RETURN(renamers[out], NestedFieldRenamer::Make(column.nested_type));
    }
  }
  for (const std::string& path : options.files) {
    if (snapshot->FindFile(path) == nullptr) {
      return Status::NotFound(log->root() + ": " + path + " is not a live file of version " +
                              std::to_string(snapshot->version));
    }
  }
  auto scan = std::unique_ptr<TableScan>(new TableScan(
      std::move(log), std::move(snapshot), std::move(options),
      std::make_shared<const columnar::Schema>(std::move(fields)), std::move(indices)));
  scan->renamers_ = std::move(renamers);
  return scan;
}

columnar::SchemaPtr TableScan::schema() const { return schema_; }

Status TableScan::OpenNextFile() {
  reader_.reset();
  current_file_ = files_[next_file_++];
  current_add_ = snapshot_->FindFile(current_file_);
  const std::string path = io::JoinPath(log_->root(), current_file_);
  deleted_ = DeletionBitmap();
  file_row_ = 0;
  if (current_add_->deletion_vector.has_value() && options_.skip_deleted_rows) {
    SLUICE_ASSIGN_OR_RETURN(
        deleted_, ReadDeletionVector(log_->fs(), log_->root(), *current_add_->deletion_vector,
                                     current_file_));
  }
  SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<io::RandomAccessFile> file,
                          log_->fs()->OpenForRead(path));
  SLUICE_ASSIGN_OR_RETURN(auto probe, parquet::ParquetReader::Open(file));
  const columnar::SchemaPtr file_schema = probe->schema();
  const std::vector<PhysicalColumn>& physical = snapshot_->physical_columns;
  std::map<int32_t, std::string> field_ids;
  if (snapshot_->column_mapping_mode == "id") field_ids = TopLevelFieldIds(probe->metadata());
  parquet::ParquetReadOptions read_options;
  read_options.threads = options_.threads;
  file_columns_.assign(table_indices_.size(), -1);
  const std::vector<std::string>& partition_columns = snapshot_->metadata.partition_columns;
  for (size_t out = 0; out < table_indices_.size(); ++out) {
    const std::string& name = snapshot_->schema->field(table_indices_[out]).name;
    if (std::find(partition_columns.begin(), partition_columns.end(), name) !=
        partition_columns.end()) {
      continue;
    }
    std::optional<size_t> index;
    if (physical.empty()) {
      index = FindColumn(*file_schema, name);
    } else {
      // Column mapping: by field id when the file has ids, else by physical name — never by
      // the logical name, which a rename may have given to another column.
      const PhysicalColumn& column = physical[table_indices_[out]];
      auto by_id = column.field_id ? field_ids.find(*column.field_id) : field_ids.end();
      index =
          file_schema->FieldIndex(by_id != field_ids.end() ? by_id->second : column.physical_name);
    }
    if (!index.has_value()) continue;  // added after this file was written: nulls
    file_columns_[out] = static_cast<int>(read_options.columns.size());
    read_options.columns.push_back(file_schema->field(*index).name);
  }
  probe.reset();
  if (read_options.columns.empty()) {
    // Only partition columns or columns the file lacks: the row count is all we need.
    read_options.columns.push_back(file_schema->field(0).name);
  }
  SLUICE_ASSIGN_OR_RETURN(reader_, parquet::ParquetReader::Open(file, read_options));
  ++files_opened_;
  return Status::OK();
}

Result<columnar::BatchPtr> TableScan::Shape(const columnar::Batch& batch) const {
  std::vector<columnar::ColumnPtr> columns;
  columns.reserve(table_indices_.size());
  for (size_t out = 0; out < table_indices_.size(); ++out) {
    const columnar::Field& field = snapshot_->schema->field(table_indices_[out]);
    if (file_columns_[out] < 0) {
      const std::string& key = snapshot_->physical_columns.empty()
                                   ? field.name
                                   : snapshot_->physical_columns[table_indices_[out]].physical_name;
      auto value = current_add_->partition_values.find(key);
      if (value != current_add_->partition_values.end()) {
        SLUICE_ASSIGN_OR_RETURN(columnar::ColumnPtr column,
                                PartitionColumn(value->second, field.type, batch.num_rows(),
                                                current_file_, field.name));
        columns.push_back(std::move(column));
      } else {
        columns.push_back(columnar::MakeNullColumn(field.type, batch.num_rows()));
      }
      continue;
    }
    columnar::ColumnPtr column = batch.columns()[static_cast<size_t>(file_columns_[out])];
    if (!(column->type() == field.type)) {
      Result<columnar::ColumnPtr> widened = columnar::WidenColumn(column, field.type);
      if (!widened.ok()) widened = columnar::ReinterpretColumn(column, field.type);
      if (!widened.ok()) {
        return Status::DataError(current_file_ + ": column " + field.name + " is stored as " +
                                 column->type().ToString() + ", which cannot be read as the " +
                                 "table's " + field.type.ToString());
      }
      column = std::move(widened).ValueUnsafe();
    }
    if (renamers_[out] != nullptr && column->type().is_binary_like()) {
      const auto& values = static_cast<const columnar::StringColumn&>(*column);
      columnar::StringBuilder renamed(column->type());
      renamed.Reserve(batch.num_rows());
      for (int64_t row = 0; row < batch.num_rows(); ++row) {
        if (values.IsNull(row)) {
          renamed.AppendNull();
        } else {
          renamed.Append(renamers_[out]->Apply(values.Value(row)));
        }
      }
      column = renamed.Finish();
    }
    columns.push_back(std::move(column));
  }
  return std::make_shared<const columnar::Batch>(schema_, std::move(columns), batch.num_rows());
}

Result<columnar::BatchPtr> TableScan::Next() {
  while (true) {
    if (reader_ == nullptr) {
      if (next_file_ >= files_.size()) return columnar::BatchPtr();
      Status status = OpenNextFile();
      if (!status.ok()) return status.WithContext(log_->root());
    }
    SLUICE_ASSIGN_OR_RETURN(columnar::BatchPtr batch, reader_->Next());
    if (batch == nullptr) {
      reader_.reset();
      continue;
    }
    if (batch->num_rows() == 0) continue;
    const int64_t first_row = file_row_;
    file_row_ += batch->num_rows();
    if (!deleted_.empty()) {
      // Row positions count from the file's first row: the reader returns every row group in
      // order (no filters are set).
      std::vector<int64_t> keep;
      keep.reserve(static_cast<size_t>(batch->num_rows()));
      for (int64_t row = 0; row < batch->num_rows(); ++row) {
        if (!deleted_.Contains(static_cast<uint64_t>(first_row + row))) keep.push_back(row);
      }
      rows_deleted_ += batch->num_rows() - static_cast<int64_t>(keep.size());
      if (keep.empty()) continue;
      if (static_cast<int64_t>(keep.size()) < batch->num_rows()) {
        batch = columnar::TakeRows(*batch, keep);
      }
    }
    records_read_ += batch->num_rows();
    return Shape(*batch);
  }
}

}  // namespace sluice::lake

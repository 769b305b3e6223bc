#include "sluice/lake/data_file_writer.h"

#include <cstdio>

#include "sluice/columnar/take.h"
#include "sluice/columnar/value_formatter.h"
#include "sluice/columnar/widen.h"
#include "sluice/lake/file_statistics.h"
#include "sluice/lake/transaction.h"

namespace sluice::lake {
namespace {

// Delta has no time or json type: files store them as int64 and string (see delta_schema.h).
columnar::DataType StorageType(columnar::DataType type) {
  if (type.id() == columnar::TypeId::kTime) return columnar::DataType::Int64();
  if (type.id() == columnar::TypeId::kJson) return columnar::DataType::String();
  return type;
}

std::string CodecSuffix(io::Codec codec) {
  switch (codec) {
    case io::Codec::kNone:
      return "";
    case io::Codec::kZstd:
      return ".zstd";
    case io::Codec::kGzip:
      return ".gz";
    case io::Codec::kLZ4Raw:
      return ".lz4raw";
    case io::Codec::kBrotli:
      return ".br";
    default:
      return ".snappy";
  }
}

}  // namespace

struct DataFileWriter::OpenFile {
  std::string relative_path;
  StringMap partition_values;
  std::map<std::string, std::string> tags;
  std::unique_ptr<parquet::ParquetWriter> writer;
  std::unique_ptr<StatsCollector> stats;
  int64_t memory_bytes = 0;
};

int64_t BatchMemoryBytes(const columnar::Batch& batch) {
  int64_t total = 0;
  for (const columnar::ColumnPtr& column : batch.columns()) {
    switch (column->type().id()) {
      case columnar::TypeId::kBool:
        total += (column->length() + 7) / 8;
        break;
      case columnar::TypeId::kInt32:
      case columnar::TypeId::kDate:
        total += column->length() * 4;
        break;
      case columnar::TypeId::kDecimal:
        total += column->length() * 16;
        break;
      case columnar::TypeId::kString:
      case columnar::TypeId::kBinary:
      case columnar::TypeId::kJson:
        total += column->length() * 8 +
                 static_cast<int64_t>(
                     static_cast<const columnar::StringColumn&>(*column).bytes().size());
        break;
      default:
        total += column->length() * 8;
    }
  }
  return total;
}

std::optional<std::string> PartitionValueText(const columnar::Column& column, int64_t row) {
  if (column.IsNull(row)) return std::nullopt;
  std::string text;
  if (column.type().id() == columnar::TypeId::kTimestamp) {
    // Delta's partition value format for timestamps: "2024-01-31 10:00:00[.ffffff]" (UTC).
    columnar::AppendValue(column, row, columnar::ValueStyle::kDisplay, &text);
  } else if (column.type().is_binary_like()) {
    const std::string_view value = static_cast<const columnar::StringColumn&>(column).Value(row);
    text.assign(value);
  } else {
    columnar::AppendValue(column, row, columnar::ValueStyle::kCsv, &text);
  }
  return text;
}

// Whether rows `row` and `row - 1` of `column` hold the same value (two nulls are the same); false
// when unsure (booleans, floats), which only costs formatting the value again.
bool SameAsPrevious(const columnar::Column& column, int64_t row) {
  const bool null = column.IsNull(row);
  if (null || column.IsNull(row - 1)) return null == column.IsNull(row - 1);
  switch (column.type().id()) {
    case columnar::TypeId::kInt32:
    case columnar::TypeId::kDate: {
      const auto& values = static_cast<const columnar::Int32Column&>(column);
      return values.Value(row) == values.Value(row - 1);
    }
    case columnar::TypeId::kInt64:
    case columnar::TypeId::kTime:
    case columnar::TypeId::kTimestamp: {
      const auto& values = static_cast<const columnar::Int64Column&>(column);
      return values.Value(row) == values.Value(row - 1);
    }
    case columnar::TypeId::kDecimal: {
      const auto& values = static_cast<const columnar::DecimalColumn&>(column);
      return values.Value(row) == values.Value(row - 1);
    }
    case columnar::TypeId::kString:
    case columnar::TypeId::kBinary:
    case columnar::TypeId::kJson: {
      const auto& values = static_cast<const columnar::StringColumn&>(column);
      return values.Value(row) == values.Value(row - 1);
    }
    default:
      return false;
  }
}

std::string HivePartitionSegment(const std::string& column,
                                 const std::optional<std::string>& value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string segment;
  const auto escape = [&](std::string_view text) {
    for (const char c : text) {
      const auto byte = static_cast<unsigned char>(c);
      // Hive's escapePathName set: control characters and "#%'*/:=?\\{[]^ plus DEL.
      if (byte < 0x20 || byte == 0x7F ||
          std::string_view("\"#%'*/:=?\\{[]^").find(c) != std::string_view::npos) {
        segment += '%';
        segment += kHex[byte >> 4];
        segment += kHex[byte & 15];
      } else {
        segment += c;
      }
    }
  };
  escape(column);
  segment += '=';
  if (!value.has_value() || value->empty()) {
    segment += "__HIVE_DEFAULT_PARTITION__";
  } else {
    escape(*value);
  }
  return segment;
}

DataFileWriter::DataFileWriter(std::shared_ptr<io::FileSystem> fs, std::string table_root,
                               columnar::SchemaPtr table_schema,
                               std::vector<std::string> partition_columns, DataFileOptions options)
    : fs_(std::move(fs)),
      root_(std::move(table_root)),
      table_schema_(std::move(table_schema)),
      partition_columns_(std::move(partition_columns)),
      options_(std::move(options)) {
  const std::vector<PhysicalColumn>& physical = options_.physical_columns;
  const bool mapped = !physical.empty() && physical.size() == table_schema_->num_fields();
  std::vector<columnar::Field> data_fields;
  for (const std::string& name : partition_columns_) {
    const size_t index = table_schema_->FieldIndex(name).value_or(0);
    partition_indices_.push_back(index);
    partition_keys_.push_back(mapped ? physical[index].physical_name : name);
  }
  bool any_id = false;
  std::vector<std::optional<int32_t>> field_ids;
  for (size_t i = 0; i < table_schema_->num_fields(); ++i) {
    const columnar::Field& field = table_schema_->field(i);
    bool is_partition = false;
    for (const std::string& name : partition_columns_) is_partition |= name == field.name;
    if (is_partition) continue;
    data_indices_.push_back(i);
    columnar::Field stored = field;
    stored.type = StorageType(field.type);
    if (mapped) {
      stored.name = physical[i].physical_name;
      field_ids.push_back(physical[i].field_id);
      any_id |= physical[i].field_id.has_value();
    }
    data_fields.push_back(std::move(stored));
  }
  if (any_id) options_.parquet.field_ids = std::move(field_ids);
  data_schema_ = std::make_shared<const columnar::Schema>(std::move(data_fields));
}

DataFileWriter::~DataFileWriter() = default;

Result<DataFileWriter::OpenFile*> DataFileWriter::FileFor(const std::string& partition_key,
                                                          const StringMap& values) {
  auto it = open_.find(partition_key);
  if (it != open_.end()) return it->second.get();
  auto file = std::make_unique<OpenFile>();
  char name[96];
  std::snprintf(name, sizeof(name), "%s-%05lld-", options_.file_prefix.c_str(),
                static_cast<long long>(file_counter_++));
  file->relative_path = partition_key + (partition_key.empty() ? "" : "/") + name + NewUUID() +
                        "-c000" + CodecSuffix(options_.parquet.codec) + ".parquet";
  if (!options_.directory.empty())
    file->relative_path = options_.directory + "/" + file->relative_path;
  file->partition_values = values;
  file->tags = file_tags_;
  const std::string path = io::JoinPath(root_, file->relative_path);
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<io::OutputStream> out, fs_->OpenForWrite(path));
  written_paths_.push_back(path);
  SLUICE_ASSIGN_OR_RETURN(
      file->writer, parquet::ParquetWriter::Open(std::move(out), data_schema_, options_.parquet));
  file->stats = std::make_unique<StatsCollector>(data_schema_, options_.indexed_columns);
  OpenFile* pointer = file.get();
  open_.emplace(partition_key, std::move(file));
  return pointer;
}

Status DataFileWriter::CloseFile(std::unique_ptr<OpenFile> file) {
  SLUICE_ASSIGN_OR_RETURN(parquet::ParquetWriteSummary summary, file->writer->Close());
  AddFile add;
  add.path = EncodeActionPath(file->relative_path);
  add.partition_values = file->partition_values;
  add.size = summary.file_bytes;
  if (options_.now_ms != 0) {
    add.modification_time = options_.now_ms;
  } else {
    Result<io::FileInfo> info = fs_->Stat(io::JoinPath(root_, file->relative_path));
    add.modification_time = info.ok() ? info->modification_time_ms : CurrentTimeMs();
  }
  add.data_change = options_.data_change;
  add.stats = file->stats->ToJson();
  if (!file->tags.empty()) add.tags = file->tags;
  bytes_written_ += summary.file_bytes;
  done_.push_back(std::move(add));
  return Status::OK();
}

Status DataFileWriter::Write(const columnar::Batch& batch) {
  if (batch.num_rows() == 0) return Status::OK();
  // Group the rows by partition.
  std::map<std::string, std::pair<StringMap, std::vector<int64_t>>> groups;
  if (partition_columns_.empty()) {
    auto& group = groups[""];
    group.second.resize(static_cast<size_t>(batch.num_rows()));
    for (int64_t row = 0; row < batch.num_rows(); ++row) {
      group.second[static_cast<size_t>(row)] = row;
    }
  } else {
    std::string key;
    std::vector<int64_t>* previous = nullptr;
    for (int64_t row = 0; row < batch.num_rows(); ++row) {
      // Rows of one partition usually come together: the key is formatted once per run of them.
      if (previous != nullptr) {
        bool same = true;
        for (size_t p = 0; p < partition_columns_.size() && same; ++p) {
          same = SameAsPrevious(batch.column(partition_indices_[p]), row);
        }
        if (same) {
          previous->push_back(row);
          continue;
        }
      }
      key.clear();
      StringMap values;
      for (size_t p = 0; p < partition_columns_.size(); ++p) {
        std::optional<std::string> value =
            PartitionValueText(batch.column(partition_indices_[p]), row);
        if (value.has_value() && value->empty()) value.reset();  // '' partitions like null
        if (!key.empty()) key += '/';
        key += HivePartitionSegment(partition_keys_[p], value);
        values.emplace(partition_keys_[p], std::move(value));
      }
      auto& group = groups[key];
      if (group.second.empty()) group.first = std::move(values);
      group.second.push_back(row);
      previous = &group.second;
    }
  }
  const bool whole_batch = groups.size() == 1;
  for (auto& [key, group] : groups) {
    std::vector<columnar::ColumnPtr> columns;
    columns.reserve(data_indices_.size());
    for (size_t d = 0; d < data_indices_.size(); ++d) {
      columnar::ColumnPtr column = batch.columns()[data_indices_[d]];
      if (!whole_batch) column = columnar::TakeRows(*column, group.second);
      const columnar::DataType stored = data_schema_->field(d).type;
      if (!(column->type() == stored)) {
        SLUICE_ASSIGN_OR_RETURN(column, columnar::ReinterpretColumn(column, stored));
      }
      columns.push_back(std::move(column));
    }
    const columnar::Batch part(data_schema_, std::move(columns),
                               static_cast<int64_t>(group.second.size()));
    SLUICE_ASSIGN_OR_RETURN(OpenFile * file, FileFor(key, group.first));
    SLUICE_RETURN_NOT_OK(file->writer->Write(part));
    file->stats->Update(part);
    file->memory_bytes += BatchMemoryBytes(part);
    rows_written_ += part.num_rows();
    if (file->memory_bytes >= options_.target_file_bytes) {
      auto node = open_.extract(key);
      SLUICE_RETURN_NOT_OK(CloseFile(std::move(node.mapped())));
    }
  }
  return Status::OK();
}

Status DataFileWriter::CloseOpenFiles() {
  while (!open_.empty()) {
    auto node = open_.extract(open_.begin());
    SLUICE_RETURN_NOT_OK(CloseFile(std::move(node.mapped())));
  }
  return Status::OK();
}

Result<std::vector<AddFile>> DataFileWriter::Finish() {
  SLUICE_RETURN_NOT_OK(CloseOpenFiles());
  return std::move(done_);
}

void DataFileWriter::Abort() {
  open_.clear();  // streams destroyed without Close leave nothing behind
  for (const std::string& path : written_paths_) (void)fs_->Delete(path);
  written_paths_.clear();
  done_.clear();
}

}  // namespace sluice::lake

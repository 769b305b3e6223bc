#include "sluice/formats/file_reader.h"

#include "sluice/formats/csv/csv_reader.h"
#include "sluice/formats/json/json_reader.h"
#include "sluice/formats/parquet/parquet_reader.h"
#include "sluice/io/input_stream.h"

namespace sluice::formats {

std::string_view FileFormatName(FileFormat format) {
  switch (format) {
    case FileFormat::kCSV:
      return "csv";
    case FileFormat::kJSON:
      return "json";
    case FileFormat::kParquet:
      return "parquet";
  }
  return "unknown";
}

Result<FileFormat> ParseFileFormat(std::string_view name) {
  if (name == "csv" || name == "tsv") return FileFormat::kCSV;
  if (name == "json" || name == "ndjson" || name == "jsonl") return FileFormat::kJSON;
  if (name == "parquet") return FileFormat::kParquet;
  return Status::InvalidArgument("unknown format '" + std::string(name) +
                                 "' (expected csv, tsv, json, ndjson, jsonl or parquet)");
}

namespace {

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// Parquet needs ranged reads: a file, or standard input read whole into memory.
Result<std::unique_ptr<RecordReader>> OpenParquet(const std::string& path,
                                                  const FileReadOptions& options) {
  std::shared_ptr<io::RandomAccessFile> file;
  if (path == "-") {
    SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<io::InputStream> input, io::OpenFile(path));
    std::string data;
    std::string buffer(1 << 20, '\0');
    while (true) {
      SLUICE_ASSIGN_OR_RETURN(const size_t got, input->Read(buffer.data(), buffer.size()));
      if (got == 0) break;
      data.append(buffer.data(), got);
    }
    file = io::MakeMemoryRandomAccessFile(std::move(data), "<stdin>");
  } else {
    SLUICE_ASSIGN_OR_RETURN(file, io::OpenRandomAccessFile(path));
  }
  parquet::ParquetReadOptions parquet;
  parquet.threads = options.csv.common.threads;
  parquet.columns = options.columns;
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<parquet::ParquetReader> reader,
                          parquet::ParquetReader::Open(std::move(file), std::move(parquet)));
  return std::unique_ptr<RecordReader>(std::move(reader));
}

// Keeps the named columns of another reader's batches, in the given order.
class ProjectingReader final : public RecordReader {
 public:
  static Result<std::unique_ptr<RecordReader>> Make(std::unique_ptr<RecordReader> input,
                                                    const std::vector<std::string>& columns,
                                                    const std::string& path) {
    auto reader = std::unique_ptr<ProjectingReader>(new ProjectingReader());
    reader->input_ = std::move(input);
    reader->columns_ = columns;
    reader->path_ = path;
    SLUICE_RETURN_NOT_OK(reader->Project(reader->input_->schema()));
    return std::unique_ptr<RecordReader>(std::move(reader));
  }

  columnar::SchemaPtr schema() const override { return schema_; }
  int64_t records_read() const override { return input_->records_read(); }

  Result<columnar::BatchPtr> Next() override {
    SLUICE_ASSIGN_OR_RETURN(columnar::BatchPtr batch, input_->Next());
    if (!batch) return batch;
    if (batch->schema() != input_schema_) SLUICE_RETURN_NOT_OK(Project(batch->schema()));
    std::vector<columnar::ColumnPtr> columns;
    for (size_t index : indices_) columns.push_back(batch->columns()[index]);
    return std::make_shared<const columnar::Batch>(schema_, std::move(columns), batch->num_rows());
  }

 private:
  ProjectingReader() = default;

  Status Project(const columnar::SchemaPtr& schema) {
    std::vector<columnar::Field> fields;
    indices_.clear();
    for (const std::string& name : columns_) {
      const std::optional<size_t> index = schema->FieldIndex(name);
      if (!index) {
        std::string known;
        for (const columnar::Field& field : schema->fields()) {
          known += (known.empty() ? "" : ", ") + field.name;
        }
        return Status::InvalidArgument(path_ + ": no column '" + name + "' (columns: " + known +
                                       ")");
      }
      indices_.push_back(*index);
      fields.push_back(schema->field(*index));
    }
    input_schema_ = schema;
    schema_ = std::make_shared<const columnar::Schema>(std::move(fields));
    return Status::OK();
  }

  std::unique_ptr<RecordReader> input_;
  std::vector<std::string> columns_;
  std::string path_;
  columnar::SchemaPtr input_schema_;
  columnar::SchemaPtr schema_;
  std::vector<size_t> indices_;
};

}  // namespace

Result<FileFormat> FileFormatFromPath(const std::string& path) {
  std::string_view name(path);
  for (std::string_view suffix : {".gz", ".gzip", ".zst", ".zstd"}) {
    if (EndsWith(name, suffix)) {
      name.remove_suffix(suffix.size());
      break;
    }
  }
  for (std::string_view suffix : {".csv", ".tsv", ".txt", ".psv", ".CSV", ".TSV"}) {
    if (EndsWith(name, suffix)) return FileFormat::kCSV;
  }
  for (std::string_view suffix : {".json", ".ndjson", ".jsonl", ".geojsonl", ".JSON"}) {
    if (EndsWith(name, suffix)) return FileFormat::kJSON;
  }
  for (std::string_view suffix : {".parquet", ".parq", ".pq", ".PARQUET"}) {
    if (EndsWith(name, suffix)) return FileFormat::kParquet;
  }
  return Status::InvalidArgument(path +
                                 ": cannot tell the format from the file name; give --format "
                                 "csv, json or parquet");
}

namespace {

Result<std::unique_ptr<RecordReader>> OpenWholeFile(const std::string& path,
                                                    const FileReadOptions& options,
                                                    RejectTracker* rejects) {
  FileFormat format;
  if (options.format) {
    format = *options.format;
  } else {
    SLUICE_ASSIGN_OR_RETURN(format, FileFormatFromPath(path));
  }
  if (format == FileFormat::kParquet) return OpenParquet(path, options);
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<io::InputStream> input, io::OpenDecompressed(path));
  switch (format) {
    case FileFormat::kParquet:
      break;
    case FileFormat::kCSV: {
      CSVReadOptions csv = options.csv;
      if (!csv.delimiter &&
          (EndsWith(path, ".tsv") || EndsWith(path, ".tsv.gz") || EndsWith(path, ".tsv.zst"))) {
        csv.delimiter = '\t';
      }
      SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<CSVReader> reader,
                              CSVReader::Open(std::move(input), std::move(csv), rejects));
      return std::unique_ptr<RecordReader>(std::move(reader));
    }
    case FileFormat::kJSON: {
      JSONReadOptions json;
      json.common = options.csv.common;
      SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<JSONReader> reader,
                              JSONReader::Open(std::move(input), std::move(json), rejects));
      return std::unique_ptr<RecordReader>(std::move(reader));
    }
  }
  return Status::Internal("unhandled format");
}

}  // namespace

Result<std::unique_ptr<RecordReader>> OpenFileReader(const std::string& path,
                                                     const FileReadOptions& options,
                                                     RejectTracker* rejects) {
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<RecordReader> reader,
                          OpenWholeFile(path, options, rejects));
  // Parquet projects by itself (only the named column chunks are read).
  Result<FileFormat> format =
      options.format ? Result<FileFormat>(*options.format) : FileFormatFromPath(path);
  const bool parquet = format.ok() && *format == FileFormat::kParquet;
  if (options.columns.empty() || parquet) return reader;
  return ProjectingReader::Make(std::move(reader), options.columns, path);
}

}  // namespace sluice::formats

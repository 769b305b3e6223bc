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
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<parquet::ParquetReader> reader,
                          parquet::ParquetReader::Open(std::move(file), std::move(parquet)));
  return std::unique_ptr<RecordReader>(std::move(reader));
}

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

Result<std::unique_ptr<RecordReader>> OpenFileReader(const std::string& path,
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

}  // namespace sluice::formats

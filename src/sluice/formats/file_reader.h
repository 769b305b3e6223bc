// Opens a file with the reader for its format — the one explicit list of file formats.
//
//   csv     .csv .tsv .txt .psv (and any of them + .gz / .zst)
//   json    .json .ndjson .jsonl .geojsonl (newline-delimited, concatenated or a top-level array)
//   parquet .parquet .parq .pq (nested columns read as json)
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/formats/csv/csv_options.h"
#include "sluice/formats/record_reader.h"

namespace sluice::formats {

enum class FileFormat { kCSV, kJSON, kParquet };

std::string_view FileFormatName(FileFormat format);
// "csv", "tsv" (csv with tab), "json", "ndjson", "jsonl", "parquet".
Result<FileFormat> ParseFileFormat(std::string_view name);
// By extension (compression suffixes ignored); InvalidArgument naming the path when unknown.
Result<FileFormat> FileFormatFromPath(const std::string& path);

struct FileReadOptions {
  std::optional<FileFormat> format;  // from the extension when absent
  CSVReadOptions csv;                // csv.common applies to every format
  // Only these columns, in this order (empty: all). Parquet reads only their column chunks; text
  // formats parse everything and drop the rest. An unknown name is InvalidArgument.
  std::vector<std::string> columns;
};

// Opens `path` ("-" = stdin, which needs an explicit format), decompressing when needed.
Result<std::unique_ptr<RecordReader>> OpenFileReader(const std::string& path,
                                                     const FileReadOptions& options,
                                                     RejectTracker* rejects);

}  // namespace sluice::formats

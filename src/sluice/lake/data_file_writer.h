// DataFileWriter: writes table-shaped batches as the Parquet data files of a Delta table — one
// set of files per partition (Hive-style `col=value/` directories), rolled at a target size, each
// with its statistics — and returns the add actions for them.
//
// Files are named `[<partition path>/]part-<n>-<uuid>-c000.<codec>.parquet` and are written whole
// through FileSystem::OpenForWrite (visible only when complete). Partition columns are not stored
// in the files (Delta keeps them in partitionValues). Files written before a failure are deleted
// by Abort(); a crash leaves them unreferenced, and VACUUM removes them later.
//
// Not thread-safe: one caller at a time (each file's columns are encoded on several threads).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sluice/columnar/batch.h"
#include "sluice/common/result.h"
#include "sluice/formats/parquet/parquet_writer.h"
#include "sluice/io/file_system.h"
#include "sluice/lake/actions.h"
#include "sluice/lake/delta_schema.h"

namespace sluice::lake {

struct DataFileOptions {
  // A file is closed once the in-memory size of the rows written to it reaches this (the Parquet
  // file is usually 2–5× smaller).
  int64_t target_file_bytes = 256ll << 20;
  parquet::ParquetWriteOptions parquet;
  // Columns with min/max/nullCount statistics (Delta's delta.dataSkippingNumIndexedCols).
  int indexed_columns = 32;
  // Whether the add actions mark a data change (false for OPTIMIZE rewrites).
  bool data_change = true;
  // Milliseconds since the epoch for modificationTime (0 = the file's own mtime at close).
  int64_t now_ms = 0;
  // The folder under the table root the files go to ("" = the root; "_change_data" for change
  // data files) and their name prefix ("part", "cdc").
  std::string directory;
  std::string file_prefix = "part";
  // Column mapping (column_mapping.h): one entry per column of the table schema, in order, whose
  // physical name the files, partition values and statistics use, and whose id becomes the
  // Parquet field_id. Empty: columns are stored under their names.
  std::vector<PhysicalColumn> physical_columns;
};

class DataFileWriter {
 public:
  // `table_schema` includes the partition columns, which must be among its fields.
  DataFileWriter(std::shared_ptr<io::FileSystem> fs, std::string table_root,
                 columnar::SchemaPtr table_schema, std::vector<std::string> partition_columns,
                 DataFileOptions options = {});
  ~DataFileWriter();

  // Appends rows whose columns match the table schema (same order and types). Errors:
  // InvalidArgument for a partition value that cannot be used; I/O errors.
  Status Write(const columnar::Batch& batch);
  // Closes the files being written: later rows go to new files (a rewrite keeps the rows of each
  // file it rewrites apart, so that their statistics stay as narrow as the original's).
  Status CloseOpenFiles();
  // Tags for the add actions of the files opened from now on (until the next call).
  void SetFileTags(std::map<std::string, std::string> tags) { file_tags_ = std::move(tags); }
  // Closes every open file and returns the add actions of all files written.
  Result<std::vector<AddFile>> Finish();
  // Deletes every file written so far (after a failure, before anything is committed).
  void Abort();

  int64_t rows_written() const { return rows_written_; }
  int64_t bytes_written() const { return bytes_written_; }

 private:
  struct OpenFile;
  Result<OpenFile*> FileFor(const std::string& partition_key, const StringMap& values);
  Status CloseFile(std::unique_ptr<OpenFile> file);

  std::shared_ptr<io::FileSystem> fs_;
  std::string root_;
  columnar::SchemaPtr table_schema_;
  std::vector<std::string> partition_columns_;
  std::vector<std::string> partition_keys_;  // partition columns' physical names
  std::vector<size_t> partition_indices_;
  std::vector<size_t> data_indices_;
  columnar::SchemaPtr data_schema_;
  DataFileOptions options_;
  std::map<std::string, std::unique_ptr<OpenFile>> open_;
  std::map<std::string, std::string> file_tags_;
  std::vector<AddFile> done_;
  std::vector<std::string> written_paths_;
  int64_t file_counter_ = 0;
  int64_t rows_written_ = 0;
  int64_t bytes_written_ = 0;
};

// The text Delta stores for a partition value ("2024-01-31", "42", "2024-01-31 10:00:00"), or
// nullopt for null.
std::optional<std::string> PartitionValueText(const columnar::Column& column, int64_t row);
// "col=value" with Hive escaping of the value (null → __HIVE_DEFAULT_PARTITION__).
std::string HivePartitionSegment(const std::string& column,
                                 const std::optional<std::string>& value);

// Approximate in-memory bytes of a batch (for file rolling and progress).
int64_t BatchMemoryBytes(const columnar::Batch& batch);

}  // namespace sluice::lake

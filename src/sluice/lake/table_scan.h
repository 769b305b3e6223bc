// TableScan: reads the rows of a Delta table snapshot (or of chosen files of it) as batches in
// the table's schema.
//
// Each data file is read with the Parquet reader (only the needed column chunks) and shaped to
// the table schema: columns matched by name (exactly, else case-insensitively), columns the file
// lacks (added later by schema evolution) filled with nulls, narrower stored types widened
// (int32 → int64, ...), Delta's stand-in types turned back into sluice's (long → time, string →
// json per the schema's field metadata), and partition columns filled from the add action's
// partitionValues. Rows a file's deletion vector marks deleted never leave the scan (the vector
// is read and checked when the file is opened, see deletion_vector.h). A file whose column cannot
// be read as the table's type is a DataError naming the file and the column.
//
// Thread-safety: one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sluice/formats/record_reader.h"
#include "sluice/lake/deletion_vector.h"
#include "sluice/lake/delta_log.h"
#include "sluice/lake/snapshot.h"

namespace sluice::lake {

struct TableScanOptions {
  // Table columns to produce, in this order (empty: all). Unknown names are InvalidArgument.
  std::vector<std::string> columns;
  // Read only these files (decoded relative paths); empty: every live file of the snapshot.
  std::vector<std::string> files;
  int threads = 2;
  // False: every physical row of each file, deletion vectors ignored, in file order (for writers
  // that mark rows by position).
  bool skip_deleted_rows = true;
};

class TableScan final : public formats::RecordReader {
 public:
  static Result<std::unique_ptr<TableScan>> Open(std::shared_ptr<const DeltaLog> log,
                                                 SnapshotPtr snapshot,
                                                 TableScanOptions options = {});
  ~TableScan() override;

  columnar::SchemaPtr schema() const override;
  Result<columnar::BatchPtr> Next() override;
  // Rows returned so far (rows deleted by deletion vectors are not counted).
  int64_t records_read() const override { return records_read_; }
  // Rows skipped because a deletion vector marks them deleted.
  int64_t rows_deleted() const { return rows_deleted_; }

  // The file being read or last read (decoded relative path).
  const std::string& current_file() const { return current_file_; }
  int64_t files_read() const { return files_opened_; }

 private:
  TableScan(std::shared_ptr<const DeltaLog> log, SnapshotPtr snapshot, TableScanOptions options,
            columnar::SchemaPtr schema, std::vector<size_t> table_indices);
  Status OpenNextFile();
  Result<columnar::BatchPtr> Shape(const columnar::Batch& batch) const;

  std::shared_ptr<const DeltaLog> log_;
  SnapshotPtr snapshot_;
  TableScanOptions options_;
  columnar::SchemaPtr schema_;         // output schema
  std::vector<size_t> table_indices_;  // output column → table schema field
  std::vector<std::string> files_;
  size_t next_file_ = 0;
  std::string current_file_;
  const AddFile* current_add_ = nullptr;
  std::unique_ptr<formats::RecordReader> reader_;
  // Output column → index in the current file's projected batch, or -1 (null / partition).
  std::vector<int> file_columns_;
  // Output column → the renamer of its nested field names (column-mapped nested columns only).
  std::vector<std::shared_ptr<const NestedFieldRenamer>> renamers_;
  // The current file's deletion vector (empty without one) and the index of its next row.
  DeletionBitmap deleted_;
  int64_t file_row_ = 0;
  int64_t records_read_ = 0;
  int64_t rows_deleted_ = 0;
  int64_t files_opened_ = 0;
};

}  // namespace sluice::lake

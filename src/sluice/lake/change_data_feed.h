// Change data feed (PROTOCOL.md "Change Data Files", "Add CDC File"): the row changes of each
// commit, written beside the data and read back between two versions.
//
// Writing: with delta.enableChangeDataFeed=true (and the changeDataFeed feature), a DELETE writes
// the deleted rows and a MERGE the old rows it replaces (update_preimage), their new values
// (update_postimage) and the rows it inserts (insert) to Parquet files under _change_data/ with a
// _change_type column, committed as cdc actions with the data. Appends and overwrites need none:
// readers take their add/remove actions as inserts and deletes.
//
// Reading (OpenChangeFeed): per version from `from` to `to`, its change files when it has cdc
// actions; otherwise the rows of its add actions as inserts and of its remove actions as deletes
// (deletion vectors applied); actions with dataChange=false (OPTIMIZE) change nothing. Rows carry
// the table's columns as of `to`, then _change_type, _commit_version and _commit_timestamp (the
// commit's in-commit timestamp when it has one, else the log file's time).
//
// Thread-safety: one thread per writer or reader.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/formats/record_reader.h"
#include "sluice/lake/data_file_writer.h"
#include "sluice/lake/delta_log.h"

namespace sluice::lake {

inline constexpr std::string_view kChangeTypeColumn = "_change_type";
inline constexpr std::string_view kCommitVersionColumn = "_commit_version";
inline constexpr std::string_view kCommitTimestampColumn = "_commit_timestamp";

class ChangeDataWriter {
 public:
  ChangeDataWriter(std::shared_ptr<io::FileSystem> fs, std::string table_root,
                   const columnar::SchemaPtr& table_schema,
                   std::vector<std::string> partition_columns, DataFileOptions options = {});

  // Appends `rows` (in the table schema) as changes of `change_type` ("insert", "delete",
  // "update_preimage", "update_postimage").
  Status Write(const columnar::Batch& rows, std::string_view change_type);
  // Closes the files; their cdc actions.
  Result<std::vector<CdcFile>> Finish();
  // Deletes every file written (before anything is committed).
  void Abort();
  int64_t rows_written() const { return writer_.rows_written(); }

 private:
  columnar::SchemaPtr schema_;  // the table's columns + _change_type
  DataFileWriter writer_;
};

// Whether DELETE and MERGE on this table write change data files.
bool WritesChangeData(const Snapshot& snapshot);

// The changes of versions [from_version, to_version] (latest when absent). Errors: NotFound for a
// version outside the log, InvalidArgument for from > to, I/O errors for change or data files
// that are gone (vacuumed).
Result<std::unique_ptr<formats::RecordReader>> OpenChangeFeed(std::shared_ptr<const DeltaLog> log,
                                                              int64_t from_version,
                                                              std::optional<int64_t> to_version);

}  // namespace sluice::lake

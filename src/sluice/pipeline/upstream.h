// Reading upstream lake tables for silver and gold tasks: whole snapshots, or only what commits
// after a consumed version added.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sluice/columnar/batch.h"
#include "sluice/common/result.h"
#include "sluice/lake/delta_log.h"
#include "sluice/lake/delta_table.h"
#include "sluice/lake/table_scan.h"
#include "sluice/pipeline/task.h"

namespace sluice::pipeline {

// Hands each batch of a scan to `visit` as it is read (the scan is never held whole); stops at
// the first error. `schema` (optional) receives the scan's schema.
Status ForEachBatch(std::shared_ptr<const lake::DeltaLog> log, const lake::SnapshotPtr& snapshot,
                    lake::TableScanOptions options,
                    const std::function<Status(const columnar::BatchPtr&)>& visit,
                    columnar::SchemaPtr* schema = nullptr);

// Every batch of a scan; `schema` (optional) receives the scan's schema. `progress` (optional)
// counts the rows.
Result<std::vector<columnar::BatchPtr>> ReadAll(std::shared_ptr<const lake::DeltaLog> log,
                                                const lake::SnapshotPtr& snapshot,
                                                lake::TableScanOptions options,
                                                TaskProgress* progress,
                                                columnar::SchemaPtr* schema = nullptr);

// After a failed first write of a table (`log` had no version): removes the table's folder and,
// when it was the first of its layer, the layer's folder, if nothing is left in them.
void RemoveFoldersOfUnbornTable(const lake::DeltaLog& log);

// What the commits after version `consumed` (up to `snapshot`) did to a table.
struct UpstreamDelta {
  // Data files they added with rows new to the table that are still live (decoded): not the
  // files sluice's merges and deletes fill with rows copied out of the files they rewrite
  // (lake::kCopiedRowsTag), nor a file added again with a new deletion vector.
  std::vector<std::string> files;
  // Data files they removed (decoded), a file given a new deletion vector included: where the
  // rows that changed or went were before.
  std::vector<std::string> removed_files;
  // The files of rows copied unchanged out of removed files (lake::kCopiedRowsTag), and files
  // added again with a new deletion vector, that are still live (decoded): removed rows found
  // here did not change.
  std::vector<std::string> copied_files;
  // For each of them whose origin is known: the file live at `consumed` its rows came from (a
  // file given a new deletion vector is its own origin).
  std::map<std::string, std::string> copy_origins;
  std::optional<int64_t> removed_version;  // the first of them that removed rows, if any
  // The first that removed rows other than by a MERGE's rewrite of files (a merge that deletes
  // no row: the rows of a file it removes are in the files it adds; one with
  // numTargetRowsDeleted > 0 counts as deleting).
  std::optional<int64_t> deleted_version;
};
Result<UpstreamDelta> ReadDelta(const lake::DeltaLog& log, const lake::Snapshot& snapshot,
                                int64_t consumed);

// The rows the commits of `delta` (after `consumed`, up to `now`) replaced or deleted, as they
// were at `consumed`, with only `columns` (empty: all): the removed files' rows, less the rows
// copied unchanged into new files (or kept in a file given a new deletion vector) — compared on
// `columns`, so a row that changed elsewhere may be left out. `exact` is false, and `rows` empty,
// when the schema changed in between (rows of two schemas are not compared).
struct ReplacedRows {
  std::vector<columnar::BatchPtr> rows;
  bool exact = true;
};
Result<ReplacedRows> ReadReplacedRows(const std::shared_ptr<const lake::DeltaLog>& log,
                                      const lake::SnapshotPtr& now, int64_t consumed,
                                      const UpstreamDelta& delta,
                                      const std::vector<std::string>& columns,
                                      TaskProgress* progress);

// The quarantine table of rows a silver or load task set aside: run_id, table, error_kind, field,
// message, raw (the row as JSON), quarantined_at.
columnar::SchemaPtr RowQuarantineSchema();

// A source of one batch.
lake::BatchSource OneBatch(columnar::BatchPtr batch);

}  // namespace sluice::pipeline

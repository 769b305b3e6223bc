// The stages of a silver run (SilverTask::Run, silver_task.h), each a function with its own
// inputs and outputs so it can be tested alone:
//
//   LoadMaskingKeys     the masks' keys, before any work (a missing key fails the task)
//   PlanUpstreams       what is new in each upstream table since the consumed version; whether
//                       the run must rebuild the table from everything (full refresh)
//   UnionSchema         the upstream tables' columns by name; integers meet at int64
//   LoadLookup          the lookup table, keyed by its join columns
//   ReadAndTransform    the new upstream rows, shaped to the union schema and transformed, kept in
//                       a spool (in memory up to the task's budget, then in a temporary file)
//   Dedupe              which rows stay: one per dedupe key, the latest, also against the
//                       table's rows
//   LoadCheckInputs     the keys unique and relationships checks compare against
//   then, batch by batch as the rows are written (SilverTask::Run): KeptRows, the checks
//   (silver::CheckRun), QuarantineFailedRows (rows a quarantine-severity check failed leave the
//   output), MaskBatch (the declared masks, MaskedSchema)
//   RejectRows, QualityRows  the quarantine and quality-history rows to commit
//
// Adding a stage: a function here (and its test in silver_stages_test.cc), called from
// SilverTask::Run in order.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sluice/columnar/batch.h"
#include "sluice/columnar/batch_spool.h"
#include "sluice/lake/delta_log.h"
#include "sluice/pipeline/project.h"
#include "sluice/pipeline/task.h"
#include "sluice/silver/masking.h"
#include "sluice/silver/quality.h"
#include "sluice/silver/silver_table.h"
#include "sluice/silver/transformer.h"

namespace sluice::pipeline {

// The appId of an upstream table's consumed version in a silver table's log.
std::string UpstreamAppId(const std::string& upstream_table);

// One upstream table of a run: its state and the data files the run reads.
struct SilverUpstream {
  std::string name;
  std::shared_ptr<const lake::DeltaLog> log;
  lake::SnapshotPtr snapshot;
  int64_t consumed = -1;           // the upstream version the table has consumed
  std::vector<std::string> files;  // to read
};

struct UpstreamPlan {
  std::vector<SilverUpstream> upstreams;
  bool full = false;          // rebuild the table from every upstream row
  bool anything_new = false;  // an upstream has versions the table has not consumed
  std::vector<std::string> notes;
};

// The masks' keys (from the environment), for the methods the table's masks use.
Result<silver::MaskingKeys> LoadMaskingKeys(const silver::SilverTable& table);

// What each upstream table holds that `target` (the silver table's snapshot) has not consumed:
// the files of the newer commits, or every live file when the run is full — asked for, a new
// table, or an upstream commit that removed rows (a note says which).
Result<UpstreamPlan> PlanUpstreams(const Project& project, const silver::SilverTable& table,
                                   const lake::Snapshot& target, bool full_refresh);

// The union of the upstream schemas, columns by name in first-seen order, nullable; int32 and
// int64 meet at int64. Null when no upstream table exists yet. Errors: SchemaMismatch for a
// column of two other types, naming both and the table.
Result<columnar::SchemaPtr> UnionSchema(const std::vector<SilverUpstream>& upstreams);

// The lookup table's join and taken columns, indexed by the join key. Errors: NotFound when the
// table does not exist, DataError for a key held twice.
Result<silver::LookupData> LoadLookup(const Project& project, const silver::LookupSpec& lookup,
                                      int threads);

struct Transformed {
  columnar::SchemaPtr schema;                  // the transformer's output schema
  std::unique_ptr<columnar::BatchSpool> rows;  // in read order
  std::vector<silver::RowReject> rejects;
  silver::TransformCounts counts;
  int64_t rows_in = 0;
  nlohmann::ordered_json read = nlohmann::ordered_json::object();  // per upstream: versions, files
};

// Reads the planned files of every upstream, shapes each batch to `union_schema` (missing
// columns null, integers widened) and transforms it.
Result<Transformed> ReadAndTransform(const silver::SilverTable& table,
                                     const std::vector<SilverUpstream>& upstreams, bool full,
                                     const columnar::SchemaPtr& union_schema,
                                     const silver::LookupData* lookup, TaskContext& context);

// Which rows of a spool stay: one flag per row, in spool order.
using RowSelection = std::vector<bool>;

// Calls `visit(batch, row, spool_row)` for each row of `rows` that `keep` keeps (all of them
// when it is null), reading only `columns` (the batch holds them in that order).
Status ForEachKeptRow(const columnar::BatchSpool& rows, const RowSelection* keep,
                      const std::vector<size_t>& columns,
                      const std::function<void(const columnar::Batch&, int64_t, int64_t)>& visit);

// Batch `batch` of `rows` with only the rows `keep` keeps (all of them when it is null).
Result<columnar::BatchPtr> KeptRows(const columnar::BatchSpool& rows, const RowSelection* keep,
                                    size_t batch);

struct DedupeCounts {
  int64_t duplicates = 0;  // rows left out (older duplicates and stale rows)
  int64_t stale = 0;       // rows older than the table's row for their key
  int64_t files_read = 0;  // of the table, for the keys it may hold
};

// Chooses one row per dedupe key of `rows` (of `schema`) into `keep`: the latest by latest_by
// (the row read last on ties or without it); with `target` (the table's snapshot, null for a full
// refresh), drops rows older than the table's row for their key. `keep` is left empty (every row
// stays) without a dedupe key. A single integer key ordered by an integer, date or timestamp
// holds 24 bytes a row; other keys a map entry. Errors: InvalidArgument naming the table's
// configuration line for a dedupe key or latest_by that is not a column.
Result<DedupeCounts> Dedupe(const silver::SilverTable& table, const columnar::SchemaPtr& schema,
                            std::shared_ptr<const lake::DeltaLog> target_log,
                            lake::SnapshotPtr target, int threads, const columnar::BatchSpool& rows,
                            RowSelection* keep);

// The keys unique checks compare against (those of the kept `rows` that the table already holds,
// when it is appended to without a dedupe key: `target` non-null) and the keys relationships
// checks look up.
Result<silver::CheckContext> LoadCheckInputs(const Project& project,
                                             const silver::SilverTable& table,
                                             const columnar::BatchSpool& rows,
                                             const RowSelection* keep,
                                             std::shared_ptr<const lake::DeltaLog> target_log,
                                             lake::SnapshotPtr target, int64_t now_micros);

// Removes from `rows` the rows a quarantine-severity check failed (`marks`, per row, from
// silver::CheckRun::Add) and adds a reject for each: the value at fault, then the check.
void QuarantineFailedRows(const silver::SilverTable& table, const std::vector<int>& marks,
                          columnar::BatchPtr* rows, std::vector<silver::RowReject>* rejects);

// The schema of the table's rows after its masks. Errors: InvalidArgument naming the
// configuration line for a mask of a missing column or of a type the method cannot take.
Result<columnar::SchemaPtr> MaskedSchema(const silver::SilverTable& table,
                                         const columnar::SchemaPtr& schema);

// `batch` with the table's masks applied, in `masked_schema` (from MaskedSchema).
Result<columnar::BatchPtr> MaskBatch(const silver::SilverTable& table,
                                     const columnar::SchemaPtr& masked_schema,
                                     const silver::MaskingKeys& keys,
                                     const columnar::BatchPtr& batch);

// The rows of quarantine/<table> for `rejects` (RowQuarantineSchema).
columnar::BatchPtr RejectRows(const std::string& run_id, const std::string& table,
                              const std::vector<silver::RowReject>& rejects, int64_t now_micros);

// The schema of quality/<table>, and its rows for one run's check results.
columnar::SchemaPtr QualitySchema();
columnar::BatchPtr QualityRows(const std::string& run_id, const std::string& table,
                               int64_t table_version,
                               const std::vector<silver::CheckResult>& results, double score,
                               int64_t now_micros);

// A check result as the run report shows it.
nlohmann::ordered_json CheckJson(const silver::CheckResult& result);

}  // namespace sluice::pipeline

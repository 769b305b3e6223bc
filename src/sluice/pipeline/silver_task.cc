#include "sluice/pipeline/silver_task.h"

#include <cmath>
#include <cstdio>

#include "sluice/columnar/take.h"
#include "sluice/lake/delta_table.h"
#include "sluice/pipeline/upstream.h"
#include "sluice/silver/quality.h"

namespace sluice::pipeline {
namespace {

using columnar::BatchPtr;
using columnar::Field;
using columnar::SchemaPtr;

// "95.7": a quality score as people read it.
std::string ScoreText(double score) {
  char text[16];
  std::snprintf(text, sizeof(text), "%.1f", score);
  return text;
}

// What a run writes beside the table: its identity and clock.
struct RunStamp {
  std::string run_id;
  int64_t now_micros = 0;
  int64_t commit_now_ms = 0;  // 0: the system clock
};

// Appends the run's check results to quality/<table> (kept whatever the run's outcome).
Status RecordQuality(const Project& project, const std::string& table,
                     const std::vector<silver::CheckResult>& results, double score,
                     int64_t table_version, const RunStamp& stamp) {
  if (results.empty()) return Status::OK();
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<lake::DeltaTable> quality,
                          lake::DeltaTable::Open(project.QualityPath(table)));
  lake::TableWriteOptions options;
  options.parameters["sluice.run_id"] = stamp.run_id;
  options.commit.now_ms = stamp.commit_now_ms;
  const BatchPtr rows =
      QualityRows(stamp.run_id, table, table_version, results, score, stamp.now_micros);
  return quality->Write(QualitySchema(), OneBatch(rows), options).status();
}

// Commits the rejected rows to quarantine/<table> with the run's ledger, unless an earlier attempt
// of the same run already did (an incremental run whose ledger the quarantine holds).
Status WriteQuarantine(const Project& project, const std::string& table,
                       const std::vector<silver::RowReject>& rejects,
                       const std::vector<std::pair<std::string, int64_t>>& ledger, bool full,
                       const RunStamp& stamp, nlohmann::ordered_json* details) {
  if (rejects.empty()) return Status::OK();
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<lake::DeltaTable> quarantine,
                          lake::DeltaTable::Open(project.QuarantinePath(table)));
  SLUICE_ASSIGN_OR_RETURN(lake::SnapshotPtr quarantine_snapshot, quarantine->log()->Load());
  bool recorded = !full;
  for (const auto& [app_id, version] : ledger) {
    const std::optional<int64_t> committed = quarantine_snapshot->TransactionVersion(app_id);
    recorded = recorded && committed.has_value() && *committed >= version;
  }
  if (recorded) return Status::OK();
  lake::TableWriteOptions options;
  options.ledger = ledger;
  options.read_snapshot = quarantine_snapshot;
  options.commit.now_ms = stamp.commit_now_ms;
  options.parameters["sluice.run_id"] = stamp.run_id;
  const BatchPtr rows = RejectRows(stamp.run_id, table, rejects, stamp.now_micros);
  SLUICE_ASSIGN_OR_RETURN(lake::WriteResult written,
                          quarantine->Write(RowQuarantineSchema(), OneBatch(rows), options));
  (*details)["quarantine"] = {{"table_path", project.QuarantinePath(table)},
                              {"rows", rows->num_rows()},
                              {"version", written.commit.version}};
  return Status::OK();
}

// apply_deletes: whether row `row` of `batch` is a change row deleting its key (_op "delete").
bool IsDeleteRow(const columnar::Batch& batch, int64_t row) {
  const std::optional<size_t> op = batch.schema()->FieldIndex("_op");
  if (!op || batch.column(*op).IsNull(row) ||
      batch.column(*op).type().id() != columnar::TypeId::kString) {
    return false;
  }
  return static_cast<const columnar::StringColumn&>(batch.column(*op)).Value(row) == "delete";
}

// apply_deletes: takes the delete rows out of `batch` into `deletes` (null when none). A
// truncate row fails the run: sluice does not apply a source's TRUNCATE yet.
Result<BatchPtr> TakeOutDeletes(const silver::SilverTable& table, BatchPtr batch,
                                BatchPtr* deletes) {
  deletes->reset();
  const std::optional<size_t> op = batch->schema()->FieldIndex("_op");
  if (!op || batch->column(*op).type().id() != columnar::TypeId::kString) {
    return Status::InvalidArgument(table.name +
                                   ": dedupe apply_deletes needs the change rows' _op column (a "
                                   "postgres source with incremental: {mode: cdc}); keep it");
  }
  const auto& ops = static_cast<const columnar::StringColumn&>(batch->column(*op));
  std::vector<int64_t> kept, deleted;
  for (int64_t row = 0; row < batch->num_rows(); ++row) {
    const std::string_view value = ops.IsNull(row) ? std::string_view() : ops.Value(row);
    if (value == "truncate") {
      return Status::DataError(table.name +
                               ": the source table was truncated (a change row with _op "
                               "truncate); sluice does not apply truncates yet — rebuild "
                               "the source's bronze table from a new snapshot");
    }
    (value == "delete" ? deleted : kept).push_back(row);
  }
  if (deleted.empty()) return batch;
  *deletes = columnar::TakeRows(*batch, deleted);
  return columnar::TakeRows(*batch, kept);
}

// apply_deletes: delete rows skip the checks; a merge removes their keys (they are passed on
// after the batch they came in, masked alike), a first write or a rebuild leaves them out.
struct DeleteRows {
  bool merging = false;
  BatchPtr pending;  // for the merge
  int64_t count = 0;

  Status TakeOut(const silver::SilverTable& table, const SchemaPtr& write_schema,
                 const silver::MaskingKeys& keys, BatchPtr* batch) {
    if (!table.apply_deletes || (*batch)->num_rows() == 0) return Status::OK();
    BatchPtr deletes;
    SLUICE_ASSIGN_OR_RETURN(*batch, TakeOutDeletes(table, *batch, &deletes));
    if (deletes == nullptr) return Status::OK();
    count += deletes->num_rows();
    if (!merging) return Status::OK();
    SLUICE_ASSIGN_OR_RETURN(pending, MaskBatch(table, write_schema, keys, deletes));
    return Status::OK();
  }
};

// Commits the rows to the table with the consumed upstream versions: a merge by the dedupe key
// into an existing table, else an append (an overwrite for a full refresh). Returns the version.
Result<int64_t> WriteTable(lake::DeltaTable* target, const lake::SnapshotPtr& snapshot,
                           const silver::SilverTable& table, const SchemaPtr& schema,
                           const lake::BatchSource& source, bool full,
                           const std::vector<std::pair<std::string, int64_t>>& ledger,
                           const RunStamp& stamp, nlohmann::ordered_json* details) {
  if (!table.dedupe_key.empty() && !full && snapshot->exists()) {
    lake::MergeOptions options;
    options.keys = table.dedupe_key;
    options.ledger = ledger;
    options.commit.now_ms = stamp.commit_now_ms;
    options.parameters["sluice.run_id"] = stamp.run_id;
    if (table.apply_deletes) options.is_delete = IsDeleteRow;
    SLUICE_ASSIGN_OR_RETURN(lake::MergeResult merged, target->Merge(schema, source, options));
    (*details)["rows_updated"] = merged.rows_updated;
    (*details)["rows_inserted"] = merged.rows_inserted;
    if (table.apply_deletes) (*details)["rows_deleted"] = merged.rows_deleted;
    return merged.commit.version;
  }
  lake::TableWriteOptions options;
  options.mode = full ? lake::WriteMode::kOverwrite : lake::WriteMode::kAppend;
  options.ledger = ledger;
  options.read_snapshot = snapshot;
  options.commit.now_ms = stamp.commit_now_ms;
  options.parameters["sluice.run_id"] = stamp.run_id;
  SLUICE_ASSIGN_OR_RETURN(lake::WriteResult written, target->Write(schema, source, options));
  (*details)["created"] = written.created;
  return written.commit.version;
}

// The run report's view of the checks; returns the lines of failed fail-severity checks (the
// others become notes).
std::vector<std::string> ReportChecks(const std::string& table,
                                      const std::vector<silver::CheckResult>& results, double score,
                                      TaskOutcome* outcome) {
  nlohmann::ordered_json checks = nlohmann::ordered_json::array();
  std::vector<std::string> failed;
  for (const silver::CheckResult& result : results) {
    checks.push_back(CheckJson(result));
    if (result.passed) continue;
    const std::string line =
        "check '" + result.name + "' (" + std::string(silver::CheckKindName(result.kind)) + ", " +
        std::string(silver::SeverityName(result.severity)) + "): " + result.detail +
        (result.sample.empty() ? "" : "; e.g. " + result.sample[0]);
    if (result.severity == silver::Severity::kFail) {
      failed.push_back(line);
    } else {
      outcome->notes.push_back(table + ": " + line);
    }
  }
  outcome->details["checks"] = checks;
  outcome->details["quality_score"] = std::round(score * 10) / 10;
  return failed;
}

// Too many rejects fail the run before anything is committed.
Status CheckRejectLimits(const silver::SilverTable& table, int64_t rejected, int64_t rows_in) {
  if (table.rejects.max_count && rejected > *table.rejects.max_count) {
    return Status::DataError(std::to_string(rejected) +
                             " rows would go to quarantine, more than max_rejects (" +
                             std::to_string(*table.rejects.max_count) + "); nothing committed");
  }
  if (table.rejects.max_fraction && rows_in > 0 &&
      static_cast<double>(rejected) / static_cast<double>(rows_in) > *table.rejects.max_fraction) {
    return Status::DataError(std::to_string(rejected) + " of " + std::to_string(rows_in) +
                             " rows would go to quarantine, more than max_rejects; nothing "
                             "committed");
  }
  return Status::OK();
}

// The note accounting for every row read, when some were not written.
void AccountForRows(const silver::SilverTable& table, int64_t rows_in, int64_t rows_out,
                    const silver::TransformCounts& counts, int64_t duplicates, int64_t deletes,
                    TaskOutcome* outcome) {
  const int64_t dropped = counts.filtered + counts.null_dropped + duplicates + deletes;
  if (dropped == 0) return;
  outcome->notes.push_back(
      table.name + ": " + std::to_string(rows_in) + " rows read = " + std::to_string(rows_out) +
      " written + " + std::to_string(outcome->rows_quarantined) + " quarantined + " +
      std::to_string(counts.filtered) + " filtered + " + std::to_string(counts.null_dropped) +
      " dropped for nulls + " + std::to_string(duplicates) + " duplicates" +
      (table.apply_deletes ? " + " + std::to_string(deletes) + " deletes" : ""));
}

}  // namespace

SilverTask::SilverTask(const Project& project, const silver::SilverTable& table,
                       std::vector<std::string> upstream_tasks, bool full_refresh, int64_t now_ms)
    : project_(project),
      table_(table),
      upstream_(std::move(upstream_tasks)),
      full_refresh_(full_refresh),
      now_ms_(now_ms) {}

std::vector<std::string> SilverTask::reads() const {
  std::vector<std::string> paths;
  for (const std::string& table : table_.Reads()) paths.push_back(project_.TablePath(table));
  return paths;
}

std::vector<std::string> SilverTask::writes() const {
  return {project_.TablePath(table_.name),
          project_.QuarantinePath(table_.name) + " (rejected rows)",
          project_.QualityPath(table_.name) + " (check results)"};
}

Result<TaskOutcome> SilverTask::Run(TaskContext& context) {
  const int64_t now_ms = now_ms_ != 0 ? now_ms_ : lake::CurrentTimeMs();
  const RunStamp stamp{context.run_id, now_ms * 1000, now_ms_};
  TaskOutcome outcome;
  nlohmann::ordered_json& details = outcome.details;
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<lake::DeltaTable> target,
                          lake::DeltaTable::Open(project_.TablePath(table_.name)));
  SLUICE_ASSIGN_OR_RETURN(lake::SnapshotPtr target_snapshot, target->log()->Load());
  SLUICE_ASSIGN_OR_RETURN(const silver::MaskingKeys keys, LoadMaskingKeys(table_));

  SLUICE_ASSIGN_OR_RETURN(UpstreamPlan plan,
                          PlanUpstreams(project_, table_, *target_snapshot, full_refresh_));
  const bool full = plan.full;
  outcome.notes = std::move(plan.notes);
  details["full_refresh"] = full;
  if (!plan.anything_new && !full) {
    details["up_to_date"] = true;
    details["version"] = target_snapshot->version;
    return outcome;
  }
  SLUICE_ASSIGN_OR_RETURN(const SchemaPtr union_schema, UnionSchema(plan.upstreams));
  if (union_schema == nullptr) {
    details["up_to_date"] = true;
    outcome.notes.push_back(table_.name + ": no upstream table has rows yet");
    return outcome;
  }
  std::optional<silver::LookupData> lookup;
  if (table_.lookup) {
    SLUICE_ASSIGN_OR_RETURN(silver::LookupData loaded,
                            LoadLookup(project_, *table_.lookup, context.threads));
    lookup = std::move(loaded);
  }
  SLUICE_ASSIGN_OR_RETURN(Transformed data,
                          ReadAndTransform(table_, plan.upstreams, full, union_schema,
                                           lookup ? &*lookup : nullptr, context));
  details["read"] = data.read;
  if (data.rows->bytes_spilled() > 0) details["spilled_bytes"] = data.rows->bytes_spilled();
  // The table's rows count for dedupe and unique checks only when the run adds to them.
  const lake::SnapshotPtr held = full ? nullptr : target_snapshot;
  RowSelection keep;
  SLUICE_ASSIGN_OR_RETURN(
      const DedupeCounts dedupe,
      Dedupe(table_, data.schema, target->log(), held, context.threads, *data.rows, &keep));
  const RowSelection* kept = keep.empty() ? nullptr : &keep;
  if (dedupe.stale > 0) {
    outcome.notes.push_back(table_.name + ": " + std::to_string(dedupe.stale) +
                            " rows were older than the table's row for their key (by " +
                            table_.latest_by + ") and were left out");
  }
  SLUICE_ASSIGN_OR_RETURN(
      const silver::CheckContext check_context,
      LoadCheckInputs(project_, table_, *data.rows, kept, target->log(), held, stamp.now_micros));
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<silver::CheckRun> checks,
                          silver::CheckRun::Start(table_, *data.schema, check_context));
  SLUICE_ASSIGN_OR_RETURN(const SchemaPtr write_schema, MaskedSchema(table_, data.schema));
  if (!table_.dedupe_key.empty() && !full && target_snapshot->exists()) {
    // A merge cannot add columns: a new upstream column rebuilds the table from all upstream rows
    // (nothing was written yet).
    for (const Field& field : write_schema->fields()) {
      if (!target_snapshot->schema->FieldIndex(field.name)) {
        SilverTask rebuild(project_, table_, upstream_, /*full_refresh=*/true, now_ms_);
        SLUICE_ASSIGN_OR_RETURN(TaskOutcome rebuilt, rebuild.Run(context));
        rebuilt.notes.insert(rebuilt.notes.begin(),
                             table_.name + ": new column " + field.name +
                                 ", so the table was rebuilt from all upstream rows");
        return rebuilt;
      }
    }
  }
  details["rows_filtered"] = data.counts.filtered;
  details["rows_dropped_null"] = data.counts.null_dropped;
  details["rows_deduplicated"] = dedupe.duplicates;
  if (dedupe.files_read > 0) details["dedupe_files_read"] = dedupe.files_read;
  outcome.rows_in = data.rows_in;

  std::vector<std::pair<std::string, int64_t>> ledger;
  for (const SilverUpstream& upstream : plan.upstreams) {
    ledger.emplace_back(UpstreamAppId(upstream.name), upstream.snapshot->version);
  }
  // The rows are checked, quarantined and masked batch by batch as the table's files are
  // written. At the end of the rows, before the table commits: the checks' verdict (a failed
  // check of severity fail stops the commit), the reject limits, then the quarantine's commit.
  std::vector<silver::CheckResult> results;
  double score = 100;
  int64_t rows_out = 0;
  int64_t rows_checked = 0;
  size_t next = 0;
  auto finish = [&]() -> Status {
    results = checks->Finish();
    if (rows_checked == 0) results.clear();  // nothing to judge
    score = silver::QualityScore(results);
    const std::vector<std::string> failed_checks =
        ReportChecks(table_.name, results, score, &outcome);
    const int64_t rows_rejected = static_cast<int64_t>(data.rejects.size());
    outcome.rows_out = rows_out;
    outcome.rows_quarantined = rows_rejected;
    if (!failed_checks.empty()) {
      SLUICE_RETURN_NOT_OK(
          RecordQuality(project_, table_.name, results, score, target_snapshot->version, stamp));
      std::string message;
      for (size_t i = 0; i < failed_checks.size(); ++i) {
        message += (i ? "; " : "") + failed_checks[i];
      }
      return Status::DataError(message + "; nothing committed to " + table_.name);
    }
    SLUICE_RETURN_NOT_OK(CheckRejectLimits(table_, rows_rejected, data.rows_in));
    return WriteQuarantine(project_, table_.name, data.rejects, ledger, full, stamp, &details);
  };
  DeleteRows deletes;
  deletes.merging = !table_.dedupe_key.empty() && !full && target_snapshot->exists();
  lake::BatchSource source = [&]() -> Result<BatchPtr> {
    if (deletes.pending != nullptr) return std::exchange(deletes.pending, nullptr);
    while (next < data.rows->num_batches()) {
      SLUICE_ASSIGN_OR_RETURN(BatchPtr batch, KeptRows(*data.rows, kept, next++));
      SLUICE_RETURN_NOT_OK(deletes.TakeOut(table_, write_schema, keys, &batch));
      if (batch->num_rows() == 0 && deletes.pending != nullptr) {
        return std::exchange(deletes.pending, nullptr);
      }
      if (batch->num_rows() == 0) continue;
      rows_checked += batch->num_rows();
      std::vector<int> marks;
      SLUICE_RETURN_NOT_OK(checks->Add(*batch, &marks));
      QuarantineFailedRows(table_, marks, &batch, &data.rejects);
      if (batch->num_rows() == 0) continue;
      rows_out += batch->num_rows();
      return MaskBatch(table_, write_schema, keys, batch);
    }
    SLUICE_RETURN_NOT_OK(finish());
    return BatchPtr();
  };
  Result<int64_t> written = WriteTable(target.get(), target_snapshot, table_, write_schema, source,
                                       full, ledger, stamp, &details);
  if (!written.ok() && !target_snapshot->exists()) RemoveFoldersOfUnbornTable(*target->log());
  SLUICE_ASSIGN_OR_RETURN(const int64_t version, std::move(written));
  details["version"] = version;
  SLUICE_RETURN_NOT_OK(RecordQuality(project_, table_.name, results, score, version, stamp));
  if (!results.empty()) {
    outcome.notes.push_back(table_.name + ": quality score " + ScoreText(score) + " (" +
                            std::to_string(results.size()) + " checks)");
  }
  AccountForRows(table_, data.rows_in, rows_out, data.counts, dedupe.duplicates, deletes.count,
                 &outcome);
  return outcome;
}

}  // namespace sluice::pipeline

// Source: what every source component (file drops, databases, later Kafka and REST) implements,
// so the bronze task ingests any of them the same way.
//
// A run of a source: the bronze task hands it the state committed in the bronze table (the `txn`
// actions earlier runs wrote with their rows, and the table's columns); the source plans what is
// new since then (`Plan`), says which columns its rows have, streams them batch by batch in
// bounded memory, reports values that do not fit to the task's reject tracker, and finally hands
// back the ledger entries — (appId, version) pairs — that the task commits in the same Delta
// commit as the rows. Data and ledger therefore never disagree, and two runs racing on the same
// input conflict instead of both ingesting it.
//
// Every row and reject is attributed to an origin (a file, a table): the bronze table's
// `_sluice_file` column, the quarantine's `file` column, and the report's per-origin counts.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sluice/columnar/batch.h"
#include "sluice/common/result.h"
#include "sluice/formats/reject.h"

namespace sluice::connectors {

enum class SchemaDrift { kEvolve, kFreeze };

// What a run starts from.
struct SourceState {
  // The version of a `txn` action committed in the bronze table, by appId (nullopt: none).
  std::function<std::optional<int64_t>(const std::string& app_id)> committed;
  // The bronze table ("bronze.orders"), for messages.
  std::string table;
  // The bronze table's columns without the audit columns; null before its first commit.
  columnar::SchemaPtr table_schema;
  // Reads back committed rows, for a source that reads a window again (a cursor's lookback): the
  // `columns` of the rows whose `column` may be at least `min` (an integer, days for a date, µs
  // for a timestamp; files pruned by their statistics, rows not filtered), batch by batch.
  std::function<Status(const std::vector<std::string>& columns, const std::string& column,
                       int64_t min, const std::function<Status(const columnar::Batch&)>& visit)>
      committed_rows;
  int64_t now_ms = 0;
  int threads = 1;
};

// A whole input the source could not read at all (an unreadable file): one quarantine record.
struct SourceReject {
  std::string origin;
  std::string kind;
  std::string message;
};

// One `txn` action committed with the rows. `origin` ties it to the rows and rejects it covers:
// the quarantine commit (which precedes the bronze commit) is ledgered by the same entries, so a
// crash between the two never quarantines a record twice.
struct LedgerEntry {
  std::string origin;
  std::string app_id;
  int64_t version = 0;
};

// Rows and rejects per origin, counted by the bronze task as batches and rejects arrive.
struct OriginCount {
  int64_t rows = 0;
  int64_t rejects = 0;
};

class SourceRun {
 public:
  virtual ~SourceRun() = default;

  // Nothing new: the task commits nothing.
  virtual bool empty() const = 0;
  // Whether the rows replace the table's contents (a full snapshot) rather than being appended.
  virtual bool replaces() const { return false; }
  // The plan for the report (`details` of the bronze task) and notes for people.
  virtual void ReportPlan(nlohmann::ordered_json* details,
                          std::vector<std::string>* notes) const = 0;
  // How many inputs (files, tables) the run reads, for progress.
  virtual int64_t inputs() const = 0;

  // The columns of the rows, audit columns excluded: the table's columns first, then new ones.
  // Inputs that cannot be read at all are added to `unreadable` (the task quarantines them or
  // fails, per the reject policy). Errors: I/O errors; SchemaMismatch (a reserved name, a new
  // column under schema_drift: freeze).
  virtual Result<columnar::SchemaPtr> PlanSchema(std::vector<SourceReject>* unreadable) = 0;
  // The next rows (null at the end), with the planned columns' types; values that do not fit go
  // to `rejects`, never coerced.
  virtual Result<columnar::BatchPtr> Next(formats::RejectTracker* rejects) = 0;
  // The origin of the last batch, and of rejects reported meanwhile.
  virtual const std::string& origin() const = 0;
  // Inputs finished and bytes read so far (progress).
  virtual int64_t inputs_done() const = 0;
  virtual int64_t bytes_done() const = 0;
  // Releases readers and connections (after the end, or when the task fails).
  virtual void Close() = 0;

  // Facts recorded in the commit's commitInfo (`sluice table history`): e.g. the files read.
  virtual std::map<std::string, std::string> CommitParameters() const { return {}; }
  // The ledger to commit with the rows (complete once Next returned the end).
  virtual std::vector<LedgerEntry> Ledger() const = 0;
  // Right after the commit holding the ledger (or after a run that found nothing new): tells the
  // source what is now durable (a replication slot's confirmed position). A failure here loses
  // nothing — the next run starts from the ledger — so it is a note, not an error.
  virtual void AfterCommit(std::vector<std::string>* notes) { (void)notes; }
  // After the commit: per-origin facts for the report (`details`), notes, and bytes read.
  virtual void ReportDone(const std::map<std::string, OriginCount>& counts,
                          nlohmann::ordered_json* details, std::vector<std::string>* notes,
                          int64_t* bytes_in) const = 0;
};

class Source;

// One table of a source of many (`tables: [...]`): its bronze table and its own source.
struct SourcePart {
  std::string table;  // "bronze.orders"
  std::string read;   // what it reads ("public.orders")
  std::shared_ptr<const Source> source;
};

class Source {
 public:
  virtual ~Source() = default;

  const std::string& name() const { return name_; }
  // The component ("file", "postgres").
  virtual std::string type() const = 0;
  // What it reads, for `sluice plan`: one line per input ("drops/orders/*.csv (csv, ...)").
  virtual std::vector<std::string> Describe() const = 0;
  // Worth knowing before a run, not errors ("no file matches drops/*.csv yet").
  virtual std::vector<std::string> Notes() const { return {}; }
  virtual const formats::RejectPolicy& rejects() const = 0;
  virtual SchemaDrift schema_drift() const = 0;

  // Plans one run from the committed state. Errors: the source cannot be reached or listed.
  virtual Result<std::unique_ptr<SourceRun>> Plan(const SourceState& state) const = 0;

  // A source of many tables writes one bronze table per table it finds when a run starts:
  // `Covers` says whether `bronze_table` may be one of them (the project's checks and the DAG),
  // `Expand` lists them now, each with a source of its own (whose Plan is used; this one's is
  // not). Errors: the server cannot be reached; two tables landing in one bronze table.
  virtual bool many() const { return false; }
  virtual bool Covers(const std::string& bronze_table) const {
    (void)bronze_table;
    return false;
  }
  virtual Result<std::vector<SourcePart>> Expand() const { return std::vector<SourcePart>{}; }

 protected:
  explicit Source(std::string name) : name_(std::move(name)) {}

 private:
  std::string name_;
};

}  // namespace sluice::connectors

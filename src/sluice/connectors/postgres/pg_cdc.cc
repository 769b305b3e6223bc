#include "sluice/connectors/postgres/pg_cdc.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>

#include "sluice/columnar/value_formatter.h"
#include "sluice/connectors/postgres/pgoutput.h"
#include "sluice/connectors/postgres/postgres_driver.h"

namespace sluice::connectors {

namespace {

using columnar::DataType;
using columnar::Field;

constexpr int kIdlePollMs = 200;
// Pings without news, between transactions, after which the run ends where the server is.
constexpr int kQuietPings = 15;

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The columns every change row carries after the table's.
std::vector<Field> ChangeFields() {
  return {Field{"_op", DataType::String(), true}, Field{"_lsn", DataType::Int64(), true},
          Field{"_commit_ts", DataType::Timestamp(), true}};
}

class PgCdcRun final : public SourceRun {
 public:
  PgCdcRun(PgConnectOptions connect, DatabaseSourceOptions options, SourceState state)
      : connect_(std::move(connect)), options_(std::move(options)), state_(std::move(state)) {}

  Status Prepare();

  bool empty() const override { return false; }
  bool replaces() const override { return snapshot_ != nullptr; }
  int64_t inputs() const override { return 1; }

  void ReportPlan(nlohmann::ordered_json* details, std::vector<std::string>* notes) const override {
    (void)notes;
    nlohmann::ordered_json plan = {{"server", where_},
                                   {"read", options_.table},
                                   {"mode", snapshot_ ? "cdc snapshot" : "cdc changes"},
                                   {"slot", options_.slot},
                                   {"publication", options_.publication}};
    if (snapshot_) {
      plan["consistent_point"] = FormatLsn(start_);
    } else {
      plan["from_lsn"] = FormatLsn(start_);
      plan["to_lsn"] = FormatLsn(target_);
    }
    (*details)["pgcdc"] = plan;
  }

  Result<columnar::SchemaPtr> PlanSchema(std::vector<SourceReject>* unreadable) override {
    std::vector<Field> fields;
    if (snapshot_) {
      SLUICE_ASSIGN_OR_RETURN(columnar::SchemaPtr columns, snapshot_->PlanSchema(unreadable));
      fields = columns->fields();
    } else {
      if (state_.table_schema != nullptr) fields = state_.table_schema->fields();
      for (const PgColumnPlan& plan : plans_) {
        if (plan.name.starts_with("_sluice_")) {
          return Status::SchemaMismatch(options_.table + ": column '" + plan.name +
                                        "' uses the _sluice_ prefix reserved for audit columns");
        }
        if (std::any_of(fields.begin(), fields.end(),
                        [&](const Field& field) { return field.name == plan.name; })) {
          continue;
        }
        if (state_.table_schema != nullptr && options_.schema_drift == SchemaDrift::kFreeze) {
          return Status::SchemaMismatch(options_.table + ": column '" + plan.name + "' is not in " +
                                        state_.table + " and the source's schema_drift is freeze");
        }
        fields.push_back(Field{plan.name, plan.type, true});
      }
    }
    for (const Field& field : ChangeFields()) {
      if (std::none_of(fields.begin(), fields.end(),
                       [&](const Field& f) { return f.name == field.name; })) {
        fields.push_back(field);
      }
    }
    return std::make_shared<const columnar::Schema>(std::move(fields));
  }

  Result<columnar::BatchPtr> Next(formats::RejectTracker* rejects) override {
    if (snapshot_) {
      SLUICE_ASSIGN_OR_RETURN(columnar::BatchPtr batch, snapshot_->Next(rejects));
      if (batch == nullptr) return batch;
      counts_["snapshot"] += batch->num_rows();
      return WithChangeColumns(*batch);
    }
    return NextChanges(rejects);
  }

  const std::string& origin() const override { return options_.table; }
  int64_t inputs_done() const override { return done_ ? 1 : 0; }
  int64_t bytes_done() const override { return snapshot_ ? snapshot_->bytes_done() : bytes_read_; }

  void Close() override {
    if (snapshot_) snapshot_->Close();
    if (stream_) stream_->Close();
  }

  std::map<std::string, std::string> CommitParameters() const override {
    nlohmann::ordered_json read = {{"server", where_},
                                   {"read", options_.table},
                                   {"slot", options_.slot},
                                   {"from_lsn", FormatLsn(start_)},
                                   {"to_lsn", FormatLsn(position_)}};
    return {{"sluice.pgcdc", read.dump()}};
  }

  std::vector<LedgerEntry> Ledger() const override {
    return {{options_.table, AppId(), static_cast<int64_t>(position_)}};
  }

  void AfterCommit(std::vector<std::string>* notes) override {
    if (snapshot_ || !stream_) return;  // a new slot's position is its consistent point
    const char* fault = std::getenv("SLUICE_FAULT");
    if (fault != nullptr && std::string_view(fault) == "pgcdc_before_ack") _exit(86);
    acknowledged_ = position_;
    Status sent = SendStatus(/*reply_requested=*/false);
    if (!sent.ok()) {
      notes->push_back("the slot's position was not acknowledged (" + sent.message() +
                       "); the next run reads from the committed position");
    }
  }

  void ReportDone(const std::map<std::string, OriginCount>& counts, nlohmann::ordered_json* details,
                  std::vector<std::string>* notes, int64_t* bytes_in) const override {
    (void)counts;
    *bytes_in += bytes_done();
    nlohmann::ordered_json& plan = (*details)["pgcdc"];
    nlohmann::ordered_json changes = nlohmann::ordered_json::object();
    for (const auto& [op, rows] : counts_) changes[op] = rows;
    plan["changes"] = changes;
    plan["transactions"] = transactions_;
    plan["new_position"] = FormatLsn(position_);
    for (const auto& [column, values] : unknown_values_) {
      notes->push_back(std::to_string(values) + " values of column '" + column + "' of " +
                       options_.table +
                       " are in changes made before the column was dropped (or after this run "
                       "planned) and were not kept");
    }
  }

 private:
  std::string AppId() const { return "sluice.pgcdc:" + options_.table + ":" + options_.slot; }

  Status Fail(const std::string& message) const {
    return Status::InvalidArgument("PostgreSQL " + where_ + ": " + message);
  }

  Result<PgRows> SlotRow(PgSession* session, const std::string& columns);
  Status ResolveTable(PgSession* session);
  Status CheckPublication(PgSession* session);
  Status StartSnapshot(PgSession* session);
  Status StartChanges(PgSession* session);
  Result<columnar::BatchPtr> NextChanges(formats::RejectTracker* rejects);
  Status Handle(const PgFrame& frame, formats::RejectTracker* rejects, int64_t* rows);
  Status AppendChange(const char* op, const PgChange& change, uint64_t lsn,
                      formats::RejectTracker* rejects, int64_t* rows);
  Status SendStatus(bool reply_requested) {
    return stream_->SendCopyMessage(
        PgStandbyStatus(received_, acknowledged_, NowMicros(), reply_requested));
  }
  columnar::BatchPtr WithChangeColumns(const columnar::Batch& batch) const;
  columnar::BatchPtr FinishBatch(int64_t rows);

  PgConnectOptions connect_;
  DatabaseSourceOptions options_;
  SourceState state_;
  std::string where_;
  std::string schema_name_, relation_name_, quoted_;
  std::unique_ptr<SourceRun> snapshot_;  // the first run: the slot's snapshot of the table
  std::unique_ptr<PgSession> stream_;    // the replication connection
  std::vector<PgColumnPlan> plans_;
  std::vector<std::unique_ptr<columnar::ColumnBuilder>> builders_;  // plans_, then the change's
  uint64_t start_ = 0;         // the committed position (or the new slot's consistent point)
  uint64_t target_ = 0;        // the server's WAL end when the run started
  uint64_t position_ = 0;      // how far the rows read are complete
  uint64_t received_ = 0;      // the furthest position the server sent
  uint64_t acknowledged_ = 0;  // flushed, as told to the server
  uint32_t relation_ = 0;      // the table's relation id in the stream (0: not seen yet)
  std::vector<int> mapping_;   // stream column → plans_ index, or -1
  std::vector<std::string> stream_columns_;
  bool streaming_ = false, in_transaction_ = false, skip_transaction_ = false, done_ = false;
  int64_t commit_micros_ = 0;
  int quiet_pings_ = 0;
  uint64_t last_keepalive_ = 0;
  int64_t rows_read_ = 0, rows_rejected_ = 0, transactions_ = 0, bytes_read_ = 0;
  std::map<std::string, int64_t> counts_;
  std::map<std::string, int64_t> unknown_values_;
};

Status PgCdcRun::Prepare() {
  PgConnectOptions replication = connect_;
  replication.replication = true;
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<PgSession> session, PgSession::Connect(connect_));
  where_ = session->where();
  SLUICE_RETURN_NOT_OK(ResolveTable(session.get()));
  SLUICE_RETURN_NOT_OK(CheckPublication(session.get()));
  SLUICE_ASSIGN_OR_RETURN(stream_, PgSession::Connect(replication));
  const std::optional<int64_t> committed = state_.committed(AppId());
  if (!committed) return StartSnapshot(session.get());
  start_ = position_ = acknowledged_ = static_cast<uint64_t>(*committed);
  return StartChanges(session.get());
}

Status PgCdcRun::ResolveTable(PgSession* session) {
  SLUICE_ASSIGN_OR_RETURN(
      PgRows found,
      session->Query("SELECT n.nspname, c.relname, quote_ident(n.nspname) || '.' || "
                     "quote_ident(c.relname), c.relkind FROM pg_class c JOIN pg_namespace n ON "
                     "n.oid = c.relnamespace WHERE c.oid = to_regclass(" +
                     PgSession::Literal(options_.table) + ")"));
  if (found.empty() || !found[0][0]) return Fail("table " + options_.table + " does not exist");
  schema_name_ = *found[0][0];
  relation_name_ = *found[0][1];
  quoted_ = *found[0][2];
  if (found[0][3].value_or("") != "r" && found[0][3].value_or("") != "p") {
    return Fail(options_.table + " is not a table; mode: cdc reads the changes of a table");
  }
  SLUICE_ASSIGN_OR_RETURN(plans_, PlanPgColumns(session, quoted_, /*composites_as_text=*/true));
  return Status::OK();
}

Status PgCdcRun::CheckPublication(PgSession* session) {
  const std::string publication = PgSession::Literal(options_.publication);
  SLUICE_ASSIGN_OR_RETURN(
      PgRows exists, session->Query("SELECT 1 FROM pg_publication WHERE pubname = " + publication));
  if (exists.empty()) {
    return Fail("publication " + options_.publication + " does not exist; create it: CREATE " +
                "PUBLICATION " + PgSession::QuoteIdentifier(options_.publication) + " FOR TABLE " +
                quoted_);
  }
  SLUICE_ASSIGN_OR_RETURN(
      PgRows holds,
      session->Query("SELECT 1 FROM pg_publication_tables WHERE pubname = " + publication +
                     " AND schemaname = " + PgSession::Literal(schema_name_) +
                     " AND tablename = " + PgSession::Literal(relation_name_)));
  if (holds.empty()) {
    return Fail("publication " + options_.publication + " does not include " + quoted_ +
                "; add it: ALTER PUBLICATION " + PgSession::QuoteIdentifier(options_.publication) +
                " ADD TABLE " + quoted_);
  }
  return Status::OK();
}

// The slot's row of pg_replication_slots (empty: no such slot) once no other process holds it;
// the walsender of a run that was killed lets go within moments.
Result<PgRows> PgCdcRun::SlotRow(PgSession* session, const std::string& columns) {
  for (int attempt = 0;; ++attempt) {
    SLUICE_ASSIGN_OR_RETURN(PgRows slots,
                            session->Query("SELECT active, " + columns +
                                           " FROM pg_replication_slots WHERE slot_name = " +
                                           PgSession::Literal(options_.slot)));
    if (slots.empty() || slots[0][0].value_or("f") != "t") return slots;
    if (attempt == 50) {
      return Fail("replication slot " + options_.slot +
                  " is in use by another process: another sluice run, or another consumer");
    }
    usleep(100'000);
  }
}

// The first run: a new slot and the table as of its consistent point. A slot left by a first run
// that never committed is dropped and made again (nothing was taken from it) — only when its name
// says it is sluice's (sluice*): a slot of another name may be another consumer's, never dropped.
Status PgCdcRun::StartSnapshot(PgSession* session) {
  SLUICE_ASSIGN_OR_RETURN(PgRows slots, SlotRow(session, "slot_name"));
  if (!slots.empty() && !options_.slot.starts_with("sluice")) {
    return Fail("replication slot " + options_.slot + " exists, but " + state_.table +
                " holds no position read from it; it may be another consumer's. If it is left "
                "by an interrupted first run, drop it (SELECT pg_drop_replication_slot('" +
                options_.slot + "')); else name another slot");
  }
  if (!slots.empty()) {
    SLUICE_RETURN_NOT_OK(session->Execute("SELECT pg_drop_replication_slot(" +
                                          PgSession::Literal(options_.slot) + ")"));
  }
  SLUICE_ASSIGN_OR_RETURN(PgRows created,
                          stream_->Query("CREATE_REPLICATION_SLOT " + options_.slot +
                                         " LOGICAL pgoutput EXPORT_SNAPSHOT"));
  if (created.empty() || created[0].size() < 3 || !created[0][1] || !created[0][2]) {
    return Fail("CREATE_REPLICATION_SLOT returned no snapshot");
  }
  const std::optional<uint64_t> point = ParseLsn(*created[0][1]);
  if (!point) return Fail("a consistent point that is not an LSN: " + *created[0][1]);
  start_ = position_ = acknowledged_ = *point;
  DatabaseSourceOptions read = options_;
  read.cdc = false;
  read.cursor.clear();
  PgReadOptions snapshot_read;
  snapshot_read.snapshot = *created[0][2];
  snapshot_read.composites_as_text = true;
  SLUICE_ASSIGN_OR_RETURN(snapshot_, PlanDatabaseRun(MakePostgresDriver(connect_, snapshot_read),
                                                     read, state_, "postgres"));
  return Status::OK();
}

// Later runs: the changes from the committed position to the WAL's end as the run starts.
Status PgCdcRun::StartChanges(PgSession* session) {
  SLUICE_ASSIGN_OR_RETURN(PgRows slots, SlotRow(session, "plugin, database"));
  SLUICE_ASSIGN_OR_RETURN(PgRows database, session->Query("SELECT current_database()"));
  if (!slots.empty() && slots[0][2] != database[0][0]) {
    return Fail("replication slot " + options_.slot + " belongs to the database " +
                slots[0][2].value_or("?"));
  }
  if (slots.empty()) {
    return Fail("replication slot " + options_.slot + " does not exist, but " + state_.table +
                " holds changes up to " + FormatLsn(start_) +
                " read from it; changes since then cannot be read. To start again from a new "
                "snapshot, remove " +
                state_.table + " (its rows are kept nowhere else) or name a new slot");
  }
  if (slots[0][1].value_or("") != "pgoutput") {
    return Fail("replication slot " + options_.slot + " uses the plugin " +
                slots[0][1].value_or("?") + ", not pgoutput");
  }
  // Where the WAL ends now, flushed or not: every transaction committed before the run began is
  // read, asynchronous commits too (the server sends WAL once it is flushed, soon after).
  SLUICE_ASSIGN_OR_RETURN(PgRows wal, session->Query("SELECT pg_current_wal_insert_lsn()"));
  if (wal.empty() || !wal[0][0]) return Fail("pg_current_wal_insert_lsn() returned nothing");
  const std::optional<uint64_t> end = ParseLsn(*wal[0][0]);
  if (!end) return Fail("pg_current_wal_insert_lsn() returned " + *wal[0][0]);
  target_ = std::max(*end, start_);
  for (const PgColumnPlan& plan : plans_) builders_.push_back(columnar::MakeBuilder(plan.type));
  for (const Field& field : ChangeFields()) builders_.push_back(columnar::MakeBuilder(field.type));
  return Status::OK();
}

Result<columnar::BatchPtr> PgCdcRun::NextChanges(formats::RejectTracker* rejects) {
  if (done_) return columnar::BatchPtr();
  if (!streaming_) {
    SLUICE_RETURN_NOT_OK(stream_->StartCopyBoth(
        "START_REPLICATION SLOT " + options_.slot + " LOGICAL " + FormatLsn(start_) +
        " (proto_version '1', publication_names " +
        PgSession::Literal(PgSession::QuoteIdentifier(options_.publication)) + ")"));
    streaming_ = true;
  }
  int64_t rows = 0;
  while (rows < options_.batch_rows && !done_) {
    std::string_view message;
    SLUICE_ASSIGN_OR_RETURN(const PgCopyRead read, stream_->NextCopyMessage(kIdlePollMs, &message));
    if (read == PgCopyRead::kEnd) {
      return Status::IOError("PostgreSQL " + where_ + ": the server ended the replication stream");
    }
    if (read == PgCopyRead::kIdle) {
      SLUICE_RETURN_NOT_OK(SendStatus(/*reply_requested=*/true));
      continue;
    }
    bytes_read_ += static_cast<int64_t>(message.size());
    PgFrame frame;
    SLUICE_RETURN_NOT_OK(ParsePgFrame(message, &frame));
    SLUICE_RETURN_NOT_OK(Handle(frame, rejects, &rows));
  }
  if (rows == 0) {
    SLUICE_RETURN_NOT_OK(rejects->Finish(rows_read_ - rows_rejected_));
    // Keeps the server from timing the stream out while the commit is written.
    SLUICE_RETURN_NOT_OK(SendStatus(/*reply_requested=*/false));
    return columnar::BatchPtr();
  }
  return FinishBatch(rows);
}

Status PgCdcRun::Handle(const PgFrame& frame, formats::RejectTracker* rejects, int64_t* rows) {
  received_ = std::max(received_, frame.wal_end);
  if (frame.kind == PgFrameKind::kKeepalive) {
    if (frame.reply_requested) SLUICE_RETURN_NOT_OK(SendStatus(false));
    if (in_transaction_) return Status::OK();
    // Between transactions every transaction ending before the server's position was sent.
    position_ = std::max(position_, frame.wal_end);
    quiet_pings_ = frame.wal_end == last_keepalive_ ? quiet_pings_ + 1 : 0;
    last_keepalive_ = frame.wal_end;
    if (position_ >= target_ || quiet_pings_ >= kQuietPings) done_ = true;
    return Status::OK();
  }
  if (frame.kind != PgFrameKind::kData) return Status::OK();
  PgChange change;
  SLUICE_RETURN_NOT_OK(ParsePgOutput(frame.payload, &change).WithContext("PostgreSQL " + where_));
  switch (change.kind) {
    case PgChangeKind::kBegin:
      in_transaction_ = true;
      // The server starts at the committed position, or before it when it was not acknowledged:
      // a transaction whose commit precedes the position is in the table already.
      skip_transaction_ = change.final_lsn < start_;
      commit_micros_ = change.commit_micros;
      return Status::OK();
    case PgChangeKind::kCommit:
      in_transaction_ = false;
      if (!skip_transaction_) ++transactions_;
      position_ = std::max(position_, change.end_lsn);
      if (position_ >= target_) done_ = true;
      return Status::OK();
    case PgChangeKind::kRelation:
      if (change.schema != schema_name_ || change.name != relation_name_) return Status::OK();
      relation_ = change.relation;
      stream_columns_ = change.columns;
      mapping_.assign(change.columns.size(), -1);
      for (size_t c = 0; c < change.columns.size(); ++c) {
        for (size_t p = 0; p < plans_.size(); ++p) {
          if (plans_[p].name == change.columns[c]) mapping_[c] = static_cast<int>(p);
        }
      }
      return Status::OK();
    case PgChangeKind::kInsert:
    case PgChangeKind::kUpdate:
    case PgChangeKind::kDelete: {
      if (skip_transaction_ || relation_ == 0 || change.relation != relation_) return Status::OK();
      const char* op = change.kind == PgChangeKind::kInsert   ? "insert"
                       : change.kind == PgChangeKind::kUpdate ? "update"
                                                              : "delete";
      return AppendChange(op, change, frame.start, rejects, rows);
    }
    case PgChangeKind::kTruncate:
      if (skip_transaction_ || relation_ == 0 ||
          std::find(change.truncated.begin(), change.truncated.end(), relation_) ==
              change.truncated.end()) {
        return Status::OK();
      }
      change.tuple.clear();
      return AppendChange("truncate", change, frame.start, rejects, rows);
    default:
      return Status::OK();
  }
}

// One change row: the tuple's values by column name, nulls for columns it lacks (a delete's
// non-key columns); an unchanged TOASTed value of an update comes from the old row when sent.
Status PgCdcRun::AppendChange(const char* op, const PgChange& change, uint64_t lsn,
                              formats::RejectTracker* rejects, int64_t* rows) {
  ++rows_read_;
  std::vector<const PgTupleValue*> values(plans_.size(), nullptr);
  std::string error;
  size_t failed = 0;
  for (size_t c = 0; c < change.tuple.size() && c < mapping_.size(); ++c) {
    const PgTupleValue* value = &change.tuple[c];
    if (value->kind == 'u' && change.has_old && c < change.old_tuple.size() &&
        change.old_tuple[c].kind == 't') {
      value = &change.old_tuple[c];
    }
    if (mapping_[c] < 0) {
      if (value->kind != 'n') ++unknown_values_[stream_columns_[c]];
      continue;
    }
    const auto p = static_cast<size_t>(mapping_[c]);
    if (value->kind == 'u' && error.empty()) {
      error =
          "the update left this TOASTed value unchanged, and the change stream does not carry "
          "it; set REPLICA IDENTITY FULL on " +
          quoted_ + " to receive it";
      failed = p;
    }
    values[p] = value;
  }
  const int64_t row_start = builders_[0]->length();
  for (size_t p = 0; p < plans_.size() && error.empty(); ++p) {
    if (values[p] == nullptr || values[p]->kind == 'n') {
      builders_[p]->AppendNull();
    } else if (!AppendPgText(plans_[p], values[p]->text, builders_[p].get(), &error)) {
      failed = p;
    }
  }
  if (!error.empty()) {
    for (auto& builder : builders_) builder->Truncate(row_start);
    ++rows_rejected_;
    std::string raw = "{\"_op\":\"" + std::string(op) + "\",\"_lsn\":" + std::to_string(lsn);
    for (size_t p = 0; p < plans_.size(); ++p) {
      raw += ",";
      columnar::AppendJsonString(plans_[p].name, &raw);
      raw += ":";
      if (values[p] == nullptr || values[p]->kind != 't') {
        raw += "null";
      } else {
        columnar::AppendJsonString(values[p]->text, &raw);
      }
    }
    formats::Reject reject;
    reject.file = options_.table;
    reject.line = rows_read_;
    reject.field = plans_[failed].name;
    reject.kind = formats::RejectKind::kCastError;
    reject.message = "column '" + plans_[failed].name + "' (" + plans_[failed].pg_type + ") of " +
                     std::string(op) + " at " + FormatLsn(lsn) + ": " + error;
    reject.raw = raw + "}";
    return rejects->Add(std::move(reject));
  }
  const size_t change_column = plans_.size();
  static_cast<columnar::StringBuilder*>(builders_[change_column].get())->Append(op);
  static_cast<columnar::Int64Builder*>(builders_[change_column + 1].get())
      ->Append(static_cast<int64_t>(lsn));
  static_cast<columnar::Int64Builder*>(builders_[change_column + 2].get())->Append(commit_micros_);
  ++counts_[op];
  ++*rows;
  return Status::OK();
}

columnar::BatchPtr PgCdcRun::FinishBatch(int64_t rows) {
  std::vector<columnar::ColumnPtr> columns;
  std::vector<Field> fields;
  for (const PgColumnPlan& plan : plans_) fields.push_back(Field{plan.name, plan.type, true});
  for (const Field& field : ChangeFields()) fields.push_back(field);
  for (auto& builder : builders_) columns.push_back(builder->Finish());
  return std::make_shared<const columnar::Batch>(
      std::make_shared<const columnar::Schema>(std::move(fields)), std::move(columns), rows);
}

// A snapshot batch with the change columns: "snapshot", position 0 (every later change of a key
// comes after its snapshot row), no commit time.
columnar::BatchPtr PgCdcRun::WithChangeColumns(const columnar::Batch& batch) const {
  std::vector<Field> fields = batch.schema()->fields();
  std::vector<columnar::ColumnPtr> columns = batch.columns();
  const int64_t rows = batch.num_rows();
  columns.push_back(columnar::RepeatString(DataType::String(), "snapshot", rows));
  columnar::Int64Builder lsn(DataType::Int64());
  columnar::Int64Builder commit(DataType::Timestamp());
  for (int64_t row = 0; row < rows; ++row) {
    lsn.Append(0);
    commit.AppendNull();
  }
  columns.push_back(lsn.Finish());
  columns.push_back(commit.Finish());
  for (const Field& field : ChangeFields()) fields.push_back(field);
  return std::make_shared<const columnar::Batch>(
      std::make_shared<const columnar::Schema>(std::move(fields)), std::move(columns), rows);
}

}  // namespace

std::optional<uint64_t> ParseLsn(std::string_view text) {
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == text.size()) return {};
  uint64_t high = 0, low = 0;
  auto hex = [](std::string_view digits, uint64_t* out) {
    if (digits.size() > 8) return false;
    for (char c : digits) {
      int value = c >= '0' && c <= '9'   ? c - '0'
                  : c >= 'A' && c <= 'F' ? c - 'A' + 10
                  : c >= 'a' && c <= 'f' ? c - 'a' + 10
                                         : -1;
      if (value < 0) return false;
      *out = (*out << 4) | static_cast<uint64_t>(value);
    }
    return true;
  };
  if (!hex(text.substr(0, slash), &high) || !hex(text.substr(slash + 1), &low)) return {};
  return (high << 32) | low;
}

std::string FormatLsn(uint64_t lsn) {
  char text[24];
  std::snprintf(text, sizeof text, "%X/%X", static_cast<unsigned>(lsn >> 32),
                static_cast<unsigned>(lsn & 0xFFFFFFFF));
  return text;
}

Result<std::unique_ptr<SourceRun>> PlanPgCdcRun(const PgConnectOptions& connect,
                                                const DatabaseSourceOptions& options,
                                                const SourceState& state) {
  auto run = std::make_unique<PgCdcRun>(connect, options, state);
  SLUICE_RETURN_NOT_OK(run->Prepare());
  return std::unique_ptr<SourceRun>(std::move(run));
}

}  // namespace sluice::connectors

#include "sluice/connectors/postgres/postgres_run.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <map>
#include <unordered_set>

#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/take.h"
#include "sluice/columnar/temporal.h"
#include "sluice/columnar/value_formatter.h"
#include "sluice/common/ascii.h"
#include "sluice/connectors/postgres/pg_types.h"

namespace sluice::connectors {

namespace {

using columnar::DataType;
using columnar::Field;

constexpr std::string_view kSignature("PGCOPY\n\377\r\n\0", 11);

int32_t ReadBe32(const char* p) {
  return static_cast<int32_t>(
      (uint32_t{static_cast<uint8_t>(p[0])} << 24) | (uint32_t{static_cast<uint8_t>(p[1])} << 16) |
      (uint32_t{static_cast<uint8_t>(p[2])} << 8) | uint32_t{static_cast<uint8_t>(p[3])});
}
int16_t ReadBe16(const char* p) {
  return static_cast<int16_t>((static_cast<uint8_t>(p[0]) << 8) | static_cast<uint8_t>(p[1]));
}

// The int64 a lake column's row orders by (integer, days, µs), as PgCursorValue gives it.
std::optional<int64_t> CursorAt(const columnar::Column& column, int64_t row) {
  if (column.IsNull(row)) return std::nullopt;
  switch (column.type().id()) {
    case columnar::TypeId::kInt32:
    case columnar::TypeId::kDate:
      return static_cast<const columnar::PrimitiveColumn<int32_t>&>(column).Value(row);
    case columnar::TypeId::kInt64:
    case columnar::TypeId::kTimestamp:
      return static_cast<const columnar::PrimitiveColumn<int64_t>&>(column).Value(row);
    default:
      return std::nullopt;
  }
}

// A row's identity for "already committed": its key columns' values and its cursor.
std::string RowIdentity(const std::vector<const columnar::Column*>& keys, int64_t row,
                        int64_t cursor) {
  std::string identity;
  for (const columnar::Column* key : keys) {
    if (key->IsNull(row)) {
      identity += "\x1e";
    } else {
      columnar::AppendValue(*key, row, columnar::ValueStyle::kCsv, &identity);
    }
    identity += '\x1f';
  }
  identity += std::to_string(cursor);
  return identity;
}

class PostgresRun final : public SourceRun {
 public:
  PostgresRun(PostgresSourceOptions options, SourceState state)
      : options_(std::move(options)), state_(std::move(state)) {}

  Status Prepare() {
    SLUICE_ASSIGN_OR_RETURN(session_, PgSession::Connect(options_.connect));
    SLUICE_RETURN_NOT_OK(session_->Execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    uint32_t table_oid = 0;
    if (!options_.table.empty()) {
      origin_ = options_.table;
      SLUICE_ASSIGN_OR_RETURN(
          PgRows found,
          session_->Query("SELECT c.oid, quote_ident(n.nspname) || '.' || quote_ident(c.relname) "
                          "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                          "WHERE c.oid = to_regclass(" +
                          PgSession::Literal(options_.table) + ")"));
      if (found.empty() || !found[0][0] || !found[0][1]) {
        return Status::InvalidArgument("PostgreSQL " + session_->where() + ": table " +
                                       options_.table + " does not exist");
      }
      table_oid = static_cast<uint32_t>(std::stoul(*found[0][0]));
      from_ = *found[0][1];
    } else {
      origin_ = "query";
      from_ = "(" + options_.query + ") AS sluice_query";
    }
    SLUICE_ASSIGN_OR_RETURN(std::vector<PgColumn> columns,
                            session_->Describe("SELECT * FROM " + from_));
    SLUICE_RETURN_NOT_OK(PlanColumns(columns));
    SLUICE_RETURN_NOT_OK(FindKey(table_oid));
    if (!options_.cursor.empty()) SLUICE_RETURN_NOT_OK(PlanWindow());
    return Status::OK();
  }

  // A run always reads (the window since the mark); when it finds only rows committed before,
  // the bronze task commits nothing.
  bool empty() const override { return false; }
  bool replaces() const override { return options_.cursor.empty(); }
  int64_t inputs() const override { return 1; }

  void ReportPlan(nlohmann::ordered_json* details, std::vector<std::string>* notes) const override {
    nlohmann::ordered_json plan = {{"server", session_ ? session_->where() : ""},
                                   {"read", origin_},
                                   {"mode", options_.cursor.empty() ? "full" : "incremental"}};
    if (!options_.cursor.empty()) {
      plan["cursor"] = options_.cursor;
      plan["committed_mark"] = mark_ ? nlohmann::ordered_json(CursorText(*mark_)) : nullptr;
      plan["from"] = mark_ ? nlohmann::ordered_json(CursorText(low_)) : nullptr;
      plan["rows_in_window_already_committed"] = static_cast<int64_t>(committed_.size());
    }
    plan["primary_key"] = key_;
    (*details)["postgres"] = plan;
    (void)notes;
  }

  Result<columnar::SchemaPtr> PlanSchema(std::vector<SourceReject>* unreadable) override {
    (void)unreadable;
    std::vector<Field> fields;
    if (state_.table_schema != nullptr && !replaces()) {
      for (const Field& field : state_.table_schema->fields()) fields.push_back(field);
    }
    for (const PgColumnPlan& plan : plans_) {
      if (plan.name.starts_with("_sluice_")) {
        return Status::SchemaMismatch(origin_ + ": column '" + plan.name +
                                      "' uses the _sluice_ prefix reserved for audit columns");
      }
      auto same = std::find_if(fields.begin(), fields.end(), [&](const Field& field) {
        return EqualsIgnoringAsciiCase(field.name, plan.name);
      });
      if (same != fields.end()) continue;
      if (state_.table_schema != nullptr && options_.schema_drift == SchemaDrift::kFreeze &&
          state_.table_schema->FieldIndex(plan.name) == std::nullopt) {
        return Status::SchemaMismatch(origin_ + ": column '" + plan.name + "' is not in " +
                                      state_.table +
                                      " and the source's schema_drift is freeze; add the column "
                                      "deliberately (schema_drift: evolve)");
      }
      fields.push_back(Field{plan.name, plan.type, true});
    }
    return std::make_shared<const columnar::Schema>(std::move(fields));
  }

  Result<columnar::BatchPtr> Next(formats::RejectTracker* rejects) override {
    if (finished_) return columnar::BatchPtr();
    if (!started_) {
      SLUICE_RETURN_NOT_OK(session_->StartCopyOut(CopySql()));
      started_ = true;
      for (const PgColumnPlan& plan : plans_) builders_.push_back(columnar::MakeBuilder(plan.type));
    }
    int64_t rows = 0;
    while (rows < options_.batch_rows) {
      SLUICE_ASSIGN_OR_RETURN(const RowStatus status, NextRow(rejects));
      if (status == RowStatus::kEnd) break;
      if (status == RowStatus::kRow) ++rows;
    }
    if (rows == 0 && copy_done_) {
      SLUICE_RETURN_NOT_OK(rejects->Finish(rows_read_ - rows_rejected_));
      SLUICE_RETURN_NOT_OK(session_->Execute("COMMIT"));
      finished_ = true;
      return columnar::BatchPtr();
    }
    std::vector<columnar::ColumnPtr> columns;
    std::vector<Field> fields;
    for (size_t c = 0; c < plans_.size(); ++c) {
      columns.push_back(builders_[c]->Finish());
      fields.push_back(Field{plans_[c].name, plans_[c].type, true});
    }
    auto batch = std::make_shared<const columnar::Batch>(
        std::make_shared<const columnar::Schema>(std::move(fields)), std::move(columns), rows);
    return LeaveOutCommitted(std::move(batch));
  }

  const std::string& origin() const override { return origin_; }
  int64_t inputs_done() const override { return finished_ ? 1 : 0; }
  int64_t bytes_done() const override { return bytes_read_; }
  void Close() override {
    if (session_) session_->Close();
  }

  std::map<std::string, std::string> CommitParameters() const override {
    nlohmann::ordered_json read = {{"server", session_ ? session_->where() : ""},
                                   {"read", origin_},
                                   {"mode", options_.cursor.empty() ? "full" : "incremental"}};
    if (mark_) read["from"] = CursorText(low_);
    return {{"sluice.postgres", read.dump()}};
  }

  std::vector<LedgerEntry> Ledger() const override {
    if (options_.cursor.empty()) return {};
    std::optional<int64_t> mark = mark_;
    if (seen_max_ && (!mark || *seen_max_ > *mark)) mark = seen_max_;
    if (!mark) return {};
    return {{origin_, AppId(), *mark}};
  }

  void ReportDone(const std::map<std::string, OriginCount>& counts, nlohmann::ordered_json* details,
                  std::vector<std::string>* notes, int64_t* bytes_in) const override {
    (void)counts;
    (void)notes;
    *bytes_in += bytes_read_;
    nlohmann::ordered_json& plan = (*details)["postgres"];
    plan["rows_read"] = rows_read_;
    plan["rows_already_committed"] = rows_left_out_;
    const std::vector<LedgerEntry> ledger = Ledger();
    if (!ledger.empty()) plan["new_mark"] = CursorText(ledger[0].version);
  }

 private:
  enum class RowStatus { kRow, kRejected, kEnd };

  std::string AppId() const { return "sluice.postgres:" + origin_ + ":" + options_.cursor; }

  std::string CursorText(int64_t value) const {
    std::string text;
    if (cursor_ != nullptr && cursor_->decode == PgDecode::kDate) {
      columnar::AppendDate(static_cast<int32_t>(value), &text);
    } else if (cursor_ != nullptr && cursor_->decode == PgDecode::kTimestamp) {
      columnar::AppendTimestamp(value, /*iso=*/true, &text);
    } else {
      text = std::to_string(value);
    }
    return text;
  }

  // Each column's type, resolving domains to their base types.
  Status PlanColumns(const std::vector<PgColumn>& columns) {
    std::map<uint32_t, PgTypeInfo> types;
    std::map<uint32_t, std::pair<uint32_t, int32_t>> domains;  // domain → base, base modifier
    std::vector<uint32_t> wanted;
    for (const PgColumn& column : columns) wanted.push_back(column.type_oid);
    for (int depth = 0; depth < 8 && !wanted.empty(); ++depth) {
      std::string list;
      for (uint32_t oid : wanted) list += (list.empty() ? "" : ",") + std::to_string(oid);
      SLUICE_ASSIGN_OR_RETURN(
          PgRows rows, session_->Query("SELECT oid, format_type(oid, NULL), typtype, typcategory, "
                                       "typbasetype, typtypmod FROM pg_type WHERE oid IN (" +
                                       list + ")"));
      wanted.clear();
      for (const auto& row : rows) {
        PgTypeInfo info;
        info.oid = static_cast<uint32_t>(std::stoul(row[0].value_or("0")));
        info.name = row[1].value_or("?");
        info.type_kind = row[2].value_or("b")[0];
        info.category = row[3].value_or("U")[0];
        types[info.oid] = info;
        if (info.type_kind == 'd') {
          const auto base = static_cast<uint32_t>(std::stoul(row[4].value_or("0")));
          domains[info.oid] = {base, static_cast<int32_t>(std::stol(row[5].value_or("-1")))};
          if (!types.contains(base)) wanted.push_back(base);
        }
      }
    }
    for (const PgColumn& column : columns) {
      uint32_t oid = column.type_oid;
      int32_t modifier = column.type_modifier;
      std::string quoted = PgSession::QuoteIdentifier(column.name);
      for (int depth = 0; depth < 8 && domains.contains(oid); ++depth) {
        const auto [base, base_modifier] = domains[oid];
        oid = base;
        modifier = base_modifier;
      }
      PgTypeInfo info = types.contains(oid) ? types[oid] : PgTypeInfo{};
      info.oid = oid;
      info.modifier = modifier;
      if (oid != column.type_oid) {
        SLUICE_ASSIGN_OR_RETURN(PgRows base_name,
                                session_->Query("SELECT format_type(" + std::to_string(oid) + ", " +
                                                std::to_string(modifier) + ")"));
        quoted = "(" + quoted + ")::" + base_name[0][0].value_or("text");
      }
      plans_.push_back(PlanPgColumn(column.name, quoted, info));
    }
    return Status::OK();
  }

  const PgColumnPlan* FindPlan(const std::string& name) const {
    for (const PgColumnPlan& plan : plans_) {
      if (plan.name == name) return &plan;
    }
    return nullptr;
  }

  Status FindKey(uint32_t table_oid) {
    key_ = options_.primary_key;
    if (key_.empty() && table_oid != 0) {
      SLUICE_ASSIGN_OR_RETURN(
          PgRows rows,
          session_->Query("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = "
                          "i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = " +
                          std::to_string(table_oid) +
                          " AND i.indisprimary ORDER BY array_position(i.indkey::int2[], "
                          "a.attnum)"));
      for (const auto& row : rows) key_.push_back(row[0].value_or(""));
    }
    for (const std::string& column : key_) {
      if (FindPlan(column) == nullptr) {
        return Status::InvalidArgument("source '" + options_.name + "': primary key column '" +
                                       column + "' is not a column of " + origin_);
      }
    }
    return Status::OK();
  }

  // The cursor's window: the committed mark, the lookback, and the committed rows inside it.
  Status PlanWindow() {
    cursor_ = FindPlan(options_.cursor);
    if (cursor_ == nullptr) {
      return Status::InvalidArgument("source '" + options_.name + "': cursor column '" +
                                     options_.cursor + "' is not a column of " + origin_);
    }
    if (!IsPgCursorType(*cursor_)) {
      return Status::InvalidArgument("source '" + options_.name + "': cursor column '" +
                                     options_.cursor + "' is " + cursor_->pg_type +
                                     "; a cursor must be an integer, date or timestamp column");
    }
    if (options_.lookback_ms > 0 && cursor_->decode != PgDecode::kDate &&
        cursor_->decode != PgDecode::kTimestamp) {
      return Status::InvalidArgument("source '" + options_.name +
                                     "': lookback applies to date and timestamp cursors; '" +
                                     options_.cursor + "' is " + cursor_->pg_type);
    }
    mark_ = state_.committed(AppId());
    if (!mark_) return Status::OK();  // the first run takes every row
    low_ = *mark_;
    if (cursor_->decode == PgDecode::kTimestamp) low_ -= options_.lookback_ms * 1000;
    if (cursor_->decode == PgDecode::kDate) {
      low_ -= (options_.lookback_ms + 86'399'999) / 86'400'000;
    }
    // The rows of the window committed before: left out when read again.
    std::vector<std::string> columns = IdentityColumns();
    columns.push_back(options_.cursor);
    return state_.committed_rows(
        columns, options_.cursor, low_, [&](const columnar::Batch& batch) -> Status {
          std::vector<const columnar::Column*> keys;
          for (size_t c = 0; c + 1 < batch.num_columns(); ++c) keys.push_back(&batch.column(c));
          const columnar::Column& cursor = batch.column(batch.num_columns() - 1);
          for (int64_t row = 0; row < batch.num_rows(); ++row) {
            const std::optional<int64_t> value = CursorAt(cursor, row);
            if (value && *value >= low_) committed_.insert(RowIdentity(keys, row, *value));
          }
          return Status::OK();
        });
  }

  // The columns identifying a row: the primary key, else every column.
  std::vector<std::string> IdentityColumns() const {
    if (!key_.empty()) return key_;
    std::vector<std::string> all;
    for (const PgColumnPlan& plan : plans_) {
      if (plan.name != options_.cursor) all.push_back(plan.name);
    }
    return all;
  }

  std::string CopySql() const {
    std::string sql = "COPY (SELECT ";
    for (size_t c = 0; c < plans_.size(); ++c) {
      if (c > 0) sql += ", ";
      sql += plans_[c].select;
    }
    sql += " FROM " + from_;
    if (mark_) sql += " WHERE " + cursor_->select + " >= " + PgCursorLiteral(*cursor_, low_);
    return sql + ") TO STDOUT (FORMAT binary)";
  }

  // Makes at least `size` bytes available past `pos_`; false at the end of the COPY.
  Result<bool> Want(size_t size) {
    while (buffer_.size() - pos_ < size) {
      if (copy_done_) return false;
      SLUICE_ASSIGN_OR_RETURN(std::optional<std::string_view> chunk, session_->NextCopyChunk());
      if (!chunk) {
        copy_done_ = true;
        return false;
      }
      if (pos_ > (1u << 20)) {
        buffer_.erase(0, pos_);
        pos_ = 0;
      }
      buffer_.append(chunk->data(), chunk->size());
      bytes_read_ += static_cast<int64_t>(chunk->size());
    }
    return true;
  }

  Status Corrupt(const std::string& what) const {
    return Status::DataError("PostgreSQL " + session_->where() + ": " + origin_ +
                             ": the COPY stream is malformed (" + what + ")");
  }

  // Decodes the next tuple into the builders.
  Result<RowStatus> NextRow(formats::RejectTracker* rejects) {
    if (!header_read_) {
      SLUICE_ASSIGN_OR_RETURN(bool have, Want(kSignature.size() + 8));
      if (!have || std::string_view(buffer_.data() + pos_, kSignature.size()) != kSignature) {
        return Corrupt("no binary COPY header");
      }
      const int32_t extension = ReadBe32(buffer_.data() + pos_ + kSignature.size() + 4);
      SLUICE_ASSIGN_OR_RETURN(have, Want(kSignature.size() + 8 + static_cast<size_t>(extension)));
      if (!have) return Corrupt("a truncated header");
      pos_ += kSignature.size() + 8 + static_cast<size_t>(extension);
      header_read_ = true;
    }
    SLUICE_ASSIGN_OR_RETURN(bool have, Want(2));
    if (!have) {
      if (!trailer_seen_) return Corrupt("no trailer");
      return RowStatus::kEnd;
    }
    const int16_t fields = ReadBe16(buffer_.data() + pos_);
    if (fields == -1) {
      pos_ += 2;
      trailer_seen_ = true;
      SLUICE_ASSIGN_OR_RETURN(have, Want(1));  // drains the COPY to its end
      return RowStatus::kEnd;
    }
    if (static_cast<size_t>(fields) != plans_.size()) {
      return Corrupt(std::to_string(fields) + " fields in a row, expected " +
                     std::to_string(plans_.size()));
    }
    // The whole tuple first, so decoding never waits halfway.
    size_t size = 2;
    for (size_t c = 0; c < plans_.size(); ++c) {
      SLUICE_ASSIGN_OR_RETURN(have, Want(size + 4));
      if (!have) return Corrupt("a truncated row");
      const int32_t length = ReadBe32(buffer_.data() + pos_ + size);
      size += 4 + static_cast<size_t>(std::max(length, 0));
    }
    SLUICE_ASSIGN_OR_RETURN(have, Want(size));
    if (!have) return Corrupt("a truncated row");
    ++rows_read_;
    const char* p = buffer_.data() + pos_ + 2;
    pos_ += size;
    const int64_t row_start = builders_[0]->length();
    std::string error;
    for (size_t c = 0; c < plans_.size(); ++c) {
      const int32_t length = ReadBe32(p);
      p += 4;
      if (length < 0) {
        builders_[c]->AppendNull();
        continue;
      }
      const std::string_view bytes(p, static_cast<size_t>(length));
      p += length;
      if (AppendPgValue(plans_[c], bytes, builders_[c].get(), &error)) continue;
      for (size_t undo = 0; undo < c; ++undo) builders_[undo]->Truncate(row_start);
      formats::Reject reject;
      reject.file = origin_;
      reject.line = rows_read_;
      reject.field = plans_[c].name;
      reject.kind = formats::RejectKind::kCastError;
      reject.message = "column '" + plans_[c].name + "' (" + plans_[c].pg_type + "): " + error;
      ++rows_rejected_;
      SLUICE_RETURN_NOT_OK(rejects->Add(std::move(reject)));
      return RowStatus::kRejected;
    }
    return RowStatus::kRow;
  }

  // Leaves out the rows of the window an earlier run committed; tracks the largest cursor.
  columnar::BatchPtr LeaveOutCommitted(columnar::BatchPtr batch) {
    if (cursor_ == nullptr) return batch;
    const size_t cursor_index = static_cast<size_t>(cursor_ - plans_.data());
    const columnar::Column& cursor = batch->column(cursor_index);
    std::vector<const columnar::Column*> keys;
    for (const std::string& name : IdentityColumns()) {
      keys.push_back(&batch->column(static_cast<size_t>(FindPlan(name) - plans_.data())));
    }
    std::vector<int64_t> kept;
    for (int64_t row = 0; row < batch->num_rows(); ++row) {
      const std::optional<int64_t> value = CursorAt(cursor, row);
      if (value && mark_ && *value <= *mark_ && !committed_.empty() &&
          committed_.contains(RowIdentity(keys, row, *value))) {
        ++rows_left_out_;
        continue;
      }
      if (value && (!seen_max_ || *value > *seen_max_)) seen_max_ = value;
      kept.push_back(row);
    }
    if (static_cast<int64_t>(kept.size()) == batch->num_rows()) return batch;
    return columnar::TakeRows(*batch, kept);
  }

  PostgresSourceOptions options_;
  SourceState state_;
  std::unique_ptr<PgSession> session_;
  std::string origin_;
  std::string from_;
  std::vector<PgColumnPlan> plans_;
  std::vector<std::string> key_;
  const PgColumnPlan* cursor_ = nullptr;
  std::optional<int64_t> mark_;
  int64_t low_ = 0;
  std::unordered_set<std::string> committed_;
  // Reading.
  std::vector<std::unique_ptr<columnar::ColumnBuilder>> builders_;
  std::string buffer_;
  size_t pos_ = 0;
  bool started_ = false, header_read_ = false, trailer_seen_ = false, copy_done_ = false,
       finished_ = false;
  int64_t rows_read_ = 0, rows_rejected_ = 0, rows_left_out_ = 0, bytes_read_ = 0;
  std::optional<int64_t> seen_max_;
};

}  // namespace

Result<std::unique_ptr<SourceRun>> PlanPostgresRun(PostgresSourceOptions options,
                                                   const SourceState& state) {
  auto run = std::make_unique<PostgresRun>(std::move(options), state);
  SLUICE_RETURN_NOT_OK(run->Prepare());
  return std::unique_ptr<SourceRun>(std::move(run));
}

}  // namespace sluice::connectors

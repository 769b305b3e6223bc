// One run of a database source (database_source.h): the window, the reading, the ledger.
#include <algorithm>
#include <map>
#include <unordered_set>

#include "sluice/columnar/take.h"
#include "sluice/columnar/temporal.h"
#include "sluice/columnar/value_formatter.h"
#include "sluice/common/ascii.h"
#include "sluice/connectors/database/database_source.h"

namespace sluice::connectors {

namespace {

using columnar::Field;
using columnar::TypeId;

// The int64 a cursor value orders by (integer, days, µs).
std::optional<int64_t> CursorAt(const columnar::Column& column, int64_t row) {
  if (column.IsNull(row)) return std::nullopt;
  switch (column.type().id()) {
    case TypeId::kInt32:
    case TypeId::kDate:
      return static_cast<const columnar::PrimitiveColumn<int32_t>&>(column).Value(row);
    case TypeId::kInt64:
    case TypeId::kTimestamp:
      return static_cast<const columnar::PrimitiveColumn<int64_t>&>(column).Value(row);
    default:
      return std::nullopt;
  }
}

bool IsCursorType(const columnar::DataType& type) {
  return type.id() == TypeId::kInt32 || type.id() == TypeId::kInt64 || type.id() == TypeId::kDate ||
         type.id() == TypeId::kTimestamp;
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

class DatabaseRun final : public SourceRun {
 public:
  DatabaseRun(std::unique_ptr<DbDriver> driver, DatabaseSourceOptions options, SourceState state,
              std::string kind)
      : driver_(std::move(driver)),
        options_(std::move(options)),
        state_(std::move(state)),
        kind_(std::move(kind)) {}

  Status Prepare() {
    SLUICE_RETURN_NOT_OK(driver_->Open());
    if (!options_.table.empty()) {
      origin_ = options_.table;
      SLUICE_ASSIGN_OR_RETURN(from_, driver_->ResolveTable(options_.table));
    } else {
      origin_ = "query";
      from_ = "(" + options_.query + ") AS sluice_query";
    }
    SLUICE_ASSIGN_OR_RETURN(columns_, driver_->Columns(from_));
    key_ = options_.primary_key;
    if (key_.empty() && !options_.table.empty()) {
      SLUICE_ASSIGN_OR_RETURN(key_, driver_->PrimaryKey(options_.table));
    }
    for (const std::string& column : key_) {
      if (Find(column) < 0) {
        return Status::InvalidArgument("source '" + options_.name + "': primary key column '" +
                                       column + "' is not a column of " + origin_);
      }
    }
    if (!options_.cursor.empty()) SLUICE_RETURN_NOT_OK(PlanWindow());
    return Status::OK();
  }

  // A run always reads (the window since the mark); when it finds only rows committed before,
  // the bronze task commits nothing.
  bool empty() const override { return false; }
  bool replaces() const override { return options_.cursor.empty(); }
  int64_t inputs() const override { return 1; }

  void ReportPlan(nlohmann::ordered_json* details, std::vector<std::string>* notes) const override {
    (void)notes;
    nlohmann::ordered_json plan = {{"server", driver_->where()},
                                   {"read", origin_},
                                   {"mode", options_.cursor.empty() ? "full" : "incremental"}};
    if (!options_.cursor.empty()) {
      plan["cursor"] = options_.cursor;
      plan["committed_mark"] = mark_ ? nlohmann::ordered_json(CursorText(*mark_)) : nullptr;
      plan["from"] = mark_ ? nlohmann::ordered_json(CursorText(low_)) : nullptr;
      plan["rows_in_window_already_committed"] = static_cast<int64_t>(committed_.size());
    }
    plan["primary_key"] = key_;
    (*details)[kind_] = plan;
  }

  Result<columnar::SchemaPtr> PlanSchema(std::vector<SourceReject>* unreadable) override {
    (void)unreadable;
    std::vector<Field> fields;
    if (state_.table_schema != nullptr && !replaces()) fields = state_.table_schema->fields();
    for (const DbColumn& column : columns_) {
      if (column.name.starts_with("_sluice_")) {
        return Status::SchemaMismatch(origin_ + ": column '" + column.name +
                                      "' uses the _sluice_ prefix reserved for audit columns");
      }
      auto same = std::find_if(fields.begin(), fields.end(), [&](const Field& field) {
        return EqualsIgnoringAsciiCase(field.name, column.name);
      });
      if (same != fields.end()) continue;
      if (state_.table_schema != nullptr && options_.schema_drift == SchemaDrift::kFreeze &&
          state_.table_schema->FieldIndex(column.name) == std::nullopt) {
        return Status::SchemaMismatch(origin_ + ": column '" + column.name + "' is not in " +
                                      state_.table +
                                      " and the source's schema_drift is freeze; add the column "
                                      "deliberately (schema_drift: evolve)");
      }
      fields.push_back(Field{column.name, column.type, true});
    }
    return std::make_shared<const columnar::Schema>(std::move(fields));
  }

  Result<columnar::BatchPtr> Next(formats::RejectTracker* rejects) override {
    if (finished_) return columnar::BatchPtr();
    if (!started_) {
      const std::string where =
          mark_ ? columns_[static_cast<size_t>(cursor_)].select +
                      " >= " + driver_->CursorLiteral(columns_[static_cast<size_t>(cursor_)], low_)
                : "";
      SLUICE_RETURN_NOT_OK(driver_->StartRead(columns_, from_, where));
      started_ = true;
      for (const DbColumn& column : columns_) {
        builders_.push_back(columnar::MakeBuilder(column.type));
      }
    }
    int64_t rows = 0;
    while (rows < options_.batch_rows) {
      DbReject rejected;
      SLUICE_ASSIGN_OR_RETURN(const DbRow status, driver_->NextRow(&builders_, &rejected));
      if (status == DbRow::kEnd) {
        done_ = true;
        break;
      }
      ++rows_read_;
      if (status == DbRow::kRow) {
        ++rows;
        continue;
      }
      ++rows_rejected_;
      formats::Reject reject;
      reject.file = origin_;
      reject.line = rows_read_;
      const DbColumn& column = columns_[rejected.column];
      reject.field = column.name;
      reject.kind = formats::RejectKind::kCastError;
      reject.message = "column '" + column.name + "' (" + column.db_type + "): " + rejected.message;
      reject.raw = std::move(rejected.raw);
      SLUICE_RETURN_NOT_OK(rejects->Add(std::move(reject)));
    }
    if (rows == 0 && done_) {
      SLUICE_RETURN_NOT_OK(rejects->Finish(rows_read_ - rows_rejected_));
      SLUICE_RETURN_NOT_OK(driver_->Finish());
      finished_ = true;
      return columnar::BatchPtr();
    }
    std::vector<columnar::ColumnPtr> columns;
    std::vector<Field> fields;
    for (size_t c = 0; c < columns_.size(); ++c) {
      columns.push_back(builders_[c]->Finish());
      fields.push_back(Field{columns_[c].name, columns_[c].type, true});
    }
    auto batch = std::make_shared<const columnar::Batch>(
        std::make_shared<const columnar::Schema>(std::move(fields)), std::move(columns), rows);
    return LeaveOutCommitted(std::move(batch));
  }

  const std::string& origin() const override { return origin_; }
  int64_t inputs_done() const override { return finished_ ? 1 : 0; }
  int64_t bytes_done() const override { return driver_->bytes_read(); }
  void Close() override { driver_->Close(); }

  std::map<std::string, std::string> CommitParameters() const override {
    nlohmann::ordered_json read = {{"server", driver_->where()},
                                   {"read", origin_},
                                   {"mode", options_.cursor.empty() ? "full" : "incremental"}};
    if (mark_) read["from"] = CursorText(low_);
    return {{"sluice." + kind_, read.dump()}};
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
    *bytes_in += driver_->bytes_read();
    nlohmann::ordered_json& plan = (*details)[kind_];
    plan["rows_read"] = rows_read_;
    plan["rows_already_committed"] = rows_left_out_;
    const std::vector<LedgerEntry> ledger = Ledger();
    if (!ledger.empty()) plan["new_mark"] = CursorText(ledger[0].version);
  }

 private:
  std::string AppId() const { return "sluice." + kind_ + ":" + origin_ + ":" + options_.cursor; }

  int Find(const std::string& name) const {
    for (size_t c = 0; c < columns_.size(); ++c) {
      if (columns_[c].name == name) return static_cast<int>(c);
    }
    return -1;
  }

  std::string CursorText(int64_t value) const {
    std::string text;
    const TypeId type =
        cursor_ >= 0 ? columns_[static_cast<size_t>(cursor_)].type.id() : TypeId::kInt64;
    if (type == TypeId::kDate) {
      columnar::AppendDate(static_cast<int32_t>(value), &text);
    } else if (type == TypeId::kTimestamp) {
      columnar::AppendTimestamp(value, /*iso=*/true, &text);
    } else {
      text = std::to_string(value);
    }
    return text;
  }

  // The cursor's window: the committed mark, the lookback, and the committed rows inside it.
  Status PlanWindow() {
    cursor_ = Find(options_.cursor);
    if (cursor_ < 0) {
      return Status::InvalidArgument("source '" + options_.name + "': cursor column '" +
                                     options_.cursor + "' is not a column of " + origin_);
    }
    const DbColumn& cursor = columns_[static_cast<size_t>(cursor_)];
    if (!IsCursorType(cursor.type)) {
      return Status::InvalidArgument("source '" + options_.name + "': cursor column '" +
                                     options_.cursor + "' is " + cursor.db_type +
                                     "; a cursor must be an integer, date or timestamp column");
    }
    const bool temporal =
        cursor.type.id() == TypeId::kDate || cursor.type.id() == TypeId::kTimestamp;
    if (options_.lookback_ms > 0 && !temporal) {
      return Status::InvalidArgument("source '" + options_.name +
                                     "': lookback applies to date and timestamp cursors; '" +
                                     options_.cursor + "' is " + cursor.db_type);
    }
    mark_ = state_.committed(AppId());
    if (!mark_) return Status::OK();  // the first run takes every row
    low_ = *mark_;
    if (cursor.type.id() == TypeId::kTimestamp) low_ -= options_.lookback_ms * 1000;
    if (cursor.type.id() == TypeId::kDate) low_ -= (options_.lookback_ms + 86'399'999) / 86'400'000;
    // The rows of the window committed before: left out when read again.
    std::vector<std::string> columns = IdentityColumns();
    columns.push_back(options_.cursor);
    return state_.committed_rows(
        columns, options_.cursor, low_, [&](const columnar::Batch& batch) -> Status {
          std::vector<const columnar::Column*> keys;
          for (size_t c = 0; c + 1 < batch.num_columns(); ++c) keys.push_back(&batch.column(c));
          const columnar::Column& cursor_column = batch.column(batch.num_columns() - 1);
          for (int64_t row = 0; row < batch.num_rows(); ++row) {
            const std::optional<int64_t> value = CursorAt(cursor_column, row);
            if (value && *value >= low_) committed_.insert(RowIdentity(keys, row, *value));
          }
          return Status::OK();
        });
  }

  // The columns identifying a row: the primary key, else every column but the cursor.
  std::vector<std::string> IdentityColumns() const {
    if (!key_.empty()) return key_;
    std::vector<std::string> all;
    for (const DbColumn& column : columns_) {
      if (column.name != options_.cursor) all.push_back(column.name);
    }
    return all;
  }

  // Leaves out the rows of the window an earlier run committed; tracks the largest cursor.
  columnar::BatchPtr LeaveOutCommitted(columnar::BatchPtr batch) {
    if (cursor_ < 0) return batch;
    const columnar::Column& cursor = batch->column(static_cast<size_t>(cursor_));
    std::vector<const columnar::Column*> keys;
    for (const std::string& name : IdentityColumns()) {
      keys.push_back(&batch->column(static_cast<size_t>(Find(name))));
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

  std::unique_ptr<DbDriver> driver_;
  DatabaseSourceOptions options_;
  SourceState state_;
  std::string kind_;
  std::string origin_;
  std::string from_;
  std::vector<DbColumn> columns_;
  std::vector<std::string> key_;
  int cursor_ = -1;
  std::optional<int64_t> mark_;
  int64_t low_ = 0;
  std::unordered_set<std::string> committed_;
  std::vector<std::unique_ptr<columnar::ColumnBuilder>> builders_;
  bool started_ = false, done_ = false, finished_ = false;
  int64_t rows_read_ = 0, rows_rejected_ = 0, rows_left_out_ = 0;
  std::optional<int64_t> seen_max_;
};

}  // namespace

Result<std::unique_ptr<SourceRun>> PlanDatabaseRun(std::unique_ptr<DbDriver> driver,
                                                   DatabaseSourceOptions options,
                                                   const SourceState& state,
                                                   const std::string& kind) {
  auto run = std::make_unique<DatabaseRun>(std::move(driver), std::move(options), state, kind);
  SLUICE_RETURN_NOT_OK(run->Prepare());
  return std::unique_ptr<SourceRun>(std::move(run));
}

}  // namespace sluice::connectors

#include "sluice/connectors/postgres/postgres_driver.h"

#include <map>

#include "sluice/columnar/value_formatter.h"
#include "sluice/connectors/postgres/pg_types.h"

namespace sluice::connectors {

namespace {

constexpr std::string_view kSignature("PGCOPY\n\377\r\n\0", 11);

int32_t ReadBe32(const char* p) {
  return static_cast<int32_t>(
      (uint32_t{static_cast<uint8_t>(p[0])} << 24) | (uint32_t{static_cast<uint8_t>(p[1])} << 16) |
      (uint32_t{static_cast<uint8_t>(p[2])} << 8) | uint32_t{static_cast<uint8_t>(p[3])});
}
int16_t ReadBe16(const char* p) {
  return static_cast<int16_t>((static_cast<uint8_t>(p[0]) << 8) | static_cast<uint8_t>(p[1]));
}

class PostgresDriver final : public DbDriver {
 public:
  PostgresDriver(PgConnectOptions options, PgReadOptions read)
      : options_(std::move(options)), read_(std::move(read)) {}

  std::string where() const override { return session_ ? session_->where() : "postgres"; }

  Status Open() override {
    SLUICE_ASSIGN_OR_RETURN(session_, PgSession::Connect(options_));
    SLUICE_RETURN_NOT_OK(session_->Execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
    if (read_.snapshot.empty()) return Status::OK();
    return session_->Execute("SET TRANSACTION SNAPSHOT " + PgSession::Literal(read_.snapshot));
  }

  Result<std::string> ResolveTable(const std::string& table) override {
    SLUICE_ASSIGN_OR_RETURN(
        PgRows found,
        session_->Query("SELECT c.oid, quote_ident(n.nspname) || '.' || quote_ident(c.relname) "
                        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE c.oid = to_regclass(" +
                        PgSession::Literal(table) + ")"));
    if (found.empty() || !found[0][0] || !found[0][1]) {
      return Status::InvalidArgument("PostgreSQL " + session_->where() + ": table " + table +
                                     " does not exist");
    }
    table_oid_ = *found[0][0];
    return *found[0][1];
  }

  Result<std::vector<DbColumn>> Columns(const std::string& from) override {
    SLUICE_ASSIGN_OR_RETURN(plans_, PlanPgColumns(session_.get(), from, read_.composites_as_text));
    std::vector<DbColumn> columns;
    for (const PgColumnPlan& plan : plans_) {
      columns.push_back(DbColumn{plan.name, plan.select, plan.type, plan.pg_type});
    }
    return columns;
  }

  Result<std::vector<std::string>> PrimaryKey(const std::string& table) override {
    (void)table;
    std::vector<std::string> key;
    if (table_oid_.empty()) return key;
    SLUICE_ASSIGN_OR_RETURN(
        PgRows rows,
        session_->Query("SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = "
                        "i.indrelid AND a.attnum = ANY(i.indkey) WHERE i.indrelid = " +
                        table_oid_ +
                        " AND i.indisprimary ORDER BY array_position(i.indkey::int2[], "
                        "a.attnum)"));
    for (const auto& row : rows) key.push_back(row[0].value_or(""));
    return key;
  }

  std::string CursorLiteral(const DbColumn& column, int64_t value) const override {
    for (const PgColumnPlan& plan : plans_) {
      if (plan.name == column.name) return PgCursorLiteral(plan, value);
    }
    return std::to_string(value);
  }

  Status StartRead(const std::vector<DbColumn>& columns, const std::string& from,
                   const std::string& where) override {
    std::string sql = "COPY (SELECT ";
    for (size_t c = 0; c < columns.size(); ++c) {
      if (c > 0) sql += ", ";
      sql += columns[c].select;
    }
    sql += " FROM " + from;
    if (!where.empty()) sql += " WHERE " + where;
    return session_->StartCopyOut(sql + ") TO STDOUT (FORMAT binary)");
  }

  Result<DbRow> NextRow(std::vector<std::unique_ptr<columnar::ColumnBuilder>>* builders,
                        DbReject* reject) override {
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
      return DbRow::kEnd;
    }
    const int16_t fields = ReadBe16(buffer_.data() + pos_);
    if (fields == -1) {
      pos_ += 2;
      trailer_seen_ = true;
      SLUICE_ASSIGN_OR_RETURN(have, Want(1));  // drains the COPY to its end
      return DbRow::kEnd;
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
    const char* tuple = buffer_.data() + pos_ + 2;
    const char* p = tuple;
    pos_ += size;
    const int64_t row_start = (*builders)[0]->length();
    for (size_t c = 0; c < plans_.size(); ++c) {
      const int32_t length = ReadBe32(p);
      p += 4;
      if (length < 0) {
        (*builders)[c]->AppendNull();
        continue;
      }
      const std::string_view bytes(p, static_cast<size_t>(length));
      p += length;
      if (AppendPgValue(plans_[c], bytes, (*builders)[c].get(), &reject->message)) continue;
      for (size_t undo = 0; undo < c; ++undo) (*builders)[undo]->Truncate(row_start);
      reject->column = c;
      reject->raw = RawRow(tuple);
      return DbRow::kRejected;
    }
    return DbRow::kRow;
  }

  Status Finish() override { return session_->Execute("COMMIT"); }
  void Close() override {
    if (session_) session_->Close();
  }
  int64_t bytes_read() const override { return bytes_read_; }

 private:
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

  // A rejected row as a JSON object: each value decoded on its own, a value that does not fit as
  // its bytes in hex ("\\x...").
  std::string RawRow(const char* p) const {
    std::string raw = "{";
    for (size_t c = 0; c < plans_.size(); ++c) {
      if (c > 0) raw += ",";
      columnar::AppendJsonString(plans_[c].name, &raw);
      raw += ":";
      const int32_t length = ReadBe32(p);
      p += 4;
      if (length < 0) {
        raw += "null";
        continue;
      }
      const std::string_view bytes(p, static_cast<size_t>(length));
      p += length;
      auto builder = columnar::MakeBuilder(plans_[c].type);
      std::string ignored;
      if (AppendPgValue(plans_[c], bytes, builder.get(), &ignored)) {
        columnar::AppendValue(*builder->Finish(), 0, columnar::ValueStyle::kJson, &raw);
      } else {
        static constexpr char kHex[] = "0123456789abcdef";
        std::string hex = "\\x";
        for (char byte : bytes) {
          hex += kHex[static_cast<uint8_t>(byte) >> 4];
          hex += kHex[static_cast<uint8_t>(byte) & 15];
        }
        columnar::AppendJsonString(hex, &raw);
      }
    }
    return raw + "}";
  }

  Status Corrupt(const std::string& what) const {
    return Status::DataError("PostgreSQL " + session_->where() +
                             ": the COPY stream is malformed (" + what + ")");
  }

  PgConnectOptions options_;
  PgReadOptions read_;
  std::unique_ptr<PgSession> session_;
  std::string table_oid_;
  std::vector<PgColumnPlan> plans_;
  std::string buffer_;
  size_t pos_ = 0;
  bool header_read_ = false, trailer_seen_ = false, copy_done_ = false;
  int64_t bytes_read_ = 0;
};

}  // namespace

Result<std::vector<PgColumnPlan>> PlanPgColumns(PgSession* session, const std::string& from,
                                                bool composites_as_text) {
  SLUICE_ASSIGN_OR_RETURN(std::vector<PgColumn> described,
                          session->Describe("SELECT * FROM " + from));
  std::map<uint32_t, PgTypeInfo> types;
  std::map<uint32_t, std::pair<uint32_t, int32_t>> domains;  // domain → base, base modifier
  std::vector<uint32_t> wanted;
  for (const PgColumn& column : described) wanted.push_back(column.type_oid);
  for (int depth = 0; depth < 8 && !wanted.empty(); ++depth) {
    std::string list;
    for (uint32_t oid : wanted) list += (list.empty() ? "" : ",") + std::to_string(oid);
    SLUICE_ASSIGN_OR_RETURN(
        PgRows rows, session->Query("SELECT oid, format_type(oid, NULL), typtype, typcategory, "
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
  std::vector<PgColumnPlan> plans;
  for (const PgColumn& column : described) {
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
                              session->Query("SELECT format_type(" + std::to_string(oid) + ", " +
                                             std::to_string(modifier) + ")"));
      quoted = "(" + quoted + ")::" + base_name[0][0].value_or("text");
    }
    plans.push_back(PlanPgColumn(column.name, quoted, info, composites_as_text));
  }
  return plans;
}

std::unique_ptr<DbDriver> MakePostgresDriver(PgConnectOptions options, PgReadOptions read) {
  return std::make_unique<PostgresDriver>(std::move(options), std::move(read));
}

}  // namespace sluice::connectors

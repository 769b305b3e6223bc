// The PostgreSQL warehouse (libpq): rows go in with COPY (text format) in chunks; a chunk the
// server refuses is retried row by row under savepoints, so that only the rows it refuses are
// left out (with the server's reason) and the rest of the load goes on.
#include <libpq-fe.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "sluice/columnar/column.h"
#include "sluice/columnar/decimal.h"
#include "sluice/columnar/temporal.h"
#include "sluice/columnar/value_formatter.h"
#include "sluice/common/redactor.h"
#include "sluice/warehouse/connection.h"

namespace sluice::warehouse {
namespace {

using columnar::TypeId;

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

// COPY text format: backslash, tab, newline and carriage return escaped.
void AppendCopyText(std::string_view text, std::string* out) {
  for (char c : text) {
    switch (c) {
      case '\\':
        *out += "\\\\";
        break;
      case '\t':
        *out += "\\t";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      default:
        *out += c;
    }
  }
}

// One value in COPY text format; false (with `refusal`) for a value PostgreSQL cannot hold.
bool AppendCopyValue(const columnar::Column& column, int64_t row, std::string* out,
                     std::string* refusal) {
  if (column.IsNull(row)) {
    *out += "\\N";
    return true;
  }
  switch (column.type().id()) {
    case TypeId::kBool:
      *out += static_cast<const columnar::BooleanColumn&>(column).Value(row) ? 't' : 'f';
      return true;
    case TypeId::kInt32:
      *out += std::to_string(static_cast<const columnar::Int32Column&>(column).Value(row));
      return true;
    case TypeId::kInt64:
      *out += std::to_string(static_cast<const columnar::Int64Column&>(column).Value(row));
      return true;
    case TypeId::kFloat64: {
      const double value = static_cast<const columnar::Float64Column&>(column).Value(row);
      if (std::isnan(value)) {
        *out += "NaN";
      } else if (std::isinf(value)) {
        *out += value > 0 ? "Infinity" : "-Infinity";
      } else {
        columnar::AppendDouble(value, out);
      }
      return true;
    }
    case TypeId::kDecimal:
      columnar::AppendDecimal(static_cast<const columnar::DecimalColumn&>(column).Value(row),
                              column.type().scale(), out);
      return true;
    case TypeId::kDate:
      columnar::AppendDate(static_cast<const columnar::Int32Column&>(column).Value(row), out);
      return true;
    case TypeId::kTimestamp:
      columnar::AppendTimestamp(static_cast<const columnar::Int64Column&>(column).Value(row), false,
                                out);
      *out += "+00";
      return true;
    case TypeId::kTime:
      columnar::AppendTime(static_cast<const columnar::Int64Column&>(column).Value(row), out);
      return true;
    case TypeId::kBinary: {
      static const char* const kHex = "0123456789abcdef";
      *out += "\\\\x";
      for (unsigned char c : static_cast<const columnar::StringColumn&>(column).Value(row)) {
        *out += kHex[c >> 4];
        *out += kHex[c & 15];
      }
      return true;
    }
    default: {
      const std::string_view text = static_cast<const columnar::StringColumn&>(column).Value(row);
      if (text.find('\0') != std::string_view::npos) {
        *refusal = "a text value holds a NUL byte, which PostgreSQL text cannot hold";
        return false;
      }
      AppendCopyText(text, out);
      return true;
    }
  }
}

// ---- COPY binary format --------------------------------------------------------------------
// A header, then per row a field count and per field a length (-1: null) and the value in
// network byte order; PostgreSQL parses it far faster than text (no number or timestamp parsing).

constexpr int64_t kPostgresEpochDays = 10957;  // 2000-01-01 − 1970-01-01
constexpr int64_t kPostgresEpochMicros = kPostgresEpochDays * 86'400'000'000;

void PutU16(uint16_t v, std::string* out) {
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v));
}
void PutU32(uint32_t v, std::string* out) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}
void PutU64(uint64_t v, std::string* out) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

void AppendBinaryHeader(std::string* out) {
  static const char kSignature[] = "PGCOPY\n\377\r\n";
  out->append(kSignature, 11);  // the 11 bytes include the final \0
  PutU32(0, out);               // flags
  PutU32(0, out);               // header extension length
}

void AppendBinaryTrailer(std::string* out) { PutU16(0xffff, out); }

// NUMERIC: ndigits, weight, sign, dscale, then base-10000 digits.
void AppendBinaryNumeric(columnar::Int128 unscaled, int scale, std::string* out) {
  const bool negative = unscaled < 0;
  // Decimals hold at most 38 digits: the magnitude fits a signed 128-bit integer.
  const columnar::Int128 magnitude = negative ? -unscaled : unscaled;
  const columnar::Int128 ten_s = columnar::PowerOfTen(scale);
  columnar::Int128 integer = magnitude / ten_s;
  columnar::Int128 fraction = magnitude % ten_s;
  const int fraction_groups = (scale + 3) / 4;
  for (int i = scale; i < fraction_groups * 4; ++i) fraction *= 10;
  std::vector<uint16_t> digits;
  while (integer > 0) {
    digits.push_back(static_cast<uint16_t>(integer % 10000));
    integer /= 10000;
  }
  std::reverse(digits.begin(), digits.end());
  int weight = static_cast<int>(digits.size()) - 1;
  std::vector<uint16_t> fraction_digits(static_cast<size_t>(fraction_groups));
  for (int i = fraction_groups - 1; i >= 0; --i) {
    fraction_digits[static_cast<size_t>(i)] = static_cast<uint16_t>(fraction % 10000);
    fraction /= 10000;
  }
  digits.insert(digits.end(), fraction_digits.begin(), fraction_digits.end());
  size_t first = 0;
  while (first < digits.size() && digits[first] == 0) {
    ++first;
    --weight;
  }
  size_t last = digits.size();
  while (last > first && digits[last - 1] == 0) --last;
  const auto ndigits = static_cast<uint16_t>(last - first);
  if (ndigits == 0) weight = 0;
  PutU32(8 + 2u * ndigits, out);
  PutU16(ndigits, out);
  PutU16(static_cast<uint16_t>(static_cast<int16_t>(weight)), out);
  PutU16(ndigits == 0 || !negative ? 0x0000 : 0x4000, out);
  PutU16(static_cast<uint16_t>(scale), out);
  for (size_t i = first; i < last; ++i) PutU16(digits[i], out);
}

// One field in binary format; false (with `refusal`) for a value PostgreSQL cannot hold.
bool AppendBinaryValue(const columnar::Column& column, int64_t row, std::string* out,
                       std::string* refusal) {
  if (column.IsNull(row)) {
    PutU32(0xffffffffu, out);
    return true;
  }
  switch (column.type().id()) {
    case TypeId::kBool:
      PutU32(1, out);
      out->push_back(static_cast<const columnar::BooleanColumn&>(column).Value(row) ? 1 : 0);
      return true;
    case TypeId::kInt32:
      PutU32(4, out);
      PutU32(static_cast<uint32_t>(static_cast<const columnar::Int32Column&>(column).Value(row)),
             out);
      return true;
    case TypeId::kInt64:
      PutU32(8, out);
      PutU64(static_cast<uint64_t>(static_cast<const columnar::Int64Column&>(column).Value(row)),
             out);
      return true;
    case TypeId::kFloat64: {
      const double value = static_cast<const columnar::Float64Column&>(column).Value(row);
      uint64_t bits = 0;
      std::memcpy(&bits, &value, sizeof(bits));
      PutU32(8, out);
      PutU64(bits, out);
      return true;
    }
    case TypeId::kDecimal:
      AppendBinaryNumeric(static_cast<const columnar::DecimalColumn&>(column).Value(row),
                          column.type().scale(), out);
      return true;
    case TypeId::kDate:
      PutU32(4, out);
      PutU32(static_cast<uint32_t>(static_cast<const columnar::Int32Column&>(column).Value(row) -
                                   kPostgresEpochDays),
             out);
      return true;
    case TypeId::kTimestamp:
      PutU32(8, out);
      PutU64(static_cast<uint64_t>(static_cast<const columnar::Int64Column&>(column).Value(row) -
                                   kPostgresEpochMicros),
             out);
      return true;
    case TypeId::kTime:
      PutU32(8, out);
      PutU64(static_cast<uint64_t>(static_cast<const columnar::Int64Column&>(column).Value(row)),
             out);
      return true;
    case TypeId::kBinary: {
      const std::string_view bytes = static_cast<const columnar::StringColumn&>(column).Value(row);
      PutU32(static_cast<uint32_t>(bytes.size()), out);
      out->append(bytes);
      return true;
    }
    case TypeId::kJson: {
      const std::string_view text = static_cast<const columnar::StringColumn&>(column).Value(row);
      PutU32(static_cast<uint32_t>(text.size() + 1), out);
      out->push_back(1);  // jsonb version
      out->append(text);
      return true;
    }
    default: {
      const std::string_view text = static_cast<const columnar::StringColumn&>(column).Value(row);
      if (text.find('\0') != std::string_view::npos) {
        *refusal = "a text value holds a NUL byte, which PostgreSQL text cannot hold";
        return false;
      }
      PutU32(static_cast<uint32_t>(text.size()), out);
      out->append(text);
      return true;
    }
  }
}

// The column type sluice creates for a lake type.
std::string PostgresTypeName(const columnar::DataType& type) {
  switch (type.id()) {
    case TypeId::kBool:
      return "BOOLEAN";
    case TypeId::kInt32:
      return "INTEGER";
    case TypeId::kInt64:
      return "BIGINT";
    case TypeId::kFloat64:
      return "DOUBLE PRECISION";
    case TypeId::kDecimal:
      return "NUMERIC(" + std::to_string(type.precision()) + "," + std::to_string(type.scale()) +
             ")";
    case TypeId::kDate:
      return "DATE";
    case TypeId::kTime:
      return "TIME";
    case TypeId::kTimestamp:
      return "TIMESTAMPTZ";
    case TypeId::kBinary:
      return "BYTEA";
    case TypeId::kJson:
      return "JSONB";
    default:
      return "TEXT";
  }
}

// How format_type() names that type: a column binary COPY of `type` fits exactly.
std::string BinaryTypeName(const columnar::DataType& type) {
  const std::string name = PostgresTypeName(type);
  if (name == "TIMESTAMPTZ") return "TIMESTAMP WITH TIME ZONE";
  if (name == "TIME") return "TIME WITHOUT TIME ZONE";
  return name;
}

class PostgresConnection final : public Connection {
 public:
  PostgresConnection(PGconn* conn, std::string description, std::string schema)
      : conn_(conn), description_(std::move(description)), schema_(std::move(schema)) {}
  ~PostgresConnection() override { PQfinish(conn_); }

  std::string kind() const override { return "postgres"; }
  std::string description() const override { return description_; }

  Status Execute(const std::string& sql) override {
    PgResult result(PQexec(conn_, sql.c_str()));
    return Check(result.get(), sql);
  }

  Result<QueryRows> Query(const std::string& sql) override {
    SLUICE_ASSIGN_OR_RETURN(QueryResult result, QueryWithNames(sql));
    return std::move(result.rows);
  }

  Result<QueryResult> QueryWithNames(const std::string& sql) override {
    PgResult result(PQexec(conn_, sql.c_str()));
    SLUICE_RETURN_NOT_OK(Check(result.get(), sql));
    QueryResult out;
    const int columns = PQnfields(result.get());
    for (int c = 0; c < columns; ++c) out.columns.emplace_back(PQfname(result.get(), c));
    for (int r = 0; r < PQntuples(result.get()); ++r) {
      std::vector<std::optional<std::string>> row;
      for (int c = 0; c < columns; ++c) {
        if (PQgetisnull(result.get(), r, c)) {
          row.emplace_back(std::nullopt);
        } else {
          row.emplace_back(std::string(PQgetvalue(result.get(), r, c),
                                       static_cast<size_t>(PQgetlength(result.get(), r, c))));
        }
      }
      out.rows.push_back(std::move(row));
    }
    return out;
  }

  Result<std::vector<ColumnInfo>> TableColumns(const std::string& table) override {
    // to_regclass follows the search path: the schema's tables and this session's temp tables.
    SLUICE_ASSIGN_OR_RETURN(
        QueryRows rows,
        Query("SELECT a.attname, upper(format_type(a.atttypid, a.atttypmod)) FROM pg_attribute a "
              "JOIN pg_class c ON c.oid = a.attrelid WHERE c.oid = to_regclass(" +
              Literal(Quote(table)) +
              ") AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT "
              "a.attisdropped ORDER BY a.attnum"));
    std::vector<ColumnInfo> columns;
    for (const auto& row : rows) columns.push_back({row[0].value_or(""), row[1].value_or("")});
    return columns;
  }

  Result<bool> ViewExists(const std::string& name) override {
    SLUICE_ASSIGN_OR_RETURN(
        QueryRows rows,
        Query("SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
              "n.nspname = current_schema() AND c.relname = " +
              Literal(name) + " AND c.relkind IN ('v', 'm')"));
    return !rows.empty();
  }

  Status BeginTransaction() override { return Execute("BEGIN"); }

  std::string TempTableSql(const std::string& name) const override {
    return "CREATE TEMP TABLE " + Quote(name);
  }

  bool SwapsByRename() const override { return false; }

  Status SwapIn(const std::string& staging, const std::string& table) override {
    return Status::Internal("PostgreSQL replaces rows in place, not by rename (" + staging + " → " +
                            table + ")");
  }

  std::string ForeignKeyOptions() const override { return " DEFERRABLE INITIALLY DEFERRED"; }

  bool HasMaterializedViews() const override { return true; }

  Status DropRelation(const std::string& name) override {
    SLUICE_ASSIGN_OR_RETURN(
        QueryRows rows,
        Query("SELECT c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
              "WHERE n.nspname = current_schema() AND c.relname = " +
              Literal(name) + " AND c.relkind IN ('v', 'm', 'r')"));
    if (rows.empty()) return Status::OK();
    const std::string kind = rows[0][0].value_or("");
    const char* what = kind == "v"   ? "DROP VIEW "
                       : kind == "m" ? "DROP MATERIALIZED VIEW "
                                     : "DROP TABLE ";
    return Execute(what + Quote(name));
  }

  Status CreateModel(const std::string& name, const std::string& sql,
                     Materialization materialization) override {
    switch (materialization) {
      case Materialization::kView:
        return Execute("CREATE VIEW " + Quote(name) + " AS " + sql);
      case Materialization::kTable:
        return Execute("CREATE TABLE " + Quote(name) + " AS " + sql);
      case Materialization::kMaterializedView:
        // Created with its rows (WITH DATA): the refresh of a rebuilt model.
        return Execute("CREATE MATERIALIZED VIEW " + Quote(name) + " AS " + sql + " WITH DATA");
    }
    return Status::OK();
  }

  Status Insert(const std::string& table, const columnar::Batch& batch,
                std::vector<RowRefusal>* refused) override {
    const columnar::Schema& schema = *batch.schema();
    std::string copy = "COPY " + Quote(table) + " (";
    for (size_t i = 0; i < schema.num_fields(); ++i) {
      copy += (i ? ", " : "") + Quote(schema.field(i).name);
    }
    copy += ") FROM STDIN";
    // Binary when every target column has exactly the type binary values are for (the tables
    // sluice creates always do); text otherwise.
    SLUICE_ASSIGN_OR_RETURN(std::vector<ColumnInfo> columns, TableColumns(table));
    bool binary = !columns.empty();
    for (size_t i = 0; i < schema.num_fields() && binary; ++i) {
      auto it = std::find_if(columns.begin(), columns.end(),
                             [&](const ColumnInfo& c) { return c.name == schema.field(i).name; });
      binary = it != columns.end() && it->type == BinaryTypeName(schema.field(i).type);
    }
    if (binary) copy += " WITH (FORMAT binary)";
    // Rows streamed to the server as they are made (so that it parses while we encode); rows we
    // refuse ourselves never reach it. A chunk's rows are kept until the chunk's COPY ends, for
    // the row-by-row retry when the server refuses it.
    std::string buffer;
    std::vector<int64_t> rows;  // batch rows in `buffer`
    std::vector<size_t> ends;   // where each row ends in `buffer`
    size_t first = 0;           // where the first row starts (after a binary header)
    size_t sent = 0;            // bytes of `buffer` sent
    bool copying = false;
    constexpr size_t kChunk = 16 << 20;   // bytes per COPY
    constexpr size_t kPiece = 256 << 10;  // bytes per send
    auto finish_chunk = [&]() -> Status {
      if (!copying) return Status::OK();
      copying = false;
      if (binary) AppendBinaryTrailer(&buffer);
      if (sent < buffer.size())
        SLUICE_RETURN_NOT_OK(Send(buffer.data() + sent, buffer.size() - sent));
      std::string error;
      SLUICE_RETURN_NOT_OK(EndCopy(copy, &error));
      Status status = error.empty()
                          ? Execute("RELEASE SAVEPOINT sluice_copy")
                          : RetryRowByRow(copy, binary, buffer, first, rows, ends, refused);
      buffer.clear();
      rows.clear();
      ends.clear();
      sent = 0;
      return status;
    };
    std::string refusal;
    const auto fields = static_cast<uint16_t>(schema.num_fields());
    for (int64_t row = 0; row < batch.num_rows(); ++row) {
      if (!copying) {
        SLUICE_RETURN_NOT_OK(Execute("SAVEPOINT sluice_copy"));
        SLUICE_RETURN_NOT_OK(StartCopy(copy));
        copying = true;
        if (binary) AppendBinaryHeader(&buffer);
        first = buffer.size();
      }
      const size_t start = buffer.size();
      bool ok = true;
      if (binary) {
        PutU16(fields, &buffer);
        for (size_t c = 0; c < schema.num_fields() && ok; ++c) {
          ok = AppendBinaryValue(batch.column(c), row, &buffer, &refusal);
        }
      } else {
        for (size_t c = 0; c < schema.num_fields() && ok; ++c) {
          if (c > 0) buffer += '\t';
          ok = AppendCopyValue(batch.column(c), row, &buffer, &refusal);
        }
        buffer += '\n';
      }
      if (!ok) {
        buffer.resize(start);
        refused->push_back({row, refusal});
        continue;
      }
      rows.push_back(row);
      ends.push_back(buffer.size());
      if (buffer.size() - sent >= kPiece) {
        SLUICE_RETURN_NOT_OK(Send(buffer.data() + sent, buffer.size() - sent));
        sent = buffer.size();
      }
      if (buffer.size() >= kChunk) SLUICE_RETURN_NOT_OK(finish_chunk());
    }
    return finish_chunk();
  }

  std::string TypeFor(const columnar::DataType& type) const override {
    return PostgresTypeName(type);
  }

 private:
  // After a refused COPY (its savepoint still open): the chunk's lines again, one COPY each under a
  // savepoint of its own; the lines the server refuses are reported.
  Status RetryRowByRow(const std::string& copy, bool binary, const std::string& buffer,
                       size_t first, const std::vector<int64_t>& rows,
                       const std::vector<size_t>& ends, std::vector<RowRefusal>* refused) {
    SLUICE_RETURN_NOT_OK(Execute("ROLLBACK TO SAVEPOINT sluice_copy"));
    std::string header;
    std::string trailer;
    if (binary) {
      AppendBinaryHeader(&header);
      AppendBinaryTrailer(&trailer);
    }
    size_t start = first;
    for (size_t i = 0; i < rows.size(); ++i) {
      const size_t end = ends[i];
      SLUICE_RETURN_NOT_OK(Execute("SAVEPOINT sluice_row"));
      std::string row_error;
      SLUICE_RETURN_NOT_OK(StartCopy(copy));
      std::string one = header;
      one.append(buffer, start, end - start);
      one += trailer;
      SLUICE_RETURN_NOT_OK(Send(one.data(), one.size()));
      SLUICE_RETURN_NOT_OK(EndCopy(copy, &row_error));
      start = end;
      if (row_error.empty()) {
        SLUICE_RETURN_NOT_OK(Execute("RELEASE SAVEPOINT sluice_row"));
      } else {
        SLUICE_RETURN_NOT_OK(Execute("ROLLBACK TO SAVEPOINT sluice_row"));
        refused->push_back({rows[i], row_error});
      }
    }
    return Execute("RELEASE SAVEPOINT sluice_copy");
  }

  Status StartCopy(const std::string& copy) {
    PgResult start(PQexec(conn_, copy.c_str()));
    if (PQresultStatus(start.get()) != PGRES_COPY_IN) return Check(start.get(), copy);
    return Status::OK();
  }

  Status Send(const char* data, size_t size) {
    constexpr size_t kMax = 1 << 20;
    for (size_t at = 0; at < size; at += kMax) {
      if (PQputCopyData(conn_, data + at, static_cast<int>(std::min(kMax, size - at))) != 1) {
        return Lost("COPY");
      }
    }
    return Status::OK();
  }

  // Ends a COPY. A refusal by the server (a data error) goes to `error`; a lost connection or any
  // other failure is the returned status.
  Status EndCopy(const std::string& copy, std::string* error) {
    if (PQputCopyEnd(conn_, nullptr) != 1) return Lost("COPY");
    PgResult result(PQgetResult(conn_));
    while (PgResult more{PQgetResult(conn_)}) {
    }
    if (PQresultStatus(result.get()) == PGRES_COMMAND_OK) return Status::OK();
    if (PQstatus(conn_) != CONNECTION_OK) return Lost("COPY");
    const char* state = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE);
    // Class 22 (data exception) and 23 (integrity constraint violation): the data's fault.
    if (state != nullptr &&
        (std::strncmp(state, "22", 2) == 0 || std::strncmp(state, "23", 2) == 0)) {
      const char* primary = PQresultErrorField(result.get(), PG_DIAG_MESSAGE_PRIMARY);
      *error = primary != nullptr ? primary : "refused";
      return Status::OK();
    }
    return Check(result.get(), copy);
  }

  Status Lost(const std::string& what) const {
    return Status::IOError("PostgreSQL " + description_ + ": the connection was lost during " +
                           what + ": " + Trimmed(PQerrorMessage(conn_)));
  }

  static std::string Trimmed(const char* text) {
    std::string out = text != nullptr ? text : "";
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
  }

  Status Check(PGresult* result, const std::string& sql) const {
    const ExecStatusType status = PQresultStatus(result);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Status::OK();
    if (PQstatus(conn_) != CONNECTION_OK) return Lost(sql.substr(0, 60));
    std::string message = Trimmed(PQresultErrorMessage(result));
    if (message.rfind("ERROR:", 0) == 0) message = Trimmed(message.c_str() + 6);
    while (!message.empty() && message.front() == ' ') message.erase(0, 1);
    const std::string shown = sql.size() > 200 ? sql.substr(0, 200) + "..." : sql;
    const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
    // Class 40 (rollback: serialization, deadlock) and 53/57/08 (resources, shutdown,
    // connection) may pass on a retry.
    if (state != nullptr &&
        (std::strncmp(state, "40", 2) == 0 || std::strncmp(state, "53", 2) == 0 ||
         std::strncmp(state, "57", 2) == 0 || std::strncmp(state, "08", 2) == 0)) {
      return Status::IOError("PostgreSQL " + description_ + ": " + message);
    }
    return Status::InvalidArgument("PostgreSQL " + description_ + ": " + message +
                                   " (in: " + shown + ")");
  }

  PGconn* conn_;
  std::string description_;
  std::string schema_;
};

}  // namespace

Result<std::unique_ptr<Connection>> ConnectPostgres(const WarehouseSettings& settings) {
  std::vector<std::pair<std::string, std::string>> params = {
      {"host", settings.host},
      {"port", std::to_string(settings.port)},
      {"dbname", settings.database},
      {"application_name", "sluice"},
      {"connect_timeout", std::to_string(std::max<int64_t>(1, settings.connect_timeout_ms / 1000))},
      {"sslmode", settings.sslmode.empty() ? "prefer" : settings.sslmode}};
  if (!settings.user.empty()) params.emplace_back("user", settings.user);
  if (!settings.password.empty()) {
    Redactor::Global().Register(settings.password);
    params.emplace_back("password", settings.password);
  }
  if (!settings.sslrootcert.empty()) params.emplace_back("sslrootcert", settings.sslrootcert);
  std::vector<const char*> keys;
  std::vector<const char*> values;
  for (const auto& [key, value] : params) {
    keys.push_back(key.c_str());
    values.push_back(value.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* conn = PQconnectdbParams(keys.data(), values.data(), 0);
  const std::string where = (settings.user.empty() ? std::string() : settings.user + "@") +
                            settings.host + ":" + std::to_string(settings.port) + "/" +
                            settings.database;
  if (conn == nullptr) return Status::IOError("PostgreSQL " + where + ": out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string message = PQerrorMessage(conn);
    PQfinish(conn);
    while (!message.empty() && (message.back() == '\n' || message.back() == ' '))
      message.pop_back();
    message = Redactor::Global().Redact(message);
    // A refused password or an unknown database will not pass by retrying; a server that is
    // down or unreachable may.
    if (message.find("password authentication failed") != std::string::npos ||
        message.find("does not exist") != std::string::npos ||
        message.find("no password supplied") != std::string::npos) {
      return Status::InvalidArgument("PostgreSQL " + where + ": " + message);
    }
    return Status::IOError("PostgreSQL " + where + ": cannot connect: " + message);
  }
  auto connection = std::make_unique<PostgresConnection>(conn, where, settings.schema);
  SLUICE_RETURN_NOT_OK(connection->Execute(
      "SET client_min_messages = warning; SET TIME ZONE 'UTC'; SET search_path = " +
      Connection::Quote(settings.schema.empty() ? "public" : settings.schema)));
  return std::unique_ptr<Connection>(std::move(connection));
}

}  // namespace sluice::warehouse

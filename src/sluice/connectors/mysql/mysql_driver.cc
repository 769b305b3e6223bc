#include "sluice/connectors/mysql/mysql_driver.h"

#include <mysql.h>

#include <charconv>
#include <cstdio>
#include <cstring>

#include "sluice/columnar/decimal.h"
#include "sluice/columnar/temporal.h"
#include "sluice/columnar/value_formatter.h"
#include "sluice/common/redactor.h"

namespace sluice::connectors {

namespace {

using columnar::DataType;

constexpr unsigned kBinaryCharset = 63;

enum class Decode {
  kBool,
  kInt32,
  kInt64,
  kUnsigned64,
  kDecimal,
  kFloat,
  kText,
  kDate,
  kTime,
  kTimestamp,
  kBit
};

struct Plan {
  Decode decode = Decode::kText;
  DataType type = DataType::String();
};

bool IsLocalHost(const std::string& host) {
  return host.empty() || host == "localhost" || host == "127.0.0.1" || host == "::1";
}

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "`";
  for (char c : name) {
    out += c;
    if (c == '`') out += '`';
  }
  return out + "`";
}

// The server's name for a field's type, for messages ("decimal(12,2)", "int unsigned").
std::string TypeName(const MYSQL_FIELD& field) {
  std::string name;
  switch (field.type) {
    case MYSQL_TYPE_TINY:
      name = "tinyint";
      break;
    case MYSQL_TYPE_SHORT:
      name = "smallint";
      break;
    case MYSQL_TYPE_INT24:
      name = "mediumint";
      break;
    case MYSQL_TYPE_LONG:
      name = "int";
      break;
    case MYSQL_TYPE_LONGLONG:
      name = "bigint";
      break;
    case MYSQL_TYPE_YEAR:
      name = "year";
      break;
    case MYSQL_TYPE_FLOAT:
      name = "float";
      break;
    case MYSQL_TYPE_DOUBLE:
      name = "double";
      break;
    case MYSQL_TYPE_DECIMAL:
    case MYSQL_TYPE_NEWDECIMAL:
      name = "decimal";
      break;
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_NEWDATE:
      name = "date";
      break;
    case MYSQL_TYPE_TIME:
      name = "time";
      break;
    case MYSQL_TYPE_DATETIME:
      name = "datetime";
      break;
    case MYSQL_TYPE_TIMESTAMP:
      name = "timestamp";
      break;
    case MYSQL_TYPE_BIT:
      name = "bit";
      break;
    case MYSQL_TYPE_JSON:
      name = "json";
      break;
    default:
      name = field.charsetnr == kBinaryCharset ? "binary" : "text";
      break;
  }
  if ((field.flags & UNSIGNED_FLAG) != 0) name += " unsigned";
  return name;
}

Plan PlanField(const MYSQL_FIELD& field) {
  const bool is_unsigned = (field.flags & UNSIGNED_FLAG) != 0;
  switch (field.type) {
    case MYSQL_TYPE_TINY:
      if (field.length == 1) return {Decode::kBool, DataType::Bool()};
      return {Decode::kInt32, DataType::Int32()};
    case MYSQL_TYPE_SHORT:
    case MYSQL_TYPE_INT24:
    case MYSQL_TYPE_YEAR:
      return {Decode::kInt32, DataType::Int32()};
    case MYSQL_TYPE_LONG:
      if (is_unsigned) return {Decode::kInt64, DataType::Int64()};
      return {Decode::kInt32, DataType::Int32()};
    case MYSQL_TYPE_LONGLONG:
      if (is_unsigned) return {Decode::kUnsigned64, DataType::Decimal(20, 0)};
      return {Decode::kInt64, DataType::Int64()};
    case MYSQL_TYPE_FLOAT:
    case MYSQL_TYPE_DOUBLE:
      return {Decode::kFloat, DataType::Float64()};
    case MYSQL_TYPE_DECIMAL:
    case MYSQL_TYPE_NEWDECIMAL: {
      const int scale = static_cast<int>(field.decimals);
      const int precision =
          static_cast<int>(field.length) - (scale > 0 ? 1 : 0) - (is_unsigned ? 0 : 1);
      if (precision >= 1 && precision <= columnar::kMaxDecimalPrecision && scale <= precision) {
        return {Decode::kDecimal, DataType::Decimal(precision, scale)};
      }
      return {Decode::kText, DataType::String()};
    }
    case MYSQL_TYPE_DATE:
    case MYSQL_TYPE_NEWDATE:
      return {Decode::kDate, DataType::Date()};
    case MYSQL_TYPE_TIME:
      return {Decode::kTime, DataType::Time()};
    case MYSQL_TYPE_DATETIME:
    case MYSQL_TYPE_TIMESTAMP:
      return {Decode::kTimestamp, DataType::Timestamp()};
    case MYSQL_TYPE_BIT:
      return {Decode::kBit, DataType::Int64()};
    case MYSQL_TYPE_JSON:
      return {Decode::kText, DataType::Json()};
    case MYSQL_TYPE_GEOMETRY:
      return {Decode::kText, DataType::Binary()};
    default:
      break;
  }
  if ((field.flags & (ENUM_FLAG | SET_FLAG)) != 0) return {Decode::kText, DataType::String()};
  MARIADB_CONST_STRING format{nullptr, 0};
  if (mariadb_field_attr(&format, &field, MARIADB_FIELD_ATTR_FORMAT_NAME) == 0 &&
      format.str != nullptr && std::string_view(format.str, format.length) == "json") {
    return {Decode::kText, DataType::Json()};
  }
  if (field.charsetnr == kBinaryCharset) return {Decode::kText, DataType::Binary()};
  return {Decode::kText, DataType::String()};
}

bool IsZeroDate(std::string_view text) {
  // "0000-00-00", or a zero month or day ("2024-00-10").
  return text.size() >= 10 &&
         (text.substr(0, 4) == "0000" || text.substr(5, 2) == "00" || text.substr(8, 2) == "00");
}

// Fast paths for the fixed layouts the server writes; anything else takes the general parsers.

// `count` digits at `at` as a number; false when one is not a digit.
bool Digits(std::string_view text, size_t at, size_t count, int64_t* value) {
  int64_t out = 0;
  for (size_t i = at; i < at + count; ++i) {
    const unsigned digit = static_cast<unsigned>(text[i] - '0');
    if (digit > 9) return false;
    out = out * 10 + digit;
  }
  *value = out;
  return true;
}

// "2026-01-01 00:00:00[.ffffff]" (or only the date, for a date) in µs since 1970 (or days).
bool FastDateTime(std::string_view text, bool with_time, int64_t* out) {
  int64_t year, month, day, hour = 0, minute = 0, second = 0, fraction = 0;
  if (text.size() < 10 || text[4] != '-' || text[7] != '-' || !Digits(text, 0, 4, &year) ||
      !Digits(text, 5, 2, &month) || !Digits(text, 8, 2, &day) ||
      !columnar::IsValidDate(static_cast<int>(year), static_cast<unsigned>(month),
                             static_cast<unsigned>(day))) {
    return false;
  }
  const int64_t days = columnar::DaysFromCivil(static_cast<int>(year), static_cast<unsigned>(month),
                                               static_cast<unsigned>(day));
  if (!with_time) {
    *out = days;
    return text.size() == 10;
  }
  if (text.size() < 19 || text[10] != ' ' || text[13] != ':' || text[16] != ':' ||
      !Digits(text, 11, 2, &hour) || !Digits(text, 14, 2, &minute) ||
      !Digits(text, 17, 2, &second) || hour > 23 || minute > 59 || second > 59) {
    return false;
  }
  if (text.size() > 19) {
    const size_t digits = text.size() - 20;
    if (text[19] != '.' || digits < 1 || digits > 6 || !Digits(text, 20, digits, &fraction)) {
      return false;
    }
    for (size_t i = digits; i < 6; ++i) fraction *= 10;
  }
  *out =
      days * columnar::kMicrosPerDay + ((hour * 60 + minute) * 60 + second) * 1'000'000 + fraction;
  return true;
}

// "-1234.56" with exactly `scale` fraction digits and at most `precision` ≤ 18 digits.
bool FastDecimal(std::string_view text, int precision, int scale, int64_t* out) {
  if (precision > 18 || text.empty()) return false;
  const bool negative = text[0] == '-';
  const size_t start = negative ? 1 : 0;
  const size_t point = scale > 0 ? text.size() - static_cast<size_t>(scale) - 1 : text.size();
  if (point <= start || point > text.size() || (scale > 0 && text[point] != '.') ||
      static_cast<int>(point - start) + scale > precision) {
    return false;
  }
  int64_t whole = 0, fraction = 0;
  if (!Digits(text, start, point - start, &whole) ||
      (scale > 0 && !Digits(text, point + 1, static_cast<size_t>(scale), &fraction))) {
    return false;
  }
  int64_t value = whole;
  for (int i = 0; i < scale; ++i) value *= 10;
  value += fraction;
  *out = negative ? -value : value;
  return true;
}

template <typename T>
bool ParseInteger(std::string_view text, T* value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *value);
  return error == std::errc() && end == text.data() + text.size();
}

// Appends one text value; false with `error` when it does not fit.
bool AppendText(const Plan& plan, std::string_view text, columnar::ColumnBuilder* builder,
                std::string* error) {
  switch (plan.decode) {
    case Decode::kBool: {
      if (text != "0" && text != "1") {
        *error = "'" + std::string(text) + "' is not 0 or 1 (TINYINT(1) is read as a bool)";
        return false;
      }
      static_cast<columnar::BooleanBuilder*>(builder)->Append(text == "1");
      return true;
    }
    case Decode::kInt32: {
      int32_t value = 0;
      if (!ParseInteger(text, &value)) break;
      static_cast<columnar::Int32Builder*>(builder)->Append(value);
      return true;
    }
    case Decode::kInt64: {
      int64_t value = 0;
      if (!ParseInteger(text, &value)) break;
      static_cast<columnar::Int64Builder*>(builder)->Append(value);
      return true;
    }
    case Decode::kUnsigned64: {
      uint64_t value = 0;
      if (!ParseInteger(text, &value)) break;
      static_cast<columnar::DecimalBuilder*>(builder)->Append(static_cast<columnar::Int128>(value));
      return true;
    }
    case Decode::kDecimal: {
      int64_t small = 0;
      if (FastDecimal(text, plan.type.precision(), plan.type.scale(), &small)) {
        static_cast<columnar::DecimalBuilder*>(builder)->Append(small);
        return true;
      }
      columnar::Int128 value = 0;
      if (columnar::ParseDecimal(text, plan.type.precision(), plan.type.scale(), &value) !=
          columnar::DecimalParseError::kOk) {
        break;
      }
      static_cast<columnar::DecimalBuilder*>(builder)->Append(value);
      return true;
    }
    case Decode::kFloat: {
      double value = 0;
      if (!ParseInteger(text, &value)) break;
      static_cast<columnar::Float64Builder*>(builder)->Append(value);
      return true;
    }
    case Decode::kText:
      static_cast<columnar::StringBuilder*>(builder)->Append(text);
      return true;
    case Decode::kDate: {
      int32_t days = 0;
      if (IsZeroDate(text)) {
        *error = "zero date '" + std::string(text) + "' is not a date";
        return false;
      }
      int64_t fast = 0;
      if (FastDateTime(text, /*with_time=*/false, &fast)) {
        days = static_cast<int32_t>(fast);
      } else if (!columnar::ParseDate(text, columnar::DateOrder::kYMD, &days)) {
        break;
      }
      static_cast<columnar::Int32Builder*>(builder)->Append(days);
      return true;
    }
    case Decode::kTimestamp: {
      int64_t micros = 0;
      if (IsZeroDate(text)) {
        *error = "zero date '" + std::string(text) + "' is not a timestamp";
        return false;
      }
      if (!FastDateTime(text, /*with_time=*/true, &micros) &&
          !columnar::ParseTimestamp(text, columnar::DateOrder::kYMD, &micros)) {
        break;
      }
      static_cast<columnar::Int64Builder*>(builder)->Append(micros);
      return true;
    }
    case Decode::kTime: {
      int64_t micros = 0;
      if (text.starts_with("-") || !columnar::ParseTime(text, &micros) || micros < 0 ||
          micros >= int64_t{86'400'000'000}) {
        *error = "'" + std::string(text) + "' is not a time of day (00:00:00 to 23:59:59.999999)";
        return false;
      }
      static_cast<columnar::Int64Builder*>(builder)->Append(micros);
      return true;
    }
    case Decode::kBit: {
      if (text.size() > 8) break;
      uint64_t value = 0;
      for (char c : text) value = (value << 8) | static_cast<uint8_t>(c);
      static_cast<columnar::Int64Builder*>(builder)->Append(static_cast<int64_t>(value));
      return true;
    }
  }
  *error = "'" + std::string(text.substr(0, 64)) + "' does not fit " + plan.type.ToString();
  return false;
}

class MysqlDriver final : public DbDriver {
 public:
  explicit MysqlDriver(MysqlConnectOptions options) : options_(std::move(options)) {
    where_ = (options_.user.empty() ? "" : options_.user + "@") +
             (options_.socket.empty() ? options_.host + ":" + std::to_string(options_.port)
                                      : options_.socket) +
             "/" + options_.database;
  }
  ~MysqlDriver() override { Close(); }

  std::string where() const override { return where_; }

  Status Open() override {
    mysql_ = mysql_init(nullptr);
    if (mysql_ == nullptr) return Status::IOError("MySQL " + where_ + ": out of memory");
    const unsigned timeout =
        static_cast<unsigned>(std::max<int64_t>(1, options_.connect_timeout_ms / 1000));
    mysql_optionsv(mysql_, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_optionsv(mysql_, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    // Bigger network reads: fewer system calls while a large result streams in.
    const unsigned long net_buffer = 1 << 20;
    mysql_optionsv(mysql_, MYSQL_OPT_NET_BUFFER_LENGTH, &net_buffer);
    std::string sslmode = options_.sslmode;
    if (sslmode.empty()) sslmode = IsLocalHost(options_.host) ? "prefer" : "require";
    if (sslmode != "disable" && sslmode != "prefer") {
      const my_bool on = 1;
      mysql_optionsv(mysql_, MYSQL_OPT_SSL_ENFORCE, &on);
      if (sslmode == "verify-ca" || sslmode == "verify-full") {
        mysql_optionsv(mysql_, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
      }
    }
    if (!options_.sslrootcert.empty()) {
      mysql_optionsv(mysql_, MYSQL_OPT_SSL_CA, options_.sslrootcert.c_str());
    }
    if (!options_.password.empty()) Redactor::Global().Register(options_.password);
    if (mysql_real_connect(
            mysql_, options_.socket.empty() ? options_.host.c_str() : nullptr,
            options_.user.c_str(), options_.password.empty() ? nullptr : options_.password.c_str(),
            options_.database.c_str(), static_cast<unsigned>(options_.port),
            options_.socket.empty() ? nullptr : options_.socket.c_str(), 0) == nullptr) {
      const unsigned code = mysql_errno(mysql_);
      const std::string message = Redactor::Global().Redact(mysql_error(mysql_));
      // Access denied (1045) and an unknown database (1049) will not pass by retrying.
      if (code == 1045 || code == 1049 || code == 1044) {
        return Status::InvalidArgument("MySQL " + where_ + ": " + message);
      }
      return Status::IOError("MySQL " + where_ + ": cannot connect: " + message);
    }
    return Execute(
        "SET time_zone = '+00:00'; SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ; "
        "START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY");
  }

  Result<std::string> ResolveTable(const std::string& table) override {
    const size_t dot = table.find('.');
    const std::string schema = dot == std::string::npos ? "" : table.substr(0, dot);
    const std::string name = dot == std::string::npos ? table : table.substr(dot + 1);
    SLUICE_ASSIGN_OR_RETURN(
        Rows found, Query("SELECT table_schema, table_name FROM information_schema.tables WHERE "
                          "table_schema = " +
                          (schema.empty() ? std::string("DATABASE()") : Literal(schema)) +
                          " AND table_name = " + Literal(name)));
    if (found.empty()) {
      return Status::InvalidArgument("MySQL " + where_ + ": table " + table + " does not exist");
    }
    table_schema_ = found[0][0];
    table_name_ = found[0][1];
    return QuoteIdentifier(table_schema_) + "." + QuoteIdentifier(table_name_);
  }

  Result<std::vector<DbColumn>> Columns(const std::string& from) override {
    const std::string sql = "SELECT * FROM " + from + " LIMIT 0";
    if (mysql_real_query(mysql_, sql.c_str(), sql.size()) != 0) return Error(sql);
    MYSQL_RES* result = mysql_store_result(mysql_);
    if (result == nullptr) return Error(sql);
    std::vector<DbColumn> columns;
    const unsigned count = mysql_num_fields(result);
    MYSQL_FIELD* fields = mysql_fetch_fields(result);
    for (unsigned c = 0; c < count; ++c) {
      const Plan plan = PlanField(fields[c]);
      plans_.push_back(plan);
      const std::string name(fields[c].name, fields[c].name_length);
      names_.push_back(name);
      decimals_.push_back(fields[c].decimals);
      columns.push_back(DbColumn{name, QuoteIdentifier(name), plan.type, TypeName(fields[c])});
    }
    mysql_free_result(result);
    return columns;
  }

  Result<std::vector<std::string>> PrimaryKey(const std::string& table) override {
    (void)table;
    std::vector<std::string> key;
    if (table_name_.empty()) return key;
    SLUICE_ASSIGN_OR_RETURN(
        Rows rows, Query("SELECT column_name FROM information_schema.key_column_usage WHERE "
                         "constraint_name = 'PRIMARY' AND table_schema = " +
                         Literal(table_schema_) + " AND table_name = " + Literal(table_name_) +
                         " ORDER BY ordinal_position"));
    for (const auto& row : rows) key.push_back(row[0]);
    return key;
  }

  std::string CursorLiteral(const DbColumn& column, int64_t value) const override {
    std::string text;
    if (column.type.id() == columnar::TypeId::kDate) {
      columnar::AppendDate(static_cast<int32_t>(value), &text);
      return "'" + text + "'";
    }
    if (column.type.id() == columnar::TypeId::kTimestamp) {
      columnar::AppendTimestamp(value, /*iso=*/false, &text);
      return "'" + text + "'";
    }
    return std::to_string(value);
  }

  // The rows come with the binary protocol (a prepared statement, streamed): the server sends
  // numbers and times as they are stored instead of formatting them as text, which on a busy
  // server is a sixth of its work, and sluice has no text to parse.
  Status StartRead(const std::vector<DbColumn>& columns, const std::string& from,
                   const std::string& where) override {
    std::string sql = "SELECT ";
    for (size_t c = 0; c < columns.size(); ++c) {
      if (c > 0) sql += ", ";
      sql += columns[c].select;
    }
    sql += " FROM " + from;
    if (!where.empty()) sql += " WHERE " + where;
    stmt_ = mysql_stmt_init(mysql_);
    if (stmt_ == nullptr) return Error(sql);
    if (mysql_stmt_prepare(stmt_, sql.c_str(), sql.size()) != 0 || mysql_stmt_execute(stmt_) != 0) {
      return StatementError(sql);
    }
    if (mysql_stmt_field_count(stmt_) != plans_.size()) {
      return Status::DataError("MySQL " + where_ + ": the table's columns changed during the read");
    }
    const size_t n = plans_.size();
    binds_.assign(n, MYSQL_BIND{});
    integers_.assign(n, 0);
    doubles_.assign(n, 0);
    times_.assign(n, MYSQL_TIME{});
    strings_.assign(n, std::string());
    lengths_.assign(n, 0);
    nulls_.assign(n, 0);
    errors_.assign(n, 0);
    for (size_t c = 0; c < n; ++c) {
      MYSQL_BIND& bind = binds_[c];
      bind.is_null = &nulls_[c];
      bind.length = &lengths_[c];
      bind.error = &errors_[c];
      switch (plans_[c].decode) {
        case Decode::kBool:
        case Decode::kInt32:
        case Decode::kInt64:
        case Decode::kUnsigned64:
          bind.buffer_type = MYSQL_TYPE_LONGLONG;
          bind.buffer = &integers_[c];
          bind.is_unsigned = plans_[c].decode == Decode::kUnsigned64;
          break;
        case Decode::kFloat:
          bind.buffer_type = MYSQL_TYPE_DOUBLE;
          bind.buffer = &doubles_[c];
          break;
        case Decode::kDate:
        case Decode::kTimestamp:
        case Decode::kTime:
          bind.buffer_type = plans_[c].decode == Decode::kDate        ? MYSQL_TYPE_DATE
                             : plans_[c].decode == Decode::kTimestamp ? MYSQL_TYPE_DATETIME
                                                                      : MYSQL_TYPE_TIME;
          bind.buffer = &times_[c];
          break;
        default:
          strings_[c].resize(256);
          bind.buffer_type = MYSQL_TYPE_STRING;
          bind.buffer = strings_[c].data();
          bind.buffer_length = strings_[c].size();
          break;
      }
    }
    if (mysql_stmt_bind_result(stmt_, binds_.data()) != 0) return StatementError("binding");
    return Status::OK();
  }

  Result<DbRow> NextRow(std::vector<std::unique_ptr<columnar::ColumnBuilder>>* builders,
                        DbReject* reject) override {
    const int fetched = mysql_stmt_fetch(stmt_);
    if (fetched == MYSQL_NO_DATA) return DbRow::kEnd;
    if (fetched == 1) return StatementError("reading rows");
    if (fetched == MYSQL_DATA_TRUNCATED) SLUICE_RETURN_NOT_OK(FetchLongValues());
    const int64_t row_start = (*builders)[0]->length();
    for (size_t c = 0; c < plans_.size(); ++c) {
      if (nulls_[c]) {
        (*builders)[c]->AppendNull();
        continue;
      }
      if (AppendBound(c, (*builders)[c].get(), &reject->message)) continue;
      for (size_t undo = 0; undo < c; ++undo) (*builders)[undo]->Truncate(row_start);
      reject->column = c;
      // The row as the server would show it: every value's text.
      reject->raw = "{";
      for (size_t r = 0; r < plans_.size(); ++r) {
        if (r > 0) reject->raw += ",";
        columnar::AppendJsonString(names_[r], &reject->raw);
        reject->raw += ":";
        if (nulls_[r]) {
          reject->raw += "null";
        } else {
          columnar::AppendJsonString(BoundText(r), &reject->raw);
        }
      }
      reject->raw += "}";
      return DbRow::kRejected;
    }
    return DbRow::kRow;
  }

  Status Finish() override {
    if (stmt_ != nullptr) {
      mysql_stmt_close(stmt_);
      stmt_ = nullptr;
    }
    return Execute("COMMIT");
  }

  void Close() override {
    if (stmt_ != nullptr) {
      mysql_stmt_close(stmt_);
      stmt_ = nullptr;
    }
    if (mysql_ != nullptr) {
      mysql_close(mysql_);
      mysql_ = nullptr;
    }
  }

  int64_t bytes_read() const override { return bytes_read_; }

 private:
  using Rows = std::vector<std::vector<std::string>>;

  Status Error(const std::string& what) const {
    return ServerError(mysql_errno(mysql_), mysql_error(mysql_), what);
  }
  Status StatementError(const std::string& what) const {
    return ServerError(mysql_stmt_errno(stmt_), mysql_stmt_error(stmt_), what);
  }
  // The server's error `code` and `message` during `what` (a statement, shown cut to 200 bytes).
  Status ServerError(unsigned code, const std::string& message, const std::string& what) const {
    const std::string shown = what.size() > 200 ? what.substr(0, 200) + "..." : what;
    // Connection lost (2006, 2013), lock wait timeout (1205), deadlock (1213): may pass.
    if (code == 2006 || code == 2013 || code == 1205 || code == 1213) {
      return Status::IOError("MySQL " + where_ + ": " + message);
    }
    return Status::InvalidArgument("MySQL " + where_ + ": " + message + " (in: " + shown + ")");
  }

  // Values longer than their buffers: fetched again whole, the buffers grown for the next rows.
  Status FetchLongValues() {
    bool grown = false;
    for (size_t c = 0; c < binds_.size(); ++c) {
      if (!errors_[c] || binds_[c].buffer_type != MYSQL_TYPE_STRING) continue;
      strings_[c].resize(std::max<size_t>(lengths_[c], strings_[c].size() * 2));
      binds_[c].buffer = strings_[c].data();
      binds_[c].buffer_length = strings_[c].size();
      if (mysql_stmt_fetch_column(stmt_, &binds_[c], static_cast<unsigned>(c), 0) != 0) {
        return StatementError("reading a long value");
      }
      grown = true;
    }
    if (grown && mysql_stmt_bind_result(stmt_, binds_.data()) != 0) {
      return StatementError("binding");
    }
    return Status::OK();
  }

  // Appends column `c` of the fetched row; false with `error` when it does not fit.
  bool AppendBound(size_t c, columnar::ColumnBuilder* builder, std::string* error) {
    const Plan& plan = plans_[c];
    const MYSQL_TIME& time = times_[c];
    switch (plan.decode) {
      case Decode::kBool:
        if (integers_[c] != 0 && integers_[c] != 1) {
          *error =
              "'" + std::to_string(integers_[c]) + "' is not 0 or 1 (TINYINT(1) is read as a bool)";
          return false;
        }
        static_cast<columnar::BooleanBuilder*>(builder)->Append(integers_[c] == 1);
        bytes_read_ += 1;
        return true;
      case Decode::kInt32:
        static_cast<columnar::Int32Builder*>(builder)->Append(static_cast<int32_t>(integers_[c]));
        bytes_read_ += 4;
        return true;
      case Decode::kInt64:
        static_cast<columnar::Int64Builder*>(builder)->Append(integers_[c]);
        bytes_read_ += 8;
        return true;
      case Decode::kUnsigned64:
        static_cast<columnar::DecimalBuilder*>(builder)->Append(
            static_cast<columnar::Int128>(static_cast<uint64_t>(integers_[c])));
        bytes_read_ += 8;
        return true;
      case Decode::kFloat:
        static_cast<columnar::Float64Builder*>(builder)->Append(doubles_[c]);
        bytes_read_ += 8;
        return true;
      case Decode::kDate:
      case Decode::kTimestamp: {
        bytes_read_ += 8;
        if (time.year == 0 || time.month == 0 || time.day == 0) {
          *error = "zero date '" + BoundText(c) + "' is not a " +
                   (plan.decode == Decode::kDate ? "date" : "timestamp");
          return false;
        }
        const int64_t days =
            columnar::DaysFromCivil(static_cast<int>(time.year), time.month, time.day);
        if (plan.decode == Decode::kDate) {
          static_cast<columnar::Int32Builder*>(builder)->Append(static_cast<int32_t>(days));
        } else {
          static_cast<columnar::Int64Builder*>(builder)->Append(
              days * columnar::kMicrosPerDay +
              ((int64_t{time.hour} * 60 + time.minute) * 60 + time.second) * 1'000'000 +
              static_cast<int64_t>(time.second_part));
        }
        return true;
      }
      case Decode::kTime:
        bytes_read_ += 8;
        if (time.neg || time.day != 0 || time.hour > 23) {
          *error = "'" + BoundText(c) + "' is not a time of day (00:00:00 to 23:59:59.999999)";
          return false;
        }
        static_cast<columnar::Int64Builder*>(builder)->Append(
            ((int64_t{time.hour} * 60 + time.minute) * 60 + time.second) * 1'000'000 +
            static_cast<int64_t>(time.second_part));
        return true;
      default: {
        const std::string_view text(strings_[c].data(),
                                    std::min<size_t>(lengths_[c], strings_[c].size()));
        bytes_read_ += static_cast<int64_t>(text.size());
        return AppendText(plan, text, builder, error);
      }
    }
  }

  // Column `c` of the fetched row as the server's text shows it (for quarantined rows).
  std::string BoundText(size_t c) const {
    const MYSQL_TIME& time = times_[c];
    char text[64];
    switch (plans_[c].decode) {
      case Decode::kBool:
      case Decode::kInt32:
      case Decode::kInt64:
        return std::to_string(integers_[c]);
      case Decode::kUnsigned64:
        return std::to_string(static_cast<uint64_t>(integers_[c]));
      case Decode::kFloat: {
        const auto [end, ignored] = std::to_chars(text, text + sizeof text, doubles_[c]);
        return std::string(text, end);
      }
      case Decode::kDate:
        std::snprintf(text, sizeof text, "%04u-%02u-%02u", time.year, time.month, time.day);
        return text;
      case Decode::kTimestamp:
        std::snprintf(text, sizeof text, "%04u-%02u-%02u %02u:%02u:%02u", time.year, time.month,
                      time.day, time.hour, time.minute, time.second);
        return text + Fraction(c);
      case Decode::kTime:
        std::snprintf(text, sizeof text, "%s%02u:%02u:%02u", time.neg ? "-" : "",
                      time.day * 24 + time.hour, time.minute, time.second);
        return text + Fraction(c);
      default:
        return std::string(strings_[c].data(), std::min<size_t>(lengths_[c], strings_[c].size()));
    }
  }

  // ".123456" cut to the column's fractional digits (none for datetime(0)).
  std::string Fraction(size_t c) const {
    if (decimals_[c] == 0) return "";
    char digits[16];
    std::snprintf(digits, sizeof digits, ".%06lu", times_[c].second_part);
    return std::string(digits, 1 + std::min<unsigned>(decimals_[c], 6));
  }

  Status Execute(const std::string& statements) {
    size_t start = 0;
    while (start < statements.size()) {
      size_t end = statements.find("; ", start);
      if (end == std::string::npos) end = statements.size();
      const std::string sql = statements.substr(start, end - start);
      if (mysql_real_query(mysql_, sql.c_str(), sql.size()) != 0) return Error(sql);
      start = end + 2;
    }
    return Status::OK();
  }

  Result<Rows> Query(const std::string& sql) {
    if (mysql_real_query(mysql_, sql.c_str(), sql.size()) != 0) return Error(sql);
    MYSQL_RES* result = mysql_store_result(mysql_);
    if (result == nullptr) return Error(sql);
    Rows rows;
    const unsigned count = mysql_num_fields(result);
    while (MYSQL_ROW row = mysql_fetch_row(result)) {
      const unsigned long* lengths = mysql_fetch_lengths(result);
      std::vector<std::string> values;
      for (unsigned c = 0; c < count; ++c) {
        values.emplace_back(row[c] != nullptr ? std::string(row[c], lengths[c]) : "");
      }
      rows.push_back(std::move(values));
    }
    mysql_free_result(result);
    return rows;
  }

  std::string Literal(const std::string& text) const {
    std::string escaped(text.size() * 2 + 1, '\0');
    const unsigned long length =
        mysql_real_escape_string(mysql_, escaped.data(), text.c_str(), text.size());
    escaped.resize(length);
    return "'" + escaped + "'";
  }

  MysqlConnectOptions options_;
  std::string where_;
  MYSQL* mysql_ = nullptr;
  MYSQL_STMT* stmt_ = nullptr;
  std::vector<Plan> plans_;
  std::vector<std::string> names_;
  std::vector<unsigned> decimals_;  // fractional digits of time columns
  // The bound row: one slot per column, by its decoding.
  std::vector<MYSQL_BIND> binds_;
  std::vector<int64_t> integers_;
  std::vector<double> doubles_;
  std::vector<MYSQL_TIME> times_;
  std::vector<std::string> strings_;
  std::vector<unsigned long> lengths_;
  std::vector<my_bool> nulls_, errors_;
  std::string table_schema_, table_name_;
  int64_t bytes_read_ = 0;
};

}  // namespace

Result<MysqlConnectOptions> ParseMysqlUri(const std::string& uri) {
  MysqlConnectOptions options;
  std::string rest;
  if (uri.starts_with("mysql://")) {
    rest = uri.substr(8);
  } else if (uri.starts_with("mariadb://")) {
    rest = uri.substr(10);
  } else {
    return Status::InvalidArgument("expected mysql://user@host:port/database (or mariadb://)");
  }
  std::string query;
  if (const size_t mark = rest.find('?'); mark != std::string::npos) {
    query = rest.substr(mark + 1);
    rest.resize(mark);
  }
  if (const size_t at = rest.rfind('@'); at != std::string::npos) {
    const std::string user_info = rest.substr(0, at);
    if (user_info.find(':') != std::string::npos) {
      return Status::InvalidArgument(
          "the connection holds a password; keep secrets out of the project file (set "
          "password_env, or MYSQL_PWD)");
    }
    options.user = user_info;
    rest = rest.substr(at + 1);
  }
  const size_t slash = rest.find('/');
  if (slash == std::string::npos || slash + 1 >= rest.size()) {
    return Status::InvalidArgument("the connection names no database (mysql://user@host/db)");
  }
  options.database = rest.substr(slash + 1);
  std::string host_port = rest.substr(0, slash);
  if (const size_t colon = host_port.rfind(':'); colon != std::string::npos) {
    int port = 0;
    if (!ParseInteger(std::string_view(host_port).substr(colon + 1), &port) || port <= 0 ||
        port > 65535) {
      return Status::InvalidArgument("the port in the connection is not a number from 1 to 65535");
    }
    options.port = port;
    host_port.resize(colon);
  }
  if (!host_port.empty()) options.host = host_port;
  size_t start = 0;
  while (start < query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string::npos) end = query.size();
    const std::string pair = query.substr(start, end - start);
    const size_t equals = pair.find('=');
    const std::string key = pair.substr(0, equals);
    const std::string value = equals == std::string::npos ? "" : pair.substr(equals + 1);
    if (key == "sslmode") {
      options.sslmode = value;
    } else if (key == "socket") {
      options.socket = value;
    } else if (key == "password") {
      return Status::InvalidArgument(
          "the connection holds a password; keep secrets out of the project file (set "
          "password_env, or MYSQL_PWD)");
    } else {
      return Status::InvalidArgument("unknown connection option '" + key +
                                     "' (known: sslmode, socket)");
    }
    start = end + 1;
  }
  return options;
}

std::unique_ptr<DbDriver> MakeMysqlDriver(MysqlConnectOptions options) {
  return std::make_unique<MysqlDriver>(std::move(options));
}

}  // namespace sluice::connectors

#include "sluice/connectors/postgres/pg_session.h"

#include <libpq-fe.h>

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "sluice/common/redactor.h"

namespace sluice::connectors {

namespace {

std::string Trimmed(const char* text) {
  std::string out = text != nullptr ? text : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  if (out.rfind("ERROR:", 0) == 0) out.erase(0, 6);
  while (!out.empty() && out.front() == ' ') out.erase(0, 1);
  return out;
}

struct ResultDeleter {
  void operator()(PGresult* result) const { PQclear(result); }
};
using PgResult = std::unique_ptr<PGresult, ResultDeleter>;

bool IsLocalHost(const std::string& host) {
  return host.empty() || host == "localhost" || host == "127.0.0.1" || host == "::1" ||
         host.front() == '/';
}

}  // namespace

Result<PgConninfoParts> ParsePgConninfo(const std::string& conninfo) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options == nullptr) {
    std::string message = error != nullptr ? Trimmed(error) : "cannot parse the connection";
    PQfreemem(error);
    return Status::InvalidArgument(message);
  }
  PgConninfoParts parts;
  for (PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
    if (option->val == nullptr) continue;
    const std::string key = option->keyword;
    const std::string value = option->val;
    if (key == "host" || key == "hostaddr") {
      if (parts.host.empty()) parts.host = value;
    } else if (key == "port") {
      parts.port = value;
    } else if (key == "dbname") {
      parts.database = value;
    } else if (key == "user") {
      parts.user = value;
    } else if (key == "sslmode") {
      parts.sslmode = value;
    } else if (key == "password") {
      parts.has_password = !value.empty();
    }
  }
  PQconninfoFree(options);
  return parts;
}

Result<std::unique_ptr<PgSession>> PgSession::Connect(const PgConnectOptions& options) {
  SLUICE_ASSIGN_OR_RETURN(PgConninfoParts parts, ParsePgConninfo(options.conninfo));
  const char* env_user = std::getenv("PGUSER");
  const char* env_host = std::getenv("PGHOST");
  const char* env_port = std::getenv("PGPORT");
  const std::string host = !parts.host.empty() ? parts.host : env_host ? env_host : "";
  const std::string where = (!parts.user.empty() ? parts.user + "@"
                             : env_user          ? std::string(env_user) + "@"
                                                 : "") +
                            (host.empty() ? "localhost" : host) + ":" +
                            (!parts.port.empty() ? parts.port
                             : env_port          ? env_port
                                                 : "5432") +
                            "/" + parts.database;
  std::vector<std::pair<std::string, std::string>> params = {
      {"dbname", options.conninfo},  // expanded by libpq (expand_dbname = 1)
      {"application_name", "sluice"},
      {"client_encoding", "UTF8"},
      {"connect_timeout", std::to_string(std::max<int64_t>(1, options.connect_timeout_ms / 1000))}};
  std::string sslmode = !options.sslmode.empty() ? options.sslmode : parts.sslmode;
  if (sslmode.empty()) sslmode = IsLocalHost(host) ? "prefer" : "require";
  params.emplace_back("sslmode", sslmode);
  if (!options.sslrootcert.empty()) params.emplace_back("sslrootcert", options.sslrootcert);
  if (options.replication) params.emplace_back("replication", "database");
  if (!options.password.empty()) {
    Redactor::Global().Register(options.password);
    params.emplace_back("password", options.password);
  }
  std::vector<const char*> keys;
  std::vector<const char*> values;
  for (const auto& [key, value] : params) {
    keys.push_back(key.c_str());
    values.push_back(value.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* conn = PQconnectdbParams(keys.data(), values.data(), 1);
  if (conn == nullptr) return Status::IOError("PostgreSQL " + where + ": out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string message = Redactor::Global().Redact(Trimmed(PQerrorMessage(conn)));
    PQfinish(conn);
    if (message.find("password authentication failed") != std::string::npos ||
        message.find("does not exist") != std::string::npos ||
        message.find("no password supplied") != std::string::npos) {
      return Status::InvalidArgument("PostgreSQL " + where + ": " + message);
    }
    return Status::IOError("PostgreSQL " + where + ": cannot connect: " + message);
  }
  auto session = std::unique_ptr<PgSession>(new PgSession(conn, where));
  SLUICE_RETURN_NOT_OK(
      session->Execute("SET client_min_messages = warning; SET standard_conforming_strings = on; "
                       "SET TIME ZONE 'UTC'; SET DateStyle = 'ISO, YMD'; "
                       "SET extra_float_digits = 3"));
  return session;
}

PgSession::~PgSession() { Close(); }

void PgSession::Close() {
  if (chunk_ != nullptr) {
    PQfreemem(chunk_);
    chunk_ = nullptr;
  }
  if (conn_ != nullptr) {
    PQfinish(conn_);
    conn_ = nullptr;
  }
}

Status PgSession::ServerError(const std::string& what) const {
  if (conn_ == nullptr || PQstatus(conn_) != CONNECTION_OK) {
    return Status::IOError("PostgreSQL " + where_ + ": the connection was lost during " + what +
                           (conn_ != nullptr ? ": " + Trimmed(PQerrorMessage(conn_)) : ""));
  }
  return Status::InvalidArgument("PostgreSQL " + where_ + ": " + what);
}

namespace {

// The status of a finished command: retryable classes (40 rollback, 53 resources, 57 shutdown,
// 08 connection) as IOError, the rest as InvalidArgument; both with the server's message.
Status CheckResult(PGconn* conn, PGresult* result, const std::string& where,
                   const std::string& sql) {
  const ExecStatusType status = PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_COPY_OUT) {
    return Status::OK();
  }
  const std::string message = Trimmed(PQresultErrorMessage(result));
  const std::string shown = sql.size() > 200 ? sql.substr(0, 200) + "..." : sql;
  const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
  if (PQstatus(conn) != CONNECTION_OK ||
      (state != nullptr &&
       (std::strncmp(state, "40", 2) == 0 || std::strncmp(state, "53", 2) == 0 ||
        std::strncmp(state, "57", 2) == 0 || std::strncmp(state, "08", 2) == 0))) {
    return Status::IOError("PostgreSQL " + where + ": " + message);
  }
  return Status::InvalidArgument("PostgreSQL " + where + ": " + message + " (in: " + shown + ")");
}

}  // namespace

Status PgSession::Execute(const std::string& sql) {
  if (conn_ == nullptr) return ServerError("a statement");
  PgResult result(PQexec(conn_, sql.c_str()));
  return CheckResult(conn_, result.get(), where_, sql);
}

Result<PgRows> PgSession::Query(const std::string& sql) {
  if (conn_ == nullptr) return ServerError("a query");
  PgResult result(PQexec(conn_, sql.c_str()));
  SLUICE_RETURN_NOT_OK(CheckResult(conn_, result.get(), where_, sql));
  PgRows rows;
  const int n = PQntuples(result.get());
  const int columns = PQnfields(result.get());
  rows.reserve(static_cast<size_t>(n));
  for (int r = 0; r < n; ++r) {
    std::vector<std::optional<std::string>> row;
    for (int c = 0; c < columns; ++c) {
      if (PQgetisnull(result.get(), r, c)) {
        row.emplace_back(std::nullopt);
      } else {
        row.emplace_back(std::string(PQgetvalue(result.get(), r, c),
                                     static_cast<size_t>(PQgetlength(result.get(), r, c))));
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<std::vector<PgColumn>> PgSession::Describe(const std::string& sql) {
  if (conn_ == nullptr) return ServerError("a query");
  PgResult prepared(PQprepare(conn_, "", sql.c_str(), 0, nullptr));
  SLUICE_RETURN_NOT_OK(CheckResult(conn_, prepared.get(), where_, sql));
  PgResult described(PQdescribePrepared(conn_, ""));
  SLUICE_RETURN_NOT_OK(CheckResult(conn_, described.get(), where_, sql));
  std::vector<PgColumn> columns;
  for (int c = 0; c < PQnfields(described.get()); ++c) {
    PgColumn column;
    column.name = PQfname(described.get(), c);
    column.type_oid = PQftype(described.get(), c);
    column.type_modifier = PQfmod(described.get(), c);
    columns.push_back(std::move(column));
  }
  return columns;
}

Status PgSession::StartCopyOut(const std::string& sql) {
  if (conn_ == nullptr) return ServerError("COPY");
  PgResult result(PQexec(conn_, sql.c_str()));
  if (PQresultStatus(result.get()) == PGRES_COPY_OUT) return Status::OK();
  SLUICE_RETURN_NOT_OK(CheckResult(conn_, result.get(), where_, sql));
  return Status::InvalidArgument("PostgreSQL " + where_ + ": not a COPY TO STDOUT: " + sql);
}

Result<std::optional<std::string_view>> PgSession::NextCopyChunk() {
  if (chunk_ != nullptr) {
    PQfreemem(chunk_);
    chunk_ = nullptr;
  }
  if (conn_ == nullptr) return ServerError("COPY");
  const int length = PQgetCopyData(conn_, &chunk_, 0);
  if (length > 0) return std::optional<std::string_view>(std::string_view(chunk_, length));
  if (length == -2) return ServerError("COPY");
  // -1: the COPY is over; its result says whether it succeeded.
  PgResult result(PQgetResult(conn_));
  while (PgResult more{PQgetResult(conn_)}) {
  }
  SLUICE_RETURN_NOT_OK(CheckResult(conn_, result.get(), where_, "COPY"));
  return std::optional<std::string_view>();
}

Status PgSession::StartCopyBoth(const std::string& command) {
  if (conn_ == nullptr) return ServerError("replication");
  PgResult result(PQexec(conn_, command.c_str()));
  if (PQresultStatus(result.get()) == PGRES_COPY_BOTH) return Status::OK();
  SLUICE_RETURN_NOT_OK(CheckResult(conn_, result.get(), where_, command));
  return Status::InvalidArgument("PostgreSQL " + where_ + ": no replication stream: " + command);
}

Result<PgCopyRead> PgSession::NextCopyMessage(int timeout_ms, std::string_view* message) {
  if (chunk_ != nullptr) {
    PQfreemem(chunk_);
    chunk_ = nullptr;
  }
  if (conn_ == nullptr) return ServerError("replication");
  for (int attempt = 0; attempt < 2; ++attempt) {
    const int length = PQgetCopyData(conn_, &chunk_, /*async=*/1);
    if (length > 0) {
      *message = std::string_view(chunk_, static_cast<size_t>(length));
      return PgCopyRead::kMessage;
    }
    if (length == -2) return ServerError("replication");
    if (length == -1) {
      PgResult result(PQgetResult(conn_));
      while (PgResult more{PQgetResult(conn_)}) {
      }
      SLUICE_RETURN_NOT_OK(CheckResult(conn_, result.get(), where_, "replication"));
      return PgCopyRead::kEnd;
    }
    if (attempt == 1) break;
    // Nothing buffered: wait for the socket, then let libpq read what came.
    pollfd wait{PQsocket(conn_), POLLIN, 0};
    const int ready = poll(&wait, 1, timeout_ms);
    if (ready < 0 && errno != EINTR)
      return Status::IOError("PostgreSQL " + where_ + ": poll failed");
    if (ready <= 0) return PgCopyRead::kIdle;
    if (PQconsumeInput(conn_) == 0) return ServerError("replication");
  }
  return PgCopyRead::kIdle;
}

Status PgSession::SendCopyMessage(std::string_view message) {
  if (conn_ == nullptr) return ServerError("replication");
  if (PQputCopyData(conn_, message.data(), static_cast<int>(message.size())) != 1 ||
      PQflush(conn_) != 0) {
    return ServerError("replication");
  }
  return Status::OK();
}

std::string PgSession::Literal(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

std::string PgSession::QuoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    out += c;
    if (c == '"') out += '"';
  }
  return out + "\"";
}

std::string PgSession::QuoteQualifiedName(std::string_view name) {
  const size_t dot = name.find('.');
  if (dot == std::string_view::npos) return QuoteIdentifier(name);
  return QuoteIdentifier(name.substr(0, dot)) + "." + QuoteIdentifier(name.substr(dot + 1));
}

}  // namespace sluice::connectors

// PgSession: one libpq connection to a source database — small queries, the columns a query
// returns (without running it), and a COPY ... TO STDOUT stream read chunk by chunk.
//
// Secrets: the password comes from the caller (an environment variable) or libpq's own PGPASSWORD
// and ~/.pgpass; it is registered with the Redactor and never appears in errors, which name the
// user, host, port and database.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/result.h"

typedef struct pg_conn PGconn;

namespace sluice::connectors {

struct PgConnectOptions {
  std::string conninfo;  // a postgresql:// URI or "host=... dbname=..." (no password in it)
  std::string password;  // empty: libpq's PGPASSWORD or ~/.pgpass
  std::string sslmode;   // empty: require, or prefer for a server on this machine
  std::string sslrootcert;
  int64_t connect_timeout_ms = 10'000;
  // A logical replication connection (replication=database): replication commands as well as
  // SQL (CREATE_REPLICATION_SLOT, START_REPLICATION; postgres/pg_cdc.h).
  bool replication = false;
};

// What NextCopyMessage found.
enum class PgCopyRead { kMessage, kIdle, kEnd };

// A result column: its name, type oid and type modifier.
struct PgColumn {
  std::string name;
  uint32_t type_oid = 0;
  int32_t type_modifier = -1;
};

using PgRows = std::vector<std::vector<std::optional<std::string>>>;

// The conninfo's parts, parsed by libpq. Errors: InvalidArgument with libpq's reason.
struct PgConninfoParts {
  std::string host, port, database, user, sslmode;
  bool has_password = false;
};
Result<PgConninfoParts> ParsePgConninfo(const std::string& conninfo);

class PgSession {
 public:
  // Errors: IOError (retryable) when the server cannot be reached; InvalidArgument when it refuses
  // the login or the database does not exist.
  static Result<std::unique_ptr<PgSession>> Connect(const PgConnectOptions& options);
  ~PgSession();
  PgSession(const PgSession&) = delete;
  PgSession& operator=(const PgSession&) = delete;

  // "etl@db.internal:5432/shop": where, without secrets.
  const std::string& where() const { return where_; }

  // Runs statements. Errors carry the server's message.
  Status Execute(const std::string& sql);
  // Runs a query; every value as text (null as nullopt).
  Result<PgRows> Query(const std::string& sql);
  // The columns `sql` would return, without running it.
  Result<std::vector<PgColumn>> Describe(const std::string& sql);

  // Starts `COPY (...) TO STDOUT ...`.
  Status StartCopyOut(const std::string& sql);
  // The next chunk of COPY data; nullopt at the end (the COPY succeeded). The view stays valid
  // until the next call.
  Result<std::optional<std::string_view>> NextCopyChunk();
  // Starts a COPY BOTH stream (START_REPLICATION).
  Status StartCopyBoth(const std::string& command);
  // The next message of a COPY BOTH stream into `message`: kIdle when none came within
  // `timeout_ms`, kEnd when the server ended the stream. The view stays valid until the next call.
  Result<PgCopyRead> NextCopyMessage(int timeout_ms, std::string_view* message);
  // Sends one message into a COPY BOTH stream (a standby status update).
  Status SendCopyMessage(std::string_view message);

  // Abandons a COPY in progress (the connection is closed: a COPY cannot be cancelled cleanly).
  void Close();

  // A string literal ('it''s') for this connection.
  static std::string Literal(std::string_view text);
  // An identifier ("Order Lines"); "public.orders" → "public"."orders".
  static std::string QuoteIdentifier(std::string_view name);
  static std::string QuoteQualifiedName(std::string_view name);

 private:
  PgSession(PGconn* conn, std::string where) : conn_(conn), where_(std::move(where)) {}
  Status ServerError(const std::string& what) const;

  PGconn* conn_;
  std::string where_;
  char* chunk_ = nullptr;
};

}  // namespace sluice::connectors

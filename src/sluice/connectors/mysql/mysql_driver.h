// The MySQL / MariaDB `DbDriver` (database/database_source.h), on Debian's libmariadb: a
// REPEATABLE READ transaction WITH CONSISTENT SNAPSHOT, READ ONLY, for the snapshot; the result
// streamed row by row with the binary protocol (a prepared statement), never held whole.
//
// Types: TINYINT(1) → bool (a value other than 0 or 1 is a reject); TINYINT, SMALLINT, MEDIUMINT,
// YEAR → int32; INT → int32 (unsigned: int64); BIGINT → int64 (unsigned: decimal(20,0));
// DECIMAL(p,s) → decimal(p,s) up to 38 digits, else string; FLOAT (widened exactly), DOUBLE →
// float64; DATE → date;
// DATETIME and TIMESTAMP → timestamp (the session's time zone is UTC, so TIMESTAMP values are the
// instants they hold and DATETIME values their wall-clock reading); TIME → time (negative or
// 24 hours and more: a reject); BIT(n) → int64; JSON → json; CHAR, VARCHAR, TEXT, ENUM, SET →
// string; BINARY, VARBINARY, BLOB, GEOMETRY → binary. A zero date (0000-00-00, or a zero month or
// day) is a reject naming it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "sluice/connectors/database/database_source.h"

namespace sluice::connectors {

struct MysqlConnectOptions {
  std::string host = "127.0.0.1";
  int port = 3306;
  std::string socket;  // a unix socket instead of host:port
  std::string user;
  std::string password;  // empty: none (or the server's default authentication)
  std::string database;
  std::string sslmode;  // disable | prefer | require | verify-ca | verify-full (empty: require,
                        // or prefer for a server on this machine)
  std::string sslrootcert;
  int64_t connect_timeout_ms = 10'000;
};

// "mysql://etl@db.internal:3306/shop?sslmode=require&socket=/run/mysqld.sock" (or mariadb://).
// Errors: InvalidArgument naming what is wrong; a password in it is refused.
Result<MysqlConnectOptions> ParseMysqlUri(const std::string& uri);

std::unique_ptr<DbDriver> MakeMysqlDriver(MysqlConnectOptions options);

}  // namespace sluice::connectors

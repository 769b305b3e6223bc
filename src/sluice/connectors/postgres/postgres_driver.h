// The PostgreSQL `DbDriver` (database/database_source.h): a REPEATABLE READ, READ ONLY
// transaction for the snapshot, the catalog for types and keys, and a binary COPY ... TO STDOUT
// decoded straight into columns (postgres/pg_types.h).
#pragma once

#include <memory>

#include "sluice/connectors/database/database_source.h"
#include "sluice/connectors/postgres/pg_session.h"

namespace sluice::connectors {

std::unique_ptr<DbDriver> MakePostgresDriver(PgConnectOptions options);

}  // namespace sluice::connectors

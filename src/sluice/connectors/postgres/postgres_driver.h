// The PostgreSQL `DbDriver` (database/database_source.h): a REPEATABLE READ, READ ONLY
// transaction for the snapshot, the catalog for types and keys, and a binary COPY ... TO STDOUT
// decoded straight into columns (postgres/pg_types.h).
#pragma once

#include <memory>

#include "sluice/connectors/database/database_source.h"
#include "sluice/connectors/postgres/pg_session.h"
#include "sluice/connectors/postgres/pg_types.h"

namespace sluice::connectors {

// How the driver reads.
struct PgReadOptions {
  // An exported snapshot (pg_export_snapshot, CREATE_REPLICATION_SLOT) the read takes: rows as
  // of that instant. Empty: the transaction's own snapshot.
  std::string snapshot;
  bool composites_as_text = false;  // PlanPgColumn's
};

std::unique_ptr<DbDriver> MakePostgresDriver(PgConnectOptions options, PgReadOptions read = {});

// How each column `SELECT * FROM from` returns is selected and decoded; domains resolved to their
// base types.
Result<std::vector<PgColumnPlan>> PlanPgColumns(PgSession* session, const std::string& from,
                                                bool composites_as_text);

}  // namespace sluice::connectors

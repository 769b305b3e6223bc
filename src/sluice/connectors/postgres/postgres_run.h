// One run of a postgres source (postgres_source.h): connect, open a REPEATABLE READ snapshot,
// map the columns, decide the cursor window from the committed mark, then stream the rows of a
// binary COPY as batches.
#pragma once

#include <memory>

#include "sluice/connectors/postgres/postgres_source.h"
#include "sluice/connectors/source.h"

namespace sluice::connectors {

// Errors: the server cannot be reached (IOError, retryable) or refuses (InvalidArgument); the
// cursor or a primary key column is missing or of a type that cannot order rows.
Result<std::unique_ptr<SourceRun>> PlanPostgresRun(PostgresSourceOptions options,
                                                   const SourceState& state);

}  // namespace sluice::connectors

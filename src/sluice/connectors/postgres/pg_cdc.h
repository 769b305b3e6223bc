// PostgreSQL change data capture: `incremental: {mode: cdc, slot: ..., publication: ...}` on a
// postgres source reads a table's inserts, updates and deletes from a logical replication slot
// (the built-in pgoutput plugin, protocol 1, text values) into bronze as change rows.
//
// The first run (no position committed in the bronze table) creates the slot with an exported
// snapshot and reads the table as of the slot's consistent point, replacing the bronze table's
// rows: `_op` = "snapshot", `_lsn` = 0. Later runs stream the changes since the committed
// position up to the server's WAL end when the run started, and append one row per change:
//   _op        insert | update | delete | truncate
//   _lsn       the change's WAL position (int64); grows per key, so `dedupe: {latest_by: _lsn}`
//              keeps the latest change of each key
//   _commit_ts the transaction's commit time
// A delete carries the replica identity (the primary key by default) and nulls elsewhere.
//
// Exactly once: the position reached — the end of the last transaction read, or the position a
// keepalive reports when between transactions — is a txn action ("sluice.pgcdc:<table>:<slot>")
// in the same Delta commit as the rows. Only after that commit is the position acknowledged to
// the server (the slot's confirmed_flush_lsn), so a crash before the acknowledgement makes the
// server send those transactions again, and the run leaves out every transaction that ended
// before the committed position. Arrays, composites and ranges are the server's text ('{1,2}'),
// in the snapshot too, so both agree.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "sluice/connectors/database/database_source.h"
#include "sluice/connectors/postgres/pg_session.h"
#include "sluice/connectors/source.h"

namespace sluice::connectors {

// Errors: connecting; the table, publication or slot missing or in use (each message says what
// to run on the server); wal_level below logical.
Result<std::unique_ptr<SourceRun>> PlanPgCdcRun(const PgConnectOptions& connect,
                                                const DatabaseSourceOptions& options,
                                                const SourceState& state);

// "16/B374D848" ⇄ the 64-bit position.
std::optional<uint64_t> ParseLsn(std::string_view text);
std::string FormatLsn(uint64_t lsn);

}  // namespace sluice::connectors

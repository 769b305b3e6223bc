// The wire messages of PostgreSQL logical replication: the walsender's COPY BOTH frames (XLogData,
// primary keepalive, standby status update) and the pgoutput plugin's messages (protocol 1, text
// values), as the PostgreSQL manual's "Streaming Replication Protocol" and "Logical Replication
// Message Formats" chapters define them. Parsing only: postgres/pg_cdc.h runs the stream.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/result.h"

namespace sluice::connectors {

// Microseconds between the Unix epoch and PostgreSQL's, 2000-01-01.
inline constexpr int64_t kPgEpochUnixMicros = 946'684'800'000'000;

// One column value of a tuple: 'n' null, 'u' an unchanged TOASTed value (not sent), 't' text.
struct PgTupleValue {
  char kind = 'n';
  std::string_view text;
};
using PgTuple = std::vector<PgTupleValue>;

enum class PgFrameKind { kData, kKeepalive, kOther };

struct PgFrame {
  PgFrameKind kind = PgFrameKind::kOther;
  uint64_t start = 0;    // XLogData: the WAL position of the message
  uint64_t wal_end = 0;  // the server's position (keepalive: how far it has sent)
  bool reply_requested = false;
  std::string_view payload;  // XLogData: the pgoutput message
};

enum class PgChangeKind {
  kBegin,
  kCommit,
  kRelation,
  kInsert,
  kUpdate,
  kDelete,
  kTruncate,
  kOther,  // origin, type, message: nothing for a table's rows
};

struct PgChange {
  PgChangeKind kind = PgChangeKind::kOther;
  uint64_t final_lsn = 0;            // begin: the commit record's position
  uint64_t end_lsn = 0;              // commit: the position just past the commit record
  int64_t commit_micros = 0;         // begin, commit: Unix µs
  uint32_t relation = 0;             // relation, insert, update, delete
  std::string schema, name;          // relation
  std::vector<std::string> columns;  // relation
  PgTuple tuple;                     // insert, update: the new row; delete: the old key or row
  PgTuple old_tuple;                 // update: the old key or row, when sent
  bool has_old = false;
  std::vector<uint32_t> truncated;  // truncate: the relations
};

// Errors: DataError for a frame or message that is truncated or malformed.
Status ParsePgFrame(std::string_view message, PgFrame* frame);
// The views in `change` point into `payload`.
Status ParsePgOutput(std::string_view payload, PgChange* change);

// A standby status update: written and flushed positions, the client's clock, and whether the
// server should answer at once (with a keepalive).
std::string PgStandbyStatus(uint64_t written, uint64_t flushed, int64_t now_unix_micros,
                            bool reply_requested);

}  // namespace sluice::connectors

// Expiring application transactions without forgetting them
// (delta.setTransactionRetentionDuration).
//
// Delta lets a table drop `txn` entries whose lastUpdated is older than the retention, so that
// tables written by many short-lived applications do not carry their entries forever. sluice
// relies on txn entries for exactly-once (a bronze table's per-file ledger, the upstream versions
// silver, gold and loads have consumed), so before an entry can expire, a sluice commit folds it
// into a compact archive: the domain metadata `sluice.expiredTransactions`, one fixed-width record
// per appId — a 128-bit hash of the appId and the version — that never expires. Lookups go through
// Snapshot::TransactionVersion: the live entry when there is one, else the archived version.
//
// The clock is the table's own: an entry expires when it is older than the retention relative to
// the newest lastUpdated in the table (so a table nobody writes to keeps everything), and every
// sluice commit to a table with a retention archives the entries older than half of it. The
// guarantee therefore holds as long as sluice is the only writer recording txn entries in the
// table; a hash collision between two appIds (about 2^-128 per pair) is the remaining risk.
//
// Thread-safety: TransactionArchive is immutable once built and shared by snapshots.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "sluice/common/result.h"
#include "sluice/lake/actions.h"

namespace sluice::lake {

struct Snapshot;

inline constexpr std::string_view kTransactionArchiveDomain = "sluice.expiredTransactions";
inline constexpr std::string_view kTransactionRetentionKey =
    "delta.setTransactionRetentionDuration";

class TransactionArchive {
 public:
  // Errors: DataError for a configuration that is not an archive (names what is wrong).
  static Result<TransactionArchive> Parse(std::string_view configuration);

  // The archived version of `app_id`, or nullopt.
  std::optional<int64_t> Find(std::string_view app_id) const;
  // Archives `app_id` at `version` (replacing an older record of it).
  void Record(std::string_view app_id, int64_t version);
  // {"format":1,"entries":"<48 hex digits per record, sorted>"}.
  std::string Serialize() const;
  size_t size() const { return entries_.size(); }

 private:
  std::map<std::pair<uint64_t, uint64_t>, int64_t> entries_;
};

// The table's delta.setTransactionRetentionDuration in milliseconds, or nullopt when unset or not
// a duration.
std::optional<int64_t> TransactionRetentionMs(const Metadata& metadata);

// Replay's last step: parses the archive domain into the snapshot and drops txn entries older
// than the retention (relative to the newest lastUpdated in the table). Errors: DataError for a
// malformed archive.
Status ExpireTransactions(Snapshot* snapshot);

// The archive a commit at `now_ms` to `snapshot`'s table must write: every live txn entry older
// than half the retention, with the entries already archived; nullopt when the table has no
// retention or nothing new needs archiving.
std::optional<DomainMetadata> ArchiveAgingTransactions(const Snapshot& snapshot, int64_t now_ms);

}  // namespace sluice::lake

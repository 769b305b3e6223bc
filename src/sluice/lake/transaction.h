// Transaction: one optimistic Delta commit — collect actions against a read snapshot, then write
// `_delta_log/<version>.json` with create-if-absent, resolving races by the protocol's conflict
// rules.
//
// Commit protocol:
//   1. Try version = read version + 1 with FileSystem::CreateIfAbsent.
//   2. Lost (the file exists): read the winner's actions. If the winner carries this
//      transaction's txnId, the earlier attempt landed — done (idempotent). Otherwise check
//      conflicts and, when there are none, try the next version.
//   3. An unclear outcome (an I/O error from the store) is settled by reading the version back and
//      comparing txnIds — never by a blind retry.
// Conflicts (the commit fails with StatusCode::kConflict, nothing is written):
//   - the winner changed the protocol or the metadata (schema, partitioning, configuration);
//   - the winner removed a file this transaction read (DELETE, MERGE, OPTIMIZE);
//   - the winner removed a file this transaction also removes;
//   - the winner added files that may hold rows matching this transaction's read predicate;
//   - the winner committed the same application transaction (appId);
//   - the winner wrote a metadata domain this transaction writes (e.g. both archived txn entries
//     about to expire, transaction_archive.h).
// Blind appends never conflict with each other. A table creation that loses to a concurrent
// creation with the same schema and partitioning continues as an append.
//
// After a commit whose version is a multiple of delta.checkpointInterval (10), a checkpoint is
// written; a failure to checkpoint does not fail the commit (it is reported in the result). After
// a checkpoint, log files past delta.logRetentionDuration are cleaned up (DeltaLog::
// CleanUpExpiredLog).
//
// Thread-safety: one thread per Transaction; any number of transactions (in any number of
// processes) may race on one table.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sluice/common/result.h"
#include "sluice/lake/actions.h"
#include "sluice/lake/delta_log.h"
#include "sluice/lake/snapshot.h"

namespace sluice::lake {

struct CommitOptions {
  // Attempts at successive versions before giving up with a Conflict error.
  int max_attempts = 1000;
  // Milliseconds since the epoch for commitInfo/txn timestamps and checkpoint tombstone expiry
  // (tests inject a clock); 0 = the system clock.
  int64_t now_ms = 0;
  bool write_checkpoints = true;
};

struct CommitResult {
  int64_t version = -1;
  // The application transaction was already committed (by an earlier run): nothing was written.
  bool already_committed = false;
  int attempts = 0;
  bool checkpoint_written = false;
  Status checkpoint_status;       // why a due checkpoint was not written
  int64_t log_files_removed = 0;  // expired log files cleaned up after the checkpoint
};

class Transaction {
 public:
  Transaction(std::shared_ptr<const DeltaLog> log, SnapshotPtr read_snapshot);

  const SnapshotPtr& read_snapshot() const { return read_snapshot_; }

  void UpdateProtocol(Protocol protocol) { protocol_ = std::move(protocol); }
  void UpdateMetadata(Metadata metadata) { metadata_ = std::move(metadata); }
  void Add(AddFile add) { adds_.push_back(std::move(add)); }
  void Remove(RemoveFile remove) { removes_.push_back(std::move(remove)); }
  // A change data file (the rows this commit changed, change_data_feed.h).
  void AddChangeData(CdcFile cdc) { change_files_.push_back(std::move(cdc)); }
  // Exactly-once batches: commits txn(app_id, version); if the table already holds a version
  // ≥ `version` for `app_id`, Commit writes nothing and reports already_committed.
  void SetApplicationTransaction(std::string app_id, int64_t version);
  // A ledger entry: commits txn(app_id, version) with no skip rule (the caller compares versions
  // itself, e.g. a file's fingerprint). A concurrent commit of the same appId is a conflict, so two
  // writers can never both record the same entry.
  void RecordApplicationTransaction(std::string app_id, int64_t version);
  // Logical files whose contents this transaction depends on.
  void MarkFileRead(const FileKey& key) { files_read_.insert(key); }
  // Rows this transaction's outcome depends on: a file added concurrently for which this returns
  // true is a conflict. Unset: the transaction read no rows (a blind append or an overwrite of
  // everything read through MarkFileRead).
  void SetReadPredicate(std::function<bool(const AddFile&)> may_match) {
    read_predicate_ = std::move(may_match);
  }

  // Commits with a commitInfo {operation, parameters, metrics, txnId}. Errors: Conflict (see
  // above, or attempts exhausted), I/O errors.
  Result<CommitResult> Commit(const std::string& operation,
                              std::map<std::string, std::string> parameters,
                              std::map<std::string, std::string> metrics,
                              const CommitOptions& options = {});

  const std::string& txn_id() const { return txn_id_; }

 private:
  Status CheckConflicts(int64_t winner_version, const std::vector<Action>& winner,
                        bool* became_append, bool* already_committed);
  std::vector<Action> BuildActions(const std::string& operation,
                                   const std::map<std::string, std::string>& parameters,
                                   const std::map<std::string, std::string>& metrics,
                                   int64_t now_ms) const;

  std::shared_ptr<const DeltaLog> log_;
  SnapshotPtr read_snapshot_;
  std::optional<Protocol> protocol_;
  std::optional<Metadata> metadata_;
  std::vector<AddFile> adds_;
  std::vector<RemoveFile> removes_;
  std::vector<CdcFile> change_files_;
  std::vector<DomainMetadata> domains_;
  std::optional<Txn> app_transaction_;
  std::vector<Txn> ledger_;
  std::set<FileKey> files_read_;
  std::function<bool(const AddFile&)> read_predicate_;
  std::string txn_id_;
};

// A random (version 4) UUID, "8-4-4-4-12" lower-case hex.
std::string NewUUID();
// Milliseconds since the Unix epoch.
int64_t CurrentTimeMs();

}  // namespace sluice::lake

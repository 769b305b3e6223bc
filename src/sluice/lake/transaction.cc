#include "sluice/lake/transaction.h"

#include "sluice/lake/table_features.h"
#include "sluice/lake/transaction_archive.h"

#include <sys/random.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>

namespace sluice::lake {

std::string NewUUID() {
  // Straight from the kernel for every id: a generator seeded once would hand forked processes
  // the same sequence (and so the same data file names and commit txnIds).
  uint64_t words[2] = {0, 0};
  auto* bytes = reinterpret_cast<uint8_t*>(words);
  size_t filled = 0;
  while (filled < sizeof(words)) {
    const ssize_t got = ::getrandom(bytes + filled, sizeof(words) - filled, 0);
    if (got > 0) {
      filled += static_cast<size_t>(got);
    } else if (got < 0 && errno != EINTR) {
      // No entropy source at all: fall back to time, pid and a counter (still unique per process).
      static std::atomic<uint64_t> counter{0};
      words[0] ^= static_cast<uint64_t>(
          std::chrono::high_resolution_clock::now().time_since_epoch().count());
      words[1] ^= (static_cast<uint64_t>(::getpid()) << 32) ^ counter.fetch_add(1);
      break;
    }
  }
  uint64_t high = words[0];
  uint64_t low = words[1];
  high = (high & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;  // version 4
  low = (low & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;    // variant 1
  char text[40];
  std::snprintf(text, sizeof(text), "%08x-%04x-%04x-%04x-%012llx",
                static_cast<unsigned>(high >> 32), static_cast<unsigned>((high >> 16) & 0xFFFF),
                static_cast<unsigned>(high & 0xFFFF), static_cast<unsigned>(low >> 48),
                static_cast<unsigned long long>(low & 0xFFFFFFFFFFFFull));
  return text;
}

int64_t CurrentTimeMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Transaction::Transaction(std::shared_ptr<const DeltaLog> log, SnapshotPtr read_snapshot)
    : log_(std::move(log)), read_snapshot_(std::move(read_snapshot)), txn_id_(NewUUID()) {}

void Transaction::SetApplicationTransaction(std::string app_id, int64_t version) {
  Txn txn;
  txn.app_id = std::move(app_id);
  txn.version = version;
  app_transaction_ = std::move(txn);
}

void Transaction::RecordApplicationTransaction(std::string app_id, int64_t version) {
  Txn txn;
  txn.app_id = std::move(app_id);
  txn.version = version;
  ledger_.push_back(std::move(txn));
}

std::vector<Action> Transaction::BuildActions(const std::string& operation,
                                              const std::map<std::string, std::string>& parameters,
                                              const std::map<std::string, std::string>& metrics,
                                              int64_t now_ms) const {
  std::vector<Action> actions;
  CommitInfo info;
  info.timestamp = now_ms;
  info.operation = operation;
  info.operation_parameters = parameters;
  info.operation_metrics = metrics;
  if (read_snapshot_->exists()) info.read_version = read_snapshot_->version;
  info.isolation_level = "Serializable";
  info.is_blind_append =
      removes_.empty() && files_read_.empty() && !read_predicate_ && !metadata_.has_value();
  info.engine_info = "sluice";
  info.txn_id = txn_id_;
  actions.push_back(std::move(info));
  if (protocol_) actions.push_back(*protocol_);
  if (metadata_) actions.push_back(*metadata_);
  if (app_transaction_) {
    Txn txn = *app_transaction_;
    txn.last_updated = now_ms;
    actions.push_back(std::move(txn));
  }
  for (Txn txn : ledger_) {
    txn.last_updated = now_ms;
    actions.push_back(std::move(txn));
  }
  for (const DomainMetadata& domain : domains_) actions.push_back(domain);
  for (const RemoveFile& remove : removes_) actions.push_back(remove);
  for (const AddFile& add : adds_) actions.push_back(add);
  for (const CdcFile& cdc : change_files_) actions.push_back(cdc);
  return actions;
}

Status Transaction::CheckConflicts(int64_t winner_version, const std::vector<Action>& winner,
                                   bool* became_append, bool* already_committed) {
  *became_append = false;
  *already_committed = false;
  std::string winner_operation = "an unknown operation";
  for (const Action& action : winner) {
    if (const auto* info = std::get_if<CommitInfo>(&action)) {
      if (!info->operation.empty()) winner_operation = info->operation;
    }
  }
  const std::string context = "version " + std::to_string(winner_version) + " (" +
                              winner_operation + ") was committed concurrently";
  std::set<FileKey> our_removes;
  for (const RemoveFile& remove : removes_) our_removes.insert(KeyOf(remove));
  for (const Action& action : winner) {
    if (std::holds_alternative<Protocol>(action) || std::holds_alternative<Metadata>(action)) {
      // A creation racing another creation of the same table shape continues as an append.
      const auto* metadata = std::get_if<Metadata>(&action);
      if (!read_snapshot_->exists() && metadata_.has_value() && metadata != nullptr &&
          metadata->schema_string == metadata_->schema_string &&
          metadata->partition_columns == metadata_->partition_columns && removes_.empty()) {
        *became_append = true;
        continue;
      }
      if (!read_snapshot_->exists() && std::holds_alternative<Protocol>(action) &&
          metadata_.has_value()) {
        continue;  // decided by the metadata action of the same commit
      }
      return Status::Conflict(context + " and changed the table's " +
                              (std::holds_alternative<Protocol>(action) ? "protocol" : "metadata") +
                              "; re-run the operation against the new table state");
    }
    if (const auto* remove = std::get_if<RemoveFile>(&action)) {
      const FileKey key = KeyOf(*remove);
      if (files_read_.count(key) != 0) {
        return Status::Conflict(context + " and removed " + key.ToString() +
                                ", which this operation read (concurrent delete-read)");
      }
      if (our_removes.count(key) != 0) {
        return Status::Conflict(context + " and removed " + key.ToString() +
                                ", which this operation also removes (concurrent delete-delete)");
      }
    } else if (const auto* add = std::get_if<AddFile>(&action)) {
      if (read_predicate_ && add->data_change && read_predicate_(*add)) {
        return Status::Conflict(context + " and added " + DecodeActionPath(add->path) +
                                ", which may hold rows this operation reads (concurrent append)");
      }
    } else if (const auto* domain = std::get_if<DomainMetadata>(&action)) {
      for (const DomainMetadata& ours : domains_) {
        if (ours.domain == domain->domain) {
          return Status::Conflict(context + " and wrote the metadata domain " + domain->domain +
                                  ", which this operation writes too");
        }
      }
    } else if (const auto* txn = std::get_if<Txn>(&action)) {
      if (app_transaction_ && txn->app_id == app_transaction_->app_id) {
        if (txn->version >= app_transaction_->version) {
          *already_committed = true;
          return Status::OK();
        }
        return Status::Conflict(context + " by the same application '" + txn->app_id + "'");
      }
      for (const Txn& entry : ledger_) {
        if (entry.app_id == txn->app_id) {
          return Status::Conflict(context + " and recorded '" + txn->app_id +
                                  "', which this operation records too");
        }
      }
    }
  }
  if (*became_append) {
    // Our files go into the table the winner created; the metadata stays the winner's.
    protocol_.reset();
    metadata_.reset();
  }
  return Status::OK();
}

Result<CommitResult> Transaction::Commit(const std::string& operation,
                                         std::map<std::string, std::string> parameters,
                                         std::map<std::string, std::string> metrics,
                                         const CommitOptions& options) {
  CommitResult result;
  if (app_transaction_) {
    const std::optional<int64_t> committed =
        read_snapshot_->TransactionVersion(app_transaction_->app_id);
    if (committed.has_value() && *committed >= app_transaction_->version) {
      result.already_committed = true;
      result.version = read_snapshot_->version;
      return result;
    }
  }
  if (read_snapshot_->exists()) SLUICE_RETURN_NOT_OK(DeltaLog::CheckWritable(*read_snapshot_));
  if (!read_snapshot_->exists() && !metadata_.has_value()) {
    return Status::Internal("creating a table needs a metaData action");
  }
  const int64_t now_ms = options.now_ms != 0 ? options.now_ms : CurrentTimeMs();
  if (read_snapshot_->exists()) {
    // Txn entries about to expire are archived first (transaction_archive.h).
    if (std::optional<DomainMetadata> archive = ArchiveAgingTransactions(*read_snapshot_, now_ms)) {
      domains_.push_back(std::move(*archive));
      const Protocol current = protocol_.value_or(read_snapshot_->protocol);
      if (!SupportsWriterFeature(current, "domainMetadata")) {
        protocol_ = WithWriterFeature(current, "domainMetadata");
      }
    }
  }
  int64_t version = read_snapshot_->version + 1;
  std::string text = SerializeCommit(BuildActions(operation, parameters, metrics, now_ms));
  int unclear_outcomes = 0;
  for (int attempt = 1;; ++attempt) {
    result.attempts = attempt;
    if (attempt > options.max_attempts) {
      return Status::Conflict(log_->root() + ": gave up after " +
                              std::to_string(options.max_attempts) +
                              " commit attempts lost to concurrent writers");
    }
    const std::string path = log_->CommitPath(version);
    Result<bool> created = log_->fs()->CreateIfAbsent(path, text);
    if (created.ok() && *created) break;
    if (!created.ok() && created.status().code() != StatusCode::kIOError &&
        created.status().code() != StatusCode::kUnavailable &&
        created.status().code() != StatusCode::kTimeout) {
      return created.status();
    }
    // Lost the race, or the outcome is unclear: read the version back.
    Result<std::vector<Action>> winner = log_->ReadCommit(version);
    if (!winner.ok()) {
      if (winner.status().code() == StatusCode::kNotFound && !created.ok()) {
        // Our write did not land; try the same version again, a few times.
        if (++unclear_outcomes > 5) return created.status();
        continue;
      }
      return winner.status().WithContext("reading back " + path);
    }
    bool ours = false;
    for (const Action& action : *winner) {
      const auto* info = std::get_if<CommitInfo>(&action);
      if (info != nullptr && info->txn_id == txn_id_) ours = true;
    }
    if (ours) break;  // an earlier attempt landed
    bool became_append = false;
    bool already_committed = false;
    SLUICE_RETURN_NOT_OK(CheckConflicts(version, *winner, &became_append, &already_committed));
    if (already_committed) {
      result.already_committed = true;
      result.version = version;
      return result;
    }
    if (became_append) {
      text = SerializeCommit(BuildActions(operation, parameters, metrics, now_ms));
    }
    ++version;
  }
  result.version = version;
  if (options.write_checkpoints) {
    // The interval comes from the table as committed: this commit's metadata, the read
    // snapshot's, or — for a creation that became an append — the winner's, read back.
    std::optional<int64_t> interval;
    if (metadata_.has_value()) {
      interval = CheckpointInterval(*metadata_);
    } else if (read_snapshot_->exists()) {
      interval = CheckpointInterval(read_snapshot_->metadata);
    }
    SnapshotPtr committed;
    if (!interval.has_value() && version > 0) {
      Result<SnapshotPtr> loaded = log_->Load(version);
      if (loaded.ok()) {
        committed = *loaded;
        interval = CheckpointInterval(committed->metadata);
      }
    }
    if (interval.has_value() && version > 0 && version % *interval == 0) {
      Result<SnapshotPtr> snapshot =
          committed ? Result<SnapshotPtr>(committed) : log_->Load(version);
      result.checkpoint_status =
          snapshot.ok() ? log_->WriteCheckpoint(**snapshot, now_ms) : snapshot.status();
      result.checkpoint_written = result.checkpoint_status.ok();
      if (result.checkpoint_written) {
        // Expired log files go after a checkpoint (a failure here costs only disk space).
        Result<int64_t> removed = log_->CleanUpExpiredLog(**snapshot, now_ms);
        if (removed.ok()) result.log_files_removed = *removed;
      }
    }
  }
  return result;
}

}  // namespace sluice::lake

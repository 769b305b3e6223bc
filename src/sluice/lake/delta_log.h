// DeltaLog: one table's `_delta_log/` on a FileSystem — listing, log replay into snapshots, time
// travel, history, and checkpoints.
//
// Replay starts from the newest complete checkpoint at or below the wanted version (classic
// `<v>.checkpoint.parquet` or multi-part `<v>.checkpoint.<part>.<parts>.parquet`, found by listing
// the log; an incomplete or unreadable checkpoint is passed over for an older one or for a replay
// from version 0), then applies the JSON commits
// after it in order. A gap in the commit versions is a DataError naming the missing version.
//
// Logical files are keyed by (path, deletion vector id) (snapshot.h). Every add/remove path is
// checked on the way in (table_path.h): one leading outside the table is a "corrupt table"
// DataError naming the commit file; an absolute one inside the table is made relative.
//
// Protocol support: reads tables up to reader version 3 when every reader feature in use is one
// sluice can honour (deletion vectors are applied by TableScan); columnMapping (mode other than
// none) is refused with a clear InvalidArgument. CheckWritable refuses tables with features
// sluice does not write (table_features.h).
//
// Thread-safety: a DeltaLog is immutable; all methods may be called from several threads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sluice/common/result.h"
#include "sluice/io/file_system.h"
#include "sluice/lake/actions.h"
#include "sluice/lake/snapshot.h"

namespace sluice::lake {

// The protocol sluice writes: reader 1 / writer 2, the level every Delta reader accepts.
inline constexpr int32_t kWriterVersion = 2;
inline constexpr int32_t kReaderVersion = 1;

struct HistoryEntry {
  int64_t version = 0;
  int64_t timestamp_ms = 0;
  std::optional<CommitInfo> commit_info;
  int64_t files_added = 0;
  int64_t files_removed = 0;
};

class DeltaLog {
 public:
  DeltaLog(std::shared_ptr<io::FileSystem> fs, std::string table_root);
  // The log of the table at `table_uri` (a path or URI). Errors: InvalidArgument for an
  // unsupported scheme. The table need not exist.
  static Result<std::shared_ptr<DeltaLog>> Open(const std::string& table_uri);

  io::FileSystem* fs() const { return fs_.get(); }
  const std::shared_ptr<io::FileSystem>& shared_fs() const { return fs_; }
  const std::string& root() const { return root_; }
  std::string LogDir() const;                     // "<root>/_delta_log/"
  std::string CommitPath(int64_t version) const;  // "<root>/_delta_log/<20 digits>.json"

  // True when the directory holds a Delta log (at least one commit or checkpoint).
  Result<bool> Exists() const;

  // The snapshot at `version` (latest when absent). A table with no log gives a snapshot with
  // version -1 when `version` is absent; asking for a version that does not exist is NotFound.
  Result<SnapshotPtr> Load(std::optional<int64_t> version = std::nullopt) const;
  // The snapshot of the latest version committed at or before `timestamp_ms`. NotFound when the
  // timestamp is before the first commit (the message gives the earliest timestamp).
  Result<SnapshotPtr> LoadAtTimestamp(int64_t timestamp_ms) const;
  // Replays every JSON commit from version 0, ignoring checkpoints (for verification).
  Result<SnapshotPtr> LoadFromJsonOnly(std::optional<int64_t> version = std::nullopt) const;

  // Commit timestamps by version (the log files' times, made strictly increasing).
  Result<std::map<int64_t, int64_t>> CommitTimestamps() const;

  // The actions of one commit (paths checked and made relative, as in replay). NotFound when the
  // version does not exist.
  Result<std::vector<Action>> ReadCommit(int64_t version) const;
  // Commits newest first (at most `limit`, 0 = all) with their commitInfo and file counts.
  Result<std::vector<HistoryEntry>> History(int64_t limit = 0) const;

  // Writes a checkpoint of `snapshot` (tombstones older than the table's
  // delta.deletedFileRetentionDuration are dropped, relative to `now_ms`) and points
  // `_last_checkpoint` at it. Both are written whole (temporary name + rename), so a crash leaves
  // either the previous state or the new one.
  Status WriteCheckpoint(const Snapshot& snapshot, int64_t now_ms) const;

  // Deletes the log files no reader may need any more (PROTOCOL.md "Metadata Cleanup"): with the
  // cutoff = now − delta.logRetentionDuration (30 days), the newest complete checkpoint of a
  // version committed at or before the cutoff becomes the log's start, and every commit,
  // checkpoint, sidecar and checksum file of an older version is deleted — after that checkpoint
  // has been read back whole. Nothing happens when delta.enableExpiredLogCleanup is false. Time
  // travel to a deleted version is then NotFound. Returns the number of files deleted.
  Result<int64_t> CleanUpExpiredLog(const Snapshot& snapshot, int64_t now_ms) const;

  // Refuses to write tables whose protocol sluice cannot honour (table_features.h). Errors:
  // InvalidArgument naming the versions and features.
  static Status CheckWritable(const Snapshot& snapshot);

 private:
  struct Listing;
  Result<Listing> List() const;
  Result<SnapshotPtr> Replay(const Listing& listing, int64_t version, bool use_checkpoints) const;

  std::shared_ptr<io::FileSystem> fs_;
  std::string root_;
};

// Table configuration helpers (delta.* keys with the protocol's defaults).
int64_t CheckpointInterval(const Metadata& metadata);      // delta.checkpointInterval, 10
int64_t DeletedFileRetentionMs(const Metadata& metadata);  // 7 days
int64_t LogRetentionMs(const Metadata& metadata);          // delta.logRetentionDuration, 30 days
// "interval 7 days", "168h", "30 minutes"; InvalidArgument for other text and for durations
// that do not fit in 64-bit milliseconds.
Result<int64_t> ParseIntervalMs(const std::string& interval);
// "168h", "30m", "90s", "1500ms": the shortest exact form.
std::string FormatDuration(int64_t ms);

}  // namespace sluice::lake

// Snapshot: the state of a Delta table at one version, the result of log replay.
//
// Immutable once built; shared between readers and transactions as shared_ptr<const Snapshot>.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sluice/columnar/schema.h"
#include "sluice/lake/actions.h"

namespace sluice::lake {

struct Snapshot {
  // -1 when the table does not exist yet (no commit in the log).
  int64_t version = -1;
  // Commit timestamp of `version` (ms since the epoch): the log file's modification time, made
  // strictly increasing across versions as the protocol asks.
  int64_t timestamp_ms = 0;
  Protocol protocol;
  Metadata metadata;
  // The table schema from metadata.schema_string (partition columns included).
  columnar::SchemaPtr schema;
  // Live data files by decoded relative path.
  std::map<std::string, AddFile> files;
  // Removed files still remembered (tombstones) by decoded relative path, for VACUUM and
  // checkpoints.
  std::map<std::string, RemoveFile> tombstones;
  // Application transactions by appId.
  std::map<std::string, Txn> app_transactions;
  // The checkpoint replay started from, when there was one.
  std::optional<int64_t> checkpoint_version;

  bool exists() const { return version >= 0; }
  // Sum of numRecords over the live files when every file has stats; nullopt otherwise.
  std::optional<int64_t> NumRecords() const;
  int64_t SizeBytes() const;
};

using SnapshotPtr = std::shared_ptr<const Snapshot>;

}  // namespace sluice::lake

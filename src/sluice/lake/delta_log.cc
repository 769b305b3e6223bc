#include "sluice/lake/delta_log.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>

#include "sluice/columnar/column.h"
#include "sluice/columnar/temporal.h"
#include "sluice/formats/parquet/parquet_reader.h"
#include "sluice/lake/checkpoint_writer.h"
#include "sluice/lake/column_mapping.h"
#include "sluice/lake/delta_schema.h"
#include "sluice/lake/file_statistics.h"
#include "sluice/lake/table_features.h"
#include "sluice/lake/table_path.h"

namespace sluice::lake {
namespace {

bool AllDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int64_t ToInt(std::string_view digits) {
  int64_t value = 0;
  for (const char c : digits) value = value * 10 + (c - '0');
  return value;
}

// "checkpoint.<uuid>.json" or "checkpoint.<uuid>.parquet".
bool IsUUIDCheckpoint(std::string_view rest) {
  if (!rest.starts_with("checkpoint.")) return false;
  std::string_view middle = rest.substr(11);
  if (middle.ends_with(".json")) {
    middle.remove_suffix(5);
  } else if (middle.ends_with(".parquet")) {
    middle.remove_suffix(8);
  } else {
    return false;
  }
  if (middle.size() != 36) return false;
  for (size_t i = 0; i < middle.size(); ++i) {
    const char c = middle[i];
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? c != '-' : !std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

std::string FileName(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Reader features whose presence does not change how sluice reads data (or whose effect is
// checked per file, as for deletion vectors).
bool ReaderFeatureReadable(const std::string& feature) {
  return feature == "timestampNtz" || feature == "deletionVectors" || feature == "columnMapping" ||
         feature == "vacuumProtocolCheck" || feature == "typeWidening" ||
         feature == "typeWidening-preview" || feature == "v2Checkpoint";
}

Status CheckReadable(const Snapshot& snapshot) {
  const Protocol& protocol = snapshot.protocol;
  if (protocol.min_reader_version > 3) {
    return Status::InvalidArgument("the table needs Delta reader version " +
                                   std::to_string(protocol.min_reader_version) +
                                   "; sluice reads up to version 3");
  }
  if (protocol.reader_features.has_value()) {
    for (const std::string& feature : *protocol.reader_features) {
      if (!ReaderFeatureReadable(feature)) {
        return Status::InvalidArgument("the table uses the Delta reader feature '" + feature +
                                       "', which sluice does not support");
      }
    }
  }
  auto mode = snapshot.metadata.configuration.find("delta.columnMapping.mode");
  if (mode != snapshot.metadata.configuration.end() && mode->second != "none" &&
      mode->second != "name" && mode->second != "id") {
    return Status::InvalidArgument("the table uses the column mapping mode '" + mode->second +
                                   "', which sluice does not know (it reads none, name and id)");
  }
  return Status::OK();
}

// Checks the path of a file action (table_path.h) and makes an absolute one inside the table
// relative, so every reader of the log sees relative paths that stay inside the table.
Status ResolvePath(const std::string& root, std::string* path) {
  SLUICE_ASSIGN_OR_RETURN(std::string relative, ResolveTablePath(root, *path));
  if (relative != DecodeActionPath(*path)) *path = EncodeActionPath(relative);
  return Status::OK();
}

Status ResolvePaths(const std::string& root, Action* action) {
  if (auto* add = std::get_if<AddFile>(action)) return ResolvePath(root, &add->path);
  if (auto* remove = std::get_if<RemoveFile>(action)) return ResolvePath(root, &remove->path);
  if (auto* cdc = std::get_if<CdcFile>(action)) return ResolvePath(root, &cdc->path);
  return Status::OK();
}

void Apply(Action&& action, Snapshot* snapshot) {
  std::visit(
      [&](auto&& item) {
        using T = std::decay_t<decltype(item)>;
        if constexpr (std::is_same_v<T, Protocol>) {
          snapshot->protocol = std::move(item);
        } else if constexpr (std::is_same_v<T, Metadata>) {
          snapshot->metadata = std::move(item);
        } else if constexpr (std::is_same_v<T, AddFile>) {
          snapshot->ApplyAdd(std::move(item));
        } else if constexpr (std::is_same_v<T, RemoveFile>) {
          snapshot->ApplyRemove(std::move(item));
        } else if constexpr (std::is_same_v<T, Txn>) {
          std::string key = item.app_id;
          snapshot->app_transactions.insert_or_assign(std::move(key), std::move(item));
        } else if constexpr (std::is_same_v<T, DomainMetadata>) {
          if (item.removed) {
            snapshot->domains.erase(item.domain);
          } else {
            std::string key = item.domain;
            snapshot->domains.insert_or_assign(std::move(key), std::move(item));
          }
        }
      },
      std::move(action));
}

}  // namespace

struct DeltaLog::Listing {
  struct Checkpoint {
    int64_t version = 0;
    int64_t parts = 1;
    std::map<int64_t, std::string> part_paths;  // part number → path
    bool complete() const { return static_cast<int64_t>(part_paths.size()) == parts; }
  };
  std::map<int64_t, io::FileInfo> commits;
  std::map<std::pair<int64_t, int64_t>, Checkpoint> checkpoints;  // (version, parts)
  // Strictly increasing commit timestamps by version.
  std::map<int64_t, int64_t> timestamps;
};

DeltaLog::DeltaLog(std::shared_ptr<io::FileSystem> fs, std::string table_root)
    : fs_(std::move(fs)), root_(std::move(table_root)) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

Result<std::shared_ptr<DeltaLog>> DeltaLog::Open(const std::string& table_uri) {
  SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<io::FileSystem> fs, io::FileSystemForUri(table_uri));
  return std::make_shared<DeltaLog>(std::move(fs), table_uri);
}

std::string DeltaLog::LogDir() const { return io::JoinPath(root_, "_delta_log/"); }

std::string DeltaLog::CommitPath(int64_t version) const {
  return io::JoinPath(root_, "_delta_log/" + CommitFileName(version));
}

Result<DeltaLog::Listing> DeltaLog::List() const {
  SLUICE_ASSIGN_OR_RETURN(std::vector<io::FileInfo> files, fs_->List(LogDir()));
  Listing listing;
  for (io::FileInfo& file : files) {
    const std::string name = FileName(file.path);
    if (name.size() < 21 || !AllDigits(std::string_view(name).substr(0, 20)) || name[20] != '.') {
      continue;
    }
    const int64_t version = ToInt(std::string_view(name).substr(0, 20));
    const std::string_view rest = std::string_view(name).substr(21);
    if (rest == "json") {
      listing.commits.emplace(version, std::move(file));
    } else if (rest == "checkpoint.parquet") {
      Listing::Checkpoint& checkpoint = listing.checkpoints[{version, 1}];
      checkpoint.version = version;
      checkpoint.parts = 1;
      checkpoint.part_paths[1] = file.path;
    } else if (IsUUIDCheckpoint(rest)) {
      // A v2 checkpoint named by a UUID (JSON or Parquet; its sidecars hold the file actions).
      Listing::Checkpoint& checkpoint = listing.checkpoints[{version, 0}];
      checkpoint.version = version;
      checkpoint.parts = 1;
      checkpoint.part_paths[1] = file.path;
    } else if (rest.size() == std::string_view("checkpoint.0000000001.0000000002.parquet").size() &&
               rest.starts_with("checkpoint.") && rest.ends_with(".parquet") &&
               AllDigits(rest.substr(11, 10)) && rest[21] == '.' &&
               AllDigits(rest.substr(22, 10))) {
      const int64_t part = ToInt(rest.substr(11, 10));
      const int64_t parts = ToInt(rest.substr(22, 10));
      if (part < 1 || part > parts) continue;
      Listing::Checkpoint& checkpoint = listing.checkpoints[{version, parts}];
      checkpoint.version = version;
      checkpoint.parts = parts;
      checkpoint.part_paths[part] = file.path;
    }
  }
  int64_t previous = std::numeric_limits<int64_t>::min();
  for (const auto& [version, info] : listing.commits) {
    int64_t timestamp = info.modification_time_ms;
    if (timestamp <= previous) timestamp = previous + 1;
    listing.timestamps[version] = timestamp;
    previous = timestamp;
  }
  return listing;
}

Result<bool> DeltaLog::Exists() const {
  SLUICE_ASSIGN_OR_RETURN(Listing listing, List());
  return !listing.commits.empty() || !listing.checkpoints.empty();
}

namespace {

// The path of a sidecar action's file (relative to _delta_log/_sidecars/).
Result<std::string> SidecarPath(std::string_view object_json, const std::string& checkpoint) {
  nlohmann::json sidecar = nlohmann::json::parse(object_json, nullptr, false);
  if (sidecar.is_discarded() || !sidecar.is_object() || !sidecar.contains("path") ||
      !sidecar["path"].is_string()) {
    return Status::DataError(checkpoint + ": a sidecar action without a path");
  }
  std::string path = DecodeActionPath(sidecar["path"].get<std::string>());
  if (path.empty() || path.find('/') != std::string::npos || path == "." || path == "..") {
    return Status::DataError(checkpoint + ": sidecar path '" + path +
                             "' is not a file name in _delta_log/_sidecars");
  }
  return path;
}

Status ReadCheckpointPart(io::FileSystem* fs, const std::string& root, const std::string& path,
                          Snapshot* snapshot);

// Reads the file actions of a v2 checkpoint's sidecars.
Status ReadSidecars(io::FileSystem* fs, const std::string& root, const std::string& checkpoint,
                    const std::vector<std::string>& sidecars, Snapshot* snapshot) {
  for (const std::string& sidecar : sidecars) {
    const std::string sidecar_path = io::JoinPath(root, "_delta_log/_sidecars/" + sidecar);
    SLUICE_RETURN_NOT_OK(ReadCheckpointPart(fs, root, sidecar_path, snapshot));
  }
  return Status::OK();
}

// A v2 checkpoint in JSON: one action per line, sidecars named by sidecar actions.
Status ReadJsonCheckpoint(io::FileSystem* fs, const std::string& root, const std::string& path,
                          Snapshot* snapshot) {
  SLUICE_ASSIGN_OR_RETURN(std::string text, fs->ReadAll(path));
  std::vector<std::string> sidecars;
  size_t start = 0;
  int64_t line_number = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string_view line = std::string_view(text).substr(start, end - start);
    start = end + 1;
    ++line_number;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    nlohmann::json object = nlohmann::json::parse(line, nullptr, false);
    if (object.is_discarded() || !object.is_object() || object.size() != 1) {
      return Status::DataError(path + ":" + std::to_string(line_number) +
                               ": not a JSON object with one action");
    }
    const std::string kind = object.begin().key();
    if (kind == "sidecar") {
      SLUICE_ASSIGN_OR_RETURN(std::string sidecar, SidecarPath(object.begin()->dump(), path));
      sidecars.push_back(std::move(sidecar));
      continue;
    }
    if (kind != "protocol" && kind != "metaData" && kind != "txn" && kind != "add" &&
        kind != "remove" && kind != "domainMetadata") {
      continue;  // checkpointMetadata, ...
    }
    Result<Action> action = ParseAction(kind, object.begin()->dump());
    if (!action.ok()) return action.status().WithContext(path + ":" + std::to_string(line_number));
    SLUICE_RETURN_NOT_OK(ResolvePaths(root, &*action).WithContext(path));
    Apply(std::move(action).ValueUnsafe(), snapshot);
  }
  return ReadSidecars(fs, root, path, sidecars, snapshot);
}

// Reads every action of a (part of a) checkpoint: classic, multi-part, a v2 checkpoint (JSON or
// Parquet, with sidecars) or a sidecar.
Status ReadCheckpointPart(io::FileSystem* fs, const std::string& root, const std::string& path,
                          Snapshot* snapshot) {
  if (path.ends_with(".json")) return ReadJsonCheckpoint(fs, root, path, snapshot);
  SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<io::RandomAccessFile> file, fs->OpenForRead(path));
  SLUICE_ASSIGN_OR_RETURN(auto metadata_reader, parquet::ParquetReader::Open(file));
  const columnar::SchemaPtr full_schema = metadata_reader->schema();
  static constexpr const char* kKinds[] = {"protocol", "metaData", "txn",           "add",
                                           "remove",   "sidecar",  "domainMetadata"};
  std::vector<std::string> sidecars;
  parquet::ParquetReadOptions options;
  options.threads = 1;
  for (const char* kind : kKinds) {
    if (full_schema->FieldIndex(kind).has_value()) options.columns.push_back(kind);
  }
  if (options.columns.empty()) {
    return Status::DataError(path + ": not a Delta checkpoint (no action columns)");
  }
  SLUICE_ASSIGN_OR_RETURN(auto reader, parquet::ParquetReader::Open(file, options));
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(columnar::BatchPtr batch, reader->Next());
    if (batch == nullptr) break;
    for (size_t c = 0; c < batch->num_columns(); ++c) {
      const columnar::Column& column = batch->column(c);
      if (!column.type().is_binary_like()) {
        return Status::DataError(path + ": checkpoint column " + options.columns[c] +
                                 " is not a struct");
      }
      const auto& values = static_cast<const columnar::StringColumn&>(column);
      for (int64_t row = 0; row < batch->num_rows(); ++row) {
        if (values.IsNull(row)) continue;
        if (options.columns[c] == "sidecar") {
          SLUICE_ASSIGN_OR_RETURN(std::string sidecar, SidecarPath(values.Value(row), path));
          sidecars.push_back(std::move(sidecar));
          continue;
        }
        Result<Action> action = ParseAction(options.columns[c], values.Value(row));
        if (!action.ok()) return action.status().WithContext(path);
        SLUICE_RETURN_NOT_OK(ResolvePaths(root, &*action).WithContext(path));
        Apply(std::move(action).ValueUnsafe(), snapshot);
      }
    }
  }
  return ReadSidecars(fs, root, path, sidecars, snapshot);
}

}  // namespace

Result<SnapshotPtr> DeltaLog::Replay(const Listing& listing, int64_t version,
                                     bool use_checkpoints) const {
  auto snapshot = std::make_shared<Snapshot>();
  int64_t start = 0;
  if (use_checkpoints) {
    // Candidates newest first (the listing shows every checkpoint, so `_last_checkpoint`, which
    // sluice writes for other readers, is not needed to find them).
    std::vector<const Listing::Checkpoint*> candidates;
    for (const auto& [key, checkpoint] : listing.checkpoints) {
      if (checkpoint.version <= version && checkpoint.complete()) {
        candidates.push_back(&checkpoint);
      }
    }
    std::sort(candidates.begin(), candidates.end(),
              [](const auto* a, const auto* b) { return a->version > b->version; });
    for (const Listing::Checkpoint* checkpoint : candidates) {
      auto attempt = std::make_shared<Snapshot>();
      Status status;
      for (const auto& [part, path] : checkpoint->part_paths) {
        status = ReadCheckpointPart(fs_.get(), root_, path, attempt.get());
        if (!status.ok()) break;
      }
      if (status.ok() && attempt->metadata.schema_string.empty()) {
        status = Status::DataError("checkpoint has no metaData action");
      }
      if (status.ok()) {
        snapshot = std::move(attempt);
        snapshot->checkpoint_version = checkpoint->version;
        start = checkpoint->version + 1;
        break;
      }
      // An unreadable checkpoint (for example cut short by a crash of a writer that did not
      // write it atomically) is passed over; replay then starts from an older one.
    }
  }
  std::optional<int64_t> in_commit_timestamp;  // of `version`, when its commit has one
  for (int64_t v = start; v <= version; ++v) {
    auto it = listing.commits.find(v);
    if (it == listing.commits.end()) {
      if (v == 0 && !snapshot->checkpoint_version.has_value()) {
        if (!listing.checkpoints.empty() && listing.checkpoints.begin()->first.first > version) {
          return Status::NotFound(root_ + ": version " + std::to_string(version) +
                                  " is no longer in the log (cleaned up after "
                                  "delta.logRetentionDuration); the oldest version is " +
                                  std::to_string(listing.checkpoints.begin()->first.first));
        }
        return Status::DataError(LogDir() +
                                 ": the log has no version 0 and no usable checkpoint to start "
                                 "from (was the log cleaned up?)");
      }
      return Status::DataError(LogDir() + ": version " + std::to_string(v) +
                               " is missing from the log");
    }
    SLUICE_ASSIGN_OR_RETURN(std::string text, fs_->ReadAll(it->second.path));
    SLUICE_ASSIGN_OR_RETURN(std::vector<Action> actions, ParseCommit(text, it->second.path));
    for (Action& action : actions) {
      SLUICE_RETURN_NOT_OK(ResolvePaths(root_, &action).WithContext(it->second.path));
      if (const auto* info = std::get_if<CommitInfo>(&action); info != nullptr && v == version) {
        in_commit_timestamp = info->in_commit_timestamp;
      }
      Apply(std::move(action), snapshot.get());
    }
  }
  snapshot->version = version;
  auto timestamp = listing.timestamps.find(version);
  snapshot->timestamp_ms = timestamp != listing.timestamps.end() ? timestamp->second : 0;
  if (in_commit_timestamp.has_value()) snapshot->timestamp_ms = *in_commit_timestamp;
  if (snapshot->metadata.schema_string.empty()) {
    return Status::DataError(LogDir() + ": no metaData action up to version " +
                             std::to_string(version));
  }
  SLUICE_ASSIGN_OR_RETURN(columnar::Schema schema,
                          ParseDeltaSchema(snapshot->metadata.schema_string));
  snapshot->schema = std::make_shared<const columnar::Schema>(std::move(schema));
  SLUICE_RETURN_NOT_OK(ExpireTransactions(snapshot.get()).WithContext(root_));
  SLUICE_ASSIGN_OR_RETURN(std::vector<PhysicalColumn> physical,
                          PhysicalColumnsOf(snapshot->metadata));
  snapshot->SetColumnMapping(ColumnMappingMode(snapshot->metadata), std::move(physical));
  SLUICE_RETURN_NOT_OK(CheckReadable(*snapshot).WithContext(root_));
  return SnapshotPtr(std::move(snapshot));
}

Result<SnapshotPtr> DeltaLog::Load(std::optional<int64_t> version) const {
  SLUICE_ASSIGN_OR_RETURN(Listing listing, List());
  int64_t latest = listing.commits.empty() ? -1 : listing.commits.rbegin()->first;
  if (!listing.checkpoints.empty()) {
    latest = std::max(latest, listing.checkpoints.rbegin()->first.first);
  }
  if (latest < 0) {
    if (version.has_value()) {
      return Status::NotFound(root_ + " is not a Delta table (no _delta_log commits)");
    }
    return std::make_shared<const Snapshot>();
  }
  if (version.has_value() && (*version < 0 || *version > latest)) {
    return Status::NotFound(root_ + ": version " + std::to_string(*version) +
                            " does not exist (latest is " + std::to_string(latest) + ")");
  }
  return Replay(listing, version.value_or(latest), /*use_checkpoints=*/true);
}

Result<SnapshotPtr> DeltaLog::LoadFromJsonOnly(std::optional<int64_t> version) const {
  SLUICE_ASSIGN_OR_RETURN(Listing listing, List());
  if (listing.commits.empty()) return Status::NotFound(root_ + " has no JSON commits");
  return Replay(listing, version.value_or(listing.commits.rbegin()->first),
                /*use_checkpoints=*/false);
}

Result<SnapshotPtr> DeltaLog::LoadAtTimestamp(int64_t timestamp_ms) const {
  SLUICE_ASSIGN_OR_RETURN(Listing listing, List());
  if (listing.timestamps.empty()) {
    return Status::NotFound(root_ + " is not a Delta table (no _delta_log commits)");
  }
  // In-commit timestamps (delta.enableInCommitTimestamps): from the enablement version on, a
  // version's time is its commitInfo.inCommitTimestamp — monotonic, so found by binary search.
  SLUICE_ASSIGN_OR_RETURN(SnapshotPtr latest,
                          Replay(listing, listing.timestamps.rbegin()->first, true));
  const auto& configuration = latest->metadata.configuration;
  auto enabled = configuration.find("delta.enableInCommitTimestamps");
  auto since = configuration.find("delta.inCommitTimestampEnablementVersion");
  if (enabled != configuration.end() && enabled->second == "true") {
    int64_t low = 0;
    if (since != configuration.end() && !since->second.empty() && AllDigits(since->second) &&
        since->second.size() < 19) {
      low = ToInt(since->second);
    }
    low = std::max(low, listing.timestamps.begin()->first);
    const auto commit_time = [&](int64_t version) -> Result<int64_t> {
      SLUICE_ASSIGN_OR_RETURN(std::vector<Action> actions, ReadCommit(version));
      for (const Action& action : actions) {
        const auto* info = std::get_if<CommitInfo>(&action);
        if (info != nullptr && info->in_commit_timestamp.has_value()) {
          return *info->in_commit_timestamp;
        }
      }
      return Status::DataError(CommitPath(version) +
                               ": no inCommitTimestamp although the table has "
                               "delta.enableInCommitTimestamps=true");
    };
    SLUICE_ASSIGN_OR_RETURN(int64_t first, commit_time(low));
    if (timestamp_ms >= first) {
      int64_t high = latest->version;  // the answer is in [low, high]
      while (low < high) {
        const int64_t middle = low + (high - low + 1) / 2;
        SLUICE_ASSIGN_OR_RETURN(int64_t time, commit_time(middle));
        if (time <= timestamp_ms) {
          low = middle;
        } else {
          high = middle - 1;
        }
      }
      return Replay(listing, low, /*use_checkpoints=*/true);
    }
    // Before the enablement: the log files' times, for the versions before it.
    for (auto it = listing.timestamps.begin(); it != listing.timestamps.end();) {
      it = it->first >= low ? listing.timestamps.erase(it) : std::next(it);
    }
    if (listing.timestamps.empty()) {
      return Status::NotFound(root_ + ": the timestamp is before the earliest available version");
    }
  }
  std::optional<int64_t> found;
  for (const auto& [version, timestamp] : listing.timestamps) {
    if (timestamp <= timestamp_ms) found = version;
  }
  if (!found.has_value()) {
    std::string earliest;
    columnar::AppendTimestamp(listing.timestamps.begin()->second * 1000, /*iso=*/true, &earliest);
    return Status::NotFound(root_ + ": the timestamp is before the earliest available version " +
                            std::to_string(listing.timestamps.begin()->first) + " (" + earliest +
                            ")");
  }
  return Replay(listing, *found, /*use_checkpoints=*/true);
}

Result<std::map<int64_t, int64_t>> DeltaLog::CommitTimestamps() const {
  SLUICE_ASSIGN_OR_RETURN(Listing listing, List());
  return listing.timestamps;
}

Result<std::vector<Action>> DeltaLog::ReadCommit(int64_t version) const {
  const std::string path = CommitPath(version);
  SLUICE_ASSIGN_OR_RETURN(std::string text, fs_->ReadAll(path));
  SLUICE_ASSIGN_OR_RETURN(std::vector<Action> actions, ParseCommit(text, path));
  for (Action& action : actions)
    SLUICE_RETURN_NOT_OK(ResolvePaths(root_, &action).WithContext(path));
  return actions;
}

Result<std::vector<HistoryEntry>> DeltaLog::History(int64_t limit) const {
  SLUICE_ASSIGN_OR_RETURN(Listing listing, List());
  std::vector<HistoryEntry> entries;
  for (auto it = listing.commits.rbegin(); it != listing.commits.rend(); ++it) {
    if (limit > 0 && static_cast<int64_t>(entries.size()) >= limit) break;
    HistoryEntry entry;
    entry.version = it->first;
    entry.timestamp_ms = listing.timestamps.at(it->first);
    SLUICE_ASSIGN_OR_RETURN(std::string text, fs_->ReadAll(it->second.path));
    SLUICE_ASSIGN_OR_RETURN(std::vector<Action> actions, ParseCommit(text, it->second.path));
    for (const Action& action : actions) {
      if (const auto* info = std::get_if<CommitInfo>(&action)) entry.commit_info = *info;
      if (std::holds_alternative<AddFile>(action)) ++entry.files_added;
      if (std::holds_alternative<RemoveFile>(action)) ++entry.files_removed;
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

Status DeltaLog::WriteCheckpoint(const Snapshot& snapshot, int64_t now_ms) const {
  CheckpointContents contents;
  contents.protocol = snapshot.protocol;
  contents.metadata = snapshot.metadata;
  for (const auto& [app_id, txn] : snapshot.app_transactions) contents.txns.push_back(txn);
  for (const auto& [name, domain] : snapshot.domains) contents.domains.push_back(domain);
  contents.adds.reserve(snapshot.files.size());
  for (const auto& [path, add] : snapshot.files) contents.adds.push_back(add);
  const int64_t horizon = now_ms - DeletedFileRetentionMs(snapshot.metadata);
  for (const auto& [path, remove] : snapshot.tombstones) {
    if (remove.deletion_timestamp.value_or(0) > horizon) contents.removes.push_back(remove);
  }
  char name[64];
  std::snprintf(name, sizeof(name), "%020lld.checkpoint.parquet",
                static_cast<long long>(snapshot.version));
  const std::string path = io::JoinPath(LogDir(), name);
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<io::OutputStream> out, fs_->OpenForWrite(path));
  SLUICE_ASSIGN_OR_RETURN(int64_t bytes, lake::WriteCheckpoint(contents, std::move(out)));
  const int64_t actions =
      2 + static_cast<int64_t>(contents.txns.size() + contents.adds.size() +
                               contents.removes.size() + contents.domains.size());
  nlohmann::ordered_json hint;
  hint["version"] = snapshot.version;
  hint["size"] = actions;
  hint["sizeInBytes"] = bytes;
  hint["numOfAddFiles"] = static_cast<int64_t>(contents.adds.size());
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<io::OutputStream> hint_out,
                          fs_->OpenForWrite(io::JoinPath(LogDir(), "_last_checkpoint")));
  SLUICE_RETURN_NOT_OK(hint_out->Write(hint.dump()));
  return hint_out->Close();
}

Result<int64_t> DeltaLog::CleanUpExpiredLog(const Snapshot& snapshot, int64_t now_ms) const {
  auto enabled = snapshot.metadata.configuration.find("delta.enableExpiredLogCleanup");
  if (enabled != snapshot.metadata.configuration.end() && enabled->second == "false") return 0;
  SLUICE_ASSIGN_OR_RETURN(Listing listing, List());
  const int64_t cutoff = now_ms - LogRetentionMs(snapshot.metadata);
  // The newest complete checkpoint whose version was committed at or before the cutoff.
  const Listing::Checkpoint* start = nullptr;
  for (const auto& [key, checkpoint] : listing.checkpoints) {
    auto timestamp = listing.timestamps.find(checkpoint.version);
    if (!checkpoint.complete() || checkpoint.version > snapshot.version ||
        timestamp == listing.timestamps.end() || timestamp->second > cutoff) {
      continue;
    }
    if (start == nullptr || checkpoint.version > start->version) start = &checkpoint;
  }
  if (start == nullptr || start->version == 0) return 0;
  // Never cut the log back to a checkpoint that does not read whole.
  Snapshot probe;
  for (const auto& [part, path] : start->part_paths) {
    SLUICE_RETURN_NOT_OK(ReadCheckpointPart(fs_.get(), root_, path, &probe));
  }
  if (probe.metadata.schema_string.empty()) return 0;
  const std::string log_dir = LogDir();
  SLUICE_ASSIGN_OR_RETURN(std::vector<io::FileInfo> files, fs_->List(log_dir));
  std::vector<std::string> doomed;
  for (const io::FileInfo& file : files) {
    const std::string relative = file.path.substr(std::min(file.path.size(), log_dir.size()));
    // Commits, checkpoints, checksums (.crc) and — named after their checkpoint's version —
    // sidecars; nothing else in the log folder.
    if (relative.find('/') != std::string::npos && !relative.starts_with("_sidecars/")) continue;
    const std::string name = FileName(file.path);
    if (name.size() < 21 || !AllDigits(std::string_view(name).substr(0, 20)) || name[20] != '.') {
      continue;
    }
    if (ToInt(std::string_view(name).substr(0, 20)) < start->version) doomed.push_back(file.path);
  }
  SLUICE_RETURN_NOT_OK(fs_->DeleteMany(doomed));
  return static_cast<int64_t>(doomed.size());
}

Status DeltaLog::CheckWritable(const Snapshot& snapshot) { return lake::CheckWritable(snapshot); }

int64_t CheckpointInterval(const Metadata& metadata) {
  auto it = metadata.configuration.find("delta.checkpointInterval");
  if (it != metadata.configuration.end()) {
    int64_t value = 0;
    if (AllDigits(it->second) && it->second.size() < 10) value = ToInt(it->second);
    if (value > 0) return value;
  }
  return 10;
}

namespace {

// A duration property of the table, or `fallback` when it is absent or does not parse.
int64_t DurationProperty(const Metadata& metadata, const std::string& key, int64_t fallback) {
  auto it = metadata.configuration.find(key);
  if (it != metadata.configuration.end()) {
    Result<int64_t> parsed = ParseIntervalMs(it->second);
    if (parsed.ok()) return *parsed;
  }
  return fallback;
}

}  // namespace

int64_t LogRetentionMs(const Metadata& metadata) {
  return DurationProperty(metadata, "delta.logRetentionDuration", 30ll * 24 * 3600 * 1000);
}

int64_t DeletedFileRetentionMs(const Metadata& metadata) {
  return DurationProperty(metadata, "delta.deletedFileRetentionDuration", 7ll * 24 * 3600 * 1000);
}

Result<int64_t> ParseIntervalMs(const std::string& interval) {
  std::string text;
  for (const char c : interval)
    text += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (text.starts_with("interval ")) text = text.substr(9);
  // "<n> <unit>" or "<n><unit>"
  size_t i = 0;
  while (i < text.size() && text[i] == ' ') ++i;
  size_t digits_begin = i;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  if (i == digits_begin || i - digits_begin > 12) {
    return Status::InvalidArgument("'" + interval +
                                   "' is not a duration (write e.g. 168h, 7d, 30m or 'interval 7 "
                                   "days')");
  }
  const int64_t amount = ToInt(std::string_view(text).substr(digits_begin, i - digits_begin));
  while (i < text.size() && text[i] == ' ') ++i;
  std::string unit = text.substr(i);
  while (!unit.empty() && unit.back() == ' ') unit.pop_back();
  int64_t factor = 0;
  if (unit == "ms" || unit == "millisecond" || unit == "milliseconds") {
    factor = 1;
  } else if (unit == "s" || unit == "second" || unit == "seconds") {
    factor = 1000;
  } else if (unit == "m" || unit == "min" || unit == "minute" || unit == "minutes") {
    factor = 60 * 1000;
  } else if (unit == "h" || unit == "hour" || unit == "hours") {
    factor = 3600 * 1000;
  } else if (unit == "d" || unit == "day" || unit == "days") {
    factor = 24 * 3600 * 1000;
  } else if (unit == "w" || unit == "week" || unit == "weeks") {
    factor = 7ll * 24 * 3600 * 1000;
  } else {
    return Status::InvalidArgument("'" + interval + "': unknown unit '" + unit +
                                   "' (use ms, s, m, h, d or w)");
  }
  if (amount > std::numeric_limits<int64_t>::max() / factor) {
    return Status::InvalidArgument("'" + interval + "' is too long a duration");
  }
  return amount * factor;
}

std::string FormatDuration(int64_t ms) {
  if (ms != 0 && ms % (3600 * 1000) == 0) return std::to_string(ms / (3600 * 1000)) + "h";
  if (ms != 0 && ms % (60 * 1000) == 0) return std::to_string(ms / (60 * 1000)) + "m";
  if (ms != 0 && ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

}  // namespace sluice::lake

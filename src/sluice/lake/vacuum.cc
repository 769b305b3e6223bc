// VACUUM (DeltaTable::Vacuum, delta_table.h): deletes what no version inside the retention
// window needs — removed data files, deletion vector files, old change data, files never
// committed — and what killed writers left behind.
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "sluice/lake/deletion_vector.h"
#include "sluice/lake/delta_table.h"

namespace sluice::lake {

Result<VacuumResult> DeltaTable::Vacuum(const VacuumOptions& options) {
  SLUICE_ASSIGN_OR_RETURN(SnapshotPtr snapshot, log_->Load());
  if (!snapshot->exists()) return Status::NotFound(log_->root() + " is not a Delta table");
  SLUICE_RETURN_NOT_OK(DeltaLog::CheckWritable(*snapshot));
  VacuumResult result;
  result.table_retention_ms = DeletedFileRetentionMs(snapshot->metadata);
  result.retention_ms = options.retention_ms.value_or(result.table_retention_ms);
  if (result.retention_ms < 0) return Status::InvalidArgument("retention must not be negative");
  if (result.retention_ms < result.table_retention_ms && !options.allow_short_retention) {
    return Status::InvalidArgument(
        log_->root() + ": a retention of " + FormatDuration(result.retention_ms) +
        " is below the table's delta.deletedFileRetentionDuration (" +
        FormatDuration(result.table_retention_ms) +
        "): files a running writer has written but not yet committed, and files readers of "
        "recent versions still need, would be deleted. Keep the default, or — only when no "
        "writer or reader can be using the table — override the check explicitly");
  }
  const int64_t now_ms = options.now_ms != 0 ? options.now_ms : CurrentTimeMs();
  const int64_t horizon = now_ms - result.retention_ms;
  // Every file a version inside the window may reference: data files and deletion vector files.
  std::unordered_set<std::string> protected_files;
  std::unordered_set<std::string> expired;
  auto note = [&](const std::string& path, const std::optional<DeletionVector>& dv, bool keep) {
    std::vector<std::string> paths = {path};
    if (dv.has_value()) {
      Result<std::optional<std::string>> file = DeletionVectorFile(log_->root(), *dv);
      if (file.ok() && file->has_value()) paths.push_back(**file);
    }
    for (std::string& item : paths) {
      if (keep) {
        protected_files.insert(std::move(item));
      } else {
        expired.insert(std::move(item));
      }
    }
  };
  for (const auto& [key, add] : snapshot->files) note(key.path, add.deletion_vector, true);
  for (const auto& [key, remove] : snapshot->tombstones) {
    note(key.path, remove.deletion_vector, remove.deletion_timestamp.value_or(now_ms) > horizon);
  }
  SLUICE_ASSIGN_OR_RETURN(std::vector<io::FileInfo> listing,
                          log_->fs()->List(io::JoinPath(log_->root(), "")));
  const std::string prefix = io::JoinPath(log_->root(), "");
  std::vector<std::string> doomed;
  for (const io::FileInfo& file : listing) {
    if (!file.path.starts_with(prefix)) continue;
    const std::string relative = file.path.substr(prefix.size());
    // Hidden and internal paths (_delta_log, _sluice, .crc files, ...) are never touched; change
    // data files (_change_data/) are, once older than the retention (no snapshot holds them).
    bool hidden = false;
    size_t start = relative.starts_with("_change_data/") ? 13 : 0;
    while (start < relative.size()) {
      const char first = relative[start];
      if ((first == '_' || first == '.') &&
          !std::string_view(relative).substr(start).starts_with("__HIVE_DEFAULT_PARTITION__")) {
        // A partition directory "col=..." never starts with '_' or '.' unless the column does.
        const size_t equals = relative.find('=', start);
        const size_t slash = relative.find('/', start);
        if (equals == std::string::npos || (slash != std::string::npos && equals > slash)) {
          hidden = true;
          break;
        }
      }
      const size_t slash = relative.find('/', start);
      if (slash == std::string::npos) break;
      start = slash + 1;
    }
    if (hidden || protected_files.count(relative) != 0) continue;
    // Untracked files (written by a writer that crashed or has not committed yet) go only once
    // they are older than the retention.
    if (expired.count(relative) == 0 && file.modification_time_ms > horizon) continue;
    result.files.push_back(relative);
    result.bytes += file.size;
    doomed.push_back(file.path);
  }
  // One batch request per 1000 objects on an object store.
  if (!options.dry_run) SLUICE_RETURN_NOT_OK(log_->fs()->DeleteMany(doomed));
  SLUICE_ASSIGN_OR_RETURN(std::vector<io::FileInfo> stale,
                          log_->fs()->AbortStaleWrites(prefix, horizon, options.dry_run));
  for (const io::FileInfo& file : stale) result.stale_writes.push_back(file.path);
  return result;
}

}  // namespace sluice::lake

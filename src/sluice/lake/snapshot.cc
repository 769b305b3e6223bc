#include "sluice/lake/snapshot.h"

#include "sluice/lake/file_statistics.h"

namespace sluice::lake {

const AddFile* Snapshot::FindFile(const std::string& path) const {
  auto it = files.lower_bound(FileKey{path, ""});
  return it != files.end() && it->first.path == path ? &it->second : nullptr;
}

void Snapshot::ApplyAdd(AddFile add) {
  FileKey key = KeyOf(add);
  // One live logical file per path: the newest (path, deletion vector) pair wins.
  auto it = files.lower_bound(FileKey{key.path, ""});
  while (it != files.end() && it->first.path == key.path) {
    it = it->first == key ? std::next(it) : files.erase(it);
  }
  tombstones.erase(key);
  files.insert_or_assign(std::move(key), std::move(add));
}

void Snapshot::ApplyRemove(RemoveFile remove) {
  FileKey key = KeyOf(remove);
  files.erase(key);
  tombstones.insert_or_assign(std::move(key), std::move(remove));
}

std::optional<int64_t> Snapshot::NumRecords() const {
  int64_t total = 0;
  for (const auto& [key, add] : files) {
    if (!add.stats.has_value() || schema == nullptr) return std::nullopt;
    Result<FileStats> stats = ParseStats(*add.stats, *schema);
    if (!stats.ok() || !stats->num_records.has_value()) return std::nullopt;
    total += *stats->num_records;
    if (add.deletion_vector.has_value()) total -= add.deletion_vector->cardinality;
  }
  return total;
}

int64_t Snapshot::SizeBytes() const {
  int64_t total = 0;
  for (const auto& [key, add] : files) total += add.size;
  return total;
}

}  // namespace sluice::lake

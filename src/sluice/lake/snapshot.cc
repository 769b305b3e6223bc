#include "sluice/lake/snapshot.h"

#include "sluice/lake/file_statistics.h"

namespace sluice::lake {

std::optional<int64_t> Snapshot::TransactionVersion(const std::string& app_id) const {
  auto it = app_transactions.find(app_id);
  if (it != app_transactions.end()) return it->second.version;
  if (archived_transactions != nullptr) return archived_transactions->Find(app_id);
  return std::nullopt;
}

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

void Snapshot::SetColumnMapping(std::string mode, std::vector<PhysicalColumn> columns) {
  column_mapping_mode = std::move(mode);
  physical_columns = std::move(columns);
  physical_schema = nullptr;
  if (physical_columns.empty() || schema == nullptr ||
      physical_columns.size() != schema->num_fields()) {
    return;
  }
  std::vector<columnar::Field> fields = schema->fields();
  for (size_t i = 0; i < fields.size(); ++i) fields[i].name = physical_columns[i].physical_name;
  physical_schema = std::make_shared<const columnar::Schema>(std::move(fields));
}

const std::string& Snapshot::PhysicalName(const std::string& name) const {
  if (physical_columns.empty() || schema == nullptr) return name;
  const std::optional<size_t> index = schema->FieldIndex(name);
  if (!index.has_value() || *index >= physical_columns.size()) return name;
  return physical_columns[*index].physical_name;
}

const columnar::Schema& Snapshot::StatsSchema() const {
  return physical_schema != nullptr ? *physical_schema : *schema;
}

std::optional<int64_t> Snapshot::NumRecords() const {
  int64_t total = 0;
  for (const auto& [key, add] : files) {
    if (!add.stats.has_value() || schema == nullptr) return std::nullopt;
    Result<FileStats> stats = ParseStats(*add.stats, StatsSchema());
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

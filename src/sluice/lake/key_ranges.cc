#include "sluice/lake/key_ranges.h"

#include <algorithm>
#include <variant>

namespace sluice::lake {

KeyRanges::KeyRanges(std::vector<std::string> columns)
    : columns_(std::move(columns)), sorted_values_(columns_.size()) {}

void KeyRanges::AddRow(const columnar::Batch& batch, const std::vector<size_t>& indices,
                       int64_t row) {
  for (size_t k = 0; k < indices.size(); ++k) {
    sorted_values_[k].push_back(StatValueAt(batch.column(indices[k]), row));
  }
}

void KeyRanges::Seal() {
  for (auto& values : sorted_values_) {
    std::erase_if(values,
                  [](const StatValue& v) { return std::holds_alternative<std::monostate>(v); });
    std::sort(values.begin(), values.end(),
              [](const StatValue& a, const StatValue& b) { return CompareStatValues(a, b) < 0; });
  }
}

bool KeyRanges::MayContain(const AddFile& add, const Snapshot& snapshot) const {
  std::optional<FileStats> stats;
  bool parsed = false;
  for (size_t k = 0; k < columns_.size(); ++k) {
    const std::vector<StatValue>& values = sorted_values_[k];
    if (values.empty()) continue;
    const std::vector<std::string>& partitions = snapshot.metadata.partition_columns;
    std::optional<StatValue> low;
    std::optional<StatValue> high;
    const std::string& key = snapshot.PhysicalName(columns_[k]);
    if (std::find(partitions.begin(), partitions.end(), columns_[k]) != partitions.end()) {
      auto it = add.partition_values.find(key);
      if (it == add.partition_values.end() || !it->second.has_value()) return false;
      const columnar::DataType type =
          snapshot.schema->field(*snapshot.schema->FieldIndex(columns_[k])).type;
      Result<StatValue> value = PartitionStatValue(*it->second, type);
      if (!value.ok()) continue;
      low = *value;
      high = *value;
    } else {
      if (!parsed) {
        parsed = true;
        if (add.stats.has_value()) {
          Result<FileStats> result = ParseStats(*add.stats, snapshot.StatsSchema());
          if (result.ok()) stats = std::move(result).ValueUnsafe();
        }
      }
      if (!stats.has_value()) return true;
      auto it = stats->columns.find(key);
      if (it == stats->columns.end()) continue;
      low = it->second.min;
      high = it->second.max;
    }
    if (!low.has_value() || !high.has_value() || low->index() != values.front().index() ||
        high->index() != values.front().index()) {
      continue;
    }
    auto first = std::lower_bound(
        values.begin(), values.end(), *low,
        [](const StatValue& a, const StatValue& b) { return CompareStatValues(a, b) < 0; });
    if (first == values.end() || CompareStatValues(*first, *high) > 0) return false;
  }
  return true;
}

}  // namespace sluice::lake

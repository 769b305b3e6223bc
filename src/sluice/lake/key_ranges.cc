#include "sluice/lake/key_ranges.h"

#include <algorithm>
#include <variant>

namespace sluice::lake {

KeyRanges::KeyRanges(std::vector<std::string> columns)
    : columns_(std::move(columns)),
      sorted_ints_(columns_.size()),
      sorted_values_(columns_.size()) {}

void KeyRanges::AddRow(const columnar::Batch& batch, const std::vector<size_t>& indices,
                       int64_t row) {
  for (size_t k = 0; k < indices.size(); ++k) {
    StatValue value = StatValueAt(batch.column(indices[k]), row);
    if (const int64_t* integer = std::get_if<int64_t>(&value)) {
      sorted_ints_[k].push_back(*integer);
    } else if (!std::holds_alternative<std::monostate>(value)) {
      sorted_values_[k].push_back(std::move(value));
    }
  }
}

void KeyRanges::Seal() {
  for (size_t k = 0; k < columns_.size(); ++k) {
    std::vector<int64_t>& ints = sorted_ints_[k];
    std::vector<StatValue>& values = sorted_values_[k];
    if (!values.empty() && !ints.empty()) {  // one column of two kinds: compare them all alike
      for (int64_t value : ints) values.emplace_back(value);
      ints.clear();
    }
    std::sort(ints.begin(), ints.end());
    ints.erase(std::unique(ints.begin(), ints.end()), ints.end());
    ints.shrink_to_fit();
    auto less = [](const StatValue& a, const StatValue& b) { return CompareStatValues(a, b) < 0; };
    std::sort(values.begin(), values.end(), less);
    values.erase(std::unique(values.begin(), values.end(),
                             [](const StatValue& a, const StatValue& b) {
                               return CompareStatValues(a, b) == 0;
                             }),
                 values.end());
    values.shrink_to_fit();
  }
}

bool KeyRanges::MayContain(const AddFile& add, const Snapshot& snapshot) const {
  std::optional<FileStats> stats;
  bool parsed = false;
  for (size_t k = 0; k < columns_.size(); ++k) {
    const std::vector<int64_t>& ints = sorted_ints_[k];
    const std::vector<StatValue>& values = sorted_values_[k];
    if (values.empty() && ints.empty()) continue;
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
    if (!ints.empty()) {
      const int64_t* min = low ? std::get_if<int64_t>(&*low) : nullptr;
      const int64_t* max = high ? std::get_if<int64_t>(&*high) : nullptr;
      if (min == nullptr || max == nullptr) continue;
      auto first = std::lower_bound(ints.begin(), ints.end(), *min);
      if (first == ints.end() || *first > *max) return false;
      continue;
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

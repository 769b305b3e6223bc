#include "sluice/lake/merge_keys.h"

#include <algorithm>

#include "sluice/columnar/value_formatter.h"

namespace sluice::lake {
namespace {

using columnar::TypeId;

int64_t IntegerAt(const columnar::Column& column, int64_t row) {
  return column.type().id() == TypeId::kInt32
             ? static_cast<const columnar::Int32Column&>(column).Value(row)
             : static_cast<const columnar::Int64Column&>(column).Value(row);
}

}  // namespace

MergeKeys::MergeKeys(const columnar::Schema& schema, std::vector<size_t> indices)
    : indices_(std::move(indices)) {
  if (indices_.size() == 1) {
    const TypeId id = schema.field(indices_[0]).type.id();
    integer_ = id == TypeId::kInt32 || id == TypeId::kInt64;
  }
}

bool MergeKeys::EncodeText(const columnar::Batch& batch, int64_t row, const std::vector<size_t>& at,
                           std::string* key) const {
  key->clear();
  for (const size_t index : at) {
    const columnar::Column& column = batch.column(index);
    if (column.IsNull(row)) return false;
    columnar::AppendValue(column, row, columnar::ValueStyle::kJson, key);
    key->push_back('\x1f');
  }
  return true;
}

MergeKeys::Added MergeKeys::Add(const columnar::Batch& batch, int64_t row) {
  if (integer_) {
    const columnar::Column& column = batch.column(indices_[0]);
    if (column.IsNull(row)) return Added::kNull;
    integers_.push_back(IntegerAt(column, row));
    return Added::kNew;
  }
  if (!EncodeText(batch, row, indices_, &scratch_)) return Added::kNull;
  return texts_.insert(scratch_).second ? Added::kNew : Added::kDuplicate;
}

std::optional<std::string> MergeKeys::Seal() {
  std::sort(integers_.begin(), integers_.end());
  const auto repeated = std::adjacent_find(integers_.begin(), integers_.end());
  std::optional<std::string> duplicate;
  if (repeated != integers_.end()) duplicate = std::to_string(*repeated);
  integers_.erase(std::unique(integers_.begin(), integers_.end()), integers_.end());
  integers_.shrink_to_fit();
  return duplicate;
}

bool MergeKeys::Contains(const columnar::Batch& batch, int64_t row,
                         const std::vector<size_t>* indices) const {
  const std::vector<size_t>& at = indices != nullptr ? *indices : indices_;
  if (integer_) {
    const columnar::Column& column = batch.column(at[0]);
    return !column.IsNull(row) &&
           std::binary_search(integers_.begin(), integers_.end(), IntegerAt(column, row));
  }
  return EncodeText(batch, row, at, &scratch_) && texts_.count(scratch_) != 0;
}

std::string MergeKeys::Describe(const columnar::Batch& batch, int64_t row) const {
  std::string shown;
  for (const size_t index : indices_) {
    if (!shown.empty()) shown.push_back(',');
    columnar::AppendValue(batch.column(index), row, columnar::ValueStyle::kJson, &shown);
  }
  return shown;
}

}  // namespace sluice::lake

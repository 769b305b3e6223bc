// MergeKeys: the set of key values a MERGE looks for (its source rows' keys) or has matched.
// A single integer key column is held as the integer itself, in a sorted array (8 bytes a key);
// other keys as their values' text joined by a unit separator, so that equal keys give equal
// entries.
//
// Thread-safety: none; one MERGE uses it at a time.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "sluice/columnar/batch.h"

namespace sluice::lake {

class MergeKeys {
 public:
  // Keys made of the columns at `indices` of batches of `schema`.
  MergeKeys(const columnar::Schema& schema, std::vector<size_t> indices);

  enum class Added { kNew, kNull, kDuplicate };
  // Adds the key of `row` of `batch`. Integer keys are only appended (8 bytes each): a repeated
  // one is found by Seal, not here.
  Added Add(const columnar::Batch& batch, int64_t row);
  // Call once after the last Add, before Contains: sorts the integers and keeps each once.
  // Returns a key that was added twice ("k1,k2" as an error message shows it), if any.
  std::optional<std::string> Seal();
  // Whether the key of `row` is in the set (never for a null key). `indices` (optional): where
  // the key columns are in `batch`, when it is not of `schema` (a scan of the key columns only).
  bool Contains(const columnar::Batch& batch, int64_t row,
                const std::vector<size_t>* indices = nullptr) const;
  // "k1,k2": the key of `row` as an error message shows it.
  std::string Describe(const columnar::Batch& batch, int64_t row) const;

  size_t size() const { return integer_ ? integers_.size() : texts_.size(); }
  bool empty() const { return size() == 0; }

 private:
  bool EncodeText(const columnar::Batch& batch, int64_t row, const std::vector<size_t>& at,
                  std::string* key) const;

  std::vector<size_t> indices_;
  bool integer_ = false;
  std::vector<int64_t> integers_;  // sorted by Seal
  std::unordered_set<std::string> texts_;
  mutable std::string scratch_;
};

}  // namespace sluice::lake

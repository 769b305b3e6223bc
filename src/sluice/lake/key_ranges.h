// KeyRanges: the values of some columns a reader or writer looks for (a MERGE's source keys, an
// aggregate's changed groups), and whether a data file may hold one of them — judged by its
// partition values and its min/max statistics, so that the files that cannot are never opened.
//
// Thread-safety: immutable once sealed; MayContain may be called from any thread.
#pragma once

#include <string>
#include <vector>

#include "sluice/columnar/batch.h"
#include "sluice/lake/actions.h"
#include "sluice/lake/file_statistics.h"
#include "sluice/lake/snapshot.h"

namespace sluice::lake {

class KeyRanges {
 public:
  KeyRanges() = default;
  // Ranges over the table columns `columns` (logical names).
  explicit KeyRanges(std::vector<std::string> columns);

  // Adds the values of row `row` of `batch` at `indices` (one per column, in order); nulls are
  // not looked for.
  void AddRow(const columnar::Batch& batch, const std::vector<size_t>& indices, int64_t row);
  // Sorts the values; call once after the last AddRow.
  void Seal();

  // False only when `add` cannot hold a row whose values are all among the added ones: a
  // partition value or a [min, max] range that contains none of a column's values. Files without
  // statistics may hold anything.
  bool MayContain(const AddFile& add, const Snapshot& snapshot) const;

 private:
  std::vector<std::string> columns_;
  // Per column: integer values (the common case: 8 bytes a key) and the others.
  std::vector<std::vector<int64_t>> sorted_ints_;
  std::vector<std::vector<StatValue>> sorted_values_;
};

}  // namespace sluice::lake

// DeletionVectorWriter: the deletion vectors one DELETE or MERGE gives the files it touches
// (merge-on-read), written to one new DV file and turned into remove/add pairs.
//
// For each touched file the caller hands over the file's add action, its full set of deleted
// rows (the old deletion vector's rows and the new ones) and its physical row count. Finish
// writes `deletion_vector_<uuid>.bin` (version byte, then per vector its size, bytes and CRC-32)
// and, per file, removes (path, old vector) and adds (path, new vector) — or only removes the file
// when every row is deleted. Nothing is visible until the transaction commits; the caller deletes
// the DV file (written_path()) when the commit fails definitively.
//
// Thread-safety: one thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sluice/common/result.h"
#include "sluice/io/file_system.h"
#include "sluice/lake/actions.h"
#include "sluice/lake/deletion_vector.h"
#include "sluice/lake/transaction.h"

namespace sluice::lake {

struct DeletionVectorCounts {
  int64_t added = 0;          // files that had no deletion vector and now have one
  int64_t updated = 0;        // files whose deletion vector grew
  int64_t files_removed = 0;  // files with every row deleted (removed outright)
};

class DeletionVectorWriter {
 public:
  DeletionVectorWriter(std::shared_ptr<io::FileSystem> fs, std::string table_root);

  // The new deletion vector of `add` (its data file has `physical_rows` rows).
  void Add(const AddFile& add, DeletionBitmap deleted, int64_t physical_rows);
  bool empty() const { return files_.empty(); }

  // Writes the DV file (when any vector is left to write) and puts the file actions into `txn`.
  Result<DeletionVectorCounts> Finish(int64_t now_ms, Transaction* txn);
  // The DV file Finish wrote ("" when none): absolute path.
  const std::string& written_path() const { return written_path_; }

 private:
  struct File {
    AddFile add;
    DeletionBitmap deleted;
    int64_t physical_rows = 0;
  };
  std::shared_ptr<io::FileSystem> fs_;
  std::string root_;
  std::vector<File> files_;
  std::string written_path_;
};

// The stats of a file that now has a deletion vector: the same, with tightBounds false (min/max
// still bound the remaining rows but may no longer be reached).
std::string LooseStats(const std::string& stats);

}  // namespace sluice::lake

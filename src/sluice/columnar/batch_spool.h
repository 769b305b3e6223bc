// BatchSpool: batches of one schema kept in order between the stages of a task — in memory up to a
// budget, in a temporary file beyond it — and read back as often as the stages need, whole or a
// few columns at a time.
//
// The file is unnamed (O_TMPFILE, else created and unlinked at once) in the spill directory, so
// the kernel frees it when the spool goes or the process dies: a killed run leaves nothing behind.
// Column buffers are written as they are in memory (validity, values, string offsets and bytes);
// one column of a batch is one contiguous block, so reading a few columns reads only their bytes.
//
// Thread-safety: Append from one thread; readers may run from any thread once appending is done.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sluice/columnar/batch.h"
#include "sluice/common/result.h"

namespace sluice::columnar {

// $SLUICE_SPILL_DIR, else $TMPDIR, else /var/tmp.
std::string DefaultSpillDirectory();

// The bytes a batch's buffers take (shared buffers counted once per batch).
int64_t BatchBytes(const Batch& batch);

class BatchSpool {
 public:
  // `memory_budget`: bytes of batches held in memory before later ones go to the file.
  BatchSpool(SchemaPtr schema, int64_t memory_budget,
             std::string directory = DefaultSpillDirectory());
  ~BatchSpool();
  BatchSpool(const BatchSpool&) = delete;
  BatchSpool& operator=(const BatchSpool&) = delete;

  // Adds `batch` (of the spool's schema) at the end. Errors: IOError when the file cannot be
  // created or written (the directory is named).
  Status Append(BatchPtr batch);

  const SchemaPtr& schema() const { return schema_; }
  size_t num_batches() const { return entries_.size(); }
  int64_t num_rows() const { return rows_; }
  int64_t rows_before(size_t batch) const { return entries_[batch].first_row; }
  int64_t bytes_in_memory() const { return memory_bytes_; }
  int64_t bytes_spilled() const { return file_bytes_; }

  // Batch `index`: all columns, or only `columns` (indices into the schema, in that order, with
  // a schema of those fields).
  Result<BatchPtr> Get(size_t index, const std::vector<size_t>* columns = nullptr) const;

 private:
  struct Block {
    int64_t offset = 0;
    int64_t null_count = 0;
    int64_t validity = 0;  // bytes
    int64_t values = 0;    // bytes (offsets for strings)
    int64_t data = 0;      // string bytes
  };
  struct Entry {
    BatchPtr batch;  // null when in the file
    int64_t first_row = 0;
    int64_t rows = 0;
    std::vector<Block> blocks;
  };

  Status OpenFile();
  Status WriteColumn(const Column& column, Block* block);
  Status WriteBytes(const void* data, int64_t size);
  Result<ColumnPtr> ReadColumn(const DataType& type, int64_t rows, const Block& block) const;

  SchemaPtr schema_;
  int64_t budget_;
  std::string directory_;
  int fd_ = -1;
  int64_t rows_ = 0;
  int64_t memory_bytes_ = 0;
  int64_t file_bytes_ = 0;
  std::vector<Entry> entries_;
};

}  // namespace sluice::columnar

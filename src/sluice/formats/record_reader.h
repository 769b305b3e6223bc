// RecordReader: the interface every file-format reader implements, and the options they share.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sluice/columnar/batch.h"
#include "sluice/common/result.h"
#include "sluice/formats/reject.h"

namespace sluice::formats {

// Options every format understands.
struct CommonReadOptions {
  // Null tokens: an unquoted field (CSV) or string (JSON, only when typed) equal to one of these
  // is null. Default: the empty string only.
  std::vector<std::string> null_values = {""};
  // false: every column is a string (`--types none`).
  bool infer_types = true;
  // Explicit types for named columns; the rest are inferred. A name that is not in the input is an
  // error.
  std::vector<std::pair<std::string, columnar::DataType>> column_types;
  // Records looked at to infer types.
  int64_t sample_records = 20480;
  // Worker threads for parsing (1 = parse on the calling thread only).
  int threads = 2;
  // A record longer than this is rejected (protects memory from an unterminated quote).
  int64_t max_record_bytes = 64ll << 20;
  // Input is read and parsed in blocks of this many bytes (memory use is a few blocks).
  int64_t block_bytes = 8ll << 20;
};

// Produces batches from one input. Rejected records go to the RejectTracker given at open.
// Thread-safety: one caller at a time; readers may use worker threads internally.
class RecordReader {
 public:
  virtual ~RecordReader() = default;

  // The schema of the batches (after sniffing and inference, known once opened). A JSON reader
  // may widen it when later records bring new keys; each batch carries its own schema.
  virtual columnar::SchemaPtr schema() const = 0;

  // The next batch, or nullptr at the end of the input. Errors: I/O failures, and DataError when
  // the reject policy says the read must fail.
  virtual Result<columnar::BatchPtr> Next() = 0;

  // Records read so far (good rows plus rejects).
  virtual int64_t records_read() const = 0;
};

}  // namespace sluice::formats

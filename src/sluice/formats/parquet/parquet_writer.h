// ParquetWriter: writes batches of one schema as a Parquet file, streaming, in bounded memory.
//
// Types: bool → BOOLEAN; int32 → INT32; int64 → INT64; float64 → DOUBLE; decimal(p,s) → INT32
// (p ≤ 9), INT64 (p ≤ 18) or FIXED_LEN_BYTE_ARRAY (p > 18) with DECIMAL(p,s); string → BYTE_ARRAY
// STRING; json → BYTE_ARRAY JSON; binary → BYTE_ARRAY; date → INT32 DATE; time → INT64
// TIME(MICROS, local); timestamp → INT64 TIMESTAMP(UTC, MICROS). Nullable fields are OPTIONAL
// with RLE definition levels, the others REQUIRED.
//
// Encoding: RLE_DICTIONARY while a column chunk's dictionary stays under the limit, PLAIN for the
// pages after it outgrows it (booleans are always PLAIN); data page v1. Each column chunk carries
// min_value/max_value (unsigned byte order for byte arrays; values longer than 64 bytes leave
// min/max out) and null_count. The sluice schema is stored in the key-value metadata under
// "sluice.schema".
//
// Nested files: OpenNested takes any Parquet schema tree (structs, lists, maps; see
// NestedSchemaBuilder) and WriteShredded takes each leaf's repetition and definition levels and
// non-null values (ShreddedColumn). Pages carry RLE repetition levels, then RLE definition levels
// (data page v1, each with a 4-byte length prefix, bit width from the leaf's maximum level);
// num_values counts level slots, null_count the slots without a value, a row group's rows the
// slots with repetition level 0. Pages and row groups only break between records.
//
// Memory: the encoded, compressed pages of one row group (plus one page per column being filled).
// Threads: Write() and WriteShredded() encode the leaf columns on `threads` threads and return
// when done.
// Not thread-safe: one caller at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sluice/columnar/batch.h"
#include "sluice/common/result.h"
#include "sluice/formats/parquet/parquet_metadata.h"
#include "sluice/formats/parquet/shredded_column.h"
#include "sluice/io/compression_codec.h"
#include "sluice/io/output_stream.h"

namespace sluice::parquet {

struct ParquetWriteOptions {
  io::Codec codec = io::Codec::kSnappy;
  int compression_level = 0;  // codec default
  // A row group is closed once its encoded, uncompressed size reaches this.
  int64_t row_group_bytes = 128ll << 20;
  // A data page is closed once its encoded values reach about this size.
  int64_t page_bytes = 1ll << 20;
  // A column chunk's dictionary may hold this many bytes of values before it falls back to PLAIN.
  int64_t dictionary_bytes = 1ll << 20;
  bool enable_dictionary = true;
  int threads = 2;
  // Extra key-value metadata for the footer.
  std::vector<std::pair<std::string, std::string>> metadata;
  // The SchemaElement field_id of each field of a flat file's schema, in order (Delta column
  // mapping); empty: no ids. Otherwise one entry per field, nullopt for a field without one.
  std::vector<std::optional<int32_t>> field_ids;
};

// What was written, for reports and Delta add actions.
struct ParquetWriteSummary {
  int64_t rows = 0;
  int64_t row_groups = 0;
  int64_t file_bytes = 0;
};

class ParquetWriter {
 public:
  // Writes the header magic to `out`, which the writer owns from then on. Errors:
  // InvalidArgument for an empty schema or bad options; I/O errors.
  static Result<std::unique_ptr<ParquetWriter>> Open(std::unique_ptr<io::OutputStream> out,
                                                     columnar::SchemaPtr schema,
                                                     ParquetWriteOptions options = {});
  // Writes the header magic for a file of any schema: `elements` is the footer's schema list,
  // depth-first, root first (NestedSchemaBuilder makes one). Leaves must use the physical types and
  // annotations this writer gives sluice types (LeafSchemaElement in nested_schema_builder.h);
  // their values are passed as the sluice type ParquetReader maps them to (SchemaNode::type).
  // Errors: InvalidArgument for a malformed tree, a leaf type the writer has no encoder for, levels
  // deeper than 255, bad options; I/O errors.
  static Result<std::unique_ptr<ParquetWriter>> OpenNested(std::unique_ptr<io::OutputStream> out,
                                                           std::vector<SchemaElement> elements,
                                                           ParquetWriteOptions options = {});
  ~ParquetWriter();

  // Appends the rows of `batch`, whose columns must match the schema's types (names are not
  // checked). Errors: SchemaMismatch, I/O errors; InvalidArgument when the file has nested
  // columns (use WriteShredded).
  Status Write(const columnar::Batch& batch);

  // Appends whole records given leaf by leaf, one ShreddedColumn per leaf column in schema
  // (depth-first) order; every leaf must hold the same number of records. Works for flat files
  // too. Errors: SchemaMismatch for a wrong column count or value type; InvalidArgument for levels
  // out of range, a first slot that does not start a record, a repetition into a list or map that
  // is not there, values that do not match the slots holding one, or leaves disagreeing on the
  // record count; I/O errors.
  Status WriteShredded(const std::vector<ShreddedColumn>& leaves);

  // Writes the last row group and the footer and closes the stream. A file that never saw a
  // row is still a valid Parquet file with zero row groups.
  Result<ParquetWriteSummary> Close();

  // The sluice schema: the one given to Open, or, for OpenNested, what ParquetReader reads the file
  // as (one column per top-level field, json for nested ones).
  const columnar::SchemaPtr& schema() const;
  int64_t rows_written() const;

 private:
  class Impl;
  explicit ParquetWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sluice::parquet

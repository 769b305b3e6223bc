// ColumnEncoder: turns the values of one leaf column into the pages of its column chunk — levels,
// values, compression, page headers — one row group at a time. ParquetWriter keeps one per leaf
// and encodes the leaves of a batch in parallel (one encoder per thread at a time).
//
// MakeColumnEncoder picks the encoder for the leaf's type: BOOLEAN is PLAIN bit-packed
// (BooleanEncoder, column_encoder.cc); every other type tries a dictionary (dictionary_encoder.h).
// Not thread-safe: one caller at a time per encoder.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sluice/columnar/column.h"
#include "sluice/common/result.h"
#include "sluice/formats/parquet/parquet_encoding.h"
#include "sluice/formats/parquet/parquet_metadata.h"
#include "sluice/formats/parquet/parquet_writer.h"
#include "sluice/formats/parquet/shredded_column.h"

namespace sluice::parquet {

// A data page holds at most this many level slots.
inline constexpr int64_t kMaxPageValues = 128 * 1024;
// Values appended between checks of the page size and the dictionary limit.
inline constexpr int64_t kBlockValues = 4096;
// Levels are buffered one byte each.
inline constexpr int kMaxWrittenLevel = 255;

// An encoded column chunk of one row group: pages ready to be written.
struct EncodedChunk {
  // Page headers and bodies in file order, as separate buffers (no copying into one).
  std::vector<std::string> dictionary_page;  // empty when there is no dictionary
  std::vector<std::string> data_pages;
  int64_t num_values = 0;
  int64_t uncompressed_bytes = 0;  // headers + uncompressed bodies
  int64_t compressed_bytes = 0;
  int64_t null_count = 0;
  bool used_dictionary = false;
  bool used_plain = false;
  int32_t dictionary_pages = 0;
  int32_t dictionary_data_pages = 0;
  int32_t plain_data_pages = 0;
  std::optional<std::string> min_value;
  std::optional<std::string> max_value;
};

// One leaf column of the file: where it sits in the schema and how its values are encoded.
struct LeafColumn {
  std::vector<std::string> path;  // path_in_schema
  columnar::DataType type;        // of the values given for it
  Type physical = Type::kBoolean;
  int32_t type_length = 0;
  int max_definition = 0;
  int max_repetition = 0;
  // Entry r - 1: the definition level of the repeated ancestor at repetition level r. A slot that
  // repeats at level r continues a list or map that exists, so it is defined at least this deep.
  std::vector<int16_t> repeated_definition;
};

class ColumnEncoder {
 public:
  // A leaf whose values are present at `max_definition` and repeat up to `max_repetition` (both
  // at most kMaxWrittenLevel).
  ColumnEncoder(const ParquetWriteOptions& options, int max_definition, int max_repetition)
      : options_(options),
        max_definition_(max_definition),
        max_repetition_(max_repetition),
        definition_bit_width_(BitWidth(static_cast<uint64_t>(max_definition))),
        repetition_bit_width_(BitWidth(static_cast<uint64_t>(max_repetition))) {}
  virtual ~ColumnEncoder() = default;

  // Encodes rows [begin, end) of `column` (a flat leaf: levels 0/1 from the column's nulls).
  virtual Status Append(const columnar::Column& column, int64_t begin, int64_t end) = 0;
  // Closes the open page and hands over the row group's chunk.
  virtual Result<EncodedChunk> FinishChunk() = 0;
  // Encoded bytes so far in this chunk, including the open page (estimated).
  virtual int64_t EstimatedBytes() const = 0;

  // Encodes every slot of `data`, whose levels and values the writer has checked. Pages hold
  // whole records: a page only closes where a slot with repetition level 0 follows.
  Status AppendShredded(const ShreddedColumn& data);

 protected:
  // Encodes values [begin, end) of `values`, which has no nulls (the open page's levels for
  // them are already recorded).
  virtual Status AppendValues(const columnar::Column& values, int64_t begin, int64_t end) = 0;
  // Counts `slots` more level slots in the open page; may close the page.
  virtual Status EndSlots(int64_t slots) = 0;

  // Compresses `body` (levels + values) and appends a data page v1 to the chunk.
  Status EmitDataPage(const std::string& body, int64_t num_values, Encoding encoding);

  // Compresses the PLAIN-encoded dictionary and sets it as the chunk's dictionary page.
  Status EmitDictionaryPage(const std::string& body, int64_t num_values);

  // Compresses `body`, completes `header` with the sizes and appends header and payload (as two
  // buffers) to `pages`.
  Status EmitPage(PageHeader* header, const std::string& body, std::vector<std::string>* pages);

  // Definition levels of the open page, one byte per value (1 = present).
  void AppendDefinitionLevels(const columnar::Column& column, int64_t begin, int64_t end);

  // Writes the open page's levels to `body`: repetition levels (when the leaf repeats), then
  // definition levels (when it is not required), each RLE with a 4-byte length prefix.
  void EncodeLevels(std::string* body);

  // Hands over the chunk built so far; the next one starts empty.
  EncodedChunk TakeChunk();

  const ParquetWriteOptions& options_;
  const int max_definition_;
  const int max_repetition_;
  const int definition_bit_width_;
  const int repetition_bit_width_;
  EncodedChunk chunk_;
  // Level slots in the open page.
  int64_t page_values_ = 0;
  std::vector<uint8_t> definition_levels_;
  std::vector<uint8_t> repetition_levels_;
  // Slots of the open page without a value (definition level below the maximum).
  int64_t page_nulls_ = 0;
  std::string levels_;
  std::string compressed_;

 private:
  // Records the levels of slots [begin, end) in the open page; returns how many hold a value.
  int64_t AppendLevels(const ShreddedColumn& data, int64_t begin, int64_t end);

  // Appends the encoder's levels to `body` after their 4-byte length.
  void AppendLengthPrefixed(RLEBitPackedEncoder* encoder, std::string* body);
};

// The encoder for `leaf`'s values; `options` must outlive it.
std::unique_ptr<ColumnEncoder> MakeColumnEncoder(const LeafColumn& leaf,
                                                 const ParquetWriteOptions& options);

}  // namespace sluice::parquet

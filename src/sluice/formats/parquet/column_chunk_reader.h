// ColumnChunkReader: decodes the pages of one column chunk into sluice values.
//
// A flat column (no repetition) is read row by row into a ValueAccumulator with its nulls; a
// nested leaf is read whole — its definition and repetition levels plus its non-null values — for
// the record assembler. Every offset, length, level and dictionary index from the file is checked;
// malformed data is a DataError naming the file, row group and column.
// Not thread-safe; distinct readers may run on distinct threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/columnar/column.h"
#include "sluice/common/result.h"
#include "sluice/formats/parquet/parquet_encoding.h"
#include "sluice/formats/parquet/parquet_metadata.h"
#include "sluice/formats/parquet/parquet_schema.h"
#include "sluice/formats/parquet/value_accumulator.h"
#include "sluice/io/random_access_file.h"

namespace sluice::parquet {

// A big-endian two's complement integer of 1..16 bytes (DECIMAL on BYTE_ARRAY / FLBA).
columnar::Int128 DecodeBigEndianDecimal(const uint8_t* data, size_t size);
// Appends the decimal text of a big-endian two's-complement unscaled value of any width at
// `scale` ("-12.345"), exactly.
void AppendWideDecimalText(const uint8_t* data, size_t size, int scale, std::string* out);

struct ColumnChunkContext {
  const io::RandomAccessFile* file = nullptr;
  const SchemaNode* leaf = nullptr;
  const ColumnMetaData* metadata = nullptr;
  int row_group = 0;
  bool verify_checksums = true;
};

class ColumnChunkReader {
 public:
  explicit ColumnChunkReader(ColumnChunkContext context);

  // Reads the chunk's bytes from the file.
  Status Load();

  // Flat columns: appends the next `rows` rows (nulls included).
  Status ReadRows(int64_t rows, ValueAccumulator* out);
  // After the row group's rows were read: errors when the chunk holds more values.
  Status CheckExhausted();

  // Nested leaves: reads every remaining level and non-null value.
  Status ReadAll(std::vector<int16_t>* definition, std::vector<int16_t>* repetition,
                 ValueAccumulator* values);

 private:
  Status NextPage(bool* found);
  Status ReadDictionaryPage(const PageHeader& header, const uint8_t* body);
  // A data page (v1 or v2): its levels read or started, its values ready to be consumed.
  Status StartDataPage(const PageHeader& header, const uint8_t* body);
  // What StartDataPage learns while reading a page's levels.
  struct PageData {
    const uint8_t* data = nullptr;  // the values, after the levels (decompressed)
    size_t size = 0;
    int64_t count = 0;     // level entries
    int64_t present = -1;  // non-null values, when the levels were counted on the way
  };
  // Data page v1: decompresses the page, then reads its length-prefixed levels.
  Status ReadPageV1(const PageHeader& header, const uint8_t* body, PageData* page);
  // Data page v2: levels stored uncompressed before the (maybe compressed) values.
  Status ReadPageV2(const PageHeader& header, const uint8_t* body, PageData* page);
  // One run of RLE levels with a 4-byte length prefix at page->data, which moves past it.
  Status ReadLengthPrefixedLevels(int16_t max_level, Encoding encoding, std::vector<int16_t>* out,
                                  const char* what, PageData* page);
  // Sets up the decoder of the page's value encoding for `present` values at [data, data + size).
  Status StartValues(const uint8_t* data, size_t size, int64_t present);
  Status StartDeltaByteArrays(const uint8_t* data, size_t size, int64_t present);
  Status DecodeLevels(const uint8_t* data, size_t size, int bit_width, int64_t count,
                      int16_t max_level, std::vector<int16_t>* out, const char* what);
  // Flat columns: starts the page's definition levels without materializing them, checking they
  // hold `count` levels within range, and counts the present (non-null) values.
  Status StartLazyDefinitionLevels(const uint8_t* data, size_t size, int bit_width, int64_t count,
                                   int64_t* present);
  // The definition levels of the next `count` entries of the page (from page_position_).
  Status TakeDefinitionLevels(int64_t count, const int16_t** levels);
  // Appends the next `count` non-null values of the current page.
  Status AppendValues(int64_t count, ValueAccumulator* out);
  Status AppendFixed(const uint8_t* data, int64_t count, ValueAccumulator* out);
  Status AppendViews(const std::string_view* views, int64_t count, ValueAccumulator* out);
  Status Decompress(const uint8_t* data, size_t size, size_t uncompressed_size);
  Status Error(const std::string& message) const;

  ColumnChunkContext context_;
  std::string where_;    // "file: row group N, column 'a.b'"
  int fixed_width_ = 0;  // physical bytes per value (0 for BYTE_ARRAY, -1 for BOOLEAN)
  int16_t max_definition_ = 0;
  int16_t max_repetition_ = 0;

  std::vector<uint8_t> chunk_;
  size_t position_ = 0;
  std::vector<uint8_t> decompressed_;

  bool has_dictionary_ = false;
  ValueAccumulator dictionary_;

  // The current data page.
  int64_t page_values_ = 0;  // level entries in the page
  int64_t page_position_ = 0;
  std::vector<int16_t> definition_levels_;  // whole page (columns with repetition)
  std::vector<int16_t> repetition_levels_;
  // Columns without repetition decode definition levels as they are consumed, so a page of many
  // nulls costs no memory up front.
  bool lazy_definition_ = false;
  RLEBitPackedDecoder definition_decoder_;
  std::vector<int16_t> level_buffer_;
  Encoding encoding_ = Encoding::kPlain;
  const uint8_t* values_ = nullptr;  // page values (plain-like after decoding)
  const uint8_t* values_end_ = nullptr;
  int64_t bit_position_ = 0;     // PLAIN booleans
  RLEBitPackedDecoder indices_;  // dictionary indices / RLE booleans
  std::vector<uint32_t> index_buffer_;
  std::optional<DeltaBinaryPackedDecoder> delta_;  // DELTA_BINARY_PACKED, decoded as consumed
  std::vector<uint8_t> decoded_;                   // fixed-width values decoded from DELTA/BSS
  ByteArrayValues decoded_arrays_;                 // byte arrays decoded from DELTA_*
  std::vector<std::string_view> views_;
  int64_t view_position_ = 0;
};

}  // namespace sluice::parquet

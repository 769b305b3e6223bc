// Parquet value and level encodings (Encodings.md in apache/parquet-format): the RLE/bit-packed
// hybrid, DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT.
//
// Contract: decoders never read outside the buffer they were given and never allocate more than
// the declared value counts allow (bounded by the buffer size where the encoding makes that
// possible); malformed input is a DataError naming the encoding. Encoders append to a
// std::string. Thread-safety: one object per thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sluice/common/result.h"

namespace sluice::parquet {

// Bits needed to represent `max_value` (0 for 0).
int BitWidth(uint64_t max_value);

// ---- RLE / bit-packed hybrid ----------------------------------------------------------------

// Decodes an RLE/bit-packed hybrid stream (without any length prefix) of values `bit_width` wide
// (0..32).
class RLEBitPackedDecoder {
 public:
  RLEBitPackedDecoder() = default;
  RLEBitPackedDecoder(const uint8_t* data, size_t size, int bit_width);

  // Decodes up to `count` values. Returns how many were decoded: fewer than `count` only when the
  // stream ends; a bit-packed run cut short by the end of the buffer yields the values whose bits
  // are present. Errors: a truncated or malformed run header, an RLE value wider than the bit
  // width, bit width > 32 (> 16 for the int16_t overload).
  Result<int64_t> Decode(uint32_t* out, int64_t count);
  Result<int64_t> Decode(int16_t* out, int64_t count);

 private:
  template <typename T>
  Result<int64_t> DecodeImpl(T* out, int64_t count);
  Status NextRun();

  const uint8_t* data_ = nullptr;
  const uint8_t* end_ = nullptr;
  int bit_width_ = 0;
  // Current run: either `rle_left_` repeats of `rle_value_`, or `packed_left_` bit-packed values
  // starting at `packed_data_` (index `packed_index_` into the group).
  int64_t rle_left_ = 0;
  uint32_t rle_value_ = 0;
  int64_t packed_left_ = 0;
  const uint8_t* packed_data_ = nullptr;
  int64_t packed_index_ = 0;
};

// Encodes values with the hybrid encoding: runs of 8 or more equal values as RLE runs, the rest
// bit-packed in groups of 8.
class RLEBitPackedEncoder {
 public:
  explicit RLEBitPackedEncoder(int bit_width);

  void Put(uint32_t value);
  void PutRepeated(uint32_t value, int64_t count);
  // Appends the encoded stream (no length prefix) to *out and resets the encoder.
  void Finish(std::string* out);

 private:
  // Ends the pending run of `run_length_` copies of `run_value_`: an RLE run when long enough,
  // literals otherwise.
  void EndRun();
  void AppendLiterals(uint32_t value, int64_t count);
  // Writes the pending literals as one bit-packed run (at most 63 groups); `final` pads the last
  // group with zeros.
  void FlushLiterals(bool final);
  void WriteRLERun(uint32_t value, int64_t count);

  int bit_width_;
  uint32_t mask_;
  std::string bytes_;
  // Literal values awaiting bit-packing (fewer than 63 * 8 between flushes).
  std::vector<uint32_t> literals_;
  uint32_t run_value_ = 0;
  int64_t run_length_ = 0;
};

// ---- DELTA_BINARY_PACKED --------------------------------------------------------------------

class DeltaBinaryPackedDecoder {
 public:
  // Reads the header. Errors: truncated/malformed header, block size not a multiple of 128,
  // miniblock count not dividing the block.
  static Result<DeltaBinaryPackedDecoder> Make(const uint8_t* data, size_t size);

  // Total values the header declares.
  int64_t total_values() const { return total_values_; }

  // Decodes up to `count` values (wrapping arithmetic, as the spec requires). Returns how many.
  Result<int64_t> Decode(int64_t* out, int64_t count);
  Result<int64_t> Decode(int32_t* out, int64_t count);

  // Bytes consumed from the start of the buffer once every declared value has been decoded
  // (DELTA_LENGTH_BYTE_ARRAY and DELTA_BYTE_ARRAY need it to find what follows). Call only after
  // decoding all total_values().
  size_t bytes_consumed() const;

 private:
  template <typename T>
  Result<int64_t> DecodeImpl(T* out, int64_t count);
  Status NextBlock();
  Status NextMiniblock();

  const uint8_t* begin_ = nullptr;
  const uint8_t* data_ = nullptr;
  const uint8_t* end_ = nullptr;
  uint64_t block_size_ = 0;
  uint64_t miniblocks_per_block_ = 0;
  uint64_t values_per_miniblock_ = 0;
  int64_t total_values_ = 0;
  int64_t values_read_ = 0;
  uint64_t last_value_ = 0;  // unsigned: the spec's arithmetic wraps
  uint64_t min_delta_ = 0;
  std::vector<uint8_t> bit_widths_;
  uint64_t miniblock_index_ = 0;  // the next miniblock of the current block
  uint64_t miniblock_values_left_ = 0;
  const uint8_t* miniblock_data_ = nullptr;
  int miniblock_bit_width_ = 0;
  uint64_t miniblock_position_ = 0;
  bool first_value_pending_ = true;
};

// ---- byte arrays ----------------------------------------------------------------------------

// Byte-array values decoded from a page: value i is bytes[offsets[i], offsets[i+1]).
struct ByteArrayValues {
  std::vector<uint32_t> offsets;  // size = count + 1, offsets[0] = 0
  std::string bytes;
  int64_t size() const { return offsets.empty() ? 0 : static_cast<int64_t>(offsets.size()) - 1; }
};

// DELTA_LENGTH_BYTE_ARRAY: `count` values. Errors: lengths that are negative or overrun the data.
Status DecodeDeltaLengthByteArray(const uint8_t* data, size_t size, int64_t count,
                                  ByteArrayValues* out);

// DELTA_BYTE_ARRAY (incremental/front coding): `count` values. Errors: a prefix longer than the
// previous value, lengths overrunning the data.
Status DecodeDeltaByteArray(const uint8_t* data, size_t size, int64_t count, ByteArrayValues* out);

// ---- BYTE_STREAM_SPLIT ----------------------------------------------------------------------

// Reassembles `count` values of `width` bytes each from the K=width byte streams in `data` into
// `out` (count * width bytes). Each stream is size / width bytes long (the page's value count), so
// size must be a multiple of width and >= count * width; otherwise a DataError.
Status DecodeByteStreamSplit(const uint8_t* data, size_t size, int64_t count, int width,
                             uint8_t* out);

}  // namespace sluice::parquet

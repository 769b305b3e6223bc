#include "sluice/formats/parquet/parquet_encoding.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <limits>
#include <string_view>
#include <utility>

namespace sluice::parquet {
namespace {

static_assert(std::endian::native == std::endian::little,
              "the bit unpackers read little-endian words directly");

// ---- bit unpacking ----------------------------------------------------------------------------
//
// Values are packed LSB first: value i of width w occupies bits [i*w, (i+1)*w) of the buffer, bit
// 0 being the least significant bit of byte 0.

inline uint64_t LoadLE64(const uint8_t* p) {
  uint64_t word;
  std::memcpy(&word, p, sizeof(word));
  return word;
}

constexpr uint64_t LowBits(int width) {
  return width >= 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
}

// Reads the `width`-bit value (0..64) at bit offset `bit`, touching only the bytes that hold it.
inline uint64_t ReadBitsSafe(const uint8_t* data, uint64_t bit, int width) {
  if (width == 0) return 0;
  const uint8_t* p = data + bit / 8;
  const int shift = static_cast<int>(bit % 8);
  const int byte_count = (shift + width + 7) / 8;  // 1..9
  uint64_t word = 0;
  for (int b = 0; b < std::min(byte_count, 8); ++b) word |= uint64_t{p[b]} << (8 * b);
  word >>= shift;
  if (byte_count == 9) word |= uint64_t{p[8]} << (64 - shift);
  return word & LowBits(width);
}

// Value kIndex of a group of 8 values kWidth bits wide starting at `in`. Reads up to kWidth + 8
// bytes from `in` (whole 64-bit words).
template <int kWidth, size_t kIndex>
inline uint64_t ExtractFromGroup(const uint8_t* in) {
  constexpr size_t kBit = kIndex * kWidth;
  constexpr int kShift = static_cast<int>(kBit % 8);
  uint64_t word = LoadLE64(in + kBit / 8) >> kShift;
  if constexpr (kShift + kWidth > 64) word |= uint64_t{in[kBit / 8 + 8]} << (64 - kShift);
  return word & LowBits(kWidth);
}

template <int kWidth, typename T>
inline void UnpackGroup(const uint8_t* in, T* out) {
  [&]<size_t... kIndex>(std::index_sequence<kIndex...>) {
    ((out[kIndex] = static_cast<T>(ExtractFromGroup<kWidth, kIndex>(in))), ...);
  }
  (std::make_index_sequence<8>{});
}

// Unpacks `groups` groups of 8 values; each group is kWidth bytes. Reads up to kWidth + 8 bytes
// past the start of the last group.
template <int kWidth, typename T>
void UnpackGroups(const uint8_t* in, int64_t groups, T* out) {
  if constexpr (kWidth == 0) {
    std::fill(out, out + groups * 8, T{0});
  } else {
    for (int64_t g = 0; g < groups; ++g) {
      UnpackGroup<kWidth>(in, out);
      in += kWidth;
      out += 8;
    }
  }
}

template <typename T>
using UnpackGroupsFunction = void (*)(const uint8_t*, int64_t, T*);

template <typename T, int kMaxWidth>
constexpr auto MakeUnpackTable() {
  return []<int... kWidth>(std::integer_sequence<int, kWidth...>) {
    return std::array<UnpackGroupsFunction<T>, sizeof...(kWidth)>{&UnpackGroups<kWidth, T>...};
  }
  (std::make_integer_sequence<int, kMaxWidth + 1>{});
}

// Unpacks values [first_index, first_index + count) of width `width` (<= bits of T) from the
// bit-packed data at `base`. The caller guarantees that the bits of those values lie before `end`;
// nothing at or after `end` is read.
template <typename T>
void UnpackBits(const uint8_t* base, const uint8_t* end, uint64_t first_index, int width,
                int64_t count, T* out) {
  static constexpr auto kTable = MakeUnpackTable<T, static_cast<int>(8 * sizeof(T))>();
  if (width == 0) {
    std::fill(out, out + count, T{0});
    return;
  }
  uint64_t index = first_index;
  // Head: up to the next group boundary.
  while (count > 0 && index % 8 != 0) {
    *out++ = static_cast<T>(ReadBitsSafe(base, index * width, width));
    ++index;
    --count;
  }
  // Whole groups whose word-wide reads stay inside the buffer.
  const int64_t groups = count / 8;
  if (groups > 0) {
    const uint8_t* group_start = base + (index / 8) * width;
    const size_t available = static_cast<size_t>(end - group_start);
    const size_t needed = static_cast<size_t>(width) + 8;
    if (available >= needed) {
      const int64_t fast =
          std::min<int64_t>(groups, static_cast<int64_t>((available - needed) / width) + 1);
      kTable[width](group_start, fast, out);
      out += fast * 8;
      index += static_cast<uint64_t>(fast) * 8;
      count -= fast * 8;
    }
  }
  // Tail, and groups too close to the end of the buffer for word reads.
  for (; count > 0; --count, ++index) {
    *out++ = static_cast<T>(ReadBitsSafe(base, index * width, width));
  }
}

// ---- varints ----------------------------------------------------------------------------------

// Reads a ULEB128 value of at most 64 bits. Returns false when truncated or overlong.
bool ReadULEB128(const uint8_t** data, const uint8_t* end, uint64_t* value) {
  uint64_t result = 0;
  const uint8_t* p = *data;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p >= end) return false;
    const uint8_t byte = *p++;
    if (shift == 63 && byte > 1) return false;
    result |= uint64_t{byte & 0x7Fu} << shift;
    if ((byte & 0x80) == 0) {
      *data = p;
      *value = result;
      return true;
    }
  }
  return false;
}

bool ReadZigZag(const uint8_t** data, const uint8_t* end, uint64_t* value) {
  uint64_t raw;
  if (!ReadULEB128(data, end, &raw)) return false;
  *value = (raw >> 1) ^ (~(raw & 1) + 1);
  return true;
}

void AppendULEB128(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

// The spec limits run lengths to 2^31 - 1.
constexpr int64_t kMaxRunLength = std::numeric_limits<int32_t>::max();
constexpr int64_t kMaxPackedGroups = 63;

}  // namespace

int BitWidth(uint64_t max_value) { return static_cast<int>(std::bit_width(max_value)); }

// ---- RLE / bit-packed hybrid: decoder --------------------------------------------------------

RLEBitPackedDecoder::RLEBitPackedDecoder(const uint8_t* data, size_t size, int bit_width)
    : data_(data), end_(data + size), bit_width_(bit_width) {}

Status RLEBitPackedDecoder::NextRun() {
  uint64_t header;
  if (!ReadULEB128(&data_, end_, &header) || header > std::numeric_limits<uint32_t>::max()) {
    data_ = end_;
    return Status::DataError("RLE/bit-packed hybrid: truncated or malformed run header");
  }
  if (header & 1) {
    const uint64_t groups = header >> 1;
    const uint64_t declared_bytes = groups * static_cast<uint64_t>(bit_width_);
    const size_t available = static_cast<size_t>(end_ - data_);
    packed_data_ = data_;
    packed_index_ = 0;
    if (declared_bytes <= available) {
      packed_left_ = static_cast<int64_t>(groups * 8);
      data_ += declared_bytes;
    } else {
      // The run is cut short by the end of the buffer (bit_width_ > 0 here): only the values
      // whose bits are all present can be decoded.
      packed_left_ = static_cast<int64_t>(available * 8 / static_cast<size_t>(bit_width_));
      data_ = end_;
    }
    return Status::OK();
  }
  const int value_bytes = (bit_width_ + 7) / 8;
  if (end_ - data_ < value_bytes) {
    data_ = end_;
    return Status::DataError("RLE/bit-packed hybrid: truncated RLE run value");
  }
  uint32_t value = 0;
  for (int b = 0; b < value_bytes; ++b) value |= uint32_t{data_[b]} << (8 * b);
  data_ += value_bytes;
  if (bit_width_ < 32 && (value >> bit_width_) != 0) {
    data_ = end_;
    return Status::DataError("RLE/bit-packed hybrid: RLE run value " + std::to_string(value) +
                             " is wider than the bit width " + std::to_string(bit_width_));
  }
  rle_value_ = value;
  rle_left_ = static_cast<int64_t>(header >> 1);
  return Status::OK();
}

template <typename T>
Result<int64_t> RLEBitPackedDecoder::DecodeImpl(T* out, int64_t count) {
  if (bit_width_ < 0 || bit_width_ > static_cast<int>(8 * sizeof(T))) {
    return Status::DataError("RLE/bit-packed hybrid: unsupported bit width " +
                             std::to_string(bit_width_) + " for " + std::to_string(8 * sizeof(T)) +
                             "-bit values");
  }
  if (count < 0) return Status::InvalidArgument("RLE/bit-packed hybrid: negative value count");
  int64_t done = 0;
  while (done < count) {
    if (rle_left_ > 0) {
      const int64_t n = std::min(rle_left_, count - done);
      std::fill(out + done, out + done + n, static_cast<T>(rle_value_));
      rle_left_ -= n;
      done += n;
    } else if (packed_left_ > 0) {
      const int64_t n = std::min(packed_left_, count - done);
      UnpackBits<T>(packed_data_, end_, static_cast<uint64_t>(packed_index_), bit_width_, n,
                    out + done);
      packed_index_ += n;
      packed_left_ -= n;
      done += n;
    } else if (data_ < end_) {
      SLUICE_RETURN_NOT_OK(NextRun());
    } else {
      break;
    }
  }
  return done;
}

Result<int64_t> RLEBitPackedDecoder::Decode(uint32_t* out, int64_t count) {
  return DecodeImpl(out, count);
}

Result<int64_t> RLEBitPackedDecoder::Decode(int16_t* out, int64_t count) {
  return DecodeImpl(out, count);
}

// ---- RLE / bit-packed hybrid: encoder --------------------------------------------------------

RLEBitPackedEncoder::RLEBitPackedEncoder(int bit_width)
    : bit_width_(std::clamp(bit_width, 0, 32)), mask_(static_cast<uint32_t>(LowBits(bit_width_))) {
  literals_.reserve(kMaxPackedGroups * 8);
}

void RLEBitPackedEncoder::Put(uint32_t value) {
  value &= mask_;
  if (run_length_ > 0 && value == run_value_) {
    ++run_length_;
    return;
  }
  EndRun();
  run_value_ = value;
  run_length_ = 1;
}

void RLEBitPackedEncoder::PutRepeated(uint32_t value, int64_t count) {
  if (count <= 0) return;
  value &= mask_;
  if (run_length_ > 0 && value == run_value_) {
    run_length_ += count;
    return;
  }
  EndRun();
  run_value_ = value;
  run_length_ = count;
}

void RLEBitPackedEncoder::EndRun() {
  int64_t length = run_length_;
  run_length_ = 0;
  if (length == 0) return;
  // An RLE run may only start on a group boundary: complete the pending group with run values.
  const int64_t to_align = static_cast<int64_t>((8 - literals_.size() % 8) % 8);
  if (length - to_align < 8) {
    AppendLiterals(run_value_, length);
    return;
  }
  AppendLiterals(run_value_, to_align);
  length -= to_align;
  FlushLiterals(/*final=*/false);
  WriteRLERun(run_value_, length);
}

void RLEBitPackedEncoder::AppendLiterals(uint32_t value, int64_t count) {
  while (count > 0) {
    const int64_t room = kMaxPackedGroups * 8 - static_cast<int64_t>(literals_.size());
    const int64_t n = std::min(count, room);
    literals_.insert(literals_.end(), static_cast<size_t>(n), value);
    count -= n;
    if (static_cast<int64_t>(literals_.size()) == kMaxPackedGroups * 8) FlushLiterals(false);
  }
}

void RLEBitPackedEncoder::FlushLiterals(bool final) {
  if (literals_.empty()) return;
  if (final) literals_.resize((literals_.size() + 7) / 8 * 8, 0);
  const uint64_t groups = literals_.size() / 8;
  AppendULEB128((groups << 1) | 1, &bytes_);
  uint64_t accumulator = 0;
  int bits = 0;
  for (const uint32_t value : literals_) {
    accumulator |= uint64_t{value} << bits;
    bits += bit_width_;
    while (bits >= 8) {
      bytes_.push_back(static_cast<char>(accumulator & 0xFF));
      accumulator >>= 8;
      bits -= 8;
    }
  }
  // 8 values of any width fill whole bytes, so nothing is left in the accumulator.
  literals_.clear();
}

void RLEBitPackedEncoder::WriteRLERun(uint32_t value, int64_t count) {
  const int value_bytes = (bit_width_ + 7) / 8;
  while (count > 0) {
    const int64_t n = std::min(count, kMaxRunLength);
    AppendULEB128(static_cast<uint64_t>(n) << 1, &bytes_);
    for (int b = 0; b < value_bytes; ++b) {
      bytes_.push_back(static_cast<char>((value >> (8 * b)) & 0xFF));
    }
    count -= n;
  }
}

void RLEBitPackedEncoder::Finish(std::string* out) {
  EndRun();
  FlushLiterals(/*final=*/true);
  out->append(bytes_);
  bytes_.clear();
  run_length_ = 0;
}

// ---- DELTA_BINARY_PACKED ---------------------------------------------------------------------

Result<DeltaBinaryPackedDecoder> DeltaBinaryPackedDecoder::Make(const uint8_t* data, size_t size) {
  DeltaBinaryPackedDecoder decoder;
  decoder.begin_ = data;
  decoder.data_ = data;
  decoder.end_ = data + size;
  uint64_t block_size, miniblocks, total_values, first_value;
  if (!ReadULEB128(&decoder.data_, decoder.end_, &block_size) ||
      !ReadULEB128(&decoder.data_, decoder.end_, &miniblocks) ||
      !ReadULEB128(&decoder.data_, decoder.end_, &total_values) ||
      !ReadZigZag(&decoder.data_, decoder.end_, &first_value)) {
    return Status::DataError("DELTA_BINARY_PACKED: truncated or malformed header");
  }
  if (block_size == 0 || block_size % 128 != 0 || block_size > (uint64_t{1} << 31)) {
    return Status::DataError("DELTA_BINARY_PACKED: block size " + std::to_string(block_size) +
                             " is not a positive multiple of 128 up to 2^31");
  }
  if (miniblocks == 0 || block_size % miniblocks != 0 || (block_size / miniblocks) % 32 != 0) {
    return Status::DataError("DELTA_BINARY_PACKED: " + std::to_string(miniblocks) +
                             " miniblocks do not split a block of " + std::to_string(block_size) +
                             " values into multiples of 32");
  }
  if (total_values > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
    return Status::DataError("DELTA_BINARY_PACKED: value count " + std::to_string(total_values) +
                             " is out of range");
  }
  decoder.block_size_ = block_size;
  decoder.miniblocks_per_block_ = miniblocks;
  decoder.values_per_miniblock_ = block_size / miniblocks;
  decoder.total_values_ = static_cast<int64_t>(total_values);
  decoder.last_value_ = first_value;
  decoder.miniblock_index_ = miniblocks;  // no block read yet
  return decoder;
}

Status DeltaBinaryPackedDecoder::NextBlock() {
  if (!ReadZigZag(&data_, end_, &min_delta_)) {
    return Status::DataError("DELTA_BINARY_PACKED: truncated block header");
  }
  if (static_cast<uint64_t>(end_ - data_) < miniblocks_per_block_) {
    return Status::DataError("DELTA_BINARY_PACKED: truncated miniblock bit widths");
  }
  bit_widths_.assign(data_, data_ + miniblocks_per_block_);
  data_ += miniblocks_per_block_;
  miniblock_index_ = 0;
  return NextMiniblock();
}

Status DeltaBinaryPackedDecoder::NextMiniblock() {
  const int width = bit_widths_[miniblock_index_];
  if (width > 64) {
    return Status::DataError("DELTA_BINARY_PACKED: miniblock bit width " + std::to_string(width) +
                             " exceeds 64");
  }
  // Only the values still to be decoded must be present; a conforming writer pads the last
  // miniblock to its full size, which is what follows when the buffer holds it.
  const uint64_t values_needed =
      std::min(values_per_miniblock_, static_cast<uint64_t>(total_values_ - values_read_));
  const uint64_t needed_bytes = (values_needed * static_cast<uint64_t>(width) + 7) / 8;
  const uint64_t full_bytes = values_per_miniblock_ * static_cast<uint64_t>(width) / 8;
  const uint64_t available = static_cast<uint64_t>(end_ - data_);
  if (needed_bytes > available) {
    return Status::DataError("DELTA_BINARY_PACKED: truncated miniblock");
  }
  miniblock_data_ = data_;
  data_ += std::min(full_bytes, available);
  miniblock_bit_width_ = width;
  miniblock_position_ = 0;
  miniblock_values_left_ = values_per_miniblock_;
  ++miniblock_index_;
  return Status::OK();
}

template <typename T>
Result<int64_t> DeltaBinaryPackedDecoder::DecodeImpl(T* out, int64_t count) {
  if (count < 0) return Status::InvalidArgument("DELTA_BINARY_PACKED: negative value count");
  const int64_t n = std::min(count, total_values_ - values_read_);
  int64_t done = 0;
  if (n > 0 && first_value_pending_) {
    out[0] = static_cast<T>(last_value_);
    first_value_pending_ = false;
    ++values_read_;
    done = 1;
  }
  constexpr int64_t kChunk = 256;
  uint64_t deltas[kChunk];
  while (done < n) {
    if (miniblock_values_left_ == 0) {
      if (miniblock_index_ >= miniblocks_per_block_) {
        SLUICE_RETURN_NOT_OK(NextBlock());
      } else {
        SLUICE_RETURN_NOT_OK(NextMiniblock());
      }
    }
    const int64_t k = std::min({static_cast<int64_t>(miniblock_values_left_), n - done, kChunk});
    UnpackBits<uint64_t>(miniblock_data_, end_, miniblock_position_, miniblock_bit_width_, k,
                         deltas);
    uint64_t value = last_value_;
    const uint64_t min_delta = min_delta_;
    for (int64_t j = 0; j < k; ++j) {
      value += min_delta + deltas[j];
      out[done + j] = static_cast<T>(value);
    }
    last_value_ = value;
    miniblock_position_ += static_cast<uint64_t>(k);
    miniblock_values_left_ -= static_cast<uint64_t>(k);
    values_read_ += k;
    done += k;
  }
  return n;
}

Result<int64_t> DeltaBinaryPackedDecoder::Decode(int64_t* out, int64_t count) {
  return DecodeImpl(out, count);
}

Result<int64_t> DeltaBinaryPackedDecoder::Decode(int32_t* out, int64_t count) {
  return DecodeImpl(out, count);
}

size_t DeltaBinaryPackedDecoder::bytes_consumed() const {
  return static_cast<size_t>(data_ - begin_);
}

// ---- byte arrays -----------------------------------------------------------------------------

namespace {

// Reads the DELTA_BINARY_PACKED lengths at the start of `data`: the first `count` go to
// `on_length(index, length)`, the rest (a header may declare more) are skipped. Sets *consumed to
// the size of the lengths section.
template <typename OnLength>
Status ReadLengths(std::string_view what, const uint8_t* data, size_t size, int64_t count,
                   OnLength on_length, size_t* consumed) {
  if (count < 0) return Status::InvalidArgument(std::string(what) + ": negative value count");
  auto decoder_result = DeltaBinaryPackedDecoder::Make(data, size);
  if (!decoder_result.ok()) return decoder_result.status().WithContext(what);
  DeltaBinaryPackedDecoder decoder = std::move(decoder_result).ValueUnsafe();
  const int64_t total = decoder.total_values();
  // Lengths beyond `count` must be decoded to find the data that follows them; bound that work by
  // what the caller and the buffer justify (128 zero-width values take about 5 bytes).
  const uint64_t extra_limit =
      static_cast<uint64_t>(count) + 64 * static_cast<uint64_t>(size) + 1024;
  if (total < count || static_cast<uint64_t>(total - count) > extra_limit) {
    return Status::DataError(std::string(what) + ": " + std::to_string(total) +
                             " lengths declared for " + std::to_string(count) + " values");
  }
  constexpr int64_t kChunk = 1024;
  int32_t lengths[kChunk];
  int64_t index = 0;
  while (index < total) {
    SLUICE_ASSIGN_OR_RETURN(const int64_t got,
                            decoder.Decode(lengths, std::min(kChunk, total - index)));
    if (got <= 0) return Status::DataError(std::string(what) + ": truncated lengths");
    for (int64_t j = 0; j < got && index + j < count; ++j) {
      SLUICE_RETURN_NOT_OK(on_length(index + j, lengths[j]));
    }
    index += got;
  }
  *consumed = decoder.bytes_consumed();
  return Status::OK();
}

constexpr uint64_t kMaxByteArrayBytes = std::numeric_limits<uint32_t>::max();

}  // namespace

Status DecodeDeltaLengthByteArray(const uint8_t* data, size_t size, int64_t count,
                                  ByteArrayValues* out) {
  constexpr std::string_view kWhat = "DELTA_LENGTH_BYTE_ARRAY";
  out->offsets.clear();
  out->bytes.clear();
  if (count < 0) return Status::InvalidArgument("DELTA_LENGTH_BYTE_ARRAY: negative value count");
  // Grown as lengths are decoded, so a bogus header cannot make the caller's count allocate.
  out->offsets.push_back(0);
  uint64_t total_bytes = 0;
  size_t consumed = 0;
  const Status status = ReadLengths(
      kWhat, data, size, count,
      [&](int64_t index, int32_t length) -> Status {
        if (length < 0) {
          return Status::DataError("DELTA_LENGTH_BYTE_ARRAY: negative length " +
                                   std::to_string(length) + " for value " + std::to_string(index));
        }
        total_bytes += static_cast<uint64_t>(length);
        if (total_bytes > std::min<uint64_t>(size, kMaxByteArrayBytes)) {
          return Status::DataError("DELTA_LENGTH_BYTE_ARRAY: lengths overrun the page data");
        }
        out->offsets.push_back(static_cast<uint32_t>(total_bytes));
        return Status::OK();
      },
      &consumed);
  if (!status.ok()) {
    out->offsets.clear();
    return status;
  }
  if (total_bytes > size - consumed) {
    out->offsets.clear();
    return Status::DataError("DELTA_LENGTH_BYTE_ARRAY: lengths total " +
                             std::to_string(total_bytes) + " bytes, page data has " +
                             std::to_string(size - consumed));
  }
  out->bytes.assign(reinterpret_cast<const char*>(data) + consumed,
                    static_cast<size_t>(total_bytes));
  return Status::OK();
}

Status DecodeDeltaByteArray(const uint8_t* data, size_t size, int64_t count, ByteArrayValues* out) {
  constexpr std::string_view kWhat = "DELTA_BYTE_ARRAY prefix lengths";
  out->offsets.clear();
  out->bytes.clear();
  if (count < 0) return Status::InvalidArgument("DELTA_BYTE_ARRAY: negative value count");
  std::vector<int32_t> prefixes;
  size_t consumed = 0;
  SLUICE_RETURN_NOT_OK(ReadLengths(
      kWhat, data, size, count,
      [&](int64_t /*index*/, int32_t length) -> Status {
        prefixes.push_back(length);
        return Status::OK();
      },
      &consumed));
  ByteArrayValues suffixes;
  Status status = DecodeDeltaLengthByteArray(data + consumed, size - consumed, count, &suffixes);
  if (!status.ok()) return status.WithContext("DELTA_BYTE_ARRAY suffixes");

  std::vector<uint32_t> offsets(prefixes.size() + 1);
  uint64_t total = 0;
  uint64_t previous_length = 0;
  for (size_t i = 0; i < prefixes.size(); ++i) {
    const int32_t prefix = prefixes[i];
    if (prefix < 0 || static_cast<uint64_t>(prefix) > previous_length) {
      return Status::DataError("DELTA_BYTE_ARRAY: prefix length " + std::to_string(prefix) +
                               " of value " + std::to_string(i) + " exceeds the previous value (" +
                               std::to_string(previous_length) + " bytes)");
    }
    const uint64_t length =
        static_cast<uint64_t>(prefix) + (suffixes.offsets[i + 1] - suffixes.offsets[i]);
    total += length;
    if (total > kMaxByteArrayBytes) {
      return Status::DataError("DELTA_BYTE_ARRAY: values exceed 4 GiB");
    }
    offsets[i + 1] = static_cast<uint32_t>(total);
    previous_length = length;
  }
  std::string bytes(static_cast<size_t>(total), '\0');
  for (size_t i = 0; i < prefixes.size(); ++i) {
    char* destination = bytes.data() + offsets[i];
    const size_t prefix = static_cast<size_t>(prefixes[i]);
    // The previous value ends where this one starts, so the ranges do not overlap.
    if (prefix > 0) std::memcpy(destination, bytes.data() + offsets[i - 1], prefix);
    const size_t suffix = suffixes.offsets[i + 1] - suffixes.offsets[i];
    if (suffix > 0) {
      std::memcpy(destination + prefix, suffixes.bytes.data() + suffixes.offsets[i], suffix);
    }
  }
  out->offsets = std::move(offsets);
  out->bytes = std::move(bytes);
  return Status::OK();
}

// ---- BYTE_STREAM_SPLIT -----------------------------------------------------------------------

namespace {

template <int kWidth>
void JoinStreams(const uint8_t* data, size_t stride, int64_t count, uint8_t* out) {
  for (int64_t i = 0; i < count; ++i) {
    for (int k = 0; k < kWidth; ++k) out[i * kWidth + k] = data[k * stride + i];
  }
}

}  // namespace

Status DecodeByteStreamSplit(const uint8_t* data, size_t size, int64_t count, int width,
                             uint8_t* out) {
  if (width <= 0) {
    return Status::InvalidArgument("BYTE_STREAM_SPLIT: width " + std::to_string(width));
  }
  if (count < 0) return Status::InvalidArgument("BYTE_STREAM_SPLIT: negative value count");
  const size_t byte_width = static_cast<size_t>(width);
  const size_t stride = size / byte_width;
  if (size % byte_width != 0 || static_cast<uint64_t>(count) > stride) {
    return Status::DataError("BYTE_STREAM_SPLIT: " + std::to_string(size) + " bytes do not hold " +
                             std::to_string(count) + " values of " + std::to_string(width) +
                             " bytes");
  }
  switch (width) {
    case 2:
      JoinStreams<2>(data, stride, count, out);
      break;
    case 4:
      JoinStreams<4>(data, stride, count, out);
      break;
    case 8:
      JoinStreams<8>(data, stride, count, out);
      break;
    default:
      for (int64_t i = 0; i < count; ++i) {
        for (size_t k = 0; k < byte_width; ++k) {
          out[static_cast<size_t>(i) * byte_width + k] = data[k * stride + static_cast<size_t>(i)];
        }
      }
  }
  return Status::OK();
}

}  // namespace sluice::parquet

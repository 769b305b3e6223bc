#include "sluice/io/compression_codec.h"

#include <brotli/decode.h>
#include <brotli/encode.h>
#include <lz4.h>
#include <snappy.h>
#include <zlib.h>
#include <zstd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <limits>
#include <string>

namespace sluice::io {
namespace {

constexpr int kDefaultZstdLevel = 3;
constexpr int kDefaultBrotliQuality = 5;
// zlib counts bytes in uInt; larger buffers go through in slices of this size.
constexpr size_t kZlibSlice = std::numeric_limits<uInt>::max();

std::string SizeMismatch(std::string_view codec, size_t actual, size_t expected) {
  return std::string(codec) + ": decompressed " + std::to_string(actual) + " bytes, expected " +
         std::to_string(expected);
}

// Grows *out by `capacity` bytes and returns where they start; callers trim the unused tail.
uint8_t* GrowBy(std::string* out, size_t capacity) {
  const size_t old_size = out->size();
  out->resize(old_size + capacity);
  return reinterpret_cast<uint8_t*>(out->data() + old_size);
}

// ---- snappy -----------------------------------------------------------------------------------

Status SnappyCompress(const uint8_t* data, size_t size, std::string* out) {
  const size_t old_size = out->size();
  char* destination = reinterpret_cast<char*>(GrowBy(out, snappy::MaxCompressedLength(size)));
  size_t written = 0;
  static const char kEmpty = 0;
  snappy::RawCompress(size > 0 ? reinterpret_cast<const char*>(data) : &kEmpty, size, destination,
                      &written);
  out->resize(old_size + written);
  return Status::OK();
}

Status SnappyDecompress(const uint8_t* data, size_t size, uint8_t* out, size_t expected) {
  const char* input = reinterpret_cast<const char*>(data);
  size_t length = 0;
  if (!snappy::GetUncompressedLength(input, size, &length)) {
    return Status::DataError("snappy: corrupt input");
  }
  if (length != expected) return Status::DataError(SizeMismatch("snappy", length, expected));
  char scratch = 0;
  char* destination = expected > 0 ? reinterpret_cast<char*>(out) : &scratch;
  if (!snappy::RawUncompress(input, size, destination)) {
    return Status::DataError("snappy: corrupt input");
  }
  return Status::OK();
}

// ---- gzip / zlib ------------------------------------------------------------------------------

std::string ZlibMessage(std::string_view what, const z_stream& stream, int code) {
  std::string message = "gzip: " + std::string(what);
  if (stream.msg != nullptr) {
    message += std::string(" (") + stream.msg + ")";
  } else {
    message += " (zlib code " + std::to_string(code) + ")";
  }
  return message;
}

Status GzipCompress(int level, const uint8_t* data, size_t size, std::string* out) {
  if (level == 0) level = Z_DEFAULT_COMPRESSION;
  if (level != Z_DEFAULT_COMPRESSION && (level < 1 || level > 9)) {
    return Status::InvalidArgument("gzip: compression level " + std::to_string(level) +
                                   " is outside 1..9");
  }
  z_stream stream{};
  // windowBits 15 + 16: a gzip header and trailer rather than zlib's.
  if (deflateInit2(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return Status::Internal("gzip: deflateInit2 failed");
  }
  const size_t old_size = out->size();
  // deflateBound covers a single call; slicing large inputs can need a little more, in which case
  // the buffer grows.
  size_t capacity = deflateBound(&stream, static_cast<uLong>(size));
  out->resize(old_size + capacity);
  size_t written = 0;
  size_t consumed = 0;
  int code = Z_OK;
  while (code != Z_STREAM_END) {
    if (written == capacity) {
      capacity += capacity / 2 + 64;
      out->resize(old_size + capacity);
    }
    const size_t input_slice = std::min(size - consumed, kZlibSlice);
    stream.next_in = const_cast<Bytef*>(data + consumed);
    stream.avail_in = static_cast<uInt>(input_slice);
    const size_t output_slice = std::min(capacity - written, kZlibSlice);
    stream.next_out = reinterpret_cast<Bytef*>(out->data() + old_size + written);
    stream.avail_out = static_cast<uInt>(output_slice);
    const bool last_input = consumed + input_slice == size;
    code = deflate(&stream, last_input ? Z_FINISH : Z_NO_FLUSH);
    consumed += input_slice - stream.avail_in;
    written += output_slice - stream.avail_out;
    if (code != Z_OK && code != Z_STREAM_END && code != Z_BUF_ERROR) {
      const std::string message = ZlibMessage("compression failed", stream, code);
      deflateEnd(&stream);
      out->resize(old_size);
      return Status::Internal(message);
    }
  }
  deflateEnd(&stream);
  out->resize(old_size + written);
  return Status::OK();
}

Status GzipDecompress(const uint8_t* data, size_t size, uint8_t* out, size_t expected) {
  z_stream stream{};
  // windowBits 15 + 32: detect a gzip or a zlib header.
  if (inflateInit2(&stream, 15 + 32) != Z_OK) return Status::Internal("gzip: inflateInit2 failed");
  size_t consumed = 0;
  size_t produced = 0;
  uint8_t scratch = 0;
  Status status;
  while (true) {
    const size_t input_slice = std::min(size - consumed, kZlibSlice);
    stream.next_in = const_cast<Bytef*>(data + consumed);
    stream.avail_in = static_cast<uInt>(input_slice);
    // Once `out` is full, offer one scratch byte: output there means the data is too long.
    const bool full = produced == expected;
    const size_t output_slice = full ? 1 : std::min(expected - produced, kZlibSlice);
    stream.next_out = full ? &scratch : out + produced;
    stream.avail_out = static_cast<uInt>(output_slice);
    const int code = inflate(&stream, Z_NO_FLUSH);
    consumed += input_slice - stream.avail_in;
    const size_t made = output_slice - stream.avail_out;
    if (full && made > 0) {
      status = Status::DataError("gzip: decompressed more than the expected " +
                                 std::to_string(expected) + " bytes");
      break;
    }
    produced += full ? 0 : made;
    if (code == Z_STREAM_END) {
      if (consumed == size) break;
      // Another gzip member follows (concatenated members form one stream).
      if (inflateReset(&stream) != Z_OK) {
        status = Status::Internal("gzip: inflateReset failed");
        break;
      }
      continue;
    }
    if (code == Z_OK) continue;  // progress was made
    // Z_BUF_ERROR: no progress. Output room was offered, so more input is needed.
    if (code == Z_BUF_ERROR) {
      if (consumed < size) continue;
      status = Status::DataError("gzip: truncated input");
      break;
    }
    status = Status::DataError(ZlibMessage("corrupt input", stream, code));
    break;
  }
  inflateEnd(&stream);
  SLUICE_RETURN_NOT_OK(status);
  if (produced != expected) return Status::DataError(SizeMismatch("gzip", produced, expected));
  return Status::OK();
}

// ---- zstd -------------------------------------------------------------------------------------

Status ZstdCompress(int level, const uint8_t* data, size_t size, std::string* out) {
  if (level == 0) level = kDefaultZstdLevel;
  if (level < ZSTD_minCLevel() || level > ZSTD_maxCLevel()) {
    return Status::InvalidArgument("zstd: compression level " + std::to_string(level) +
                                   " is outside " + std::to_string(ZSTD_minCLevel()) + ".." +
                                   std::to_string(ZSTD_maxCLevel()));
  }
  const size_t old_size = out->size();
  const size_t bound = ZSTD_compressBound(size);
  uint8_t* destination = GrowBy(out, bound);
  const size_t written = ZSTD_compress(destination, bound, data, size, level);
  if (ZSTD_isError(written)) {
    out->resize(old_size);
    return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(written));
  }
  out->resize(old_size + written);
  return Status::OK();
}

Status ZstdDecompress(const uint8_t* data, size_t size, uint8_t* out, size_t expected) {
  uint8_t scratch = 0;
  const size_t produced = ZSTD_decompress(expected > 0 ? out : &scratch, expected, data, size);
  if (ZSTD_isError(produced)) {
    return Status::DataError(std::string("zstd: ") + ZSTD_getErrorName(produced));
  }
  if (produced != expected) return Status::DataError(SizeMismatch("zstd", produced, expected));
  return Status::OK();
}

// ---- LZ4 --------------------------------------------------------------------------------------

constexpr size_t kLZ4MaxSize = LZ4_MAX_INPUT_SIZE;

Status LZ4RawCompress(const uint8_t* data, size_t size, std::string* out) {
  if (size > kLZ4MaxSize) {
    return Status::InvalidArgument("lz4: " + std::to_string(size) +
                                   " bytes exceed the LZ4 block limit");
  }
  const size_t old_size = out->size();
  const int bound = LZ4_compressBound(static_cast<int>(size));
  char* destination = reinterpret_cast<char*>(GrowBy(out, static_cast<size_t>(bound)));
  static const char kEmpty = 0;
  const int written = LZ4_compress_default(size > 0 ? reinterpret_cast<const char*>(data) : &kEmpty,
                                           destination, static_cast<int>(size), bound);
  if (written <= 0) {
    out->resize(old_size);
    return Status::Internal("lz4: compression failed");
  }
  out->resize(old_size + static_cast<size_t>(written));
  return Status::OK();
}

// Decompresses one raw block that must yield exactly `expected` bytes.
Status LZ4RawDecompress(std::string_view codec, const uint8_t* data, size_t size, uint8_t* out,
                        size_t expected) {
  if (size > kLZ4MaxSize || expected > static_cast<size_t>(std::numeric_limits<int>::max())) {
    return Status::DataError(std::string(codec) + ": block too large");
  }
  char scratch = 0;
  const int produced = LZ4_decompress_safe(reinterpret_cast<const char*>(data),
                                           expected > 0 ? reinterpret_cast<char*>(out) : &scratch,
                                           static_cast<int>(size), static_cast<int>(expected));
  if (produced < 0) return Status::DataError(std::string(codec) + ": corrupt input");
  if (static_cast<size_t>(produced) != expected) {
    return Status::DataError(SizeMismatch(codec, static_cast<size_t>(produced), expected));
  }
  return Status::OK();
}

uint32_t LoadBE32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | uint32_t{p[3]};
}

void AppendBE32(uint32_t value, std::string* out) {
  for (int shift = 24; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((value >> shift) & 0xFF));
  }
}

Status LZ4HadoopCompress(const uint8_t* data, size_t size, std::string* out) {
  // One frame per block of input; Hadoop readers buffer a frame at a time, so keep them modest.
  constexpr size_t kFrameSize = 1 << 20;
  const size_t start = out->size();
  size_t offset = 0;
  do {
    const size_t chunk = std::min(size - offset, kFrameSize);
    const size_t header = out->size();
    AppendBE32(static_cast<uint32_t>(chunk), out);
    AppendBE32(0, out);  // patched below
    const Status status = LZ4RawCompress(data + offset, chunk, out);
    if (!status.ok()) {
      out->resize(start);
      return status;
    }
    const uint32_t compressed = static_cast<uint32_t>(out->size() - header - 8);
    for (int i = 0; i < 4; ++i) {
      (*out)[header + 4 + static_cast<size_t>(i)] =
          static_cast<char>((compressed >> (24 - 8 * i)) & 0xFF);
    }
    offset += chunk;
  } while (offset < size);
  return Status::OK();
}

// Hadoop framing: [BE32 uncompressed length][BE32 compressed length][raw block], repeated.
// Returns false when the input does not follow it exactly.
bool TryLZ4HadoopDecompress(const uint8_t* data, size_t size, uint8_t* out, size_t expected) {
  constexpr size_t kHeaderSize = 8;
  size_t consumed = 0;
  size_t produced = 0;
  while (consumed < size) {
    if (size - consumed < kHeaderSize) return false;
    const size_t uncompressed = LoadBE32(data + consumed);
    const size_t compressed = LoadBE32(data + consumed + 4);
    consumed += kHeaderSize;
    if (compressed > size - consumed || uncompressed > expected - produced) return false;
    if (!LZ4RawDecompress("lz4", data + consumed, compressed, out + produced, uncompressed).ok()) {
      return false;
    }
    consumed += compressed;
    produced += uncompressed;
  }
  return produced == expected;
}

Status LZ4HadoopDecompress(const uint8_t* data, size_t size, uint8_t* out, size_t expected) {
  if (TryLZ4HadoopDecompress(data, size, out, expected)) return Status::OK();
  // Some writers emitted raw LZ4 blocks under the Hadoop codec; try that, as Arrow does.
  return LZ4RawDecompress("lz4_hadoop", data, size, out, expected);
}

// ---- brotli -----------------------------------------------------------------------------------

Status BrotliCompress(int level, const uint8_t* data, size_t size, std::string* out) {
  const int quality = level == 0 ? kDefaultBrotliQuality : level;
  if (quality < BROTLI_MIN_QUALITY || quality > BROTLI_MAX_QUALITY) {
    return Status::InvalidArgument("brotli: compression level " + std::to_string(level) +
                                   " is outside 0..11");
  }
  size_t bound = BrotliEncoderMaxCompressedSize(size);
  if (bound == 0) return Status::InvalidArgument("brotli: input too large");
  const size_t old_size = out->size();
  uint8_t* destination = GrowBy(out, bound);
  static const uint8_t kEmpty = 0;
  if (!BrotliEncoderCompress(quality, BROTLI_DEFAULT_WINDOW, BROTLI_MODE_GENERIC, size,
                             size > 0 ? data : &kEmpty, &bound, destination)) {
    out->resize(old_size);
    return Status::Internal("brotli: compression failed");
  }
  out->resize(old_size + bound);
  return Status::OK();
}

Status BrotliDecompress(const uint8_t* data, size_t size, uint8_t* out, size_t expected) {
  uint8_t scratch = 0;
  size_t produced = expected;
  static const uint8_t kEmpty = 0;
  const BrotliDecoderResult result = BrotliDecoderDecompress(
      size, size > 0 ? data : &kEmpty, &produced, expected > 0 ? out : &scratch);
  if (result != BROTLI_DECODER_RESULT_SUCCESS) {
    return Status::DataError("brotli: corrupt input or more than the expected " +
                             std::to_string(expected) + " bytes");
  }
  if (produced != expected) return Status::DataError(SizeMismatch("brotli", produced, expected));
  return Status::OK();
}

}  // namespace

std::string_view CodecName(Codec codec) {
  switch (codec) {
    case Codec::kNone:
      return "none";
    case Codec::kSnappy:
      return "snappy";
    case Codec::kGzip:
      return "gzip";
    case Codec::kZstd:
      return "zstd";
    case Codec::kLZ4Raw:
      return "lz4_raw";
    case Codec::kLZ4Hadoop:
      return "lz4_hadoop";
    case Codec::kBrotli:
      return "brotli";
  }
  return "unknown";
}

Result<Codec> ParseCodec(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower == "none" || lower == "uncompressed") return Codec::kNone;
  if (lower == "snappy") return Codec::kSnappy;
  if (lower == "gzip") return Codec::kGzip;
  if (lower == "zstd") return Codec::kZstd;
  // Plain "lz4" means the modern raw-block codec (Parquet's LZ4_RAW), as Arrow writes it.
  if (lower == "lz4" || lower == "lz4_raw") return Codec::kLZ4Raw;
  if (lower == "lz4_hadoop") return Codec::kLZ4Hadoop;
  if (lower == "brotli") return Codec::kBrotli;
  return Status::InvalidArgument("unknown compression codec '" + std::string(name) +
                                 "' (choices: none, uncompressed, snappy, gzip, zstd, lz4, "
                                 "lz4_raw, lz4_hadoop, brotli)");
}

Status Compress(Codec codec, int level, const uint8_t* data, size_t size, std::string* out) {
  switch (codec) {
    case Codec::kNone:
      if (size > 0) out->append(reinterpret_cast<const char*>(data), size);
      return Status::OK();
    case Codec::kSnappy:
      return SnappyCompress(data, size, out);
    case Codec::kGzip:
      return GzipCompress(level, data, size, out);
    case Codec::kZstd:
      return ZstdCompress(level, data, size, out);
    case Codec::kLZ4Raw:
      return LZ4RawCompress(data, size, out);
    case Codec::kLZ4Hadoop:
      return LZ4HadoopCompress(data, size, out);
    case Codec::kBrotli:
      return BrotliCompress(level, data, size, out);
  }
  return Status::InvalidArgument("unknown compression codec");
}

Status Decompress(Codec codec, const uint8_t* data, size_t size, uint8_t* out,
                  size_t uncompressed_size) {
  // An empty page may be stored as nothing at all, whatever the codec.
  if (size == 0 && uncompressed_size == 0) return Status::OK();
  switch (codec) {
    case Codec::kNone:
      if (size != uncompressed_size) {
        return Status::DataError("none: " + std::to_string(size) + " bytes, expected " +
                                 std::to_string(uncompressed_size));
      }
      std::memcpy(out, data, size);
      return Status::OK();
    case Codec::kSnappy:
      return SnappyDecompress(data, size, out, uncompressed_size);
    case Codec::kGzip:
      return GzipDecompress(data, size, out, uncompressed_size);
    case Codec::kZstd:
      return ZstdDecompress(data, size, out, uncompressed_size);
    case Codec::kLZ4Raw:
      return LZ4RawDecompress("lz4_raw", data, size, out, uncompressed_size);
    case Codec::kLZ4Hadoop:
      return LZ4HadoopDecompress(data, size, out, uncompressed_size);
    case Codec::kBrotli:
      return BrotliDecompress(data, size, out, uncompressed_size);
  }
  return Status::InvalidArgument("unknown compression codec");
}

uint32_t CRC32(const uint8_t* data, size_t size) {
  uLong crc = crc32(0L, Z_NULL, 0);
  while (size > 0) {
    const size_t slice = std::min(size, kZlibSlice);
    crc = crc32(crc, data, static_cast<uInt>(slice));
    data += slice;
    size -= slice;
  }
  return static_cast<uint32_t>(crc);
}

}  // namespace sluice::io

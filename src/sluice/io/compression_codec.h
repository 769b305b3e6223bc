// Block compression codecs: whole buffers in, whole buffers out (Parquet pages, and later other
// block formats). Streaming decompression of whole files lives in decompressing_input_stream.h.
//
// Contract: Decompress never writes more than `uncompressed_size` bytes and fails with a DataError
// when the input is corrupt or does not decompress to exactly `uncompressed_size` bytes
// (kLZ4Hadoop: the Hadoop block framing; when the framing does not fit, the input is tried as one
// raw LZ4 block, as Arrow does). Compress appends to *out.
// Thread-safety: free functions, safe to call from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sluice/common/result.h"

namespace sluice::io {

enum class Codec {
  kNone,
  kSnappy,
  kGzip,  // gzip framing (zlib streams are accepted on decompression too)
  kZstd,
  kLZ4Raw,     // one raw LZ4 block
  kLZ4Hadoop,  // Hadoop's framing: [uncompressed len BE32][compressed len BE32][raw block]...
  kBrotli,
};

std::string_view CodecName(Codec codec);  // "none", "snappy", "gzip", "zstd", "lz4_raw", ...

// Parses a codec name as given on the command line or in a project file ("snappy", "zstd", "gzip",
// "none", "uncompressed", "lz4", "lz4_raw", "brotli"). Errors: InvalidArgument listing the choices.
Result<Codec> ParseCodec(std::string_view name);

// Compresses `size` bytes at `data`, appending to *out. `level` is codec-specific (zstd 1..22,
// gzip 1..9, brotli 0..11); 0 means the codec's default.
Status Compress(Codec codec, int level, const uint8_t* data, size_t size, std::string* out);

// Decompresses into `out`, which has room for exactly `uncompressed_size` bytes.
Status Decompress(Codec codec, const uint8_t* data, size_t size, uint8_t* out,
                  size_t uncompressed_size);

// CRC-32 (the zlib/ISO-HDLC polynomial, as Parquet page checksums use).
uint32_t CRC32(const uint8_t* data, size_t size);

}  // namespace sluice::io

#include "sluice/io/compression_codec.h"

#include <gtest/gtest.h>
#include <lz4.h>
#include <zlib.h>

#include <random>
#include <string>
#include <vector>

namespace sluice::io {
namespace {

const uint8_t* Bytes(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

const std::vector<Codec> kCompressingCodecs = {Codec::kSnappy, Codec::kGzip,      Codec::kZstd,
                                               Codec::kLZ4Raw, Codec::kLZ4Hadoop, Codec::kBrotli};

std::string RandomBytes(size_t size, uint32_t seed) {
  std::mt19937 random(seed);
  std::string out(size, '\0');
  for (auto& c : out) c = static_cast<char>(random());
  return out;
}

std::string RepetitiveBytes(size_t size) {
  std::string out;
  out.reserve(size);
  for (size_t i = 0; out.size() < size; ++i) {
    out += "row " + std::to_string(i % 100) + ",sluice,2024-01-01,";
  }
  out.resize(size);
  return out;
}

std::string MustCompress(Codec codec, const std::string& input, int level = 0) {
  std::string out;
  const Status status = Compress(codec, level, Bytes(input), input.size(), &out);
  EXPECT_TRUE(status.ok()) << CodecName(codec) << ": " << status.ToString();
  return out;
}

Status DecompressTo(Codec codec, const std::string& compressed, size_t expected, std::string* out) {
  out->assign(expected, '\0');
  return Decompress(codec, Bytes(compressed), compressed.size(),
                    reinterpret_cast<uint8_t*>(out->data()), expected);
}

// An exact-size heap copy, so that ASan flags any read past the end of the input.
Status DecompressExact(Codec codec, const std::string& compressed, size_t length, size_t expected) {
  std::vector<uint8_t> input(compressed.begin(),
                             compressed.begin() + static_cast<ptrdiff_t>(length));
  std::vector<uint8_t> output(expected);
  return Decompress(codec, input.data(), input.size(), output.data(), expected);
}

void AppendBE32(uint32_t value, std::string* out) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(value >> shift));
}

std::string RawLZ4(const std::string& input) {
  std::string out(static_cast<size_t>(LZ4_compressBound(static_cast<int>(input.size()))), '\0');
  const int written = LZ4_compress_default(input.data(), out.data(), static_cast<int>(input.size()),
                                           static_cast<int>(out.size()));
  EXPECT_GT(written, 0);
  out.resize(static_cast<size_t>(written));
  return out;
}

std::string HadoopFrame(const std::string& input) {
  const std::string block = RawLZ4(input);
  std::string out;
  AppendBE32(static_cast<uint32_t>(input.size()), &out);
  AppendBE32(static_cast<uint32_t>(block.size()), &out);
  return out + block;
}

TEST(CompressionCodecTest, RoundTrips) {
  const std::vector<std::string> inputs = {"", "a", "hello, hello, hello", RandomBytes(1 << 20, 1),
                                           RepetitiveBytes(1 << 20)};
  for (const Codec codec : kCompressingCodecs) {
    for (const std::string& input : inputs) {
      const std::string compressed = MustCompress(codec, input);
      std::string output;
      const Status status = DecompressTo(codec, compressed, input.size(), &output);
      ASSERT_TRUE(status.ok()) << CodecName(codec) << " " << input.size() << ": "
                               << status.ToString();
      ASSERT_EQ(output, input) << CodecName(codec);
      if (input.size() == (1 << 20) && input[0] == 'r') {
        EXPECT_LT(compressed.size(), input.size() / 10) << CodecName(codec);
      }
    }
  }
}

TEST(CompressionCodecTest, CompressAppends) {
  for (const Codec codec : kCompressingCodecs) {
    std::string out = "prefix";
    ASSERT_TRUE(Compress(codec, 0, Bytes(std::string("data")), 4, &out).ok());
    ASSERT_EQ(out.substr(0, 6), "prefix");
    const std::string compressed = out.substr(6);
    std::string output;
    ASSERT_TRUE(DecompressTo(codec, compressed, 4, &output).ok()) << CodecName(codec);
    EXPECT_EQ(output, "data");
  }
}

TEST(CompressionCodecTest, LevelsAreValidated) {
  const std::string input = RepetitiveBytes(10000);
  for (const auto& [codec, level] : std::vector<std::pair<Codec, int>>{{Codec::kGzip, 1},
                                                                       {Codec::kGzip, 9},
                                                                       {Codec::kZstd, 1},
                                                                       {Codec::kZstd, 19},
                                                                       {Codec::kBrotli, 1},
                                                                       {Codec::kBrotli, 11}}) {
    const std::string compressed = MustCompress(codec, input, level);
    std::string output;
    ASSERT_TRUE(DecompressTo(codec, compressed, input.size(), &output).ok());
    EXPECT_EQ(output, input);
  }
  std::string out;
  EXPECT_EQ(Compress(Codec::kGzip, 10, Bytes(input), input.size(), &out).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Compress(Codec::kZstd, 100, Bytes(input), input.size(), &out).code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Compress(Codec::kBrotli, 12, Bytes(input), input.size(), &out).code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(out.empty());
}

TEST(CompressionCodecTest, EmptyPages) {
  // Nothing in, nothing out, for every codec.
  for (const Codec codec : {Codec::kNone, Codec::kSnappy, Codec::kGzip, Codec::kZstd,
                            Codec::kLZ4Raw, Codec::kLZ4Hadoop, Codec::kBrotli}) {
    EXPECT_TRUE(Decompress(codec, nullptr, 0, nullptr, 0).ok()) << CodecName(codec);
  }
  // A zero-length page stored as a non-empty stream (zstd of nothing is a 9-byte frame).
  const std::string zstd_of_nothing = MustCompress(Codec::kZstd, "");
  EXPECT_GT(zstd_of_nothing.size(), 0u);
  EXPECT_TRUE(
      Decompress(Codec::kZstd, Bytes(zstd_of_nothing), zstd_of_nothing.size(), nullptr, 0).ok());
  // But empty input cannot produce data.
  for (const Codec codec : kCompressingCodecs) {
    std::string output;
    EXPECT_EQ(DecompressTo(codec, "", 5, &output).code(), StatusCode::kDataError)
        << CodecName(codec);
  }
}

TEST(CompressionCodecTest, NoneCopiesExactly) {
  std::string out;
  ASSERT_TRUE(Compress(Codec::kNone, 0, Bytes(std::string("abc")), 3, &out).ok());
  EXPECT_EQ(out, "abc");
  std::string output;
  ASSERT_TRUE(DecompressTo(Codec::kNone, "abc", 3, &output).ok());
  EXPECT_EQ(output, "abc");
  EXPECT_EQ(DecompressTo(Codec::kNone, "abc", 4, &output).code(), StatusCode::kDataError);
}

TEST(CompressionCodecTest, HadoopLZ4Framing) {
  const std::string input = RepetitiveBytes(5000) + RandomBytes(3000, 2);
  std::string output;

  const std::string one_frame = HadoopFrame(input);
  ASSERT_TRUE(DecompressTo(Codec::kLZ4Hadoop, one_frame, input.size(), &output).ok());
  EXPECT_EQ(output, input);

  const std::string two_frames =
      HadoopFrame(input.substr(0, 4096)) + HadoopFrame(input.substr(4096));
  ASSERT_TRUE(DecompressTo(Codec::kLZ4Hadoop, two_frames, input.size(), &output).ok());
  EXPECT_EQ(output, input);

  // Without the framing: a raw block under the Hadoop codec is accepted, as Arrow does.
  const std::string raw = RawLZ4(input);
  ASSERT_TRUE(DecompressTo(Codec::kLZ4Hadoop, raw, input.size(), &output).ok());
  EXPECT_EQ(output, input);

  // Our own Hadoop output is framed: the first frame header states the sizes.
  const std::string ours = MustCompress(Codec::kLZ4Hadoop, input);
  ASSERT_GT(ours.size(), 8u);
  EXPECT_EQ(ours.substr(0, 4), std::string("\0\0\x1f\x40", 4));  // 8000
  EXPECT_EQ(ours.size() - 8, static_cast<size_t>(static_cast<uint8_t>(ours[6])) * 256 +
                                 static_cast<uint8_t>(ours[7]));

  // A frame header claiming more than the page holds falls back to raw and fails.
  std::string lying = one_frame;
  lying[3] = static_cast<char>(lying[3] + 1);
  EXPECT_EQ(DecompressTo(Codec::kLZ4Hadoop, lying, input.size(), &output).code(),
            StatusCode::kDataError);
  // Bytes after the last frame break the framing.
  EXPECT_EQ(DecompressTo(Codec::kLZ4Hadoop, one_frame + "x", input.size(), &output).code(),
            StatusCode::kDataError);
}

TEST(CompressionCodecTest, LargeHadoopInputIsSeveralFrames) {
  const std::string input = RepetitiveBytes(3 << 20);
  const std::string compressed = MustCompress(Codec::kLZ4Hadoop, input);
  std::string output;
  ASSERT_TRUE(DecompressTo(Codec::kLZ4Hadoop, compressed, input.size(), &output).ok());
  EXPECT_EQ(output, input);
}

TEST(CompressionCodecTest, WrongExpectedSizeIsAnError) {
  const std::string input = RepetitiveBytes(4000) + RandomBytes(1000, 3);
  for (const Codec codec : kCompressingCodecs) {
    const std::string compressed = MustCompress(codec, input);
    std::string output;
    for (const size_t expected : {input.size() - 1, input.size() + 1, size_t{0}, size_t{1}}) {
      const Status status = DecompressTo(codec, compressed, expected, &output);
      EXPECT_EQ(status.code(), StatusCode::kDataError)
          << CodecName(codec) << " expected " << expected;
    }
  }
  // The message states both sizes.
  const std::string compressed = MustCompress(Codec::kZstd, "0123456789");
  std::string output;
  EXPECT_EQ(DecompressTo(Codec::kZstd, compressed, 12, &output).message(),
            "zstd: decompressed 10 bytes, expected 12");
}

TEST(CompressionCodecTest, TruncatedInputIsADataError) {
  const std::string input = RepetitiveBytes(1500) + RandomBytes(500, 4);
  for (const Codec codec : kCompressingCodecs) {
    const std::string compressed = MustCompress(codec, input);
    for (size_t length = 0; length < compressed.size(); ++length) {
      const Status status = DecompressExact(codec, compressed, length, input.size());
      ASSERT_EQ(status.code(), StatusCode::kDataError)
          << CodecName(codec) << " truncated to " << length;
    }
    ASSERT_TRUE(DecompressExact(codec, compressed, compressed.size(), input.size()).ok());
  }
}

TEST(CompressionCodecTest, CorruptInputNeverCrashes) {
  const std::string input = RepetitiveBytes(20000) + RandomBytes(2000, 5);
  std::mt19937 random(6);
  for (const Codec codec : kCompressingCodecs) {
    const std::string compressed = MustCompress(codec, input);
    for (int iteration = 0; iteration < 300; ++iteration) {
      std::string corrupt = compressed;
      const int flips = 1 + static_cast<int>(random() % 4);
      for (int i = 0; i < flips; ++i) {
        corrupt[random() % corrupt.size()] ^= static_cast<char>(1 + random() % 255);
      }
      const Status status = DecompressExact(codec, corrupt, corrupt.size(), input.size());
      // Codecs without checksums may decode a flipped literal to other bytes of the right size.
      if (!status.ok()) {
        ASSERT_EQ(status.code(), StatusCode::kDataError) << status.ToString();
      }
    }
    for (int iteration = 0; iteration < 300; ++iteration) {
      const std::string garbage = RandomBytes(random() % 200, static_cast<uint32_t>(random()));
      const Status status =
          DecompressExact(codec, garbage, garbage.size(), static_cast<size_t>(random() % 1000));
      if (!status.ok()) {
        ASSERT_EQ(status.code(), StatusCode::kDataError) << status.ToString();
      }
    }
  }
}

TEST(CompressionCodecTest, GzipAcceptsZlibStreamsAndConcatenatedMembers) {
  const std::string input = RepetitiveBytes(10000);
  std::string zlib_stream(compressBound(input.size()), '\0');
  uLongf length = zlib_stream.size();
  ASSERT_EQ(compress2(reinterpret_cast<Bytef*>(zlib_stream.data()), &length, Bytes(input),
                      input.size(), 6),
            Z_OK);
  zlib_stream.resize(length);
  std::string output;
  ASSERT_TRUE(DecompressTo(Codec::kGzip, zlib_stream, input.size(), &output).ok());
  EXPECT_EQ(output, input);

  // The output is gzip (magic 1f 8b).
  const std::string first = MustCompress(Codec::kGzip, input.substr(0, 4000));
  ASSERT_GE(first.size(), 2u);
  EXPECT_EQ(static_cast<uint8_t>(first[0]), 0x1F);
  EXPECT_EQ(static_cast<uint8_t>(first[1]), 0x8B);
  const std::string second = MustCompress(Codec::kGzip, input.substr(4000));
  ASSERT_TRUE(DecompressTo(Codec::kGzip, first + second, input.size(), &output).ok());
  EXPECT_EQ(output, input);
}

TEST(CompressionCodecTest, CodecNames) {
  for (const Codec codec : {Codec::kNone, Codec::kSnappy, Codec::kGzip, Codec::kZstd,
                            Codec::kLZ4Raw, Codec::kLZ4Hadoop, Codec::kBrotli}) {
    auto parsed = ParseCodec(CodecName(codec));
    ASSERT_TRUE(parsed.ok()) << CodecName(codec);
    EXPECT_EQ(*parsed, codec);
  }
  EXPECT_EQ(CodecName(Codec::kLZ4Raw), "lz4_raw");
  EXPECT_EQ(*ParseCodec("uncompressed"), Codec::kNone);
  EXPECT_EQ(*ParseCodec("lz4"), Codec::kLZ4Raw);
  EXPECT_EQ(*ParseCodec("ZSTD"), Codec::kZstd);
  auto unknown = ParseCodec("lzo");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(unknown.status().message().find("snappy"), std::string::npos);
}

TEST(CompressionCodecTest, CRC32) {
  const std::string check = "123456789";
  EXPECT_EQ(CRC32(Bytes(check), check.size()), 0xCBF43926u);
  EXPECT_EQ(CRC32(nullptr, 0), 0u);
}

}  // namespace
}  // namespace sluice::io

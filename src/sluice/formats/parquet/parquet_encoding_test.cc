#include "sluice/formats/parquet/parquet_encoding.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

namespace sluice::parquet {
namespace {

const uint8_t* Bytes(const std::string& s) { return reinterpret_cast<const uint8_t*>(s.data()); }

std::string FromBytes(std::initializer_list<int> bytes) {
  std::string out;
  for (int b : bytes) out.push_back(static_cast<char>(b));
  return out;
}

uint32_t Mask(int bit_width) {
  return bit_width >= 32 ? ~uint32_t{0} : (uint32_t{1} << bit_width) - 1;
}

// ---- test-only writers --------------------------------------------------------------------------

void PutULEB128(uint64_t value, std::string* out) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7F) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

void PutZigZag(int64_t value, std::string* out) {
  PutULEB128((static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63), out);
}

// Packs values LSB first, `bit_width` (0..64) bits each, and pads to a whole byte (bit by bit:
// slow and obviously right).
void PackBits(const std::vector<uint64_t>& values, int bit_width, std::string* out) {
  std::vector<uint8_t> bytes((values.size() * static_cast<size_t>(bit_width) + 7) / 8);
  size_t position = 0;
  for (const uint64_t value : values) {
    for (int bit = 0; bit < bit_width; ++bit, ++position) {
      if ((value >> bit) & 1) bytes[position / 8] |= static_cast<uint8_t>(1u << (position % 8));
    }
  }
  out->append(bytes.begin(), bytes.end());
}

struct DeltaOptions {
  uint64_t block_size = 128;
  uint64_t miniblocks = 4;
  // Bit width byte written for miniblocks of the last block that hold no values (readers must
  // accept any value).
  int unused_width = 0;
  // Fill the padding of the last miniblock with ones instead of zeros.
  bool garbage_padding = false;
};

// DELTA_BINARY_PACKED writer for tests. T selects the arithmetic domain (int32_t deltas wrap at
// 32 bits, as writers do for INT32 columns).
template <typename T>
std::string EncodeDeltaBinaryPacked(const std::vector<T>& values,
                                    const DeltaOptions& options = {}) {
  using U = std::make_unsigned_t<T>;
  std::string out;
  PutULEB128(options.block_size, &out);
  PutULEB128(options.miniblocks, &out);
  PutULEB128(values.size(), &out);
  PutZigZag(values.empty() ? 0 : static_cast<int64_t>(values[0]), &out);
  const uint64_t per_miniblock = options.block_size / options.miniblocks;
  for (size_t start = 1; start < values.size(); start += options.block_size) {
    const size_t end = std::min<size_t>(start + options.block_size, values.size());
    std::vector<T> deltas;
    for (size_t i = start; i < end; ++i) {
      deltas.push_back(static_cast<T>(static_cast<U>(values[i]) - static_cast<U>(values[i - 1])));
    }
    const T min_delta = *std::min_element(deltas.begin(), deltas.end());
    PutZigZag(static_cast<int64_t>(min_delta), &out);
    std::vector<uint64_t> relative;
    for (const T delta : deltas) {
      relative.push_back(static_cast<U>(static_cast<U>(delta) - static_cast<U>(min_delta)));
    }
    const size_t used = (relative.size() + per_miniblock - 1) / per_miniblock;
    std::vector<int> widths;
    for (size_t m = 0; m < options.miniblocks; ++m) {
      if (m >= used) {
        out.push_back(static_cast<char>(options.unused_width));
        continue;
      }
      uint64_t max = 0;
      for (size_t i = m * per_miniblock; i < std::min(relative.size(), (m + 1) * per_miniblock);
           ++i) {
        max = std::max(max, relative[i]);
      }
      widths.push_back(std::bit_width(max));
      out.push_back(static_cast<char>(widths.back()));
    }
    for (size_t m = 0; m < used; ++m) {
      const int width = widths[m];
      std::vector<uint64_t> chunk(per_miniblock,
                                  options.garbage_padding && width > 0
                                      ? (width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1)
                                      : 0);
      for (size_t i = 0; i < per_miniblock && m * per_miniblock + i < relative.size(); ++i) {
        chunk[i] = relative[m * per_miniblock + i];
      }
      PackBits(chunk, width, &out);
    }
  }
  return out;
}

std::string EncodeDeltaLengthByteArray(const std::vector<std::string>& values) {
  std::vector<int32_t> lengths;
  std::string data;
  for (const auto& value : values) {
    lengths.push_back(static_cast<int32_t>(value.size()));
    data += value;
  }
  return EncodeDeltaBinaryPacked(lengths) + data;
}

std::string EncodeDeltaByteArray(const std::vector<std::string>& values) {
  std::vector<int32_t> prefixes;
  std::vector<std::string> suffixes;
  std::string previous;
  for (const auto& value : values) {
    size_t prefix = 0;
    while (prefix < previous.size() && prefix < value.size() && previous[prefix] == value[prefix]) {
      ++prefix;
    }
    prefixes.push_back(static_cast<int32_t>(prefix));
    suffixes.push_back(value.substr(prefix));
    previous = value;
  }
  return EncodeDeltaBinaryPacked(prefixes) + EncodeDeltaLengthByteArray(suffixes);
}

std::string EncodeRLE(const std::vector<uint32_t>& values, int bit_width) {
  RLEBitPackedEncoder encoder(bit_width);
  for (const uint32_t value : values) encoder.Put(value);
  std::string out;
  encoder.Finish(&out);
  return out;
}

// Decodes `count` values in chunks of `chunk` values.
std::vector<uint32_t> DecodeRLE(const std::string& encoded, int bit_width, int64_t count,
                                int64_t chunk) {
  RLEBitPackedDecoder decoder(Bytes(encoded), encoded.size(), bit_width);
  std::vector<uint32_t> out(static_cast<size_t>(count));
  int64_t done = 0;
  while (done < count) {
    auto got = decoder.Decode(out.data() + done, std::min(chunk, count - done));
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    if (!got.ok() || *got == 0) break;
    done += *got;
  }
  out.resize(static_cast<size_t>(done));
  return out;
}

std::vector<int64_t> DecodeAllDelta(const std::string& encoded, int64_t chunk = 1 << 20,
                                    size_t* consumed = nullptr) {
  auto decoder = DeltaBinaryPackedDecoder::Make(Bytes(encoded), encoded.size());
  EXPECT_TRUE(decoder.ok()) << decoder.status().ToString();
  if (!decoder.ok()) return {};
  std::vector<int64_t> out(static_cast<size_t>(decoder->total_values()));
  int64_t done = 0;
  while (done < decoder->total_values()) {
    auto got = decoder->Decode(out.data() + done, chunk);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    if (!got.ok() || *got == 0) break;
    done += *got;
  }
  EXPECT_EQ(done, decoder->total_values());
  if (consumed != nullptr) *consumed = decoder->bytes_consumed();
  return out;
}

// ---- BitWidth ---------------------------------------------------------------------------------

TEST(BitWidthTest, CountsSignificantBits) {
  EXPECT_EQ(BitWidth(0), 0);
  EXPECT_EQ(BitWidth(1), 1);
  EXPECT_EQ(BitWidth(2), 2);
  EXPECT_EQ(BitWidth(3), 2);
  EXPECT_EQ(BitWidth(4), 3);
  EXPECT_EQ(BitWidth(255), 8);
  EXPECT_EQ(BitWidth(256), 9);
  EXPECT_EQ(BitWidth(std::numeric_limits<uint32_t>::max()), 32);
  EXPECT_EQ(BitWidth(std::numeric_limits<uint64_t>::max()), 64);
}

// ---- RLE / bit-packed hybrid ------------------------------------------------------------------

TEST(RLEBitPackedTest, SpecBitPackingExample) {
  // Encodings.md: 0..7 at width 3 pack into 10001000 11000110 11111010.
  const std::string encoded = FromBytes({0x03, 0x88, 0xC6, 0xFA});
  EXPECT_EQ(DecodeRLE(encoded, 3, 8, 8), (std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(EncodeRLE({0, 1, 2, 3, 4, 5, 6, 7}, 3), encoded);
}

TEST(RLEBitPackedTest, RLERunBytes) {
  // 100 copies of 5 at width 3: header varint(100 << 1) = C8 01, then one value byte.
  RLEBitPackedEncoder encoder(3);
  encoder.PutRepeated(5, 100);
  std::string out;
  encoder.Finish(&out);
  EXPECT_EQ(out, FromBytes({0xC8, 0x01, 0x05}));
  EXPECT_EQ(DecodeRLE(out, 3, 100, 100), std::vector<uint32_t>(100, 5));

  // Width 9 stores the value in two little-endian bytes; width 32 in four.
  EXPECT_EQ(DecodeRLE(FromBytes({0x10, 0x2C, 0x01}), 9, 8, 8), std::vector<uint32_t>(8, 300));
  EXPECT_EQ(DecodeRLE(FromBytes({0x06, 0x78, 0x56, 0x34, 0x12}), 32, 3, 3),
            std::vector<uint32_t>(3, 0x12345678u));
}

TEST(RLEBitPackedTest, EncoderChoosesRunsAndGroups) {
  // 3 literals then 20 repeats: 5 repeats complete the group, the other 15 form an RLE run.
  std::vector<uint32_t> values = {1, 2, 3};
  values.insert(values.end(), 20, 7);
  const std::string encoded = EncodeRLE(values, 3);
  EXPECT_EQ(encoded, FromBytes({0x03, 0xD1, 0xFE, 0xFF, 0x1E, 0x07}));
  EXPECT_EQ(DecodeRLE(encoded, 3, 23, 23), values);
}

TEST(RLEBitPackedTest, BitPackedRunsHoldAtMost63Groups) {
  std::vector<uint32_t> values(1000);
  for (size_t i = 0; i < values.size(); ++i) values[i] = i % 2;
  const std::string encoded = EncodeRLE(values, 1);
  // 504 values (63 groups) → header 0x7F and 63 bytes; the next run starts right after.
  ASSERT_GT(encoded.size(), 64u);
  EXPECT_EQ(static_cast<uint8_t>(encoded[0]), 0x7F);
  EXPECT_EQ(static_cast<uint8_t>(encoded[64]), ((62 << 1) | 1));  // the remaining 496 values
  EXPECT_EQ(DecodeRLE(encoded, 1, 1000, 1000), values);
}

class RLEBitPackedWidthTest : public ::testing::TestWithParam<int> {};

TEST_P(RLEBitPackedWidthTest, RoundTrips) {
  const int width = GetParam();
  std::mt19937_64 random(1234 + width);
  auto draw = [&] { return static_cast<uint32_t>(random()) & Mask(width); };

  std::vector<std::vector<uint32_t>> cases;
  // Random data of many lengths, including short tails.
  for (size_t n : {0, 1, 2, 7, 8, 9, 15, 16, 17, 63, 64, 65, 503, 504, 505, 1000, 4099}) {
    std::vector<uint32_t> values(n);
    for (auto& value : values) value = draw();
    cases.push_back(values);
  }
  // Long runs.
  cases.push_back(std::vector<uint32_t>(100000, Mask(width)));
  // Mixed runs of random lengths.
  {
    std::vector<uint32_t> values;
    while (values.size() < 20000) {
      const uint32_t value = draw();
      const size_t length = random() % 4 == 0 ? random() % 300 : 1 + random() % 12;
      values.insert(values.end(), length, value);
    }
    cases.push_back(values);
  }
  for (const auto& values : cases) {
    const std::string encoded = EncodeRLE(values, width);
    const int64_t n = static_cast<int64_t>(values.size());
    for (int64_t chunk : {int64_t{1}, int64_t{3}, int64_t{8}, int64_t{61}, n + 1}) {
      if (chunk == 0) continue;
      ASSERT_EQ(DecodeRLE(encoded, width, n, chunk), values)
          << "width " << width << " count " << n << " chunk " << chunk;
    }
    // The same stream decoded as int16 levels.
    if (width <= 16) {
      RLEBitPackedDecoder decoder(Bytes(encoded), encoded.size(), width);
      std::vector<int16_t> levels(values.size());
      auto got = decoder.Decode(levels.data(), n);
      ASSERT_TRUE(got.ok()) << got.status().ToString();
      ASSERT_EQ(*got, n);
      for (size_t i = 0; i < values.size(); ++i) {
        ASSERT_EQ(static_cast<uint16_t>(levels[i]), values[i]) << i;
      }
    }
  }
}

TEST_P(RLEBitPackedWidthTest, PutRepeatedMatchesPut) {
  const int width = GetParam();
  std::mt19937 random(99 + width);
  RLEBitPackedEncoder bulk(width);
  std::vector<uint32_t> values;
  for (int i = 0; i < 200; ++i) {
    const uint32_t value = static_cast<uint32_t>(random()) & Mask(width);
    const int64_t count = random() % 3 == 0 ? random() % 40 : 1;
    bulk.PutRepeated(value, count);
    values.insert(values.end(), static_cast<size_t>(count), value);
  }
  std::string encoded;
  bulk.Finish(&encoded);
  EXPECT_EQ(encoded, EncodeRLE(values, width));
  EXPECT_EQ(DecodeRLE(encoded, width, static_cast<int64_t>(values.size()), 1000), values);
}

TEST_P(RLEBitPackedWidthTest, TruncationGivesErrorOrCorrectPrefix) {
  const int width = GetParam();
  std::mt19937 random(7 + width);
  std::vector<uint32_t> values;
  while (values.size() < 300) {
    const uint32_t value = static_cast<uint32_t>(random()) & Mask(width);
    values.insert(values.end(), random() % 2 ? 1 : 1 + random() % 20, value);
  }
  const std::string encoded = EncodeRLE(values, width);
  for (size_t cut = 0; cut <= encoded.size(); ++cut) {
    // A copy of exactly `cut` bytes, so that ASan catches any read past the end.
    std::vector<uint8_t> prefix(encoded.begin(), encoded.begin() + static_cast<ptrdiff_t>(cut));
    RLEBitPackedDecoder decoder(prefix.data(), prefix.size(), width);
    std::vector<uint32_t> out(values.size());
    auto got = decoder.Decode(out.data(), static_cast<int64_t>(out.size()));
    if (!got.ok()) {
      EXPECT_EQ(got.status().code(), StatusCode::kDataError);
      continue;
    }
    ASSERT_LE(*got, static_cast<int64_t>(values.size()));
    for (int64_t i = 0; i < *got; ++i) ASSERT_EQ(out[i], values[i]) << "cut " << cut << " @" << i;
    if (cut == encoded.size()) {
      EXPECT_EQ(*got, static_cast<int64_t>(values.size()));
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllWidths, RLEBitPackedWidthTest, ::testing::Range(0, 33));

TEST(RLEBitPackedTest, TruncatedFinalGroupYieldsThePresentValues) {
  // A run declaring 2 groups (16 values, 6 bytes at width 3) with only 4 bytes present: 32 bits
  // hold 10 whole values.
  const std::string encoded = FromBytes({0x05, 0x88, 0xC6, 0xFA, 0x88});
  RLEBitPackedDecoder decoder(Bytes(encoded), encoded.size(), 3);
  std::vector<uint32_t> out(16);
  auto got = decoder.Decode(out.data(), 16);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 10);
  out.resize(10);
  EXPECT_EQ(out, (std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6, 7, 0, 1}));
}

TEST(RLEBitPackedTest, DeclaredPaddingIsNotRequiredToBeRead) {
  // Writers declare whole groups; the reader asks only for the values it needs.
  const std::string encoded = EncodeRLE({1, 0, 1}, 1);
  EXPECT_EQ(encoded, FromBytes({0x03, 0x05}));
  EXPECT_EQ(DecodeRLE(encoded, 1, 3, 3), (std::vector<uint32_t>{1, 0, 1}));
}

TEST(RLEBitPackedTest, HugeDeclaredRunsDoNotAllocate) {
  // An RLE run of 2^31 - 1 ones and a bit-packed run of 2^28 groups backed by 2 bytes.
  std::string encoded;
  PutULEB128(uint64_t{0x7FFFFFFF} << 1, &encoded);
  encoded.push_back(1);
  RLEBitPackedDecoder decoder(Bytes(encoded), encoded.size(), 1);
  std::vector<uint32_t> out(1000);
  auto got = decoder.Decode(out.data(), 1000);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 1000);
  EXPECT_EQ(out, std::vector<uint32_t>(1000, 1));

  std::string packed;
  PutULEB128((uint64_t{1} << 29) | 1, &packed);
  packed += FromBytes({0xFF, 0x0F});
  RLEBitPackedDecoder packed_decoder(Bytes(packed), packed.size(), 1);
  got = packed_decoder.Decode(out.data(), 1000);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 16);
}

TEST(RLEBitPackedTest, Errors) {
  std::vector<uint32_t> out(8);
  {
    RLEBitPackedDecoder decoder(nullptr, 0, 33);
    EXPECT_EQ(decoder.Decode(out.data(), 1).status().code(), StatusCode::kDataError);
  }
  {
    const std::string encoded = FromBytes({0x10, 0x01});
    RLEBitPackedDecoder decoder(Bytes(encoded), encoded.size(), 17);
    std::vector<int16_t> levels(8);
    EXPECT_FALSE(decoder.Decode(levels.data(), 8).ok());
  }
  for (const std::string& encoded : {FromBytes({0x80}),        // truncated header
                                     FromBytes({0x10}),        // missing value
                                     FromBytes({0x10, 0x08}),  // value > 3 bits
                                     FromBytes({0xFF, 0xFF, 0xFF, 0xFF, 0x7F})}) {  // > 32 bits
    RLEBitPackedDecoder decoder(Bytes(encoded), encoded.size(), 3);
    auto got = decoder.Decode(out.data(), 8);
    EXPECT_EQ(got.status().code(), StatusCode::kDataError) << encoded.size();
  }
  {
    RLEBitPackedDecoder decoder;
    auto got = decoder.Decode(out.data(), 8);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, 0);
  }
}

TEST(RLEBitPackedTest, RandomGarbageNeverCrashes) {
  std::mt19937 random(42);
  std::vector<uint32_t> out(5000);
  std::vector<int16_t> levels(5000);
  for (int iteration = 0; iteration < 3000; ++iteration) {
    std::vector<uint8_t> garbage(random() % 64);
    for (auto& byte : garbage) byte = static_cast<uint8_t>(random());
    const int width = static_cast<int>(random() % 34);
    RLEBitPackedDecoder decoder(garbage.data(), garbage.size(), width);
    auto got = decoder.Decode(out.data(), static_cast<int64_t>(out.size()));
    if (got.ok()) {
      EXPECT_LE(*got, static_cast<int64_t>(out.size()));
    }
    RLEBitPackedDecoder level_decoder(garbage.data(), garbage.size(), width % 17);
    (void)level_decoder.Decode(levels.data(), static_cast<int64_t>(levels.size()));
  }
}

// ---- DELTA_BINARY_PACKED ----------------------------------------------------------------------

TEST(DeltaBinaryPackedTest, SpecExample1) {
  // 1, 2, 3, 4, 5 (the spec's example with a valid block size of 128 in 4 miniblocks): header
  // 128, 4, 5, zigzag(1); block: zigzag(min delta 1) and four zero widths, no miniblock data.
  const std::string encoded = FromBytes({0x80, 0x01, 0x04, 0x05, 0x02, 0x02, 0, 0, 0, 0});
  size_t consumed = 0;
  EXPECT_EQ(DecodeAllDelta(encoded, 1 << 20, &consumed), (std::vector<int64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(consumed, encoded.size());
  EXPECT_EQ(EncodeDeltaBinaryPacked(std::vector<int64_t>{1, 2, 3, 4, 5}), encoded);
}

TEST(DeltaBinaryPackedTest, SpecExample2) {
  // 7, 5, 3, 1, 2, 3, 4, 5: min delta -2, relative deltas 0,0,0,3,3,3,3 at 2 bits in a 32-value
  // miniblock (8 bytes), the other miniblocks unused. Trailing bytes belong to what follows.
  const std::string encoded =
      FromBytes({0x80, 0x01, 0x04, 0x08, 0x0E, 0x03, 0x02, 0, 0, 0, 0xC0, 0x3F, 0, 0, 0, 0, 0, 0});
  const std::string with_tail = encoded + "tail";
  size_t consumed = 0;
  EXPECT_EQ(DecodeAllDelta(with_tail, 1 << 20, &consumed),
            (std::vector<int64_t>{7, 5, 3, 1, 2, 3, 4, 5}));
  EXPECT_EQ(consumed, encoded.size());
  EXPECT_EQ(EncodeDeltaBinaryPacked(std::vector<int64_t>{7, 5, 3, 1, 2, 3, 4, 5}), encoded);

  auto decoder = DeltaBinaryPackedDecoder::Make(Bytes(with_tail), with_tail.size());
  ASSERT_TRUE(decoder.ok());
  std::vector<int32_t> narrow(8);
  auto got = decoder->Decode(narrow.data(), 100);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 8);
  EXPECT_EQ(narrow, (std::vector<int32_t>{7, 5, 3, 1, 2, 3, 4, 5}));
  EXPECT_EQ(decoder->bytes_consumed(), encoded.size());
}

TEST(DeltaBinaryPackedTest, EmptyAndSingleValueStreamsAreHeaderOnly) {
  for (const std::vector<int64_t>& values : {std::vector<int64_t>{}, std::vector<int64_t>{-42}}) {
    const std::string encoded = EncodeDeltaBinaryPacked(values);
    size_t consumed = 0;
    EXPECT_EQ(DecodeAllDelta(encoded + "xyz", 1 << 20, &consumed), values);
    EXPECT_EQ(consumed, encoded.size());
  }
}

class DeltaBinaryPackedWidthTest : public ::testing::TestWithParam<int> {};

TEST_P(DeltaBinaryPackedWidthTest, RoundTripsAtEveryWidth) {
  const int width = GetParam();
  std::mt19937_64 random(500 + width);
  const uint64_t mask = width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1;
  // Deltas min_delta + relative, the relatives spanning exactly `width` bits in every miniblock
  // (the first two deltas of each are 0 and the maximum). Below 63 bits the deltas cannot wrap, so
  // the writer picks exactly `width`; at 64 they wrap.
  for (size_t n : {2, 33, 129, 200, 1000}) {
    const int64_t min_delta = width < 63    ? static_cast<int64_t>(random() % 2001) - 1000
                              : width == 63 ? -(int64_t{1} << 62)
                                            : static_cast<int64_t>(random());
    std::vector<int64_t> values(n);
    uint64_t value = random();
    values[0] = static_cast<int64_t>(value);
    for (size_t i = 1; i < n; ++i) {
      uint64_t relative = random() & mask;
      if (i % 32 == 1) relative = 0;
      if (i % 32 == 2) relative = mask;
      value += static_cast<uint64_t>(min_delta) + relative;
      values[i] = static_cast<int64_t>(value);
    }
    const std::string encoded = EncodeDeltaBinaryPacked(values);
    if (width < 64 && n > 2) {
      // The first miniblock's width byte follows the header and the block's min delta.
      std::string prefix;
      PutULEB128(128, &prefix);
      PutULEB128(4, &prefix);
      PutULEB128(n, &prefix);
      PutZigZag(values[0], &prefix);
      PutZigZag(min_delta, &prefix);
      ASSERT_EQ(static_cast<uint8_t>(encoded[prefix.size()]), width);
    }
    size_t consumed = 0;
    for (int64_t chunk : {1, 7, 32, 100, 1 << 20}) {
      ASSERT_EQ(DecodeAllDelta(encoded + "zz", chunk, &consumed), values)
          << "width " << width << " n " << n;
      ASSERT_EQ(consumed, encoded.size());
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllWidths, DeltaBinaryPackedWidthTest, ::testing::Range(0, 65));

TEST(DeltaBinaryPackedTest, Int32DeltasWrap) {
  const int32_t max = std::numeric_limits<int32_t>::max();
  const int32_t min = std::numeric_limits<int32_t>::min();
  const std::vector<int32_t> values = {max, min, max, 0, min, -1, max, max, min, 1, 0, min};
  const std::string encoded = EncodeDeltaBinaryPacked(values);  // 32-bit wrapping deltas
  auto decoder = DeltaBinaryPackedDecoder::Make(Bytes(encoded), encoded.size());
  ASSERT_TRUE(decoder.ok());
  std::vector<int32_t> out(values.size());
  auto got = decoder->Decode(out.data(), static_cast<int64_t>(out.size()));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(out, values);
  EXPECT_EQ(decoder->bytes_consumed(), encoded.size());
}

TEST(DeltaBinaryPackedTest, Int64DeltasWrap) {
  const int64_t max = std::numeric_limits<int64_t>::max();
  const int64_t min = std::numeric_limits<int64_t>::min();
  const std::vector<int64_t> values = {min, max, min, 0, -1, max, min, 1};
  EXPECT_EQ(DecodeAllDelta(EncodeDeltaBinaryPacked(values)), values);
}

TEST(DeltaBinaryPackedTest, BlockShapesAndPartialLastBlock) {
  std::mt19937_64 random(3);
  for (const auto& [block_size, miniblocks] : std::vector<std::pair<uint64_t, uint64_t>>{
           {128, 1}, {128, 4}, {256, 8}, {1024, 8}, {512, 2}}) {
    for (size_t n : {1, 2, 31, 32, 33, 129, 130, 1000, 2049}) {
      std::vector<int64_t> values(n);
      for (auto& value : values) value = static_cast<int64_t>(random() % 100000) - 50000;
      for (const bool garbage : {false, true}) {
        DeltaOptions options;
        options.block_size = block_size;
        options.miniblocks = miniblocks;
        options.unused_width = garbage ? 0xEE : 0;
        options.garbage_padding = garbage;
        const std::string encoded = EncodeDeltaBinaryPacked(values, options);
        size_t consumed = 0;
        ASSERT_EQ(DecodeAllDelta(encoded + "after", 77, &consumed), values)
            << block_size << "/" << miniblocks << " n " << n;
        ASSERT_EQ(consumed, encoded.size());
      }
    }
  }
}

TEST(DeltaBinaryPackedTest, HeaderErrors) {
  auto make = [](const std::string& bytes) {
    return DeltaBinaryPackedDecoder::Make(Bytes(bytes), bytes.size()).status().code();
  };
  EXPECT_EQ(make(""), StatusCode::kDataError);
  EXPECT_EQ(make(FromBytes({0x80, 0x01, 0x04, 0x05})), StatusCode::kDataError);        // truncated
  EXPECT_EQ(make(FromBytes({0x64, 0x01, 0x01, 0x00})), StatusCode::kDataError);        // block 100
  EXPECT_EQ(make(FromBytes({0x00, 0x01, 0x01, 0x00})), StatusCode::kDataError);        // block 0
  EXPECT_EQ(make(FromBytes({0x80, 0x01, 0x03, 0x01, 0x00})), StatusCode::kDataError);  // 128 / 3
  EXPECT_EQ(make(FromBytes({0x80, 0x01, 0x08, 0x01, 0x00})), StatusCode::kDataError);  // 16 each
  EXPECT_EQ(make(FromBytes({0x80, 0x01, 0x00, 0x01, 0x00})), StatusCode::kDataError);  // 0 minis
  EXPECT_EQ(make(FromBytes({0x80, 0x01, 0x04, 0x01, 0x00})), StatusCode::kOk);

  // A miniblock width above 64.
  const std::string wide = FromBytes({0x80, 0x01, 0x04, 0x03, 0x00, 0x00, 65, 0, 0, 0});
  auto decoder = DeltaBinaryPackedDecoder::Make(Bytes(wide), wide.size());
  ASSERT_TRUE(decoder.ok());
  std::vector<int64_t> out(3);
  EXPECT_EQ(decoder->Decode(out.data(), 3).status().code(), StatusCode::kDataError);
}

TEST(DeltaBinaryPackedTest, HugeDeclaredCountIsBoundedByTheCaller) {
  // Header: 2^40 values, then zero-width blocks: values cost no bytes, so only the caller's count
  // bounds the work.
  std::string encoded;
  PutULEB128(128, &encoded);
  PutULEB128(1, &encoded);
  PutULEB128(uint64_t{1} << 40, &encoded);
  PutZigZag(5, &encoded);
  for (int block = 0; block < 3; ++block) encoded += FromBytes({0x02, 0x00});  // delta 1, width 0
  auto decoder = DeltaBinaryPackedDecoder::Make(Bytes(encoded), encoded.size());
  ASSERT_TRUE(decoder.ok());
  EXPECT_EQ(decoder->total_values(), int64_t{1} << 40);
  std::vector<int64_t> out(300);
  auto got = decoder->Decode(out.data(), 300);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, 300);
  EXPECT_EQ(out[299], 5 + 299);
  // The fourth block is missing.
  EXPECT_EQ(decoder->Decode(out.data(), 300).status().code(), StatusCode::kDataError);
}

TEST(DeltaBinaryPackedTest, TruncationGivesErrorOrCorrectValues) {
  std::mt19937_64 random(11);
  std::vector<int64_t> values(300);
  for (auto& value : values) value = static_cast<int64_t>(random() % 5000);
  const std::string encoded = EncodeDeltaBinaryPacked(values);
  for (size_t cut = 0; cut <= encoded.size(); ++cut) {
    std::vector<uint8_t> prefix(encoded.begin(), encoded.begin() + static_cast<ptrdiff_t>(cut));
    auto decoder = DeltaBinaryPackedDecoder::Make(prefix.data(), prefix.size());
    if (!decoder.ok()) continue;
    std::vector<int64_t> out(values.size());
    auto got = decoder->Decode(out.data(), static_cast<int64_t>(out.size()));
    if (!got.ok()) {
      EXPECT_EQ(got.status().code(), StatusCode::kDataError);
      continue;
    }
    EXPECT_EQ(out, values) << "cut " << cut;
    EXPECT_LE(decoder->bytes_consumed(), cut);
  }
}

TEST(DeltaBinaryPackedTest, RandomGarbageNeverCrashes) {
  std::mt19937 random(4242);
  std::vector<int64_t> out(4096);
  std::vector<int32_t> narrow(4096);
  for (int iteration = 0; iteration < 5000; ++iteration) {
    std::vector<uint8_t> garbage(random() % 80);
    for (auto& byte : garbage) byte = static_cast<uint8_t>(random());
    if (garbage.size() > 3 && random() % 2) {
      // A plausible header so that the block decoding is exercised.
      garbage[0] = 0x80;
      garbage[1] = 0x01;
      garbage[2] = static_cast<uint8_t>(1u << (random() % 3));
    }
    auto decoder = DeltaBinaryPackedDecoder::Make(garbage.data(), garbage.size());
    if (!decoder.ok()) continue;
    if (random() % 2) {
      (void)decoder->Decode(out.data(), static_cast<int64_t>(out.size()));
    } else {
      (void)decoder->Decode(narrow.data(), static_cast<int64_t>(narrow.size()));
    }
  }
}

// ---- DELTA_LENGTH_BYTE_ARRAY / DELTA_BYTE_ARRAY -------------------------------------------------

std::vector<std::string> Strings(const ByteArrayValues& values) {
  std::vector<std::string> out;
  for (int64_t i = 0; i < values.size(); ++i) {
    out.push_back(
        values.bytes.substr(values.offsets[i], values.offsets[i + 1] - values.offsets[i]));
  }
  return out;
}

TEST(DeltaLengthByteArrayTest, SpecExample) {
  const std::vector<std::string> values = {"Hello", "World", "Foobar", "ABCDEF"};
  const std::string encoded = EncodeDeltaLengthByteArray(values);
  EXPECT_EQ(encoded.substr(encoded.size() - 22), "HelloWorldFoobarABCDEF");
  ByteArrayValues out;
  ASSERT_TRUE(DecodeDeltaLengthByteArray(Bytes(encoded), encoded.size(), 4, &out).ok());
  EXPECT_EQ(Strings(out), values);
  EXPECT_EQ(out.offsets, (std::vector<uint32_t>{0, 5, 10, 16, 22}));
}

TEST(DeltaLengthByteArrayTest, EmptyValuesAndZeroCount) {
  const std::vector<std::string> values = {"", "a", "", "", "bc", ""};
  const std::string encoded = EncodeDeltaLengthByteArray(values);
  ByteArrayValues out;
  ASSERT_TRUE(DecodeDeltaLengthByteArray(Bytes(encoded), encoded.size(), 6, &out).ok());
  EXPECT_EQ(Strings(out), values);

  const std::string none = EncodeDeltaLengthByteArray({});
  ASSERT_TRUE(DecodeDeltaLengthByteArray(Bytes(none), none.size(), 0, &out).ok());
  EXPECT_EQ(out.size(), 0);
}

TEST(DeltaLengthByteArrayTest, Errors) {
  ByteArrayValues out;
  // Lengths longer than the data.
  std::string encoded = EncodeDeltaBinaryPacked(std::vector<int32_t>{3, 4}) + "abcdef";
  EXPECT_EQ(DecodeDeltaLengthByteArray(Bytes(encoded), encoded.size(), 2, &out).code(),
            StatusCode::kDataError);
  // A negative length.
  encoded = EncodeDeltaBinaryPacked(std::vector<int32_t>{2, -1}) + "ab";
  EXPECT_EQ(DecodeDeltaLengthByteArray(Bytes(encoded), encoded.size(), 2, &out).code(),
            StatusCode::kDataError);
  // Fewer lengths than values.
  encoded = EncodeDeltaLengthByteArray({"ab"});
  EXPECT_EQ(DecodeDeltaLengthByteArray(Bytes(encoded), encoded.size(), 2, &out).code(),
            StatusCode::kDataError);
  // Lengths overflowing 32 bits when summed.
  encoded = EncodeDeltaBinaryPacked(std::vector<int32_t>{std::numeric_limits<int32_t>::max(),
                                                         std::numeric_limits<int32_t>::max(), 5});
  EXPECT_EQ(DecodeDeltaLengthByteArray(Bytes(encoded), encoded.size(), 3, &out).code(),
            StatusCode::kDataError);
}

TEST(DeltaByteArrayTest, SpecExample) {
  const std::vector<std::string> values = {"axis", "axle", "babble", "babyhood"};
  const std::string encoded = EncodeDeltaByteArray(values);
  EXPECT_EQ(encoded.substr(encoded.size() - 17), "axislebabbleyhood");
  ByteArrayValues out;
  const Status status = DecodeDeltaByteArray(Bytes(encoded), encoded.size(), 4, &out);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(Strings(out), values);
}

TEST(DeltaByteArrayTest, RandomRoundTrip) {
  std::mt19937 random(8);
  std::vector<std::string> values;
  std::string current = "start";
  for (int i = 0; i < 3000; ++i) {
    current.resize(random() % (current.size() + 1));
    const size_t extra = random() % 6;
    for (size_t j = 0; j < extra; ++j) current.push_back(static_cast<char>('a' + random() % 3));
    values.push_back(current);
  }
  const std::string encoded = EncodeDeltaByteArray(values);
  ByteArrayValues out;
  ASSERT_TRUE(DecodeDeltaByteArray(Bytes(encoded), encoded.size(), 3000, &out).ok());
  EXPECT_EQ(Strings(out), values);
}

TEST(DeltaByteArrayTest, PrefixLongerThanPreviousValueIsAnError) {
  const std::string encoded =
      EncodeDeltaBinaryPacked(std::vector<int32_t>{0, 3}) + EncodeDeltaLengthByteArray({"ab", "c"});
  ByteArrayValues out;
  EXPECT_EQ(DecodeDeltaByteArray(Bytes(encoded), encoded.size(), 2, &out).code(),
            StatusCode::kDataError);
  const std::string first =
      EncodeDeltaBinaryPacked(std::vector<int32_t>{1}) + EncodeDeltaLengthByteArray({"ab"});
  EXPECT_EQ(DecodeDeltaByteArray(Bytes(first), first.size(), 1, &out).code(),
            StatusCode::kDataError);
}

TEST(DeltaByteArrayTest, TruncationAndGarbageNeverCrash) {
  const std::vector<std::string> values = {"apple", "applesauce", "apricot", "banana", "band", ""};
  for (const bool incremental : {false, true}) {
    const std::string encoded =
        incremental ? EncodeDeltaByteArray(values) : EncodeDeltaLengthByteArray(values);
    for (size_t cut = 0; cut < encoded.size(); ++cut) {
      std::vector<uint8_t> prefix(encoded.begin(), encoded.begin() + static_cast<ptrdiff_t>(cut));
      ByteArrayValues out;
      const Status status = incremental
                                ? DecodeDeltaByteArray(prefix.data(), prefix.size(), 6, &out)
                                : DecodeDeltaLengthByteArray(prefix.data(), prefix.size(), 6, &out);
      EXPECT_EQ(status.code(), StatusCode::kDataError) << "cut " << cut;
    }
  }
  std::mt19937 random(77);
  for (int iteration = 0; iteration < 3000; ++iteration) {
    std::vector<uint8_t> garbage(random() % 100);
    for (auto& byte : garbage) byte = static_cast<uint8_t>(random());
    if (garbage.size() > 3 && random() % 2) {
      garbage[0] = 0x80;
      garbage[1] = 0x01;
      garbage[2] = 0x04;
    }
    ByteArrayValues out;
    const int64_t count = random() % 20;
    (void)DecodeDeltaByteArray(garbage.data(), garbage.size(), count, &out);
    (void)DecodeDeltaLengthByteArray(garbage.data(), garbage.size(), count, &out);
  }
}

// ---- BYTE_STREAM_SPLIT ------------------------------------------------------------------------

TEST(ByteStreamSplitTest, SpecExample) {
  const std::string encoded =
      FromBytes({0xAA, 0x00, 0xA3, 0xBB, 0x11, 0xB4, 0xCC, 0x22, 0xC5, 0xDD, 0x33, 0xD6});
  std::vector<uint8_t> out(12);
  ASSERT_TRUE(DecodeByteStreamSplit(Bytes(encoded), encoded.size(), 3, 4, out.data()).ok());
  EXPECT_EQ(out, (std::vector<uint8_t>{0xAA, 0xBB, 0xCC, 0xDD, 0x00, 0x11, 0x22, 0x33, 0xA3, 0xB4,
                                       0xC5, 0xD6}));
}

TEST(ByteStreamSplitTest, RoundTripsAnyWidth) {
  std::mt19937 random(5);
  for (int width : {1, 2, 3, 4, 8, 12, 16}) {
    const int64_t count = 37;
    std::vector<uint8_t> values(static_cast<size_t>(count * width));
    for (auto& byte : values) byte = static_cast<uint8_t>(random());
    std::vector<uint8_t> encoded(values.size());
    for (int64_t i = 0; i < count; ++i) {
      for (int k = 0; k < width; ++k) encoded[k * count + i] = values[i * width + k];
    }
    std::vector<uint8_t> out(values.size());
    ASSERT_TRUE(
        DecodeByteStreamSplit(encoded.data(), encoded.size(), count, width, out.data()).ok());
    EXPECT_EQ(out, values) << width;
    // Fewer values than the page holds: the stream length still comes from the page size.
    std::vector<uint8_t> few(static_cast<size_t>(5 * width));
    ASSERT_TRUE(DecodeByteStreamSplit(encoded.data(), encoded.size(), 5, width, few.data()).ok());
    EXPECT_TRUE(std::equal(few.begin(), few.end(), values.begin())) << width;
  }
}

TEST(ByteStreamSplitTest, Errors) {
  std::vector<uint8_t> data(12), out(16);
  EXPECT_EQ(DecodeByteStreamSplit(data.data(), 12, 4, 4, out.data()).code(),
            StatusCode::kDataError);
  EXPECT_EQ(DecodeByteStreamSplit(data.data(), 11, 2, 4, out.data()).code(),
            StatusCode::kDataError);
  EXPECT_EQ(DecodeByteStreamSplit(data.data(), 12, 3, 0, out.data()).code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(DecodeByteStreamSplit(nullptr, 0, 0, 4, out.data()).ok());
}

}  // namespace
}  // namespace sluice::parquet

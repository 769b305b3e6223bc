// Deletion vectors: Z85, the RoaringBitmapArray format, descriptors of every storage type, files
// with several vectors, and every check (checksum, sizes, cardinality).
#include "sluice/lake/deletion_vector.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>

#include "sluice/io/file_system.h"
#include "sluice/lake/scratch_table.h"
#include "sluice/lake/z85.h"

namespace sluice::lake {
namespace {

using scratch::TempDir;

void WriteFile(const std::string& path, const std::string& bytes) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << bytes;
}

std::shared_ptr<io::FileSystem> Local(const std::string& path) {
  return io::FileSystemForUri(path).ValueOrDie();
}

DeletionBitmap Bitmap(const std::vector<uint64_t>& rows) {
  DeletionBitmap bitmap;
  for (const uint64_t row : rows) bitmap.Add(row);
  return bitmap;
}

TEST(Z85Test, MatchesTheSpecificationAndRoundTrips) {
  // ZeroMQ RFC 32's test vector.
  const std::string hello("\x86\x4F\xD2\x6F\xB5\x59\xF7\x5B", 8);
  EXPECT_EQ(Z85Encode(hello), "HelloWorld");
  EXPECT_EQ(Z85Decode("HelloWorld").ValueOrDie(), hello);
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  EXPECT_EQ(Z85Decode(Z85Encode(all)).ValueOrDie(), all);
  // Padding to a multiple of 4 bytes.
  EXPECT_EQ(Z85Decode(Z85Encode("abcde")).ValueOrDie(), std::string("abcde\0\0\0", 8));
}

TEST(Z85Test, RefusesMalformedText) {
  EXPECT_FALSE(Z85Decode("Hell").ok());
  const Status bad_char = Z85Decode("Hell\"World").status();
  EXPECT_NE(bad_char.message().find("position 5"), std::string::npos) << bad_char.ToString();
  EXPECT_NE(Z85Decode("#####").status().message().find("32 bits"), std::string::npos);
}

std::string FromHex(std::string_view hex) {
  std::string bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return bytes;
}

// A deletion vector file Spark (Delta 3.0) wrote for DELETE ... WHERE id = 0 (the golden table
// log-replay-dv-key-cases of delta-io/delta), with its descriptor from the log.
TEST(DeletionBitmapTest, ReadsASparkWrittenVector) {
  TempDir dir;
  WriteFile(dir.path() + "/deletion_vector_37d10da3-70a1-4730-bc58-3b44f9617505.bin",
            FromHex("0100000022d1d339640100000000000000000000003a3000000100000000"
                    "000000100000000000f7a6b4b5"));
  DeletionVector dv;
  dv.storage_type = "u";
  dv.path_or_inline_dv = "h{&8fAg]=QYJvl-}c!yH";
  dv.offset = 1;
  dv.size_in_bytes = 34;
  dv.cardinality = 1;
  auto fs = Local(dir.path());
  DeletionBitmap bitmap = ReadDeletionVector(fs.get(), dir.path(), dv, "part-0").ValueOrDie();
  EXPECT_EQ(bitmap.Rows(), std::vector<uint64_t>{0});
  // The same bytes inline.
  DeletionVector inline_dv;
  inline_dv.storage_type = "i";
  inline_dv.path_or_inline_dv =
      Z85Encode(FromHex("d1d339640100000000000000000000003a30000001"
                        "00000000000000100000000000"));
  inline_dv.size_in_bytes = 34;
  inline_dv.cardinality = 1;
  EXPECT_EQ(ReadDeletionVector(nullptr, "/t", inline_dv, "part-0").ValueOrDie().Rows(),
            std::vector<uint64_t>{0});
  inline_dv.cardinality = 2;
  const Status wrong = ReadDeletionVector(nullptr, "/t", inline_dv, "part-0").status();
  EXPECT_NE(wrong.message().find("holds 1 rows, the log says 2"), std::string::npos)
      << wrong.ToString();
  // PROTOCOL.md's inline example is in an older layout (magic 1681511376) that writers no longer
  // produce: refused by name, never misread.
  inline_dv.path_or_inline_dv = "wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L";
  inline_dv.size_in_bytes = 40;
  inline_dv.cardinality = 6;
  const Status old = ReadDeletionVector(nullptr, "/t", inline_dv, "part-0").status();
  EXPECT_NE(old.message().find("magic number"), std::string::npos) << old.ToString();
}

TEST(DeletionBitmapTest, RoundTripsAcrossBuckets) {
  const std::vector<uint64_t> rows = {0, 5, 65536, 1000000, (1ull << 32) + 7, (5ull << 32)};
  DeletionBitmap bitmap = Bitmap(rows);
  EXPECT_EQ(bitmap.Cardinality(), rows.size());
  DeletionBitmap back = DeletionBitmap::Deserialize(bitmap.Serialize()).ValueOrDie();
  EXPECT_EQ(back.Rows(), rows);
  DeletionBitmap more = Bitmap({1, 5});
  more.Union(back);
  EXPECT_EQ(more.Cardinality(), rows.size() + 1);
  DeletionVector inline_dv = InlineDeletionVector(bitmap);
  EXPECT_EQ(inline_dv.storage_type, "i");
  EXPECT_EQ(inline_dv.cardinality, 6);
  EXPECT_EQ(ReadDeletionVector(nullptr, "/t", inline_dv, "f").ValueOrDie().Rows(), rows);
}

TEST(DeletionBitmapTest, RefusesMalformedBytes) {
  const std::string good = Bitmap({1, 2, 3}).Serialize();
  std::string wrong_magic = good;
  wrong_magic[0] ^= 1;
  EXPECT_NE(DeletionBitmap::Deserialize(wrong_magic).status().message().find("magic"),
            std::string::npos);
  EXPECT_FALSE(DeletionBitmap::Deserialize(good.substr(0, good.size() - 1)).ok());
  EXPECT_NE(DeletionBitmap::Deserialize(good + "x").status().message().find("after its bitmap"),
            std::string::npos);
  std::string many_buckets = good;
  many_buckets[4] = '\x7f';
  EXPECT_FALSE(DeletionBitmap::Deserialize(many_buckets).ok());
}

TEST(DeletionBitmapTest, DerivesFilePathsAsTheProtocolSays) {
  DeletionVector dv;
  dv.storage_type = "u";
  dv.path_or_inline_dv = "ab^-aqEH.-t@S}K{vb[*k^";
  EXPECT_EQ(
      DeletionVectorFile("s3://mytable", dv).ValueOrDie(),
      std::optional<std::string>("ab/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin"));
  dv.storage_type = "p";
  dv.path_or_inline_dv = "s3://mytable/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin";
  EXPECT_EQ(DeletionVectorFile("s3://mytable", dv).ValueOrDie(),
            std::optional<std::string>("deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin"));
  dv.path_or_inline_dv = "s3://othertable/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin";
  EXPECT_FALSE(DeletionVectorFile("s3://mytable", dv).ok());
  dv.storage_type = "u";
  dv.path_or_inline_dv = "../^-aqEH.-t@S}K{vb[*k^";
  EXPECT_FALSE(DeletionVectorFile("/t", dv).ok());
  dv.storage_type = "x";
  EXPECT_FALSE(DeletionVectorFile("/t", dv).ok());
}

// A DV file holding two vectors, as Spark writes one per task: version byte, then per vector its
// size, bytes and CRC-32.
TEST(DeletionBitmapTest, ReadsVectorsAtTheirOffsetsInASharedFileAndChecksThem) {
  TempDir dir;
  const std::string first = Bitmap({0, 9}).Serialize();
  const std::string second = Bitmap({4}).Serialize();
  auto append = [](const std::string& data, std::string* out) {
    auto be32 = [out](uint32_t v) {
      for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
    };
    be32(static_cast<uint32_t>(data.size()));
    *out += data;
    be32(static_cast<uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size()))));
  };
  std::string file(1, '\x01');
  append(first, &file);
  const int32_t second_offset = static_cast<int32_t>(file.size());
  append(second, &file);
  DeletionVectorFileContents named = NewDeletionVectorFile(Bitmap({0}));
  WriteFile(dir.path() + "/" + named.relative_path, file);
  DeletionVector dv = named.descriptor;
  dv.size_in_bytes = static_cast<int32_t>(first.size());
  dv.cardinality = 2;
  auto fs = Local(dir.path());
  EXPECT_EQ(ReadDeletionVector(fs.get(), dir.path(), dv, "a.parquet").ValueOrDie().Rows(),
            (std::vector<uint64_t>{0, 9}));
  dv.offset = second_offset;
  dv.size_in_bytes = static_cast<int32_t>(second.size());
  dv.cardinality = 1;
  EXPECT_EQ(ReadDeletionVector(fs.get(), dir.path(), dv, "b.parquet").ValueOrDie().Rows(),
            (std::vector<uint64_t>{4}));
  // A flipped bit in the bitmap fails the checksum; a wrong size or offset is caught too.
  std::string corrupt = file;
  corrupt[static_cast<size_t>(second_offset) + 6] ^= 0x10;
  WriteFile(dir.path() + "/" + named.relative_path, corrupt);
  const Status checksum = ReadDeletionVector(fs.get(), dir.path(), dv, "b.parquet").status();
  EXPECT_NE(checksum.message().find("CRC-32"), std::string::npos) << checksum.ToString();
  EXPECT_NE(checksum.message().find("b.parquet"), std::string::npos);
  dv.size_in_bytes += 1;
  EXPECT_FALSE(ReadDeletionVector(fs.get(), dir.path(), dv, "b.parquet").ok());
  dv.offset = 100000;
  EXPECT_NE(ReadDeletionVector(fs.get(), dir.path(), dv, "b.parquet")
                .status()
                .message()
                .find("outside its file"),
            std::string::npos);
}

TEST(DeletionBitmapTest, WritesFilesItReadsBack) {
  TempDir dir;
  DeletionVectorFileContents contents = NewDeletionVectorFile(Bitmap({2, 3, 70000}));
  EXPECT_EQ(contents.descriptor.storage_type, "u");
  EXPECT_EQ(contents.descriptor.offset, std::optional<int32_t>(1));
  EXPECT_EQ(DeletionVectorFile(dir.path(), contents.descriptor).ValueOrDie(),
            std::optional<std::string>(contents.relative_path));
  WriteFile(dir.path() + "/" + contents.relative_path, contents.bytes);
  auto fs = Local(dir.path());
  EXPECT_EQ(ReadDeletionVector(fs.get(), dir.path(), contents.descriptor, "f").ValueOrDie().Rows(),
            (std::vector<uint64_t>{2, 3, 70000}));
}

}  // namespace
}  // namespace sluice::lake

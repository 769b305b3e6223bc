#include "sluice/io/input_stream.h"

#include <gtest/gtest.h>
#include <zlib.h>
#include <zstd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "sluice/io/decompressing_input_stream.h"

namespace sluice::io {
namespace {

class InputStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/sluice_input_stream_test_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    std::error_code error;
    std::filesystem::remove_all(dir_, error);
  }

  std::string PathOf(const std::string& name) const { return dir_ + "/" + name; }

  std::string WriteFile(const std::string& name, const std::string& bytes) const {
    const std::string path = PathOf(name);
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    EXPECT_TRUE(out.good()) << path;
    return path;
  }

  static std::string ReadBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }

  // Compresses `text` into one gzip member with zlib's gzopen/gzwrite and returns the file bytes.
  std::string GzipMember(const std::string& text) const {
    const std::string path = PathOf("member.tmp.gz");
    gzFile file = gzopen(path.c_str(), "wb");
    EXPECT_NE(file, nullptr);
    if (file == nullptr) return "";
    if (!text.empty()) {
      EXPECT_EQ(gzwrite(file, text.data(), static_cast<unsigned>(text.size())),
                static_cast<int>(text.size()));
    }
    EXPECT_EQ(gzclose(file), Z_OK);
    std::string bytes = ReadBytes(path);
    std::filesystem::remove(path);
    return bytes;
  }

  std::string dir_;
};

std::string ZstdFrame(const std::string& text, int level = 3) {
  std::string out(ZSTD_compressBound(text.size()), '\0');
  const size_t size = ZSTD_compress(out.data(), out.size(), text.data(), text.size(), level);
  EXPECT_FALSE(ZSTD_isError(size)) << ZSTD_getErrorName(size);
  out.resize(ZSTD_isError(size) ? 0 : size);
  return out;
}

// Reads the stream to its end in reads of at most `chunk` bytes.
Result<std::string> ReadAll(InputStream* stream, size_t chunk = 4096) {
  std::string out;
  std::vector<char> buffer(chunk);
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(size_t count, stream->Read(buffer.data(), buffer.size()));
    if (count == 0) return out;
    EXPECT_LE(count, chunk);
    out.append(buffer.data(), count);
  }
}

Result<std::string> ReadDecompressed(const std::string& path, size_t chunk = 4096) {
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<InputStream> stream, OpenDecompressed(path));
  return ReadAll(stream.get(), chunk);
}

// Deterministic bytes that do not compress much, so compressed files exceed the 1 MiB input
// buffer of the gzip stream.
std::string NoisyText(size_t size) {
  std::mt19937 random(12345);
  std::string text(size, '\0');
  for (char& c : text) c = static_cast<char>('a' + random() % 26);
  return text;
}

TEST_F(InputStreamTest, OpenFileOnMissingPathIsNotFound) {
  const std::string path = PathOf("does_not_exist.csv");
  Result<std::unique_ptr<InputStream>> stream = OpenFile(path);
  ASSERT_FALSE(stream.ok());
  EXPECT_EQ(stream.status().code(), StatusCode::kNotFound);
  EXPECT_NE(stream.status().message().find(path), std::string::npos) << stream.status().message();
  EXPECT_EQ(OpenDecompressed(path).status().code(), StatusCode::kNotFound);
}

TEST_F(InputStreamTest, OpenFileReadsTheBytes) {
  const std::string content = std::string("id,name\n1,ann\n") + std::string(1, '\0') + "\xff tail";
  const std::string path = WriteFile("plain.csv", content);
  Result<std::unique_ptr<InputStream>> stream = OpenFile(path);
  ASSERT_TRUE(stream.ok()) << stream.status().ToString();
  EXPECT_EQ((*stream)->path(), path);
  Result<std::string> text = ReadAll(stream->get(), 3);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text, content);
  // End of stream stays end of stream.
  char byte = 0;
  Result<size_t> again = (*stream)->Read(&byte, 1);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, 0u);
}

TEST_F(InputStreamTest, ReadFullyStopsAtTheEnd) {
  const std::string path = WriteFile("short.txt", "abcdef");
  Result<std::unique_ptr<InputStream>> stream = OpenFile(path);
  ASSERT_TRUE(stream.ok());
  char buffer[16] = {};
  Result<size_t> count = (*stream)->ReadFully(buffer, 4);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 4u);
  EXPECT_EQ(std::string(buffer, 4), "abcd");
  count = (*stream)->ReadFully(buffer, sizeof(buffer));
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 2u);
  EXPECT_EQ(std::string(buffer, 2), "ef");
}

TEST_F(InputStreamTest, CompressionFromPath) {
  EXPECT_EQ(CompressionFromPath("a.csv.gz"), Compression::kGzip);
  EXPECT_EQ(CompressionFromPath("a.gzip"), Compression::kGzip);
  EXPECT_EQ(CompressionFromPath("/x/a.json.zst"), Compression::kZstd);
  EXPECT_EQ(CompressionFromPath("a.zstd"), Compression::kZstd);
  EXPECT_EQ(CompressionFromPath("a.csv"), Compression::kNone);
  EXPECT_EQ(CompressionFromPath("a.gz.csv"), Compression::kNone);
  EXPECT_EQ(CompressionFromPath("-"), Compression::kNone);
  EXPECT_EQ(CompressionFromPath(""), Compression::kNone);
}

TEST_F(InputStreamTest, PlainFilePassesThrough) {
  const std::string content = "id,name\n1,ann\n2,bob\n";
  EXPECT_EQ(ReadDecompressed(WriteFile("plain.csv", content)).ValueOrDie(), content);
  // Files shorter than the 4 sniffed bytes, and empty files.
  EXPECT_EQ(ReadDecompressed(WriteFile("two.txt", "ab")).ValueOrDie(), "ab");
  EXPECT_EQ(ReadDecompressed(WriteFile("one.txt", "\x1f")).ValueOrDie(), "\x1f");
  EXPECT_EQ(ReadDecompressed(WriteFile("empty.txt", "")).ValueOrDie(), "");
  // Read one byte at a time across the sniffed prefix.
  EXPECT_EQ(ReadDecompressed(WriteFile("bytes.csv", content), 1).ValueOrDie(), content);
}

TEST_F(InputStreamTest, GzipSingleMember) {
  const std::string content = "id,name\n1,ann\n2,bob\n";
  const std::string path = WriteFile("data.csv.gz", GzipMember(content));
  Result<std::unique_ptr<InputStream>> stream = OpenDecompressed(path);
  ASSERT_TRUE(stream.ok()) << stream.status().ToString();
  EXPECT_EQ((*stream)->path(), path);
  Result<std::string> text = ReadAll(stream->get());
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text, content);
}

TEST_F(InputStreamTest, GzipConcatenatedMembers) {
  const std::string first = "id,name\n1,ann\n";
  const std::string second = "2,bob\n3,cy\n";
  const std::string path = WriteFile("two.csv.gz", GzipMember(first) + GzipMember(second));
  EXPECT_EQ(ReadDecompressed(path).ValueOrDie(), first + second);
  EXPECT_EQ(ReadDecompressed(path, 1).ValueOrDie(), first + second);
  // An empty member in between contributes nothing.
  const std::string path3 =
      WriteFile("three.csv.gz", GzipMember(first) + GzipMember("") + GzipMember(second));
  EXPECT_EQ(ReadDecompressed(path3).ValueOrDie(), first + second);
}

TEST_F(InputStreamTest, GzipLargerThanTheBuffers) {
  const std::string content = NoisyText(3 << 20);
  const std::string compressed = GzipMember(content);
  ASSERT_GT(compressed.size(), size_t{1} << 20);
  const std::string path = WriteFile("big.gz", compressed + GzipMember("end\n"));
  EXPECT_EQ(ReadDecompressed(path, 7919).ValueOrDie(), content + "end\n");
  EXPECT_EQ(ReadDecompressed(path, 4 << 20).ValueOrDie(), content + "end\n");
}

TEST_F(InputStreamTest, GzipDetectedByMagicWithoutExtension) {
  const std::string content = "x\n1\n";
  EXPECT_EQ(ReadDecompressed(WriteFile("data.csv", GzipMember(content))).ValueOrDie(), content);
  // The magic wins over a misleading extension.
  EXPECT_EQ(ReadDecompressed(WriteFile("data.zst", GzipMember(content))).ValueOrDie(), content);
}

TEST_F(InputStreamTest, TruncatedGzipIsIOError) {
  const std::string content = NoisyText(100000);
  const std::string compressed = GzipMember(content);
  for (size_t keep : {compressed.size() - 1, compressed.size() - 4, compressed.size() / 2,
                      size_t{10}, size_t{2}}) {
    const std::string path = WriteFile("cut.gz", compressed.substr(0, keep));
    Result<std::string> text = ReadDecompressed(path);
    ASSERT_FALSE(text.ok()) << "kept " << keep << " of " << compressed.size() << " bytes";
    EXPECT_EQ(text.status().code(), StatusCode::kIOError) << text.status().ToString();
    EXPECT_NE(text.status().message().find(path), std::string::npos) << text.status().message();
  }
}

TEST_F(InputStreamTest, TruncatedSecondGzipMemberIsIOError) {
  const std::string second = GzipMember("2,bob\n");
  const std::string path =
      WriteFile("cut2.gz", GzipMember("1,ann\n") + second.substr(0, second.size() - 3));
  EXPECT_EQ(ReadDecompressed(path).status().code(), StatusCode::kIOError);
}

TEST_F(InputStreamTest, CorruptGzipIsIOError) {
  std::string compressed = GzipMember(NoisyText(100000));
  for (size_t i = compressed.size() / 2; i < compressed.size() / 2 + 64; ++i) compressed[i] ^= 0x5a;
  Result<std::string> text = ReadDecompressed(WriteFile("corrupt.gz", compressed));
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), StatusCode::kIOError) << text.status().ToString();
}

TEST_F(InputStreamTest, ZstdSingleFrame) {
  const std::string content = "{\"id\":1}\n{\"id\":2}\n";
  const std::string path = WriteFile("data.ndjson.zst", ZstdFrame(content));
  Result<std::unique_ptr<InputStream>> stream = OpenDecompressed(path);
  ASSERT_TRUE(stream.ok()) << stream.status().ToString();
  EXPECT_EQ((*stream)->path(), path);
  Result<std::string> text = ReadAll(stream->get());
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text, content);
}

TEST_F(InputStreamTest, ZstdConcatenatedFrames) {
  const std::string first = "a,b\n1,2\n";
  const std::string second = "3,4\n";
  const std::string path = WriteFile("two.zst", ZstdFrame(first) + ZstdFrame(second, 19));
  EXPECT_EQ(ReadDecompressed(path).ValueOrDie(), first + second);
  EXPECT_EQ(ReadDecompressed(path, 1).ValueOrDie(), first + second);
}

TEST_F(InputStreamTest, ZstdLargeWithSmallReads) {
  // Highly compressible: one small compressed input expands to many output reads, so the decoder
  // must keep flushing after its input is consumed.
  std::string content;
  for (int i = 0; i < 200000; ++i) content += "row " + std::to_string(i % 100) + "\n";
  const std::string path = WriteFile("big.zstd", ZstdFrame(content) + ZstdFrame(NoisyText(500000)));
  const std::string expected = content + NoisyText(500000);
  EXPECT_EQ(ReadDecompressed(path, 1000).ValueOrDie(), expected);
  EXPECT_EQ(ReadDecompressed(path, 1 << 22).ValueOrDie(), expected);
}

TEST_F(InputStreamTest, ZstdDetectedByMagicWithoutExtension) {
  EXPECT_EQ(ReadDecompressed(WriteFile("data.txt", ZstdFrame("hello\n"))).ValueOrDie(), "hello\n");
}

TEST_F(InputStreamTest, TruncatedZstdIsIOError) {
  const std::string compressed = ZstdFrame(NoisyText(100000));
  for (size_t keep : {compressed.size() - 1, compressed.size() - 3, compressed.size() / 2,
                      size_t{6}, size_t{4}}) {
    const std::string path = WriteFile("cut.zst", compressed.substr(0, keep));
    Result<std::string> text = ReadDecompressed(path);
    ASSERT_FALSE(text.ok()) << "kept " << keep << " of " << compressed.size() << " bytes";
    EXPECT_EQ(text.status().code(), StatusCode::kIOError) << text.status().ToString();
    EXPECT_NE(text.status().message().find(path), std::string::npos) << text.status().message();
  }
}

TEST_F(InputStreamTest, TruncatedSecondZstdFrameIsIOError) {
  const std::string second = ZstdFrame(NoisyText(1000));
  const std::string path =
      WriteFile("cut2.zst", ZstdFrame("first\n") + second.substr(0, second.size() - 2));
  EXPECT_EQ(ReadDecompressed(path).status().code(), StatusCode::kIOError);
}

TEST_F(InputStreamTest, CompressedExtensionOnPlainTextIsInvalidArgument) {
  for (const char* name : {"plain.csv.gz", "plain.gzip", "plain.zst", "plain.zstd"}) {
    const std::string path = WriteFile(name, "id,name\n1,ann\n");
    Result<std::unique_ptr<InputStream>> stream = OpenDecompressed(path);
    ASSERT_FALSE(stream.ok()) << name;
    EXPECT_EQ(stream.status().code(), StatusCode::kInvalidArgument) << name;
    EXPECT_NE(stream.status().message().find(path), std::string::npos) << stream.status().message();
  }
  EXPECT_EQ(OpenDecompressed(WriteFile("empty.gz", "")).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(MemoryInputStreamTest, ReadsTheDataInCappedReads) {
  std::unique_ptr<InputStream> stream = MakeMemoryInputStream("abcdefg", "mem.csv", 3);
  EXPECT_EQ(stream->path(), "mem.csv");
  char buffer[16] = {};
  std::vector<size_t> counts;
  std::string text;
  while (true) {
    Result<size_t> count = stream->Read(buffer, sizeof(buffer));
    ASSERT_TRUE(count.ok());
    if (*count == 0) break;
    counts.push_back(*count);
    text.append(buffer, *count);
  }
  EXPECT_EQ(counts, (std::vector<size_t>{3, 3, 1}));
  EXPECT_EQ(text, "abcdefg");
  // ReadFully loops over the capped reads.
  stream = MakeMemoryInputStream("abcdefg", "mem.csv", 2);
  Result<size_t> count = stream->ReadFully(buffer, 5);
  ASSERT_TRUE(count.ok());
  EXPECT_EQ(*count, 5u);
  EXPECT_EQ(std::string(buffer, 5), "abcde");
}

TEST(MemoryInputStreamTest, ZeroCapStillMakesProgressAndEmptyDataEnds) {
  std::unique_ptr<InputStream> stream = MakeMemoryInputStream("xy", "mem", 0);
  EXPECT_EQ(ReadAll(stream.get()).ValueOrDie(), "xy");
  stream = MakeMemoryInputStream("", "empty");
  EXPECT_EQ(ReadAll(stream.get()).ValueOrDie(), "");
}

TEST(MemoryInputStreamTest, DecompressorsFedOneByteAtATime) {
  const std::string content = NoisyText(20000) + "\n";
  std::string gzip;
  {
    // A gzip member built in memory with zlib's deflate (gzip header via windowBits 15 + 16).
    z_stream stream{};
    ASSERT_EQ(deflateInit2(&stream, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    gzip.resize(deflateBound(&stream, content.size()));
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(content.data()));
    stream.avail_in = static_cast<uInt>(content.size());
    stream.next_out = reinterpret_cast<Bytef*>(gzip.data());
    stream.avail_out = static_cast<uInt>(gzip.size());
    ASSERT_EQ(deflate(&stream, Z_FINISH), Z_STREAM_END);
    gzip.resize(stream.total_out);
    deflateEnd(&stream);
  }
  std::unique_ptr<InputStream> unzipped =
      MakeGzipInputStream(MakeMemoryInputStream(gzip + gzip, "mem.gz", 1));
  EXPECT_EQ(ReadAll(unzipped.get(), 333).ValueOrDie(), content + content);

  const std::string zstd = ZstdFrame(content);
  std::unique_ptr<InputStream> unzstd =
      MakeZstdInputStream(MakeMemoryInputStream(zstd + zstd, "mem.zst", 1));
  EXPECT_EQ(ReadAll(unzstd.get(), 333).ValueOrDie(), content + content);

  // Truncation is still detected when the input arrives byte by byte.
  unzipped = MakeGzipInputStream(MakeMemoryInputStream(gzip.substr(0, gzip.size() - 1), "m.gz", 1));
  EXPECT_EQ(ReadAll(unzipped.get()).status().code(), StatusCode::kIOError);
  unzstd = MakeZstdInputStream(MakeMemoryInputStream(zstd.substr(0, zstd.size() - 1), "m.zst", 1));
  Result<std::string> cut = ReadAll(unzstd.get());
  EXPECT_EQ(cut.status().code(), StatusCode::kIOError);
  EXPECT_NE(cut.status().message().find("m.zst"), std::string::npos) << cut.status().message();
}

TEST_F(InputStreamTest, GzipWrapperOverAnyStream) {
  // The wrappers work on any InputStream, not only files opened by OpenDecompressed.
  const std::string content = "wrapped\n";
  Result<std::unique_ptr<InputStream>> file =
      OpenFile(WriteFile("wrapped.bin", GzipMember(content)));
  ASSERT_TRUE(file.ok());
  std::unique_ptr<InputStream> stream = MakeGzipInputStream(std::move(*file));
  EXPECT_EQ(ReadAll(stream.get()).ValueOrDie(), content);
}

}  // namespace
}  // namespace sluice::io

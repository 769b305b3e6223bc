#include "sluice/formats/parquet/column_chunk_reader.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "sluice/columnar/temporal.h"
#include "sluice/io/compression_codec.h"

namespace sluice::parquet {
namespace {

using columnar::DataType;
using columnar::Int128;
using columnar::TypeId;

// Julian day of 1970-01-01.
constexpr int64_t kJulianEpochDay = 2440588;
// No page may claim more values than this (guards allocations driven by headers).
constexpr int64_t kMaxPageValues = 1ll << 31;

double HalfToDouble(uint16_t half) {
  const int sign = (half >> 15) & 1;
  const int exponent = (half >> 10) & 0x1f;
  const int mantissa = half & 0x3ff;
  double value;
  if (exponent == 0) {
    value = std::ldexp(static_cast<double>(mantissa), -24);
  } else if (exponent == 31) {
    value = mantissa == 0 ? INFINITY : NAN;
  } else {
    value = std::ldexp(static_cast<double>(mantissa + 1024), exponent - 25);
  }
  return sign ? -value : value;
}

void AppendUUID(const uint8_t* data, columnar::RawBytes* bytes) {
  static const char kHex[] = "0123456789abcdef";
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) bytes->push_back('-');
    bytes->push_back(kHex[data[i] >> 4]);
    bytes->push_back(kHex[data[i] & 15]);
  }
}

// The most bytes `size` compressed bytes can decode to, where the codec bounds it (0: unbounded).
// Checked before allocating, so a page header cannot claim gigabytes for a few bytes.
uint64_t MaxDecompressedSize(io::Codec codec, size_t size) {
  const uint64_t n = size;
  switch (codec) {
    case io::Codec::kNone:
      return n;
    case io::Codec::kSnappy:
      return 32 * n + 64;  // a 3-byte copy emits at most 64 bytes
    case io::Codec::kGzip:
      return 1100 * n + 1024;  // deflate expands at most 1032:1
    case io::Codec::kLZ4Raw:
    case io::Codec::kLZ4Hadoop:
      return 256 * n + 1024;  // each extra length byte adds at most 255 bytes
    case io::Codec::kZstd:
      return 32768 * n + (128u << 10);  // an RLE block: 4 bytes for up to 128 KiB
    case io::Codec::kBrotli:
      return 0;
  }
  return 0;
}

io::Codec ToCodec(CompressionCodec codec, bool* supported) {
  *supported = true;
  switch (codec) {
    case CompressionCodec::kUncompressed:
      return io::Codec::kNone;
    case CompressionCodec::kSnappy:
      return io::Codec::kSnappy;
    case CompressionCodec::kGzip:
      return io::Codec::kGzip;
    case CompressionCodec::kBrotli:
      return io::Codec::kBrotli;
    case CompressionCodec::kLZ4:
      return io::Codec::kLZ4Hadoop;
    case CompressionCodec::kZstd:
      return io::Codec::kZstd;
    case CompressionCodec::kLZ4Raw:
      return io::Codec::kLZ4Raw;
    default:
      *supported = false;
      return io::Codec::kNone;
  }
}

}  // namespace

Int128 DecodeBigEndianDecimal(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // Sign-extend from the first byte.
  columnar::UInt128 value = (data[0] & 0x80) ? ~static_cast<columnar::UInt128>(0) : 0;
  for (size_t i = 0; i < size; ++i) value = (value << 8) | data[i];
  return static_cast<Int128>(value);
}

void AppendWideDecimalText(const uint8_t* data, size_t size, int scale, std::string* out) {
  // The magnitude, big-endian, two's complement undone for a negative value.
  std::vector<uint8_t> magnitude(data, data + size);
  const bool negative = size > 0 && (data[0] & 0x80) != 0;
  if (negative) {
    for (uint8_t& byte : magnitude) byte = static_cast<uint8_t>(~byte);
    for (size_t k = magnitude.size(); k-- > 0;) {
      if (++magnitude[k] != 0) break;
    }
  }
  // Decimal digits by repeated division by 10, least significant first.
  std::string digits;
  bool zero = false;
  while (!zero) {
    uint32_t remainder = 0;
    zero = true;
    for (uint8_t& byte : magnitude) {
      const uint32_t current = (remainder << 8) | byte;
      byte = static_cast<uint8_t>(current / 10);
      remainder = current % 10;
      zero &= byte == 0;
    }
    digits.push_back(static_cast<char>('0' + remainder));
  }
  while (digits.size() <= static_cast<size_t>(scale)) digits.push_back('0');
  if (negative) out->push_back('-');
  for (size_t k = digits.size(); k-- > 0;) {
    out->push_back(digits[k]);
    if (k == static_cast<size_t>(scale) && scale > 0) out->push_back('.');
  }
}

// ---- ColumnChunkReader ----------------------------------------------------------------------

ColumnChunkReader::ColumnChunkReader(ColumnChunkContext context)
    : context_(context), dictionary_(context.leaf->type) {
  const SchemaNode& leaf = *context_.leaf;
  std::string column;
  for (const std::string& part : context_.metadata->path_in_schema) {
    if (!column.empty()) column += ".";
    column += part;
  }
  if (column.empty()) column = leaf.name;
  where_ = context_.file->path() + ": row group " + std::to_string(context_.row_group) +
           ", column '" + column + "'";
  max_definition_ = leaf.definition_level;
  max_repetition_ = leaf.repetition_level;
  switch (leaf.physical) {
    case Type::kBoolean:
      fixed_width_ = -1;
      break;
    case Type::kInt32:
    case Type::kFloat:
      fixed_width_ = 4;
      break;
    case Type::kInt64:
    case Type::kDouble:
      fixed_width_ = 8;
      break;
    case Type::kInt96:
      fixed_width_ = 12;
      break;
    case Type::kByteArray:
      fixed_width_ = 0;
      break;
    case Type::kFixedLenByteArray:
      fixed_width_ = leaf.type_length;
      break;
  }
}

Status ColumnChunkReader::Error(const std::string& message) const {
  return Status::DataError(where_ + ": " + message);
}

Status ColumnChunkReader::Load() {
  const ColumnMetaData& meta = *context_.metadata;
  if (meta.type != context_.leaf->physical) {
    return Error("the column chunk's type does not match the schema");
  }
  int64_t start = meta.data_page_offset;
  if (meta.dictionary_page_offset && *meta.dictionary_page_offset > 0 &&
      *meta.dictionary_page_offset < start) {
    start = *meta.dictionary_page_offset;
  }
  const int64_t file_size = context_.file->size();
  if (start < 4 || start >= file_size || meta.total_compressed_size < 0 ||
      meta.total_compressed_size > file_size - start) {
    return Error("the column chunk's offsets point outside the file");
  }
  chunk_.resize(static_cast<size_t>(meta.total_compressed_size));
  SLUICE_RETURN_NOT_OK(context_.file->ReadAt(start, meta.total_compressed_size, chunk_.data()));
  position_ = 0;
  return Status::OK();
}

Status ColumnChunkReader::Decompress(const uint8_t* data, size_t size, size_t uncompressed_size) {
  bool supported;
  const io::Codec codec = ToCodec(context_.metadata->codec, &supported);
  if (!supported) {
    return Error("compression codec " + std::to_string(static_cast<int>(context_.metadata->codec)) +
                 " is not supported");
  }
  if (codec == io::Codec::kNone) {
    if (size != uncompressed_size) {
      return Error("an uncompressed page's sizes disagree (" + std::to_string(size) + " vs " +
                   std::to_string(uncompressed_size) + ")");
    }
    decompressed_.assign(data, data + size);
    return Status::OK();
  }
  const uint64_t bound = MaxDecompressedSize(codec, size);
  if (bound != 0 && uncompressed_size > bound) {
    return Error("a page of " + std::to_string(size) + " compressed bytes claims " +
                 std::to_string(uncompressed_size) + " uncompressed bytes, more than " +
                 std::string(io::CodecName(codec)) + " can produce");
  }
  decompressed_.resize(uncompressed_size);
  Status status = io::Decompress(codec, data, size, decompressed_.data(), uncompressed_size);
  if (!status.ok()) return Error(status.message());
  return Status::OK();
}

Status ColumnChunkReader::NextPage(bool* found) {
  while (true) {
    *found = false;
    if (position_ >= chunk_.size()) return Status::OK();
    size_t header_size = 0;
    auto header =
        DecodePageHeader(chunk_.data() + position_, chunk_.size() - position_, &header_size);
    if (!header.ok()) return Error(header.status().message());
    const PageHeader& page = *header;
    if (page.compressed_page_size < 0 || page.uncompressed_page_size < 0 ||
        static_cast<size_t>(page.compressed_page_size) > chunk_.size() - position_ - header_size) {
      return Error("a page's size runs past the end of the column chunk");
    }
    const uint8_t* body = chunk_.data() + position_ + header_size;
    const size_t body_size = static_cast<size_t>(page.compressed_page_size);
    position_ += header_size + body_size;
    if (page.crc && context_.verify_checksums) {
      const uint32_t actual = io::CRC32(body, body_size);
      if (actual != static_cast<uint32_t>(*page.crc)) {
        return Error("page checksum mismatch (CRC-32 in the header " +
                     std::to_string(static_cast<uint32_t>(*page.crc)) + ", computed " +
                     std::to_string(actual) + ")");
      }
    }
    switch (page.type) {
      case PageType::kDictionaryPage:
        SLUICE_RETURN_NOT_OK(ReadDictionaryPage(page, body));
        continue;
      case PageType::kDataPage:
      case PageType::kDataPageV2:
        SLUICE_RETURN_NOT_OK(StartDataPage(page, body));
        if (page_values_ == 0) continue;
        *found = true;
        return Status::OK();
      default:
        continue;  // index pages carry nothing we need
    }
  }
}

Status ColumnChunkReader::ReadDictionaryPage(const PageHeader& header, const uint8_t* body) {
  if (!header.dictionary_page_header) return Error("dictionary page without its header");
  if (has_dictionary_) return Error("a second dictionary page");
  const DictionaryPageHeader& dictionary = *header.dictionary_page_header;
  if (dictionary.encoding != Encoding::kPlain &&
      dictionary.encoding != Encoding::kPlainDictionary) {
    return Error("dictionary page encoding " +
                 std::to_string(static_cast<int>(dictionary.encoding)) + " is not PLAIN");
  }
  if (dictionary.num_values < 0) return Error("negative dictionary size");
  SLUICE_RETURN_NOT_OK(Decompress(body, static_cast<size_t>(header.compressed_page_size),
                                  static_cast<size_t>(header.uncompressed_page_size)));
  values_ = decompressed_.data();
  values_end_ = values_ + decompressed_.size();
  bit_position_ = 0;
  encoding_ = Encoding::kPlain;
  dictionary_.Clear();
  // A value takes its width (a bit for booleans, a 4-byte length for byte arrays), so the count
  // is bounded by the page size.
  const int64_t count = dictionary.num_values;
  const int64_t bytes = static_cast<int64_t>(decompressed_.size());
  if (fixed_width_ == -1 ? count > bytes * 8
                         : count > bytes / (fixed_width_ == 0 ? 4 : std::max(fixed_width_, 1))) {
    return Error("the dictionary page declares more values than it holds");
  }
  SLUICE_RETURN_NOT_OK(AppendValues(count, &dictionary_));
  has_dictionary_ = true;
  return Status::OK();
}

Status ColumnChunkReader::DecodeLevels(const uint8_t* data, size_t size, int bit_width,
                                       int64_t count, int16_t max_level, std::vector<int16_t>* out,
                                       const char* what) {
  out->resize(static_cast<size_t>(count));
  RLEBitPackedDecoder decoder(data, size, bit_width);
  auto decoded = decoder.Decode(out->data(), count);
  if (!decoded.ok()) return Error(std::string(what) + " levels: " + decoded.status().message());
  if (*decoded != count) {
    return Error("the page has " + std::to_string(count) + " values but only " +
                 std::to_string(*decoded) + " " + what + " levels");
  }
  for (int64_t i = 0; i < count; ++i) {
    const int16_t level = (*out)[static_cast<size_t>(i)];
    if (level < 0 || level > max_level) {
      return Error(std::string(what) + " level " + std::to_string(level) + " exceeds the maximum " +
                   std::to_string(max_level));
    }
  }
  return Status::OK();
}

Status ColumnChunkReader::StartLazyDefinitionLevels(const uint8_t* data, size_t size, int bit_width,
                                                    int64_t count, int64_t* present) {
  definition_decoder_ = RLEBitPackedDecoder(data, size, bit_width);
  // A counting pass over a copy: checks the levels now, keeps nothing.
  RLEBitPackedDecoder counter = definition_decoder_;
  level_buffer_.resize(static_cast<size_t>(std::min<int64_t>(count, 4096)));
  *present = 0;
  for (int64_t done = 0; done < count;) {
    const int64_t take = std::min<int64_t>(count - done, 4096);
    auto decoded = counter.Decode(level_buffer_.data(), take);
    if (!decoded.ok()) return Error("definition levels: " + decoded.status().message());
    if (*decoded != take) {
      return Error("the page has " + std::to_string(count) + " values but only " +
                   std::to_string(done + *decoded) + " definition levels");
    }
    for (int64_t i = 0; i < take; ++i) {
      const int16_t level = level_buffer_[static_cast<size_t>(i)];
      if (level < 0 || level > max_definition_) {
        return Error("definition level " + std::to_string(level) + " exceeds the maximum " +
                     std::to_string(max_definition_));
      }
      *present += level == max_definition_;
    }
    done += take;
  }
  return Status::OK();
}

Status ColumnChunkReader::TakeDefinitionLevels(int64_t count, const int16_t** levels) {
  if (!lazy_definition_) {
    *levels = definition_levels_.data() + page_position_;
    return Status::OK();
  }
  level_buffer_.resize(static_cast<size_t>(count));
  auto decoded = definition_decoder_.Decode(level_buffer_.data(), count);
  // The counting pass checked the same stream; anything else is a bug.
  if (!decoded.ok() || *decoded != count) return Error("definition levels changed on re-reading");
  *levels = level_buffer_.data();
  return Status::OK();
}

Status ColumnChunkReader::ReadLengthPrefixedLevels(int16_t max_level, Encoding encoding,
                                                   std::vector<int16_t>* out, const char* what,
                                                   PageData* page) {
  if (max_level == 0) {
    out->clear();
    return Status::OK();
  }
  if (encoding != Encoding::kRLE) {
    return Error(std::string(what) + " levels use an unsupported encoding");
  }
  if (page->size < 4) return Error(std::string(what) + " levels are truncated");
  uint32_t length;
  std::memcpy(&length, page->data, 4);
  if (length > page->size - 4) return Error(std::string(what) + " levels run past the page");
  const int width = BitWidth(static_cast<uint64_t>(max_level));
  if (out == &definition_levels_ && lazy_definition_) {
    SLUICE_RETURN_NOT_OK(
        StartLazyDefinitionLevels(page->data + 4, length, width, page->count, &page->present));
  } else {
    SLUICE_RETURN_NOT_OK(
        DecodeLevels(page->data + 4, length, width, page->count, max_level, out, what));
  }
  page->data += 4 + length;
  page->size -= 4 + length;
  return Status::OK();
}

Status ColumnChunkReader::ReadPageV1(const PageHeader& header, const uint8_t* body,
                                     PageData* page) {
  if (!header.data_page_header) return Error("data page without its header");
  const DataPageHeader& v1 = *header.data_page_header;
  page->count = v1.num_values;
  encoding_ = v1.encoding;
  if (page->count < 0 || page->count > kMaxPageValues) return Error("bad page value count");
  SLUICE_RETURN_NOT_OK(Decompress(body, static_cast<size_t>(header.compressed_page_size),
                                  static_cast<size_t>(header.uncompressed_page_size)));
  page->data = decompressed_.data();
  page->size = decompressed_.size();
  SLUICE_RETURN_NOT_OK(ReadLengthPrefixedLevels(max_repetition_, v1.repetition_level_encoding,
                                                &repetition_levels_, "repetition", page));
  return ReadLengthPrefixedLevels(max_definition_, v1.definition_level_encoding,
                                  &definition_levels_, "definition", page);
}

Status ColumnChunkReader::ReadPageV2(const PageHeader& header, const uint8_t* body,
                                     PageData* page) {
  if (!header.data_page_header_v2) return Error("data page v2 without its header");
  const DataPageHeaderV2& v2 = *header.data_page_header_v2;
  const size_t body_size = static_cast<size_t>(header.compressed_page_size);
  const int64_t count = v2.num_values;
  page->count = count;
  encoding_ = v2.encoding;
  if (count < 0 || count > kMaxPageValues) return Error("bad page value count");
  const int64_t repetition_bytes = v2.repetition_levels_byte_length;
  const int64_t definition_bytes = v2.definition_levels_byte_length;
  if (repetition_bytes < 0 || definition_bytes < 0 ||
      repetition_bytes + definition_bytes > static_cast<int64_t>(body_size) ||
      repetition_bytes + definition_bytes > header.uncompressed_page_size) {
    return Error("the page's level lengths run past the page");
  }
  const int definition_width = BitWidth(static_cast<uint64_t>(max_definition_));
  if (max_repetition_ > 0) {
    SLUICE_RETURN_NOT_OK(DecodeLevels(body, static_cast<size_t>(repetition_bytes),
                                      BitWidth(static_cast<uint64_t>(max_repetition_)), count,
                                      max_repetition_, &repetition_levels_, "repetition"));
  } else {
    repetition_levels_.clear();
  }
  if (lazy_definition_) {
    SLUICE_RETURN_NOT_OK(StartLazyDefinitionLevels(body + repetition_bytes,
                                                   static_cast<size_t>(definition_bytes),
                                                   definition_width, count, &page->present));
  } else if (max_definition_ > 0) {
    SLUICE_RETURN_NOT_OK(DecodeLevels(body + repetition_bytes,
                                      static_cast<size_t>(definition_bytes), definition_width,
                                      count, max_definition_, &definition_levels_, "definition"));
  } else {
    definition_levels_.clear();
  }
  const size_t levels = static_cast<size_t>(repetition_bytes + definition_bytes);
  const size_t values_uncompressed = static_cast<size_t>(header.uncompressed_page_size) - levels;
  if (v2.is_compressed) {
    SLUICE_RETURN_NOT_OK(Decompress(body + levels, body_size - levels, values_uncompressed));
  } else {
    if (body_size - levels != values_uncompressed) {
      return Error("an uncompressed page's sizes disagree");
    }
    decompressed_.assign(body + levels, body + body_size);
  }
  page->data = decompressed_.data();
  page->size = decompressed_.size();
  return Status::OK();
}

Status ColumnChunkReader::StartDataPage(const PageHeader& header, const uint8_t* body) {
  lazy_definition_ = max_repetition_ == 0 && max_definition_ > 0;
  PageData page;
  if (header.type == PageType::kDataPage) {
    SLUICE_RETURN_NOT_OK(ReadPageV1(header, body, &page));
  } else {
    SLUICE_RETURN_NOT_OK(ReadPageV2(header, body, &page));
  }
  page_values_ = page.count;
  page_position_ = 0;
  if (page.present < 0) {
    page.present = page.count;
    if (max_definition_ > 0) {
      page.present = 0;
      for (int16_t level : definition_levels_) page.present += level == max_definition_;
    }
  }
  values_ = page.data;
  values_end_ = page.data + page.size;
  bit_position_ = 0;
  view_position_ = 0;
  return StartValues(page.data, page.size, page.present);
}

Status ColumnChunkReader::StartValues(const uint8_t* data, size_t size, int64_t present) {
  switch (encoding_) {
    case Encoding::kPlain:
      break;
    case Encoding::kPlainDictionary:
    case Encoding::kRLEDictionary: {
      if (present > 0) {
        if (!has_dictionary_) {
          return Error("a dictionary-encoded page without a dictionary page");
        }
        if (size < 1) return Error("dictionary indices are truncated");
        const int width = data[0];
        if (width > 32) return Error("dictionary index bit width " + std::to_string(width));
        indices_ = RLEBitPackedDecoder(data + 1, size - 1, width);
      }
      break;
    }
    case Encoding::kRLE: {
      if (fixed_width_ != -1) return Error("RLE encoding is only for booleans");
      if (size < 4) return Error("RLE booleans are truncated");
      uint32_t length;
      std::memcpy(&length, data, 4);
      if (length > size - 4) return Error("RLE booleans run past the page");
      indices_ = RLEBitPackedDecoder(data + 4, length, 1);  // decoded as consumed
      break;
    }
    case Encoding::kDeltaBinaryPacked: {
      if (fixed_width_ != 4 && fixed_width_ != 8) {
        return Error("DELTA_BINARY_PACKED on a non-integer column");
      }
      auto decoder = DeltaBinaryPackedDecoder::Make(data, size);
      if (!decoder.ok()) return Error(decoder.status().message());
      if (decoder->total_values() < present) {
        return Error("DELTA_BINARY_PACKED holds fewer values than the page");
      }
      delta_ = std::move(*decoder);  // decoded as consumed
      break;
    }
    case Encoding::kDeltaLengthByteArray:
    case Encoding::kDeltaByteArray:
      return StartDeltaByteArrays(data, size, present);
    case Encoding::kByteStreamSplit: {
      if (fixed_width_ <= 0) return Error("BYTE_STREAM_SPLIT on a variable-width column");
      if (static_cast<uint64_t>(present) > size / static_cast<size_t>(fixed_width_)) {
        return Error("BYTE_STREAM_SPLIT: the page holds fewer values than its levels say");
      }
      decoded_.resize(static_cast<size_t>(present) * static_cast<size_t>(fixed_width_));
      Status status = DecodeByteStreamSplit(data, size, present, fixed_width_, decoded_.data());
      if (!status.ok()) return Error(status.message());
      values_ = decoded_.data();
      values_end_ = values_ + decoded_.size();
      break;
    }
    default:
      return Error("unsupported encoding " + std::to_string(static_cast<int>(encoding_)));
  }
  return Status::OK();
}

Status ColumnChunkReader::StartDeltaByteArrays(const uint8_t* data, size_t size, int64_t present) {
  if (fixed_width_ < 0) return Error("a byte-array encoding on a boolean column");
  Status status = encoding_ == Encoding::kDeltaLengthByteArray
                      ? DecodeDeltaLengthByteArray(data, size, present, &decoded_arrays_)
                      : DecodeDeltaByteArray(data, size, present, &decoded_arrays_);
  if (!status.ok()) return Error(status.message());
  if (decoded_arrays_.size() != present) return Error("byte-array page holds fewer values");
  if (fixed_width_ > 0) {
    // FIXED_LEN_BYTE_ARRAY stored with DELTA_BYTE_ARRAY: every value must have the width.
    decoded_.clear();
    for (int64_t i = 0; i < present; ++i) {
      const uint32_t begin = decoded_arrays_.offsets[static_cast<size_t>(i)];
      const uint32_t end = decoded_arrays_.offsets[static_cast<size_t>(i) + 1];
      if (static_cast<int>(end - begin) != fixed_width_) {
        return Error("a fixed-length value of the wrong length");
      }
      decoded_.insert(decoded_.end(), decoded_arrays_.bytes.data() + begin,
                      decoded_arrays_.bytes.data() + end);
    }
    values_ = decoded_.data();
    values_end_ = values_ + decoded_.size();
    encoding_ = Encoding::kPlain;
    return Status::OK();
  }
  views_.resize(static_cast<size_t>(present));
  for (int64_t i = 0; i < present; ++i) {
    const uint32_t begin = decoded_arrays_.offsets[static_cast<size_t>(i)];
    const uint32_t end = decoded_arrays_.offsets[static_cast<size_t>(i) + 1];
    views_[static_cast<size_t>(i)] =
        std::string_view(decoded_arrays_.bytes.data() + begin, end - begin);
  }
  return Status::OK();
}

Status ColumnChunkReader::AppendFixed(const uint8_t* data, int64_t count, ValueAccumulator* out) {
  const SchemaNode& leaf = *context_.leaf;
  const size_t n = static_cast<size_t>(count);
  switch (leaf.conversion) {
    case LeafConversion::kInt32: {
      const size_t old = out->int32s.size();
      out->int32s.resize(old + n);
      if (n > 0) std::memcpy(out->int32s.data() + old, data, n * 4);
      break;
    }
    case LeafConversion::kUInt32:
      for (size_t i = 0; i < n; ++i) {
        uint32_t value;
        std::memcpy(&value, data + i * 4, 4);
        out->int64s.push_back(value);
      }
      break;
    case LeafConversion::kInt32Times1000:
      for (size_t i = 0; i < n; ++i) {
        int32_t value;
        std::memcpy(&value, data + i * 4, 4);
        out->int64s.push_back(static_cast<int64_t>(value) * 1000);
      }
      break;
    case LeafConversion::kInt64: {
      const size_t old = out->int64s.size();
      out->int64s.resize(old + n);
      if (n > 0) std::memcpy(out->int64s.data() + old, data, n * 8);
      break;
    }
    case LeafConversion::kInt64Times1000:
    case LeafConversion::kInt64Div1000:
      for (size_t i = 0; i < n; ++i) {
        int64_t value;
        std::memcpy(&value, data + i * 8, 8);
        if (leaf.conversion == LeafConversion::kInt64Times1000) {
          value = static_cast<int64_t>(static_cast<uint64_t>(value) * 1000);
        } else {
          value = value >= 0 ? value / 1000 : -((-(value + 1)) / 1000) - 1;
        }
        out->int64s.push_back(value);
      }
      break;
    case LeafConversion::kUInt64:
      for (size_t i = 0; i < n; ++i) {
        uint64_t value;
        std::memcpy(&value, data + i * 8, 8);
        out->decimals.push_back(static_cast<Int128>(value));
      }
      break;
    case LeafConversion::kInt32Decimal:
      for (size_t i = 0; i < n; ++i) {
        int32_t value;
        std::memcpy(&value, data + i * 4, 4);
        out->decimals.push_back(value);
      }
      break;
    case LeafConversion::kInt64Decimal:
      for (size_t i = 0; i < n; ++i) {
        int64_t value;
        std::memcpy(&value, data + i * 8, 8);
        out->decimals.push_back(value);
      }
      break;
    case LeafConversion::kInt96Timestamp:
      for (size_t i = 0; i < n; ++i) {
        int64_t nanos;
        int32_t day;
        std::memcpy(&nanos, data + i * 12, 8);
        std::memcpy(&day, data + i * 12 + 8, 4);
        const auto days = static_cast<uint64_t>(static_cast<int64_t>(day) - kJulianEpochDay);
        out->int64s.push_back(
            static_cast<int64_t>(days * columnar::kMicrosPerDay +
                                 static_cast<uint64_t>(columnar::FloorDiv(nanos, 1000))));
      }
      break;
    case LeafConversion::kFloat:
      for (size_t i = 0; i < n; ++i) {
        float value;
        std::memcpy(&value, data + i * 4, 4);
        out->doubles.push_back(value);
      }
      break;
    case LeafConversion::kDouble: {
      const size_t old = out->doubles.size();
      out->doubles.resize(old + n);
      if (n > 0) std::memcpy(out->doubles.data() + old, data, n * 8);
      break;
    }
    case LeafConversion::kFloat16:
      for (size_t i = 0; i < n; ++i) {
        uint16_t half;
        std::memcpy(&half, data + i * 2, 2);
        out->doubles.push_back(HalfToDouble(half));
      }
      break;
    case LeafConversion::kBytesDecimal:
      for (size_t i = 0; i < n; ++i) {
        out->decimals.push_back(DecodeBigEndianDecimal(data + i * static_cast<size_t>(fixed_width_),
                                                       static_cast<size_t>(fixed_width_)));
      }
      break;
    case LeafConversion::kWideDecimal:
      for (size_t i = 0; i < n; ++i) {
        std::string text;
        AppendWideDecimalText(data + i * static_cast<size_t>(fixed_width_),
                              static_cast<size_t>(fixed_width_), leaf.scale, &text);
        out->bytes.insert(out->bytes.end(), text.begin(), text.end());
        out->offsets.push_back(static_cast<int64_t>(out->bytes.size()));
      }
      break;
    case LeafConversion::kUUID:
      for (size_t i = 0; i < n; ++i) {
        AppendUUID(data + i * 16, &out->bytes);
        out->offsets.push_back(static_cast<int64_t>(out->bytes.size()));
      }
      break;
    case LeafConversion::kBytes: {
      const size_t width = static_cast<size_t>(fixed_width_);
      const size_t old = out->bytes.size();
      out->bytes.resize(old + n * width);
      if (n * width > 0) std::memcpy(out->bytes.data() + old, data, n * width);
      for (size_t i = 0; i < n; ++i) {
        out->offsets.push_back(static_cast<int64_t>(old + (i + 1) * width));
      }
      break;
    }
    case LeafConversion::kNull:
      for (size_t i = 0; i < n; ++i)
        out->offsets.push_back(static_cast<int64_t>(out->bytes.size()));
      break;
    case LeafConversion::kBool:
      for (size_t i = 0; i < n; ++i) out->booleans.push_back(data[i] != 0);
      break;
  }
  out->AddValues(count);
  return Status::OK();
}

Status ColumnChunkReader::AppendViews(const std::string_view* views, int64_t count,
                                      ValueAccumulator* out) {
  const SchemaNode& leaf = *context_.leaf;
  switch (leaf.conversion) {
    case LeafConversion::kBytesDecimal:
      for (int64_t i = 0; i < count; ++i) {
        const std::string_view value = views[i];
        if (value.size() > 16) {
          // Longer encodings are legal only when the extra leading bytes are sign extension.
          const uint8_t fill = (static_cast<uint8_t>(value[0]) & 0x80) ? 0xff : 0x00;
          for (size_t k = 0; k + 16 < value.size(); ++k) {
            if (static_cast<uint8_t>(value[k]) != fill) {
              return Error("a decimal value does not fit 128 bits");
            }
          }
          out->decimals.push_back(DecodeBigEndianDecimal(
              reinterpret_cast<const uint8_t*>(value.data()) + value.size() - 16, 16));
        } else {
          out->decimals.push_back(
              DecodeBigEndianDecimal(reinterpret_cast<const uint8_t*>(value.data()), value.size()));
        }
      }
      break;
    case LeafConversion::kNull:
      for (int64_t i = 0; i < count; ++i) {
        out->offsets.push_back(static_cast<int64_t>(out->bytes.size()));
      }
      break;
    case LeafConversion::kWideDecimal:
      for (int64_t i = 0; i < count; ++i) {
        std::string text;
        AppendWideDecimalText(reinterpret_cast<const uint8_t*>(views[i].data()), views[i].size(),
                              leaf.scale, &text);
        out->bytes.insert(out->bytes.end(), text.begin(), text.end());
        out->offsets.push_back(static_cast<int64_t>(out->bytes.size()));
      }
      break;
    default: {
      int64_t total = 0;
      for (int64_t i = 0; i < count; ++i) total += static_cast<int64_t>(views[i].size());
      size_t position = out->bytes.size();
      out->bytes.resize(position + static_cast<size_t>(total));
      for (int64_t i = 0; i < count; ++i) {
        if (!views[i].empty()) {
          std::memcpy(out->bytes.data() + position, views[i].data(), views[i].size());
        }
        position += views[i].size();
        out->offsets.push_back(static_cast<int64_t>(position));
      }
      break;
    }
  }
  out->AddValues(count);
  return Status::OK();
}

Status ColumnChunkReader::AppendValues(int64_t count, ValueAccumulator* out) {
  if (count == 0) return Status::OK();
  switch (encoding_) {
    case Encoding::kPlainDictionary:
    case Encoding::kRLEDictionary: {
      const int64_t dictionary_size = dictionary_.length();
      int64_t left = count;
      while (left > 0) {
        const int64_t take = std::min<int64_t>(left, 4096);
        index_buffer_.resize(static_cast<size_t>(take));
        auto decoded = indices_.Decode(index_buffer_.data(), take);
        if (!decoded.ok()) return Error("dictionary indices: " + decoded.status().message());
        if (*decoded != take) return Error("the page holds fewer dictionary indices than values");
        for (int64_t i = 0; i < take; ++i) {
          if (index_buffer_[static_cast<size_t>(i)] >= static_cast<uint64_t>(dictionary_size)) {
            return Error("dictionary index " +
                         std::to_string(index_buffer_[static_cast<size_t>(i)]) +
                         " is outside the dictionary of " + std::to_string(dictionary_size));
          }
        }
        out->Gather(dictionary_, index_buffer_.data(), take);
        left -= take;
      }
      return Status::OK();
    }
    case Encoding::kRLE: {
      // Booleans (StartDataPage allows RLE for nothing else).
      for (int64_t left = count; left > 0;) {
        const int64_t take = std::min<int64_t>(left, 4096);
        index_buffer_.resize(static_cast<size_t>(take));
        auto decoded = indices_.Decode(index_buffer_.data(), take);
        if (!decoded.ok()) return Error("RLE booleans: " + decoded.status().message());
        if (*decoded != take) return Error("the page holds fewer values than its levels say");
        for (int64_t i = 0; i < take; ++i) {
          out->booleans.push_back(index_buffer_[static_cast<size_t>(i)] != 0);
        }
        out->AddValues(take);
        left -= take;
      }
      return Status::OK();
    }
    case Encoding::kDeltaBinaryPacked: {
      const size_t width = static_cast<size_t>(fixed_width_);
      for (int64_t left = count; left > 0;) {
        const int64_t take = std::min<int64_t>(left, 4096);
        decoded_.resize(static_cast<size_t>(take) * width);
        Result<int64_t> decoded =
            width == 4 ? delta_->Decode(reinterpret_cast<int32_t*>(decoded_.data()), take)
                       : delta_->Decode(reinterpret_cast<int64_t*>(decoded_.data()), take);
        if (!decoded.ok()) return Error(decoded.status().message());
        if (*decoded != take) return Error("DELTA_BINARY_PACKED holds fewer values than the page");
        SLUICE_RETURN_NOT_OK(AppendFixed(decoded_.data(), take, out));
        left -= take;
      }
      return Status::OK();
    }
    case Encoding::kDeltaLengthByteArray:
    case Encoding::kDeltaByteArray:
      if (fixed_width_ == 0) {
        if (view_position_ + count > static_cast<int64_t>(views_.size())) {
          return Error("the page holds fewer values than its levels say");
        }
        SLUICE_RETURN_NOT_OK(AppendViews(views_.data() + view_position_, count, out));
        view_position_ += count;
        return Status::OK();
      }
      break;
    default:
      break;
  }
  // Plain-like: fixed-width bytes, bit-packed booleans, or length-prefixed byte arrays.
  if (fixed_width_ == -1 && encoding_ == Encoding::kPlain) {
    const int64_t available = (values_end_ - values_) * 8 - bit_position_;
    if (count > available) return Error("the page holds fewer values than its levels say");
    for (int64_t i = 0; i < count; ++i) {
      const int64_t bit = bit_position_ + i;
      out->booleans.push_back((values_[bit >> 3] >> (bit & 7)) & 1);
    }
    bit_position_ += count;
    values_ += bit_position_ / 8;
    bit_position_ %= 8;
    out->AddValues(count);
    return Status::OK();
  }
  if (fixed_width_ != 0) {
    const size_t width = fixed_width_ == -1 ? 1 : static_cast<size_t>(fixed_width_);
    if (static_cast<size_t>(values_end_ - values_) / std::max<size_t>(width, 1) <
        static_cast<size_t>(count)) {
      return Error("the page holds fewer values than its levels say");
    }
    SLUICE_RETURN_NOT_OK(AppendFixed(values_, count, out));
    values_ += static_cast<size_t>(count) * width;
    return Status::OK();
  }
  // PLAIN BYTE_ARRAY.
  views_.resize(static_cast<size_t>(std::min<int64_t>(count, 4096)));
  int64_t left = count;
  while (left > 0) {
    const int64_t take = std::min<int64_t>(left, 4096);
    for (int64_t i = 0; i < take; ++i) {
      if (values_end_ - values_ < 4)
        return Error("the page holds fewer values than its levels say");
      uint32_t length;
      std::memcpy(&length, values_, 4);
      values_ += 4;
      if (length > static_cast<size_t>(values_end_ - values_)) {
        return Error("a byte-array value runs past the page");
      }
      views_[static_cast<size_t>(i)] =
          std::string_view(reinterpret_cast<const char*>(values_), length);
      values_ += length;
    }
    SLUICE_RETURN_NOT_OK(AppendViews(views_.data(), take, out));
    left -= take;
  }
  return Status::OK();
}

Status ColumnChunkReader::ReadRows(int64_t rows, ValueAccumulator* out) {
  while (rows > 0) {
    if (page_position_ == page_values_) {
      bool found;
      SLUICE_RETURN_NOT_OK(NextPage(&found));
      if (!found) return Error("the column chunk has fewer values than the row group's rows");
    }
    const int64_t take = std::min(rows, page_values_ - page_position_);
    if (max_definition_ == 0) {
      SLUICE_RETURN_NOT_OK(AppendValues(take, out));
    } else {
      const int16_t* levels;
      SLUICE_RETURN_NOT_OK(TakeDefinitionLevels(take, &levels));
      int64_t present = 0;
      for (int64_t i = 0; i < take; ++i) present += levels[i] == max_definition_;
      SLUICE_RETURN_NOT_OK(AppendValues(present, out));
      out->SpreadNulls(present, levels, take, max_definition_);
    }
    page_position_ += take;
    rows -= take;
  }
  return Status::OK();
}

Status ColumnChunkReader::CheckExhausted() {
  if (page_position_ < page_values_) {
    return Error("the column chunk has more values than the row group's rows");
  }
  bool found;
  SLUICE_RETURN_NOT_OK(NextPage(&found));
  if (found) return Error("the column chunk has more values than the row group's rows");
  return Status::OK();
}

Status ColumnChunkReader::ReadAll(std::vector<int16_t>* definition,
                                  std::vector<int16_t>* repetition, ValueAccumulator* values) {
  while (true) {
    if (page_position_ == page_values_) {
      bool found;
      SLUICE_RETURN_NOT_OK(NextPage(&found));
      if (!found) return Status::OK();
    }
    const int64_t take = page_values_ - page_position_;
    int64_t present = take;
    if (max_definition_ > 0) {
      const int16_t* levels;
      SLUICE_RETURN_NOT_OK(TakeDefinitionLevels(take, &levels));
      definition->insert(definition->end(), levels, levels + take);
      present = 0;
      for (int64_t i = 0; i < take; ++i) present += levels[i] == max_definition_;
    } else {
      definition->insert(definition->end(), static_cast<size_t>(take), 0);
    }
    if (max_repetition_ > 0) {
      const int16_t* levels = repetition_levels_.data() + page_position_;
      repetition->insert(repetition->end(), levels, levels + take);
    } else {
      repetition->insert(repetition->end(), static_cast<size_t>(take), 0);
    }
    SLUICE_RETURN_NOT_OK(AppendValues(present, values));
    page_position_ = page_values_;
  }
}

}  // namespace sluice::parquet

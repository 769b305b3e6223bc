#include "sluice/formats/parquet/parquet_writer.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <thread>

#include "sluice/columnar/value_formatter.h"
#include "sluice/formats/parquet/parallel_for.h"
#include "sluice/formats/parquet/parquet_encoding.h"
#include "sluice/formats/parquet/parquet_metadata.h"

namespace sluice::parquet {
namespace {

using columnar::Column;
using columnar::DataType;
using columnar::Int128;
using columnar::TypeId;

constexpr char kMagic[4] = {'P', 'A', 'R', '1'};
constexpr int64_t kMaxPageValues = 128 * 1024;
// Values appended between checks of the page size and the dictionary limit.
constexpr int64_t kBlockValues = 4096;
// Values compared for statistics are bounded; longer ones leave min/max out.
constexpr size_t kMaxStatisticsBytes = 64;
constexpr const char* kCreatedBy = "sluice version 0.1.0";

CompressionCodec ToParquetCodec(io::Codec codec) {
  switch (codec) {
    case io::Codec::kNone:
      return CompressionCodec::kUncompressed;
    case io::Codec::kSnappy:
      return CompressionCodec::kSnappy;
    case io::Codec::kGzip:
      return CompressionCodec::kGzip;
    case io::Codec::kZstd:
      return CompressionCodec::kZstd;
    case io::Codec::kLZ4Raw:
      return CompressionCodec::kLZ4Raw;
    case io::Codec::kLZ4Hadoop:
      return CompressionCodec::kLZ4;
    case io::Codec::kBrotli:
      return CompressionCodec::kBrotli;
  }
  return CompressionCodec::kUncompressed;
}

// Bytes of a FIXED_LEN_BYTE_ARRAY that hold any unscaled value of `precision` digits.
int DecimalBytes(int precision) {
  int bytes = 1;
  while (bytes < 16) {
    // Largest magnitude a signed integer of `bytes` bytes holds: 2^(8*bytes-1) - 1.
    const columnar::UInt128 limit = (static_cast<columnar::UInt128>(1) << (8 * bytes - 1)) - 1;
    if (static_cast<columnar::UInt128>(columnar::MaxUnscaled(precision)) <= limit) break;
    ++bytes;
  }
  return bytes;
}

SchemaElement LeafElement(const columnar::Field& field) {
  SchemaElement element;
  element.name = field.name;
  element.repetition = field.nullable ? Repetition::kOptional : Repetition::kRequired;
  LogicalType logical;
  const DataType& type = field.type;
  switch (type.id()) {
    case TypeId::kBool:
      element.type = Type::kBoolean;
      break;
    case TypeId::kInt32:
      element.type = Type::kInt32;
      break;
    case TypeId::kInt64:
      element.type = Type::kInt64;
      break;
    case TypeId::kFloat64:
      element.type = Type::kDouble;
      break;
    case TypeId::kDecimal: {
      if (type.precision() <= 9) {
        element.type = Type::kInt32;
      } else if (type.precision() <= 18) {
        element.type = Type::kInt64;
      } else {
        element.type = Type::kFixedLenByteArray;
        element.type_length = DecimalBytes(type.precision());
      }
      element.converted = ConvertedType::kDecimal;
      element.precision = type.precision();
      element.scale = type.scale();
      logical.kind = LogicalType::Kind::kDecimal;
      logical.precision = type.precision();
      logical.scale = type.scale();
      element.logical = logical;
      break;
    }
    case TypeId::kString:
      element.type = Type::kByteArray;
      element.converted = ConvertedType::kUTF8;
      logical.kind = LogicalType::Kind::kString;
      element.logical = logical;
      break;
    case TypeId::kJson:
      element.type = Type::kByteArray;
      element.converted = ConvertedType::kJSON;
      logical.kind = LogicalType::Kind::kJSON;
      element.logical = logical;
      break;
    case TypeId::kBinary:
      element.type = Type::kByteArray;
      break;
    case TypeId::kDate:
      element.type = Type::kInt32;
      element.converted = ConvertedType::kDate;
      logical.kind = LogicalType::Kind::kDate;
      element.logical = logical;
      break;
    case TypeId::kTime:
      // Local time of day: no converted type (TIME_MICROS would mean UTC-adjusted).
      element.type = Type::kInt64;
      logical.kind = LogicalType::Kind::kTime;
      logical.is_adjusted_to_utc = false;
      logical.unit = TimeUnit::kMicros;
      element.logical = logical;
      break;
    case TypeId::kTimestamp:
      element.type = Type::kInt64;
      element.converted = ConvertedType::kTimestampMicros;
      logical.kind = LogicalType::Kind::kTimestamp;
      logical.is_adjusted_to_utc = true;
      logical.unit = TimeUnit::kMicros;
      element.logical = logical;
      break;
  }
  return element;
}

// ---- hashing ----------------------------------------------------------------------------------

inline uint64_t Mix(uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

inline uint64_t HashBytes(const char* data, size_t size) {
  uint64_t h = 0x9E3779B97F4A7C15ULL ^ (size * 0xA24BAED4963EE407ULL);
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t word;
    std::memcpy(&word, data + i, 8);
    h = (h ^ word) * 0x9FB21C651E98DF25ULL;
    h ^= h >> 29;
  }
  if (i < size) {
    uint64_t word = 0;
    std::memcpy(&word, data + i, size - i);
    h = (h ^ word) * 0x9FB21C651E98DF25ULL;
    h ^= h >> 29;
  }
  return Mix(h);
}

// Open-addressing table of dictionary indices; the caller compares keys.
class IndexTable {
 public:
  IndexTable() { Resize(1024); }

  // Finds the slot for `hash`: returns the index stored there, or -1 with *slot set to an empty
  // slot. `equal(index)` compares the probe key with dictionary entry `index`.
  template <typename Equal>
  int64_t Find(uint64_t hash, Equal&& equal, size_t* slot) const {
    size_t position = hash & mask_;
    const uint32_t tag = static_cast<uint32_t>(hash >> 32);
    while (true) {
      const Entry& entry = entries_[position];
      if (entry.index < 0) {
        *slot = position;
        return -1;
      }
      if (entry.tag == tag && equal(entry.index)) return entry.index;
      position = (position + 1) & mask_;
    }
  }
  void Insert(size_t slot, uint64_t hash, int32_t index) {
    entries_[slot] = Entry{static_cast<uint32_t>(hash >> 32), index};
    if (++count_ * 2 > entries_.size()) Grow();
  }
  void Clear() {
    count_ = 0;
    Resize(1024);
  }
  // Called by Grow() to re-hash: the table asks for each entry's hash.
  std::vector<uint64_t> hashes;

 private:
  struct Entry {
    uint32_t tag = 0;
    int32_t index = -1;
  };
  void Resize(size_t size) {
    entries_.assign(size, Entry{});
    mask_ = size - 1;
  }
  void Grow() {
    Resize(entries_.size() * 2);
    for (size_t index = 0; index < hashes.size(); ++index) {
      const uint64_t hash = hashes[index];
      size_t position = hash & mask_;
      while (entries_[position].index >= 0) position = (position + 1) & mask_;
      entries_[position] = Entry{static_cast<uint32_t>(hash >> 32), static_cast<int32_t>(index)};
    }
  }
  std::vector<Entry> entries_;
  size_t mask_ = 0;
  size_t count_ = 0;
};

// ---- column encoders --------------------------------------------------------------------------

// An encoded column chunk of one row group: pages ready to be written.
struct EncodedChunk {
  // Page headers and bodies in file order, as separate buffers (no copying into one).
  std::vector<std::string> dictionary_page;  // empty when there is no dictionary
  std::vector<std::string> data_pages;
  int64_t num_values = 0;
  int64_t uncompressed_bytes = 0;  // headers + uncompressed bodies
  int64_t compressed_bytes = 0;
  int64_t null_count = 0;
  bool used_dictionary = false;
  bool used_plain = false;
  int32_t dictionary_pages = 0;
  int32_t dictionary_data_pages = 0;
  int32_t plain_data_pages = 0;
  std::optional<std::string> min_value;
  std::optional<std::string> max_value;
};

class ColumnEncoder {
 public:
  ColumnEncoder(const columnar::Field& field, const ParquetWriteOptions& options)
      : field_(field), options_(options), max_definition_(field.nullable ? 1 : 0) {}
  virtual ~ColumnEncoder() = default;

  // Encodes rows [begin, end) of `column`.
  virtual Status Append(const Column& column, int64_t begin, int64_t end) = 0;
  // Closes the open page and hands over the row group's chunk.
  virtual Result<EncodedChunk> FinishChunk() = 0;
  // Encoded bytes so far in this chunk, including the open page (estimated).
  virtual int64_t EstimatedBytes() const = 0;

  const columnar::Field& field() const { return field_; }

 protected:
  // Compresses `body` (def levels + values) and appends a data page v1 to the chunk.
  Status EmitDataPage(const std::string& body, int64_t num_values, Encoding encoding) {
    PageHeader header;
    header.type = PageType::kDataPage;
    DataPageHeader data;
    data.num_values = static_cast<int32_t>(num_values);
    data.encoding = encoding;
    data.definition_level_encoding = Encoding::kRLE;
    data.repetition_level_encoding = Encoding::kRLE;
    header.data_page_header = data;
    SLUICE_RETURN_NOT_OK(EmitPage(&header, body, &chunk_.data_pages));
    chunk_.num_values += num_values;
    if (encoding == Encoding::kPlain) {
      chunk_.used_plain = true;
      ++chunk_.plain_data_pages;
    } else {
      chunk_.used_dictionary = true;
      ++chunk_.dictionary_data_pages;
    }
    return Status::OK();
  }

  // Compresses the PLAIN-encoded dictionary and sets it as the chunk's dictionary page.
  Status EmitDictionaryPage(const std::string& body, int64_t num_values) {
    PageHeader header;
    header.type = PageType::kDictionaryPage;
    DictionaryPageHeader dictionary;
    dictionary.num_values = static_cast<int32_t>(num_values);
    dictionary.encoding = Encoding::kPlain;
    header.dictionary_page_header = dictionary;
    SLUICE_RETURN_NOT_OK(EmitPage(&header, body, &chunk_.dictionary_page));
    chunk_.dictionary_pages = 1;
    return Status::OK();
  }

  // Compresses `body`, completes `header` with the sizes and appends header and payload (as two
  // buffers) to `pages`.
  Status EmitPage(PageHeader* header, const std::string& body, std::vector<std::string>* pages) {
    header->uncompressed_page_size = static_cast<int32_t>(body.size());
    compressed_.clear();
    const std::string* payload = &body;
    if (options_.codec != io::Codec::kNone) {
      SLUICE_RETURN_NOT_OK(io::Compress(options_.codec, options_.compression_level,
                                        reinterpret_cast<const uint8_t*>(body.data()), body.size(),
                                        &compressed_));
      payload = &compressed_;
    }
    header->compressed_page_size = static_cast<int32_t>(payload->size());
    std::string encoded_header;
    EncodePageHeader(*header, &encoded_header);
    const int64_t header_bytes = static_cast<int64_t>(encoded_header.size());
    chunk_.uncompressed_bytes += header_bytes + static_cast<int64_t>(body.size());
    chunk_.compressed_bytes += header_bytes + static_cast<int64_t>(payload->size());
    pages->push_back(std::move(encoded_header));
    pages->push_back(payload == &compressed_ ? std::move(compressed_) : body);
    return Status::OK();
  }

  // Definition levels of the open page, one byte per value (1 = present).
  void AppendDefinitionLevels(const Column& column, int64_t begin, int64_t end) {
    if (max_definition_ == 0) return;
    const size_t old = definition_levels_.size();
    definition_levels_.resize(old + static_cast<size_t>(end - begin), 1);
    if (column.null_count() == 0) return;
    for (int64_t row = begin; row < end; ++row) {
      if (column.IsNull(row)) {
        definition_levels_[old + static_cast<size_t>(row - begin)] = 0;
        ++page_nulls_;
      }
    }
  }

  // Writes the open page's definition levels (length-prefixed RLE) to `body`.
  void EncodeDefinitionLevels(std::string* body) {
    if (max_definition_ == 0) return;
    RLEBitPackedEncoder encoder(1);
    if (page_nulls_ == 0) {
      encoder.PutRepeated(1, static_cast<int64_t>(definition_levels_.size()));
    } else {
      for (uint8_t level : definition_levels_) encoder.Put(level);
    }
    levels_.clear();
    encoder.Finish(&levels_);
    const uint32_t length = static_cast<uint32_t>(levels_.size());
    body->append(reinterpret_cast<const char*>(&length), 4);
    body->append(levels_);
    chunk_.null_count += page_nulls_;
    definition_levels_.clear();
    page_nulls_ = 0;
  }

  EncodedChunk TakeChunk() {
    EncodedChunk chunk = std::move(chunk_);
    chunk_ = EncodedChunk{};
    return chunk;
  }

  const columnar::Field& field_;
  const ParquetWriteOptions& options_;
  const int max_definition_;
  EncodedChunk chunk_;
  std::vector<uint8_t> definition_levels_;
  int64_t page_nulls_ = 0;
  std::string levels_;
  std::string compressed_;
};

// The encoders that try a dictionary: pages of indices into a PLAIN-encoded dictionary while it
// pays, PLAIN pages otherwise. A mostly-distinct first page turns the whole chunk PLAIN (no
// dictionary page at all); a dictionary that outgrows its limit leaves the rest of the chunk PLAIN.
class DictionaryEncoder : public ColumnEncoder {
 public:
  using ColumnEncoder::ColumnEncoder;

  int64_t EstimatedBytes() const override {
    return chunk_.uncompressed_bytes + PageBytes() +
           (use_dictionary_ ? static_cast<int64_t>(dictionary_plain_.size()) : 0);
  }

 protected:
  // Where dictionary entry `index` lies in dictionary_plain_ (its PLAIN encoding).
  virtual std::pair<size_t, size_t> EntryBounds(uint32_t index) const = 0;

  // Adds a new entry (its PLAIN bytes, any length prefix included) at the empty `slot`.
  uint32_t AddEntry(uint64_t hash, size_t slot, std::string_view plain) {
    const int32_t index = static_cast<int32_t>(dictionary_count_++);
    dictionary_plain_.append(plain);
    table_.hashes.push_back(hash);
    table_.Insert(slot, hash, index);
    return static_cast<uint32_t>(index);
  }

  // Counts `rows` more rows in the open page and closes it when it is full.
  Status EndBlock(int64_t rows) {
    page_values_ += rows;
    const bool dictionary_full = use_dictionary_ && static_cast<int64_t>(dictionary_plain_.size()) >
                                                        options_.dictionary_bytes;
    if (page_values_ >= kMaxPageValues || PageBytes() >= options_.page_bytes || dictionary_full) {
      return FinishPage();
    }
    return Status::OK();
  }

  // Closes the open page and writes the dictionary page; the next chunk starts afresh.
  Status FinishChunkPages() {
    SLUICE_RETURN_NOT_OK(FinishPage());
    if (dictionary_count_ > 0) {
      SLUICE_RETURN_NOT_OK(EmitDictionaryPage(dictionary_plain_, dictionary_count_));
    }
    DropDictionary();
    use_dictionary_ = options_.enable_dictionary;
    return Status::OK();
  }

  virtual void OnDictionaryDropped() {}

  bool use_dictionary_ = options_.enable_dictionary;
  int64_t page_values_ = 0;
  std::vector<uint32_t> indices_;  // of the open page's non-null values, while dictionary-encoded
  std::string plain_;              // the open page's PLAIN values otherwise
  std::string dictionary_plain_;   // the dictionary's entries, PLAIN-encoded
  int64_t dictionary_count_ = 0;
  IndexTable table_;

 private:
  int64_t PageBytes() const {
    const int64_t values =
        use_dictionary_ ? static_cast<int64_t>(indices_.size()) *
                              std::max(1, BitWidth(static_cast<uint64_t>(dictionary_count_))) / 8
                        : static_cast<int64_t>(plain_.size());
    return values + static_cast<int64_t>(definition_levels_.size()) / 8;
  }

  void DropDictionary() {
    dictionary_plain_.clear();
    dictionary_count_ = 0;
    table_.Clear();
    table_.hashes.clear();
    OnDictionaryDropped();
  }

  Status FinishPage() {
    if (page_values_ == 0) return Status::OK();
    const bool first_page = chunk_.dictionary_data_pages == 0 && chunk_.plain_data_pages == 0;
    const int64_t values = static_cast<int64_t>(indices_.size());
    if (use_dictionary_ && first_page && values >= 4096 && dictionary_count_ * 2 > values) {
      // Mostly distinct: a dictionary would only add an index to every value.
      for (uint32_t index : indices_) {
        const auto [begin, end] = EntryBounds(index);
        plain_.append(dictionary_plain_, begin, end - begin);
      }
      indices_.clear();
      DropDictionary();
      use_dictionary_ = false;
    }
    body_.clear();
    EncodeDefinitionLevels(&body_);
    Encoding encoding = Encoding::kPlain;
    if (use_dictionary_ && dictionary_count_ > 0) {
      const int bit_width = BitWidth(static_cast<uint64_t>(dictionary_count_ - 1));
      body_.push_back(static_cast<char>(bit_width));
      RLEBitPackedEncoder encoder(bit_width);
      for (uint32_t index : indices_) encoder.Put(index);
      encoder.Finish(&body_);
      indices_.clear();
      encoding = Encoding::kRLEDictionary;
      if (static_cast<int64_t>(dictionary_plain_.size()) > options_.dictionary_bytes) {
        use_dictionary_ = false;  // later pages of this chunk are PLAIN
      }
    } else {
      body_.append(plain_);
      plain_.clear();
    }
    SLUICE_RETURN_NOT_OK(EmitDataPage(body_, page_values_, encoding));
    page_values_ = 0;
    return Status::OK();
  }

  std::string body_;
};

// Physical value traits: how a sluice column's value becomes a Parquet value.
struct Int32Traits {
  using Value = int32_t;
  static Value Get(const Column& column, int64_t row) {
    return static_cast<const columnar::Int32Column&>(column).Value(row);
  }
};
struct Int64Traits {
  using Value = int64_t;
  static Value Get(const Column& column, int64_t row) {
    return static_cast<const columnar::Int64Column&>(column).Value(row);
  }
};
struct DoubleTraits {
  using Value = double;
  static Value Get(const Column& column, int64_t row) {
    return static_cast<const columnar::Float64Column&>(column).Value(row);
  }
};
struct Decimal32Traits {
  using Value = int32_t;
  static Value Get(const Column& column, int64_t row) {
    return static_cast<int32_t>(static_cast<const columnar::DecimalColumn&>(column).Value(row));
  }
};
struct Decimal64Traits {
  using Value = int64_t;
  static Value Get(const Column& column, int64_t row) {
    return static_cast<int64_t>(static_cast<const columnar::DecimalColumn&>(column).Value(row));
  }
};

template <typename V>
bool LessForStatistics(V a, V b) {
  return a < b;
}

// Fixed-width values (INT32, INT64, DOUBLE and decimals on them): dictionary or PLAIN.
template <typename Traits>
class FixedWidthEncoder final : public DictionaryEncoder {
 public:
  using Value = typename Traits::Value;
  using DictionaryEncoder::DictionaryEncoder;

  Status Append(const Column& column, int64_t begin, int64_t end) override {
    while (begin < end) {
      const int64_t take = std::min({end - begin, kMaxPageValues - page_values_, kBlockValues});
      AppendDefinitionLevels(column, begin, begin + take);
      const bool has_nulls = column.null_count() != 0;
      for (int64_t row = begin; row < begin + take; ++row) {
        if (has_nulls && column.IsNull(row)) continue;
        const Value value = Traits::Get(column, row);
        if (use_dictionary_) {
          indices_.push_back(Lookup(value));
        } else {
          UpdateStatistics(value);
          plain_.append(reinterpret_cast<const char*>(&value), sizeof(Value));
        }
      }
      begin += take;
      SLUICE_RETURN_NOT_OK(EndBlock(take));
    }
    return Status::OK();
  }

  Result<EncodedChunk> FinishChunk() override {
    SLUICE_RETURN_NOT_OK(FinishChunkPages());
    if (has_statistics_) {
      chunk_.min_value = std::string(reinterpret_cast<const char*>(&min_), sizeof(Value));
      chunk_.max_value = std::string(reinterpret_cast<const char*>(&max_), sizeof(Value));
    }
    has_statistics_ = false;
    return TakeChunk();
  }

 private:
  std::pair<size_t, size_t> EntryBounds(uint32_t index) const override {
    return {index * sizeof(Value), (index + 1) * sizeof(Value)};
  }

  uint32_t Lookup(Value value) {
    uint64_t bits = 0;
    std::memcpy(&bits, &value, sizeof(Value));
    const uint64_t hash = Mix(bits);
    size_t slot = 0;
    const int64_t found = table_.Find(
        hash,
        [&](int32_t index) {
          return std::memcmp(dictionary_plain_.data() + static_cast<size_t>(index) * sizeof(Value),
                             &value, sizeof(Value)) == 0;
        },
        &slot);
    if (found >= 0) return static_cast<uint32_t>(found);
    UpdateStatistics(value);
    return AddEntry(hash, slot,
                    std::string_view(reinterpret_cast<const char*>(&value), sizeof(Value)));
  }

  void UpdateStatistics(Value value) {
    if constexpr (std::is_floating_point_v<Value>) {
      if (std::isnan(value)) return;
    }
    if (!has_statistics_) {
      min_ = max_ = value;
      has_statistics_ = true;
    } else {
      if (value < min_) min_ = value;
      if (max_ < value) max_ = value;
    }
    if constexpr (std::is_floating_point_v<Value>) {
      // The spec: a zero minimum is written as -0.0, a zero maximum as +0.0.
      if (min_ == 0) min_ = -0.0;
      if (max_ == 0) max_ = 0.0;
    }
  }

  bool has_statistics_ = false;
  Value min_{};
  Value max_{};
};

// BOOLEAN: PLAIN bit-packed values.
class BooleanEncoder final : public ColumnEncoder {
 public:
  using ColumnEncoder::ColumnEncoder;

  Status Append(const Column& column, int64_t begin, int64_t end) override {
    const auto& booleans = static_cast<const columnar::BooleanColumn&>(column);
    while (begin < end) {
      const int64_t take = std::min({end - begin, kMaxPageValues - page_values_, kBlockValues});
      AppendDefinitionLevels(column, begin, begin + take);
      for (int64_t row = begin; row < begin + take; ++row) {
        if (column.IsNull(row)) continue;
        const bool value = booleans.Value(row);
        if ((bit_count_ & 7) == 0) bits_.push_back(0);
        if (value) bits_.back() = static_cast<char>(bits_.back() | (1 << (bit_count_ & 7)));
        ++bit_count_;
        seen_true_ |= value;
        seen_false_ |= !value;
      }
      page_values_ += take;
      begin += take;
      if (page_values_ >= kMaxPageValues) SLUICE_RETURN_NOT_OK(FinishPage());
    }
    return Status::OK();
  }

  int64_t EstimatedBytes() const override {
    return chunk_.uncompressed_bytes + static_cast<int64_t>(bits_.size());
  }

  Result<EncodedChunk> FinishChunk() override {
    SLUICE_RETURN_NOT_OK(FinishPage());
    if (seen_true_ || seen_false_) {
      chunk_.min_value = std::string(1, seen_false_ ? '\0' : '\1');
      chunk_.max_value = std::string(1, seen_true_ ? '\1' : '\0');
    }
    seen_true_ = seen_false_ = false;
    return TakeChunk();
  }

 private:
  Status FinishPage() {
    if (page_values_ == 0) return Status::OK();
    body_.clear();
    EncodeDefinitionLevels(&body_);
    body_.append(bits_);
    bits_.clear();
    bit_count_ = 0;
    SLUICE_RETURN_NOT_OK(EmitDataPage(body_, page_values_, Encoding::kPlain));
    page_values_ = 0;
    return Status::OK();
  }

  int64_t page_values_ = 0;
  std::string bits_;
  int64_t bit_count_ = 0;
  std::string body_;
  bool seen_true_ = false;
  bool seen_false_ = false;
};

// Byte strings: BYTE_ARRAY (string, json, binary) and FIXED_LEN_BYTE_ARRAY decimals.
class BytesEncoder final : public DictionaryEncoder {
 public:
  // fixed_width > 0: FIXED_LEN_BYTE_ARRAY of that width holding big-endian decimals.
  BytesEncoder(const columnar::Field& field, const ParquetWriteOptions& options, int fixed_width)
      : DictionaryEncoder(field, options), fixed_width_(fixed_width) {}

  Status Append(const Column& column, int64_t begin, int64_t end) override {
    while (begin < end) {
      const int64_t take = std::min({end - begin, kMaxPageValues - page_values_, kBlockValues});
      AppendDefinitionLevels(column, begin, begin + take);
      const bool has_nulls = column.null_count() != 0;
      for (int64_t row = begin; row < begin + take; ++row) {
        if (has_nulls && column.IsNull(row)) continue;
        char scratch[16];
        const std::string_view value = ValueAt(column, row, scratch);
        if (use_dictionary_) {
          indices_.push_back(Lookup(value));
        } else {
          UpdateStatistics(value);
          AppendPlain(value, &plain_);
        }
      }
      begin += take;
      SLUICE_RETURN_NOT_OK(EndBlock(take));
    }
    return Status::OK();
  }

  Result<EncodedChunk> FinishChunk() override {
    SLUICE_RETURN_NOT_OK(FinishChunkPages());
    if (has_statistics_ && statistics_usable_) {
      chunk_.min_value = min_;
      chunk_.max_value = max_;
    }
    has_statistics_ = false;
    statistics_usable_ = true;
    min_.clear();
    max_.clear();
    return TakeChunk();
  }

 private:
  std::string_view ValueAt(const Column& column, int64_t row, char* scratch) const {
    if (fixed_width_ == 0) return static_cast<const columnar::StringColumn&>(column).Value(row);
    // Big-endian two's complement, `fixed_width_` bytes.
    Int128 value = static_cast<const columnar::DecimalColumn&>(column).Value(row);
    for (int i = fixed_width_ - 1; i >= 0; --i) {
      scratch[i] = static_cast<char>(static_cast<uint8_t>(value & 0xff));
      value >>= 8;
    }
    return std::string_view(scratch, static_cast<size_t>(fixed_width_));
  }

  // PLAIN: a 4-byte length before each BYTE_ARRAY value, nothing before fixed-width ones.
  void AppendPlain(std::string_view value, std::string* out) const {
    if (fixed_width_ == 0) {
      const uint32_t length = static_cast<uint32_t>(value.size());
      out->append(reinterpret_cast<const char*>(&length), 4);
    }
    out->append(value);
  }

  std::pair<size_t, size_t> EntryBounds(uint32_t index) const override {
    const size_t begin = starts_[index];
    const size_t end = index + 1 < starts_.size() ? starts_[index + 1] : dictionary_plain_.size();
    return {begin, end};
  }

  std::string_view DictionaryValue(int32_t index) const {
    const auto [begin, end] = EntryBounds(static_cast<uint32_t>(index));
    const size_t prefix = fixed_width_ == 0 ? 4 : 0;
    return std::string_view(dictionary_plain_.data() + begin + prefix, end - begin - prefix);
  }

  void OnDictionaryDropped() override { starts_.clear(); }

  uint32_t Lookup(std::string_view value) {
    const uint64_t hash = HashBytes(value.data(), value.size());
    size_t slot = 0;
    const int64_t found = table_.Find(
        hash, [&](int32_t index) { return DictionaryValue(index) == value; }, &slot);
    if (found >= 0) return static_cast<uint32_t>(found);
    UpdateStatistics(value);
    starts_.push_back(dictionary_plain_.size());
    entry_.clear();
    AppendPlain(value, &entry_);
    return AddEntry(hash, slot, entry_);
  }

  // Unsigned byte order for byte arrays; signed (two's complement) order for decimals.
  bool Less(std::string_view a, std::string_view b) const {
    if (fixed_width_ > 0) {
      const bool a_negative = static_cast<uint8_t>(a[0]) & 0x80;
      const bool b_negative = static_cast<uint8_t>(b[0]) & 0x80;
      if (a_negative != b_negative) return a_negative;
    }
    const int compare = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
    return compare < 0 || (compare == 0 && a.size() < b.size());
  }

  void UpdateStatistics(std::string_view value) {
    if (!statistics_usable_) return;
    if (value.size() > kMaxStatisticsBytes) {
      statistics_usable_ = false;
      return;
    }
    if (!has_statistics_) {
      min_.assign(value);
      max_.assign(value);
      has_statistics_ = true;
      return;
    }
    if (Less(value, min_)) min_.assign(value);
    if (Less(max_, value)) max_.assign(value);
  }

  const int fixed_width_;
  std::vector<size_t> starts_;  // of each dictionary entry in dictionary_plain_
  std::string entry_;
  bool has_statistics_ = false;
  bool statistics_usable_ = true;
  std::string min_;
  std::string max_;
};

std::unique_ptr<ColumnEncoder> MakeEncoder(const columnar::Field& field,
                                           const SchemaElement& element,
                                           const ParquetWriteOptions& options) {
  switch (field.type.id()) {
    case TypeId::kBool:
      return std::make_unique<BooleanEncoder>(field, options);
    case TypeId::kInt32:
    case TypeId::kDate:
      return std::make_unique<FixedWidthEncoder<Int32Traits>>(field, options);
    case TypeId::kInt64:
    case TypeId::kTime:
    case TypeId::kTimestamp:
      return std::make_unique<FixedWidthEncoder<Int64Traits>>(field, options);
    case TypeId::kFloat64:
      return std::make_unique<FixedWidthEncoder<DoubleTraits>>(field, options);
    case TypeId::kDecimal:
      if (element.type == Type::kInt32) {
        return std::make_unique<FixedWidthEncoder<Decimal32Traits>>(field, options);
      }
      if (element.type == Type::kInt64) {
        return std::make_unique<FixedWidthEncoder<Decimal64Traits>>(field, options);
      }
      return std::make_unique<BytesEncoder>(field, options, *element.type_length);
    case TypeId::kString:
    case TypeId::kBinary:
    case TypeId::kJson:
      return std::make_unique<BytesEncoder>(field, options, 0);
  }
  return nullptr;
}

}  // namespace

class ParquetWriter::Impl {
 public:
  Impl(std::unique_ptr<io::OutputStream> out, columnar::SchemaPtr schema,
       ParquetWriteOptions options)
      : out_(std::move(out)), schema_(std::move(schema)), options_(std::move(options)) {}

  Status Start() {
    SchemaElement root;
    root.name = "schema";
    root.num_children = static_cast<int32_t>(schema_->num_fields());
    elements_.push_back(root);
    for (const columnar::Field& field : schema_->fields()) {
      elements_.push_back(LeafElement(field));
    }
    for (size_t i = 0; i < schema_->num_fields(); ++i) {
      encoders_.push_back(MakeEncoder(schema_->field(i), elements_[i + 1], options_));
    }
    return out_->Write(kMagic, 4);
  }

  Status Write(const columnar::Batch& batch) {
    if (closed_) return Status::Internal("ParquetWriter: write after close");
    if (batch.num_columns() != encoders_.size()) {
      return Status::SchemaMismatch(out_->path() + ": batch has " +
                                    std::to_string(batch.num_columns()) + " columns, the file " +
                                    std::to_string(encoders_.size()));
    }
    for (size_t i = 0; i < encoders_.size(); ++i) {
      if (!(batch.column(i).type() == schema_->field(i).type)) {
        return Status::SchemaMismatch(out_->path() + ": column '" + schema_->field(i).name +
                                      "' is " + schema_->field(i).type.ToString() +
                                      " in the file but " + batch.column(i).type().ToString() +
                                      " in the batch");
      }
      if (!schema_->field(i).nullable && batch.column(i).null_count() > 0) {
        return Status::SchemaMismatch(out_->path() + ": column '" + schema_->field(i).name +
                                      "' is not nullable but the batch has nulls");
      }
    }
    const int64_t rows = batch.num_rows();
    std::vector<Status> statuses(encoders_.size());
    ParallelFor(options_.threads, encoders_.size(),
                [&](size_t i) { statuses[i] = encoders_[i]->Append(batch.column(i), 0, rows); });
    for (Status& status : statuses) SLUICE_RETURN_NOT_OK(status);
    group_rows_ += rows;
    rows_ += rows;
    int64_t bytes = 0;
    for (const auto& encoder : encoders_) bytes += encoder->EstimatedBytes();
    if (bytes >= options_.row_group_bytes) SLUICE_RETURN_NOT_OK(FlushRowGroup());
    return Status::OK();
  }

  Status FlushRowGroup() {
    if (group_rows_ == 0) return Status::OK();
    std::vector<Result<EncodedChunk>> chunks(encoders_.size(), Status::Internal("not encoded"));
    ParallelFor(options_.threads, encoders_.size(),
                [&](size_t i) { chunks[i] = encoders_[i]->FinishChunk(); });
    RowGroup group;
    group.num_rows = group_rows_;
    group.file_offset = out_->position();
    group.ordinal = static_cast<int16_t>(std::min<size_t>(row_groups_.size(), INT16_MAX));
    int64_t total_compressed = 0;
    for (size_t i = 0; i < encoders_.size(); ++i) {
      SLUICE_RETURN_NOT_OK(chunks[i].status());
      EncodedChunk& chunk = *chunks[i];
      const SchemaElement& element = elements_[i + 1];
      ColumnMetaData meta;
      meta.type = *element.type;
      meta.path_in_schema = {element.name};
      meta.codec = ToParquetCodec(options_.codec);
      meta.num_values = chunk.num_values;
      meta.total_uncompressed_size = chunk.uncompressed_bytes;
      meta.total_compressed_size = chunk.compressed_bytes;
      const int64_t start = out_->position();
      if (!chunk.dictionary_page.empty()) {
        meta.dictionary_page_offset = start;
        for (const std::string& part : chunk.dictionary_page)
          SLUICE_RETURN_NOT_OK(out_->Write(part));
      }
      meta.data_page_offset = out_->position();
      for (const std::string& part : chunk.data_pages) SLUICE_RETURN_NOT_OK(out_->Write(part));
      // Encodings: levels are RLE; values PLAIN and/or RLE_DICTIONARY (with a PLAIN dictionary).
      meta.encodings.push_back(Encoding::kRLE);
      if (chunk.used_plain || chunk.dictionary_pages > 0)
        meta.encodings.push_back(Encoding::kPlain);
      if (chunk.used_dictionary) meta.encodings.push_back(Encoding::kRLEDictionary);
      if (chunk.dictionary_pages > 0) {
        meta.encoding_stats.push_back({PageType::kDictionaryPage, Encoding::kPlain, 1});
      }
      if (chunk.dictionary_data_pages > 0) {
        meta.encoding_stats.push_back(
            {PageType::kDataPage, Encoding::kRLEDictionary, chunk.dictionary_data_pages});
      }
      if (chunk.plain_data_pages > 0) {
        meta.encoding_stats.push_back(
            {PageType::kDataPage, Encoding::kPlain, chunk.plain_data_pages});
      }
      Statistics statistics;
      statistics.null_count = chunk.null_count;
      if (chunk.min_value && chunk.max_value) {
        statistics.min_value = std::move(chunk.min_value);
        statistics.max_value = std::move(chunk.max_value);
        statistics.is_min_value_exact = true;
        statistics.is_max_value_exact = true;
      }
      meta.statistics = std::move(statistics);
      ColumnChunk column;
      column.file_offset = start;
      column.meta_data = std::move(meta);
      group.total_byte_size += chunk.uncompressed_bytes;
      total_compressed += chunk.compressed_bytes;
      group.columns.push_back(std::move(column));
    }
    group.total_compressed_size = total_compressed;
    row_groups_.push_back(std::move(group));
    group_rows_ = 0;
    return Status::OK();
  }

  Result<ParquetWriteSummary> Close() {
    if (closed_) return Status::Internal("ParquetWriter: closed twice");
    closed_ = true;
    SLUICE_RETURN_NOT_OK(FlushRowGroup());
    FileMetaData metadata;
    metadata.version = 1;
    metadata.schema = elements_;
    metadata.num_rows = rows_;
    metadata.row_groups = std::move(row_groups_);
    metadata.created_by = kCreatedBy;
    metadata.column_orders_count = static_cast<int32_t>(schema_->num_fields());
    metadata.key_value_metadata.push_back(KeyValue{"sluice.schema", SchemaJson()});
    for (const auto& [key, value] : options_.metadata) {
      metadata.key_value_metadata.push_back(KeyValue{key, value});
    }
    std::string footer;
    EncodeFileMetaData(metadata, &footer);
    const uint32_t length = static_cast<uint32_t>(footer.size());
    footer.append(reinterpret_cast<const char*>(&length), 4);
    footer.append(kMagic, 4);
    SLUICE_RETURN_NOT_OK(out_->Write(footer));
    ParquetWriteSummary summary;
    summary.rows = rows_;
    summary.row_groups = static_cast<int64_t>(metadata.row_groups.size());
    summary.file_bytes = out_->position();
    SLUICE_RETURN_NOT_OK(out_->Close());
    return summary;
  }

  // [{"name":"id","type":"int64","nullable":false}, ...]
  std::string SchemaJson() const {
    std::string json = "[";
    for (size_t i = 0; i < schema_->num_fields(); ++i) {
      const columnar::Field& field = schema_->field(i);
      if (i > 0) json += ",";
      json += "{\"name\":";
      columnar::AppendJsonString(field.name, &json);
      json += ",\"type\":\"" + field.type.ToString() + "\",\"nullable\":";
      json += field.nullable ? "true}" : "false}";
    }
    json += "]";
    return json;
  }

  std::unique_ptr<io::OutputStream> out_;
  columnar::SchemaPtr schema_;
  ParquetWriteOptions options_;
  std::vector<SchemaElement> elements_;
  std::vector<std::unique_ptr<ColumnEncoder>> encoders_;
  std::vector<RowGroup> row_groups_;
  int64_t group_rows_ = 0;
  int64_t rows_ = 0;
  bool closed_ = false;
};

Result<std::unique_ptr<ParquetWriter>> ParquetWriter::Open(std::unique_ptr<io::OutputStream> out,
                                                           columnar::SchemaPtr schema,
                                                           ParquetWriteOptions options) {
  if (!schema || schema->num_fields() == 0) {
    return Status::InvalidArgument(out->path() + ": a Parquet file needs at least one column");
  }
  if (options.row_group_bytes <= 0 || options.page_bytes <= 0) {
    return Status::InvalidArgument("row group and page sizes must be positive");
  }
  if (options.threads < 1) options.threads = 1;
  auto impl = std::make_unique<Impl>(std::move(out), std::move(schema), std::move(options));
  SLUICE_RETURN_NOT_OK(impl->Start());
  return std::unique_ptr<ParquetWriter>(new ParquetWriter(std::move(impl)));
}

ParquetWriter::ParquetWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ParquetWriter::~ParquetWriter() = default;

Status ParquetWriter::Write(const columnar::Batch& batch) { return impl_->Write(batch); }
Result<ParquetWriteSummary> ParquetWriter::Close() { return impl_->Close(); }
const columnar::SchemaPtr& ParquetWriter::schema() const { return impl_->schema_; }
int64_t ParquetWriter::rows_written() const { return impl_->rows_; }

}  // namespace sluice::parquet

#include "sluice/formats/parquet/parquet_writer.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "sluice/columnar/value_formatter.h"
#include "sluice/common/thread_pool.h"
#include "sluice/formats/parquet/nested_schema_builder.h"
#include "sluice/formats/parquet/parquet_encoding.h"
#include "sluice/formats/parquet/parquet_metadata.h"
#include "sluice/formats/parquet/parquet_schema.h"

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

SchemaElement LeafElement(const columnar::Field& field) {
  return LeafSchemaElement(field.name, field.type,
                           field.nullable ? Repetition::kOptional : Repetition::kRequired);
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
  // A leaf whose values are present at `max_definition` and repeat up to `max_repetition` (both
  // at most kMaxWrittenLevel).
  ColumnEncoder(const ParquetWriteOptions& options, int max_definition, int max_repetition)
      : options_(options),
        max_definition_(max_definition),
        max_repetition_(max_repetition),
        definition_bit_width_(BitWidth(static_cast<uint64_t>(max_definition))),
        repetition_bit_width_(BitWidth(static_cast<uint64_t>(max_repetition))) {}
  virtual ~ColumnEncoder() = default;

  // Encodes rows [begin, end) of `column` (a flat leaf: levels 0/1 from the column's nulls).
  virtual Status Append(const Column& column, int64_t begin, int64_t end) = 0;
  // Closes the open page and hands over the row group's chunk.
  virtual Result<EncodedChunk> FinishChunk() = 0;
  // Encoded bytes so far in this chunk, including the open page (estimated).
  virtual int64_t EstimatedBytes() const = 0;

  // Encodes every slot of `data`, whose levels and values the writer has checked. Pages hold
  // whole records: a page only closes where a slot with repetition level 0 follows.
  Status AppendShredded(const ShreddedColumn& data) {
    const int64_t slots = data.slots();
    const int16_t* repetition =
        data.repetition_levels.empty() ? nullptr : data.repetition_levels.data();
    int64_t slot = 0;
    int64_t value = 0;
    while (slot < slots) {
      const int64_t room = std::max<int64_t>(1, kMaxPageValues - page_values_);
      int64_t end = std::min(slots, slot + std::min(room, kBlockValues));
      if (repetition != nullptr) {
        while (end < slots && repetition[end] != 0) ++end;
      }
      const int64_t present = AppendLevels(data, slot, end);
      SLUICE_RETURN_NOT_OK(AppendValues(*data.values, value, value + present));
      value += present;
      SLUICE_RETURN_NOT_OK(EndSlots(end - slot));
      slot = end;
    }
    return Status::OK();
  }

 protected:
  // Encodes values [begin, end) of `values`, which has no nulls (the open page's levels for
  // them are already recorded).
  virtual Status AppendValues(const Column& values, int64_t begin, int64_t end) = 0;
  // Counts `slots` more level slots in the open page; may close the page.
  virtual Status EndSlots(int64_t slots) = 0;

  // Compresses `body` (levels + values) and appends a data page v1 to the chunk.
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

  // Writes the open page's levels to `body`: repetition levels (when the leaf repeats), then
  // definition levels (when it is not required), each RLE with a 4-byte length prefix.
  void EncodeLevels(std::string* body) {
    if (max_repetition_ > 0) {
      RLEBitPackedEncoder encoder(repetition_bit_width_);
      for (uint8_t level : repetition_levels_) encoder.Put(level);
      AppendLengthPrefixed(&encoder, body);
      repetition_levels_.clear();
    }
    if (max_definition_ == 0) return;
    RLEBitPackedEncoder encoder(definition_bit_width_);
    if (page_nulls_ == 0) {
      encoder.PutRepeated(static_cast<uint32_t>(max_definition_),
                          static_cast<int64_t>(definition_levels_.size()));
    } else {
      for (uint8_t level : definition_levels_) encoder.Put(level);
    }
    AppendLengthPrefixed(&encoder, body);
    chunk_.null_count += page_nulls_;
    definition_levels_.clear();
    page_nulls_ = 0;
  }

  EncodedChunk TakeChunk() {
    EncodedChunk chunk = std::move(chunk_);
    chunk_ = EncodedChunk{};
    return chunk;
  }

  const ParquetWriteOptions& options_;
  const int max_definition_;
  const int max_repetition_;
  const int definition_bit_width_;
  const int repetition_bit_width_;
  EncodedChunk chunk_;
  // Level slots in the open page.
  int64_t page_values_ = 0;
  std::vector<uint8_t> definition_levels_;
  std::vector<uint8_t> repetition_levels_;
  // Slots of the open page without a value (definition level below the maximum).
  int64_t page_nulls_ = 0;
  std::string levels_;
  std::string compressed_;

 private:
  // Records the levels of slots [begin, end) in the open page; returns how many hold a value.
  int64_t AppendLevels(const ShreddedColumn& data, int64_t begin, int64_t end) {
    const size_t count = static_cast<size_t>(end - begin);
    int64_t present = end - begin;
    if (max_definition_ > 0) {
      const int16_t* levels = data.definition_levels.data() + begin;
      const size_t old = definition_levels_.size();
      definition_levels_.resize(old + count);
      present = 0;
      for (size_t i = 0; i < count; ++i) {
        definition_levels_[old + i] = static_cast<uint8_t>(levels[i]);
        present += levels[i] == max_definition_;
      }
      page_nulls_ += end - begin - present;
    }
    if (max_repetition_ > 0) {
      const int16_t* levels = data.repetition_levels.data() + begin;
      const size_t old = repetition_levels_.size();
      repetition_levels_.resize(old + count);
      for (size_t i = 0; i < count; ++i) {
        repetition_levels_[old + i] = static_cast<uint8_t>(levels[i]);
      }
    }
    return present;
  }

  void AppendLengthPrefixed(RLEBitPackedEncoder* encoder, std::string* body) {
    levels_.clear();
    encoder->Finish(&levels_);
    const uint32_t length = static_cast<uint32_t>(levels_.size());
    body->append(reinterpret_cast<const char*>(&length), 4);
    body->append(levels_);
  }
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
  Status EndSlots(int64_t slots) override { return EndBlock(slots); }

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
    return values + static_cast<int64_t>(definition_levels_.size() + repetition_levels_.size()) / 8;
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
    EncodeLevels(&body_);
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
      EncodeValues(column, begin, begin + take);
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
  Status AppendValues(const Column& values, int64_t begin, int64_t end) override {
    EncodeValues(values, begin, end);
    return Status::OK();
  }

  // The non-null values of rows [begin, end).
  // Inlined into Append: the flat path's per-value loop stays as tight as a hand-written one.
  [[gnu::always_inline]] void EncodeValues(const Column& column, int64_t begin, int64_t end) {
    const bool has_nulls = column.null_count() != 0;
    for (int64_t row = begin; row < end; ++row) {
      if (has_nulls && column.IsNull(row)) continue;
      const Value value = Traits::Get(column, row);
      if (use_dictionary_) {
        indices_.push_back(Lookup(value));
      } else {
        UpdateStatistics(value);
        plain_.append(reinterpret_cast<const char*>(&value), sizeof(Value));
      }
    }
  }

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
    while (begin < end) {
      const int64_t take = std::min({end - begin, kMaxPageValues - page_values_, kBlockValues});
      AppendDefinitionLevels(column, begin, begin + take);
      EncodeValues(column, begin, begin + take);
      begin += take;
      SLUICE_RETURN_NOT_OK(EndSlots(take));
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
  Status AppendValues(const Column& values, int64_t begin, int64_t end) override {
    EncodeValues(values, begin, end);
    return Status::OK();
  }

  Status EndSlots(int64_t slots) override {
    page_values_ += slots;
    if (page_values_ >= kMaxPageValues) return FinishPage();
    return Status::OK();
  }

  // The non-null values of rows [begin, end), bit-packed.
  // Inlined into Append: the flat path's per-value loop stays as tight as a hand-written one.
  [[gnu::always_inline]] void EncodeValues(const Column& column, int64_t begin, int64_t end) {
    const auto& booleans = static_cast<const columnar::BooleanColumn&>(column);
    for (int64_t row = begin; row < end; ++row) {
      if (column.IsNull(row)) continue;
      const bool value = booleans.Value(row);
      if ((bit_count_ & 7) == 0) bits_.push_back(0);
      if (value) bits_.back() = static_cast<char>(bits_.back() | (1 << (bit_count_ & 7)));
      ++bit_count_;
      seen_true_ |= value;
      seen_false_ |= !value;
    }
  }

  Status FinishPage() {
    if (page_values_ == 0) return Status::OK();
    body_.clear();
    EncodeLevels(&body_);
    body_.append(bits_);
    bits_.clear();
    bit_count_ = 0;
    SLUICE_RETURN_NOT_OK(EmitDataPage(body_, page_values_, Encoding::kPlain));
    page_values_ = 0;
    return Status::OK();
  }

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
  BytesEncoder(const ParquetWriteOptions& options, int max_definition, int max_repetition,
               int fixed_width)
      : DictionaryEncoder(options, max_definition, max_repetition), fixed_width_(fixed_width) {}

  Status Append(const Column& column, int64_t begin, int64_t end) override {
    while (begin < end) {
      const int64_t take = std::min({end - begin, kMaxPageValues - page_values_, kBlockValues});
      AppendDefinitionLevels(column, begin, begin + take);
      EncodeValues(column, begin, begin + take);
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
  Status AppendValues(const Column& values, int64_t begin, int64_t end) override {
    EncodeValues(values, begin, end);
    return Status::OK();
  }

  // The non-null values of rows [begin, end).
  // Inlined into Append: the flat path's per-value loop stays as tight as a hand-written one.
  [[gnu::always_inline]] void EncodeValues(const Column& column, int64_t begin, int64_t end) {
    const bool has_nulls = column.null_count() != 0;
    for (int64_t row = begin; row < end; ++row) {
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
  }

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

// One leaf column of the file: where it sits in the schema and how its values are encoded.
struct LeafColumn {
  std::vector<std::string> path;  // path_in_schema
  columnar::DataType type;        // of the values given for it
  Type physical = Type::kBoolean;
  int32_t type_length = 0;
  int max_definition = 0;
  int max_repetition = 0;
  // Entry r - 1: the definition level of the repeated ancestor at repetition level r. A slot that
  // repeats at level r continues a list or map that exists, so it is defined at least this deep.
  std::vector<int16_t> repeated_definition;
};

// Levels are buffered one byte each.
constexpr int kMaxWrittenLevel = 255;

std::unique_ptr<ColumnEncoder> MakeEncoder(const LeafColumn& leaf,
                                           const ParquetWriteOptions& options) {
  const int definition = leaf.max_definition;
  const int repetition = leaf.max_repetition;
  switch (leaf.type.id()) {
    case TypeId::kBool:
      return std::make_unique<BooleanEncoder>(options, definition, repetition);
    case TypeId::kInt32:
    case TypeId::kDate:
      return std::make_unique<FixedWidthEncoder<Int32Traits>>(options, definition, repetition);
    case TypeId::kInt64:
    case TypeId::kTime:
    case TypeId::kTimestamp:
      return std::make_unique<FixedWidthEncoder<Int64Traits>>(options, definition, repetition);
    case TypeId::kFloat64:
      return std::make_unique<FixedWidthEncoder<DoubleTraits>>(options, definition, repetition);
    case TypeId::kDecimal:
      if (leaf.physical == Type::kInt32) {
        return std::make_unique<FixedWidthEncoder<Decimal32Traits>>(options, definition,
                                                                    repetition);
      }
      if (leaf.physical == Type::kInt64) {
        return std::make_unique<FixedWidthEncoder<Decimal64Traits>>(options, definition,
                                                                    repetition);
      }
      return std::make_unique<BytesEncoder>(options, definition, repetition, leaf.type_length);
    case TypeId::kString:
    case TypeId::kBinary:
    case TypeId::kJson:
      return std::make_unique<BytesEncoder>(options, definition, repetition, 0);
  }
  return nullptr;
}

std::string JoinPath(const std::vector<std::string>& path) {
  std::string joined;
  for (const std::string& part : path) {
    if (!joined.empty()) joined += '.';
    joined += part;
  }
  return joined;
}

// Whether ParquetWriter has an encoder for a leaf of a caller's schema: the physical types and
// annotations it writes for sluice types (LeafSchemaElement), read back as that sluice type.
Status CheckWritableLeaf(const SchemaNode& leaf, const SchemaElement& element,
                         const std::string& where) {
  bool writable = false;
  switch (leaf.conversion) {
    case LeafConversion::kBool:
    case LeafConversion::kInt64:  // INT64, TIME and TIMESTAMP in microseconds
    case LeafConversion::kInt32Decimal:
    case LeafConversion::kInt64Decimal:
    case LeafConversion::kDouble:
      writable = true;
      break;
    case LeafConversion::kInt32: {
      // Not the 8- and 16-bit annotations: int32 values would not fit them.
      const bool narrow =
          (element.logical && element.logical->kind == LogicalType::Kind::kInteger &&
           element.logical->bit_width < 32) ||
          (element.converted && (*element.converted == ConvertedType::kInt8 ||
                                 *element.converted == ConvertedType::kInt16 ||
                                 *element.converted == ConvertedType::kUint8 ||
                                 *element.converted == ConvertedType::kUint16));
      writable = !narrow;
      break;
    }
    case LeafConversion::kBytes:
      writable = leaf.physical == Type::kByteArray;
      break;
    case LeafConversion::kBytesDecimal:
      writable = leaf.physical == Type::kFixedLenByteArray;
      break;
    default:
      break;
  }
  if (writable) return Status::OK();
  return Status::InvalidArgument(where + ": ParquetWriter cannot write leaf '" + element.name +
                                 "' (physical type " +
                                 std::to_string(static_cast<int>(leaf.physical)) +
                                 " with its annotations); use the types LeafSchemaElement makes");
}

}  // namespace

class ParquetWriter::Impl {
 public:
  Impl(std::unique_ptr<io::OutputStream> out, columnar::SchemaPtr schema,
       ParquetWriteOptions options)
      : out_(std::move(out)), schema_(std::move(schema)), options_(std::move(options)) {}

  // A flat file: one leaf per field of schema_.
  Status Start() {
    SchemaElement root;
    root.name = "schema";
    root.num_children = static_cast<int32_t>(schema_->num_fields());
    elements_.push_back(root);
    if (!options_.field_ids.empty() && options_.field_ids.size() != schema_->num_fields()) {
      return Status::InvalidArgument("ParquetWriter: " + std::to_string(options_.field_ids.size()) +
                                     " field ids for " + std::to_string(schema_->num_fields()) +
                                     " fields");
    }
    for (size_t i = 0; i < schema_->num_fields(); ++i) {
      elements_.push_back(LeafElement(schema_->field(i)));
      if (!options_.field_ids.empty()) elements_.back().field_id = options_.field_ids[i];
    }
    for (size_t i = 0; i < schema_->num_fields(); ++i) {
      const SchemaElement& element = elements_[i + 1];
      LeafColumn leaf;
      leaf.path = {element.name};
      leaf.type = schema_->field(i).type;
      leaf.physical = *element.type;
      leaf.type_length = element.type_length.value_or(0);
      leaf.max_definition = schema_->field(i).nullable ? 1 : 0;
      leaves_.push_back(std::move(leaf));
    }
    for (const LeafColumn& leaf : leaves_) encoders_.push_back(MakeEncoder(leaf, options_));
    flat_ = true;
    return out_->Write(kMagic, 4);
  }

  // A file of the caller's schema, already checked by ParquetSchema::Make; schema_ is set.
  Status StartNested(std::vector<SchemaElement> elements, const ParquetSchema& parquet_schema) {
    elements_ = std::move(elements);
    const std::string& where = out_->path();
    flat_ = true;
    for (size_t field = 0; field < parquet_schema.fields().size(); ++field) {
      if (parquet_schema.IsNested(field)) flat_ = false;
    }
    for (const SchemaNode* node : parquet_schema.leaves()) {
      SLUICE_RETURN_NOT_OK(CheckWritableLeaf(*node, elements_[node->element_index], where));
      if (node->definition_level > kMaxWrittenLevel || node->repetition_level > kMaxWrittenLevel) {
        return Status::InvalidArgument(where + ": leaf '" + node->name + "' nests deeper than " +
                                       std::to_string(kMaxWrittenLevel) + " levels");
      }
      LeafColumn leaf;
      leaf.type = node->type;
      leaf.physical = node->physical;
      leaf.type_length = node->type_length;
      leaf.max_definition = node->definition_level;
      leaf.max_repetition = node->repetition_level;
      leaf.repeated_definition.resize(static_cast<size_t>(node->repetition_level));
      for (const SchemaNode* at = node; at->parent != nullptr; at = at->parent) {
        leaf.path.insert(leaf.path.begin(), at->name);
        if (at->is_repeated()) {
          leaf.repeated_definition[static_cast<size_t>(at->repetition_level - 1)] =
              at->definition_level;
        }
      }
      leaves_.push_back(std::move(leaf));
    }
    for (const LeafColumn& leaf : leaves_) encoders_.push_back(MakeEncoder(leaf, options_));
    return out_->Write(kMagic, 4);
  }

  Status Write(const columnar::Batch& batch) {
    if (closed_) return Status::Internal("ParquetWriter: write after close");
    if (!flat_) {
      return Status::InvalidArgument(out_->path() +
                                     ": the file has nested columns; use WriteShredded");
    }
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
    SLUICE_RETURN_NOT_OK(ThreadPool::Global().ForEach(
        encoders_.size(), options_.threads,
        [&](size_t i) { return encoders_[i]->Append(batch.column(i), 0, rows); }));
    return EndRows(rows);
  }

  Status WriteShredded(const std::vector<ShreddedColumn>& columns) {
    if (closed_) return Status::Internal("ParquetWriter: write after close");
    if (columns.size() != leaves_.size()) {
      return Status::SchemaMismatch(out_->path() + ": " + std::to_string(columns.size()) +
                                    " shredded columns for " + std::to_string(leaves_.size()) +
                                    " leaf columns");
    }
    int64_t records = 0;
    for (size_t i = 0; i < columns.size(); ++i) {
      SLUICE_ASSIGN_OR_RETURN(const int64_t leaf_records, CheckShredded(leaves_[i], columns[i]));
      if (i > 0 && leaf_records != records) {
        return Status::InvalidArgument(out_->path() + ": leaf '" + JoinPath(leaves_[i].path) +
                                       "' holds " + std::to_string(leaf_records) +
                                       " records, leaf '" + JoinPath(leaves_[0].path) + "' " +
                                       std::to_string(records));
      }
      records = leaf_records;
    }
    SLUICE_RETURN_NOT_OK(ThreadPool::Global().ForEach(
        encoders_.size(), options_.threads,
        [&](size_t i) { return encoders_[i]->AppendShredded(columns[i]); }));
    return EndRows(records);
  }

  // Counts rows written to every leaf; closes the row group once it is big enough.
  Status EndRows(int64_t rows) {
    group_rows_ += rows;
    rows_ += rows;
    int64_t bytes = 0;
    for (const auto& encoder : encoders_) bytes += encoder->EstimatedBytes();
    if (bytes >= options_.row_group_bytes) SLUICE_RETURN_NOT_OK(FlushRowGroup());
    return Status::OK();
  }

  // Checks one leaf's levels and values; returns its record count.
  Result<int64_t> CheckShredded(const LeafColumn& leaf, const ShreddedColumn& column) const {
    const std::string where = out_->path() + ": leaf '" + JoinPath(leaf.path) + "'";
    if (!column.values) return Status::InvalidArgument(where + ": no values column");
    if (!(column.values->type() == leaf.type)) {
      return Status::SchemaMismatch(where + " is " + leaf.type.ToString() + " but its values are " +
                                    column.values->type().ToString());
    }
    if (column.values->null_count() > 0) {
      return Status::InvalidArgument(where +
                                     ": the values column holds nulls (a missing value is "
                                     "a definition level below the maximum)");
    }
    const auto& definition = column.definition_levels;
    const auto& repetition = column.repetition_levels;
    const int64_t slots = column.slots();
    if ((leaf.max_definition > 0 && static_cast<int64_t>(definition.size()) != slots) ||
        (leaf.max_repetition > 0 && static_cast<int64_t>(repetition.size()) != slots)) {
      return Status::InvalidArgument(where + ": " + std::to_string(definition.size()) +
                                     " definition levels and " + std::to_string(repetition.size()) +
                                     " repetition levels (each must give one level per slot)");
    }
    if ((leaf.max_definition == 0 && !definition.empty() &&
         static_cast<int64_t>(definition.size()) != slots) ||
        (leaf.max_repetition == 0 && !repetition.empty() &&
         static_cast<int64_t>(repetition.size()) != slots)) {
      return Status::InvalidArgument(where + ": level lists of different lengths");
    }
    int64_t present = slots;
    if (!definition.empty()) {
      present = 0;
      for (const int16_t level : definition) {
        if (level < 0 || level > leaf.max_definition) {
          return Status::InvalidArgument(where + ": definition level " + std::to_string(level) +
                                         " outside 0.." + std::to_string(leaf.max_definition));
        }
        present += level == leaf.max_definition;
      }
    }
    if (present != column.values->length()) {
      return Status::InvalidArgument(where + ": " + std::to_string(present) +
                                     " slots hold a value but the values column has " +
                                     std::to_string(column.values->length()));
    }
    if (repetition.empty()) return slots;
    if (slots > 0 && repetition[0] != 0) {
      return Status::InvalidArgument(where + ": the first slot does not start a record");
    }
    int64_t records = 0;
    for (size_t slot = 0; slot < repetition.size(); ++slot) {
      const int16_t level = repetition[slot];
      if (level < 0 || level > leaf.max_repetition) {
        return Status::InvalidArgument(where + ": repetition level " + std::to_string(level) +
                                       " outside 0.." + std::to_string(leaf.max_repetition));
      }
      records += level == 0;
      const int16_t defined =
          definition.empty() ? static_cast<int16_t>(leaf.max_definition) : definition[slot];
      if (level > 0 && defined < leaf.repeated_definition[static_cast<size_t>(level - 1)]) {
        return Status::InvalidArgument(where + ": slot " + std::to_string(slot) +
                                       " repeats at level " + std::to_string(level) +
                                       " but is only defined to level " + std::to_string(defined));
      }
    }
    return records;
  }

  Status FlushRowGroup() {
    if (group_rows_ == 0) return Status::OK();
    std::vector<Result<EncodedChunk>> chunks(encoders_.size(), Status::Internal("not encoded"));
    SLUICE_RETURN_NOT_OK(
        ThreadPool::Global().ForEach(encoders_.size(), options_.threads, [&](size_t i) {
          chunks[i] = encoders_[i]->FinishChunk();
          return chunks[i].status();
        }));
    RowGroup group;
    group.num_rows = group_rows_;
    group.file_offset = out_->position();
    group.ordinal = static_cast<int16_t>(std::min<size_t>(row_groups_.size(), INT16_MAX));
    int64_t total_compressed = 0;
    for (size_t i = 0; i < encoders_.size(); ++i) {
      SLUICE_RETURN_NOT_OK(chunks[i].status());
      EncodedChunk& chunk = *chunks[i];
      const LeafColumn& leaf = leaves_[i];
      ColumnMetaData meta;
      meta.type = leaf.physical;
      meta.path_in_schema = leaf.path;
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
    metadata.column_orders_count = static_cast<int32_t>(leaves_.size());
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
  std::vector<LeafColumn> leaves_;
  std::vector<std::unique_ptr<ColumnEncoder>> encoders_;
  // Every top-level field is a non-repeated leaf: Write(Batch) works.
  bool flat_ = true;
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

Result<std::unique_ptr<ParquetWriter>> ParquetWriter::OpenNested(
    std::unique_ptr<io::OutputStream> out, std::vector<SchemaElement> elements,
    ParquetWriteOptions options) {
  if (options.row_group_bytes <= 0 || options.page_bytes <= 0) {
    return Status::InvalidArgument("row group and page sizes must be positive");
  }
  if (options.threads < 1) options.threads = 1;
  auto parquet_schema = ParquetSchema::Make(elements, out->path());
  if (!parquet_schema.ok()) {
    return Status::InvalidArgument(parquet_schema.status().message());
  }
  // The schema ParquetReader reads the file back as: one column per top-level field.
  std::vector<columnar::Field> fields;
  for (size_t i = 0; i < (*parquet_schema)->fields().size(); ++i) {
    const SchemaNode& node = *(*parquet_schema)->fields()[i];
    fields.push_back(columnar::Field{node.name, (*parquet_schema)->FieldType(i),
                                     node.repetition != Repetition::kRequired});
  }
  auto schema = std::make_shared<const columnar::Schema>(std::move(fields));
  auto impl = std::make_unique<Impl>(std::move(out), std::move(schema), std::move(options));
  SLUICE_RETURN_NOT_OK(impl->StartNested(std::move(elements), **parquet_schema));
  return std::unique_ptr<ParquetWriter>(new ParquetWriter(std::move(impl)));
}

ParquetWriter::ParquetWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ParquetWriter::~ParquetWriter() = default;

Status ParquetWriter::Write(const columnar::Batch& batch) { return impl_->Write(batch); }
Status ParquetWriter::WriteShredded(const std::vector<ShreddedColumn>& leaves) {
  return impl_->WriteShredded(leaves);
}
Result<ParquetWriteSummary> ParquetWriter::Close() { return impl_->Close(); }
const columnar::SchemaPtr& ParquetWriter::schema() const { return impl_->schema_; }
int64_t ParquetWriter::rows_written() const { return impl_->rows_; }

}  // namespace sluice::parquet

#include "sluice/formats/parquet/dictionary_encoder.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string_view>
#include <utility>

#include "sluice/columnar/value_formatter.h"

namespace sluice::parquet {
namespace {

using columnar::Column;
using columnar::Int128;
using columnar::TypeId;

// Values compared for statistics are bounded; longer ones leave min/max out.
constexpr size_t kMaxStatisticsBytes = 64;

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
    if (use_dictionary_ && fixed_width_ == 0 && begin < end &&
        static_cast<const columnar::StringColumn&>(column).repeats_one_value()) {
      // One value repeated (an audit column): one lookup for the whole run.
      const uint32_t index =
          Lookup(static_cast<const columnar::StringColumn&>(column).Value(begin));
      indices_.insert(indices_.end(), static_cast<size_t>(end - begin), index);
      return;
    }
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

}  // namespace

std::unique_ptr<ColumnEncoder> MakeDictionaryEncoder(const LeafColumn& leaf,
                                                     const ParquetWriteOptions& options) {
  const int definition = leaf.max_definition;
  const int repetition = leaf.max_repetition;
  switch (leaf.type.id()) {
    case TypeId::kBool:
      break;  // BooleanEncoder (MakeColumnEncoder)
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

}  // namespace sluice::parquet

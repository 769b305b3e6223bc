#include "sluice/formats/parquet/column_encoder.h"

#include <algorithm>

#include "sluice/formats/parquet/dictionary_encoder.h"
#include "sluice/io/compression_codec.h"

namespace sluice::parquet {

using columnar::Column;
using columnar::TypeId;

Status ColumnEncoder::AppendShredded(const ShreddedColumn& data) {
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

Status ColumnEncoder::EmitDataPage(const std::string& body, int64_t num_values, Encoding encoding) {
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

Status ColumnEncoder::EmitDictionaryPage(const std::string& body, int64_t num_values) {
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

Status ColumnEncoder::EmitPage(PageHeader* header, const std::string& body,
                               std::vector<std::string>* pages) {
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

void ColumnEncoder::AppendDefinitionLevels(const Column& column, int64_t begin, int64_t end) {
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

void ColumnEncoder::EncodeLevels(std::string* body) {
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

EncodedChunk ColumnEncoder::TakeChunk() {
  EncodedChunk chunk = std::move(chunk_);
  chunk_ = EncodedChunk{};
  return chunk;
}

int64_t ColumnEncoder::AppendLevels(const ShreddedColumn& data, int64_t begin, int64_t end) {
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

void ColumnEncoder::AppendLengthPrefixed(RLEBitPackedEncoder* encoder, std::string* body) {
  levels_.clear();
  encoder->Finish(&levels_);
  const uint32_t length = static_cast<uint32_t>(levels_.size());
  body->append(reinterpret_cast<const char*>(&length), 4);
  body->append(levels_);
}

namespace {

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

}  // namespace

std::unique_ptr<ColumnEncoder> MakeColumnEncoder(const LeafColumn& leaf,
                                                 const ParquetWriteOptions& options) {
  if (leaf.type.id() == TypeId::kBool) {
    return std::make_unique<BooleanEncoder>(options, leaf.max_definition, leaf.max_repetition);
  }
  return MakeDictionaryEncoder(leaf, options);
}

}  // namespace sluice::parquet

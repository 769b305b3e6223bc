#include "sluice/formats/json/json_reader_impl.h"

#include <cmath>
#include <limits>

#include "sluice/columnar/value_formatter.h"
#include "sluice/formats/json/json_text.h"

namespace sluice::formats::json {
namespace {

// A batch ends at kMaxBatchRows rows, or earlier once it holds this much record text or this many
// cells (rows × columns), so wide or bulky records keep batches small.
constexpr int64_t kBatchTextBytes = 16 << 20;
constexpr int64_t kBatchCells = 4 << 20;
// Columns a reader may create; a record that would add more is rejected (protects memory from
// objects used as maps with millions of distinct keys).
constexpr size_t kMaxColumns = 10000;

// Kinds of JSON values seen in a column during the sample.
enum KindBit : uint32_t {
  kSeenNull = 1u << 0,  // null, or a string equal to a null token
  kSeenBool = 1u << 1,
  kSeenInt = 1u << 2,    // an integer that fits int64
  kSeenFloat = 1u << 3,  // any other number
  kSeenString = 1u << 4,
  kSeenArray = 1u << 5,
  kSeenNonFinite = 1u << 6,  // the strings "NaN", "Infinity", "-Infinity" (how floats say them)
};

// JSON has no literal for NaN and the infinities; sluice writes them as these strings, as Spark
// and pandas do, and reads them back into float columns.
bool IsNonFiniteWord(std::string_view text) {
  return text == "NaN" || text == "Infinity" || text == "-Infinity";
}

}  // namespace

Status JSONReaderImpl::Init() {
  rejects_before_ = rejects_->count();
  for (const auto& [name, type] : options_.common.column_types) {
    explicit_types_.emplace(name, type);
  }
  SLUICE_RETURN_NOT_OK(ReadSample());
  InferTypes();
  return Status::OK();
}

Status JSONReaderImpl::InitWithColumns(const std::vector<PresetColumn>& columns) {
  rejects_before_ = rejects_->count();
  for (const auto& [name, type] : options_.common.column_types) {
    explicit_types_.emplace(name, type);
  }
  for (const PresetColumn& preset : columns) {
    const uint32_t index = AddColumn(preset.name);
    ColumnState& column = columns_[index];
    column.type = preset.type;
    column.explicit_type = preset.explicit_type;
    column.builder = columnar::MakeBuilder(column.type.type);
  }
  schema_dirty_ = true;
  UpdateSchema();
  return Status::OK();
}

std::vector<PresetColumn> JSONReaderImpl::Columns() const {
  std::vector<PresetColumn> out;
  out.reserve(columns_.size());
  for (const ColumnState& column : columns_) {
    out.push_back(PresetColumn{column.name, column.type, column.explicit_type});
  }
  return out;
}

Result<BatchPtr> JSONReaderImpl::Next() {
  if (!error_.ok()) return error_;
  Status status = Fill();
  if (!status.ok()) {
    error_ = status;
    return status;
  }
  if (rows_in_batch_ > 0) return FinishBatch();
  if (!finish_checked_) {
    finish_checked_ = true;
    status = rejects_->Finish(rows_);
    if (!status.ok()) {
      error_ = status;
      return status;
    }
  }
  return BatchPtr();
}

Status JSONReaderImpl::Fill() {
  while (!BatchFull()) {
    if (replay_index_ < sample_.size()) {
      SLUICE_RETURN_NOT_OK(ReplaySampleItem(sample_[replay_index_++]));
      if (replay_index_ == sample_.size()) {
        sample_ = {};
        sample_text_ = {};
      }
      continue;
    }
    if (input_done_) return Status::OK();
    RecordSplitter::Record record;
    Reject reject;
    SLUICE_ASSIGN_OR_RETURN(RecordSplitter::Event event, splitter_.Next(&record, &reject));
    switch (event) {
      case RecordSplitter::Event::kEnd:
        input_done_ = true;
        return Status::OK();
      case RecordSplitter::Event::kReject:
        SLUICE_RETURN_NOT_OK(rejects_->Add(std::move(reject)));
        break;
      case RecordSplitter::Event::kRecord:
        SLUICE_RETURN_NOT_OK(
            AppendRecord(record.value, record.text, record.line, record.byte_offset));
        break;
    }
  }
  return Status::OK();
}

bool JSONReaderImpl::BatchFull() const {
  return rows_in_batch_ >= columnar::kMaxBatchRows || batch_text_bytes_ >= kBatchTextBytes ||
         rows_in_batch_ * static_cast<int64_t>(columns_.size()) >= kBatchCells;
}

Status JSONReaderImpl::ReadSample() {
  sampling_ = true;
  int64_t records = 0;
  while (records < options_.common.sample_records && sample_text_.size() < kMaxSampleTextBytes) {
    RecordSplitter::Record record;
    Reject reject;
    SLUICE_ASSIGN_OR_RETURN(RecordSplitter::Event event, splitter_.Next(&record, &reject));
    if (event == RecordSplitter::Event::kEnd) {
      input_done_ = true;
      break;
    }
    SampleItem item;
    if (event == RecordSplitter::Event::kReject) {
      item.reject = std::move(reject);
      sample_.push_back(std::move(item));
      continue;
    }
    Flatten(record.value);
    if (too_many_columns_) {
      item.reject = TooManyColumnsReject(record.text, record.line, record.byte_offset);
      sample_.push_back(std::move(item));
      continue;
    }
    for (const FieldValue& field : values_) Observe(&columns_[field.column], field.value);
    item.text_begin = sample_text_.size();
    item.text_size = record.text.size();
    item.line = record.line;
    item.byte_offset = record.byte_offset;
    sample_text_.append(record.text);
    sample_.push_back(std::move(item));
    ++records;
  }
  // simdjson reads past the end of a value: keep padding after the last one.
  sample_text_.append(kPadding, ' ');
  sampling_ = false;
  sample_reached_end_ = input_done_;
  return Status::OK();
}

void JSONReaderImpl::Observe(ColumnState* column, dom::element value) {
  switch (value.type()) {
    case dom::element_type::NULL_VALUE:
      column->kinds |= kSeenNull;
      return;
    case dom::element_type::BOOL:
      column->kinds |= kSeenBool;
      return;
    case dom::element_type::INT64:
      column->kinds |= kSeenInt;
      return;
    case dom::element_type::UINT64:
    case dom::element_type::DOUBLE:
      column->kinds |= kSeenFloat;
      return;
    case dom::element_type::STRING: {
      const std::string_view text = value.get_string().value_unsafe();
      if (IsNullToken(text)) {
        column->kinds |= kSeenNull;
      } else if (IsNonFiniteWord(text)) {
        column->kinds |= kSeenNonFinite;
        if (options_.common.infer_types) column->strings.Observe(text);
      } else {
        column->kinds |= kSeenString;
        if (options_.common.infer_types) column->strings.Observe(text);
      }
      return;
    }
    case dom::element_type::ARRAY:
      column->kinds |= kSeenArray;
      return;
    case dom::element_type::OBJECT:
      return;  // only empty objects get here; they add nothing
  }
}

void JSONReaderImpl::InferTypes() {
  for (ColumnState& column : columns_) {
    if (!column.explicit_type) column.type = InferredType(column);
    column.builder = columnar::MakeBuilder(column.type.type);
  }
  // Explicit types for columns the sample never showed.
  for (const auto& [name, type] : options_.common.column_types) {
    if (column_index_.find(name) == column_index_.end()) AddColumn(name);
  }
  schema_dirty_ = true;
  UpdateSchema();
}

TextColumnType JSONReaderImpl::InferredType(const ColumnState& column) const {
  TextColumnType result;  // string
  const uint32_t kinds = column.kinds & ~kSeenNull;
  if (kinds == kSeenArray) {
    result.type = DataType::Json();
  } else if (!options_.common.infer_types || kinds == 0) {
    // strings
  } else if (kinds == kSeenBool) {
    result.type = DataType::Bool();
  } else if (kinds == kSeenInt) {
    result.type = DataType::Int64();
  } else if ((kinds & ~(kSeenInt | kSeenFloat | kSeenNonFinite)) == 0) {
    result.type = DataType::Float64();
  } else if ((kinds & ~kSeenNonFinite) == kSeenString) {
    // Strings that are all dates, timestamps or times get that type; numbers, booleans and
    // everything else written as JSON strings stay strings.
    const TextColumnType text = column.strings.Result();
    const TypeId id = text.type.id();
    if (id == TypeId::kDate || id == TypeId::kTimestamp || id == TypeId::kTime) result = text;
  }
  return result;
}

void JSONReaderImpl::Flatten(dom::element root) {
  ++stamp_;
  values_.clear();
  too_many_columns_ = false;
  previous_column_ = kNoColumn;
  if (root.type() == dom::element_type::OBJECT) {
    name_.clear();
    FlattenObject(root.get_object().value_unsafe(), 0);
  } else {
    SetField("value", root);
  }
}

void JSONReaderImpl::FlattenObject(dom::object object, int depth) {
  for (dom::key_value_pair field : object) {
    const size_t old_size = name_.size();
    if (depth > 0) name_ += "__";
    name_ += field.key;
    if (field.value.type() == dom::element_type::OBJECT) {
      FlattenObject(field.value.get_object().value_unsafe(), depth + 1);
    } else {
      SetField(name_, field.value);
    }
    name_.resize(old_size);
  }
}

void JSONReaderImpl::SetField(std::string_view name, dom::element value) {
  const uint32_t index = FindOrAddColumn(name);
  if (index == kNoColumn) {
    too_many_columns_ = true;
    return;
  }
  ColumnState& column = columns_[index];
  if (column.stamp == stamp_) {
    values_[column.slot].value = value;  // a repeated key: the last value wins
    return;
  }
  column.stamp = stamp_;
  column.slot = static_cast<uint32_t>(values_.size());
  values_.push_back(FieldValue{index, value});
}

uint32_t JSONReaderImpl::FindOrAddColumn(std::string_view name) {
  // Records usually repeat the previous record's key order: try that before hashing.
  const uint32_t hint =
      previous_column_ == kNoColumn ? first_column_hint_ : columns_[previous_column_].next_hint;
  uint32_t index;
  if (hint != kNoColumn && columns_[hint].name == name) {
    index = hint;
  } else {
    auto found = column_index_.find(name);
    if (found != column_index_.end()) {
      index = found->second;
    } else if (columns_.size() >= kMaxColumns) {
      return kNoColumn;
    } else {
      index = AddColumn(name);
    }
  }
  if (previous_column_ == kNoColumn) {
    first_column_hint_ = index;
  } else {
    columns_[previous_column_].next_hint = index;
  }
  previous_column_ = index;
  return index;
}

uint32_t JSONReaderImpl::AddColumn(std::string_view name) {
  const auto index = static_cast<uint32_t>(columns_.size());
  ColumnState column;
  column.name = std::string(name);
  auto explicit_type = explicit_types_.find(name);
  if (explicit_type != explicit_types_.end()) {
    column.type.type = explicit_type->second;
    column.explicit_type = true;
  }
  if (!sampling_) {
    // After the sample: a new column, nullable, string unless typed explicitly; null for the
    // rows already in the batch.
    column.builder = columnar::MakeBuilder(column.type.type);
    for (int64_t row = 0; row < rows_in_batch_; ++row) column.builder->AppendNull();
    schema_dirty_ = true;
  }
  column_index_.emplace(column.name, index);
  columns_.push_back(std::move(column));
  return index;
}

bool JSONReaderImpl::IsNullToken(std::string_view text) const {
  if (null_is_empty_only_) return text.empty();
  for (const std::string& token : options_.common.null_values) {
    if (text == token) return true;
  }
  return false;
}

Status JSONReaderImpl::ReplaySampleItem(SampleItem& item) {
  if (item.reject) return rejects_->Add(std::move(*item.reject));
  dom::element value;
  const simdjson::error_code error =
      parser_.parse(sample_text_.data() + item.text_begin, item.text_size, false).get(value);
  if (error) {
    return Status::Internal("JSON reader: a sample record no longer parses: " +
                            std::string(simdjson::error_message(error)));
  }
  return AppendRecord(value, std::string_view(sample_text_).substr(item.text_begin, item.text_size),
                      item.line, item.byte_offset);
}

Reject JSONReaderImpl::TooManyColumnsReject(std::string_view text, int64_t line,
                                            int64_t byte_offset) const {
  Reject reject;
  reject.file = input_->path();
  reject.line = line;
  reject.byte_offset = byte_offset;
  reject.kind = RejectKind::kRecordTooLarge;
  reject.message =
      "the record would make the table wider than " + std::to_string(kMaxColumns) + " columns";
  reject.raw = std::string(text.substr(0, Reject::kMaxRawBytes));
  return reject;
}

Status JSONReaderImpl::AppendRecord(dom::element value, std::string_view text, int64_t line,
                                    int64_t byte_offset) {
  Flatten(value);
  if (too_many_columns_) {
    return rejects_->Add(TooManyColumnsReject(text, line, byte_offset));
  }
  for (size_t k = 0; k < values_.size(); ++k) {
    ColumnState& column = columns_[values_[k].column];
    if (!AppendCell(column, values_[k].value)) {
      for (size_t j = 0; j < k; ++j) columns_[values_[j].column].builder->Truncate(rows_in_batch_);
      Reject reject;
      reject.file = input_->path();
      reject.line = line;
      reject.byte_offset = byte_offset;
      reject.field = column.name;
      reject.kind = RejectKind::kCastError;
      reject.message = std::move(cell_error_);
      reject.raw = std::string(text.substr(0, Reject::kMaxRawBytes));
      return rejects_->Add(std::move(reject));
    }
  }
  for (ColumnState& column : columns_) {
    if (column.stamp != stamp_) column.builder->AppendNull();
  }
  ++rows_in_batch_;
  ++rows_;
  batch_text_bytes_ += static_cast<int64_t>(text.size());
  return Status::OK();
}

bool JSONReaderImpl::AppendCell(ColumnState& column, dom::element value) {
  columnar::ColumnBuilder* builder = column.builder.get();
  const dom::element_type kind = value.type();
  if (kind == dom::element_type::NULL_VALUE) {
    builder->AppendNull();
    return true;
  }
  const TypeId id = column.type.type.id();
  if (id == TypeId::kString || id == TypeId::kJson || id == TypeId::kBinary) {
    auto* strings = static_cast<columnar::StringBuilder*>(builder);
    if (kind == dom::element_type::STRING && id != TypeId::kJson) {
      strings->Append(value.get_string().value_unsafe());
    } else {
      scratch_.clear();
      AppendJsonText(value, &scratch_);
      strings->Append(scratch_);
    }
    return true;
  }
  switch (kind) {
    case dom::element_type::STRING: {
      const std::string_view text = value.get_string().value_unsafe();
      if (IsNullToken(text)) {
        builder->AppendNull();
        return true;
      }
      // Text converts into types JSON has no literal for (dates, times, decimals) and into any
      // type named explicitly; a string in an inferred bool or number column is a cast error.
      if (id == TypeId::kFloat64 && IsNonFiniteWord(text)) {
        static_cast<columnar::Float64Builder*>(builder)->Append(
            text == "NaN" ? std::numeric_limits<double>::quiet_NaN()
                          : (text == "Infinity" ? std::numeric_limits<double>::infinity()
                                                : -std::numeric_limits<double>::infinity()));
        return true;
      }
      const bool converts = column.explicit_type || id == TypeId::kDate || id == TypeId::kTime ||
                            id == TypeId::kTimestamp || id == TypeId::kDecimal;
      const ConvertError error =
          converts ? AppendText(text, column.type, builder) : ConvertError::kSyntax;
      if (error == ConvertError::kOk) return true;
      cell_error_ = ConvertErrorMessage(error, text, column.type.type);
      return false;
    }
    case dom::element_type::INT64: {
      const int64_t number = value.get_int64().value_unsafe();
      switch (id) {
        case TypeId::kInt64:
          static_cast<columnar::Int64Builder*>(builder)->Append(number);
          return true;
        case TypeId::kFloat64:
          static_cast<columnar::Float64Builder*>(builder)->Append(static_cast<double>(number));
          return true;
        case TypeId::kInt32:
        case TypeId::kDecimal:
          return AppendNumberText(column, value);
        default:
          break;
      }
      break;
    }
    case dom::element_type::UINT64:
      if (id == TypeId::kFloat64) {
        static_cast<columnar::Float64Builder*>(builder)->Append(
            static_cast<double>(value.get_uint64().value_unsafe()));
        return true;
      }
      if (id == TypeId::kInt64 || id == TypeId::kInt32 || id == TypeId::kDecimal) {
        return AppendNumberText(column, value);
      }
      break;
    case dom::element_type::DOUBLE:
      if (id == TypeId::kFloat64) {
        static_cast<columnar::Float64Builder*>(builder)->Append(value.get_double().value_unsafe());
        return true;
      }
      if (id == TypeId::kDecimal) return AppendNumberText(column, value);
      break;
    case dom::element_type::BOOL:
      if (id == TypeId::kBool) {
        static_cast<columnar::BooleanBuilder*>(builder)->Append(value.get_bool().value_unsafe());
        return true;
      }
      break;
    default:
      break;
  }
  scratch_.clear();
  AppendJsonText(value, &scratch_);
  cell_error_ = ConvertErrorMessage(ConvertError::kSyntax, scratch_, column.type.type);
  return false;
}

bool JSONReaderImpl::AppendNumberText(ColumnState& column, dom::element value) {
  if (value.type() == dom::element_type::DOUBLE && column.type.type.id() == TypeId::kDecimal &&
      AppendDecimalFast(column, value)) {
    return true;
  }
  scratch_.clear();
  if (value.type() == dom::element_type::DOUBLE) {
    columnar::AppendDouble(value.get_double().value_unsafe(), &scratch_);
  } else {
    AppendJsonText(value, &scratch_);
  }
  const ConvertError error = AppendText(scratch_, column.type, column.builder.get());
  if (error == ConvertError::kOk) return true;
  cell_error_ = ConvertErrorMessage(error, scratch_, column.type.type);
  return false;
}

bool JSONReaderImpl::AppendDecimalFast(ColumnState& column, dom::element value) {
  static constexpr double kPowers[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
  const int scale = column.type.type.scale();
  if (scale > 15) return false;
  const double number = value.get_double().value_unsafe();
  const double scaled = number * kPowers[scale];
  if (!(std::fabs(scaled) < 9007199254740992.0)) return false;  // 2^53: n exact as a double
  const double rounded = std::nearbyint(scaled);
  if (rounded / kPowers[scale] != number) return false;
  const auto unscaled = static_cast<int64_t>(rounded);
  if (static_cast<columnar::Int128>(unscaled < 0 ? -unscaled : unscaled) >
      columnar::MaxUnscaled(column.type.type.precision())) {
    return false;  // the text path reports the overflow
  }
  static_cast<columnar::DecimalBuilder*>(column.builder.get())->Append(unscaled);
  return true;
}

void JSONReaderImpl::UpdateSchema() {
  if (!schema_dirty_) return;
  std::vector<columnar::Field> fields;
  fields.reserve(columns_.size());
  for (const ColumnState& column : columns_) {
    fields.push_back(columnar::Field{column.name, column.type.type, true});
  }
  schema_ = std::make_shared<columnar::Schema>(std::move(fields));
  schema_dirty_ = false;
}

BatchPtr JSONReaderImpl::FinishBatch() {
  UpdateSchema();
  std::vector<columnar::ColumnPtr> built;
  built.reserve(columns_.size());
  for (ColumnState& column : columns_) built.push_back(column.builder->Finish());
  auto batch = std::make_shared<columnar::Batch>(schema_, std::move(built), rows_in_batch_);
  rows_in_batch_ = 0;
  batch_text_bytes_ = 0;
  return batch;
}

}  // namespace sluice::formats::json

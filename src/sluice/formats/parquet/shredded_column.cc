#include "sluice/formats/parquet/shredded_column.h"

#include <algorithm>

namespace sluice::parquet {

using columnar::TypeId;

int64_t ShreddedColumn::slots() const {
  const size_t levels = std::max(definition_levels.size(), repetition_levels.size());
  if (levels > 0 || !values) return static_cast<int64_t>(levels);
  return values->length();
}

ShreddedColumnBuilder::ShreddedColumnBuilder(columnar::DataType type, int16_t max_definition,
                                             int16_t max_repetition)
    : type_(type),
      max_definition_(max_definition),
      max_repetition_(max_repetition),
      values_(columnar::MakeBuilder(type)) {}

ShreddedColumnBuilder::ShreddedColumnBuilder(const SchemaNode& leaf)
    : ShreddedColumnBuilder(leaf.type, leaf.definition_level, leaf.repetition_level) {}

void ShreddedColumnBuilder::AppendLevels(int16_t repetition, int16_t definition) {
  if (error_.empty() && (repetition < 0 || repetition > max_repetition_ || definition < 0 ||
                         definition > max_definition_)) {
    error_ = "slot " + std::to_string(slots_) + " has repetition level " +
             std::to_string(repetition) + " and definition level " + std::to_string(definition) +
             ", outside the leaf's maximums " + std::to_string(max_repetition_) + " and " +
             std::to_string(max_definition_);
  }
  if (max_definition_ > 0) definition_levels_.push_back(definition);
  if (max_repetition_ > 0) repetition_levels_.push_back(repetition);
  ++slots_;
}

void ShreddedColumnBuilder::AppendMissing(int16_t repetition, int16_t definition) {
  if (error_.empty() && definition >= max_definition_) {
    error_ = "slot " + std::to_string(slots_) + " has no value but definition level " +
             std::to_string(definition) + " (the leaf's maximum is " +
             std::to_string(max_definition_) + ")";
  }
  AppendLevels(repetition, definition);
}

bool ShreddedColumnBuilder::AppendPresent(int16_t repetition, bool fits, const char* what) {
  AppendLevels(repetition, max_definition_);
  if (fits) return true;
  if (error_.empty()) {
    error_ = "slot " + std::to_string(slots_ - 1) + " holds " + what + " but the leaf is " +
             type_.ToString();
  }
  // Keep the values aligned with the slots: a placeholder the caller never sees.
  values_->AppendNull();
  return false;
}

void ShreddedColumnBuilder::AppendBool(int16_t repetition, bool value) {
  if (AppendPresent(repetition, type_.id() == TypeId::kBool, "a bool")) {
    static_cast<columnar::BooleanBuilder&>(*values_).Append(value);
  }
}

void ShreddedColumnBuilder::AppendInt32(int16_t repetition, int32_t value) {
  const bool fits = type_.id() == TypeId::kInt32 || type_.id() == TypeId::kDate;
  if (AppendPresent(repetition, fits, "an int32")) {
    static_cast<columnar::Int32Builder&>(*values_).Append(value);
  }
}

void ShreddedColumnBuilder::AppendInt64(int16_t repetition, int64_t value) {
  const bool fits = type_.id() == TypeId::kInt64 || type_.id() == TypeId::kTime ||
                    type_.id() == TypeId::kTimestamp;
  if (AppendPresent(repetition, fits, "an int64")) {
    static_cast<columnar::Int64Builder&>(*values_).Append(value);
  }
}

void ShreddedColumnBuilder::AppendDouble(int16_t repetition, double value) {
  if (AppendPresent(repetition, type_.id() == TypeId::kFloat64, "a double")) {
    static_cast<columnar::Float64Builder&>(*values_).Append(value);
  }
}

void ShreddedColumnBuilder::AppendString(int16_t repetition, std::string_view value) {
  const bool fits =
      type_.id() == TypeId::kString || type_.id() == TypeId::kJson || type_.id() == TypeId::kBinary;
  if (AppendPresent(repetition, fits, "a string")) {
    static_cast<columnar::StringBuilder&>(*values_).Append(value);
  }
}

Result<ShreddedColumn> ShreddedColumnBuilder::Finish() {
  ShreddedColumn column;
  column.definition_levels = std::move(definition_levels_);
  column.repetition_levels = std::move(repetition_levels_);
  column.values = values_->Finish();
  definition_levels_.clear();
  repetition_levels_.clear();
  slots_ = 0;
  if (!error_.empty()) {
    std::string error = std::move(error_);
    error_.clear();
    return Status::InvalidArgument("shredded column: " + error);
  }
  return column;
}

}  // namespace sluice::parquet

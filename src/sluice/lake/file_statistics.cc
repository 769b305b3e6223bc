#include "sluice/lake/file_statistics.h"

#include <algorithm>
#include <cfloat>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>

#include <nlohmann/json.hpp>

#include "sluice/columnar/column.h"
#include "sluice/columnar/decimal.h"
#include "sluice/columnar/temporal.h"
#include "sluice/columnar/value_formatter.h"
#include "sluice/common/ascii.h"

namespace sluice::lake {

using columnar::Column;
using columnar::DataType;
using columnar::DecimalColumn;
using columnar::Float64Column;
using columnar::GetBit;
using columnar::Int128;
using columnar::Int32Column;
using columnar::Int64Column;
using columnar::StringColumn;
using columnar::TypeId;
using columnar::UInt128;

namespace {

constexpr Int128 kInt128Max = static_cast<Int128>(~static_cast<UInt128>(0) >> 1);
constexpr Int128 kInt128Min = -kInt128Max - 1;
constexpr int64_t kMicrosPerMilli = 1000;
// U+10FFFF, the largest code point: Spark's UTF8_MAX_CHARACTER tie-breaker.
constexpr std::string_view kMaxCodePoint = "\xF4\x8F\xBF\xBF";
// U+007F: Spark's ASCII_MAX_CHARACTER tie-breaker.
constexpr char kAsciiMax = '\x7F';

// ---- Collecting --------------------------------------------------------------------------------

// Min and max over the valid values of a primitive column, starting from (highest, lowest). For
// doubles NaN never wins a comparison, so it is skipped: min > max afterwards means "only NaN".
template <typename T>
struct Extremes {
  T min;
  T max;
};

template <typename T>
Extremes<T> PrimitiveExtremes(const columnar::PrimitiveColumn<T>& column, T lowest, T highest) {
  Extremes<T> out{highest, lowest};
  const T* data = column.data();
  const int64_t length = column.length();
  if (column.null_count() == 0) {
    for (int64_t i = 0; i < length; ++i) {
      out.min = std::min(out.min, data[i]);
      out.max = std::max(out.max, data[i]);
    }
  } else {
    const uint8_t* bits = column.validity().data();
    for (int64_t i = 0; i < length; ++i) {
      const bool valid = GetBit(bits, i);
      out.min = std::min(out.min, valid ? data[i] : highest);
      out.max = std::max(out.max, valid ? data[i] : lowest);
    }
  }
  return out;
}

// Number of bytes of the UTF-8 sequence starting at text[i], or 0 when it is not valid UTF-8
// (overlong forms, surrogates and code points above U+10FFFF are invalid).
size_t Utf8SequenceLength(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;  // allowed range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (size_t k = 2; k < length; ++k) {
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  }
  return length;
}

bool IsValidUtf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    const size_t length = Utf8SequenceLength(text, i);
    if (length == 0) return false;
    i += length;
  }
  return true;
}

// Byte offset just past the shortest prefix of valid UTF-8 `text` holding at least `units` UTF-16
// code units, the unit Spark counts string lengths in (a character beyond U+FFFF counts two and is
// never split, so the prefix may hold units + 1). *prefix_units receives the prefix's count.
size_t PrefixBytes(std::string_view text, int units, int* prefix_units) {
  size_t i = 0;
  int count = 0;
  while (count < units && i < text.size()) {
    const size_t length = Utf8SequenceLength(text, i);
    i += length;
    count += length == 4 ? 2 : 1;
  }
  *prefix_units = count;
  return i;
}

// Spark's truncateMinStringAgg: the first kStringPrefixLength UTF-16 units of valid UTF-8 `min`.
std::string_view TruncateMin(std::string_view min) {
  int units = 0;
  return min.substr(0, PrefixBytes(min, kStringPrefixLength, &units));
}

// Spark's truncateMaxStringAgg on valid UTF-8: a string of at most kStringPrefixLength UTF-16 units
// is kept; otherwise the prefix is followed by U+007F when the first dropped character is below
// it, else by U+10FFFF (the prefix first extends over U+10FFFF characters, which nothing exceeds,
// up to twice the prefix length). The result is ≥ every string that is ≤ `max`. nullopt when no
// short enough bound exists.
std::optional<std::string> TruncateMax(std::string_view max) {
  int units = 0;
  size_t position = PrefixBytes(max, kStringPrefixLength, &units);
  while (units <= 2 * kStringPrefixLength) {
    if (position >= max.size()) return std::string(max);
    if (max.substr(position, kMaxCodePoint.size()) == kMaxCodePoint) {
      position += kMaxCodePoint.size();
      units += 2;
      continue;
    }
    std::string out(max.substr(0, position));
    if (static_cast<unsigned char>(max[position]) < static_cast<unsigned char>(kAsciiMax)) {
      out += kAsciiMax;
    } else {
      out += kMaxCodePoint;
    }
    return out;
  }
  return std::nullopt;
}

// "2024-01-02T03:04:05.123Z", truncated down to the millisecond (as Spark writes stats).
void AppendStatTimestamp(int64_t micros, std::string* out) {
  const int64_t millis = columnar::FloorDiv(micros, kMicrosPerMilli);
  const int64_t millis_per_day = columnar::kMicrosPerDay / kMicrosPerMilli;
  const int64_t days = columnar::FloorDiv(millis, millis_per_day);
  const int64_t in_day = millis - days * millis_per_day;
  columnar::AppendDate(static_cast<int32_t>(days), out);
  out->push_back('T');
  columnar::AppendDigits(in_day / 3600000, 2, out);
  out->push_back(':');
  columnar::AppendDigits(in_day / 60000 % 60, 2, out);
  out->push_back(':');
  columnar::AppendDigits(in_day / 1000 % 60, 2, out);
  out->push_back('.');
  columnar::AppendDigits(in_day % 1000, 3, out);
  out->push_back('Z');
}

// Dates written in stats must have four-digit years (0001..9999): readers parse nothing else.
bool InWritableYearRange(int64_t days) {
  static const int64_t kFirst = columnar::DaysFromCivil(1, 1, 1);
  static const int64_t kLast = columnar::DaysFromCivil(9999, 12, 31);
  return days >= kFirst && days <= kLast;
}

bool AppendDouble(double value, std::string* out) {
  if (!std::isfinite(value)) return false;  // JSON has no Infinity
  char buffer[32];
  const auto [end, error] = std::to_chars(buffer, buffer + sizeof(buffer), value);
  if (error != std::errc()) return false;
  out->append(buffer, end);
  return true;
}

// ---- Parsing -----------------------------------------------------------------------------------

// One scalar of the stats JSON, kept with its text so decimals parse exactly.
struct RawValue {
  enum class Kind : uint8_t { kOther, kInteger, kNumber, kString };
  Kind kind = Kind::kOther;
  int64_t integer = 0;  // kInteger
  double number = 0;    // kInteger and kNumber
  std::string text;     // kInteger and kNumber: the number's text; kString: the value
};

// Streams the stats JSON, keeping numRecords, tightBounds and the scalars directly under
// minValues, maxValues and nullCount (nested objects, i.e. struct columns, are skipped).
class StatsSaxHandler final : public nlohmann::json_sax<nlohmann::json> {
 public:
  std::map<std::string, RawValue> min_values;
  std::map<std::string, RawValue> max_values;
  std::map<std::string, RawValue> null_counts;
  std::optional<int64_t> num_records;
  std::optional<bool> tight_bounds;
  bool root_is_object = false;
  std::string error;

  bool null() override { return Scalar(RawValue{}); }
  bool boolean(bool value) override {
    if (depth_ == 1 && top_key_ == "tightBounds") tight_bounds = value;
    return Scalar(RawValue{});
  }
  bool number_integer(number_integer_t value) override {
    RawValue raw;
    raw.kind = RawValue::Kind::kInteger;
    raw.integer = value;
    raw.number = static_cast<double>(value);
    raw.text = std::to_string(value);
    return Scalar(std::move(raw));
  }
  bool number_unsigned(number_unsigned_t value) override {
    RawValue raw;
    raw.number = static_cast<double>(value);
    raw.text = std::to_string(value);
    if (value <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      raw.kind = RawValue::Kind::kInteger;
      raw.integer = static_cast<int64_t>(value);
    } else {
      raw.kind = RawValue::Kind::kNumber;
    }
    return Scalar(std::move(raw));
  }
  bool number_float(number_float_t value, const string_t& text) override {
    RawValue raw;
    raw.kind = RawValue::Kind::kNumber;
    raw.number = value;
    raw.text = text;
    return Scalar(std::move(raw));
  }
  bool string(string_t& value) override {
    RawValue raw;
    raw.kind = RawValue::Kind::kString;
    raw.text = std::move(value);
    return Scalar(std::move(raw));
  }
  bool binary(binary_t& /*value*/) override { return Scalar(RawValue{}); }
  bool start_object(std::size_t /*elements*/) override {
    if (depth_ == 0) root_is_object = true;
    if (depth_ == 1) {
      if (top_key_ == "minValues") {
        section_ = &min_values;
      } else if (top_key_ == "maxValues") {
        section_ = &max_values;
      } else if (top_key_ == "nullCount") {
        section_ = &null_counts;
      }
    }
    ++depth_;
    return true;
  }
  bool key(string_t& value) override {
    if (depth_ == 1) {
      top_key_ = value;
    } else if (depth_ == 2) {
      column_key_ = value;
    }
    return true;
  }
  bool end_object() override { return Close(); }
  bool start_array(std::size_t /*elements*/) override {
    if (depth_ == 0) {
      error = "the root is an array, not an object";
      return false;
    }
    ++depth_;
    return true;
  }
  bool end_array() override { return Close(); }
  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& exception) override {
    error = exception.what();
    return false;
  }

 private:
  bool Scalar(RawValue value) {
    if (depth_ == 0) {
      error = "the root is not an object";
      return false;
    }
    if (depth_ == 1 && top_key_ == "numRecords" && value.kind == RawValue::Kind::kInteger) {
      num_records = value.integer;
    }
    if (depth_ == 2 && section_ != nullptr) (*section_)[column_key_] = std::move(value);
    return true;
  }
  bool Close() {
    --depth_;
    if (depth_ <= 1) section_ = nullptr;
    return true;
  }

  int depth_ = 0;
  std::string top_key_;
  std::string column_key_;
  std::map<std::string, RawValue>* section_ = nullptr;
};

// A float column's stats are the float printed in shortest form; read as a double that text may
// lie up to half a float step on the wrong side of the float's exact value. Widens `value` by one
// float step unless it is exactly a float (then it is the float's value).
double WidenForFloat(double value, bool upward) {
  if (!std::isfinite(value) || std::fabs(value) > static_cast<double>(FLT_MAX)) return value;
  const float nearest = static_cast<float>(value);
  if (static_cast<double>(nearest) == value) return value;
  const float next = std::nextafter(nearest, upward ? std::numeric_limits<float>::infinity()
                                                    : -std::numeric_limits<float>::infinity());
  return upward ? std::max(value, static_cast<double>(next))
                : std::min(value, static_cast<double>(next));
}

// The comparable form of a min (is_max false) or max statistic, or nullopt when unusable.
std::optional<StatValue> ConvertBound(const RawValue& raw, const DataType& type, bool is_max) {
  using Kind = RawValue::Kind;
  switch (type.id()) {
    case TypeId::kInt32:
    case TypeId::kInt64:
    case TypeId::kTime:
      if (raw.kind != Kind::kInteger) return std::nullopt;
      return StatValue(raw.integer);
    case TypeId::kFloat64:
      if (raw.kind != Kind::kInteger && raw.kind != Kind::kNumber) return std::nullopt;
      if (std::isnan(raw.number)) return std::nullopt;
      return StatValue(WidenForFloat(raw.number, is_max));
    case TypeId::kDecimal: {
      if (raw.kind != Kind::kInteger && raw.kind != Kind::kNumber) return std::nullopt;
      Int128 unscaled = 0;
      if (columnar::ParseDecimal(raw.text, columnar::kMaxDecimalPrecision, type.scale(),
                                 &unscaled) != columnar::DecimalParseError::kOk) {
        return std::nullopt;
      }
      return StatValue(unscaled);
    }
    case TypeId::kDate: {
      int32_t days = 0;
      if (raw.kind != Kind::kString ||
          !columnar::ParseDate(raw.text, columnar::DateOrder::kYMD, &days)) {
        return std::nullopt;
      }
      return StatValue(static_cast<int64_t>(days));
    }
    case TypeId::kTimestamp: {
      int64_t micros = 0;
      if (raw.kind != Kind::kString ||
          !columnar::ParseTimestamp(raw.text, columnar::DateOrder::kYMD, &micros)) {
        return std::nullopt;
      }
      // Writers truncate to milliseconds: the file may hold values up to 999 µs above the max.
      if (is_max && micros % kMicrosPerMilli == 0) {
        micros = micros > std::numeric_limits<int64_t>::max() - (kMicrosPerMilli - 1)
                     ? std::numeric_limits<int64_t>::max()
                     : micros + (kMicrosPerMilli - 1);
      }
      return StatValue(micros);
    }
    case TypeId::kString: {
      if (raw.kind != Kind::kString) return std::nullopt;
      std::string value = raw.text;
      const std::string_view view(value);
      if (is_max && (view.size() < kMaxCodePoint.size() ||
                     view.substr(view.size() - kMaxCodePoint.size()) != kMaxCodePoint)) {
        value += kMaxCodePoint;
      }
      return StatValue(std::move(value));
    }
    case TypeId::kBool:
    case TypeId::kBinary:
    case TypeId::kJson:
      return std::nullopt;
  }
  return std::nullopt;
}

// Removes one pair of surrounding quotes ('...' or "..."); a doubled quote inside stands for one.
std::string Unquote(std::string_view text) {
  if (text.size() >= 2 && (text.front() == '\'' || text.front() == '"') &&
      text.back() == text.front()) {
    const char quote = text.front();
    const std::string_view inner = text.substr(1, text.size() - 2);
    std::string out;
    out.reserve(inner.size());
    for (size_t i = 0; i < inner.size(); ++i) {
      out.push_back(inner[i]);
      if (inner[i] == quote && i + 1 < inner.size() && inner[i + 1] == quote) ++i;
    }
    return out;
  }
  return std::string(text);
}

template <typename T>
bool ParseNumber(std::string_view text, T* out) {
  if (!text.empty() && text.front() == '+') {
    text.remove_prefix(1);
    if (!text.empty() && (text.front() == '+' || text.front() == '-')) return false;
  }
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

// ---- StatsCollector ----------------------------------------------------------------------------

StatsCollector::StatsCollector(columnar::SchemaPtr schema, int indexed_columns)
    : schema_(std::move(schema)) {
  const size_t fields = schema_ ? schema_->num_fields() : 0;
  indexed_columns_ =
      indexed_columns < 0 ? fields : std::min(fields, static_cast<size_t>(indexed_columns));
  columns_.resize(indexed_columns_);
}

void StatsCollector::Update(const columnar::Batch& batch) {
  num_records_ += batch.num_rows();
  const size_t count = std::min(indexed_columns_, batch.num_columns());
  for (size_t i = 0; i < count; ++i) {
    UpdateColumn(batch.column(i), schema_->field(i).type, &columns_[i]);
  }
}

void StatsCollector::UpdateColumn(const Column& column, const DataType& type, ColumnState* state) {
  state->null_count += column.null_count();
  if (state->unusable) return;
  if (!(column.type() == type)) {
    state->unusable = true;
    return;
  }
  if (column.null_count() == column.length()) return;  // no values
  switch (type.id()) {
    case TypeId::kInt32:
    case TypeId::kDate: {
      const auto extremes = PrimitiveExtremes<int32_t>(static_cast<const Int32Column&>(column),
                                                       std::numeric_limits<int32_t>::lowest(),
                                                       std::numeric_limits<int32_t>::max());
      state->int_min =
          state->has_value ? std::min<int64_t>(state->int_min, extremes.min) : extremes.min;
      state->int_max =
          state->has_value ? std::max<int64_t>(state->int_max, extremes.max) : extremes.max;
      state->has_value = true;
      break;
    }
    case TypeId::kInt64:
    case TypeId::kTime:
    case TypeId::kTimestamp: {
      const auto extremes = PrimitiveExtremes<int64_t>(static_cast<const Int64Column&>(column),
                                                       std::numeric_limits<int64_t>::lowest(),
                                                       std::numeric_limits<int64_t>::max());
      state->int_min = state->has_value ? std::min(state->int_min, extremes.min) : extremes.min;
      state->int_max = state->has_value ? std::max(state->int_max, extremes.max) : extremes.max;
      state->has_value = true;
      break;
    }
    case TypeId::kFloat64: {
      const auto extremes = PrimitiveExtremes<double>(static_cast<const Float64Column&>(column),
                                                      -std::numeric_limits<double>::infinity(),
                                                      std::numeric_limits<double>::infinity());
      if (!(extremes.min <= extremes.max)) break;  // only NaN
      state->double_min =
          state->has_value ? std::min(state->double_min, extremes.min) : extremes.min;
      state->double_max =
          state->has_value ? std::max(state->double_max, extremes.max) : extremes.max;
      state->has_value = true;
      break;
    }
    case TypeId::kDecimal: {
      const auto extremes = PrimitiveExtremes<Int128>(static_cast<const DecimalColumn&>(column),
                                                      kInt128Min, kInt128Max);
      state->decimal_min =
          state->has_value ? std::min(state->decimal_min, extremes.min) : extremes.min;
      state->decimal_max =
          state->has_value ? std::max(state->decimal_max, extremes.max) : extremes.max;
      state->has_value = true;
      break;
    }
    case TypeId::kString: {
      const auto& strings = static_cast<const StringColumn&>(column);
      std::string_view min;
      std::string_view max;
      bool found = false;
      // A column of one repeated value: its first row says it all.
      const int64_t length = strings.repeats_one_value() ? 1 : strings.length();
      for (int64_t i = 0; i < length; ++i) {
        if (strings.IsNull(i)) continue;
        const std::string_view value = strings.Value(i);
        if (!found) {
          min = max = value;
          found = true;
        } else if (value < min) {
          min = value;
        } else if (value > max) {
          max = value;
        }
      }
      if (!found) break;
      if (!state->has_value || min < state->string_min) state->string_min.assign(min);
      if (!state->has_value || max > state->string_max) state->string_max.assign(max);
      state->has_value = true;
      break;
    }
    case TypeId::kBool:
    case TypeId::kBinary:
    case TypeId::kJson:
      break;
  }
}

std::string StatsCollector::ToJson() const {
  std::string out = "{\"numRecords\":";
  out += std::to_string(num_records_);
  std::string value;
  // Appends "name":value for each column whose bound can be written.
  const auto append_bounds = [&](bool is_max) {
    bool first = true;
    for (size_t i = 0; i < indexed_columns_; ++i) {
      const ColumnState& state = columns_[i];
      if (!state.has_value || state.unusable) continue;
      const DataType& type = schema_->field(i).type;
      value.clear();
      bool ok = true;
      switch (type.id()) {
        case TypeId::kInt32:
        case TypeId::kInt64:
        case TypeId::kTime:
          value = std::to_string(is_max ? state.int_max : state.int_min);
          break;
        case TypeId::kDate: {
          const int64_t days = is_max ? state.int_max : state.int_min;
          ok = InWritableYearRange(days);
          if (!ok) break;
          value.push_back('"');
          columnar::AppendDate(static_cast<int32_t>(days), &value);
          value.push_back('"');
          break;
        }
        case TypeId::kTimestamp: {
          const int64_t micros = is_max ? state.int_max : state.int_min;
          ok = InWritableYearRange(columnar::FloorDiv(micros, columnar::kMicrosPerDay));
          if (!ok) break;
          value.push_back('"');
          AppendStatTimestamp(micros, &value);
          value.push_back('"');
          break;
        }
        case TypeId::kFloat64:
          ok = AppendDouble(is_max ? state.double_max : state.double_min, &value);
          break;
        case TypeId::kDecimal:
          columnar::AppendDecimal(is_max ? state.decimal_max : state.decimal_min, type.scale(),
                                  &value);
          break;
        case TypeId::kString: {
          const std::string& bound = is_max ? state.string_max : state.string_min;
          if (!IsValidUtf8(bound)) {
            ok = false;
          } else if (is_max) {
            const std::optional<std::string> truncated = TruncateMax(bound);
            ok = truncated.has_value();
            if (ok) columnar::AppendJsonString(*truncated, &value);
          } else {
            columnar::AppendJsonString(TruncateMin(bound), &value);
          }
          break;
        }
        case TypeId::kBool:
        case TypeId::kBinary:
        case TypeId::kJson:
          ok = false;
          break;
      }
      if (!ok) continue;
      if (!first) out.push_back(',');
      first = false;
      columnar::AppendJsonString(schema_->field(i).name, &out);
      out.push_back(':');
      out += value;
    }
  };
  out += ",\"minValues\":{";
  append_bounds(false);
  out += "},\"maxValues\":{";
  append_bounds(true);
  out += "},\"nullCount\":{";
  for (size_t i = 0; i < indexed_columns_; ++i) {
    if (i > 0) out.push_back(',');
    columnar::AppendJsonString(schema_->field(i).name, &out);
    out.push_back(':');
    out += std::to_string(columns_[i].null_count);
  }
  out += "}}";
  return out;
}

// ---- Parsing and comparing ---------------------------------------------------------------------

Result<FileStats> ParseStats(std::string_view stats_json, const columnar::Schema& table_schema) {
  StatsSaxHandler handler;
  bool parsed = false;
  try {
    parsed = nlohmann::json::sax_parse(stats_json, &handler);
  } catch (const nlohmann::json::exception& exception) {
    handler.error = exception.what();
  }
  if (!parsed || !handler.root_is_object) {
    return Status::DataError("file statistics: malformed JSON" +
                             (handler.error.empty() ? std::string() : ": " + handler.error));
  }
  FileStats stats;
  stats.num_records = handler.num_records;
  const bool tight = handler.tight_bounds.value_or(true);
  for (const columnar::Field& field : table_schema.fields()) {
    ColumnStats column;
    if (auto it = handler.min_values.find(field.name); it != handler.min_values.end()) {
      column.min = ConvertBound(it->second, field.type, /*is_max=*/false);
    }
    if (auto it = handler.max_values.find(field.name); it != handler.max_values.end()) {
      column.max = ConvertBound(it->second, field.type, /*is_max=*/true);
    }
    if (auto it = handler.null_counts.find(field.name); it != handler.null_counts.end()) {
      const RawValue& raw = it->second;
      if (raw.kind == RawValue::Kind::kInteger && raw.integer >= 0) {
        // Wide bounds: only "none null" and "all null" carry information.
        if (tight || raw.integer == 0 || raw.integer == stats.num_records) {
          column.null_count = raw.integer;
        }
      }
    }
    if (column.min || column.max || column.null_count) {
      stats.columns.emplace(field.name, std::move(column));
    }
  }
  return stats;
}

int CompareStatValues(const StatValue& a, const StatValue& b) {
  if (a.index() != b.index()) return a.index() < b.index() ? -1 : 1;
  const auto three_way = [](const auto& x, const auto& y) { return x < y ? -1 : (y < x ? 1 : 0); };
  switch (a.index()) {
    case 1:
      return three_way(std::get<int64_t>(a), std::get<int64_t>(b));
    case 2:
      return three_way(std::get<Int128>(a), std::get<Int128>(b));
    case 3:
      return three_way(std::get<double>(a), std::get<double>(b));
    case 4: {
      const std::string& x = std::get<std::string>(a);
      const std::string& y = std::get<std::string>(b);
      const int prefix = std::memcmp(x.data(), y.data(), std::min(x.size(), y.size()));
      if (prefix != 0) return prefix < 0 ? -1 : 1;
      return three_way(x.size(), y.size());
    }
    default:
      return 0;
  }
}

StatValue StatValueAt(const Column& column, int64_t row) {
  if (column.IsNull(row)) return std::monostate{};
  switch (column.type().id()) {
    case TypeId::kInt32:
    case TypeId::kDate:
      return static_cast<int64_t>(static_cast<const Int32Column&>(column).Value(row));
    case TypeId::kInt64:
    case TypeId::kTime:
    case TypeId::kTimestamp:
      return static_cast<const Int64Column&>(column).Value(row);
    case TypeId::kFloat64: {
      const double value = static_cast<const Float64Column&>(column).Value(row);
      if (std::isnan(value)) return std::monostate{};
      return value;
    }
    case TypeId::kDecimal:
      return static_cast<const DecimalColumn&>(column).Value(row);
    case TypeId::kString:
      return std::string(static_cast<const StringColumn&>(column).Value(row));
    case TypeId::kBool:
    case TypeId::kBinary:
    case TypeId::kJson:
      return std::monostate{};
  }
  return std::monostate{};
}

Result<StatValue> ParseStatLiteral(std::string_view text, DataType type) {
  const std::string literal = Unquote(TrimAsciiSpace(text));
  const auto invalid = [&](std::string_view why) {
    return Status::InvalidArgument("cannot parse '" + std::string(text) + "' as " +
                                   type.ToString() + ": " + std::string(why));
  };
  switch (type.id()) {
    case TypeId::kInt32:
    case TypeId::kInt64: {
      int64_t value = 0;
      if (!ParseNumber(literal, &value)) return invalid("not an integer");
      if (type.id() == TypeId::kInt32 && (value < std::numeric_limits<int32_t>::min() ||
                                          value > std::numeric_limits<int32_t>::max())) {
        return invalid("out of the int32 range");
      }
      return StatValue(value);
    }
    case TypeId::kFloat64: {
      double value = 0;
      if (!ParseNumber(literal, &value) || std::isnan(value)) return invalid("not a number");
      return StatValue(value);
    }
    case TypeId::kDecimal: {
      Int128 unscaled = 0;
      switch (columnar::ParseDecimal(literal, type.precision(), type.scale(), &unscaled)) {
        case columnar::DecimalParseError::kOk:
          return StatValue(unscaled);
        case columnar::DecimalParseError::kSyntax:
          return invalid("not a decimal number");
        case columnar::DecimalParseError::kTooManyFractionDigits:
          return invalid("more than " + std::to_string(type.scale()) + " fraction digits");
        case columnar::DecimalParseError::kOverflow:
          return invalid("more than " + std::to_string(type.precision()) + " digits");
      }
      return invalid("not a decimal number");
    }
    case TypeId::kDate: {
      int32_t days = 0;
      if (!columnar::ParseDate(literal, columnar::DateOrder::kYMD, &days)) {
        return invalid("not a date (YYYY-MM-DD)");
      }
      return StatValue(static_cast<int64_t>(days));
    }
    case TypeId::kTimestamp: {
      int64_t micros = 0;
      if (columnar::ParseTimestamp(literal, columnar::DateOrder::kYMD, &micros)) {
        return StatValue(micros);
      }
      int32_t days = 0;
      if (columnar::ParseDate(literal, columnar::DateOrder::kYMD, &days)) {
        return StatValue(static_cast<int64_t>(days) * columnar::kMicrosPerDay);
      }
      return invalid("not a timestamp (YYYY-MM-DDTHH:MM:SS[.ffffff][Z|+HH:MM])");
    }
    case TypeId::kTime: {
      int64_t micros = 0;
      if (!columnar::ParseTime(literal, &micros)) return invalid("not a time (HH:MM:SS)");
      return StatValue(micros);
    }
    case TypeId::kString:
      return StatValue(literal);
    case TypeId::kBool:
    case TypeId::kBinary:
    case TypeId::kJson:
      return invalid("columns of this type have no statistics");
  }
  return invalid("unsupported type");
}

Result<StatValue> PartitionStatValue(std::string_view text, columnar::DataType type) {
  if (type.id() == columnar::TypeId::kString) return StatValue(std::string(text));
  return ParseStatLiteral(text, type);
}

}  // namespace sluice::lake

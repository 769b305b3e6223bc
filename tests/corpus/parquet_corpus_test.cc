// Conformance of the Parquet reader over ../shared/corpus/parquet (see its MANIFEST.md), driven by
// the corpus's INDEX.json.
//
//   `read` files    open and read whole; the row count is the reference's (the
//                   *.reference.jsonl line count, else the expected.json row count, else the
//                   footer's). Every value is compared with the *.reference.jsonl rows (DuckDB
//                   1.5.6 output) and with the values *.expected.json / *.expected.csv state. Each
//                   file is read a second time (one thread, small batches, columns projected in
//                   reverse order), which must give the same cells.
//   `error` files   must fail with DataError or InvalidArgument (never crash).
//   `either` files  must not crash; the corrupt-checksum file must fail with a checksum error when
//                   checksums are verified and read its 1000 rows when they are not.
//
// DuckDB's JSON conventions are normalized when comparing (see MatchCell and NestedEqual):
// timestamps "YYYY-MM-DD HH:MM:SS[.ffffff][+00]", decimals as JSON numbers, blobs as strings with
// \xNN escapes, maps as objects or lists of {key, value}, NaN as the string "NaN". Where sluice's
// documented type mapping differs from DuckDB's, the normalization says so where it is applied.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "sluice/columnar/decimal.h"
#include "sluice/columnar/temporal.h"
#include "sluice/columnar/value_formatter.h"
#include "sluice/formats/parquet/parquet_reader.h"
#include "sluice/formats/parquet/parquet_schema.h"

namespace sluice::parquet {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using columnar::TypeId;

const fs::path kCorpus = fs::path(SLUICE_CORPUS_DIR) / "parquet";

#define SKIP_WITHOUT_CORPUS()                                                               \
  do {                                                                                      \
    if (!fs::is_regular_file(kCorpus / "INDEX.json")) {                                     \
      std::printf("Parquet corpus absent (no %s), skipping\n",                              \
                  (kCorpus / "INDEX.json").string().c_str());                               \
      GTEST_SKIP() << "Parquet corpus absent (no " << (kCorpus / "INDEX.json").string()     \
                   << "): set SLUICE_CORPUS_DIR to a checkout of the shared corpus to run"; \
    }                                                                                       \
  } while (false)

// Cell mismatches reported per file before the rest are only counted.
constexpr int kMaxReportedMismatches = 12;
// float32 and float16 values: DuckDB and sluice may print them from different widths.
constexpr double kFloat32Tolerance = 1e-6;
constexpr double kFloat64Tolerance = 1e-15;

std::string ReadText(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

std::string Show(const Json& value) {
  if (value.is_binary()) {
    return std::string(value.get_binary().begin(), value.get_binary().end());
  }
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

// --- Reading reference JSON with the exact text of its non-integer numbers -------------------
//
// A decimal(38,17) does not survive a round trip through double, so non-integer numbers are kept
// as their text: a JSON *binary* value (which JSON text itself never produces) holding the token.

class RawNumberBuilder {
 public:
  using string_t = Json::string_t;

  bool null() { return Add(Json(nullptr)) != nullptr; }
  bool boolean(bool value) { return Add(Json(value)) != nullptr; }
  bool number_integer(Json::number_integer_t value) { return Add(Json(value)) != nullptr; }
  bool number_unsigned(Json::number_unsigned_t value) { return Add(Json(value)) != nullptr; }
  bool number_float(Json::number_float_t, const string_t& text) {
    return Add(Json::binary(std::vector<uint8_t>(text.begin(), text.end()))) != nullptr;
  }
  bool string(string_t& value) { return Add(Json(value)) != nullptr; }
  bool binary(Json::binary_t& value) { return Add(Json::binary(value)) != nullptr; }
  bool start_object(std::size_t) {
    stack_.push_back(Add(Json::object()));
    return true;
  }
  bool key(string_t& key) {
    key_ = key;
    return true;
  }
  bool end_object() {
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t) {
    stack_.push_back(Add(Json::array()));
    return true;
  }
  bool end_array() {
    stack_.pop_back();
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) {
    failed_ = true;
    return false;
  }

  bool failed() const { return failed_; }
  Json& root() { return root_; }

 private:
  // Ancestors on the stack are not modified while a child is open, so their addresses hold.
  Json* Add(Json value) {
    if (stack_.empty()) {
      root_ = std::move(value);
      return &root_;
    }
    Json* parent = stack_.back();
    if (parent->is_array()) {
      parent->push_back(std::move(value));
      return &parent->back();
    }
    Json& slot = (*parent)[key_];
    slot = std::move(value);
    return &slot;
  }

  Json root_;
  std::vector<Json*> stack_;
  std::string key_;
  bool failed_ = false;
};

// DuckDB 1.5.6 writes non-finite doubles as bare NaN, Infinity and -Infinity tokens, which JSON
// does not have; they become the strings "NaN", "Infinity" and "-Infinity".
std::string QuoteNonFiniteTokens(const std::string& text) {
  std::string out;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && i + 1 < text.size()) {
        out.push_back(text[++i]);
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') in_string = true;
    bool replaced = false;
    for (const char* token : {"NaN", "-Infinity", "Infinity"}) {
      const size_t length = std::strlen(token);
      if (text.compare(i, length, token) == 0) {
        out += std::string("\"") + token + "\"";
        i += length - 1;
        replaced = true;
        break;
      }
    }
    if (!replaced) out.push_back(c);
  }
  return out;
}

std::optional<Json> ParseRaw(const std::string& json_text) {
  const std::string text = QuoteNonFiniteTokens(json_text);
  RawNumberBuilder builder;
  const bool ok = Json::sax_parse(text, &builder, Json::input_format_t::json, true);
  if (!ok || builder.failed()) return std::nullopt;
  return std::move(builder.root());
}

// The text of a number (integer or raw float) of a reference value.
std::optional<std::string> NumberText(const Json& value) {
  if (value.is_binary()) return std::string(value.get_binary().begin(), value.get_binary().end());
  if (value.is_number_integer()) return value.dump();
  if (value.is_number_float()) return value.dump();
  return std::nullopt;
}

// --- The corpus index ------------------------------------------------------------------------

struct Entry {
  std::string file;
  std::string expect;  // read | error | either
  std::optional<int64_t> footer_rows;
  std::vector<std::string> expected_files;
};

std::vector<Entry> LoadIndex() {
  std::vector<Entry> entries;
  const Json index = Json::parse(ReadText(kCorpus / "INDEX.json"), nullptr, false);
  if (!index.is_array()) return entries;
  for (const Json& item : index) {
    Entry entry;
    entry.file = item.at("file").get<std::string>();
    entry.expect = item.at("expect").get<std::string>();
    if (item.contains("footer") && item["footer"].is_object() &&
        item["footer"].contains("num_rows") && item["footer"]["num_rows"].is_number_integer()) {
      entry.footer_rows = item["footer"]["num_rows"].get<int64_t>();
    }
    if (item.contains("expected_files") && item["expected_files"].is_array()) {
      for (const Json& name : item["expected_files"]) {
        entry.expected_files.push_back(name.get<std::string>());
      }
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

bool EndsWith(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::optional<fs::path> ExpectedFile(const Entry& entry, const std::string& suffix) {
  for (const std::string& name : entry.expected_files) {
    if (EndsWith(name, suffix)) return (kCorpus / entry.file).parent_path() / name;
  }
  return std::nullopt;
}

// --- Reading a file --------------------------------------------------------------------------

struct Table {
  Status status;
  columnar::SchemaPtr schema;
  std::vector<columnar::BatchPtr> batches;
  // (batch, row in batch) of every row.
  std::vector<std::pair<size_t, int64_t>> rows;
  int64_t records_read = 0;
  std::optional<FileMetaData> metadata;
  // Per column: its values came from float32 or float16 (compared with kFloat32Tolerance).
  std::vector<bool> narrow_float;

  int64_t num_rows() const { return static_cast<int64_t>(rows.size()); }
  std::optional<size_t> Column(const std::string& name) const {
    return schema ? schema->FieldIndex(name) : std::nullopt;
  }
  const columnar::Column& At(size_t column, int64_t row, int64_t* in_batch) const {
    const auto& [batch, local] = rows[static_cast<size_t>(row)];
    *in_batch = local;
    return batches[batch]->column(column);
  }
};

Table ReadTable(const fs::path& path, ParquetReadOptions options = {}) {
  Table table;
  auto reader = ParquetReader::Open(path.string(), options);
  if (!reader.ok()) {
    table.status = reader.status();
    return table;
  }
  table.schema = (*reader)->schema();
  table.metadata = (*reader)->metadata();
  auto parquet_schema = ParquetSchema::Make(table.metadata->schema, path.string());
  for (size_t c = 0; c < table.schema->num_fields(); ++c) {
    bool narrow = false;
    if (parquet_schema.ok()) {
      for (const auto& field : (*parquet_schema)->fields()) {
        if (field->name == table.schema->field(c).name && field->kind == SchemaNode::Kind::kLeaf) {
          narrow = field->conversion == LeafConversion::kFloat ||
                   field->conversion == LeafConversion::kFloat16;
        }
      }
    }
    table.narrow_float.push_back(narrow);
  }
  while (true) {
    auto batch = (*reader)->Next();
    if (!batch.ok()) {
      table.status = batch.status();
      break;
    }
    if (*batch == nullptr) break;
    const size_t index = table.batches.size();
    for (int64_t row = 0; row < (*batch)->num_rows(); ++row) table.rows.emplace_back(index, row);
    table.batches.push_back(*batch);
  }
  table.records_read = (*reader)->records_read();
  return table;
}

// --- Comparing cells -------------------------------------------------------------------------

// DuckDB's rendering of a blob: printable ASCII as is (except \ ' "), other bytes as \xNN.
std::string DuckDBBlobText(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string text;
  for (char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 32 && byte <= 126 && c != '\\' && c != '\'' && c != '"') {
      text.push_back(c);
    } else {
      text += "\\x";
      text.push_back(kHex[byte >> 4]);
      text.push_back(kHex[byte & 15]);
    }
  }
  return text;
}

std::string Hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  for (char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    text.push_back(kHex[byte >> 4]);
    text.push_back(kHex[byte & 15]);
  }
  return text;
}

std::optional<std::string> Base64Decode(const std::string& text) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=') break;
    const size_t value = kAlphabet.find(c);
    if (value == std::string::npos) return std::nullopt;
    buffer = (buffer << 6) | static_cast<uint32_t>(value);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xff));
    }
  }
  return out;
}

// "NaN", "Infinity", "-Infinity" (DuckDB's spellings of non-finite doubles) as doubles.
std::optional<double> NonFinite(const std::string& text) {
  if (text == "NaN" || text == "nan" || text == "-nan") return NAN;
  if (text == "Infinity" || text == "inf") return INFINITY;
  if (text == "-Infinity" || text == "-inf") return -INFINITY;
  return std::nullopt;
}

bool FloatsEqual(double expected, double actual, double tolerance) {
  if (std::isnan(expected) || std::isnan(actual)) return std::isnan(expected) && std::isnan(actual);
  if (std::isinf(expected) || std::isinf(actual)) return expected == actual;
  if (expected == 0 || actual == 0) {
    return expected == actual && std::signbit(expected) == std::signbit(actual);
  }
  return std::fabs(expected - actual) <=
         tolerance * std::max(std::fabs(expected), std::fabs(actual));
}

// Decimal texts ("-012.340", "1e-05") denote the same number: exact digit comparison when both are
// plain decimals, else as doubles.
bool DecimalTextsEqual(const std::string& expected, const std::string& actual) {
  auto normalize = [](std::string text, std::string* out) {
    if (text.find_first_of("eE") != std::string::npos) return false;
    bool negative = false;
    if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
      negative = text[0] == '-';
      text.erase(0, 1);
    }
    const size_t dot = text.find('.');
    std::string whole = text.substr(0, dot);
    std::string fraction = dot == std::string::npos ? "" : text.substr(dot + 1);
    if (whole.find_first_not_of("0123456789") != std::string::npos ||
        fraction.find_first_not_of("0123456789") != std::string::npos) {
      return false;
    }
    whole.erase(0, std::min(whole.find_first_not_of('0'), whole.size()));
    while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
    const bool zero = whole.empty() && fraction.empty();
    *out = (negative && !zero ? "-" : "") + whole + "." + fraction;
    return true;
  };
  std::string a, b;
  if (normalize(expected, &a) && normalize(actual, &b)) return a == b;
  return FloatsEqual(std::strtod(expected.c_str(), nullptr), std::strtod(actual.c_str(), nullptr),
                     1e-15);
}

// Does `ours` (sluice's JSON text of a nested value, parsed) equal DuckDB's `reference` value?
bool NestedEqual(const Json& ours, const Json& reference, std::string* path);

bool NestedScalarEqual(const Json& ours, const Json& reference) {
  if (reference.is_null()) return ours.is_null();
  if (reference.is_boolean()) return ours == reference;
  if (const auto text = NumberText(reference)) {
    if (!ours.is_number()) return false;
    if (ours.is_number_integer() && reference.is_number_integer()) return ours == reference;
    // Nested floats cannot be told from nested decimals here: compare as float32 at worst.
    return FloatsEqual(std::strtod(text->c_str(), nullptr), ours.get<double>(), kFloat32Tolerance);
  }
  if (!reference.is_string()) return false;
  const std::string expected = reference.get<std::string>();
  if (NonFinite(expected)) {
    // sluice's JSON text has no NaN or Infinity: a non-finite double nested in a json column is
    // written as null (documented in value_formatter.h).
    return ours.is_null();
  }
  if (!ours.is_string()) return false;
  const std::string actual = ours.get<std::string>();
  if (actual == expected) return true;
  // Nested timestamps: sluice writes ISO 8601 "…T…Z", DuckDB "… …[+00]".
  int64_t a, b;
  if (columnar::ParseTimestamp(actual, columnar::DateOrder::kYMD, &a) &&
      columnar::ParseTimestamp(expected, columnar::DateOrder::kYMD, &b)) {
    return a == b;
  }
  if (columnar::ParseTime(actual, &a) && columnar::ParseTime(expected, &b)) return a == b;
  // Nested binary: sluice writes base64, DuckDB the \xNN rendering.
  if (const auto bytes = Base64Decode(actual)) return DuckDBBlobText(*bytes) == expected;
  return false;
}

bool NestedEqual(const Json& ours, const Json& reference, std::string* path) {
  if (reference.is_array() && ours.is_object()) {
    // DuckDB may write a map as a list of {key, value}; sluice writes an object keyed by the key's
    // text.
    Json as_object = Json::object();
    for (const Json& entry : reference) {
      if (!entry.is_object() || !entry.contains("key")) return false;
      const Json& key = entry["key"];
      const std::string text = key.is_string() ? key.get<std::string>() : Show(key);
      as_object[text] = entry.contains("value") ? entry["value"] : Json(nullptr);
    }
    return NestedEqual(ours, as_object, path);
  }
  if (reference.is_array()) {
    if (!ours.is_array() || ours.size() != reference.size()) return false;
    for (size_t i = 0; i < reference.size(); ++i) {
      if (!NestedEqual(ours[i], reference[i], path)) {
        *path = "[" + std::to_string(i) + "]" + *path;
        return false;
      }
    }
    return true;
  }
  if (reference.is_object()) {
    if (!ours.is_object() || ours.size() != reference.size()) return false;
    for (const auto& [key, value] : reference.items()) {
      if (!ours.contains(key)) return false;
      if (!NestedEqual(ours[key], value, path)) {
        *path = "." + key + *path;
        return false;
      }
    }
    return true;
  }
  return NestedScalarEqual(ours, reference);
}

// Cells compared with a reference or stated value (reported, so a run that compares nothing shows).
int64_t cells_compared = 0;

// Does `column[row]` hold DuckDB's reference value `expected`? On a mismatch, `why` says what was
// found.
bool MatchCell(const columnar::Column& column, int64_t row, const Json& expected, bool narrow_float,
               std::string* why) {
  ++cells_compared;
  std::string rendered;
  columnar::AppendValue(column, row, columnar::ValueStyle::kJson, &rendered);
  *why = "found " + rendered + " (" + column.type().ToString() + ")";
  if (expected.is_null()) return column.IsNull(row);
  if (column.IsNull(row)) return false;
  switch (column.type().id()) {
    case TypeId::kBool:
      return expected.is_boolean() &&
             static_cast<const columnar::BooleanColumn&>(column).Value(row) == expected.get<bool>();
    case TypeId::kInt32:
      return expected.is_number_integer() &&
             static_cast<const columnar::Int32Column&>(column).Value(row) ==
                 expected.get<int64_t>();
    case TypeId::kInt64:
      return expected.is_number_integer() &&
             static_cast<const columnar::Int64Column&>(column).Value(row) ==
                 expected.get<int64_t>();
    case TypeId::kFloat64: {
      const double actual = static_cast<const columnar::Float64Column&>(column).Value(row);
      std::optional<double> value;
      if (const auto text = NumberText(expected)) {
        value = std::strtod(text->c_str(), nullptr);
      } else if (expected.is_string()) {
        value = NonFinite(expected.get<std::string>());
      }
      if (!value) return false;
      *why += " = " + std::to_string(actual);
      return FloatsEqual(*value, actual, narrow_float ? kFloat32Tolerance : kFloat64Tolerance);
    }
    case TypeId::kDecimal: {
      // UINT64 is read as decimal(20,0) (the documented mapping); the reference's integer compares
      // as a decimal text all the same.
      const auto text = NumberText(expected);
      return text && DecimalTextsEqual(*text, rendered);
    }
    case TypeId::kString:
      return expected.is_string() && static_cast<const columnar::StringColumn&>(column).Value(
                                         row) == expected.get<std::string>();
    case TypeId::kBinary: {
      const auto bytes = static_cast<const columnar::StringColumn&>(column).Value(row);
      *why = "found \"" + DuckDBBlobText(bytes) + "\" (binary)";
      return expected.is_string() && DuckDBBlobText(bytes) == expected.get<std::string>();
    }
    case TypeId::kDate: {
      int32_t days;
      return expected.is_string() &&
             columnar::ParseDate(expected.get<std::string>(), columnar::DateOrder::kYMD, &days) &&
             days == static_cast<const columnar::Int32Column&>(column).Value(row);
    }
    case TypeId::kTime: {
      if (!expected.is_string()) return false;
      std::string text = expected.get<std::string>();
      // sluice's time has no zone; DuckDB marks UTC-adjusted times with "+00".
      if (EndsWith(text, "+00")) text.resize(text.size() - 3);
      int64_t micros;
      return columnar::ParseTime(text, &micros) &&
             micros == static_cast<const columnar::Int64Column&>(column).Value(row);
    }
    case TypeId::kTimestamp: {
      // Both are UTC instants; "+00" (UTC-adjusted) parses as the same instant.
      int64_t micros;
      return expected.is_string() &&
             columnar::ParseTimestamp(expected.get<std::string>(), columnar::DateOrder::kYMD,
                                      &micros) &&
             micros == static_cast<const columnar::Int64Column&>(column).Value(row);
    }
    case TypeId::kJson: {
      const auto text = static_cast<const columnar::StringColumn&>(column).Value(row);
      const Json ours = Json::parse(text, nullptr, false);
      if (ours.is_discarded()) {
        *why += " which is not valid JSON";
        return false;
      }
      std::string path;
      const bool equal = NestedEqual(ours, expected, &path);
      if (!equal && !path.empty()) *why += " (differs at " + path + ")";
      return equal;
    }
  }
  return false;
}

// Does `column[row]` hold the CSV field `text`?
bool MatchText(const columnar::Column& column, int64_t row, const std::string& text,
               bool narrow_float, std::string* why) {
  ++cells_compared;
  std::string rendered;
  columnar::AppendValue(column, row, columnar::ValueStyle::kCsv, &rendered);
  *why = "found '" + rendered + "' (" + column.type().ToString() + ")";
  if (column.IsNull(row)) return false;
  switch (column.type().id()) {
    case TypeId::kInt32:
    case TypeId::kInt64: {
      char* end = nullptr;
      errno = 0;
      const long long value = std::strtoll(text.c_str(), &end, 10);
      const int64_t actual = column.type().id() == TypeId::kInt32
                                 ? static_cast<const columnar::Int32Column&>(column).Value(row)
                                 : static_cast<const columnar::Int64Column&>(column).Value(row);
      return !text.empty() && *end == '\0' && errno == 0 && value == actual;
    }
    case TypeId::kFloat64: {
      const double actual = static_cast<const columnar::Float64Column&>(column).Value(row);
      double value;
      if (const auto special = NonFinite(text)) {
        value = *special;
      } else {
        char* end = nullptr;
        value = std::strtod(text.c_str(), &end);
        if (text.empty() || *end != '\0') return false;
      }
      return FloatsEqual(value, actual, narrow_float ? kFloat32Tolerance : kFloat64Tolerance);
    }
    case TypeId::kDecimal:
      return DecimalTextsEqual(text, rendered);
    case TypeId::kString:
    case TypeId::kBinary:
      return static_cast<const columnar::StringColumn&>(column).Value(row) == text;
    default:
      return rendered == text;
  }
}

// Collects a file's mismatches: the first few are reported, all are counted.
class Mismatches {
 public:
  explicit Mismatches(std::string file) : file_(std::move(file)) {}
  void Add(const std::string& message) {
    if (++count_ <= kMaxReportedMismatches) ADD_FAILURE() << file_ << ": " << message;
  }
  int count() const { return count_; }
  ~Mismatches() {
    if (count_ > kMaxReportedMismatches) {
      ADD_FAILURE() << file_ << ": " << count_ << " mismatches in all (first "
                    << kMaxReportedMismatches << " shown)";
    }
  }

 private:
  std::string file_;
  int count_ = 0;
};

// --- Reference rows (*.reference.jsonl) --------------------------------------------------------

std::vector<Json> LoadReferenceRows(const fs::path& path, Mismatches* mismatches) {
  std::vector<Json> rows;
  std::ifstream file(path, std::ios::binary);
  std::string line;
  while (std::getline(file, line)) {
    if (line.empty()) continue;
    auto row = ParseRaw(line);
    if (!row || !row->is_object()) {
      mismatches->Add("unreadable reference line " + std::to_string(rows.size() + 1));
      continue;
    }
    rows.push_back(std::move(*row));
  }
  return rows;
}

void CompareWithReference(const Table& table, const std::vector<Json>& reference,
                          Mismatches* mismatches) {
  if (reference.empty() || table.num_rows() != static_cast<int64_t>(reference.size())) return;
  // Columns: the reference's keys, in order, are our columns.
  std::vector<std::string> names;
  for (const auto& [key, value] : reference[0].items()) names.push_back(key);
  std::vector<std::string> ours;
  for (size_t c = 0; c < table.schema->num_fields(); ++c)
    ours.push_back(table.schema->field(c).name);
  std::vector<std::string> sorted_names = names, sorted_ours = ours;
  std::sort(sorted_names.begin(), sorted_names.end());
  std::sort(sorted_ours.begin(), sorted_ours.end());
  if (sorted_names != sorted_ours) {
    mismatches->Add("columns differ: reference " + Show(Json(names)) + ", ours " +
                    Show(Json(ours)));
  }
  for (int64_t row = 0; row < table.num_rows(); ++row) {
    const Json& expected = reference[static_cast<size_t>(row)];
    for (const auto& [key, value] : expected.items()) {
      const auto column = table.Column(key);
      if (!column) continue;  // reported above
      int64_t local;
      const columnar::Column& cells = table.At(*column, row, &local);
      std::string why;
      if (!MatchCell(cells, local, value, table.narrow_float[*column], &why)) {
        mismatches->Add("row " + std::to_string(row) + " column '" + key + "': reference " +
                        Show(value) + ", " + why);
      }
    }
  }
}

// --- Companion CSV files (*.expected.csv) ------------------------------------------------------

struct CsvField {
  std::string text;
  bool quoted = false;
};

std::vector<std::vector<CsvField>> ParseCsv(const std::string& text, char delimiter) {
  std::vector<std::vector<CsvField>> records;
  std::vector<CsvField> record;
  CsvField field;
  size_t i = 0;
  bool any = false;
  auto end_field = [&] {
    record.push_back(std::move(field));
    field = CsvField{};
  };
  while (i < text.size()) {
    const char c = text[i];
    if (c == '"' && field.text.empty() && !field.quoted) {
      field.quoted = true;
      ++i;
      while (i < text.size()) {
        if (text[i] == '"') {
          if (i + 1 < text.size() && text[i + 1] == '"') {
            field.text.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        field.text.push_back(text[i++]);
      }
      any = true;
      continue;
    }
    if (c == delimiter) {
      end_field();
      any = true;
      ++i;
      continue;
    }
    if (c == '\r' || c == '\n') {
      if (any || !field.text.empty()) {
        end_field();
        records.push_back(std::move(record));
        record.clear();
      }
      any = false;
      i += (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ? 2 : 1;
      continue;
    }
    field.text.push_back(c);
    any = true;
    ++i;
  }
  if (any || !field.text.empty()) {
    end_field();
    records.push_back(std::move(record));
  }
  return records;
}

// How a companion CSV is written (from its expected.json note).
struct CsvDialect {
  char delimiter = ',';
  bool header = true;
  bool (*is_null)(const CsvField&) = nullptr;
};

const std::map<std::string, CsvDialect>& CsvDialects() {
  static const std::map<std::string, CsvDialect> dialects = {
      // Header, no nulls.
      {"delta_binary_packed.parquet.expected.csv",
       {',', true, [](const CsvField& f) { return f.text.empty() && !f.quoted; }}},
      // Header (" c_customer_id" has a stray leading space), an empty unquoted field is null.
      {"delta_encoding_optional_column.parquet.expected.csv",
       {',', true, [](const CsvField& f) { return f.text.empty() && !f.quoted; }}},
      // No header, columns in file order, a quoted empty string is null.
      {"p2.parquet.expected.csv", {',', false, [](const CsvField& f) { return f.text.empty(); }}},
      // Pipe-delimited with a header, the NULL token is null.
      {"byte_stream_split.parquet.expected.csv",
       {'|', true, [](const CsvField& f) { return !f.quoted && f.text == "NULL"; }}},
  };
  return dialects;
}

void CompareWithCsv(const Table& table, const fs::path& path, Mismatches* mismatches) {
  const auto dialect = CsvDialects().find(path.filename().string());
  if (dialect == CsvDialects().end()) {
    mismatches->Add("no dialect known for " + path.filename().string());
    return;
  }
  auto records = ParseCsv(ReadText(path), dialect->second.delimiter);
  std::vector<std::string> names;
  if (dialect->second.header) {
    if (records.empty()) {
      mismatches->Add(path.filename().string() + " is empty");
      return;
    }
    for (CsvField& field : records[0]) {
      std::string name = field.text;
      while (!name.empty() && name.front() == ' ') name.erase(name.begin());
      names.push_back(name);
    }
    records.erase(records.begin());
  } else {
    for (size_t c = 0; c < table.schema->num_fields(); ++c) {
      names.push_back(table.schema->field(c).name);
    }
  }
  if (static_cast<int64_t>(records.size()) != table.num_rows()) {
    mismatches->Add(path.filename().string() + " has " + std::to_string(records.size()) +
                    " rows, we read " + std::to_string(table.num_rows()));
    return;
  }
  std::vector<std::optional<size_t>> columns;
  for (const std::string& name : names) {
    columns.push_back(table.Column(name));
    if (!columns.back()) mismatches->Add(path.filename().string() + ": no column '" + name + "'");
  }
  for (int64_t row = 0; row < table.num_rows(); ++row) {
    const auto& record = records[static_cast<size_t>(row)];
    if (record.size() != names.size()) {
      mismatches->Add(path.filename().string() + " line " + std::to_string(row + 1) + " has " +
                      std::to_string(record.size()) + " fields");
      continue;
    }
    for (size_t c = 0; c < names.size(); ++c) {
      if (!columns[c]) continue;
      int64_t local;
      const columnar::Column& cells = table.At(*columns[c], row, &local);
      const CsvField& field = record[c];
      std::string why;
      const bool ok =
          dialect->second.is_null(field)
              ? cells.IsNull(local)
              : MatchText(cells, local, field.text, table.narrow_float[*columns[c]], &why);
      if (!ok) {
        mismatches->Add(
            path.filename().string() + " row " + std::to_string(row) + " column '" + names[c] +
            "': expected " +
            (dialect->second.is_null(field) ? std::string("null") : "'" + field.text + "'") + ", " +
            (why.empty() ? "found a value" : why));
      }
    }
  }
}

// --- Stated facts (*.expected.json) ------------------------------------------------------------

// The footer statistics of `column` (one row group) against the stated ones.
void CompareStatistics(const Table& table, const std::string& column, const Json& stated,
                       Mismatches* mismatches) {
  const FileMetaData& metadata = *table.metadata;
  size_t leaf = metadata.schema.size();
  for (size_t i = 1; i < metadata.schema.size(); ++i) {
    if (metadata.schema[i].name == column) leaf = i - 1;  // flat files: leaves follow the root
  }
  if (leaf == metadata.schema.size() || metadata.row_groups.size() != 1 ||
      leaf >= metadata.row_groups[0].columns.size()) {
    mismatches->Add("statistics of '" + column + "': column or row group not found");
    return;
  }
  const auto& meta = metadata.row_groups[0].columns[leaf].meta_data;
  if (!meta || !meta->statistics) {
    mismatches->Add("statistics of '" + column + "' are missing");
    return;
  }
  const Statistics& statistics = *meta->statistics;
  const SchemaElement& element = metadata.schema[leaf + 1];
  const bool half = element.logical && element.logical->kind == LogicalType::Kind::kFloat16;
  auto decode = [&](const std::string& bytes) -> Json {
    if (half && bytes.size() == 2) {
      uint16_t bits;
      std::memcpy(&bits, bytes.data(), 2);
      const int exponent = (bits >> 10) & 0x1f;
      const int mantissa = bits & 0x3ff;
      double value =
          exponent == 0 ? std::ldexp(mantissa, -24) : std::ldexp(mantissa + 1024, exponent - 25);
      if (bits & 0x8000) value = -value;
      return Json(value);
    }
    return Json(bytes);
  };
  for (const auto& [key, value] : stated.items()) {
    const bool is_min = key.rfind("min", 0) == 0;
    const std::optional<std::string>& bytes = is_min ? statistics.min_value : statistics.max_value;
    if (key == "min" || key == "max") {
      if (!bytes) {
        mismatches->Add("statistics of '" + column + "': no " + key);
        continue;
      }
      const Json found = decode(*bytes);
      bool equal = found.is_number() ? FloatsEqual(std::strtod(NumberText(value)->c_str(), nullptr),
                                                   found.get<double>(), 0)
                                     : found == value;
      if (!equal) {
        mismatches->Add("statistics of '" + column + "': " + key + " " + Show(value) + ", found " +
                        Show(found));
      }
    } else if (key == "min_hex" || key == "max_hex") {
      if (!bytes || Hex(*bytes) != value.get<std::string>()) {
        mismatches->Add("statistics of '" + column + "': " + key + " " + Show(value) + ", found " +
                        (bytes ? Hex(*bytes) : "none"));
      }
    } else if (key == "null_count") {
      if (statistics.null_count != value.get<int64_t>()) {
        mismatches->Add("statistics of '" + column + "': null_count " + Show(value));
      }
    } else if (key == "is_min_value_exact" || key == "is_max_value_exact") {
      const std::optional<bool>& flag = key == "is_min_value_exact" ? statistics.is_min_value_exact
                                                                    : statistics.is_max_value_exact;
      if (flag != value.get<bool>()) {
        mismatches->Add("statistics of '" + column + "': " + key + " " + Show(value));
      }
    }
  }
}

// One stated cell: `column[row]` holds `expected` (a reference-style value).
void ExpectCell(const Table& table, const std::string& column, int64_t row, const Json& expected,
                Mismatches* mismatches) {
  const auto index = table.Column(column);
  if (!index || row < 0 || row >= table.num_rows()) {
    mismatches->Add("no cell '" + column + "'[" + std::to_string(row) + "]");
    return;
  }
  int64_t local;
  const columnar::Column& cells = table.At(*index, row, &local);
  std::string why;
  if (!MatchCell(cells, local, expected, table.narrow_float[*index], &why)) {
    mismatches->Add("row " + std::to_string(row) + " column '" + column + "': expected " +
                    Show(expected) + ", " + why);
  }
}

void CompareWithExpectedJson(const Table& table, const fs::path& path, Mismatches* mismatches) {
  const auto parsed = ParseRaw(ReadText(path));
  if (!parsed || !parsed->is_object()) {
    mismatches->Add("unreadable " + path.filename().string());
    return;
  }
  const Json& stated = *parsed;
  if (stated.contains("num_columns") &&
      static_cast<int64_t>(table.schema->num_fields()) != stated["num_columns"].get<int64_t>()) {
    mismatches->Add("expected " + Show(stated["num_columns"]) + " columns, read " +
                    std::to_string(table.schema->num_fields()));
  }
  if (stated.contains("columns") && stated["columns"].is_array()) {
    std::vector<std::string> ours;
    for (size_t c = 0; c < table.schema->num_fields(); ++c) {
      ours.push_back(table.schema->field(c).name);
    }
    if (Json(ours) != stated["columns"]) {
      mismatches->Add("columns " + Show(stated["columns"]) + ", read " + Show(Json(ours)));
    }
  }
  if (stated.contains("values")) {
    for (const auto& [key, value] : stated["values"].items()) {
      if (value.is_array()) {
        if (static_cast<int64_t>(value.size()) != table.num_rows()) {
          mismatches->Add("values of '" + key + "': " + std::to_string(value.size()) +
                          " stated for " + std::to_string(table.num_rows()) + " rows");
          continue;
        }
        for (size_t row = 0; row < value.size(); ++row) {
          ExpectCell(table, key, static_cast<int64_t>(row), value[row], mismatches);
        }
      } else if (EndsWith(key, "_last_hex")) {
        const std::string column = key.substr(0, key.size() - 9);
        const auto index = table.Column(column);
        if (!index || table.num_rows() == 0) {
          mismatches->Add("no column '" + column + "'");
          continue;
        }
        int64_t local;
        const columnar::Column& cells = table.At(*index, table.num_rows() - 1, &local);
        const std::string found =
            cells.IsNull(local)
                ? "null"
                : Hex(static_cast<const columnar::StringColumn&>(cells).Value(local));
        if (found != value.get<std::string>()) {
          mismatches->Add("last value of '" + column + "': " + Show(value) + ", found " + found);
        }
      } else if (EndsWith(key, "_last")) {
        ExpectCell(table, key.substr(0, key.size() - 5), table.num_rows() - 1, value, mismatches);
      } else if (EndsWith(key, "_row1")) {
        ExpectCell(table, key.substr(0, key.size() - 5), 1, value, mismatches);
      } else {
        mismatches->Add("unknown stated value '" + key + "'");
      }
    }
  }
  // binary_truncated_min_max: "columns 1-4 hold the same names as column 1 except the last row".
  if (stated.contains("values") && stated["values"].contains("utf8_full_truncation")) {
    const Json& names = stated["values"]["utf8_full_truncation"];
    for (const char* column :
         {"binary_full_truncation", "utf8_partial_truncation", "binary_partial_truncation"}) {
      for (size_t row = 0; row + 1 < names.size(); ++row) {
        ExpectCell(table, column, static_cast<int64_t>(row), names[row], mismatches);
      }
    }
  }
  if (stated.contains("rows") && stated["rows"].is_array()) {
    std::vector<Json> rows(stated["rows"].begin(), stated["rows"].end());
    // map_no_value: "my_map_no_v has keys only; readers may expose it as a list of keys or a map
    // with null values". sluice reads a MAP without values as a map whose values are all null.
    for (Json& row : rows) {
      for (auto& [key, value] : row.items()) {
        const auto index = table.Column(key);
        if (!index || !value.is_array() || key != "my_map_no_v") continue;
        Json as_map = Json::object();
        for (const Json& element : value) as_map[Show(element)] = nullptr;
        value = as_map;
      }
    }
    if (static_cast<int64_t>(rows.size()) != table.num_rows()) {
      mismatches->Add(std::to_string(rows.size()) + " rows stated, " +
                      std::to_string(table.num_rows()) + " read");
    } else {
      CompareWithReference(table, rows, mismatches);
    }
  }
  // Facts about a single column: its null count and value range.
  if (stated.contains("columns") && stated["columns"].size() == 1 &&
      (stated.contains("null_count") || stated.contains("min_hex"))) {
    const std::string column = stated["columns"][0].get<std::string>();
    const auto index = table.Column(column);
    if (!index) {
      mismatches->Add("no column '" + column + "'");
    } else {
      int64_t nulls = 0;
      std::optional<std::string> min, max;
      for (int64_t row = 0; row < table.num_rows(); ++row) {
        int64_t local;
        const columnar::Column& cells = table.At(*index, row, &local);
        if (cells.IsNull(local)) {
          ++nulls;
          continue;
        }
        const std::string value(static_cast<const columnar::StringColumn&>(cells).Value(local));
        if (!min || value < *min) min = value;
        if (!max || value > *max) max = value;
      }
      if (stated.contains("null_count") && nulls != stated["null_count"].get<int64_t>()) {
        mismatches->Add("'" + column + "' has " + std::to_string(nulls) + " nulls, stated " +
                        Show(stated["null_count"]));
      }
      if (stated.contains("min_hex") &&
          (!min || Hex(*min) != stated["min_hex"].get<std::string>())) {
        mismatches->Add("'" + column + "' minimum " + (min ? Hex(*min) : "none") + ", stated " +
                        Show(stated["min_hex"]));
      }
      if (stated.contains("max_hex") &&
          (!max || Hex(*max) != stated["max_hex"].get<std::string>())) {
        mismatches->Add("'" + column + "' maximum " + (max ? Hex(*max) : "none") + ", stated " +
                        Show(stated["max_hex"]));
      }
    }
  }
  if (stated.contains("statistics")) {
    for (const auto& [column, facts] : stated["statistics"].items()) {
      CompareStatistics(table, column, facts, mismatches);
    }
  }
  if (stated.contains("column_chunk_key_value_metadata")) {
    // Some column chunk carries these pairs ("a key without value may surface as null or empty
    // string").
    bool found = false;
    for (const RowGroup& group : table.metadata->row_groups) {
      for (const ColumnChunk& chunk : group.columns) {
        if (!chunk.meta_data || chunk.meta_data->key_value_metadata.empty()) continue;
        bool all = true;
        for (const auto& [key, value] : stated["column_chunk_key_value_metadata"].items()) {
          bool has = false;
          for (const KeyValue& pair : chunk.meta_data->key_value_metadata) {
            if (pair.key != key) continue;
            has = value.is_null() ? (!pair.value || pair.value->empty())
                                  : pair.value == value.get<std::string>();
          }
          all = all && has;
        }
        found = found || all;
      }
    }
    if (!found) mismatches->Add("no column chunk carries the stated key/value metadata");
  }
  if (stated.contains("self_check")) {
    // byte_stream_split_extended: each *_byte_stream_split column equals its *_plain twin.
    int pairs = 0;
    for (size_t c = 0; c < table.schema->num_fields(); ++c) {
      const std::string& name = table.schema->field(c).name;
      const std::string suffix = "_byte_stream_split";
      if (!EndsWith(name, suffix)) continue;
      const std::string twin = name.substr(0, name.size() - suffix.size()) + "_plain";
      const auto twin_index = table.Column(twin);
      if (!twin_index) {
        mismatches->Add("no PLAIN twin '" + twin + "' for '" + name + "'");
        continue;
      }
      ++pairs;
      if (!(table.schema->field(c).type == table.schema->field(*twin_index).type)) {
        mismatches->Add("'" + name + "' and '" + twin + "' differ in type");
        continue;
      }
      for (int64_t row = 0; row < table.num_rows(); ++row) {
        int64_t local;
        const columnar::Column& split = table.At(c, row, &local);
        const columnar::Column& plain = table.At(*twin_index, row, &local);
        ++cells_compared;
        std::string a, b;
        columnar::AppendValue(split, local, columnar::ValueStyle::kDisplay, &a);
        columnar::AppendValue(plain, local, columnar::ValueStyle::kDisplay, &b);
        if (split.IsNull(local) != plain.IsNull(local) || a != b) {
          mismatches->Add("row " + std::to_string(row) + ": '" + name + "' holds '" + a + "', '" +
                          twin + "' holds '" + b + "'");
        }
      }
    }
    if (pairs * 2 != static_cast<int>(table.schema->num_fields())) {
      mismatches->Add("expected every column to be in a BYTE_STREAM_SPLIT/PLAIN pair, found " +
                      std::to_string(pairs) + " pairs");
    }
  }
}

// Files without a reference of their own whose values another file's reference gives.
// hadoop_lz4_compressed and lz4_raw_compressed hold the same 4 rows in different LZ4 framings
// (Apache Arrow's reader_test.cc TestCodec checks both against the same values).
const std::map<std::string, std::string>& SharedReferences() {
  static const std::map<std::string, std::string> shared = {
      {"apache-parquet-testing/hadoop_lz4_compressed.parquet",
       "apache-parquet-testing/lz4_raw_compressed.parquet.reference.jsonl"},
  };
  return shared;
}

// alltypes_tiny_pages_plain is Impala's functional.alltypes table (7300 rows: ten per day of 2009
// and 2010, one per id), whose generator derives the columns from the id: checks those relations
// on every row (the file has no reference of its own). timestamp_col is left out: its values were
// shifted by the writer's time zone, so its relation to the id is not exact.
void CheckAllTypesInvariants(const Table& table, Mismatches* mismatches) {
  const char* names[] = {"id",         "bool_col",   "tinyint_col", "smallint_col",
                         "int_col",    "bigint_col", "float_col",   "double_col",
                         "string_col", "year",       "month",       "date_string_col"};
  std::map<std::string, size_t> index;
  for (const char* name : names) {
    const auto column = table.Column(name);
    if (!column) {
      mismatches->Add(std::string("no column '") + name + "'");
      return;
    }
    index[name] = *column;
  }
  std::vector<bool> seen(static_cast<size_t>(table.num_rows()), false);
  for (int64_t row = 0; row < table.num_rows(); ++row) {
    int64_t local;
    auto cell = [&](const char* name) -> const columnar::Column& {
      return table.At(index[name], row, &local);
    };
    auto int_at = [&](const char* name) -> int64_t {
      const columnar::Column& column = cell(name);
      return column.type().id() == TypeId::kInt32
                 ? static_cast<const columnar::Int32Column&>(column).Value(local)
                 : static_cast<const columnar::Int64Column&>(column).Value(local);
    };
    const int64_t id = int_at("id");
    if (id < 0 || id >= table.num_rows() || seen[static_cast<size_t>(id)]) {
      mismatches->Add("row " + std::to_string(row) + ": id " + std::to_string(id) +
                      " is out of range or repeated");
      continue;
    }
    seen[static_cast<size_t>(id)] = true;
    const int64_t k = id % 10;
    ++cells_compared;
    const auto& flag = static_cast<const columnar::BooleanColumn&>(cell("bool_col"));
    const auto& floats = static_cast<const columnar::Float64Column&>(cell("float_col"));
    const double float_value = floats.Value(local);
    const auto& doubles = static_cast<const columnar::Float64Column&>(cell("double_col"));
    const double double_value = doubles.Value(local);
    const auto& strings = static_cast<const columnar::StringColumn&>(cell("string_col"));
    const std::string string_value(strings.Value(local));
    const auto& dates = static_cast<const columnar::StringColumn&>(cell("date_string_col"));
    const std::string date_value(dates.Value(local));
    int year;
    unsigned month, day;
    columnar::CivilFromDays(columnar::DaysFromCivil(2009, 1, 1) + static_cast<int32_t>(id / 10),
                            &year, &month, &day);
    char date_text[16];
    std::snprintf(date_text, sizeof(date_text), "%02u/%02u/%02d", month, day, year % 100);
    const bool ok = flag.Value(local) == (id % 2 == 0) && int_at("tinyint_col") == k &&
                    int_at("smallint_col") == k && int_at("int_col") == k &&
                    int_at("bigint_col") == 10 * k &&
                    FloatsEqual(static_cast<float>(1.1 * static_cast<double>(k)), float_value,
                                kFloat32Tolerance) &&
                    FloatsEqual(10.1 * static_cast<double>(k), double_value, 1e-12) &&
                    string_value == std::to_string(k) && date_value == date_text &&
                    int_at("year") == year && int_at("month") == static_cast<int64_t>(month);
    if (!ok) {
      std::string found;
      for (const char* name : names) {
        found += std::string(" ") + name + "=";
        columnar::AppendValue(cell(name), local, columnar::ValueStyle::kJson, &found);
      }
      mismatches->Add("row " + std::to_string(row) + " breaks the alltypes relations:" + found);
    }
  }
}

// The row count a `read` file must give, and where it comes from.
std::optional<int64_t> ExpectedRows(const Entry& entry, std::string* source) {
  if (const auto reference = ExpectedFile(entry, ".reference.jsonl")) {
    std::ifstream file(*reference, std::ios::binary);
    std::string line;
    int64_t lines = 0;
    while (std::getline(file, line)) lines += !line.empty();
    *source = "reference.jsonl lines";
    return lines;
  }
  if (const auto json = ExpectedFile(entry, ".expected.json")) {
    const Json stated = Json::parse(ReadText(*json), nullptr, false);
    if (stated.is_object() && stated.contains("num_rows")) {
      *source = "expected.json num_rows";
      return stated["num_rows"].get<int64_t>();
    }
    if (stated.is_object() && stated.contains("rows")) {
      *source = "expected.json rows";
      return static_cast<int64_t>(stated["rows"].size());
    }
  }
  *source = "footer num_rows";
  return entry.footer_rows;
}

// Every cell of `other` (columns possibly reordered) equals the same cell of `table`.
void CompareReads(const Table& table, const Table& other, const std::string& what,
                  Mismatches* mismatches) {
  if (other.num_rows() != table.num_rows()) {
    mismatches->Add(what + ": read " + std::to_string(other.num_rows()) + " rows, not " +
                    std::to_string(table.num_rows()));
    return;
  }
  for (size_t c = 0; c < other.schema->num_fields(); ++c) {
    const auto column = table.Column(other.schema->field(c).name);
    if (!column) {
      mismatches->Add(what + ": unexpected column '" + other.schema->field(c).name + "'");
      continue;
    }
    for (int64_t row = 0; row < table.num_rows(); ++row) {
      int64_t a_row, b_row;
      const columnar::Column& a = table.At(*column, row, &a_row);
      const columnar::Column& b = other.At(c, row, &b_row);
      std::string a_text, b_text;
      columnar::AppendValue(a, a_row, columnar::ValueStyle::kDisplay, &a_text);
      columnar::AppendValue(b, b_row, columnar::ValueStyle::kDisplay, &b_text);
      if (a.IsNull(a_row) != b.IsNull(b_row) || a_text != b_text) {
        mismatches->Add(what + ": row " + std::to_string(row) + " column '" +
                        other.schema->field(c).name + "' is '" + b_text + "', not '" + a_text +
                        "'");
      }
    }
  }
}

// --- The tests ---------------------------------------------------------------------------------

TEST(ParquetCorpusTest, ReadFilesMatchTheirReferences) {
  SKIP_WITHOUT_CORPUS();
  int files = 0, failed = 0, references = 0, csvs = 0, jsons = 0;
  for (const Entry& entry : LoadIndex()) {
    if (entry.expect != "read") continue;
    ++files;
    SCOPED_TRACE(entry.file);
    const int64_t cells_before = cells_compared;
    Mismatches mismatches(entry.file);
    const fs::path path = kCorpus / entry.file;
    const Table table = ReadTable(path);
    if (!table.status.ok()) {
      mismatches.Add("read failed: " + table.status.ToString());
    }
    std::string source;
    const std::optional<int64_t> rows = ExpectedRows(entry, &source);
    if (!rows) {
      mismatches.Add("no reference row count (no reference, no stated rows, no footer rows)");
    } else if (table.num_rows() != *rows) {
      mismatches.Add("read " + std::to_string(table.num_rows()) + " rows, expected " +
                     std::to_string(*rows) + " (" + source + ")");
    }
    if (table.records_read != table.num_rows()) {
      mismatches.Add("records_read() " + std::to_string(table.records_read) + " for " +
                     std::to_string(table.num_rows()) + " rows");
    }
    if (table.status.ok()) {
      if (const auto reference = ExpectedFile(entry, ".reference.jsonl")) {
        ++references;
        CompareWithReference(table, LoadReferenceRows(*reference, &mismatches), &mismatches);
      }
      if (const auto shared = SharedReferences().find(entry.file);
          shared != SharedReferences().end()) {
        ++references;
        CompareWithReference(table, LoadReferenceRows(kCorpus / shared->second, &mismatches),
                             &mismatches);
      }
      if (EndsWith(entry.file, "/alltypes_tiny_pages_plain.parquet")) {
        CheckAllTypesInvariants(table, &mismatches);
      }
      if (const auto csv = ExpectedFile(entry, ".expected.csv")) {
        ++csvs;
        CompareWithCsv(table, *csv, &mismatches);
      }
      if (const auto json = ExpectedFile(entry, ".expected.json")) {
        ++jsons;
        CompareWithExpectedJson(table, *json, &mismatches);
      }
      // Again with one thread, small batches and the columns projected in reverse order.
      ParquetReadOptions options;
      options.threads = 1;
      options.batch_rows = 97;
      for (size_t c = table.schema->num_fields(); c-- > 0;) {
        options.columns.push_back(table.schema->field(c).name);
      }
      const Table again = ReadTable(path, options);
      if (!again.status.ok()) {
        mismatches.Add("projected read failed: " + again.status.ToString());
      } else {
        CompareReads(table, again, "projected one-thread read", &mismatches);
      }
    }
    const bool ok = mismatches.count() == 0;
    failed += !ok;
    std::printf("  %-66s %6lld rows %7lld cells %s\n", entry.file.c_str(),
                static_cast<long long>(table.num_rows()),
                static_cast<long long>(cells_compared - cells_before),
                ok ? "ok" : ("FAILED (" + std::to_string(mismatches.count()) + ")").c_str());
  }
  EXPECT_GT(files, 0);
  EXPECT_GT(cells_compared, 0);
  std::printf(
      "read files: %d (%d failed); compared %lld cells with %d references, %d CSVs, %d "
      "expected.json\n",
      files, failed, static_cast<long long>(cells_compared), references, csvs, jsons);
}

TEST(ParquetCorpusTest, ErrorFilesFailCleanly) {
  SKIP_WITHOUT_CORPUS();
  int files = 0;
  for (const Entry& entry : LoadIndex()) {
    if (entry.expect != "error") continue;
    ++files;
    SCOPED_TRACE(entry.file);
    for (int threads : {1, 2}) {
      ParquetReadOptions options;
      options.threads = threads;
      const Table table = ReadTable(kCorpus / entry.file, options);
      EXPECT_FALSE(table.status.ok())
          << entry.file << ": must fail, read " << table.num_rows() << " rows";
      EXPECT_TRUE(table.status.code() == StatusCode::kDataError ||
                  table.status.code() == StatusCode::kInvalidArgument)
          << entry.file << ": must fail with a DataError or InvalidArgument, got "
          << table.status.ToString();
      if (threads == 1) {
        std::printf("  %-70s %s\n", entry.file.c_str(), table.status.ToString().c_str());
      }
    }
  }
  EXPECT_GT(files, 0);
}

TEST(ParquetCorpusTest, EitherFilesDoNotCrash) {
  SKIP_WITHOUT_CORPUS();
  int files = 0;
  for (const Entry& entry : LoadIndex()) {
    if (entry.expect != "either") continue;
    ++files;
    SCOPED_TRACE(entry.file);
    const Table table = ReadTable(kCorpus / entry.file);
    // Either outcome; a failure must be a clean one.
    if (!table.status.ok()) {
      EXPECT_TRUE(table.status.code() == StatusCode::kDataError ||
                  table.status.code() == StatusCode::kInvalidArgument)
          << entry.file << ": " << table.status.ToString();
    }
    std::printf("  %-70s %s\n", entry.file.c_str(),
                table.status.ok() ? ("read " + std::to_string(table.num_rows()) + " rows").c_str()
                                  : table.status.ToString().c_str());
  }
  EXPECT_GT(files, 0);
}

TEST(ParquetCorpusTest, CorruptDictionaryChecksum) {
  SKIP_WITHOUT_CORPUS();
  const fs::path path =
      kCorpus / "apache-parquet-testing" / "rle-dict-uncompressed-corrupt-checksum.parquet";
  ASSERT_TRUE(fs::is_regular_file(path)) << path;
  ParquetReadOptions verify;
  verify.verify_checksums = true;
  const Table verified = ReadTable(path, verify);
  EXPECT_EQ(verified.status.code(), StatusCode::kDataError) << verified.status.ToString();
  EXPECT_NE(verified.status.message().find("checksum"), std::string::npos)
      << "the error must name the checksum: " << verified.status.ToString();

  ParquetReadOptions trust;
  trust.verify_checksums = false;
  const Table table = ReadTable(path, trust);
  ASSERT_TRUE(table.status.ok()) << table.status.ToString();
  EXPECT_EQ(table.num_rows(), 1000);
  // The data itself is intact: it must match the reference.
  Mismatches mismatches(path.filename().string());
  CompareWithReference(
      table,
      LoadReferenceRows(path.parent_path() / (path.filename().string() + ".reference.jsonl"),
                        &mismatches),
      &mismatches);
  EXPECT_EQ(mismatches.count(), 0);
}

}  // namespace
}  // namespace sluice::parquet

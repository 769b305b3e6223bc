// JSONReaderImpl: the sequential JSON reader. Takes records from a RecordSplitter, flattens them
// into columns (nested objects → parent__child), infers the column types over a sample, then
// converts values into columnar builders and cuts batches. JSONReader::Open uses it directly for
// threads = 1, and ParallelNDJSONReader runs one per share of a block (started from the columns
// the first block settled, InitWithColumns).
//
// Thread-safety: one caller at a time.
#pragma once

#include <simdjson.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sluice/columnar/column_builder.h"
#include "sluice/formats/json/json_reader.h"
#include "sluice/formats/json/record_splitter.h"
#include "sluice/formats/text_type_inference.h"

namespace sluice::formats::json {

using columnar::BatchPtr;
using columnar::DataType;
using columnar::SchemaPtr;
using columnar::TypeId;

// The type-inference sample also stops once it holds this much record text.
inline constexpr size_t kMaxSampleTextBytes = 64 << 20;

// Hashes std::string keys and std::string_view lookups alike (no string made to look a name up).
struct NameHash {
  using is_transparent = void;
  size_t operator()(std::string_view name) const { return std::hash<std::string_view>{}(name); }
};

inline constexpr uint32_t kNoColumn = static_cast<uint32_t>(-1);

// A column of the table being read: its type, what the sample saw in it, its builder, and the
// bookkeeping that flattens a record in one pass.
struct ColumnState {
  std::string name;
  formats::TextColumnType type;  // type.type is the column's DataType
  bool explicit_type = false;
  // Inference, during the sample only.
  uint32_t kinds = 0;
  TextTypeInference strings;
  // Building.
  std::unique_ptr<columnar::ColumnBuilder> builder;
  uint64_t stamp = 0;              // the record that last set this column
  uint32_t slot = 0;               // its index in values_ for that record
  uint32_t next_hint = kNoColumn;  // the column that followed this one in the last record
};

// One value of the record being flattened, with its column.
struct FieldValue {
  uint32_t column;
  dom::element value;
};

// A sample record kept until the types are known, or a reject met while sampling.
struct SampleItem {
  std::optional<Reject> reject;
  size_t text_begin = 0;
  size_t text_size = 0;
  int64_t line = 0;
  int64_t byte_offset = 0;
};

// A column as a reader has settled it: the state a reader of a later part of the same input
// starts from (see ParallelNDJSONReader).
struct PresetColumn {
  std::string name;
  TextColumnType type;
  bool explicit_type = false;
};

class JSONReaderImpl final : public JSONReader {
 public:
  JSONReaderImpl(std::unique_ptr<io::InputStream> input, JSONReadOptions options,
                 RejectTracker* rejects, size_t first_read_size = kFirstReadSize)
      : input_(std::move(input)),
        options_(std::move(options)),
        rejects_(rejects),
        splitter_(input_.get(), options_.common.max_record_bytes, &parser_, first_read_size) {
    null_is_empty_only_ =
        options_.common.null_values.size() == 1 && options_.common.null_values[0].empty();
  }

  // Reads the sample (sample_records records, at most kMaxSampleTextBytes of them) and infers the
  // column types; the sample's records and rejects come out of the first Next() calls.
  Status Init();

  // Starts without a sample, with the columns (in order, with their types) another reader of the
  // same input settled on; new keys still add columns as after a sample.
  Status InitWithColumns(const std::vector<PresetColumn>& columns);

  // The columns as this reader has settled them, for another reader's InitWithColumns.
  std::vector<PresetColumn> Columns() const;

  // True when the sample stopped because the input ended (a longer input might infer otherwise).
  bool sample_reached_end() const { return sample_reached_end_; }

  SchemaPtr schema() const override { return schema_; }
  int64_t records_read() const override { return rows_ + rejects_->count() - rejects_before_; }

  Result<BatchPtr> Next() override;

 private:
  // Reads records into the builders until the batch is full or the input ends.
  Status Fill();
  bool BatchFull() const;

  // Reads the first sample_records records (rejects met on the way are kept in order), flattening
  // each to learn its columns and the kinds of their values.
  Status ReadSample();
  void Observe(ColumnState* column, dom::element value);
  void InferTypes();
  TextColumnType InferredType(const ColumnState& column) const;

  // Flattens `root` into values_: one entry per column, the last value winning for repeated keys.
  void Flatten(dom::element root);
  void FlattenObject(dom::object object, int depth);
  void SetField(std::string_view name, dom::element value);
  uint32_t FindOrAddColumn(std::string_view name);
  uint32_t AddColumn(std::string_view name);

  bool IsNullToken(std::string_view text) const;
  // Appends a sample record (or hands its reject on) once the types are known.
  Status ReplaySampleItem(SampleItem& item);
  Reject TooManyColumnsReject(std::string_view text, int64_t line, int64_t byte_offset) const;

  // Appends one record as a row, or rejects it when a value does not fit its column.
  Status AppendRecord(dom::element value, std::string_view text, int64_t line, int64_t byte_offset);

  // Appends `value` to `column`'s builder; false (with cell_error_ set) when it does not fit.
  bool AppendCell(ColumnState& column, dom::element value);

  // Numbers into int32 / int64 (out of range) / decimal columns go through their text.
  bool AppendNumberText(ColumnState& column, dom::element value);

  // A JSON number (read as a double) into decimal(p,s) without going through text: when some
  // integer n gives exactly this double as n / 10^s, the number's shortest text has at most s
  // fractional digits and its value is n / 10^s — the same result the text path gives. Returns
  // false (use the text path) when that does not hold or the value is out of the fast range.
  static bool AppendDecimalFast(ColumnState& column, dom::element value);

  // The schema again after columns were added; the batch built so far.
  void UpdateSchema();
  BatchPtr FinishBatch();

  std::unique_ptr<io::InputStream> input_;
  JSONReadOptions options_;
  RejectTracker* rejects_;
  int64_t rejects_before_ = 0;
  bool null_is_empty_only_ = true;
  dom::parser parser_;  // one parser for every record (declared before splitter_, which uses it)
  RecordSplitter splitter_;
  bool input_done_ = false;
  bool sample_reached_end_ = false;
  bool finish_checked_ = false;
  Status error_;

  std::unordered_map<std::string, DataType, NameHash, std::equal_to<>> explicit_types_;
  std::vector<ColumnState> columns_;
  std::unordered_map<std::string, uint32_t, NameHash, std::equal_to<>> column_index_;
  SchemaPtr schema_;
  bool schema_dirty_ = true;

  // The sample, replayed into batches once the types are known.
  bool sampling_ = false;
  std::vector<SampleItem> sample_;
  std::string sample_text_;
  size_t replay_index_ = 0;

  // The record being flattened.
  uint64_t stamp_ = 0;
  std::vector<FieldValue> values_;
  std::string name_;
  uint32_t previous_column_ = kNoColumn;
  uint32_t first_column_hint_ = kNoColumn;
  bool too_many_columns_ = false;  // the record needs more than kMaxColumns columns
  std::string scratch_;
  std::string cell_error_;

  int64_t rows_in_batch_ = 0;
  int64_t batch_text_bytes_ = 0;
  int64_t rows_ = 0;
};

}  // namespace sluice::formats::json

// ShreddedColumn: the data of one leaf of a nested Parquet schema, already shredded into
// repetition and definition levels (Dremel record shredding), as ParquetWriter::WriteShredded
// takes it; ShreddedColumnBuilder fills one slot at a time.
//
// A leaf's data is a sequence of slots. A slot either holds a value — its definition level is the
// leaf's maximum definition level — or records where the value is missing: its definition level
// counts the optional and repeated ancestors (the leaf included) that are present, so it is below
// the maximum. A slot's repetition level names the repeated ancestor at which it starts a new
// element (its depth counted in repeated ancestors); 0 starts a new record (a row).
//
// Example, an optional map<string,string> `m` with optional values (key max definition 2,
// value max definition 3, max repetition 1), records {a:1,b:null}, null, {}:
//   key:   rep 0 1 0 0   def 2 2 0 1   values "a" "b"
//   value: rep 0 1 0 0   def 3 2 0 1   values "1"
//
// Thread-safety: plain values; one builder per thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/columnar/column.h"
#include "sluice/columnar/column_builder.h"
#include "sluice/common/result.h"
#include "sluice/formats/parquet/parquet_schema.h"

namespace sluice::parquet {

struct ShreddedColumn {
  // One per slot. May be left empty when the leaf's maximum definition level is 0 (every slot
  // holds a value).
  std::vector<int16_t> definition_levels;
  // One per slot. May be left empty when the leaf's maximum repetition level is 0 (every slot
  // starts a record).
  std::vector<int16_t> repetition_levels;
  // The values of the slots that hold one, in slot order, as the leaf's sluice type
  // (SchemaNode::type); no nulls.
  columnar::ColumnPtr values;

  // Slots: the longer level list, or the values when both lists are empty.
  int64_t slots() const;
};

class ShreddedColumnBuilder {
 public:
  // For a leaf whose values are `type` and whose maximum levels are given.
  ShreddedColumnBuilder(columnar::DataType type, int16_t max_definition, int16_t max_repetition);
  // For a leaf of a ParquetSchema.
  explicit ShreddedColumnBuilder(const SchemaNode& leaf);

  // A slot without a value, starting at `repetition`, present down to `definition` (below the
  // maximum).
  void AppendMissing(int16_t repetition, int16_t definition);
  // A slot holding a value. The value's C++ type must fit the leaf's sluice type: bool; int32_t
  // (int32, date); int64_t (int64, time, timestamp); double (float64); a string_view (string,
  // json, binary). A mismatch makes Finish() fail.
  void AppendBool(int16_t repetition, bool value);
  void AppendInt32(int16_t repetition, int32_t value);
  void AppendInt64(int16_t repetition, int64_t value);
  void AppendDouble(int16_t repetition, double value);
  void AppendString(int16_t repetition, std::string_view value);

  int16_t max_definition() const { return max_definition_; }
  int16_t max_repetition() const { return max_repetition_; }
  int64_t slots() const { return slots_; }

  // Returns the column and leaves the builder empty and reusable. Errors: InvalidArgument when a
  // value did not fit the leaf's type or a level was out of range.
  Result<ShreddedColumn> Finish();

 private:
  // Records the levels of a slot holding a value; false (and an error for Finish) when the value's
  // C++ type does not `fit` the leaf's type.
  bool AppendPresent(int16_t repetition, bool fits, const char* what);
  void AppendLevels(int16_t repetition, int16_t definition);

  columnar::DataType type_;
  int16_t max_definition_;
  int16_t max_repetition_;
  std::unique_ptr<columnar::ColumnBuilder> values_;
  std::vector<int16_t> definition_levels_;
  std::vector<int16_t> repetition_levels_;
  int64_t slots_ = 0;
  std::string error_;
};

}  // namespace sluice::parquet

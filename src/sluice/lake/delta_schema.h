// Delta schemas (PROTOCOL.md "Schema Serialization Format"): the JSON `schemaString` of a table's
// metaData action, translated to and from sluice schemas, and the rules for appending to a table.
//
// Type mapping, Delta → sluice:
//   long → int64; integer, short, byte → int32; float, double → float64; decimal(p,s) →
//   decimal(p,s); string → string; binary → binary; boolean → bool; date → date; timestamp,
//   timestamp_ntz → timestamp; struct, array, map (any nested type object) → json (nested columns
//   are read as JSON text). Field metadata {"sluice.type":"time"} on a long field → time,
//   {"sluice.type":"json"} on a string field → json: the sluice types Delta lacks.
// sluice → Delta: int32 → integer, int64 → long, float64 → double, decimal(p,s) → decimal(p,s),
//   string → string, binary → binary, bool → boolean, date → date, timestamp → timestamp,
//   time → long + {"sluice.type":"time"}, json → string + {"sluice.type":"json"}.
//
// Thread-safety: free functions without shared state.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/columnar/schema.h"
#include "sluice/common/result.h"

namespace sluice::lake {

// Parses a Delta schema string ({"type":"struct","fields":[...]}) into a sluice schema; each
// field's `nullable` is carried over. Errors (DataError): malformed JSON, a missing or mistyped
// key (`type`, `fields`, `name`, `nullable`), an unknown primitive type name (named in the
// message), a decimal precision outside 1..38, duplicate column names.
Result<columnar::Schema> ParseDeltaSchema(std::string_view schema_string);

// Serializes a sluice schema the way Spark writes it: compact JSON, keys in the order type, fields
// and name, type, nullable, metadata. Inverse of ParseDeltaSchema for every sluice type.
std::string DeltaSchemaString(const columnar::Schema& schema);

// The Delta primitive type name of a sluice type: "integer", "long", "double", "decimal(12,2)",
// "string", "binary", "boolean", "date", "timestamp"; time → "long", json → "string".
std::string DeltaTypeName(columnar::DataType type);

// Returns `schema_string` with `new_fields` appended (each written as nullable), leaving the text
// of every existing field byte-for-byte as it was, so types and metadata sluice does not model (a
// "short" column, column-mapping metadata, nested types) survive. Errors: DataError when
// `schema_string` is not a valid Delta schema; InvalidArgument when a new field's name already
// exists (Delta column names are unique regardless of case).
Result<std::string> AddColumnsToSchemaString(std::string_view schema_string,
                                             const std::vector<columnar::Field>& new_fields);

// Checks that batches of schema `input` may be appended to a table of schema `table`. Input fields
// are matched to table columns by name:
//   - absent from the table: a new column, allowed only when `allow_new_columns`; it is appended to
//     `*new_fields` (cleared first; may be null) as nullable, since existing files lack it;
//   - present: the input type must equal the table type or widen losslessly into it: int32 → int64,
//     int32 → float64, int32/int64 → decimal(p,s) with p − s ≥ 10/19, decimal(p1,s1) →
//     decimal(p2,s2) with s2 ≥ s1 and p2 − s2 ≥ p1 − s1. Nothing else (date → timestamp included).
// Table columns missing from the input must be nullable (they are written as nulls). Nullability of
// matched columns is not checked here: writers reject actual nulls in non-nullable columns.
// Errors: SchemaMismatch naming the column and both types, a non-nullable column missing from the
// input, a new column when new columns are not allowed (the message says how to allow them), or an
// input column whose name differs from a table column's only by case.
Status CheckAppendCompatible(const columnar::Schema& table, const columnar::Schema& input,
                             bool allow_new_columns, std::vector<columnar::Field>* new_fields);

// Column mapping (PROTOCOL.md "Column Mapping"): where a top-level column lives in the data
// files. In mode `name` files name the column by its physical name, in mode `id` by its field id
// (sluice falls back to the physical name for files without ids); partitionValues and stats are
// keyed by the physical name.
struct PhysicalColumn {
  std::string name;                 // the logical name (the schema's)
  std::string physical_name;        // delta.columnMapping.physicalName
  std::optional<int32_t> field_id;  // delta.columnMapping.id
  // The field's Delta type as JSON text when it is nested (struct, array, map), else "": nested
  // struct fields carry physical names too.
  std::string nested_type;
};

// Turns the physical names of nested struct fields back into logical ones in a nested column's
// JSON text (sluice reads nested columns as JSON), walking the Delta type: struct fields renamed,
// array elements and map values walked, map keys (data) kept. Thread-safety: const after Make.
class NestedFieldRenamer {
 public:
  // Errors: DataError when `nested_type` is not a Delta type.
  static Result<std::shared_ptr<const NestedFieldRenamer>> Make(std::string_view nested_type);
  ~NestedFieldRenamer();
  // The JSON text with logical names; text that is not JSON is returned as it is.
  std::string Apply(std::string_view json) const;

 private:
  struct Impl;
  explicit NestedFieldRenamer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};
// The mapping of every top-level field of `schema_string`, in schema order. Errors: DataError for
// a field without a physical name (or, when `need_ids`, without an id).
Result<std::vector<PhysicalColumn>> ParsePhysicalColumns(std::string_view schema_string,
                                                         bool need_ids);

// The field named `name` in `schema`: an exact match, else the first match ignoring ASCII case
// (Delta column names are case-insensitive); nullopt when there is none.
std::optional<size_t> FindColumn(const columnar::Schema& schema, std::string_view name);

}  // namespace sluice::lake

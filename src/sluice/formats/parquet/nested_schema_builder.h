// NestedSchemaBuilder: builds the depth-first SchemaElement list (parquet_metadata.h) of a Parquet
// schema with structs, lists and maps, for ParquetWriter::OpenNested.
//
// Lists and maps use the standard layouts of LogicalTypes.md (apache/parquet-format), as Spark,
// Arrow and DuckDB write them:
//   LIST: <name> (LIST)  → repeated group `list`      → `element`
//   MAP:  <name> (MAP)   → repeated group `key_value` → required `key`, optional or required
//   `value`
// Groups carry both the converted type and the logical type. Leaves take a sluice type and get the
// physical type and annotations ParquetWriter writes for it (LeafSchemaElement).
//
// Usage:
//   NestedSchemaBuilder builder;
//   builder.BeginStruct("add").Leaf("path", DataType::String()).Map("tags", ...).End();
//   SLUICE_ASSIGN_OR_RETURN(std::vector<SchemaElement> elements, builder.Finish());
// Misuse (End() without an open group, a list without exactly one child, a map whose first child is
// not a required `key`, groups left open, an empty schema) is reported by Finish().
// Not thread-safe.
#pragma once

#include <string>
#include <vector>

#include "sluice/columnar/data_type.h"
#include "sluice/common/result.h"
#include "sluice/formats/parquet/parquet_metadata.h"

namespace sluice::parquet {

// The leaf element ParquetWriter writes for a sluice type: bool → BOOLEAN; int32 → INT32; int64 →
// INT64; float64 → DOUBLE; decimal(p,s) → INT32 (p ≤ 9), INT64 (p ≤ 18) or FIXED_LEN_BYTE_ARRAY
// with DECIMAL(p,s); string → BYTE_ARRAY STRING; json → BYTE_ARRAY JSON; binary → BYTE_ARRAY;
// date → INT32 DATE; time → INT64 TIME(MICROS, local); timestamp → INT64 TIMESTAMP(UTC, MICROS).
SchemaElement LeafSchemaElement(const std::string& name, const columnar::DataType& type,
                                Repetition repetition);

class NestedSchemaBuilder {
 public:
  explicit NestedSchemaBuilder(std::string root_name = "schema");

  // A primitive field of the innermost open group.
  NestedSchemaBuilder& Leaf(std::string name, const columnar::DataType& type,
                            Repetition repetition = Repetition::kOptional);
  // A struct: the fields added until the matching End() are its members.
  NestedSchemaBuilder& BeginStruct(std::string name, Repetition repetition = Repetition::kOptional);
  // A LIST: add exactly one child, its element (named "element" by convention), then End().
  NestedSchemaBuilder& BeginList(std::string name, Repetition repetition = Repetition::kOptional);
  // A MAP: add the key (required, named "key") and optionally the value ("value"), then End().
  NestedSchemaBuilder& BeginMap(std::string name, Repetition repetition = Repetition::kOptional);
  // Closes the innermost open struct, list or map.
  NestedSchemaBuilder& End();

  // A list of primitive elements.
  NestedSchemaBuilder& List(std::string name, const columnar::DataType& element_type,
                            Repetition repetition = Repetition::kOptional,
                            Repetition element_repetition = Repetition::kOptional);
  // A map of primitive keys and values.
  NestedSchemaBuilder& Map(std::string name, const columnar::DataType& key_type,
                           const columnar::DataType& value_type,
                           Repetition repetition = Repetition::kOptional,
                           Repetition value_repetition = Repetition::kOptional);

  // The schema list, root first. Errors: InvalidArgument describing the first misuse.
  Result<std::vector<SchemaElement>> Finish() const;

 private:
  enum class GroupKind { kRoot, kStruct, kList, kMap };
  struct OpenGroup {
    GroupKind kind = GroupKind::kStruct;
    size_t element = 0;  // index of the group that counts the children (the repeated one for
                         // lists and maps)
  };
  // Appends `element` as a child of the innermost open group.
  void AddChild(SchemaElement element);
  void Fail(const std::string& message);

  std::vector<SchemaElement> elements_;
  std::vector<OpenGroup> open_;
  std::string error_;
};

}  // namespace sluice::parquet

// ParquetSchema: the tree behind a footer's flat schema list — definition and repetition levels
// of every node, the leaf (column chunk) order, and how each leaf and top-level field maps to
// sluice types.
//
// Contract: Make checks the list is a well-formed tree (children counts add up, leaves have a
// physical type, groups do not, annotations fit their physical type) and fails with a DataError
// naming the element otherwise. Immutable afterwards; safe to share.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sluice/columnar/data_type.h"
#include "sluice/common/result.h"
#include "sluice/formats/parquet/parquet_metadata.h"

namespace sluice::parquet {

// How a leaf's physical values become sluice values.
enum class LeafConversion {
  kBool,
  kInt32,           // INT32 → int32 (also INT(8|16), UINT(8|16), DATE)
  kUInt32,          // INT32 as unsigned → int64
  kInt64,           // INT64 → int64 (also TIMESTAMP/TIME in µs)
  kUInt64,          // INT64 as unsigned → decimal(20,0)
  kInt32Times1000,  // TIME(MILLIS) on INT32 → time µs
  kInt64Times1000,  // TIMESTAMP(MILLIS) → µs
  kInt64Div1000,    // TIMESTAMP/TIME(NANOS) → µs (floor)
  kInt96Timestamp,  // INT96 → timestamp µs
  kInt32Decimal,    // DECIMAL on INT32
  kInt64Decimal,    // DECIMAL on INT64
  kBytesDecimal,    // DECIMAL on BYTE_ARRAY / FIXED_LEN_BYTE_ARRAY (big-endian)
  kWideDecimal,     // DECIMAL wider than 38 digits (bytes) → string: the exact decimal text
  kFloat,           // FLOAT → float64
  kDouble,          // DOUBLE → float64
  kFloat16,         // FLBA(2) FLOAT16 → float64
  kBytes,           // BYTE_ARRAY / FLBA → string, json or binary
  kUUID,            // FLBA(16) → string
  kNull,            // the UNKNOWN (always null) logical type → string
};

struct SchemaNode {
  enum class Kind { kLeaf, kStruct, kList, kMap };
  Kind kind = Kind::kLeaf;
  std::string name;
  int element_index = 0;  // index in FileMetaData::schema
  Repetition repetition = Repetition::kRequired;
  // Levels of this node (counting this node when it is optional or repeated).
  int16_t definition_level = 0;
  int16_t repetition_level = 0;
  // kStruct: fields; kList: the repeated node (its `list_element` says what an element is);
  // kMap: the repeated key_value group.
  std::vector<std::unique_ptr<SchemaNode>> children;
  SchemaNode* parent = nullptr;

  // kLeaf
  int leaf_index = -1;  // column chunk order
  Type physical = Type::kBoolean;
  int32_t type_length = 0;
  columnar::DataType type;  // sluice type of the values
  LeafConversion conversion = LeafConversion::kBytes;
  int scale = 0;  // decimal

  bool is_repeated() const { return repetition == Repetition::kRepeated; }
};

// A JSON-assembly view of a nested field: what to emit and at which levels.
struct NestedShape {
  enum class Kind { kValue, kObject, kArray, kMap };
  Kind kind = Kind::kValue;
  // kObject: member names and shapes. kArray: one element shape. kMap: key and value shapes
  // (value may be absent: a map without values renders every value as null).
  std::vector<std::string> names;
  std::vector<std::unique_ptr<NestedShape>> members;
  // Definition level at which this node is non-null (a value below it renders null); for kArray
  // and kMap, the level at which the container is non-null.
  int16_t null_below = 0;
  // kArray / kMap: level at which at least one element exists, and the repetition level that
  // starts a new element.
  int16_t element_defined = 0;
  int16_t repetition_level = 0;
  // kValue: the leaf.
  const SchemaNode* leaf = nullptr;
  // The leaves under this shape: positions [leaf_begin, leaf_end) in the field's leaf list.
  int leaf_begin = 0;
  int leaf_end = 0;
};

class ParquetSchema {
 public:
  static Result<std::unique_ptr<ParquetSchema>> Make(const std::vector<SchemaElement>& elements,
                                                     const std::string& path);

  // Top-level fields.
  const std::vector<std::unique_ptr<SchemaNode>>& fields() const { return root_.children; }
  // Leaves in column chunk order.
  const std::vector<const SchemaNode*>& leaves() const { return leaves_; }

  // The sluice type of a top-level field (json for nested ones).
  columnar::DataType FieldType(size_t field) const;
  bool IsNested(size_t field) const;
  // The leaves under a top-level field.
  std::vector<const SchemaNode*> FieldLeaves(size_t field) const;
  // The JSON assembly shape of a nested top-level field.
  const NestedShape& Shape(size_t field) const { return *shapes_[field]; }

 private:
  SchemaNode root_;
  std::vector<const SchemaNode*> leaves_;
  std::vector<std::unique_ptr<NestedShape>> shapes_;
  friend class SchemaBuilder;
};

}  // namespace sluice::parquet

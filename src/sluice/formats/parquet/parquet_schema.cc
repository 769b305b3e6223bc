#include "sluice/formats/parquet/parquet_schema.h"

#include <algorithm>

namespace sluice::parquet {
namespace {

using columnar::DataType;
using Kind = LogicalType::Kind;

constexpr int kMaxDepth = 64;

bool IsLogical(const SchemaElement& element, Kind kind) {
  return element.logical && element.logical->kind == kind;
}
bool IsConverted(const SchemaElement& element, ConvertedType type) {
  return element.converted && *element.converted == type;
}

Status Invalid(const std::string& path, const SchemaElement& element, const std::string& what) {
  return Status::DataError(path + ": schema element '" + element.name + "': " + what);
}

Status MapDecimal(const std::string& path, const SchemaElement& element, SchemaNode* node,
                  LeafConversion conversion) {
  int precision = element.precision.value_or(0);
  int scale = element.scale.value_or(0);
  if (IsLogical(element, Kind::kDecimal)) {
    precision = element.logical->precision;
    scale = element.logical->scale;
  }
  if (precision > columnar::kMaxDecimalPrecision && scale >= 0 && scale <= precision &&
      conversion == LeafConversion::kBytesDecimal) {
    // Wider than the lake's decimals (DuckDB's and Spark's up to 76 digits): read as the exact
    // decimal text, never rounded.
    node->type = DataType::String();
    node->scale = scale;
    node->conversion = LeafConversion::kWideDecimal;
    return Status::OK();
  }
  if (precision < 1 || precision > columnar::kMaxDecimalPrecision || scale < 0 ||
      scale > precision) {
    return Invalid(
        path, element,
        "decimal(" + std::to_string(precision) + "," + std::to_string(scale) +
            ") is outside what sluice reads (precision 1..38 on INT32/INT64, any on bytes; "
            "0 <= scale <= precision)");
  }
  node->type = DataType::Decimal(precision, scale);
  node->scale = scale;
  node->conversion = conversion;
  return Status::OK();
}

// A converted type that constrains the physical type must fit it (INT_8 on INT32, UTF8 on
// BYTE_ARRAY...).
Status CheckConvertedFits(const std::string& path, const SchemaElement& element, Type physical) {
  if (!element.converted) return Status::OK();
  const ConvertedType converted = *element.converted;
  bool fits = true;
  switch (converted) {
    case ConvertedType::kInt8:
    case ConvertedType::kInt16:
    case ConvertedType::kInt32:
    case ConvertedType::kUint8:
    case ConvertedType::kUint16:
    case ConvertedType::kUint32:
    case ConvertedType::kDate:
    case ConvertedType::kTimeMillis:
      fits = physical == Type::kInt32;
      break;
    case ConvertedType::kInt64:
    case ConvertedType::kUint64:
    case ConvertedType::kTimeMicros:
    case ConvertedType::kTimestampMillis:
    case ConvertedType::kTimestampMicros:
      fits = physical == Type::kInt64;
      break;
    case ConvertedType::kUTF8:
    case ConvertedType::kJSON:
    case ConvertedType::kBSON:
    case ConvertedType::kEnum:
      fits = physical == Type::kByteArray || physical == Type::kFixedLenByteArray;
      break;
    case ConvertedType::kDecimal:
      fits = physical == Type::kInt32 || physical == Type::kInt64 || physical == Type::kByteArray ||
             physical == Type::kFixedLenByteArray;
      break;
    case ConvertedType::kInterval:
      fits = physical == Type::kFixedLenByteArray;
      break;
    default:
      break;
  }
  if (!fits) {
    return Invalid(path, element,
                   "converted type " + std::to_string(static_cast<int>(converted)) +
                       " does not fit physical type " + std::to_string(static_cast<int>(physical)));
  }
  return Status::OK();
}

// INT32: decimal, DATE, TIME(MILLIS), or a signed or unsigned integer.
Status MapInt32(const std::string& path, const SchemaElement& element, bool decimal,
                SchemaNode* node) {
  if (decimal) return MapDecimal(path, element, node, LeafConversion::kInt32Decimal);
  if (IsLogical(element, Kind::kDate) || IsConverted(element, ConvertedType::kDate)) {
    node->type = DataType::Date();
    node->conversion = LeafConversion::kInt32;
    return Status::OK();
  }
  if ((IsLogical(element, Kind::kTime) && element.logical->unit == TimeUnit::kMillis) ||
      IsConverted(element, ConvertedType::kTimeMillis)) {
    node->type = DataType::Time();
    node->conversion = LeafConversion::kInt32Times1000;
    return Status::OK();
  }
  bool is_unsigned32 = IsConverted(element, ConvertedType::kUint32);
  if (IsLogical(element, Kind::kInteger)) {
    if (element.logical->bit_width > 32) {
      return Invalid(path, element, "INT(64) annotation on INT32");
    }
    is_unsigned32 = !element.logical->is_signed && element.logical->bit_width == 32;
  }
  node->type = is_unsigned32 ? DataType::Int64() : DataType::Int32();
  node->conversion = is_unsigned32 ? LeafConversion::kUInt32 : LeafConversion::kInt32;
  return Status::OK();
}

// INT64: decimal, TIMESTAMP or TIME in any unit, or a signed or unsigned integer.
Status MapInt64(const std::string& path, const SchemaElement& element, bool decimal,
                SchemaNode* node) {
  if (decimal) return MapDecimal(path, element, node, LeafConversion::kInt64Decimal);
  const bool timestamp = IsLogical(element, Kind::kTimestamp) ||
                         IsConverted(element, ConvertedType::kTimestampMillis) ||
                         IsConverted(element, ConvertedType::kTimestampMicros);
  const bool time =
      IsLogical(element, Kind::kTime) || IsConverted(element, ConvertedType::kTimeMicros);
  if (timestamp || time) {
    node->type = timestamp ? DataType::Timestamp() : DataType::Time();
    TimeUnit unit = TimeUnit::kMicros;
    if (element.logical &&
        (element.logical->kind == Kind::kTimestamp || element.logical->kind == Kind::kTime)) {
      unit = element.logical->unit;
    } else if (IsConverted(element, ConvertedType::kTimestampMillis)) {
      unit = TimeUnit::kMillis;
    }
    node->conversion = unit == TimeUnit::kMillis  ? LeafConversion::kInt64Times1000
                       : unit == TimeUnit::kNanos ? LeafConversion::kInt64Div1000
                                                  : LeafConversion::kInt64;
    return Status::OK();
  }
  bool is_unsigned = IsConverted(element, ConvertedType::kUint64);
  if (IsLogical(element, Kind::kInteger)) is_unsigned = !element.logical->is_signed;
  if (is_unsigned) {
    node->type = DataType::Decimal(20, 0);
    node->conversion = LeafConversion::kUInt64;
  } else {
    node->type = DataType::Int64();
    node->conversion = LeafConversion::kInt64;
  }
  return Status::OK();
}

// BYTE_ARRAY and FIXED_LEN_BYTE_ARRAY: decimal, FLOAT16, UUID, JSON, string, or binary.
Status MapByteArray(const std::string& path, const SchemaElement& element, bool decimal,
                    SchemaNode* node) {
  const Type physical = node->physical;
  if (physical == Type::kFixedLenByteArray && (!element.type_length || *element.type_length <= 0)) {
    return Invalid(path, element, "FIXED_LEN_BYTE_ARRAY without a positive type_length");
  }
  if (decimal) {
    const int precision = IsLogical(element, Kind::kDecimal) ? element.logical->precision
                                                             : element.precision.value_or(0);
    if (physical == Type::kFixedLenByteArray && node->type_length > 16 &&
        precision <= columnar::kMaxDecimalPrecision) {
      return Invalid(path, element, "decimal stored in more than 16 bytes");
    }
    return MapDecimal(path, element, node, LeafConversion::kBytesDecimal);
  }
  if (IsLogical(element, Kind::kFloat16)) {
    if (physical != Type::kFixedLenByteArray || node->type_length != 2) {
      return Invalid(path, element, "FLOAT16 must be a 2-byte FIXED_LEN_BYTE_ARRAY");
    }
    node->type = DataType::Float64();
    node->conversion = LeafConversion::kFloat16;
    return Status::OK();
  }
  if (IsLogical(element, Kind::kUUID)) {
    if (physical != Type::kFixedLenByteArray || node->type_length != 16) {
      return Invalid(path, element, "UUID must be a 16-byte FIXED_LEN_BYTE_ARRAY");
    }
    node->type = DataType::String();
    node->conversion = LeafConversion::kUUID;
    return Status::OK();
  }
  node->conversion = LeafConversion::kBytes;
  if (IsLogical(element, Kind::kJSON) || IsConverted(element, ConvertedType::kJSON)) {
    node->type = DataType::Json();
  } else if (IsLogical(element, Kind::kString) || IsLogical(element, Kind::kEnum) ||
             IsConverted(element, ConvertedType::kUTF8) ||
             IsConverted(element, ConvertedType::kEnum)) {
    node->type = DataType::String();
  } else {
    node->type = DataType::Binary();
  }
  return Status::OK();
}

// Maps a leaf's physical type and annotations to a sluice type and conversion.
Status MapLeaf(const std::string& path, const SchemaElement& element, SchemaNode* node) {
  const Type physical = *element.type;
  node->physical = physical;
  node->type_length = element.type_length.value_or(0);
  const bool decimal = IsLogical(element, Kind::kDecimal) ||
                       (!element.logical && IsConverted(element, ConvertedType::kDecimal));
  if (IsLogical(element, Kind::kUnknown)) {
    node->type = DataType::String();
    node->conversion = LeafConversion::kNull;
    return Status::OK();
  }
  SLUICE_RETURN_NOT_OK(CheckConvertedFits(path, element, physical));
  switch (physical) {
    case Type::kBoolean:
      node->type = DataType::Bool();
      node->conversion = LeafConversion::kBool;
      return Status::OK();
    case Type::kInt32:
      return MapInt32(path, element, decimal, node);
    case Type::kInt64:
      return MapInt64(path, element, decimal, node);
    case Type::kInt96:
      node->type = DataType::Timestamp();
      node->conversion = LeafConversion::kInt96Timestamp;
      return Status::OK();
    case Type::kFloat:
      node->type = DataType::Float64();
      node->conversion = LeafConversion::kFloat;
      return Status::OK();
    case Type::kDouble:
      node->type = DataType::Float64();
      node->conversion = LeafConversion::kDouble;
      return Status::OK();
    case Type::kByteArray:
    case Type::kFixedLenByteArray:
      return MapByteArray(path, element, decimal, node);
  }
  return Invalid(path, element, "unknown physical type");
}

bool IsListGroup(const SchemaElement& element) {
  return IsLogical(element, Kind::kList) || IsConverted(element, ConvertedType::kList);
}
bool IsMapGroup(const SchemaElement& element) {
  return IsLogical(element, Kind::kMap) || IsConverted(element, ConvertedType::kMap) ||
         IsConverted(element, ConvertedType::kMapKeyValue);
}

}  // namespace

class SchemaBuilder {
 public:
  SchemaBuilder(const std::vector<SchemaElement>& elements, const std::string& path)
      : elements_(elements), path_(path) {}

  Status Build(ParquetSchema* schema) {
    if (elements_.empty()) return Status::DataError(path_ + ": the schema is empty");
    const SchemaElement& root = elements_[0];
    const int children = root.num_children.value_or(0);
    schema->root_.kind = SchemaNode::Kind::kStruct;
    schema->root_.name = root.name;
    next_ = 1;
    for (int i = 0; i < children; ++i) {
      SLUICE_RETURN_NOT_OK(AddNode(&schema->root_, 0, 0, 1, schema));
    }
    if (next_ != elements_.size()) {
      return Status::DataError(path_ + ": the schema lists " + std::to_string(elements_.size()) +
                               " elements but its tree uses " + std::to_string(next_));
    }
    if (schema->leaves_.empty()) {
      return Status::DataError(path_ + ": the schema has no columns");
    }
    for (size_t field = 0; field < schema->fields().size(); ++field) {
      const SchemaNode* node = schema->fields()[field].get();
      int leaf = 0;
      auto shape = MakeShape(node, false, &leaf);
      SLUICE_RETURN_NOT_OK(shape.status());
      schema->shapes_.push_back(std::move(*shape));
    }
    return Status::OK();
  }

 private:
  Status AddNode(SchemaNode* parent, int16_t definition, int16_t repetition, int depth,
                 ParquetSchema* schema) {
    if (depth > kMaxDepth) return Status::DataError(path_ + ": the schema nests too deeply");
    if (next_ >= elements_.size()) {
      return Status::DataError(path_ + ": the schema's children counts exceed its elements");
    }
    const size_t index = next_++;
    const SchemaElement& element = elements_[index];
    auto node = std::make_unique<SchemaNode>();
    node->name = element.name;
    node->element_index = static_cast<int>(index);
    node->parent = parent;
    node->repetition = element.repetition.value_or(Repetition::kOptional);
    node->definition_level = definition;
    node->repetition_level = repetition;
    if (node->repetition != Repetition::kRequired) ++node->definition_level;
    if (node->repetition == Repetition::kRepeated) ++node->repetition_level;
    const int children = element.num_children.value_or(0);
    if (children > 0 || !element.type) {
      if (element.type && children > 0) {
        return Invalid(path_, element, "a group must not have a physical type");
      }
      if (children <= 0) return Invalid(path_, element, "a group without children");
      if (static_cast<size_t>(children) > elements_.size() - next_) {
        return Invalid(path_, element, "declares more children than the schema has elements");
      }
      node->kind = IsListGroup(element)  ? SchemaNode::Kind::kList
                   : IsMapGroup(element) ? SchemaNode::Kind::kMap
                                         : SchemaNode::Kind::kStruct;
      for (int i = 0; i < children; ++i) {
        SLUICE_RETURN_NOT_OK(
            AddNode(node.get(), node->definition_level, node->repetition_level, depth + 1, schema));
      }
    } else {
      node->kind = SchemaNode::Kind::kLeaf;
      SLUICE_RETURN_NOT_OK(MapLeaf(path_, element, node.get()));
      node->leaf_index = static_cast<int>(schema->leaves_.size());
      schema->leaves_.push_back(node.get());
    }
    if (node->definition_level > 1000 || node->repetition_level > 1000) {
      return Invalid(path_, element, "too many nesting levels");
    }
    parent->children.push_back(std::move(node));
    return Status::OK();
  }

  // Renders `node`'s children as the members of an object.
  Status AddObjectMembers(const SchemaNode* node, NestedShape* shape, int* leaf) {
    shape->kind = NestedShape::Kind::kObject;
    for (const auto& child : node->children) {
      shape->names.push_back(child->name);
      SLUICE_ASSIGN_OR_RETURN(auto member, MakeShape(child.get(), false, leaf));
      shape->members.push_back(std::move(member));
    }
    return Status::OK();
  }

  // `as_element`: the node is the repeated element of a list and renders as one element.
  Result<std::unique_ptr<NestedShape>> MakeShape(const SchemaNode* node, bool as_element,
                                                 int* leaf) {
    auto shape = std::make_unique<NestedShape>();
    shape->leaf_begin = *leaf;
    if (node->is_repeated() && !as_element) {
      // An unannotated repeated field: a list of itself that is never null.
      shape->kind = NestedShape::Kind::kArray;
      shape->null_below = static_cast<int16_t>(node->definition_level - 1);
      shape->element_defined = node->definition_level;
      shape->repetition_level = node->repetition_level;
      SLUICE_ASSIGN_OR_RETURN(auto element, MakeShape(node, true, leaf));
      shape->members.push_back(std::move(element));
      shape->leaf_end = *leaf;
      return shape;
    }
    shape->null_below = node->definition_level;
    switch (node->kind) {
      case SchemaNode::Kind::kLeaf:
        shape->kind = NestedShape::Kind::kValue;
        shape->leaf = node;
        ++*leaf;
        break;
      case SchemaNode::Kind::kStruct:
        SLUICE_RETURN_NOT_OK(AddObjectMembers(node, shape.get(), leaf));
        break;
      case SchemaNode::Kind::kList: {
        const SchemaNode* repeated = node->children[0].get();
        if (node->children.size() != 1 || !repeated->is_repeated()) {
          // Not a conforming LIST: render it as the struct it is.
          SLUICE_RETURN_NOT_OK(AddObjectMembers(node, shape.get(), leaf));
          break;
        }
        shape->kind = NestedShape::Kind::kArray;
        shape->element_defined = repeated->definition_level;
        shape->repetition_level = repeated->repetition_level;
        // The backward-compatibility rules of LogicalTypes.md decide what an element is.
        const bool repeated_is_element =
            repeated->kind == SchemaNode::Kind::kLeaf || repeated->children.size() > 1 ||
            repeated->name == "array" || repeated->name == node->name + "_tuple";
        std::unique_ptr<NestedShape> element;
        if (repeated_is_element) {
          SLUICE_ASSIGN_OR_RETURN(element, MakeShape(repeated, true, leaf));
        } else {
          SLUICE_ASSIGN_OR_RETURN(element, MakeShape(repeated->children[0].get(), false, leaf));
        }
        shape->members.push_back(std::move(element));
        break;
      }
      case SchemaNode::Kind::kMap: {
        const SchemaNode* key_value = node->children[0].get();
        if (node->children.size() != 1 || !key_value->is_repeated() ||
            key_value->kind == SchemaNode::Kind::kLeaf || key_value->children.empty() ||
            key_value->children.size() > 2) {
          // A MAP_KEY_VALUE-annotated repeated group itself, or something odd: a plain struct.
          SLUICE_RETURN_NOT_OK(AddObjectMembers(node, shape.get(), leaf));
          break;
        }
        shape->kind = NestedShape::Kind::kMap;
        shape->element_defined = key_value->definition_level;
        shape->repetition_level = key_value->repetition_level;
        for (const auto& child : key_value->children) {
          SLUICE_ASSIGN_OR_RETURN(auto member, MakeShape(child.get(), false, leaf));
          shape->members.push_back(std::move(member));
        }
        break;
      }
    }
    shape->leaf_end = *leaf;
    return shape;
  }

  const std::vector<SchemaElement>& elements_;
  const std::string& path_;
  size_t next_ = 0;
};

Result<std::unique_ptr<ParquetSchema>> ParquetSchema::Make(
    const std::vector<SchemaElement>& elements, const std::string& path) {
  auto schema = std::unique_ptr<ParquetSchema>(new ParquetSchema());
  SchemaBuilder builder(elements, path);
  SLUICE_RETURN_NOT_OK(builder.Build(schema.get()));
  return schema;
}

bool ParquetSchema::IsNested(size_t field) const {
  const SchemaNode& node = *root_.children[field];
  return node.kind != SchemaNode::Kind::kLeaf || node.is_repeated();
}

columnar::DataType ParquetSchema::FieldType(size_t field) const {
  if (IsNested(field)) return DataType::Json();
  return root_.children[field]->type;
}

std::vector<const SchemaNode*> ParquetSchema::FieldLeaves(size_t field) const {
  std::vector<const SchemaNode*> result;
  std::vector<const SchemaNode*> stack = {root_.children[field].get()};
  while (!stack.empty()) {
    const SchemaNode* node = stack.back();
    stack.pop_back();
    if (node->kind == SchemaNode::Kind::kLeaf) {
      result.push_back(node);
      continue;
    }
    for (auto it = node->children.rbegin(); it != node->children.rend(); ++it) {
      stack.push_back(it->get());
    }
  }
  return result;
}

}  // namespace sluice::parquet

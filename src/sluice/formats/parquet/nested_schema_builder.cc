#include "sluice/formats/parquet/nested_schema_builder.h"

#include <utility>

#include "sluice/columnar/decimal.h"

namespace sluice::parquet {
namespace {

using columnar::DataType;
using columnar::TypeId;

// Bytes of a FIXED_LEN_BYTE_ARRAY that hold any unscaled value of `precision` digits.
int DecimalBytes(int precision) {
  int bytes = 1;
  while (bytes < 16) {
    // Largest magnitude a signed integer of `bytes` bytes holds: 2^(8*bytes-1) - 1.
    const columnar::UInt128 limit = (static_cast<columnar::UInt128>(1) << (8 * bytes - 1)) - 1;
    if (static_cast<columnar::UInt128>(columnar::MaxUnscaled(precision)) <= limit) break;
    ++bytes;
  }
  return bytes;
}

SchemaElement GroupElement(std::string name, Repetition repetition, int32_t children) {
  SchemaElement element;
  element.name = std::move(name);
  element.repetition = repetition;
  element.num_children = children;
  return element;
}

}  // namespace

SchemaElement LeafSchemaElement(const std::string& name, const DataType& type,
                                Repetition repetition) {
  SchemaElement element;
  element.name = name;
  element.repetition = repetition;
  LogicalType logical;
  switch (type.id()) {
    case TypeId::kBool:
      element.type = Type::kBoolean;
      break;
    case TypeId::kInt32:
      element.type = Type::kInt32;
      break;
    case TypeId::kInt64:
      element.type = Type::kInt64;
      break;
    case TypeId::kFloat64:
      element.type = Type::kDouble;
      break;
    case TypeId::kDecimal: {
      if (type.precision() <= 9) {
        element.type = Type::kInt32;
      } else if (type.precision() <= 18) {
        element.type = Type::kInt64;
      } else {
        element.type = Type::kFixedLenByteArray;
        element.type_length = DecimalBytes(type.precision());
      }
      element.converted = ConvertedType::kDecimal;
      element.precision = type.precision();
      element.scale = type.scale();
      logical.kind = LogicalType::Kind::kDecimal;
      logical.precision = type.precision();
      logical.scale = type.scale();
      element.logical = logical;
      break;
    }
    case TypeId::kString:
      element.type = Type::kByteArray;
      element.converted = ConvertedType::kUTF8;
      logical.kind = LogicalType::Kind::kString;
      element.logical = logical;
      break;
    case TypeId::kJson:
      element.type = Type::kByteArray;
      element.converted = ConvertedType::kJSON;
      logical.kind = LogicalType::Kind::kJSON;
      element.logical = logical;
      break;
    case TypeId::kBinary:
      element.type = Type::kByteArray;
      break;
    case TypeId::kDate:
      element.type = Type::kInt32;
      element.converted = ConvertedType::kDate;
      logical.kind = LogicalType::Kind::kDate;
      element.logical = logical;
      break;
    case TypeId::kTime:
      // Local time of day: no converted type (TIME_MICROS would mean UTC-adjusted).
      element.type = Type::kInt64;
      logical.kind = LogicalType::Kind::kTime;
      logical.is_adjusted_to_utc = false;
      logical.unit = TimeUnit::kMicros;
      element.logical = logical;
      break;
    case TypeId::kTimestamp:
      element.type = Type::kInt64;
      element.converted = ConvertedType::kTimestampMicros;
      logical.kind = LogicalType::Kind::kTimestamp;
      logical.is_adjusted_to_utc = true;
      logical.unit = TimeUnit::kMicros;
      element.logical = logical;
      break;
  }
  return element;
}

NestedSchemaBuilder::NestedSchemaBuilder(std::string root_name) {
  elements_.push_back(GroupElement(std::move(root_name), Repetition::kRequired, 0));
  elements_[0].repetition.reset();  // the root has no repetition
  open_.push_back(OpenGroup{GroupKind::kRoot, 0});
}

void NestedSchemaBuilder::Fail(const std::string& message) {
  if (error_.empty()) error_ = message;
}

void NestedSchemaBuilder::AddChild(SchemaElement element) {
  const OpenGroup& group = open_.back();
  SchemaElement& parent = elements_[group.element];
  const int32_t index = parent.num_children.value_or(0);
  if (group.kind == GroupKind::kList && index >= 1) {
    Fail("list '" + elements_[group.element - 1].name + "' gets a second element '" + element.name +
         "'");
  }
  if (group.kind == GroupKind::kMap) {
    const std::string& map = elements_[group.element - 1].name;
    if (index == 0 && (element.name != "key" || element.repetition != Repetition::kRequired)) {
      Fail("map '" + map + "' must start with a required 'key', not '" + element.name + "'");
    } else if (index == 1 && element.name != "value") {
      Fail("map '" + map + "' has '" + element.name + "' where its 'value' belongs");
    } else if (index >= 2) {
      Fail("map '" + map + "' has more than a key and a value");
    }
  }
  parent.num_children = index + 1;
  elements_.push_back(std::move(element));
}

NestedSchemaBuilder& NestedSchemaBuilder::Leaf(std::string name, const DataType& type,
                                               Repetition repetition) {
  AddChild(LeafSchemaElement(name, type, repetition));
  return *this;
}

NestedSchemaBuilder& NestedSchemaBuilder::BeginStruct(std::string name, Repetition repetition) {
  AddChild(GroupElement(std::move(name), repetition, 0));
  open_.push_back(OpenGroup{GroupKind::kStruct, elements_.size() - 1});
  return *this;
}

NestedSchemaBuilder& NestedSchemaBuilder::BeginList(std::string name, Repetition repetition) {
  SchemaElement list = GroupElement(std::move(name), repetition, 1);
  list.converted = ConvertedType::kList;
  LogicalType logical;
  logical.kind = LogicalType::Kind::kList;
  list.logical = logical;
  AddChild(std::move(list));
  elements_.push_back(GroupElement("list", Repetition::kRepeated, 0));
  open_.push_back(OpenGroup{GroupKind::kList, elements_.size() - 1});
  return *this;
}

NestedSchemaBuilder& NestedSchemaBuilder::BeginMap(std::string name, Repetition repetition) {
  SchemaElement map = GroupElement(std::move(name), repetition, 1);
  map.converted = ConvertedType::kMap;
  LogicalType logical;
  logical.kind = LogicalType::Kind::kMap;
  map.logical = logical;
  AddChild(std::move(map));
  elements_.push_back(GroupElement("key_value", Repetition::kRepeated, 0));
  open_.push_back(OpenGroup{GroupKind::kMap, elements_.size() - 1});
  return *this;
}

NestedSchemaBuilder& NestedSchemaBuilder::End() {
  if (open_.size() <= 1) {
    Fail("End() without an open struct, list or map");
    return *this;
  }
  const OpenGroup group = open_.back();
  open_.pop_back();
  const SchemaElement& element = elements_[group.element];
  const std::string& name =
      group.kind == GroupKind::kStruct ? element.name : elements_[group.element - 1].name;
  if (element.num_children.value_or(0) == 0) {
    Fail("'" + name + "' has no " +
         (group.kind == GroupKind::kList  ? "element"
          : group.kind == GroupKind::kMap ? "key"
                                          : "fields"));
  }
  return *this;
}

NestedSchemaBuilder& NestedSchemaBuilder::List(std::string name, const DataType& element_type,
                                               Repetition repetition,
                                               Repetition element_repetition) {
  return BeginList(std::move(name), repetition)
      .Leaf("element", element_type, element_repetition)
      .End();
}

NestedSchemaBuilder& NestedSchemaBuilder::Map(std::string name, const DataType& key_type,
                                              const DataType& value_type, Repetition repetition,
                                              Repetition value_repetition) {
  return BeginMap(std::move(name), repetition)
      .Leaf("key", key_type, Repetition::kRequired)
      .Leaf("value", value_type, value_repetition)
      .End();
}

Result<std::vector<SchemaElement>> NestedSchemaBuilder::Finish() const {
  if (!error_.empty()) return Status::InvalidArgument("Parquet schema: " + error_);
  if (open_.size() > 1) {
    const OpenGroup& group = open_.back();
    const size_t named = group.kind == GroupKind::kStruct ? group.element : group.element - 1;
    return Status::InvalidArgument("Parquet schema: '" + elements_[named].name +
                                   "' is still open (missing End())");
  }
  if (elements_.size() < 2) return Status::InvalidArgument("Parquet schema: no columns");
  return elements_;
}

}  // namespace sluice::parquet

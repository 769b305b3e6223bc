#include "sluice/formats/parquet/parquet_metadata.h"

#include <algorithm>
#include <limits>
#include <string_view>
#include <utility>

#include "sluice/formats/parquet/thrift_compact.h"

namespace sluice::parquet {

namespace {

using Reader = ThriftCompactReader;

// Lists never reserve more than this many elements up front: a declared size is bounded by the
// input bytes, but one byte of input may become hundreds of bytes of struct.
constexpr uint32_t kMaxReserve = 1024;

// ---- decoding helpers -----------------------------------------------------------------------

Status WrongType(Reader& reader, const ThriftFieldHeader& field, ThriftType expected) {
  std::string message = "thrift type ";
  message += ThriftTypeName(field.type);
  message += ", expected ";
  message += ThriftTypeName(expected);
  return reader.Error(message);
}

Status ExpectType(Reader& reader, const ThriftFieldHeader& field, const char* label,
                  ThriftType expected) {
  reader.set_label(label);
  if (field.type != expected) return WrongType(reader, field, expected);
  return Status::OK();
}

bool IsVarintType(ThriftType type) {
  return type == ThriftType::kI16 || type == ThriftType::kI32 || type == ThriftType::kI64;
}

// Reads an integer of type `wire` (i16/i32/i64 are all zigzag varints, so a writer's choice of
// width does not matter; i8 is one byte) and checks that it fits T.
template <typename T>
Status ReadIntValue(Reader& reader, ThriftType wire, T* out) {
  int64_t value = 0;
  const size_t start = reader.position();
  if (wire == ThriftType::kByte) {
    int8_t byte = 0;
    SLUICE_RETURN_NOT_OK(reader.ReadByte(&byte));
    value = byte;
  } else if (IsVarintType(wire)) {
    SLUICE_RETURN_NOT_OK(reader.ReadI64(&value));
  } else {
    std::string message = "thrift type ";
    message += ThriftTypeName(wire);
    message += ", expected an integer";
    return reader.Error(message);
  }
  if (value < std::numeric_limits<T>::min() || value > std::numeric_limits<T>::max()) {
    return reader.ErrorAt("value " + std::to_string(value) + " out of range", start);
  }
  *out = static_cast<T>(value);
  return Status::OK();
}

template <typename T>
Status ReadInt(Reader& reader, const ThriftFieldHeader& field, const char* label, T* out) {
  reader.set_label(label);
  return ReadIntValue(reader, field.type, out);
}

// An optional field an old writer wrote with another wire type than the spec's today (e.g.
// ColumnMetaData.bloom_filter_length as a list): skipped, as parquet-mr and DuckDB do, the value
// left absent. Required fields of a wrong type stay errors.
bool SkipsMistypedOptional(const ThriftFieldHeader& field) {
  return field.type != ThriftType::kByte && !IsVarintType(field.type);
}

template <typename T>
Status ReadInt(Reader& reader, const ThriftFieldHeader& field, const char* label,
               std::optional<T>* out) {
  if (SkipsMistypedOptional(field)) return reader.SkipField(field);
  T value{};
  SLUICE_RETURN_NOT_OK(ReadInt(reader, field, label, &value));
  *out = value;
  return Status::OK();
}

// Non-negative integers (counts and sizes).
template <typename T>
Status ReadCount(Reader& reader, const ThriftFieldHeader& field, const char* label, T* out) {
  const size_t start = reader.position();
  SLUICE_RETURN_NOT_OK(ReadInt(reader, field, label, out));
  if (*out < 0) return reader.ErrorAt("negative value " + std::to_string(*out), start);
  return Status::OK();
}

// An enum value in [min_value, max_value].
template <typename E>
Status ReadEnumValue(Reader& reader, ThriftType wire, int32_t min_value, int32_t max_value,
                     E* out) {
  const size_t start = reader.position();
  int32_t value = 0;
  SLUICE_RETURN_NOT_OK(ReadIntValue(reader, wire, &value));
  if (value < min_value || value > max_value) {
    return reader.ErrorAt("invalid value " + std::to_string(value), start);
  }
  *out = static_cast<E>(value);
  return Status::OK();
}

template <typename E>
Status ReadEnum(Reader& reader, const ThriftFieldHeader& field, const char* label,
                int32_t min_value, int32_t max_value, E* out) {
  reader.set_label(label);
  return ReadEnumValue(reader, field.type, min_value, max_value, out);
}

template <typename E>
Status ReadEnum(Reader& reader, const ThriftFieldHeader& field, const char* label,
                int32_t min_value, int32_t max_value, std::optional<E>* out) {
  if (SkipsMistypedOptional(field)) return reader.SkipField(field);
  E value{};
  SLUICE_RETURN_NOT_OK(ReadEnum(reader, field, label, min_value, max_value, &value));
  *out = value;
  return Status::OK();
}

constexpr int32_t kMaxInt32 = std::numeric_limits<int32_t>::max();

Status ReadBool(Reader& reader, const ThriftFieldHeader& field, const char* label, bool* out) {
  SLUICE_RETURN_NOT_OK(ExpectType(reader, field, label, ThriftType::kBool));
  *out = field.bool_value;
  return Status::OK();
}

Status ReadBool(Reader& reader, const ThriftFieldHeader& field, const char* label,
                std::optional<bool>* out) {
  SLUICE_RETURN_NOT_OK(ExpectType(reader, field, label, ThriftType::kBool));
  *out = field.bool_value;
  return Status::OK();
}

Status ReadString(Reader& reader, const ThriftFieldHeader& field, const char* label,
                  std::string* out) {
  SLUICE_RETURN_NOT_OK(ExpectType(reader, field, label, ThriftType::kBinary));
  return reader.ReadString(out);
}

Status ReadString(Reader& reader, const ThriftFieldHeader& field, const char* label,
                  std::optional<std::string>* out) {
  SLUICE_RETURN_NOT_OK(ExpectType(reader, field, label, ThriftType::kBinary));
  std::string value;
  SLUICE_RETURN_NOT_OK(reader.ReadString(&value));
  *out = std::move(value);
  return Status::OK();
}

// Reads a list field, calling `read_element(element_type)` once per element after checking that
// the element type is `expected` (any integer type when `expected` is an integer type).
template <typename ReadElement>
Status ReadList(Reader& reader, const ThriftFieldHeader& field, const char* label,
                ThriftType expected, ReadElement&& read_element) {
  reader.set_label(label);
  if (field.type != ThriftType::kList && field.type != ThriftType::kSet) {
    return WrongType(reader, field, ThriftType::kList);
  }
  ThriftListHeader header;
  SLUICE_RETURN_NOT_OK(reader.ReadListHeader(&header));
  if (header.size == 0) return Status::OK();
  const bool matches = header.element_type == expected ||
                       (IsVarintType(expected) && IsVarintType(header.element_type));
  if (!matches) {
    std::string message = "list of ";
    message += ThriftTypeName(header.element_type);
    message += ", expected a list of ";
    message += ThriftTypeName(expected);
    return reader.Error(message);
  }
  for (uint32_t i = 0; i < header.size; ++i) {
    reader.set_label(label);
    SLUICE_RETURN_NOT_OK(read_element(header.element_type, header.size));
  }
  return Status::OK();
}

// A list of structs decoded by `decode(reader, T*)` into `out` (replacing its contents).
template <typename T, typename Decode>
Status ReadStructList(Reader& reader, const ThriftFieldHeader& field, const char* label,
                      std::vector<T>* out, Decode decode) {
  out->clear();
  return ReadList(reader, field, label, ThriftType::kStruct,
                  [&](ThriftType, uint32_t size) -> Status {
                    if (out->empty()) out->reserve(std::min(size, kMaxReserve));
                    out->emplace_back();
                    return decode(reader, &out->back());
                  });
}

// Tracks the required fields of one struct (ids below 32).
class Required {
 public:
  void Saw(int16_t id) {
    if (id >= 0 && id < 32) seen_ |= 1u << id;
  }
  // DataError when field `id` (named `name`) was not seen in struct `struct_name`.
  Status Check(Reader& reader, const char* struct_name, int16_t id, const char* name) const {
    if ((seen_ >> id) & 1u) return Status::OK();
    reader.set_label(struct_name);
    return reader.Error("required field " + std::string(name) + " (" + std::to_string(id) +
                        ") is missing");
  }

 private:
  uint32_t seen_ = 0;
};

// Iterates over the fields of a struct: `on_field(field)` decodes or skips each one.
template <typename OnField>
Status ReadStruct(Reader& reader, const char* struct_name, Required* required, OnField&& on_field) {
  reader.set_label(struct_name);
  SLUICE_RETURN_NOT_OK(reader.ReadStructBegin());
  while (true) {
    reader.set_label(struct_name);
    ThriftFieldHeader field;
    SLUICE_RETURN_NOT_OK(reader.ReadFieldHeader(&field));
    if (field.type == ThriftType::kStop) break;
    if (required != nullptr) required->Saw(field.id);
    SLUICE_RETURN_NOT_OK(on_field(field));
  }
  reader.set_label(struct_name);
  return reader.ReadStructEnd();
}

// ---- decoding -------------------------------------------------------------------------------

Status DecodeStatistics(Reader& reader, Statistics* out) {
  return ReadStruct(reader, "Statistics", nullptr, [&](const ThriftFieldHeader& field) {
    switch (field.id) {
      case 1:
        return ReadString(reader, field, "Statistics.max", &out->max);
      case 2:
        return ReadString(reader, field, "Statistics.min", &out->min);
      case 3:
        return ReadInt(reader, field, "Statistics.null_count", &out->null_count);
      case 4:
        return ReadInt(reader, field, "Statistics.distinct_count", &out->distinct_count);
      case 5:
        return ReadString(reader, field, "Statistics.max_value", &out->max_value);
      case 6:
        return ReadString(reader, field, "Statistics.min_value", &out->min_value);
      case 7:
        return ReadBool(reader, field, "Statistics.is_max_value_exact", &out->is_max_value_exact);
      case 8:
        return ReadBool(reader, field, "Statistics.is_min_value_exact", &out->is_min_value_exact);
      default:
        return reader.SkipField(field);
    }
  });
}

Status DecodeOptionalStatistics(Reader& reader, const ThriftFieldHeader& field, const char* label,
                                std::optional<Statistics>* out) {
  SLUICE_RETURN_NOT_OK(ExpectType(reader, field, label, ThriftType::kStruct));
  return DecodeStatistics(reader, &out->emplace());
}

// The TimeUnit union; *known is false for a member this reader does not know.
Status DecodeTimeUnit(Reader& reader, TimeUnit* unit, bool* known) {
  int members = 0;
  *known = false;
  SLUICE_RETURN_NOT_OK(ReadStruct(reader, "TimeUnit", nullptr, [&](const ThriftFieldHeader& field) {
    ++members;
    SLUICE_RETURN_NOT_OK(ExpectType(reader, field, "TimeUnit", ThriftType::kStruct));
    *known = field.id >= 1 && field.id <= 3;
    if (*known) *unit = static_cast<TimeUnit>(field.id);
    return reader.Skip(ThriftType::kStruct);  // MilliSeconds {} etc.
  }));
  if (members == 0) return reader.Error("empty union");
  return Status::OK();
}

// TimeType and TimestampType: {1: required bool isAdjustedToUTC, 2: required TimeUnit unit}.
Status DecodeTimeType(Reader& reader, const char* struct_name, LogicalType* out) {
  Required required;
  bool known_unit = true;
  SLUICE_RETURN_NOT_OK(
      ReadStruct(reader, struct_name, &required, [&](const ThriftFieldHeader& field) {
        switch (field.id) {
          case 1:
            return ReadBool(reader, field, struct_name, &out->is_adjusted_to_utc);
          case 2:
            SLUICE_RETURN_NOT_OK(ExpectType(reader, field, struct_name, ThriftType::kStruct));
            return DecodeTimeUnit(reader, &out->unit, &known_unit);
          default:
            return reader.SkipField(field);
        }
      }));
  SLUICE_RETURN_NOT_OK(required.Check(reader, struct_name, 1, "isAdjustedToUTC"));
  SLUICE_RETURN_NOT_OK(required.Check(reader, struct_name, 2, "unit"));
  if (!known_unit) out->kind = LogicalType::Kind::kOther;
  return Status::OK();
}

Status DecodeLogicalType(Reader& reader, LogicalType* out) {
  using Kind = LogicalType::Kind;
  *out = LogicalType{};
  return ReadStruct(reader, "LogicalType", nullptr, [&](const ThriftFieldHeader& field) -> Status {
    // Union members are structs; the last one present wins (at most one is allowed).
    SLUICE_RETURN_NOT_OK(ExpectType(reader, field, "LogicalType", ThriftType::kStruct));
    *out = LogicalType{};
    switch (field.id) {
      case 5: {
        out->kind = Kind::kDecimal;
        Required required;
        SLUICE_RETURN_NOT_OK(
            ReadStruct(reader, "DecimalType", &required, [&](const ThriftFieldHeader& member) {
              switch (member.id) {
                case 1:
                  return ReadInt(reader, member, "DecimalType.scale", &out->scale);
                case 2:
                  return ReadInt(reader, member, "DecimalType.precision", &out->precision);
                default:
                  return reader.SkipField(member);
              }
            }));
        SLUICE_RETURN_NOT_OK(required.Check(reader, "DecimalType", 1, "scale"));
        return required.Check(reader, "DecimalType", 2, "precision");
      }
      case 7:
        out->kind = Kind::kTime;
        return DecodeTimeType(reader, "TimeType", out);
      case 8:
        out->kind = Kind::kTimestamp;
        return DecodeTimeType(reader, "TimestampType", out);
      case 10: {
        out->kind = Kind::kInteger;
        Required required;
        SLUICE_RETURN_NOT_OK(
            ReadStruct(reader, "IntType", &required, [&](const ThriftFieldHeader& member) {
              switch (member.id) {
                case 1:
                  return ReadInt(reader, member, "IntType.bitWidth", &out->bit_width);
                case 2:
                  return ReadBool(reader, member, "IntType.isSigned", &out->is_signed);
                default:
                  return reader.SkipField(member);
              }
            }));
        SLUICE_RETURN_NOT_OK(required.Check(reader, "IntType", 1, "bitWidth"));
        return required.Check(reader, "IntType", 2, "isSigned");
      }
      case 1:
      case 2:
      case 3:
      case 4:
      case 6:
      case 11:
      case 12:
      case 13:
      case 14:
      case 15:
      case 16:  // VariantType {1: optional i8 specification_version}: not kept
      case 17:  // GeometryType {1: optional string crs}: not kept
      case 18:  // GeographyType {1: crs, 2: algorithm}: not kept
        out->kind = static_cast<Kind>(field.id);
        return reader.Skip(ThriftType::kStruct);
      default:
        out->kind = Kind::kOther;
        return reader.Skip(ThriftType::kStruct);
    }
  });
}

Status DecodeSchemaElement(Reader& reader, SchemaElement* out) {
  Required required;
  SLUICE_RETURN_NOT_OK(
      ReadStruct(reader, "SchemaElement", &required, [&](const ThriftFieldHeader& field) -> Status {
        switch (field.id) {
          case 1:
            return ReadEnum(reader, field, "SchemaElement.type", 0, 7, &out->type);
          case 2:
            return ReadInt(reader, field, "SchemaElement.type_length", &out->type_length);
          case 3:
            return ReadEnum(reader, field, "SchemaElement.repetition_type", 0, 2, &out->repetition);
          case 4:
            return ReadString(reader, field, "SchemaElement.name", &out->name);
          case 5:
            return ReadInt(reader, field, "SchemaElement.num_children", &out->num_children);
          case 6: {
            // 24 is the "NA" converted type that interim parquet-cpp releases wrote for all-null
            // columns (PARQUET-1990); readers treat it as no converted type.
            constexpr int32_t kLegacyNullConvertedType = 24;
            int32_t value = 0;
            const size_t start = reader.position();
            SLUICE_RETURN_NOT_OK(ReadInt(reader, field, "SchemaElement.converted_type", &value));
            if (value == kLegacyNullConvertedType) {
              out->converted.reset();
              return Status::OK();
            }
            if (value < 0 || value > static_cast<int32_t>(ConvertedType::kInterval)) {
              return reader.ErrorAt("invalid value " + std::to_string(value), start);
            }
            out->converted = static_cast<ConvertedType>(value);
            return Status::OK();
          }
          case 7:
            return ReadInt(reader, field, "SchemaElement.scale", &out->scale);
          case 8:
            return ReadInt(reader, field, "SchemaElement.precision", &out->precision);
          case 9:
            return ReadInt(reader, field, "SchemaElement.field_id", &out->field_id);
          case 10: {
            SLUICE_RETURN_NOT_OK(
                ExpectType(reader, field, "SchemaElement.logicalType", ThriftType::kStruct));
            LogicalType logical;
            SLUICE_RETURN_NOT_OK(DecodeLogicalType(reader, &logical));
            out->logical = logical;
            return Status::OK();
          }
          default:
            return reader.SkipField(field);
        }
      }));
  return required.Check(reader, "SchemaElement", 4, "name");
}

Status DecodeKeyValue(Reader& reader, KeyValue* out) {
  Required required;
  SLUICE_RETURN_NOT_OK(
      ReadStruct(reader, "KeyValue", &required, [&](const ThriftFieldHeader& field) {
        switch (field.id) {
          case 1:
            return ReadString(reader, field, "KeyValue.key", &out->key);
          case 2:
            return ReadString(reader, field, "KeyValue.value", &out->value);
          default:
            return reader.SkipField(field);
        }
      }));
  return required.Check(reader, "KeyValue", 1, "key");
}

Status DecodeDataPageHeader(Reader& reader, DataPageHeader* out) {
  constexpr const char* kName = "DataPageHeader";
  Required required;
  SLUICE_RETURN_NOT_OK(ReadStruct(reader, kName, &required, [&](const ThriftFieldHeader& field) {
    switch (field.id) {
      case 1:
        return ReadCount(reader, field, "DataPageHeader.num_values", &out->num_values);
      case 2:
        return ReadEnum(reader, field, "DataPageHeader.encoding", 0, kMaxInt32, &out->encoding);
      case 3:
        return ReadEnum(reader, field, "DataPageHeader.definition_level_encoding", 0, kMaxInt32,
                        &out->definition_level_encoding);
      case 4:
        return ReadEnum(reader, field, "DataPageHeader.repetition_level_encoding", 0, kMaxInt32,
                        &out->repetition_level_encoding);
      case 5:
        return DecodeOptionalStatistics(reader, field, "DataPageHeader.statistics",
                                        &out->statistics);
      default:
        return reader.SkipField(field);
    }
  }));
  SLUICE_RETURN_NOT_OK(required.Check(reader, kName, 1, "num_values"));
  SLUICE_RETURN_NOT_OK(required.Check(reader, kName, 2, "encoding"));
  SLUICE_RETURN_NOT_OK(required.Check(reader, kName, 3, "definition_level_encoding"));
  return required.Check(reader, kName, 4, "repetition_level_encoding");
}

Status DecodeDictionaryPageHeader(Reader& reader, DictionaryPageHeader* out) {
  constexpr const char* kName = "DictionaryPageHeader";
  Required required;
  SLUICE_RETURN_NOT_OK(ReadStruct(reader, kName, &required, [&](const ThriftFieldHeader& field) {
    switch (field.id) {
      case 1:
        return ReadCount(reader, field, "DictionaryPageHeader.num_values", &out->num_values);
      case 2:
        return ReadEnum(reader, field, "DictionaryPageHeader.encoding", 0, kMaxInt32,
                        &out->encoding);
      case 3:
        return ReadBool(reader, field, "DictionaryPageHeader.is_sorted", &out->is_sorted);
      default:
        return reader.SkipField(field);
    }
  }));
  SLUICE_RETURN_NOT_OK(required.Check(reader, kName, 1, "num_values"));
  return required.Check(reader, kName, 2, "encoding");
}

Status DecodeDataPageHeaderV2(Reader& reader, DataPageHeaderV2* out) {
  constexpr const char* kName = "DataPageHeaderV2";
  Required required;
  SLUICE_RETURN_NOT_OK(ReadStruct(reader, kName, &required, [&](const ThriftFieldHeader& field) {
    switch (field.id) {
      case 1:
        return ReadCount(reader, field, "DataPageHeaderV2.num_values", &out->num_values);
      case 2:
        return ReadCount(reader, field, "DataPageHeaderV2.num_nulls", &out->num_nulls);
      case 3:
        return ReadCount(reader, field, "DataPageHeaderV2.num_rows", &out->num_rows);
      case 4:
        return ReadEnum(reader, field, "DataPageHeaderV2.encoding", 0, kMaxInt32, &out->encoding);
      case 5:
        return ReadCount(reader, field, "DataPageHeaderV2.definition_levels_byte_length",
                         &out->definition_levels_byte_length);
      case 6:
        return ReadCount(reader, field, "DataPageHeaderV2.repetition_levels_byte_length",
                         &out->repetition_levels_byte_length);
      case 7:
        return ReadBool(reader, field, "DataPageHeaderV2.is_compressed", &out->is_compressed);
      case 8:
        return DecodeOptionalStatistics(reader, field, "DataPageHeaderV2.statistics",
                                        &out->statistics);
      default:
        return reader.SkipField(field);
    }
  }));
  SLUICE_RETURN_NOT_OK(required.Check(reader, kName, 1, "num_values"));
  SLUICE_RETURN_NOT_OK(required.Check(reader, kName, 2, "num_nulls"));
  SLUICE_RETURN_NOT_OK(required.Check(reader, kName, 3, "num_rows"));
  SLUICE_RETURN_NOT_OK(required.Check(reader, kName, 4, "encoding"));
  SLUICE_RETURN_NOT_OK(required.Check(reader, kName, 5, "definition_levels_byte_length"));
  return required.Check(reader, kName, 6, "repetition_levels_byte_length");
}

Status DecodePageHeaderStruct(Reader& reader, PageHeader* out) {
  constexpr const char* kName = "PageHeader";
  Required required;
  SLUICE_RETURN_NOT_OK(
      ReadStruct(reader, kName, &required, [&](const ThriftFieldHeader& field) -> Status {
        switch (field.id) {
          case 1:
            return ReadEnum(reader, field, "PageHeader.type", 0, 3, &out->type);
          case 2:
            return ReadCount(reader, field, "PageHeader.uncompressed_page_size",
                             &out->uncompressed_page_size);
          case 3:
            return ReadCount(reader, field, "PageHeader.compressed_page_size",
                             &out->compressed_page_size);
          case 4:
            return ReadInt(reader, field, "PageHeader.crc", &out->crc);
          case 5: {
            SLUICE_RETURN_NOT_OK(
                ExpectType(reader, field, "PageHeader.data_page_header", ThriftType::kStruct));
            return DecodeDataPageHeader(reader, &out->data_page_header.emplace());
          }
          case 7: {
            SLUICE_RETURN_NOT_OK(ExpectType(reader, field, "PageHeader.dictionary_page_header",
                                            ThriftType::kStruct));
            return DecodeDictionaryPageHeader(reader, &out->dictionary_page_header.emplace());
          }
          case 8: {
            SLUICE_RETURN_NOT_OK(
                ExpectType(reader, field, "PageHeader.data_page_header_v2", ThriftType::kStruct));
            return DecodeDataPageHeaderV2(reader, &out->data_page_header_v2.emplace());
          }
          default:  // 6: index_page_header
            return reader.SkipField(field);
        }
      }));
  SLUICE_RETURN_NOT_OK(required.Check(reader, kName, 1, "type"));
  SLUICE_RETURN_NOT_OK(required.Check(reader, kName, 2, "uncompressed_page_size"));
  return required.Check(reader, kName, 3, "compressed_page_size");
}

Status DecodePageEncodingStats(Reader& reader, PageEncodingStats* out) {
  constexpr const char* kName = "PageEncodingStats";
  Required required;
  SLUICE_RETURN_NOT_OK(ReadStruct(reader, kName, &required, [&](const ThriftFieldHeader& field) {
    switch (field.id) {
      case 1:
        return ReadEnum(reader, field, "PageEncodingStats.page_type", 0, 3, &out->page_type);
      case 2:
        return ReadEnum(reader, field, "PageEncodingStats.encoding", 0, kMaxInt32, &out->encoding);
      case 3:
        return ReadInt(reader, field, "PageEncodingStats.count", &out->count);
      default:
        return reader.SkipField(field);
    }
  }));
  SLUICE_RETURN_NOT_OK(required.Check(reader, kName, 1, "page_type"));
  SLUICE_RETURN_NOT_OK(required.Check(reader, kName, 2, "encoding"));
  return required.Check(reader, kName, 3, "count");
}

Status DecodeColumnMetaData(Reader& reader, ColumnMetaData* out) {
  constexpr const char* kName = "ColumnMetaData";
  Required required;
  SLUICE_RETURN_NOT_OK(
      ReadStruct(reader, kName, &required, [&](const ThriftFieldHeader& field) -> Status {
        switch (field.id) {
          case 1:
            return ReadEnum(reader, field, "ColumnMetaData.type", 0, 7, &out->type);
          case 2:
            out->encodings.clear();
            return ReadList(
                reader, field, "ColumnMetaData.encodings", ThriftType::kI32,
                [&](ThriftType wire, uint32_t size) -> Status {
                  if (out->encodings.empty()) {
                    out->encodings.reserve(std::min(size, kMaxReserve));
                  }
                  Encoding encoding{};
                  SLUICE_RETURN_NOT_OK(ReadEnumValue(reader, wire, 0, kMaxInt32, &encoding));
                  out->encodings.push_back(encoding);
                  return Status::OK();
                });
          case 3:
            out->path_in_schema.clear();
            return ReadList(reader, field, "ColumnMetaData.path_in_schema", ThriftType::kBinary,
                            [&](ThriftType, uint32_t size) -> Status {
                              if (out->path_in_schema.empty()) {
                                out->path_in_schema.reserve(std::min(size, kMaxReserve));
                              }
                              out->path_in_schema.emplace_back();
                              return reader.ReadString(&out->path_in_schema.back());
                            });
          case 4:
            return ReadEnum(reader, field, "ColumnMetaData.codec", 0, kMaxInt32, &out->codec);
          case 5:
            return ReadCount(reader, field, "ColumnMetaData.num_values", &out->num_values);
          case 6:
            return ReadInt(reader, field, "ColumnMetaData.total_uncompressed_size",
                           &out->total_uncompressed_size);
          case 7:
            return ReadInt(reader, field, "ColumnMetaData.total_compressed_size",
                           &out->total_compressed_size);
          case 8:
            return ReadStructList(reader, field, "ColumnMetaData.key_value_metadata",
                                  &out->key_value_metadata, DecodeKeyValue);
          case 9:
            return ReadInt(reader, field, "ColumnMetaData.data_page_offset",
                           &out->data_page_offset);
          case 10:
            return ReadInt(reader, field, "ColumnMetaData.index_page_offset",
                           &out->index_page_offset);
          case 11:
            return ReadInt(reader, field, "ColumnMetaData.dictionary_page_offset",
                           &out->dictionary_page_offset);
          case 12:
            return DecodeOptionalStatistics(reader, field, "ColumnMetaData.statistics",
                                            &out->statistics);
          case 13:
            return ReadStructList(reader, field, "ColumnMetaData.encoding_stats",
                                  &out->encoding_stats, DecodePageEncodingStats);
          case 14:
            return ReadInt(reader, field, "ColumnMetaData.bloom_filter_offset",
                           &out->bloom_filter_offset);
          case 15:
            return ReadInt(reader, field, "ColumnMetaData.bloom_filter_length",
                           &out->bloom_filter_length);
          default:  // 16 size_statistics, 17 geospatial_statistics
            return reader.SkipField(field);
        }
      }));
  SLUICE_RETURN_NOT_OK(required.Check(reader, kName, 1, "type"));
  SLUICE_RETURN_NOT_OK(required.Check(reader, kName, 2, "encodings"));
  SLUICE_RETURN_NOT_OK(required.Check(reader, kName, 3, "path_in_schema"));
  SLUICE_RETURN_NOT_OK(required.Check(reader, kName, 4, "codec"));
  SLUICE_RETURN_NOT_OK(required.Check(reader, kName, 5, "num_values"));
  SLUICE_RETURN_NOT_OK(required.Check(reader, kName, 6, "total_uncompressed_size"));
  SLUICE_RETURN_NOT_OK(required.Check(reader, kName, 7, "total_compressed_size"));
  return required.Check(reader, kName, 9, "data_page_offset");
}

Status DecodeColumnChunk(Reader& reader, ColumnChunk* out) {
  constexpr const char* kName = "ColumnChunk";
  Required required;
  SLUICE_RETURN_NOT_OK(
      ReadStruct(reader, kName, &required, [&](const ThriftFieldHeader& field) -> Status {
        switch (field.id) {
          case 1:
            return ReadString(reader, field, "ColumnChunk.file_path", &out->file_path);
          case 2:
            return ReadInt(reader, field, "ColumnChunk.file_offset", &out->file_offset);
          case 3: {
            SLUICE_RETURN_NOT_OK(
                ExpectType(reader, field, "ColumnChunk.meta_data", ThriftType::kStruct));
            return DecodeColumnMetaData(reader, &out->meta_data.emplace());
          }
          case 4:
            return ReadInt(reader, field, "ColumnChunk.offset_index_offset",
                           &out->offset_index_offset);
          case 5:
            return ReadInt(reader, field, "ColumnChunk.offset_index_length",
                           &out->offset_index_length);
          case 6:
            return ReadInt(reader, field, "ColumnChunk.column_index_offset",
                           &out->column_index_offset);
          case 7:
            return ReadInt(reader, field, "ColumnChunk.column_index_length",
                           &out->column_index_length);
          case 8:
            SLUICE_RETURN_NOT_OK(
                ExpectType(reader, field, "ColumnChunk.crypto_metadata", ThriftType::kStruct));
            out->has_crypto_metadata = true;
            return reader.Skip(ThriftType::kStruct);
          case 9:
            SLUICE_RETURN_NOT_OK(ExpectType(reader, field, "ColumnChunk.encrypted_column_metadata",
                                            ThriftType::kBinary));
            out->has_encrypted_column_metadata = true;
            return reader.Skip(ThriftType::kBinary);
          default:
            return reader.SkipField(field);
        }
      }));
  return required.Check(reader, kName, 2, "file_offset");
}

Status DecodeSortingColumn(Reader& reader, SortingColumn* out) {
  constexpr const char* kName = "SortingColumn";
  Required required;
  SLUICE_RETURN_NOT_OK(ReadStruct(reader, kName, &required, [&](const ThriftFieldHeader& field) {
    switch (field.id) {
      case 1:
        return ReadInt(reader, field, "SortingColumn.column_idx", &out->column_idx);
      case 2:
        return ReadBool(reader, field, "SortingColumn.descending", &out->descending);
      case 3:
        return ReadBool(reader, field, "SortingColumn.nulls_first", &out->nulls_first);
      default:
        return reader.SkipField(field);
    }
  }));
  SLUICE_RETURN_NOT_OK(required.Check(reader, kName, 1, "column_idx"));
  SLUICE_RETURN_NOT_OK(required.Check(reader, kName, 2, "descending"));
  return required.Check(reader, kName, 3, "nulls_first");
}

Status DecodeRowGroup(Reader& reader, RowGroup* out) {
  constexpr const char* kName = "RowGroup";
  Required required;
  SLUICE_RETURN_NOT_OK(ReadStruct(reader, kName, &required, [&](const ThriftFieldHeader& field) {
    switch (field.id) {
      case 1:
        return ReadStructList(reader, field, "RowGroup.columns", &out->columns, DecodeColumnChunk);
      case 2:
        return ReadInt(reader, field, "RowGroup.total_byte_size", &out->total_byte_size);
      case 3:
        return ReadCount(reader, field, "RowGroup.num_rows", &out->num_rows);
      case 4:
        return ReadStructList(reader, field, "RowGroup.sorting_columns", &out->sorting_columns,
                              DecodeSortingColumn);
      case 5:
        return ReadInt(reader, field, "RowGroup.file_offset", &out->file_offset);
      case 6:
        return ReadInt(reader, field, "RowGroup.total_compressed_size",
                       &out->total_compressed_size);
      case 7:
        return ReadInt(reader, field, "RowGroup.ordinal", &out->ordinal);
      default:
        return reader.SkipField(field);
    }
  }));
  SLUICE_RETURN_NOT_OK(required.Check(reader, kName, 1, "columns"));
  SLUICE_RETURN_NOT_OK(required.Check(reader, kName, 2, "total_byte_size"));
  return required.Check(reader, kName, 3, "num_rows");
}

Status DecodeFileMetaDataStruct(Reader& reader, FileMetaData* out) {
  constexpr const char* kName = "FileMetaData";
  Required required;
  SLUICE_RETURN_NOT_OK(
      ReadStruct(reader, kName, &required, [&](const ThriftFieldHeader& field) -> Status {
        switch (field.id) {
          case 1:
            return ReadInt(reader, field, "FileMetaData.version", &out->version);
          case 2:
            return ReadStructList(reader, field, "FileMetaData.schema", &out->schema,
                                  DecodeSchemaElement);
          case 3:
            return ReadCount(reader, field, "FileMetaData.num_rows", &out->num_rows);
          case 4:
            return ReadStructList(reader, field, "FileMetaData.row_groups", &out->row_groups,
                                  DecodeRowGroup);
          case 5:
            return ReadStructList(reader, field, "FileMetaData.key_value_metadata",
                                  &out->key_value_metadata, DecodeKeyValue);
          case 6:
            return ReadString(reader, field, "FileMetaData.created_by", &out->created_by);
          case 7:
            // list<ColumnOrder>: only TYPE_ORDER exists today; count the entries.
            out->column_orders_count = 0;
            return ReadList(reader, field, "FileMetaData.column_orders", ThriftType::kStruct,
                            [&](ThriftType, uint32_t) -> Status {
                              ++out->column_orders_count;
                              return reader.Skip(ThriftType::kStruct);
                            });
          case 8:
            SLUICE_RETURN_NOT_OK(ExpectType(reader, field, "FileMetaData.encryption_algorithm",
                                            ThriftType::kStruct));
            out->has_encryption_algorithm = true;
            return reader.Skip(ThriftType::kStruct);
          default:  // 9: footer_signing_key_metadata
            return reader.SkipField(field);
        }
      }));
  SLUICE_RETURN_NOT_OK(required.Check(reader, kName, 1, "version"));
  SLUICE_RETURN_NOT_OK(required.Check(reader, kName, 2, "schema"));
  SLUICE_RETURN_NOT_OK(required.Check(reader, kName, 3, "num_rows"));
  return required.Check(reader, kName, 4, "row_groups");
}

}  // namespace

Result<FileMetaData> DecodeFileMetaData(const uint8_t* data, size_t size) {
  Reader reader(data, size, "parquet footer");
  FileMetaData metadata;
  SLUICE_RETURN_NOT_OK(DecodeFileMetaDataStruct(reader, &metadata));
  return metadata;
}

Result<PageHeader> DecodePageHeader(const uint8_t* data, size_t size, size_t* header_size) {
  Reader reader(data, size, "parquet page header");
  PageHeader header;
  SLUICE_RETURN_NOT_OK(DecodePageHeaderStruct(reader, &header));
  if (header_size != nullptr) *header_size = reader.position();
  return header;
}

}  // namespace sluice::parquet

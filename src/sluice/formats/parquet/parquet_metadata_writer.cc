// The encode half of parquet_metadata.h: the footer (FileMetaData) and page headers as thrift
// compact, written field by field in id order; optional fields only when set.
#include <string>

#include "sluice/formats/parquet/parquet_metadata.h"
#include "sluice/formats/parquet/thrift_compact.h"

namespace sluice::parquet {
namespace {

using Writer = ThriftCompactWriter;

void EncodeStatistics(Writer& writer, const Statistics& statistics) {
  writer.WriteStructBegin();
  if (statistics.max) writer.WriteBinaryField(1, *statistics.max);
  if (statistics.min) writer.WriteBinaryField(2, *statistics.min);
  if (statistics.null_count) writer.WriteI64Field(3, *statistics.null_count);
  if (statistics.distinct_count) writer.WriteI64Field(4, *statistics.distinct_count);
  if (statistics.max_value) writer.WriteBinaryField(5, *statistics.max_value);
  if (statistics.min_value) writer.WriteBinaryField(6, *statistics.min_value);
  if (statistics.is_max_value_exact) writer.WriteBoolField(7, *statistics.is_max_value_exact);
  if (statistics.is_min_value_exact) writer.WriteBoolField(8, *statistics.is_min_value_exact);
  writer.WriteStructEnd();
}

// An empty struct as field `id` (union members such as StringType {}).
void WriteEmptyStructField(Writer& writer, int16_t id) {
  writer.WriteStructFieldBegin(id);
  writer.WriteStructEnd();
}

bool IsWritable(const LogicalType& logical) {
  return logical.kind != LogicalType::Kind::kNone && logical.kind != LogicalType::Kind::kOther;
}

// The LogicalType union as field 10 of SchemaElement; call only when IsWritable().
void EncodeLogicalTypeField(Writer& writer, const LogicalType& logical) {
  using Kind = LogicalType::Kind;
  writer.WriteStructFieldBegin(10);
  const auto member = static_cast<int16_t>(logical.kind);
  switch (logical.kind) {
    case Kind::kDecimal:
      writer.WriteStructFieldBegin(member);
      writer.WriteI32Field(1, logical.scale);
      writer.WriteI32Field(2, logical.precision);
      writer.WriteStructEnd();
      break;
    case Kind::kTime:
    case Kind::kTimestamp:
      writer.WriteStructFieldBegin(member);
      writer.WriteBoolField(1, logical.is_adjusted_to_utc);
      writer.WriteStructFieldBegin(2);  // the TimeUnit union
      WriteEmptyStructField(writer, static_cast<int16_t>(logical.unit));
      writer.WriteStructEnd();
      writer.WriteStructEnd();
      break;
    case Kind::kInteger:
      writer.WriteStructFieldBegin(member);
      writer.WriteByteField(1, logical.bit_width);
      writer.WriteBoolField(2, logical.is_signed);
      writer.WriteStructEnd();
      break;
    default:  // members without fields (or whose optional fields sluice does not keep)
      WriteEmptyStructField(writer, member);
      break;
  }
  writer.WriteStructEnd();
}

void EncodeSchemaElement(Writer& writer, const SchemaElement& element) {
  writer.WriteStructBegin();
  if (element.type) writer.WriteI32Field(1, static_cast<int32_t>(*element.type));
  if (element.type_length) writer.WriteI32Field(2, *element.type_length);
  if (element.repetition) writer.WriteI32Field(3, static_cast<int32_t>(*element.repetition));
  writer.WriteBinaryField(4, element.name);
  if (element.num_children) writer.WriteI32Field(5, *element.num_children);
  if (element.converted) writer.WriteI32Field(6, static_cast<int32_t>(*element.converted));
  if (element.scale) writer.WriteI32Field(7, *element.scale);
  if (element.precision) writer.WriteI32Field(8, *element.precision);
  if (element.field_id) writer.WriteI32Field(9, *element.field_id);
  if (element.logical && IsWritable(*element.logical)) {
    EncodeLogicalTypeField(writer, *element.logical);
  }
  writer.WriteStructEnd();
}

void EncodeKeyValues(Writer& writer, int16_t id, const std::vector<KeyValue>& key_values) {
  writer.WriteFieldBegin(ThriftType::kList, id);
  writer.WriteListBegin(ThriftType::kStruct, static_cast<uint32_t>(key_values.size()));
  for (const KeyValue& key_value : key_values) {
    writer.WriteStructBegin();
    writer.WriteBinaryField(1, key_value.key);
    if (key_value.value) writer.WriteBinaryField(2, *key_value.value);
    writer.WriteStructEnd();
  }
}

void EncodeColumnMetaData(Writer& writer, const ColumnMetaData& meta) {
  writer.WriteStructBegin();
  writer.WriteI32Field(1, static_cast<int32_t>(meta.type));
  writer.WriteFieldBegin(ThriftType::kList, 2);
  writer.WriteListBegin(ThriftType::kI32, static_cast<uint32_t>(meta.encodings.size()));
  for (Encoding encoding : meta.encodings) writer.WriteI32(static_cast<int32_t>(encoding));
  writer.WriteFieldBegin(ThriftType::kList, 3);
  writer.WriteListBegin(ThriftType::kBinary, static_cast<uint32_t>(meta.path_in_schema.size()));
  for (const std::string& part : meta.path_in_schema) writer.WriteBinary(part);
  writer.WriteI32Field(4, static_cast<int32_t>(meta.codec));
  writer.WriteI64Field(5, meta.num_values);
  writer.WriteI64Field(6, meta.total_uncompressed_size);
  writer.WriteI64Field(7, meta.total_compressed_size);
  if (!meta.key_value_metadata.empty()) EncodeKeyValues(writer, 8, meta.key_value_metadata);
  writer.WriteI64Field(9, meta.data_page_offset);
  if (meta.index_page_offset) writer.WriteI64Field(10, *meta.index_page_offset);
  if (meta.dictionary_page_offset) writer.WriteI64Field(11, *meta.dictionary_page_offset);
  if (meta.statistics) {
    writer.WriteFieldBegin(ThriftType::kStruct, 12);
    EncodeStatistics(writer, *meta.statistics);
  }
  if (!meta.encoding_stats.empty()) {
    writer.WriteFieldBegin(ThriftType::kList, 13);
    writer.WriteListBegin(ThriftType::kStruct, static_cast<uint32_t>(meta.encoding_stats.size()));
    for (const PageEncodingStats& stats : meta.encoding_stats) {
      writer.WriteStructBegin();
      writer.WriteI32Field(1, static_cast<int32_t>(stats.page_type));
      writer.WriteI32Field(2, static_cast<int32_t>(stats.encoding));
      writer.WriteI32Field(3, stats.count);
      writer.WriteStructEnd();
    }
  }
  if (meta.bloom_filter_offset) writer.WriteI64Field(14, *meta.bloom_filter_offset);
  if (meta.bloom_filter_length) writer.WriteI32Field(15, *meta.bloom_filter_length);
  writer.WriteStructEnd();
}

void EncodeColumnChunk(Writer& writer, const ColumnChunk& chunk) {
  writer.WriteStructBegin();
  if (chunk.file_path) writer.WriteBinaryField(1, *chunk.file_path);
  writer.WriteI64Field(2, chunk.file_offset);
  if (chunk.meta_data) {
    writer.WriteFieldBegin(ThriftType::kStruct, 3);
    EncodeColumnMetaData(writer, *chunk.meta_data);
  }
  if (chunk.offset_index_offset) writer.WriteI64Field(4, *chunk.offset_index_offset);
  if (chunk.offset_index_length) writer.WriteI32Field(5, *chunk.offset_index_length);
  if (chunk.column_index_offset) writer.WriteI64Field(6, *chunk.column_index_offset);
  if (chunk.column_index_length) writer.WriteI32Field(7, *chunk.column_index_length);
  // 8/9 (encryption): sluice writes no encrypted files, so the flags have nothing to write.
  writer.WriteStructEnd();
}

void EncodeRowGroup(Writer& writer, const RowGroup& row_group) {
  writer.WriteStructBegin();
  writer.WriteFieldBegin(ThriftType::kList, 1);
  writer.WriteListBegin(ThriftType::kStruct, static_cast<uint32_t>(row_group.columns.size()));
  for (const ColumnChunk& chunk : row_group.columns) EncodeColumnChunk(writer, chunk);
  writer.WriteI64Field(2, row_group.total_byte_size);
  writer.WriteI64Field(3, row_group.num_rows);
  if (!row_group.sorting_columns.empty()) {
    writer.WriteFieldBegin(ThriftType::kList, 4);
    writer.WriteListBegin(ThriftType::kStruct,
                          static_cast<uint32_t>(row_group.sorting_columns.size()));
    for (const SortingColumn& column : row_group.sorting_columns) {
      writer.WriteStructBegin();
      writer.WriteI32Field(1, column.column_idx);
      writer.WriteBoolField(2, column.descending);
      writer.WriteBoolField(3, column.nulls_first);
      writer.WriteStructEnd();
    }
  }
  if (row_group.file_offset) writer.WriteI64Field(5, *row_group.file_offset);
  if (row_group.total_compressed_size) writer.WriteI64Field(6, *row_group.total_compressed_size);
  if (row_group.ordinal) writer.WriteI16Field(7, *row_group.ordinal);
  writer.WriteStructEnd();
}

}  // namespace

void EncodeFileMetaData(const FileMetaData& metadata, std::string* out) {
  Writer writer(out);
  writer.WriteStructBegin();
  writer.WriteI32Field(1, metadata.version);
  writer.WriteFieldBegin(ThriftType::kList, 2);
  writer.WriteListBegin(ThriftType::kStruct, static_cast<uint32_t>(metadata.schema.size()));
  for (const SchemaElement& element : metadata.schema) EncodeSchemaElement(writer, element);
  writer.WriteI64Field(3, metadata.num_rows);
  writer.WriteFieldBegin(ThriftType::kList, 4);
  writer.WriteListBegin(ThriftType::kStruct, static_cast<uint32_t>(metadata.row_groups.size()));
  for (const RowGroup& row_group : metadata.row_groups) EncodeRowGroup(writer, row_group);
  if (!metadata.key_value_metadata.empty()) {
    EncodeKeyValues(writer, 5, metadata.key_value_metadata);
  }
  if (metadata.created_by) writer.WriteBinaryField(6, *metadata.created_by);
  if (metadata.column_orders_count > 0) {
    writer.WriteFieldBegin(ThriftType::kList, 7);
    writer.WriteListBegin(ThriftType::kStruct, static_cast<uint32_t>(metadata.column_orders_count));
    for (int32_t i = 0; i < metadata.column_orders_count; ++i) {
      writer.WriteStructBegin();         // ColumnOrder union
      WriteEmptyStructField(writer, 1);  // TYPE_ORDER: TypeDefinedOrder {}
      writer.WriteStructEnd();
    }
  }
  // 8 (encryption_algorithm): sluice writes no encrypted files.
  writer.WriteStructEnd();
}

void EncodePageHeader(const PageHeader& header, std::string* out) {
  Writer writer(out);
  writer.WriteStructBegin();
  writer.WriteI32Field(1, static_cast<int32_t>(header.type));
  writer.WriteI32Field(2, header.uncompressed_page_size);
  writer.WriteI32Field(3, header.compressed_page_size);
  if (header.crc) writer.WriteI32Field(4, *header.crc);
  if (header.data_page_header) {
    const DataPageHeader& page = *header.data_page_header;
    writer.WriteStructFieldBegin(5);
    writer.WriteI32Field(1, page.num_values);
    writer.WriteI32Field(2, static_cast<int32_t>(page.encoding));
    writer.WriteI32Field(3, static_cast<int32_t>(page.definition_level_encoding));
    writer.WriteI32Field(4, static_cast<int32_t>(page.repetition_level_encoding));
    if (page.statistics) {
      writer.WriteFieldBegin(ThriftType::kStruct, 5);
      EncodeStatistics(writer, *page.statistics);
    }
    writer.WriteStructEnd();
  }
  if (header.dictionary_page_header) {
    const DictionaryPageHeader& page = *header.dictionary_page_header;
    writer.WriteStructFieldBegin(7);
    writer.WriteI32Field(1, page.num_values);
    writer.WriteI32Field(2, static_cast<int32_t>(page.encoding));
    if (page.is_sorted) writer.WriteBoolField(3, *page.is_sorted);
    writer.WriteStructEnd();
  }
  if (header.data_page_header_v2) {
    const DataPageHeaderV2& page = *header.data_page_header_v2;
    writer.WriteStructFieldBegin(8);
    writer.WriteI32Field(1, page.num_values);
    writer.WriteI32Field(2, page.num_nulls);
    writer.WriteI32Field(3, page.num_rows);
    writer.WriteI32Field(4, static_cast<int32_t>(page.encoding));
    writer.WriteI32Field(5, page.definition_levels_byte_length);
    writer.WriteI32Field(6, page.repetition_levels_byte_length);
    writer.WriteBoolField(7, page.is_compressed);
    if (page.statistics) {
      writer.WriteFieldBegin(ThriftType::kStruct, 8);
      EncodeStatistics(writer, *page.statistics);
    }
    writer.WriteStructEnd();
  }
  writer.WriteStructEnd();
}

}  // namespace sluice::parquet

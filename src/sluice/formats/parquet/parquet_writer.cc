#include "sluice/formats/parquet/parquet_writer.h"

#include <algorithm>

#include "sluice/columnar/value_formatter.h"
#include "sluice/common/thread_pool.h"
#include "sluice/formats/parquet/column_encoder.h"
#include "sluice/formats/parquet/nested_schema_builder.h"
#include "sluice/formats/parquet/parquet_encoding.h"
#include "sluice/formats/parquet/parquet_metadata.h"
#include "sluice/formats/parquet/parquet_schema.h"

namespace sluice::parquet {
namespace {

constexpr char kMagic[4] = {'P', 'A', 'R', '1'};
constexpr const char* kCreatedBy = "sluice version 0.1.0";

CompressionCodec ToParquetCodec(io::Codec codec) {
  switch (codec) {
    case io::Codec::kNone:
      return CompressionCodec::kUncompressed;
    case io::Codec::kSnappy:
      return CompressionCodec::kSnappy;
    case io::Codec::kGzip:
      return CompressionCodec::kGzip;
    case io::Codec::kZstd:
      return CompressionCodec::kZstd;
    case io::Codec::kLZ4Raw:
      return CompressionCodec::kLZ4Raw;
    case io::Codec::kLZ4Hadoop:
      return CompressionCodec::kLZ4;
    case io::Codec::kBrotli:
      return CompressionCodec::kBrotli;
  }
  return CompressionCodec::kUncompressed;
}

SchemaElement LeafElement(const columnar::Field& field) {
  return LeafSchemaElement(field.name, field.type,
                           field.nullable ? Repetition::kOptional : Repetition::kRequired);
}

std::string JoinPath(const std::vector<std::string>& path) {
  std::string joined;
  for (const std::string& part : path) {
    if (!joined.empty()) joined += '.';
    joined += part;
  }
  return joined;
}

// Whether ParquetWriter has an encoder for a leaf of a caller's schema: the physical types and
// annotations it writes for sluice types (LeafSchemaElement), read back as that sluice type.
Status CheckWritableLeaf(const SchemaNode& leaf, const SchemaElement& element,
                         const std::string& where) {
  bool writable = false;
  switch (leaf.conversion) {
    case LeafConversion::kBool:
    case LeafConversion::kInt64:  // INT64, TIME and TIMESTAMP in microseconds
    case LeafConversion::kInt32Decimal:
    case LeafConversion::kInt64Decimal:
    case LeafConversion::kDouble:
      writable = true;
      break;
    case LeafConversion::kInt32: {
      // Not the 8- and 16-bit annotations: int32 values would not fit them.
      const bool narrow =
          (element.logical && element.logical->kind == LogicalType::Kind::kInteger &&
           element.logical->bit_width < 32) ||
          (element.converted && (*element.converted == ConvertedType::kInt8 ||
                                 *element.converted == ConvertedType::kInt16 ||
                                 *element.converted == ConvertedType::kUint8 ||
                                 *element.converted == ConvertedType::kUint16));
      writable = !narrow;
      break;
    }
    case LeafConversion::kBytes:
      writable = leaf.physical == Type::kByteArray;
      break;
    case LeafConversion::kBytesDecimal:
      writable = leaf.physical == Type::kFixedLenByteArray;
      break;
    default:
      break;
  }
  if (writable) return Status::OK();
  return Status::InvalidArgument(where + ": ParquetWriter cannot write leaf '" + element.name +
                                 "' (physical type " +
                                 std::to_string(static_cast<int>(leaf.physical)) +
                                 " with its annotations); use the types LeafSchemaElement makes");
}

}  // namespace

class ParquetWriter::Impl {
 public:
  Impl(std::unique_ptr<io::OutputStream> out, columnar::SchemaPtr schema,
       ParquetWriteOptions options)
      : out_(std::move(out)), schema_(std::move(schema)), options_(std::move(options)) {}

  // A flat file: one leaf per field of schema_.
  Status Start() {
    SchemaElement root;
    root.name = "schema";
    root.num_children = static_cast<int32_t>(schema_->num_fields());
    elements_.push_back(root);
    if (!options_.field_ids.empty() && options_.field_ids.size() != schema_->num_fields()) {
      return Status::InvalidArgument("ParquetWriter: " + std::to_string(options_.field_ids.size()) +
                                     " field ids for " + std::to_string(schema_->num_fields()) +
                                     " fields");
    }
    for (size_t i = 0; i < schema_->num_fields(); ++i) {
      elements_.push_back(LeafElement(schema_->field(i)));
      if (!options_.field_ids.empty()) elements_.back().field_id = options_.field_ids[i];
    }
    for (size_t i = 0; i < schema_->num_fields(); ++i) {
      const SchemaElement& element = elements_[i + 1];
      LeafColumn leaf;
      leaf.path = {element.name};
      leaf.type = schema_->field(i).type;
      leaf.physical = *element.type;
      leaf.type_length = element.type_length.value_or(0);
      leaf.max_definition = schema_->field(i).nullable ? 1 : 0;
      leaves_.push_back(std::move(leaf));
    }
    for (const LeafColumn& leaf : leaves_) encoders_.push_back(MakeColumnEncoder(leaf, options_));
    flat_ = true;
    return out_->Write(kMagic, 4);
  }

  // A file of the caller's schema, already checked by ParquetSchema::Make; schema_ is set.
  Status StartNested(std::vector<SchemaElement> elements, const ParquetSchema& parquet_schema) {
    elements_ = std::move(elements);
    const std::string& where = out_->path();
    flat_ = true;
    for (size_t field = 0; field < parquet_schema.fields().size(); ++field) {
      if (parquet_schema.IsNested(field)) flat_ = false;
    }
    for (const SchemaNode* node : parquet_schema.leaves()) {
      SLUICE_RETURN_NOT_OK(CheckWritableLeaf(*node, elements_[node->element_index], where));
      if (node->definition_level > kMaxWrittenLevel || node->repetition_level > kMaxWrittenLevel) {
        return Status::InvalidArgument(where + ": leaf '" + node->name + "' nests deeper than " +
                                       std::to_string(kMaxWrittenLevel) + " levels");
      }
      LeafColumn leaf;
      leaf.type = node->type;
      leaf.physical = node->physical;
      leaf.type_length = node->type_length;
      leaf.max_definition = node->definition_level;
      leaf.max_repetition = node->repetition_level;
      leaf.repeated_definition.resize(static_cast<size_t>(node->repetition_level));
      for (const SchemaNode* at = node; at->parent != nullptr; at = at->parent) {
        leaf.path.insert(leaf.path.begin(), at->name);
        if (at->is_repeated()) {
          leaf.repeated_definition[static_cast<size_t>(at->repetition_level - 1)] =
              at->definition_level;
        }
      }
      leaves_.push_back(std::move(leaf));
    }
    for (const LeafColumn& leaf : leaves_) encoders_.push_back(MakeColumnEncoder(leaf, options_));
    return out_->Write(kMagic, 4);
  }

  Status Write(const columnar::Batch& batch) {
    if (closed_) return Status::Internal("ParquetWriter: write after close");
    if (!flat_) {
      return Status::InvalidArgument(out_->path() +
                                     ": the file has nested columns; use WriteShredded");
    }
    if (batch.num_columns() != encoders_.size()) {
      return Status::SchemaMismatch(out_->path() + ": batch has " +
                                    std::to_string(batch.num_columns()) + " columns, the file " +
                                    std::to_string(encoders_.size()));
    }
    for (size_t i = 0; i < encoders_.size(); ++i) {
      if (!(batch.column(i).type() == schema_->field(i).type)) {
        return Status::SchemaMismatch(out_->path() + ": column '" + schema_->field(i).name +
                                      "' is " + schema_->field(i).type.ToString() +
                                      " in the file but " + batch.column(i).type().ToString() +
                                      " in the batch");
      }
      if (!schema_->field(i).nullable && batch.column(i).null_count() > 0) {
        return Status::SchemaMismatch(out_->path() + ": column '" + schema_->field(i).name +
                                      "' is not nullable but the batch has nulls");
      }
    }
    const int64_t rows = batch.num_rows();
    SLUICE_RETURN_NOT_OK(ThreadPool::Global().ForEach(
        encoders_.size(), options_.threads,
        [&](size_t i) { return encoders_[i]->Append(batch.column(i), 0, rows); }));
    return EndRows(rows);
  }

  Status WriteShredded(const std::vector<ShreddedColumn>& columns) {
    if (closed_) return Status::Internal("ParquetWriter: write after close");
    if (columns.size() != leaves_.size()) {
      return Status::SchemaMismatch(out_->path() + ": " + std::to_string(columns.size()) +
                                    " shredded columns for " + std::to_string(leaves_.size()) +
                                    " leaf columns");
    }
    int64_t records = 0;
    for (size_t i = 0; i < columns.size(); ++i) {
      SLUICE_ASSIGN_OR_RETURN(const int64_t leaf_records, CheckShredded(leaves_[i], columns[i]));
      if (i > 0 && leaf_records != records) {
        return Status::InvalidArgument(out_->path() + ": leaf '" + JoinPath(leaves_[i].path) +
                                       "' holds " + std::to_string(leaf_records) +
                                       " records, leaf '" + JoinPath(leaves_[0].path) + "' " +
                                       std::to_string(records));
      }
      records = leaf_records;
    }
    SLUICE_RETURN_NOT_OK(ThreadPool::Global().ForEach(
        encoders_.size(), options_.threads,
        [&](size_t i) { return encoders_[i]->AppendShredded(columns[i]); }));
    return EndRows(records);
  }

  // Counts rows written to every leaf; closes the row group once it is big enough.
  Status EndRows(int64_t rows) {
    group_rows_ += rows;
    rows_ += rows;
    int64_t bytes = 0;
    for (const auto& encoder : encoders_) bytes += encoder->EstimatedBytes();
    if (bytes >= options_.row_group_bytes) SLUICE_RETURN_NOT_OK(FlushRowGroup());
    return Status::OK();
  }

  // Checks one leaf's levels and values; returns its record count.
  Result<int64_t> CheckShredded(const LeafColumn& leaf, const ShreddedColumn& column) const {
    const std::string where = out_->path() + ": leaf '" + JoinPath(leaf.path) + "'";
    if (!column.values) return Status::InvalidArgument(where + ": no values column");
    if (!(column.values->type() == leaf.type)) {
      return Status::SchemaMismatch(where + " is " + leaf.type.ToString() + " but its values are " +
                                    column.values->type().ToString());
    }
    if (column.values->null_count() > 0) {
      return Status::InvalidArgument(where +
                                     ": the values column holds nulls (a missing value is "
                                     "a definition level below the maximum)");
    }
    const auto& definition = column.definition_levels;
    const auto& repetition = column.repetition_levels;
    const int64_t slots = column.slots();
    if ((leaf.max_definition > 0 && static_cast<int64_t>(definition.size()) != slots) ||
        (leaf.max_repetition > 0 && static_cast<int64_t>(repetition.size()) != slots)) {
      return Status::InvalidArgument(where + ": " + std::to_string(definition.size()) +
                                     " definition levels and " + std::to_string(repetition.size()) +
                                     " repetition levels (each must give one level per slot)");
    }
    if ((leaf.max_definition == 0 && !definition.empty() &&
         static_cast<int64_t>(definition.size()) != slots) ||
        (leaf.max_repetition == 0 && !repetition.empty() &&
         static_cast<int64_t>(repetition.size()) != slots)) {
      return Status::InvalidArgument(where + ": level lists of different lengths");
    }
    int64_t present = slots;
    if (!definition.empty()) {
      present = 0;
      for (const int16_t level : definition) {
        if (level < 0 || level > leaf.max_definition) {
          return Status::InvalidArgument(where + ": definition level " + std::to_string(level) +
                                         " outside 0.." + std::to_string(leaf.max_definition));
        }
        present += level == leaf.max_definition;
      }
    }
    if (present != column.values->length()) {
      return Status::InvalidArgument(where + ": " + std::to_string(present) +
                                     " slots hold a value but the values column has " +
                                     std::to_string(column.values->length()));
    }
    if (repetition.empty()) return slots;
    if (slots > 0 && repetition[0] != 0) {
      return Status::InvalidArgument(where + ": the first slot does not start a record");
    }
    int64_t records = 0;
    for (size_t slot = 0; slot < repetition.size(); ++slot) {
      const int16_t level = repetition[slot];
      if (level < 0 || level > leaf.max_repetition) {
        return Status::InvalidArgument(where + ": repetition level " + std::to_string(level) +
                                       " outside 0.." + std::to_string(leaf.max_repetition));
      }
      records += level == 0;
      const int16_t defined =
          definition.empty() ? static_cast<int16_t>(leaf.max_definition) : definition[slot];
      if (level > 0 && defined < leaf.repeated_definition[static_cast<size_t>(level - 1)]) {
        return Status::InvalidArgument(where + ": slot " + std::to_string(slot) +
                                       " repeats at level " + std::to_string(level) +
                                       " but is only defined to level " + std::to_string(defined));
      }
    }
    return records;
  }

  Status FlushRowGroup() {
    if (group_rows_ == 0) return Status::OK();
    std::vector<Result<EncodedChunk>> chunks(encoders_.size(), Status::Internal("not encoded"));
    SLUICE_RETURN_NOT_OK(
        ThreadPool::Global().ForEach(encoders_.size(), options_.threads, [&](size_t i) {
          chunks[i] = encoders_[i]->FinishChunk();
          return chunks[i].status();
        }));
    RowGroup group;
    group.num_rows = group_rows_;
    group.file_offset = out_->position();
    group.ordinal = static_cast<int16_t>(std::min<size_t>(row_groups_.size(), INT16_MAX));
    int64_t total_compressed = 0;
    for (size_t i = 0; i < encoders_.size(); ++i) {
      SLUICE_RETURN_NOT_OK(chunks[i].status());
      EncodedChunk& chunk = *chunks[i];
      const LeafColumn& leaf = leaves_[i];
      ColumnMetaData meta;
      meta.type = leaf.physical;
      meta.path_in_schema = leaf.path;
      meta.codec = ToParquetCodec(options_.codec);
      meta.num_values = chunk.num_values;
      meta.total_uncompressed_size = chunk.uncompressed_bytes;
      meta.total_compressed_size = chunk.compressed_bytes;
      const int64_t start = out_->position();
      if (!chunk.dictionary_page.empty()) {
        meta.dictionary_page_offset = start;
        for (const std::string& part : chunk.dictionary_page)
          SLUICE_RETURN_NOT_OK(out_->Write(part));
      }
      meta.data_page_offset = out_->position();
      for (const std::string& part : chunk.data_pages) SLUICE_RETURN_NOT_OK(out_->Write(part));
      // Encodings: levels are RLE; values PLAIN and/or RLE_DICTIONARY (with a PLAIN dictionary).
      meta.encodings.push_back(Encoding::kRLE);
      if (chunk.used_plain || chunk.dictionary_pages > 0)
        meta.encodings.push_back(Encoding::kPlain);
      if (chunk.used_dictionary) meta.encodings.push_back(Encoding::kRLEDictionary);
      if (chunk.dictionary_pages > 0) {
        meta.encoding_stats.push_back({PageType::kDictionaryPage, Encoding::kPlain, 1});
      }
      if (chunk.dictionary_data_pages > 0) {
        meta.encoding_stats.push_back(
            {PageType::kDataPage, Encoding::kRLEDictionary, chunk.dictionary_data_pages});
      }
      if (chunk.plain_data_pages > 0) {
        meta.encoding_stats.push_back(
            {PageType::kDataPage, Encoding::kPlain, chunk.plain_data_pages});
      }
      Statistics statistics;
      statistics.null_count = chunk.null_count;
      if (chunk.min_value && chunk.max_value) {
        statistics.min_value = std::move(chunk.min_value);
        statistics.max_value = std::move(chunk.max_value);
        statistics.is_min_value_exact = true;
        statistics.is_max_value_exact = true;
      }
      meta.statistics = std::move(statistics);
      ColumnChunk column;
      column.file_offset = start;
      column.meta_data = std::move(meta);
      group.total_byte_size += chunk.uncompressed_bytes;
      total_compressed += chunk.compressed_bytes;
      group.columns.push_back(std::move(column));
    }
    group.total_compressed_size = total_compressed;
    row_groups_.push_back(std::move(group));
    group_rows_ = 0;
    return Status::OK();
  }

  Result<ParquetWriteSummary> Close() {
    if (closed_) return Status::Internal("ParquetWriter: closed twice");
    closed_ = true;
    SLUICE_RETURN_NOT_OK(FlushRowGroup());
    FileMetaData metadata;
    metadata.version = 1;
    metadata.schema = elements_;
    metadata.num_rows = rows_;
    metadata.row_groups = std::move(row_groups_);
    metadata.created_by = kCreatedBy;
    metadata.column_orders_count = static_cast<int32_t>(leaves_.size());
    metadata.key_value_metadata.push_back(KeyValue{"sluice.schema", SchemaJson()});
    for (const auto& [key, value] : options_.metadata) {
      metadata.key_value_metadata.push_back(KeyValue{key, value});
    }
    std::string footer;
    EncodeFileMetaData(metadata, &footer);
    const uint32_t length = static_cast<uint32_t>(footer.size());
    footer.append(reinterpret_cast<const char*>(&length), 4);
    footer.append(kMagic, 4);
    SLUICE_RETURN_NOT_OK(out_->Write(footer));
    ParquetWriteSummary summary;
    summary.rows = rows_;
    summary.row_groups = static_cast<int64_t>(metadata.row_groups.size());
    summary.file_bytes = out_->position();
    SLUICE_RETURN_NOT_OK(out_->Close());
    return summary;
  }

  // [{"name":"id","type":"int64","nullable":false}, ...]
  std::string SchemaJson() const {
    std::string json = "[";
    for (size_t i = 0; i < schema_->num_fields(); ++i) {
      const columnar::Field& field = schema_->field(i);
      if (i > 0) json += ",";
      json += "{\"name\":";
      columnar::AppendJsonString(field.name, &json);
      json += ",\"type\":\"" + field.type.ToString() + "\",\"nullable\":";
      json += field.nullable ? "true}" : "false}";
    }
    json += "]";
    return json;
  }

  std::unique_ptr<io::OutputStream> out_;
  columnar::SchemaPtr schema_;
  ParquetWriteOptions options_;
  std::vector<SchemaElement> elements_;
  std::vector<LeafColumn> leaves_;
  std::vector<std::unique_ptr<ColumnEncoder>> encoders_;
  // Every top-level field is a non-repeated leaf: Write(Batch) works.
  bool flat_ = true;
  std::vector<RowGroup> row_groups_;
  int64_t group_rows_ = 0;
  int64_t rows_ = 0;
  bool closed_ = false;
};

Result<std::unique_ptr<ParquetWriter>> ParquetWriter::Open(std::unique_ptr<io::OutputStream> out,
                                                           columnar::SchemaPtr schema,
                                                           ParquetWriteOptions options) {
  if (!schema || schema->num_fields() == 0) {
    return Status::InvalidArgument(out->path() + ": a Parquet file needs at least one column");
  }
  if (options.row_group_bytes <= 0 || options.page_bytes <= 0) {
    return Status::InvalidArgument("row group and page sizes must be positive");
  }
  if (options.threads < 1) options.threads = 1;
  auto impl = std::make_unique<Impl>(std::move(out), std::move(schema), std::move(options));
  SLUICE_RETURN_NOT_OK(impl->Start());
  return std::unique_ptr<ParquetWriter>(new ParquetWriter(std::move(impl)));
}

Result<std::unique_ptr<ParquetWriter>> ParquetWriter::OpenNested(
    std::unique_ptr<io::OutputStream> out, std::vector<SchemaElement> elements,
    ParquetWriteOptions options) {
  if (options.row_group_bytes <= 0 || options.page_bytes <= 0) {
    return Status::InvalidArgument("row group and page sizes must be positive");
  }
  if (options.threads < 1) options.threads = 1;
  auto parquet_schema = ParquetSchema::Make(elements, out->path());
  if (!parquet_schema.ok()) {
    return Status::InvalidArgument(parquet_schema.status().message());
  }
  // The schema ParquetReader reads the file back as: one column per top-level field.
  std::vector<columnar::Field> fields;
  for (size_t i = 0; i < (*parquet_schema)->fields().size(); ++i) {
    const SchemaNode& node = *(*parquet_schema)->fields()[i];
    fields.push_back(columnar::Field{node.name, (*parquet_schema)->FieldType(i),
                                     node.repetition != Repetition::kRequired});
  }
  auto schema = std::make_shared<const columnar::Schema>(std::move(fields));
  auto impl = std::make_unique<Impl>(std::move(out), std::move(schema), std::move(options));
  SLUICE_RETURN_NOT_OK(impl->StartNested(std::move(elements), **parquet_schema));
  return std::unique_ptr<ParquetWriter>(new ParquetWriter(std::move(impl)));
}

ParquetWriter::ParquetWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ParquetWriter::~ParquetWriter() = default;

Status ParquetWriter::Write(const columnar::Batch& batch) { return impl_->Write(batch); }
Status ParquetWriter::WriteShredded(const std::vector<ShreddedColumn>& leaves) {
  return impl_->WriteShredded(leaves);
}
Result<ParquetWriteSummary> ParquetWriter::Close() { return impl_->Close(); }
const columnar::SchemaPtr& ParquetWriter::schema() const { return impl_->schema_; }
int64_t ParquetWriter::rows_written() const { return impl_->rows_; }

}  // namespace sluice::parquet

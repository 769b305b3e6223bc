#include "sluice/lake/checkpoint_writer.h"

#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "sluice/formats/parquet/nested_schema_builder.h"
#include "sluice/formats/parquet/parquet_schema.h"
#include "sluice/formats/parquet/parquet_writer.h"
#include "sluice/formats/parquet/shredded_column.h"

namespace sluice::lake {
namespace {

using columnar::DataType;
using parquet::NestedSchemaBuilder;
using parquet::ShreddedColumnBuilder;

// Records shredded per WriteShredded call (bounds the builders' memory).
constexpr size_t kRowsPerWrite = 16 * 1024;

// The top-level columns, in file order.
enum class ActionColumn { kTxn, kAdd, kRemove, kMetaData, kProtocol, kDomainMetadata };
std::vector<ActionColumn> Columns(bool with_domains) {
  std::vector<ActionColumn> columns = {ActionColumn::kTxn, ActionColumn::kAdd,
                                       ActionColumn::kRemove, ActionColumn::kMetaData,
                                       ActionColumn::kProtocol};
  if (with_domains) columns.push_back(ActionColumn::kDomainMetadata);
  return columns;
}

void AddDeletionVector(NestedSchemaBuilder& builder) {
  builder.BeginStruct("deletionVector")
      .Leaf("storageType", DataType::String())
      .Leaf("pathOrInlineDv", DataType::String())
      .Leaf("offset", DataType::Int32())
      .Leaf("sizeInBytes", DataType::Int32())
      .Leaf("cardinality", DataType::Int64())
      .End();
}

Result<std::vector<parquet::SchemaElement>> BuildSchema(bool with_domains) {
  const DataType string = DataType::String();
  NestedSchemaBuilder builder("schema");
  builder.BeginStruct("txn")
      .Leaf("appId", string)
      .Leaf("version", DataType::Int64())
      .Leaf("lastUpdated", DataType::Int64())
      .End();
  builder.BeginStruct("add")
      .Leaf("path", string)
      .Map("partitionValues", string, string)
      .Leaf("size", DataType::Int64())
      .Leaf("modificationTime", DataType::Int64())
      .Leaf("dataChange", DataType::Bool())
      .Map("tags", string, string);
  AddDeletionVector(builder);
  builder.Leaf("stats", string).End();
  builder.BeginStruct("remove")
      .Leaf("path", string)
      .Leaf("deletionTimestamp", DataType::Int64())
      .Leaf("dataChange", DataType::Bool())
      .Leaf("extendedFileMetadata", DataType::Bool())
      .Map("partitionValues", string, string)
      .Leaf("size", DataType::Int64());
  AddDeletionVector(builder);
  builder.End();
  builder.BeginStruct("metaData")
      .Leaf("id", string)
      .Leaf("name", string)
      .Leaf("description", string)
      .BeginStruct("format")
      .Leaf("provider", string)
      .Map("options", string, string)
      .End()
      .Leaf("schemaString", string)
      .List("partitionColumns", string)
      .Map("configuration", string, string)
      .Leaf("createdTime", DataType::Int64())
      .End();
  builder.BeginStruct("protocol")
      .Leaf("minReaderVersion", DataType::Int32())
      .Leaf("minWriterVersion", DataType::Int32())
      .List("readerFeatures", string)
      .List("writerFeatures", string)
      .End();
  if (with_domains) {
    builder.BeginStruct("domainMetadata")
        .Leaf("domain", string)
        .Leaf("configuration", string)
        .Leaf("removed", DataType::Bool())
        .End();
  }
  return builder.Finish();
}

// Appends one row's slots to the leaf builders of one top-level column, leaf by leaf in schema
// order. Every field of the checkpoint schema is optional, so a leaf whose enclosing struct is
// present but which has no value is defined to its maximum minus one.
class LeafCursor {
 public:
  LeafCursor(std::vector<ShreddedColumnBuilder>& leaves, size_t begin)
      : leaves_(leaves), next_(begin) {}

  size_t position() const { return next_; }

  void String(const std::string& value) { Next().AppendString(0, value); }
  void Int32(int32_t value) { Next().AppendInt32(0, value); }
  void Int64(int64_t value) { Next().AppendInt64(0, value); }
  void Bool(bool value) { Next().AppendBool(0, value); }

  void String(const std::optional<std::string>& value) {
    if (value) return String(*value);
    Missing();
  }
  void Int64(const std::optional<int64_t>& value) {
    if (value) return Int64(*value);
    Missing();
  }
  void Int32(const std::optional<int32_t>& value) {
    if (value) return Int32(*value);
    Missing();
  }
  void Bool(const std::optional<bool>& value) {
    if (value) return Bool(*value);
    Missing();
  }

  // A map<string,string> (MAP → key_value → key, value): null, empty or with entries; a value may
  // be null when the map's values are optionals.
  template <typename Value>
  void Map(const std::map<std::string, Value>* map) {
    ShreddedColumnBuilder& key = Next();
    ShreddedColumnBuilder& value = Next();
    // key: map defined at max - 2 (null below), key_value at max - 1 (empty below), key at max.
    const int16_t map_null = static_cast<int16_t>(key.max_definition() - 2);
    if (map == nullptr || map->empty()) {
      const int16_t level = map == nullptr ? map_null : static_cast<int16_t>(map_null + 1);
      key.AppendMissing(0, level);
      value.AppendMissing(0, level);
      return;
    }
    int16_t repetition = 0;
    for (const auto& [name, text] : *map) {
      key.AppendString(repetition, name);
      if constexpr (std::is_same_v<Value, std::string>) {
        value.AppendString(repetition, text);
      } else if (text) {
        value.AppendString(repetition, *text);
      } else {
        value.AppendMissing(repetition, static_cast<int16_t>(value.max_definition() - 1));
      }
      repetition = 1;
    }
  }

  // An array<string> (LIST → list → element): null, empty or with elements.
  void List(const std::vector<std::string>* list) {
    ShreddedColumnBuilder& element = Next();
    // element: list defined at max - 2, its repeated `list` at max - 1, the element at max.
    const int16_t list_null = static_cast<int16_t>(element.max_definition() - 3);
    if (list == nullptr || list->empty()) {
      element.AppendMissing(0, list == nullptr ? list_null : static_cast<int16_t>(list_null + 1));
      return;
    }
    int16_t repetition = 0;
    for (const std::string& text : *list) {
      element.AppendString(repetition, text);
      repetition = 1;
    }
  }

  void DeletionVectorFields(const std::optional<DeletionVector>& vector) {
    if (!vector) {
      // The struct is null: each of its five leaves is defined down to the enclosing action.
      for (int i = 0; i < 5; ++i) {
        ShreddedColumnBuilder& leaf = Next();
        leaf.AppendMissing(0, static_cast<int16_t>(leaf.max_definition() - 2));
      }
      return;
    }
    String(vector->storage_type);
    String(vector->path_or_inline_dv);
    Int32(vector->offset);
    Int32(vector->size_in_bytes);
    Int64(vector->cardinality);
  }

 private:
  ShreddedColumnBuilder& Next() { return leaves_[next_++]; }
  void Missing() {
    ShreddedColumnBuilder& leaf = Next();
    leaf.AppendMissing(0, static_cast<int16_t>(leaf.max_definition() - 1));
  }

  std::vector<ShreddedColumnBuilder>& leaves_;
  size_t next_;
};

void Shred(const Txn& txn, LeafCursor& cursor) {
  cursor.String(txn.app_id);
  cursor.Int64(txn.version);
  cursor.Int64(txn.last_updated);
}

void Shred(const AddFile& add, LeafCursor& cursor) {
  cursor.String(add.path);
  cursor.Map(&add.partition_values);
  cursor.Int64(add.size);
  cursor.Int64(add.modification_time);
  cursor.Bool(add.data_change);
  cursor.Map(add.tags ? &*add.tags : nullptr);
  cursor.DeletionVectorFields(add.deletion_vector);
  cursor.String(add.stats);
}

void Shred(const RemoveFile& remove, LeafCursor& cursor) {
  cursor.String(remove.path);
  cursor.Int64(remove.deletion_timestamp);
  cursor.Bool(remove.data_change);
  cursor.Bool(remove.extended_file_metadata);
  cursor.Map(remove.partition_values ? &*remove.partition_values : nullptr);
  cursor.Int64(remove.size);
  cursor.DeletionVectorFields(remove.deletion_vector);
}

void Shred(const Metadata& metadata, LeafCursor& cursor) {
  cursor.String(metadata.id);
  cursor.String(metadata.name);
  cursor.String(metadata.description);
  cursor.String(metadata.format.provider);
  cursor.Map(&metadata.format.options);
  cursor.String(metadata.schema_string);
  cursor.List(&metadata.partition_columns);
  cursor.Map(&metadata.configuration);
  cursor.Int64(metadata.created_time);
}

void Shred(const Protocol& protocol, LeafCursor& cursor) {
  cursor.Int32(protocol.min_reader_version);
  cursor.Int32(protocol.min_writer_version);
  cursor.List(protocol.reader_features ? &*protocol.reader_features : nullptr);
  cursor.List(protocol.writer_features ? &*protocol.writer_features : nullptr);
}

void Shred(const DomainMetadata& domain, LeafCursor& cursor) {
  cursor.String(domain.domain);
  cursor.String(domain.configuration);
  cursor.Bool(domain.removed);
}

// Shreds checkpoint rows into one builder per leaf and hands them to the writer in slices.
class CheckpointShredder {
 public:
  static Result<CheckpointShredder> Make(const std::vector<parquet::SchemaElement>& elements,
                                         std::vector<ActionColumn> columns) {
    SLUICE_ASSIGN_OR_RETURN(auto schema, parquet::ParquetSchema::Make(elements, "checkpoint"));
    CheckpointShredder shredder;
    shredder.columns_ = std::move(columns);
    for (const parquet::SchemaNode* leaf : schema->leaves()) shredder.leaves_.emplace_back(*leaf);
    size_t begin = 0;
    for (size_t field = 0; field < schema->fields().size(); ++field) {
      const size_t count = schema->FieldLeaves(field).size();
      shredder.ranges_.emplace_back(begin, begin + count);
      begin += count;
    }
    if (shredder.ranges_.size() != shredder.columns_.size()) {
      return Status::Internal("checkpoint schema has " + std::to_string(shredder.ranges_.size()) +
                              " top-level columns");
    }
    return shredder;
  }

  // Appends one row holding `action` in column `kind` and nulls in the others.
  template <typename Action>
  Status Append(ActionColumn kind, const Action& action) {
    for (size_t column = 0; column < columns_.size(); ++column) {
      const auto [begin, end] = ranges_[column];
      if (columns_[column] != kind) {
        for (size_t leaf = begin; leaf < end; ++leaf) leaves_[leaf].AppendMissing(0, 0);
        continue;
      }
      LeafCursor cursor(leaves_, begin);
      Shred(action, cursor);
      if (cursor.position() != end) {
        return Status::Internal("checkpoint row shredding out of step with the schema");
      }
    }
    ++pending_;
    return Status::OK();
  }

  size_t pending() const { return pending_; }

  // Writes the pending rows.
  Status Flush(parquet::ParquetWriter* writer) {
    if (pending_ == 0) return Status::OK();
    std::vector<parquet::ShreddedColumn> columns;
    columns.reserve(leaves_.size());
    for (ShreddedColumnBuilder& leaf : leaves_) {
      SLUICE_ASSIGN_OR_RETURN(parquet::ShreddedColumn column, leaf.Finish());
      columns.push_back(std::move(column));
    }
    pending_ = 0;
    return writer->WriteShredded(columns);
  }

 private:
  std::vector<ActionColumn> columns_;
  std::vector<ShreddedColumnBuilder> leaves_;
  std::vector<std::pair<size_t, size_t>> ranges_;  // leaves of each top-level column
  size_t pending_ = 0;
};

template <typename Action>
Status AppendRow(CheckpointShredder& shredder, parquet::ParquetWriter* writer, ActionColumn kind,
                 const Action& action) {
  SLUICE_RETURN_NOT_OK(shredder.Append(kind, action));
  if (shredder.pending() >= kRowsPerWrite) return shredder.Flush(writer);
  return Status::OK();
}

}  // namespace

std::vector<parquet::SchemaElement> CheckpointParquetSchema(bool with_domains) {
  Result<std::vector<parquet::SchemaElement>> schema = BuildSchema(with_domains);
  return schema.ok() ? std::move(schema).ValueUnsafe() : std::vector<parquet::SchemaElement>{};
}

Result<int64_t> WriteCheckpoint(const CheckpointContents& contents,
                                std::unique_ptr<io::OutputStream> out) {
  const bool with_domains = !contents.domains.empty();
  SLUICE_ASSIGN_OR_RETURN(std::vector<parquet::SchemaElement> elements, BuildSchema(with_domains));
  SLUICE_ASSIGN_OR_RETURN(CheckpointShredder shredder,
                          CheckpointShredder::Make(elements, Columns(with_domains)));
  parquet::ParquetWriteOptions options;
  options.codec = io::Codec::kSnappy;
  SLUICE_ASSIGN_OR_RETURN(
      std::unique_ptr<parquet::ParquetWriter> writer,
      parquet::ParquetWriter::OpenNested(std::move(out), std::move(elements), options));
  parquet::ParquetWriter* sink = writer.get();
  SLUICE_RETURN_NOT_OK(AppendRow(shredder, sink, ActionColumn::kProtocol, contents.protocol));
  SLUICE_RETURN_NOT_OK(AppendRow(shredder, sink, ActionColumn::kMetaData, contents.metadata));
  for (const Txn& txn : contents.txns) {
    SLUICE_RETURN_NOT_OK(AppendRow(shredder, sink, ActionColumn::kTxn, txn));
  }
  for (const AddFile& add : contents.adds) {
    SLUICE_RETURN_NOT_OK(AppendRow(shredder, sink, ActionColumn::kAdd, add));
  }
  for (const RemoveFile& remove : contents.removes) {
    SLUICE_RETURN_NOT_OK(AppendRow(shredder, sink, ActionColumn::kRemove, remove));
  }
  for (const DomainMetadata& domain : contents.domains) {
    SLUICE_RETURN_NOT_OK(AppendRow(shredder, sink, ActionColumn::kDomainMetadata, domain));
  }
  SLUICE_RETURN_NOT_OK(shredder.Flush(sink));
  SLUICE_ASSIGN_OR_RETURN(parquet::ParquetWriteSummary summary, writer->Close());
  return summary.file_bytes;
}

}  // namespace sluice::lake

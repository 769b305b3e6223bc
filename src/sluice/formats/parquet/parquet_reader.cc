#include "sluice/formats/parquet/parquet_reader.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <variant>

#include "sluice/columnar/decimal.h"
#include "sluice/columnar/temporal.h"
#include "sluice/columnar/value_formatter.h"
#include "sluice/common/thread_pool.h"
#include "sluice/formats/parquet/column_chunk_reader.h"
#include "sluice/formats/parquet/parquet_schema.h"

namespace sluice::parquet {
namespace {

using columnar::DataType;
using columnar::Int128;
using columnar::TypeId;

constexpr int64_t kMaxFooterBytes = 256ll << 20;

// ---- statistics and row-group filters ---------------------------------------------------------

Result<StatisticValue> ParseLiteral(const DataType& type, const std::string& text,
                                    const std::string& column) {
  auto bad = [&] {
    return Status::InvalidArgument("filter on '" + column + "': '" + text + "' is not a " +
                                   type.ToString());
  };
  switch (type.id()) {
    case TypeId::kInt32:
    case TypeId::kInt64: {
      errno = 0;
      char* end = nullptr;
      const long long value = std::strtoll(text.c_str(), &end, 10);
      if (text.empty() || *end != '\0' || errno != 0) return bad();
      return StatisticValue(static_cast<int64_t>(value));
    }
    case TypeId::kDate: {
      int32_t days;
      if (!columnar::ParseDate(text, columnar::DateOrder::kYMD, &days)) return bad();
      return StatisticValue(static_cast<int64_t>(days));
    }
    case TypeId::kTimestamp: {
      int64_t micros;
      if (!columnar::ParseTimestamp(text, columnar::DateOrder::kYMD, &micros)) return bad();
      return StatisticValue(micros);
    }
    case TypeId::kTime: {
      int64_t micros;
      if (!columnar::ParseTime(text, &micros)) return bad();
      return StatisticValue(micros);
    }
    case TypeId::kDecimal: {
      Int128 value;
      if (columnar::ParseDecimal(text, columnar::kMaxDecimalPrecision, type.scale(), &value) !=
          columnar::DecimalParseError::kOk) {
        return bad();
      }
      return StatisticValue(value);
    }
    case TypeId::kFloat64: {
      char* end = nullptr;
      const double value = std::strtod(text.c_str(), &end);
      if (text.empty() || *end != '\0') return bad();
      return StatisticValue(value);
    }
    case TypeId::kString:
      return StatisticValue(text);
    default:
      return Status::InvalidArgument("filter on '" + column +
                                     "': row groups cannot be skipped by " + type.ToString() +
                                     " values");
  }
}

// -1, 0, 1; both hold the same alternative.
int Compare(const StatisticValue& a, const StatisticValue& b) {
  if (const auto* x = std::get_if<int64_t>(&a)) {
    const int64_t y = std::get<int64_t>(b);
    return *x < y ? -1 : *x > y;
  }
  if (const auto* x = std::get_if<Int128>(&a)) {
    const Int128 y = std::get<Int128>(b);
    return *x < y ? -1 : *x > y;
  }
  if (const auto* x = std::get_if<double>(&a)) {
    const double y = std::get<double>(b);
    return *x < y ? -1 : *x > y;
  }
  const std::string& x = std::get<std::string>(a);
  const std::string& y = std::get<std::string>(b);
  const int c = std::memcmp(x.data(), y.data(), std::min(x.size(), y.size()));
  if (c != 0) return c < 0 ? -1 : 1;
  return x.size() < y.size() ? -1 : x.size() > y.size();
}

// ---- nested record assembly -------------------------------------------------------------------

struct LeafData {
  std::vector<int16_t> definition;
  std::vector<int16_t> repetition;
  columnar::ColumnPtr values;  // non-null values only
  int64_t position = 0;        // next level entry
  int64_t value_position = 0;  // next value
  int16_t max_definition = 0;
};

class NestedAssembler {
 public:
  NestedAssembler(const NestedShape& shape, std::vector<LeafData> leaves, std::string where)
      : shape_(shape), leaves_(std::move(leaves)), where_(std::move(where)) {}

  // Counts the records (entries with repetition level 0) of the first leaf.
  int64_t CountRecords() const {
    const LeafData& leaf = leaves_[0];
    int64_t records = 0;
    for (int16_t level : leaf.repetition) records += level == 0;
    return records;
  }

  Status CheckLeavesAgree() const {
    const int64_t records = CountRecords();
    for (const LeafData& leaf : leaves_) {
      int64_t count = 0;
      for (int16_t level : leaf.repetition) count += level == 0;
      if (count != records) {
        return Status::DataError(where_ + ": the leaves of a nested column disagree on its rows");
      }
    }
    return Status::OK();
  }

  // Appends one JSON value per record for the next `rows` records; a null top-level value is a
  // null cell, not the JSON text `null`.
  Status Assemble(int64_t rows, ValueAccumulator* out) {
    std::string text;
    validity_.clear();
    int64_t present = 0;
    for (int64_t row = 0; row < rows; ++row) {
      text.clear();
      // Every leaf must be at the start of this record (their levels may not drift apart).
      for (const LeafData& leaf : leaves_) {
        if (leaf.position >= static_cast<int64_t>(leaf.definition.size())) {
          return Status::DataError(where_ + ": a nested column has fewer rows than its row group");
        }
        if (leaf.repetition[static_cast<size_t>(leaf.position)] != 0) {
          return Status::DataError(
              where_ + ": a record starts with repetition level " +
              std::to_string(leaf.repetition[static_cast<size_t>(leaf.position)]));
        }
      }
      SLUICE_RETURN_NOT_OK(Emit(shape_, &text));
      // Only a null top-level value renders as `null` (objects and arrays never do).
      const bool valid = text != "null";
      validity_.push_back(valid ? 1 : 0);
      if (!valid) continue;
      out->bytes.insert(out->bytes.end(), text.begin(), text.end());
      out->offsets.push_back(static_cast<int64_t>(out->bytes.size()));
      out->AddValues(1);
      ++present;
    }
    out->SpreadNulls(present, validity_.data(), rows, 1);
    return Status::OK();
  }

  Status CheckExhausted() const {
    for (const LeafData& leaf : leaves_) {
      if (leaf.position != static_cast<int64_t>(leaf.definition.size())) {
        return Status::DataError(where_ + ": a nested column has more values than its rows");
      }
    }
    return Status::OK();
  }

 private:
  Status Truncated() const {
    return Status::DataError(where_ + ": a nested column's levels end inside a record");
  }

  // Advances every leaf under `shape` past one entry (a null or empty container).
  Status SkipOne(const NestedShape& shape) {
    for (int i = shape.leaf_begin; i < shape.leaf_end; ++i) {
      LeafData& leaf = leaves_[static_cast<size_t>(i)];
      if (leaf.position >= static_cast<int64_t>(leaf.definition.size())) return Truncated();
      ++leaf.position;
    }
    return Status::OK();
  }

  Status Emit(const NestedShape& shape, std::string* out) {
    LeafData& first = leaves_[static_cast<size_t>(shape.leaf_begin)];
    if (first.position >= static_cast<int64_t>(first.definition.size())) return Truncated();
    const int16_t definition = first.definition[static_cast<size_t>(first.position)];
    switch (shape.kind) {
      case NestedShape::Kind::kValue: {
        if (definition < shape.null_below) {
          out->append("null");
        } else {
          if (first.value_position >= first.values->length()) return Truncated();
          columnar::AppendValue(*first.values, first.value_position++, columnar::ValueStyle::kJson,
                                out);
        }
        ++first.position;
        return Status::OK();
      }
      case NestedShape::Kind::kObject: {
        if (definition < shape.null_below) {
          out->append("null");
          return SkipOne(shape);
        }
        out->push_back('{');
        for (size_t i = 0; i < shape.members.size(); ++i) {
          if (i > 0) out->push_back(',');
          columnar::AppendJsonString(shape.names[i], out);
          out->push_back(':');
          SLUICE_RETURN_NOT_OK(Emit(*shape.members[i], out));
        }
        out->push_back('}');
        return Status::OK();
      }
      case NestedShape::Kind::kArray:
      case NestedShape::Kind::kMap: {
        const bool map = shape.kind == NestedShape::Kind::kMap;
        if (definition < shape.null_below) {
          out->append("null");
          return SkipOne(shape);
        }
        if (definition < shape.element_defined) {
          out->append(map ? "{}" : "[]");
          return SkipOne(shape);
        }
        out->push_back(map ? '{' : '[');
        bool first_element = true;
        while (true) {
          if (!first_element) out->push_back(',');
          first_element = false;
          if (map) {
            std::string key;
            SLUICE_RETURN_NOT_OK(Emit(*shape.members[0], &key));
            if (!key.empty() && key[0] == '"') {
              out->append(key);
            } else {
              columnar::AppendJsonString(key, out);
            }
            out->push_back(':');
            if (shape.members.size() > 1) {
              SLUICE_RETURN_NOT_OK(Emit(*shape.members[1], out));
            } else {
              out->append("null");
            }
          } else {
            SLUICE_RETURN_NOT_OK(Emit(*shape.members[0], out));
          }
          if (first.position >= static_cast<int64_t>(first.definition.size())) break;
          const int16_t next = first.repetition[static_cast<size_t>(first.position)];
          if (next != shape.repetition_level) {
            if (next > shape.repetition_level) {
              return Status::DataError(where_ + ": repetition level " + std::to_string(next) +
                                       " does not fit the column's nesting");
            }
            break;
          }
        }
        out->push_back(map ? '}' : ']');
        return Status::OK();
      }
    }
    return Status::OK();
  }

  const NestedShape& shape_;
  std::vector<LeafData> leaves_;
  std::string where_;
  std::vector<int16_t> validity_;  // per record of the current Assemble: 1 valid, 0 null
};

}  // namespace

StatisticValue DecodeStatistic(const SchemaNode& leaf, const std::string& bytes) {
  auto load = [&](auto* value) {
    if (bytes.size() != sizeof(*value)) return false;
    std::memcpy(value, bytes.data(), sizeof(*value));
    return true;
  };
  switch (leaf.conversion) {
    case LeafConversion::kInt32: {
      int32_t value;
      if (load(&value)) return static_cast<int64_t>(value);
      break;
    }
    case LeafConversion::kUInt32: {
      uint32_t value;
      if (load(&value)) return static_cast<int64_t>(value);
      break;
    }
    case LeafConversion::kInt32Times1000: {
      int32_t value;
      if (load(&value)) return static_cast<int64_t>(value) * 1000;
      break;
    }
    case LeafConversion::kInt64: {
      int64_t value;
      if (load(&value)) return value;
      break;
    }
    case LeafConversion::kInt32Decimal: {
      int32_t value;
      if (load(&value)) return static_cast<Int128>(value);
      break;
    }
    case LeafConversion::kInt64Decimal: {
      int64_t value;
      if (load(&value)) return static_cast<Int128>(value);
      break;
    }
    case LeafConversion::kFloat: {
      float value;
      if (load(&value) && !std::isnan(value)) return static_cast<double>(value);
      break;
    }
    case LeafConversion::kDouble: {
      double value;
      if (load(&value) && !std::isnan(value)) return value;
      break;
    }
    case LeafConversion::kInt64Times1000:
    case LeafConversion::kInt64Div1000: {
      int64_t value;
      if (!load(&value)) break;
      if (leaf.conversion == LeafConversion::kInt64Times1000) {
        return static_cast<int64_t>(static_cast<uint64_t>(value) * 1000);
      }
      return value >= 0 ? value / 1000 : -((-(value + 1)) / 1000) - 1;
    }
    case LeafConversion::kBytesDecimal:
      if (bytes.empty() || bytes.size() > 16) break;
      return DecodeBigEndianDecimal(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    case LeafConversion::kBytes:
      if (leaf.type.id() == TypeId::kString) return bytes;
      break;
    default:
      break;
  }
  return std::monostate{};
}

Result<columnar::SchemaPtr> ParquetSchemaToSluice(const FileMetaData& metadata) {
  SLUICE_ASSIGN_OR_RETURN(auto schema, ParquetSchema::Make(metadata.schema, "<footer>"));
  std::vector<columnar::Field> fields;
  for (size_t i = 0; i < schema->fields().size(); ++i) {
    fields.push_back(columnar::Field{schema->fields()[i]->name, schema->FieldType(i),
                                     schema->fields()[i]->repetition != Repetition::kRequired});
  }
  return std::make_shared<const columnar::Schema>(std::move(fields));
}

class ParquetReader::Impl {
 public:
  Impl(std::shared_ptr<io::RandomAccessFile> file, ParquetReadOptions options)
      : file_(std::move(file)), options_(std::move(options)) {}

  Status Open() {
    const std::string& path = file_->path();
    const int64_t size = file_->size();
    if (size < 12) {
      return Status::DataError(path + ": not a Parquet file (" + std::to_string(size) +
                               " bytes is too short)");
    }
    uint8_t head[4];
    uint8_t tail[8];
    SLUICE_RETURN_NOT_OK(file_->ReadAt(0, 4, head));
    SLUICE_RETURN_NOT_OK(file_->ReadAt(size - 8, 8, tail));
    if (std::memcmp(tail + 4, "PARE", 4) == 0) {
      return Status::DataError(path +
                               ": the file is encrypted (Parquet modular encryption), "
                               "which sluice does not read");
    }
    if (std::memcmp(head, "PAR1", 4) != 0 || std::memcmp(tail + 4, "PAR1", 4) != 0) {
      return Status::DataError(path + ": not a Parquet file (no PAR1 magic at both ends)");
    }
    uint32_t footer_length;
    std::memcpy(&footer_length, tail, 4);
    if (footer_length == 0 || footer_length > size - 12 || footer_length > kMaxFooterBytes) {
      return Status::DataError(path + ": the footer length " + std::to_string(footer_length) +
                               " does not fit the file");
    }
    std::vector<uint8_t> footer(footer_length);
    SLUICE_RETURN_NOT_OK(file_->ReadAt(size - 8 - footer_length, footer_length, footer.data()));
    auto metadata = DecodeFileMetaData(footer.data(), footer.size());
    if (!metadata.ok()) {
      return Status::DataError(path + ": corrupt footer: " + metadata.status().message());
    }
    metadata_ = std::move(*metadata);
    if (metadata_.has_encryption_algorithm) {
      return Status::DataError(path + ": the file is encrypted, which sluice does not read");
    }
    SLUICE_ASSIGN_OR_RETURN(parquet_schema_, ParquetSchema::Make(metadata_.schema, path));
    const size_t leaves = parquet_schema_->leaves().size();
    for (size_t g = 0; g < metadata_.row_groups.size(); ++g) {
      const RowGroup& group = metadata_.row_groups[g];
      const std::string where = path + ": row group " + std::to_string(g);
      if (group.columns.size() != leaves) {
        return Status::DataError(where + " has " + std::to_string(group.columns.size()) +
                                 " column chunks for " + std::to_string(leaves) + " columns");
      }
      if (group.num_rows < 0) return Status::DataError(where + " has a negative row count");
      for (const ColumnChunk& chunk : group.columns) {
        if (chunk.has_crypto_metadata || chunk.has_encrypted_column_metadata) {
          return Status::DataError(where + ": encrypted columns are not supported");
        }
        if (chunk.file_path) {
          return Status::DataError(where + ": column chunks in other files are not supported");
        }
        if (!chunk.meta_data) return Status::DataError(where + ": a column chunk has no metadata");
      }
    }
    // Projection.
    const auto& fields = parquet_schema_->fields();
    if (options_.columns.empty()) {
      for (size_t i = 0; i < fields.size(); ++i) projection_.push_back(i);
    } else {
      for (const std::string& name : options_.columns) {
        size_t found = fields.size();
        for (size_t i = 0; i < fields.size(); ++i) {
          if (fields[i]->name == name) {
            found = i;
            break;
          }
        }
        if (found == fields.size()) {
          std::string known;
          for (const auto& field : fields) known += (known.empty() ? "" : ", ") + field->name;
          return Status::InvalidArgument(path + ": no column '" + name + "' (columns: " + known +
                                         ")");
        }
        projection_.push_back(found);
      }
    }
    std::vector<columnar::Field> sluice_fields;
    for (size_t field : projection_) {
      sluice_fields.push_back(columnar::Field{fields[field]->name,
                                              parquet_schema_->FieldType(field),
                                              fields[field]->repetition != Repetition::kRequired});
    }
    schema_ = std::make_shared<const columnar::Schema>(std::move(sluice_fields));
    // Row-group selection.
    for (size_t g = 0; g < metadata_.row_groups.size(); ++g) {
      // An empty row group has nothing to read (writers leave odd offsets in them).
      if (metadata_.row_groups[g].num_rows == 0 && !parquet_schema_->fields().empty() &&
          !AnyNested()) {
        continue;
      }
      SLUICE_ASSIGN_OR_RETURN(const bool keep, RowGroupMayMatch(g));
      if (keep) {
        selected_.push_back(g);
      } else {
        ++skipped_;
      }
    }
    if (options_.batch_rows <= 0) options_.batch_rows = columnar::kMaxBatchRows;
    return Status::OK();
  }

  // Nested columns are counted by their records: a footer may claim 0 rows for them.
  bool AnyNested() const {
    for (size_t field : projection_) {
      if (parquet_schema_->IsNested(field)) return true;
    }
    return false;
  }

  Result<bool> RowGroupMayMatch(size_t group_index) {
    const RowGroup& group = metadata_.row_groups[group_index];
    const auto& fields = parquet_schema_->fields();
    for (const RowGroupFilter& filter : options_.filters) {
      size_t field = fields.size();
      for (size_t i = 0; i < fields.size(); ++i) {
        if (fields[i]->name == filter.column) field = i;
      }
      if (field == fields.size()) {
        return Status::InvalidArgument(file_->path() + ": filter on unknown column '" +
                                       filter.column + "'");
      }
      if (parquet_schema_->IsNested(field)) {
        return Status::InvalidArgument("filter on '" + filter.column +
                                       "': nested columns cannot be filtered");
      }
      const SchemaNode& leaf = *fields[field];
      const ColumnMetaData& meta = *group.columns[static_cast<size_t>(leaf.leaf_index)].meta_data;
      if (!meta.statistics) continue;
      const Statistics& statistics = *meta.statistics;
      const std::optional<int64_t> nulls = statistics.null_count;
      if (filter.op == RowGroupFilter::Op::kIsNull) {
        if (nulls && *nulls == 0) return false;
        continue;
      }
      if (filter.op == RowGroupFilter::Op::kIsNotNull) {
        if (nulls && *nulls == group.num_rows) return false;
        continue;
      }
      SLUICE_ASSIGN_OR_RETURN(StatisticValue literal,
                              ParseLiteral(leaf.type, filter.literal, filter.column));
      if (nulls && *nulls == group.num_rows && group.num_rows > 0) return false;
      StatisticValue min, max;
      if (statistics.min_value && statistics.max_value) {
        min = DecodeStatistic(leaf, *statistics.min_value);
        max = DecodeStatistic(leaf, *statistics.max_value);
      } else if (statistics.min && statistics.max && leaf.physical != Type::kByteArray &&
                 leaf.physical != Type::kFixedLenByteArray &&
                 leaf.conversion != LeafConversion::kUInt32 &&
                 leaf.conversion != LeafConversion::kUInt64) {
        // The deprecated fields used signed order, which is right for these types.
        min = DecodeStatistic(leaf, *statistics.min);
        max = DecodeStatistic(leaf, *statistics.max);
      }
      if (std::holds_alternative<std::monostate>(min) ||
          std::holds_alternative<std::monostate>(max) || min.index() != literal.index()) {
        continue;
      }
      bool impossible = false;
      switch (filter.op) {
        case RowGroupFilter::Op::kEqual:
          impossible = Compare(literal, min) < 0 || Compare(literal, max) > 0;
          break;
        case RowGroupFilter::Op::kNotEqual:
          impossible = Compare(min, literal) == 0 && Compare(max, literal) == 0;
          break;
        case RowGroupFilter::Op::kLess:
          impossible = Compare(min, literal) >= 0;
          break;
        case RowGroupFilter::Op::kLessEqual:
          impossible = Compare(min, literal) > 0;
          break;
        case RowGroupFilter::Op::kGreater:
          impossible = Compare(max, literal) <= 0;
          break;
        case RowGroupFilter::Op::kGreaterEqual:
          impossible = Compare(max, literal) < 0;
          break;
        default:
          break;
      }
      if (impossible) return false;
    }
    return true;
  }

  Status StartRowGroup(size_t group_index) {
    const RowGroup& group = metadata_.row_groups[group_index];
    group_rows_left_ = group.num_rows;
    slots_.clear();
    flat_readers_.clear();
    flat_outputs_.clear();
    nested_.clear();
    const auto& fields = parquet_schema_->fields();
    std::vector<std::vector<std::unique_ptr<ColumnChunkReader>>> nested_readers;
    std::vector<size_t> nested_fields;
    for (size_t field : projection_) {
      const bool nested = parquet_schema_->IsNested(field);
      std::vector<const SchemaNode*> leaves = parquet_schema_->FieldLeaves(field);
      std::vector<std::unique_ptr<ColumnChunkReader>> readers;
      for (const SchemaNode* leaf : leaves) {
        ColumnChunkContext context;
        context.file = file_.get();
        context.leaf = leaf;
        context.metadata = &*group.columns[static_cast<size_t>(leaf->leaf_index)].meta_data;
        context.row_group = static_cast<int>(group_index);
        context.verify_checksums = options_.verify_checksums;
        readers.push_back(std::make_unique<ColumnChunkReader>(context));
      }
      if (!nested) {
        flat_readers_.push_back(std::move(readers[0]));
        flat_outputs_.push_back(std::make_unique<ValueAccumulator>(fields[field]->type));
        slots_.push_back({false, flat_readers_.size() - 1});
      } else {
        nested_readers.push_back(std::move(readers));
        slots_.push_back({true, nested_readers.size() - 1});
        nested_fields.push_back(field);
      }
    }
    // Load chunk bytes (and decode nested leaves whole) in parallel.
    std::vector<ColumnChunkReader*> all;
    for (auto& reader : flat_readers_) all.push_back(reader.get());
    for (auto& readers : nested_readers) {
      for (auto& reader : readers) all.push_back(reader.get());
    }
    SLUICE_RETURN_NOT_OK(ThreadPool::Global().ForEach(all.size(), options_.threads,
                                                      [&](size_t i) { return all[i]->Load(); }));
    for (size_t n = 0; n < nested_readers.size(); ++n) {
      std::vector<LeafData> leaves;
      const auto leaf_nodes = parquet_schema_->FieldLeaves(nested_fields[n]);
      for (size_t l = 0; l < nested_readers[n].size(); ++l) {
        LeafData data;
        ValueAccumulator values(leaf_nodes[l]->type);
        SLUICE_RETURN_NOT_OK(
            nested_readers[n][l]->ReadAll(&data.definition, &data.repetition, &values));
        data.values = values.Finish();
        data.max_definition = leaf_nodes[l]->definition_level;
        leaves.push_back(std::move(data));
      }
      const std::string where = file_->path() + ": row group " + std::to_string(group_index) +
                                ", column '" + fields[nested_fields[n]]->name + "'";
      auto assembler = std::make_unique<NestedAssembler>(parquet_schema_->Shape(nested_fields[n]),
                                                         std::move(leaves), where);
      SLUICE_RETURN_NOT_OK(assembler->CheckLeavesAgree());
      if (assembler->CountRecords() != group.num_rows) {
        return Status::DataError(where + " holds " + std::to_string(assembler->CountRecords()) +
                                 " rows but the row group has " + std::to_string(group.num_rows));
      }
      nested_.push_back(std::move(assembler));
    }
    return Status::OK();
  }

  Result<columnar::BatchPtr> Next() {
    while (group_rows_left_ == 0) {
      if (started_group_) {
        for (auto& reader : flat_readers_) SLUICE_RETURN_NOT_OK(reader->CheckExhausted());
        for (auto& assembler : nested_) SLUICE_RETURN_NOT_OK(assembler->CheckExhausted());
        started_group_ = false;
      }
      if (next_selected_ >= selected_.size()) return columnar::BatchPtr();
      SLUICE_RETURN_NOT_OK(StartRowGroup(selected_[next_selected_++]));
      started_group_ = true;
    }
    const int64_t rows = std::min(group_rows_left_, options_.batch_rows);
    SLUICE_RETURN_NOT_OK(ThreadPool::Global().ForEach(
        flat_readers_.size(), options_.threads,
        [&](size_t i) { return flat_readers_[i]->ReadRows(rows, flat_outputs_[i].get()); }));
    std::vector<columnar::ColumnPtr> nested_columns;
    for (auto& assembler : nested_) {
      ValueAccumulator json(DataType::Json());
      SLUICE_RETURN_NOT_OK(assembler->Assemble(rows, &json));
      nested_columns.push_back(json.Finish());
    }
    std::vector<columnar::ColumnPtr> columns;
    for (const Slot& slot : slots_) {
      columns.push_back(slot.nested ? nested_columns[slot.index]
                                    : flat_outputs_[slot.index]->Finish());
    }
    group_rows_left_ -= rows;
    records_ += rows;
    return std::make_shared<const columnar::Batch>(schema_, std::move(columns), rows);
  }

  struct Slot {
    bool nested;
    size_t index;
  };

  std::shared_ptr<io::RandomAccessFile> file_;
  ParquetReadOptions options_;
  FileMetaData metadata_;
  std::unique_ptr<ParquetSchema> parquet_schema_;
  std::vector<size_t> projection_;
  columnar::SchemaPtr schema_;
  std::vector<size_t> selected_;
  size_t next_selected_ = 0;
  int64_t skipped_ = 0;
  int64_t group_rows_left_ = 0;
  bool started_group_ = false;
  int64_t records_ = 0;
  std::vector<Slot> slots_;
  std::vector<std::unique_ptr<ColumnChunkReader>> flat_readers_;
  std::vector<std::unique_ptr<ValueAccumulator>> flat_outputs_;
  std::vector<std::unique_ptr<NestedAssembler>> nested_;
};

Result<std::unique_ptr<ParquetReader>> ParquetReader::Open(
    std::shared_ptr<io::RandomAccessFile> file, ParquetReadOptions options) {
  auto impl = std::make_unique<Impl>(std::move(file), std::move(options));
  SLUICE_RETURN_NOT_OK(impl->Open());
  return std::unique_ptr<ParquetReader>(new ParquetReader(std::move(impl)));
}

Result<std::unique_ptr<ParquetReader>> ParquetReader::Open(const std::string& path,
                                                           ParquetReadOptions options) {
  SLUICE_ASSIGN_OR_RETURN(auto file, io::OpenRandomAccessFile(path));
  return Open(std::shared_ptr<io::RandomAccessFile>(std::move(file)), std::move(options));
}

ParquetReader::ParquetReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ParquetReader::~ParquetReader() = default;

columnar::SchemaPtr ParquetReader::schema() const { return impl_->schema_; }
Result<columnar::BatchPtr> ParquetReader::Next() { return impl_->Next(); }
int64_t ParquetReader::records_read() const { return impl_->records_; }
const FileMetaData& ParquetReader::metadata() const { return impl_->metadata_; }
int64_t ParquetReader::row_groups_skipped() const { return impl_->skipped_; }

}  // namespace sluice::parquet

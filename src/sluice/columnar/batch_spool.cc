#include "sluice/columnar/batch_spool.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <set>

namespace sluice::columnar {
namespace {

template <typename T>
int64_t SizeOf(const std::vector<T>& values) {
  return static_cast<int64_t>(values.size() * sizeof(T));
}

int64_t ColumnBytes(const Column& column, std::set<const void*>* seen) {
  int64_t bytes = SizeOf(column.validity());
  auto count = [&](const void* data, int64_t size) {
    if (size > 0 && seen->insert(data).second) bytes += size;
  };
  switch (column.type().id()) {
    case TypeId::kBool: {
      const auto& values = static_cast<const BooleanColumn&>(column).values();
      count(values.data(), SizeOf(values));
      break;
    }
    case TypeId::kInt32:
    case TypeId::kDate:
      count(static_cast<const Int32Column&>(column).data(), column.length() * 4);
      break;
    case TypeId::kInt64:
    case TypeId::kTime:
    case TypeId::kTimestamp:
      count(static_cast<const Int64Column&>(column).data(), column.length() * 8);
      break;
    case TypeId::kFloat64:
      count(static_cast<const Float64Column&>(column).data(), column.length() * 8);
      break;
    case TypeId::kDecimal:
      count(static_cast<const DecimalColumn&>(column).data(), column.length() * 16);
      break;
    default: {
      const auto& strings = static_cast<const StringColumn&>(column);
      count(strings.offsets().data(), SizeOf(strings.offsets()));
      count(strings.bytes().data(), static_cast<int64_t>(strings.bytes().size()));
      break;
    }
  }
  return bytes;
}

std::string ErrnoText() { return std::strerror(errno); }

}  // namespace

std::string DefaultSpillDirectory() {
  for (const char* name : {"SLUICE_SPILL_DIR", "TMPDIR"}) {
    const char* value = std::getenv(name);
    if (value != nullptr && *value != '\0') return value;
  }
  return "/var/tmp";
}

int64_t BatchBytes(const Batch& batch) {
  std::set<const void*> seen;
  int64_t bytes = 0;
  for (const ColumnPtr& column : batch.columns()) bytes += ColumnBytes(*column, &seen);
  return bytes;
}

BatchSpool::BatchSpool(SchemaPtr schema, int64_t memory_budget, std::string directory)
    : schema_(std::move(schema)), budget_(memory_budget), directory_(std::move(directory)) {}

BatchSpool::~BatchSpool() {
  if (fd_ >= 0) ::close(fd_);
}

Status BatchSpool::OpenFile() {
#ifdef O_TMPFILE
  fd_ = ::open(directory_.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
#endif
  if (fd_ < 0) {
    // No O_TMPFILE on this file system: a named file, unlinked at once.
    std::string path = directory_ + "/sluice-spill-XXXXXX";
    fd_ = ::mkostemp(path.data(), O_CLOEXEC);
    if (fd_ >= 0) ::unlink(path.c_str());
  }
  if (fd_ < 0) {
    return Status::IOError("cannot create a spill file in " + directory_ + ": " + ErrnoText() +
                           " (set SLUICE_SPILL_DIR to a writable local folder)");
  }
  return Status::OK();
}

Status BatchSpool::WriteBytes(const void* data, int64_t size) {
  const char* at = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t written = ::pwrite(fd_, at, static_cast<size_t>(size), file_bytes_);
    if (written < 0) {
      if (errno == EINTR) continue;
      return Status::IOError("cannot write a spill file in " + directory_ + ": " + ErrnoText());
    }
    at += written;
    size -= written;
    file_bytes_ += written;
  }
  return Status::OK();
}

Status BatchSpool::WriteColumn(const Column& column, Block* block) {
  block->offset = file_bytes_;
  block->null_count = column.null_count();
  block->validity = SizeOf(column.validity());
  SLUICE_RETURN_NOT_OK(WriteBytes(column.validity().data(), block->validity));
  switch (column.type().id()) {
    case TypeId::kBool: {
      const auto& values = static_cast<const BooleanColumn&>(column).values();
      block->values = SizeOf(values);
      return WriteBytes(values.data(), block->values);
    }
    case TypeId::kInt32:
    case TypeId::kDate:
      block->values = column.length() * 4;
      return WriteBytes(static_cast<const Int32Column&>(column).data(), block->values);
    case TypeId::kInt64:
    case TypeId::kTime:
    case TypeId::kTimestamp:
      block->values = column.length() * 8;
      return WriteBytes(static_cast<const Int64Column&>(column).data(), block->values);
    case TypeId::kFloat64:
      block->values = column.length() * 8;
      return WriteBytes(static_cast<const Float64Column&>(column).data(), block->values);
    case TypeId::kDecimal:
      block->values = column.length() * 16;
      return WriteBytes(static_cast<const DecimalColumn&>(column).data(), block->values);
    default: {
      const auto& strings = static_cast<const StringColumn&>(column);
      block->values = SizeOf(strings.offsets());
      block->data = static_cast<int64_t>(strings.bytes().size());
      SLUICE_RETURN_NOT_OK(WriteBytes(strings.offsets().data(), block->values));
      return WriteBytes(strings.bytes().data(), block->data);
    }
  }
}

Status BatchSpool::Append(BatchPtr batch) {
  Entry entry;
  entry.first_row = rows_;
  entry.rows = batch->num_rows();
  rows_ += entry.rows;
  const int64_t bytes = BatchBytes(*batch);
  if (memory_bytes_ + bytes <= budget_) {
    memory_bytes_ += bytes;
    entry.batch = std::move(batch);
    entries_.push_back(std::move(entry));
    return Status::OK();
  }
  if (fd_ < 0) SLUICE_RETURN_NOT_OK(OpenFile());
  entry.blocks.resize(batch->num_columns());
  for (size_t c = 0; c < batch->num_columns(); ++c) {
    SLUICE_RETURN_NOT_OK(WriteColumn(batch->column(c), &entry.blocks[c]));
  }
  entries_.push_back(std::move(entry));
  return Status::OK();
}

Result<ColumnPtr> BatchSpool::ReadColumn(const DataType& type, int64_t rows,
                                         const Block& block) const {
  int64_t at = block.offset;
  auto read = [&](void* into, int64_t size) -> Status {
    char* out = static_cast<char*>(into);
    while (size > 0) {
      const ssize_t got = ::pread(fd_, out, static_cast<size_t>(size), at);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        return Status::IOError("cannot read a spill file in " + directory_ + ": " +
                               (got < 0 ? ErrnoText() : std::string("it ends early")));
      }
      out += got;
      at += got;
      size -= got;
    }
    return Status::OK();
  };
  std::vector<uint8_t> validity(static_cast<size_t>(block.validity));
  SLUICE_RETURN_NOT_OK(read(validity.data(), block.validity));
  auto primitive = [&]<typename T>(T) -> Result<ColumnPtr> {
    std::vector<T> values(static_cast<size_t>(rows));
    SLUICE_RETURN_NOT_OK(read(values.data(), block.values));
    return ColumnPtr(std::make_shared<const PrimitiveColumn<T>>(
        type, rows, block.null_count, std::move(validity), std::move(values)));
  };
  switch (type.id()) {
    case TypeId::kBool: {
      std::vector<uint8_t> values(static_cast<size_t>(block.values));
      SLUICE_RETURN_NOT_OK(read(values.data(), block.values));
      return ColumnPtr(std::make_shared<const BooleanColumn>(
          rows, block.null_count, std::move(validity), std::move(values)));
    }
    case TypeId::kInt32:
    case TypeId::kDate:
      return primitive(int32_t{});
    case TypeId::kInt64:
    case TypeId::kTime:
    case TypeId::kTimestamp:
      return primitive(int64_t{});
    case TypeId::kFloat64:
      return primitive(double{});
    case TypeId::kDecimal:
      return primitive(Int128{});
    default: {
      std::vector<int64_t> offsets(static_cast<size_t>(block.values / 8));
      SLUICE_RETURN_NOT_OK(read(offsets.data(), block.values));
      RawBytes bytes(static_cast<size_t>(block.data));
      SLUICE_RETURN_NOT_OK(read(bytes.data(), block.data));
      return ColumnPtr(std::make_shared<const StringColumn>(
          type, rows, block.null_count, std::move(validity), std::move(offsets), std::move(bytes)));
    }
  }
}

Result<BatchPtr> BatchSpool::Get(size_t index, const std::vector<size_t>* columns) const {
  const Entry& entry = entries_[index];
  std::vector<size_t> all;
  if (columns == nullptr) {
    if (entry.batch != nullptr) return entry.batch;
    for (size_t c = 0; c < schema_->fields().size(); ++c) all.push_back(c);
    columns = &all;
  }
  std::vector<Field> fields;
  std::vector<ColumnPtr> out;
  for (size_t c : *columns) {
    fields.push_back(schema_->field(c));
    if (entry.batch != nullptr) {
      out.push_back(entry.batch->columns()[c]);
      continue;
    }
    SLUICE_ASSIGN_OR_RETURN(ColumnPtr column,
                            ReadColumn(schema_->field(c).type, entry.rows, entry.blocks[c]));
    out.push_back(std::move(column));
  }
  SchemaPtr schema = columns == &all ? schema_ : std::make_shared<const Schema>(std::move(fields));
  return std::make_shared<const Batch>(std::move(schema), std::move(out), entry.rows);
}

}  // namespace sluice::columnar

// libFuzzer target: any bytes as a whole Parquet file (footer, schema, page headers, levels,
// encodings, codecs, nested assembly) must end in batches or a clean error — never a crash, hang
// or over-read. Each input is read whole and again with only its first column projected; both
// reads use one thread.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>

#include "sluice/formats/parquet/parquet_reader.h"
#include "sluice/io/random_access_file.h"

namespace {

// Reads every batch; checks that each batch is consistent with the schema. Returns the schema's
// first field name when the file opened.
std::string ReadAll(const std::string& bytes, sluice::parquet::ParquetReadOptions options) {
  std::shared_ptr<sluice::io::RandomAccessFile> file =
      sluice::io::MakeMemoryRandomAccessFile(bytes, "fuzz.parquet");
  auto reader = sluice::parquet::ParquetReader::Open(file, std::move(options));
  if (!reader.ok()) return std::string();
  const auto schema = (*reader)->schema();
  int64_t rows = 0;
  while (true) {
    auto batch = (*reader)->Next();
    if (!batch.ok() || *batch == nullptr) break;
    const auto& columns = (*batch)->columns();
    if (columns.size() != schema->num_fields()) __builtin_trap();
    for (size_t c = 0; c < columns.size(); ++c) {
      if (columns[c]->length() != (*batch)->num_rows()) __builtin_trap();
      if (!(columns[c]->type() == schema->field(c).type)) __builtin_trap();
    }
    rows += (*batch)->num_rows();
  }
  if ((*reader)->records_read() != rows) __builtin_trap();
  return schema->num_fields() > 0 ? schema->field(0).name : std::string();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  sluice::parquet::ParquetReadOptions options;
  options.threads = 1;
  // Small batches so inputs with a few rows still cross batch boundaries.
  options.batch_rows = 7;
  const std::string first = ReadAll(bytes, options);
  if (!first.empty()) {
    options.columns = {first};
    options.verify_checksums = false;
    ReadAll(bytes, options);
  }
  return 0;
}

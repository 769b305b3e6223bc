// libFuzzer target: any bytes through the JSON reader (shape detection, record splitting, error
// recovery, flattening, inference, schema widening, small reads) must end in rows, rejects or a
// clean error — never a crash, hang or over-read — and every record must be accounted for.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sluice/columnar/data_type.h"
#include "sluice/formats/json/json_reader.h"
#include "sluice/io/input_stream.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice::formats;
  std::string text(reinterpret_cast<const char*>(data), size);
  // The first byte picks options so one input explores several configurations.
  const uint8_t selector = size > 0 ? data[0] : 0;
  JSONReadOptions options;
  options.common.sample_records = selector & 3;  // 0..3: new columns after the sample, cast errors
  options.common.max_record_bytes = (selector & 4) ? 64 : 4096;
  options.common.infer_types = (selector & 8) == 0;
  if (selector & 16) options.common.null_values = {"", "null", "NA"};
  if (selector & 32) {
    options.common.column_types = {{"a", sluice::columnar::DataType::Int64()},
                                   {"b", sluice::columnar::DataType::Decimal(10, 2)},
                                   {"value", sluice::columnar::DataType::Date()}};
  }
  RejectTracker tracker(RejectPolicy{});
  auto reader = JSONReader::Open(
      sluice::io::MakeMemoryInputStream(std::move(text), "fuzz.json", 1 + (selector % 61)), options,
      &tracker);
  if (!reader.ok()) return 0;
  int64_t rows = 0;
  while (true) {
    auto batch = (*reader)->Next();
    if (!batch.ok() || *batch == nullptr) break;
    const auto& columns = (*batch)->columns();
    const auto& schema = *(*batch)->schema();
    if (columns.size() != schema.num_fields()) __builtin_trap();
    for (size_t c = 0; c < columns.size(); ++c) {
      if (columns[c]->length() != (*batch)->num_rows()) __builtin_trap();
      if (!(columns[c]->type() == schema.field(c).type)) __builtin_trap();
    }
    rows += (*batch)->num_rows();
  }
  // Nothing lost: every record is a row or a reject.
  if ((*reader)->records_read() != rows + tracker.count()) __builtin_trap();
  // Every reject says where it is, within the input.
  for (const Reject& reject : tracker.kept()) {
    if (reject.line < 1 || reject.byte_offset < 0 ||
        reject.byte_offset > static_cast<int64_t>(size) || reject.column < 0 ||
        reject.raw.size() > Reject::kMaxRawBytes || reject.message.empty()) {
      __builtin_trap();
    }
  }
  return 0;
}

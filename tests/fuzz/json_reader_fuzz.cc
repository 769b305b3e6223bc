// libFuzzer target: any bytes through the JSON reader (shape detection, record splitting, error
// recovery, flattening, inference, schema widening, small reads) must end in rows, rejects or a
// clean error — never a crash, hang or over-read — and every record must be accounted for.
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sluice/columnar/data_type.h"
#include "sluice/formats/json/json_reader.h"
#include "sluice/io/input_stream.h"

namespace {

// What one read produced, for comparing reads with different thread counts.
struct Outcome {
  bool opened = false;
  bool ok = true;
  int64_t rows = 0;
  int64_t records = 0;
  std::vector<std::pair<int64_t, int64_t>> reject_positions;  // (line, byte offset)
  std::string last_schema;
};

Outcome ReadAll(const std::string& text, const sluice::formats::JSONReadOptions& options,
                size_t max_read) {
  using namespace sluice::formats;
  Outcome outcome;
  RejectTracker tracker(RejectPolicy{});
  auto reader = JSONReader::Open(sluice::io::MakeMemoryInputStream(text, "fuzz.json", max_read),
                                 options, &tracker);
  if (!reader.ok()) return outcome;
  outcome.opened = true;
  while (true) {
    auto batch = (*reader)->Next();
    if (!batch.ok()) {
      outcome.ok = false;
      break;
    }
    if (*batch == nullptr) break;
    const auto& columns = (*batch)->columns();
    const auto& schema = *(*batch)->schema();
    if (columns.size() != schema.num_fields()) __builtin_trap();
    for (size_t c = 0; c < columns.size(); ++c) {
      if (columns[c]->length() != (*batch)->num_rows()) __builtin_trap();
      if (!(columns[c]->type() == schema.field(c).type)) __builtin_trap();
    }
    outcome.rows += (*batch)->num_rows();
    outcome.last_schema = schema.ToString();
  }
  outcome.records = (*reader)->records_read();
  // Nothing lost: every record is a row or a reject.
  if (outcome.ok && outcome.records != outcome.rows + tracker.count()) __builtin_trap();
  // Every reject says where it is, within the input.
  for (const Reject& reject : tracker.kept()) {
    if (reject.line < 1 || reject.byte_offset < 0 ||
        reject.byte_offset > static_cast<int64_t>(text.size()) || reject.column < 0 ||
        reject.raw.size() > Reject::kMaxRawBytes || reject.message.empty()) {
      __builtin_trap();
    }
    outcome.reject_positions.emplace_back(reject.line, reject.byte_offset);
  }
  return outcome;
}

}  // namespace

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
  // One thread, then two threads on tiny blocks (many parallel chunks): the same outcome.
  options.common.threads = 1;
  const Outcome one = ReadAll(text, options, 1 + (selector % 61));
  options.common.threads = 2;
  options.common.block_bytes = 64 + 16 * (selector % 7);
  const Outcome two = ReadAll(text, options, 1 + (selector % 53));
  if (one.opened != two.opened || one.ok != two.ok) __builtin_trap();
  if (one.ok &&
      (one.rows != two.rows || one.records != two.records ||
       one.reject_positions != two.reject_positions || one.last_schema != two.last_schema)) {
    __builtin_trap();
  }
  return 0;
}

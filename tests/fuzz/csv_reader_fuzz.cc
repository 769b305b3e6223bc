// libFuzzer target: any bytes through the CSV reader (sniffing, inference, both thread modes,
// small reads) must end in rows, rejects or a clean error — never a crash, hang or over-read.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sluice/formats/csv/csv_reader.h"
#include "sluice/io/input_stream.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice::formats;
  std::string text(reinterpret_cast<const char*>(data), size);
  // The first byte picks options so one input explores several dialects.
  const uint8_t selector = size > 0 ? data[0] : 0;
  CSVReadOptions options;
  options.common.sample_records = 1 + (selector & 7);
  options.common.threads = (selector & 8) ? 2 : 1;
  options.common.max_record_bytes = 4096;
  // Small blocks: many block boundaries, carry-overs and parallel splits per input.
  options.common.block_bytes = 256 + 64 * (selector % 13);
  options.common.infer_types = (selector & 16) == 0;
  if (selector & 32) options.escape = '\\';
  if (selector & 64) options.comment = '#';
  if (selector & 128) options.header = false;
  RejectTracker tracker(RejectPolicy{});
  auto reader = CSVReader::Open(
      sluice::io::MakeMemoryInputStream(std::move(text), "fuzz.csv", 1 + (selector % 61)), options,
      &tracker);
  if (!reader.ok()) return 0;
  int64_t rows = 0;
  while (true) {
    auto batch = (*reader)->Next();
    if (!batch.ok() || *batch == nullptr) break;
    rows += (*batch)->num_rows();
  }
  // Nothing lost: every record is a row or a reject.
  if ((*reader)->records_read() != rows + tracker.count()) __builtin_trap();
  return 0;
}

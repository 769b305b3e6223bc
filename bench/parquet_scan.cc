// The scan workload of bench/parquet_benchmark.sh: reads a sales-orders Parquet file with
// sluice's reader and computes, grouped by status, count(*) and sum(quantity * unit_price).
//
//   parquet_scan FILE [--threads N]
//
// Prints "ROWS SECONDS" on the first line (rows scanned, wall time of open + scan), then one line
// per status sorted by name: "status count sum" with the sum as an exact decimal, so the benchmark
// can check the result against DuckDB's.
#include <malloc.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <unordered_map>

#include "sluice/columnar/decimal.h"
#include "sluice/formats/parquet/parquet_reader.h"

namespace {

using sluice::columnar::Int128;

struct Group {
  int64_t count = 0;
  Int128 sum = 0;
};

int Fail(const std::string& message) {
  std::fprintf(stderr, "parquet_scan: %s\n", message.c_str());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  // The same allocator settings as the sluice binary (apps/sluice/main.cc): batch buffers are
  // reused from the heap instead of being mapped and faulted in afresh.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  if (argc < 2) return Fail("usage: parquet_scan FILE [--threads N]");
  sluice::parquet::ParquetReadOptions options;
  options.columns = {"status", "quantity", "unit_price"};
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--threads") == 0) options.threads = std::atoi(argv[i + 1]);
  }
  const auto start = std::chrono::steady_clock::now();
  auto reader = sluice::parquet::ParquetReader::Open(argv[1], options);
  if (!reader.ok()) return Fail(reader.status().ToString());
  const auto& schema = *(*reader)->schema();
  if (schema.field(1).type.id() != sluice::columnar::TypeId::kInt64 ||
      schema.field(2).type.id() != sluice::columnar::TypeId::kDecimal) {
    return Fail("expected quantity int64 and unit_price decimal, got " + schema.ToString());
  }
  const int scale = schema.field(2).type.scale();
  std::unordered_map<std::string, Group> groups;
  int64_t rows = 0;
  while (true) {
    auto batch = (*reader)->Next();
    if (!batch.ok()) return Fail(batch.status().ToString());
    if (!*batch) break;
    const auto& status = static_cast<const sluice::columnar::StringColumn&>((*batch)->column(0));
    const auto& quantity = static_cast<const sluice::columnar::Int64Column&>((*batch)->column(1));
    const auto& price = static_cast<const sluice::columnar::DecimalColumn&>((*batch)->column(2));
    const int64_t n = (*batch)->num_rows();
    // Consecutive equal statuses share one lookup.
    std::string_view last_key;
    Group* last = nullptr;
    for (int64_t i = 0; i < n; ++i) {
      const std::string_view key = status.IsNull(i) ? std::string_view("<null>") : status.Value(i);
      if (last == nullptr || key != last_key) {
        last = &groups[std::string(key)];
        last_key = key;
      }
      ++last->count;
      if (!quantity.IsNull(i) && !price.IsNull(i)) {
        last->sum += static_cast<Int128>(quantity.Value(i)) * price.Value(i);
      }
    }
    rows += n;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%lld %.6f\n", static_cast<long long>(rows), seconds);
  std::map<std::string, Group> sorted(groups.begin(), groups.end());
  for (const auto& [key, group] : sorted) {
    std::printf("%s %lld %s\n", key.c_str(), static_cast<long long>(group.count),
                sluice::columnar::FormatDecimal(group.sum, scale).c_str());
  }
  return 0;
}

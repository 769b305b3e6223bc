// libFuzzer target: any bytes as a Delta commit file, a stats JSON, a schema string or a delete
// predicate must parse or give a clean error — never a crash, hang or over-read. What parses must
// serialize and parse again to the same actions.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sluice/lake/actions.h"
#include "sluice/lake/delta_schema.h"
#include "sluice/lake/file_statistics.h"
#include "sluice/lake/row_predicate.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto actions = lake::ParseCommit(text, "fuzz.json");
  if (actions.ok()) {
    const std::string again = lake::SerializeCommit(*actions);
    auto reparsed = lake::ParseCommit(again, "again.json");
    if (!reparsed.ok() || *reparsed != *actions) std::abort();
  }
  auto schema = lake::ParseDeltaSchema(text);
  columnar::Schema table(
      std::vector<columnar::Field>{{"id", columnar::DataType::Int64()},
                                   {"name", columnar::DataType::String()},
                                   {"amount", columnar::DataType::Decimal(10, 2)},
                                   {"day", columnar::DataType::Date()},
                                   {"ts", columnar::DataType::Timestamp()},
                                   {"score", columnar::DataType::Float64()}});
  if (schema.ok()) {
    (void)lake::DeltaSchemaString(*schema);
  }
  (void)lake::ParseStats(text, table);
  (void)lake::RowPredicate::Parse(text, table);
  (void)lake::DecodeActionPath(text);
  return 0;
}

// libFuzzer target: any bytes from a replication connection must parse as a frame and a pgoutput
// message, or give a clean DataError — never a crash or an over-read — and every text value of a
// parsed tuple must decode into each kind of column or be refused with a reason.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sluice/columnar/column_builder.h"
#include "sluice/connectors/postgres/pg_types.h"
#include "sluice/connectors/postgres/pgoutput.h"

namespace {

using sluice::connectors::PgChange;
using sluice::connectors::PgColumnPlan;
using sluice::connectors::PgFrame;
using sluice::connectors::PgTypeInfo;

// bool, int2, int8, float4, numeric(12,2), numeric, bytea, date, time, timestamptz, uuid, jsonb,
// an array: every text decoding.
const std::vector<PgColumnPlan>& Plans() {
  static const std::vector<PgColumnPlan> plans = [] {
    std::vector<PgColumnPlan> out;
    const std::pair<uint32_t, int32_t> types[] = {
        {16, -1},   {21, -1},  {20, -1},   {700, -1},  {1700, (12 << 16 | 2) + 4},
        {1700, -1}, {17, -1},  {1082, -1}, {1083, -1}, {1184, -1},
        {2950, -1}, {3802, -1}};
    for (const auto& [oid, modifier] : types) {
      PgTypeInfo info;
      info.oid = oid;
      info.modifier = modifier;
      out.push_back(sluice::connectors::PlanPgColumn("c", "\"c\"", info, true));
    }
    PgTypeInfo array;
    array.oid = 1007;
    array.category = 'A';
    out.push_back(sluice::connectors::PlanPgColumn("c", "\"c\"", array, true));
    return out;
  }();
  return plans;
}

void Decode(const sluice::connectors::PgTuple& tuple) {
  for (const auto& value : tuple) {
    if (value.kind != 't') continue;
    for (const PgColumnPlan& plan : Plans()) {
      auto builder = sluice::columnar::MakeBuilder(plan.type);
      std::string error;
      const bool ok = sluice::connectors::AppendPgText(plan, value.text, builder.get(), &error);
      if (ok != (builder->length() == 1) || (!ok && error.empty())) __builtin_trap();
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  PgFrame frame;
  if (sluice::connectors::ParsePgFrame(bytes, &frame).ok() &&
      frame.kind == sluice::connectors::PgFrameKind::kData) {
    PgChange change;
    if (sluice::connectors::ParsePgOutput(frame.payload, &change).ok()) Decode(change.tuple);
  }
  PgChange change;
  if (sluice::connectors::ParsePgOutput(bytes, &change).ok()) {
    Decode(change.tuple);
    Decode(change.old_tuple);
  }
  return 0;
}

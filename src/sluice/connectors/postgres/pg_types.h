// PostgreSQL types → lake types, and the binary COPY format's values decoded into columns.
//
//   boolean → bool              smallint, integer → int32      bigint → int64
//   real, double precision → float64 (real widened exactly)
//   numeric(p,s), p ≤ 38, 0 ≤ s ≤ p → decimal(p,s); numeric without a precision, or wider → string
//   text, varchar, char(n), name, citext, enum → string     bytea → binary
//   date → date    time → time    timestamp → timestamp    timestamptz → timestamp (UTC)
//   uuid → string (8-4-4-4-12)    json, jsonb → json
//   arrays, composites, ranges → json (to_json on the server)
//   anything else (interval, inet, money, xml, bit, timetz, ...) → string (the server's text)
// Domains are read as their base type. A value that does not fit its column (an infinite date
// or timestamp, a NaN or infinite numeric) is a reject, never coerced.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/data_type.h"

namespace sluice::connectors {

enum class PgDecode {
  kBool,
  kInt16,
  kInt32,
  kInt64,
  kFloat32,
  kFloat64,
  kNumeric,
  kText,  // text-like binary values, and expressions cast to text on the server
  kBytes,
  kDate,
  kTime,
  kTimestamp,
  kUuid,
  kJsonb,
};

// What the catalog says about a column's type (pg_type), domains already resolved to their base.
struct PgTypeInfo {
  uint32_t oid = 0;
  int32_t modifier = -1;
  std::string name;      // format_type(): "numeric(12,2)", "integer[]"
  char type_kind = 'b';  // typtype: b base, c composite, e enum, r range, m multirange, p pseudo
  char category = 'U';   // typcategory: A array, ...
};

struct PgColumnPlan {
  std::string name;
  std::string select;  // the expression selected for it
  columnar::DataType type;
  PgDecode decode = PgDecode::kText;
  std::string pg_type;  // for messages
};

// How a column of `info`'s type is selected and decoded. `quoted` is its quoted identifier.
// `composites_as_text`: arrays, composites and ranges as the server's text ('{1,2}') rather than
// JSON — what a change stream carries (postgres/pg_cdc.h), so snapshot and changes agree.
PgColumnPlan PlanPgColumn(const std::string& name, const std::string& quoted,
                          const PgTypeInfo& info, bool composites_as_text = false);

// Appends one binary COPY value to `builder` (made by columnar::MakeBuilder(plan.type)). False,
// with `error` saying why, when the value does not fit the column; nothing is appended then.
bool AppendPgValue(const PgColumnPlan& plan, std::string_view bytes,
                   columnar::ColumnBuilder* builder, std::string* error);

// Appends one value in the server's text output (a logical replication stream's tuple), the
// session in UTC, ISO dates and hex bytea: the same values AppendPgValue gives for binary COPY.
bool AppendPgText(const PgColumnPlan& plan, std::string_view text, columnar::ColumnBuilder* builder,
                  std::string* error);

// A SQL literal for a cursor value of this plan ("42", "'2026-01-01 10:00:00'::timestamp").
std::string PgCursorLiteral(const PgColumnPlan& plan, int64_t value);

}  // namespace sluice::connectors

// Widen: converts a column to a wider type without losing any value — how data of an older or
// narrower shape is appended to, or read as, a table column of a wider type.
//
// Supported: identical types (returned as is); int32 → int64, float64, decimal(p,s);
// int64 → decimal(p,s); decimal(p1,s1) → decimal(p2,s2) with s2 ≥ s1; date → timestamp
// (midnight). Thread-safe.
#pragma once

#include "sluice/columnar/column.h"
#include "sluice/common/result.h"

namespace sluice::columnar {

// Errors: SchemaMismatch for a conversion not listed above; DataError when a value does not fit
// the target decimal's precision (names the value).
Result<ColumnPtr> WidenColumn(const ColumnPtr& column, DataType to);

// The same values under another type of the same physical layout: string/json/binary among
// themselves, int64 with time and timestamp, int32 with date. Used where a storage format lacks
// a sluice type (Delta has no time or json type). Errors: SchemaMismatch for other pairs.
Result<ColumnPtr> ReinterpretColumn(const ColumnPtr& column, DataType to);

}  // namespace sluice::columnar

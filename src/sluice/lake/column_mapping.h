// Column mapping on write (PROTOCOL.md "Writer Requirements for Column Mapping"): giving columns
// physical names and ids, and the schema changes mapping makes cheap — rename and drop column —
// as metadata-only commits.
//
// Under `delta.columnMapping.mode` `name` or `id`, every field (nested struct fields too) carries
// `delta.columnMapping.physicalName` and `delta.columnMapping.id` in its metadata; data files name
// columns by the physical name and carry the id as the Parquet field_id; partitionValues and
// statistics are keyed by the physical name; `delta.columnMapping.maxColumnId` is the highest id
// ever given. A new column gets a fresh `col-<uuid>` name, so a column dropped and added again
// never sees the old column's values. Turning mapping on for an existing table (mode `name` only,
// as in Spark) keeps each column's current name as its physical name, since the files use it.
//
// Thread-safety: plain functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/result.h"
#include "sluice/lake/actions.h"
#include "sluice/lake/delta_schema.h"

namespace sluice::lake {

inline constexpr std::string_view kColumnMappingModeKey = "delta.columnMapping.mode";
inline constexpr std::string_view kMaxColumnIdKey = "delta.columnMapping.maxColumnId";

// "name" or "id" when the metadata maps columns, else "" (mode absent or "none").
std::string ColumnMappingMode(const Metadata& metadata);

// The mapping of every top-level column of the metadata's schema (delta_schema.h
// ParsePhysicalColumns), or an empty list when columns are not mapped. Errors: DataError for a
// mapped schema whose fields lack physical names (or ids in mode `id`).
Result<std::vector<PhysicalColumn>> PhysicalColumnsOf(const Metadata& metadata);

// Gives every field of the metadata's schema that lacks a physical name or an id one, when the
// metadata maps columns (a no-op otherwise): physical names are `col-<uuid>`, or the field's own
// name when `keep_names` (enabling mapping on a table whose files already exist); ids count up
// from the larger of delta.columnMapping.maxColumnId and the ids already in the schema, and
// maxColumnId is set to the last one. Errors: DataError for a malformed schema.
Status AssignColumnMapping(Metadata* metadata, bool keep_names);

// Checks and carries out a change of delta.columnMapping.mode from `before` (the table's metadata)
// to `after` (the same metadata with the user's property changes): turning mode `name` on gives
// every column its current name as its physical name; everything else that changes the mode is
// refused. Errors: InvalidArgument for mode `id` on an existing table (set it when the table is
// created), and for turning mapping off or switching modes (the files would no longer match).
Status ChangeColumnMapping(const Metadata& before, Metadata* after);

// Renames top-level column `from` to `to` (metadata only: the physical name stays, so every data
// file keeps working); a partition column is renamed in partitionColumns too. Errors:
// InvalidArgument when the table does not map columns (the message says how to turn it on), when
// `from` is not a column, or `to` is empty or already names a column (ignoring case).
Status RenameColumn(Metadata* metadata, std::string_view from, std::string_view to);

// Drops top-level column `name` (metadata only: the files keep the values, no reader sees them).
// Errors: InvalidArgument when the table does not map columns, `name` is not a column, is a
// partition column, or is the only column.
Status DropColumn(Metadata* metadata, std::string_view name);

// The top-level columns of a Delta schema whose type is nested (struct, array, map): sluice reads
// them as JSON text and cannot write them back in their type. Errors: DataError for a malformed
// schema.
Result<std::vector<std::string>> NestedColumns(std::string_view schema_string);

}  // namespace sluice::lake

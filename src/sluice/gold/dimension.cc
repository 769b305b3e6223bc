#include "sluice/gold/dimension.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/take.h"
#include "sluice/columnar/temporal.h"
#include "sluice/columnar/value_formatter.h"
#include "sluice/columnar/widen.h"
#include "sluice/common/digest.h"
#include "sluice/compute/row_key.h"
#include "sluice/config/config_spec.h"

namespace sluice::gold {
namespace {

using columnar::BatchPtr;
using columnar::ColumnPtr;
using columnar::DataType;
using columnar::Field;
using columnar::SchemaPtr;
using columnar::TypeId;

std::vector<std::string> FieldNames(const columnar::Schema& schema) {
  std::vector<std::string> names;
  for (const Field& field : schema.fields()) names.push_back(field.name);
  return names;
}

Status MissingColumn(const GoldModel& model, const std::string& what, const std::string& column,
                     const columnar::Schema& schema, const std::string& table) {
  std::string message =
      "table '" + model.name + "': " + what + " '" + column + "' is not a column of " + table;
  const std::vector<std::string> names = FieldNames(schema);
  if (const std::string* near = config::ClosestName(column, names)) {
    message += "; did you mean '" + *near + "'?";
  }
  return Status::InvalidArgument(config::ConfigError{model.mark, message}.ToString());
}

// A timestamp (micros) of a timestamp or date column's row; nullopt when null.
std::optional<int64_t> TimeAt(const columnar::Column& column, int64_t row) {
  if (column.IsNull(row)) return std::nullopt;
  if (column.type().id() == TypeId::kDate) {
    return static_cast<int64_t>(static_cast<const columnar::Int32Column&>(column).Value(row)) *
           columnar::kMicrosPerDay;
  }
  return static_cast<const columnar::Int64Column&>(column).Value(row);
}

struct Version {
  int64_t key = 0;
  int64_t row = 0;  // in the combined attribute batch
  int64_t valid_from = 0;
  std::optional<int64_t> valid_to;
  bool current = true;
  std::optional<int64_t> updated_at;  // scd1
  bool changed = false;
};

// "customer_id=3" / "(region=EU, id=7)".
std::string DescribeKey(const columnar::Batch& batch, size_t key_count, int64_t row) {
  std::string text;
  for (size_t i = 0; i < key_count; ++i) {
    if (i > 0) text += ", ";
    text += batch.schema()->field(i).name + "=";
    columnar::AppendValue(*batch.columns()[i], row, columnar::ValueStyle::kJson, &text);
  }
  return key_count > 1 ? "(" + text + ")" : text;
}

}  // namespace

Result<DimensionPlan> PlanDimension(const GoldModel& model, const columnar::Schema& upstream) {
  const DimensionSpec& spec = model.dimension;
  const bool scd2 = spec.history == History::kScd2;
  DimensionPlan plan;
  plan.model = &model;
  std::vector<std::string> reserved = {spec.surrogate_key, kRowHash};
  if (scd2) {
    reserved.insert(reserved.end(), {kValidFrom, kValidTo, kIsCurrent});
  } else {
    reserved.push_back(kUpdatedAt);
  }
  auto is_reserved = [&](const std::string& name) {
    return std::find(reserved.begin(), reserved.end(), name) != reserved.end();
  };
  std::vector<Field> attributes;
  auto add = [&](const std::string& column, const std::string& what) -> Status {
    auto index = upstream.FieldIndex(column);
    if (!index) return MissingColumn(model, what, column, upstream, spec.from);
    if (is_reserved(column)) {
      return Status::InvalidArgument(config::ConfigError{
          model.mark, "table '" + model.name + "': column '" + column +
                          "' clashes with a column the dimension adds; rename it upstream"}
                                         .ToString());
    }
    plan.upstream_columns.push_back(*index);
    attributes.push_back(Field{column, upstream.field(*index).type, true});
    return Status::OK();
  };
  for (const std::string& column : spec.key) SLUICE_RETURN_NOT_OK(add(column, "key column"));
  plan.key_count = spec.key.size();
  if (!spec.columns.empty()) {
    for (const std::string& column : spec.columns) {
      if (std::find(spec.key.begin(), spec.key.end(), column) != spec.key.end()) continue;
      SLUICE_RETURN_NOT_OK(add(column, "column"));
    }
  } else {
    for (const Field& field : upstream.fields()) {
      if (std::find(spec.key.begin(), spec.key.end(), field.name) != spec.key.end()) continue;
      if (field.name.rfind("_sluice_", 0) == 0 || field.name == spec.valid_from ||
          is_reserved(field.name)) {
        continue;
      }
      SLUICE_RETURN_NOT_OK(add(field.name, "column"));
    }
  }
  plan.attribute_schema = std::make_shared<const columnar::Schema>(attributes);
  if (!spec.tracked.empty()) {
    for (const std::string& column : spec.tracked) {
      auto index = plan.attribute_schema->FieldIndex(column);
      if (!index || *index < plan.key_count) {
        return MissingColumn(model, "tracked column", column, *plan.attribute_schema,
                             "the dimension's attributes");
      }
      plan.tracked.push_back(*index);
    }
  } else {
    for (size_t i = plan.key_count; i < attributes.size(); ++i) plan.tracked.push_back(i);
  }
  if (!spec.valid_from.empty()) {
    auto index = upstream.FieldIndex(spec.valid_from);
    if (!index)
      return MissingColumn(model, "valid_from column", spec.valid_from, upstream, spec.from);
    const TypeId id = upstream.field(*index).type.id();
    if (id != TypeId::kTimestamp && id != TypeId::kDate) {
      return Status::InvalidArgument(config::ConfigError{
          model.mark, "table '" + model.name + "': valid_from column '" + spec.valid_from +
                          "' is " + upstream.field(*index).type.ToString() +
                          "; it must be a timestamp or a date"}
                                         .ToString());
    }
    plan.upstream_valid_from = index;
  }
  std::vector<Field> fields;
  fields.push_back(Field{spec.surrogate_key, DataType::Int64(), false});
  fields.insert(fields.end(), attributes.begin(), attributes.end());
  if (scd2) {
    fields.push_back(Field{kValidFrom, DataType::Timestamp(), true});
    fields.push_back(Field{kValidTo, DataType::Timestamp(), true});
    fields.push_back(Field{kIsCurrent, DataType::Bool(), true});
    fields.push_back(Field{kRowHash, DataType::String(), true});
  } else {
    fields.push_back(Field{kRowHash, DataType::String(), true});
    fields.push_back(Field{kUpdatedAt, DataType::Timestamp(), true});
  }
  plan.schema = std::make_shared<const columnar::Schema>(std::move(fields));
  return plan;
}

Result<DimensionChanges> ApplyDimension(const DimensionPlan& plan,
                                        const std::vector<BatchPtr>& existing,
                                        const std::vector<BatchPtr>& incoming, int64_t next_key,
                                        int64_t now_micros, bool full_snapshot) {
  const GoldModel& model = *plan.model;
  const DimensionSpec& spec = model.dimension;
  const bool scd2 = spec.history == History::kScd2;
  const columnar::Schema& attribute_schema = *plan.attribute_schema;
  DimensionChanges changes;

  // 1. One batch of attributes: the existing rows (matched by name), then the incoming ones.
  std::vector<BatchPtr> parts;
  std::vector<Version> versions;
  bool schema_changed = false;
  int64_t combined_rows = 0;
  for (const BatchPtr& batch : existing) {
    const columnar::Schema& schema = *batch->schema();
    if (!(schema == *plan.schema)) schema_changed = true;
    std::vector<ColumnPtr> columns;
    for (const Field& field : attribute_schema.fields()) {
      auto index = schema.FieldIndex(field.name);
      if (!index) {
        columns.push_back(columnar::MakeNullColumn(field.type, batch->num_rows()));
        continue;
      }
      ColumnPtr column = batch->columns()[*index];
      if (!(column->type() == field.type)) {
        Result<ColumnPtr> widened = columnar::WidenColumn(column, field.type);
        if (!widened.ok()) {
          return Status::InvalidArgument("table '" + model.name + "': column '" + field.name +
                                         "' is " + column->type().ToString() +
                                         " in the dimension but " + field.type.ToString() +
                                         " upstream; rebuild the dimension or cast upstream");
        }
        column = *widened;
      }
      columns.push_back(std::move(column));
    }
    parts.push_back(std::make_shared<const columnar::Batch>(plan.attribute_schema,
                                                            std::move(columns), batch->num_rows()));
    auto at = [&](const char* name) -> const columnar::Column* {
      auto index = schema.FieldIndex(name);
      return index ? batch->columns()[*index].get() : nullptr;
    };
    const columnar::Column* key = at(spec.surrogate_key.c_str());
    if (key == nullptr || key->type().id() != TypeId::kInt64) {
      return Status::InvalidArgument("table '" + model.name + "': the dimension has no int64 '" +
                                     spec.surrogate_key + "' column");
    }
    const columnar::Column* valid_from = at(kValidFrom);
    const columnar::Column* valid_to = at(kValidTo);
    const columnar::Column* is_current = at(kIsCurrent);
    const columnar::Column* updated_at = at(kUpdatedAt);
    for (int64_t i = 0; i < batch->num_rows(); ++i) {
      Version version;
      version.key = static_cast<const columnar::Int64Column&>(*key).Value(i);
      version.row = combined_rows + i;
      next_key = std::max(next_key, version.key + 1);
      if (version.key == 0) continue;  // the unknown member: written afresh
      if (scd2) {
        version.valid_from = (valid_from ? TimeAt(*valid_from, i) : std::nullopt).value_or(0);
        version.valid_to = valid_to ? TimeAt(*valid_to, i) : std::nullopt;
        version.current = is_current == nullptr || is_current->IsNull(i) ||
                          static_cast<const columnar::BooleanColumn&>(*is_current).Value(i);
      } else if (updated_at != nullptr) {
        version.updated_at = TimeAt(*updated_at, i);
      }
      versions.push_back(version);
    }
    combined_rows += batch->num_rows();
  }
  const int64_t existing_rows = combined_rows;
  std::vector<int64_t> incoming_times;
  for (const BatchPtr& batch : incoming) {
    std::vector<ColumnPtr> columns;
    for (size_t i = 0; i < plan.upstream_columns.size(); ++i) {
      columns.push_back(batch->columns()[plan.upstream_columns[i]]);
    }
    parts.push_back(std::make_shared<const columnar::Batch>(plan.attribute_schema,
                                                            std::move(columns), batch->num_rows()));
    for (int64_t i = 0; i < batch->num_rows(); ++i) {
      incoming_times.push_back(
          plan.upstream_valid_from
              ? TimeAt(*batch->columns()[*plan.upstream_valid_from], i).value_or(now_micros)
              : now_micros);
    }
    combined_rows += batch->num_rows();
  }
  const BatchPtr combined = columnar::ConcatBatches(plan.attribute_schema, parts);

  std::vector<size_t> key_columns(plan.key_count);
  for (size_t i = 0; i < plan.key_count; ++i) key_columns[i] = i;
  std::vector<size_t> all_attributes;
  for (size_t i = plan.key_count; i < attribute_schema.num_fields(); ++i) {
    all_attributes.push_back(i);
  }
  std::vector<std::string> tracked_hash(static_cast<size_t>(combined_rows));
  auto tracked = [&](int64_t row) -> const std::string& {
    std::string& hash = tracked_hash[static_cast<size_t>(row)];
    if (hash.empty()) {
      hash = Sha256Hex(compute::EncodeKey(*combined, plan.tracked, row)).substr(0, 32);
    }
    return hash;
  };
  auto everything = [&](int64_t row) { return compute::EncodeKey(*combined, all_attributes, row); };

  // 2. The members: business key → their versions, by valid_from.
  std::unordered_map<std::string, std::vector<size_t>> members;
  for (size_t v = 0; v < versions.size(); ++v) {
    members[compute::EncodeKey(*combined, key_columns, versions[v].row)].push_back(v);
  }
  for (auto& [key, list] : members) {
    std::sort(list.begin(), list.end(),
              [&](size_t a, size_t b) { return versions[a].valid_from < versions[b].valid_from; });
  }

  // 3. One incoming row per business key.
  std::map<std::string, std::pair<int64_t, int64_t>> seen;  // key → (first row, count)
  int64_t null_keys = 0;
  for (int64_t row = existing_rows; row < combined_rows; ++row) {
    bool null_key = false;
    for (size_t k = 0; k < plan.key_count; ++k)
      null_key = null_key || combined->column(k).IsNull(row);
    if (null_key) {
      ++null_keys;
      continue;
    }
    auto [it, inserted] = seen.emplace(compute::EncodeKey(*combined, key_columns, row),
                                       std::make_pair(row, int64_t{0}));
    ++it->second.second;
  }
  if (null_keys > 0) {
    return Status::DataError(std::to_string(null_keys) + " rows of " + spec.from +
                             " have a null business key (" +
                             [&] {
                               std::string names;
                               for (const std::string& k : spec.key)
                                 names += (names.empty() ? "" : ", ") + k;
                               return names;
                             }() +
                             "); a dimension member needs one");
  }
  std::vector<std::string> duplicates;
  int64_t duplicate_keys = 0;
  for (const auto& [key, first_count] : seen) {
    if (first_count.second < 2) continue;
    ++duplicate_keys;
    if (duplicates.size() < 10) {
      duplicates.push_back(DescribeKey(*combined, plan.key_count, first_count.first) + " (" +
                           std::to_string(first_count.second) + " rows)");
    }
  }
  if (duplicate_keys > 0) {
    std::string list;
    for (const std::string& d : duplicates) list += (list.empty() ? "" : ", ") + d;
    if (duplicate_keys > static_cast<int64_t>(duplicates.size())) list += ", ...";
    return Status::DataError(
        std::to_string(duplicate_keys) +
        (duplicate_keys == 1 ? " business key appears" : " business keys appear") +
        " more than once in one batch of " + spec.from +
        " (a dimension takes one row per key per run; dedupe upstream): " + list +
        "; nothing committed");
  }

  // 4. Apply each incoming row.
  for (int64_t row = existing_rows; row < combined_rows; ++row) {
    const std::string key = compute::EncodeKey(*combined, key_columns, row);
    const int64_t ts = incoming_times[static_cast<size_t>(row - existing_rows)];
    std::vector<size_t>& list = members[key];
    auto add_version = [&](int64_t valid_from, std::optional<int64_t> valid_to, bool current) {
      Version version;
      version.key = next_key++;
      version.row = row;
      version.valid_from = valid_from;
      version.valid_to = valid_to;
      version.current = current;
      version.updated_at = now_micros;
      version.changed = true;
      versions.push_back(version);
      list.push_back(versions.size() - 1);
      std::sort(list.begin(), list.end(), [&](size_t a, size_t b) {
        return versions[a].valid_from < versions[b].valid_from;
      });
    };
    if (list.empty()) {
      add_version(scd2 ? ts : now_micros, std::nullopt, true);
      ++changes.members_added;
      continue;
    }
    if (!scd2) {
      Version& version = versions[list.front()];
      if (everything(version.row) == everything(row)) {
        ++changes.rows_unchanged;
        continue;
      }
      version.row = row;
      version.updated_at = now_micros;
      version.changed = true;
      ++changes.rows_updated;
      continue;
    }
    // The version valid at ts: the last one starting at or before it.
    size_t position = list.size();
    for (size_t i = 0; i < list.size(); ++i) {
      if (versions[list[i]].valid_from <= ts) position = i;
    }
    if (position == list.size()) {  // earlier than the member's first version: a late arrival
      Version& first = versions[list.front()];
      if (tracked(first.row) == tracked(row)) {
        first.valid_from = ts;  // the same values were valid earlier than we knew
        first.changed = true;
        ++changes.rows_updated;
      } else {
        add_version(ts, first.valid_from, false);
        ++changes.versions_added;
      }
      continue;
    }
    Version& version = versions[list[position]];
    const bool closed_member =
        position + 1 == list.size() && version.valid_to && *version.valid_to <= ts;
    if (closed_member) {  // it comes back after it was closed
      add_version(ts, std::nullopt, true);
      ++changes.versions_added;
      continue;
    }
    if (tracked(version.row) == tracked(row)) {
      if (everything(version.row) == everything(row)) {
        ++changes.rows_unchanged;
      } else {  // only untracked attributes changed: overwrite the version in place
        version.row = row;
        version.changed = true;
        ++changes.rows_updated;
      }
      continue;
    }
    if (version.valid_from == ts) {  // a correction of the version that starts then
      version.row = row;
      version.changed = true;
      ++changes.rows_updated;
      continue;
    }
    const std::optional<int64_t> until = version.valid_to;
    const bool was_current = version.current;
    version.valid_to = ts;
    version.current = false;
    version.changed = true;
    add_version(ts, until, was_current);  // `version` may dangle from here on
    ++changes.versions_added;
  }
  if (spec.close_missing && full_snapshot) {
    std::set<std::string> present;
    for (const auto& [key, first_count] : seen) present.insert(key);
    for (auto& [key, list] : members) {
      if (list.empty() || present.count(key) != 0) continue;
      Version& last = versions[list.back()];
      if (!last.current || last.valid_to) continue;
      last.valid_to = now_micros;
      last.current = false;
      last.changed = true;
      ++changes.members_closed;
    }
  }

  changes.schema_changed = existing.empty() || schema_changed;
  bool any_change = changes.schema_changed;
  for (const Version& version : versions) any_change = any_change || version.changed;
  changes.next_key = next_key;
  changes.changed = any_change;
  if (!any_change) return changes;

  // 5. The whole dimension, in surrogate key order, the unknown member first.
  std::sort(versions.begin(), versions.end(),
            [](const Version& a, const Version& b) { return a.key < b.key; });
  std::vector<ColumnPtr> unknown_columns;
  for (size_t i = 0; i < attribute_schema.num_fields(); ++i) {
    const DataType type = attribute_schema.field(i).type;
    if (i >= plan.key_count && type.id() == TypeId::kString) {
      columnar::StringBuilder builder(type);
      builder.Append("Unknown");
      unknown_columns.push_back(builder.Finish());
    } else {
      unknown_columns.push_back(columnar::MakeNullColumn(type, 1));
    }
  }
  std::vector<int64_t> rows;
  rows.reserve(versions.size());
  for (const Version& version : versions) rows.push_back(version.row);
  const BatchPtr attributes = columnar::ConcatBatches(
      plan.attribute_schema, {std::make_shared<const columnar::Batch>(
                                  plan.attribute_schema, std::move(unknown_columns), 1),
                              columnar::TakeRows(*combined, rows)});
  const auto n = static_cast<int64_t>(versions.size()) + 1;
  columnar::Int64Builder keys(DataType::Int64());
  columnar::Int64Builder valid_from(DataType::Timestamp());
  columnar::Int64Builder valid_to(DataType::Timestamp());
  columnar::Int64Builder updated_at(DataType::Timestamp());
  columnar::BooleanBuilder current;
  columnar::StringBuilder hashes(DataType::String());
  keys.Append(0);
  valid_from.Append(-2'208'988'800'000'000);  // 1900-01-01T00:00:00Z
  valid_to.AppendNull();
  current.Append(true);
  hashes.AppendNull();
  updated_at.Append(now_micros);
  for (size_t v = 0; v < versions.size(); ++v) {
    const Version& version = versions[v];
    if (version.changed) changes.changed_rows.push_back(static_cast<int64_t>(v) + 1);
    keys.Append(version.key);
    valid_from.Append(version.valid_from);
    if (version.valid_to) {
      valid_to.Append(*version.valid_to);
    } else {
      valid_to.AppendNull();
    }
    current.Append(version.current);
    hashes.Append(scd2 ? tracked(version.row) : Sha256Hex(everything(version.row)).substr(0, 32));
    if (version.updated_at) {
      updated_at.Append(*version.updated_at);
    } else {
      updated_at.AppendNull();
    }
  }
  std::vector<ColumnPtr> columns = {keys.Finish()};
  for (const ColumnPtr& column : attributes->columns()) columns.push_back(column);
  if (scd2) {
    columns.push_back(valid_from.Finish());
    columns.push_back(valid_to.Finish());
    columns.push_back(current.Finish());
    columns.push_back(hashes.Finish());
  } else {
    columns.push_back(hashes.Finish());
    columns.push_back(updated_at.Finish());
  }
  changes.table = std::make_shared<const columnar::Batch>(plan.schema, std::move(columns), n);
  return changes;
}

}  // namespace sluice::gold

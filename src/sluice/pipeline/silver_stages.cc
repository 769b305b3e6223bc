#include "sluice/pipeline/silver_stages.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/take.h"
#include "sluice/columnar/value_formatter.h"
#include "sluice/columnar/widen.h"
#include "sluice/common/thread_pool.h"
#include "sluice/lake/key_ranges.h"
#include "sluice/lake/table_scan.h"
#include "sluice/pipeline/upstream.h"

namespace sluice::pipeline {
namespace {

using columnar::BatchPtr;
using columnar::ColumnPtr;
using columnar::DataType;
using columnar::Field;
using columnar::SchemaPtr;
using columnar::TypeId;

// An ordering value of any type, for "the latest by".
struct OrderValue {
  bool null = true;
  long double number = 0;
  std::string text;
  bool operator<(const OrderValue& other) const {
    if (null != other.null) return null;  // null is the oldest
    if (number != other.number) return number < other.number;
    return text < other.text;
  }
};

OrderValue OrderAt(const columnar::Column& column, int64_t row) {
  OrderValue value;
  if (column.IsNull(row)) return value;
  value.null = false;
  switch (column.type().id()) {
    case TypeId::kInt32:
    case TypeId::kDate:
      value.number = static_cast<const columnar::Int32Column&>(column).Value(row);
      break;
    case TypeId::kInt64:
    case TypeId::kTime:
    case TypeId::kTimestamp:
      value.number =
          static_cast<long double>(static_cast<const columnar::Int64Column&>(column).Value(row));
      break;
    case TypeId::kFloat64:
      value.number = static_cast<const columnar::Float64Column&>(column).Value(row);
      break;
    case TypeId::kDecimal:
      value.number =
          static_cast<long double>(static_cast<const columnar::DecimalColumn&>(column).Value(row)) /
          std::pow(10.0L, column.type().scale());
      break;
    case TypeId::kBool:
      value.number = static_cast<const columnar::BooleanColumn&>(column).Value(row) ? 1 : 0;
      break;
    default:
      columnar::AppendValue(column, row, columnar::ValueStyle::kJson, &value.text);
      break;
  }
  return value;
}

// Compares rows by the latest_by column (at `column` in every batch): as integers when it holds
// integers, dates or timestamps (null oldest), else through OrderAt.
class OrderReader {
 public:
  OrderReader(std::optional<size_t> column, const columnar::Schema& schema) : column_(column) {
    if (!column) return;
    const TypeId id = schema.field(*column).type.id();
    narrow_ = id == TypeId::kInt32 || id == TypeId::kDate;
    wide_ = id == TypeId::kInt64 || id == TypeId::kTimestamp || id == TypeId::kTime;
  }
  // Row a of batch x is older than row b of batch y (false without a column: the row read last
  // wins).
  bool Less(const columnar::Batch& x, int64_t a, const columnar::Batch& y, int64_t b) const {
    if (!column_) return false;
    const columnar::Column& ca = *x.columns()[*column_];
    const columnar::Column& cb = *y.columns()[*column_];
    if (!narrow_ && !wide_) return OrderAt(ca, a) < OrderAt(cb, b);
    if (ca.IsNull(a) || cb.IsNull(b)) return ca.IsNull(a) && !cb.IsNull(b);
    if (narrow_) {
      return static_cast<const columnar::Int32Column&>(ca).Value(a) <
             static_cast<const columnar::Int32Column&>(cb).Value(b);
    }
    return static_cast<const columnar::Int64Column&>(ca).Value(a) <
           static_cast<const columnar::Int64Column&>(cb).Value(b);
  }

 private:
  std::optional<size_t> column_;
  bool narrow_ = false;
  bool wide_ = false;
};

// A hash map from a row's key to a value. A single integer key column is hashed as the integer
// itself; other keys as their encoded text (silver::EncodeKey).
template <typename V>
class KeyMap {
 public:
  // `schema`: of the batches looked up; `expected`: about how many keys there will be.
  KeyMap(const columnar::Schema& schema, std::vector<size_t> columns, int64_t expected)
      : columns_(std::move(columns)) {
    const TypeId id = schema.field(columns_[0]).type.id();
    integer_ = columns_.size() == 1 && (id == TypeId::kInt32 || id == TypeId::kInt64);
    if (integer_) ints_.reserve(static_cast<size_t>(expected));
  }

  // The slot of row `row`'s key and whether it was new (then it holds `value`). `columns`
  // (optional) overrides the key columns, for a batch of another shape with the same key types.
  std::pair<V*, bool> Emplace(const columnar::Batch& batch, int64_t row, V value,
                              const std::vector<size_t>* columns = nullptr) {
    const std::vector<size_t>& at = columns != nullptr ? *columns : columns_;
    if (!integer_) {
      auto [it, inserted] = texts_.emplace(silver::EncodeKey(batch, at, row), std::move(value));
      return {&it->second, inserted};
    }
    const columnar::Column& column = *batch.columns()[at[0]];
    if (column.IsNull(row)) {
      const bool inserted = !null_.has_value();
      if (inserted) null_ = std::move(value);
      return {&*null_, inserted};
    }
    auto [it, inserted] = ints_.emplace(IntAt(column, row), std::move(value));
    return {&it->second, inserted};
  }

  V* Find(const columnar::Batch& batch, int64_t row, const std::vector<size_t>* columns = nullptr) {
    const std::vector<size_t>& at = columns != nullptr ? *columns : columns_;
    if (!integer_) {
      auto it = texts_.find(silver::EncodeKey(batch, at, row));
      return it == texts_.end() ? nullptr : &it->second;
    }
    const columnar::Column& column = *batch.columns()[at[0]];
    if (column.IsNull(row)) return null_ ? &*null_ : nullptr;
    auto it = ints_.find(IntAt(column, row));
    return it == ints_.end() ? nullptr : &it->second;
  }

 private:
  static int64_t IntAt(const columnar::Column& column, int64_t row) {
    return column.type().id() == TypeId::kInt32
               ? static_cast<const columnar::Int32Column&>(column).Value(row)
               : static_cast<const columnar::Int64Column&>(column).Value(row);
  }

  std::vector<size_t> columns_;
  bool integer_ = false;
  std::unordered_map<int64_t, V> ints_;
  std::optional<V> null_;
  std::unordered_map<std::string, V> texts_;
};

std::vector<size_t> Indices(const columnar::Schema& schema, const std::vector<std::string>& names) {
  std::vector<size_t> indices;
  for (const std::string& name : names) {
    if (auto index = schema.FieldIndex(name)) indices.push_back(*index);
  }
  return indices;
}

Status ConfigProblem(const silver::SilverTable& table, const std::string& problem) {
  return Status::InvalidArgument(
      config::ConfigError{table.mark, "table '" + table.name + "': " + problem}.ToString());
}

}  // namespace

std::string UpstreamAppId(const std::string& upstream_table) {
  return "sluice.silver:" + upstream_table;
}

columnar::SchemaPtr QualitySchema() {
  static const SchemaPtr schema = std::make_shared<const columnar::Schema>(
      std::vector<Field>{{"run_id", DataType::String(), true},
                         {"table", DataType::String(), true},
                         {"table_version", DataType::Int64(), true},
                         {"check", DataType::String(), true},
                         {"kind", DataType::String(), true},
                         {"severity", DataType::String(), true},
                         {"columns", DataType::String(), true},
                         {"rows_checked", DataType::Int64(), true},
                         {"rows_failed", DataType::Int64(), true},
                         {"passed", DataType::Bool(), true},
                         {"sample", DataType::String(), true},
                         {"detail", DataType::String(), true},
                         {"score", DataType::Float64(), true},
                         {"checked_at", DataType::Timestamp(), true}});
  return schema;
}

nlohmann::ordered_json CheckJson(const silver::CheckResult& result) {
  nlohmann::ordered_json sample = nlohmann::ordered_json::array();
  for (const std::string& value : result.sample) sample.push_back(value);
  return {{"check", result.name},
          {"kind", std::string(silver::CheckKindName(result.kind))},
          {"severity", std::string(silver::SeverityName(result.severity))},
          {"columns", result.columns},
          {"rows_checked", result.rows_checked},
          {"rows_failed", result.rows_failed},
          {"passed", result.passed},
          {"sample", sample},
          {"detail", result.detail}};
}

Result<silver::MaskingKeys> LoadMaskingKeys(const silver::SilverTable& table) {
  silver::MaskingKeys keys;
  for (const auto& [column, rule] : table.masks) {
    if (rule.method == silver::MaskMethod::kHmac && keys.hmac_key.empty()) {
      SLUICE_ASSIGN_OR_RETURN(keys.hmac_key, silver::MaskingKeyFromEnvironment());
    }
    if (rule.method == silver::MaskMethod::kTokenize && keys.token_key.empty()) {
      SLUICE_ASSIGN_OR_RETURN(keys.token_key, silver::TokenKeyFromEnvironment());
    }
  }
  return keys;
}

Result<UpstreamPlan> PlanUpstreams(const Project& project, const silver::SilverTable& table,
                                   const lake::Snapshot& target, bool full_refresh) {
  UpstreamPlan plan;
  plan.full = full_refresh || !target.exists();
  for (const std::string& name : table.from) {
    SilverUpstream upstream;
    upstream.name = name;
    SLUICE_ASSIGN_OR_RETURN(upstream.log, lake::DeltaLog::Open(project.TablePath(name)));
    SLUICE_ASSIGN_OR_RETURN(upstream.snapshot, upstream.log->Load());
    if (auto consumed = target.TransactionVersion(UpstreamAppId(name))) {
      upstream.consumed = *consumed;
    }
    if (upstream.snapshot->version > upstream.consumed) plan.anything_new = true;
    if (!plan.full && upstream.snapshot->version > upstream.consumed) {
      SLUICE_ASSIGN_OR_RETURN(UpstreamDelta delta,
                              ReadDelta(*upstream.log, *upstream.snapshot, upstream.consumed));
      if (delta.removed_version) {  // one note, at the first such commit
        plan.full = true;
        plan.notes.push_back(table.name + ": " + name + " version " +
                             std::to_string(*delta.removed_version) +
                             " removed rows, so the table was rebuilt from all of it");
      }
      upstream.files = std::move(delta.files);
    }
    plan.upstreams.push_back(std::move(upstream));
  }
  if (plan.full) {
    for (SilverUpstream& upstream : plan.upstreams) {
      upstream.files.clear();
      for (const auto& [key, add] : upstream.snapshot->files) upstream.files.push_back(key.path);
    }
  }
  return plan;
}

Result<SchemaPtr> UnionSchema(const std::vector<SilverUpstream>& upstreams) {
  std::vector<Field> fields;
  for (const SilverUpstream& upstream : upstreams) {
    if (!upstream.snapshot->exists()) continue;
    for (const Field& field : upstream.snapshot->schema->fields()) {
      auto existing = std::find_if(fields.begin(), fields.end(),
                                   [&](const Field& f) { return f.name == field.name; });
      if (existing == fields.end()) {
        fields.push_back(Field{field.name, field.type, true});
      } else if (!(existing->type == field.type)) {
        const bool integers =
            (existing->type.id() == TypeId::kInt32 || existing->type.id() == TypeId::kInt64) &&
            (field.type.id() == TypeId::kInt32 || field.type.id() == TypeId::kInt64);
        if (!integers) {
          return Status::SchemaMismatch("column '" + field.name + "' is " +
                                        existing->type.ToString() + " in one upstream table and " +
                                        field.type.ToString() + " in " + upstream.name +
                                        "; cast it in one of them");
        }
        existing->type = DataType::Int64();
      }
    }
  }
  if (fields.empty()) return SchemaPtr();
  return std::make_shared<const columnar::Schema>(std::move(fields));
}

Result<silver::LookupData> LoadLookup(const Project& project, const silver::LookupSpec& lookup,
                                      int threads) {
  SLUICE_ASSIGN_OR_RETURN(auto log, lake::DeltaLog::Open(project.TablePath(lookup.table)));
  SLUICE_ASSIGN_OR_RETURN(lake::SnapshotPtr snapshot, log->Load());
  if (!snapshot->exists()) {
    return Status::NotFound("the lookup table " + lookup.table + " does not exist yet");
  }
  lake::TableScanOptions options;
  options.columns = lookup.on;
  options.columns.insert(options.columns.end(), lookup.columns.begin(), lookup.columns.end());
  options.threads = threads;
  SchemaPtr scan_schema;
  Result<std::vector<BatchPtr>> batches = ReadAll(log, snapshot, options, nullptr, &scan_schema);
  if (!batches.ok()) {
    return Status::InvalidArgument("lookup in " + lookup.table + ": " + batches.status().message());
  }
  std::vector<BatchPtr> parts = *batches;
  std::vector<size_t> keys(lookup.on.size());
  for (size_t k = 0; k < keys.size(); ++k) keys[k] = k;
  std::vector<ColumnPtr> null_row;
  for (const Field& field : scan_schema->fields()) {
    null_row.push_back(columnar::MakeNullColumn(field.type, 1));
  }
  parts.push_back(std::make_shared<const columnar::Batch>(scan_schema, null_row, 1));
  BatchPtr all = columnar::ConcatBatches(scan_schema, parts);
  silver::LookupData data;
  for (int64_t i = 0; i + 1 < all->num_rows(); ++i) {
    auto [it, inserted] = data.index.emplace(silver::EncodeKey(*all, keys, i), i);
    if (!inserted) {
      return Status::DataError("the lookup table " + lookup.table + " holds the key " +
                               silver::RowAsJson(*all, i) +
                               " more than once; a lookup needs unique keys");
    }
  }
  std::vector<Field> fields(scan_schema->fields().begin() + static_cast<ptrdiff_t>(keys.size()),
                            scan_schema->fields().end());
  std::vector<ColumnPtr> columns(all->columns().begin() + static_cast<ptrdiff_t>(keys.size()),
                                 all->columns().end());
  data.rows = std::make_shared<const columnar::Batch>(
      std::make_shared<const columnar::Schema>(fields), columns, all->num_rows());
  return data;
}

namespace {

// `batch` with the columns of `schema`, by name: missing ones null, integers widened.
Result<BatchPtr> ShapeTo(const columnar::Batch& batch, const SchemaPtr& schema) {
  std::vector<ColumnPtr> columns;
  for (const Field& field : schema->fields()) {
    auto index = batch.schema()->FieldIndex(field.name);
    if (!index) {
      columns.push_back(columnar::MakeNullColumn(field.type, batch.num_rows()));
      continue;
    }
    SLUICE_ASSIGN_OR_RETURN(ColumnPtr column,
                            columnar::WidenColumn(batch.columns()[*index], field.type));
    columns.push_back(std::move(column));
  }
  return std::make_shared<const columnar::Batch>(schema, std::move(columns), batch.num_rows());
}

}  // namespace

Result<Transformed> ReadAndTransform(const silver::SilverTable& table,
                                     const std::vector<SilverUpstream>& upstreams, bool full,
                                     const SchemaPtr& union_schema,
                                     const silver::LookupData* lookup, TaskContext& context) {
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<silver::Transformer> transformer,
                          silver::Transformer::Create(table, union_schema, lookup));
  Transformed out;
  for (const SilverUpstream& upstream : upstreams) {
    out.read[upstream.name] = {{"from_version", full ? 0 : upstream.consumed + 1},
                               {"to_version", upstream.snapshot->version},
                               {"files", upstream.files.size()}};
    if (upstream.files.empty()) continue;
    lake::TableScanOptions options;
    options.files = upstream.files;
    options.threads = context.threads;
    SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<lake::TableScan> scan,
                            lake::TableScan::Open(upstream.log, upstream.snapshot, options));
    // A few batches at a time, transformed on all the task's threads, kept in read order.
    const size_t group = static_cast<size_t>(std::max(1, context.threads)) * 2;
    bool done = false;
    while (!done) {
      std::vector<BatchPtr> read;
      while (read.size() < group) {
        SLUICE_ASSIGN_OR_RETURN(BatchPtr batch, scan->Next());
        if (!batch) {
          done = true;
          break;
        }
        out.rows_in += batch->num_rows();
        if (context.progress != nullptr) context.progress->rows += batch->num_rows();
        read.push_back(std::move(batch));
      }
      std::vector<BatchPtr> transformed(read.size());
      std::vector<std::vector<silver::RowReject>> rejects(read.size());
      std::vector<silver::TransformCounts> counts(read.size());
      SLUICE_RETURN_NOT_OK(ThreadPool::Global().ForEach(
          read.size(), std::max(1, context.threads), [&](size_t i) -> Status {
            SLUICE_ASSIGN_OR_RETURN(BatchPtr shaped, ShapeTo(*read[i], union_schema));
            SLUICE_ASSIGN_OR_RETURN(transformed[i],
                                    transformer->Apply(*shaped, &rejects[i], &counts[i]));
            return Status::OK();
          }));
      for (size_t i = 0; i < read.size(); ++i) {
        for (silver::RowReject& reject : rejects[i]) out.rejects.push_back(std::move(reject));
        out.counts.filtered += counts[i].filtered;
        out.counts.null_dropped += counts[i].null_dropped;
        if (transformed[i]->num_rows() > 0) out.rows.push_back(std::move(transformed[i]));
      }
    }
  }
  out.schema = transformer->output_schema();
  return out;
}

namespace {

// The files of `target` whose partition values and statistics may hold the key (columns `names`,
// at `columns` of each batch) of one of `rows`; nullopt when every file must be read: a key is
// null, or the table has no such column yet.
std::optional<std::vector<std::string>> FilesWithKeysOf(const std::vector<BatchPtr>& rows,
                                                        const std::vector<size_t>& columns,
                                                        const std::vector<std::string>& names,
                                                        const lake::Snapshot& target) {
  for (const std::string& name : names) {
    if (!target.schema->FieldIndex(name)) return std::nullopt;
  }
  lake::KeyRanges ranges(names);
  for (const BatchPtr& batch : rows) {
    for (int64_t i = 0; i < batch->num_rows(); ++i) {
      for (size_t column : columns) {
        if (batch->column(column).IsNull(i)) return std::nullopt;
      }
      ranges.AddRow(*batch, columns, i);
    }
  }
  ranges.Seal();
  std::vector<std::string> files;
  for (const auto& [key, add] : target.files) {
    if (ranges.MayContain(add, target)) files.push_back(key.path);
  }
  return files;
}

// Fills `held` with the latest_by value of the table's row for each
// key of `incoming` that the table holds. Reads only the files whose partition values and key
// statistics may hold one of the incoming keys (every file when a key is null), streaming.
Status ReadHeldOrder(const silver::SilverTable& table, const std::vector<size_t>& keys,
                     const std::vector<BatchPtr>& rows,
                     std::shared_ptr<const lake::DeltaLog> target_log,
                     const lake::SnapshotPtr& target, int threads, KeyMap<int64_t>* incoming,
                     KeyMap<OrderValue>* held, int64_t* files_read) {
  const std::optional<std::vector<std::string>> files =
      FilesWithKeysOf(rows, keys, table.dedupe_key, *target);
  if (files && files->empty()) return Status::OK();
  lake::TableScanOptions options;
  options.columns = table.dedupe_key;
  options.columns.push_back(table.latest_by);
  options.threads = threads;
  if (files) options.files = *files;
  *files_read = static_cast<int64_t>(files ? files->size() : target->files.size());
  std::vector<size_t> held_keys(keys.size());
  for (size_t k = 0; k < keys.size(); ++k) held_keys[k] = k;
  return ForEachBatch(target_log, target, options, [&](const BatchPtr& batch) -> Status {
    const columnar::Column& latest = *batch->columns()[keys.size()];
    for (int64_t i = 0; i < batch->num_rows(); ++i) {
      if (incoming->Find(*batch, i, &held_keys) == nullptr) continue;
      *held->Emplace(*batch, i, OrderValue(), &held_keys).first = OrderAt(latest, i);
    }
    return Status::OK();
  });
}

}  // namespace

Result<DedupeCounts> Dedupe(const silver::SilverTable& table, const SchemaPtr& schema,
                            std::shared_ptr<const lake::DeltaLog> target_log,
                            lake::SnapshotPtr target, int threads, std::vector<BatchPtr>* rows) {
  DedupeCounts counts;
  std::vector<BatchPtr>& output = *rows;
  if (table.dedupe_key.empty() || output.empty()) return counts;
  const std::vector<size_t> keys = Indices(*schema, table.dedupe_key);
  if (keys.size() != table.dedupe_key.size()) {
    return ConfigProblem(table, "a dedupe key is not a column of the table");
  }
  std::optional<size_t> order;
  if (!table.latest_by.empty()) {
    order = schema->FieldIndex(table.latest_by);
    if (!order)
      return ConfigProblem(table, "dedupe latest_by: no column '" + table.latest_by + "'");
  }
  // The batches stay as they are: a row is addressed as (batch << 32 | row).
  auto at = [](size_t batch, int64_t row) { return static_cast<int64_t>(batch) << 32 | row; };
  int64_t total = 0;
  for (const BatchPtr& batch : output) total += batch->num_rows();
  const OrderReader latest(order, *schema);
  KeyMap<int64_t> winner(*schema, keys, total);
  for (size_t b = 0; b < output.size(); ++b) {
    const columnar::Batch& batch = *output[b];
    for (int64_t i = 0; i < batch.num_rows(); ++i) {
      auto [slot, inserted] = winner.Emplace(batch, i, at(b, i));
      if (inserted) continue;
      const columnar::Batch& held = *output[static_cast<size_t>(*slot >> 32)];
      if (!latest.Less(batch, i, held, *slot & 0xFFFFFFFF)) *slot = at(b, i);
    }
  }
  // Against the rows the table holds: an older row never replaces a newer one. Only the files
  // that may hold an incoming key are read, and only those keys' rows are kept.
  std::optional<KeyMap<OrderValue>> existing;
  if (order && target != nullptr && target->exists()) {
    existing.emplace(*schema, keys, 0);
    SLUICE_RETURN_NOT_OK(ReadHeldOrder(table, keys, output, target_log, target, threads, &winner,
                                       &*existing, &counts.files_read));
  }
  int64_t kept_rows = 0;
  for (size_t b = 0; b < output.size(); ++b) {
    const columnar::Batch& batch = *output[b];
    std::vector<int64_t> kept;
    kept.reserve(static_cast<size_t>(batch.num_rows()));
    for (int64_t i = 0; i < batch.num_rows(); ++i) {
      if (*winner.Find(batch, i) != at(b, i)) continue;
      if (existing) {
        const OrderValue* held = existing->Find(batch, i);
        if (held != nullptr && OrderAt(*batch.columns()[*order], i) < *held) {
          ++counts.stale;
          continue;
        }
      }
      kept.push_back(i);
    }
    kept_rows += static_cast<int64_t>(kept.size());
    if (static_cast<int64_t>(kept.size()) != batch.num_rows()) {
      output[b] = columnar::TakeRows(batch, kept);
    }
  }
  counts.duplicates = total - kept_rows;
  return counts;
}

Result<silver::CheckContext> LoadCheckInputs(const Project& project,
                                             const silver::SilverTable& table,
                                             const columnar::Schema& schema,
                                             const std::vector<BatchPtr>& rows,
                                             std::shared_ptr<const lake::DeltaLog> target_log,
                                             lake::SnapshotPtr target, int64_t now_micros) {
  silver::CheckContext context;
  context.now_micros = now_micros;
  for (const silver::CheckSpec& check : table.checks) {
    if (check.kind == silver::CheckKind::kUnique && target != nullptr && target->exists() &&
        table.dedupe_key.empty()) {
      // Only the table's keys that the incoming rows also hold matter, so only the files that may
      // hold one are read (all of them when a key is null or a column is new).
      const std::vector<size_t> columns = Indices(schema, check.columns);
      if (columns.size() != check.columns.size()) continue;  // the check reports the column
      std::unordered_set<std::string> incoming;
      for (const BatchPtr& batch : rows) {
        for (int64_t i = 0; i < batch->num_rows(); ++i) {
          incoming.insert(silver::EncodeKey(*batch, columns, i));
        }
      }
      const std::optional<std::vector<std::string>> files =
          FilesWithKeysOf(rows, columns, check.columns, *target);
      if (files && files->empty()) continue;
      lake::TableScanOptions options;
      options.columns = check.columns;
      if (files) options.files = *files;
      std::vector<size_t> all_columns(check.columns.size());
      for (size_t k = 0; k < all_columns.size(); ++k) all_columns[k] = k;
      auto& keys = context.existing_keys[check.name];
      SLUICE_RETURN_NOT_OK(
          ForEachBatch(target_log, target, options, [&](const BatchPtr& batch) -> Status {
            for (int64_t i = 0; i < batch->num_rows(); ++i) {
              std::string key = silver::EncodeKey(*batch, all_columns, i);
              if (incoming.count(key) != 0) keys.insert(std::move(key));
            }
            return Status::OK();
          }));
    }
    if (check.kind == silver::CheckKind::kRelationships) {
      SLUICE_ASSIGN_OR_RETURN(auto log, lake::DeltaLog::Open(project.TablePath(check.to_table)));
      SLUICE_ASSIGN_OR_RETURN(lake::SnapshotPtr snapshot, log->Load());
      auto& keys = context.reference_keys[check.name];
      if (snapshot->exists()) {
        lake::TableScanOptions options;
        options.columns = {check.to_column};
        Result<std::vector<BatchPtr>> held = ReadAll(log, snapshot, options, nullptr);
        if (!held.ok()) {
          return Status::InvalidArgument("check '" + check.name + "': " + held.status().message());
        }
        for (const BatchPtr& batch : *held) {
          for (int64_t i = 0; i < batch->num_rows(); ++i) {
            if (batch->columns()[0]->IsValid(i)) keys.insert(silver::EncodeKey(*batch, {0}, i));
          }
        }
      }
    }
  }
  return context;
}

void QuarantineFailedRows(const silver::SilverTable& table,
                          const std::vector<silver::CheckResult>& results,
                          const std::vector<std::vector<int>>& quarantined_by_check,
                          std::vector<BatchPtr>* rows, std::vector<silver::RowReject>* rejects) {
  std::vector<BatchPtr>& output = *rows;
  for (size_t b = 0; b < output.size(); ++b) {
    std::vector<int64_t> keep;
    for (int64_t i = 0; i < output[b]->num_rows(); ++i) {
      const int check = quarantined_by_check[b][static_cast<size_t>(i)];
      if (check < 0) {
        keep.push_back(i);
        continue;
      }
      const silver::CheckSpec& spec = table.checks[static_cast<size_t>(check)];
      const silver::CheckResult& result = results[static_cast<size_t>(check)];
      // The value at fault first (what a reader of the quarantine wants), then the check.
      std::string message;
      if (spec.columns.size() == 1) {
        if (auto column = output[b]->schema()->FieldIndex(spec.columns[0])) {
          message = spec.columns[0] + " = ";
          columnar::AppendValue(*output[b]->columns()[*column], i, columnar::ValueStyle::kJson,
                                &message);
          message += ": ";
        }
      }
      message += "failed check '" + spec.name + "' (" +
                 std::string(silver::CheckKindName(spec.kind)) + ")";
      rejects->push_back({i, result.columns, "check:" + spec.name, std::move(message),
                          silver::RowAsJson(*output[b], i)});
    }
    if (static_cast<int64_t>(keep.size()) != output[b]->num_rows()) {
      output[b] = columnar::TakeRows(*output[b], keep);
    }
  }
}

Result<SchemaPtr> ApplyMasks(const silver::SilverTable& table, const SchemaPtr& schema,
                             const silver::MaskingKeys& keys, std::vector<BatchPtr>* rows) {
  if (table.masks.empty()) return schema;
  std::vector<Field> fields = schema->fields();
  std::vector<std::pair<size_t, const silver::MaskRule*>> plan;
  for (const auto& [column, rule] : table.masks) {
    auto index = schema->FieldIndex(column);
    if (!index) return ConfigProblem(table, "mask: no column '" + column + "'");
    Result<DataType> type = silver::MaskedType(rule, fields[*index].type);
    if (!type.ok()) {
      return ConfigProblem(table, "mask of '" + column + "': " + type.status().message());
    }
    fields[*index].type = *type;
    plan.emplace_back(*index, &rule);
  }
  const SchemaPtr masked_schema = std::make_shared<const columnar::Schema>(fields);
  for (BatchPtr& batch : *rows) {
    std::vector<ColumnPtr> columns = batch->columns();
    for (const auto& [index, rule] : plan) {
      SLUICE_ASSIGN_OR_RETURN(columns[index], silver::ApplyMask(*rule, *columns[index], keys));
    }
    batch = std::make_shared<const columnar::Batch>(masked_schema, std::move(columns),
                                                    batch->num_rows());
  }
  return masked_schema;
}

BatchPtr RejectRows(const std::string& run_id, const std::string& table,
                    const std::vector<silver::RowReject>& rejects, int64_t now_micros) {
  columnar::StringBuilder run, name, kind, field, message, raw;
  columnar::Int64Builder at(DataType::Timestamp());
  for (const silver::RowReject& reject : rejects) {
    run.Append(run_id);
    name.Append(table);
    kind.Append(reject.kind);
    if (reject.column.empty()) {
      field.AppendNull();
    } else {
      field.Append(reject.column);
    }
    message.Append(reject.message);
    raw.Append(reject.raw);
    at.Append(now_micros);
  }
  return std::make_shared<const columnar::Batch>(
      RowQuarantineSchema(),
      std::vector<ColumnPtr>{run.Finish(), name.Finish(), kind.Finish(), field.Finish(),
                             message.Finish(), raw.Finish(), at.Finish()},
      static_cast<int64_t>(rejects.size()));
}

BatchPtr QualityRows(const std::string& run_id, const std::string& table, int64_t table_version,
                     const std::vector<silver::CheckResult>& results, double score,
                     int64_t now_micros) {
  columnar::StringBuilder run(DataType::String()), name(DataType::String()),
      check(DataType::String()), kind(DataType::String()), severity(DataType::String()),
      columns(DataType::String()), sample(DataType::String()), detail(DataType::String());
  columnar::Int64Builder version(DataType::Int64()), checked(DataType::Int64()),
      failed(DataType::Int64()), at(DataType::Timestamp());
  columnar::BooleanBuilder passed;
  columnar::Float64Builder scores(DataType::Float64());
  for (const silver::CheckResult& result : results) {
    run.Append(run_id);
    name.Append(table);
    version.Append(table_version);
    check.Append(result.name);
    kind.Append(silver::CheckKindName(result.kind));
    severity.Append(silver::SeverityName(result.severity));
    columns.Append(result.columns);
    checked.Append(result.rows_checked);
    failed.Append(result.rows_failed);
    passed.Append(result.passed);
    sample.Append(CheckJson(result)["sample"].dump());
    detail.Append(result.detail);
    scores.Append(std::round(score * 10) / 10);
    at.Append(now_micros);
  }
  return std::make_shared<const columnar::Batch>(
      QualitySchema(),
      std::vector<ColumnPtr>{run.Finish(), name.Finish(), version.Finish(), check.Finish(),
                             kind.Finish(), severity.Finish(), columns.Finish(), checked.Finish(),
                             failed.Finish(), passed.Finish(), sample.Finish(), detail.Finish(),
                             scores.Finish(), at.Finish()},
      static_cast<int64_t>(results.size()));
}

}  // namespace sluice::pipeline

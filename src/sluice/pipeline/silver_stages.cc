#include "sluice/pipeline/silver_stages.h"

#include <algorithm>
#include <cmath>
#include <limits>
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

// The value of an integer, date, time or timestamp column.
int64_t IntAt(const columnar::Column& column, int64_t row) {
  const TypeId id = column.type().id();
  return id == TypeId::kInt32 || id == TypeId::kDate
             ? static_cast<const columnar::Int32Column&>(column).Value(row)
             : static_cast<const columnar::Int64Column&>(column).Value(row);
}

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

  // Calls `visit` with every value held.
  template <typename F>
  void ForEach(F visit) {
    for (auto& [key, value] : ints_) visit(value);
    if (null_) visit(*null_);
    for (auto& [key, value] : texts_) visit(value);
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
  out.schema = transformer->output_schema();
  // The rows wait for de-duplication and the checks here: an eighth of the task's memory (the
  // de-duplication and the reading and writing of files take the rest), then a file, which the
  // page cache mostly keeps: spilling costs little.
  out.rows = std::make_unique<columnar::BatchSpool>(out.schema, context.memory_budget / 8);
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
        if (transformed[i]->num_rows() > 0) {
          SLUICE_RETURN_NOT_OK(out.rows->Append(std::move(transformed[i])));
        }
      }
    }
  }
  return out;
}

namespace {

// The files of `target` whose partition values and statistics may hold the key (columns `names`,
// at `columns` of the spool) of one of the kept rows of `rows`; nullopt when every file must be
// read: a key is null, or the table has no such column yet.
Result<std::optional<std::vector<std::string>>> FilesWithKeysOf(
    const columnar::BatchSpool& rows, const RowSelection* keep, const std::vector<size_t>& columns,
    const std::vector<std::string>& names, const lake::Snapshot& target) {
  using Files = std::optional<std::vector<std::string>>;
  for (const std::string& name : names) {
    if (!target.schema->FieldIndex(name)) return Files();
  }
  lake::KeyRanges ranges(names);
  std::vector<size_t> at(columns.size());
  for (size_t k = 0; k < at.size(); ++k) at[k] = k;
  bool null = false;
  SLUICE_RETURN_NOT_OK(
      ForEachKeptRow(rows, keep, columns, [&](const columnar::Batch& batch, int64_t i, int64_t) {
        for (size_t k : at) null |= batch.column(k).IsNull(i);
        ranges.AddRow(batch, at, i);
      }));
  if (null) return Files();
  ranges.Seal();
  std::vector<std::string> files;
  for (const auto& [key, add] : target.files) {
    if (ranges.MayContain(add, target)) files.push_back(key.path);
  }
  return Files(std::move(files));
}

bool IntegerType(TypeId id) {
  return id == TypeId::kInt32 || id == TypeId::kInt64 || id == TypeId::kDate ||
         id == TypeId::kTime || id == TypeId::kTimestamp;
}

// One row of the run for the integer de-duplication: its key, its latest_by value (null as the
// oldest) and its place in the spool. 24 bytes a row.
struct KeyedRow {
  int64_t key;
  int64_t order;
  int64_t row;
};

// De-duplication of a single integer key ordered by an integer (or no) latest_by: the rows'
// (key, order, place) sorted, the last of each key wins — the latest, the row read last on ties.
// Null keys are one key of their own.
Status DedupeIntegers(const silver::SilverTable& table, const columnar::BatchSpool& rows,
                      const std::vector<size_t>& columns,
                      std::shared_ptr<const lake::DeltaLog> target_log,
                      const lake::SnapshotPtr& target, int threads, RowSelection* keep,
                      DedupeCounts* counts) {
  const bool ordered = columns.size() > 1;
  std::vector<KeyedRow> keyed;
  keyed.reserve(static_cast<size_t>(rows.num_rows()));
  std::optional<KeyedRow> null_winner;
  SLUICE_RETURN_NOT_OK(ForEachKeptRow(rows, nullptr, columns,
                                      [&](const columnar::Batch& batch, int64_t i, int64_t row) {
                                        int64_t order = std::numeric_limits<int64_t>::min();
                                        if (ordered && batch.column(1).IsValid(i))
                                          order = IntAt(batch.column(1), i);
                                        if (batch.column(0).IsNull(i)) {
                                          if (!null_winner || null_winner->order <= order)
                                            null_winner = KeyedRow{0, order, row};
                                          return;
                                        }
                                        keyed.push_back({IntAt(batch.column(0), i), order, row});
                                      }));
  std::sort(keyed.begin(), keyed.end(), [](const KeyedRow& a, const KeyedRow& b) {
    if (a.key != b.key) return a.key < b.key;
    if (a.order != b.order) return a.order < b.order;
    return a.row < b.row;
  });
  // Keep the winners only, in key order.
  size_t winners = 0;
  for (size_t i = 0; i < keyed.size(); ++i) {
    if (i + 1 < keyed.size() && keyed[i + 1].key == keyed[i].key) continue;
    keyed[winners++] = keyed[i];
  }
  keyed.resize(winners);
  keyed.shrink_to_fit();
  keep->assign(static_cast<size_t>(rows.num_rows()), false);
  for (const KeyedRow& winner : keyed) (*keep)[static_cast<size_t>(winner.row)] = true;
  if (null_winner) (*keep)[static_cast<size_t>(null_winner->row)] = true;
  if (!ordered || target == nullptr || !target->exists()) return Status::OK();

  // Against the rows the table holds: an older row never replaces a newer one. Only the files
  // that may hold an incoming key are read.
  SLUICE_ASSIGN_OR_RETURN(const std::optional<std::vector<std::string>> files,
                          FilesWithKeysOf(rows, keep, {columns[0]}, table.dedupe_key, *target));
  if (files && files->empty()) return Status::OK();
  lake::TableScanOptions options;
  options.columns = {table.dedupe_key[0], table.latest_by};
  options.threads = threads;
  if (files) options.files = *files;
  counts->files_read = static_cast<int64_t>(files ? files->size() : target->files.size());
  return ForEachBatch(target_log, target, options, [&](const BatchPtr& batch) -> Status {
    const columnar::Column& key = batch->column(0);
    const columnar::Column& latest = batch->column(1);
    for (int64_t i = 0; i < batch->num_rows(); ++i) {
      if (latest.IsNull(i)) continue;  // null is the oldest: never newer than a run row
      const int64_t held = IntAt(latest, i);
      KeyedRow* winner = nullptr;
      if (key.IsNull(i)) {
        if (null_winner) winner = &*null_winner;
      } else {
        const int64_t value = IntAt(key, i);
        auto it = std::lower_bound(keyed.begin(), keyed.end(), value,
                                   [](const KeyedRow& a, int64_t v) { return a.key < v; });
        if (it != keyed.end() && it->key == value) winner = &*it;
      }
      if (winner == nullptr || winner->order >= held) continue;
      std::vector<bool>::reference kept = (*keep)[static_cast<size_t>(winner->row)];
      if (kept) ++counts->stale;
      kept = false;
    }
    return Status::OK();
  });
}

// De-duplication of any other key: a map from the key to the winning row and its order.
Status DedupeAnyKeys(const silver::SilverTable& table, const columnar::BatchSpool& rows,
                     const std::vector<size_t>& columns,
                     std::shared_ptr<const lake::DeltaLog> target_log,
                     const lake::SnapshotPtr& target, int threads, RowSelection* keep,
                     DedupeCounts* counts) {
  const size_t key_count = table.dedupe_key.size();
  const bool ordered = columns.size() > key_count;
  std::vector<size_t> key_at(key_count);
  for (size_t k = 0; k < key_count; ++k) key_at[k] = k;
  struct Winner {
    int64_t row = 0;
    OrderValue order;
  };
  KeyMap<Winner> winners(*rows.schema(), {columns.begin(), columns.begin() + key_count},
                         rows.num_rows());
  SLUICE_RETURN_NOT_OK(ForEachKeptRow(
      rows, nullptr, columns, [&](const columnar::Batch& batch, int64_t i, int64_t row) {
        Winner candidate{row, ordered ? OrderAt(batch.column(key_count), i) : OrderValue()};
        auto [slot, inserted] = winners.Emplace(batch, i, candidate, &key_at);
        if (!inserted && !(candidate.order < slot->order)) *slot = std::move(candidate);
      }));
  keep->assign(static_cast<size_t>(rows.num_rows()), false);
  winners.ForEach([&](Winner& winner) { (*keep)[static_cast<size_t>(winner.row)] = true; });
  if (!ordered || target == nullptr || !target->exists()) return Status::OK();

  std::vector<size_t> key_columns(columns.begin(), columns.begin() + key_count);
  SLUICE_ASSIGN_OR_RETURN(const std::optional<std::vector<std::string>> files,
                          FilesWithKeysOf(rows, keep, key_columns, table.dedupe_key, *target));
  if (files && files->empty()) return Status::OK();
  lake::TableScanOptions options;
  options.columns = table.dedupe_key;
  options.columns.push_back(table.latest_by);
  options.threads = threads;
  if (files) options.files = *files;
  counts->files_read = static_cast<int64_t>(files ? files->size() : target->files.size());
  return ForEachBatch(target_log, target, options, [&](const BatchPtr& batch) -> Status {
    const columnar::Column& latest = batch->column(key_count);
    for (int64_t i = 0; i < batch->num_rows(); ++i) {
      Winner* winner = winners.Find(*batch, i, &key_at);
      if (winner == nullptr || !(winner->order < OrderAt(latest, i))) continue;
      std::vector<bool>::reference kept = (*keep)[static_cast<size_t>(winner->row)];
      if (kept) ++counts->stale;
      kept = false;
    }
    return Status::OK();
  });
}

}  // namespace

Status ForEachKeptRow(const columnar::BatchSpool& rows, const RowSelection* keep,
                      const std::vector<size_t>& columns,
                      const std::function<void(const columnar::Batch&, int64_t, int64_t)>& visit) {
  for (size_t b = 0; b < rows.num_batches(); ++b) {
    SLUICE_ASSIGN_OR_RETURN(BatchPtr batch, rows.Get(b, &columns));
    const int64_t first = rows.rows_before(b);
    for (int64_t i = 0; i < batch->num_rows(); ++i) {
      if (keep == nullptr || (*keep)[static_cast<size_t>(first + i)]) visit(*batch, i, first + i);
    }
  }
  return Status::OK();
}

Result<BatchPtr> KeptRows(const columnar::BatchSpool& rows, const RowSelection* keep,
                          size_t batch) {
  SLUICE_ASSIGN_OR_RETURN(BatchPtr read, rows.Get(batch));
  if (keep == nullptr) return read;
  const int64_t first = rows.rows_before(batch);
  std::vector<int64_t> kept;
  kept.reserve(static_cast<size_t>(read->num_rows()));
  for (int64_t i = 0; i < read->num_rows(); ++i) {
    if ((*keep)[static_cast<size_t>(first + i)]) kept.push_back(i);
  }
  if (static_cast<int64_t>(kept.size()) == read->num_rows()) return read;
  return columnar::TakeRows(*read, kept);
}

Result<DedupeCounts> Dedupe(const silver::SilverTable& table, const SchemaPtr& schema,
                            std::shared_ptr<const lake::DeltaLog> target_log,
                            lake::SnapshotPtr target, int threads, const columnar::BatchSpool& rows,
                            RowSelection* keep) {
  DedupeCounts counts;
  keep->clear();
  if (table.dedupe_key.empty() || rows.num_rows() == 0) return counts;
  std::vector<size_t> columns = Indices(*schema, table.dedupe_key);
  if (columns.size() != table.dedupe_key.size()) {
    return ConfigProblem(table, "a dedupe key is not a column of the table");
  }
  std::optional<size_t> order;
  if (!table.latest_by.empty()) {
    order = schema->FieldIndex(table.latest_by);
    if (!order)
      return ConfigProblem(table, "dedupe latest_by: no column '" + table.latest_by + "'");
    columns.push_back(*order);
  }
  const bool integers = table.dedupe_key.size() == 1 &&
                        IntegerType(schema->field(columns[0]).type.id()) &&
                        (!order || IntegerType(schema->field(*order).type.id()));
  SLUICE_RETURN_NOT_OK(
      integers ? DedupeIntegers(table, rows, columns, target_log, target, threads, keep, &counts)
               : DedupeAnyKeys(table, rows, columns, target_log, target, threads, keep, &counts));
  int64_t kept_rows = 0;
  for (bool kept : *keep) kept_rows += kept ? 1 : 0;
  counts.duplicates = rows.num_rows() - kept_rows;
  return counts;
}

Result<silver::CheckContext> LoadCheckInputs(const Project& project,
                                             const silver::SilverTable& table,
                                             const columnar::BatchSpool& rows,
                                             const RowSelection* keep,
                                             std::shared_ptr<const lake::DeltaLog> target_log,
                                             lake::SnapshotPtr target, int64_t now_micros) {
  silver::CheckContext context;
  context.now_micros = now_micros;
  const columnar::Schema& schema = *rows.schema();
  for (const silver::CheckSpec& check : table.checks) {
    if (check.kind == silver::CheckKind::kUnique && target != nullptr && target->exists() &&
        table.dedupe_key.empty()) {
      // Only the table's keys that the incoming rows also hold matter, so only the files that may
      // hold one are read (all of them when a key is null or a column is new).
      const std::vector<size_t> columns = Indices(schema, check.columns);
      if (columns.size() != check.columns.size()) continue;  // the check reports the column
      std::vector<size_t> all_columns(check.columns.size());
      for (size_t k = 0; k < all_columns.size(); ++k) all_columns[k] = k;
      std::unordered_set<std::string> incoming;
      SLUICE_RETURN_NOT_OK(ForEachKeptRow(
          rows, keep, columns, [&](const columnar::Batch& batch, int64_t i, int64_t) {
            incoming.insert(silver::EncodeKey(batch, all_columns, i));
          }));
      SLUICE_ASSIGN_OR_RETURN(const std::optional<std::vector<std::string>> files,
                              FilesWithKeysOf(rows, keep, columns, check.columns, *target));
      if (files && files->empty()) continue;
      lake::TableScanOptions options;
      options.columns = check.columns;
      if (files) options.files = *files;
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
        const Status read =
            ForEachBatch(log, snapshot, options, [&](const BatchPtr& batch) -> Status {
              for (int64_t i = 0; i < batch->num_rows(); ++i) {
                if (batch->columns()[0]->IsValid(i)) keys.insert(silver::EncodeKey(*batch, {0}, i));
              }
              return Status::OK();
            });
        if (!read.ok())
          return Status::InvalidArgument("check '" + check.name + "': " + read.message());
      }
    }
  }
  return context;
}

void QuarantineFailedRows(const silver::SilverTable& table, const std::vector<int>& marks,
                          BatchPtr* rows, std::vector<silver::RowReject>* rejects) {
  const columnar::Batch& batch = **rows;
  std::vector<int64_t> keep;
  keep.reserve(marks.size());
  for (int64_t i = 0; i < batch.num_rows(); ++i) {
    const int check = marks[static_cast<size_t>(i)];
    if (check < 0) {
      keep.push_back(i);
      continue;
    }
    const silver::CheckSpec& spec = table.checks[static_cast<size_t>(check)];
    // The value at fault first (what a reader of the quarantine wants), then the check.
    std::string message;
    std::string columns;
    for (const std::string& column : spec.columns)
      columns += (columns.empty() ? "" : ", ") + column;
    if (spec.columns.size() == 1) {
      if (auto column = batch.schema()->FieldIndex(spec.columns[0])) {
        message = spec.columns[0] + " = ";
        columnar::AppendValue(batch.column(*column), i, columnar::ValueStyle::kJson, &message);
        message += ": ";
      }
    }
    message +=
        "failed check '" + spec.name + "' (" + std::string(silver::CheckKindName(spec.kind)) + ")";
    rejects->push_back(
        {i, columns, "check:" + spec.name, std::move(message), silver::RowAsJson(batch, i)});
  }
  if (static_cast<int64_t>(keep.size()) != batch.num_rows()) {
    *rows = columnar::TakeRows(batch, keep);
  }
}

Result<SchemaPtr> MaskedSchema(const silver::SilverTable& table, const SchemaPtr& schema) {
  if (table.masks.empty()) return schema;
  std::vector<Field> fields = schema->fields();
  for (const auto& [column, rule] : table.masks) {
    auto index = schema->FieldIndex(column);
    if (!index) return ConfigProblem(table, "mask: no column '" + column + "'");
    Result<DataType> type = silver::MaskedType(rule, fields[*index].type);
    if (!type.ok()) {
      return ConfigProblem(table, "mask of '" + column + "': " + type.status().message());
    }
    fields[*index].type = *type;
  }
  return std::make_shared<const columnar::Schema>(fields);
}

Result<BatchPtr> MaskBatch(const silver::SilverTable& table, const SchemaPtr& masked_schema,
                           const silver::MaskingKeys& keys, const BatchPtr& batch) {
  if (table.masks.empty()) return batch;
  std::vector<ColumnPtr> columns = batch->columns();
  for (const auto& [column, rule] : table.masks) {
    const size_t index = *masked_schema->FieldIndex(column);
    SLUICE_ASSIGN_OR_RETURN(columns[index], silver::ApplyMask(rule, *columns[index], keys));
  }
  return std::make_shared<const columnar::Batch>(masked_schema, std::move(columns),
                                                 batch->num_rows());
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

#include "sluice/pipeline/silver_task.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <functional>
#include <map>
#include <thread>
#include <unordered_map>

#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/take.h"
#include "sluice/columnar/value_formatter.h"
#include "sluice/columnar/widen.h"
#include "sluice/lake/delta_table.h"
#include "sluice/lake/table_scan.h"
#include "sluice/pipeline/upstream.h"
#include "sluice/silver/masking.h"
#include "sluice/silver/quality.h"
#include "sluice/silver/transformer.h"

namespace sluice::pipeline {
namespace {

using columnar::BatchPtr;
using columnar::ColumnPtr;
using columnar::DataType;
using columnar::Field;
using columnar::SchemaPtr;
using columnar::TypeId;

struct Upstream {
  std::string name;
  std::shared_ptr<const lake::DeltaLog> log;
  lake::SnapshotPtr snapshot;
  int64_t consumed = -1;
  std::vector<std::string> files;  // to read
};

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

// "95.7": a quality score as people read it.
std::string ScoreText(double score) {
  char text[16];
  std::snprintf(text, sizeof(text), "%.1f", score);
  return text;
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

  V* Find(const columnar::Batch& batch, int64_t row) {
    if (!integer_) {
      auto it = texts_.find(silver::EncodeKey(batch, columns_, row));
      return it == texts_.end() ? nullptr : &it->second;
    }
    const columnar::Column& column = *batch.columns()[columns_[0]];
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

SchemaPtr QualitySchema() {
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

}  // namespace

std::string UpstreamAppId(const std::string& upstream_table) {
  return "sluice.silver:" + upstream_table;
}

SilverTask::SilverTask(const Project& project, const silver::SilverTable& table,
                       std::vector<std::string> upstream_tasks, bool full_refresh, int64_t now_ms)
    : project_(project),
      table_(table),
      upstream_(std::move(upstream_tasks)),
      full_refresh_(full_refresh),
      now_ms_(now_ms) {}

std::vector<std::string> SilverTask::reads() const {
  std::vector<std::string> paths;
  for (const std::string& table : table_.Reads()) paths.push_back(project_.TablePath(table));
  return paths;
}

std::vector<std::string> SilverTask::writes() const {
  return {project_.TablePath(table_.name),
          project_.QuarantinePath(table_.name) + " (rejected rows)",
          project_.QualityPath(table_.name) + " (check results)"};
}

Result<TaskOutcome> SilverTask::Run(TaskContext& context) {
  const int64_t now_ms = now_ms_ != 0 ? now_ms_ : lake::CurrentTimeMs();
  const int64_t now_micros = now_ms * 1000;
  TaskOutcome outcome;
  nlohmann::ordered_json& details = outcome.details;
  const std::string table_path = project_.TablePath(table_.name);
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<lake::DeltaTable> target,
                          lake::DeltaTable::Open(table_path));
  SLUICE_ASSIGN_OR_RETURN(lake::SnapshotPtr target_snapshot, target->log()->Load());

  // The masks' keys first: a missing key fails the task before any work.
  silver::MaskingKeys keys;
  for (const auto& [column, rule] : table_.masks) {
    if (rule.method == silver::MaskMethod::kHmac && keys.hmac_key.empty()) {
      SLUICE_ASSIGN_OR_RETURN(keys.hmac_key, silver::MaskingKeyFromEnvironment());
    }
    if (rule.method == silver::MaskMethod::kTokenize && keys.token_key.empty()) {
      SLUICE_ASSIGN_OR_RETURN(keys.token_key, silver::TokenKeyFromEnvironment());
    }
  }

  // 1. What is new upstream.
  bool full = full_refresh_ || !target_snapshot->exists();
  std::vector<Upstream> upstreams;
  bool anything_new = false;
  for (const std::string& name : table_.from) {
    Upstream upstream;
    upstream.name = name;
    SLUICE_ASSIGN_OR_RETURN(upstream.log, lake::DeltaLog::Open(project_.TablePath(name)));
    SLUICE_ASSIGN_OR_RETURN(upstream.snapshot, upstream.log->Load());
    if (auto consumed = target_snapshot->TransactionVersion(UpstreamAppId(name))) {
      upstream.consumed = *consumed;
    }
    if (upstream.snapshot->version > upstream.consumed) anything_new = true;
    if (!full && upstream.snapshot->version > upstream.consumed) {
      SLUICE_ASSIGN_OR_RETURN(UpstreamDelta delta,
                              ReadDelta(*upstream.log, *upstream.snapshot, upstream.consumed));
      if (delta.removed_version) {  // one note, at the first such commit
        full = true;
        outcome.notes.push_back(table_.name + ": " + name + " version " +
                                std::to_string(*delta.removed_version) +
                                " removed rows, so the table was rebuilt from all of it");
      }
      upstream.files = std::move(delta.files);
    }
    upstreams.push_back(std::move(upstream));
  }
  details["full_refresh"] = full;
  if (!anything_new && !full) {
    details["up_to_date"] = true;
    details["version"] = target_snapshot->version;
    return outcome;
  }
  for (Upstream& upstream : upstreams) {
    if (full) {
      upstream.files.clear();
      for (const auto& [key, add] : upstream.snapshot->files) {
        upstream.files.push_back(key.path);
      }
    }
  }

  // The union schema: columns by name in first-seen order; integers meet at int64.
  std::vector<Field> union_fields;
  for (const Upstream& upstream : upstreams) {
    if (!upstream.snapshot->exists()) continue;
    for (const Field& field : upstream.snapshot->schema->fields()) {
      auto existing = std::find_if(union_fields.begin(), union_fields.end(),
                                   [&](const Field& f) { return f.name == field.name; });
      if (existing == union_fields.end()) {
        union_fields.push_back(Field{field.name, field.type, true});
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
  if (union_fields.empty()) {
    details["up_to_date"] = true;
    outcome.notes.push_back(table_.name + ": no upstream table has rows yet");
    return outcome;
  }
  const SchemaPtr union_schema = std::make_shared<const columnar::Schema>(union_fields);

  // The lookup table.
  silver::LookupData lookup;
  if (table_.lookup) {
    SLUICE_ASSIGN_OR_RETURN(auto log,
                            lake::DeltaLog::Open(project_.TablePath(table_.lookup->table)));
    SLUICE_ASSIGN_OR_RETURN(lake::SnapshotPtr snapshot, log->Load());
    if (!snapshot->exists()) {
      return Status::NotFound("the lookup table " + table_.lookup->table + " does not exist yet");
    }
    lake::TableScanOptions options;
    options.columns = table_.lookup->on;
    options.columns.insert(options.columns.end(), table_.lookup->columns.begin(),
                           table_.lookup->columns.end());
    options.threads = context.threads;
    SchemaPtr scan_schema;
    Result<std::vector<BatchPtr>> batches = ReadAll(log, snapshot, options, nullptr, &scan_schema);
    if (!batches.ok()) {
      return Status::InvalidArgument("lookup in " + table_.lookup->table + ": " +
                                     batches.status().message());
    }
    std::vector<BatchPtr> parts = *batches;
    std::vector<size_t> keys(table_.lookup->on.size());
    for (size_t k = 0; k < keys.size(); ++k) keys[k] = k;
    std::vector<ColumnPtr> null_row;
    for (const Field& field : scan_schema->fields()) {
      null_row.push_back(columnar::MakeNullColumn(field.type, 1));
    }
    parts.push_back(std::make_shared<const columnar::Batch>(scan_schema, null_row, 1));
    BatchPtr all = columnar::ConcatBatches(scan_schema, parts);
    for (int64_t i = 0; i + 1 < all->num_rows(); ++i) {
      auto [it, inserted] = lookup.index.emplace(silver::EncodeKey(*all, keys, i), i);
      if (!inserted) {
        return Status::DataError("the lookup table " + table_.lookup->table + " holds the key " +
                                 silver::RowAsJson(*all, i) +
                                 " more than once; a lookup needs unique keys");
      }
    }
    std::vector<Field> fields(scan_schema->fields().begin() + static_cast<ptrdiff_t>(keys.size()),
                              scan_schema->fields().end());
    std::vector<ColumnPtr> columns(all->columns().begin() + static_cast<ptrdiff_t>(keys.size()),
                                   all->columns().end());
    lookup.rows = std::make_shared<const columnar::Batch>(
        std::make_shared<const columnar::Schema>(fields), columns, all->num_rows());
  }

  // 2–8: read and transform.
  SLUICE_ASSIGN_OR_RETURN(
      std::unique_ptr<silver::Transformer> transformer,
      silver::Transformer::Create(table_, union_schema, table_.lookup ? &lookup : nullptr));
  std::vector<BatchPtr> output;
  std::vector<silver::RowReject> rejects;
  silver::TransformCounts counts;
  int64_t rows_in = 0;
  nlohmann::ordered_json read = nlohmann::ordered_json::object();
  for (const Upstream& upstream : upstreams) {
    read[upstream.name] = {{"from_version", full ? 0 : upstream.consumed + 1},
                           {"to_version", upstream.snapshot->version},
                           {"files", upstream.files.size()}};
    if (upstream.files.empty()) continue;
    lake::TableScanOptions options;
    options.files = upstream.files;
    options.threads = context.threads;
    SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<lake::TableScan> scan,
                            lake::TableScan::Open(upstream.log, upstream.snapshot, options));
    while (true) {
      SLUICE_ASSIGN_OR_RETURN(BatchPtr batch, scan->Next());
      if (!batch) break;
      rows_in += batch->num_rows();
      context.progress->rows += batch->num_rows();
      // Shape to the union schema.
      std::vector<ColumnPtr> columns;
      for (const Field& field : union_fields) {
        auto index = batch->schema()->FieldIndex(field.name);
        if (!index) {
          columns.push_back(columnar::MakeNullColumn(field.type, batch->num_rows()));
          continue;
        }
        SLUICE_ASSIGN_OR_RETURN(ColumnPtr column,
                                columnar::WidenColumn(batch->columns()[*index], field.type));
        columns.push_back(std::move(column));
      }
      const columnar::Batch shaped(union_schema, std::move(columns), batch->num_rows());
      SLUICE_ASSIGN_OR_RETURN(BatchPtr transformed, transformer->Apply(shaped, &rejects, &counts));
      if (transformed->num_rows() > 0) output.push_back(std::move(transformed));
    }
  }
  details["read"] = read;
  const SchemaPtr out_schema = transformer->output_schema();

  // 9: dedupe, within the run and against the table.
  int64_t duplicates = 0;
  if (!table_.dedupe_key.empty() && !output.empty()) {
    const std::vector<size_t> keys = Indices(*out_schema, table_.dedupe_key);
    if (keys.size() != table_.dedupe_key.size()) {
      return Status::InvalidArgument(config::ConfigError{table_.mark, "table '" + table_.name +
                                                                          "': a dedupe key is not "
                                                                          "a column of the table"}
                                         .ToString());
    }
    std::optional<size_t> order;
    if (!table_.latest_by.empty()) {
      order = out_schema->FieldIndex(table_.latest_by);
      if (!order) {
        return Status::InvalidArgument(config::ConfigError{
            table_.mark,
            "table '" + table_.name + "': dedupe latest_by: no column '" + table_.latest_by + "'"}
                                           .ToString());
      }
    }
    // The batches stay as they are: a row is addressed as (batch << 32 | row).
    auto at = [](size_t batch, int64_t row) { return static_cast<int64_t>(batch) << 32 | row; };
    int64_t total = 0;
    for (const BatchPtr& batch : output) total += batch->num_rows();
    const OrderReader latest(order, *out_schema);
    KeyMap<int64_t> winner(*out_schema, keys, total);
    for (size_t b = 0; b < output.size(); ++b) {
      const columnar::Batch& batch = *output[b];
      for (int64_t i = 0; i < batch.num_rows(); ++i) {
        auto [slot, inserted] = winner.Emplace(batch, i, at(b, i));
        if (inserted) continue;
        const columnar::Batch& held = *output[static_cast<size_t>(*slot >> 32)];
        if (!latest.Less(batch, i, held, *slot & 0xFFFFFFFF)) *slot = at(b, i);
      }
    }
    // Against the rows the table holds: an older row never replaces a newer one.
    std::optional<KeyMap<OrderValue>> existing;
    if (order && !full && target_snapshot->exists()) {
      lake::TableScanOptions options;
      options.columns = table_.dedupe_key;
      options.columns.push_back(table_.latest_by);
      options.threads = context.threads;
      SLUICE_ASSIGN_OR_RETURN(std::vector<BatchPtr> held,
                              ReadAll(target->log(), target_snapshot, options, nullptr));
      std::vector<size_t> held_keys(keys.size());
      for (size_t k = 0; k < keys.size(); ++k) held_keys[k] = k;
      existing.emplace(*out_schema, keys, 0);
      for (const BatchPtr& batch : held) {
        for (int64_t i = 0; i < batch->num_rows(); ++i) {
          *existing->Emplace(*batch, i, OrderValue(), &held_keys).first =
              OrderAt(*batch->columns()[keys.size()], i);
        }
      }
    }
    int64_t stale = 0;
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
            ++stale;
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
    duplicates = total - kept_rows;
    if (stale > 0) {
      outcome.notes.push_back(table_.name + ": " + std::to_string(stale) +
                              " rows were older than the table's row for their key (by " +
                              table_.latest_by + ") and were left out");
    }
  }

  // 10: checks.
  silver::CheckContext check_context;
  check_context.now_micros = now_micros;
  for (const silver::CheckSpec& check : table_.checks) {
    if (check.kind == silver::CheckKind::kUnique && !full && target_snapshot->exists() &&
        table_.dedupe_key.empty()) {
      lake::TableScanOptions options;
      options.columns = check.columns;
      SLUICE_ASSIGN_OR_RETURN(std::vector<BatchPtr> held,
                              ReadAll(target->log(), target_snapshot, options, nullptr));
      std::vector<size_t> all_columns(check.columns.size());
      for (size_t k = 0; k < all_columns.size(); ++k) all_columns[k] = k;
      auto& keys = check_context.existing_keys[check.name];
      for (const BatchPtr& batch : held) {
        for (int64_t i = 0; i < batch->num_rows(); ++i) {
          keys.insert(silver::EncodeKey(*batch, all_columns, i));
        }
      }
    }
    if (check.kind == silver::CheckKind::kRelationships) {
      SLUICE_ASSIGN_OR_RETURN(auto log, lake::DeltaLog::Open(project_.TablePath(check.to_table)));
      SLUICE_ASSIGN_OR_RETURN(lake::SnapshotPtr snapshot, log->Load());
      auto& keys = check_context.reference_keys[check.name];
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
  std::vector<std::vector<int>> quarantined_by_check;
  SLUICE_ASSIGN_OR_RETURN(std::vector<silver::CheckResult> results,
                          silver::RunChecks(table_, output, check_context, &quarantined_by_check));
  // Rows a quarantine check failed leave the output.
  for (size_t b = 0; b < output.size(); ++b) {
    std::vector<int64_t> keep;
    for (int64_t i = 0; i < output[b]->num_rows(); ++i) {
      const int check = quarantined_by_check[b][static_cast<size_t>(i)];
      if (check < 0) {
        keep.push_back(i);
        continue;
      }
      const silver::CheckSpec& spec = table_.checks[static_cast<size_t>(check)];
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
      rejects.push_back({i, result.columns, "check:" + spec.name, std::move(message),
                         silver::RowAsJson(*output[b], i)});
    }
    if (static_cast<int64_t>(keep.size()) != output[b]->num_rows()) {
      output[b] = columnar::TakeRows(*output[b], keep);
    }
  }
  const double score = silver::QualityScore(results);
  nlohmann::ordered_json checks = nlohmann::ordered_json::array();
  std::vector<std::string> failed_checks;
  for (const silver::CheckResult& result : results) {
    checks.push_back(CheckJson(result));
    if (!result.passed) {
      const std::string line =
          "check '" + result.name + "' (" + std::string(silver::CheckKindName(result.kind)) + ", " +
          std::string(silver::SeverityName(result.severity)) + "): " + result.detail +
          (result.sample.empty() ? "" : "; e.g. " + result.sample[0]);
      if (result.severity == silver::Severity::kFail) {
        failed_checks.push_back(line);
      } else {
        outcome.notes.push_back(table_.name + ": " + line);
      }
    }
  }
  details["checks"] = checks;
  details["quality_score"] = std::round(score * 10) / 10;

  int64_t rows_out = 0;
  for (const BatchPtr& batch : output) rows_out += batch->num_rows();
  const int64_t rows_rejected = static_cast<int64_t>(rejects.size());

  // The quality history is kept whatever the outcome.
  const std::string run_id = context.run_id;
  auto record_quality = [&](int64_t table_version) -> Status {
    if (results.empty()) return Status::OK();
    const auto n = static_cast<int64_t>(results.size());
    columnar::StringBuilder run(DataType::String()), name(DataType::String()),
        check(DataType::String()), kind(DataType::String()), severity(DataType::String()),
        columns(DataType::String()), sample(DataType::String()), detail(DataType::String());
    columnar::Int64Builder version(DataType::Int64()), checked(DataType::Int64()),
        failed(DataType::Int64()), at(DataType::Timestamp());
    columnar::BooleanBuilder passed;
    columnar::Float64Builder scores(DataType::Float64());
    for (const silver::CheckResult& result : results) {
      run.Append(run_id);
      name.Append(table_.name);
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
    auto batch = std::make_shared<const columnar::Batch>(
        QualitySchema(),
        std::vector<ColumnPtr>{run.Finish(), name.Finish(), version.Finish(), check.Finish(),
                               kind.Finish(), severity.Finish(), columns.Finish(), checked.Finish(),
                               failed.Finish(), passed.Finish(), sample.Finish(), detail.Finish(),
                               scores.Finish(), at.Finish()},
        n);
    SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<lake::DeltaTable> quality,
                            lake::DeltaTable::Open(project_.QualityPath(table_.name)));
    lake::TableWriteOptions options;
    options.parameters["sluice.run_id"] = run_id;
    options.commit.now_ms = now_ms_;
    return quality->Write(QualitySchema(), OneBatch(batch), options).status();
  };

  details["rows_filtered"] = counts.filtered;
  details["rows_dropped_null"] = counts.null_dropped;
  details["rows_deduplicated"] = duplicates;
  outcome.rows_in = rows_in;
  outcome.rows_out = rows_out;
  outcome.rows_quarantined = rows_rejected;
  if (!failed_checks.empty()) {
    SLUICE_RETURN_NOT_OK(record_quality(target_snapshot->version));
    std::string message;
    for (size_t i = 0; i < failed_checks.size(); ++i) {
      message += (i ? "; " : "") + failed_checks[i];
    }
    return Status::DataError(message + "; nothing committed to " + table_.name);
  }
  if (table_.rejects.max_count && rows_rejected > *table_.rejects.max_count) {
    return Status::DataError("" + std::to_string(rows_rejected) +
                             " rows would go to quarantine, more than max_rejects (" +
                             std::to_string(*table_.rejects.max_count) + "); nothing committed");
  }
  if (table_.rejects.max_fraction && rows_in > 0 &&
      static_cast<double>(rows_rejected) / static_cast<double>(rows_in) >
          *table_.rejects.max_fraction) {
    return Status::DataError("" + std::to_string(rows_rejected) + " of " + std::to_string(rows_in) +
                             " rows would go to quarantine, more than max_rejects; nothing "
                             "committed");
  }

  // 11: masks.
  if (!table_.masks.empty()) {
    std::vector<Field> fields = out_schema->fields();
    std::vector<std::pair<size_t, const silver::MaskRule*>> plan;
    for (const auto& [column, rule] : table_.masks) {
      auto index = out_schema->FieldIndex(column);
      if (!index) {
        return Status::InvalidArgument(config::ConfigError{
            table_.mark, "table '" + table_.name + "': mask: no column '" + column + "'"}
                                           .ToString());
      }
      Result<DataType> type = silver::MaskedType(rule, fields[*index].type);
      if (!type.ok()) {
        return Status::InvalidArgument(config::ConfigError{
            table_.mark,
            "table '" + table_.name + "': mask of '" + column + "': " + type.status().message()}
                                           .ToString());
      }
      fields[*index].type = *type;
      plan.emplace_back(*index, &rule);
    }
    const SchemaPtr masked_schema = std::make_shared<const columnar::Schema>(fields);
    for (BatchPtr& batch : output) {
      std::vector<ColumnPtr> columns = batch->columns();
      for (const auto& [index, rule] : plan) {
        SLUICE_ASSIGN_OR_RETURN(columns[index], silver::ApplyMask(*rule, *columns[index], keys));
      }
      batch = std::make_shared<const columnar::Batch>(masked_schema, std::move(columns),
                                                      batch->num_rows());
    }
  }
  const SchemaPtr write_schema = output.empty() ? out_schema : output[0]->schema();
  if (!table_.dedupe_key.empty() && !full && target_snapshot->exists()) {
    // A merge cannot add columns: a new upstream column rebuilds the table from all upstream rows
    // (nothing was written yet).
    for (const Field& field : write_schema->fields()) {
      if (!target_snapshot->schema->FieldIndex(field.name)) {
        SilverTask rebuild(project_, table_, upstream_, /*full_refresh=*/true, now_ms_);
        SLUICE_ASSIGN_OR_RETURN(TaskOutcome rebuilt, rebuild.Run(context));
        rebuilt.notes.insert(rebuilt.notes.begin(),
                             table_.name + ": new column " + field.name +
                                 ", so the table was rebuilt from all upstream rows");
        return rebuilt;
      }
    }
  }

  // 12: write — quarantine first (ledgered), then the table with the consumed versions.
  std::vector<std::pair<std::string, int64_t>> ledger;
  for (const Upstream& upstream : upstreams) {
    ledger.emplace_back(UpstreamAppId(upstream.name), upstream.snapshot->version);
  }
  if (!rejects.empty()) {
    SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<lake::DeltaTable> quarantine,
                            lake::DeltaTable::Open(project_.QuarantinePath(table_.name)));
    SLUICE_ASSIGN_OR_RETURN(lake::SnapshotPtr quarantine_snapshot, quarantine->log()->Load());
    bool recorded = !full;
    for (const auto& [app_id, version] : ledger) {
      const std::optional<int64_t> committed = quarantine_snapshot->TransactionVersion(app_id);
      recorded = recorded && committed.has_value() && *committed >= version;
    }
    if (!recorded) {  // else an earlier attempt of this run quarantined them already
      columnar::StringBuilder kind, field, message, raw;
      for (const silver::RowReject& reject : rejects) {
        kind.Append(reject.kind);
        if (reject.column.empty()) {
          field.AppendNull();
        } else {
          field.Append(reject.column);
        }
        message.Append(reject.message);
        raw.Append(reject.raw);
      }
      const auto n = static_cast<int64_t>(rejects.size());
      columnar::StringBuilder run, name;
      columnar::Int64Builder at(DataType::Timestamp());
      for (int64_t i = 0; i < n; ++i) {
        run.Append(run_id);
        name.Append(table_.name);
        at.Append(now_micros);
      }
      auto batch = std::make_shared<const columnar::Batch>(
          RowQuarantineSchema(),
          std::vector<ColumnPtr>{run.Finish(), name.Finish(), kind.Finish(), field.Finish(),
                                 message.Finish(), raw.Finish(), at.Finish()},
          n);
      lake::TableWriteOptions options;
      options.ledger = ledger;
      options.read_snapshot = quarantine_snapshot;
      options.commit.now_ms = now_ms_;
      options.parameters["sluice.run_id"] = run_id;
      SLUICE_ASSIGN_OR_RETURN(lake::WriteResult written,
                              quarantine->Write(RowQuarantineSchema(), OneBatch(batch), options));
      details["quarantine"] = {{"table_path", project_.QuarantinePath(table_.name)},
                               {"rows", n},
                               {"version", written.commit.version}};
    }
  }
  size_t next = 0;
  lake::BatchSource source = [&]() -> Result<BatchPtr> {
    if (next >= output.size()) return BatchPtr();
    return output[next++];
  };
  int64_t version = -1;
  if (!table_.dedupe_key.empty() && !full && target_snapshot->exists()) {
    lake::MergeOptions options;
    options.keys = table_.dedupe_key;
    options.ledger = ledger;
    options.commit.now_ms = now_ms_;
    options.parameters["sluice.run_id"] = run_id;
    SLUICE_ASSIGN_OR_RETURN(lake::MergeResult merged, target->Merge(write_schema, source, options));
    version = merged.commit.version;
    details["rows_updated"] = merged.rows_updated;
    details["rows_inserted"] = merged.rows_inserted;
  } else {
    lake::TableWriteOptions options;
    options.mode = full ? lake::WriteMode::kOverwrite : lake::WriteMode::kAppend;
    options.ledger = ledger;
    options.read_snapshot = target_snapshot;
    options.commit.now_ms = now_ms_;
    options.parameters["sluice.run_id"] = run_id;
    SLUICE_ASSIGN_OR_RETURN(lake::WriteResult written,
                            target->Write(write_schema, source, options));
    version = written.commit.version;
    details["created"] = written.created;
  }
  details["version"] = version;
  SLUICE_RETURN_NOT_OK(record_quality(version));
  if (!results.empty()) {
    outcome.notes.push_back(table_.name + ": quality score " + ScoreText(score) + " (" +
                            std::to_string(results.size()) + " checks)");
  }
  const int64_t dropped = counts.filtered + counts.null_dropped + duplicates;
  if (dropped > 0) {
    outcome.notes.push_back(
        table_.name + ": " + std::to_string(rows_in) + " rows read = " + std::to_string(rows_out) +
        " written + " + std::to_string(rows_rejected) + " quarantined + " +
        std::to_string(counts.filtered) + " filtered + " + std::to_string(counts.null_dropped) +
        " dropped for nulls + " + std::to_string(duplicates) + " duplicates");
  }
  return outcome;
}

}  // namespace sluice::pipeline

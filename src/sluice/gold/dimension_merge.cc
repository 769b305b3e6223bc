// ApplyDimension (dimension.h): the scd1/scd2 merge of a batch of upstream rows into a
// dimension's rows, as a sequence of stages over one combined batch of attributes:
// AddExisting → AddIncoming → IndexMembers → CheckIncomingKeys → ApplyRow (each incoming row) →
// CloseMissing → BuildTable.
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
#include "sluice/gold/dimension.h"

namespace sluice::gold {
namespace {

using columnar::BatchPtr;
using columnar::ColumnPtr;
using columnar::DataType;
using columnar::Field;
using columnar::TypeId;

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

// One row of the dimension: a member's version (scd2) or the member (scd1).
struct Version {
  int64_t key = 0;
  int64_t row = 0;  // in the combined attribute batch
  int64_t valid_from = 0;
  std::optional<int64_t> valid_to;
  bool current = true;
  std::optional<int64_t> updated_at;  // scd1
  bool changed = false;
};

class DimensionMerge {
 public:
  DimensionMerge(const DimensionPlan& plan, int64_t next_key, int64_t now_micros)
      : plan_(plan),
        model_(*plan.model),
        spec_(plan.model->dimension),
        scd2_(spec_.history == History::kScd2),
        next_key_(next_key),
        now_micros_(now_micros) {
    for (size_t i = 0; i < plan.key_count; ++i) key_columns_.push_back(i);
    for (size_t i = plan.key_count; i < plan.attribute_schema->num_fields(); ++i) {
      all_attributes_.push_back(i);
    }
  }

  Result<DimensionChanges> Run(const std::vector<BatchPtr>& existing,
                               const std::vector<BatchPtr>& incoming, bool full_snapshot) {
    for (const BatchPtr& batch : existing) SLUICE_RETURN_NOT_OK(AddExisting(*batch));
    existing_rows_ = combined_rows_;
    for (const BatchPtr& batch : incoming) AddIncoming(*batch);
    combined_ = columnar::ConcatBatches(plan_.attribute_schema, parts_);
    tracked_hash_.resize(static_cast<size_t>(combined_rows_));
    IndexMembers();
    SLUICE_RETURN_NOT_OK(CheckIncomingKeys());
    for (int64_t row = existing_rows_; row < combined_rows_; ++row) ApplyRow(row);
    if (spec_.close_missing && full_snapshot) CloseMissing();
    changes_.schema_changed = existing.empty() || schema_changed_;
    changes_.changed = changes_.schema_changed;
    for (const Version& version : versions_) changes_.changed |= version.changed;
    changes_.next_key = next_key_;
    if (changes_.changed) BuildTable();
    return std::move(changes_);
  }

 private:
  // Stage 1: the existing rows' attributes (matched by name, missing ones null) and versions.
  Status AddExisting(const columnar::Batch& batch) {
    const columnar::Schema& schema = *batch.schema();
    if (!(schema == *plan_.schema)) schema_changed_ = true;
    std::vector<ColumnPtr> columns;
    for (const Field& field : plan_.attribute_schema->fields()) {
      auto index = schema.FieldIndex(field.name);
      if (!index) {
        columns.push_back(columnar::MakeNullColumn(field.type, batch.num_rows()));
        continue;
      }
      ColumnPtr column = batch.columns()[*index];
      if (!(column->type() == field.type)) {
        Result<ColumnPtr> widened = columnar::WidenColumn(column, field.type);
        if (!widened.ok()) {
          return Status::InvalidArgument("table '" + model_.name + "': column '" + field.name +
                                         "' is " + column->type().ToString() +
                                         " in the dimension but " + field.type.ToString() +
                                         " upstream; rebuild the dimension or cast upstream");
        }
        column = *widened;
      }
      columns.push_back(std::move(column));
    }
    parts_.push_back(std::make_shared<const columnar::Batch>(plan_.attribute_schema,
                                                             std::move(columns), batch.num_rows()));
    auto at = [&](const std::string& name) -> const columnar::Column* {
      auto index = schema.FieldIndex(name);
      return index ? batch.columns()[*index].get() : nullptr;
    };
    const columnar::Column* key = at(spec_.surrogate_key);
    if (key == nullptr || key->type().id() != TypeId::kInt64) {
      return Status::InvalidArgument("table '" + model_.name + "': the dimension has no int64 '" +
                                     spec_.surrogate_key + "' column");
    }
    const columnar::Column* valid_from = at(kValidFrom);
    const columnar::Column* valid_to = at(kValidTo);
    const columnar::Column* is_current = at(kIsCurrent);
    const columnar::Column* updated_at = at(kUpdatedAt);
    for (int64_t i = 0; i < batch.num_rows(); ++i) {
      Version version;
      version.key = static_cast<const columnar::Int64Column&>(*key).Value(i);
      version.row = combined_rows_ + i;
      next_key_ = std::max(next_key_, version.key + 1);
      if (version.key == 0) continue;  // the unknown member: written afresh
      if (scd2_) {
        version.valid_from =
            (valid_from ? columnar::MicrosAt(*valid_from, i) : std::nullopt).value_or(0);
        version.valid_to = valid_to ? columnar::MicrosAt(*valid_to, i) : std::nullopt;
        version.current = is_current == nullptr || is_current->IsNull(i) ||
                          static_cast<const columnar::BooleanColumn&>(*is_current).Value(i);
      } else if (updated_at != nullptr) {
        version.updated_at = columnar::MicrosAt(*updated_at, i);
      }
      versions_.push_back(version);
    }
    combined_rows_ += batch.num_rows();
    return Status::OK();
  }

  // Stage 2: the upstream rows' attributes and the time each change takes effect.
  void AddIncoming(const columnar::Batch& batch) {
    std::vector<ColumnPtr> columns;
    for (size_t column : plan_.upstream_columns) columns.push_back(batch.columns()[column]);
    parts_.push_back(std::make_shared<const columnar::Batch>(plan_.attribute_schema,
                                                             std::move(columns), batch.num_rows()));
    for (int64_t i = 0; i < batch.num_rows(); ++i) {
      incoming_times_.push_back(
          plan_.upstream_valid_from
              ? columnar::MicrosAt(*batch.columns()[*plan_.upstream_valid_from], i)
                    .value_or(now_micros_)
              : now_micros_);
    }
    combined_rows_ += batch.num_rows();
  }

  // Stage 3: the members: business key → their versions, by valid_from.
  void IndexMembers() {
    for (size_t v = 0; v < versions_.size(); ++v) {
      members_[Key(versions_[v].row)].push_back(v);
    }
    for (auto& [key, list] : members_) SortByValidFrom(list);
  }

  // Stage 4: every incoming row has a business key, and one row per key.
  Status CheckIncomingKeys() {
    int64_t null_keys = 0;
    for (int64_t row = existing_rows_; row < combined_rows_; ++row) {
      bool null_key = false;
      for (size_t k = 0; k < plan_.key_count; ++k) null_key |= combined_->column(k).IsNull(row);
      if (null_key) {
        ++null_keys;
        continue;
      }
      auto [it, inserted] = seen_.emplace(Key(row), std::make_pair(row, int64_t{0}));
      ++it->second.second;
    }
    if (null_keys > 0) {
      std::string names;
      for (const std::string& k : spec_.key) names += (names.empty() ? "" : ", ") + k;
      return Status::DataError(std::to_string(null_keys) + " rows of " + spec_.from +
                               " have a null business key (" + names +
                               "); a dimension member needs one");
    }
    std::string list;
    int64_t duplicate_keys = 0;
    for (const auto& [key, first_count] : seen_) {
      if (first_count.second < 2) continue;
      if (++duplicate_keys <= 10) {
        list += (list.empty() ? "" : ", ") +
                DescribeKey(*combined_, plan_.key_count, first_count.first) + " (" +
                std::to_string(first_count.second) + " rows)";
      }
    }
    if (duplicate_keys == 0) return Status::OK();
    if (duplicate_keys > 10) list += ", ...";
    return Status::DataError(
        std::to_string(duplicate_keys) +
        (duplicate_keys == 1 ? " business key appears" : " business keys appear") +
        " more than once in one batch of " + spec_.from +
        " (a dimension takes one row per key per run; dedupe upstream): " + list +
        "; nothing committed");
  }

  // Stage 5: one incoming row applied to its member.
  void ApplyRow(int64_t row) {
    const std::string key = Key(row);
    const int64_t ts = incoming_times_[static_cast<size_t>(row - existing_rows_)];
    std::vector<size_t>& list = members_[key];
    if (list.empty()) {
      AddVersion(list, row, scd2_ ? ts : now_micros_, std::nullopt, true);
      ++changes_.members_added;
      return;
    }
    if (!scd2_) {
      Version& version = versions_[list.front()];
      if (Everything(version.row) == Everything(row)) {
        ++changes_.rows_unchanged;
        return;
      }
      Overwrite(version, row);
      version.updated_at = now_micros_;
      return;
    }
    ApplyScd2(list, row, ts);
  }

  // scd2: the change put where it belongs in the member's history.
  void ApplyScd2(std::vector<size_t>& list, int64_t row, int64_t ts) {
    // The version valid at ts: the last one starting at or before it.
    size_t position = list.size();
    for (size_t i = 0; i < list.size(); ++i) {
      if (versions_[list[i]].valid_from <= ts) position = i;
    }
    if (position == list.size()) {  // earlier than the member's first version: a late arrival
      Version& first = versions_[list.front()];
      if (Tracked(first.row) == Tracked(row)) {
        first.valid_from = ts;  // the same values were valid earlier than we knew
        first.changed = true;
        ++changes_.rows_updated;
      } else {
        AddVersion(list, row, ts, first.valid_from, false);
        ++changes_.versions_added;
      }
      return;
    }
    Version& version = versions_[list[position]];
    if (position + 1 == list.size() && version.valid_to && *version.valid_to <= ts) {
      AddVersion(list, row, ts, std::nullopt, true);  // it comes back after it was closed
      ++changes_.versions_added;
      return;
    }
    if (Tracked(version.row) == Tracked(row)) {
      if (Everything(version.row) == Everything(row)) {
        ++changes_.rows_unchanged;
      } else {  // only untracked attributes changed: overwrite the version in place
        Overwrite(version, row);
      }
      return;
    }
    if (version.valid_from == ts) {  // a correction of the version that starts then
      Overwrite(version, row);
      return;
    }
    const std::optional<int64_t> until = version.valid_to;
    const bool was_current = version.current;
    version.valid_to = ts;
    version.current = false;
    version.changed = true;
    AddVersion(list, row, ts, until, was_current);  // `version` may dangle from here on
    ++changes_.versions_added;
  }

  // Stage 6 (close_missing with a full snapshot): an open member missing from it is closed.
  void CloseMissing() {
    for (auto& [key, list] : members_) {
      if (list.empty() || seen_.count(key) != 0) continue;
      Version& last = versions_[list.back()];
      if (!last.current || last.valid_to) continue;
      last.valid_to = now_micros_;
      last.current = false;
      last.changed = true;
      ++changes_.members_closed;
    }
  }

  // Stage 7: the whole dimension, in surrogate key order, the unknown member first.
  void BuildTable() {
    std::sort(versions_.begin(), versions_.end(),
              [](const Version& a, const Version& b) { return a.key < b.key; });
    std::vector<int64_t> rows;
    rows.reserve(versions_.size());
    for (const Version& version : versions_) rows.push_back(version.row);
    const BatchPtr attributes = columnar::ConcatBatches(
        plan_.attribute_schema, {UnknownMember(), columnar::TakeRows(*combined_, rows)});
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
    updated_at.Append(now_micros_);
    for (size_t v = 0; v < versions_.size(); ++v) {
      const Version& version = versions_[v];
      if (version.changed) changes_.changed_rows.push_back(static_cast<int64_t>(v) + 1);
      keys.Append(version.key);
      valid_from.Append(version.valid_from);
      version.valid_to ? valid_to.Append(*version.valid_to) : valid_to.AppendNull();
      current.Append(version.current);
      hashes.Append(scd2_ ? Tracked(version.row)
                          : Sha256Hex(Everything(version.row)).substr(0, 32));
      version.updated_at ? updated_at.Append(*version.updated_at) : updated_at.AppendNull();
    }
    std::vector<ColumnPtr> columns = {keys.Finish()};
    for (const ColumnPtr& column : attributes->columns()) columns.push_back(column);
    if (scd2_) {
      columns.insert(columns.end(),
                     {valid_from.Finish(), valid_to.Finish(), current.Finish(), hashes.Finish()});
    } else {
      columns.insert(columns.end(), {hashes.Finish(), updated_at.Finish()});
    }
    changes_.table = std::make_shared<const columnar::Batch>(
        plan_.schema, std::move(columns), static_cast<int64_t>(versions_.size()) + 1);
  }

  // The unknown member's attributes: a null key, 'Unknown' in string attributes.
  BatchPtr UnknownMember() const {
    std::vector<ColumnPtr> columns;
    const columnar::Schema& schema = *plan_.attribute_schema;
    for (size_t i = 0; i < schema.num_fields(); ++i) {
      const DataType type = schema.field(i).type;
      if (i >= plan_.key_count && type.id() == TypeId::kString) {
        columnar::StringBuilder builder(type);
        builder.Append("Unknown");
        columns.push_back(builder.Finish());
      } else {
        columns.push_back(columnar::MakeNullColumn(type, 1));
      }
    }
    return std::make_shared<const columnar::Batch>(plan_.attribute_schema, std::move(columns), 1);
  }

  void AddVersion(std::vector<size_t>& list, int64_t row, int64_t valid_from,
                  std::optional<int64_t> valid_to, bool current) {
    Version version;
    version.key = next_key_++;
    version.row = row;
    version.valid_from = valid_from;
    version.valid_to = valid_to;
    version.current = current;
    version.updated_at = now_micros_;
    version.changed = true;
    versions_.push_back(version);
    list.push_back(versions_.size() - 1);
    SortByValidFrom(list);
  }

  void Overwrite(Version& version, int64_t row) {
    version.row = row;
    version.changed = true;
    ++changes_.rows_updated;
  }

  void SortByValidFrom(std::vector<size_t>& list) const {
    std::sort(list.begin(), list.end(), [&](size_t a, size_t b) {
      return versions_[a].valid_from < versions_[b].valid_from;
    });
  }

  std::string Key(int64_t row) const { return compute::EncodeKey(*combined_, key_columns_, row); }
  std::string Everything(int64_t row) const {
    return compute::EncodeKey(*combined_, all_attributes_, row);
  }
  // The hash of the tracked attributes (cached: compared and written more than once).
  const std::string& Tracked(int64_t row) {
    std::string& hash = tracked_hash_[static_cast<size_t>(row)];
    if (hash.empty()) {
      hash = Sha256Hex(compute::EncodeKey(*combined_, plan_.tracked, row)).substr(0, 32);
    }
    return hash;
  }

  const DimensionPlan& plan_;
  const GoldModel& model_;
  const DimensionSpec& spec_;
  const bool scd2_;
  int64_t next_key_;
  const int64_t now_micros_;
  std::vector<size_t> key_columns_;
  std::vector<size_t> all_attributes_;

  std::vector<BatchPtr> parts_;
  BatchPtr combined_;  // existing rows, then incoming rows
  int64_t combined_rows_ = 0;
  int64_t existing_rows_ = 0;
  bool schema_changed_ = false;
  std::vector<Version> versions_;
  std::vector<int64_t> incoming_times_;
  std::vector<std::string> tracked_hash_;
  std::unordered_map<std::string, std::vector<size_t>> members_;
  std::map<std::string, std::pair<int64_t, int64_t>> seen_;  // key → (first row, count)
  DimensionChanges changes_;
};

}  // namespace

Result<DimensionChanges> ApplyDimension(const DimensionPlan& plan,
                                        const std::vector<BatchPtr>& existing,
                                        const std::vector<BatchPtr>& incoming, int64_t next_key,
                                        int64_t now_micros, bool full_snapshot) {
  DimensionMerge merge(plan, next_key, now_micros);
  return merge.Run(existing, incoming, full_snapshot);
}

}  // namespace sluice::gold

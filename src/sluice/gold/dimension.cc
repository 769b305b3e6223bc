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

using columnar::DataType;
using columnar::Field;
using columnar::TypeId;

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
    if (!index) return MissingColumnError(model, what, column, upstream, spec.from);
    if (is_reserved(column)) {
      return ModelError(
          model,
          "column '" + column + "' clashes with a column the dimension adds; rename it upstream");
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
        return MissingColumnError(model, "tracked column", column, *plan.attribute_schema,
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
      return MissingColumnError(model, "valid_from column", spec.valid_from, upstream, spec.from);
    const TypeId id = upstream.field(*index).type.id();
    if (id != TypeId::kTimestamp && id != TypeId::kDate) {
      return ModelError(model, "valid_from column '" + spec.valid_from + "' is " +
                                   upstream.field(*index).type.ToString() +
                                   "; it must be a timestamp or a date");
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

}  // namespace sluice::gold

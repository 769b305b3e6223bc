// Field and Schema: named, typed columns of a batch or table.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sluice/columnar/data_type.h"

namespace sluice::columnar {

struct Field {
  std::string name;
  DataType type;
  bool nullable = true;

  friend bool operator==(const Field&, const Field&) = default;
};

// An ordered list of fields. Immutable once shared (batches hold shared_ptr<const Schema>).
class Schema {
 public:
  Schema() = default;
  explicit Schema(std::vector<Field> fields) : fields_(std::move(fields)) {}

  const std::vector<Field>& fields() const { return fields_; }
  const Field& field(size_t index) const { return fields_[index]; }
  size_t num_fields() const { return fields_.size(); }

  // Index of the first field named `name`, or nullopt.
  std::optional<size_t> FieldIndex(std::string_view name) const;

  // "order_id: int64, price: decimal(10,2)".
  std::string ToString() const;

  friend bool operator==(const Schema&, const Schema&) = default;

 private:
  std::vector<Field> fields_;
};

using SchemaPtr = std::shared_ptr<const Schema>;

}  // namespace sluice::columnar

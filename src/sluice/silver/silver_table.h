// SilverTable: one `tables:` entry of kind silver, parsed and validated from the project file.
//
// What a silver table does to its upstream rows, always in this order (docs/silver.md):
//   1. read the upstream tables' new rows (several `from` tables are a union by column name)
//   2. naming: snake_case, then rename          6. null rules (default, drop, quarantine, fail)
//   3. select / exclude                          7. filter (rows where every condition is true)
//   4. trim, empty_as_null (string columns)      8. lookup join to a small table
//   5. cast, then derive (in the order written)  9. dedupe by key, the latest by an ordering
//  10. checks (warn, quarantine, fail)          11. masks   12. write, one commit
// Expressions are parsed here (a syntax error names the project file's line and column); they are
// bound to the upstream schema when the task runs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sluice/columnar/data_type.h"
#include "sluice/compute/expression.h"
#include "sluice/config/config_node.h"
#include "sluice/config/config_spec.h"
#include "sluice/formats/reject.h"
#include "sluice/silver/masking.h"

namespace sluice::silver {

// An expression as written, with where it was written.
struct WrittenExpression {
  std::string text;
  config::SourceMark mark;  // of the expression's first character
  compute::ExprPtr parsed;
};

enum class NullAction { kDefault, kDrop, kQuarantine, kFail };

struct NullRule {
  std::string column;
  NullAction action = NullAction::kFail;
  WrittenExpression default_value;  // kDefault
  config::SourceMark mark;
};

enum class Severity { kWarn, kQuarantine, kFail };
std::string_view SeverityName(Severity severity);

enum class CheckKind {
  kNotNull,
  kUnique,
  kAcceptedValues,
  kRange,
  kRegex,
  kRelationships,
  kRowCount,
  kFreshness,
  kCustom,
};
std::string_view CheckKindName(CheckKind kind);

struct CheckSpec {
  std::string name;
  CheckKind kind = CheckKind::kCustom;
  Severity severity = Severity::kFail;
  config::SourceMark mark;
  std::vector<std::string> columns;  // not_null, unique; the one column of the others
  std::vector<std::string> values;   // accepted_values
  std::optional<std::string> min;    // range, row_count
  std::optional<std::string> max;
  std::string pattern;    // regex
  std::string to_table;   // relationships: the lake table holding the keys ("silver.customers")
  std::string to_column;  // relationships: its key column (default: the checked column)
  int64_t within_ms = 0;  // freshness
  WrittenExpression expression;  // custom
  // Row-level checks fail rows; row_count and freshness judge the whole run.
  bool row_level() const { return kind != CheckKind::kRowCount && kind != CheckKind::kFreshness; }
};

struct LookupSpec {
  std::string table;                 // "silver.products"
  std::vector<std::string> on;       // key columns, named alike on both sides
  std::vector<std::string> columns;  // columns taken from the lookup table
  config::SourceMark mark;
};

struct SilverTable {
  std::string name;  // "silver.orders"
  config::SourceMark mark;
  std::vector<std::string> from;  // upstream lake tables ("bronze.orders")
  bool snake_case = false;
  std::vector<std::pair<std::string, std::string>> rename;
  std::vector<std::string> select;
  std::vector<std::string> exclude;
  bool keep_audit_columns = false;  // bronze's _sluice_* columns are dropped unless true
  bool trim = false;
  bool empty_as_null = false;
  std::vector<std::pair<std::string, columnar::DataType>> cast;
  std::vector<std::pair<std::string, WrittenExpression>> derive;
  std::vector<NullRule> nulls;
  std::vector<WrittenExpression> filters;
  std::optional<LookupSpec> lookup;
  std::vector<std::string> dedupe_key;
  std::string latest_by;
  bool apply_deletes = false;  // rows whose _op is "delete" remove their key
  std::vector<CheckSpec> checks;
  std::vector<std::pair<std::string, MaskRule>> masks;
  formats::RejectPolicy rejects;  // max_rejects: the quarantine limit of one run

  // The lake tables this table reads: from, the lookup table, relationships' tables.
  std::vector<std::string> Reads() const;
};

// The spec of a `tables:` entry, of `checks:` entries, and of `dedupe:` and `lookup:`.
const config::ConfigSpec& SilverTableSpec();
const config::ConfigSpec& CheckSpecSpec();

// Reads one validated `tables:` entry. Problems the spec cannot see (expressions, types, masks,
// check arguments) are added to `errors`; nullopt when there were any.
std::optional<SilverTable> ParseSilverTable(const std::string& name,
                                            const config::SourceMark& name_mark,
                                            const config::ConfigNode& node,
                                            config::ConfigErrors* errors);

// Parses a scalar holding an expression; a syntax error is added to `errors` at its line and column
// in the file, prefixed with `what`.
std::optional<WrittenExpression> ParseWritten(const config::ConfigNode& scalar,
                                              config::ConfigErrors* errors,
                                              const std::string& what);

// "OrderID" → "order_id", "Unit Price" → "unit_price", "customerEMail" → "customer_e_mail".
std::string SnakeCase(std::string_view name);

}  // namespace sluice::silver

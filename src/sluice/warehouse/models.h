// SQL models (the dbt pattern) and model tests, run in the warehouse after the load.
//
// A model is a file models/<name>.sql holding one SELECT. `{{ ref('name') }}` names a loaded table
// or another model (and orders the models); `{{ config(materialized='view') }}` (the default),
// 'table' or 'materialized_view' (PostgreSQL; a view in SQLite) says what is built. All models
// are rebuilt in one transaction, in dependency order (unchanged materialized views refreshed).
//
// Model tests (not_null, unique, accepted_values, relationships) are SQL counting the failing
// rows of a table or model; warn notes them, fail fails the run. A test of a loaded table that
// passed before reads only the rows the loads changed since (changes.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sluice/config/config_node.h"
#include "sluice/warehouse/changes.h"
#include "sluice/warehouse/connection.h"

namespace sluice::warehouse {

std::string_view MaterializationName(Materialization materialization);

struct SqlModel {
  std::string name;  // the file's stem
  std::string file;
  std::string text;  // as written
  Materialization materialized = Materialization::kView;
  struct Ref {
    std::string name;
    config::SourceMark mark;
  };
  std::vector<Ref> refs;
  std::string sql;  // refs replaced by quoted names, config removed
};

// Every models/*.sql of `dir`, by name. A missing folder is no models. Errors: InvalidArgument
// naming file:line:column for a {{ ... }} that is not ref('name') or config(materialized='...').
Result<std::vector<SqlModel>> ReadModels(const std::string& dir);

// Checks every ref names a table in `tables` or a model, and orders the models so that each comes
// after the models it refs. Errors: InvalidArgument (unknown ref with "did you mean", a cycle).
Result<std::vector<SqlModel>> OrderModels(std::vector<SqlModel> models,
                                          const std::vector<std::string>& tables);

// The table recording each model's materialization and SQL fingerprint.
inline constexpr const char* kModelsTable = "_sluice_models";

struct ModelBuild {
  std::vector<std::string> created;    // dropped (if there) and created
  std::vector<std::string> refreshed;  // materialized views refreshed in place
};

// Rebuilds every model in one transaction, in dependency order: a PostgreSQL materialized view
// whose SQL is unchanged (and whose models are too) is refreshed in place; every other model is
// dropped and created again.
Result<ModelBuild> BuildModels(Connection* connection, const std::vector<SqlModel>& models);

enum class TestKind { kNotNull, kUnique, kAcceptedValues, kRelationships };
std::string_view TestKindName(TestKind kind);

struct ModelTest {
  std::string name;
  std::string model;  // a warehouse table or model
  TestKind kind = TestKind::kNotNull;
  std::string column;
  std::vector<std::string> values;  // accepted_values
  std::string to_model;             // relationships
  std::string to_column;
  bool fail = true;  // severity fail (else warn)
  config::SourceMark mark;
};

struct ModelTestResult {
  const ModelTest* test = nullptr;
  int64_t rows_failed = 0;
  std::vector<std::string> sample;       // up to 3 failing values
  std::string sql;                       // the query counting failures
  std::optional<int64_t> changed_after;  // set: only rows changed after this lake version read
};

// The query returning the failing values of a test (one column, one row per failing row).
std::string TestSql(const ModelTest& test);

struct TestRunOptions {
  // Loaded tables whose changes the loads record (changes.h): a test of one that passed before
  // reads the rows changed since. Tests of other tables and of models read every row.
  std::vector<TrackedTable> tracked;
  bool all_rows = false;  // every test reads every row (--full-refresh)
};

Result<std::vector<ModelTestResult>> RunModelTests(Connection* connection,
                                                   const std::vector<ModelTest>& tests,
                                                   const TestRunOptions& options = {});

// FNV-1a (64 bits) of `text`, as 16 hex digits: a stable fingerprint of SQL.
std::string Fingerprint(std::string_view text);

}  // namespace sluice::warehouse

// Project: a project file (sluice.yml), loaded and validated into what the pipeline needs.
//
// Loading reads the YAML (config/yaml_loader.h: ${ENV} interpolation, marks), validates it against
// the project's config spec and each source's component spec, and checks what specs cannot:
// names, table references, duplicates. Every problem is reported at once, each naming
// file:line:column, as one InvalidArgument (exit code 2 in the CLI). Secrets interpolated from the
// environment are registered with the Redactor.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sluice/common/result.h"
#include "sluice/config/config_node.h"
#include "sluice/config/config_spec.h"
#include "sluice/config/yaml_loader.h"
#include "sluice/connectors/source.h"
#include "sluice/gold/gold_model.h"
#include "sluice/io/s3/s3_config.h"
#include "sluice/pipeline/executor.h"
#include "sluice/pipeline/warehouse_config.h"
#include "sluice/silver/silver_table.h"

namespace sluice::pipeline {

// The bronze task of a source of many tables (`tables: [...]`): "bronze.<source>.*".
inline std::string ManyTablesTaskName(const std::string& source) {
  return "bronze." + source + ".*";
}

struct SourceDeclaration {
  std::string name;
  std::string type;   // the component: "file", "postgres"
  std::string table;  // "bronze.orders"; ManyTablesTaskName for a source of many tables
  config::SourceMark mark;
  std::shared_ptr<const connectors::Source> source;
};

struct Project {
  std::string name;
  std::string description;
  std::string file;  // the project file's path
  std::string dir;   // its folder: relative paths in the file are relative to it
  std::string lake;  // the lake's root (path or URI)
  std::string runs_dir;
  int parallelism = 2;
  // Bytes a run's tasks may hold together between their stages (shared among the tasks running
  // at once); beyond them rows spill to temporary files. DefaultMemoryLimit() when not set.
  int64_t memory_limit = 0;
  RetryPolicy retries;
  io::s3::S3Settings s3;  // for an s3:// lake (io::s3::ConfigureS3 before running)
  std::vector<SourceDeclaration> sources;
  std::vector<silver::SilverTable> tables;        // `tables:` named silver.*, in the order written
  std::vector<gold::GoldModel> gold;              // `tables:` named gold.*, in the order written
  std::optional<WarehouseDeclaration> warehouse;  // `warehouse:` and `load:`

  // The gold model named `table` ("gold.dim_customer"), or nullptr.
  const gold::GoldModel* FindGold(const std::string& table) const;

  // The folder of a lake table: "bronze.orders" → <lake>/bronze/orders.
  std::string TablePath(const std::string& table) const;
  // The quarantine table of a source or table: <lake>/quarantine/<name>.
  std::string QuarantinePath(const std::string& name) const;
  // The check history of a table: <lake>/quality/<table> (e.g. quality/silver.orders).
  std::string QualityPath(const std::string& table) const;
};

// A quarter of the machine's memory, between 256 MiB and 1 GiB.
int64_t DefaultMemoryLimit();

// The names tried, in order, when PROJECT is a folder.
const std::vector<std::string>& ProjectFileNames();

// `path`: a project file, or a folder holding one (ProjectFileNames). Errors: NotFound when there
// is no project file; InvalidArgument listing every configuration error.
Result<Project> LoadProject(const std::string& path, const config::YamlLoadOptions& options = {});

// `path` as written in the project file, made absolute against the project folder `dir` (URIs
// as they are).
std::string ProjectPath(const std::string& dir, const std::string& path);

// The spec of the project file's `s3:` block.
const config::ConfigSpec& S3SettingsSpec();

// The spec of the project file's top level and of `retries:` (for validation, help and docs).
const config::ConfigSpec& ProjectSpec();
const config::ConfigSpec& RetrySpec();

}  // namespace sluice::pipeline

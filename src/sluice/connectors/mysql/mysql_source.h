// The `mysql` source component: a MySQL or MariaDB table or query into a bronze table.
//
//   sources:
//     customers:
//       type: mysql
//       connection: mysql://etl@crm.internal:3306/crm     # or mariadb://
//       password_env: CRM_DB_PASSWORD                      # default: MYSQL_PWD
//       table: crm.customers                               # or query: "select ..."
//       incremental: {cursor: updated_at, lookback: 10m}   # absent: a full snapshot each run
//
// Full and incremental modes as database/database_source.h says; types as mysql/mysql_driver.h.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "sluice/config/config_node.h"
#include "sluice/config/config_spec.h"
#include "sluice/connectors/database/database_source.h"
#include "sluice/connectors/mysql/mysql_driver.h"
#include "sluice/connectors/source.h"

namespace sluice::connectors {

struct MysqlSourceOptions {
  DatabaseSourceOptions read;
  MysqlConnectOptions connect;
  std::string password_env;  // read when a run starts (default MYSQL_PWD)
};

class MysqlSource final : public Source {
 public:
  explicit MysqlSource(MysqlSourceOptions options)
      : Source(options.read.name), options_(std::move(options)) {}

  std::string type() const override { return "mysql"; }
  std::vector<std::string> Describe() const override;
  const formats::RejectPolicy& rejects() const override { return options_.read.rejects; }
  SchemaDrift schema_drift() const override { return options_.read.schema_drift; }
  Result<std::unique_ptr<SourceRun>> Plan(const SourceState& state) const override;

 private:
  MysqlSourceOptions options_;
};

const config::ConfigSpec& MysqlSourceSpec();
// The registry's constructor: nullptr with `errors` when a value is wrong.
std::unique_ptr<Source> MakeMysqlSource(const std::string& name, const config::ConfigNode& node,
                                        const std::string& project_dir,
                                        config::ConfigErrors* errors);

}  // namespace sluice::connectors

// The `postgres` source component: a PostgreSQL table or query into a bronze table.
//
//   sources:
//     orders:
//       type: postgres
//       connection: postgresql://etl@db.internal:5432/shop?sslmode=verify-full
//       password_env: SHOP_DB_PASSWORD     # default: libpq's PGPASSWORD or ~/.pgpass
//       table: public.orders               # or query: "select ...", or tables: ["public.*"]
//       primary_key: [order_id]            # default: the table's primary key
//       incremental: {cursor: updated_at, lookback: 10m}   # absent: a full snapshot each run
//
// A run reads in one REPEATABLE READ, READ ONLY transaction with a binary COPY (postgres_driver.h);
// full and incremental modes as database/database_source.h says; types as postgres/pg_types.h.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sluice/config/config_node.h"
#include "sluice/config/config_spec.h"
#include "sluice/connectors/database/database_source.h"
#include "sluice/connectors/postgres/pg_session.h"
#include "sluice/connectors/source.h"

namespace sluice::connectors {

struct PostgresSourceOptions {
  DatabaseSourceOptions read;
  PgConnectOptions connect;
  std::string password_env;  // read when a run starts
};

class PostgresSource final : public Source {
 public:
  explicit PostgresSource(PostgresSourceOptions options)
      : Source(options.read.name), options_(std::move(options)) {}

  const PostgresSourceOptions& options() const { return options_; }
  std::string type() const override { return "postgres"; }
  std::vector<std::string> Describe() const override;
  const formats::RejectPolicy& rejects() const override { return options_.read.rejects; }
  SchemaDrift schema_drift() const override { return options_.read.schema_drift; }
  Result<std::unique_ptr<SourceRun>> Plan(const SourceState& state) const override;

  // `tables: ["public.*"]`: every base table matching, into bronze.<table name> (lower-case,
  // other characters as _).
  bool many() const override { return !options_.read.tables.empty(); }
  bool Covers(const std::string& bronze_table) const override;
  Result<std::vector<SourcePart>> Expand() const override;

 private:
  // The connection options with the password from password_env. Errors: it is not set.
  Result<PgConnectOptions> ConnectOptions() const;

  PostgresSourceOptions options_;
};

const config::ConfigSpec& PostgresSourceSpec();
// The registry's constructor: nullptr with `errors` when a value is wrong.
std::unique_ptr<Source> MakePostgresSource(const std::string& name, const config::ConfigNode& node,
                                           const std::string& project_dir,
                                           config::ConfigErrors* errors);

}  // namespace sluice::connectors

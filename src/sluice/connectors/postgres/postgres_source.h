// The `postgres` source component: a PostgreSQL table or query into a bronze table.
//
//   sources:
//     orders:
//       type: postgres
//       connection: postgresql://etl@db.internal:5432/shop?sslmode=verify-full
//       password_env: SHOP_DB_PASSWORD     # default: libpq's PGPASSWORD or ~/.pgpass
//       table: public.orders               # or query: "select ..."
//       primary_key: [order_id]            # default: the table's primary key
//       incremental: {cursor: updated_at, lookback: 10m}   # absent: a full snapshot each run
//
// Full mode reads the table in one REPEATABLE READ, READ ONLY transaction (a consistent snapshot)
// and replaces the bronze table's rows atomically. Incremental mode appends the rows whose cursor
// (an integer, date or timestamp column) is at or past the committed high-water mark minus the
// lookback; the new mark — the largest cursor read — is a txn action
// ("sluice.postgres:<table>:<cursor>") in the same Delta commit as the rows. Rows inside that
// window that an earlier run already committed (same primary key and cursor value, read back from
// the bronze table) are left out, so rows sharing the last cursor value, or committed late inside
// the lookback, are taken exactly once.
//
// Rows stream with COPY (...) TO STDOUT (FORMAT binary) in batches of `batch_rows`; types map as
// postgres/pg_types.h says, and a value that does not fit goes to quarantine.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "sluice/config/config_node.h"
#include "sluice/config/config_spec.h"
#include "sluice/connectors/postgres/pg_session.h"
#include "sluice/connectors/source.h"

namespace sluice::connectors {

struct PostgresSourceOptions {
  std::string name;
  PgConnectOptions connect;
  std::string password_env;  // read when a run starts
  std::string table;         // "public.orders"; or
  std::string query;
  std::vector<std::string> primary_key;
  std::string cursor;  // empty: full snapshots
  int64_t lookback_ms = 0;
  int64_t batch_rows = 100'000;
  SchemaDrift schema_drift = SchemaDrift::kEvolve;
  formats::RejectPolicy rejects;
};

class PostgresSource final : public Source {
 public:
  explicit PostgresSource(PostgresSourceOptions options)
      : Source(options.name), options_(std::move(options)) {}

  const PostgresSourceOptions& options() const { return options_; }
  std::string type() const override { return "postgres"; }
  std::vector<std::string> Describe() const override;
  const formats::RejectPolicy& rejects() const override { return options_.rejects; }
  SchemaDrift schema_drift() const override { return options_.schema_drift; }
  Result<std::unique_ptr<SourceRun>> Plan(const SourceState& state) const override;

 private:
  PostgresSourceOptions options_;
};

const config::ConfigSpec& PostgresSourceSpec();
// The registry's constructor: nullptr with `errors` when a value is wrong.
std::unique_ptr<Source> MakePostgresSource(const std::string& name, const config::ConfigNode& node,
                                           const std::string& project_dir,
                                           config::ConfigErrors* errors);

}  // namespace sluice::connectors

#include "sluice/connectors/postgres/postgres_source.h"

#include "sluice/connectors/postgres/pg_cdc.h"
#include "sluice/connectors/postgres/postgres_driver.h"

namespace sluice::connectors {

namespace {

std::vector<config::KeySpec> PostgresSourceKeys() {
  using config::ValueType;
  std::vector<config::KeySpec> keys;
  auto add = [&](std::string name, ValueType type, std::string description,
                 std::string default_value = "", std::vector<std::string> choices = {},
                 std::string example = "") {
    keys.push_back(config::MakeKey(std::move(name), type, std::move(description),
                                   std::move(default_value), std::move(choices),
                                   std::move(example)));
  };
  add("type", ValueType::kEnum, "The source component", "", {"postgres"}, "postgres");
  keys.back().required = true;
  add("connection", ValueType::kString,
      "The server: a postgresql:// URI or libpq key=value string, without a password", "", {},
      "postgresql://etl@db.internal:5432/shop?sslmode=verify-full");
  keys.back().required = true;
  add("password_env", ValueType::kString,
      "The environment variable holding the password (default: libpq's PGPASSWORD or "
      "~/.pgpass)",
      "", {}, "SHOP_DB_PASSWORD");
  add("sslmode", ValueType::kEnum,
      "TLS (libpq's sslmode; default: the connection's, else require, or prefer for a server on "
      "this machine)",
      "", {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"});
  add("sslrootcert", ValueType::kString, "The CA certificate file for verify-ca and verify-full");
  add("connect_timeout", ValueType::kDuration, "How long connecting may take", "10s");
  AddDatabaseSourceKeys(&keys);
  return keys;
}

}  // namespace

const config::ConfigSpec& PostgresSourceSpec() {
  static const config::ConfigSpec spec(
      "postgres",
      "A PostgreSQL table or query: a consistent full snapshot each run, or incremental by a "
      "cursor column with the high-water mark committed with the rows",
      PostgresSourceKeys());
  return spec;
}

std::unique_ptr<Source> MakePostgresSource(const std::string& name, const config::ConfigNode& node,
                                           const std::string& project_dir,
                                           config::ConfigErrors* errors) {
  (void)project_dir;
  const config::ConfigValues values(&node, &PostgresSourceSpec());
  bool ok = true;
  auto error_at = [&](std::string_view key, const std::string& message) {
    errors->Add(values.Mark(key), "source '" + name + "': " + message);
    ok = false;
  };
  PostgresSourceOptions options;
  options.connect.conninfo = values.String("connection");
  if (config::HasLiteralPassword(options.connect.conninfo)) {
    error_at("connection",
             "the connection holds a password; keep secrets out of the project file (set "
             "password_env, or PGPASSWORD)");
  } else {
    Result<PgConninfoParts> parts = ParsePgConninfo(options.connect.conninfo);
    if (!parts.ok()) {
      error_at("connection", "cannot parse the connection: " + parts.status().message());
    } else if (parts->has_password) {
      error_at("connection",
               "the connection holds a password; keep secrets out of the project file (set "
               "password_env, or PGPASSWORD)");
    }
  }
  options.password_env = values.String("password_env");
  options.connect.sslmode = values.String("sslmode");
  options.connect.sslrootcert = values.String("sslrootcert");
  options.connect.connect_timeout_ms = values.DurationMs("connect_timeout");
  if (!DatabaseOptionsFromConfig(name, values, &options.read, errors)) ok = false;
  if (!ok) return nullptr;
  return std::make_unique<PostgresSource>(std::move(options));
}

std::vector<std::string> PostgresSource::Describe() const {
  Result<PgConninfoParts> parts = ParsePgConninfo(options_.connect.conninfo);
  std::string where = "postgres";
  if (parts.ok()) {
    where = "postgres " + (parts->user.empty() ? "" : parts->user + "@") +
            (parts->host.empty() ? "localhost" : parts->host) +
            (parts->port.empty() ? "" : ":" + parts->port) + "/" + parts->database;
  }
  return {where + ": " + DescribeDatabaseRead(options_.read)};
}

Result<std::unique_ptr<SourceRun>> PostgresSource::Plan(const SourceState& state) const {
  PgConnectOptions connect = options_.connect;
  if (!options_.password_env.empty()) {
    const char* password = std::getenv(options_.password_env.c_str());
    if (password == nullptr || *password == '\0') {
      return Status::InvalidArgument("source '" + name() + "': environment variable " +
                                     options_.password_env + " (password_env) is not set or empty");
    }
    connect.password = password;
  }
  if (options_.read.cdc) return PlanPgCdcRun(connect, options_.read, state);
  return PlanDatabaseRun(MakePostgresDriver(std::move(connect)), options_.read, state, "postgres");
}

}  // namespace sluice::connectors

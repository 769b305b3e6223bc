#include "sluice/connectors/postgres/postgres_source.h"

#include "sluice/connectors/postgres/postgres_run.h"

namespace sluice::connectors {

namespace {

const config::ConfigSpec& IncrementalSpec() {
  using config::ValueType;
  static const config::ConfigSpec spec(
      "incremental",
      "Incremental extraction: only rows whose cursor is at or past the committed high-water "
      "mark (minus the lookback)",
      {[] {
         config::KeySpec key = config::MakeKey(
             "cursor", ValueType::kString,
             "The column that grows with every insert or update: an integer, date or timestamp", "",
             {}, "updated_at");
         key.required = true;
         return key;
       }(),
       config::MakeKey("lookback", ValueType::kDuration,
                       "Read again the rows this far behind the mark (a timestamp or date cursor; "
                       "rows committed late by long transactions), never taking a row twice",
                       "0s", {}, "10m")});
  return spec;
}

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
  add("table", ValueType::kString, "The table or view read (schema-qualified or not)", "", {},
      "public.orders");
  add("query", ValueType::kString,
      "A query read instead of a table (e.g. \"select * from orders where region = 'eu'\")");
  add("into", ValueType::kString, "The bronze table written (default: bronze.<source name>)", "",
      {}, "bronze.orders");
  add("primary_key", ValueType::kStringList,
      "The columns identifying a row (default: the table's primary key)", "", {}, "[order_id]");
  config::KeySpec incremental =
      config::MakeKey("incremental", ValueType::kObject,
                      "Read only what is new since the last run (absent: a full snapshot each run "
                      "replaces the bronze table)");
  incremental.object = &IncrementalSpec();
  incremental.example = "{cursor: updated_at, lookback: 10m}";
  keys.push_back(incremental);
  add("sslmode", ValueType::kEnum,
      "TLS (libpq's sslmode; default: the connection's, else require, or prefer for a server on "
      "this machine)",
      "", {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"});
  add("sslrootcert", ValueType::kString, "The CA certificate file for verify-ca and verify-full");
  add("connect_timeout", ValueType::kDuration, "How long connecting may take", "10s");
  add("batch_rows", ValueType::kInt, "Rows per batch read and written", "100000");
  add("schema_drift", ValueType::kEnum,
      "A column the bronze table does not have yet: add it (evolve) or fail the task (freeze)",
      "evolve", {"evolve", "freeze"});
  add("on_error", ValueType::kEnum,
      "A value that does not fit its column: quarantine the row, skip it, or fail the run",
      "quarantine", {"quarantine", "skip", "fail"});
  add("max_rejects", ValueType::kString,
      "Fail the run (committing nothing) past this many rejected rows, or this share (\"1%\")", "",
      {}, "100");
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
  options.name = name;
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
  options.table = values.String("table");
  options.query = values.String("query");
  if (options.table.empty() == options.query.empty()) {
    error_at(options.table.empty() ? "type" : "query",
             "give either 'table' or 'query' (one of them)");
  }
  options.primary_key = values.StringList("primary_key");
  if (const config::ConfigNode* incremental = values.Node("incremental")) {
    const config::ConfigValues cursor(incremental, &IncrementalSpec());
    options.cursor = cursor.String("cursor");
    options.lookback_ms = cursor.DurationMs("lookback");
  }
  options.batch_rows = values.Int("batch_rows");
  if (options.batch_rows < 1 || options.batch_rows > 10'000'000) {
    error_at("batch_rows", "batch_rows must be between 1 and 10000000");
  }
  options.schema_drift =
      values.String("schema_drift") == "freeze" ? SchemaDrift::kFreeze : SchemaDrift::kEvolve;
  auto policy =
      formats::RejectPolicy::Parse(values.String("on_error"), values.String("max_rejects"));
  if (policy.ok()) {
    options.rejects = *policy;
  } else {
    error_at(values.Has("max_rejects") ? "max_rejects" : "on_error", policy.status().message());
  }
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
  const std::string what = !options_.table.empty() ? "table " + options_.table : "a query";
  const std::string mode =
      options_.cursor.empty()
          ? "full snapshot, replaces the table"
          : "incremental on " + options_.cursor +
                (options_.lookback_ms > 0
                     ? ", lookback " + std::to_string(options_.lookback_ms / 1000) + "s"
                     : "");
  return {where + ": " + what + " (" + mode + ")"};
}

Result<std::unique_ptr<SourceRun>> PostgresSource::Plan(const SourceState& state) const {
  PostgresSourceOptions options = options_;
  if (!options.password_env.empty()) {
    const char* password = std::getenv(options.password_env.c_str());
    if (password == nullptr || *password == '\0') {
      return Status::InvalidArgument("source '" + name() + "': environment variable " +
                                     options.password_env + " (password_env) is not set or empty");
    }
    options.connect.password = password;
  }
  return PlanPostgresRun(std::move(options), state);
}

}  // namespace sluice::connectors

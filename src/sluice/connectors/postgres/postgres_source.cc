#include "sluice/connectors/postgres/postgres_source.h"

#include <algorithm>
#include <map>

#include "sluice/connectors/file/glob.h"

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

namespace {

// A table name as a bronze table's: lower-case letters, digits and _.
std::string BronzeName(std::string_view name) {
  std::string out;
  for (char c : name) {
    const char lower = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
    out += (lower >= 'a' && lower <= 'z') || (lower >= '0' && lower <= '9') ? lower : '_';
  }
  if (out.empty() || (out[0] >= '0' && out[0] <= '9')) out = "t_" + out;
  return out;
}

bool IsPlainName(const std::string& name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

}  // namespace

bool PostgresSource::Covers(const std::string& bronze_table) const {
  if (!bronze_table.starts_with("bronze.")) return false;
  const std::string name = bronze_table.substr(7);
  for (const std::string& pattern : options_.read.tables) {
    // The table part as BronzeName makes names, its wildcards kept.
    std::string glob;
    for (char c : pattern.substr(pattern.find('.') + 1)) {
      glob += c == '*' || c == '?' ? c : BronzeName(std::string_view(&c, 1)).back();
    }
    if (GlobMatch(glob, name) || GlobMatch("t_" + glob, name)) return true;
  }
  return false;
}

Result<std::vector<SourcePart>> PostgresSource::Expand() const {
  SLUICE_ASSIGN_OR_RETURN(PgConnectOptions connect, ConnectOptions());
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<PgSession> session, PgSession::Connect(connect));
  SLUICE_ASSIGN_OR_RETURN(
      PgRows tables,
      session->Query("SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = "
                     "c.relnamespace WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND "
                     "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT "
                     "LIKE 'pg\\_%' ORDER BY 1, 2"));
  std::vector<SourcePart> parts;
  std::map<std::string, std::string> read_by;  // bronze table → the table read
  for (const auto& row : tables) {
    const std::string schema = row[0].value_or(""), table = row[1].value_or("");
    const bool wanted = std::any_of(options_.read.tables.begin(), options_.read.tables.end(),
                                    [&](const std::string& pattern) {
                                      std::string glob = pattern;
                                      glob[glob.find('.')] = '/';
                                      return GlobMatch(glob, schema + "/" + table);
                                    });
    if (!wanted) continue;
    SourcePart part;
    part.table = "bronze." + BronzeName(table);
    part.read = (IsPlainName(schema) ? schema : PgSession::QuoteIdentifier(schema)) + "." +
                (IsPlainName(table) ? table : PgSession::QuoteIdentifier(table));
    auto [other, inserted] = read_by.emplace(part.table, part.read);
    if (!inserted) {
      return Status::InvalidArgument(
          "source '" + name() + "': " + other->second + " and " + part.read +
          " would both land in " + part.table +
          "; narrow 'tables', or read one of them with a source of its own (into:)");
    }
    PostgresSourceOptions options = options_;
    options.read.tables.clear();
    options.read.table = part.read;
    part.source = std::make_shared<PostgresSource>(std::move(options));
    parts.push_back(std::move(part));
  }
  return parts;
}

Result<PgConnectOptions> PostgresSource::ConnectOptions() const {
  PgConnectOptions connect = options_.connect;
  if (!options_.password_env.empty()) {
    const char* password = std::getenv(options_.password_env.c_str());
    if (password == nullptr || *password == '\0') {
      return Status::InvalidArgument("source '" + name() + "': environment variable " +
                                     options_.password_env + " (password_env) is not set or empty");
    }
    connect.password = password;
  }
  return connect;
}

Result<std::unique_ptr<SourceRun>> PostgresSource::Plan(const SourceState& state) const {
  if (many()) {
    return Status::InvalidArgument("source '" + name() + "' reads many tables; plan each part");
  }
  SLUICE_ASSIGN_OR_RETURN(PgConnectOptions connect, ConnectOptions());
  if (options_.read.cdc) return PlanPgCdcRun(connect, options_.read, state);
  return PlanDatabaseRun(MakePostgresDriver(std::move(connect)), options_.read, state, "postgres");
}

}  // namespace sluice::connectors

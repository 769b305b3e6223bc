#include "sluice/connectors/mysql/mysql_source.h"

#include <cstdlib>

namespace sluice::connectors {

namespace {

std::vector<config::KeySpec> MysqlSourceKeys() {
  using config::ValueType;
  std::vector<config::KeySpec> keys;
  auto add = [&](std::string name, ValueType type, std::string description,
                 std::string default_value = "", std::vector<std::string> choices = {},
                 std::string example = "") {
    keys.push_back(config::MakeKey(std::move(name), type, std::move(description),
                                   std::move(default_value), std::move(choices),
                                   std::move(example)));
  };
  add("type", ValueType::kEnum, "The source component", "", {"mysql"}, "mysql");
  keys.back().required = true;
  add("connection", ValueType::kString,
      "The server: mysql://user@host:port/database (or mariadb://; ?socket=/path for a unix "
      "socket), without a password",
      "", {}, "mysql://etl@crm.internal:3306/crm");
  keys.back().required = true;
  add("password_env", ValueType::kString,
      "The environment variable holding the password (default: MYSQL_PWD)", "", {},
      "CRM_DB_PASSWORD");
  add("sslmode", ValueType::kEnum,
      "TLS: disable, prefer, require (encrypted), verify-ca or verify-full (the server's "
      "certificate checked); default: the connection's, else require, or prefer for a server on "
      "this machine",
      "", {"disable", "prefer", "require", "verify-ca", "verify-full"});
  add("sslrootcert", ValueType::kString, "The CA certificate file for verify-ca and verify-full");
  add("connect_timeout", ValueType::kDuration, "How long connecting may take", "10s");
  AddDatabaseSourceKeys(&keys);
  return keys;
}

}  // namespace

const config::ConfigSpec& MysqlSourceSpec() {
  static const config::ConfigSpec spec(
      "mysql",
      "A MySQL or MariaDB table or query: a consistent full snapshot each run, or incremental by "
      "a cursor column with the high-water mark committed with the rows",
      MysqlSourceKeys());
  return spec;
}

std::unique_ptr<Source> MakeMysqlSource(const std::string& name, const config::ConfigNode& node,
                                        const std::string& project_dir,
                                        config::ConfigErrors* errors) {
  (void)project_dir;
  const config::ConfigValues values(&node, &MysqlSourceSpec());
  bool ok = true;
  MysqlSourceOptions options;
  Result<MysqlConnectOptions> connect = ParseMysqlUri(values.String("connection"));
  if (!connect.ok()) {
    errors->Add(values.Mark("connection"), "source '" + name + "': " + connect.status().message());
    ok = false;
  } else {
    options.connect = *connect;
  }
  if (values.Has("sslmode")) options.connect.sslmode = values.String("sslmode");
  options.connect.sslrootcert = values.String("sslrootcert");
  options.connect.connect_timeout_ms = values.DurationMs("connect_timeout");
  options.password_env = values.String("password_env");
  if (!DatabaseOptionsFromConfig(name, values, &options.read, errors)) ok = false;
  if (!options.read.tables.empty()) {
    errors->Add(values.Mark("tables"), "source '" + name +
                                           "': 'tables' is available for postgres sources; "
                                           "declare one mysql source per table");
    ok = false;
  }
  if (options.read.cdc) {
    errors->Add(values.Mark("incremental"),
                "source '" + name +
                    "': mode: cdc is available for postgres sources; a mysql source reads in "
                    "full or by a cursor column");
    ok = false;
  }
  if (!ok) return nullptr;
  return std::make_unique<MysqlSource>(std::move(options));
}

std::vector<std::string> MysqlSource::Describe() const {
  const MysqlConnectOptions& c = options_.connect;
  const std::string where = "mysql " + (c.user.empty() ? "" : c.user + "@") +
                            (c.socket.empty() ? c.host + ":" + std::to_string(c.port) : c.socket) +
                            "/" + c.database;
  return {where + ": " + DescribeDatabaseRead(options_.read)};
}

Result<std::unique_ptr<SourceRun>> MysqlSource::Plan(const SourceState& state) const {
  MysqlConnectOptions connect = options_.connect;
  const std::string variable = options_.password_env.empty() ? "MYSQL_PWD" : options_.password_env;
  const char* password = std::getenv(variable.c_str());
  if (!options_.password_env.empty() && (password == nullptr || *password == '\0')) {
    return Status::InvalidArgument("source '" + name() + "': environment variable " + variable +
                                   " (password_env) is not set or empty");
  }
  if (password != nullptr) connect.password = password;
  return PlanDatabaseRun(MakeMysqlDriver(std::move(connect)), options_.read, state, "mysql");
}

}  // namespace sluice::connectors

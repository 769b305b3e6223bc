#include "sluice/pipeline/project.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sluice/common/redactor.h"
#include "sluice/connectors/file/file_source.h"

namespace sluice::pipeline {
namespace {

// The glob of a file source.
std::string FilePattern(const SourceDeclaration& source) {
  return static_cast<const connectors::FileSource&>(*source.source).options().pattern;
}

class ProjectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sluice_project_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  Result<Project> Load(const std::string& text,
                       std::map<std::string, std::string> environment = {}) {
    std::ofstream(dir_ / "sluice.yml") << text;
    config::YamlLoadOptions options;
    options.environment = [environment](const std::string& name) -> std::optional<std::string> {
      auto it = environment.find(name);
      if (it == environment.end()) return std::nullopt;
      return it->second;
    };
    return LoadProject(dir_.string(), options);
  }
  std::string Errors(const std::string& text) {
    Result<Project> project = Load(text);
    EXPECT_FALSE(project.ok());
    return project.ok() ? "" : project.status().message();
  }
  std::filesystem::path dir_;
};

TEST_F(ProjectTest, LoadsAProject) {
  Result<Project> project = Load(
      "name: retail\nlake: ./data/lake\nparallelism: 3\nretries: {attempts: 4, delay: 2s}\n"
      "sources:\n  orders: {format: csv, path: 'drops/orders/*.csv'}\n"
      "  customers:\n    path: drops/customers/*.jsonl\n    table: bronze.people\n");
  ASSERT_TRUE(project.ok()) << project.status().ToString();
  EXPECT_EQ(project->name, "retail");
  EXPECT_EQ(project->lake, (dir_ / "data/lake").string());
  EXPECT_EQ(project->runs_dir, (dir_ / "runs").string());
  EXPECT_EQ(project->parallelism, 3);
  EXPECT_EQ(project->retries.attempts, 4);
  EXPECT_EQ(project->retries.delay_ms, 2000);
  EXPECT_EQ(project->retries.backoff, 2.0);
  ASSERT_EQ(project->sources.size(), 2u);
  EXPECT_EQ(project->sources[0].name, "orders");
  EXPECT_EQ(project->sources[0].table, "bronze.orders");
  EXPECT_EQ(project->sources[1].table, "bronze.people");
  EXPECT_EQ(project->TablePath("bronze.people"), (dir_ / "data/lake/bronze/people").string());
  EXPECT_EQ(project->QuarantinePath("customers"),
            (dir_ / "data/lake/quarantine/customers").string());
  EXPECT_EQ(FilePattern(project->sources[0]), (dir_ / "drops/orders/*.csv").string());
}

TEST_F(ProjectTest, EveryErrorNamesItsLineAndSuggests) {
  const std::string errors = Errors(
      "name: retail\n"
      "sources:\n"
      "  orders:\n"
      "    fromat: csv\n"
      "    path: drops/*.csv\n"
      "    min_age: soon\n"
      "  Bad-Name: {path: x.csv}\n"
      "  customers: {format: xml, path: c/*.json}\n");
  EXPECT_NE(errors.find("sluice.yml:4:5: unknown key 'fromat'"), std::string::npos) << errors;
  EXPECT_NE(errors.find("did you mean 'format'?"), std::string::npos) << errors;
  EXPECT_NE(errors.find("sluice.yml:6:14: 'min_age'"), std::string::npos) << errors;
  EXPECT_NE(errors.find("sluice.yml:7:3: source name 'Bad-Name'"), std::string::npos) << errors;
  EXPECT_NE(errors.find("sluice.yml:8:23: 'format'"), std::string::npos) << errors;
  // One error per line, in file order.
  EXPECT_LT(errors.find(":4:5:"), errors.find(":6:14:"));
  EXPECT_LT(errors.find(":6:14:"), errors.find(":8:23:"));
}

TEST_F(ProjectTest, LaterFeaturesAndSharedTablesAreRefused) {
  const std::string errors = Errors(
      "name: p\nschedule: daily\nsources:\n  a: {path: a/*.csv}\n  b: {path: b/*.csv, table: "
      "bronze.a}\n  c: {path: c/*.csv, table: silver.c}\ntables:\n  clean: {from: bronze.a}\n"
      "  silver.x: {from: bronze.z}\n");
  EXPECT_NE(errors.find("sluice.yml:2:1: schedules ('schedule:') is not supported"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find("sluice.yml:8:3: table name 'clean' must be silver.<name>"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find("table 'silver.x' reads bronze.z, which no source or table of the "
                        "project writes; did you mean bronze.a?"),
            std::string::npos)
      << errors;
  EXPECT_NE(errors.find("sources 'a' and 'b' both write bronze.a"), std::string::npos) << errors;
  EXPECT_NE(errors.find("'table' of source 'c' must name a bronze table"), std::string::npos)
      << errors;
}

TEST_F(ProjectTest, MissingThingsAreNamed) {
  EXPECT_NE(Errors("sources:\n  a: {path: a/*.csv}\n").find("needs 'name'"), std::string::npos);
  EXPECT_NE(Errors("name: p\nsources:\n  a: {format: csv}\n").find("needs 'path'"),
            std::string::npos);
  EXPECT_NE(Errors("name: p\n").find("declares no sources"), std::string::npos);
  Result<Project> none = LoadProject((dir_ / "nowhere").string());
  EXPECT_EQ(none.status().code(), StatusCode::kNotFound);
}

TEST_F(ProjectTest, EnvironmentInterpolationAndSecrets) {
  Result<Project> project =
      Load("name: ${PROJECT_NAME}\nsources:\n  a: {path: '${DROPS:-in}/*.csv'}\n",
           {{"PROJECT_NAME", "from_env"}, {"API_TOKEN", "s3cr3t-value"}});
  ASSERT_TRUE(project.ok()) << project.status().ToString();
  EXPECT_EQ(project->name, "from_env");
  EXPECT_EQ(FilePattern(project->sources[0]), (dir_ / "in/*.csv").string());
  const std::string unset = Errors("name: ${NOT_SET_ANYWHERE}\nsources:\n  a: {path: a}\n");
  EXPECT_NE(unset.find("sluice.yml:1:7: environment variable NOT_SET_ANYWHERE is not set"),
            std::string::npos)
      << unset;
  // A secret interpolated from a secret-looking variable is redacted everywhere afterwards.
  Result<Project> secret =
      Load("name: p\ndescription: 'token ${API_TOKEN}'\nsources:\n  a: {path: a}\n",
           {{"API_TOKEN", "s3cr3t-value"}});
  ASSERT_TRUE(secret.ok()) << secret.status().ToString();
  EXPECT_EQ(Redactor::Global().Redact("failed with s3cr3t-value"), "failed with ***");
}

}  // namespace
}  // namespace sluice::pipeline

namespace sluice::pipeline {
namespace {

class WarehouseProjectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("sluice_warehouse_project_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  Result<Project> Load(const std::string& warehouse) {
    std::ofstream(dir_ / "sluice.yml")
        << "name: p\nsources:\n  orders: {path: o/*.csv}\ntables:\n"
           "  silver.orders: {from: bronze.orders, dedupe: {key: [id]}}\n"
           "  gold.dim_date: {kind: date_dimension}\n"
           "  gold.fact: {kind: fact, from: silver.orders, grain: [id], dimensions: {day: "
           "{table: gold.dim_date, on: ts}}}\n"
        << warehouse << "load:\n  gold.*: {}\n  silver.orders: {mode: append, as: orders_log}\n";
    return LoadProject(dir_.string());
  }
  std::filesystem::path dir_;
};

TEST_F(WarehouseProjectTest, LoadsTakeTheirKindsDefaults) {
  Result<Project> project = Load("warehouse: sqlite:./w.db\n");
  ASSERT_TRUE(project.ok()) << project.status().ToString();
  ASSERT_TRUE(project->warehouse.has_value());
  EXPECT_EQ(project->warehouse->settings.type, "sqlite");
  EXPECT_EQ(project->warehouse->settings.path, (dir_ / "w.db").lexically_normal().string());
  const std::vector<LoadDeclaration>& loads = project->warehouse->loads;
  ASSERT_EQ(loads.size(), 3u);
  EXPECT_EQ(loads[0].target, "dim_date");
  EXPECT_EQ(loads[0].mode, warehouse::LoadMode::kReplace);
  EXPECT_EQ(loads[0].key, std::vector<std::string>{"date_key"});
  EXPECT_EQ(loads[1].target, "fact");
  EXPECT_EQ(loads[1].mode, warehouse::LoadMode::kMerge);
  EXPECT_EQ(loads[1].key, std::vector<std::string>{"id"});
  EXPECT_EQ(loads[1].indexes, std::vector<std::string>{"date_key"});
  EXPECT_EQ(loads[1].after, std::vector<std::string>{"gold.dim_date"});
  EXPECT_EQ(loads[2].target, "orders_log");
  EXPECT_EQ(loads[2].mode, warehouse::LoadMode::kAppend);
}

TEST_F(WarehouseProjectTest, APostgresUriIsTheMapItStandsFor) {
  Result<Project> project =
      Load("warehouse: postgresql://loader@db.internal:6543/shop?sslmode=require&schema=bi\n");
  ASSERT_TRUE(project.ok()) << project.status().ToString();
  const warehouse::WarehouseSettings& settings = project->warehouse->settings;
  EXPECT_EQ(settings.type, "postgres");
  EXPECT_EQ(settings.user, "loader");
  EXPECT_EQ(settings.host, "db.internal");
  EXPECT_EQ(settings.port, 6543);
  EXPECT_EQ(settings.database, "shop");
  EXPECT_EQ(settings.sslmode, "require");
  EXPECT_EQ(settings.schema, "bi");

  Result<Project> with_password = Load("warehouse: postgresql://loader:hunter2@db/shop\n");
  ASSERT_FALSE(with_password.ok());
  EXPECT_NE(with_password.status().message().find("sluice.yml:8:12: 'warehouse' holds a password"),
            std::string::npos)
      << with_password.status().message();
  EXPECT_EQ(with_password.status().message().find("hunter2"), std::string::npos);
  Result<Project> unknown = Load("warehouse: mysql://db/shop\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("'warehouse' must be a map or a URI"),
            std::string::npos);
}

}  // namespace
}  // namespace sluice::pipeline

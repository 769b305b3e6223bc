#include "sluice/connectors/file/file_source.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sluice/config/yaml_loader.h"

namespace sluice::connectors {
namespace {

config::ConfigNode Parse(const std::string& text) {
  auto node = config::ParseYaml(text, "sluice.yml");
  EXPECT_TRUE(node.ok()) << node.status().ToString();
  return node.ok() ? *node : config::ConfigNode();
}

TEST(FileSourceOptionsTest, ReadsEveryOption) {
  config::ConfigNode node = Parse(
      "path: drops/*.csv\nformat: csv\ndelimiter: ';'\nheader: false\ncomment: '#'\n"
      "null_values: ['', NA]\nschema: {id: int64, amount: 'decimal(10,2)'}\n"
      "min_age: 1m\non_change: reingest\nschema_drift: freeze\nmax_rejects: 2%\n"
      "columns: [id, amount]\nsample_rows: 100\n");
  config::ConfigErrors errors;
  FileSourceSpec().Validate(node, "source 'orders'", &errors);
  ASSERT_TRUE(errors.empty()) << errors.ToStatus().ToString();
  FileSourceOptions options;
  ASSERT_TRUE(FileSourceOptionsFromConfig("orders", node, "/project", &options, &errors))
      << errors.ToStatus().ToString();
  EXPECT_EQ(options.pattern, "/project/drops/*.csv");
  EXPECT_EQ(options.display_pattern, "drops/*.csv");
  EXPECT_EQ(options.read.format, formats::FileFormat::kCSV);
  EXPECT_EQ(options.read.csv.delimiter, ';');
  EXPECT_EQ(options.read.csv.header, false);
  EXPECT_EQ(options.read.csv.comment, '#');
  EXPECT_EQ(options.read.csv.common.null_values, (std::vector<std::string>{"", "NA"}));
  ASSERT_EQ(options.read.csv.common.column_types.size(), 2u);
  EXPECT_EQ(options.read.csv.common.column_types[1].second.ToString(), "decimal(10,2)");
  EXPECT_EQ(options.min_age_ms, 60'000);
  EXPECT_EQ(options.on_change, OnChange::kReingest);
  EXPECT_EQ(options.schema_drift, SchemaDrift::kFreeze);
  ASSERT_TRUE(options.rejects.max_fraction.has_value());
  EXPECT_DOUBLE_EQ(*options.rejects.max_fraction, 0.02);
  EXPECT_EQ(options.read.columns, (std::vector<std::string>{"id", "amount"}));
  EXPECT_EQ(options.read.csv.common.sample_records, 100);
}

TEST(FileSourceOptionsTest, DefaultsAreSafe) {
  config::ConfigNode node = Parse("path: drops/*.csv\n");
  config::ConfigErrors errors;
  FileSourceOptions options;
  ASSERT_TRUE(FileSourceOptionsFromConfig("orders", node, "/p", &options, &errors));
  EXPECT_EQ(options.min_age_ms, 10'000);
  EXPECT_EQ(options.on_change, OnChange::kReport);
  EXPECT_EQ(options.schema_drift, SchemaDrift::kEvolve);
  EXPECT_EQ(options.rejects.on_error, formats::OnError::kQuarantine);
  EXPECT_FALSE(options.rejects.max_count.has_value());
  EXPECT_FALSE(options.read.format.has_value());
}

TEST(FileSourceOptionsTest, BadValuesNameTheirLine) {
  config::ConfigNode node =
      Parse("path: drops/*.csv\nschema:\n  id: int64\n  amount: money\ndelimiter: 'ab'\n");
  config::ConfigErrors errors;
  FileSourceOptions options;
  EXPECT_FALSE(FileSourceOptionsFromConfig("orders", node, "/p", &options, &errors));
  const std::string text = errors.ToStatus().message();
  EXPECT_NE(text.find("sluice.yml:4:11: source 'orders': column 'amount' in 'schema'"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("sluice.yml:5:12: source 'orders'"), std::string::npos) << text;
}

TEST(FileSourceTest, ListsAndOpensWithTypes) {
  const auto root = std::filesystem::temp_directory_path() /
                    ("sluice_file_source_test_" + std::to_string(::getpid()));
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root / "drops");
  std::ofstream(root / "drops/2.csv") << "id,qty\n3,4\n";
  std::ofstream(root / "drops/1.csv") << "id,qty\n1,x\n2,5\n";
  FileSourceOptions options;
  options.name = "t";
  options.base_dir = root.string();
  options.pattern = (root / "drops/*.csv").string();
  auto source = FileSource::Make(options);
  ASSERT_TRUE(source.ok());
  auto files = (*source)->List();
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[0].relative, "drops/1.csv");
  EXPECT_EQ((*files)[1].relative, "drops/2.csv");
  // Inferred: qty is a string in 1.csv ("x"); with a type it is int64 and "x" a reject.
  auto schema = (*source)->ProbeSchema((*files)[0], {});
  ASSERT_TRUE(schema.ok());
  EXPECT_EQ((*schema)->field(1).type.ToString(), "string");
  formats::RejectTracker tracker(formats::RejectPolicy{});
  auto reader = (*source)->Open(
      (*files)[0], {{"qty", columnar::DataType::Int64()}, {"absent", columnar::DataType::Int64()}},
      &tracker);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->schema()->field(1).type.ToString(), "int64");
  int64_t rows = 0;
  while (true) {
    auto batch = (*reader)->Next();
    ASSERT_TRUE(batch.ok());
    if (*batch == nullptr) break;
    rows += (*batch)->num_rows();
  }
  EXPECT_EQ(rows, 1);
  ASSERT_EQ(tracker.kept().size(), 1u);
  EXPECT_EQ(tracker.kept()[0].line, 2);
  std::filesystem::remove_all(root);
}

}  // namespace
}  // namespace sluice::connectors

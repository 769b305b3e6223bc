#include <gtest/gtest.h>

#include <unistd.h>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "sluice/common/redactor.h"
#include "sluice/config/config_node.h"
#include "sluice/config/config_spec.h"
#include "sluice/config/yaml_loader.h"

namespace sluice::config {
namespace {

YamlLoadOptions WithEnvironment(std::map<std::string, std::string> environment) {
  YamlLoadOptions options;
  options.environment = [environment](const std::string& name) -> std::optional<std::string> {
    auto it = environment.find(name);
    if (it == environment.end()) return std::nullopt;
    return it->second;
  };
  return options;
}

ConfigNode Parse(const std::string& text, const YamlLoadOptions& options = WithEnvironment({})) {
  Result<ConfigNode> node = ParseYaml(text, "f.yml", options);
  EXPECT_TRUE(node.ok()) << node.status().ToString();
  return node.ok() ? std::move(node).ValueUnsafe() : ConfigNode();
}

std::string ParseError(const std::string& text,
                       const YamlLoadOptions& options = WithEnvironment({})) {
  Result<ConfigNode> node = ParseYaml(text, "f.yml", options);
  EXPECT_FALSE(node.ok()) << text;
  if (node.ok()) return "";
  EXPECT_EQ(node.status().code(), StatusCode::kInvalidArgument);
  return node.status().message();
}

void ExpectMark(const SourceMark& mark, int line, int column) {
  EXPECT_EQ(mark.file, "f.yml");
  EXPECT_EQ(mark.line, line);
  EXPECT_EQ(mark.column, column);
}

// --- Specs used by the validation tests ---

KeySpec Key(std::string name, ValueType type, std::string default_value = "",
            std::string description = "") {
  KeySpec key;
  key.name = std::move(name);
  key.type = type;
  key.default_value = std::move(default_value);
  key.description = std::move(description);
  return key;
}

const ConfigSpec& RetrySpec() {
  static const ConfigSpec spec("retries", "How failing tasks are retried",
                               {Key("attempts", ValueType::kInt, "2", "Tries in all"),
                                Key("delay", ValueType::kDuration, "5s", "Wait between tries")});
  return spec;
}

const ConfigSpec& SourceSpec() {
  static const ConfigSpec spec = [] {
    std::vector<KeySpec> keys;
    keys.push_back(Key("type", ValueType::kEnum, "file", "The source component"));
    keys.back().choices = {"file"};
    keys.push_back(Key("path", ValueType::kString, "", "Glob of the files"));
    keys.back().required = true;
    keys.back().example = "drops/*.csv";
    keys.push_back(Key("format", ValueType::kEnum, "", "File format"));
    keys.back().choices = {"csv", "json", "ndjson", "parquet"};
    keys.push_back(Key("min_age", ValueType::kDuration, "10s", "Minimum file age"));
    keys.push_back(Key("password", ValueType::kString, "", "Database password"));
    keys.back().secret = true;
    keys.push_back(Key("url", ValueType::kString, "", "Where the data lives"));
    keys.push_back(Key("null_values", ValueType::kStringList, "[\"\"]", "Texts meaning null"));
    keys.push_back(Key("columns", ValueType::kStringList, "", "Columns to keep"));
    keys.push_back(Key("schema", ValueType::kStringMap, "", "Column types"));
    keys.push_back(Key("header", ValueType::kBool, "true", "First row is a header"));
    keys.push_back(Key("max_size", ValueType::kByteSize, "64MiB", "Largest file taken"));
    keys.push_back(Key("ratio", ValueType::kNumber, "0.5", "A fraction"));
    keys.push_back(Key("sample_rows", ValueType::kInt, "20480", "Rows sampled"));
    keys.push_back(Key("api_token", ValueType::kString, "", "Token of the API"));
    return ConfigSpec("file", "File drops into bronze tables", std::move(keys));
  }();
  return spec;
}

const ConfigSpec& ProjectSpec() {
  static const ConfigSpec spec = [] {
    std::vector<KeySpec> keys;
    keys.push_back(Key("name", ValueType::kString, "", "The project's name"));
    keys.back().required = true;
    keys.push_back(Key("retries", ValueType::kObject, "", "Retries of failing tasks"));
    keys.back().object = &RetrySpec();
    keys.back().example = "{attempts: 3, delay: 10s}";
    keys.push_back(Key("sources", ValueType::kObjectMap, "", "The inputs, by name"));
    keys.back().object = &SourceSpec();
    return ConfigSpec("project", "The project file", std::move(keys));
  }();
  return spec;
}

std::string Validate(const ConfigSpec& spec, const std::string& text, const std::string& context,
                     const YamlLoadOptions& options = WithEnvironment({})) {
  ConfigNode node = Parse(text, options);
  ConfigErrors errors;
  spec.Validate(node, context, &errors);
  Status status = errors.ToStatus();
  return status.ok() ? std::string() : status.message();
}

// --- ConfigNode / SourceMark ---

TEST(SourceMarkTest, ToString) {
  EXPECT_EQ((SourceMark{"retail.yml", 7, 5}).ToString(), "retail.yml:7:5");
  EXPECT_EQ((SourceMark{"retail.yml", 0, 0}).ToString(), "retail.yml");
  EXPECT_EQ((SourceMark{"retail.yml", 3, 0}).ToString(), "retail.yml:3");
}

TEST(ConfigNodeTest, BuildersAndLookup) {
  std::vector<ConfigNode::Entry> entries;
  entries.push_back({"a", SourceMark{"x", 1, 1}, ConfigNode::Scalar("1", SourceMark{"x", 1, 4})});
  entries.push_back({"b", SourceMark{"x", 2, 1}, ConfigNode::Null(SourceMark{"x", 2, 3})});
  const ConfigNode map = ConfigNode::Map(std::move(entries), SourceMark{"x", 1, 1});
  EXPECT_TRUE(map.IsMap());
  EXPECT_EQ(map.KindName(), "a map");
  ASSERT_NE(map.Find("a"), nullptr);
  EXPECT_EQ(map.Find("a")->text(), "1");
  EXPECT_EQ(map.Find("a")->KindName(), "a value");
  EXPECT_TRUE(map.Find("b")->IsNull());
  EXPECT_EQ(map.Find("b")->KindName(), "null");
  EXPECT_EQ(map.Find("c"), nullptr);
  ASSERT_NE(map.FindEntry("b"), nullptr);
  EXPECT_EQ(map.FindEntry("b")->key_mark.line, 2);
  EXPECT_EQ(ConfigNode::Sequence({}, SourceMark{}).KindName(), "a list");
}

// --- YAML loading ---

TEST(YamlLoaderTest, MarksOfNestedKeysAndValues) {
  const ConfigNode root = Parse(
      "name: retail\n"
      "sources:\n"
      "  orders:\n"
      "    path: \"a.csv\"\n"
      "    format: csv\n");
  ASSERT_TRUE(root.IsMap());
  ExpectMark(root.mark(), 1, 1);
  ASSERT_EQ(root.entries().size(), 2u);
  EXPECT_EQ(root.entries()[0].key, "name");
  ExpectMark(root.entries()[0].key_mark, 1, 1);
  ExpectMark(root.entries()[0].value.mark(), 1, 7);
  const ConfigNode::Entry* sources = root.FindEntry("sources");
  ASSERT_NE(sources, nullptr);
  ExpectMark(sources->key_mark, 2, 1);
  ASSERT_TRUE(sources->value.IsMap());
  ExpectMark(sources->value.mark(), 3, 3);
  const ConfigNode::Entry* orders = sources->value.FindEntry("orders");
  ASSERT_NE(orders, nullptr);
  ExpectMark(orders->key_mark, 3, 3);
  ExpectMark(orders->value.mark(), 4, 5);
  const ConfigNode::Entry* path = orders->value.FindEntry("path");
  ASSERT_NE(path, nullptr);
  ExpectMark(path->key_mark, 4, 5);
  ExpectMark(path->value.mark(), 4, 11);
  EXPECT_EQ(path->value.text(), "a.csv");
  EXPECT_TRUE(path->value.quoted());
  const ConfigNode* format = orders->value.Find("format");
  ASSERT_NE(format, nullptr);
  ExpectMark(format->mark(), 5, 13);
  EXPECT_EQ(format->text(), "csv");
  EXPECT_FALSE(format->quoted());
  EXPECT_FALSE(format->interpolated());
}

TEST(YamlLoaderTest, FlowStyleMarks) {
  const ConfigNode root = Parse(
      "retries: {attempts: 3, delay: 10s}\n"
      "columns: [a, 'b', \"c\"]\n");
  const ConfigNode* retries = root.Find("retries");
  ASSERT_NE(retries, nullptr);
  ASSERT_TRUE(retries->IsMap());
  ExpectMark(retries->mark(), 1, 10);
  ExpectMark(retries->FindEntry("attempts")->key_mark, 1, 11);
  ExpectMark(retries->Find("attempts")->mark(), 1, 21);
  ExpectMark(retries->FindEntry("delay")->key_mark, 1, 24);
  ExpectMark(retries->Find("delay")->mark(), 1, 31);
  EXPECT_EQ(retries->Find("delay")->text(), "10s");
  const ConfigNode* columns = root.Find("columns");
  ASSERT_TRUE(columns->IsSequence());
  ExpectMark(columns->mark(), 2, 10);
  ASSERT_EQ(columns->items().size(), 3u);
  EXPECT_EQ(columns->items()[0].text(), "a");
  EXPECT_FALSE(columns->items()[0].quoted());
  ExpectMark(columns->items()[0].mark(), 2, 11);
  EXPECT_EQ(columns->items()[1].text(), "b");
  EXPECT_TRUE(columns->items()[1].quoted());
  ExpectMark(columns->items()[1].mark(), 2, 14);
  EXPECT_TRUE(columns->items()[2].quoted());
  ExpectMark(columns->items()[2].mark(), 2, 19);
}

TEST(YamlLoaderTest, KeyOrderIsKept) {
  const ConfigNode root = Parse("zeta: 1\nalpha: 2\nmid: 3\n");
  ASSERT_EQ(root.entries().size(), 3u);
  EXPECT_EQ(root.entries()[0].key, "zeta");
  EXPECT_EQ(root.entries()[1].key, "alpha");
  EXPECT_EQ(root.entries()[2].key, "mid");
}

TEST(YamlLoaderTest, NullsAndQuotedScalars) {
  const ConfigNode root =
      Parse("a:\nb: ~\nc: null\nd: NULL\ne: ''\nf: 'null'\ng: Null\nh: nULL\ni: \"~\"\n");
  EXPECT_TRUE(root.Find("a")->IsNull());
  ExpectMark(root.FindEntry("a")->key_mark, 1, 1);
  EXPECT_TRUE(root.Find("b")->IsNull());
  ExpectMark(root.Find("b")->mark(), 2, 4);
  EXPECT_TRUE(root.Find("c")->IsNull());
  EXPECT_TRUE(root.Find("d")->IsNull());
  EXPECT_TRUE(root.Find("g")->IsNull());
  ASSERT_TRUE(root.Find("e")->IsScalar());
  EXPECT_EQ(root.Find("e")->text(), "");
  EXPECT_TRUE(root.Find("e")->quoted());
  ASSERT_TRUE(root.Find("f")->IsScalar());
  EXPECT_EQ(root.Find("f")->text(), "null");
  ASSERT_TRUE(root.Find("h")->IsScalar());
  EXPECT_EQ(root.Find("h")->text(), "nULL");
  EXPECT_FALSE(root.Find("h")->quoted());
  ASSERT_TRUE(root.Find("i")->IsScalar());
  EXPECT_EQ(root.Find("i")->text(), "~");
}

TEST(YamlLoaderTest, BlockScalarsAreQuotedText) {
  const ConfigNode root = Parse("text: |\n  line1\n  line2\nfolded: >\n  a\n  b\nn: 12\n");
  EXPECT_EQ(root.Find("text")->text(), "line1\nline2\n");
  EXPECT_TRUE(root.Find("text")->quoted());
  EXPECT_EQ(root.Find("folded")->text(), "a b\n");
  EXPECT_TRUE(root.Find("folded")->quoted());
  EXPECT_EQ(root.Find("n")->text(), "12");
  EXPECT_FALSE(root.Find("n")->quoted());
}

TEST(YamlLoaderTest, SequencesCommentsAndRootKinds) {
  const ConfigNode root = Parse("# a comment\n- a  # trailing\n- [1, 2]\n- {k: v}\n");
  ASSERT_TRUE(root.IsSequence());
  ExpectMark(root.mark(), 2, 1);
  ASSERT_EQ(root.items().size(), 3u);
  ExpectMark(root.items()[0].mark(), 2, 3);
  EXPECT_EQ(root.items()[0].text(), "a");
  ASSERT_TRUE(root.items()[1].IsSequence());
  EXPECT_EQ(root.items()[1].items()[1].text(), "2");
  ASSERT_TRUE(root.items()[2].IsMap());
  EXPECT_EQ(root.items()[2].Find("k")->text(), "v");

  const ConfigNode scalar = Parse("hello\n");
  ASSERT_TRUE(scalar.IsScalar());
  EXPECT_EQ(scalar.text(), "hello");
}

TEST(YamlLoaderTest, EmptyDocumentIsNull) {
  const ConfigNode empty = Parse("");
  EXPECT_TRUE(empty.IsNull());
  ExpectMark(empty.mark(), 1, 1);
  EXPECT_TRUE(Parse("# only a comment\n").IsNull());
  EXPECT_TRUE(Parse("---\n...\n").IsNull());
  EXPECT_TRUE(Parse("--- {a: 1}\n").IsMap());  // one explicit document is fine
}

TEST(YamlLoaderTest, DuplicateKeysAreRefused) {
  EXPECT_EQ(ParseError("a: 1\nb: 2\na: 3\n"),
            "f.yml:3:1: duplicate key 'a' (first written at line 1)");
  EXPECT_EQ(ParseError("x:\n  k: 1\n  k: 2\n"),
            "f.yml:3:3: duplicate key 'k' (first written at line 2)");
  EXPECT_EQ(ParseError("m: {a: 1, a: 2}\n"),
            "f.yml:1:11: duplicate key 'a' (first written at line 1)");
  // The same key in different maps is fine.
  EXPECT_TRUE(ParseYaml("a: {k: 1}\nb: {k: 2}\n", "f.yml").ok());
}

TEST(YamlLoaderTest, AnchorsAliasesAndTagsAreRefused) {
  EXPECT_EQ(ParseError("base: &b {x: 1}\n"),
            "f.yml:1:7: anchor '&b' is not supported; write each value out in full");
  EXPECT_EQ(ParseError("a: 1\nb: *b\n"),
            "f.yml:2:4: alias '*b' is not supported; write the value out in full");
  EXPECT_EQ(ParseError("a: !!str 5\n"),
            "f.yml:1:4: tag 'tag:yaml.org,2002:str' is not supported; quote the value if it is "
            "meant as text");
  EXPECT_NE(ParseError("a: !custom [1]\n").find("f.yml:1:4: tag '!custom'"), std::string::npos);
}

TEST(YamlLoaderTest, OneDocumentOnly) {
  EXPECT_EQ(ParseError("a: 1\n---\nb: 2\n"),
            "f.yml:2:1: a second YAML document ('---'); a project file holds one document");
}

TEST(YamlLoaderTest, NonScalarKeysAreRefused) {
  EXPECT_EQ(ParseError("? [a, b]\n: 1\n"), "f.yml:1:3: a map key must be plain text, not a list");
  EXPECT_EQ(ParseError("{a: 1}: 2\n"), "f.yml:1:1: a map key must be plain text, not a map");
  EXPECT_EQ(ParseError("'': 1\n"), "f.yml:1:1: a map key is empty");
}

TEST(YamlLoaderTest, DepthLimit) {
  const std::string ok = std::string(64, '[') + std::string(64, ']');
  EXPECT_TRUE(ParseYaml(ok, "f.yml").ok());
  const std::string deep = std::string(65, '[') + std::string(65, ']');
  EXPECT_EQ(ParseError(deep), "f.yml:1:65: nesting deeper than 64 levels");
}

TEST(YamlLoaderTest, SizeLimit) {
  std::string big = "a: 1\n";
  big.append((size_t{16} << 20) - big.size() + 1, '#');
  EXPECT_EQ(ParseError(big), "f.yml:1:1: the file is larger than 16 MiB");
}

TEST(YamlLoaderTest, SyntaxErrorsNameTheirPlace) {
  EXPECT_EQ(ParseError("key: value\n  bad: indent\n"),
            "f.yml:2:6: mapping values are not allowed in this context");
  EXPECT_EQ(ParseError("a: [1, 2\nb: 3\n"),
            "f.yml:2:2: did not find expected ',' or ']' (while parsing a flow sequence that "
            "starts at line 1, column 4)");
  EXPECT_EQ(ParseError("a: 'unterminated\n"),
            "f.yml:2:1: found unexpected end of stream (while scanning a quoted scalar that "
            "starts at line 1, column 4)");
  EXPECT_EQ(ParseError("a: 1\nb: \xff\n"), "f.yml:2:4: invalid leading UTF-8 octet (#FF)");
  EXPECT_EQ(ParseError("a:\tb\n\tc: 1\n").substr(0, 10), "f.yml:2:1:");
}

TEST(YamlLoaderTest, Interpolation) {
  std::vector<std::pair<std::string, std::string>> seen;
  YamlLoadOptions options =
      WithEnvironment({{"HOST", "db.local"}, {"EMPTY", ""}, {"DOC", "x: 1"}, {"PORT", "5432"}});
  options.on_interpolated = [&seen](const std::string& name, const std::string& value) {
    seen.emplace_back(name, value);
  };
  const ConfigNode root = Parse(
      "url: postgres://${HOST}:${PORT}/x\n"
      "fallback: ${MISSING:-fallback value}\n"
      "empty_default: ${EMPTY:-dflt}\n"
      "empty: ${EMPTY}\n"
      "escaped: $${HOST}\n"
      "dollars: cost $5 and $$ and $\n"
      "doc: ${DOC}\n"
      "${HOST}: keys are not interpolated\n"
      "quoted: '${HOST}'\n"
      "list: [\"${PORT}\", plain]\n",
      options);
  EXPECT_EQ(root.Find("url")->text(), "postgres://db.local:5432/x");
  EXPECT_TRUE(root.Find("url")->interpolated());
  EXPECT_EQ(root.Find("fallback")->text(), "fallback value");
  EXPECT_TRUE(root.Find("fallback")->interpolated());
  EXPECT_EQ(root.Find("empty_default")->text(), "dflt");
  ASSERT_TRUE(root.Find("empty")->IsScalar());
  EXPECT_EQ(root.Find("empty")->text(), "");
  EXPECT_TRUE(root.Find("empty")->interpolated());
  EXPECT_EQ(root.Find("escaped")->text(), "${HOST}");
  EXPECT_FALSE(root.Find("escaped")->interpolated());
  EXPECT_EQ(root.Find("dollars")->text(), "cost $5 and $$ and $");
  EXPECT_FALSE(root.Find("dollars")->interpolated());
  ASSERT_TRUE(root.Find("doc")->IsScalar());
  EXPECT_EQ(root.Find("doc")->text(), "x: 1");
  EXPECT_EQ(root.Find("${HOST}")->text(), "keys are not interpolated");
  EXPECT_EQ(root.Find("quoted")->text(), "db.local");
  EXPECT_TRUE(root.Find("quoted")->quoted());
  EXPECT_EQ(root.Find("list")->items()[0].text(), "5432");
  EXPECT_TRUE(root.Find("list")->items()[0].interpolated());
  EXPECT_FALSE(root.Find("list")->items()[1].interpolated());
  const std::vector<std::pair<std::string, std::string>> expected = {
      {"HOST", "db.local"}, {"PORT", "5432"}, {"MISSING", "fallback value"}, {"EMPTY", "dflt"},
      {"EMPTY", ""},        {"DOC", "x: 1"},  {"HOST", "db.local"},          {"PORT", "5432"}};
  EXPECT_EQ(seen, expected);
}

TEST(YamlLoaderTest, InterpolationErrors) {
  EXPECT_EQ(ParseError("a: 1\nb: ${NOPE}\n"),
            "f.yml:2:4: environment variable NOPE is not set (write ${NOPE:-default} for a "
            "default)");
  EXPECT_EQ(ParseError("a: \"x ${NOPE} y\"\n"),
            "f.yml:1:4: environment variable NOPE is not set (write ${NOPE:-default} for a "
            "default)");
  EXPECT_NE(ParseError("a: ${HOST\n").find("f.yml:1:4: '${' without a closing '}'"),
            std::string::npos);
  EXPECT_NE(ParseError("a: ${1X}\n").find("f.yml:1:4: '${1X}' is not a variable reference"),
            std::string::npos);
  EXPECT_NE(ParseError("a: ${A B}\n").find("'${A B}' is not a variable reference"),
            std::string::npos);
}

TEST(YamlLoaderTest, ProcessEnvironment) {
  ::setenv("SLUICE_CONFIG_TEST_VAR", "from-process", 1);
  ::unsetenv("SLUICE_CONFIG_TEST_UNSET");
  EnvironmentLookup lookup = ProcessEnvironment();
  EXPECT_EQ(lookup("SLUICE_CONFIG_TEST_VAR"), std::optional<std::string>("from-process"));
  EXPECT_EQ(lookup("SLUICE_CONFIG_TEST_UNSET"), std::nullopt);
  Result<ConfigNode> node = ParseYaml("v: ${SLUICE_CONFIG_TEST_VAR}\n", "f.yml");
  ASSERT_TRUE(node.ok());
  EXPECT_EQ(node->Find("v")->text(), "from-process");
}

TEST(YamlLoaderTest, LoadYamlFile) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("sluice_config_test_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "p.yml").string();
  std::ofstream(path) << "name: x\nbad: [\n";
  Result<ConfigNode> bad = LoadYamlFile(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(bad.status().message().rfind(path + ":3:1: ", 0), 0u) << bad.status().message();
  std::ofstream(path, std::ios::trunc) << "name: x\n";
  Result<ConfigNode> good = LoadYamlFile(path);
  ASSERT_TRUE(good.ok()) << good.status().ToString();
  EXPECT_EQ(good->Find("name")->mark().file, path);
  EXPECT_EQ(good->Find("name")->mark().line, 1);
  Result<ConfigNode> missing = LoadYamlFile((dir / "nope.yml").string());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  Result<ConfigNode> folder = LoadYamlFile(dir.string());
  EXPECT_EQ(folder.status().code(), StatusCode::kIOError);
  std::filesystem::remove_all(dir);
}

// --- Validation ---

TEST(ConfigSpecTest, ValidDocumentHasNoErrors) {
  Redactor::Global().Clear();
  EXPECT_EQ(Validate(ProjectSpec(),
                     "name: demo\n"
                     "retries: {attempts: 3, delay: 1m30s}\n"
                     "sources:\n"
                     "  orders:\n"
                     "    path: drops/*.csv\n"
                     "    format: csv\n"
                     "    min_age: 2m\n"
                     "    null_values: ['', NA]\n"
                     "    columns: id\n"
                     "    schema: {id: int64}\n"
                     "    header: no\n"
                     "    max_size: 1.5GB\n"
                     "    ratio: 2.5e-1\n"
                     "    sample_rows: -3\n"
                     "    url: postgres://user@host/db\n"
                     "  empty_but_named: {path: x}\n",
                     "the project"),
            "");
}

TEST(ConfigSpecTest, EveryErrorKindWithItsPlace) {
  Redactor::Global().Clear();
  const std::string errors = Validate(ProjectSpec(),
                                      "name: demo\n"
                                      "retries: {attempts: many, delay: 10s, jitter: 1}\n"
                                      "sources:\n"
                                      "  orders:\n"
                                      "    fromat: csv\n"
                                      "    path: drops/*.csv\n"
                                      "    min_age: abc\n"
                                      "    format: xml\n"
                                      "  customers:\n"
                                      "    Path: c.csv\n"
                                      "    zzz: 1\n"
                                      "    password: hunter22\n"
                                      "    url: postgres://u:pw@h/db\n"
                                      "    schema: {id: int64, api_key: abc}\n",
                                      "the project");
  const std::string expected =
      "f.yml:2:21: 'attempts' in 'retries' of the project must be an integer (e.g. 10), not "
      "'many'\n"
      "f.yml:2:39: unknown key 'jitter' in 'retries' of the project; known keys: attempts, "
      "delay\n"
      "f.yml:5:5: unknown key 'fromat' in source 'orders'; did you mean 'format'?\n"
      "f.yml:7:14: 'min_age' in source 'orders' must be a duration (e.g. 30s, 5m), not 'abc'\n"
      "f.yml:8:13: 'format' in source 'orders' must be one of csv, json, ndjson, parquet, not "
      "'xml'\n"
      "f.yml:10:5: unknown key 'Path' in source 'customers'; did you mean 'path'?\n"
      "f.yml:10:5: source 'customers' needs 'path'\n"
      "f.yml:11:5: unknown key 'zzz' in source 'customers'; known keys: type, path, format, "
      "min_age, password, url, null_values, columns, schema, header, max_size, ratio, "
      "sample_rows, api_token\n"
      "f.yml:12:15: 'password' in source 'customers' holds a literal secret; write it as "
      "${SOME_ENV_VAR} and set the variable\n"
      "f.yml:13:10: 'url' in source 'customers' holds a URI with a literal password; use ${ENV} "
      "for the password\n"
      "f.yml:14:34: 'api_key' in 'schema' of source 'customers' holds a literal secret; write it "
      "as ${SOME_ENV_VAR} and set the variable";
  EXPECT_EQ(errors, expected);
}

TEST(ConfigSpecTest, MissingKeysUseTheMapsMark) {
  EXPECT_EQ(Validate(ProjectSpec(), "sources:\n  a: {format: csv}\n", "the project"),
            "f.yml:1:1: the project needs 'name'\nf.yml:2:6: source 'a' needs 'path'");
  // A source written with no value at all is an empty map.
  const std::string errors = Validate(ProjectSpec(), "name: p\nsources:\n  a:\n", "the project");
  EXPECT_NE(errors.find("source 'a' needs 'path'"), std::string::npos) << errors;
  EXPECT_EQ(errors.rfind("f.yml:3:", 0), 0u) << errors;
}

TEST(ConfigSpecTest, WrongTypes) {
  const std::string errors = Validate(SourceSpec(),
                                      "path: [a, b]\n"
                                      "header: maybe\n"
                                      "columns: {a: 1}\n"
                                      "null_values: [x, ~, [y]]\n"
                                      "ratio: lots\n"
                                      "max_size: 12 parsecs\n"
                                      "sample_rows: 1.5\n"
                                      "schema: [a]\n"
                                      "format: CSV\n"
                                      "min_age:\n",
                                      "source 'x'");
  const std::string expected =
      "f.yml:1:7: 'path' in source 'x' must be a string, not a list\n"
      "f.yml:2:9: 'header' in source 'x' must be true or false, not 'maybe'\n"
      "f.yml:3:10: 'columns' in source 'x' must be a list of strings (e.g. [a, b]), not a map\n"
      "f.yml:4:18: item 2 of 'null_values' in source 'x' must be a string, not null (quote it if "
      "you mean the text)\n"
      "f.yml:4:21: item 3 of 'null_values' in source 'x' must be a string, not a list\n"
      "f.yml:5:8: 'ratio' in source 'x' must be a number (e.g. 1.5), not 'lots'\n"
      "f.yml:6:11: 'max_size' in source 'x' must be a byte size (e.g. 512k, 64MB, 128MiB), not "
      "'12 parsecs'\n"
      "f.yml:7:14: 'sample_rows' in source 'x' must be an integer (e.g. 10), not '1.5'\n"
      "f.yml:8:9: 'schema' in source 'x' must be a map of strings (e.g. {a: x, b: y}), not a "
      "list\n"
      "f.yml:9:9: 'format' in source 'x' must be one of csv, json, ndjson, parquet, not 'CSV'; "
      "did you mean 'csv'?\n";
  // The last error (min_age with no value) has the mark of the empty value.
  ASSERT_EQ(errors.substr(0, expected.size()), expected) << errors;
  EXPECT_NE(errors.find("'min_age' in source 'x' must be a duration (e.g. 30s, 5m), not null"),
            std::string::npos)
      << errors;
}

TEST(ConfigSpecTest, NotAMap) {
  EXPECT_EQ(Validate(ProjectSpec(), "name: p\nsources:\n  orders: 5\n", "the project"),
            "f.yml:3:11: source 'orders' must be a map of keys (type, path, format, min_age, "
            "password, ...), not '5'");
  EXPECT_EQ(Validate(ProjectSpec(), "name: p\nretries: [1]\n", "the project"),
            "f.yml:2:10: 'retries' in the project must be a map, not a list");
  EXPECT_EQ(Validate(ProjectSpec(), "name: p\nsources: x\n", "the project"),
            "f.yml:2:10: 'sources' in the project must be a map of names to maps (e.g. {name: "
            "{...}}), not 'x'");
  EXPECT_EQ(Validate(ProjectSpec(), "- a\n", "the project"),
            "f.yml:1:1: the project must be a map of keys (name, retries, sources), not a list");
}

TEST(ConfigSpecTest, Suggestions) {
  auto first_line = [](const std::string& text) { return text.substr(0, text.find('\n')); };
  EXPECT_EQ(first_line(Validate(SourceSpec(), "path: x\nfromat: csv\n", "s")),
            "f.yml:2:1: unknown key 'fromat' in s; did you mean 'format'?");
  EXPECT_EQ(first_line(Validate(SourceSpec(), "PATH: x\n", "s")),
            "f.yml:1:1: unknown key 'PATH' in s; did you mean 'path'?");
  EXPECT_EQ(first_line(Validate(SourceSpec(), "path: x\npth: y\n", "s")),
            "f.yml:2:1: unknown key 'pth' in s; did you mean 'path'?");
  EXPECT_EQ(first_line(Validate(SourceSpec(), "path: x\nmin_ages: 1s\n", "s")),
            "f.yml:2:1: unknown key 'min_ages' in s; did you mean 'min_age'?");
  EXPECT_EQ(first_line(Validate(SourceSpec(), "path: x\nheadr: true\n", "s")),
            "f.yml:2:1: unknown key 'headr' in s; did you mean 'header'?");
  // Too far from every key: no guess, the list of keys instead.
  EXPECT_EQ(first_line(Validate(RetrySpec(), "zzz: 1\n", "retries")),
            "f.yml:1:1: unknown key 'zzz' in retries; known keys: attempts, delay");
  // Short names need a closer match (distance at most half the length).
  EXPECT_EQ(first_line(Validate(RetrySpec(), "da: 1\n", "retries")),
            "f.yml:1:1: unknown key 'da' in retries; known keys: attempts, delay");
}

TEST(ConfigSpecTest, SecretsFromTheEnvironmentAreAcceptedAndRegistered) {
  Redactor::Global().Clear();
  const YamlLoadOptions options =
      WithEnvironment({{"PG_PASSWORD", "s3cret-pw"}, {"TOKEN", "tok-123456"}, {"KEY", "kkkk-1"}});
  EXPECT_EQ(Validate(SourceSpec(),
                     "path: x\n"
                     "password: ${PG_PASSWORD}\n"
                     "url: postgres://u:${PG_PASSWORD}@h/db\n"
                     "api_token: ${TOKEN}\n"
                     "schema: {api_key: '${KEY}'}\n"
                     "null_values: ['']\n",
                     "source 's'", options),
            "");
  EXPECT_EQ(Redactor::Global().Redact("pw=s3cret-pw token=tok-123456 key=kkkk-1 path=x"),
            "pw=*** token=*** key=*** path=x");
  // A literal value under a name that looks secret is refused even when the spec does not say
  // secret; an empty value holds no secret.
  EXPECT_EQ(Validate(SourceSpec(), "path: x\napi_token: abc123\npassword: ''\n", "source 's'"),
            "f.yml:2:12: 'api_token' in source 's' holds a literal secret; write it as "
            "${SOME_ENV_VAR} and set the variable");
  Redactor::Global().Clear();
}

TEST(ConfigSpecTest, LooksSecret) {
  for (const char* name :
       {"password", "PASSWORD", "passwd", "pwd", "secret", "token", "api_key", "apikey",
        "access_key", "secret_key", "private_key", "credentials", "auth_token", "db_password",
        "client_secret", "github_token", "stripe_api_key", "Api-Key"}) {
    EXPECT_TRUE(LooksSecret(name)) << name;
  }
  for (const char* name : {"key", "business_key", "path", "tokens_per_row", "passwordless",
                           "secretary", "name", "", "_password"}) {
    EXPECT_FALSE(LooksSecret(name)) << name;
  }
}

TEST(ConfigSpecTest, HasLiteralPassword) {
  EXPECT_TRUE(HasLiteralPassword("postgres://u:pw@h/db"));
  EXPECT_TRUE(HasLiteralPassword("jdbc:mysql://root:secret@db:3306/x?ssl=1"));
  EXPECT_TRUE(HasLiteralPassword("see https://a.example and s3://k:v@bucket/p"));
  EXPECT_FALSE(HasLiteralPassword("postgres://u@h/db"));
  EXPECT_FALSE(HasLiteralPassword("postgres://u:@h/db"));
  EXPECT_FALSE(HasLiteralPassword("postgres://h:5432/db"));
  EXPECT_FALSE(HasLiteralPassword("https://example.com/a:b@c"));
  EXPECT_FALSE(HasLiteralPassword("user:pw@host"));
  EXPECT_FALSE(HasLiteralPassword("://u:pw@h"));
  EXPECT_FALSE(HasLiteralPassword(""));
}

// --- Parsers ---

TEST(ParsersTest, Durations) {
  const std::vector<std::pair<std::string, int64_t>> cases = {
      {"500ms", 500},         {"30s", 30'000},
      {"5m", 300'000},        {"2h", 7'200'000},
      {"1d", 86'400'000},     {"1h30m", 5'400'000},
      {"1.5s", 1'500},        {"30", 30'000},
      {"0.25", 250},          {"0", 0},
      {" 10S ", 10'000},      {"1h 30m", 5'400'000},
      {"1m30s500ms", 90'500}, {"+2", 2'000}};
  for (const auto& [text, expected] : cases) {
    Result<int64_t> value = ParseDurationMs(text);
    ASSERT_TRUE(value.ok()) << text << ": " << value.status().ToString();
    EXPECT_EQ(*value, expected) << text;
  }
  for (const char* text : {"", "abc", "5x", "m", "1.2.3s", "5 m s", "inf", "nan", "1e400"}) {
    EXPECT_FALSE(ParseDurationMs(text).ok()) << text;
  }
  Result<int64_t> negative = ParseDurationMs("-5s");
  ASSERT_FALSE(negative.ok());
  EXPECT_EQ(negative.status().message(), "a duration cannot be negative: '-5s'");
  EXPECT_EQ(ParseDurationMs("soon").status().message(),
            "'soon' is not a duration (e.g. 500ms, 30s, 5m, 2h, 1d, 1h30m)");
  EXPECT_FALSE(ParseDurationMs("999999999999999d").ok());
}

TEST(ParsersTest, ByteSizes) {
  const std::vector<std::pair<std::string, int64_t>> cases = {{"1048576", 1'048'576},
                                                              {"512k", 512'000},
                                                              {"512KB", 512'000},
                                                              {"64MB", 64'000'000},
                                                              {"64m", 64'000'000},
                                                              {"2g", 2'000'000'000},
                                                              {"2GB", 2'000'000'000},
                                                              {"1KiB", 1024},
                                                              {"128MiB", 134'217'728},
                                                              {"1gib", 1'073'741'824},
                                                              {"1.5MB", 1'500'000},
                                                              {"10 b", 10},
                                                              {"0", 0},
                                                              {"64 MiB", 67'108'864}};
  for (const auto& [text, expected] : cases) {
    Result<int64_t> value = ParseByteSizeText(text);
    ASSERT_TRUE(value.ok()) << text << ": " << value.status().ToString();
    EXPECT_EQ(*value, expected) << text;
  }
  for (const char* text : {"", "MB", "12 parsecs", "1e3", "-1k", "1..2k", "99999999999tb"}) {
    EXPECT_FALSE(ParseByteSizeText(text).ok()) << text;
  }
}

TEST(ParsersTest, Booleans) {
  for (const char* text : {"true", "TRUE", "True", "yes", "Yes", "on", "ON", "1"}) {
    Result<bool> value = ParseBool(text);
    ASSERT_TRUE(value.ok()) << text;
    EXPECT_TRUE(*value) << text;
  }
  for (const char* text : {"false", "FALSE", "no", "NO", "off", "Off", "0"}) {
    Result<bool> value = ParseBool(text);
    ASSERT_TRUE(value.ok()) << text;
    EXPECT_FALSE(*value) << text;
  }
  for (const char* text : {"", "y", "n", "2", "truee", "maybe"}) {
    EXPECT_FALSE(ParseBool(text).ok()) << text;
  }
}

TEST(ParsersTest, ValueTypeNames) {
  EXPECT_EQ(ValueTypeName(ValueType::kString), "string");
  EXPECT_EQ(ValueTypeName(ValueType::kInt), "integer");
  EXPECT_EQ(ValueTypeName(ValueType::kDuration), "duration");
  EXPECT_EQ(ValueTypeName(ValueType::kByteSize), "byte size");
  EXPECT_EQ(ValueTypeName(ValueType::kStringList), "list of strings");
  EXPECT_EQ(ValueTypeName(ValueType::kObjectMap), "map of maps");
}

// --- ConfigValues ---

TEST(ConfigValuesTest, WrittenValuesAndDefaults) {
  const ConfigNode node = Parse(
      "path: drops/*.csv\n"
      "min_age: 1m\n"
      "columns: only_one\n"
      "schema: {id: int64, amount: 'decimal(10,2)'}\n"
      "header: off\n"
      "ratio: 0.25\n"
      "sample_rows: 100\n"
      "max_size: 2KiB\n"
      "format:\n");
  const ConfigValues values(&node, &SourceSpec());
  EXPECT_TRUE(values.Has("path"));
  EXPECT_FALSE(values.Has("url"));
  EXPECT_FALSE(values.Has("format"));  // written with no value
  EXPECT_NE(values.Node("format"), nullptr);
  EXPECT_EQ(values.String("path"), "drops/*.csv");
  EXPECT_EQ(values.String("type"), "file");  // default
  EXPECT_EQ(values.String("url"), "");       // no default
  EXPECT_EQ(values.DurationMs("min_age"), 60'000);
  EXPECT_EQ(values.StringList("columns"), (std::vector<std::string>{"only_one"}));
  EXPECT_EQ(values.StringList("null_values"), (std::vector<std::string>{""}));  // "[\"\"]"
  const std::vector<std::pair<std::string, std::string>> schema = {{"id", "int64"},
                                                                   {"amount", "decimal(10,2)"}};
  EXPECT_EQ(values.StringMap("schema"), schema);
  EXPECT_FALSE(values.Bool("header"));
  EXPECT_DOUBLE_EQ(values.Number("ratio"), 0.25);
  EXPECT_EQ(values.Int("sample_rows"), 100);
  EXPECT_EQ(values.Bytes("max_size"), 2048);
  ExpectMark(values.Mark("min_age"), 2, 10);
  ExpectMark(values.Mark("url"), 1, 1);  // absent: the map's mark
  EXPECT_EQ(values.Node("url"), nullptr);
}

TEST(ConfigValuesTest, DefaultsWhenAbsentOrUnparsable) {
  const ConfigNode node = Parse("min_age: soon\nsample_rows: many\nheader: perhaps\nratio: x\n");
  const ConfigValues values(&node, &SourceSpec());
  EXPECT_EQ(values.DurationMs("min_age"), 10'000);
  EXPECT_EQ(values.Int("sample_rows"), 20'480);
  EXPECT_TRUE(values.Bool("header"));
  EXPECT_DOUBLE_EQ(values.Number("ratio"), 0.5);
  EXPECT_EQ(values.Bytes("max_size"), 67'108'864);
  EXPECT_TRUE(values.StringList("columns").empty());
  EXPECT_TRUE(values.StringMap("schema").empty());
  // No node at all (the key not written in the file): every getter gives the spec's default.
  const ConfigValues none(nullptr, &RetrySpec());
  EXPECT_FALSE(none.Has("attempts"));
  EXPECT_EQ(none.Int("attempts"), 2);
  EXPECT_EQ(none.DurationMs("delay"), 5'000);
  EXPECT_EQ(none.Mark("delay").line, 0);
  // A key the spec does not know: zero values.
  EXPECT_EQ(none.Int("unknown"), 0);
  EXPECT_EQ(none.String("unknown"), "");
  EXPECT_FALSE(none.Bool("unknown"));
}

// --- Errors ---

TEST(ConfigErrorsTest, SortedByLineAndColumnAndDeduplicated) {
  ConfigErrors errors;
  EXPECT_TRUE(errors.empty());
  EXPECT_TRUE(errors.ToStatus().ok());
  errors.Add(SourceMark{"f.yml", 9, 2}, "third");
  errors.Add(SourceMark{"f.yml", 2, 8}, "second");
  errors.Add(SourceMark{"f.yml", 2, 3}, "first");
  errors.Add(SourceMark{"f.yml", 9, 2}, "third");
  errors.Add(SourceMark{"f.yml", 9, 2}, "fourth");
  EXPECT_EQ(errors.errors().size(), 5u);
  Status status = errors.ToStatus();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(),
            "f.yml:2:3: first\nf.yml:2:8: second\nf.yml:9:2: third\nf.yml:9:2: fourth");
  EXPECT_EQ((ConfigError{SourceMark{"retail.yml", 7, 5}, "unknown key"}).ToString(),
            "retail.yml:7:5: unknown key");
  EXPECT_EQ((ConfigError{SourceMark{}, "no place"}).ToString(), "no place");
}

// --- Help and docs ---

TEST(SpecDocsTest, Markdown) {
  const std::string markdown = SpecToMarkdown(ProjectSpec(), "project");
  EXPECT_EQ(
      markdown.rfind("# project (project)\n\nThe project file\n\n"
                     "| key | type | default | required | description |\n"
                     "|---|---|---|---|---|\n"
                     "| `name` | string |  | yes | The project's name |\n"
                     "| `retries` | map |  |  | Retries of failing tasks See [retries](#retries)."
                     " Example: `{attempts: 3, delay: 10s}` |\n",
                     0),
      0u)
      << markdown;
  EXPECT_NE(markdown.find("\n## retries\n\nA map with the keys of `retries`: How failing tasks "
                          "are retried.\n\n| key | type | default | required | description |\n"
                          "|---|---|---|---|---|\n"
                          "| `attempts` | integer | `2` |  | Tries in all |\n"
                          "| `delay` | duration | `5s` |  | Wait between tries |\n"),
            std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("\n## sources\n\nA map of names to maps, each with the keys of `file`"),
            std::string::npos);
  EXPECT_NE(markdown.find("| `path` | string |  | yes | Glob of the files Example: "
                          "`drops/*.csv` |\n"),
            std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("| `format` | one of csv, json, ndjson, parquet |  |  | File format |"),
            std::string::npos);
  EXPECT_NE(markdown.find("| `password` | string |  |  | Database password Secret: write it as "
                          "`${ENV_VAR}`; it is redacted from logs. |"),
            std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("| `null_values` | list of strings | `[\"\"]` |  | Texts meaning "
                          "null |"),
            std::string::npos)
      << markdown;
  EXPECT_NE(markdown.find("## Example\n\n```yaml\nname: ...\nretries: {attempts: 3, delay: "
                          "10s}\n```\n"),
            std::string::npos)
      << markdown;
}

TEST(SpecDocsTest, MarkdownEscapesPipes) {
  KeySpec key = Key("sep", ValueType::kString, "|", "A | B");
  const ConfigSpec spec("x", "d", {key});
  EXPECT_NE(SpecToMarkdown(spec, "format").find("| `sep` | string | `\\|` |  | A \\| B |"),
            std::string::npos);
}

TEST(SpecDocsTest, Text) {
  const std::string text = SpecToText(RetrySpec(), "project");
  EXPECT_EQ(text,
            "retries (project)\n"
            "  How failing tasks are retried\n"
            "\n"
            "  KEY       TYPE      DEFAULT  DESCRIPTION\n"
            "  attempts  integer   2        Tries in all\n"
            "  delay     duration  5s       Wait between tries\n");
  const std::string project = SpecToText(ProjectSpec(), "project");
  EXPECT_NE(project.find("  name     string, required           The project's name\n"),
            std::string::npos)
      << project;
  EXPECT_NE(project.find("    retries: a map with these keys\n"
                         "      KEY       TYPE      DEFAULT  DESCRIPTION\n"
                         "      attempts  integer   2        Tries in all\n"),
            std::string::npos)
      << project;
  EXPECT_NE(project.find("format       one of csv|json|ndjson|parquet"), std::string::npos)
      << project;
}

// --- Redactor ---

TEST(RedactorTest, RegisterAndRedact) {
  Redactor redactor;
  EXPECT_EQ(redactor.Redact("nothing registered"), "nothing registered");
  redactor.Register("abc");  // too short: would mangle ordinary text
  redactor.Register("");
  EXPECT_EQ(redactor.Redact("abc abc"), "abc abc");
  redactor.Register("abcd");
  redactor.Register("abcdefgh");
  redactor.Register("abcd");  // duplicate
  // Longest first: the long secret is masked whole, not as "***efgh".
  EXPECT_EQ(redactor.Redact("xabcdefghy abcd abcdabcd"), "x***y *** ******");
  EXPECT_EQ(redactor.Redact(""), "");
  redactor.Clear();
  EXPECT_EQ(redactor.Redact("abcd"), "abcd");
}

TEST(RedactorTest, GlobalIsShared) {
  Redactor::Global().Clear();
  Redactor::Global().Register("global-secret");
  EXPECT_EQ(Redactor::Global().Redact("a global-secret b"), "a *** b");
  Redactor::Global().Clear();
  EXPECT_EQ(Redactor::Global().Redact("a global-secret b"), "a global-secret b");
}

}  // namespace
}  // namespace sluice::config

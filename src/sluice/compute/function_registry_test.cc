// The function registry: one entry per SQL function, found by name or alias, each documented in
// docs/expressions.md, each binding a call of its smallest arity, and arity errors that teach.
#include "sluice/compute/function_registry.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "sluice/compute/expression_parser.h"

namespace sluice::compute {
namespace {

TEST(FunctionRegistryTest, NamesAreUniqueSortedAndFoundByAlias) {
  const std::vector<FunctionRule>& rules = FunctionRules();
  ASSERT_GT(rules.size(), 20u);
  for (size_t i = 1; i < rules.size(); ++i) EXPECT_LT(rules[i - 1].name, rules[i].name);
  for (const FunctionRule& rule : rules) {
    EXPECT_EQ(FindFunction(rule.name), &rule);
    for (std::string_view alias : rule.aliases) EXPECT_EQ(FindFunction(alias), &rule);
    EXPECT_LE(rule.min_args, rule.max_args) << rule.name;
    EXPECT_NE(rule.bind, nullptr) << rule.name;
  }
  EXPECT_EQ(FindFunction("substring")->name, "substr");
  EXPECT_EQ(FindFunction("no_such_function"), nullptr);
}

TEST(FunctionRegistryTest, EveryFunctionIsDocumented) {
  std::ifstream in(std::string(SLUICE_SOURCE_DIR) + "/docs/expressions.md");
  ASSERT_TRUE(in.good()) << "docs/expressions.md not found";
  std::stringstream text;
  text << in.rdbuf();
  const std::string docs = text.str();
  for (const FunctionRule& rule : FunctionRules()) {
    const bool documented = docs.find("`" + std::string(rule.name)) != std::string::npos ||
                            docs.find(" " + std::string(rule.name) + "(") != std::string::npos;
    EXPECT_TRUE(documented) << rule.name << " is not in docs/expressions.md";
  }
}

TEST(FunctionRegistryTest, CallsBindThroughTheRegistryAndArityErrorsTeach) {
  const columnar::Schema schema({{"name", columnar::DataType::String()},
                                 {"qty", columnar::DataType::Int64()},
                                 {"day", columnar::DataType::Date()}});
  for (const char* text :
       {"upper(name)", "substring(name, 2)", "ceiling(qty)", "datediff('day', day, day)",
        "coalesce(name, 'x')", "regexp_replace(name, 'a', 'b', 'g')", "now()"}) {
    auto parsed = ParseExpression(text).ValueOrDie();
    auto bound = Bind(*parsed, schema);
    EXPECT_TRUE(bound.ok()) << text << ": " << bound.status().ToString();
  }
  auto parsed = ParseExpression("split_part(name, ',')").ValueOrDie();
  EXPECT_NE(Bind(*parsed, schema).status().message().find("split_part() takes 3 arguments, not 2"),
            std::string::npos);
  parsed = ParseExpression("frobnicate(qty)").ValueOrDie();
  EXPECT_NE(Bind(*parsed, schema).status().message().find("unknown function frobnicate()"),
            std::string::npos);
  parsed = ParseExpression("upper(name)").ValueOrDie();
  EXPECT_EQ(Bind(*parsed, schema).ValueOrDie()->kernel, Kernel::kUpper);
}

}  // namespace
}  // namespace sluice::compute

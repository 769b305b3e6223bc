// sluice functions: the SQL functions of the expression language, from the registry the binder
// uses (compute/function_registry.h), so the list is never out of date.
#include <cstdio>
#include <iostream>
#include <string>

#include "commands.h"
#include "exit_codes.h"
#include "sluice/compute/function_registry.h"

namespace sluice::cli {

void RegisterFunctions(CLI::App* app, int* exit_code) {
  auto name = std::make_shared<std::string>();
  CLI::App* command = app->add_subcommand(
      "functions", "List the SQL functions of derive:, filter: and checks (docs/expressions.md)");
  command->add_option("NAME", *name, "Show one function (by name or alias)");
  command->callback([name, exit_code] {
    if (!name->empty()) {
      const compute::FunctionRule* rule = compute::FindFunction(*name);
      if (rule == nullptr) {
        *exit_code = ReportError(Status::InvalidArgument("no function is named '" + *name +
                                                         "'; 'sluice functions' lists them"));
        return;
      }
      std::cout << rule->signature << "\n  " << rule->summary << '\n';
      for (std::string_view alias : rule->aliases) std::cout << "  also: " << alias << '\n';
      *exit_code = kExitOk;
      return;
    }
    for (const compute::FunctionRule& rule : compute::FunctionRules()) {
      std::string aliases;
      for (std::string_view alias : rule.aliases) {
        aliases += (aliases.empty() ? " (also " : ", ") + std::string(alias);
      }
      if (!aliases.empty()) aliases += ")";
      std::printf("%-52s %s%s\n", std::string(rule.signature).c_str(),
                  std::string(rule.summary).c_str(), aliases.c_str());
    }
    std::cout << "\nOperators, CASE, CAST and the values they take: docs/expressions.md\n";
    *exit_code = kExitOk;
  });
}

}  // namespace sluice::cli

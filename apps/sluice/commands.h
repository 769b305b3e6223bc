// The subcommands of the sluice binary. Each Register* adds a subcommand to the app and sets its
// callback; the callback stores the exit code in *exit_code.
#pragma once

#include <CLI/CLI.hpp>

namespace sluice::cli {

struct GlobalFlags {
  int threads = 2;
};

void RegisterCat(CLI::App* app, const GlobalFlags* global, int* exit_code);
void RegisterSchema(CLI::App* app, const GlobalFlags* global, int* exit_code);
void RegisterCount(CLI::App* app, const GlobalFlags* global, int* exit_code);
void RegisterConvert(CLI::App* app, const GlobalFlags* global, int* exit_code);
void RegisterInspect(CLI::App* app, const GlobalFlags* global, int* exit_code);
void RegisterTable(CLI::App* app, const GlobalFlags* global, int* exit_code);
// run, validate, plan.
void RegisterProjectCommands(CLI::App* app, const GlobalFlags* global, int* exit_code);
void RegisterComponents(CLI::App* app, int* exit_code);
void RegisterFunctions(CLI::App* app, int* exit_code);
void RegisterInit(CLI::App* app, int* exit_code);
// profile, quality, detokenize.
void RegisterWarehouseCommands(CLI::App* app, int* exit_code);
void RegisterSilverCommands(CLI::App* app, const GlobalFlags* global, int* exit_code);

}  // namespace sluice::cli

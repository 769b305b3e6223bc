// sluice: one binary for the whole data pipeline. Subcommands live in one file each.
#include <CLI/CLI.hpp>

#include <malloc.h>

#include <thread>

#include "commands.h"
#include "exit_codes.h"

int main(int argc, char** argv) {
  // Batches are allocated and freed at a steady rate: keep freed memory for reuse instead of
  // returning it to the kernel and faulting it back in (bounded by the reader's working set).
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  // Few allocator arenas: each thread's arena would keep its own freed memory (up to the trim
  // threshold), so that silver on 10M orders peaked at 2.6 GB with glibc's default of 8 per core
  // and at 2.0 GB with one, no slower on 2 cores (docs/benchmarks.md). One per 4 cores.
  mallopt(M_ARENA_MAX, static_cast<int>(std::max(1u, std::thread::hardware_concurrency() / 4)));
  using namespace sluice::cli;
  CLI::App app{
      "sluice — files, databases, APIs and streams into a Delta Lake lake and a warehouse"};
  app.set_version_flag("--version", std::string("sluice ") + SLUICE_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  GlobalFlags global;
  global.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  app.add_option("--threads", global.threads, "Worker threads (default: all cores)")
      ->check(CLI::Range(1, 256));
  app.footer(
      "Start here: sluice init DIR, then sluice run DIR.\n"
      "Exit codes: 0 ok, 1 rejected records beyond the limit, 2 usage or configuration error,\n"
      "3 I/O or runtime error. Run 'sluice COMMAND --help' for a command's options.");
  int exit_code = kExitOk;
  RegisterCat(&app, &global, &exit_code);
  RegisterSchema(&app, &global, &exit_code);
  RegisterCount(&app, &global, &exit_code);
  RegisterConvert(&app, &global, &exit_code);
  RegisterInspect(&app, &global, &exit_code);
  RegisterTable(&app, &global, &exit_code);
  RegisterProjectCommands(&app, &global, &exit_code);
  RegisterComponents(&app, &exit_code);
  RegisterFunctions(&app, &exit_code);
  RegisterInit(&app, &exit_code);
  RegisterSilverCommands(&app, &global, &exit_code);
  RegisterWarehouseCommands(&app, &exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? kExitOk : kExitUsage;
  }
  return exit_code;
}

// The CLI's exit codes — a contract scripts rely on.
#pragma once

#include <cstdio>

#include "sluice/common/redactor.h"
#include "sluice/common/status.h"

namespace sluice::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRejects = 1;  // rejected records beyond the limit (or --on-error fail)
inline constexpr int kExitUsage = 2;    // usage or configuration error
inline constexpr int kExitRuntime = 3;  // I/O or runtime error

inline int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return kExitOk;
    case StatusCode::kDataError:
      return kExitRejects;
    case StatusCode::kInvalidArgument:
      return kExitUsage;
    default:
      return kExitRuntime;
  }
}

// Prints "sluice: error: <message>" (secrets redacted) on stderr and returns the exit code for
// `status`.
inline int ReportError(const Status& status) {
  const std::string message = Redactor::Global().Redact(status.message());
  std::fprintf(stderr, "sluice: error: %s\n", message.c_str());
  return ExitCodeFor(status);
}

}  // namespace sluice::cli

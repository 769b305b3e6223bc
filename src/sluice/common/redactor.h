// Redactor: the secret values of this process, and the one place that removes them from text
// bound for logs, reports, errors and API answers.
//
// Secrets are registered when the project file is loaded (values of secret keys, and of
// interpolated variables whose names look secret). Redact replaces every occurrence of each
// registered value (values shorter than 4 characters are not registered: they would mangle
// ordinary text) with "***".
//
// Thread-safety: all members may be called from any thread.
#pragma once

#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace sluice {

class Redactor {
 public:
  // The process-wide instance every log and report writer uses.
  static Redactor& Global();

  void Register(std::string secret);
  std::string Redact(std::string_view text) const;
  void Clear();  // tests

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> secrets_;
};

}  // namespace sluice

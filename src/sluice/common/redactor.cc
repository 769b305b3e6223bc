#include "sluice/common/redactor.h"

#include <algorithm>
#include <utility>

namespace sluice {

namespace {
constexpr size_t kMinSecretLength = 4;
constexpr std::string_view kMask = "***";
}  // namespace

Redactor& Redactor::Global() {
  // Never destroyed: log writers on other threads may still redact during exit.
  static Redactor* const global = new Redactor();
  return *global;
}

void Redactor::Register(std::string secret) {
  if (secret.size() < kMinSecretLength) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (std::find(secrets_.begin(), secrets_.end(), secret) != secrets_.end()) return;
  // Longest first, so that a secret containing another is masked whole.
  auto position = std::find_if(secrets_.begin(), secrets_.end(), [&](const std::string& other) {
    return other.size() < secret.size();
  });
  secrets_.insert(position, std::move(secret));
}

std::string Redactor::Redact(std::string_view text) const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (secrets_.empty()) return std::string(text);
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    bool masked = false;
    for (const std::string& secret : secrets_) {
      if (secret.front() == text[i] && text.compare(i, secret.size(), secret) == 0) {
        out += kMask;
        i += secret.size();
        masked = true;
        break;
      }
    }
    if (!masked) {
      out += text[i];
      ++i;
    }
  }
  return out;
}

void Redactor::Clear() {
  std::lock_guard<std::mutex> lock(mutex_);
  secrets_.clear();
}

}  // namespace sluice

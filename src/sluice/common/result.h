// Result<T>: either a value of type T or a non-OK Status.
//
// Contract: a Result built from an OK Status is a programming error and becomes an internal error.
// Access the value only after checking ok(); ValueOrDie() aborts on error (tests and main only).
#pragma once

#include <cstdio>
#include <cstdlib>
#include <utility>
#include <variant>

#include "sluice/common/status.h"

namespace sluice {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : storage_(std::move(value)) {}        // NOLINT(runtime/explicit)
  Result(Status status) : storage_(std::move(status)) {  // NOLINT(runtime/explicit)
    if (std::get<Status>(storage_).ok()) {
      storage_ = Status::Internal("Result constructed from an OK status");
    }
  }

  bool ok() const { return std::holds_alternative<T>(storage_); }

  Status status() const {
    if (ok()) return Status::OK();
    return std::get<Status>(storage_);
  }

  const T& operator*() const& { return std::get<T>(storage_); }
  T& operator*() & { return std::get<T>(storage_); }
  const T* operator->() const { return &std::get<T>(storage_); }
  T* operator->() { return &std::get<T>(storage_); }

  T ValueUnsafe() && { return std::move(std::get<T>(storage_)); }

  T ValueOrDie() && {
    if (!ok()) {
      std::fprintf(stderr, "ValueOrDie on error: %s\n", status().ToString().c_str());
      std::abort();
    }
    return std::move(std::get<T>(storage_));
  }

 private:
  std::variant<T, Status> storage_;
};

}  // namespace sluice

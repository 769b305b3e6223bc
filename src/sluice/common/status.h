// Status: the outcome of a fallible operation, carrying a kind and a message.
//
// Contract: functions that can fail return [[nodiscard]] Status or Result<T>. A Status says what
// kind of failure happened (the StatusCode) and whether retrying may help (IsRetryable(), one rule
// for every retry loop); callers act on the code, never on the message text. Messages name the
// file, line, column or table involved. No exception crosses a module boundary.
//
// Thread-safety: Status is a value type; distinct objects may be used from distinct threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace sluice {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument,  // bad option, bad configuration, bad usage
  kNotFound,         // a file, table or column that does not exist
  kIOError,          // the operating system or storage failed
  kUnavailable,      // a service could not be reached (retryable)
  kTimeout,          // an operation took too long (retryable)
  kDataError,        // input data that cannot be parsed or cast (rows beyond the reject limit)
  kSchemaMismatch,   // data whose shape does not match the declared or existing schema
  kConflict,         // a concurrent writer won (retryable after re-reading)
  kCancelled,        // the operation was cancelled by the caller
  kInternal,         // a bug in sluice
};

// Returns a stable snake_case name for a code ("invalid_argument", "data_error", ...).
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message);

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string message) {
    return Status(StatusCode::kInvalidArgument, std::move(message));
  }
  static Status NotFound(std::string message) {
    return Status(StatusCode::kNotFound, std::move(message));
  }
  static Status IOError(std::string message) {
    return Status(StatusCode::kIOError, std::move(message));
  }
  static Status Unavailable(std::string message) {
    return Status(StatusCode::kUnavailable, std::move(message));
  }
  static Status Timeout(std::string message) {
    return Status(StatusCode::kTimeout, std::move(message));
  }
  static Status DataError(std::string message) {
    return Status(StatusCode::kDataError, std::move(message));
  }
  static Status SchemaMismatch(std::string message) {
    return Status(StatusCode::kSchemaMismatch, std::move(message));
  }
  static Status Conflict(std::string message) {
    return Status(StatusCode::kConflict, std::move(message));
  }
  static Status Cancelled(std::string message) {
    return Status(StatusCode::kCancelled, std::move(message));
  }
  static Status Internal(std::string message) {
    return Status(StatusCode::kInternal, std::move(message));
  }

  bool ok() const { return state_ == nullptr; }
  StatusCode code() const { return state_ ? state_->code : StatusCode::kOk; }
  const std::string& message() const;

  // True when the same operation may succeed if tried again: the one rule the executor's retries
  // and the run report follow. By code: unavailable, timeout,
  // conflict and I/O errors may pass; the others will not. The code that made the status may say
  // otherwise with WithRetryable (e.g. an I/O error from a permission or a read-only disk).
  bool IsRetryable() const;
  // A copy whose IsRetryable() is `retryable` (no effect on an OK status).
  Status WithRetryable(bool retryable) const;

  // "data_error: orders.csv:12:3: ..." — the code name followed by the message.
  std::string ToString() const;

  // Returns a copy whose message is `prefix + ": " + message()`; the code is kept.
  Status WithContext(std::string_view prefix) const;

 private:
  struct State {
    StatusCode code;
    std::string message;
    int retryable = -1;  // -1: by code; 0 or 1: as the maker of the status said
  };
  std::shared_ptr<const State> state_;
};

}  // namespace sluice

#define SLUICE_CONCAT_INNER(a, b) a##b
#define SLUICE_CONCAT(a, b) SLUICE_CONCAT_INNER(a, b)

// Returns from the enclosing function when `expr` (a Status) is not OK.
#define SLUICE_RETURN_NOT_OK(expr)                   \
  do {                                               \
    ::sluice::Status _sluice_status = (expr);        \
    if (!_sluice_status.ok()) return _sluice_status; \
  } while (false)

#define SLUICE_ASSIGN_OR_RETURN_IMPL(result_name, lhs, rexpr) \
  auto result_name = (rexpr);                                 \
  if (!result_name.ok()) return result_name.status();         \
  lhs = std::move(result_name).ValueUnsafe();

// `SLUICE_ASSIGN_OR_RETURN(auto x, MakeX())`: assigns the value of a Result or returns its error.
#define SLUICE_ASSIGN_OR_RETURN(lhs, rexpr) \
  SLUICE_ASSIGN_OR_RETURN_IMPL(SLUICE_CONCAT(_sluice_result_, __LINE__), lhs, rexpr)

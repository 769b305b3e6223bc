#include "sluice/common/status.h"

namespace sluice {

std::string_view StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid_argument";
    case StatusCode::kNotFound:
      return "not_found";
    case StatusCode::kIOError:
      return "io_error";
    case StatusCode::kUnavailable:
      return "unavailable";
    case StatusCode::kTimeout:
      return "timeout";
    case StatusCode::kDataError:
      return "data_error";
    case StatusCode::kSchemaMismatch:
      return "schema_mismatch";
    case StatusCode::kConflict:
      return "conflict";
    case StatusCode::kCancelled:
      return "cancelled";
    case StatusCode::kInternal:
      return "internal";
  }
  return "unknown";
}

Status::Status(StatusCode code, std::string message) {
  if (code != StatusCode::kOk) {
    state_ = std::make_shared<const State>(State{code, std::move(message)});
  }
}

const std::string& Status::message() const {
  static const std::string kEmpty;
  return state_ ? state_->message : kEmpty;
}

bool Status::IsRetryable() const {
  if (state_ != nullptr && state_->retryable >= 0) return state_->retryable == 1;
  switch (code()) {
    case StatusCode::kUnavailable:
    case StatusCode::kTimeout:
    case StatusCode::kConflict:
    case StatusCode::kIOError:
      return true;
    default:
      return false;
  }
}

Status Status::WithRetryable(bool retryable) const {
  if (ok()) return *this;
  Status copy;
  copy.state_ = std::make_shared<const State>(State{code(), message(), retryable ? 1 : 0});
  return copy;
}

std::string Status::ToString() const {
  if (ok()) return "ok";
  std::string out(StatusCodeName(code()));
  out += ": ";
  out += message();
  return out;
}

Status Status::WithContext(std::string_view prefix) const {
  if (ok()) return *this;
  std::string message(prefix);
  message += ": ";
  message += state_->message;
  Status copy;
  copy.state_ =
      std::make_shared<const State>(State{state_->code, std::move(message), state_->retryable});
  return copy;
}

}  // namespace sluice

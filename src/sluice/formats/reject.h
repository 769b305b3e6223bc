// Rejects: records that could not be read, with where and why, and the policy that decides what
// happens to them.
//
// Readers never drop a bad record silently and never crash on one: each goes to a RejectTracker,
// which counts it, keeps it (quarantine), forgets it (skip) or fails the read (fail), and fails the
// read when the count passes the configured limit. Invariant kept by every reader:
//   records read = rows produced + rejects.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/common/result.h"

namespace sluice::formats {

enum class RejectKind {
  kUnterminatedQuote,  // a quoted CSV field never closed
  kUnexpectedQuote,    // text between a closing quote and the next delimiter
  kFieldCount,         // wrong number of fields in a CSV row
  kInvalidUtf8,        // bytes that are not UTF-8
  kMalformedJson,      // JSON that does not parse
  kCastError,          // a value that does not fit its column's type
  kRecordTooLarge,     // a record longer than the reader's limit
};

// "unterminated_quote", "field_count", "cast_error", ...
std::string_view RejectKindName(RejectKind kind);

struct Reject {
  std::string file;
  int64_t line = 0;         // 1-based line where the record starts
  int64_t byte_offset = 0;  // 0-based offset of the record in the (decompressed) input
  int64_t column = 0;       // 1-based character column of the problem within its line; 0 unknown
  std::string field;        // name of the offending column, empty when not about one column
  RejectKind kind = RejectKind::kCastError;
  std::string message;  // one line, for people
  std::string raw;      // the record's raw text (cut at kMaxRawBytes)

  static constexpr size_t kMaxRawBytes = 64 * 1024;

  // "orders.csv:12:5: cast_error: column 'quantity': 'abc' is not an int64".
  std::string ToString() const;
  // One JSON object (no newline): {"file":..,"line":..,"byte_offset":..,"column":..,"field":..,
  // "kind":..,"message":..,"raw":..}.
  std::string ToJson() const;
};

enum class OnError { kFail, kSkip, kQuarantine };

struct RejectPolicy {
  OnError on_error = OnError::kQuarantine;
  std::optional<int64_t> max_count;    // more rejects than this fails the read
  std::optional<double> max_fraction;  // rejects / records read above this fails (checked at end)

  // on_error: "fail" | "skip" | "quarantine"; max_rejects: "" (no limit), "N" or "P%".
  static Result<RejectPolicy> Parse(std::string_view on_error, std::string_view max_rejects);
};

// Receives the rejects a tracker keeps (quarantine). Called from the thread that drives the reader.
using RejectSink = std::function<Status(const Reject&)>;

// Counts rejects and applies a RejectPolicy. Not thread-safe: readers report rejects in input order
// from the thread that calls their Next().
class RejectTracker {
 public:
  explicit RejectTracker(RejectPolicy policy, RejectSink sink = nullptr)
      : policy_(policy), sink_(std::move(sink)) {}

  // Records one reject. Returns a DataError (exit code 1 in the CLI) when the policy says the read
  // must fail: on_error=fail, or the count passed max_count.
  Status Add(Reject reject);

  // Called by each reader once its input is complete, with its number of good rows. Checks the
  // fractional limit over everything read through this tracker so far (all inputs of a session).
  Status Finish(int64_t rows);

  int64_t count() const { return count_; }
  // The rejects kept so far (quarantine without a sink keeps them here).
  const std::vector<Reject>& kept() const { return kept_; }
  const RejectPolicy& policy() const { return policy_; }

 private:
  RejectPolicy policy_;
  RejectSink sink_;
  int64_t count_ = 0;
  int64_t rows_ = 0;  // good rows of the inputs finished so far
  std::vector<Reject> kept_;
};

}  // namespace sluice::formats

// Profile: what the columns of a file or table hold — type, null share, distinct estimate,
// min/max, top values — and which look like personal data (PII), with the mask to use.
//
// PII is recognised by the values (a string column where at least half of the non-null values
// match one kind): email addresses, phone numbers (a leading + or (area code) with 7–15 digits, or
// 9–15 digits with separators), card numbers (13–19 digits passing the Luhn check), IBANs (country,
// check digits, mod-97 valid), IP addresses (v4 and v6) and US social security numbers
// (ddd-dd-dddd); and by the name for birth dates (a date or timestamp column named *birth* or dob).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sluice/columnar/batch.h"

namespace sluice::silver {

enum class PiiKind { kEmail, kPhone, kCardNumber, kIban, kIpAddress, kNationalId };
std::string_view PiiKindName(PiiKind kind);  // "email", "phone", "card number", ...

// What one value looks like, if it looks like PII.
std::optional<PiiKind> DetectPii(std::string_view value);
bool LuhnValid(std::string_view digits);  // digits only
bool IbanValid(std::string_view text);    // spaces allowed

// HyperLogLog with 4,096 registers: about 1.6% standard error.
class DistinctCounter {
 public:
  void Add(std::string_view value);
  int64_t Estimate() const;

 private:
  std::array<uint8_t, 4096> registers_{};
};

struct ColumnProfile {
  std::string name;
  columnar::DataType type;
  int64_t rows = 0;
  int64_t nulls = 0;
  int64_t distinct = 0;                              // estimate
  std::string min, max;                              // display text; empty when every value is null
  std::vector<std::pair<std::string, int64_t>> top;  // up to 5, most frequent first
  std::optional<PiiKind> pii;
  double pii_share = 0;    // of the non-null values
  std::string suggestion;  // a mask ("hmac", "mask(4)", ...) or empty
  std::string reason;      // why the suggestion
};

class Profiler {
 public:
  Profiler();
  ~Profiler();

  // Batches may differ in columns (files of one drop): columns are matched by name.
  void Add(const columnar::Batch& batch);
  std::vector<ColumnProfile> Finish() const;

 private:
  struct State;
  std::vector<std::unique_ptr<State>> columns_;
};

}  // namespace sluice::silver

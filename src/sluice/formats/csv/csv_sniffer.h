// CSVSniffer: guesses the delimiter and whether the first row is a header, from a sample.
//
// Delimiter: the candidate among , ; | and tab (quote-aware) that splits the sample rows into the
// most consistent number of fields greater than one; ',' when none does.
// Header: yes when some column's values (rows 2..n) have a type (number, date, bool, ...) that the
// first row's value does not fit; with no typed column, yes when the first row has no empty values
// and none of them looks like a number or date.
#pragma once

#include <string_view>

#include "sluice/formats/csv/csv_options.h"

namespace sluice::formats {

class CSVSniffer {
 public:
  // Fills the unset parts of `options` into a dialect, from `sample` (the start of the input, BOM
  // removed). `at_end`: the sample is the whole input.
  static CSVDialect Sniff(std::string_view sample, bool at_end, const CSVReadOptions& options);

  static constexpr size_t kSampleBytes = 64 * 1024;
  static constexpr int kSampleRows = 100;
};

}  // namespace sluice::formats

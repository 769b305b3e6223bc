// TablePrinter: renders batches as a box-drawn text table for people.
//
//   ┌──────────┬────────────────┐
//   │ order_id │ email          │
//   │ int64    │ string         │
//   ├──────────┼────────────────┤
//   │        1 │ ann@example.eu │
//   └──────────┴────────────────┘
//
// Streaming: column widths are fixed from the header and the first batch; later values wider than
// that are cut with "…". Numbers are right-aligned. NULL is shown as NULL. Control characters in
// strings are shown escaped (\n, \t). If a batch arrives with a different schema, the current table
// is closed and a new one begins. Not thread-safe.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "sluice/columnar/batch.h"

namespace sluice::columnar {

class TablePrinter {
 public:
  struct Options {
    size_t max_column_width = 40;
    // What Finish counts: "N rows" ("rows"), or another noun ("columns"), or nothing ("").
    std::string count_noun = "rows";
  };

  TablePrinter(std::ostream& out, Options options) : out_(out), options_(options) {}
  explicit TablePrinter(std::ostream& out) : TablePrinter(out, Options{}) {}

  // Prints up to `max_rows` rows of `batch` (all when negative).
  void Print(const Batch& batch, int64_t max_rows = -1);

  // Closes the table and prints "N rows". Prints an empty header-only table when no batch came
  // but a schema was given with SetSchema.
  void Finish();

  void SetSchema(SchemaPtr schema);

 private:
  void Begin(const Batch* batch);
  void PrintBorder(const char* left, const char* middle, const char* right);
  void PrintCells(const std::vector<std::string>& cells, const std::vector<bool>& right_align);
  std::string Cell(const Column& column, int64_t row) const;

  std::ostream& out_;
  Options options_;
  SchemaPtr schema_;
  bool open_ = false;
  std::vector<size_t> widths_;
  std::vector<bool> right_align_;
  int64_t rows_printed_ = 0;
};

// Number of terminal columns `text` occupies (UTF-8 code points; continuation bytes don't count).
size_t DisplayWidth(std::string_view text);

}  // namespace sluice::columnar

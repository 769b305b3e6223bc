// RowPredicate: the condition of a DELETE — comparisons joined by AND — evaluated on rows and,
// for pruning, on a data file's statistics and partition values.
//
// Syntax: `term [AND term]...`, term = `column op literal` with op one of = == != <> < <= > >=,
// or `column IS [NOT] NULL`. Literals: numbers, 'quoted strings' (with '' for a quote), dates
// (2024-01-31) and timestamps (2024-01-31T10:00:00Z), bare words, true/false. Column names match
// the table schema (exactly, else case-insensitively); a quoted "name" allows spaces.
// SQL semantics: a comparison with NULL is not true, so such rows are not deleted.
// (The full expression language of silver transforms replaces this grammar later.)
//
// Thread-safety: immutable after Parse; Matches/MayMatch may be called from several threads.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sluice/columnar/batch.h"
#include "sluice/columnar/comparison.h"
#include "sluice/columnar/schema.h"
#include "sluice/common/result.h"
#include "sluice/lake/actions.h"
#include "sluice/lake/file_statistics.h"
#include "sluice/lake/snapshot.h"

namespace sluice::lake {

class RowPredicate {
 public:
  using Op = columnar::ComparisonOp;
  struct Term {
    std::string column;  // as named in the schema
    size_t column_index = 0;
    columnar::DataType type;
    Op op = Op::kEqual;
    StatValue literal;  // comparable form of the literal (monostate for IS [NOT] NULL)
  };

  // Errors: InvalidArgument naming the position (1-based character) and what was expected, an
  // unknown column (with the known ones) or a literal that does not fit the column's type.
  static Result<RowPredicate> Parse(std::string_view text, const columnar::Schema& schema);

  const std::vector<Term>& terms() const { return terms_; }
  const std::string& text() const { return text_; }

  // Sets matches[i] for each row of `batch` (whose schema contains the predicate's columns by
  // name).
  Status Evaluate(const columnar::Batch& batch, std::vector<uint8_t>* matches) const;

  // False only when the file's statistics or partition values prove no row can match. The file is
  // one of `snapshot`'s: its partition values and statistics are read under the columns' physical
  // names when the table maps columns.
  bool MayMatch(const AddFile& file, const Snapshot& snapshot) const;

 private:
  std::vector<Term> terms_;
  std::string text_;
};

}  // namespace sluice::lake

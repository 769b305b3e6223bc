// JSONReader: reads newline-delimited JSON, concatenated JSON values, or one top-level array of
// records, into batches.
//
// Shapes (detected from the first non-whitespace byte after an optional UTF-8 BOM):
//   '['   a top-level array: each element is a record (streamed element by element). Further
//         top-level arrays after it are read the same way.
//   else  a sequence of JSON values (NDJSON, or pretty-printed values one after another; CRLF ok).
// An empty input (or only whitespace, or `[]`) is zero records and a schema with zero columns.
// Records:
//   - An object's keys become columns in order of first appearance; nested objects are flattened
//     to `parent__child` columns (empty objects add none); arrays are kept as compact JSON text
//     (type json). A repeated key keeps its last value.
//   - A top-level value that is not an object (array, string, number, ...) becomes a record with
//     one column named `value`.
// Types are inferred from the first `sample_records` records (at most 64 MiB of them), widening:
//   int64 → float64; bool, int64, float64 alone; strings that all parse as date/timestamp/time
//   become that type (see TextTypeInference; other strings, numeric-looking ones included, stay
//   strings); arrays alone → json; only nulls → string; any other mix → string, holding the JSON
//   text of non-strings (42 → "42", true → "true", [1] → "[1]").
//   `infer_types = false` makes every column a string except array-only ones (json).
//   `column_types` fixes the type of named columns (JSON strings convert with AppendText, e.g. a
//   "12.50" string into decimal); a named column that never appears is still added, last.
//   A key first seen after the sample adds a nullable string column at the end (the batch schema
//   widens; columns never disappear or change type). A later value that does not fit its column's
//   type (a string or float in an int64 column, an integer beyond int64, ...) is a cast_error
//   reject naming the column; integers fit float64 columns, anything fits string/json columns.
//   JSON null is always null; a string equal to a null token is null in columns that are not
//   string/json.
// Bad input never crashes and is never dropped: malformed JSON, invalid UTF-8, trailing content
// after a value on its line, values longer than max_record_bytes, and records that would make more
// than 10000 columns become rejects (file, line, byte offset, kind, raw text). Reading resumes at
// the next line (the next element in an array), so good NDJSON lines after a broken one are kept;
// records read = rows + rejects.
// Memory is bounded by the batch size and max_record_bytes, whatever the input size. With
// threads > 1, NDJSON after the sample is parsed a block at a time on at most `threads` threads of
// the process-wide pool, with exactly the output, rejects and positions of one thread (see
// parallel_ndjson_reader.h); other shapes, and blocks whose shares do not join cleanly, are read
// on the calling thread.
// Thread-safety: one caller at a time (see RecordReader).
#pragma once

#include <memory>

#include "sluice/formats/record_reader.h"
#include "sluice/io/input_stream.h"

namespace sluice::formats {

struct JSONReadOptions {
  CommonReadOptions common;
};

class JSONReader : public RecordReader {
 public:
  // Reads the sample and infers the schema. `rejects` must outlive the reader; rejects met in the
  // sample reach it, in input order, from the first Next(). Errors: I/O errors of `input`;
  // InvalidArgument for a null input or tracker. Next() returns the tracker's DataError when the
  // reject policy fails the read.
  static Result<std::unique_ptr<JSONReader>> Open(std::unique_ptr<io::InputStream> input,
                                                  JSONReadOptions options, RejectTracker* rejects);
};

}  // namespace sluice::formats

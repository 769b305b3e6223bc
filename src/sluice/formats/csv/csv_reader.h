// CSVReader: reads delimited text into batches.
//
// Dialect: RFC 4180 plus what real files do — delimiter `,` `;` `|` or tab (sniffed when not
// given), a quote character (default '"', doubled inside quoted fields) and optionally a distinct
// escape character (e.g. '\\'), header yes/no (sniffed when not given), LF, CRLF or bare CR line
// ends, a UTF-8 BOM, and comment lines. Input may be gzip or zstd (see io::OpenDecompressed).
//
// Rows: blank lines are skipped when the table has more than one column (with one column a blank
// line is an empty value). A row with the wrong number of fields, an unterminated quote, text after
// a closing quote, invalid UTF-8 or a value that does not convert to its column's type is a reject
// with file, line, byte offset, column and raw text; reading resumes at the next row.
//
// Types come from TextTypeInference over the first `sample_records` rows, unless infer_types is
// false (all strings) or column_types names a column. Unquoted fields equal to a null token are
// null; a quoted empty string is an empty string in string columns and null in typed columns.
//
// Parsing runs on at most `threads` threads of the process-wide pool, a block at a time: each
// block is split at line breaks quote parity puts outside quotes, the shares are parsed at once,
// and a split the parity misjudged is caught at its seam and parsed again (ParallelBlockParser).
// The next block is read ahead on the pool. Output order is input order, and output, rejects and
// their positions are the same for any thread count. Memory stays bounded (a few blocks) whatever
// the file size.
#pragma once

#include <memory>
#include <optional>

#include "sluice/formats/csv/csv_options.h"
#include "sluice/formats/record_reader.h"
#include "sluice/io/input_stream.h"

namespace sluice::formats {

class CSVReader : public RecordReader {
 public:
  // Sniffs the dialect, reads the header and infers types. `rejects` must outlive the reader.
  static Result<std::unique_ptr<CSVReader>> Open(std::unique_ptr<io::InputStream> input,
                                                 CSVReadOptions options, RejectTracker* rejects);

  // The dialect in use after sniffing.
  virtual const CSVDialect& dialect() const = 0;
};

}  // namespace sluice::formats

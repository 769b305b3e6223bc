// Reader flags shared by the commands that read files (cat, schema, count), and the session that
// opens each input in turn with one reject policy.
#pragma once

#include <CLI/CLI.hpp>

#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "sluice/formats/file_reader.h"
#include "sluice/formats/reject.h"

namespace sluice::cli {

struct ReadFlags {
  std::vector<std::string> paths;
  std::string format;
  std::string delimiter;
  std::string quote = "\"";
  std::string escape;
  std::string header;
  std::string comment;
  std::vector<std::string> null_values;
  std::string types;
  std::string schema;
  std::string on_error = "quarantine";
  std::string max_rejects;
  std::string rejects_path;
  std::string columns;
  int64_t sample = 20480;
  // Delta tables: time travel.
  int64_t version = -1;
  std::string timestamp;

  // Adds the flags to `command`. `with_paths`: PATH... positional (one or more).
  void Register(CLI::App* command);

  // Builds reader options; InvalidArgument for bad flag values.
  Result<formats::FileReadOptions> ToOptions(int threads) const;
};

// Reads each path in turn with one RejectTracker; writes kept rejects to --rejects FILE.
class ReadSession {
 public:
  static Result<std::unique_ptr<ReadSession>> Make(const ReadFlags& flags, int threads);

  // Opens the next path; nullptr when all are done.
  Result<std::unique_ptr<formats::RecordReader>> OpenNext();

  // Prints the reject summary (count, first few) on stderr.
  void ReportRejects() const;

  formats::RejectTracker& tracker() { return *tracker_; }
  // Types to read named columns as, where an input has them (e.g. the columns of the table being
  // appended to); explicit --schema types win.
  void SetColumnTypeHints(std::vector<std::pair<std::string, columnar::DataType>> hints) {
    hints_ = std::move(hints);
  }

 private:
  ReadSession() = default;
  ReadFlags flags_;
  formats::FileReadOptions options_;
  std::unique_ptr<std::ofstream> rejects_file_;
  std::unique_ptr<formats::RejectTracker> tracker_;
  std::vector<std::string> first_rejects_;
  size_t next_path_ = 0;
  std::vector<std::pair<std::string, columnar::DataType>> hints_;
};

// "134217728", "128MiB", "64MB", "512k" → bytes; `flag` names the option in errors.
Result<int64_t> ParseByteSize(const std::string& text, const std::string& flag);
// KEY=VALUE items → Delta table properties, each checked (lake::CheckTableProperty). Errors:
// InvalidArgument naming `flag` and the item.
Result<std::map<std::string, std::string>> ParseProperties(const std::vector<std::string>& items,
                                                           const std::string& flag);
// "a, b,c" → {"a", "b", "c"} (spaces around items dropped, empty items skipped).
std::vector<std::string> SplitList(const std::string& text);
// "12.3 MB" (10^6 bytes).
std::string Megabytes(int64_t bytes);

// True when `path` is a directory holding a Delta table (a `_delta_log` folder).
bool IsDeltaTable(const std::string& path);

}  // namespace sluice::cli

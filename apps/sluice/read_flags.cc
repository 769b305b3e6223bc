#include "read_flags.h"

#include <iostream>
#include <sstream>

#include <cctype>
#include <cstdio>
#include <filesystem>

#include "sluice/columnar/data_type.h"
#include "sluice/columnar/temporal.h"
#include "sluice/io/file_system.h"
#include "sluice/lake/delta_log.h"
#include "sluice/lake/table_features.h"
#include "sluice/lake/table_scan.h"

namespace sluice::cli {

void ReadFlags::Register(CLI::App* command) {
  command
      ->add_option("PATH", paths,
                   "Input files (.csv .tsv .json .ndjson .jsonl, optionally .gz/.zst; .parquet; - "
                   "for stdin) or Delta tables (a folder, or s3://bucket/prefix)")
      ->required();
  command
      ->add_option("--format", format,
                   "Input format: csv, json or parquet (default: from the file extension)")
      ->check(CLI::IsMember({"csv", "tsv", "json", "ndjson", "jsonl", "parquet"}));
  command->add_option("--delimiter", delimiter,
                      "CSV field delimiter, e.g. ',' ';' '|' '\\t' (default: sniffed)");
  command->add_option("--quote", quote, "CSV quote character, 'none' to disable (default: \")");
  command->add_option("--escape", escape,
                      "CSV escape character inside quotes (default: the quote, doubled)");
  command
      ->add_option("--header", header,
                   "Whether the first CSV row is a header: yes or no (default: sniffed)")
      ->check(CLI::IsMember({"yes", "no"}));
  command->add_option("--comment", comment,
                      "Skip CSV lines starting with this character, e.g. '#'");
  command
      ->add_option("--null", null_values,
                   "A text value that means null (repeatable; default: empty field)")
      ->allow_extra_args(false);
  command->add_option("--types", types, "'none' reads every column as a string (no type inference)")
      ->check(CLI::IsMember({"none", "infer"}));
  command->add_option(
      "--schema", schema,
      "Column types, e.g. 'id:int64,price:decimal(10,2),ts:timestamp'; other columns are inferred");
  command->add_option("--sample", sample, "Records sampled to infer types (default: 20480)")
      ->check(CLI::PositiveNumber);
  command
      ->add_option("--on-error", on_error,
                   "Bad records: fail (stop at the first), skip (count only), quarantine (count "
                   "and keep; default)")
      ->check(CLI::IsMember({"fail", "skip", "quarantine"}));
  command->add_option(
      "--max-rejects", max_rejects,
      "Fail (exit 1) when rejects exceed N records or P% of records read, e.g. 100 or 1%");
  command->add_option("--columns", columns,
                      "Only these columns, in this order, e.g. 'id,price' (Parquet reads only "
                      "their data)");
  command
      ->add_option("--version", version,
                   "Delta tables: read this version (time travel; default: the latest)")
      ->check(CLI::NonNegativeNumber);
  command->add_option("--timestamp", timestamp,
                      "Delta tables: read the version current at this time, e.g. "
                      "2024-05-01T12:00:00Z");
  command->add_option(
      "--rejects", rejects_path,
      "Write rejected records as NDJSON (file, line, column, kind, message, raw) to FILE");
}

namespace {

Result<std::vector<std::pair<std::string, columnar::DataType>>> ParseSchema(
    const std::string& text) {
  std::vector<std::pair<std::string, columnar::DataType>> out;
  // Split on commas that are not inside parentheses (decimal(10,2)).
  std::vector<std::string> items;
  std::string current;
  int depth = 0;
  for (char c : text) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      items.push_back(current);
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) items.push_back(current);
  for (const std::string& item : items) {
    const size_t colon = item.rfind(':');
    if (colon == std::string::npos || colon == 0) {
      return Status::InvalidArgument("--schema: expected name:type, got '" + item + "'");
    }
    std::string name = item.substr(0, colon);
    while (!name.empty() && name.front() == ' ') name.erase(name.begin());
    auto type = columnar::DataType::Parse(item.substr(colon + 1));
    if (!type.ok()) return type.status().WithContext("--schema: column '" + name + "'");
    out.emplace_back(std::move(name), *type);
  }
  return out;
}

}  // namespace

Result<formats::FileReadOptions> ReadFlags::ToOptions(int threads) const {
  formats::FileReadOptions options;
  if (!format.empty()) {
    SLUICE_ASSIGN_OR_RETURN(options.format, formats::ParseFileFormat(format));
    if (format == "tsv" && delimiter.empty()) options.csv.delimiter = '\t';
  }
  if (!delimiter.empty()) {
    SLUICE_ASSIGN_OR_RETURN(char c, formats::ParseCharOption(delimiter, "--delimiter"));
    if (c == '\0') return Status::InvalidArgument("--delimiter cannot be none");
    options.csv.delimiter = c;
  }
  SLUICE_ASSIGN_OR_RETURN(options.csv.quote, formats::ParseCharOption(quote, "--quote"));
  if (!escape.empty()) {
    SLUICE_ASSIGN_OR_RETURN(char c, formats::ParseCharOption(escape, "--escape"));
    options.csv.escape = c;
  }
  if (!header.empty()) options.csv.header = header == "yes";
  if (!comment.empty()) {
    SLUICE_ASSIGN_OR_RETURN(options.csv.comment, formats::ParseCharOption(comment, "--comment"));
  }
  formats::CommonReadOptions& common = options.csv.common;
  if (!null_values.empty()) common.null_values = null_values;
  common.infer_types = types != "none";
  if (!schema.empty()) {
    SLUICE_ASSIGN_OR_RETURN(common.column_types, ParseSchema(schema));
  }
  common.sample_records = sample;
  if (!columns.empty()) {
    std::string current;
    for (size_t i = 0; i <= columns.size(); ++i) {
      if (i == columns.size() || columns[i] == ',') {
        while (!current.empty() && current.back() == ' ') current.pop_back();
        if (current.empty()) {
          return Status::InvalidArgument("--columns: an empty column name in '" + columns + "'");
        }
        options.columns.push_back(current);
        current.clear();
      } else if (!(current.empty() && columns[i] == ' ')) {
        current.push_back(columns[i]);
      }
    }
  }
  common.threads = threads;
  return options;
}

Result<std::unique_ptr<ReadSession>> ReadSession::Make(const ReadFlags& flags, int threads) {
  std::unique_ptr<ReadSession> session(new ReadSession());
  session->flags_ = flags;
  SLUICE_ASSIGN_OR_RETURN(session->options_, flags.ToOptions(threads));
  SLUICE_ASSIGN_OR_RETURN(formats::RejectPolicy policy,
                          formats::RejectPolicy::Parse(flags.on_error, flags.max_rejects));
  if (!flags.rejects_path.empty()) {
    session->rejects_file_ = std::make_unique<std::ofstream>(flags.rejects_path, std::ios::trunc);
    if (!*session->rejects_file_) {
      return Status::IOError(flags.rejects_path + ": cannot open for writing");
    }
  }
  ReadSession* raw = session.get();
  session->tracker_ = std::make_unique<formats::RejectTracker>(
      policy, [raw](const formats::Reject& reject) -> Status {
        if (raw->first_rejects_.size() < 5) raw->first_rejects_.push_back(reject.ToString());
        if (raw->rejects_file_) {
          *raw->rejects_file_ << reject.ToJson() << '\n';
          if (!*raw->rejects_file_)
            return Status::IOError(raw->flags_.rejects_path + ": write failed");
        }
        return Status::OK();
      });
  return session;
}

Result<std::unique_ptr<formats::RecordReader>> ReadSession::OpenNext() {
  if (next_path_ >= flags_.paths.size()) return std::unique_ptr<formats::RecordReader>();
  const std::string& path = flags_.paths[next_path_++];
  if (path == "-" && !options_.format) {
    return Status::InvalidArgument(
        "reading standard input needs --format csv, --format json or --format parquet");
  }
  if (IsDeltaTable(path)) {
    SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<lake::DeltaLog> log, lake::DeltaLog::Open(path));
    lake::SnapshotPtr snapshot;
    if (!flags_.timestamp.empty()) {
      int64_t micros = 0;
      if (!columnar::ParseTimestamp(flags_.timestamp, columnar::DateOrder::kYMD, &micros)) {
        return Status::InvalidArgument("--timestamp: '" + flags_.timestamp +
                                       "' is not a timestamp (e.g. 2024-05-01T12:00:00Z)");
      }
      SLUICE_ASSIGN_OR_RETURN(snapshot, log->LoadAtTimestamp(micros / 1000));
    } else {
      SLUICE_ASSIGN_OR_RETURN(
          snapshot,
          log->Load(flags_.version >= 0 ? std::optional<int64_t>(flags_.version) : std::nullopt));
    }
    lake::TableScanOptions scan;
    scan.columns = options_.columns;
    scan.threads = options_.csv.common.threads;
    SLUICE_ASSIGN_OR_RETURN(auto reader, lake::TableScan::Open(log, snapshot, scan));
    return std::unique_ptr<formats::RecordReader>(std::move(reader));
  }
  if (flags_.version >= 0 || !flags_.timestamp.empty()) {
    return Status::InvalidArgument(path + ": --version and --timestamp apply to Delta tables only");
  }
  if (io::UriScheme(path) == "s3") {
    return Status::NotFound(path +
                            ": no Delta table here (no objects under _delta_log/); from s3:// "
                            "sluice reads Delta tables, not single files");
  }
  std::error_code error;
  if (path != "-" && std::filesystem::is_directory(path, error)) {
    return Status::NotFound(path +
                            " is a folder but not a Delta table (no _delta_log); a table "
                            "appears with its first commit");
  }
  if (path != "-" && !std::filesystem::exists(path, error) &&
      !formats::FileFormatFromPath(path).ok()) {
    return Status::NotFound(path + ": no such file or table");
  }
  if (!hints_.empty() && path != "-") {
    // Probe the input's columns, then read it with the hinted types for the columns it has.
    formats::FileReadOptions probe_options = options_;
    probe_options.columns.clear();
    probe_options.csv.common.sample_records = 1;
    formats::RejectTracker probe_tracker(formats::RejectPolicy{},
                                         [](const formats::Reject&) { return Status::OK(); });
    SLUICE_ASSIGN_OR_RETURN(auto probe,
                            formats::OpenFileReader(path, probe_options, &probe_tracker));
    formats::FileReadOptions options = options_;
    for (const auto& [name, type] : hints_) {
      bool explicit_type = false;
      for (const auto& given : options.csv.common.column_types)
        explicit_type |= given.first == name;
      if (!explicit_type && probe->schema()->FieldIndex(name).has_value()) {
        options.csv.common.column_types.emplace_back(name, type);
      }
    }
    probe.reset();
    return formats::OpenFileReader(path, options, tracker_.get());
  }
  return formats::OpenFileReader(path, options_, tracker_.get());
}

Result<std::map<std::string, std::string>> ParseProperties(const std::vector<std::string>& items,
                                                           const std::string& flag) {
  std::map<std::string, std::string> properties;
  for (const std::string& item : items) {
    const size_t equals = item.find('=');
    if (equals == std::string::npos || equals == 0) {
      return Status::InvalidArgument(flag + " " + item + ": write KEY=VALUE, e.g. " +
                                     "delta.enableDeletionVectors=true");
    }
    std::string key = item.substr(0, equals);
    std::string value = item.substr(equals + 1);
    SLUICE_RETURN_NOT_OK(lake::CheckTableProperty(key, value).WithContext(flag));
    properties[std::move(key)] = std::move(value);
  }
  return properties;
}

Result<int64_t> ParseByteSize(const std::string& text, const std::string& flag) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  if (digits == 0 || digits > 15) {
    return Status::InvalidArgument(
        flag + ": expected a size like 134217728, 128MiB or 64MB, got '" + text + "'");
  }
  int64_t value = std::stoll(text.substr(0, digits));
  std::string unit = text.substr(digits);
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  int64_t scale = 1;
  if (unit.empty() || unit == "b") {
    scale = 1;
  } else if (unit == "k" || unit == "kb" || unit == "kib") {
    scale = 1ll << 10;
  } else if (unit == "m" || unit == "mb" || unit == "mib") {
    scale = 1ll << 20;
  } else if (unit == "g" || unit == "gb" || unit == "gib") {
    scale = 1ll << 30;
  } else {
    return Status::InvalidArgument(flag + ": unknown unit '" + unit + "' in '" + text +
                                   "' (use B, KiB, MiB or GiB)");
  }
  if (value <= 0) return Status::InvalidArgument(flag + " must be positive");
  return value * scale;
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> items;
  std::string current;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == ',') {
      while (!current.empty() && current.back() == ' ') current.pop_back();
      if (!current.empty()) items.push_back(current);
      current.clear();
    } else if (!(current.empty() && text[i] == ' ')) {
      current.push_back(text[i]);
    }
  }
  return items;
}

std::string Megabytes(int64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f MB", static_cast<double>(bytes) / 1e6);
  return text;
}

bool IsDeltaTable(const std::string& path) {
  if (io::UriScheme(path) == "s3") {
    // An object store has no folders: a table is a prefix with objects under _delta_log/.
    Result<std::shared_ptr<io::FileSystem>> fs = io::FileSystemForUri(path);
    if (!fs.ok()) return false;
    Result<std::vector<io::FileInfo>> log = (*fs)->List(io::JoinPath(path, "_delta_log/"));
    return log.ok() && !log->empty();
  }
  std::error_code ignored;
  std::string local = path;
  if (local.starts_with("file://")) local = local.substr(7);
  return std::filesystem::is_directory(std::filesystem::path(local) / "_delta_log", ignored);
}

void ReadSession::ReportRejects() const {
  if (rejects_file_) rejects_file_->flush();
  const int64_t count = tracker_->count();
  // With --on-error fail the error message already names the record.
  if (count == 0 || tracker_->policy().on_error == formats::OnError::kFail) return;
  std::string where;
  switch (tracker_->policy().on_error) {
    case formats::OnError::kSkip:
      where = "skipped";
      break;
    case formats::OnError::kFail:
      where = "failed the read";
      break;
    case formats::OnError::kQuarantine:
      where = flags_.rejects_path.empty() ? "kept; write them with --rejects FILE"
                                          : "written to " + flags_.rejects_path;
      break;
  }
  std::cerr << "sluice: " << count << (count == 1 ? " record" : " records") << " rejected ("
            << where << ")\n";
  for (const std::string& line : first_rejects_) std::cerr << "  " << line << '\n';
  if (count > static_cast<int64_t>(first_rejects_.size())) {
    std::cerr << "  ... and " << count - static_cast<int64_t>(first_rejects_.size()) << " more\n";
  }
}

}  // namespace sluice::cli

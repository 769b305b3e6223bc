#include "sluice/connectors/file/file_source.h"

#include <filesystem>

#include "sluice/connectors/file/file_run.h"
#include "sluice/connectors/file/glob.h"

namespace sluice::connectors {

namespace {

std::vector<config::KeySpec> FileSourceKeys() {
  using config::ValueType;
  std::vector<config::KeySpec> keys;
  auto add = [&](std::string name, ValueType type, std::string description,
                 std::string default_value = "", std::vector<std::string> choices = {},
                 std::string example = "") {
    keys.push_back(config::MakeKey(std::move(name), type, std::move(description),
                                   std::move(default_value), std::move(choices),
                                   std::move(example)));
  };
  add("type", ValueType::kEnum, "The source component", "file", {"file"});
  add("path", ValueType::kString,
      "Glob of the files to ingest, relative to the project folder (* ? [..] and ** for any "
      "depth)",
      "", {}, "drops/orders/*.csv");
  keys.back().required = true;
  add("format", ValueType::kEnum, "File format (default: from each file's extension)", "",
      {"csv", "tsv", "json", "ndjson", "jsonl", "parquet"}, "csv");
  add("table", ValueType::kString, "The bronze table written (default: bronze.<source name>)", "",
      {}, "bronze.orders");
  add("min_age", ValueType::kDuration,
      "Only files last modified at least this long ago are taken (a file still being written is "
      "left for the next run)",
      "10s", {}, "1m");
  add("on_change", ValueType::kEnum,
      "A file already ingested that changed since (new size or modification time): report it, "
      "or ingest it again",
      "report", {"report", "reingest"});
  add("schema_drift", ValueType::kEnum,
      "A column the table does not have yet: add it (evolve) or fail the task (freeze)", "evolve",
      {"evolve", "freeze"});
  add("on_error", ValueType::kEnum,
      "A record that cannot be read or does not fit its column's type: send it to "
      "quarantine/<source> (quarantine) or fail the task (fail)",
      "quarantine", {"quarantine", "fail"});
  add("max_rejects", ValueType::kString,
      "Fail the task, committing nothing, when rejects exceed N records or P% of the records "
      "read (default: no limit)",
      "", {}, "1%");
  add("schema", ValueType::kStringMap,
      "Column types (int64, double, decimal(10,2), date, timestamp, string, ...); other columns "
      "are inferred",
      "", {}, "{order_id: int64, amount: \"decimal(10,2)\"}");
  add("types", ValueType::kEnum, "infer: column types from the data; none: every column a string",
      "infer", {"infer", "none"});
  add("columns", ValueType::kStringList, "Only these columns, in this order (default: all)", "", {},
      "[order_id, amount]");
  add("delimiter", ValueType::kString, "CSV field delimiter (default: sniffed from , ; | tab)", "",
      {}, "\";\"");
  add("quote", ValueType::kString, "CSV quote character, or none", "\"");
  add("escape", ValueType::kString,
      "CSV escape character inside quotes (default: the quote, doubled)");
  add("header", ValueType::kBool, "Whether the first CSV row is a header (default: sniffed)");
  add("comment", ValueType::kString, "Skip CSV lines starting with this character", "", {},
      "\"#\"");
  add("null_values", ValueType::kStringList, "Text values that mean null", "[\"\"]", {},
      "[\"\", NA, \"-\"]");
  add("sample_rows", ValueType::kInt, "Records looked at to infer column types", "20480");
  return keys;
}

}  // namespace

const config::ConfigSpec& FileSourceSpec() {
  static const config::ConfigSpec spec(
      "file",
      "File drops: every file matching a glob (csv, tsv, json/ndjson, parquet; .gz/.zst "
      "decompressed), each ingested exactly once into a bronze Delta table",
      FileSourceKeys());
  return spec;
}

bool FileSourceOptionsFromConfig(const std::string& name, const config::ConfigNode& node,
                                 const std::string& project_dir, FileSourceOptions* out,
                                 config::ConfigErrors* errors) {
  const config::ConfigValues values(&node, &FileSourceSpec());
  bool ok = true;
  auto error_at = [&](std::string_view key, const Status& status) {
    errors->Add(values.Mark(key), "source '" + name + "': " + status.message());
    ok = false;
  };
  auto char_option = [&](std::string_view key, char* target) {
    auto c = formats::ParseCharOption(values.String(key), key);
    if (!c.ok()) {
      error_at(key, c.status());
      return;
    }
    *target = *c;
  };
  FileSourceOptions options;
  options.name = name;
  options.display_pattern = values.String("path");
  options.base_dir = project_dir;
  options.pattern = std::filesystem::path(options.display_pattern).is_absolute() ||
                            project_dir.empty() || project_dir == "."
                        ? options.display_pattern
                        : io::JoinPath(project_dir, options.display_pattern);
  formats::FileReadOptions& read = options.read;
  if (values.Has("format")) {
    const std::string format = values.String("format");
    auto parsed = formats::ParseFileFormat(format);
    if (parsed.ok()) {
      read.format = *parsed;
      if (format == "tsv") read.csv.delimiter = '\t';
    } else {
      ok = false;  // the spec's choices already named the problem
    }
  }
  if (values.Has("delimiter")) {
    char c = ',';
    char_option("delimiter", &c);
    if (c == '\0') {
      error_at("delimiter", Status::InvalidArgument("delimiter cannot be none"));
    } else {
      read.csv.delimiter = c;
    }
  }
  char_option("quote", &read.csv.quote);
  if (values.Has("escape")) {
    char c = '"';
    char_option("escape", &c);
    read.csv.escape = c;
  }
  if (values.Has("header")) read.csv.header = values.Bool("header");
  if (values.Has("comment")) char_option("comment", &read.csv.comment);
  formats::CommonReadOptions& common = read.csv.common;
  if (values.Has("null_values")) common.null_values = values.StringList("null_values");
  common.infer_types = values.String("types") != "none";
  common.sample_records = values.Int("sample_rows");
  if (common.sample_records <= 0) {
    error_at("sample_rows", Status::InvalidArgument("sample_rows must be positive"));
  }
  const config::ConfigNode* schema = values.Node("schema");
  for (const auto& [column, type_text] : values.StringMap("schema")) {
    auto type = columnar::DataType::Parse(type_text);
    if (!type.ok()) {
      const config::ConfigNode* entry = schema != nullptr ? schema->Find(column) : nullptr;
      errors->Add(
          entry != nullptr ? entry->mark() : values.Mark("schema"),
          "source '" + name + "': column '" + column + "' in 'schema': " + type.status().message());
      ok = false;
      continue;
    }
    common.column_types.emplace_back(column, *type);
  }
  read.columns = values.StringList("columns");
  options.min_age_ms = values.DurationMs("min_age");
  options.on_change =
      values.String("on_change") == "reingest" ? OnChange::kReingest : OnChange::kReport;
  options.schema_drift =
      values.String("schema_drift") == "freeze" ? SchemaDrift::kFreeze : SchemaDrift::kEvolve;
  auto policy =
      formats::RejectPolicy::Parse(values.String("on_error"), values.String("max_rejects"));
  if (policy.ok()) {
    options.rejects = *policy;
  } else {
    error_at(values.Has("max_rejects") ? "max_rejects" : "on_error", policy.status());
  }
  if (ok) *out = std::move(options);
  return ok;
}

std::unique_ptr<Source> MakeFileSource(const std::string& name, const config::ConfigNode& node,
                                       const std::string& project_dir,
                                       config::ConfigErrors* errors) {
  FileSourceOptions options;
  if (!FileSourceOptionsFromConfig(name, node, project_dir, &options, errors)) return nullptr;
  // The file system is opened when a run is planned (an s3:// lake is configured after loading).
  return std::unique_ptr<Source>(new FileSource(std::move(options), nullptr));
}

std::string FileLedgerAppId(const std::string& relative_path) {
  return "sluice.file:" + relative_path;
}

int64_t FileFingerprint(int64_t size, int64_t modification_time_ms) {
  // FNV-1a over the decimal text, so the value is the same on every platform and run.
  const std::string text = std::to_string(size) + ":" + std::to_string(modification_time_ms);
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return static_cast<int64_t>(hash & 0x3FFFFFFFFFFFFFFFull);
}

std::vector<std::string> FileSource::Describe() const {
  const std::string format = options_.read.format
                                 ? std::string(formats::FileFormatName(*options_.read.format))
                                 : std::string("format by extension");
  return {options_.pattern + " (" + format + ", files older than " +
          std::to_string(options_.min_age_ms / 1000) + "s)"};
}

std::vector<std::string> FileSource::Notes() const {
  Result<std::unique_ptr<FileSource>> ready = Make(options_);
  if (!ready.ok()) return {};
  Result<std::vector<DropFile>> files = (*ready)->List();
  if (files.ok() && files->empty()) {
    return {"source '" + name() + "': no file matches " + options_.display_pattern + " yet"};
  }
  return {};
}

Result<std::unique_ptr<SourceRun>> FileSource::Plan(const SourceState& state) const {
  FileSourceOptions options = options_;
  options.read.csv.common.threads = std::max(1, state.threads);
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<FileSource> ready, Make(std::move(options)));
  return PlanFileRun(std::move(ready), state);
}

Result<std::unique_ptr<FileSource>> FileSource::Make(FileSourceOptions options) {
  SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<io::FileSystem> fs,
                          io::FileSystemForUri(options.pattern));
  return std::unique_ptr<FileSource>(new FileSource(std::move(options), std::move(fs)));
}

Result<std::vector<DropFile>> FileSource::List() const {
  SLUICE_ASSIGN_OR_RETURN(std::vector<io::FileInfo> files, ExpandGlob(*fs_, options_.pattern));
  std::vector<DropFile> drops;
  drops.reserve(files.size());
  const std::string base = options_.base_dir.ends_with("/") || options_.base_dir.empty()
                               ? options_.base_dir
                               : options_.base_dir + "/";
  for (io::FileInfo& file : files) {
    DropFile drop;
    drop.relative =
        !base.empty() && file.path.starts_with(base) ? file.path.substr(base.size()) : file.path;
    drop.path = std::move(file.path);
    drop.size = file.size;
    drop.modification_time_ms = file.modification_time_ms;
    drops.push_back(std::move(drop));
  }
  std::sort(drops.begin(), drops.end(),
            [](const DropFile& a, const DropFile& b) { return a.relative < b.relative; });
  return drops;
}

Result<columnar::SchemaPtr> FileSource::ProbeSchema(
    const DropFile& file,
    const std::vector<std::pair<std::string, columnar::DataType>>& types) const {
  formats::RejectTracker ignored(formats::RejectPolicy{},
                                 [](const formats::Reject&) { return Status::OK(); });
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<formats::RecordReader> reader,
                          Open(file, types, &ignored));
  return reader->schema();
}

Result<std::unique_ptr<formats::RecordReader>> FileSource::Open(
    const DropFile& file, const std::vector<std::pair<std::string, columnar::DataType>>& types,
    formats::RejectTracker* rejects) const {
  formats::FileReadOptions options = options_.read;
  options.csv.common.column_types.clear();
  if (!types.empty()) {
    // Probe the file's columns (one record), then apply the types of the columns it has.
    formats::FileReadOptions probe_options = options_.read;
    probe_options.columns.clear();
    probe_options.csv.common.column_types.clear();
    probe_options.csv.common.sample_records = 1;
    formats::RejectTracker probe_tracker(formats::RejectPolicy{},
                                         [](const formats::Reject&) { return Status::OK(); });
    SLUICE_ASSIGN_OR_RETURN(auto probe,
                            formats::OpenFileReader(file.path, probe_options, &probe_tracker));
    for (const auto& [name, type] : types) {
      bool seen = false;
      for (const auto& given : options.csv.common.column_types) seen |= given.first == name;
      if (!seen && probe->schema()->FieldIndex(name).has_value()) {
        options.csv.common.column_types.emplace_back(name, type);
      }
    }
  }
  return formats::OpenFileReader(file.path, options, rejects);
}

}  // namespace sluice::connectors

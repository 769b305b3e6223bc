// FileSource: file drops — every file matching a glob in a folder (local now; s3:// behind the
// same FileSystem interface later) — read with the reader options of the `file` source component.
//
// The source lists and opens files. A run (file/file_run.h) takes the files the table's ledger
// does not hold yet: each file is a `txn` action, appId "sluice.file:<path relative to the
// project>", version a fingerprint of its size and modification time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "sluice/columnar/data_type.h"
#include "sluice/common/result.h"
#include "sluice/config/config_spec.h"
#include "sluice/connectors/source.h"
#include "sluice/formats/file_reader.h"
#include "sluice/formats/reject.h"
#include "sluice/io/file_system.h"

namespace sluice::connectors {

enum class OnChange { kReport, kReingest };

struct FileSourceOptions {
  std::string name;             // the source's name in the project file
  std::string pattern;          // absolute glob (the project folder already joined)
  std::string display_pattern;  // as written in the project file
  std::string base_dir;         // files are named relative to this in the lake (_sluice_file)
  formats::FileReadOptions read;
  int64_t min_age_ms = 10'000;
  OnChange on_change = OnChange::kReport;
  SchemaDrift schema_drift = SchemaDrift::kEvolve;
  formats::RejectPolicy rejects;
};

// One file of a drop.
struct DropFile {
  std::string path;      // as opened (absolute or URI)
  std::string relative;  // relative to the project folder: the name recorded in the ledger
  int64_t size = 0;
  int64_t modification_time_ms = 0;
};

// The ledger's appId for a file and the fingerprint recorded as its version.
std::string FileLedgerAppId(const std::string& relative_path);
int64_t FileFingerprint(int64_t size, int64_t modification_time_ms);

class FileSource final : public Source {
 public:
  // Errors: the pattern's file system cannot be opened (an unknown scheme).
  static Result<std::unique_ptr<FileSource>> Make(FileSourceOptions options);

  const FileSourceOptions& options() const { return options_; }

  std::string type() const override { return "file"; }
  std::vector<std::string> Describe() const override;
  std::vector<std::string> Notes() const override;
  const formats::RejectPolicy& rejects() const override { return options_.rejects; }
  SchemaDrift schema_drift() const override { return options_.schema_drift; }
  Result<std::unique_ptr<SourceRun>> Plan(const SourceState& state) const override;

  // Every file matching the pattern, sorted by relative path. Errors: I/O errors of the listing.
  Result<std::vector<DropFile>> List() const;

  // Opens `file`. Columns named in `types` that the file has are read with those types (declared
  // `schema:` types come first, then the table's); the others are inferred (or strings with
  // `types: none`). Rejects go to `rejects`.
  Result<std::unique_ptr<formats::RecordReader>> Open(
      const DropFile& file, const std::vector<std::pair<std::string, columnar::DataType>>& types,
      formats::RejectTracker* rejects) const;

  // The file's columns (read from its header, footer or first records), for schema planning.
  Result<columnar::SchemaPtr> ProbeSchema(
      const DropFile& file,
      const std::vector<std::pair<std::string, columnar::DataType>>& types) const;

 private:
  friend std::unique_ptr<Source> MakeFileSource(const std::string&, const config::ConfigNode&,
                                                const std::string&, config::ConfigErrors*);
  // `fs` null: opened by Plan and Notes (the project's S3 settings are applied after loading).
  FileSource(FileSourceOptions options, std::shared_ptr<io::FileSystem> fs)
      : Source(options.name), options_(std::move(options)), fs_(std::move(fs)) {}

  FileSourceOptions options_;
  std::shared_ptr<io::FileSystem> fs_;
};

// The `file` source component: its config spec, and options from a validated source map.
const config::ConfigSpec& FileSourceSpec();
// `project_dir` resolves relative paths. Values the spec cannot check (a bad type name in
// `schema`, a bad delimiter) are added to `errors` with their marks; returns false when any was.
bool FileSourceOptionsFromConfig(const std::string& name, const config::ConfigNode& node,
                                 const std::string& project_dir, FileSourceOptions* options,
                                 config::ConfigErrors* errors);
// The registry's constructor: a FileSource from a validated entry, or nullptr with `errors`.
std::unique_ptr<Source> MakeFileSource(const std::string& name, const config::ConfigNode& node,
                                       const std::string& project_dir,
                                       config::ConfigErrors* errors);

}  // namespace sluice::connectors

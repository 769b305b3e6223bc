#include "sluice/connectors/file/file_run.h"

#include <algorithm>

#include "sluice/common/ascii.h"

namespace sluice::connectors {

namespace {

using columnar::DataType;
using columnar::Field;

bool IsAuditColumn(std::string_view name) { return name.starts_with("_sluice_"); }

nlohmann::ordered_json Names(const std::vector<std::string>& names) {
  nlohmann::ordered_json array = nlohmann::ordered_json::array();
  for (const std::string& name : names) array.push_back(name);
  return array;
}

std::string Plural(int64_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

// One file of this run.
struct FileWork {
  DropFile file;
  int64_t fingerprint = 0;
  bool unreadable = false;
};

class FileRun final : public SourceRun {
 public:
  FileRun(std::unique_ptr<FileSource> source, const SourceState& state, size_t matched)
      : source_(std::move(source)), state_(state), matched_(matched) {}

  // Chooses the files of this run from the listing by the table's ledger.
  void Select(std::vector<DropFile> listed) {
    const FileSourceOptions& options = source_->options();
    for (DropFile& file : listed) {
      if (state_.now_ms - file.modification_time_ms < options.min_age_ms) {
        too_young_.push_back(file.relative);
        continue;
      }
      const int64_t fingerprint = FileFingerprint(file.size, file.modification_time_ms);
      const std::optional<int64_t> recorded = state_.committed(FileLedgerAppId(file.relative));
      if (recorded.has_value()) {
        if (*recorded == fingerprint) {
          ++already_;
          continue;
        }
        if (options.on_change == OnChange::kReport) {
          changed_reported_.push_back(file.relative);
          continue;
        }
        changed_taken_.push_back(file.relative);
      }
      FileWork item;
      item.file = std::move(file);
      item.fingerprint = fingerprint;
      work_.push_back(std::move(item));
    }
  }

  bool empty() const override { return work_.empty(); }
  int64_t inputs() const override { return static_cast<int64_t>(work_.size()); }

  void ReportPlan(nlohmann::ordered_json* details, std::vector<std::string>* notes) const override {
    const FileSourceOptions& options = source_->options();
    (*details)["files"] = {{"matched", matched_},
                           {"ingested", nlohmann::ordered_json::array()},
                           {"already_ingested", already_},
                           {"too_young", Names(too_young_)},
                           {"changed_not_reingested", Names(changed_reported_)},
                           {"changed_reingested", Names(changed_taken_)},
                           {"unreadable", nlohmann::ordered_json::array()}};
    if (matched_ == 0) {
      notes->push_back("no file matches " + options.display_pattern + " yet (nothing has arrived)");
    }
    if (!too_young_.empty()) {
      notes->push_back(Plural(static_cast<int64_t>(too_young_.size()), "file") +
                       " younger than min_age (" + std::to_string(options.min_age_ms / 1000) +
                       "s) left for a later run");
    }
    for (const std::string& file : changed_reported_) {
      notes->push_back(file +
                       " changed since it was ingested (new size or modification time); not "
                       "ingested again (set on_change: reingest to ingest it again)");
    }
  }

  // The table's columns, then each file's new columns in path order. `types_` gains the type of
  // every column (the reader uses them); a file whose schema cannot be probed is unreadable.
  Result<columnar::SchemaPtr> PlanSchema(std::vector<SourceReject>* unreadable) override {
    const FileSourceOptions& options = source_->options();
    types_ = options.read.csv.common.column_types;
    std::vector<Field> fields;
    auto has_type = [&](const std::string& name) {
      for (const auto& given : types_) {
        if (EqualsIgnoringAsciiCase(given.first, name)) return true;
      }
      return false;
    };
    const bool table_exists = state_.table_schema != nullptr;
    if (table_exists) {
      for (const Field& field : state_.table_schema->fields()) {
        fields.push_back(field);
        if (!has_type(field.name)) types_.emplace_back(field.name, field.type);
      }
    }
    for (FileWork& item : work_) {
      if (item.file.size == 0) continue;  // an empty file: ingested with no rows
      Result<columnar::SchemaPtr> schema = source_->ProbeSchema(item.file, types_);
      if (!schema.ok()) {
        const StatusCode code = schema.status().code();
        if (code == StatusCode::kIOError || code == StatusCode::kUnavailable ||
            code == StatusCode::kTimeout) {
          return schema.status().WithContext(item.file.relative);
        }
        item.unreadable = true;
        unreadable->push_back({item.file.relative, "unreadable_file", schema.status().message()});
        continue;
      }
      for (const Field& field : (*schema)->fields()) {
        if (IsAuditColumn(field.name)) {
          return Status::SchemaMismatch(item.file.relative + ": column '" + field.name +
                                        "' uses the _sluice_ prefix reserved for audit columns");
        }
        auto same = std::find_if(fields.begin(), fields.end(), [&](const Field& f) {
          return EqualsIgnoringAsciiCase(f.name, field.name);
        });
        if (same != fields.end()) continue;
        if (table_exists && options.schema_drift == SchemaDrift::kFreeze) {
          return Status::SchemaMismatch(item.file.relative + ": column '" + field.name +
                                        "' is not in " + state_.table +
                                        " and the source's schema_drift is freeze; add the column "
                                        "deliberately (schema_drift: "
                                        "evolve) or fix the file");
        }
        Field added = field;
        added.nullable = true;
        fields.push_back(added);
        if (!has_type(field.name)) types_.emplace_back(field.name, field.type);
      }
    }
    return std::make_shared<const columnar::Schema>(std::move(fields));
  }

  Result<columnar::BatchPtr> Next(formats::RejectTracker* rejects) override {
    while (current_ < work_.size()) {
      FileWork& item = work_[current_];
      if (!reader_) {
        origin_ = item.file.relative;
        if (item.file.size == 0 || item.unreadable) {
          ++current_;
          continue;
        }
        SLUICE_ASSIGN_OR_RETURN(reader_, source_->Open(item.file, types_, rejects));
      }
      Result<columnar::BatchPtr> next = reader_->Next();
      if (!next.ok()) return next.status().WithContext(item.file.relative);
      columnar::BatchPtr batch = std::move(next).ValueUnsafe();
      if (batch != nullptr) return batch;
      reader_.reset();
      bytes_done_ += item.file.size;
      ++current_;
    }
    return columnar::BatchPtr();
  }

  const std::string& origin() const override { return origin_; }
  int64_t inputs_done() const override { return static_cast<int64_t>(current_); }
  int64_t bytes_done() const override { return bytes_done_; }
  void Close() override { reader_.reset(); }

  std::vector<LedgerEntry> Ledger() const override {
    std::vector<LedgerEntry> ledger;
    ledger.reserve(work_.size());
    for (const FileWork& item : work_) {
      ledger.push_back({item.file.relative, FileLedgerAppId(item.file.relative), item.fingerprint});
    }
    return ledger;
  }

  std::map<std::string, std::string> CommitParameters() const override {
    nlohmann::ordered_json files = nlohmann::ordered_json::array();
    for (const FileWork& item : work_) {
      files.push_back({{"file", item.file.relative},
                       {"size", item.file.size},
                       {"modification_time", item.file.modification_time_ms}});
    }
    return {{"sluice.files", files.dump()}};
  }

  void ReportDone(const std::map<std::string, OriginCount>& counts, nlohmann::ordered_json* details,
                  std::vector<std::string>* notes, int64_t* bytes_in) const override {
    (void)notes;
    nlohmann::ordered_json files = nlohmann::ordered_json::array();
    std::vector<std::string> unreadable;
    for (const FileWork& item : work_) {
      const auto count = counts.find(item.file.relative);
      const OriginCount counted = count == counts.end() ? OriginCount{} : count->second;
      files.push_back({{"file", item.file.relative},
                       {"size", item.file.size},
                       {"modification_time", item.file.modification_time_ms},
                       {"rows", counted.rows},
                       {"rejects", counted.rejects}});
      *bytes_in += item.file.size;
      if (item.unreadable) unreadable.push_back(item.file.relative);
    }
    (*details)["files"]["ingested"] = files;
    (*details)["files"]["unreadable"] = Names(unreadable);
  }

 private:
  std::unique_ptr<FileSource> source_;
  SourceState state_;
  size_t matched_;
  std::vector<FileWork> work_;
  std::vector<std::string> too_young_, changed_reported_, changed_taken_;
  int64_t already_ = 0;
  std::vector<std::pair<std::string, DataType>> types_;
  size_t current_ = 0;
  int64_t bytes_done_ = 0;
  std::string origin_;
  std::unique_ptr<formats::RecordReader> reader_;
};

}  // namespace

Result<std::unique_ptr<SourceRun>> PlanFileRun(std::unique_ptr<FileSource> source,
                                               const SourceState& state) {
  SLUICE_ASSIGN_OR_RETURN(std::vector<DropFile> listed, source->List());
  auto run = std::make_unique<FileRun>(std::move(source), state, listed.size());
  run->Select(std::move(listed));
  return std::unique_ptr<SourceRun>(std::move(run));
}

}  // namespace sluice::connectors

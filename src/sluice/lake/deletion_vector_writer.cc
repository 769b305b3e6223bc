#include "sluice/lake/deletion_vector_writer.h"

#include <nlohmann/json.hpp>

namespace sluice::lake {
std::string LooseStats(const std::string& stats) {
  nlohmann::ordered_json json = nlohmann::ordered_json::parse(stats, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return stats;
  json["tightBounds"] = false;
  return json.dump();
}

DeletionVectorWriter::DeletionVectorWriter(std::shared_ptr<io::FileSystem> fs,
                                           std::string table_root)
    : fs_(std::move(fs)), root_(std::move(table_root)) {}

void DeletionVectorWriter::Add(const AddFile& add, DeletionBitmap deleted, int64_t physical_rows) {
  files_.push_back(File{add, std::move(deleted), physical_rows});
}

Result<DeletionVectorCounts> DeletionVectorWriter::Finish(int64_t now_ms, Transaction* txn) {
  DeletionVectorCounts counts;
  // One DV file for the whole operation.
  DeletionVectorFileBuilder vector_file;
  std::vector<std::pair<const File*, DeletionVector>> updates;
  for (const File& file : files_) {
    txn->Remove(RemoveOf(file.add, now_ms, /*data_change=*/true));
    if (static_cast<int64_t>(file.deleted.Cardinality()) >= file.physical_rows) {
      ++counts.files_removed;
      continue;
    }
    updates.emplace_back(&file, vector_file.Append(file.deleted));
  }
  if (!updates.empty()) {
    const std::string path = io::JoinPath(root_, vector_file.relative_path());
    SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<io::OutputStream> out, fs_->OpenForWrite(path));
    SLUICE_RETURN_NOT_OK(out->Write(vector_file.bytes()));
    SLUICE_RETURN_NOT_OK(out->Close());
    written_path_ = path;
  }
  for (auto& [file, dv] : updates) {
    AddFile add = file->add;
    (add.deletion_vector.has_value() ? counts.updated : counts.added) += 1;
    add.deletion_vector = std::move(dv);
    add.data_change = true;
    add.modification_time = add.modification_time != 0 ? add.modification_time : now_ms;
    if (add.stats.has_value()) add.stats = LooseStats(*add.stats);
    txn->Add(std::move(add));
  }
  return counts;
}

}  // namespace sluice::lake

#include "sluice/lake/deletion_vector_writer.h"

#include <zlib.h>

#include <nlohmann/json.hpp>

namespace sluice::lake {
namespace {

void AppendBE32(uint32_t value, std::string* out) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

}  // namespace

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
  // One DV file for the whole operation: a version byte, then the vectors one after another.
  DeletionVectorFileContents named = NewDeletionVectorFile(DeletionBitmap());
  std::string bytes(1, '\x01');
  std::vector<std::pair<const File*, DeletionVector>> updates;
  for (const File& file : files_) {
    RemoveFile remove;
    remove.path = file.add.path;
    remove.deletion_timestamp = now_ms;
    remove.data_change = true;
    remove.extended_file_metadata = true;
    remove.partition_values = file.add.partition_values;
    remove.size = file.add.size;
    remove.tags = file.add.tags;
    remove.deletion_vector = file.add.deletion_vector;
    txn->Remove(std::move(remove));
    if (static_cast<int64_t>(file.deleted.Cardinality()) >= file.physical_rows) {
      ++counts.files_removed;
      continue;
    }
    const std::string data = file.deleted.Serialize();
    DeletionVector dv = named.descriptor;
    dv.offset = static_cast<int32_t>(bytes.size());
    dv.size_in_bytes = static_cast<int32_t>(data.size());
    dv.cardinality = static_cast<int64_t>(file.deleted.Cardinality());
    AppendBE32(static_cast<uint32_t>(data.size()), &bytes);
    bytes += data;
    AppendBE32(static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(data.data()),
                                           static_cast<uInt>(data.size()))),
               &bytes);
    updates.emplace_back(&file, std::move(dv));
  }
  if (!updates.empty()) {
    const std::string path = io::JoinPath(root_, named.relative_path);
    SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<io::OutputStream> out, fs_->OpenForWrite(path));
    SLUICE_RETURN_NOT_OK(out->Write(bytes));
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

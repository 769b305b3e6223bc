#include "sluice/pipeline/upstream.h"

#include <functional>
#include <map>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "sluice/columnar/take.h"
#include "sluice/compute/row_key.h"

namespace sluice::pipeline {

Status ForEachBatch(std::shared_ptr<const lake::DeltaLog> log, const lake::SnapshotPtr& snapshot,
                    lake::TableScanOptions options,
                    const std::function<Status(const columnar::BatchPtr&)>& visit,
                    columnar::SchemaPtr* schema) {
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<lake::TableScan> scan,
                          lake::TableScan::Open(log, snapshot, std::move(options)));
  if (schema != nullptr) *schema = scan->schema();
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(columnar::BatchPtr batch, scan->Next());
    if (!batch) return Status::OK();
    SLUICE_RETURN_NOT_OK(visit(batch));
  }
}

Result<std::vector<columnar::BatchPtr>> ReadAll(std::shared_ptr<const lake::DeltaLog> log,
                                                const lake::SnapshotPtr& snapshot,
                                                lake::TableScanOptions options,
                                                TaskProgress* progress,
                                                columnar::SchemaPtr* schema) {
  std::vector<columnar::BatchPtr> batches;
  SLUICE_RETURN_NOT_OK(ForEachBatch(
      std::move(log), snapshot, std::move(options),
      [&](const columnar::BatchPtr& batch) {
        if (progress != nullptr) progress->rows += batch->num_rows();
        batches.push_back(batch);
        return Status::OK();
      },
      schema));
  return batches;
}

void RemoveFoldersOfUnbornTable(const lake::DeltaLog& log) {
  const std::string& root = log.root();
  (void)log.fs()->DeleteEmptyDirectories(root);
  const size_t slash = root.find_last_of('/');
  if (slash != std::string::npos && slash > 0) {
    (void)log.fs()->DeleteEmptyDirectories(root.substr(0, slash));
  }
}

Result<UpstreamDelta> ReadDelta(const lake::DeltaLog& log, const lake::Snapshot& snapshot,
                                int64_t consumed) {
  UpstreamDelta delta;
  std::vector<std::string> added;
  std::vector<std::string> copied;
  // The files added after `consumed`, and whether their rows are new to the reader (false: rows
  // copied out of a file that was live at `consumed`).
  std::map<std::string, bool> added_since;
  // Copied files → the file live at `consumed` their rows came from, where known.
  std::map<std::string, std::string> origin;
  for (int64_t v = consumed + 1; v <= snapshot.version; ++v) {
    SLUICE_ASSIGN_OR_RETURN(std::vector<lake::Action> actions, log.ReadCommit(v));
    bool merge = false;
    for (const lake::Action& action : actions) {
      if (const auto* info = std::get_if<lake::CommitInfo>(&action)) {
        // A MERGE that deleted rows (WHEN MATCHED THEN DELETE: silver's apply_deletes) counts
        // as a delete: the rows of the files it removes are not all in the files it adds.
        auto deleted = info->operation_metrics.find("numTargetRowsDeleted");
        merge = info->operation == "MERGE" &&
                (deleted == info->operation_metrics.end() || deleted->second == "0");
      }
    }
    std::set<std::string> removed;  // paths this commit removes
    bool removes_new_rows = false;  // of a file added after `consumed`
    for (const lake::Action& action : actions) {
      if (const auto* remove = std::get_if<lake::RemoveFile>(&action)) {
        if (remove->data_change && !delta.removed_version) delta.removed_version = v;
        if (remove->data_change && !merge && !delta.deleted_version) delta.deleted_version = v;
        removed.insert(remove->path);
        const std::string path = lake::DecodeActionPath(remove->path);
        auto since = added_since.find(path);
        removes_new_rows |= since != added_since.end() && since->second;
        if (remove->data_change) delta.removed_files.push_back(path);
      }
    }
    for (const lake::Action& action : actions) {
      const auto* add = std::get_if<lake::AddFile>(&action);
      if (add == nullptr || !add->data_change) continue;
      const std::string path = lake::DecodeActionPath(add->path);
      // Rows copied unchanged around a merge's or delete's changes, and a file added again with a
      // new deletion vector, bring no new rows — unless they were copied out of a file added
      // after `consumed` (by the copies' kCopiedFromTag; a copy without it, from before sluice
      // wrote it, counts as new when its commit removed such a file: read twice, not lost).
      const bool copies = add->tags && add->tags->count(lake::kCopiedRowsTag) != 0;
      const bool readded = removed.count(add->path) != 0;
      if (readded) {
        // Its other rows: seen by the reader, or (a file added after `consumed`) read below.
        auto since = added_since.find(path);
        if (since == added_since.end()) origin[path] = path;
        if (since == added_since.end() || !since->second) copied.push_back(path);
        continue;
      }
      if (!copies) {
        added_since[path] = true;
        added.push_back(path);
        continue;
      }
      bool fresh = removes_new_rows;
      if (auto from = add->tags->find(lake::kCopiedFromTag); from != add->tags->end()) {
        auto since = added_since.find(from->second);
        fresh = since != added_since.end() && since->second;
        if (since == added_since.end()) {
          origin[path] = from->second;
        } else if (auto root = origin.find(from->second); !fresh && root != origin.end()) {
          origin[path] = root->second;  // a copy of a copy: the file live at `consumed`
        }
      }
      added_since[path] = fresh;
      (fresh ? added : copied).push_back(path);
    }
  }
  // Added files that are still live (a later commit may have compacted them), each once (a file
  // given a new deletion vector is added again under the same path).
  std::set<std::string> listed;
  for (const std::string& path : copied) {
    if (snapshot.FindFile(path) == nullptr || !listed.insert(path).second) continue;
    delta.copied_files.push_back(path);
    if (auto root = origin.find(path); root != origin.end())
      delta.copy_origins[path] = root->second;
  }
  std::set<std::string> seen;
  for (const std::string& path : added) {
    if (snapshot.FindFile(path) != nullptr && seen.insert(path).second) {
      delta.files.push_back(path);
    }
  }
  return delta;
}

namespace {

// Every row of `batches` as text, counted (a multiset of rows).
std::unordered_map<std::string, int64_t> RowCounts(const std::vector<columnar::BatchPtr>& batches) {
  std::unordered_map<std::string, int64_t> counts;
  for (const columnar::BatchPtr& batch : batches) {
    std::vector<size_t> columns(batch->num_columns());
    for (size_t c = 0; c < columns.size(); ++c) columns[c] = c;
    for (int64_t row = 0; row < batch->num_rows(); ++row) {
      ++counts[compute::EncodeKey(*batch, columns, row)];
    }
  }
  return counts;
}

// `removed` without the rows that were copied unchanged into `copied` (same schema).
std::vector<columnar::BatchPtr> WithoutCopies(const std::vector<columnar::BatchPtr>& removed,
                                              const std::vector<columnar::BatchPtr>& copied) {
  std::unordered_map<std::string, int64_t> unchanged = RowCounts(copied);
  std::vector<columnar::BatchPtr> out;
  for (const columnar::BatchPtr& batch : removed) {
    std::vector<size_t> columns(batch->num_columns());
    for (size_t c = 0; c < columns.size(); ++c) columns[c] = c;
    std::vector<int64_t> keep;
    for (int64_t row = 0; row < batch->num_rows(); ++row) {
      auto it = unchanged.find(compute::EncodeKey(*batch, columns, row));
      if (it != unchanged.end() && it->second > 0) {
        --it->second;
      } else {
        keep.push_back(row);
      }
    }
    if (!keep.empty()) out.push_back(columnar::TakeRows(*batch, keep));
  }
  return out;
}

}  // namespace

Result<ReplacedRows> ReadReplacedRows(const std::shared_ptr<const lake::DeltaLog>& log,
                                      const lake::SnapshotPtr& now, int64_t consumed,
                                      const UpstreamDelta& delta,
                                      const std::vector<std::string>& columns,
                                      TaskProgress* progress) {
  ReplacedRows out;
  if (delta.removed_files.empty()) return out;
  SLUICE_ASSIGN_OR_RETURN(lake::SnapshotPtr then, log->Load(consumed));
  if (!(*then->schema == *now->schema)) {
    out.exact = false;  // rows of two schemas do not compare
    return out;
  }
  lake::TableScanOptions options;
  options.columns = columns;
  std::unordered_set<std::string> seen;
  for (const std::string& file : delta.removed_files) {
    // A file added after `consumed` and removed again held no row the reader has seen.
    if (then->FindFile(file) != nullptr && seen.insert(file).second) {
      options.files.push_back(file);
    }
  }
  if (options.files.empty()) return out;
  // When every copy's origin is known, each removed file is compared with its own copies only,
  // one at a time; else (copies written before kCopiedFromTag) all removed rows with all copies.
  std::map<std::string, std::vector<std::string>> copies_of;
  bool all_tagged = true;
  for (const std::string& path : delta.copied_files) {
    auto root = delta.copy_origins.find(path);
    if (root == delta.copy_origins.end()) {
      all_tagged = false;
      break;
    }
    copies_of[root->second].push_back(path);
  }
  lake::TableScanOptions copies;
  copies.columns = columns;
  if (!all_tagged) {
    SLUICE_ASSIGN_OR_RETURN(std::vector<columnar::BatchPtr> removed,
                            ReadAll(log, then, options, progress));
    copies.files = delta.copied_files;
    if (copies.files.empty()) {
      out.rows = std::move(removed);
      return out;
    }
    SLUICE_ASSIGN_OR_RETURN(std::vector<columnar::BatchPtr> copied,
                            ReadAll(log, now, copies, progress));
    out.rows = WithoutCopies(removed, copied);
    return out;
  }
  const std::vector<std::string> removed_files = std::move(options.files);
  for (const std::string& file : removed_files) {
    options.files = {file};
    SLUICE_ASSIGN_OR_RETURN(std::vector<columnar::BatchPtr> removed,
                            ReadAll(log, then, options, progress));
    auto it = copies_of.find(file);
    if (it == copies_of.end()) {
      for (columnar::BatchPtr& batch : removed) out.rows.push_back(std::move(batch));
      continue;
    }
    copies.files = it->second;
    SLUICE_ASSIGN_OR_RETURN(std::vector<columnar::BatchPtr> copied,
                            ReadAll(log, now, copies, progress));
    for (columnar::BatchPtr& batch : WithoutCopies(removed, copied)) {
      out.rows.push_back(std::move(batch));
    }
  }
  return out;
}

columnar::SchemaPtr RowQuarantineSchema() {
  using columnar::DataType;
  static const columnar::SchemaPtr schema = std::make_shared<const columnar::Schema>(
      std::vector<columnar::Field>{{"run_id", DataType::String(), true},
                                   {"table", DataType::String(), true},
                                   {"error_kind", DataType::String(), true},
                                   {"field", DataType::String(), true},
                                   {"message", DataType::String(), true},
                                   {"raw", DataType::String(), true},
                                   {"quarantined_at", DataType::Timestamp(), true}});
  return schema;
}

lake::BatchSource OneBatch(columnar::BatchPtr batch) {
  return [batch = std::move(batch), done = false]() mutable -> Result<columnar::BatchPtr> {
    if (done) return columnar::BatchPtr();
    done = true;
    return batch;
  };
}

}  // namespace sluice::pipeline

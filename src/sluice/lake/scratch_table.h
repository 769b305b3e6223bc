// For the lake's tests: a scratch folder that is removed with its contents, a batch source over a
// list of batches, and a table's rows as sorted text. Header-only; test binaries include it.
#pragma once

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sluice/columnar/value_formatter.h"
#include "sluice/lake/delta_table.h"
#include "sluice/lake/table_scan.h"

namespace sluice::lake::scratch {

// A fresh folder under /tmp, removed with everything in it when the object goes away.
class TempDir {
 public:
  TempDir() {
    char pattern[] = "/tmp/sluice-lake-XXXXXX";
    const char* path = ::mkdtemp(pattern);
    path_ = path != nullptr ? path : "";
  }
  ~TempDir() {
    if (!path_.empty()) std::filesystem::remove_all(path_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Yields each batch once, then the end.
inline BatchSource SourceOf(std::vector<columnar::BatchPtr> batches) {
  auto state =
      std::make_shared<std::pair<std::vector<columnar::BatchPtr>, size_t>>(std::move(batches), 0);
  return [state]() -> Result<columnar::BatchPtr> {
    if (state->second >= state->first.size()) return columnar::BatchPtr();
    return state->first[state->second++];
  };
}

// Every row of the table at `version` as "col=value|..." (values as JSON), sorted.
inline std::vector<std::string> ReadRows(const std::string& root,
                                         std::optional<int64_t> version = std::nullopt) {
  auto log = DeltaLog::Open(root).ValueOrDie();
  auto snapshot = log->Load(version).ValueOrDie();
  auto scan = TableScan::Open(log, snapshot).ValueOrDie();
  std::vector<std::string> rows;
  while (true) {
    columnar::BatchPtr batch = scan->Next().ValueOrDie();
    if (!batch) break;
    for (int64_t row = 0; row < batch->num_rows(); ++row) {
      std::string text;
      for (size_t c = 0; c < batch->num_columns(); ++c) {
        if (c > 0) text += '|';
        text += batch->schema()->field(c).name + "=";
        columnar::AppendValue(batch->column(c), row, columnar::ValueStyle::kJson, &text);
      }
      rows.push_back(text);
    }
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

}  // namespace sluice::lake::scratch

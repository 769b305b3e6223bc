// Conformance of the Delta log reader and table scan over ../shared/corpus/delta (Spark-written
// golden tables, see its MANIFEST.md), driven entirely by the `<table>.expected.json` files that
// sit next to each table directory:
//
//   latest snapshot  version, schema (names and Delta type names from the metaData schemaString),
//                    partition columns, row count, and the rows themselves ("rows", compared as a
//                    multiset) or the sorted id column ("ids_sorted"); the log_facts (live files,
//                    checkpoint replay started from) where stated.
//   time travel      every "time_travel" entry: row count, schema and ids at that version.
//   checkpoints      "last_checkpoint_version" / "checkpoint_parts": replay starts from that
//                    checkpoint; a replay of the JSON commits alone gives the same live files.
//
// Cells are rendered the way the expected files write them: integers and floats as JSON numbers,
// strings, booleans and null as themselves, binary as "hex:<lower-case hex>" and decimals as
// strings (the files' encoding_note); dates and timestamps (absent from the corpus today) as
// ISO 8601 strings.
#include <gtest/gtest.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "sluice/columnar/decimal.h"
#include "sluice/columnar/value_formatter.h"
#include "sluice/lake/delta_log.h"
#include "sluice/lake/delta_table.h"
#include "sluice/lake/table_scan.h"

namespace sluice::lake {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using columnar::TypeId;

const fs::path kCorpus = fs::path(SLUICE_CORPUS_DIR) / "delta";

#define SKIP_WITHOUT_CORPUS()                                                                     \
  do {                                                                                            \
    if (!fs::is_directory(kCorpus)) {                                                             \
      std::printf("Delta corpus absent (no directory %s), skipping\n", kCorpus.string().c_str()); \
      GTEST_SKIP() << "Delta corpus absent (looked for the directory " << kCorpus.string()        \
                   << "): set SLUICE_CORPUS_DIR to a checkout of the shared corpus to run";       \
    }                                                                                             \
  } while (false)

std::string ReadText(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// One table of the corpus: its directory and what its expected file states.
struct CorpusTable {
  std::string name;
  fs::path directory;
  Json expected;
};

// Every `<table>.expected.json` of the corpus, by table name. A file that does not parse or
// whose table directory is missing is reported as a failure and left out.
std::vector<CorpusTable> LoadCorpus() {
  std::vector<CorpusTable> tables;
  const std::string suffix = ".expected.json";
  std::vector<fs::path> paths;
  for (const fs::directory_entry& entry : fs::directory_iterator(kCorpus)) {
    const std::string file_name = entry.path().filename().string();
    if (entry.is_regular_file() && file_name.size() > suffix.size() &&
        file_name.ends_with(suffix)) {
      paths.push_back(entry.path());
    }
  }
  std::sort(paths.begin(), paths.end());
  for (const fs::path& path : paths) {
    const std::string file_name = path.filename().string();
    CorpusTable table;
    table.name = file_name.substr(0, file_name.size() - suffix.size());
    table.directory = kCorpus / table.name;
    table.expected = Json::parse(ReadText(path), nullptr, /*allow_exceptions=*/false);
    if (table.expected.is_discarded() || !table.expected.is_object()) {
      ADD_FAILURE() << path << " is not a JSON object";
      continue;
    }
    if (!fs::is_directory(table.directory / "_delta_log")) {
      ADD_FAILURE() << path << " names a table without a _delta_log directory: " << table.directory;
      continue;
    }
    tables.push_back(std::move(table));
  }
  if (tables.empty()) ADD_FAILURE() << "no *.expected.json in " << kCorpus;
  return tables;
}

std::string Hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text;
  for (const char c : bytes) {
    const auto byte = static_cast<unsigned char>(c);
    text.push_back(kDigits[byte >> 4]);
    text.push_back(kDigits[byte & 15]);
  }
  return text;
}

// One cell in the expected files' conventions.
Json Cell(const columnar::Column& column, int64_t row) {
  if (column.IsNull(row)) return Json(nullptr);
  switch (column.type().id()) {
    case TypeId::kBool:
      return Json(static_cast<const columnar::BooleanColumn&>(column).Value(row));
    case TypeId::kInt32:
      return Json(
          static_cast<int64_t>(static_cast<const columnar::Int32Column&>(column).Value(row)));
    case TypeId::kInt64:
      return Json(static_cast<const columnar::Int64Column&>(column).Value(row));
    case TypeId::kFloat64:
      return Json(static_cast<const columnar::Float64Column&>(column).Value(row));
    case TypeId::kDecimal:
      return Json(columnar::FormatDecimal(
          static_cast<const columnar::DecimalColumn&>(column).Value(row), column.type().scale()));
    case TypeId::kString:
      return Json(std::string(static_cast<const columnar::StringColumn&>(column).Value(row)));
    case TypeId::kBinary:
      return Json("hex:" + Hex(static_cast<const columnar::StringColumn&>(column).Value(row)));
    case TypeId::kJson: {
      const std::string_view text = static_cast<const columnar::StringColumn&>(column).Value(row);
      Json parsed = Json::parse(text, nullptr, /*allow_exceptions=*/false);
      return parsed.is_discarded() ? Json(std::string(text)) : parsed;
    }
    case TypeId::kDate:
    case TypeId::kTime:
    case TypeId::kTimestamp: {
      std::string text;
      columnar::AppendValue(column, row, columnar::ValueStyle::kCsv, &text);
      return Json(text);
    }
  }
  return Json("unhandled type " + column.type().ToString());
}

// Everything a scan of one snapshot produced.
struct ScannedTable {
  std::vector<std::string> column_names;
  std::vector<Json> rows;  // each a JSON array of cells in column order
};

Result<ScannedTable> ScanAll(const std::shared_ptr<const DeltaLog>& log,
                             const SnapshotPtr& snapshot) {
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<TableScan> scan, TableScan::Open(log, snapshot));
  ScannedTable table;
  for (const columnar::Field& field : scan->schema()->fields()) {
    table.column_names.push_back(field.name);
  }
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(columnar::BatchPtr batch, scan->Next());
    if (batch == nullptr) break;
    for (int64_t row = 0; row < batch->num_rows(); ++row) {
      Json cells = Json::array();
      for (size_t column = 0; column < batch->num_columns(); ++column) {
        cells.push_back(Cell(batch->column(column), row));
      }
      table.rows.push_back(std::move(cells));
    }
  }
  return table;
}

// The ids of a scan, sorted. The id column is "id" (else the only column).
std::vector<Json> SortedIds(const ScannedTable& table) {
  size_t index = 0;
  auto it = std::find(table.column_names.begin(), table.column_names.end(), "id");
  if (it != table.column_names.end()) {
    index = static_cast<size_t>(it - table.column_names.begin());
  } else {
    EXPECT_EQ(table.column_names.size(), 1u) << "no id column among the table's columns";
  }
  std::vector<Json> ids;
  for (const Json& row : table.rows) ids.push_back(row.at(index));
  std::sort(ids.begin(), ids.end());
  return ids;
}

// An expected id list: a JSON array, or "range(a,b)" for a..b-1 (Spark's spark.range). Sorted.
std::optional<std::vector<Json>> ExpectedIds(const Json& ids) {
  std::vector<Json> values;
  if (ids.is_array()) {
    for (const Json& value : ids) values.push_back(value);
  } else if (ids.is_string()) {
    long long begin = 0;
    long long end = 0;
    char tail = 0;
    if (std::sscanf(ids.get<std::string>().c_str(), "range(%lld,%lld%c", &begin, &end, &tail) !=
            3 ||
        tail != ')') {
      return std::nullopt;
    }
    for (long long id = begin; id < end; ++id) values.push_back(Json(static_cast<int64_t>(id)));
  } else {
    return std::nullopt;
  }
  std::sort(values.begin(), values.end());
  return values;
}

// The rows as sorted JSON texts, so that two tables compare as multisets.
std::vector<std::string> RowMultiset(const std::vector<Json>& rows) {
  std::vector<std::string> texts;
  for (const Json& row : rows) texts.push_back(row.dump());
  std::sort(texts.begin(), texts.end());
  return texts;
}

// [[name, Delta type name], ...] from a metaData schemaString; a nested type is given as its JSON
// text. Null (with a failure) when the string is not a Delta schema.
Json DeltaSchemaColumns(const std::string& schema_string) {
  const Json schema = Json::parse(schema_string, nullptr, /*allow_exceptions=*/false);
  if (schema.is_discarded() || !schema.is_object() || !schema.contains("fields") ||
      !schema["fields"].is_array()) {
    ADD_FAILURE() << "schemaString is not a Delta struct schema: " << schema_string;
    return Json(nullptr);
  }
  Json columns = Json::array();
  for (const Json& field : schema["fields"]) {
    const Json& type = field.value("type", Json(nullptr));
    columns.push_back(
        Json::array({field.value("name", ""), type.is_string() ? type : Json(type.dump())}));
  }
  return columns;
}

// Checks the snapshot at one version against an expectation object (the top level of an expected
// file or one of its time_travel entries): num_rows, schema, rows, ids_sorted / ids.
void CheckContents(const std::shared_ptr<const DeltaLog>& log, const SnapshotPtr& snapshot,
                   const Json& expected) {
  if (expected.contains("schema")) {
    EXPECT_EQ(DeltaSchemaColumns(snapshot->metadata.schema_string), expected["schema"]);
  }
  Result<ScannedTable> scanned = ScanAll(log, snapshot);
  ASSERT_TRUE(scanned.ok()) << scanned.status().ToString();
  if (expected.contains("schema")) {
    std::vector<std::string> names;
    for (const Json& column : expected["schema"]) names.push_back(column.at(0).get<std::string>());
    EXPECT_EQ(scanned->column_names, names) << "the scan's columns differ from the schema";
  }
  if (expected.contains("num_rows")) {
    EXPECT_EQ(static_cast<int64_t>(scanned->rows.size()), expected["num_rows"].get<int64_t>());
    if (std::optional<int64_t> records = snapshot->NumRecords()) {
      EXPECT_EQ(*records, expected["num_rows"].get<int64_t>()) << "numRecords of the add stats";
    }
  }
  if (expected.contains("rows")) {
    std::vector<Json> rows;
    for (const Json& row : expected["rows"]) rows.push_back(row);
    const std::vector<std::string> actual = RowMultiset(scanned->rows);
    const std::vector<std::string> wanted = RowMultiset(rows);
    std::vector<std::string> missing;
    std::vector<std::string> unexpected;
    std::set_difference(wanted.begin(), wanted.end(), actual.begin(), actual.end(),
                        std::back_inserter(missing));
    std::set_difference(actual.begin(), actual.end(), wanted.begin(), wanted.end(),
                        std::back_inserter(unexpected));
    EXPECT_TRUE(missing.empty()) << missing.size() << " expected row(s) not read, e.g. "
                                 << missing.front();
    EXPECT_TRUE(unexpected.empty())
        << unexpected.size() << " row(s) read but not expected, e.g. " << unexpected.front();
  }
  for (const char* key : {"ids_sorted", "ids"}) {
    if (!expected.contains(key)) continue;
    std::optional<std::vector<Json>> ids = ExpectedIds(expected[key]);
    if (!ids.has_value()) {
      ADD_FAILURE() << "cannot read the expected \"" << key << "\": " << expected[key].dump();
      continue;
    }
    const std::vector<Json> actual = SortedIds(*scanned);
    EXPECT_EQ(actual.size(), ids->size()) << key;
    EXPECT_TRUE(actual == *ids) << key << " differ: got " << Json(actual).dump().substr(0, 400);
  }
}

std::set<std::string> FileKeys(const Snapshot& snapshot) {
  std::set<std::string> keys;
  for (const auto& [key, add] : snapshot.files) keys.insert(key.ToString());
  return keys;
}

TEST(DeltaCorpusTest, LatestSnapshotsMatchTheExpectedTables) {
  SKIP_WITHOUT_CORPUS();
  for (const CorpusTable& table : LoadCorpus()) {
    SCOPED_TRACE("table " + table.name);
    const Json& expected = table.expected;
    Result<std::shared_ptr<DeltaLog>> log = DeltaLog::Open(table.directory.string());
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    Result<SnapshotPtr> snapshot = (*log)->Load();
    ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
    const Snapshot& latest = **snapshot;
    ASSERT_TRUE(expected.contains("version"));
    EXPECT_EQ(latest.version, expected["version"].get<int64_t>());
    if (expected.contains("partition_columns")) {
      EXPECT_EQ(latest.metadata.partition_columns,
                expected["partition_columns"].get<std::vector<std::string>>());
    }
    ASSERT_NE(latest.schema, nullptr);
    if (expected.contains("schema")) {
      EXPECT_EQ(latest.schema->num_fields(), expected["schema"].size());
    }
    if (expected.contains("log_facts")) {
      const Json& facts = expected["log_facts"];
      if (facts.contains("latest_version")) {
        EXPECT_EQ(latest.version, facts["latest_version"].get<int64_t>());
      }
      if (facts.contains("active_files")) {
        EXPECT_EQ(static_cast<int64_t>(latest.files.size()), facts["active_files"].get<int64_t>());
      }
      if (facts.contains("checkpoint_version")) {
        const Json& version = facts["checkpoint_version"];
        EXPECT_EQ(latest.checkpoint_version, version.is_null()
                                                 ? std::nullopt
                                                 : std::optional<int64_t>(version.get<int64_t>()));
      }
    }
    CheckContents(*log, *snapshot, expected);
  }
}

TEST(DeltaCorpusTest, TimeTravelMatchesTheExpectedVersions) {
  SKIP_WITHOUT_CORPUS();
  int entries = 0;
  for (const CorpusTable& table : LoadCorpus()) {
    if (!table.expected.contains("time_travel")) continue;
    Result<std::shared_ptr<DeltaLog>> log = DeltaLog::Open(table.directory.string());
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    for (const auto& [version_text, expected] : table.expected["time_travel"].items()) {
      SCOPED_TRACE("table " + table.name + " at version " + version_text);
      ++entries;
      const int64_t version = std::stoll(version_text);
      Result<SnapshotPtr> snapshot = (*log)->Load(version);
      ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
      EXPECT_EQ((*snapshot)->version, version);
      CheckContents(*log, *snapshot, expected);
    }
  }
  std::printf("checked %d time-travel versions\n", entries);
}

TEST(DeltaCorpusTest, CheckpointsAreUsedAndAgreeWithTheJsonLog) {
  SKIP_WITHOUT_CORPUS();
  for (const CorpusTable& table : LoadCorpus()) {
    SCOPED_TRACE("table " + table.name);
    const Json& expected = table.expected;
    Result<std::shared_ptr<DeltaLog>> log = DeltaLog::Open(table.directory.string());
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    Result<SnapshotPtr> snapshot = (*log)->Load();
    ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
    if (expected.contains("last_checkpoint_version")) {
      EXPECT_EQ((*snapshot)->checkpoint_version,
                std::optional<int64_t>(expected["last_checkpoint_version"].get<int64_t>()))
          << "replay did not start from the table's latest checkpoint";
    }
    if (expected.contains("checkpoint_parts")) {
      // The fixture really holds a checkpoint in that many parts, which replay started from.
      const int64_t parts = expected["checkpoint_parts"].get<int64_t>();
      ASSERT_TRUE((*snapshot)->checkpoint_version.has_value());
      char pattern[64];
      std::snprintf(pattern, sizeof(pattern), "%020" PRId64 ".checkpoint.",
                    *(*snapshot)->checkpoint_version);
      char part_suffix[32];
      std::snprintf(part_suffix, sizeof(part_suffix), ".%010" PRId64 ".parquet", parts);
      int64_t found = 0;
      for (const fs::directory_entry& entry :
           fs::directory_iterator(table.directory / "_delta_log")) {
        const std::string name = entry.path().filename().string();
        if (name.starts_with(pattern) && name.ends_with(part_suffix)) ++found;
      }
      EXPECT_EQ(found, parts);
      const Json hint = Json::parse(ReadText(table.directory / "_delta_log" / "_last_checkpoint"),
                                    nullptr, /*allow_exceptions=*/false);
      ASSERT_TRUE(hint.is_object());
      EXPECT_EQ(hint.value("parts", int64_t{0}), parts);
    }
    // Replaying the JSON commits alone (possible while version 0 is still in the log) must give
    // the same live files as replay from the checkpoint.
    if (fs::exists(table.directory / "_delta_log" / CommitFileName(0))) {
      Result<SnapshotPtr> json_only = (*log)->LoadFromJsonOnly();
      ASSERT_TRUE(json_only.ok()) << json_only.status().ToString();
      EXPECT_EQ((*json_only)->version, (*snapshot)->version);
      EXPECT_FALSE((*json_only)->checkpoint_version.has_value());
      EXPECT_EQ(FileKeys(**json_only), FileKeys(**snapshot));
      EXPECT_EQ((*json_only)->metadata.schema_string, (*snapshot)->metadata.schema_string);
      EXPECT_EQ((*json_only)->protocol, (*snapshot)->protocol);
    }
  }
}

// Spark-written golden tables with the features Delta writers enable today — deletion vectors,
// column mapping, v2 checkpoints — checked against expectations written by hand from the
// operations delta-io/delta's GoldenTables.scala performs on them. Each runs when the table is in
// the corpus (or in $SLUICE_DELTA_GOLDEN_DIR, a folder of such tables); the test says which it
// found.
struct GoldenExpectation {
  std::string table;
  const char* operations;
  Json expected;  // num_rows, rows (cells in schema order), checkpoint_version
};

Json Rows(int64_t from, int64_t to, const std::function<bool(int64_t)>& keep,
          const std::function<Json(int64_t)>& row) {
  Json rows = Json::array();
  for (int64_t x = from; x < to; ++x) {
    if (keep(x)) rows.push_back(row(x));
  }
  return rows;
}

std::vector<GoldenExpectation> GoldenExpectations() {
  const auto ids = [](int64_t x) { return Json::array({x}); };
  const auto partitioned = [](int64_t x) {
    return Json::array({x % 10, x, "foo" + std::to_string(x % 5)});
  };
  // DELETE WHERE col1 = 0, 2, ..., 28 (15 deletes, each a new or grown deletion vector).
  const auto not_even_below_30 = [](int64_t x) { return !(x % 2 == 0 && x < 30); };
  std::vector<GoldenExpectation> expectations;
  expectations.push_back(
      {"log-replay-dv-key-cases",
       "range(50) in one file; DELETE id = 0, then 7, then 14 (each commit adds the file with its "
       "new deletion vector before removing it with the old one)",
       {{"num_rows", 47},
        {"rows", Rows(
                     0, 50, [](int64_t x) { return x != 0 && x != 7 && x != 14; }, ids)}}});
  for (const char* name : {"dv-partitioned-with-checkpoint", "dv-with-columnmapping"}) {
    expectations.push_back(
        {name,
         "(x % 10, x, 'foo' + x % 5) for x in 0..49 partitioned by part; 15 DELETEs of col1 = "
         "0, 2, ..., 28 with deletion vectors (column mapping by name for the second); then, on a "
         "copy, sluice deletes col1 = 31 and col1 = 40 (its own deletion vectors, Spark's "
         "physical names)",
         {{"num_rows", 35},
          {"rows", Rows(0, 50, not_even_below_30, partitioned)},
          {"then_delete", "col1 = 31"},
          {"then_delete_also", "col1 = 40"},
          {"then_rows",
           Rows(
               0, 50, [&](int64_t x) { return not_even_below_30(x) && x != 31 && x != 40; },
               partitioned)}}});
  }
  for (const char* name : {"v2-checkpoint-json", "v2-checkpoint-parquet"}) {
    expectations.push_back(
        {name,
         "CREATE TABLE (id LONG); checkpointPolicy v2; range(10) in 4 files; a v2 checkpoint at "
         "version 2 with two sidecars",
         {{"num_rows", 10},
          {"rows", Rows(
                       0, 10, [](int64_t) { return true; }, ids)},
          {"checkpoint_version", 2}}});
  }
  for (const char* name :
       {"table-with-columnmapping-mode-name", "table-with-columnmapping-mode-id"}) {
    expectations.push_back({name,
                            "six rows of every primitive and nested type, column mapping by "
                            "name / id (physical names col-<uuid>, nested ones too)",
                            {{"num_rows", 6}, {"logical_nested_names", true}}});
  }
  expectations.push_back({"type-widening",
                          "two rows written with narrow types (byte, short, int, float, decimal, "
                          "date), then every column widened (typeWidening): read in the wide types",
                          {{"num_rows", 2}}});
  return expectations;
}

TEST(DeltaCorpusTest, GoldenTablesWithNewerFeaturesMatchTheirOperations) {
  std::vector<fs::path> folders = {kCorpus};
  if (const char* extra = std::getenv("SLUICE_DELTA_GOLDEN_DIR")) folders.emplace_back(extra);
  int found = 0;
  for (const GoldenExpectation& golden : GoldenExpectations()) {
    fs::path directory;
    for (const fs::path& folder : folders) {
      if (fs::is_directory(folder / golden.table / "_delta_log")) directory = folder / golden.table;
    }
    if (directory.empty()) {
      std::printf("golden table %s absent (looked in the corpus and $SLUICE_DELTA_GOLDEN_DIR)\n",
                  golden.table.c_str());
      continue;
    }
    ++found;
    SCOPED_TRACE("golden table " + golden.table + ": " + golden.operations);
    Result<std::shared_ptr<DeltaLog>> log = DeltaLog::Open(directory.string());
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    Result<SnapshotPtr> snapshot = (*log)->Load();
    ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
    const Json& expected = golden.expected;
    if (expected.contains("checkpoint_version")) {
      EXPECT_EQ((*snapshot)->checkpoint_version,
                std::optional<int64_t>(expected["checkpoint_version"].get<int64_t>()));
    }
    CheckContents(*log, *snapshot, expected);
    if (expected.contains("then_delete")) {
      // sluice writes into the table another engine made: deletes on a copy, read back.
      const fs::path copy = fs::temp_directory_path() / ("sluice-golden-" + golden.table);
      fs::remove_all(copy);
      fs::copy(directory, copy, fs::copy_options::recursive);
      auto table = DeltaTable::Open(copy.string()).ValueOrDie();
      for (const char* key : {"then_delete", "then_delete_also"}) {
        Result<DeleteResult> deleted = table->Delete(expected[key].get<std::string>());
        ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
        EXPECT_EQ(deleted->rows_deleted, 1);
      }
      auto copied_log = DeltaLog::Open(copy.string()).ValueOrDie();
      SnapshotPtr after = copied_log->Load().ValueOrDie();
      Json then = expected;
      then["rows"] = expected["then_rows"];
      then["num_rows"] = expected["then_rows"].size();
      then.erase("checkpoint_version");
      CheckContents(copied_log, after, then);
      // Partition values stay keyed as the table keys them (physical names under mapping).
      std::set<std::string> keys_before;
      std::set<std::string> keys_after;
      for (const auto& [key, add] : (*snapshot)->files) {
        for (const auto& [column, value] : add.partition_values) keys_before.insert(column);
      }
      for (const auto& [key, add] : after->files) {
        for (const auto& [column, value] : add.partition_values) keys_after.insert(column);
      }
      EXPECT_EQ(keys_after, keys_before);
      fs::remove_all(copy);
    }
    if (expected.contains("logical_nested_names")) {
      Result<ScannedTable> scanned = ScanAll(*log, *snapshot);
      ASSERT_TRUE(scanned.ok()) << scanned.status().ToString();
      for (const Json& row : scanned->rows) {
        EXPECT_EQ(row.dump().find("col-"), std::string::npos)
            << "a physical column name leaked into " << row.dump().substr(0, 300);
      }
      const auto nested =
          std::find(scanned->column_names.begin(), scanned->column_names.end(), "nested_struct");
      ASSERT_NE(nested, scanned->column_names.end());
      const Json& first = scanned->rows.front()[nested - scanned->column_names.begin()];
      EXPECT_NE(first.dump().find("aca"), std::string::npos) << first.dump();
    }
  }
  std::printf("%d golden table(s) with newer Delta features checked\n", found);
}

}  // namespace
}  // namespace sluice::lake

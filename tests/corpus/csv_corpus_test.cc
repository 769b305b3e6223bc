// Conformance of the CSV reader over ../shared/corpus/csv (see its MANIFEST.md).
//
// Every `read` file must give exactly the expected records under its stated dialect (read with
// --types none and no null tokens, so values are the raw field strings); every `error` file must
// fail cleanly with --on-error fail; `either` files must not crash. Every file is also read with
// type inference and the default policy, which must not crash and must account for every record.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sluice/columnar/value_formatter.h"
#include "sluice/formats/csv/csv_reader.h"
#include "sluice/io/input_stream.h"

namespace sluice::formats {
namespace {

namespace fs = std::filesystem;

const fs::path kCorpus = fs::path(SLUICE_CORPUS_DIR) / "csv";

struct CorpusCase {
  std::string file;
  std::string expect;  // read | error | either
  std::string exercises;
  std::optional<char> delimiter;
  char quote = '"';
  std::optional<bool> header;
};

// Splits a Markdown table row "| a | b | c |" into its trimmed cells.
std::vector<std::string> SplitRow(const std::string& line) {
  std::vector<std::string> cells;
  size_t pos = line.find('|');
  while (pos != std::string::npos) {
    const size_t next = line.find(" | ", pos + 1);
    const size_t stop = next == std::string::npos ? line.rfind('|') : next + 1;
    if (stop <= pos) break;
    std::string cell = line.substr(pos + 1, stop - pos - 1);
    while (!cell.empty() && cell.front() == ' ') cell.erase(cell.begin());
    while (!cell.empty() && cell.back() == ' ') cell.pop_back();
    cells.push_back(cell);
    pos = next == std::string::npos ? std::string::npos : next + 1;
  }
  return cells;
}

std::vector<CorpusCase> LoadManifest() {
  std::vector<CorpusCase> cases;
  std::ifstream manifest(kCorpus / "MANIFEST.md");
  std::string line;
  while (std::getline(manifest, line)) {
    if (line.rfind("| `", 0) != 0) continue;
    const std::vector<std::string> cells = SplitRow(line);
    if (cells.size() < 5) continue;
    CorpusCase c;
    c.file = cells[0].substr(1, cells[0].size() - 2);  // strip the backticks
    c.exercises = cells[2];
    const std::string& expect = cells[3];
    for (const char* verdict : {"read", "error", "either"}) {
      if (expect.rfind(verdict, 0) == 0) c.expect = verdict;
    }
    if (c.expect.empty()) continue;
    const size_t delim = c.exercises.find("delim='");
    if (delim != std::string::npos) {
      const std::string value = c.exercises.substr(delim + 7, 2);
      c.delimiter = value == "\\t" ? '\t' : value == "\\|" ? '|' : value[0];
    }
    if (c.exercises.find("header=yes") != std::string::npos) c.header = true;
    if (c.exercises.find("header=no") != std::string::npos) c.header = false;
    if (c.file.rfind("csv-spectrum/", 0) == 0) c.header = true;
    if (c.file.rfind("csv-test-data/", 0) == 0) {
      c.header = line.find("(header ") != std::string::npos;
    }
    cases.push_back(c);
  }
  return cases;
}

struct ReadOutcome {
  Status status;
  std::vector<std::string> names;
  std::vector<std::vector<std::string>> rows;
  int64_t rejects = 0;
  int64_t records = 0;
};

ReadOutcome ReadAll(const fs::path& path, CSVReadOptions options, OnError on_error) {
  ReadOutcome outcome;
  RejectPolicy policy;
  policy.on_error = on_error;
  RejectTracker tracker(policy);
  auto input = io::OpenDecompressed(path.string());
  if (!input.ok()) {
    outcome.status = input.status();
    return outcome;
  }
  auto reader = CSVReader::Open(std::move(input).ValueUnsafe(), options, &tracker);
  if (!reader.ok()) {
    outcome.status = reader.status();
    return outcome;
  }
  for (const auto& field : (*reader)->schema()->fields()) outcome.names.push_back(field.name);
  while (true) {
    auto batch = (*reader)->Next();
    if (!batch.ok()) {
      outcome.status = batch.status();
      break;
    }
    if (*batch == nullptr) break;
    for (int64_t r = 0; r < (*batch)->num_rows(); ++r) {
      std::vector<std::string> row;
      for (size_t c = 0; c < (*batch)->num_columns(); ++c) {
        std::string value;
        const auto& column = (*batch)->column(c);
        if (column.IsNull(r)) {
          value = "<NULL>";
        } else {
          columnar::AppendValue(column, r, columnar::ValueStyle::kCsv, &value);
        }
        row.push_back(value);
      }
      outcome.rows.push_back(std::move(row));
    }
  }
  outcome.rejects = tracker.count();
  outcome.records = (*reader)->records_read();
  return outcome;
}

CSVReadOptions RawOptions(const CorpusCase& c) {
  CSVReadOptions options;
  options.delimiter = c.delimiter;
  options.quote = c.quote;
  options.header = c.header;
  options.common.infer_types = false;
  options.common.null_values = {};
  options.common.threads = 1;
  return options;
}

// Expected records as rows of strings, from the suite's own file or the reference file.
bool LoadExpected(const CorpusCase& c, std::vector<std::string>* header,
                  std::vector<std::vector<std::string>>* rows, std::string* error) {
  fs::path expected = kCorpus / (c.file + ".expected.json");
  if (!fs::exists(expected)) expected = kCorpus / (c.file + ".reference.json");
  if (!fs::exists(expected)) {
    *error = "no expected file";
    return false;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.load(expected.string()).get(root)) {
    *error = "cannot parse " + expected.string();
    return false;
  }
  auto to_string = [](simdjson::dom::element value) {
    std::string_view text;
    if (value.get_string().get(text)) return std::string("<non-string>");
    return std::string(text);
  };
  simdjson::dom::array records;
  if (root.is_object() && root["records"].error() == simdjson::NO_SUCH_FIELD &&
      root["expect"].error() == simdjson::NO_SUCH_FIELD) {
    // A single record given as one object (csv-spectrum's location_coordinates).
    simdjson::dom::object object = root.get_object();
    std::vector<std::string> row;
    for (auto field : object) {
      header->push_back(std::string(field.key));
      row.push_back(to_string(field.value));
    }
    rows->push_back(std::move(row));
    return true;
  }
  if (root.is_object()) {
    simdjson::dom::element header_element;
    if (!root["header"].get(header_element) && header_element.is_array()) {
      for (auto name : header_element.get_array()) header->push_back(to_string(name));
    }
    if (root["records"].get_array().get(records)) {
      *error = "no records in " + expected.string();
      return false;
    }
  } else if (root.get_array().get(records)) {
    *error = "unexpected shape";
    return false;
  }
  for (auto record : records) {
    std::vector<std::string> row;
    if (record.is_array()) {
      for (auto value : record.get_array()) row.push_back(to_string(value));
    } else {
      // Objects keyed by header (csv-spectrum): keep the header order.
      simdjson::dom::object object = record.get_object();
      if (header->empty()) {
        for (auto field : object) header->push_back(std::string(field.key));
      }
      for (const std::string& name : *header) row.push_back(to_string(object[name]));
    }
    rows->push_back(std::move(row));
  }
  return true;
}

// Upstream expected files that contradict their own data file. Each entry names the record and
// field, and the value the data file really holds (checked by eye with od -c), which we assert.
struct KnownUpstreamDefect {
  const char* file;
  size_t record;
  size_t field;
  const char* value_in_file;
  const char* why;
};
constexpr KnownUpstreamDefect kKnownDefects[] = {
    {"csv-spectrum/location_coordinates.csv", 0, 0, "2095257564",
     "csv-spectrum's expected JSON says 1234567890, but the CSV holds 2095257564"},
};

class CSVCorpusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(kCorpus / "MANIFEST.md")) {
      std::printf(
          "CSV corpus not found at %s — skipping conformance (it lives in ../shared/corpus)\n",
          kCorpus.c_str());
      GTEST_SKIP() << "corpus not found at " << kCorpus;
    }
  }
};

TEST_F(CSVCorpusTest, EveryManifestFileBehavesAsExpected) {
  const std::vector<CorpusCase> cases = LoadManifest();
  ASSERT_GE(cases.size(), 60u) << "MANIFEST.md parsing found too few rows";
  int read_ok = 0, errors_ok = 0, either = 0;
  for (const CorpusCase& c : cases) {
    SCOPED_TRACE(c.file);
    const fs::path path = kCorpus / c.file;
    ASSERT_TRUE(fs::exists(path)) << path;
    if (c.expect == "read") {
      std::vector<std::string> header;
      std::vector<std::vector<std::string>> expected;
      std::string error;
      ASSERT_TRUE(LoadExpected(c, &header, &expected, &error)) << error;
      // csv-test-data files without a header list the first row as a record.
      const ReadOutcome outcome = ReadAll(path, RawOptions(c), OnError::kFail);
      ASSERT_TRUE(outcome.status.ok()) << outcome.status.ToString();
      if (c.header.value_or(false) && !header.empty()) {
        ASSERT_EQ(outcome.names.size(), header.size());
        for (size_t i = 0; i < header.size(); ++i) {
          // Empty header names are given a synthetic name (columnN).
          if (header[i].empty()) {
            EXPECT_EQ(outcome.names[i], "column" + std::to_string(i));
          } else {
            EXPECT_EQ(outcome.names[i], header[i]);
          }
        }
      }
      ASSERT_EQ(outcome.rows.size(), expected.size());
      for (const KnownUpstreamDefect& defect : kKnownDefects) {
        if (c.file != defect.file) continue;
        ASSERT_LT(defect.record, expected.size());
        ASSERT_LT(defect.field, expected[defect.record].size());
        EXPECT_EQ(outcome.rows[defect.record][defect.field], defect.value_in_file) << defect.why;
        expected[defect.record][defect.field] = defect.value_in_file;
      }
      for (size_t r = 0; r < expected.size(); ++r) {
        EXPECT_EQ(outcome.rows[r], expected[r]) << "record " << r;
      }
      ++read_ok;
    } else if (c.expect == "error") {
      CSVReadOptions options = RawOptions(c);
      // A file whose header must be exactly foo,bar,baz: require those columns.
      if (c.file.find("wrong-header") != std::string::npos) {
        for (const char* name : {"foo", "bar", "baz"}) {
          options.common.column_types.emplace_back(name, columnar::DataType::String());
        }
      }
      const ReadOutcome outcome = ReadAll(path, options, OnError::kFail);
      EXPECT_FALSE(outcome.status.ok()) << "expected a clean error";
      EXPECT_FALSE(outcome.status.message().empty());
      // The error names the file.
      EXPECT_NE(outcome.status.message().find(path.filename().string()), std::string::npos)
          << outcome.status.message();
      ++errors_ok;
    } else {
      // either: any outcome, no crash; with quarantine every record is accounted for.
      const ReadOutcome outcome = ReadAll(path, RawOptions(c), OnError::kQuarantine);
      if (outcome.status.ok()) {
        EXPECT_EQ(outcome.records, static_cast<int64_t>(outcome.rows.size()) + outcome.rejects);
      }
      ++either;
    }
    // With type inference and defaults, nothing crashes and nothing is lost.
    CSVReadOptions inferred;
    inferred.delimiter = c.delimiter;
    inferred.header = c.header;
    const ReadOutcome typed = ReadAll(path, inferred, OnError::kQuarantine);
    if (typed.status.ok()) {
      EXPECT_EQ(typed.records, static_cast<int64_t>(typed.rows.size()) + typed.rejects);
    }
  }
  std::printf(
      "CSV corpus: %zu files: %d read and matched, %d failed cleanly as expected, %d either\n",
      cases.size(), read_ok, errors_ok, either);
}

}  // namespace
}  // namespace sluice::formats

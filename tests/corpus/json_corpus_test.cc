// Conformance of the JSON reader over ../shared/corpus/json (see its MANIFEST.md).
//
// Suites:
//   duckdb/          `read` files must give exactly the reference records (flattened by the
//                    reader's documented rule, below); `error` files must be rejected (and fail the
//                    read with on_error=fail); `either` files must not crash.
//   JSONTestSuite/   test_parsing: y_ must be accepted (and match an independent parser), n_ must
//                    be rejected, i_ either; test_transform: whatever is read must be read the same
//                    way twice.
//   jsonchecker/     verdicts in EXPECTED.tsv.
//   roundtrip/       each one-value document must read back to the same value.
//   real-world/      twitter.json: one record, matching an independent parser.
//
// The flattening rule the reader documents: a record that is an object gives one column per key,
// nested objects give `parent__child` columns (recursively, empty objects give none), arrays stay
// JSON; a record that is not an object gives one column named `value`. A document that is a
// top-level array is read as one record per element.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "sluice/columnar/temporal.h"
#include "sluice/columnar/value_formatter.h"
#include "sluice/formats/json/json_reader.h"
#include "sluice/io/input_stream.h"

namespace sluice::formats {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using columnar::TypeId;

const fs::path kCorpus = fs::path(SLUICE_CORPUS_DIR) / "json";

#define SKIP_WITHOUT_CORPUS()                                                      \
  do {                                                                             \
    if (!fs::is_directory(kCorpus)) {                                              \
      std::printf("corpus not found at %s, skipping\n", kCorpus.string().c_str()); \
      GTEST_SKIP() << "corpus not found at " << kCorpus.string() << ", skipping";  \
    }                                                                              \
  } while (false)

std::string ReadText(const fs::path& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

// JSON text for messages (never throws on invalid UTF-8).
std::string Show(const Json& value) {
  return value.dump(-1, ' ', false, Json::error_handler_t::replace);
}

struct ReadOutcome {
  Status status;
  std::vector<columnar::BatchPtr> batches;
  int64_t rows = 0;
  int64_t rejects = 0;
  std::vector<Reject> kept;
  int64_t records = 0;
};

ReadOutcome ReadFile(const fs::path& path, OnError on_error = OnError::kQuarantine) {
  ReadOutcome outcome;
  RejectPolicy policy;
  policy.on_error = on_error;
  RejectTracker tracker(policy);
  auto input = io::OpenDecompressed(path.string());
  if (!input.ok()) {
    outcome.status = input.status();
    return outcome;
  }
  auto reader = JSONReader::Open(std::move(*input), JSONReadOptions{}, &tracker);
  if (!reader.ok()) {
    outcome.status = reader.status();
    outcome.rejects = tracker.count();
    return outcome;
  }
  while (true) {
    auto batch = (*reader)->Next();
    if (!batch.ok()) {
      outcome.status = batch.status();
      break;
    }
    if (*batch == nullptr) break;
    outcome.rows += (*batch)->num_rows();
    outcome.batches.push_back(*batch);
  }
  outcome.rejects = tracker.count();
  outcome.kept = tracker.kept();
  outcome.records = (*reader)->records_read();
  return outcome;
}

// Checks what every read must satisfy, whatever the file: a clean outcome and nothing lost.
void ExpectAccounted(const ReadOutcome& outcome, const std::string& name) {
  ASSERT_TRUE(outcome.status.ok()) << name << ": " << outcome.status.ToString();
  EXPECT_EQ(outcome.records, outcome.rows + outcome.rejects)
      << name << ": records read must equal rows + rejects";
}

std::string RejectSummary(const ReadOutcome& outcome) {
  std::string text;
  for (const Reject& reject : outcome.kept) text += "\n  " + reject.ToString();
  return text;
}

// --- The documented flattening rule, applied to reference values ---------------------------------

void FlattenObject(const Json& object, const std::string& prefix, bool nested,
                   std::map<std::string, Json>* out) {
  for (const auto& [key, value] : object.items()) {
    const std::string name = nested ? prefix + "__" + key : key;
    if (value.is_object()) {
      FlattenObject(value, name, true, out);
    } else {
      (*out)[name] = value;
    }
  }
}

std::map<std::string, Json> FlattenRecord(const Json& record) {
  std::map<std::string, Json> out;
  if (record.is_object()) {
    FlattenObject(record, "", false, &out);
  } else {
    out["value"] = record;
  }
  return out;
}

// The records a document gives: one per element of a top-level array, else the document itself.
std::vector<Json> DocumentRecords(const Json& document) {
  if (document.is_array()) return std::vector<Json>(document.begin(), document.end());
  return {document};
}

// --- Comparing a cell with a reference value
// -------------------------------------------------------

bool NumbersEqual(const Json& expected, const Json& actual) {
  if (!expected.is_number() || !actual.is_number()) return false;
  if (expected.is_number_integer() && actual.is_number_integer()) return expected == actual;
  const double a = expected.get<double>();
  const double b = actual.get<double>();
  return a == b || std::fabs(a - b) <= 1e-15 * std::max(std::fabs(a), std::fabs(b));
}

// JSON equality with numbers compared numerically.
bool JsonEqual(const Json& expected, const Json& actual) {
  if (expected.is_number() || actual.is_number()) return NumbersEqual(expected, actual);
  if (expected.type() != actual.type()) return false;
  if (expected.is_array()) {
    if (expected.size() != actual.size()) return false;
    for (size_t i = 0; i < expected.size(); ++i) {
      if (!JsonEqual(expected[i], actual[i])) return false;
    }
    return true;
  }
  if (expected.is_object()) {
    if (expected.size() != actual.size()) return false;
    for (const auto& [key, value] : expected.items()) {
      if (!actual.contains(key) || !JsonEqual(value, actual.at(key))) return false;
    }
    return true;
  }
  return expected == actual;
}

// Does `column[row]` hold `expected`? On a mismatch `why` says what was found.
bool CellMatches(const columnar::Column& column, int64_t row, const Json& expected,
                 std::string* why) {
  std::string rendered;
  columnar::AppendValue(column, row, columnar::ValueStyle::kJson, &rendered);
  *why = "found " + rendered + " (" + column.type().ToString() + ")";
  if (expected.is_null()) return column.IsNull(row);
  if (column.IsNull(row)) return false;
  switch (column.type().id()) {
    case TypeId::kString: {
      const auto text = static_cast<const columnar::StringColumn&>(column).Value(row);
      if (expected.is_string()) return expected.get<std::string>() == text;
      // A mixed column holds non-strings as their JSON text.
      const Json parsed = Json::parse(text, nullptr, false);
      return !parsed.is_discarded() && JsonEqual(expected, parsed);
    }
    case TypeId::kJson: {
      const auto text = static_cast<const columnar::StringColumn&>(column).Value(row);
      const Json parsed = Json::parse(text, nullptr, false);
      return !parsed.is_discarded() && JsonEqual(expected, parsed);
    }
    case TypeId::kInt64:
    case TypeId::kFloat64:
    case TypeId::kBool: {
      const Json parsed = Json::parse(rendered, nullptr, false);
      return !parsed.is_discarded() && JsonEqual(expected, parsed);
    }
    case TypeId::kDate:
    case TypeId::kTimestamp:
    case TypeId::kTime: {
      // Inferred from strings: the reference string must denote the same instant.
      if (!expected.is_string()) return false;
      const std::string text = expected.get<std::string>();
      for (auto order :
           {columnar::DateOrder::kYMD, columnar::DateOrder::kMDY, columnar::DateOrder::kDMY}) {
        if (column.type().id() == TypeId::kDate) {
          int32_t days;
          if (columnar::ParseDate(text, order, &days) &&
              days == static_cast<const columnar::Int32Column&>(column).Value(row)) {
            return true;
          }
        } else {
          int64_t micros;
          const bool parsed = column.type().id() == TypeId::kTime
                                  ? columnar::ParseTime(text, &micros)
                                  : columnar::ParseTimestamp(text, order, &micros);
          if (parsed && micros == static_cast<const columnar::Int64Column&>(column).Value(row)) {
            return true;
          }
        }
      }
      return false;
    }
    default:
      return false;
  }
}

// Compares the rows read with the expected records (already split into records).
void ExpectRecords(const ReadOutcome& outcome, const std::vector<Json>& records,
                   const std::string& name) {
  ASSERT_EQ(outcome.rows, static_cast<int64_t>(records.size()))
      << name << ": row count" << RejectSummary(outcome);
  int64_t row = 0;
  for (const auto& batch : outcome.batches) {
    for (int64_t r = 0; r < batch->num_rows(); ++r, ++row) {
      const auto expected = FlattenRecord(records[static_cast<size_t>(row)]);
      for (const auto& [column_name, value] : expected) {
        auto index = batch->schema()->FieldIndex(column_name);
        if (!index) {
          EXPECT_TRUE(value.is_null())
              << name << " row " << row << ": no column '" << column_name << "' for " << Show(value)
              << " (schema " << batch->schema()->ToString() << ")";
          continue;
        }
        std::string why;
        EXPECT_TRUE(CellMatches(batch->column(*index), r, value, &why))
            << name << " row " << row << " column '" << column_name << "': expected " << Show(value)
            << ", " << why;
      }
      // Columns the record does not have must be null.
      for (size_t c = 0; c < batch->num_columns(); ++c) {
        const std::string& column_name = batch->schema()->field(c).name;
        if (expected.count(column_name) == 0) {
          EXPECT_TRUE(batch->column(c).IsNull(r))
              << name << " row " << row << ": column '" << column_name
              << "' should be null (absent from the record)";
        }
      }
    }
  }
}

std::map<std::string, std::string> LoadExpected(const fs::path& tsv) {
  std::map<std::string, std::string> verdicts;
  std::ifstream file(tsv);
  std::string line;
  while (std::getline(file, line)) {
    const size_t tab = line.find('\t');
    if (tab == std::string::npos || line.rfind("file\t", 0) == 0) continue;
    verdicts[line.substr(0, tab)] = line.substr(tab + 1);
  }
  return verdicts;
}

std::vector<fs::path> FilesIn(const fs::path& directory, const std::string& extension) {
  std::vector<fs::path> files;
  if (!fs::is_directory(directory)) return files;
  for (const auto& entry : fs::directory_iterator(directory)) {
    if (entry.is_regular_file() && entry.path().extension() == extension) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

// An input that must be accepted: no rejects; and when an independent parser reads the document,
// the same records.
void ExpectAccepted(const fs::path& path, const std::string& name) {
  const ReadOutcome outcome = ReadFile(path);
  ExpectAccounted(outcome, name);
  EXPECT_EQ(outcome.rejects, 0) << name << ": must be accepted" << RejectSummary(outcome);
  if (outcome.rejects != 0) return;
  std::string text = ReadText(path);
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
  const Json document = Json::parse(text, nullptr, false);
  if (document.is_discarded()) return;  // the independent parser disagrees; nothing to compare
  ExpectRecords(outcome, DocumentRecords(document), name);
}

// An input that must be rejected: at least one reject, and on_error=fail fails the read.
void ExpectRejected(const fs::path& path, const std::string& name) {
  const ReadOutcome outcome = ReadFile(path);
  ExpectAccounted(outcome, name);
  EXPECT_GT(outcome.rejects, 0) << name << ": must be rejected, read " << outcome.rows
                                << " row(s) without a reject";
  const ReadOutcome failing = ReadFile(path, OnError::kFail);
  EXPECT_EQ(failing.status.code(), StatusCode::kDataError)
      << name << ": on_error=fail must fail the read, got " << failing.status.ToString();
}

// --- duckdb
// -----------------------------------------------------------------------------------------

TEST(JSONCorpusTest, DuckDBFilesMatchTheirReferences) {
  SKIP_WITHOUT_CORPUS();
  const fs::path root = kCorpus / "duckdb";
  int files = 0, read = 0, error = 0, either = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const std::string reference_name = entry.path().filename().string();
    const std::string suffix = ".reference.json";
    if (!entry.is_regular_file() || reference_name.size() <= suffix.size() ||
        reference_name.compare(reference_name.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    const fs::path data = entry.path().parent_path() /
                          reference_name.substr(0, reference_name.size() - suffix.size());
    const std::string name = fs::relative(data, root).string();
    SCOPED_TRACE(name);
    const Json reference = Json::parse(ReadText(entry.path()), nullptr, false);
    ASSERT_FALSE(reference.is_discarded()) << name << ": unreadable reference";
    const std::string expect = reference.value("expect", "");
    const std::string mode = reference.value("mode", "");
    ++files;
    if (expect == "read") {
      ++read;
      const ReadOutcome outcome = ReadFile(data);
      ExpectAccounted(outcome, name);
      EXPECT_EQ(outcome.rejects, 0) << name << RejectSummary(outcome);
      std::vector<Json> records;
      for (const Json& record : reference.at("records")) {
        if (mode == "document") {
          for (const Json& element : DocumentRecords(record)) records.push_back(element);
        } else {
          records.push_back(record);
        }
      }
      ExpectRecords(outcome, records, name);
    } else if (expect == "error") {
      ++error;
      ExpectRejected(data, name);
    } else {
      ++either;
      const ReadOutcome outcome = ReadFile(data);
      ExpectAccounted(outcome, name);
      // Where the reference gives the tolerant reading and we read it without rejects, it must be
      // that reading.
      if (outcome.rejects == 0 && reference.contains("tolerant_result")) {
        std::vector<Json> records;
        for (const Json& record : reference.at("tolerant_result")) {
          for (const Json& element : DocumentRecords(record)) records.push_back(element);
        }
        ExpectRecords(outcome, records, name);
      }
    }
  }
  EXPECT_GT(files, 0);
  std::printf("duckdb: %d files, %d read, %d error, %d either\n", files, read, error, either);
}

// --- JSONTestSuite
// ------------------------------------------------------------------------------------

// Verdicts sluice deliberately does not follow, with the reason (documented in the reader).
const std::map<std::string, std::string> kDocumentedDeviations = {
    {"n_structure_no_data.json",
     "an empty input is zero records (NDJSON semantics, as duckdb/empty.ndjson expects)"},
};

TEST(JSONCorpusTest, JSONTestSuiteParsing) {
  SKIP_WITHOUT_CORPUS();
  const fs::path root = kCorpus / "JSONTestSuite" / "test_parsing";
  const auto verdicts = LoadExpected(root / "EXPECTED.tsv");
  int files = 0, accepted = 0, rejected = 0, either = 0, deviations = 0;
  for (const fs::path& path : FilesIn(root, ".json")) {
    const std::string name = path.filename().string();
    SCOPED_TRACE(name);
    ++files;
    std::string verdict;
    auto found = verdicts.find(name);
    if (found != verdicts.end()) {
      verdict = found->second;
    } else {
      verdict = name[0] == 'y' ? "accept" : name[0] == 'n' ? "reject" : "implementation-defined";
    }
    if (kDocumentedDeviations.count(name) != 0) {
      ++deviations;
      ExpectAccounted(ReadFile(path), name);
      std::printf("  %s: expected %s; sluice: %s\n", name.c_str(), verdict.c_str(),
                  kDocumentedDeviations.at(name).c_str());
      continue;
    }
    if (verdict == "accept") {
      ++accepted;
      ExpectAccepted(path, name);
    } else if (verdict == "reject") {
      ++rejected;
      ExpectRejected(path, name);
    } else {
      ++either;
      ExpectAccounted(ReadFile(path), name);
    }
  }
  EXPECT_GT(files, 0);
  std::printf(
      "JSONTestSuite: %d files, %d accepted, %d rejected, %d either, %d documented "
      "deviation(s)\n",
      files, accepted, rejected, either, deviations);
}

// Cells of a read rendered as text, for comparing two reads.
std::string Render(const ReadOutcome& outcome) {
  std::string out;
  for (const auto& batch : outcome.batches) {
    out += batch->schema()->ToString() + "\n";
    for (int64_t row = 0; row < batch->num_rows(); ++row) {
      for (size_t c = 0; c < batch->num_columns(); ++c) {
        columnar::AppendValue(batch->column(c), row, columnar::ValueStyle::kJson, &out);
        out += '\t';
      }
      out += '\n';
    }
  }
  for (const Reject& reject : outcome.kept) out += reject.ToJson() + "\n";
  return out;
}

TEST(JSONCorpusTest, JSONTestSuiteTransformIsDeterministic) {
  SKIP_WITHOUT_CORPUS();
  const fs::path root = kCorpus / "JSONTestSuite" / "test_transform";
  int files = 0;
  for (const fs::path& path : FilesIn(root, ".json")) {
    const std::string name = path.filename().string();
    ++files;
    const ReadOutcome first = ReadFile(path);
    const ReadOutcome second = ReadFile(path);
    ExpectAccounted(first, name);
    EXPECT_EQ(Render(first), Render(second)) << name << ": two reads differ";
    std::string shown = Render(first);
    std::replace(shown.begin(), shown.end(), '\n', ' ');
    std::printf("  %s: %s\n", name.c_str(), shown.c_str());
  }
  std::printf("JSONTestSuite/test_transform: %d files, read deterministically\n", files);
}

// --- jsonchecker, roundtrip, real-world
// -----------------------------------------------------------------

TEST(JSONCorpusTest, JSONChecker) {
  SKIP_WITHOUT_CORPUS();
  const fs::path root = kCorpus / "jsonchecker";
  const auto verdicts = LoadExpected(root / "EXPECTED.tsv");
  ASSERT_FALSE(verdicts.empty()) << "jsonchecker/EXPECTED.tsv missing";
  int files = 0, accepted = 0, rejected = 0, either = 0;
  for (const auto& [name, verdict] : verdicts) {
    SCOPED_TRACE(name);
    const fs::path path = root / name;
    ASSERT_TRUE(fs::exists(path)) << name;
    ++files;
    if (verdict == "accept") {
      ++accepted;
      ExpectAccepted(path, name);
    } else if (verdict == "reject") {
      ++rejected;
      ExpectRejected(path, name);
    } else {
      ++either;
      ExpectAccounted(ReadFile(path), name);
    }
  }
  std::printf("jsonchecker: %d files, %d accepted, %d rejected, %d either\n", files, accepted,
              rejected, either);
}

TEST(JSONCorpusTest, RoundtripValuesReadBack) {
  SKIP_WITHOUT_CORPUS();
  int files = 0;
  for (const fs::path& path : FilesIn(kCorpus / "roundtrip", ".json")) {
    const std::string name = path.filename().string();
    SCOPED_TRACE(name);
    ++files;
    const ReadOutcome outcome = ReadFile(path);
    ExpectAccounted(outcome, name);
    EXPECT_EQ(outcome.rejects, 0) << name << RejectSummary(outcome);
    const Json document = Json::parse(ReadText(path));
    // Each file is one value, inside an array or an object: exactly one record.
    ASSERT_EQ(outcome.rows, 1) << name;
    ExpectRecords(outcome, DocumentRecords(document), name);
    // Re-serialize what was read and compare the value.
    const auto& batch = *outcome.batches.at(0);
    Json read = Json::object();
    for (size_t c = 0; c < batch.num_columns(); ++c) {
      std::string token;
      columnar::AppendValue(batch.column(c), 0, columnar::ValueStyle::kJson, &token);
      read[batch.schema()->field(c).name] = Json::parse(token);
    }
    const Json again = document.is_array() ? Json::array({read.value("value", Json())}) : read;
    EXPECT_TRUE(JsonEqual(document, again))
        << name << ": read back as " << Show(again) << ", file holds " << Show(document);
  }
  EXPECT_GT(files, 0);
  std::printf("roundtrip: %d files, all read back\n", files);
}

TEST(JSONCorpusTest, RealWorldTwitter) {
  SKIP_WITHOUT_CORPUS();
  const fs::path path = kCorpus / "real-world" / "twitter.json";
  ASSERT_TRUE(fs::exists(path));
  const ReadOutcome outcome = ReadFile(path);
  ExpectAccounted(outcome, "twitter.json");
  EXPECT_EQ(outcome.rejects, 0) << RejectSummary(outcome);
  EXPECT_EQ(outcome.rows, 1);
  ExpectRecords(outcome, {Json::parse(ReadText(path))}, "twitter.json");
  std::printf("real-world: twitter.json read as 1 record with %zu columns\n",
              outcome.batches.empty() ? size_t{0} : outcome.batches[0]->num_columns());
}

}  // namespace
}  // namespace sluice::formats

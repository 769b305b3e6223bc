// Concurrent writers in real processes (fork) on one Delta table in a local folder:
//   - many processes appending at once: every append lands exactly once, as exactly one version,
//     with no gaps in the log, and checkpoints written along the way agree with the JSON log;
//   - processes racing to create a table: exactly one creation (version 0 holds the only
//     protocol/metaData actions); each loser fails cleanly or, per transaction.h, continues as an
//     append when it created the same table shape.
// Children use the library only after fork() (the writer starts threads of its own) and leave with
// _exit(): 0 on success, otherwise a code naming the failure, the error printed on stderr.
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "sluice/columnar/column_builder.h"
#include "sluice/lake/delta_table.h"
#include "sluice/lake/scratch_table.h"
#include "sluice/lake/table_scan.h"

namespace sluice::lake {
namespace {

using scratch::TempDir;

using columnar::DataType;
using columnar::Field;

constexpr int kAppendProcesses = 8;
constexpr int kAppendsPerProcess = 50;
constexpr int kCreateProcesses = 5;
// A child that has not finished by then is killed and the test fails.
constexpr auto kChildDeadline = std::chrono::seconds(240);

// Exit codes of the children.
constexpr int kExitOk = 0;
constexpr int kExitConflict = 10;
constexpr int kExitInvalidArgument = 11;
constexpr int kExitOtherError = 12;

// writer:int64, seq:int64 and, when `extra_column` is not empty, one more int64 column of that
// name (a table shape of its own).
columnar::SchemaPtr RowSchema(const std::string& extra_column = "") {
  std::vector<Field> fields = {{"writer", DataType::Int64()}, {"seq", DataType::Int64()}};
  if (!extra_column.empty()) fields.push_back({extra_column, DataType::Int64()});
  return std::make_shared<const columnar::Schema>(std::move(fields));
}

// One row (writer, seq[, seq]) in `schema`; an empty batch when `rows` is 0.
columnar::BatchPtr RowBatch(const columnar::SchemaPtr& schema, int64_t writer, int64_t seq,
                            int64_t rows = 1) {
  std::vector<columnar::ColumnPtr> columns;
  for (size_t c = 0; c < schema->num_fields(); ++c) {
    columnar::Int64Builder builder(DataType::Int64());
    for (int64_t row = 0; row < rows; ++row) builder.Append(c == 0 ? writer : seq);
    columns.push_back(builder.Finish());
  }
  return std::make_shared<const columnar::Batch>(schema, std::move(columns), rows);
}

BatchSource SourceOf(columnar::BatchPtr batch) {
  auto pending = std::make_shared<columnar::BatchPtr>(std::move(batch));
  return [pending]() -> Result<columnar::BatchPtr> { return std::exchange(*pending, nullptr); };
}

int ExitCodeFor(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return kExitOk;
    case StatusCode::kConflict:
      return kExitConflict;
    case StatusCode::kInvalidArgument:
      return kExitInvalidArgument;
    default:
      return kExitOtherError;
  }
}

// Blocks until the parent closes the start pipe, so that all children begin together.
void AwaitStart(int start_fd) {
  char byte = 0;
  while (::read(start_fd, &byte, 1) < 0 && errno == EINTR) {
  }
  ::close(start_fd);
}

// Forks `count` children running `body(index)`, which returns the child's exit code; releases them
// together and waits for all. Returns each child's exit code (-signal for a child killed by a
// signal, -1000 for one that missed the deadline).
template <typename Body>
std::vector<int> RunChildren(int count, const Body& body) {
  int start[2] = {-1, -1};
  if (::pipe(start) != 0) {
    ADD_FAILURE() << "pipe: " << std::strerror(errno);
    return {};
  }
  std::fflush(stdout);
  std::fflush(stderr);
  std::vector<pid_t> pids;
  for (int index = 0; index < count; ++index) {
    const pid_t pid = ::fork();
    if (pid < 0) {
      ADD_FAILURE() << "fork: " << std::strerror(errno);
      break;
    }
    if (pid == 0) {
      ::close(start[1]);
      AwaitStart(start[0]);
      const int code = body(index);
      std::fflush(stderr);
      ::_exit(code);
    }
    pids.push_back(pid);
  }
  ::close(start[0]);
  ::close(start[1]);  // releases the children
  std::vector<int> codes(pids.size(), -1000);
  std::vector<bool> done(pids.size(), false);
  const auto deadline = std::chrono::steady_clock::now() + kChildDeadline;
  size_t remaining = pids.size();
  while (remaining > 0) {
    for (size_t i = 0; i < pids.size(); ++i) {
      if (done[i]) continue;
      int status = 0;
      const pid_t reaped = ::waitpid(pids[i], &status, WNOHANG);
      if (reaped != pids[i]) continue;
      done[i] = true;
      --remaining;
      codes[i] = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
    }
    if (remaining == 0) break;
    if (std::chrono::steady_clock::now() > deadline) {
      for (size_t i = 0; i < pids.size(); ++i) {
        if (done[i]) continue;
        ::kill(pids[i], SIGKILL);
        int status = 0;
        ::waitpid(pids[i], &status, 0);
      }
      ADD_FAILURE() << remaining << " child process(es) missed the deadline and were killed";
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return codes;
}

// Versions of the `<20 digits>.json` commit files in the table's _delta_log, and every other name
// there that starts like a commit file but is not one (e.g. a leftover temporary file).
struct LogListing {
  std::vector<int64_t> versions;
  std::vector<std::string> other_names;
};

LogListing ListLog(const std::string& root) {
  LogListing listing;
  for (const auto& entry : std::filesystem::directory_iterator(root + "/_delta_log")) {
    const std::string name = entry.path().filename().string();
    const bool digits =
        name.size() >= 20 &&
        std::all_of(name.begin(), name.begin() + 20, [](char c) { return c >= '0' && c <= '9'; });
    if (digits && name.size() == 25 && name.ends_with(".json")) {
      listing.versions.push_back(std::stoll(name.substr(0, 20)));
    } else if (name.find(".tmp-") != std::string::npos ||
               (digits && !name.ends_with(".checkpoint.parquet"))) {
      listing.other_names.push_back(name);
    }
  }
  std::sort(listing.versions.begin(), listing.versions.end());
  return listing;
}

std::vector<int64_t> Range(int64_t count) {
  std::vector<int64_t> values;
  for (int64_t v = 0; v < count; ++v) values.push_back(v);
  return values;
}

// Every (writer, seq) row of the latest snapshot.
Result<std::vector<std::pair<int64_t, int64_t>>> ReadPairs(const std::shared_ptr<DeltaLog>& log,
                                                           const SnapshotPtr& snapshot) {
  TableScanOptions options;
  options.columns = {"writer", "seq"};
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<TableScan> scan, TableScan::Open(log, snapshot, options));
  std::vector<std::pair<int64_t, int64_t>> pairs;
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(columnar::BatchPtr batch, scan->Next());
    if (batch == nullptr) break;
    const auto& writers = static_cast<const columnar::Int64Column&>(batch->column(0));
    const auto& seqs = static_cast<const columnar::Int64Column&>(batch->column(1));
    for (int64_t row = 0; row < batch->num_rows(); ++row) {
      pairs.emplace_back(writers.Value(row), seqs.Value(row));
    }
  }
  std::sort(pairs.begin(), pairs.end());
  return pairs;
}

// Relative paths of the Parquet data files in the table folder (outside _delta_log).
std::set<std::string> DataFilesOnDisk(const std::string& root) {
  std::set<std::string> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    const std::string relative = std::filesystem::relative(entry.path(), root).string();
    if (relative.starts_with("_delta_log/") || !relative.ends_with(".parquet")) continue;
    files.insert(relative);
  }
  return files;
}

std::set<std::string> LiveFiles(const Snapshot& snapshot) {
  std::set<std::string> files;
  for (const auto& [key, add] : snapshot.files) files.insert(key.path);
  return files;
}

TEST(DeltaConcurrencyTest, ManyProcessesAppendingLandEveryRowExactlyOnce) {
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string root = dir.path() + "/table";
  const columnar::SchemaPtr schema = RowSchema();
  {
    // Version 0: the table, empty, created by this process before any child starts (so the
    // children inherit a library that has already been used, as forked workers would).
    auto table = DeltaTable::Open(root).ValueOrDie();
    TableWriteOptions options;
    options.mode = WriteMode::kCreate;
    Result<WriteResult> created =
        table->Write(schema, SourceOf(RowBatch(schema, 0, 0, /*rows=*/0)), options);
    ASSERT_TRUE(created.ok()) << created.status().ToString();
    ASSERT_EQ(created->commit.version, 0);
  }
  // Each child reports "<writer> <seq> <version>" for every append on this pipe (one write(2)
  // per line; all lines fit in the pipe's buffer, so children never block on it).
  int claims[2] = {-1, -1};
  ASSERT_EQ(::pipe(claims), 0) << std::strerror(errno);
  const auto started = std::chrono::steady_clock::now();
  const std::vector<int> codes = RunChildren(kAppendProcesses, [&](int writer) {
    ::close(claims[0]);
    Result<std::unique_ptr<DeltaTable>> table = DeltaTable::Open(root);
    if (!table.ok()) {
      std::fprintf(stderr, "writer %d: %s\n", writer, table.status().ToString().c_str());
      return ExitCodeFor(table.status());
    }
    for (int seq = 0; seq < kAppendsPerProcess; ++seq) {
      TableWriteOptions options;
      options.mode = WriteMode::kAppend;
      Result<WriteResult> written =
          (*table)->Write(schema, SourceOf(RowBatch(schema, writer, seq)), options);
      if (!written.ok()) {
        std::fprintf(stderr, "writer %d, append %d: %s\n", writer, seq,
                     written.status().ToString().c_str());
        return ExitCodeFor(written.status());
      }
      if (written->commit.version < 1 || written->rows != 1) {
        std::fprintf(stderr, "writer %d, append %d: committed version %lld with %lld rows\n",
                     writer, seq, static_cast<long long>(written->commit.version),
                     static_cast<long long>(written->rows));
        return kExitOtherError;
      }
      char line[64];
      const int length = std::snprintf(line, sizeof(line), "%d %d %lld\n", writer, seq,
                                       static_cast<long long>(written->commit.version));
      if (::write(claims[1], line, static_cast<size_t>(length)) != length) return kExitOtherError;
    }
    return kExitOk;
  });
  ::close(claims[1]);
  std::string claimed_text;
  char buffer[4096];
  while (true) {
    const ssize_t got = ::read(claims[0], buffer, sizeof(buffer));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    claimed_text.append(buffer, static_cast<size_t>(got));
  }
  ::close(claims[0]);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("%d processes x %d appends: %.1f s\n", kAppendProcesses, kAppendsPerProcess, seconds);
  ASSERT_EQ(codes, std::vector<int>(kAppendProcesses, kExitOk));

  constexpr int64_t kCommits = int64_t{kAppendProcesses} * kAppendsPerProcess;
  // Every append was told a version of its own: no two writers believe they made the same commit.
  std::map<int64_t, std::vector<std::string>> claimants;  // version → "writer/seq"
  {
    std::istringstream lines(claimed_text);
    long long writer = 0;
    long long seq = 0;
    long long version = 0;
    while (lines >> writer >> seq >> version) {
      claimants[version].push_back(std::to_string(writer) + "/" + std::to_string(seq));
    }
  }
  int64_t claims_read = 0;
  int64_t shared_versions = 0;
  std::string examples;
  for (const auto& [version, appends] : claimants) {
    claims_read += static_cast<int64_t>(appends.size());
    if (appends.size() == 1) continue;
    if (++shared_versions <= 5) {
      examples += "\n  version " + std::to_string(version) + " by " +
                  std::to_string(appends.size()) + " appends, e.g. " + appends[0] + " and " +
                  appends[1];
    }
  }
  EXPECT_EQ(shared_versions, 0) << "versions reported as committed by several appends "
                                   "(writer/seq):"
                                << examples;
  EXPECT_EQ(claims_read, kCommits);

  const LogListing listing = ListLog(root);
  EXPECT_EQ(listing.versions, Range(kCommits + 1)) << "commit versions are not exactly 0..400";
  EXPECT_TRUE(listing.other_names.empty())
      << "unexpected file in _delta_log: " << listing.other_names.front();

  auto log = DeltaLog::Open(root).ValueOrDie();
  Result<SnapshotPtr> snapshot = log->Load();
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  EXPECT_EQ((*snapshot)->version, kCommits);
  // Checkpoints are due at every tenth version; replay starts from the newest one.
  EXPECT_EQ((*snapshot)->checkpoint_version, std::optional<int64_t>(kCommits));
  Result<std::vector<std::pair<int64_t, int64_t>>> pairs = ReadPairs(log, *snapshot);
  ASSERT_TRUE(pairs.ok()) << pairs.status().ToString();
  std::vector<std::pair<int64_t, int64_t>> expected;
  for (int64_t writer = 0; writer < kAppendProcesses; ++writer) {
    for (int64_t seq = 0; seq < kAppendsPerProcess; ++seq) expected.emplace_back(writer, seq);
  }
  EXPECT_EQ(pairs->size(), expected.size());
  EXPECT_TRUE(*pairs == expected) << "some (writer, seq) rows are missing or duplicated";
  EXPECT_EQ((*snapshot)->NumRecords(), std::optional<int64_t>(kCommits));

  // Each version 1..400 holds exactly one append of one file (nothing lost, nothing merged), and
  // each commit its own txnId.
  std::set<std::string> txn_ids;
  int64_t repeated_txn_ids = 0;
  int64_t malformed_commits = 0;
  std::string examples_of_repeats;
  std::string examples_of_malformed;
  for (const int64_t version : listing.versions) {
    if (version == 0) continue;
    Result<std::vector<Action>> actions = log->ReadCommit(version);
    ASSERT_TRUE(actions.ok()) << actions.status().ToString();
    int adds = 0;
    int others = 0;
    for (const Action& action : *actions) {
      if (std::holds_alternative<AddFile>(action)) {
        ++adds;
      } else if (const auto* info = std::get_if<CommitInfo>(&action)) {
        if (!info->txn_id.has_value() || !txn_ids.insert(*info->txn_id).second) {
          if (++repeated_txn_ids <= 5) {
            examples_of_repeats += "\n  version " + std::to_string(version) + ": txnId " +
                                   info->txn_id.value_or("(none)");
          }
        }
      } else {
        ++others;
      }
    }
    if ((adds != 1 || others != 0) && ++malformed_commits <= 5) {
      examples_of_malformed += "\n  version " + std::to_string(version) + ": " +
                               std::to_string(adds) + " add(s), " + std::to_string(others) +
                               " other action(s)";
    }
  }
  EXPECT_EQ(repeated_txn_ids, 0) << "commits without a txnId of their own:" << examples_of_repeats;
  EXPECT_EQ(malformed_commits, 0) << "commits that are not one blind append of one file:"
                                  << examples_of_malformed;

  // The JSON log alone gives the same table as replay from the checkpoints.
  Result<SnapshotPtr> json_only = log->LoadFromJsonOnly();
  ASSERT_TRUE(json_only.ok()) << json_only.status().ToString();
  EXPECT_EQ((*json_only)->version, kCommits);
  EXPECT_EQ(LiveFiles(**json_only), LiveFiles(**snapshot));
  EXPECT_EQ((*json_only)->files, (*snapshot)->files);
  // Every data file written is live: no writer lost a file or left one behind.
  EXPECT_EQ(DataFilesOnDisk(root), LiveFiles(**snapshot));
}

// Exit code of a creator: InvalidArgument counts only when it says the table already exists.
int CreateExitCode(const Status& status) {
  if (status.code() == StatusCode::kInvalidArgument &&
      status.message().find("already exists") == std::string::npos) {
    return kExitOtherError;
  }
  return ExitCodeFor(status);
}

// One round of processes racing to create the same fresh table; `same_shape` gives them all the
// same schema, otherwise each child creates a table shape of its own.
void RaceToCreate(bool same_shape, int round) {
  SCOPED_TRACE(std::string(same_shape ? "same schema" : "different schemas") + ", round " +
               std::to_string(round));
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string root = dir.path() + "/table";
  auto schema_of = [same_shape](int child) {
    return same_shape ? RowSchema() : RowSchema("extra_" + std::to_string(child));
  };
  const std::vector<int> codes = RunChildren(kCreateProcesses, [&](int child) {
    const columnar::SchemaPtr schema = schema_of(child);
    Result<std::unique_ptr<DeltaTable>> table = DeltaTable::Open(root);
    if (!table.ok()) return ExitCodeFor(table.status());
    TableWriteOptions options;
    options.mode = WriteMode::kCreate;
    Result<WriteResult> written =
        (*table)->Write(schema, SourceOf(RowBatch(schema, child, 0)), options);
    if (!written.ok()) {
      const int code = CreateExitCode(written.status());
      if (code == kExitOtherError) {
        std::fprintf(stderr, "creator %d: %s\n", child, written.status().ToString().c_str());
      }
      return code;
    }
    return kExitOk;
  });
  ASSERT_EQ(codes.size(), static_cast<size_t>(kCreateProcesses));
  std::set<int64_t> winners;
  std::map<int, int> outcomes;
  for (int child = 0; child < kCreateProcesses; ++child) {
    ++outcomes[codes[static_cast<size_t>(child)]];
    EXPECT_TRUE(codes[child] == kExitOk || codes[child] == kExitConflict ||
                codes[child] == kExitInvalidArgument)
        << "creator " << child << " ended with " << codes[child];
    if (codes[child] == kExitOk) winners.insert(child);
  }
  std::printf("%s, round %d: %d succeeded, %d conflict, %d already exists\n",
              same_shape ? "same schema" : "different schemas", round, outcomes[kExitOk],
              outcomes[kExitConflict], outcomes[kExitInvalidArgument]);
  ASSERT_FALSE(winners.empty()) << "no process created the table";
  if (!same_shape) {
    // A creation that loses to a different table shape must not continue as an append.
    EXPECT_EQ(winners.size(), 1u);
  }

  // One commit per successful process, versions 0..n-1, and only version 0 creates the table.
  const LogListing listing = ListLog(root);
  EXPECT_EQ(listing.versions, Range(static_cast<int64_t>(winners.size())));
  EXPECT_TRUE(listing.other_names.empty()) << listing.other_names.front();
  auto log = DeltaLog::Open(root).ValueOrDie();
  for (const int64_t version : listing.versions) {
    Result<std::vector<Action>> actions = log->ReadCommit(version);
    ASSERT_TRUE(actions.ok()) << actions.status().ToString();
    int protocols = 0;
    int metadata = 0;
    for (const Action& action : *actions) {
      protocols += std::holds_alternative<Protocol>(action) ? 1 : 0;
      metadata += std::holds_alternative<Metadata>(action) ? 1 : 0;
    }
    EXPECT_EQ(protocols, version == 0 ? 1 : 0) << "protocol actions in version " << version;
    EXPECT_EQ(metadata, version == 0 ? 1 : 0) << "metaData actions in version " << version;
  }
  Result<SnapshotPtr> snapshot = log->Load();
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().ToString();
  ASSERT_EQ((*snapshot)->version, static_cast<int64_t>(winners.size()) - 1);
  // The table has the shape of the winner of version 0, and one row per successful process.
  Result<std::vector<std::pair<int64_t, int64_t>>> pairs = ReadPairs(log, *snapshot);
  ASSERT_TRUE(pairs.ok()) << pairs.status().ToString();
  std::vector<std::pair<int64_t, int64_t>> expected;
  for (const int64_t winner : winners) expected.emplace_back(winner, 0);
  EXPECT_EQ(*pairs, expected);
  if (!same_shape) {
    EXPECT_EQ(*(*snapshot)->schema, *schema_of(static_cast<int>(*winners.begin())));
  }
  // The losers deleted the data files they had written.
  EXPECT_EQ(DataFilesOnDisk(root), LiveFiles(**snapshot));

  // A creator arriving after the race is refused and changes nothing.
  const std::vector<int> late = RunChildren(1, [&](int) {
    const columnar::SchemaPtr schema = schema_of(0);
    Result<std::unique_ptr<DeltaTable>> table = DeltaTable::Open(root);
    if (!table.ok()) return ExitCodeFor(table.status());
    TableWriteOptions options;
    options.mode = WriteMode::kCreate;
    Result<WriteResult> written =
        (*table)->Write(schema, SourceOf(RowBatch(schema, kCreateProcesses, 0)), options);
    if (!written.ok()) return CreateExitCode(written.status());
    std::fprintf(stderr, "a late creator wrote version %lld\n",
                 static_cast<long long>(written->commit.version));
    return kExitOk;
  });
  EXPECT_EQ(late, std::vector<int>{kExitInvalidArgument});
  EXPECT_EQ(ListLog(root).versions, listing.versions);
  EXPECT_EQ(DataFilesOnDisk(root), LiveFiles(**snapshot));
}

TEST(DeltaConcurrencyTest, ProcessesRacingToCreateATableCreateItOnce) {
  for (int round = 0; round < 3; ++round) RaceToCreate(/*same_shape=*/true, round);
  for (int round = 0; round < 3; ++round) RaceToCreate(/*same_shape=*/false, round);
}

}  // namespace
}  // namespace sluice::lake

// Crash safety of Delta commits: a child process writes to one table in a loop (appends of new
// keys, MERGEs updating some keys and inserting others, DELETEs of the highest keys, OPTIMIZE now
// and then, checkpoints every ten commits) and is killed with SIGKILL at a random moment; after
// each kill the table must be exactly as the acknowledged commits left it. The test runs twice:
// copy-on-write, and with deletion vectors (MERGE and DELETE mark rows in deletion vector files,
// OPTIMIZE purges them) — where a lost vector would resurrect a deleted key next to the one a
// later append re-adds, and a half-written one would fail the read.
//
// The child announces each commit on a pipe before it starts ("BEGIN <rows after>") and
// acknowledges it once Write/Merge/Optimize returned OK ("ACK <version> <rows after>"), each line
// one write(2). The kill comes 0-40 ms (seeded) after the fork in even iterations, so that it may
// hit the writer's start or its first commit, and 0-40 ms after the first ACK in odd ones, so that
// the log keeps growing however long a commit takes. After the kill the parent requires:
//   - the table opens; its versions are contiguous from 0 and every JSON commit parses whole;
//   - _last_checkpoint (when present) names a checkpoint that replay really starts from, and the
//     latest snapshot starts from the newest checkpoint in the log;
//   - FileSystem::List shows no temporary files;
//   - the rows are those of the last ACK, or, when the kill fell between a BEGIN and its ACK,
//     possibly those of that BEGIN (the commit landed unacknowledged) — nothing else; the keys
//     are exactly 0..rows-1 (no row lost or duplicated by a half-applied MERGE);
//   - a replay of the JSON log alone gives the same files as replay from the checkpoint.
// The table lives on across iterations, so later iterations run over checkpoints and a long log.
//
// SLUICE_CRASH_ITERATIONS (default 120 per mode), SLUICE_CRASH_SEED (default random; printed) and
// SLUICE_CRASH_MAX_DELAY_MS (the kill comes 0..this many ms after the fork; default 40) control
// the run.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
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

constexpr int kDefaultIterations = 120;
constexpr int kDefaultMaxKillDelayMs = 40;
constexpr int64_t kAppendRows = 4;
constexpr int64_t kMergeUpdates = 2;
constexpr int64_t kMergeInserts = 2;
// Every this many versions (offset 3) the child deletes the highest keys instead.
constexpr int64_t kDeleteEvery = 5;
constexpr int64_t kDeleteRows = 2;
// How long an odd iteration waits for the writer's first acknowledged commit.
constexpr std::chrono::seconds kFirstAckTimeout(30);
// Every this many versions the child compacts instead (OPTIMIZE: rows unchanged).
constexpr int64_t kOptimizeEvery = 25;

// What the table holds: its version (-1 before the first commit) and its rows, whose keys are
// always exactly 0..rows-1.
struct TableState {
  int64_t version = -1;
  int64_t rows = 0;
  friend bool operator==(const TableState&, const TableState&) = default;
};

std::string Show(const TableState& state) {
  return "version " + std::to_string(state.version) + " with " + std::to_string(state.rows) +
         " rows";
}

columnar::SchemaPtr KeyValueSchema() {
  return std::make_shared<const columnar::Schema>(
      std::vector<Field>{{"key", DataType::Int64()}, {"value", DataType::Int64()}});
}

columnar::BatchPtr KeyValueBatch(const std::vector<int64_t>& keys, int64_t value) {
  columnar::Int64Builder key_builder(DataType::Int64());
  columnar::Int64Builder value_builder(DataType::Int64());
  for (const int64_t key : keys) {
    key_builder.Append(key);
    value_builder.Append(value);
  }
  return std::make_shared<const columnar::Batch>(
      KeyValueSchema(),
      std::vector<columnar::ColumnPtr>{key_builder.Finish(), value_builder.Finish()},
      static_cast<int64_t>(keys.size()));
}

BatchSource SourceOf(columnar::BatchPtr batch) {
  auto pending = std::make_shared<columnar::BatchPtr>(std::move(batch));
  return [pending]() -> Result<columnar::BatchPtr> { return std::exchange(*pending, nullptr); };
}

// One line on the acknowledgement pipe, written with a single write(2) (atomic: < PIPE_BUF).
void Announce(int fd, const std::string& line) {
  const std::string text = line + "\n";
  const char* data = text.data();
  size_t left = text.size();
  while (left > 0) {
    const ssize_t written = ::write(fd, data, left);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) ::_exit(4);
    data += written;
    left -= static_cast<size_t>(written);
  }
}

[[noreturn]] void Fail(int fd, const std::string& message) {
  Announce(fd, "ERROR " + message);
  ::_exit(3);
}

// The child: writes to the table forever, starting from `state`, until it is killed.
[[noreturn]] void RunWriter(const std::string& root, TableState state, int ack_fd, uint64_t seed,
                            bool deletion_vectors) {
  std::mt19937_64 random(seed);
  Result<std::unique_ptr<DeltaTable>> opened = DeltaTable::Open(root);
  if (!opened.ok()) Fail(ack_fd, opened.status().ToString());
  DeltaTable& table = **opened;
  int64_t optimized_at = -1;  // the version an OPTIMIZE last found the table at
  while (true) {
    const int64_t next_version = state.version + 1;
    CommitResult commit;
    int64_t rows_after = state.rows;
    if (next_version > 0 && next_version % kOptimizeEvery == 0 && optimized_at != state.version) {
      optimized_at = state.version;
      Announce(ack_fd, "BEGIN " + std::to_string(rows_after));
      DataFileOptions files;
      Result<OptimizeResult> result = table.Optimize(128ll << 20, files);
      if (!result.ok()) Fail(ack_fd, "optimize: " + result.status().ToString());
      if (result->rows != 0 && result->commit.version < 0) {
        Fail(ack_fd, "optimize compacted rows without a commit");
      }
      commit = result->commit;
      if (commit.version < 0) commit.version = state.version;  // nothing to compact
    } else if (next_version % kDeleteEvery == 3 && state.rows > kDeleteRows) {
      // DELETE the highest keys: the keys stay exactly 0..rows-1.
      rows_after = state.rows - kDeleteRows;
      Announce(ack_fd, "BEGIN " + std::to_string(rows_after));
      Result<DeleteResult> result = table.Delete("key >= " + std::to_string(rows_after));
      if (!result.ok()) Fail(ack_fd, "delete: " + result.status().ToString());
      if (result->rows_deleted != kDeleteRows) {
        Fail(ack_fd, "delete removed " + std::to_string(result->rows_deleted) + " rows");
      }
      if (deletion_vectors && result->rows_copied != 0) {
        Fail(ack_fd, "a DELETE with deletion vectors copied rows");
      }
      commit = result->commit;
    } else if (next_version % 3 == 1) {
      // MERGE: update a few existing keys (the value records the version) and insert new ones.
      std::set<int64_t> keys;
      for (int64_t i = 0; i < kMergeUpdates && state.rows > 0; ++i) {
        keys.insert(static_cast<int64_t>(random() % static_cast<uint64_t>(state.rows)));
      }
      for (int64_t i = 0; i < kMergeInserts; ++i) keys.insert(state.rows + i);
      rows_after = state.rows + kMergeInserts;
      Announce(ack_fd, "BEGIN " + std::to_string(rows_after));
      MergeOptions options;
      options.keys = {"key"};
      Result<MergeResult> result = table.Merge(
          KeyValueSchema(),
          SourceOf(KeyValueBatch(std::vector<int64_t>(keys.begin(), keys.end()), next_version)),
          options);
      if (!result.ok()) Fail(ack_fd, "merge: " + result.status().ToString());
      if (result->rows_inserted != kMergeInserts ||
          result->rows_updated != static_cast<int64_t>(keys.size()) - kMergeInserts) {
        Fail(ack_fd, "merge updated " + std::to_string(result->rows_updated) + " and inserted " +
                         std::to_string(result->rows_inserted) + " rows");
      }
      commit = result->commit;
    } else {
      std::vector<int64_t> keys;
      for (int64_t i = 0; i < kAppendRows; ++i) keys.push_back(state.rows + i);
      rows_after = state.rows + kAppendRows;
      Announce(ack_fd, "BEGIN " + std::to_string(rows_after));
      TableWriteOptions options;
      options.mode = WriteMode::kAppend;
      if (deletion_vectors) options.configuration["delta.enableDeletionVectors"] = "true";
      Result<WriteResult> result =
          table.Write(KeyValueSchema(), SourceOf(KeyValueBatch(keys, next_version)), options);
      if (!result.ok()) Fail(ack_fd, "append: " + result.status().ToString());
      commit = result->commit;
    }
    if (commit.version != next_version && commit.version != state.version) {
      Fail(ack_fd, "committed version " + std::to_string(commit.version) + ", expected " +
                       std::to_string(next_version));
    }
    if (commit.version > 0 && commit.version % 10 == 0 && commit.version != state.version &&
        !commit.checkpoint_written) {
      Fail(ack_fd, "no checkpoint at version " + std::to_string(commit.version) + ": " +
                       commit.checkpoint_status.ToString());
    }
    state.version = commit.version;
    state.rows = rows_after;
    Announce(ack_fd, "ACK " + std::to_string(state.version) + " " + std::to_string(state.rows));
  }
}

// What the pipe says about one child's life.
struct ChildReport {
  TableState acknowledged;              // after the last ACK (the start state when none)
  std::optional<int64_t> pending_rows;  // a BEGIN without its ACK
  std::vector<std::string> errors;      // ERROR lines and protocol violations
  int acks = 0;
};

ChildReport ParseReport(const std::string& text, TableState start) {
  ChildReport report;
  report.acknowledged = start;
  size_t begin = 0;
  while (true) {
    const size_t end = text.find('\n', begin);
    if (end == std::string::npos) break;  // a partial last line cannot happen: lines are atomic
    const std::string line = text.substr(begin, end - begin);
    begin = end + 1;
    long long version = 0;
    long long rows = 0;
    if (std::sscanf(line.c_str(), "BEGIN %lld", &rows) == 1) {
      if (report.pending_rows.has_value()) report.errors.push_back("BEGIN after BEGIN: " + line);
      report.pending_rows = rows;
    } else if (std::sscanf(line.c_str(), "ACK %lld %lld", &version, &rows) == 2) {
      if (!report.pending_rows.has_value() || *report.pending_rows != rows) {
        report.errors.push_back("ACK without its BEGIN: " + line);
      }
      report.pending_rows.reset();
      report.acknowledged = {version, rows};
      ++report.acks;
    } else {
      report.errors.push_back(line);
    }
  }
  if (begin != text.size()) report.errors.push_back("partial line: " + text.substr(begin));
  return report;
}

// Sorted keys of every row of `snapshot`.
Result<std::vector<int64_t>> ReadKeys(const std::shared_ptr<DeltaLog>& log,
                                      const SnapshotPtr& snapshot) {
  std::vector<int64_t> keys;
  if (!snapshot->exists()) return keys;
  TableScanOptions options;
  options.columns = {"key"};
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<TableScan> scan, TableScan::Open(log, snapshot, options));
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(columnar::BatchPtr batch, scan->Next());
    if (batch == nullptr) break;
    const auto& column = static_cast<const columnar::Int64Column&>(batch->column(0));
    for (int64_t row = 0; row < batch->num_rows(); ++row) keys.push_back(column.Value(row));
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::string FileName(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

bool IsCommitName(const std::string& name) {
  return name.size() == 25 && name.ends_with(".json") &&
         std::all_of(name.begin(), name.begin() + 20, [](char c) { return c >= '0' && c <= '9'; });
}

// Checks everything the table must satisfy after a crash; returns the state it is in (which the
// caller compares with what the child acknowledged).
TableState CheckTable(const std::shared_ptr<DeltaLog>& log, io::FileSystem* fs) {
  TableState state;
  Result<SnapshotPtr> loaded = log->Load();
  EXPECT_TRUE(loaded.ok()) << "the table does not open: " << loaded.status().ToString();
  if (!loaded.ok()) return {-2, -2};
  const SnapshotPtr& snapshot = *loaded;
  state.version = snapshot->version;

  // The log: contiguous commits from 0, each parsing whole; checkpoints.
  Result<std::vector<io::FileInfo>> listing = fs->List(log->LogDir());
  EXPECT_TRUE(listing.ok()) << listing.status().ToString();
  if (!listing.ok()) return {-2, -2};
  std::vector<int64_t> versions;
  std::set<int64_t> checkpoints;
  bool has_last_checkpoint = false;
  for (const io::FileInfo& file : *listing) {
    const std::string name = FileName(file.path);
    EXPECT_EQ(name.find(".tmp-"), std::string::npos) << "temporary file listed: " << file.path;
    if (name == "_last_checkpoint") {
      has_last_checkpoint = true;
    } else if (IsCommitName(name)) {
      versions.push_back(std::stoll(name.substr(0, 20)));
      Result<std::string> text = fs->ReadAll(file.path);
      EXPECT_TRUE(text.ok()) << text.status().ToString();
      if (!text.ok()) continue;
      Result<std::vector<Action>> actions = ParseCommit(*text, file.path);
      EXPECT_TRUE(actions.ok()) << actions.status().ToString();
      if (actions.ok()) {
        EXPECT_FALSE(actions->empty()) << file.path << " is empty";
        EXPECT_TRUE(!text->empty() && text->back() == '\n')
            << file.path << " does not end with a newline";
      }
    } else if (name.ends_with(".checkpoint.parquet")) {
      checkpoints.insert(std::stoll(name.substr(0, 20)));
    } else {
      ADD_FAILURE() << "unexpected file in the log: " << file.path;
    }
  }
  std::sort(versions.begin(), versions.end());
  for (size_t i = 0; i < versions.size(); ++i) {
    if (versions[i] != static_cast<int64_t>(i)) {
      ADD_FAILURE() << "the log is not contiguous from 0: position " << i << " holds version "
                    << versions[i];
      break;
    }
  }
  EXPECT_EQ(versions.empty() ? -1 : versions.back(), snapshot->version)
      << "the latest commit file is not the snapshot's version";
  if (!checkpoints.empty()) {
    EXPECT_EQ(snapshot->checkpoint_version, std::optional<int64_t>(*checkpoints.rbegin()))
        << "replay did not start from the newest checkpoint (is it unreadable?)";
  }
  if (has_last_checkpoint) {
    Result<std::string> text = fs->ReadAll(log->LogDir() + "_last_checkpoint");
    EXPECT_TRUE(text.ok()) << text.status().ToString();
    const nlohmann::json hint =
        nlohmann::json::parse(text.ok() ? *text : "", nullptr, /*allow_exceptions=*/false);
    EXPECT_TRUE(hint.is_object() && hint.contains("version") && hint["version"].is_number_integer())
        << "_last_checkpoint is not valid: " << (text.ok() ? *text : "");
    if (hint.is_object() && hint.contains("version") && hint["version"].is_number_integer()) {
      const int64_t version = hint["version"].get<int64_t>();
      EXPECT_EQ(checkpoints.count(version), 1u)
          << "_last_checkpoint names version " << version << ", which has no checkpoint";
      Result<SnapshotPtr> at = log->Load(version);
      EXPECT_TRUE(at.ok()) << at.status().ToString();
      if (at.ok()) {
        EXPECT_EQ((*at)->checkpoint_version, std::optional<int64_t>(version))
            << "the checkpoint _last_checkpoint names is not readable";
      }
    }
  }

  // No temporary file is visible anywhere in the table.
  Result<std::vector<io::FileInfo>> all = fs->List(io::JoinPath(log->root(), ""));
  EXPECT_TRUE(all.ok()) << all.status().ToString();
  if (all.ok()) {
    for (const io::FileInfo& file : *all) {
      EXPECT_EQ(FileName(file.path).find(".tmp-"), std::string::npos)
          << "temporary file listed: " << file.path;
    }
  }

  // The rows: keys exactly 0..rows-1.
  Result<std::vector<int64_t>> keys = ReadKeys(log, snapshot);
  EXPECT_TRUE(keys.ok()) << "the table does not read: " << keys.status().ToString();
  if (!keys.ok()) return {-2, -2};
  state.rows = static_cast<int64_t>(keys->size());
  for (size_t i = 0; i < keys->size(); ++i) {
    if ((*keys)[i] != static_cast<int64_t>(i)) {
      ADD_FAILURE() << "the keys are not exactly 0.." << keys->size() - 1 << ": position " << i
                    << " holds " << (*keys)[i] << " (a row lost or duplicated)";
      break;
    }
  }
  if (std::optional<int64_t> records = snapshot->NumRecords()) {
    EXPECT_EQ(*records, state.rows) << "numRecords of the live files";
  }

  // The JSON log alone agrees with replay from the checkpoint.
  if (snapshot->exists()) {
    Result<SnapshotPtr> json_only = log->LoadFromJsonOnly();
    EXPECT_TRUE(json_only.ok()) << json_only.status().ToString();
    if (json_only.ok()) {
      EXPECT_EQ((*json_only)->version, snapshot->version);
      EXPECT_TRUE((*json_only)->files == snapshot->files)
          << "live files differ between the JSON log (" << (*json_only)->files.size()
          << " files) and replay from checkpoint " << snapshot->checkpoint_version.value_or(-1)
          << " (" << snapshot->files.size() << " files)";
      EXPECT_EQ((*json_only)->metadata, snapshot->metadata);
      EXPECT_EQ((*json_only)->protocol, snapshot->protocol);
    }
  }
  return state;
}

// Reads the pipe into `text` until it holds an ACK line or the writer has gone (end of file).
// False when neither happened within kFirstAckTimeout.
bool ReadUntilAck(int fd, std::string* text) {
  const auto deadline = std::chrono::steady_clock::now() + kFirstAckTimeout;
  char buffer[4096];
  while (text->find("ACK ") == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd poll_fd = {fd, POLLIN, 0};
    const int ready = ::poll(&poll_fd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return false;  // timed out (or poll failed)
    const ssize_t got = ::read(fd, buffer, sizeof(buffer));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return true;  // the writer is gone: its status tells why
    text->append(buffer, static_cast<size_t>(got));
  }
  return true;
}

int IterationsFromEnvironment() {
  const char* text = std::getenv("SLUICE_CRASH_ITERATIONS");
  if (text == nullptr || *text == '\0') return kDefaultIterations;
  const int value = std::atoi(text);
  return value > 0 ? value : kDefaultIterations;
}

int MaxKillDelayMsFromEnvironment() {
  const char* text = std::getenv("SLUICE_CRASH_MAX_DELAY_MS");
  if (text == nullptr || *text == '\0') return kDefaultMaxKillDelayMs;
  const int value = std::atoi(text);
  return value > 0 ? value : kDefaultMaxKillDelayMs;
}

uint64_t SeedFromEnvironment() {
  const char* text = std::getenv("SLUICE_CRASH_SEED");
  if (text != nullptr && *text != '\0') return std::strtoull(text, nullptr, 10);
  return std::random_device{}();
}

void RunCrashTest(bool deletion_vectors) {
  const int iterations = IterationsFromEnvironment();
  const uint64_t seed = SeedFromEnvironment();
  const int max_delay_ms = MaxKillDelayMsFromEnvironment();
  std::printf("seed %" PRIu64
              ", %d iterations, kills 0-%d ms after the fork (even) or the first ACK (odd) "
              "(SLUICE_CRASH_SEED / SLUICE_CRASH_ITERATIONS / SLUICE_CRASH_MAX_DELAY_MS)\n",
              seed, iterations, max_delay_ms);
  ::testing::Test::RecordProperty("seed", std::to_string(seed));
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<int> kill_delay(0, max_delay_ms * 1000);

  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string root = dir.path() + "/table";
  auto log = DeltaLog::Open(root).ValueOrDie();
  io::FileSystem* fs = log->fs();

  TableState state;  // verified after every kill
  int landed_unacknowledged = 0;
  int acknowledged_commits = 0;
  const auto started = std::chrono::steady_clock::now();
  for (int iteration = 0; iteration < iterations; ++iteration) {
    SCOPED_TRACE("iteration " + std::to_string(iteration) + " (seed " + std::to_string(seed) + ")");
    const int delay = kill_delay(random);
    const uint64_t child_seed = random();
    int ack[2] = {-1, -1};
    ASSERT_EQ(::pipe(ack), 0) << std::strerror(errno);
    std::fflush(stdout);
    std::fflush(stderr);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0) << std::strerror(errno);
    if (pid == 0) {
      ::close(ack[0]);
      RunWriter(root, state, ack[1], child_seed, deletion_vectors);
    }
    ::close(ack[1]);
    // Even iterations time the kill from the fork (it may come before the first commit); odd
    // ones from the first acknowledged commit, so that the log grows however slow a commit is.
    std::string text;
    const bool after_first_ack = iteration % 2 == 1;
    if (after_first_ack && !ReadUntilAck(ack[0], &text)) {
      ADD_FAILURE() << "no acknowledgement from the writer within " << kFirstAckTimeout.count()
                    << " s";
    }
    std::this_thread::sleep_for(std::chrono::microseconds(delay));
    ::kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    char buffer[4096];
    while (true) {
      const ssize_t got = ::read(ack[0], buffer, sizeof(buffer));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) break;
      text.append(buffer, static_cast<size_t>(got));
    }
    ::close(ack[0]);
    const ChildReport report = ParseReport(text, state);
    ASSERT_TRUE(report.errors.empty()) << "the writer failed: " << report.errors.front();
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "the writer ended on its own (status " << status << ")";
    acknowledged_commits += report.acks;

    const TableState found = CheckTable(log, fs);
    if (::testing::Test::HasFailure()) {
      std::printf("stopping after iteration %d: %s; the child said:\n%s\n", iteration,
                  Show(found).c_str(), text.c_str());
      return;
    }
    const TableState landed = {report.acknowledged.version + 1, report.pending_rows.value_or(-1)};
    if (found == report.acknowledged) {
      // The table is exactly as acknowledged.
    } else if (report.pending_rows.has_value() && found == landed) {
      ++landed_unacknowledged;  // the commit landed; the kill came before its ACK
    } else {
      FAIL() << "after the kill the table is at " << Show(found) << "; the child acknowledged "
             << Show(report.acknowledged)
             << (report.pending_rows.has_value()
                     ? " and had begun a commit to " + std::to_string(*report.pending_rows) +
                           " rows"
                     : std::string(" and had no commit under way"))
             << "\nthe child said:\n"
             << text;
    }
    state = found;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf(
      "%d kills in %.1f s: table at %s, %d acknowledged commits, %d commits landed without "
      "their acknowledgement\n",
      iterations, seconds, Show(state).c_str(), acknowledged_commits, landed_unacknowledged);
  // Every odd iteration commits at least once before its kill, so the log grew past checkpoints.
  if (iterations >= 40) {
    EXPECT_GE(state.version, 10) << "too few commits landed to exercise checkpoints";
  }
  if (deletion_vectors && state.version >= 0) {
    SnapshotPtr snapshot = log->Load().ValueOrDie();
    EXPECT_EQ(snapshot->protocol.min_writer_version, 7);
    int with_vectors = 0;
    for (const auto& [key, add] : snapshot->files) with_vectors += add.deletion_vector ? 1 : 0;
    std::printf("%d of %zu live files carry a deletion vector\n", with_vectors,
                snapshot->files.size());
  }
}

TEST(DeltaCrashTest, KilledWritersLeaveExactlyTheAcknowledgedCommits) { RunCrashTest(false); }

TEST(DeltaCrashTest, KilledWritersOfDeletionVectorsLeaveExactlyTheAcknowledgedCommits) {
  RunCrashTest(true);
}

}  // namespace
}  // namespace sluice::lake

// Changed keys: what the loads changed in a warehouse table, kept so that the model tests of the
// table read the rows changed since they last passed instead of every row (models.h). A daily
// load of half a million rows into a fact of fifty million is then tested in the time of the
// half million.
//
// A tracked table T has a companion table T__sluice_changed (epoch, the key columns of T): the
// key of every row a load inserted, updated or deleted, stamped with the lake version the load
// brought (its epoch), written in the load's transaction. The table _sluice_changes (target,
// since) says from when the companion is complete: it holds every change with an epoch above
// `since`. A load that replaces the table, creates it or has no key starts it again at its own
// version (a test that last passed before then reads every row once more). A load of a table no
// test reads drops the companion and its row, so tracking that starts later starts complete.
//
// _sluice_tests (name, sql_hash, model_epoch, to_epoch) records, per test, the epochs of its
// tables when it last passed; the models task trims each companion below the oldest of those.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sluice/common/result.h"
#include "sluice/warehouse/connection.h"

namespace sluice::warehouse {

struct ModelTest;

inline constexpr const char* kChangesTable = "_sluice_changes";
inline constexpr const char* kTestsTable = "_sluice_tests";

// The companion of `target` holding its changed keys.
inline std::string ChangedTableName(const std::string& target) {
  return target + "__sluice_changed";
}

// A loaded table whose changes are tracked: its name and key.
struct TrackedTable {
  std::string name;
  std::vector<std::string> key;
};

// What one run of a test reads.
struct TestScope {
  std::string fingerprint;                     // of the test's query and the keys it joins on
  std::optional<int64_t> model_changed_after;  // set: the rows changed after this epoch only
  std::optional<int64_t> to_changed_after;     // relationships: also children of these parent keys
  int64_t model_epoch = -1;  // the epochs now (the lake versions loaded), recorded on a pass
  int64_t to_epoch = -1;
};

// The recorded epochs and test states, read before the tests run (a load committing meanwhile
// is tested next time).
class TestLedger {
 public:
  static Result<TestLedger> Read(Connection* connection, std::vector<TrackedTable> tracked);

  // The scope of `test`: every row unless it passed before, on tables tracked completely since.
  Result<TestScope> ScopeOf(const ModelTest& test, bool all_rows);

  // The query returning the failing values of `test` within `scope` (TestSql when every row).
  std::string ScopedSql(const ModelTest& test, const TestScope& scope) const;

  // Records the passes (`passed[i]` of `tests[i]`), then trims each companion below the oldest
  // epoch a recorded test still needs — in one transaction.
  Status RecordPasses(const std::vector<const ModelTest*>& tests,
                      const std::vector<TestScope>& scopes, const std::vector<bool>& passed);

 private:
  struct State {
    std::string fingerprint;
    int64_t model_epoch = -1;
    int64_t to_epoch = -1;
  };
  const TrackedTable* Tracked(const std::string& name) const;
  Connection* connection_ = nullptr;
  std::vector<TrackedTable> tracked_;
  std::map<std::string, int64_t> loaded_;  // target → lake version loaded
  std::map<std::string, int64_t> since_;   // target → its companion is complete after this
  std::map<std::string, State> states_;    // test name → when it last passed
};

}  // namespace sluice::warehouse

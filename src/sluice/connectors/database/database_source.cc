#include "sluice/connectors/database/database_source.h"

namespace sluice::connectors {

namespace {

const config::ConfigSpec& IncrementalSpec() {
  using config::ValueType;
  static const config::ConfigSpec spec(
      "incremental",
      "Incremental extraction: only rows whose cursor is at or past the committed high-water "
      "mark (minus the lookback); or, for postgres, the changes of a logical replication slot "
      "(mode: cdc)",
      {config::MakeKey("mode", ValueType::kEnum,
                       "cursor: rows by a growing column; cdc: inserts, updates and deletes from "
                       "PostgreSQL's logical replication (pgoutput)",
                       "cursor", {"cursor", "cdc"}),
       config::MakeKey(
           "cursor", ValueType::kString,
           "The column that grows with every insert or update: an integer, date or timestamp "
           "(mode: cursor; required there)",
           "", {}, "updated_at"),
       config::MakeKey("lookback", ValueType::kDuration,
                       "Read again the rows this far behind the mark (a timestamp or date cursor; "
                       "rows committed late by long transactions), never taking a row twice",
                       "0s", {}, "10m"),
       config::MakeKey("slot", ValueType::kString,
                       "mode: cdc — the logical replication slot sluice creates and reads "
                       "(default: sluice_<source name>)",
                       "", {}, "sluice_orders"),
       config::MakeKey("publication", ValueType::kString,
                       "mode: cdc — the publication holding the table (CREATE PUBLICATION sluice "
                       "FOR TABLE public.orders)",
                       "sluice", {}, "sluice")});
  return spec;
}

}  // namespace

void AddDatabaseSourceKeys(std::vector<config::KeySpec>* keys) {
  using config::ValueType;
  auto add = [&](std::string name, ValueType type, std::string description,
                 std::string default_value = "", std::vector<std::string> choices = {},
                 std::string example = "") {
    keys->push_back(config::MakeKey(std::move(name), type, std::move(description),
                                    std::move(default_value), std::move(choices),
                                    std::move(example)));
  };
  add("table", ValueType::kString, "The table or view read (schema-qualified or not)", "", {},
      "public.orders");
  add("query", ValueType::kString,
      "A query read instead of a table (e.g. \"select * from orders where region = 'eu'\")");
  add("tables", ValueType::kStringList,
      "Or: every table matching these patterns (schema.name, * and ? wildcards), each into "
      "bronze.<table name> (postgres)",
      "", {}, "[\"public.*\"]");
  add("into", ValueType::kString, "The bronze table written (default: bronze.<source name>)", "",
      {}, "bronze.orders");
  add("primary_key", ValueType::kStringList,
      "The columns identifying a row (default: the table's primary key)", "", {}, "[order_id]");
  config::KeySpec incremental =
      config::MakeKey("incremental", ValueType::kObject,
                      "Read only what is new since the last run (absent: a full snapshot each run "
                      "replaces the bronze table)");
  incremental.object = &IncrementalSpec();
  incremental.example = "{cursor: updated_at, lookback: 10m}";
  keys->push_back(incremental);
  add("batch_rows", ValueType::kInt, "Rows per batch read and written", "100000");
  add("schema_drift", ValueType::kEnum,
      "A column the bronze table does not have yet: add it (evolve) or fail the task (freeze)",
      "evolve", {"evolve", "freeze"});
  add("on_error", ValueType::kEnum,
      "A value that does not fit its column: quarantine the row, skip it, or fail the run",
      "quarantine", {"quarantine", "skip", "fail"});
  add("max_rejects", ValueType::kString,
      "Fail the run (committing nothing) past this many rejected rows, or this share (\"1%\")", "",
      {}, "100");
}

bool DatabaseOptionsFromConfig(const std::string& name, const config::ConfigValues& values,
                               DatabaseSourceOptions* options, config::ConfigErrors* errors) {
  bool ok = true;
  auto error_at = [&](std::string_view key, const std::string& message) {
    errors->Add(values.Mark(key), "source '" + name + "': " + message);
    ok = false;
  };
  options->name = name;
  options->table = values.String("table");
  options->query = values.String("query");
  options->tables = values.StringList("tables");
  const int reads = (options->table.empty() ? 0 : 1) + (options->query.empty() ? 0 : 1) +
                    (values.Has("tables") ? 1 : 0);
  if (reads != 1) {
    error_at(reads == 0             ? "type"
             : values.Has("tables") ? "tables"
                                    : "query",
             "give one of 'table', 'query' or 'tables'");
  }
  for (const std::string& pattern : options->tables) {
    const size_t dot = pattern.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == pattern.size()) {
      error_at("tables", "'" + pattern +
                             "' must be schema.table, with * and ? as wildcards "
                             "(e.g. public.*)");
    }
  }
  if (!options->tables.empty() && values.Has("into")) {
    error_at("into", "with 'tables', each table lands in bronze.<table name>; 'into' names one");
  }
  options->primary_key = values.StringList("primary_key");
  if (!options->tables.empty() && !options->primary_key.empty()) {
    error_at("primary_key", "with 'tables', each table's key comes from the catalog");
  }
  if (const config::ConfigNode* incremental = values.Node("incremental")) {
    const config::ConfigValues cursor(incremental, &IncrementalSpec());
    options->cdc = cursor.String("mode") == "cdc";
    options->cursor = cursor.String("cursor");
    options->lookback_ms = cursor.DurationMs("lookback");
    options->slot = cursor.String("slot");
    options->publication = cursor.String("publication");
    auto error_in = [&](std::string_view key, const std::string& message) {
      errors->Add(cursor.Mark(key), "source '" + name + "': " + message);
      ok = false;
    };
    if (options->cdc) {
      if (!options->cursor.empty()) error_in("cursor", "mode: cdc reads changes, not a cursor");
      if (options->table.empty()) {
        error_in("mode", "mode: cdc reads one table (table: ...), not a query or tables");
      }
      if (options->slot.empty()) options->slot = "sluice_" + name;
      bool valid = options->slot.size() <= 63;
      for (char c : options->slot) {
        valid &= (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
      }
      if (!valid) {
        error_in(cursor.Has("slot") ? "slot" : "mode",
                 "slot name '" + options->slot +
                     "' must be lower-case letters, digits and _ (at most 63)");
      }
    } else {
      if (options->cursor.empty()) error_in("mode", "incremental needs a cursor column");
      if (cursor.Has("slot") || cursor.Has("publication")) {
        error_in(cursor.Has("slot") ? "slot" : "publication",
                 "slot and publication need mode: cdc");
      }
    }
  }
  options->batch_rows = values.Int("batch_rows");
  if (options->batch_rows < 1 || options->batch_rows > 10'000'000) {
    error_at("batch_rows", "batch_rows must be between 1 and 10000000");
  }
  options->schema_drift =
      values.String("schema_drift") == "freeze" ? SchemaDrift::kFreeze : SchemaDrift::kEvolve;
  auto policy =
      formats::RejectPolicy::Parse(values.String("on_error"), values.String("max_rejects"));
  if (policy.ok()) {
    options->rejects = *policy;
  } else {
    error_at(values.Has("max_rejects") ? "max_rejects" : "on_error", policy.status().message());
  }
  return ok;
}

std::string DescribeDatabaseRead(const DatabaseSourceOptions& options) {
  std::string what = !options.table.empty() ? "table " + options.table : "a query";
  if (!options.tables.empty()) {
    what = "tables";
    for (const std::string& pattern : options.tables) what += " " + pattern;
  }
  if (options.cdc) {
    return what + " (cdc: slot " + options.slot + ", publication " + options.publication +
           "; the first run takes a snapshot)";
  }
  const std::string mode =
      options.cursor.empty()
          ? "full snapshot, replaces the table"
          : "incremental on " + options.cursor +
                (options.lookback_ms > 0
                     ? ", lookback " + std::to_string(options.lookback_ms / 1000) + "s"
                     : "");
  return what + " (" + mode + ")";
}

}  // namespace sluice::connectors

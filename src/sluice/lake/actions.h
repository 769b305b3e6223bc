// Delta log actions (PROTOCOL.md "Actions"): what one commit file or checkpoint row holds.
//
// A commit `_delta_log/<20-digit version>.json` is newline-delimited JSON, one action per line,
// each an object with a single key naming the action ({"add": {...}}). Checkpoints hold the same
// actions as Parquet rows (see checkpoint_writer.h). Fields sluice does not model are kept as raw
// JSON where the protocol requires them to survive a rewrite (unknown keys of metaData/commitInfo
// are dropped: they are optional).
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sluice/common/result.h"

namespace sluice::lake {

// Partition values and string maps: a JSON object of strings; a JSON null value is nullopt.
using StringMap = std::map<std::string, std::optional<std::string>>;

struct Protocol {
  int32_t min_reader_version = 1;
  int32_t min_writer_version = 2;
  // Only with reader version 3 / writer version 7.
  std::optional<std::vector<std::string>> reader_features;
  std::optional<std::vector<std::string>> writer_features;
  friend bool operator==(const Protocol&, const Protocol&) = default;
};

struct Format {
  std::string provider = "parquet";
  std::map<std::string, std::string> options;
  friend bool operator==(const Format&, const Format&) = default;
};

struct Metadata {
  std::string id;  // a UUID, fixed for the life of the table
  std::optional<std::string> name;
  std::optional<std::string> description;
  Format format;
  std::string schema_string;  // Delta's JSON schema (see delta_schema.h)
  std::vector<std::string> partition_columns;
  std::map<std::string, std::string> configuration;
  std::optional<int64_t> created_time;  // ms since the epoch
  friend bool operator==(const Metadata&, const Metadata&) = default;
};

struct DeletionVector {
  std::string storage_type;
  std::string path_or_inline_dv;
  std::optional<int32_t> offset;
  int32_t size_in_bytes = 0;
  int64_t cardinality = 0;
  friend bool operator==(const DeletionVector&, const DeletionVector&) = default;
};

// The tag sluice puts on a file a DELETE or MERGE writes with rows copied unchanged out of files
// the same commit removes ("true"): a reader of what a commit changed may skip it. Other writers'
// files never carry it, so they are read whole.
inline constexpr const char* kCopiedRowsTag = "sluice.copiedRows";
// On such a file: the path (decoded, relative to the root) of the file its rows were copied out
// of. A reader of the commits after some version tells by it whether the rows are ones it has
// seen (copied out of a file that was live at that version) or new to it (copied out of a file
// added after it).
inline constexpr const char* kCopiedFromTag = "sluice.copiedFrom";

struct AddFile {
  std::string path;  // relative to the table root, URL-encoded (RFC 2396 URI)
  StringMap partition_values;
  int64_t size = 0;
  int64_t modification_time = 0;  // ms since the epoch
  bool data_change = true;
  std::optional<std::string> stats;  // JSON text: numRecords, minValues, maxValues, nullCount
  std::optional<std::map<std::string, std::string>> tags;
  std::optional<DeletionVector> deletion_vector;
  friend bool operator==(const AddFile&, const AddFile&) = default;
};

struct RemoveFile {
  std::string path;
  std::optional<int64_t> deletion_timestamp;  // ms since the epoch
  bool data_change = true;
  std::optional<bool> extended_file_metadata;
  std::optional<StringMap> partition_values;
  std::optional<int64_t> size;
  std::optional<std::map<std::string, std::string>> tags;
  std::optional<DeletionVector> deletion_vector;
  friend bool operator==(const RemoveFile&, const RemoveFile&) = default;
};

// A change data file (cdc action): the rows one commit changed, with a _change_type column, under
// _change_data/. Change feed readers use these instead of the commit's add/remove actions.
struct CdcFile {
  std::string path;  // relative to the table root, URL-encoded
  StringMap partition_values;
  int64_t size = 0;
  bool data_change = false;  // always false
  std::optional<std::map<std::string, std::string>> tags;
  friend bool operator==(const CdcFile&, const CdcFile&) = default;
};

// Application transaction: the highest batch `version` an application `app_id` has committed.
struct Txn {
  std::string app_id;
  int64_t version = 0;
  std::optional<int64_t> last_updated;  // ms since the epoch
  friend bool operator==(const Txn&, const Txn&) = default;
};

// Domain metadata (writer feature domainMetadata): a named configuration string that lives until
// a later action with removed=true. Domains starting with "delta." belong to the protocol; sluice
// keeps its own under "sluice." and preserves every other one.
struct DomainMetadata {
  std::string domain;
  std::string configuration;
  bool removed = false;
  friend bool operator==(const DomainMetadata&, const DomainMetadata&) = default;
};

// Provenance of a commit. sluice always writes `txnId` (a UUID unique to the commit attempt) so a
// writer that lost the answer to its commit can recognise its own commit when reading back.
struct CommitInfo {
  std::optional<int64_t> timestamp;  // ms since the epoch
  std::string operation;             // "WRITE", "DELETE", "MERGE", "OPTIMIZE", "CREATE TABLE", ...
  std::map<std::string, std::string> operation_parameters;
  std::map<std::string, std::string> operation_metrics;
  std::optional<int64_t> read_version;
  std::optional<std::string> isolation_level;
  std::optional<bool> is_blind_append;
  std::optional<std::string> txn_id;
  std::optional<std::string> engine_info;
  // The commit's timestamp when delta.enableInCommitTimestamps is on (ms since the epoch).
  std::optional<int64_t> in_commit_timestamp;
  friend bool operator==(const CommitInfo&, const CommitInfo&) = default;
};

using Action =
    std::variant<Protocol, Metadata, AddFile, RemoveFile, Txn, CommitInfo, CdcFile, DomainMetadata>;

// The protocol's `uniqueId` of a deletion vector: storageType + pathOrInlineDv, then "@offset"
// when the descriptor has an offset.
std::string DeletionVectorUniqueId(const DeletionVector& dv);

// The identity of a logical file (PROTOCOL.md "Action Reconciliation"): the decoded path of its
// data file and the unique id of its deletion vector ("" without one). The same data file with
// another deletion vector is another logical file: a commit that gives a file a new deletion
// vector removes (path, old id) and adds (path, new id), in either order. Log replay, checkpoints
// and conflict detection key files by this, never by the path alone.
struct FileKey {
  std::string path;   // decoded relative path
  std::string dv_id;  // DeletionVectorUniqueId, or "" when the file has no deletion vector
  friend auto operator<=>(const FileKey&, const FileKey&) = default;
  // "path", or "path (deletion vector <id>)".
  std::string ToString() const;
};
FileKey KeyOf(const AddFile& add);
FileKey KeyOf(const RemoveFile& remove);

// The remove of a live logical file: its path, deletion vector (so the key matches), partition
// values, size and tags, with extendedFileMetadata.
RemoveFile RemoveOf(const AddFile& add, int64_t deletion_timestamp, bool data_change);

// Parses one commit file (newline-delimited JSON). Unknown action kinds (checkpointMetadata,
// sidecar, ...) are skipped; `unknown_kinds` (when given) collects their
// names. Errors: DataError naming `path` and the 1-based line for malformed JSON or a known
// action with missing or mistyped required fields.
Result<std::vector<Action>> ParseCommit(std::string_view text, std::string_view path,
                                        std::vector<std::string>* unknown_kinds = nullptr);

// Parses one action from its JSON object text (as stored in a checkpoint's struct columns after
// conversion to JSON): `kind` is "add", "remove", "metaData", "protocol", "txn", "commitInfo",
// "cdc" or "domainMetadata".
Result<Action> ParseAction(std::string_view kind, std::string_view object_json);

// One JSON line (no trailing newline) for an action, e.g. {"add":{"path":...}}.
std::string SerializeAction(const Action& action);

// A whole commit file: one line per action, each ending in '\n'.
std::string SerializeCommit(const std::vector<Action>& actions);

// Percent-decodes an add/remove path (RFC 2396) into the relative path of the file.
std::string DecodeActionPath(std::string_view path);
// Percent-encodes a relative file path for an add/remove action (spaces, '%', non-ASCII, ...).
std::string EncodeActionPath(std::string_view relative_path);

// "<20-digit version>.json".
std::string CommitFileName(int64_t version);

}  // namespace sluice::lake

#include "sluice/lake/table_features.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <vector>

#include "sluice/common/ascii.h"
#include "sluice/config/config_spec.h"
#include "sluice/lake/column_mapping.h"
#include "sluice/lake/delta_log.h"

namespace sluice::lake {
namespace {

// Writer features sluice honours when it writes (the rest stop it).
const std::set<std::string>& WritableFeatures() {
  static const std::set<std::string> features = {
      "appendOnly",          "invariants",       "deletionVectors",
      "changeDataFeed",      "checkConstraints", "generatedColumns",
      "vacuumProtocolCheck", "columnMapping",    "domainMetadata"};
  return features;
}

// The legacy features writer versions 2..6 imply, in the order Delta lists them.
std::vector<std::string> ImpliedWriterFeatures(int32_t writer_version) {
  std::vector<std::string> features;
  if (writer_version >= 2) features.insert(features.end(), {"appendOnly", "invariants"});
  if (writer_version >= 3) features.push_back("checkConstraints");
  if (writer_version >= 4) features.insert(features.end(), {"changeDataFeed", "generatedColumns"});
  if (writer_version >= 5) features.push_back("columnMapping");
  if (writer_version >= 6) features.push_back("identityColumns");
  return features;
}

void AddFeature(std::optional<std::vector<std::string>>* features, const std::string& feature) {
  if (!features->has_value()) *features = std::vector<std::string>();
  if (std::find((*features)->begin(), (*features)->end(), feature) == (*features)->end()) {
    (*features)->push_back(feature);
  }
}

std::string Join(const std::vector<std::string>& items) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

}  // namespace

bool PropertyIsTrue(const std::map<std::string, std::string>& configuration,
                    const std::string& key) {
  auto it = configuration.find(key);
  if (it == configuration.end()) return false;
  return EqualsIgnoringAsciiCase(it->second, "true");
}

bool DeletionVectorsEnabled(const Metadata& metadata) {
  return PropertyIsTrue(metadata.configuration, "delta.enableDeletionVectors");
}

bool ChangeDataFeedEnabled(const Metadata& metadata) {
  return PropertyIsTrue(metadata.configuration, "delta.enableChangeDataFeed");
}

bool SupportsWriterFeature(const Protocol& protocol, const std::string& feature) {
  if (protocol.min_writer_version >= 7) {
    return protocol.writer_features.has_value() &&
           std::find(protocol.writer_features->begin(), protocol.writer_features->end(), feature) !=
               protocol.writer_features->end();
  }
  const std::vector<std::string> implied = ImpliedWriterFeatures(protocol.min_writer_version);
  return std::find(implied.begin(), implied.end(), feature) != implied.end();
}

Protocol WithWriterFeature(const Protocol& current, const std::string& feature) {
  if (SupportsWriterFeature(current, feature)) return current;
  Protocol protocol = current;
  if (protocol.min_writer_version < 7) {
    std::optional<std::vector<std::string>> writer;
    for (const std::string& implied : ImpliedWriterFeatures(protocol.min_writer_version)) {
      AddFeature(&writer, implied);
    }
    protocol.writer_features = std::move(writer);
    protocol.min_writer_version = 7;
  }
  AddFeature(&protocol.writer_features, feature);
  return protocol;
}

Protocol RequiredProtocol(const Protocol& current,
                          const std::map<std::string, std::string>& configuration) {
  Protocol protocol = current;
  auto mode = configuration.find("delta.columnMapping.mode");
  if (mode != configuration.end() && (mode->second == "name" || mode->second == "id") &&
      !SupportsWriterFeature(protocol, "columnMapping")) {
    if (protocol.min_writer_version >= 7) {
      AddFeature(&protocol.writer_features, "columnMapping");
      if (protocol.min_reader_version >= 3) {
        AddFeature(&protocol.reader_features, "columnMapping");
      } else {
        protocol.min_reader_version = 2;  // reader version 2 implies column mapping
      }
    } else {
      protocol.min_reader_version = std::max(protocol.min_reader_version, 2);
      protocol.min_writer_version = std::max(protocol.min_writer_version, 5);
    }
  }
  const bool deletion_vectors = PropertyIsTrue(configuration, "delta.enableDeletionVectors");
  const bool change_data_feed = PropertyIsTrue(configuration, "delta.enableChangeDataFeed");
  if (deletion_vectors && !SupportsWriterFeature(protocol, "deletionVectors")) {
    // Table features: list what the older versions implied, then add the new one.
    protocol = WithWriterFeature(protocol, "deletionVectors");
    if (protocol.min_reader_version < 3) {
      // Reader version 2 implied column mapping.
      std::optional<std::vector<std::string>> reader;
      if (protocol.min_reader_version == 2) AddFeature(&reader, "columnMapping");
      protocol.reader_features = std::move(reader);
      protocol.min_reader_version = 3;
    }
    AddFeature(&protocol.reader_features, "deletionVectors");
  }
  if (configuration.count("delta.setTransactionRetentionDuration") != 0) {
    // Entries about to expire are archived in a metadata domain (transaction_archive.h).
    protocol = WithWriterFeature(protocol, "domainMetadata");
  }
  if (change_data_feed && !SupportsWriterFeature(protocol, "changeDataFeed")) {
    if (protocol.min_writer_version >= 7) {
      AddFeature(&protocol.writer_features, "changeDataFeed");
    } else {
      protocol.min_writer_version = std::max(protocol.min_writer_version, 4);
    }
  }
  return protocol;
}

Status CheckTableProperty(const std::string& key, const std::string& value) {
  if (!key.starts_with("delta.")) return Status::OK();
  enum class Kind { kBoolean, kDuration, kPositive, kText, kMappingMode, kInternal, kUnsupported };
  static const std::map<std::string, Kind> kKnown = {
      {"delta.appendOnly", Kind::kBoolean},
      {"delta.enableDeletionVectors", Kind::kBoolean},
      {"delta.enableChangeDataFeed", Kind::kBoolean},
      {"delta.checkpoint.writeStatsAsJson", Kind::kBoolean},
      {"delta.checkpoint.writeStatsAsStruct", Kind::kBoolean},
      {"delta.randomizeFilePrefixes", Kind::kBoolean},
      {"delta.deletedFileRetentionDuration", Kind::kDuration},
      {"delta.logRetentionDuration", Kind::kDuration},
      {"delta.setTransactionRetentionDuration", Kind::kDuration},
      {"delta.checkpointRetentionDuration", Kind::kDuration},
      {"delta.checkpointInterval", Kind::kPositive},
      {"delta.dataSkippingNumIndexedCols", Kind::kPositive},
      {"delta.randomPrefixLength", Kind::kPositive},
      {"delta.dataSkippingStatsColumns", Kind::kText},
      {"delta.isolationLevel", Kind::kText},
      {"delta.targetFileSize", Kind::kText},
      {"delta.tuneFileSizesForRewrites", Kind::kText},
      {"delta.autoOptimize.optimizeWrite", Kind::kText},
      {"delta.autoOptimize.autoCompact", Kind::kText},
      {"delta.columnMapping.mode", Kind::kMappingMode},
      {"delta.columnMapping.maxColumnId", Kind::kInternal},
      {"delta.enableInCommitTimestamps", Kind::kUnsupported},
      {"delta.enableRowTracking", Kind::kUnsupported},
      {"delta.enableTypeWidening", Kind::kUnsupported},
      {"delta.minReaderVersion", Kind::kUnsupported},
      {"delta.minWriterVersion", Kind::kUnsupported},
  };
  auto it = kKnown.find(key);
  if (it == kKnown.end()) {
    std::vector<std::string> names;
    for (const auto& [name, kind] : kKnown) names.push_back(name);
    const std::string* near = config::ClosestName(key, names);
    return Status::InvalidArgument("unknown Delta table property '" + key + "'" +
                                   (near != nullptr ? "; did you mean '" + *near + "'?" : ""));
  }
  const std::string lower = AsciiLower(value);
  switch (it->second) {
    case Kind::kBoolean:
      if (lower != "true" && lower != "false") {
        return Status::InvalidArgument(key + " must be true or false, not '" + value + "'");
      }
      return Status::OK();
    case Kind::kDuration: {
      Result<int64_t> parsed = ParseIntervalMs(value);
      return parsed.ok() ? Status::OK() : parsed.status().WithContext(key);
    }
    case Kind::kPositive: {
      const bool digits =
          !value.empty() && value.size() < 10 &&
          std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; });
      if (!digits || std::stoll(value) <= 0) {
        return Status::InvalidArgument(key + " must be a positive integer, not '" + value + "'");
      }
      return Status::OK();
    }
    case Kind::kText:
      return Status::OK();
    case Kind::kMappingMode:
      if (value != "none" && value != "name" && value != "id") {
        return Status::InvalidArgument(key + " must be none, name or id, not '" + value + "'");
      }
      return Status::OK();
    case Kind::kInternal:
      return Status::InvalidArgument(key + " is kept by the writer and cannot be set");
    case Kind::kUnsupported:
      if (lower == "false") return Status::OK();
      return Status::InvalidArgument(key + " cannot be set by sluice yet (" +
                                     (key.starts_with("delta.min")
                                          ? "protocol versions follow from the properties set"
                                          : "sluice does not write the feature it needs") +
                                     ")");
  }
  return Status::OK();
}

Status CheckWritable(const Snapshot& snapshot) {
  const Protocol& protocol = snapshot.protocol;
  std::vector<std::string> unsupported;
  if (protocol.min_writer_version >= 7) {
    if (protocol.writer_features.has_value()) {
      for (const std::string& feature : *protocol.writer_features) {
        if (WritableFeatures().count(feature) == 0) unsupported.push_back(feature);
      }
    }
  } else if (protocol.min_writer_version > 5) {
    unsupported.push_back("identityColumns");
  }
  if (protocol.min_reader_version > 3 || protocol.min_writer_version > 7) {
    unsupported.push_back("a protocol newer than reader 3 / writer 7");
  }
  if (protocol.reader_features.has_value()) {
    for (const std::string& feature : *protocol.reader_features) {
      if (feature != "deletionVectors" && feature != "columnMapping" &&
          std::find(unsupported.begin(), unsupported.end(), feature) == unsupported.end()) {
        unsupported.push_back(feature);
      }
    }
  }
  if (!unsupported.empty()) {
    return Status::InvalidArgument(
        "the table needs Delta reader version " + std::to_string(protocol.min_reader_version) +
        " / writer version " + std::to_string(protocol.min_writer_version) + " (features: " +
        Join(unsupported) + "); sluice does not write those, so it will not modify this table");
  }
  // Features sluice lists as writable only because it checks they are not in use.
  const std::string& schema = snapshot.metadata.schema_string;
  std::vector<std::string> nested;
  if (!schema.empty()) {
    SLUICE_ASSIGN_OR_RETURN(nested, NestedColumns(schema));
  }
  if (!nested.empty()) {
    return Status::InvalidArgument("the table has nested columns (" + Join(nested) +
                                   "), which sluice reads as JSON text and cannot write back in "
                                   "their type; it will not write to it");
  }
  if (schema.find("delta.invariants") != std::string::npos) {
    return Status::InvalidArgument(
        "the table has column invariants (delta.invariants), which sluice does not enforce; it "
        "will not write to it");
  }
  if (schema.find("delta.generationExpression") != std::string::npos ||
      schema.find("delta.identity.") != std::string::npos) {
    return Status::InvalidArgument(
        "the table has generated or identity columns, which sluice does not compute; it will "
        "not write to it");
  }
  for (const auto& [key, value] : snapshot.metadata.configuration) {
    if (key.starts_with("delta.constraints.")) {
      return Status::InvalidArgument("the table has the CHECK constraint " + key.substr(18) +
                                     ", which sluice does not enforce; it will not write to it");
    }
  }
  return Status::OK();
}

}  // namespace sluice::lake

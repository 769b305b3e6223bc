// Table features: the protocol a table's properties need, what sluice writes, and the checks of
// table properties.
#include "sluice/lake/table_features.h"

#include <gtest/gtest.h>

namespace sluice::lake {
namespace {

Protocol Versions(int32_t reader, int32_t writer) {
  Protocol protocol;
  protocol.min_reader_version = reader;
  protocol.min_writer_version = writer;
  return protocol;
}

Snapshot WithProtocol(Protocol protocol) {
  Snapshot snapshot;
  snapshot.version = 0;
  snapshot.protocol = std::move(protocol);
  snapshot.metadata.schema_string = R"({"type":"struct","fields":[]})";
  return snapshot;
}

TEST(TableFeaturesTest, PropertiesRaiseTheProtocolOnlyAsFarAsNeeded) {
  EXPECT_EQ(RequiredProtocol(Versions(1, 2), {}), Versions(1, 2));
  EXPECT_EQ(RequiredProtocol(Versions(1, 2), {{"delta.appendOnly", "true"}}), Versions(1, 2));
  EXPECT_EQ(RequiredProtocol(Versions(1, 2), {{"delta.enableChangeDataFeed", "true"}}),
            Versions(1, 4));
  const Protocol vectors =
      RequiredProtocol(Versions(1, 2), {{"delta.enableDeletionVectors", "TRUE"}});
  EXPECT_EQ(vectors.min_reader_version, 3);
  EXPECT_EQ(vectors.min_writer_version, 7);
  EXPECT_EQ(vectors.reader_features, std::vector<std::string>{"deletionVectors"});
  EXPECT_EQ(vectors.writer_features,
            (std::vector<std::string>{"appendOnly", "invariants", "deletionVectors"}));
  // From writer 4, every feature it implied is listed; reader 2 implied column mapping.
  const Protocol from_four =
      RequiredProtocol(Versions(2, 4), {{"delta.enableDeletionVectors", "true"}});
  EXPECT_EQ(from_four.writer_features,
            (std::vector<std::string>{"appendOnly", "invariants", "checkConstraints",
                                      "changeDataFeed", "generatedColumns", "deletionVectors"}));
  EXPECT_EQ(from_four.reader_features,
            (std::vector<std::string>{"columnMapping", "deletionVectors"}));
  // Already there: unchanged; false: nothing.
  EXPECT_EQ(RequiredProtocol(vectors, {{"delta.enableDeletionVectors", "true"}}), vectors);
  EXPECT_EQ(RequiredProtocol(Versions(1, 2), {{"delta.enableDeletionVectors", "false"}}),
            Versions(1, 2));
  // Column mapping: reader 2 / writer 5, or the feature at writer 7 (reader 3 lists it too).
  EXPECT_EQ(RequiredProtocol(Versions(1, 2), {{"delta.columnMapping.mode", "name"}}),
            Versions(2, 5));
  EXPECT_EQ(RequiredProtocol(Versions(1, 2), {{"delta.columnMapping.mode", "none"}}),
            Versions(1, 2));
  const Protocol mapped_vectors = RequiredProtocol(
      Versions(1, 2),
      {{"delta.columnMapping.mode", "id"}, {"delta.enableDeletionVectors", "true"}});
  EXPECT_EQ(mapped_vectors.reader_features,
            (std::vector<std::string>{"columnMapping", "deletionVectors"}));
  EXPECT_EQ(
      mapped_vectors.writer_features,
      (std::vector<std::string>{"appendOnly", "invariants", "checkConstraints", "changeDataFeed",
                                "generatedColumns", "columnMapping", "deletionVectors"}));
  const Protocol later = RequiredProtocol(vectors, {{"delta.columnMapping.mode", "name"}});
  EXPECT_EQ(later.reader_features, (std::vector<std::string>{"deletionVectors", "columnMapping"}));
  EXPECT_TRUE(SupportsWriterFeature(later, "columnMapping"));
  EXPECT_TRUE(SupportsWriterFeature(Versions(1, 4), "changeDataFeed"));
  EXPECT_FALSE(SupportsWriterFeature(Versions(1, 2), "changeDataFeed"));
  EXPECT_TRUE(SupportsWriterFeature(vectors, "deletionVectors"));
}

TEST(TableFeaturesTest, WritesOnlyWhatItImplements) {
  EXPECT_TRUE(CheckWritable(WithProtocol(Versions(1, 2))).ok());
  EXPECT_TRUE(CheckWritable(WithProtocol(Versions(1, 4))).ok());
  Protocol features = Versions(3, 7);
  features.reader_features = std::vector<std::string>{"deletionVectors"};
  features.writer_features =
      std::vector<std::string>{"deletionVectors", "changeDataFeed", "vacuumProtocolCheck"};
  EXPECT_TRUE(CheckWritable(WithProtocol(features)).ok());
  features.writer_features->push_back("rowTracking");
  const Status refused = CheckWritable(WithProtocol(features));
  EXPECT_NE(refused.message().find("rowTracking"), std::string::npos) << refused.ToString();
  EXPECT_TRUE(CheckWritable(WithProtocol(Versions(2, 5))).ok());  // column mapping
  EXPECT_NE(CheckWritable(WithProtocol(Versions(2, 6))).message().find("identityColumns"),
            std::string::npos);
  Protocol mapped = Versions(3, 7);
  mapped.reader_features = std::vector<std::string>{"columnMapping"};
  mapped.writer_features = std::vector<std::string>{"columnMapping"};
  EXPECT_TRUE(CheckWritable(WithProtocol(mapped)).ok());
  // Nested columns are read as JSON text and could not be written back in their type.
  Snapshot nested = WithProtocol(Versions(1, 2));
  nested.metadata.schema_string =
      R"json({"type":"struct","fields":[{"name":"tags","type":{"type":"array","elementType":"string","containsNull":true},"nullable":true,"metadata":{}}]})json";
  EXPECT_NE(CheckWritable(nested).message().find("nested columns (tags)"), std::string::npos);
  // Features listed as writable only while unused.
  Snapshot constrained = WithProtocol(Versions(1, 4));
  constrained.metadata.configuration["delta.constraints.positive"] = "amount > 0";
  EXPECT_NE(CheckWritable(constrained).message().find("CHECK constraint positive"),
            std::string::npos);
  Snapshot generated = WithProtocol(Versions(1, 4));
  generated.metadata.schema_string =
      R"json({"type":"struct","fields":[{"name":"d","type":"date","nullable":true,"metadata":{"delta.generationExpression":"CAST(ts AS DATE)"}}]})json";
  EXPECT_FALSE(CheckWritable(generated).ok());
}

TEST(TableFeaturesTest, ChecksTheTablePropertiesUsersSet) {
  EXPECT_TRUE(CheckTableProperty("delta.enableDeletionVectors", "true").ok());
  EXPECT_TRUE(CheckTableProperty("delta.logRetentionDuration", "interval 60 days").ok());
  EXPECT_TRUE(CheckTableProperty("delta.checkpointInterval", "50").ok());
  EXPECT_TRUE(CheckTableProperty("owner", "data-team").ok());  // not Delta's: free-form
  EXPECT_NE(CheckTableProperty("delta.appendonly", "true")
                .message()
                .find("did you mean 'delta.appendOnly'"),
            std::string::npos);
  EXPECT_FALSE(CheckTableProperty("delta.appendOnly", "yes").ok());
  EXPECT_FALSE(CheckTableProperty("delta.deletedFileRetentionDuration", "a week").ok());
  EXPECT_FALSE(CheckTableProperty("delta.checkpointInterval", "0").ok());
  EXPECT_TRUE(CheckTableProperty("delta.columnMapping.mode", "name").ok());
  EXPECT_TRUE(CheckTableProperty("delta.columnMapping.mode", "id").ok());
  EXPECT_TRUE(CheckTableProperty("delta.columnMapping.mode", "none").ok());
  EXPECT_FALSE(CheckTableProperty("delta.columnMapping.mode", "position").ok());
  EXPECT_FALSE(CheckTableProperty("delta.columnMapping.maxColumnId", "5").ok());
  EXPECT_FALSE(CheckTableProperty("delta.minWriterVersion", "7").ok());
}

}  // namespace
}  // namespace sluice::lake

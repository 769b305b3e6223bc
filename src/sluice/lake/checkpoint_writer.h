// Delta checkpoints: the table state at one version as one Parquet file (PROTOCOL.md
// "Checkpoints", classic single-file checkpoint `<version>.checkpoint.parquet`).
//
// The file holds one action per row; a row's other action columns are null. Rows: the protocol,
// the metaData, then every txn, add and remove, in the order given. Columns, in this order, with
// the layout Spark writes (every field optional; maps as MAP → repeated `key_value` → required
// `key`, optional `value`; arrays as 3-level LIST → repeated `list` → optional `element`):
//   txn      struct<appId string, version long, lastUpdated long>
//   add      struct<path string, partitionValues map<string,string>, size long,
//                   modificationTime long, dataChange boolean, tags map<string,string>,
//                   deletionVector struct<storageType string, pathOrInlineDv string, offset int,
//                                         sizeInBytes int, cardinality long>,
//                   stats string>
//   remove   struct<path string, deletionTimestamp long, dataChange boolean,
//                   extendedFileMetadata boolean, partitionValues map<string,string>, size long,
//                   deletionVector struct<...as in add...>>
//   metaData struct<id string, name string, description string,
//                   format struct<provider string, options map<string,string>>,
//                   schemaString string, partitionColumns array<string>,
//                   configuration map<string,string>, createdTime long>
//   protocol struct<minReaderVersion int, minWriterVersion int, readerFeatures array<string>,
//                   writerFeatures array<string>>
// As PROTOCOL.md says, removes carry no stats or tags (tombstones only serve VACUUM). Stats are
// written as JSON text only (no stats_parsed / partitionValues_parsed). Snappy compression.
//
// Thread-safety: free functions over caller-owned values.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "sluice/common/result.h"
#include "sluice/formats/parquet/parquet_metadata.h"
#include "sluice/io/output_stream.h"
#include "sluice/lake/actions.h"

namespace sluice::lake {

// The table state a checkpoint records.
struct CheckpointContents {
  Protocol protocol;
  Metadata metadata;
  std::vector<Txn> txns;
  std::vector<AddFile> adds;
  std::vector<RemoveFile> removes;
  // Domain metadata; the checkpoint has a domainMetadata column only when there is some.
  std::vector<DomainMetadata> domains;
};

// Writes one classic checkpoint Parquet file to `out` (which it closes) and returns its size in
// bytes. Errors: I/O errors of `out`; Internal if the checkpoint schema cannot be built.
Result<int64_t> WriteCheckpoint(const CheckpointContents& contents,
                                std::unique_ptr<io::OutputStream> out);

// The Parquet schema of the checkpoint files WriteCheckpoint writes (depth-first, root first),
// with the domainMetadata column when `with_domains`.
std::vector<parquet::SchemaElement> CheckpointParquetSchema(bool with_domains = false);

}  // namespace sluice::lake

// sluice inspect: print a Parquet file's footer — schema, row groups, and per column chunk its
// codec, sizes, encodings, page counts by encoding and statistics.
#include <iostream>
#include <memory>

#include "commands.h"
#include "exit_codes.h"
#include "sluice/columnar/decimal.h"
#include "sluice/columnar/temporal.h"
#include "sluice/columnar/value_formatter.h"
#include "sluice/formats/parquet/parquet_reader.h"
#include "sluice/formats/parquet/parquet_schema.h"

namespace sluice::cli {

namespace {

const char* EncodingName(parquet::Encoding encoding) {
  switch (encoding) {
    case parquet::Encoding::kPlain:
      return "PLAIN";
    case parquet::Encoding::kPlainDictionary:
      return "PLAIN_DICTIONARY";
    case parquet::Encoding::kRLE:
      return "RLE";
    case parquet::Encoding::kBitPacked:
      return "BIT_PACKED";
    case parquet::Encoding::kDeltaBinaryPacked:
      return "DELTA_BINARY_PACKED";
    case parquet::Encoding::kDeltaLengthByteArray:
      return "DELTA_LENGTH_BYTE_ARRAY";
    case parquet::Encoding::kDeltaByteArray:
      return "DELTA_BYTE_ARRAY";
    case parquet::Encoding::kRLEDictionary:
      return "RLE_DICTIONARY";
    case parquet::Encoding::kByteStreamSplit:
      return "BYTE_STREAM_SPLIT";
  }
  return "UNKNOWN";
}

const char* CodecName(parquet::CompressionCodec codec) {
  switch (codec) {
    case parquet::CompressionCodec::kUncompressed:
      return "none";
    case parquet::CompressionCodec::kSnappy:
      return "snappy";
    case parquet::CompressionCodec::kGzip:
      return "gzip";
    case parquet::CompressionCodec::kLZO:
      return "lzo";
    case parquet::CompressionCodec::kBrotli:
      return "brotli";
    case parquet::CompressionCodec::kLZ4:
      return "lz4 (hadoop)";
    case parquet::CompressionCodec::kZstd:
      return "zstd";
    case parquet::CompressionCodec::kLZ4Raw:
      return "lz4_raw";
  }
  return "unknown";
}

// Statistics bytes as text: typed where the leaf's type allows, else printable ASCII as is and
// anything else as hex.
std::string StatisticText(const parquet::SchemaNode* leaf, const std::string& bytes) {
  if (leaf != nullptr) {
    if (leaf->conversion == parquet::LeafConversion::kBool && bytes.size() == 1) {
      return bytes[0] ? "true" : "false";
    }
    const parquet::StatisticValue value = parquet::DecodeStatistic(*leaf, bytes);
    std::string text;
    if (const auto* integer = std::get_if<int64_t>(&value)) {
      switch (leaf->type.id()) {
        case columnar::TypeId::kDate:
          columnar::AppendDate(static_cast<int32_t>(*integer), &text);
          return text;
        case columnar::TypeId::kTime:
          columnar::AppendTime(*integer, &text);
          return text;
        case columnar::TypeId::kTimestamp:
          columnar::AppendTimestamp(*integer, true, &text);
          return text;
        default:
          return std::to_string(*integer);
      }
    }
    if (const auto* decimal = std::get_if<columnar::Int128>(&value)) {
      return columnar::FormatDecimal(*decimal, leaf->scale);
    }
    if (const auto* real = std::get_if<double>(&value)) {
      columnar::AppendDouble(*real, &text);
      return text;
    }
  }
  bool printable = true;
  for (unsigned char c : bytes) printable &= c >= 0x20 && c < 0x7f;
  if (printable) return "'" + bytes + "'";
  static const char kHex[] = "0123456789abcdef";
  std::string hex = "0x";
  for (unsigned char c : bytes) {
    hex.push_back(kHex[c >> 4]);
    hex.push_back(kHex[c & 15]);
  }
  return hex;
}

Status RunInspect(const std::string& path) {
  parquet::ParquetReadOptions options;
  SLUICE_ASSIGN_OR_RETURN(auto reader, parquet::ParquetReader::Open(path, options));
  const parquet::FileMetaData& metadata = reader->metadata();
  std::cout << path << ": " << metadata.num_rows << (metadata.num_rows == 1 ? " row, " : " rows, ")
            << metadata.row_groups.size()
            << (metadata.row_groups.size() == 1 ? " row group" : " row groups")
            << ", format version " << metadata.version << "\n";
  // Leaves in column chunk order, for typed statistics.
  std::vector<const parquet::SchemaNode*> leaves;
  auto tree = parquet::ParquetSchema::Make(metadata.schema, path);
  if (tree.ok()) leaves = (*tree)->leaves();
  std::cout << "created by: " << metadata.created_by.value_or("(not recorded)") << "\n";
  std::cout << "schema: " << reader->schema()->ToString() << "\n";
  for (const parquet::KeyValue& entry : metadata.key_value_metadata) {
    std::string value = entry.value.value_or("");
    if (value.size() > 200) value = value.substr(0, 200) + "...";
    std::cout << "metadata: " << entry.key << " = " << value << "\n";
  }
  for (size_t g = 0; g < metadata.row_groups.size(); ++g) {
    const parquet::RowGroup& group = metadata.row_groups[g];
    std::cout << "row group " << g << ": " << group.num_rows << " rows, " << group.total_byte_size
              << " bytes uncompressed\n";
    for (size_t c = 0; c < group.columns.size(); ++c) {
      const parquet::ColumnMetaData& meta = *group.columns[c].meta_data;
      const parquet::SchemaNode* leaf = c < leaves.size() ? leaves[c] : nullptr;
      std::string name;
      for (const std::string& part : meta.path_in_schema) name += (name.empty() ? "" : ".") + part;
      std::cout << "  " << name << ": " << CodecName(meta.codec) << ", "
                << meta.total_compressed_size << " / " << meta.total_uncompressed_size << " bytes, "
                << meta.num_values << " values, encodings";
      for (parquet::Encoding encoding : meta.encodings) std::cout << " " << EncodingName(encoding);
      if (!meta.encoding_stats.empty()) {
        std::cout << ", pages:";
        for (const parquet::PageEncodingStats& stats : meta.encoding_stats) {
          std::cout << " "
                    << (stats.page_type == parquet::PageType::kDictionaryPage ? "dictionary"
                                                                              : "data")
                    << "/" << EncodingName(stats.encoding) << "=" << stats.count;
        }
      }
      if (meta.statistics) {
        const parquet::Statistics& statistics = *meta.statistics;
        if (statistics.null_count) std::cout << ", nulls " << *statistics.null_count;
        if (statistics.min_value && statistics.max_value) {
          std::cout << ", min " << StatisticText(leaf, *statistics.min_value) << ", max "
                    << StatisticText(leaf, *statistics.max_value);
        }
      }
      std::cout << "\n";
    }
  }
  return Status::OK();
}

}  // namespace

void RegisterInspect(CLI::App* app, const GlobalFlags* global, int* exit_code) {
  auto path = std::make_shared<std::string>();
  CLI::App* command = app->add_subcommand(
      "inspect", "Print a Parquet file's footer: schema, row groups, encodings, statistics");
  command->footer("Example:\n  sluice inspect orders.parquet\n");
  command->add_option("PATH", *path, "A .parquet file")->required();
  command->callback([path, exit_code]() {
    const Status status = RunInspect(*path);
    *exit_code = status.ok() ? kExitOk : ReportError(status);
  });
}

}  // namespace sluice::cli

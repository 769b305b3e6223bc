// libFuzzer target: any bytes as a Parquet footer (FileMetaData) and as a page header must decode
// or fail with a DataError — never crash, hang, over-read or allocate without bound. Whatever
// decodes must re-encode to bytes that decode again to the same value: for the footer, fields
// sluice does not keep (unknown logical types, encryption flags) drop out in the first round
// trip, so the re-encoded bytes are then stable; page headers round-trip exactly.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sluice/formats/parquet/parquet_metadata.h"

namespace {

using namespace sluice::parquet;

// An exactly sized copy, so that AddressSanitizer catches any read past the end.
std::vector<uint8_t> Exact(const std::string& bytes) {
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

void CheckFooter(const uint8_t* data, size_t size) {
  auto metadata = DecodeFileMetaData(data, size);
  if (!metadata.ok()) {
    if (metadata.status().code() != sluice::StatusCode::kDataError) __builtin_trap();
    return;
  }
  std::string encoded;
  EncodeFileMetaData(*metadata, &encoded);
  const std::vector<uint8_t> copy = Exact(encoded);
  auto again = DecodeFileMetaData(copy.data(), copy.size());
  if (!again.ok()) __builtin_trap();
  if (again->num_rows != metadata->num_rows || again->schema.size() != metadata->schema.size() ||
      again->row_groups.size() != metadata->row_groups.size() ||
      again->created_by != metadata->created_by ||
      again->column_orders_count != metadata->column_orders_count) {
    __builtin_trap();
  }
  std::string reencoded;
  EncodeFileMetaData(*again, &reencoded);
  if (reencoded != encoded) __builtin_trap();
}

void CheckPageHeader(const uint8_t* data, size_t size) {
  size_t header_size = 0;
  auto header = DecodePageHeader(data, size, &header_size);
  if (!header.ok()) {
    if (header.status().code() != sluice::StatusCode::kDataError) __builtin_trap();
    return;
  }
  if (header_size == 0 || header_size > size) __builtin_trap();
  std::string encoded;
  EncodePageHeader(*header, &encoded);
  const std::vector<uint8_t> copy = Exact(encoded);
  size_t again_size = 0;
  auto again = DecodePageHeader(copy.data(), copy.size(), &again_size);
  if (!again.ok() || !(*again == *header) || again_size != encoded.size()) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  CheckFooter(data, size);
  CheckPageHeader(data, size);
  return 0;
}

// libFuzzer target: any bytes as a Delta commit file, a stats JSON, a schema string, a delete
// predicate, a log path, Z85 text or a deletion vector (RoaringBitmapArray) must parse or give a
// clean error — never a crash, hang or over-read. What parses must serialize and parse again to
// the same actions / rows; every deletion vector descriptor in a parsed commit is resolved (and
// read, when inline).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "sluice/lake/actions.h"
#include "sluice/lake/deletion_vector.h"
#include "sluice/lake/delta_schema.h"
#include "sluice/lake/file_statistics.h"
#include "sluice/lake/row_predicate.h"
#include "sluice/lake/table_path.h"
#include "sluice/lake/z85.h"

namespace {

void CheckDescriptor(const sluice::lake::DeletionVector& dv) {
  using namespace sluice;
  (void)lake::DeletionVectorUniqueId(dv);
  (void)lake::DeletionVectorFile("/table", dv);
  (void)lake::DeletionVectorFile("s3://bucket/table", dv);
  if (dv.storage_type == "i") (void)lake::ReadDeletionVector(nullptr, "/table", dv, "f");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace sluice;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto actions = lake::ParseCommit(text, "fuzz.json");
  if (actions.ok()) {
    const std::string again = lake::SerializeCommit(*actions);
    auto reparsed = lake::ParseCommit(again, "again.json");
    if (!reparsed.ok() || *reparsed != *actions) std::abort();
    for (const lake::Action& action : *actions) {
      if (const auto* add = std::get_if<lake::AddFile>(&action)) {
        (void)lake::KeyOf(*add);
        (void)lake::ResolveTablePath("/table", add->path);
        if (add->deletion_vector) CheckDescriptor(*add->deletion_vector);
      } else if (const auto* remove = std::get_if<lake::RemoveFile>(&action)) {
        (void)lake::KeyOf(*remove);
        if (remove->deletion_vector) CheckDescriptor(*remove->deletion_vector);
      }
    }
  }
  // Z85 round trip.
  auto decoded = lake::Z85Decode(text);
  if (decoded.ok() && lake::Z85Encode(*decoded) != text) std::abort();
  // Deletion vector bytes: what parses serializes to a bitmap with the same rows.
  auto bitmap = lake::DeletionBitmap::Deserialize(text);
  if (bitmap.ok() && bitmap->Cardinality() < 100000) {
    auto again = lake::DeletionBitmap::Deserialize(bitmap->Serialize());
    if (!again.ok() || again->Rows() != bitmap->Rows()) std::abort();
  }
  (void)lake::ResolveTablePath("/table", text);
  (void)lake::ResolveTablePath("s3://bucket/table", text);
  auto schema = lake::ParseDeltaSchema(text);
  columnar::Schema table(
      std::vector<columnar::Field>{{"id", columnar::DataType::Int64()},
                                   {"name", columnar::DataType::String()},
                                   {"amount", columnar::DataType::Decimal(10, 2)},
                                   {"day", columnar::DataType::Date()},
                                   {"ts", columnar::DataType::Timestamp()},
                                   {"score", columnar::DataType::Float64()}});
  if (schema.ok()) {
    (void)lake::DeltaSchemaString(*schema);
  }
  (void)lake::ParseStats(text, table);
  (void)lake::RowPredicate::Parse(text, table);
  (void)lake::DecodeActionPath(text);
  return 0;
}

// Deletion vectors (PROTOCOL.md "Deletion Vectors"): the rows of a data file that a logical file
// no longer holds, as a set of 64-bit row indexes (0 = the file's first row).
//
// On the wire a deletion vector is a RoaringBitmapArray: the magic 1681511377 (little endian)
// and a 64-bit Roaring bitmap in the standard "portable" format (numBuckets, then per bucket a
// 32-bit key and a 32-bit portable Roaring bitmap), read and written with CRoaring. A descriptor
// (DeletionVector in actions.h) says where the bytes are:
//   'i'  inline: Z85 of the bytes, padded; sizeInBytes is the unpadded size;
//   'u'  a file <table>/<random prefix>/deletion_vector_<uuid>.bin, the prefix and the Z85 of the
//        UUID's 16 bytes making up pathOrInlineDv;
//   'p'  a file at an absolute path, which must lie inside the table.
// A DV file is a version byte (1) and, at each DV's offset, its size (big-endian int32), the
// bytes and their CRC-32 (big-endian). Sizes, checksums and the cardinality are all checked: a
// deletion vector that does not read back exactly is a DataError naming the data file, never a
// scan that returns deleted rows.
//
// Thread-safety: DeletionBitmap is a value (one thread at a time per object).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/common/result.h"
#include "sluice/io/file_system.h"
#include "sluice/lake/actions.h"

namespace sluice::lake {

inline constexpr uint32_t kDeletionVectorMagic = 1681511377;

class DeletionBitmap {
 public:
  DeletionBitmap();
  ~DeletionBitmap();
  DeletionBitmap(DeletionBitmap&&) noexcept;
  DeletionBitmap& operator=(DeletionBitmap&&) noexcept;
  DeletionBitmap(const DeletionBitmap&) = delete;
  DeletionBitmap& operator=(const DeletionBitmap&) = delete;

  // Parses a RoaringBitmapArray (magic + portable 64-bit bitmap). Errors: DataError for a wrong
  // magic, a truncated or malformed bitmap, keys out of order or with the top bit set, or bytes
  // left over.
  static Result<DeletionBitmap> Deserialize(std::string_view bytes);
  // The RoaringBitmapArray bytes (magic + portable format), run-optimized.
  std::string Serialize() const;

  void Add(uint64_t row);
  // Adds every row of `other`.
  void Union(const DeletionBitmap& other);
  bool Contains(uint64_t row) const;
  uint64_t Cardinality() const;
  bool empty() const { return Cardinality() == 0; }
  // The rows in ascending order (for tests and small sets).
  std::vector<uint64_t> Rows() const;

 private:
  struct Bucket;
  Bucket* FindBucket(uint32_t key) const;
  Bucket& BucketFor(uint32_t key);
  std::vector<std::unique_ptr<Bucket>> buckets_;  // ascending keys
};

// The file holding an on-disk deletion vector, relative to the table root ('u', and 'p' inside
// the table); nullopt for an inline one. Errors: DataError for a malformed descriptor or a 'p'
// path outside the table.
Result<std::optional<std::string>> DeletionVectorFile(std::string_view table_root,
                                                      const DeletionVector& dv);

// Reads and checks the deletion vector of `data_file` (named in errors).
Result<DeletionBitmap> ReadDeletionVector(io::FileSystem* fs, const std::string& table_root,
                                          const DeletionVector& dv, const std::string& data_file);

// The descriptor of an inline deletion vector holding `bitmap`.
DeletionVector InlineDeletionVector(const DeletionBitmap& bitmap);

// The bytes of a new deletion vector file named "deletion_vector_<uuid>.bin": the version byte,
// then per vector its size, bytes and CRC-32. Not thread-safe.
class DeletionVectorFileBuilder {
 public:
  DeletionVectorFileBuilder();
  // Appends `bitmap`; returns the descriptor pointing at it ('u', its offset, size, cardinality).
  DeletionVector Append(const DeletionBitmap& bitmap);
  const std::string& relative_path() const { return relative_path_; }
  const std::string& bytes() const { return bytes_; }

 private:
  std::string relative_path_;
  std::string path_or_inline_dv_;  // the Z85 of the file's UUID
  std::string bytes_;
};

// A new deletion vector file holding one deletion vector: its relative file name, its bytes, and
// the descriptor pointing into it (offset 1).
struct DeletionVectorFileContents {
  std::string relative_path;
  std::string bytes;
  DeletionVector descriptor;
};
DeletionVectorFileContents NewDeletionVectorFile(const DeletionBitmap& bitmap);

}  // namespace sluice::lake

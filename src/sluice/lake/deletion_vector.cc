#include "sluice/lake/deletion_vector.h"

#include <roaring/roaring.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <cstring>

#include "sluice/lake/table_path.h"
#include "sluice/lake/transaction.h"
#include "sluice/lake/z85.h"

namespace sluice::lake {

struct DeletionBitmap::Bucket {
  uint32_t key = 0;
  roaring_bitmap_t* bitmap = nullptr;
  explicit Bucket(uint32_t k, roaring_bitmap_t* b) : key(k), bitmap(b) {}
  ~Bucket() { roaring_bitmap_free(bitmap); }
  Bucket(const Bucket&) = delete;
  Bucket& operator=(const Bucket&) = delete;
};

namespace {

uint32_t LoadLE32(const char* p) {
  uint32_t value = 0;
  for (int i = 3; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(p[i]);
  return value;
}

uint64_t LoadLE64(const char* p) {
  uint64_t value = 0;
  for (int i = 7; i >= 0; --i) value = (value << 8) | static_cast<unsigned char>(p[i]);
  return value;
}

uint32_t LoadBE32(const uint8_t* p) {
  return (static_cast<uint32_t>(p[0]) << 24) | (static_cast<uint32_t>(p[1]) << 16) |
         (static_cast<uint32_t>(p[2]) << 8) | p[3];
}

void AppendLE(uint64_t value, int bytes, std::string* out) {
  for (int i = 0; i < bytes; ++i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

void AppendBE32(uint32_t value, std::string* out) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

uint32_t Crc32(std::string_view bytes) {
  uLong crc = crc32(0L, Z_NULL, 0);
  crc = crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()), static_cast<uInt>(bytes.size()));
  return static_cast<uint32_t>(crc);
}

std::string CanonicalUUID(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text += '-';
    const auto byte = static_cast<unsigned char>(bytes[i]);
    text += kHex[byte >> 4];
    text += kHex[byte & 15];
  }
  return text;
}

std::string UUIDBytes(const std::string& canonical) {
  std::string bytes;
  for (size_t i = 0; i + 1 < canonical.size(); ++i) {
    if (canonical[i] == '-') continue;
    auto hex = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
    bytes.push_back(static_cast<char>(hex(canonical[i]) * 16 + hex(canonical[i + 1])));
    ++i;
  }
  return bytes;
}

}  // namespace

DeletionBitmap::DeletionBitmap() = default;
DeletionBitmap::~DeletionBitmap() = default;
DeletionBitmap::DeletionBitmap(DeletionBitmap&&) noexcept = default;
DeletionBitmap& DeletionBitmap::operator=(DeletionBitmap&&) noexcept = default;

DeletionBitmap::Bucket* DeletionBitmap::FindBucket(uint32_t key) const {
  auto it = std::lower_bound(buckets_.begin(), buckets_.end(), key,
                             [](const auto& bucket, uint32_t k) { return bucket->key < k; });
  return it != buckets_.end() && (*it)->key == key ? it->get() : nullptr;
}

DeletionBitmap::Bucket& DeletionBitmap::BucketFor(uint32_t key) {
  auto it = std::lower_bound(buckets_.begin(), buckets_.end(), key,
                             [](const auto& bucket, uint32_t k) { return bucket->key < k; });
  if (it != buckets_.end() && (*it)->key == key) return **it;
  it = buckets_.insert(it, std::make_unique<Bucket>(key, roaring_bitmap_create()));
  return **it;
}

Result<DeletionBitmap> DeletionBitmap::Deserialize(std::string_view bytes) {
  if (bytes.size() < 12) {
    return Status::DataError("deletion vector of " + std::to_string(bytes.size()) +
                             " bytes is too short for a RoaringBitmapArray");
  }
  const uint32_t magic = LoadLE32(bytes.data());
  if (magic != kDeletionVectorMagic) {
    return Status::DataError("deletion vector has the magic number " + std::to_string(magic) +
                             ", not " + std::to_string(kDeletionVectorMagic) +
                             " (RoaringBitmapArray, portable format)");
  }
  const uint64_t buckets = LoadLE64(bytes.data() + 4);
  size_t position = 12;
  // Every bucket takes at least a key and an 8-byte header.
  if (buckets > (bytes.size() - position) / 12) {
    return Status::DataError("deletion vector claims " + std::to_string(buckets) + " buckets in " +
                             std::to_string(bytes.size()) + " bytes");
  }
  DeletionBitmap result;
  for (uint64_t b = 0; b < buckets; ++b) {
    if (bytes.size() - position < 4) return Status::DataError("deletion vector is truncated");
    const uint32_t key = LoadLE32(bytes.data() + position);
    position += 4;
    if (key & 0x80000000u) {
      return Status::DataError("deletion vector has a bucket key with the top bit set");
    }
    if (!result.buckets_.empty() && result.buckets_.back()->key >= key) {
      return Status::DataError("deletion vector buckets are not in ascending key order");
    }
    const size_t size =
        roaring_bitmap_portable_deserialize_size(bytes.data() + position, bytes.size() - position);
    roaring_bitmap_t* bitmap =
        size == 0 ? nullptr
                  : roaring_bitmap_portable_deserialize_safe(bytes.data() + position, size);
    if (bitmap == nullptr) {
      return Status::DataError("deletion vector bucket " + std::to_string(b) +
                               " is not a valid Roaring bitmap");
    }
    result.buckets_.push_back(std::make_unique<Bucket>(key, bitmap));
    position += size;
  }
  if (position != bytes.size()) {
    return Status::DataError("deletion vector has " + std::to_string(bytes.size() - position) +
                             " bytes after its bitmap");
  }
  return result;
}

std::string DeletionBitmap::Serialize() const {
  std::string out;
  AppendLE(kDeletionVectorMagic, 4, &out);
  size_t non_empty = 0;
  for (const auto& bucket : buckets_) non_empty += roaring_bitmap_is_empty(bucket->bitmap) ? 0 : 1;
  AppendLE(non_empty, 8, &out);
  for (const auto& bucket : buckets_) {
    if (roaring_bitmap_is_empty(bucket->bitmap)) continue;
    AppendLE(bucket->key, 4, &out);
    roaring_bitmap_run_optimize(bucket->bitmap);
    const size_t size = roaring_bitmap_portable_size_in_bytes(bucket->bitmap);
    const size_t at = out.size();
    out.resize(at + size);
    roaring_bitmap_portable_serialize(bucket->bitmap, out.data() + at);
  }
  return out;
}

void DeletionBitmap::Add(uint64_t row) {
  roaring_bitmap_add(BucketFor(static_cast<uint32_t>(row >> 32)).bitmap,
                     static_cast<uint32_t>(row & 0xFFFFFFFFu));
}

void DeletionBitmap::Union(const DeletionBitmap& other) {
  for (const auto& bucket : other.buckets_) {
    roaring_bitmap_or_inplace(BucketFor(bucket->key).bitmap, bucket->bitmap);
  }
}

bool DeletionBitmap::Contains(uint64_t row) const {
  const Bucket* bucket = FindBucket(static_cast<uint32_t>(row >> 32));
  return bucket != nullptr &&
         roaring_bitmap_contains(bucket->bitmap, static_cast<uint32_t>(row & 0xFFFFFFFFu));
}

uint64_t DeletionBitmap::Cardinality() const {
  uint64_t total = 0;
  for (const auto& bucket : buckets_) total += roaring_bitmap_get_cardinality(bucket->bitmap);
  return total;
}

std::vector<uint64_t> DeletionBitmap::Rows() const {
  std::vector<uint64_t> rows;
  for (const auto& bucket : buckets_) {
    const uint64_t high = static_cast<uint64_t>(bucket->key) << 32;
    roaring_iterate64(
        bucket->bitmap,
        [](uint64_t value, void* out) {
          static_cast<std::vector<uint64_t>*>(out)->push_back(value);
          return true;
        },
        high, &rows);
  }
  return rows;
}

Result<std::optional<std::string>> DeletionVectorFile(std::string_view table_root,
                                                      const DeletionVector& dv) {
  if (dv.storage_type == "i") return std::optional<std::string>();
  if (dv.storage_type == "p") {
    SLUICE_ASSIGN_OR_RETURN(std::string relative,
                            ResolveTablePath(table_root, dv.path_or_inline_dv));
    return std::optional<std::string>(std::move(relative));
  }
  if (dv.storage_type != "u") {
    return Status::DataError("deletion vector has the storage type '" + dv.storage_type +
                             "' (expected u, i or p)");
  }
  const std::string& text = dv.path_or_inline_dv;
  if (text.size() < 20) {
    return Status::DataError("deletion vector path '" + text +
                             "' is shorter than a Z85-encoded UUID (20 characters)");
  }
  const std::string prefix = text.substr(0, text.size() - 20);
  if (prefix.find('/') != std::string::npos || prefix.find('\\') != std::string::npos ||
      prefix == "." || prefix == "..") {
    return Status::DataError("deletion vector path prefix '" + prefix + "' is not a folder name");
  }
  Result<std::string> uuid = Z85Decode(std::string_view(text).substr(text.size() - 20));
  if (!uuid.ok()) return uuid.status().WithContext("deletion vector path '" + text + "'");
  std::string file = "deletion_vector_" + CanonicalUUID(*uuid) + ".bin";
  if (!prefix.empty()) file = prefix + "/" + file;
  return std::optional<std::string>(std::move(file));
}

Result<DeletionBitmap> ReadDeletionVector(io::FileSystem* fs, const std::string& table_root,
                                          const DeletionVector& dv, const std::string& data_file) {
  auto fail = [&](const std::string& why) {
    return Status::DataError("the deletion vector of " + data_file + " " + why);
  };
  if (dv.size_in_bytes < 12) {
    return fail("has sizeInBytes " + std::to_string(dv.size_in_bytes) + ", too small");
  }
  Result<std::optional<std::string>> file = DeletionVectorFile(table_root, dv);
  if (!file.ok()) return file.status().WithContext(data_file);
  std::string bytes;
  if (!file->has_value()) {
    Result<std::string> decoded = Z85Decode(dv.path_or_inline_dv);
    if (!decoded.ok()) return decoded.status().WithContext("the deletion vector of " + data_file);
    if (decoded->size() < static_cast<size_t>(dv.size_in_bytes) ||
        decoded->size() - static_cast<size_t>(dv.size_in_bytes) >= 4) {
      return fail("is inline with " + std::to_string(decoded->size()) + " bytes for sizeInBytes " +
                  std::to_string(dv.size_in_bytes));
    }
    decoded->resize(static_cast<size_t>(dv.size_in_bytes));
    bytes = std::move(decoded).ValueUnsafe();
  } else {
    const std::string path = io::JoinPath(table_root, **file);
    SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<io::RandomAccessFile> input, fs->OpenForRead(path));
    const int64_t offset = dv.offset.value_or(0);
    const int64_t size = dv.size_in_bytes;
    if (offset < 0 || offset + 8 + size > input->size()) {
      return fail("lies outside its file " + **file + " (offset " + std::to_string(offset) + ", " +
                  std::to_string(size) + " bytes, file of " + std::to_string(input->size()) +
                  " bytes)");
    }
    uint8_t header[4];
    SLUICE_RETURN_NOT_OK(input->ReadAt(offset, 4, header));
    if (LoadBE32(header) != static_cast<uint32_t>(size)) {
      return fail("in " + **file + " at offset " + std::to_string(offset) + " is stored with " +
                  std::to_string(LoadBE32(header)) + " bytes, the log says " +
                  std::to_string(size));
    }
    bytes.resize(static_cast<size_t>(size));
    SLUICE_RETURN_NOT_OK(input->ReadAt(offset + 4, size, reinterpret_cast<uint8_t*>(bytes.data())));
    uint8_t checksum[4];
    SLUICE_RETURN_NOT_OK(input->ReadAt(offset + 4 + size, 4, checksum));
    if (LoadBE32(checksum) != Crc32(bytes)) {
      return fail("in " + **file + " at offset " + std::to_string(offset) +
                  " fails its CRC-32 checksum");
    }
  }
  Result<DeletionBitmap> bitmap = DeletionBitmap::Deserialize(bytes);
  if (!bitmap.ok()) return bitmap.status().WithContext(data_file);
  if (bitmap->Cardinality() != static_cast<uint64_t>(dv.cardinality)) {
    return fail("holds " + std::to_string(bitmap->Cardinality()) + " rows, the log says " +
                std::to_string(dv.cardinality));
  }
  return bitmap;
}

DeletionVector InlineDeletionVector(const DeletionBitmap& bitmap) {
  const std::string bytes = bitmap.Serialize();
  DeletionVector dv;
  dv.storage_type = "i";
  dv.path_or_inline_dv = Z85Encode(bytes);
  dv.size_in_bytes = static_cast<int32_t>(bytes.size());
  dv.cardinality = static_cast<int64_t>(bitmap.Cardinality());
  return dv;
}

DeletionVectorFileBuilder::DeletionVectorFileBuilder() : bytes_(1, '\x01') {
  const std::string uuid = NewUUID();
  relative_path_ = "deletion_vector_" + uuid + ".bin";
  path_or_inline_dv_ = Z85Encode(UUIDBytes(uuid));
}

DeletionVector DeletionVectorFileBuilder::Append(const DeletionBitmap& bitmap) {
  const std::string data = bitmap.Serialize();
  DeletionVector dv;
  dv.storage_type = "u";
  dv.path_or_inline_dv = path_or_inline_dv_;
  dv.offset = static_cast<int32_t>(bytes_.size());
  dv.size_in_bytes = static_cast<int32_t>(data.size());
  dv.cardinality = static_cast<int64_t>(bitmap.Cardinality());
  AppendBE32(static_cast<uint32_t>(data.size()), &bytes_);
  bytes_ += data;
  AppendBE32(Crc32(data), &bytes_);
  return dv;
}

DeletionVectorFileContents NewDeletionVectorFile(const DeletionBitmap& bitmap) {
  DeletionVectorFileBuilder builder;
  DeletionVectorFileContents contents;
  contents.descriptor = builder.Append(bitmap);
  contents.relative_path = builder.relative_path();
  contents.bytes = builder.bytes();
  return contents;
}

}  // namespace sluice::lake

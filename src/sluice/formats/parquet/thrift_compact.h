// The Thrift compact protocol (apache/thrift doc/specs/thrift-compact-protocol.md), as far as the
// Parquet footer and page headers need it: a bounds-checked pull reader and an appending writer.
//
// Reader contract: never reads outside [data, data + size); struct nesting (and the recursion of
// Skip) is limited to kMaxDepth; a list, set or map declaring more elements than bytes remain is
// rejected before anything is allocated. Every failure is a DataError whose message starts with the
// context given at construction ("parquet footer", "parquet page header") and ends with the byte
// offset, e.g. "parquet footer: truncated varint at byte 123". The reader allocates nothing on the
// heap unless it reports an error or ReadString copies a string out.
//
// Writer contract: appends to a caller-owned std::string that must outlive it; cannot fail.
// Thread-safety: one object per thread; the buffers are not owned.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sluice/common/status.h"

namespace sluice::parquet {

// Value types on the wire. Booleans are one type here (kBool); inside a struct field header the
// value travels in the type nibble (1 = true, 2 = false) and is reported in ThriftFieldHeader,
// while list/set/map elements are one byte each.
enum class ThriftType : uint8_t {
  kStop = 0,
  kBool = 1,
  kByte = 3,  // i8
  kI16 = 4,
  kI32 = 5,
  kI64 = 6,
  kDouble = 7,
  kBinary = 8,  // binary and string
  kList = 9,
  kSet = 10,
  kMap = 11,
  kStruct = 12,  // struct and union
  kUUID = 13,
};

// A lower-case name for messages: "i32", "binary", ... ("unknown" outside the enum).
std::string_view ThriftTypeName(ThriftType type);

struct ThriftFieldHeader {
  ThriftType type = ThriftType::kStop;  // kStop ends the struct; id and bool_value are then unset
  int16_t id = 0;
  bool bool_value = false;  // the value of a kBool field (carried in the header)
};

struct ThriftListHeader {
  ThriftType element_type = ThriftType::kStop;  // kStop only for an empty list declaring type 0
  uint32_t size = 0;  // never more than the bytes remaining after the header, nor INT32_MAX
};

class ThriftCompactReader {
 public:
  static constexpr int kMaxDepth = 64;

  // `context` names the structure for error messages; it must be a string literal (or otherwise
  // outlive the reader).
  ThriftCompactReader(const uint8_t* data, size_t size, const char* context = "thrift")
      : data_(data), size_(size), context_(context) {
    last_field_id_[0] = 0;  // deeper frames are set by ReadStructBegin
  }

  // Bytes consumed so far.
  size_t position() const { return position_; }
  size_t remaining() const { return size_ - position_; }
  int depth() const { return depth_; }

  // Struct framing: Begin pushes a field-id frame (failing beyond kMaxDepth), End pops it. The
  // struct's fields are read with ReadFieldHeader until it reports kStop.
  Status ReadStructBegin() {
    if (depth_ >= kMaxDepth) return DepthError();
    last_field_id_[++depth_] = 0;
    return Status::OK();
  }
  Status ReadStructEnd() {
    if (depth_ == 0) return Error("struct end without a struct begin");
    --depth_;
    return Status::OK();
  }

  // Reads a field header: the short form (id delta in the high nibble, added to the previous id of
  // the current struct) or the long form (zigzag i16 id). Bool fields come back as kBool with
  // bool_value set and no value bytes to read. Unknown type codes are errors.
  Status ReadFieldHeader(ThriftFieldHeader* header) {
    // Fast path: the stop byte, or a short-form header of a non-bool type.
    if (position_ < size_) {
      const uint8_t byte = data_[position_];
      const uint8_t type = byte & 0x0F;
      const int delta = byte >> 4;
      if (byte == 0) {
        ++position_;
        header->type = ThriftType::kStop;
        return Status::OK();
      }
      int16_t& last_id = last_field_id_[depth_];
      if (delta != 0 && type >= static_cast<uint8_t>(ThriftType::kByte) &&
          type <= static_cast<uint8_t>(ThriftType::kUUID) && last_id <= INT16_MAX - 15) {
        ++position_;
        last_id = static_cast<int16_t>(last_id + delta);
        header->type = static_cast<ThriftType>(type);
        header->id = last_id;
        header->bool_value = false;
        return Status::OK();
      }
    }
    return ReadFieldHeaderSlow(header);
  }

  // Values. Integers are zigzag varints (at most 10 bytes; overflowing the target type is an
  // error); i8 and list-element bools are one byte; doubles are 8 bytes little-endian.
  Status ReadBool(bool* value);  // a list/set/map element; bool fields use ThriftFieldHeader
  Status ReadByte(int8_t* value);
  Status ReadI16(int16_t* value);
  Status ReadI32(int32_t* value) {
    if (position_ < size_ && data_[position_] < 0x80) {  // one-byte varint
      *value = static_cast<int32_t>(ZigZagDecode(data_[position_++]));
      return Status::OK();
    }
    return ReadI32Slow(value);
  }
  Status ReadI64(int64_t* value) {
    if (position_ < size_ && data_[position_] < 0x80) {
      *value = ZigZagDecode(data_[position_++]);
      return Status::OK();
    }
    return ReadI64Slow(value);
  }
  Status ReadDouble(double* value);
  // A length-prefixed byte string, viewing the reader's buffer (valid as long as the buffer is).
  Status ReadBinary(std::string_view* value);
  Status ReadString(std::string* value);

  // List and set headers (same encoding). Bool elements may be declared as 1 or 2; an empty list
  // may declare element type 0 (some writers do).
  Status ReadListHeader(ThriftListHeader* header);

  // Skips one value of `type` as it appears inside a list, set or map (bools take one byte).
  // Nested containers and structs are skipped recursively, within kMaxDepth.
  Status Skip(ThriftType type);
  // Skips the value of a field whose header was just read (bool fields have no value bytes).
  Status SkipField(const ThriftFieldHeader& header) {
    return header.type == ThriftType::kBool ? Status::OK() : Skip(header.type);
  }

  // Names what is being decoded ("SchemaElement.type") for error messages until the next call;
  // `label` must be a string literal (or otherwise outlive the reader); nullptr clears it.
  void set_label(const char* label) { label_ = label; }

  // A DataError "<context>: <label>: <message> at byte <position>" (no label part when unset).
  Status Error(std::string_view message) const { return ErrorAt(message, position_); }
  Status ErrorAt(std::string_view message, size_t position) const;

 private:
  static constexpr int64_t ZigZagDecode(uint64_t value) {
    return static_cast<int64_t>(value >> 1) ^ -static_cast<int64_t>(value & 1);
  }

  Status ReadFieldHeaderSlow(ThriftFieldHeader* header);
  Status ReadI32Slow(int32_t* value);
  Status ReadI64Slow(int64_t* value);
  Status DepthError() const;
  Status ReadVarint(uint64_t* value);
  Status ReadElementType(uint8_t nibble, ThriftType* type);
  Status SkipValue(ThriftType type, int depth);
  Status Truncated(std::string_view what) const;

  const uint8_t* data_;
  size_t size_;
  size_t position_ = 0;
  const char* context_;
  const char* label_ = nullptr;
  int depth_ = 0;
  // [depth_] is the current struct's last field id; left uninitialized beyond it (hot path).
  std::array<int16_t, kMaxDepth + 1> last_field_id_;
};

class ThriftCompactWriter {
 public:
  static constexpr int kMaxDepth = 64;

  explicit ThriftCompactWriter(std::string* out) : out_(out) {}

  // Struct framing. StructEnd writes the stop byte and pops the field-id frame. Nesting beyond
  // kMaxDepth is a programming error (the Parquet structures nest at most a few levels).
  void WriteStructBegin();
  void WriteStructEnd();

  // A field header, delta-encoded against the previous field of the current struct when the ids
  // increase by 1..15, long form otherwise. Use WriteBoolField for bools.
  void WriteFieldBegin(ThriftType type, int16_t id);
  // The stop byte alone (WriteStructEnd already writes it).
  void WriteFieldStop() { out_->push_back(0); }

  // Whole fields: header and value.
  void WriteBoolField(int16_t id, bool value);
  void WriteByteField(int16_t id, int8_t value);
  void WriteI16Field(int16_t id, int16_t value);
  void WriteI32Field(int16_t id, int32_t value);
  void WriteI64Field(int16_t id, int64_t value);
  void WriteBinaryField(int16_t id, std::string_view value);
  // Header of a struct-valued field, then WriteStructBegin: finish it with WriteStructEnd.
  void WriteStructFieldBegin(int16_t id) {
    WriteFieldBegin(ThriftType::kStruct, id);
    WriteStructBegin();
  }

  // Bare values (list elements, or after WriteFieldBegin).
  void WriteBool(bool value) { out_->push_back(value ? 1 : 0); }
  void WriteByte(int8_t value) { out_->push_back(static_cast<char>(value)); }
  void WriteI16(int16_t value) { WriteI32(value); }
  void WriteI32(int32_t value);
  void WriteI64(int64_t value);
  void WriteBinary(std::string_view value);

  // A list header; follow it with exactly `size` elements of `element_type`.
  void WriteListBegin(ThriftType element_type, uint32_t size);

 private:
  void WriteVarint(uint64_t value);

  std::string* out_;
  int depth_ = 0;
  std::array<int16_t, kMaxDepth + 1> last_field_id_{};  // [depth_]: the current struct's
};

}  // namespace sluice::parquet

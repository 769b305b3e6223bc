#include "sluice/formats/parquet/thrift_compact.h"

#include <cstdlib>
#include <cstring>
#include <limits>

namespace sluice::parquet {

namespace {

// Wire codes of the compact protocol (field-header nibbles; list elements use the same codes).
constexpr uint8_t kCompactBoolTrue = 1;
constexpr uint8_t kCompactBoolFalse = 2;
constexpr uint8_t kCompactMaxType = 13;  // UUID

constexpr uint64_t ZigZagEncode(int64_t value) {
  return (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
}

}  // namespace

std::string_view ThriftTypeName(ThriftType type) {
  switch (type) {
    case ThriftType::kStop:
      return "stop";
    case ThriftType::kBool:
      return "bool";
    case ThriftType::kByte:
      return "i8";
    case ThriftType::kI16:
      return "i16";
    case ThriftType::kI32:
      return "i32";
    case ThriftType::kI64:
      return "i64";
    case ThriftType::kDouble:
      return "double";
    case ThriftType::kBinary:
      return "binary";
    case ThriftType::kList:
      return "list";
    case ThriftType::kSet:
      return "set";
    case ThriftType::kMap:
      return "map";
    case ThriftType::kStruct:
      return "struct";
    case ThriftType::kUUID:
      return "uuid";
  }
  return "unknown";
}

// ---- ThriftCompactReader --------------------------------------------------------------------

Status ThriftCompactReader::ErrorAt(std::string_view message, size_t position) const {
  std::string text(context_);
  text += ": ";
  if (label_ != nullptr) {
    text += label_;
    text += ": ";
  }
  text += message;
  text += " at byte ";
  text += std::to_string(position);
  return Status::DataError(std::move(text));
}

Status ThriftCompactReader::Truncated(std::string_view what) const {
  std::string message = "truncated ";
  message += what;
  return Error(message);
}

Status ThriftCompactReader::ReadVarint(uint64_t* value) {
  // Fast path: a one-byte varint (field ids, small sizes and most enum values).
  if (position_ < size_ && data_[position_] < 0x80) {
    *value = data_[position_++];
    return Status::OK();
  }
  uint64_t result = 0;
  size_t position = position_;
  for (int shift = 0; shift < 70; shift += 7) {
    if (position >= size_) return Truncated("varint");
    const uint8_t byte = data_[position++];
    if (shift == 63 && byte > 1) return Error("varint overflows 64 bits");
    result |= static_cast<uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) {
      position_ = position;
      *value = result;
      return Status::OK();
    }
  }
  return Error("varint longer than 10 bytes");
}

Status ThriftCompactReader::DepthError() const {
  return Error("structs nested deeper than " + std::to_string(kMaxDepth));
}

Status ThriftCompactReader::ReadFieldHeaderSlow(ThriftFieldHeader* header) {
  if (position_ >= size_) return Truncated("struct (no stop field)");
  const uint8_t byte = data_[position_];
  if (byte == 0) {
    ++position_;
    header->type = ThriftType::kStop;
    return Status::OK();
  }
  const uint8_t type = byte & 0x0F;
  if (type == 0 || type > kCompactMaxType) {
    return Error("invalid field type " + std::to_string(type));
  }
  ++position_;
  const uint8_t delta = byte >> 4;
  int16_t& last_id = last_field_id_[depth_];
  if (delta != 0) {
    const int32_t id = int32_t{last_id} + delta;
    if (id > std::numeric_limits<int16_t>::max()) return Error("field id overflows i16");
    header->id = static_cast<int16_t>(id);
  } else {
    SLUICE_RETURN_NOT_OK(ReadI16(&header->id));
  }
  last_id = header->id;
  if (type == kCompactBoolTrue || type == kCompactBoolFalse) {
    header->type = ThriftType::kBool;
    header->bool_value = type == kCompactBoolTrue;
  } else {
    header->type = static_cast<ThriftType>(type);
    header->bool_value = false;
  }
  return Status::OK();
}

Status ThriftCompactReader::ReadBool(bool* value) {
  if (position_ >= size_) return Truncated("bool");
  const uint8_t byte = data_[position_];
  // Elements are 1 (true) or 0 (false); some writers use the field codes 1 and 2.
  if (byte > kCompactBoolFalse) return Error("invalid bool value " + std::to_string(byte));
  ++position_;
  *value = byte == 1;
  return Status::OK();
}

Status ThriftCompactReader::ReadByte(int8_t* value) {
  if (position_ >= size_) return Truncated("i8");
  *value = static_cast<int8_t>(data_[position_++]);
  return Status::OK();
}

Status ThriftCompactReader::ReadI16(int16_t* value) {
  uint64_t raw = 0;
  SLUICE_RETURN_NOT_OK(ReadVarint(&raw));
  if (raw > std::numeric_limits<uint16_t>::max()) return Error("i16 value out of range");
  *value = static_cast<int16_t>(ZigZagDecode(raw));
  return Status::OK();
}

Status ThriftCompactReader::ReadI32Slow(int32_t* value) {
  uint64_t raw = 0;
  SLUICE_RETURN_NOT_OK(ReadVarint(&raw));
  if (raw > std::numeric_limits<uint32_t>::max()) return Error("i32 value out of range");
  *value = static_cast<int32_t>(ZigZagDecode(raw));
  return Status::OK();
}

Status ThriftCompactReader::ReadI64Slow(int64_t* value) {
  uint64_t raw = 0;
  SLUICE_RETURN_NOT_OK(ReadVarint(&raw));
  *value = ZigZagDecode(raw);
  return Status::OK();
}

Status ThriftCompactReader::ReadDouble(double* value) {
  if (size_ - position_ < 8) return Truncated("double");
  uint64_t bits = 0;
  for (int i = 7; i >= 0; --i) bits = (bits << 8) | data_[position_ + i];
  std::memcpy(value, &bits, sizeof(bits));
  position_ += 8;
  return Status::OK();
}

Status ThriftCompactReader::ReadBinary(std::string_view* value) {
  const size_t start = position_;
  uint64_t length = 0;
  SLUICE_RETURN_NOT_OK(ReadVarint(&length));
  if (length > size_ - position_) {
    position_ = start;
    return Error("binary length " + std::to_string(length) + " exceeds the " +
                 std::to_string(size_ - start) + " bytes remaining");
  }
  *value = std::string_view(reinterpret_cast<const char*>(data_ + position_), length);
  position_ += length;
  return Status::OK();
}

Status ThriftCompactReader::ReadString(std::string* value) {
  std::string_view view;
  SLUICE_RETURN_NOT_OK(ReadBinary(&view));
  value->assign(view.data(), view.size());
  return Status::OK();
}

Status ThriftCompactReader::ReadElementType(uint8_t nibble, ThriftType* type) {
  if (nibble == kCompactBoolTrue || nibble == kCompactBoolFalse) {
    *type = ThriftType::kBool;
    return Status::OK();
  }
  if (nibble < static_cast<uint8_t>(ThriftType::kByte) || nibble > kCompactMaxType) {
    return Error("invalid element type " + std::to_string(nibble));
  }
  *type = static_cast<ThriftType>(nibble);
  return Status::OK();
}

Status ThriftCompactReader::ReadListHeader(ThriftListHeader* header) {
  if (position_ >= size_) return Truncated("list header");
  const size_t start = position_;
  const uint8_t byte = data_[position_++];
  uint64_t size = byte >> 4;
  if (size == 15) {
    Status status = ReadVarint(&size);
    if (!status.ok()) {
      position_ = start;
      return status;
    }
  }
  if (size == 0 && (byte & 0x0F) == 0) {
    header->element_type = ThriftType::kStop;
  } else {
    Status status = ReadElementType(byte & 0x0F, &header->element_type);
    if (!status.ok()) {
      position_ = start;
      return status;
    }
  }
  // Every element takes at least one byte, so a larger count cannot be honest.
  if (size > size_ - position_ ||
      size > static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
    position_ = start;
    return Error("list of " + std::to_string(size) + " elements exceeds the " +
                 std::to_string(size_ - start) + " bytes remaining");
  }
  header->size = static_cast<uint32_t>(size);
  return Status::OK();
}

Status ThriftCompactReader::Skip(ThriftType type) { return SkipValue(type, 0); }

Status ThriftCompactReader::SkipValue(ThriftType type, int depth) {
  switch (type) {
    case ThriftType::kBool: {
      bool value = false;
      return ReadBool(&value);
    }
    case ThriftType::kByte:
      if (position_ >= size_) return Truncated("i8");
      ++position_;
      return Status::OK();
    case ThriftType::kI16:
    case ThriftType::kI32:
    case ThriftType::kI64: {
      uint64_t value = 0;
      return ReadVarint(&value);
    }
    case ThriftType::kDouble:
      if (size_ - position_ < 8) return Truncated("double");
      position_ += 8;
      return Status::OK();
    case ThriftType::kUUID:
      if (size_ - position_ < 16) return Truncated("uuid");
      position_ += 16;
      return Status::OK();
    case ThriftType::kBinary: {
      std::string_view value;
      return ReadBinary(&value);
    }
    case ThriftType::kList:
    case ThriftType::kSet: {
      if (depth_ + depth >= kMaxDepth) {
        return Error("values nested deeper than " + std::to_string(kMaxDepth));
      }
      ThriftListHeader header;
      SLUICE_RETURN_NOT_OK(ReadListHeader(&header));
      for (uint32_t i = 0; i < header.size; ++i) {
        SLUICE_RETURN_NOT_OK(SkipValue(header.element_type, depth + 1));
      }
      return Status::OK();
    }
    case ThriftType::kMap: {
      if (depth_ + depth >= kMaxDepth) {
        return Error("values nested deeper than " + std::to_string(kMaxDepth));
      }
      const size_t start = position_;
      uint64_t size = 0;
      SLUICE_RETURN_NOT_OK(ReadVarint(&size));
      if (size == 0) return Status::OK();
      if (position_ >= size_) return Truncated("map header");
      // Every entry takes at least two bytes (key and value).
      if (size > (size_ - position_ - 1) / 2) {
        position_ = start;
        return Error("map of " + std::to_string(size) + " entries exceeds the " +
                     std::to_string(size_ - start) + " bytes remaining");
      }
      const uint8_t types = data_[position_];
      ThriftType key_type;
      ThriftType value_type;
      SLUICE_RETURN_NOT_OK(ReadElementType(types >> 4, &key_type));
      SLUICE_RETURN_NOT_OK(ReadElementType(types & 0x0F, &value_type));
      ++position_;
      for (uint64_t i = 0; i < size; ++i) {
        SLUICE_RETURN_NOT_OK(SkipValue(key_type, depth + 1));
        SLUICE_RETURN_NOT_OK(SkipValue(value_type, depth + 1));
      }
      return Status::OK();
    }
    case ThriftType::kStruct: {
      if (depth_ + depth >= kMaxDepth) {
        return Error("structs nested deeper than " + std::to_string(kMaxDepth));
      }
      // Field ids do not matter here, so no frame is pushed; long-form ids are still consumed.
      while (true) {
        if (position_ >= size_) return Truncated("struct (no stop field)");
        const uint8_t byte = data_[position_];
        if (byte == 0) {
          ++position_;
          return Status::OK();
        }
        const uint8_t field_type = byte & 0x0F;
        if (field_type == 0 || field_type > kCompactMaxType) {
          return Error("invalid field type " + std::to_string(field_type));
        }
        ++position_;
        if ((byte >> 4) == 0) {
          int16_t id = 0;
          SLUICE_RETURN_NOT_OK(ReadI16(&id));
        }
        if (field_type == kCompactBoolTrue || field_type == kCompactBoolFalse) continue;
        SLUICE_RETURN_NOT_OK(SkipValue(static_cast<ThriftType>(field_type), depth + 1));
      }
    }
    case ThriftType::kStop:
      break;
  }
  return Error("cannot skip a value of type " + std::to_string(static_cast<int>(type)));
}

// ---- ThriftCompactWriter --------------------------------------------------------------------

void ThriftCompactWriter::WriteVarint(uint64_t value) {
  char buffer[10];
  int length = 0;
  while (value >= 0x80) {
    buffer[length++] = static_cast<char>((value & 0x7F) | 0x80);
    value >>= 7;
  }
  buffer[length++] = static_cast<char>(value);
  out_->append(buffer, length);
}

void ThriftCompactWriter::WriteStructBegin() {
  if (depth_ >= kMaxDepth) std::abort();  // a programming error: Parquet nests a few levels
  last_field_id_[++depth_] = 0;
}

void ThriftCompactWriter::WriteStructEnd() {
  WriteFieldStop();
  if (depth_ > 0) --depth_;
}

void ThriftCompactWriter::WriteFieldBegin(ThriftType type, int16_t id) {
  int16_t& last_id = last_field_id_[depth_];
  const int32_t delta = int32_t{id} - last_id;
  const auto type_code = static_cast<uint8_t>(type);
  if (delta > 0 && delta <= 15) {
    out_->push_back(static_cast<char>((delta << 4) | type_code));
  } else {
    out_->push_back(static_cast<char>(type_code));
    WriteI32(id);
  }
  last_id = id;
}

void ThriftCompactWriter::WriteBoolField(int16_t id, bool value) {
  // The value travels in the type nibble: 1 = true, 2 = false.
  int16_t& last_id = last_field_id_[depth_];
  const int32_t delta = int32_t{id} - last_id;
  const uint8_t type_code = value ? kCompactBoolTrue : kCompactBoolFalse;
  if (delta > 0 && delta <= 15) {
    out_->push_back(static_cast<char>((delta << 4) | type_code));
  } else {
    out_->push_back(static_cast<char>(type_code));
    WriteI32(id);
  }
  last_id = id;
}

void ThriftCompactWriter::WriteByteField(int16_t id, int8_t value) {
  WriteFieldBegin(ThriftType::kByte, id);
  WriteByte(value);
}

void ThriftCompactWriter::WriteI16Field(int16_t id, int16_t value) {
  WriteFieldBegin(ThriftType::kI16, id);
  WriteI32(value);
}

void ThriftCompactWriter::WriteI32Field(int16_t id, int32_t value) {
  WriteFieldBegin(ThriftType::kI32, id);
  WriteI32(value);
}

void ThriftCompactWriter::WriteI64Field(int16_t id, int64_t value) {
  WriteFieldBegin(ThriftType::kI64, id);
  WriteI64(value);
}

void ThriftCompactWriter::WriteBinaryField(int16_t id, std::string_view value) {
  WriteFieldBegin(ThriftType::kBinary, id);
  WriteBinary(value);
}

void ThriftCompactWriter::WriteI32(int32_t value) { WriteVarint(ZigZagEncode(value)); }

void ThriftCompactWriter::WriteI64(int64_t value) { WriteVarint(ZigZagEncode(value)); }

void ThriftCompactWriter::WriteBinary(std::string_view value) {
  WriteVarint(value.size());
  out_->append(value.data(), value.size());
}

void ThriftCompactWriter::WriteListBegin(ThriftType element_type, uint32_t size) {
  const auto type_code = static_cast<uint8_t>(element_type);
  if (size < 15) {
    out_->push_back(static_cast<char>((size << 4) | type_code));
  } else {
    out_->push_back(static_cast<char>(0xF0 | type_code));
    WriteVarint(size);
  }
}

}  // namespace sluice::parquet

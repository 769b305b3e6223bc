#include "sluice/lake/z85.h"

#include <array>
#include <cstdint>

namespace sluice::lake {
namespace {

constexpr std::string_view kAlphabet =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

constexpr std::array<int8_t, 256> MakeDecodeTable() {
  std::array<int8_t, 256> table{};
  for (auto& entry : table) entry = -1;
  for (size_t i = 0; i < kAlphabet.size(); ++i) {
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
  }
  return table;
}

constexpr std::array<int8_t, 256> kDecode = MakeDecodeTable();

}  // namespace

Result<std::string> Z85Decode(std::string_view text) {
  if (text.size() % 5 != 0) {
    return Status::DataError("Z85 text has " + std::to_string(text.size()) +
                             " characters, not a multiple of 5");
  }
  std::string bytes;
  bytes.reserve(text.size() / 5 * 4);
  for (size_t group = 0; group < text.size(); group += 5) {
    uint64_t value = 0;
    for (size_t i = group; i < group + 5; ++i) {
      const int8_t digit = kDecode[static_cast<unsigned char>(text[i])];
      if (digit < 0) {
        return Status::DataError("Z85 text has a character outside the alphabet at position " +
                                 std::to_string(i + 1));
      }
      value = value * 85 + static_cast<uint64_t>(digit);
    }
    if (value > 0xFFFFFFFFull) {
      return Status::DataError("Z85 group at position " + std::to_string(group + 1) +
                               " is larger than 32 bits");
    }
    bytes.push_back(static_cast<char>(value >> 24));
    bytes.push_back(static_cast<char>((value >> 16) & 0xFF));
    bytes.push_back(static_cast<char>((value >> 8) & 0xFF));
    bytes.push_back(static_cast<char>(value & 0xFF));
  }
  return bytes;
}

std::string Z85Encode(std::string_view bytes) {
  std::string text;
  text.reserve((bytes.size() + 3) / 4 * 5);
  for (size_t group = 0; group < bytes.size(); group += 4) {
    uint32_t value = 0;
    for (size_t i = group; i < group + 4; ++i) {
      value = (value << 8) | (i < bytes.size() ? static_cast<unsigned char>(bytes[i]) : 0u);
    }
    char digits[5];
    for (int i = 4; i >= 0; --i) {
      digits[i] = kAlphabet[value % 85];
      value /= 85;
    }
    text.append(digits, 5);
  }
  return text;
}

}  // namespace sluice::lake

// Digests as text: SHA-256 (OpenSSL) and lower-case hex, shared by the S3 request signer, the
// masks (sha256) and the gold layer's row hashes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sluice {

// `size` bytes as lower-case hex, two digits per byte.
std::string LowerHex(const unsigned char* bytes, size_t size);

// The SHA-256 of `data` as 64 lower-case hex digits.
std::string Sha256Hex(std::string_view data);

}  // namespace sluice

// Z85 (ZeroMQ RFC 32), the Base85 variant Delta uses for deletion vector descriptors: inline
// bitmaps and the UUIDs of deletion vector files.
//
// Every 4 bytes are one 5-character group (a big-endian 32-bit value in base 85). Delta pads the
// input of an inline deletion vector with zero bytes to a multiple of 4 and stores the unpadded
// size beside it (sizeInBytes); Z85Decode returns the padded bytes, the caller truncates.
#pragma once

#include <string>
#include <string_view>

#include "sluice/common/result.h"

namespace sluice::lake {

// Errors: DataError for a length that is not a multiple of 5, a character outside the alphabet
// or a group above 2^32 - 1 (naming the position).
Result<std::string> Z85Decode(std::string_view text);

// Encodes `bytes`, padded with zero bytes to a multiple of 4.
std::string Z85Encode(std::string_view bytes);

}  // namespace sluice::lake

// Streams that decompress another InputStream: gzip (multi-member, as `cat a.gz b.gz` makes) and
// zstd (multi-frame). Corrupt or truncated input is an I/O error naming the path.
#pragma once

#include <memory>

#include "sluice/io/input_stream.h"

namespace sluice::io {

std::unique_ptr<InputStream> MakeGzipInputStream(std::unique_ptr<InputStream> compressed);
std::unique_ptr<InputStream> MakeZstdInputStream(std::unique_ptr<InputStream> compressed);

}  // namespace sluice::io

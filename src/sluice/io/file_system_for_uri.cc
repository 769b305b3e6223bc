// FileSystemForUri: the one list of every FileSystem implementation, by scheme.
#include "sluice/io/file_system.h"
#include "sluice/io/memory_file_system.h"
#include "sluice/io/s3/s3_file_system.h"

namespace sluice::io {

Result<std::shared_ptr<FileSystem>> FileSystemForUri(std::string_view uri) {
  const std::string scheme = UriScheme(uri);
  if (scheme.empty() || scheme == "file") return LocalFileSystem();
  if (scheme == "s3") return s3::DefaultS3FileSystem();
  if (scheme == "mem") return MemoryFileSystem();
  return Status::InvalidArgument(std::string(uri) + ": unsupported scheme '" + scheme +
                                 "' (supported: s3://, file://, plain local paths, and mem:// for "
                                 "tests)");
}

}  // namespace sluice::io

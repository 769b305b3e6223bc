#include "sluice/io/input_stream.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "sluice/io/decompressing_input_stream.h"

namespace sluice::io {

Result<size_t> InputStream::ReadFully(char* buffer, size_t size) {
  size_t total = 0;
  while (total < size) {
    SLUICE_ASSIGN_OR_RETURN(size_t count, Read(buffer + total, size - total));
    if (count == 0) break;
    total += count;
  }
  return total;
}

namespace {

class FileInputStream final : public InputStream {
 public:
  FileInputStream(std::string path, int fd, bool owned)
      : path_(std::move(path)), fd_(fd), owned_(owned) {}
  ~FileInputStream() override {
    if (owned_) ::close(fd_);
  }

  Result<size_t> Read(char* buffer, size_t size) override {
    while (true) {
      const ssize_t count = ::read(fd_, buffer, size);
      if (count >= 0) return static_cast<size_t>(count);
      if (errno == EINTR) continue;
      return Status::IOError(path_ + ": read failed: " + std::strerror(errno));
    }
  }

  const std::string& path() const override { return path_; }

 private:
  std::string path_;
  int fd_;
  bool owned_;
};

bool EndsWith(const std::string& text, const char* suffix) {
  const size_t length = std::strlen(suffix);
  return text.size() >= length && text.compare(text.size() - length, length, suffix) == 0;
}

// A stream that first replays bytes already read (the sniffed magic) and then reads on.
class PrefixedInputStream final : public InputStream {
 public:
  PrefixedInputStream(std::string prefix, std::unique_ptr<InputStream> rest)
      : prefix_(std::move(prefix)), rest_(std::move(rest)) {}

  Result<size_t> Read(char* buffer, size_t size) override {
    if (offset_ < prefix_.size()) {
      const size_t count = std::min(size, prefix_.size() - offset_);
      std::memcpy(buffer, prefix_.data() + offset_, count);
      offset_ += count;
      return count;
    }
    return rest_->Read(buffer, size);
  }

  const std::string& path() const override { return rest_->path(); }

 private:
  std::string prefix_;
  size_t offset_ = 0;
  std::unique_ptr<InputStream> rest_;
};

class MemoryInputStream final : public InputStream {
 public:
  // Owns `owned` and reads `view` (which points into `owned`, or into caller-owned bytes).
  MemoryInputStream(std::string owned, std::string_view view, std::string path, size_t max_read)
      : owned_(std::move(owned)),
        view_(view.data() == nullptr ? std::string_view(owned_) : view),
        path_(std::move(path)),
        max_read_(max_read) {}

  Result<size_t> Read(char* buffer, size_t size) override {
    const size_t count = std::min({size, view_.size() - offset_, max_read_});
    if (count > 0) std::memcpy(buffer, view_.data() + offset_, count);
    offset_ += count;
    return count;
  }

  const std::string& path() const override { return path_; }

 private:
  std::string owned_;
  std::string_view view_;
  std::string path_;
  size_t max_read_;
  size_t offset_ = 0;
};

}  // namespace

std::unique_ptr<InputStream> MakePrefixedInputStream(std::string prefix,
                                                     std::unique_ptr<InputStream> rest) {
  return std::make_unique<PrefixedInputStream>(std::move(prefix), std::move(rest));
}

std::unique_ptr<InputStream> MakeMemoryInputStream(std::string data, std::string path,
                                                   size_t max_read) {
  return std::make_unique<MemoryInputStream>(std::move(data), std::string_view(), std::move(path),
                                             std::max<size_t>(1, max_read));
}

std::unique_ptr<InputStream> MakeMemoryViewInputStream(std::string_view data, std::string path) {
  return std::make_unique<MemoryInputStream>(std::string(), data, std::move(path), SIZE_MAX);
}

Result<std::unique_ptr<InputStream>> OpenFile(const std::string& path) {
  if (path == "-") return std::unique_ptr<InputStream>(new FileInputStream("<stdin>", 0, false));
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    if (error == ENOENT) return Status::NotFound(path + ": no such file");
    return Status::IOError(path + ": cannot open: " + std::strerror(error));
  }
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  return std::unique_ptr<InputStream>(new FileInputStream(path, fd, true));
}

Compression CompressionFromPath(const std::string& path) {
  if (EndsWith(path, ".gz") || EndsWith(path, ".gzip")) return Compression::kGzip;
  if (EndsWith(path, ".zst") || EndsWith(path, ".zstd")) return Compression::kZstd;
  return Compression::kNone;
}

Result<std::unique_ptr<InputStream>> OpenDecompressed(const std::string& path) {
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<InputStream> file, OpenFile(path));
  std::string magic(4, '\0');
  SLUICE_ASSIGN_OR_RETURN(size_t count, file->ReadFully(magic.data(), magic.size()));
  magic.resize(count);
  Compression compression = CompressionFromPath(path);
  if (count >= 2 && static_cast<uint8_t>(magic[0]) == 0x1f &&
      static_cast<uint8_t>(magic[1]) == 0x8b) {
    compression = Compression::kGzip;
  } else if (count >= 4 && magic == std::string("\x28\xb5\x2f\xfd", 4)) {
    compression = Compression::kZstd;
  } else if (compression != Compression::kNone) {
    return Status::InvalidArgument(path +
                                   ": the extension says compressed, but the file does not "
                                   "start with a gzip or zstd header");
  }
  std::unique_ptr<InputStream> stream =
      std::make_unique<PrefixedInputStream>(std::move(magic), std::move(file));
  switch (compression) {
    case Compression::kNone:
      return stream;
    case Compression::kGzip:
      return MakeGzipInputStream(std::move(stream));
    case Compression::kZstd:
      return MakeZstdInputStream(std::move(stream));
  }
  return stream;
}

}  // namespace sluice::io

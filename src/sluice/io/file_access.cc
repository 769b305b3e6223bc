// Local-file and in-memory implementations of RandomAccessFile and OutputStream.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sluice/io/output_stream.h"
#include "sluice/io/random_access_file.h"

namespace sluice::io {
namespace {

std::string ErrnoText(int error) { return std::strerror(error); }

Status RangeError(const std::string& path, int64_t offset, int64_t length, int64_t size) {
  return Status::DataError(path + ": read of " + std::to_string(length) + " bytes at offset " +
                           std::to_string(offset) + " is outside the file (" +
                           std::to_string(size) + " bytes)");
}

class LocalRandomAccessFile final : public RandomAccessFile {
 public:
  LocalRandomAccessFile(int fd, int64_t size, std::string path)
      : fd_(fd), size_(size), path_(std::move(path)) {}
  ~LocalRandomAccessFile() override { ::close(fd_); }

  int64_t size() const override { return size_; }
  const std::string& path() const override { return path_; }

  Status ReadAt(int64_t offset, int64_t length, uint8_t* out) const override {
    if (offset < 0 || length < 0 || offset > size_ || length > size_ - offset) {
      return RangeError(path_, offset, length, size_);
    }
    while (length > 0) {
      const ssize_t got = ::pread(fd_, out, static_cast<size_t>(length), offset);
      if (got < 0) {
        if (errno == EINTR) continue;
        return Status::IOError(path_ + ": read failed: " + ErrnoText(errno));
      }
      if (got == 0) return RangeError(path_, offset, length, size_);
      out += got;
      offset += got;
      length -= got;
    }
    return Status::OK();
  }

 private:
  int fd_;
  int64_t size_;
  std::string path_;
};

class MemoryRandomAccessFile final : public RandomAccessFile {
 public:
  MemoryRandomAccessFile(std::string data, std::string path)
      : data_(std::move(data)), path_(std::move(path)) {}
  int64_t size() const override { return static_cast<int64_t>(data_.size()); }
  const std::string& path() const override { return path_; }
  Status ReadAt(int64_t offset, int64_t length, uint8_t* out) const override {
    if (offset < 0 || length < 0 || offset > size() || length > size() - offset) {
      return RangeError(path_, offset, length, size());
    }
    if (length > 0) std::memcpy(out, data_.data() + offset, static_cast<size_t>(length));
    return Status::OK();
  }

 private:
  std::string data_;
  std::string path_;
};

class FileOutputStream final : public OutputStream {
 public:
  FileOutputStream(int fd, bool owned, bool sync, std::string path)
      : fd_(fd), owned_(owned), sync_(sync), path_(std::move(path)) {}
  ~FileOutputStream() override {
    if (fd_ >= 0) {
      (void)Flush();
      if (owned_) ::close(fd_);
    }
  }

  Status Write(const void* data, size_t size) override {
    if (fd_ < 0) return Status::Internal(path_ + ": write after close");
    position_ += static_cast<int64_t>(size);
    if (buffer_.size() + size <= kBufferBytes) {
      buffer_.append(static_cast<const char*>(data), size);
      return Status::OK();
    }
    SLUICE_RETURN_NOT_OK(Flush());
    if (size >= kBufferBytes) return WriteAll(static_cast<const char*>(data), size);
    buffer_.append(static_cast<const char*>(data), size);
    return Status::OK();
  }
  int64_t position() const override { return position_; }
  const std::string& path() const override { return path_; }

  Status Close() override {
    if (fd_ < 0) return Status::OK();
    Status status = Flush();
    if (status.ok() && sync_ && ::fsync(fd_) != 0) {
      status = Status::IOError(path_ + ": fsync failed: " + ErrnoText(errno));
    }
    if (owned_ && ::close(fd_) != 0 && status.ok()) {
      status = Status::IOError(path_ + ": close failed: " + ErrnoText(errno));
    }
    fd_ = -1;
    return status;
  }

 private:
  static constexpr size_t kBufferBytes = 1 << 20;

  Status Flush() {
    if (buffer_.empty()) return Status::OK();
    Status status = WriteAll(buffer_.data(), buffer_.size());
    buffer_.clear();
    return status;
  }
  Status WriteAll(const char* data, size_t size) {
    while (size > 0) {
      const ssize_t wrote = ::write(fd_, data, size);
      if (wrote < 0) {
        if (errno == EINTR) continue;
        return Status::IOError(path_ + ": write failed: " + ErrnoText(errno));
      }
      data += wrote;
      size -= static_cast<size_t>(wrote);
    }
    return Status::OK();
  }

  int fd_;
  bool owned_;
  bool sync_;
  std::string path_;
  std::string buffer_;
  int64_t position_ = 0;
};

class StringOutputStream final : public OutputStream {
 public:
  StringOutputStream(std::string* target, std::string path)
      : target_(target), path_(std::move(path)) {}
  Status Write(const void* data, size_t size) override {
    target_->append(static_cast<const char*>(data), size);
    return Status::OK();
  }
  int64_t position() const override { return static_cast<int64_t>(target_->size()); }
  Status Close() override { return Status::OK(); }
  const std::string& path() const override { return path_; }

 private:
  std::string* target_;
  std::string path_;
};

}  // namespace

Result<std::unique_ptr<RandomAccessFile>> OpenRandomAccessFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    if (error == ENOENT) return Status::NotFound(path + ": no such file");
    return Status::IOError(path + ": cannot open: " + ErrnoText(error));
  }
  struct stat info;
  if (::fstat(fd, &info) != 0) {
    const int error = errno;
    ::close(fd);
    return Status::IOError(path + ": cannot stat: " + ErrnoText(error));
  }
  if (S_ISDIR(info.st_mode)) {
    ::close(fd);
    return Status::InvalidArgument(path + ": is a directory");
  }
  return std::unique_ptr<RandomAccessFile>(
      new LocalRandomAccessFile(fd, static_cast<int64_t>(info.st_size), path));
}

std::unique_ptr<RandomAccessFile> MakeMemoryRandomAccessFile(std::string data, std::string path) {
  return std::make_unique<MemoryRandomAccessFile>(std::move(data), std::move(path));
}

Result<std::unique_ptr<OutputStream>> OpenOutputFile(const std::string& path,
                                                     FileOutputOptions options) {
  if (path == "-") {
    return std::unique_ptr<OutputStream>(
        new FileOutputStream(STDOUT_FILENO, false, false, "<stdout>"));
  }
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    const int error = errno;
    if (error == ENOENT) return Status::NotFound(path + ": no such directory");
    return Status::IOError(path + ": cannot create: " + ErrnoText(error));
  }
  return std::unique_ptr<OutputStream>(new FileOutputStream(fd, true, options.sync, path));
}

std::unique_ptr<OutputStream> MakeStringOutputStream(std::string* target, std::string path) {
  return std::make_unique<StringOutputStream>(target, std::move(path));
}

}  // namespace sluice::io

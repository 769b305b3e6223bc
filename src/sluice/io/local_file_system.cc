// The local FileSystem ("file://" URIs and plain paths), FileSystemForUri and JoinPath.
//
// Atomic visibility rests on two POSIX primitives: rename() replaces the final path with a
// complete temporary sibling (OpenForWrite), and link() fails with EEXIST when the final path
// exists (CreateIfAbsent). Temporary siblings are named ".<name>.tmp-<pid>-<random hex>"; List
// hides them. The class holds no state, so every method is safe to call concurrently.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <random>
#include <system_error>
#include <utility>

#include "sluice/io/file_system.h"

namespace sluice::io {
namespace {

constexpr std::string_view kFileScheme = "file://";
constexpr std::string_view kTempMarker = ".tmp-";
// Keeps ".<name>.tmp-<pid>-<16 hex digits>" under NAME_MAX (255) for long names.
constexpr size_t kMaxTempNameStem = 200;

std::string ErrnoText(int error) { return std::generic_category().message(error); }

Status ErrnoStatus(const std::string& path, std::string_view what, int error) {
  std::string message = path + ": " + std::string(what) + ": " + ErrnoText(error);
  if (error == ENOENT) return Status::NotFound(std::move(message));
  // What trying again a moment later will not change.
  switch (error) {
    case EACCES:
    case EPERM:
    case EROFS:
    case ENOSPC:
    case EDQUOT:
    case EISDIR:
    case ENOTDIR:
    case ENAMETOOLONG:
    case ELOOP:
    case EINVAL:
      return Status::IOError(std::move(message)).WithRetryable(false);
    default:
      return Status::IOError(std::move(message));
  }
}

// A caller's path split into the part naming the URI form ("file://", "file://localhost" or
// nothing) and the local path the system calls take. caller form = head + local.
struct LocalPath {
  std::string head;
  std::string local;

  std::string ToCaller(std::string_view local_path) const { return head + std::string(local_path); }
};

bool IsSchemeChar(char c, bool first) {
  const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  if (first) return alpha;
  return alpha || (c >= '0' && c <= '9') || c == '+' || c == '-' || c == '.';
}

// The scheme of "<scheme>://..." in lower case, or "" for a plain path.
std::string SchemeOf(std::string_view uri) {
  const size_t end = uri.find("://");
  if (end == std::string_view::npos || end == 0) return "";
  for (size_t i = 0; i < end; ++i) {
    if (!IsSchemeChar(uri[i], i == 0)) return "";
  }
  std::string scheme(uri.substr(0, end));
  for (char& c : scheme) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return scheme;
}

Status UnsupportedScheme(std::string_view uri, const std::string& scheme) {
  return Status::InvalidArgument(std::string(uri) + ": the local file system does not take '" +
                                 scheme + "://' URIs");
}

Result<LocalPath> ParseLocal(std::string_view path) {
  const std::string scheme = SchemeOf(path);
  if (scheme.empty()) return LocalPath{"", std::string(path)};
  if (scheme != "file") return UnsupportedScheme(path, scheme);
  const std::string_view head = path.substr(0, kFileScheme.size());  // keeps the caller's case
  std::string_view rest = path.substr(kFileScheme.size());
  if (!rest.empty() && rest.front() == '/') return LocalPath{std::string(head), std::string(rest)};
  constexpr std::string_view kLocalhost = "localhost/";
  if (rest.substr(0, kLocalhost.size()) == kLocalhost) {
    return LocalPath{std::string(path.substr(0, head.size() + kLocalhost.size() - 1)),
                     std::string(rest.substr(kLocalhost.size() - 1))};
  }
  return Status::InvalidArgument(std::string(path) +
                                 ": a file URI needs an absolute path (file:///path/to/object)");
}

// Splits a local object path into its directory (for system calls: "." when there is none) and
// its file name. An empty name (a path ending in '/') is an error: objects have names.
Result<std::pair<std::string, std::string>> SplitObjectPath(const std::string& local,
                                                            const std::string& caller) {
  const size_t slash = local.rfind('/');
  std::string name = slash == std::string::npos ? local : local.substr(slash + 1);
  if (name.empty() || name == "." || name == "..") {
    return Status::InvalidArgument(caller + ": not an object path (it names a directory)");
  }
  if (slash == std::string::npos) return std::make_pair(std::string("."), std::move(name));
  std::string directory = local.substr(0, slash);
  while (directory.size() > 1 && directory.back() == '/') directory.pop_back();
  if (directory.empty()) directory = "/";
  return std::make_pair(std::move(directory), std::move(name));
}

std::string ParentDirectory(std::string directory) {
  while (directory.size() > 1 && directory.back() == '/') directory.pop_back();
  const size_t slash = directory.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  directory.resize(slash);
  while (directory.size() > 1 && directory.back() == '/') directory.pop_back();
  return directory;
}

// Makes a directory entry durable: fsyncs the directory holding it. File systems that cannot
// fsync a directory (EINVAL) give nothing more to do.
Status SyncDirectory(const std::string& directory) {
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus(directory, "cannot open directory to fsync it", errno);
  Status status;
  if (::fsync(fd) != 0 && errno != EINVAL) {
    status = Status::IOError(directory + ": directory fsync failed: " + ErrnoText(errno));
  }
  ::close(fd);
  return status;
}

// mkdir -p. Each directory this call creates is made durable in its parent.
Status MakeDirectories(const std::string& directory) {
  if (directory.empty() || directory == "." || directory == "/") return Status::OK();
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (::mkdir(directory.c_str(), 0755) == 0) return SyncDirectory(ParentDirectory(directory));
    const int error = errno;
    if (error == EEXIST) {
      struct stat info {};
      if (::stat(directory.c_str(), &info) == 0 && S_ISDIR(info.st_mode)) return Status::OK();
      return Status::IOError(directory + ": cannot create directory: a file is in the way");
    }
    if (error != ENOENT || attempt > 0) {
      return Status::IOError(directory + ": cannot create directory: " + ErrnoText(error));
    }
    SLUICE_RETURN_NOT_OK(MakeDirectories(ParentDirectory(directory)));
  }
  return Status::OK();
}

bool IsHexDigit(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
bool IsDecimalDigit(char c) { return c >= '0' && c <= '9'; }

// True for names this class gives its temporary files: ".<name>.tmp-<pid>-<hex>".
bool IsTempName(std::string_view name) {
  if (name.size() < 2 || name.front() != '.') return false;
  const size_t marker = name.rfind(kTempMarker);
  if (marker == std::string_view::npos || marker == 0) return false;
  std::string_view rest = name.substr(marker + kTempMarker.size());
  const size_t dash = rest.find('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == rest.size()) return false;
  return std::all_of(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(dash),
                     IsDecimalDigit) &&
         std::all_of(rest.begin() + static_cast<std::ptrdiff_t>(dash) + 1, rest.end(), IsHexDigit);
}

std::string TempPath(const std::string& directory, const std::string& name) {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  char random_hex[17] = {};
  std::snprintf(random_hex, sizeof(random_hex), "%016llx",
                static_cast<unsigned long long>(generator()));
  std::string path = directory == "/" ? "/" : directory + "/";
  path += "." + name.substr(0, kMaxTempNameStem) + std::string(kTempMarker) +
          std::to_string(::getpid()) + "-" + random_hex;
  return path;
}

// Creates a fresh temporary sibling of `name` in `directory`; returns its fd and path.
Result<std::pair<int, std::string>> CreateTempFile(const std::string& directory,
                                                   const std::string& name,
                                                   const std::string& caller) {
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::string temp = TempPath(directory, name);
    const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd >= 0) return std::make_pair(fd, std::move(temp));
    if (errno != EEXIST) return ErrnoStatus(caller, "cannot create temporary file " + temp, errno);
  }
  return Status::IOError(caller + ": cannot create a temporary file with a fresh name");
}

Status WriteFully(int fd, const char* data, size_t size, const std::string& caller) {
  while (size > 0) {
    const ssize_t wrote = ::write(fd, data, size);
    if (wrote < 0) {
      if (errno == EINTR) continue;
      return Status::IOError(caller + ": write failed: " + ErrnoText(errno));
    }
    data += wrote;
    size -= static_cast<size_t>(wrote);
  }
  return Status::OK();
}

// Writes, fsyncs and closes `fd` (closed even on error).
Status WriteSyncClose(int fd, std::string_view contents, const std::string& caller) {
  Status status = WriteFully(fd, contents.data(), contents.size(), caller);
  if (status.ok() && ::fsync(fd) != 0) {
    status = Status::IOError(caller + ": fsync failed: " + ErrnoText(errno));
  }
  if (::close(fd) != 0 && status.ok()) {
    status = Status::IOError(caller + ": close failed: " + ErrnoText(errno));
  }
  return status;
}

// Unlinks a file when it goes out of scope (the temporary files of failed or finished writes).
class UnlinkOnExit {
 public:
  explicit UnlinkOnExit(std::string path) : path_(std::move(path)) {}
  UnlinkOnExit(const UnlinkOnExit&) = delete;
  UnlinkOnExit& operator=(const UnlinkOnExit&) = delete;
  ~UnlinkOnExit() { ::unlink(path_.c_str()); }

 private:
  std::string path_;
};

// A RandomAccessFile that reports the caller's form of its path (a file:// URI).
class RenamedRandomAccessFile final : public RandomAccessFile {
 public:
  RenamedRandomAccessFile(std::unique_ptr<RandomAccessFile> file, std::string path)
      : file_(std::move(file)), path_(std::move(path)) {}
  int64_t size() const override { return file_->size(); }
  const std::string& path() const override { return path_; }
  Status ReadAt(int64_t offset, int64_t length, uint8_t* out) const override {
    return file_->ReadAt(offset, length, out);
  }

 private:
  std::unique_ptr<RandomAccessFile> file_;
  std::string path_;
};

// Buffered writes to a temporary sibling, renamed over the final path by Close(). After a failed
// Write every later call fails, so a file with a gap is never published.
class AtomicFileOutputStream final : public OutputStream {
 public:
  AtomicFileOutputStream(int fd, std::string temp_path, std::string final_path,
                         std::string directory, std::string caller_path)
      : fd_(fd),
        temp_path_(std::move(temp_path)),
        final_path_(std::move(final_path)),
        directory_(std::move(directory)),
        caller_path_(std::move(caller_path)) {}
  AtomicFileOutputStream(const AtomicFileOutputStream&) = delete;
  AtomicFileOutputStream& operator=(const AtomicFileOutputStream&) = delete;

  ~AtomicFileOutputStream() override {
    if (fd_ >= 0) Abandon();
  }

  Status Write(const void* data, size_t size) override {
    if (fd_ < 0) return Status::Internal(caller_path_ + ": write after close");
    if (!error_.ok()) return error_;
    position_ += static_cast<int64_t>(size);
    const char* bytes = static_cast<const char*>(data);
    if (buffer_.size() + size <= kBufferBytes) {
      if (buffer_.capacity() < kBufferBytes) buffer_.reserve(kBufferBytes);
      buffer_.append(bytes, size);
      return Status::OK();
    }
    SLUICE_RETURN_NOT_OK(Flush());
    if (size >= kBufferBytes) return Remember(WriteFully(fd_, bytes, size, caller_path_));
    buffer_.append(bytes, size);
    return Status::OK();
  }

  int64_t position() const override { return position_; }
  const std::string& path() const override { return caller_path_; }

  Status Close() override {
    if (fd_ < 0) return error_;
    Status status = Flush();
    if (status.ok() && ::fsync(fd_) != 0) {
      status = Status::IOError(caller_path_ + ": fsync failed: " + ErrnoText(errno));
    }
    if (!status.ok()) {
      Abandon();
      return error_ = status;
    }
    const int fd = std::exchange(fd_, -1);
    if (::close(fd) != 0) {
      ::unlink(temp_path_.c_str());
      return error_ = Status::IOError(caller_path_ + ": close failed: " + ErrnoText(errno));
    }
    if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
      const int error = errno;
      ::unlink(temp_path_.c_str());
      return error_ = Status::IOError(caller_path_ + ": cannot rename " + temp_path_ +
                                      " into place: " + ErrnoText(error));
    }
    return error_ = SyncDirectory(directory_);
  }

 private:
  static constexpr size_t kBufferBytes = 1 << 20;

  Status Remember(Status status) {
    if (!status.ok()) error_ = status;
    return status;
  }

  Status Flush() {
    if (!error_.ok()) return error_;
    if (buffer_.empty()) return Status::OK();
    Status status = WriteFully(fd_, buffer_.data(), buffer_.size(), caller_path_);
    buffer_.clear();
    return Remember(std::move(status));
  }

  // Drops the write: closes and removes the temporary file.
  void Abandon() {
    ::close(fd_);
    fd_ = -1;
    ::unlink(temp_path_.c_str());
  }

  int fd_;
  std::string temp_path_;
  std::string final_path_;
  std::string directory_;
  std::string caller_path_;
  std::string buffer_;
  int64_t position_ = 0;
  Status error_;
};

bool LinkUnsupported(int error) {
  return error == EPERM || error == ENOTSUP || error == EOPNOTSUPP || error == EXDEV ||
         error == ENOSYS;
}

FileInfo MakeFileInfo(std::string path, const struct stat& info) {
  FileInfo file;
  file.path = std::move(path);
  file.size = static_cast<int64_t>(info.st_size);
  file.modification_time_ms = static_cast<int64_t>(info.st_mtim.tv_sec) * 1000 +
                              static_cast<int64_t>(info.st_mtim.tv_nsec) / 1000000;
  return file;
}

// Appends every regular file under `directory` (a path for system calls) whose name starts with
// `name_prefix` (top level only), recursively, as `caller_base` + relative path. Directories are
// found with lstat, so a symlinked directory is not entered; a symlink to a file is a file.
// Temporary files of unfinished writes are left out — or, with `temporaries`, are all it lists.
Status Walk(const std::string& directory, const std::string& caller_base,
            std::string_view name_prefix, std::vector<FileInfo>* out, bool temporaries = false) {
  DIR* stream = ::opendir(directory.c_str());
  if (stream == nullptr) {
    const int error = errno;
    if (error == ENOENT || error == ENOTDIR) return Status::OK();  // gone or never there
    return Status::IOError(directory + ": cannot list directory: " + ErrnoText(error));
  }
  const std::string separator = directory.back() == '/' ? "" : "/";
  Status status;
  while (true) {
    errno = 0;
    const struct dirent* entry = ::readdir(stream);
    if (entry == nullptr) {
      if (errno != 0) {
        status = Status::IOError(directory + ": cannot list directory: " + ErrnoText(errno));
      }
      break;
    }
    const std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    if (name.substr(0, name_prefix.size()) != name_prefix) continue;
    const std::string path = directory + separator + std::string(name);
    struct stat info {};
    if (::lstat(path.c_str(), &info) != 0) {
      if (errno == ENOENT) continue;  // deleted while we listed
      status = Status::IOError(path + ": cannot stat: " + ErrnoText(errno));
      break;
    }
    if (S_ISDIR(info.st_mode)) {
      status = Walk(path, caller_base + std::string(name) + "/", "", out, temporaries);
      if (!status.ok()) break;
      continue;
    }
    if (S_ISLNK(info.st_mode) && ::stat(path.c_str(), &info) != 0) continue;  // dangling link
    if (!S_ISREG(info.st_mode) || IsTempName(name) != temporaries) continue;
    out->push_back(MakeFileInfo(caller_base + std::string(name), info));
  }
  ::closedir(stream);
  return status;
}

// Removes `directory` when, after its empty subdirectories are removed, nothing is left in it;
// returns whether it was removed (a directory that cannot be read is kept).
bool RemoveIfEmpty(const std::string& directory) {
  DIR* dir = ::opendir(directory.c_str());
  if (dir == nullptr) return false;
  bool empty = true;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    const std::string path = directory + "/" + name;
    struct stat info;
    const bool is_directory = ::lstat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
    if (!is_directory || !RemoveIfEmpty(path)) empty = false;
  }
  ::closedir(dir);
  return empty && ::rmdir(directory.c_str()) == 0;
}

class LocalFileSystemImpl final : public FileSystem {
 public:
  std::string_view scheme() const override { return "file"; }

  Result<std::shared_ptr<RandomAccessFile>> OpenForRead(const std::string& path) override {
    SLUICE_ASSIGN_OR_RETURN(LocalPath parsed, ParseLocal(path));
    SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file,
                            OpenRandomAccessFile(parsed.local));
    if (parsed.head.empty()) return std::shared_ptr<RandomAccessFile>(std::move(file));
    return std::shared_ptr<RandomAccessFile>(
        std::make_shared<RenamedRandomAccessFile>(std::move(file), path));
  }

  Result<std::string> ReadAll(const std::string& path) override {
    SLUICE_ASSIGN_OR_RETURN(std::shared_ptr<RandomAccessFile> file, OpenForRead(path));
    std::string contents(static_cast<size_t>(file->size()), '\0');
    SLUICE_RETURN_NOT_OK(
        file->ReadAt(0, file->size(), reinterpret_cast<uint8_t*>(contents.data())));
    return contents;
  }

  Result<std::unique_ptr<OutputStream>> OpenForWrite(const std::string& path) override {
    SLUICE_ASSIGN_OR_RETURN(LocalPath parsed, ParseLocal(path));
    SLUICE_ASSIGN_OR_RETURN(auto split, SplitObjectPath(parsed.local, path));
    auto& [directory, name] = split;
    SLUICE_RETURN_NOT_OK(MakeDirectories(directory));
    SLUICE_ASSIGN_OR_RETURN(auto temp, CreateTempFile(directory, name, path));
    return std::unique_ptr<OutputStream>(std::make_unique<AtomicFileOutputStream>(
        temp.first, std::move(temp.second), parsed.local, directory, path));
  }

  Result<bool> CreateIfAbsent(const std::string& path, std::string_view contents) override {
    SLUICE_ASSIGN_OR_RETURN(LocalPath parsed, ParseLocal(path));
    SLUICE_ASSIGN_OR_RETURN(auto split, SplitObjectPath(parsed.local, path));
    auto& [directory, name] = split;
    struct stat existing {};
    if (::lstat(parsed.local.c_str(), &existing) == 0) return false;  // cheap early answer
    SLUICE_RETURN_NOT_OK(MakeDirectories(directory));

    int link_error = 0;
    {
      SLUICE_ASSIGN_OR_RETURN(auto temp, CreateTempFile(directory, name, path));
      const UnlinkOnExit remove_temp(temp.second);
      SLUICE_RETURN_NOT_OK(WriteSyncClose(temp.first, contents, path));
      if (::link(temp.second.c_str(), parsed.local.c_str()) != 0) link_error = errno;
    }  // the temporary name is unlinked here, before the directory fsync below
    if (link_error == 0) {
      SLUICE_RETURN_NOT_OK(SyncDirectory(directory));
      return true;
    }
    if (link_error == EEXIST) return false;
    if (!LinkUnsupported(link_error)) {
      return Status::IOError(path +
                             ": cannot link the new object into place: " + ErrnoText(link_error));
    }
    return CreateExclusive(parsed.local, directory, contents, path);
  }

  Result<FileInfo> Stat(const std::string& path) override {
    SLUICE_ASSIGN_OR_RETURN(LocalPath parsed, ParseLocal(path));
    struct stat info {};
    if (::stat(parsed.local.c_str(), &info) != 0) {
      const int error = errno;
      if (error == ENOENT || error == ENOTDIR) return Status::NotFound(path + ": no such file");
      return Status::IOError(path + ": cannot stat: " + ErrnoText(error));
    }
    if (S_ISDIR(info.st_mode)) {
      return Status::NotFound(path + ": is a directory, not an object");
    }
    return MakeFileInfo(path, info);
  }

  Result<std::vector<FileInfo>> List(const std::string& prefix) override {
    SLUICE_ASSIGN_OR_RETURN(LocalPath parsed, ParseLocal(prefix));
    const size_t slash = parsed.local.rfind('/');
    const std::string local_base =
        slash == std::string::npos ? "" : parsed.local.substr(0, slash + 1);
    const std::string_view name_prefix = std::string_view(parsed.local).substr(local_base.size());
    std::string directory = local_base;
    while (directory.size() > 1 && directory.back() == '/') directory.pop_back();
    if (directory.empty()) directory = ".";
    std::vector<FileInfo> files;
    SLUICE_RETURN_NOT_OK(Walk(directory, parsed.ToCaller(local_base), name_prefix, &files));
    std::sort(files.begin(), files.end(),
              [](const FileInfo& a, const FileInfo& b) { return a.path < b.path; });
    return files;
  }

  Result<std::vector<FileInfo>> AbortStaleWrites(const std::string& prefix, int64_t older_than_ms,
                                                 bool dry_run) override {
    SLUICE_ASSIGN_OR_RETURN(LocalPath parsed, ParseLocal(prefix));
    std::string directory = parsed.local;
    while (directory.size() > 1 && directory.back() == '/') directory.pop_back();
    std::vector<FileInfo> temporaries;
    SLUICE_RETURN_NOT_OK(Walk(directory, parsed.ToCaller(directory + "/"), "", &temporaries,
                              /*temporaries=*/true));
    std::vector<FileInfo> stale;
    for (FileInfo& file : temporaries) {
      if (file.modification_time_ms >= older_than_ms) continue;  // a writer may still own it
      if (!dry_run) SLUICE_RETURN_NOT_OK(Delete(file.path));
      stale.push_back(std::move(file));
    }
    return stale;
  }

  Status DeleteEmptyDirectories(const std::string& prefix) override {
    SLUICE_ASSIGN_OR_RETURN(LocalPath parsed, ParseLocal(prefix));
    RemoveIfEmpty(parsed.local);
    return Status::OK();
  }

  Status Delete(const std::string& path) override {
    SLUICE_ASSIGN_OR_RETURN(LocalPath parsed, ParseLocal(path));
    if (::unlink(parsed.local.c_str()) == 0) return Status::OK();
    const int error = errno;
    if (error == ENOENT || error == ENOTDIR) return Status::OK();
    return Status::IOError(path + ": cannot delete: " + ErrnoText(error));
  }

 private:
  // CreateIfAbsent on a file system without hard links: O_EXCL creation, then write and fsync.
  // A crash between the two can leave a partial file at `local`; a failed write removes it.
  static Result<bool> CreateExclusive(const std::string& local, const std::string& directory,
                                      std::string_view contents, const std::string& caller) {
    const int fd = ::open(local.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
      const int error = errno;
      if (error == EEXIST) return false;
      return Status::IOError(caller + ": cannot create: " + ErrnoText(error));
    }
    Status status = WriteSyncClose(fd, contents, caller);
    if (!status.ok()) {
      ::unlink(local.c_str());
      return status;
    }
    SLUICE_RETURN_NOT_OK(SyncDirectory(directory));
    return true;
  }
};

}  // namespace

std::shared_ptr<FileSystem> LocalFileSystem() {
  static const std::shared_ptr<FileSystem> instance = std::make_shared<LocalFileSystemImpl>();
  return instance;
}

std::string UriScheme(std::string_view uri) { return SchemeOf(uri); }

std::string JoinPath(std::string_view base, std::string_view relative) {
  // Trailing slashes of `base` go, but never the "//" of "scheme://" (file:/// + "a" = file:///a).
  size_t keep = 0;
  if (!SchemeOf(base).empty()) {
    const size_t authority = base.find("://") + 3;
    const size_t path_start = base.find('/', authority);
    keep = path_start == std::string_view::npos ? base.size() : path_start;
  }
  const bool had_base = !base.empty();
  while (base.size() > keep && base.back() == '/') base.remove_suffix(1);
  while (!relative.empty() && relative.front() == '/') relative.remove_prefix(1);
  if (!had_base) return std::string(relative);
  std::string joined(base);  // "/" + "c" = "/c": the root's slash is the separator
  joined += '/';
  joined += relative;
  return joined;
}

}  // namespace sluice::io

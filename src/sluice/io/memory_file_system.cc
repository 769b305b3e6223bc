#include "sluice/io/memory_file_system.h"

#include <chrono>
#include <cstring>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sluice::io {
namespace {

constexpr std::string_view kScheme = "mem://";

struct Object {
  std::shared_ptr<const std::string> bytes;
  int64_t modification_time_ms = 0;
};

class Store {
 public:
  static Store& Get() {
    static Store* store = new Store();
    return *store;
  }

  int64_t Now() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (clock_) return clock_();
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  void SetClock(std::function<int64_t()> clock) {
    std::lock_guard<std::mutex> lock(mutex_);
    clock_ = std::move(clock);
  }
  void Put(const std::string& path, std::string bytes, int64_t now) {
    std::lock_guard<std::mutex> lock(mutex_);
    objects_[path] = Object{std::make_shared<const std::string>(std::move(bytes)), now};
  }
  bool PutIfAbsent(const std::string& path, std::string_view bytes, int64_t now) {
    std::lock_guard<std::mutex> lock(mutex_);
    return objects_.emplace(path, Object{std::make_shared<const std::string>(bytes), now}).second;
  }
  std::optional<Object> Find(const std::string& path) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = objects_.find(path);
    if (it == objects_.end()) return std::nullopt;
    return it->second;
  }
  std::vector<FileInfo> List(const std::string& prefix) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::vector<FileInfo> found;
    for (auto it = objects_.lower_bound(prefix); it != objects_.end(); ++it) {
      if (it->first.compare(0, prefix.size(), prefix) != 0) break;
      found.push_back(FileInfo{it->first, static_cast<int64_t>(it->second.bytes->size()),
                               it->second.modification_time_ms});
    }
    return found;
  }
  void Erase(const std::string& path) {
    std::lock_guard<std::mutex> lock(mutex_);
    objects_.erase(path);
  }
  void Clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    objects_.clear();
  }

 private:
  std::mutex mutex_;
  std::map<std::string, Object> objects_;
  std::function<int64_t()> clock_;
};

class MemoryFile final : public RandomAccessFile {
 public:
  MemoryFile(std::string path, std::shared_ptr<const std::string> bytes)
      : path_(std::move(path)), bytes_(std::move(bytes)) {}
  int64_t size() const override { return static_cast<int64_t>(bytes_->size()); }
  const std::string& path() const override { return path_; }
  Status ReadAt(int64_t offset, int64_t length, uint8_t* out) const override {
    if (offset < 0 || length < 0 || offset + length > size()) {
      return Status::IOError(path_ + ": read of " + std::to_string(length) + " bytes at " +
                             std::to_string(offset) + " is past the end (" +
                             std::to_string(size()) + " bytes)");
    }
    std::memcpy(out, bytes_->data() + offset, static_cast<size_t>(length));
    return Status::OK();
  }

 private:
  std::string path_;
  std::shared_ptr<const std::string> bytes_;
};

// Buffers the object; it appears in the store on Close, whole.
class MemoryWriter final : public OutputStream {
 public:
  explicit MemoryWriter(std::string path) : path_(std::move(path)) {}
  Status Write(const void* data, size_t size) override {
    if (closed_) return Status::IOError(path_ + ": write after close");
    bytes_.append(static_cast<const char*>(data), size);
    return Status::OK();
  }
  int64_t position() const override { return static_cast<int64_t>(bytes_.size()); }
  Status Close() override {
    if (closed_) return Status::OK();
    closed_ = true;
    Store& store = Store::Get();
    store.Put(path_, std::move(bytes_), store.Now());
    return Status::OK();
  }
  const std::string& path() const override { return path_; }

 private:
  std::string path_;
  std::string bytes_;
  bool closed_ = false;
};

class MemoryFileSystemImpl final : public FileSystem {
 public:
  std::string_view scheme() const override { return "mem"; }

  Result<std::shared_ptr<RandomAccessFile>> OpenForRead(const std::string& path) override {
    SLUICE_RETURN_NOT_OK(CheckScheme(path));
    std::optional<Object> object = Store::Get().Find(path);
    if (!object) return Status::NotFound(path + ": no such object");
    return std::shared_ptr<RandomAccessFile>(std::make_shared<MemoryFile>(path, object->bytes));
  }
  Result<std::string> ReadAll(const std::string& path) override {
    SLUICE_RETURN_NOT_OK(CheckScheme(path));
    std::optional<Object> object = Store::Get().Find(path);
    if (!object) return Status::NotFound(path + ": no such object");
    return *object->bytes;
  }
  Result<std::unique_ptr<OutputStream>> OpenForWrite(const std::string& path) override {
    SLUICE_RETURN_NOT_OK(CheckScheme(path));
    if (path.ends_with('/')) return Status::IOError(path + ": cannot write an object named '/'");
    return std::unique_ptr<OutputStream>(std::make_unique<MemoryWriter>(path));
  }
  Result<bool> CreateIfAbsent(const std::string& path, std::string_view contents) override {
    SLUICE_RETURN_NOT_OK(CheckScheme(path));
    Store& store = Store::Get();
    return store.PutIfAbsent(path, contents, store.Now());
  }
  Result<FileInfo> Stat(const std::string& path) override {
    SLUICE_RETURN_NOT_OK(CheckScheme(path));
    std::optional<Object> object = Store::Get().Find(path);
    if (!object) return Status::NotFound(path + ": no such object");
    return FileInfo{path, static_cast<int64_t>(object->bytes->size()),
                    object->modification_time_ms};
  }
  Result<std::vector<FileInfo>> List(const std::string& prefix) override {
    SLUICE_RETURN_NOT_OK(CheckScheme(prefix));
    return Store::Get().List(prefix);
  }
  Status Delete(const std::string& path) override {
    SLUICE_RETURN_NOT_OK(CheckScheme(path));
    Store::Get().Erase(path);
    return Status::OK();
  }

 private:
  static Status CheckScheme(const std::string& path) {
    if (path.starts_with(kScheme)) return Status::OK();
    return Status::InvalidArgument(path + ": the in-memory file system takes only mem:// URIs");
  }
};

}  // namespace

std::shared_ptr<FileSystem> MemoryFileSystem() {
  static const std::shared_ptr<FileSystem> fs = std::make_shared<MemoryFileSystemImpl>();
  return fs;
}

void ClearMemoryFileSystem() { Store::Get().Clear(); }

void SetMemoryFileSystemClock(std::function<int64_t()> clock) {
  Store::Get().SetClock(std::move(clock));
}

}  // namespace sluice::io

#include "sluice/io/s3/s3_file_system.h"

#include <algorithm>
#include <deque>
#include <future>
#include <random>

namespace sluice::io::s3 {
namespace {

constexpr int kMaxParts = 10'000;  // S3's limit per multipart upload

std::string PathOf(const std::string& bucket, const std::string& key) {
  return "s3://" + bucket + "/" + key;
}

Status RangeError(const std::string& path, int64_t offset, int64_t length, int64_t size) {
  return Status::DataError(path + ": read of " + std::to_string(length) + " bytes at offset " +
                           std::to_string(offset) + " is outside the object (" +
                           std::to_string(size) + " bytes)");
}

std::string RandomHex() {
  thread_local std::mt19937_64 random(std::random_device{}());
  char text[17];
  std::snprintf(text, sizeof(text), "%016llx", static_cast<unsigned long long>(random()));
  return text;
}

class S3RandomAccessFile final : public RandomAccessFile {
 public:
  S3RandomAccessFile(std::shared_ptr<S3Client> client, std::string bucket, std::string key,
                     int64_t size)
      : client_(std::move(client)),
        bucket_(std::move(bucket)),
        key_(std::move(key)),
        path_(PathOf(bucket_, key_)),
        size_(size) {}

  int64_t size() const override { return size_; }
  const std::string& path() const override { return path_; }

  Status ReadAt(int64_t offset, int64_t length, uint8_t* out) const override {
    if (offset < 0 || length < 0 || offset > size_ || length > size_ - offset) {
      return RangeError(path_, offset, length, size_);
    }
    return client_->GetRange(bucket_, key_, offset, length, out);
  }

 private:
  std::shared_ptr<S3Client> client_;
  std::string bucket_;
  std::string key_;
  std::string path_;
  int64_t size_;
};

// Buffers a part's worth of bytes; small objects are one PUT, large ones a multipart upload.
class S3OutputStream final : public OutputStream {
 public:
  S3OutputStream(std::shared_ptr<S3Client> client, std::string bucket, std::string key)
      : client_(std::move(client)),
        bucket_(std::move(bucket)),
        key_(std::move(key)),
        path_(PathOf(bucket_, key_)),
        part_size_(
            static_cast<size_t>(std::max<int64_t>(5 << 20, client_->config().settings.part_size))),
        parallelism_(
            static_cast<size_t>(std::max(1, client_->config().settings.upload_parallelism))) {}

  ~S3OutputStream() override {
    if (!closed_) Abandon();
  }

  Status Write(const void* data, size_t size) override {
    if (closed_) return Status::Internal(path_ + ": write after close");
    SLUICE_RETURN_NOT_OK(error_);
    const char* bytes = static_cast<const char*>(data);
    while (size > 0) {
      if (buffer_.capacity() < part_size_) buffer_.reserve(part_size_);
      const size_t n = std::min(size, part_size_ - buffer_.size());
      buffer_.append(bytes, n);
      bytes += n;
      size -= n;
      position_ += static_cast<int64_t>(n);
      if (buffer_.size() == part_size_) {
        Status status = SendPart();
        if (!status.ok()) return Fail(std::move(status));
      }
    }
    return Status::OK();
  }

  int64_t position() const override { return position_; }
  const std::string& path() const override { return path_; }

  Status Close() override {
    if (closed_) return error_;
    SLUICE_RETURN_NOT_OK(error_);
    if (upload_id_.empty()) {
      error_ = client_->Put(bucket_, key_, buffer_);
      closed_ = true;
      buffer_ = std::string();
      return error_;
    }
    if (!buffer_.empty()) {
      Status status = SendPart();
      if (!status.ok()) return Fail(std::move(status));
    }
    while (!in_flight_.empty()) {
      Status status = WaitOldest();
      if (!status.ok()) return Fail(std::move(status));
    }
    std::sort(parts_.begin(), parts_.end(),
              [](const UploadedPart& a, const UploadedPart& b) { return a.number < b.number; });
    Status status = client_->CompleteMultipartUpload(bucket_, key_, upload_id_, parts_);
    if (!status.ok()) return Fail(std::move(status));
    closed_ = true;
    return Status::OK();
  }

 private:
  Status SendPart() {
    if (upload_id_.empty()) {
      SLUICE_ASSIGN_OR_RETURN(upload_id_, client_->CreateMultipartUpload(bucket_, key_));
    }
    if (next_part_ > kMaxParts) {
      return Status::InvalidArgument(path_ + ": larger than " + std::to_string(kMaxParts) +
                                     " parts of " + std::to_string(part_size_) +
                                     " bytes; raise s3.part_size");
    }
    while (in_flight_.size() >= parallelism_) SLUICE_RETURN_NOT_OK(WaitOldest());
    const int number = next_part_++;
    in_flight_.emplace_back(
        number,
        std::async(std::launch::async, [client = client_, bucket = bucket_, key = key_,
                                        id = upload_id_, number, body = std::move(buffer_)]() {
          return client->UploadPart(bucket, key, id, number, body);
        }));
    buffer_ = std::string();
    return Status::OK();
  }

  Status WaitOldest() {
    auto [number, future] = std::move(in_flight_.front());
    in_flight_.pop_front();
    Result<std::string> etag = future.get();
    if (!etag.ok()) return etag.status();
    parts_.push_back({number, *etag});
    return Status::OK();
  }

  Status Fail(Status status) {
    error_ = status;
    Abandon();
    return status;
  }

  // Waits for the parts in flight (a part that lands after an abort would stay behind), then
  // aborts the upload so that no part is kept.
  void Abandon() {
    closed_ = true;
    while (!in_flight_.empty()) {
      in_flight_.front().second.wait();
      in_flight_.pop_front();
    }
    if (!upload_id_.empty()) {
      (void)client_->AbortMultipartUpload(bucket_, key_, upload_id_);
      upload_id_.clear();
    }
    buffer_ = std::string();
  }

  std::shared_ptr<S3Client> client_;
  std::string bucket_;
  std::string key_;
  std::string path_;
  size_t part_size_;
  size_t parallelism_;
  std::string buffer_;
  int64_t position_ = 0;
  std::string upload_id_;
  int next_part_ = 1;
  std::deque<std::pair<int, std::future<Result<std::string>>>> in_flight_;
  std::vector<UploadedPart> parts_;
  Status error_;
  bool closed_ = false;
};

}  // namespace

S3FileSystem::S3FileSystem(std::shared_ptr<S3Client> client) : client_(std::move(client)) {}

Result<std::shared_ptr<RandomAccessFile>> S3FileSystem::OpenForRead(const std::string& path) {
  SLUICE_ASSIGN_OR_RETURN(auto location, ParseS3Uri(path));
  SLUICE_ASSIGN_OR_RETURN(ObjectInfo info, client_->Head(location.first, location.second));
  return std::shared_ptr<RandomAccessFile>(std::make_shared<S3RandomAccessFile>(
      client_, std::move(location.first), std::move(location.second), info.size));
}

Result<std::string> S3FileSystem::ReadAll(const std::string& path) {
  SLUICE_ASSIGN_OR_RETURN(auto location, ParseS3Uri(path));
  return client_->Get(location.first, location.second);
}

Result<std::unique_ptr<OutputStream>> S3FileSystem::OpenForWrite(const std::string& path) {
  SLUICE_ASSIGN_OR_RETURN(auto location, ParseS3Uri(path));
  if (location.second.empty() || location.second.ends_with('/')) {
    return Status::InvalidArgument(path + ": not an object path (it ends with '/')");
  }
  return std::unique_ptr<OutputStream>(std::make_unique<S3OutputStream>(
      client_, std::move(location.first), std::move(location.second)));
}

Status S3FileSystem::CheckConditionalWrites(const std::string& bucket, const std::string& key) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = conditional_checks_.find(bucket);
    if (it != conditional_checks_.end()) return it->second;
  }
  const size_t slash = key.rfind('/');
  const std::string probe =
      (slash == std::string::npos ? std::string() : key.substr(0, slash + 1)) +
      ".sluice-conditional-write-probe-" + RandomHex();
  SLUICE_ASSIGN_OR_RETURN(bool first, client_->PutIfAbsent(bucket, probe, "first"));
  Result<bool> second = client_->PutIfAbsent(bucket, probe, "second");
  (void)client_->Delete(bucket, probe);
  if (!second.ok()) return second.status();
  Status verdict;
  if (!first || *second) {
    verdict = Status::InvalidArgument(
        "s3://" + bucket + ": " + client_->config().endpoint +
        " ignores conditional writes (a PUT with If-None-Match: * replaced an existing object), "
        "so two writers committing the same Delta version would silently overwrite each other; "
        "sluice refuses to commit to it. Use a store that honours If-None-Match: * on PUT "
        "(AWS S3, MinIO, Ceph RGW, Cloudflare R2)");
  }
  std::lock_guard<std::mutex> lock(mutex_);
  conditional_checks_.emplace(bucket, verdict);
  return verdict;
}

Result<bool> S3FileSystem::CreateIfAbsent(const std::string& path, std::string_view contents) {
  SLUICE_ASSIGN_OR_RETURN(auto location, ParseS3Uri(path));
  SLUICE_RETURN_NOT_OK(CheckConditionalWrites(location.first, location.second));
  return client_->PutIfAbsent(location.first, location.second, contents);
}

Result<std::vector<FileInfo>> S3FileSystem::AbortStaleWrites(const std::string& prefix,
                                                             int64_t older_than_ms, bool dry_run) {
  SLUICE_ASSIGN_OR_RETURN(auto location, ParseS3Uri(prefix));
  std::string key_prefix = location.second;
  if (!key_prefix.empty() && !key_prefix.ends_with('/')) key_prefix += '/';
  SLUICE_ASSIGN_OR_RETURN(std::vector<MultipartUploadInfo> uploads,
                          client_->ListMultipartUploads(location.first, key_prefix));
  std::vector<FileInfo> stale;
  for (const MultipartUploadInfo& upload : uploads) {
    if (upload.initiated_ms <= 0 || upload.initiated_ms >= older_than_ms) continue;
    if (!dry_run) {
      SLUICE_RETURN_NOT_OK(
          client_->AbortMultipartUpload(location.first, upload.key, upload.upload_id));
    }
    stale.push_back(FileInfo{PathOf(location.first, upload.key), 0, upload.initiated_ms});
  }
  return stale;
}

Result<FileInfo> S3FileSystem::Stat(const std::string& path) {
  SLUICE_ASSIGN_OR_RETURN(auto location, ParseS3Uri(path));
  SLUICE_ASSIGN_OR_RETURN(ObjectInfo info, client_->Head(location.first, location.second));
  return FileInfo{path, info.size, info.modification_time_ms};
}

Result<std::vector<FileInfo>> S3FileSystem::List(const std::string& prefix) {
  SLUICE_ASSIGN_OR_RETURN(auto location, ParseS3Uri(prefix));
  std::vector<FileInfo> files;
  std::string token;
  do {
    SLUICE_ASSIGN_OR_RETURN(ListPage page,
                            client_->ListObjects(location.first, location.second, token,
                                                 client_->config().settings.list_page_size));
    for (ListedObject& object : page.objects) {
      files.push_back(
          {PathOf(location.first, object.key), object.size, object.modification_time_ms});
    }
    token = page.truncated ? page.next_continuation_token : std::string();
  } while (!token.empty());
  std::sort(files.begin(), files.end(),
            [](const FileInfo& a, const FileInfo& b) { return a.path < b.path; });
  return files;
}

Status S3FileSystem::Delete(const std::string& path) {
  SLUICE_ASSIGN_OR_RETURN(auto location, ParseS3Uri(path));
  return client_->Delete(location.first, location.second);
}

Status S3FileSystem::DeleteMany(const std::vector<std::string>& paths) {
  std::map<std::string, std::vector<std::string>> by_bucket;
  for (const std::string& path : paths) {
    SLUICE_ASSIGN_OR_RETURN(auto location, ParseS3Uri(path));
    by_bucket[location.first].push_back(std::move(location.second));
  }
  for (const auto& [bucket, keys] : by_bucket) {
    SLUICE_RETURN_NOT_OK(client_->DeleteMany(bucket, keys));
  }
  return Status::OK();
}

namespace {

struct DefaultS3 {
  std::mutex mutex;
  S3Settings settings;
  std::shared_ptr<FileSystem> file_system;
};

DefaultS3& Default() {
  static DefaultS3* const instance = new DefaultS3();
  return *instance;
}

}  // namespace

void ConfigureS3(S3Settings settings) {
  DefaultS3& state = Default();
  std::lock_guard<std::mutex> lock(state.mutex);
  state.settings = std::move(settings);
  state.file_system.reset();
}

Result<std::shared_ptr<FileSystem>> DefaultS3FileSystem() {
  DefaultS3& state = Default();
  std::lock_guard<std::mutex> lock(state.mutex);
  if (!state.file_system) {
    SLUICE_ASSIGN_OR_RETURN(S3Config config, ResolveS3Config(state.settings));
    state.file_system =
        std::make_shared<S3FileSystem>(std::make_shared<S3Client>(std::move(config)));
  }
  return state.file_system;
}

}  // namespace sluice::io::s3

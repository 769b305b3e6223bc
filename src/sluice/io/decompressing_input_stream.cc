#include "sluice/io/decompressing_input_stream.h"

#include <zlib.h>
#include <zstd.h>

#include <vector>

namespace sluice::io {
namespace {

constexpr size_t kCompressedBufferSize = 1 << 20;

class GzipInputStream final : public InputStream {
 public:
  explicit GzipInputStream(std::unique_ptr<InputStream> source)
      : source_(std::move(source)), buffer_(kCompressedBufferSize) {
    stream_ = {};
    initialized_ = inflateInit2(&stream_, 15 + 32) == Z_OK;  // +32: gzip or zlib header
  }
  ~GzipInputStream() override {
    if (initialized_) inflateEnd(&stream_);
  }

  const std::string& path() const override { return source_->path(); }

  Result<size_t> Read(char* out, size_t size) override {
    if (!initialized_) return Status::Internal("zlib initialization failed");
    if (finished_) return size_t{0};
    stream_.next_out = reinterpret_cast<Bytef*>(out);
    stream_.avail_out = static_cast<uInt>(std::min<size_t>(size, 1u << 30));
    while (stream_.avail_out > 0) {
      if (stream_.avail_in == 0) {
        SLUICE_ASSIGN_OR_RETURN(size_t count, source_->Read(buffer_.data(), buffer_.size()));
        if (count == 0) {
          if (member_started_) {
            return Status::IOError(path() + ": truncated gzip stream (unexpected end of file)");
          }
          finished_ = true;
          break;
        }
        stream_.next_in = reinterpret_cast<Bytef*>(buffer_.data());
        stream_.avail_in = static_cast<uInt>(count);
      }
      member_started_ = true;
      const int code = inflate(&stream_, Z_NO_FLUSH);
      if (code == Z_STREAM_END) {
        // Another gzip member may follow.
        member_started_ = false;
        if (inflateReset(&stream_) != Z_OK) return Status::IOError(path() + ": gzip reset failed");
        continue;
      }
      if (code != Z_OK && code != Z_BUF_ERROR) {
        return Status::IOError(path() + ": corrupt gzip data" +
                               (stream_.msg ? std::string(" (") + stream_.msg + ")" : ""));
      }
    }
    return size - stream_.avail_out;
  }

 private:
  std::unique_ptr<InputStream> source_;
  std::vector<char> buffer_;
  z_stream stream_;
  bool initialized_ = false;
  bool member_started_ = false;
  bool finished_ = false;
};

class ZstdInputStream final : public InputStream {
 public:
  explicit ZstdInputStream(std::unique_ptr<InputStream> source)
      : source_(std::move(source)), buffer_(ZSTD_DStreamInSize()), context_(ZSTD_createDCtx()) {}
  ~ZstdInputStream() override { ZSTD_freeDCtx(context_); }

  const std::string& path() const override { return source_->path(); }

  Result<size_t> Read(char* out, size_t size) override {
    if (finished_) return size_t{0};
    ZSTD_outBuffer output{out, size, 0};
    while (output.pos < output.size) {
      if (input_.pos == input_.size) {
        SLUICE_ASSIGN_OR_RETURN(size_t count, source_->Read(buffer_.data(), buffer_.size()));
        if (count == 0) {
          if (frame_open_) return Status::IOError(path() + ": truncated zstd stream");
          finished_ = true;
          break;
        }
        input_ = ZSTD_inBuffer{buffer_.data(), count, 0};
      }
      const size_t code = ZSTD_decompressStream(context_, &output, &input_);
      if (ZSTD_isError(code)) {
        return Status::IOError(path() + ": corrupt zstd data (" + ZSTD_getErrorName(code) + ")");
      }
      frame_open_ = code != 0;
    }
    return output.pos;
  }

 private:
  std::unique_ptr<InputStream> source_;
  std::vector<char> buffer_;
  ZSTD_DCtx* context_;
  ZSTD_inBuffer input_{nullptr, 0, 0};
  bool frame_open_ = false;
  bool finished_ = false;
};

}  // namespace

std::unique_ptr<InputStream> MakeGzipInputStream(std::unique_ptr<InputStream> compressed) {
  return std::make_unique<GzipInputStream>(std::move(compressed));
}

std::unique_ptr<InputStream> MakeZstdInputStream(std::unique_ptr<InputStream> compressed) {
  return std::make_unique<ZstdInputStream>(std::move(compressed));
}

}  // namespace sluice::io

#include "sluice/formats/json/parallel_ndjson_reader.h"

#include <algorithm>
#include <cstring>

namespace sluice::formats::json {

Status ParallelNDJSONReader::Init() {
  // The first block: enough lines for the sample (or the sample's byte limit), or all input.
  const auto sample_lines =
      static_cast<size_t>(std::max<int64_t>(1, options_.common.sample_records)) + 1;
  size_t lines = 0;
  while (!eof_ && (carry_.size() < block_size_ || lines < sample_lines) &&
         carry_.size() < kMaxSampleTextBytes + block_size_) {
    const size_t before = carry_.size();
    SLUICE_RETURN_NOT_OK(ReadBlock());
    lines += static_cast<size_t>(
        std::count(carry_.begin() + static_cast<std::ptrdiff_t>(before), carry_.end(), '\n'));
  }
  if (StartsWithArray(Carry())) return SwitchToStream(nullptr);
  const size_t cut = eof_ ? carry_.size() : Carry().rfind('\n') + 1;
  if (!eof_ && cut == 0) return SwitchToStream(nullptr);  // no line break at all: one reader
  NDJSONShare head = RunChunk(std::string_view(carry_.data(), cut), nullptr);
  if (!head.status.ok() || !head.clean || (head.sample_reached_end && !eof_)) {
    return SwitchToStream(nullptr);
  }
  schema_ = head.initial_schema;
  preset_ = head.columns;
  SLUICE_RETURN_NOT_OK(Deliver(head, 0, 1));
  Consume(cut, head.newlines);
  return Status::OK();
}

int64_t ParallelNDJSONReader::records_read() const {
  return records_ + (stream_ ? stream_->records_read() : 0);
}

Result<BatchPtr> ParallelNDJSONReader::Next() {
  while (ready_.empty()) {
    if (finished_) return BatchPtr();
    if (stream_) {
      SLUICE_ASSIGN_OR_RETURN(BatchPtr batch, stream_->Next());
      if (batch) {
        rows_ += batch->num_rows();
        schema_ = batch->schema();
        return batch;
      }
      records_ += stream_->records_read();
      stream_.reset();
      SLUICE_RETURN_NOT_OK(FinishRead());
      return BatchPtr();
    }
    SLUICE_RETURN_NOT_OK(ProcessBlock());
  }
  BatchPtr batch = std::move(ready_.front());
  ready_.pop_front();
  schema_ = batch->schema();
  return batch;
}

bool ParallelNDJSONReader::StartsWithArray(std::string_view text) {
  size_t i = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;
  while (i < text.size() && IsJsonWhitespace(text[i])) ++i;
  return i < text.size() && text[i] == '[';
}

Status ParallelNDJSONReader::ReadBlock() {
  const size_t old = carry_.size();
  carry_.resize(old + block_size_);
  SLUICE_ASSIGN_OR_RETURN(size_t count, input_->ReadFully(carry_.data() + old, block_size_));
  carry_.resize(old + count);
  if (count < block_size_) eof_ = true;
  return Status::OK();
}

void ParallelNDJSONReader::Consume(size_t bytes, int64_t newlines) {
  carry_line_ += newlines;
  carry_offset_ += static_cast<int64_t>(bytes);
  carry_.erase(carry_.begin(), carry_.begin() + static_cast<std::ptrdiff_t>(bytes));
}

NDJSONShare ParallelNDJSONReader::RunChunk(std::string_view text,
                                           const std::vector<PresetColumn>* preset) const {
  NDJSONShare out;
  out.newlines = std::count(text.begin(), text.end(), '\n');
  RejectTracker local{RejectPolicy{}};  // keeps every reject; the real policy applies on delivery
  // The chunk is in memory: read it at once rather than in growing steps.
  JSONReaderImpl reader(io::MakeMemoryViewInputStream(text, path_), options_, &local,
                        text.size() + 1);
  out.status = preset ? reader.InitWithColumns(*preset) : reader.Init();
  if (!out.status.ok()) return out;
  out.initial_schema = reader.schema();
  out.sample_reached_end = reader.sample_reached_end();
  while (true) {
    Result<BatchPtr> batch = reader.Next();
    if (!batch.ok()) {
      out.status = batch.status();
      return out;
    }
    if (*batch == nullptr) break;
    out.rows += (*batch)->num_rows();
    out.batches.push_back(std::move(*batch));
  }
  out.rejects = local.kept();
  out.records = reader.records_read();
  out.columns = reader.Columns();
  for (const Reject& reject : out.rejects) {
    if (reject.kind != RejectKind::kCastError) out.clean = false;
  }
  if (preset && out.columns.size() != preset->size()) out.clean = false;
  return out;
}

Status ParallelNDJSONReader::Deliver(NDJSONShare& chunk, int64_t offset, int64_t line) {
  for (Reject& reject : chunk.rejects) {
    reject.line += line - 1;
    reject.byte_offset += offset;
    SLUICE_RETURN_NOT_OK(rejects_->Add(std::move(reject)));
  }
  for (BatchPtr& batch : chunk.batches) ready_.push_back(std::move(batch));
  records_ += chunk.records;
  rows_ += chunk.rows;
  return Status::OK();
}

size_t ParallelNDJSONReader::NextRecordStart(size_t from, size_t target, size_t end) const {
  const void* newline = std::memchr(carry_.data() + target, '\n', end - target);
  return newline == nullptr
             ? end
             : static_cast<size_t>(static_cast<const char*>(newline) - carry_.data()) + 1;
}

NDJSONShare ParallelNDJSONReader::ParseShare(size_t start, size_t stop, bool last) const {
  const std::string_view text(carry_.data() + start, stop - start);
  if (StartsWithArray(text)) {  // a line that is an array: one reader takes over (see header)
    NDJSONShare out;
    out.clean = false;
    return out;
  }
  return RunChunk(text, &preset_);
}

Status ParallelNDJSONReader::ProcessBlock() {
  SLUICE_RETURN_NOT_OK(ReadBlock());
  if (carry_.empty() && eof_) return FinishRead();
  const size_t last_break = Carry().rfind('\n');
  if (!eof_ && last_break == std::string::npos) return SwitchToStream(&preset_);
  const size_t cut = eof_ ? carry_.size() : last_break + 1;
  Block block = ParseBlock(0, cut, threads_, block_size_);
  if (block.held < block.shares.size()) return SwitchToStream(&preset_);
  int64_t line = carry_line_;
  for (size_t k = 0; k < block.shares.size(); ++k) {
    SLUICE_RETURN_NOT_OK(
        Deliver(block.shares[k], carry_offset_ + static_cast<int64_t>(block.bounds[k]), line));
    line += block.shares[k].newlines;
  }
  Consume(cut, line - carry_line_);
  return Status::OK();
}

Status ParallelNDJSONReader::SwitchToStream(const std::vector<PresetColumn>* preset) {
  const int64_t offset = carry_offset_;
  const int64_t line = carry_line_;
  stream_tracker_ = std::make_unique<RejectTracker>(
      RejectPolicy{}, [this, offset, line](const Reject& reject) -> Status {
        Reject shifted = reject;
        shifted.line += line - 1;
        shifted.byte_offset += offset;
        return rejects_->Add(std::move(shifted));
      });
  auto stream =
      io::MakePrefixedInputStream(std::string(carry_.data(), carry_.size()), std::move(input_));
  carry_.clear();
  stream_ = std::make_unique<JSONReaderImpl>(std::move(stream), options_, stream_tracker_.get());
  SLUICE_RETURN_NOT_OK(preset ? stream_->InitWithColumns(*preset) : stream_->Init());
  if (!schema_) schema_ = stream_->schema();
  return Status::OK();
}

Status ParallelNDJSONReader::FinishRead() {
  finished_ = true;
  return rejects_->Finish(rows_);
}

}  // namespace sluice::formats::json

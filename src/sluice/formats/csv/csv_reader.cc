#include "sluice/formats/csv/csv_reader.h"

#include <algorithm>
#include <cstring>
#include <deque>
#include <unordered_set>

#include "sluice/columnar/column_builder.h"
#include "sluice/columnar/raw_bytes.h"
#include "sluice/common/thread_pool.h"
#include "sluice/formats/csv/csv_sniffer.h"
#include "sluice/formats/csv/csv_tokenizer.h"
#include "sluice/formats/parallel_block_parser.h"
#include "sluice/formats/text_type_inference.h"

namespace sluice::formats {

using columnar::BatchPtr;
using columnar::ColumnBuilder;
using columnar::DataType;
using columnar::Field;
using columnar::Schema;
using columnar::SchemaPtr;
using columnar::StringBuilder;
using columnar::TypeId;

namespace {

// A batch is flushed when its string bytes pass this size.
constexpr int64_t kMaxBatchStringBytes = 64ll << 20;

struct ColumnPlan {
  TextColumnType type;
  bool is_string = false;
  double average_bytes = 8;  // per value, from the sample (sizes string reservations)
};

struct ChunkResult {
  std::vector<BatchPtr> batches;
  std::vector<Reject> rejects;  // line = line breaks from chunk start; byte_offset block-relative
  size_t end = 0;               // start of the first row not parsed by this chunk
  bool incomplete = false;      // stopped at an incomplete row at `end`
  int64_t newlines = 0;         // line breaks in [start, end)
  int64_t rows = 0;
};

int64_t CountLineBreaks(const char* begin, const char* end, char line_break) {
  return std::count(begin, end, line_break);
}

// The index of the first field that is not valid UTF-8, or fields.size().
size_t FirstInvalidUtf8Field(const char* data, const std::vector<CSVField>& fields) {
  size_t bad = 0;
  while (bad < fields.size() && IsValidUtf8(std::string_view(data + fields[bad].begin,
                                                             fields[bad].end - fields[bad].begin)))
    ++bad;
  return bad;
}

// The column builders of one chunk and the batches cut from them. Builders are reserved for the
// rows the chunk is expected to hold (what is left of it after each batch), so they never
// reallocate mid-batch.
class ChunkColumns {
 public:
  ChunkColumns(const std::vector<ColumnPlan>& plans, SchemaPtr schema, int64_t expected_rows)
      : plans_(plans), schema_(std::move(schema)), expected_rows_(expected_rows) {
    for (const ColumnPlan& plan : plans_) {
      builders_.push_back(columnar::MakeBuilder(plan.type.type));
    }
    Reserve();
  }

  ColumnBuilder* builder(size_t column) const { return builders_[column].get(); }

  // Takes back what the first `count` columns got for a row rejected part-way.
  void UndoRow(size_t count) {
    for (size_t c = 0; c < count; ++c) builders_[c]->Truncate(rows_);
  }

  // Ends a row; a full batch (rows or string bytes) is cut into `batches`.
  void EndRow(std::vector<BatchPtr>* batches) {
    ++rows_;
    if (rows_ >= columnar::kMaxBatchRows ||
        ((rows_ & 1023) == 0 && StringBytes() > kMaxBatchStringBytes)) {
      Flush(batches);
      Reserve();
    }
  }

  // Cuts the rows so far (if any) into a batch.
  void Flush(std::vector<BatchPtr>* batches) {
    if (rows_ == 0) return;
    std::vector<columnar::ColumnPtr> built;
    for (auto& builder : builders_) built.push_back(builder->Finish());
    batches->push_back(std::make_shared<const columnar::Batch>(schema_, std::move(built), rows_));
    expected_rows_ = std::max<int64_t>(16, expected_rows_ - rows_);
    rows_ = 0;
  }

 private:
  void Reserve() {
    const int64_t rows = std::min(expected_rows_, columnar::kMaxBatchRows);
    for (size_t c = 0; c < builders_.size(); ++c) {
      builders_[c]->Reserve(rows);
      if (plans_[c].is_string) {
        static_cast<StringBuilder*>(builders_[c].get())
            ->ReserveBytes(
                std::min<int64_t>(kMaxBatchStringBytes,
                                  static_cast<int64_t>(plans_[c].average_bytes * 1.2 * rows) + 64));
      }
    }
  }

  int64_t StringBytes() const {
    int64_t total = 0;
    for (size_t c = 0; c < builders_.size(); ++c) {
      if (plans_[c].is_string) {
        total += static_cast<StringBuilder*>(builders_[c].get())->byte_size();
      }
    }
    return total;
  }

  const std::vector<ColumnPlan>& plans_;
  SchemaPtr schema_;
  std::vector<std::unique_ptr<ColumnBuilder>> builders_;
  int64_t expected_rows_;
  int64_t rows_ = 0;  // in the batch being built
};

// Blocks are parsed as shares on the process-wide pool (ParallelBlockParser): a share is a range
// of rows, cut at a line break that quote parity says is outside quotes; its seam holds when its
// last row ended exactly where the next share began.
class CSVReaderImpl final : public CSVReader, private ParallelBlockParser<ChunkResult> {
 public:
  CSVReaderImpl(std::unique_ptr<io::InputStream> input, CSVReadOptions options,
                RejectTracker* rejects)
      : input_(std::move(input)),
        options_(std::move(options)),
        rejects_(rejects),
        tokenizer_(CSVDialect{}),
        block_size_(static_cast<size_t>(std::max<int64_t>(64, options_.common.block_bytes))),
        // Free space kept before each new block so the unparsed tail of the previous block can
        // be copied in front of it without moving the block.
        headroom_(block_size_ / 8) {}

  ~CSVReaderImpl() override { prefetch_.Abandon(); }

  Status Init();

  SchemaPtr schema() const override { return schema_; }
  const CSVDialect& dialect() const override { return dialect_; }
  int64_t records_read() const override { return rows_ + rejects_->count() - rejects_before_; }

  Result<BatchPtr> Next() override {
    while (ready_.empty()) {
      if (finished_) {
        if (!finish_checked_) {
          finish_checked_ = true;
          SLUICE_RETURN_NOT_OK(rejects_->Finish(rows_));
        }
        return BatchPtr();
      }
      SLUICE_RETURN_NOT_OK(ProcessBlock());
    }
    BatchPtr batch = std::move(ready_.front());
    ready_.pop_front();
    return batch;
  }

 private:
  Status FillFirstBlock();
  void StartPrefetch();
  Status TakePrefetch();
  Status ProcessBlock();
  // ParallelBlockParser: where a row starts, one share of rows, whether a share ended at its seam.
  size_t NextRecordStart(size_t from, size_t target, size_t end) const override;
  ChunkResult ParseShare(size_t start, size_t stop, bool last) const override;
  bool SeamHolds(const ChunkResult& share, size_t stop, bool last) const override {
    return last || (!share.incomplete && share.end == stop);
  }
  // Appends one row's fields to `out`; false when a value does not convert (its column in
  // *bad_column, the reason in *message, the row's earlier values taken back).
  bool AppendRow(const char* data, const std::vector<CSVField>& fields, ChunkColumns* out,
                 std::string* scratch, size_t* bad_column, std::string* message) const;
  bool IsNullToken(std::string_view text) const {
    if (null_is_empty_only_) return text.empty();
    for (const std::string& token : options_.common.null_values) {
      if (text == token) return true;
    }
    return false;
  }
  Reject MakeReject(RejectKind kind, size_t row_start, size_t row_end, size_t problem,
                    std::string field, std::string message) const;
  std::string Raw(size_t row_start, size_t row_end) const;

  std::unique_ptr<io::InputStream> input_;
  CSVReadOptions options_;
  RejectTracker* rejects_;
  int64_t rejects_before_ = 0;
  CSVDialect dialect_;
  CSVTokenizer tokenizer_;
  SchemaPtr schema_;
  std::vector<ColumnPlan> plans_;
  size_t block_size_;
  size_t headroom_;
  bool null_is_empty_only_ = true;
  char line_break_ = '\n';

  columnar::RawBytes buffer_;  // current data: [pos_, size) is unparsed
  size_t pos_ = 0;             // next unparsed byte in buffer_
  int64_t buffer_offset_ = 0;  // input offset of buffer_[0]
  int64_t line_index_ = 0;     // 0-based line index of buffer_[pos_]
  bool at_eof_ = false;
  bool finished_ = false;
  bool finish_checked_ = false;
  ThreadPool::Future<columnar::RawBytes> prefetch_;  // the next block, read ahead on the pool
  double average_row_bytes_ = 64;

  std::deque<BatchPtr> ready_;
  int64_t rows_ = 0;
};

std::string CSVReaderImpl::Raw(size_t row_start, size_t row_end) const {
  size_t end = std::min(row_end, buffer_.size());
  while (end > row_start && (buffer_[end - 1] == '\n' || buffer_[end - 1] == '\r')) --end;
  end = std::min(end, row_start + Reject::kMaxRawBytes);
  return std::string(buffer_.data() + row_start, end - row_start);
}

Reject CSVReaderImpl::MakeReject(RejectKind kind, size_t row_start, size_t row_end, size_t problem,
                                 std::string field, std::string message) const {
  Reject reject;
  reject.file = input_->path();
  // line: filled in later from line breaks counted in the chunk (relative here).
  reject.line = 0;
  reject.byte_offset = static_cast<int64_t>(row_start);
  if (problem >= row_start) {
    const char* first_break =
        std::find(buffer_.data() + row_start, buffer_.data() + problem, line_break_);
    if (first_break == buffer_.data() + problem) {
      reject.column = static_cast<int64_t>(problem - row_start) + 1;
    }
  }
  reject.field = std::move(field);
  reject.kind = kind;
  reject.message = std::move(message);
  reject.raw = Raw(row_start, row_end);
  return reject;
}

Status CSVReaderImpl::FillFirstBlock() {
  buffer_.resize(block_size_);  // uninitialized: RawBytes does not zero
  SLUICE_ASSIGN_OR_RETURN(size_t count, input_->ReadFully(buffer_.data(), buffer_.size()));
  buffer_.resize(count);
  at_eof_ = count < block_size_;
  return Status::OK();
}

void CSVReaderImpl::StartPrefetch() {
  if (at_eof_ || prefetch_.valid()) return;
  io::InputStream* input = input_.get();
  const size_t headroom = headroom_;
  const size_t block_size = block_size_;
  // Not counted in `threads` (it waits on I/O, it does not parse); Get() reads the block in the
  // caller when no worker has started it, so a busy pool delays the read, never deadlocks it.
  prefetch_ = ThreadPool::Global().Async<columnar::RawBytes>(
      [input, headroom, block_size]() -> Result<columnar::RawBytes> {
        columnar::RawBytes block(headroom + block_size);
        SLUICE_ASSIGN_OR_RETURN(size_t count,
                                input->ReadFully(block.data() + headroom, block_size));
        block.resize(headroom + count);
        return block;
      });
}

Status CSVReaderImpl::TakePrefetch() {
  StartPrefetch();
  if (!prefetch_.valid()) return Status::OK();
  Result<columnar::RawBytes> block = prefetch_.Get();
  if (!block.ok()) return block.status();
  columnar::RawBytes next = std::move(block).ValueUnsafe();
  at_eof_ = next.size() - headroom_ < block_size_;
  // New buffer: the unparsed carry-over followed by the new block.
  const size_t carry = buffer_.size() - pos_;
  const int64_t carry_offset = buffer_offset_ + static_cast<int64_t>(pos_);
  if (carry <= headroom_) {
    std::memcpy(next.data() + headroom_ - carry, buffer_.data() + pos_, carry);
    buffer_ = std::move(next);
    pos_ = headroom_ - carry;
  } else {
    columnar::RawBytes combined(carry + next.size() - headroom_);
    std::memcpy(combined.data(), buffer_.data() + pos_, carry);
    std::memcpy(combined.data() + carry, next.data() + headroom_, next.size() - headroom_);
    buffer_ = std::move(combined);
    pos_ = 0;
  }
  buffer_offset_ = carry_offset - static_cast<int64_t>(pos_);
  return Status::OK();
}

Status CSVReaderImpl::Init() {
  rejects_before_ = rejects_->count();
  SLUICE_RETURN_NOT_OK(FillFirstBlock());
  const auto* bytes = reinterpret_cast<const unsigned char*>(buffer_.data());
  if (buffer_.size() >= 2 &&
      ((bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF))) {
    return Status::InvalidArgument(
        input_->path() +
        ":1:1: the file is UTF-16 encoded; sluice reads UTF-8 (convert it, "
        "e.g. iconv -f UTF-16 -t UTF-8)");
  }
  if (buffer_.size() >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF) pos_ = 3;

  const std::string_view sample(buffer_.data() + pos_, buffer_.size() - pos_);
  dialect_ = CSVSniffer::Sniff(sample, at_eof_, options_);
  if (dialect_.quote != '\0' && dialect_.quote == dialect_.delimiter) {
    return Status::InvalidArgument("the quote character and the delimiter must differ");
  }
  tokenizer_ = CSVTokenizer(dialect_);
  // Files with only bare CR line ends count lines by CR.
  if (std::find(sample.begin(), sample.end(), '\n') == sample.end() &&
      std::find(sample.begin(), sample.end(), '\r') != sample.end()) {
    line_break_ = '\r';
  }
  null_is_empty_only_ =
      options_.common.null_values.size() == 1 && options_.common.null_values[0].empty();

  // Header (or the first row, to count columns).
  std::vector<CSVField> fields;
  std::vector<std::string> names;
  size_t probe = pos_;
  while (probe < buffer_.size()) {
    size_t next = 0;
    size_t error = 0;
    const RowStatus status =
        tokenizer_.ParseRow(buffer_.data(), buffer_.size(), probe, at_eof_, &fields, &next, &error);
    if (status == RowStatus::kIncomplete) {
      return Status::DataError(input_->path() + ":1: the first row is longer than " +
                               std::to_string(block_size_) +
                               " bytes (the read block); is the quote character right?");
    }
    if (status != RowStatus::kOk) {
      if (dialect_.header) {
        return Status::DataError(input_->path() + ":1: the header row is malformed (" +
                                 (status == RowStatus::kUnterminatedQuote
                                      ? "unterminated quote"
                                      : "text after a closing quote") +
                                 ")");
      }
      break;
    }
    const bool blank =
        fields.size() == 1 && fields[0].begin == fields[0].end && !fields[0].quoted();
    if (fields.empty() || (blank && dialect_.header)) {  // comment line or blank line before header
      line_index_ += CountLineBreaks(buffer_.data() + probe, buffer_.data() + next, line_break_);
      probe = next;
      if (dialect_.header) pos_ = probe;
      continue;
    }
    for (size_t i = 0; i < fields.size(); ++i) {
      names.push_back(dialect_.header ? tokenizer_.UnescapeToString(buffer_.data(), fields[i])
                                      : "");
    }
    if (dialect_.header) {
      line_index_ += CountLineBreaks(buffer_.data() + probe, buffer_.data() + next, line_break_);
      pos_ = next;
    }
    break;
  }
  // Column names: empty → columnN; duplicates get _1, _2, ...
  std::unordered_set<std::string> used;
  for (size_t i = 0; i < names.size(); ++i) {
    if (names[i].empty()) names[i] = "column" + std::to_string(i);
    std::string name = names[i];
    for (int suffix = 1; used.count(name) != 0; ++suffix)
      name = names[i] + "_" + std::to_string(suffix);
    names[i] = name;
    used.insert(name);
  }

  // Type inference over the sample rows of the first block.
  const size_t columns = names.size();
  std::vector<TextTypeInference> inference(columns);
  plans_.resize(columns);
  if (options_.common.infer_types) {
    size_t scan = pos_;
    int64_t sampled = 0;
    std::string scratch;
    std::vector<double> column_bytes(columns, 0);
    const size_t sample_start = scan;
    while (scan < buffer_.size() && sampled < options_.common.sample_records) {
      size_t next = 0;
      size_t error = 0;
      const RowStatus status = tokenizer_.ParseRow(buffer_.data(), buffer_.size(), scan, at_eof_,
                                                   &fields, &next, &error);
      if (status == RowStatus::kIncomplete) break;
      if (status == RowStatus::kUnterminatedQuote) break;
      if (next <= scan) break;
      scan = next;
      if (status != RowStatus::kOk || fields.size() != columns) continue;
      ++sampled;
      for (size_t c = 0; c < columns; ++c) {
        const CSVField& field = fields[c];
        column_bytes[c] += field.end - field.begin;
        std::string_view text(buffer_.data() + field.begin, field.end - field.begin);
        if (field.escaped()) {
          scratch = tokenizer_.UnescapeToString(buffer_.data(), field);
          text = scratch;
        }
        if (text.empty() || (!field.quoted() && IsNullToken(text))) continue;
        inference[c].Observe(text);
      }
    }
    if (sampled > 0) {
      average_row_bytes_ = std::max(1.0, static_cast<double>(scan - sample_start) / sampled);
      for (size_t c = 0; c < columns; ++c) {
        plans_[c].average_bytes = column_bytes[c] / sampled;
      }
    }
  }
  std::vector<Field> schema_fields;
  plans_.resize(columns);
  for (size_t c = 0; c < columns; ++c) {
    plans_[c].type = options_.common.infer_types ? inference[c].Result() : TextColumnType{};
  }
  for (const auto& [name, type] : options_.common.column_types) {
    auto it = std::find(names.begin(), names.end(), name);
    if (it == names.end()) {
      std::string known;
      for (size_t i = 0; i < names.size() && i < 20; ++i) known += (i ? ", " : "") + names[i];
      return Status::InvalidArgument(input_->path() + ": column '" + name +
                                     "' given in the schema is not in the file (columns: " + known +
                                     ")");
    }
    TextColumnType& plan = plans_[static_cast<size_t>(it - names.begin())].type;
    plan.type = type;
    // Keep an inferred date order for explicitly typed temporal columns.
  }
  for (size_t c = 0; c < columns; ++c) {
    plans_[c].is_string = plans_[c].type.type.is_binary_like();
    schema_fields.push_back(Field{names[c], plans_[c].type.type, true});
  }
  schema_ = std::make_shared<const Schema>(std::move(schema_fields));
  return Status::OK();
}

size_t CSVReaderImpl::NextRecordStart(size_t from, size_t target, size_t end) const {
  const char* data = buffer_.data();
  bool in_quotes = false;
  if (dialect_.quote != '\0') {
    in_quotes = (std::count(data + from, data + target, dialect_.quote) & 1) != 0;
  }
  for (size_t p = target; p < end; ++p) {
    const char c = data[p];
    if (c == dialect_.quote && dialect_.quote != '\0') {
      in_quotes = !in_quotes;
    } else if (c == '\n' && !in_quotes) {
      return p + 1;
    }
  }
  return end;
}

bool CSVReaderImpl::AppendRow(const char* data, const std::vector<CSVField>& fields,
                              ChunkColumns* out, std::string* scratch, size_t* bad_column,
                              std::string* message) const {
  const size_t columns = plans_.size();
  for (size_t c = 0; c < columns; ++c) {
    const CSVField& field = fields[c];
    ColumnBuilder* builder = out->builder(c);
    const size_t length = field.end - field.begin;
    if (plans_[c].is_string) {
      auto* strings = static_cast<StringBuilder*>(builder);
      if (!field.quoted() && IsNullToken(std::string_view(data + field.begin, length))) {
        strings->AppendNull();
      } else if (field.escaped()) {
        char* value = strings->ExtendValue(length);
        const size_t written = tokenizer_.Unescape(data, field, value);
        strings->ShrinkValue(length - written);
        strings->EndValue();
      } else {
        strings->Append(std::string_view(data + field.begin, length));
      }
      continue;
    }
    std::string_view text(data + field.begin, length);
    if (field.escaped()) {
      *scratch = tokenizer_.UnescapeToString(data, field);
      text = *scratch;
    }
    if (text.empty() || (!field.quoted() && IsNullToken(text))) {
      builder->AppendNull();
      continue;
    }
    const ConvertError conversion = AppendText(text, plans_[c].type, builder);
    if (conversion != ConvertError::kOk) {
      out->UndoRow(c);
      *bad_column = c;
      *message = ConvertErrorMessage(conversion, text, plans_[c].type.type);
      return false;
    }
  }
  return true;
}

ChunkResult CSVReaderImpl::ParseShare(size_t start, size_t stop, bool last) const {
  ChunkResult result;
  const char* data = buffer_.data();
  const size_t size = buffer_.size();
  const bool at_end = last && at_eof_;
  const size_t columns = plans_.size();
  const bool validate_rows = !IsValidUtf8(std::string_view(data + start, stop - start));
  // Reserve for the rows this chunk is expected to hold, so builders never reallocate mid-batch.
  const size_t chunk_bytes = (last ? size : stop) - start;
  ChunkColumns out(
      plans_, schema_,
      static_cast<int64_t>(static_cast<double>(chunk_bytes) / average_row_bytes_ * 1.1) + 16);

  std::vector<CSVField> fields;
  std::string scratch;
  std::string message;  // why a value did not convert
  size_t bad_column = 0;
  size_t pos = start;
  int64_t line_base = 0;  // line breaks in [start, line_pos)
  size_t line_pos = start;
  auto line_of = [&](size_t offset) {
    line_base += CountLineBreaks(data + line_pos, data + offset, line_break_);
    line_pos = offset;
    return line_base;
  };
  auto reject = [&](RejectKind kind, size_t row_start, size_t row_end, size_t problem,
                    std::string field, std::string message) {
    Reject r = MakeReject(kind, row_start, row_end, problem, std::move(field), std::move(message));
    r.line = line_of(row_start);
    result.rejects.push_back(std::move(r));
  };

  while (last ? pos < size : pos < stop) {
    size_t next = 0;
    size_t error = 0;
    const RowStatus status = tokenizer_.ParseRow(data, size, pos, at_end, &fields, &next, &error);
    if (status == RowStatus::kIncomplete) {
      result.incomplete = true;
      break;
    }
    if (status == RowStatus::kUnterminatedQuote) {
      const size_t resume = tokenizer_.SkipLine(data, size, pos);
      reject(RejectKind::kUnterminatedQuote, pos, resume, pos, "",
             "quoted field is not closed before the end of the input");
      pos = resume;
      continue;
    }
    if (status == RowStatus::kUnexpectedQuote) {
      reject(
          RejectKind::kUnexpectedQuote, pos, next, error, "",
          "unexpected text after a closing quote (a quote inside a quoted field must be doubled)");
      pos = next;
      continue;
    }
    const size_t row_start = pos;
    pos = next;
    if (fields.empty()) continue;  // comment line
    if (fields.size() == 1 && columns > 1 && fields[0].begin == fields[0].end &&
        !fields[0].quoted()) {
      continue;  // blank line
    }
    if (fields.size() != columns) {
      reject(RejectKind::kFieldCount, row_start, next, row_start, "",
             "expected " + std::to_string(columns) + " fields, found " +
                 std::to_string(fields.size()));
      continue;
    }
    if ((validate_rows || next > stop) &&
        !IsValidUtf8(std::string_view(data + row_start, next - row_start))) {
      const size_t bad = FirstInvalidUtf8Field(data, fields);
      reject(RejectKind::kInvalidUtf8, row_start, next,
             bad < columns ? fields[bad].begin : row_start,
             bad < columns ? schema_->field(bad).name : "",
             "invalid UTF-8 (is the file in another encoding?)");
      continue;
    }
    if (!AppendRow(data, fields, &out, &scratch, &bad_column, &message)) {
      reject(RejectKind::kCastError, row_start, next, fields[bad_column].begin,
             schema_->field(bad_column).name, std::move(message));
      continue;
    }
    ++result.rows;
    out.EndRow(&result.batches);
  }
  out.Flush(&result.batches);
  result.end = pos;
  result.newlines = line_of(pos);
  return result;
}

Status CSVReaderImpl::ProcessBlock() {
  StartPrefetch();
  const size_t size = buffer_.size();
  Block block = ParseBlock(pos_, size, std::max(1, options_.common.threads), block_size_);
  std::vector<ChunkResult>& results = block.shares;
  if (block.held < results.size()) {
    // A share did not end where the next began: the split was wrong (a quote we could not see).
    // Its rows are right up to where it ended; the rest is parsed again from there.
    const size_t resume = results[block.held].end;
    results.resize(block.held + 1);
    results.back().incomplete = false;
    results.push_back(ParseShare(resume, size, true));
  }

  // Deliver rejects and batches in input order.
  for (ChunkResult& chunk : results) {
    for (Reject& reject : chunk.rejects) {
      reject.line = line_index_ + reject.line + 1;
      reject.byte_offset += buffer_offset_;
      SLUICE_RETURN_NOT_OK(rejects_->Add(std::move(reject)));
    }
    for (BatchPtr& batch : chunk.batches) ready_.push_back(std::move(batch));
    rows_ += chunk.rows;
    line_index_ += chunk.newlines;
  }
  pos_ = results.back().end;

  // An incomplete row that is already too long: reject its first line and resynchronize.
  if (results.back().incomplete &&
      size - pos_ > static_cast<size_t>(options_.common.max_record_bytes)) {
    const size_t resume = tokenizer_.SkipLine(buffer_.data(), size, pos_);
    Reject reject =
        MakeReject(RejectKind::kRecordTooLarge, pos_, resume, pos_, "",
                   "record longer than " + std::to_string(options_.common.max_record_bytes) +
                       " bytes (an unterminated quote?)");
    reject.line = line_index_ + 1;
    reject.byte_offset += buffer_offset_;
    SLUICE_RETURN_NOT_OK(rejects_->Add(std::move(reject)));
    line_index_ += CountLineBreaks(buffer_.data() + pos_, buffer_.data() + resume, line_break_);
    pos_ = resume;
  }

  if (at_eof_ && pos_ >= buffer_.size()) {
    finished_ = true;
    return Status::OK();
  }
  if (at_eof_) {
    // Everything left at end of input was parsed with at_end=true, so pos_ reached the end.
    return Status::Internal(input_->path() + ": CSV reader stopped before the end of the input");
  }
  return TakePrefetch();
}

}  // namespace

Result<std::unique_ptr<CSVReader>> CSVReader::Open(std::unique_ptr<io::InputStream> input,
                                                   CSVReadOptions options, RejectTracker* rejects) {
  auto reader = std::make_unique<CSVReaderImpl>(std::move(input), std::move(options), rejects);
  SLUICE_RETURN_NOT_OK(reader->Init());
  return std::unique_ptr<CSVReader>(std::move(reader));
}

}  // namespace sluice::formats

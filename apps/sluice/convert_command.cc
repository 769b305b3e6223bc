// sluice convert: rewrite CSV, NDJSON and Parquet files as Parquet, CSV, NDJSON or a Delta table.
//
// The output is written to OUT.tmp-<pid> and renamed over OUT only when every input was read
// within the reject limit, so a failed conversion never leaves a partial file behind.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

#include "commands.h"
#include "exit_codes.h"
#include "read_flags.h"
#include "sluice/columnar/column_builder.h"
#include "sluice/formats/csv/csv_writer.h"
#include "sluice/formats/ndjson_writer.h"
#include "sluice/formats/parquet/parquet_reader.h"
#include "sluice/formats/parquet/parquet_writer.h"
#include "sluice/io/file_system.h"
#include "sluice/lake/delta_table.h"

namespace sluice::cli {

namespace {

struct ConvertFlags {
  ReadFlags read;  // read.paths holds IN... OUT
  std::string to;
  std::string compression = "snappy";
  int compression_level = 0;
  std::string row_group_size = "128MiB";
  bool quiet = false;
  // Delta table output.
  std::string mode;
  std::string partition_by;
  std::string target_file_size = "256MiB";
  std::vector<std::string> properties;  // KEY=VALUE, for a new table
};

Result<std::string> OutputFormat(const ConvertFlags& flags, const std::string& out) {
  if (!flags.to.empty()) return flags.to;
  auto format = formats::FileFormatFromPath(out);
  if (!format.ok()) {
    return Status::InvalidArgument(out +
                                   ": cannot tell the output format from the name; give --to "
                                   "parquet, csv or ndjson");
  }
  switch (*format) {
    case formats::FileFormat::kParquet:
      return std::string("parquet");
    case formats::FileFormat::kCSV:
      return std::string("csv");
    case formats::FileFormat::kJSON:
      return std::string("ndjson");
  }
  return std::string("parquet");
}

// Writes batches to one output in the chosen format.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual Status Write(const columnar::Batch& batch) = 0;
  virtual Status Close() = 0;
};

// Writes Parquet. Inputs whose columns differ (a JSON key first seen late, CSV files with extra
// columns) are handled by name: when a batch brings new columns, the part written so far is
// closed and a new part with the wider schema begins; at the end the parts are merged into one
// file, earlier rows getting nulls in the new columns. A column whose type differs between inputs
// is an error (give the type with --schema).
class ParquetSink final : public Sink {
 public:
  ParquetSink(std::string path, parquet::ParquetWriteOptions options)
      : path_(std::move(path)), options_(std::move(options)) {}
  ~ParquetSink() override {
    std::error_code ignored;
    for (const std::string& part : parts_) std::filesystem::remove(part, ignored);
  }

  Status Write(const columnar::Batch& batch) override {
    if (!writer_) SLUICE_RETURN_NOT_OK(StartPart(batch.schema()));
    if (*batch.schema() == *writer_->schema()) return writer_->Write(batch);
    SLUICE_ASSIGN_OR_RETURN(columnar::SchemaPtr merged, Merge(*writer_->schema(), *batch.schema()));
    if (!(*merged == *writer_->schema())) {
      SLUICE_ASSIGN_OR_RETURN(auto summary, writer_->Close());
      (void)summary;
      writer_.reset();
      SLUICE_RETURN_NOT_OK(StartPart(merged));
    }
    SLUICE_ASSIGN_OR_RETURN(columnar::BatchPtr conformed, Conform(batch, merged));
    return writer_->Write(*conformed);
  }
  void SetSchema(const columnar::SchemaPtr& schema) {
    if (!schema_) schema_ = schema;
  }
  Status Close() override {
    if (!writer_) {
      // No batch at all: still a valid (empty) file with the first input's schema.
      if (!schema_ || schema_->num_fields() == 0) {
        return Status::InvalidArgument("no columns to write: the inputs are empty");
      }
      SLUICE_RETURN_NOT_OK(StartPart(schema_));
    }
    const columnar::SchemaPtr schema = writer_->schema();
    SLUICE_ASSIGN_OR_RETURN(summary_, writer_->Close());
    writer_.reset();
    std::error_code error;
    if (parts_.size() == 1) {
      std::filesystem::rename(parts_[0], path_, error);
      if (error) return Status::IOError(path_ + ": " + error.message());
      parts_.clear();
      return Status::OK();
    }
    // Merge the parts into one file with the final (widest) schema.
    SLUICE_ASSIGN_OR_RETURN(auto out, io::OpenOutputFile(path_, io::FileOutputOptions{true}));
    SLUICE_ASSIGN_OR_RETURN(auto merged,
                            parquet::ParquetWriter::Open(std::move(out), schema, options_));
    parquet::ParquetReadOptions read;
    read.threads = options_.threads;
    for (const std::string& part : parts_) {
      SLUICE_ASSIGN_OR_RETURN(auto reader, parquet::ParquetReader::Open(part, read));
      while (true) {
        SLUICE_ASSIGN_OR_RETURN(columnar::BatchPtr batch, reader->Next());
        if (!batch) break;
        SLUICE_ASSIGN_OR_RETURN(columnar::BatchPtr conformed, Conform(*batch, schema));
        SLUICE_RETURN_NOT_OK(merged->Write(*conformed));
      }
      std::filesystem::remove(part, error);
    }
    parts_.clear();
    SLUICE_ASSIGN_OR_RETURN(summary_, merged->Close());
    return Status::OK();
  }
  const parquet::ParquetWriteSummary& summary() const { return summary_; }

 private:
  Status StartPart(const columnar::SchemaPtr& schema) {
    parts_.push_back(path_ + ".part" + std::to_string(parts_.size()));
    SLUICE_ASSIGN_OR_RETURN(auto out, io::OpenOutputFile(parts_.back(), io::FileOutputOptions{}));
    SLUICE_ASSIGN_OR_RETURN(writer_,
                            parquet::ParquetWriter::Open(std::move(out), schema, options_));
    return Status::OK();
  }

  // The columns of `a`, then those of `b` that `a` lacks (all nullable).
  static Result<columnar::SchemaPtr> Merge(const columnar::Schema& a, const columnar::Schema& b) {
    std::vector<columnar::Field> fields = a.fields();
    for (const columnar::Field& field : b.fields()) {
      const std::optional<size_t> index = a.FieldIndex(field.name);
      if (!index) {
        columnar::Field added = field;
        added.nullable = true;
        fields.push_back(std::move(added));
      } else if (!(a.field(*index).type == field.type)) {
        return TypeConflict(field.name, a.field(*index).type, field.type);
      } else if (field.nullable && !a.field(*index).nullable) {
        fields[*index].nullable = true;
      }
    }
    return std::make_shared<const columnar::Schema>(std::move(fields));
  }

  // `batch` with the columns of `schema` by name; columns it lacks are all null.
  static Result<columnar::BatchPtr> Conform(const columnar::Batch& batch,
                                            const columnar::SchemaPtr& schema) {
    std::vector<columnar::ColumnPtr> columns;
    for (const columnar::Field& field : schema->fields()) {
      const std::optional<size_t> index = batch.schema()->FieldIndex(field.name);
      if (index) {
        const columnar::DataType& type = batch.schema()->field(*index).type;
        if (!(type == field.type)) return TypeConflict(field.name, field.type, type);
        columns.push_back(batch.columns()[*index]);
        continue;
      }
      auto builder = columnar::MakeBuilder(field.type);
      for (int64_t row = 0; row < batch.num_rows(); ++row) builder->AppendNull();
      columns.push_back(builder->Finish());
    }
    return std::make_shared<const columnar::Batch>(schema, std::move(columns), batch.num_rows());
  }

  static Status TypeConflict(const std::string& name, const columnar::DataType& first,
                             const columnar::DataType& later) {
    return Status::SchemaMismatch("column '" + name + "' is " + first.ToString() +
                                  " in earlier rows but " + later.ToString() +
                                  " later; give its type with --schema '" + name + ":TYPE'");
  }

  std::string path_;
  parquet::ParquetWriteOptions options_;
  columnar::SchemaPtr schema_;
  std::vector<std::string> parts_;
  std::unique_ptr<parquet::ParquetWriter> writer_;
  parquet::ParquetWriteSummary summary_;
};

class TextSink final : public Sink {
 public:
  TextSink(const std::string& path, bool csv) : path_(path), out_(path, std::ios::trunc) {
    if (csv) {
      csv_ = std::make_unique<formats::CSVWriter>(out_);
    } else {
      ndjson_ = std::make_unique<formats::NDJSONWriter>(out_);
    }
  }
  bool ok() const { return static_cast<bool>(out_); }
  Status Write(const columnar::Batch& batch) override {
    if (csv_) {
      csv_->Write(batch);
    } else {
      ndjson_->Write(batch);
    }
    if (!out_) return Status::IOError(path_ + ": write failed");
    return Status::OK();
  }
  Status Close() override {
    out_.close();
    if (!out_) return Status::IOError(path_ + ": write failed");
    return Status::OK();
  }

 private:
  std::string path_;
  std::ofstream out_;
  std::unique_ptr<formats::CSVWriter> csv_;
  std::unique_ptr<formats::NDJSONWriter> ndjson_;
};

bool WritesTable(const ConvertFlags& flags, const std::string& out) {
  std::error_code ignored;
  return flags.to == "delta" || !flags.mode.empty() || !flags.partition_by.empty() ||
         !flags.properties.empty() || out.ends_with("/") || io::UriScheme(out) == "s3" ||
         std::filesystem::is_directory(out, ignored);
}

// Writes the inputs into a Delta table at `out` (created when absent) as one commit.
Status RunConvertToTable(const ConvertFlags& flags, const std::string& out,
                         parquet::ParquetWriteOptions parquet_options, const GlobalFlags& global) {
  const auto start = std::chrono::steady_clock::now();
  lake::TableWriteOptions options;
  const std::string mode = flags.mode.empty() ? "append" : flags.mode;
  options.mode = mode == "overwrite" ? lake::WriteMode::kOverwrite
                 : mode == "create"  ? lake::WriteMode::kCreate
                                     : lake::WriteMode::kAppend;
  options.partition_by = SplitList(flags.partition_by);
  options.files.parquet = std::move(parquet_options);
  SLUICE_ASSIGN_OR_RETURN(options.files.target_file_bytes,
                          ParseByteSize(flags.target_file_size, "--target-file-size"));
  SLUICE_ASSIGN_OR_RETURN(options.configuration, ParseProperties(flags.properties, "--property"));
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<lake::DeltaTable> table, lake::DeltaTable::Open(out));
  SLUICE_ASSIGN_OR_RETURN(lake::SnapshotPtr snapshot, table->log()->Load());
  if (snapshot->exists() && !options.configuration.empty()) {
    return Status::InvalidArgument(out +
                                   " exists: --property applies to a new table; change an "
                                   "existing one with: sluice table properties " +
                                   out + " KEY=VALUE");
  }
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<ReadSession> session,
                          ReadSession::Make(flags.read, global.threads));
  if (snapshot->exists() && options.mode == lake::WriteMode::kAppend) {
    // Text inputs are read with the table's types, so a value that does not fit is a reject
    // rather than a type conflict.
    std::vector<std::pair<std::string, columnar::DataType>> hints;
    for (const columnar::Field& field : snapshot->schema->fields()) {
      hints.emplace_back(field.name, field.type);
    }
    session->SetColumnTypeHints(std::move(hints));
  }
  // Every input is opened first: the table's input schema is the union of their columns.
  std::vector<std::unique_ptr<formats::RecordReader>> readers;
  std::vector<columnar::Field> fields;
  while (true) {
    SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<formats::RecordReader> reader, session->OpenNext());
    if (!reader) break;
    for (const columnar::Field& field : reader->schema()->fields()) {
      auto same = std::find_if(fields.begin(), fields.end(),
                               [&](const columnar::Field& f) { return f.name == field.name; });
      if (same == fields.end()) {
        fields.push_back(field);
        if (!readers.empty()) fields.back().nullable = true;
      } else if (!(same->type == field.type)) {
        return Status::SchemaMismatch(
            flags.read.paths[readers.size()] + ": column " + field.name + " is " +
            field.type.ToString() + " here but " + same->type.ToString() +
            " in an earlier input; give its type with --schema '" + field.name + ":<type>'");
      }
    }
    readers.push_back(std::move(reader));
  }
  const auto input_schema = std::make_shared<const columnar::Schema>(std::move(fields));
  size_t current = 0;
  int64_t rows_read = 0;
  lake::BatchSource source = [&]() -> Result<columnar::BatchPtr> {
    while (current < readers.size()) {
      SLUICE_ASSIGN_OR_RETURN(columnar::BatchPtr batch, readers[current]->Next());
      if (batch != nullptr) {
        rows_read += batch->num_rows();
        return batch;
      }
      readers[current].reset();
      ++current;
    }
    return columnar::BatchPtr();
  };
  Result<lake::WriteResult> written = table->Write(input_schema, source, options);
  session->ReportRejects();
  if (!written.ok()) return written.status();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!flags.quiet) {
    const int64_t rejected = session->tracker().count();
    char elapsed[32];
    std::snprintf(elapsed, sizeof(elapsed), "%.2f s", seconds);
    if (written->commit.already_committed) {
      std::cerr << "sluice: " << out << ": this batch was already committed; nothing written\n";
    } else {
      std::cerr << "sluice: read " << rows_read + rejected << " rows from " << readers.size()
                << (readers.size() == 1 ? " file" : " files") << ", wrote " << written->rows
                << " rows, rejected " << rejected << " → " << out << " (delta version "
                << written->commit.version << (written->created ? ", created" : "") << ", " << mode
                << ", +" << written->files_added
                << (written->files_added == 1 ? " file" : " files");
      if (written->files_removed > 0) std::cerr << ", -" << written->files_removed << " files";
      std::cerr << ", " << Megabytes(written->bytes_added) << ") in " << elapsed << '\n';
      for (const std::string& column : written->new_columns) {
        std::cerr << "sluice: added column " << column << " to the table\n";
      }
    }
  }
  return Status::OK();
}

Status RunConvert(ConvertFlags flags, const GlobalFlags& global) {
  if (flags.read.paths.size() < 2) {
    return Status::InvalidArgument(
        "convert needs at least one input and an output: "
        "sluice convert IN... OUT");
  }
  const std::string out = flags.read.paths.back();
  flags.read.paths.pop_back();
  for (const std::string& in : flags.read.paths) {
    if (in == out) return Status::InvalidArgument(out + ": the output is also an input");
  }
  const bool to_table = WritesTable(flags, out);
  if (!to_table && !flags.mode.empty()) {
    return Status::InvalidArgument("--mode applies to Delta table outputs only");
  }
  const std::string format = to_table ? "delta" : "";
  parquet::ParquetWriteOptions options;
  SLUICE_ASSIGN_OR_RETURN(options.codec, io::ParseCodec(flags.compression));
  options.compression_level = flags.compression_level;
  SLUICE_ASSIGN_OR_RETURN(options.row_group_bytes,
                          ParseByteSize(flags.row_group_size, "--row-group-size"));
  options.threads = global.threads;
  if (to_table) return RunConvertToTable(flags, out, std::move(options), global);
  SLUICE_ASSIGN_OR_RETURN(const std::string file_format, OutputFormat(flags, out));

  const auto start = std::chrono::steady_clock::now();
  SLUICE_ASSIGN_OR_RETURN(std::unique_ptr<ReadSession> session,
                          ReadSession::Make(flags.read, global.threads));
  const std::string temporary = out + ".tmp-" + std::to_string(::getpid());
  std::unique_ptr<Sink> sink;
  ParquetSink* parquet_sink = nullptr;
  if (file_format == "parquet") {
    auto owned = std::make_unique<ParquetSink>(temporary, options);
    parquet_sink = owned.get();
    sink = std::move(owned);
  } else {
    auto text = std::make_unique<TextSink>(temporary, file_format == "csv");
    if (!text->ok()) return Status::IOError(out + ": cannot create");
    sink = std::move(text);
  }
  int64_t rows = 0;
  int64_t inputs = 0;
  Status status;
  while (status.ok()) {
    auto opened = session->OpenNext();
    if (!opened.ok()) {
      status = opened.status();
      break;
    }
    std::unique_ptr<formats::RecordReader> reader = std::move(opened).ValueUnsafe();
    if (!reader) break;
    ++inputs;
    if (parquet_sink) parquet_sink->SetSchema(reader->schema());
    while (true) {
      auto batch = reader->Next();
      if (!batch.ok()) {
        status = batch.status();
        break;
      }
      if (*batch == nullptr) break;
      status = sink->Write(**batch);
      if (!status.ok()) break;
      rows += (*batch)->num_rows();
    }
  }
  if (status.ok()) status = sink->Close();
  session->ReportRejects();
  std::error_code ignored;
  if (!status.ok()) {
    sink.reset();
    std::filesystem::remove(temporary, ignored);
    return status;
  }
  std::filesystem::rename(temporary, out, ignored);
  if (ignored) {
    std::filesystem::remove(temporary, ignored);
    return Status::IOError(out + ": cannot move the finished file into place");
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!flags.quiet) {
    const int64_t rejected = session->tracker().count();
    std::uintmax_t size = std::filesystem::file_size(out, ignored);
    std::cerr << "sluice: read " << rows + rejected << " rows from " << inputs
              << (inputs == 1 ? " file" : " files") << ", wrote " << rows << " rows, rejected "
              << rejected << " → " << out << " (" << file_format;
    if (parquet_sink) {
      std::cerr << ", " << io::CodecName(options.codec) << ", "
                << parquet_sink->summary().row_groups
                << (parquet_sink->summary().row_groups == 1 ? " row group" : " row groups");
    }
    char elapsed[32];
    std::snprintf(elapsed, sizeof(elapsed), "%.2f s", seconds);
    std::cerr << ", " << Megabytes(static_cast<int64_t>(size)) << ") in " << elapsed << '\n';
  }
  return Status::OK();
}

}  // namespace

void RegisterConvert(CLI::App* app, const GlobalFlags* global, int* exit_code) {
  auto flags = std::make_shared<ConvertFlags>();
  CLI::App* command = app->add_subcommand(
      "convert", "Convert CSV, NDJSON and Parquet files to Parquet, CSV, NDJSON or a Delta table");
  command->footer(
      "The output format comes from --to or OUT's extension (.parquet, .csv, .ndjson). Rejected\n"
      "records follow --on-error/--max-rejects/--rejects as in 'sluice cat'; the output appears\n"
      "only when the whole conversion succeeded.\n\n"
      "Examples:\n"
      "  sluice convert orders.csv orders.parquet\n"
      "  sluice convert day1.csv day2.csv all.parquet --compression zstd --row-group-size 64MiB\n"
      "  sluice convert events.ndjson.gz events.parquet --schema 'ts:timestamp' --rejects "
      "bad.ndjson\n"
      "  sluice convert orders.parquet orders.csv\n"
      "  sluice convert day1.csv lake/orders/ --partition-by order_date     (a Delta table)\n"
      "  sluice convert day2.csv lake/orders --mode append\n"
      "  sluice convert day3.csv s3://analytics/lake/orders --mode append   (an s3:// path is\n"
      "      always a Delta table)\n");
  flags->read.Register(command);
  command->get_option("PATH")->description(
      "Input files, then the output file: IN... OUT (inputs .csv .tsv .json .ndjson .jsonl "
      ".parquet, optionally .gz/.zst)");
  command
      ->add_option("--to", flags->to,
                   "Output format: parquet, csv, ndjson or delta (default: from OUT; a directory "
                   "or a path ending in / is a Delta table)")
      ->check(CLI::IsMember({"parquet", "csv", "ndjson", "delta"}));
  command
      ->add_option("--mode", flags->mode,
                   "Delta table output: append (default; creates the table when absent), "
                   "overwrite, or create (fails when the table exists)")
      ->check(CLI::IsMember({"append", "overwrite", "create"}));
  command->add_option("--partition-by", flags->partition_by,
                      "Delta table output: partition a new table by these columns, e.g. "
                      "'order_date' (Hive-style col=value/ folders)");
  command->add_option("--target-file-size", flags->target_file_size,
                      "Delta table output: in-memory bytes per data file before the next one "
                      "starts (default: 256MiB, about 60-120 MB of Parquet)");
  command->add_option("--property", flags->properties,
                      "Delta table output: a property of the new table, KEY=VALUE (repeatable), "
                      "e.g. delta.enableDeletionVectors=true");
  command->add_option("--compression", flags->compression,
                      "Parquet compression: snappy (default), zstd, gzip, lz4_raw, brotli or none");
  command->add_option("--compression-level", flags->compression_level,
                      "Codec level (zstd 1-22, gzip 1-9, brotli 0-11; default: the codec's)");
  command->add_option("--row-group-size", flags->row_group_size,
                      "Target uncompressed bytes per Parquet row group (default: 128MiB)");
  command->add_flag("--quiet", flags->quiet, "Do not print the summary line");
  command->callback([flags, global, exit_code]() {
    const Status status = RunConvert(*flags, *global);
    *exit_code = status.ok() ? kExitOk : ReportError(status);
  });
}

}  // namespace sluice::cli

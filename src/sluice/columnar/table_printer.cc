#include "sluice/columnar/table_printer.h"

#include <algorithm>

#include "sluice/columnar/value_formatter.h"

namespace sluice::columnar {

size_t DisplayWidth(std::string_view text) {
  size_t width = 0;
  for (char c : text) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++width;
  }
  return width;
}

namespace {

bool IsNumeric(TypeId id) {
  return id == TypeId::kInt32 || id == TypeId::kInt64 || id == TypeId::kFloat64 ||
         id == TypeId::kDecimal;
}

// Cuts `text` to at most `width` display columns, ending with "…" when cut.
std::string Fit(const std::string& text, size_t width) {
  if (DisplayWidth(text) <= width) return text;
  std::string out;
  size_t used = 0;
  for (size_t i = 0; i < text.size();) {
    size_t length = 1;
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead >= 0xF0) {
      length = 4;
    } else if (lead >= 0xE0) {
      length = 3;
    } else if (lead >= 0xC0) {
      length = 2;
    }
    if (used + 1 >= width) break;
    out.append(text, i, length);
    i += length;
    ++used;
  }
  out += "…";
  return out;
}

}  // namespace

void TablePrinter::SetSchema(SchemaPtr schema) {
  if (!schema_) schema_ = std::move(schema);
}

std::string TablePrinter::Cell(const Column& column, int64_t row) const {
  if (column.IsNull(row)) return "NULL";
  std::string raw;
  AppendValue(column, row, ValueStyle::kDisplay, &raw);
  if (column.type().id() != TypeId::kString && column.type().id() != TypeId::kJson) return raw;
  std::string out;
  for (char c : raw) {
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "?";
        } else {
          out.push_back(c);
        }
    }
  }
  return out;
}

void TablePrinter::Begin(const Batch* batch) {
  const Schema& schema = *schema_;
  const size_t columns = schema.num_fields();
  widths_.assign(columns, 1);
  right_align_.assign(columns, false);
  for (size_t c = 0; c < columns; ++c) {
    const Field& field = schema.field(c);
    widths_[c] = std::max({widths_[c], DisplayWidth(field.name), field.type.ToString().size()});
    right_align_[c] = IsNumeric(field.type.id());
    if (batch != nullptr) {
      const int64_t sample = std::min<int64_t>(batch->num_rows(), 1000);
      for (int64_t r = 0; r < sample; ++r) {
        widths_[c] = std::max(widths_[c], DisplayWidth(Cell(batch->column(c), r)));
      }
    }
    widths_[c] = std::min(widths_[c], options_.max_column_width);
  }
  PrintBorder("┌", "┬", "┐");
  std::vector<std::string> names;
  std::vector<std::string> types;
  for (const Field& field : schema.fields()) {
    names.push_back(field.name);
    types.push_back(field.type.ToString());
  }
  const std::vector<bool> left(columns, false);
  PrintCells(names, left);
  PrintCells(types, left);
  PrintBorder("├", "┼", "┤");
  open_ = true;
}

void TablePrinter::PrintBorder(const char* left, const char* middle, const char* right) {
  std::string line = left;
  for (size_t c = 0; c < widths_.size(); ++c) {
    if (c > 0) line += middle;
    for (size_t k = 0; k < widths_[c] + 2; ++k) line += "─";
  }
  line += right;
  out_ << line << '\n';
}

void TablePrinter::PrintCells(const std::vector<std::string>& cells,
                              const std::vector<bool>& right_align) {
  std::string line = "│";
  for (size_t c = 0; c < cells.size(); ++c) {
    const std::string text = Fit(cells[c], widths_[c]);
    const size_t pad = widths_[c] - std::min(widths_[c], DisplayWidth(text));
    line += ' ';
    if (right_align[c]) line.append(pad, ' ');
    line += text;
    if (!right_align[c]) line.append(pad, ' ');
    line += " │";
  }
  out_ << line << '\n';
}

void TablePrinter::Print(const Batch& batch, int64_t max_rows) {
  if (open_ && *schema_ != *batch.schema()) {
    PrintBorder("└", "┴", "┘");
    open_ = false;
  }
  if (!open_) {
    schema_ = batch.schema();
    Begin(&batch);
  }
  const int64_t rows = max_rows < 0 ? batch.num_rows() : std::min(max_rows, batch.num_rows());
  std::vector<std::string> cells(batch.num_columns());
  for (int64_t r = 0; r < rows; ++r) {
    for (size_t c = 0; c < batch.num_columns(); ++c) cells[c] = Cell(batch.column(c), r);
    PrintCells(cells, right_align_);
  }
  rows_printed_ += rows;
}

void TablePrinter::Finish() {
  if (!open_ && schema_) Begin(nullptr);
  if (open_) PrintBorder("└", "┴", "┘");
  open_ = false;
  if (!options_.count_noun.empty()) {
    // "1 row", "2 rows": the singular drops the noun's final s.
    const std::string& noun = options_.count_noun;
    out_ << rows_printed_ << ' '
         << (rows_printed_ == 1 && noun.ends_with('s') ? noun.substr(0, noun.size() - 1) : noun)
         << '\n';
  }
}

}  // namespace sluice::columnar

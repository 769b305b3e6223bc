#include "sluice/lake/row_predicate.h"

#include <algorithm>
#include <cctype>

namespace sluice::lake {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  void SkipSpace() {
    while (position_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[position_]))) {
      ++position_;
    }
  }
  bool AtEnd() {
    SkipSpace();
    return position_ >= text_.size();
  }
  size_t position() const { return position_ + 1; }

  // A bare word, a "quoted identifier" or a number/date-like token (anything up to space or an
  // operator character).
  Result<std::string> Word(bool* quoted) {
    SkipSpace();
    *quoted = false;
    if (position_ < text_.size() && (text_[position_] == '"' || text_[position_] == '\'')) {
      const char quote = text_[position_];
      *quoted = true;
      std::string value;
      ++position_;
      while (position_ < text_.size()) {
        if (text_[position_] == quote) {
          if (position_ + 1 < text_.size() && text_[position_ + 1] == quote) {
            value += quote;
            position_ += 2;
            continue;
          }
          ++position_;
          return value;
        }
        value += text_[position_++];
      }
      return Error("an unterminated quoted text");
    }
    const size_t begin = position_;
    while (position_ < text_.size() &&
           !std::isspace(static_cast<unsigned char>(text_[position_])) &&
           std::string_view("=!<>").find(text_[position_]) == std::string_view::npos) {
      ++position_;
    }
    if (begin == position_) return Error("a column name or value");
    return std::string(text_.substr(begin, position_ - begin));
  }

  Result<std::string> Operator() {
    SkipSpace();
    static constexpr std::string_view kOperators[] = {"==", "!=", "<>", "<=", ">=", "=", "<", ">"};
    for (std::string_view op : kOperators) {
      if (text_.substr(position_).starts_with(op)) {
        position_ += op.size();
        return std::string(op);
      }
    }
    const size_t save = position_;
    bool quoted = false;
    Result<std::string> word = Word(&quoted);
    if (word.ok() && !quoted && EqualsIgnoreCase(*word, "IS")) return std::string("IS");
    position_ = save;
    return Error("a comparison (=, !=, <, <=, >, >=, IS NULL, IS NOT NULL)");
  }

  Status Error(std::string_view expected) const {
    return Status::InvalidArgument("predicate, character " + std::to_string(position_ + 1) +
                                   ": expected " + std::string(expected));
  }

 private:
  std::string_view text_;
  size_t position_ = 0;
};

bool Compare(RowPredicate::Op op, int comparison) {
  switch (op) {
    case RowPredicate::Op::kEqual:
      return comparison == 0;
    case RowPredicate::Op::kNotEqual:
      return comparison != 0;
    case RowPredicate::Op::kLess:
      return comparison < 0;
    case RowPredicate::Op::kLessEqual:
      return comparison <= 0;
    case RowPredicate::Op::kGreater:
      return comparison > 0;
    case RowPredicate::Op::kGreaterEqual:
      return comparison >= 0;
    default:
      return false;
  }
}

// Could a value in [min, max] satisfy `op literal`? Unknown bounds mean yes.
bool RangeMayMatch(RowPredicate::Op op, const std::optional<StatValue>& min,
                   const std::optional<StatValue>& max, const StatValue& literal) {
  const bool has_min = min.has_value() && min->index() == literal.index() &&
                       !std::holds_alternative<std::monostate>(*min);
  const bool has_max = max.has_value() && max->index() == literal.index() &&
                       !std::holds_alternative<std::monostate>(*max);
  switch (op) {
    case RowPredicate::Op::kEqual:
      return (!has_min || CompareStatValues(*min, literal) <= 0) &&
             (!has_max || CompareStatValues(*max, literal) >= 0);
    case RowPredicate::Op::kNotEqual:
      return !(has_min && has_max && CompareStatValues(*min, literal) == 0 &&
               CompareStatValues(*max, literal) == 0);
    case RowPredicate::Op::kLess:
      return !has_min || CompareStatValues(*min, literal) < 0;
    case RowPredicate::Op::kLessEqual:
      return !has_min || CompareStatValues(*min, literal) <= 0;
    case RowPredicate::Op::kGreater:
      return !has_max || CompareStatValues(*max, literal) > 0;
    case RowPredicate::Op::kGreaterEqual:
      return !has_max || CompareStatValues(*max, literal) >= 0;
    default:
      return true;
  }
}

}  // namespace

Result<RowPredicate> RowPredicate::Parse(std::string_view text, const columnar::Schema& schema) {
  RowPredicate predicate;
  predicate.text_ = std::string(text);
  Lexer lexer(text);
  if (lexer.AtEnd()) return Status::InvalidArgument("predicate is empty");
  while (true) {
    bool quoted = false;
    SLUICE_ASSIGN_OR_RETURN(std::string name, lexer.Word(&quoted));
    std::optional<size_t> index = schema.FieldIndex(name);
    if (!index.has_value()) {
      for (size_t i = 0; i < schema.num_fields(); ++i) {
        if (EqualsIgnoreCase(schema.field(i).name, name)) index = i;
      }
    }
    if (!index.has_value()) {
      std::string known;
      for (const columnar::Field& field : schema.fields()) {
        known += known.empty() ? "" : ", ";
        known += field.name;
      }
      return Status::InvalidArgument("predicate: unknown column '" + name +
                                     "' (the table has: " + known + ")");
    }
    Term term;
    term.column = schema.field(*index).name;
    term.column_index = *index;
    term.type = schema.field(*index).type;
    SLUICE_ASSIGN_OR_RETURN(std::string op, lexer.Operator());
    if (op == "IS") {
      SLUICE_ASSIGN_OR_RETURN(std::string word, lexer.Word(&quoted));
      bool negated = false;
      if (EqualsIgnoreCase(word, "NOT")) {
        negated = true;
        SLUICE_ASSIGN_OR_RETURN(word, lexer.Word(&quoted));
      }
      if (!EqualsIgnoreCase(word, "NULL")) return lexer.Error("NULL after IS [NOT]");
      term.op = negated ? Op::kIsNotNull : Op::kIsNull;
    } else {
      term.op = op == "=" || op == "=="    ? Op::kEqual
                : op == "!=" || op == "<>" ? Op::kNotEqual
                : op == "<"                ? Op::kLess
                : op == "<="               ? Op::kLessEqual
                : op == ">"                ? Op::kGreater
                                           : Op::kGreaterEqual;
      SLUICE_ASSIGN_OR_RETURN(std::string literal, lexer.Word(&quoted));
      if (!quoted && EqualsIgnoreCase(literal, "NULL")) {
        return Status::InvalidArgument("predicate: compare with NULL using IS NULL / IS NOT NULL");
      }
      Result<StatValue> value = ParseStatLiteral(literal, term.type);
      if (!value.ok()) {
        return value.status().WithContext("predicate, column " + term.column);
      }
      if (std::holds_alternative<std::monostate>(*value)) {
        return Status::InvalidArgument("predicate: column " + term.column + " of type " +
                                       term.type.ToString() + " cannot be compared");
      }
      term.literal = std::move(value).ValueUnsafe();
    }
    predicate.terms_.push_back(std::move(term));
    if (lexer.AtEnd()) break;
    SLUICE_ASSIGN_OR_RETURN(std::string joiner, lexer.Word(&quoted));
    if (quoted || !EqualsIgnoreCase(joiner, "AND")) return lexer.Error("AND or the end");
  }
  return predicate;
}

Status RowPredicate::Evaluate(const columnar::Batch& batch, std::vector<uint8_t>* matches) const {
  const int64_t rows = batch.num_rows();
  matches->assign(static_cast<size_t>(rows), 1);
  for (const Term& term : terms_) {
    std::optional<size_t> index = batch.schema()->FieldIndex(term.column);
    if (!index.has_value()) {
      return Status::Internal("predicate column " + term.column + " is missing from the batch");
    }
    const columnar::Column& column = batch.column(*index);
    for (int64_t row = 0; row < rows; ++row) {
      uint8_t& match = (*matches)[static_cast<size_t>(row)];
      if (match == 0) continue;
      const bool is_null = column.IsNull(row);
      if (term.op == Op::kIsNull) {
        match = is_null;
      } else if (term.op == Op::kIsNotNull) {
        match = !is_null;
      } else if (is_null) {
        match = 0;
      } else {
        const StatValue value = StatValueAt(column, row);
        match = value.index() == term.literal.index() &&
                Compare(term.op, CompareStatValues(value, term.literal));
      }
    }
  }
  return Status::OK();
}

bool RowPredicate::MayMatch(const AddFile& file, const Snapshot& snapshot) const {
  const std::vector<std::string>& partition_columns = snapshot.metadata.partition_columns;
  std::optional<FileStats> stats;
  bool stats_parsed = false;
  for (const Term& term : terms_) {
    const std::string& key = snapshot.PhysicalName(term.column);
    const bool is_partition = std::find(partition_columns.begin(), partition_columns.end(),
                                        term.column) != partition_columns.end();
    if (is_partition) {
      auto it = file.partition_values.find(key);
      if (it == file.partition_values.end()) continue;
      const bool is_null = !it->second.has_value();
      if (term.op == Op::kIsNull) {
        if (!is_null) return false;
        continue;
      }
      if (term.op == Op::kIsNotNull) {
        if (is_null) return false;
        continue;
      }
      if (is_null) return false;
      Result<StatValue> value = PartitionStatValue(*it->second, term.type);
      if (!value.ok() || value->index() != term.literal.index()) continue;
      if (!Compare(term.op, CompareStatValues(*value, term.literal))) return false;
      continue;
    }
    if (!stats_parsed) {
      stats_parsed = true;
      if (file.stats.has_value()) {
        Result<FileStats> parsed = ParseStats(*file.stats, snapshot.StatsSchema());
        if (parsed.ok()) stats = std::move(parsed).ValueUnsafe();
      }
    }
    if (!stats.has_value()) return true;
    auto column = stats->columns.find(key);
    if (column == stats->columns.end()) continue;
    const ColumnStats& column_stats = column->second;
    if (term.op == Op::kIsNull) {
      if (column_stats.null_count.has_value() && *column_stats.null_count == 0) return false;
      continue;
    }
    if (term.op == Op::kIsNotNull) {
      if (column_stats.null_count.has_value() && stats->num_records.has_value() &&
          *column_stats.null_count == *stats->num_records) {
        return false;
      }
      continue;
    }
    if (column_stats.null_count.has_value() && stats->num_records.has_value() &&
        *column_stats.null_count == *stats->num_records && *stats->num_records > 0) {
      return false;  // every value is null: no comparison is true
    }
    if (!RangeMayMatch(term.op, column_stats.min, column_stats.max, term.literal)) return false;
  }
  return true;
}

}  // namespace sluice::lake

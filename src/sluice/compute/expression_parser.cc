#include "sluice/compute/expression_parser.h"
#include "sluice/common/ascii.h"

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <optional>
#include <set>

namespace sluice::compute {
namespace {

enum class TokenKind {
  kEnd,
  kIdentifier,  // bare word: a keyword, a function or a column
  kQuoted,      // "quoted identifier"
  kInteger,
  kDecimal,
  kFloat,
  kString,
  kOperator,  // + - * / % || = <> != < <= > >= ::
  kLeftParen,
  kRightParen,
  kComma,
};

struct Token {
  TokenKind kind = TokenKind::kEnd;
  std::string text;  // as written (string/quoted: the decoded value)
  int offset = 0;
};

const std::set<std::string>& Keywords() {
  static const std::set<std::string> keywords = {
      "and",     "or",       "not",   "is",   "null",      "true",    "false", "in",
      "between", "like",     "ilike", "case", "when",      "then",    "else",  "end",
      "cast",    "try_cast", "as",    "date", "timestamp", "interval"};
  return keywords;
}

// Words that can never start a value (so "THEN" where a value is expected is a clear error).
bool IsClauseKeyword(const std::string& lower) {
  static const std::set<std::string> words = {"and",   "or",   "is",   "in",   "between", "like",
                                              "ilike", "when", "then", "else", "end",     "as"};
  return words.count(lower) != 0;
}

class Parser {
 public:
  Parser(std::string_view text, ExpressionError* error) : text_(text), error_(error) {}

  Result<ExprPtr> Parse() {
    SLUICE_RETURN_NOT_OK(Tokenize());
    SLUICE_ASSIGN_OR_RETURN(ExprPtr expr, ParseOr());
    if (Peek().kind != TokenKind::kEnd) {
      return Fail(Peek().offset, "unexpected " + Describe(Peek()) + " after a complete expression");
    }
    return expr;
  }

 private:
  // ---- tokens ----
  // The error that ends the parse, recorded in `error_`; the caller returns it.
  Status Fail(int offset, std::string message) {
    error_->offset = offset;
    error_->message = std::move(message);
    return Status::InvalidArgument("column " + std::to_string(offset + 1) + ": " + error_->message);
  }

  Status Tokenize() {
    size_t i = 0;
    while (i < text_.size()) {
      const char c = text_[i];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
        continue;
      }
      Token token;
      token.offset = static_cast<int>(i);
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        size_t end = i;
        while (end < text_.size() &&
               (std::isalnum(static_cast<unsigned char>(text_[end])) || text_[end] == '_')) {
          ++end;
        }
        token.kind = TokenKind::kIdentifier;
        token.text = std::string(text_.substr(i, end - i));
        i = end;
      } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                 (c == '.' && i + 1 < text_.size() &&
                  std::isdigit(static_cast<unsigned char>(text_[i + 1])))) {
        size_t end = i;
        bool point = false;
        bool exponent = false;
        while (end < text_.size()) {
          const char d = text_[end];
          if (std::isdigit(static_cast<unsigned char>(d))) {
            ++end;
          } else if (d == '.' && !point && !exponent) {
            point = true;
            ++end;
          } else if ((d == 'e' || d == 'E') && !exponent) {
            size_t next = end + 1;
            if (next < text_.size() && (text_[next] == '+' || text_[next] == '-')) ++next;
            if (next >= text_.size() || !std::isdigit(static_cast<unsigned char>(text_[next]))) {
              break;
            }
            exponent = true;
            end = next;
          } else {
            break;
          }
        }
        if (end < text_.size() &&
            (std::isalpha(static_cast<unsigned char>(text_[end])) || text_[end] == '_')) {
          size_t word_end = end;
          while (word_end < text_.size() &&
                 (std::isalnum(static_cast<unsigned char>(text_[word_end])) ||
                  text_[word_end] == '_')) {
            ++word_end;
          }
          const std::string word(text_.substr(i, word_end - i));
          return Fail(static_cast<int>(i),
                      "'" + word +
                          "' is neither a number nor a name (names start with a "
                          "letter or _; quote it: \"" +
                          word + "\")");
        }
        token.kind = exponent ? TokenKind::kFloat
                     : point  ? TokenKind::kDecimal
                              : TokenKind::kInteger;
        token.text = std::string(text_.substr(i, end - i));
        i = end;
      } else if (c == '\'' || c == '"') {
        size_t end = i + 1;
        std::string value;
        while (true) {
          if (end >= text_.size()) {
            return Fail(static_cast<int>(i), std::string(c == '\'' ? "string" : "quoted name") +
                                                 " is not closed (missing " + c + ")");
          }
          if (text_[end] == c) {
            if (end + 1 < text_.size() && text_[end + 1] == c) {
              value += c;
              end += 2;
              continue;
            }
            break;
          }
          value += text_[end++];
        }
        token.kind = c == '\'' ? TokenKind::kString : TokenKind::kQuoted;
        if (token.kind == TokenKind::kQuoted && value.empty()) {
          return Fail(static_cast<int>(i), "a quoted name cannot be empty");
        }
        token.text = std::move(value);
        i = end + 1;
      } else if (c == '(' || c == ')' || c == ',') {
        token.kind = c == '('   ? TokenKind::kLeftParen
                     : c == ')' ? TokenKind::kRightParen
                                : TokenKind::kComma;
        token.text = std::string(1, c);
        ++i;
      } else {
        static const char* const kOperators[] = {"||", "<>", "!=", "<=", ">=", "::", "+",
                                                 "-",  "*",  "/",  "%",  "=",  "<",  ">"};
        bool found = false;
        for (const char* op : kOperators) {
          const std::string_view candidate(op);
          if (text_.substr(i, candidate.size()) == candidate) {
            token.kind = TokenKind::kOperator;
            token.text = std::string(candidate);
            i += candidate.size();
            found = true;
            break;
          }
        }
        if (!found) {
          return Fail(static_cast<int>(i), "unexpected character '" + std::string(1, c) + "'");
        }
      }
      tokens_.push_back(std::move(token));
    }
    Token end;
    end.offset = static_cast<int>(text_.size());
    tokens_.push_back(end);
    return Status::OK();
  }

  const Token& Peek(size_t ahead = 0) const {
    return tokens_[std::min(position_ + ahead, tokens_.size() - 1)];
  }
  Token Next() {
    Token token = Peek();
    if (position_ < tokens_.size() - 1) ++position_;
    return token;
  }
  bool IsKeyword(const Token& token, const char* word) const {
    return token.kind == TokenKind::kIdentifier && AsciiLower(token.text) == word;
  }
  bool AcceptKeyword(const char* word) {
    if (!IsKeyword(Peek(), word)) return false;
    Next();
    return true;
  }
  bool IsOperator(const Token& token, const char* op) const {
    return token.kind == TokenKind::kOperator && token.text == op;
  }
  static std::string Describe(const Token& token) {
    switch (token.kind) {
      case TokenKind::kEnd:
        return "the end of the expression";
      case TokenKind::kString:
        return "'" + token.text + "'";
      case TokenKind::kQuoted:
        return "\"" + token.text + "\"";
      default:
        return "'" + token.text + "'";
    }
  }
  Status Expect(TokenKind kind, const char* what, const std::string& context) {
    if (Peek().kind != kind) {
      return Fail(Peek().offset,
                  "expected " + std::string(what) + " " + context + ", found " + Describe(Peek()));
    }
    Next();
    return Status::OK();
  }
  Status ExpectKeyword(const char* word, const std::string& context) {
    if (AcceptKeyword(word)) return Status::OK();
    std::string upper = word;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return Fail(Peek().offset, "expected " + upper + " " + context + ", found " + Describe(Peek()));
  }

  static std::shared_ptr<Expr> Node(ExprKind kind, int offset) {
    auto node = std::make_shared<Expr>();
    node->kind = kind;
    node->offset = offset;
    return node;
  }
  static ExprPtr Binary(const std::string& op, ExprPtr left, ExprPtr right, int offset) {
    auto node = Node(ExprKind::kBinary, offset);
    node->name = op;
    node->args = {std::move(left), std::move(right)};
    return node;
  }

  // ---- grammar ----
  // Counts the nesting of the recursion, so that "((((…" or "- - - …" cannot exhaust the stack:
  // a function entering a level checks TooDeep() after making its Nesting.
  class Nesting {
   public:
    explicit Nesting(Parser* parser) : parser_(parser) { ++parser_->depth_; }
    ~Nesting() { --parser_->depth_; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;

   private:
    Parser* parser_;
  };
  static constexpr int kMaxDepth = 200;
  Status CheckDepth() {
    if (depth_ > kMaxDepth) return Fail(Peek().offset, "expression nested too deeply");
    return Status::OK();
  }

  // left (op right)* for a left-associative level: `op` says whether the next token is one of
  // its operators (and which), `next` parses the level below.
  template <typename Op, typename Next>
  Result<ExprPtr> LeftAssociative(Op op, Next next) {
    SLUICE_ASSIGN_OR_RETURN(ExprPtr left, next());
    while (true) {
      const std::optional<std::string> name = op();
      if (!name) return left;
      SLUICE_ASSIGN_OR_RETURN(ExprPtr right, next());
      left = Binary(*name, left, right, left->offset);
    }
  }

  Result<ExprPtr> ParseOr() {
    Nesting nesting(this);
    SLUICE_RETURN_NOT_OK(CheckDepth());
    return LeftAssociative([&] { return AcceptWord("or"); }, [&] { return ParseAnd(); });
  }

  Result<ExprPtr> ParseAnd() {
    return LeftAssociative([&] { return AcceptWord("and"); }, [&] { return ParseNot(); });
  }

  // The keyword `word` as an operator name, consumed; nullopt when the next token is not it.
  std::optional<std::string> AcceptWord(const char* word) {
    if (!AcceptKeyword(word)) return std::nullopt;
    return std::string(word);
  }

  // One of `ops`, consumed; nullopt when the next token is none of them.
  std::optional<std::string> AcceptOperator(std::initializer_list<const char*> ops) {
    for (const char* op : ops) {
      if (IsOperator(Peek(), op)) return Next().text;
    }
    return std::nullopt;
  }

  Result<ExprPtr> ParseNot() {
    Nesting nesting(this);
    SLUICE_RETURN_NOT_OK(CheckDepth());
    if (!IsKeyword(Peek(), "not")) return ParseComparison();
    const int offset = Next().offset;
    SLUICE_ASSIGN_OR_RETURN(ExprPtr operand, ParseNot());
    auto node = Node(ExprKind::kUnary, offset);
    node->name = "not";
    node->args = {operand};
    return ExprPtr(node);
  }

  static bool IsComparison(const Token& token) {
    if (token.kind != TokenKind::kOperator) return false;
    const std::string& t = token.text;
    return t == "=" || t == "<>" || t == "!=" || t == "<" || t == "<=" || t == ">" || t == ">=";
  }

  Result<ExprPtr> ParseComparison() {
    SLUICE_ASSIGN_OR_RETURN(ExprPtr left, ParseConcat());
    ExprPtr result = left;
    if (IsComparison(Peek())) {
      std::string op = Next().text;
      if (op == "!=") op = "<>";
      SLUICE_ASSIGN_OR_RETURN(ExprPtr right, ParseConcat());
      result = Binary(op, left, right, left->offset);
    } else if (IsKeyword(Peek(), "is")) {
      Next();
      auto node = Node(ExprKind::kIsNull, left->offset);
      node->negated = AcceptKeyword("not");
      SLUICE_RETURN_NOT_OK(ExpectKeyword("null", "after IS (IS NULL or IS NOT NULL)"));
      node->args = {left};
      result = node;
    } else {
      SLUICE_ASSIGN_OR_RETURN(result, ParsePredicate(left));
    }
    if (result != left &&
        (IsComparison(Peek()) || IsKeyword(Peek(), "is") || IsKeyword(Peek(), "in") ||
         IsKeyword(Peek(), "between") || IsKeyword(Peek(), "like"))) {
      return Fail(Peek().offset,
                  "comparisons do not chain: write 'a < b AND b < c', or add "
                  "parentheses");
    }
    return result;
  }

  // [NOT] IN (...), [NOT] BETWEEN a AND b, [NOT] LIKE/ILIKE p after `left`; `left` itself when
  // none follows.
  Result<ExprPtr> ParsePredicate(const ExprPtr& left) {
    bool negated = false;
    if (IsKeyword(Peek(), "not") && (IsKeyword(Peek(1), "in") || IsKeyword(Peek(1), "between") ||
                                     IsKeyword(Peek(1), "like") || IsKeyword(Peek(1), "ilike"))) {
      Next();
      negated = true;
    }
    if (AcceptKeyword("in")) {
      auto node = Node(ExprKind::kIn, left->offset);
      node->negated = negated;
      node->args = {left};
      const Token open = Peek();
      SLUICE_RETURN_NOT_OK(Expect(TokenKind::kLeftParen, "'('", "after IN"));
      SLUICE_RETURN_NOT_OK(ParseList(&node->args));
      if (Peek().kind != TokenKind::kRightParen) {
        return Fail(Peek().offset, "expected ',' or ')' in the IN list opened at column " +
                                       std::to_string(open.offset + 1) + ", found " +
                                       Describe(Peek()));
      }
      Next();
      return ExprPtr(node);
    }
    if (AcceptKeyword("between")) {
      auto node = Node(ExprKind::kBetween, left->offset);
      node->negated = negated;
      SLUICE_ASSIGN_OR_RETURN(ExprPtr low, ParseConcat());
      SLUICE_RETURN_NOT_OK(ExpectKeyword("and", "between the bounds of BETWEEN"));
      SLUICE_ASSIGN_OR_RETURN(ExprPtr high, ParseConcat());
      node->args = {left, low, high};
      return ExprPtr(node);
    }
    if (IsKeyword(Peek(), "like") || IsKeyword(Peek(), "ilike")) {
      auto node = Node(ExprKind::kLike, left->offset);
      node->name = AsciiLower(Next().text);
      node->negated = negated;
      SLUICE_ASSIGN_OR_RETURN(ExprPtr pattern, ParseConcat());
      node->args = {left, pattern};
      return ExprPtr(node);
    }
    return left;
  }

  // expression (, expression)* appended to `args`.
  Status ParseList(std::vector<ExprPtr>* args) {
    do {
      SLUICE_ASSIGN_OR_RETURN(ExprPtr item, ParseOr());
      args->push_back(item);
    } while (Peek().kind == TokenKind::kComma && (Next(), true));
    return Status::OK();
  }

  Result<ExprPtr> ParseConcat() {
    return LeftAssociative([&] { return AcceptOperator({"||"}); }, [&] { return ParseAdditive(); });
  }

  Result<ExprPtr> ParseAdditive() {
    return LeftAssociative(
        [&] {
          return AcceptOperator({"+", "-"});
        },
        [&] { return ParseMultiplicative(); });
  }

  Result<ExprPtr> ParseMultiplicative() {
    return LeftAssociative(
        [&] {
          return AcceptOperator({"*", "/", "%"});
        },
        [&] { return ParseUnary(); });
  }

  Result<ExprPtr> ParseUnary() {
    Nesting nesting(this);
    SLUICE_RETURN_NOT_OK(CheckDepth());
    if (IsOperator(Peek(), "+")) {
      Next();
      return ParseUnary();
    }
    if (!IsOperator(Peek(), "-")) return ParsePostfix();
    const int offset = Next().offset;
    SLUICE_ASSIGN_OR_RETURN(ExprPtr operand, ParseUnary());
    if (operand->kind == ExprKind::kLiteral) {
      const Literal& literal = operand->literal;
      auto folded = std::make_shared<Expr>(*operand);
      folded->offset = offset;
      if (literal.kind == LiteralKind::kInteger) {
        folded->literal.int_value = -literal.int_value;
        folded->literal.text = "-" + literal.text;
        return ExprPtr(folded);
      }
      if (literal.kind == LiteralKind::kDecimal || literal.kind == LiteralKind::kFloat) {
        folded->literal.text =
            literal.text.starts_with('-') ? literal.text.substr(1) : "-" + literal.text;
        folded->literal.float_value = -literal.float_value;
        return ExprPtr(folded);
      }
    }
    auto node = Node(ExprKind::kUnary, offset);
    node->name = "-";
    node->args = {operand};
    return ExprPtr(node);
  }

  Result<ExprPtr> ParsePostfix() {
    SLUICE_ASSIGN_OR_RETURN(ExprPtr expr, ParsePrimary());
    while (IsOperator(Peek(), "::")) {
      Next();
      auto node = Node(ExprKind::kCast, expr->offset);
      SLUICE_ASSIGN_OR_RETURN(node->cast_type, ParseType("after ::"));
      node->args = {expr};
      expr = node;
    }
    return expr;
  }

  Result<columnar::DataType> ParseType(const std::string& context) {
    const Token name = Peek();
    if (name.kind != TokenKind::kIdentifier) {
      return Fail(name.offset, "expected a type name " + context + ", found " + Describe(name));
    }
    Next();
    std::string text = name.text;
    if (Peek().kind == TokenKind::kLeftParen) {
      text += Next().text;
      while (Peek().kind == TokenKind::kInteger || Peek().kind == TokenKind::kComma) {
        text += Next().text;
      }
      SLUICE_RETURN_NOT_OK(Expect(TokenKind::kRightParen, "')'", "closing the type's parameters"));
      text += ")";
    }
    Result<columnar::DataType> type = columnar::DataType::Parse(text);
    if (!type.ok()) return Fail(name.offset, "unknown type '" + text + "'");
    return type;
  }

  ExprPtr LiteralNode(LiteralKind kind, const Token& token) {
    auto node = Node(ExprKind::kLiteral, token.offset);
    node->literal.kind = kind;
    node->literal.text = token.text;
    return node;
  }

  Result<ExprPtr> ParsePrimary() {
    const Token token = Peek();
    switch (token.kind) {
      case TokenKind::kInteger: {
        Next();
        int64_t value = 0;
        const auto [end, error] =
            std::from_chars(token.text.data(), token.text.data() + token.text.size(), value);
        if (error != std::errc() || end != token.text.data() + token.text.size()) {
          return LiteralNode(LiteralKind::kDecimal, token);  // beyond int64: a decimal
        }
        auto node = LiteralNode(LiteralKind::kInteger, token);
        std::const_pointer_cast<Expr>(node)->literal.int_value = value;
        return node;
      }
      case TokenKind::kDecimal:
      case TokenKind::kFloat: {
        Next();
        auto node = LiteralNode(
            token.kind == TokenKind::kDecimal ? LiteralKind::kDecimal : LiteralKind::kFloat, token);
        std::const_pointer_cast<Expr>(node)->literal.float_value =
            std::strtod(token.text.c_str(), nullptr);
        return node;
      }
      case TokenKind::kString:
        Next();
        return LiteralNode(LiteralKind::kString, token);
      case TokenKind::kQuoted: {
        Next();
        auto node = Node(ExprKind::kColumn, token.offset);
        node->name = token.text;
        return ExprPtr(node);
      }
      case TokenKind::kLeftParen: {
        Next();
        SLUICE_ASSIGN_OR_RETURN(ExprPtr inner, ParseOr());
        if (Peek().kind != TokenKind::kRightParen) {
          return Fail(Peek().offset, "expected ')' to close the '(' at column " +
                                         std::to_string(token.offset + 1) + ", found " +
                                         Describe(Peek()));
        }
        Next();
        return inner;
      }
      case TokenKind::kIdentifier:
        return ParseWord();
      default:
        return Fail(token.offset, "expected a value, found " + Describe(token));
    }
  }

  Result<ExprPtr> ParseWord() {
    const Token token = Next();
    const std::string lower = AsciiLower(token.text);
    if (lower == "null") return LiteralNode(LiteralKind::kNull, token);
    if (lower == "true" || lower == "false") {
      auto node = LiteralNode(LiteralKind::kBool, token);
      std::const_pointer_cast<Expr>(node)->literal.bool_value = lower == "true";
      return node;
    }
    if ((lower == "date" || lower == "timestamp") && Peek().kind == TokenKind::kString) {
      const Token value = Next();
      auto node =
          LiteralNode(lower == "date" ? LiteralKind::kDate : LiteralKind::kTimestamp, value);
      std::const_pointer_cast<Expr>(node)->offset = token.offset;
      return node;
    }
    if (lower == "interval") return ParseInterval(token);
    if (lower == "case") return ParseCase(token);
    if ((lower == "cast" || lower == "try_cast") && Peek().kind == TokenKind::kLeftParen) {
      return ParseCast(token, lower == "try_cast");
    }
    if (lower == "extract" && Peek().kind == TokenKind::kLeftParen) return ParseExtract(token);
    if (IsClauseKeyword(lower) || lower == "not") {
      return Fail(token.offset, "expected a value, found keyword '" + token.text + "'");
    }
    if (Peek().kind == TokenKind::kLeftParen) return ParseCall(token, lower);
    auto node = Node(ExprKind::kColumn, token.offset);
    node->name = token.text;
    return ExprPtr(node);
  }

  // CAST(value AS type), TRY_CAST(value AS type) after the keyword.
  Result<ExprPtr> ParseCast(const Token& keyword, bool try_cast) {
    Next();
    const std::string name = try_cast ? "TRY_CAST" : "CAST";
    auto node = Node(ExprKind::kCast, keyword.offset);
    node->try_cast = try_cast;
    SLUICE_ASSIGN_OR_RETURN(ExprPtr value, ParseOr());
    node->args = {value};
    SLUICE_RETURN_NOT_OK(ExpectKeyword("as", "in " + name + "(value AS type)"));
    SLUICE_ASSIGN_OR_RETURN(node->cast_type, ParseType("after AS"));
    SLUICE_RETURN_NOT_OK(Expect(TokenKind::kRightParen, "')'", "closing " + name));
    return ExprPtr(node);
  }

  // EXTRACT(part FROM value) after the keyword: date_part('part', value).
  Result<ExprPtr> ParseExtract(const Token& keyword) {
    Next();
    const Token part = Peek();
    if (part.kind != TokenKind::kIdentifier && part.kind != TokenKind::kString) {
      return Fail(part.offset, "expected a date part (year, month, day, ...) in EXTRACT, found " +
                                   Describe(part));
    }
    Next();
    SLUICE_RETURN_NOT_OK(ExpectKeyword("from", "in EXTRACT(part FROM value)"));
    auto node = Node(ExprKind::kFunction, keyword.offset);
    node->name = "date_part";
    auto part_literal = Node(ExprKind::kLiteral, part.offset);
    part_literal->literal.kind = LiteralKind::kString;
    part_literal->literal.text = AsciiLower(part.text);
    SLUICE_ASSIGN_OR_RETURN(ExprPtr value, ParseOr());
    node->args = {part_literal, value};
    SLUICE_RETURN_NOT_OK(Expect(TokenKind::kRightParen, "')'", "closing EXTRACT"));
    return ExprPtr(node);
  }

  // name(args...) after the name.
  Result<ExprPtr> ParseCall(const Token& name, const std::string& lower) {
    const Token open = Next();
    auto node = Node(ExprKind::kFunction, name.offset);
    node->name = lower;
    if (Peek().kind != TokenKind::kRightParen) SLUICE_RETURN_NOT_OK(ParseList(&node->args));
    if (Peek().kind != TokenKind::kRightParen) {
      return Fail(Peek().offset, "expected ',' or ')' in the arguments of " + lower +
                                     "() opened at column " + std::to_string(open.offset + 1) +
                                     ", found " + Describe(Peek()));
    }
    Next();
    return ExprPtr(node);
  }

  Result<ExprPtr> ParseInterval(const Token& keyword) {
    auto node = Node(ExprKind::kLiteral, keyword.offset);
    node->literal.kind = LiteralKind::kInterval;
    if (Peek().kind == TokenKind::kString) {
      node->literal.text = Next().text;
      return ExprPtr(node);
    }
    if (Peek().kind != TokenKind::kInteger) {
      return Fail(Peek().offset,
                  "expected '3 days' or 3 DAY after INTERVAL, found " + Describe(Peek()));
    }
    node->literal.text = Next().text;
    if (Peek().kind != TokenKind::kIdentifier) {
      return Fail(Peek().offset, "expected a unit (DAY, HOUR, ...) after INTERVAL " +
                                     node->literal.text + ", found " + Describe(Peek()));
    }
    node->literal.text += " " + AsciiLower(Next().text);
    return ExprPtr(node);
  }

  Result<ExprPtr> ParseCase(const Token& keyword) {
    auto node = Node(ExprKind::kCase, keyword.offset);
    auto add = [&]() -> Status {
      SLUICE_ASSIGN_OR_RETURN(ExprPtr part, ParseOr());
      node->args.push_back(part);
      return Status::OK();
    };
    if (!IsKeyword(Peek(), "when")) {
      node->has_operand = true;
      SLUICE_RETURN_NOT_OK(add());
    }
    if (!IsKeyword(Peek(), "when")) {
      return Fail(Peek().offset, "expected WHEN in the CASE at column " +
                                     std::to_string(keyword.offset + 1) + ", found " +
                                     Describe(Peek()));
    }
    while (AcceptKeyword("when")) {
      SLUICE_RETURN_NOT_OK(add());
      SLUICE_RETURN_NOT_OK(ExpectKeyword("then", "after the WHEN condition"));
      SLUICE_RETURN_NOT_OK(add());
    }
    if (AcceptKeyword("else")) {
      node->has_else = true;
      SLUICE_RETURN_NOT_OK(add());
    }
    if (!AcceptKeyword("end")) {
      return Fail(Peek().offset, "expected WHEN, ELSE or END in the CASE at column " +
                                     std::to_string(keyword.offset + 1) + ", found " +
                                     Describe(Peek()));
    }
    return ExprPtr(node);
  }

  std::string_view text_;
  ExpressionError* error_;
  std::vector<Token> tokens_;
  size_t position_ = 0;
  int depth_ = 0;
};

bool IsPlainName(const std::string& name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return Keywords().count(AsciiLower(name)) == 0;
}

std::string Quote(const std::string& text, char quote) {
  std::string out(1, quote);
  for (char c : text) {
    out += c;
    if (c == quote) out += quote;
  }
  out += quote;
  return out;
}

}  // namespace

Result<ExprPtr> ParseExpression(std::string_view text, ExpressionError* error) {
  ExpressionError local;
  Parser parser(text, error != nullptr ? error : &local);
  return parser.Parse();
}

std::string ToSql(const Expr& expr) {
  auto args = [&](size_t from) {
    std::string out;
    for (size_t i = from; i < expr.args.size(); ++i) {
      if (i > from) out += ", ";
      out += ToSql(*expr.args[i]);
    }
    return out;
  };
  switch (expr.kind) {
    case ExprKind::kLiteral: {
      const Literal& literal = expr.literal;
      switch (literal.kind) {
        case LiteralKind::kNull:
          return "NULL";
        case LiteralKind::kBool:
          return literal.bool_value ? "TRUE" : "FALSE";
        case LiteralKind::kInteger:
          return std::to_string(literal.int_value);
        case LiteralKind::kDecimal:
        case LiteralKind::kFloat:
          return literal.text;
        case LiteralKind::kString:
          return Quote(literal.text, '\'');
        case LiteralKind::kDate:
          return "DATE " + Quote(literal.text, '\'');
        case LiteralKind::kTimestamp:
          return "TIMESTAMP " + Quote(literal.text, '\'');
        case LiteralKind::kInterval:
          return "INTERVAL " + Quote(literal.text, '\'');
      }
      return "?";
    }
    case ExprKind::kColumn:
      return IsPlainName(expr.name) ? expr.name : Quote(expr.name, '"');
    case ExprKind::kUnary:
      return expr.name == "not" ? "(NOT " + ToSql(*expr.args[0]) + ")"
                                : "(-" + ToSql(*expr.args[0]) + ")";
    case ExprKind::kBinary: {
      const std::string op = expr.name == "and" ? "AND" : expr.name == "or" ? "OR" : expr.name;
      return "(" + ToSql(*expr.args[0]) + " " + op + " " + ToSql(*expr.args[1]) + ")";
    }
    case ExprKind::kFunction:
      return expr.name + "(" + args(0) + ")";
    case ExprKind::kCase: {
      std::string out = "CASE";
      size_t i = 0;
      if (expr.has_operand) out += " " + ToSql(*expr.args[i++]);
      const size_t pairs_end = expr.args.size() - (expr.has_else ? 1 : 0);
      for (; i + 2 <= pairs_end; i += 2) {
        out += " WHEN " + ToSql(*expr.args[i]) + " THEN " + ToSql(*expr.args[i + 1]);
      }
      if (expr.has_else) out += " ELSE " + ToSql(*expr.args.back());
      return out + " END";
    }
    case ExprKind::kCast:
      return std::string(expr.try_cast ? "TRY_CAST(" : "CAST(") + ToSql(*expr.args[0]) + " AS " +
             expr.cast_type.ToString() + ")";
    case ExprKind::kIn:
      return "(" + ToSql(*expr.args[0]) + (expr.negated ? " NOT IN (" : " IN (") + args(1) + "))";
    case ExprKind::kBetween:
      return "(" + ToSql(*expr.args[0]) + (expr.negated ? " NOT BETWEEN " : " BETWEEN ") +
             ToSql(*expr.args[1]) + " AND " + ToSql(*expr.args[2]) + ")";
    case ExprKind::kLike: {
      std::string op = expr.name == "ilike" ? "ILIKE" : "LIKE";
      return "(" + ToSql(*expr.args[0]) + (expr.negated ? " NOT " : " ") + op + " " +
             ToSql(*expr.args[1]) + ")";
    }
    case ExprKind::kIsNull:
      return "(" + ToSql(*expr.args[0]) + (expr.negated ? " IS NOT NULL)" : " IS NULL)");
  }
  return "?";
}

}  // namespace sluice::compute

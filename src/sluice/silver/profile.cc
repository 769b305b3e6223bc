#include "sluice/silver/profile.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <functional>
#include <memory>

#include "sluice/columnar/value_formatter.h"
#include "sluice/common/ascii.h"

namespace sluice::silver {
namespace {

using columnar::DataType;
using columnar::TypeId;

constexpr size_t kMaxTracked = 100'000;  // distinct values counted exactly for the top values

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool LooksLikeEmail(std::string_view value) {
  const size_t at = value.find('@');
  if (at == 0 || at == std::string_view::npos ||
      value.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  for (char c : value) {
    if (c == ' ' || c == '\t' || c == ',' || c == ';') return false;
  }
  const std::string_view domain = value.substr(at + 1);
  const size_t dot = domain.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || domain.size() - dot - 1 < 2) return false;
  for (char c : domain.substr(dot + 1)) {
    if (!IsAlpha(c)) return false;
  }
  return true;
}

// Digits of a value made only of digits and the separators in `separators`; empty otherwise.
std::string DigitsOf(std::string_view value, std::string_view separators, bool* separated) {
  std::string digits;
  *separated = false;
  for (char c : value) {
    if (IsDigit(c)) {
      digits += c;
    } else if (separators.find(c) != std::string_view::npos) {
      *separated = true;
    } else {
      return {};
    }
  }
  return digits;
}

bool LooksLikeSsn(std::string_view v) {
  if (v.size() != 11 || v[3] != '-' || v[6] != '-') return false;
  for (size_t i : {0, 1, 2, 4, 5, 7, 8, 9, 10}) {
    if (!IsDigit(v[i])) return false;
  }
  const std::string_view area = v.substr(0, 3);
  return area != "000" && area != "666" && v[0] != '9' && v.substr(4, 2) != "00" &&
         v.substr(7) != "0000";
}

uint64_t Mix(uint64_t x) {  // splitmix64's finalizer: spreads std::hash's bits
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

bool IsNumeric(const DataType& type) {
  return type.id() == TypeId::kInt32 || type.id() == TypeId::kInt64 ||
         type.id() == TypeId::kFloat64 || type.id() == TypeId::kDecimal;
}

long double NumberAt(const columnar::Column& column, int64_t i) {
  switch (column.type().id()) {
    case TypeId::kInt32:
      return static_cast<const columnar::Int32Column&>(column).Value(i);
    case TypeId::kInt64:
      return static_cast<long double>(static_cast<const columnar::Int64Column&>(column).Value(i));
    case TypeId::kFloat64:
      return static_cast<const columnar::Float64Column&>(column).Value(i);
    default:
      return static_cast<long double>(
                 static_cast<const columnar::DecimalColumn&>(column).Value(i)) /
             std::pow(10.0L, column.type().scale());
  }
}

std::string Suggestion(PiiKind kind) {
  switch (kind) {
    case PiiKind::kPhone:
    case PiiKind::kCardNumber:
    case PiiKind::kIban:
      return "mask(4)";
    default:
      return "hmac";
  }
}

}  // namespace

std::string_view PiiKindName(PiiKind kind) {
  switch (kind) {
    case PiiKind::kEmail:
      return "email";
    case PiiKind::kPhone:
      return "phone";
    case PiiKind::kCardNumber:
      return "card number";
    case PiiKind::kIban:
      return "IBAN";
    case PiiKind::kIpAddress:
      return "IP address";
    case PiiKind::kNationalId:
      return "national id";
  }
  return "?";
}

bool LuhnValid(std::string_view digits) {
  int sum = 0;
  bool twice = false;
  for (size_t i = digits.size(); i-- > 0;) {
    int d = digits[i] - '0';
    if (twice) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    twice = !twice;
  }
  return !digits.empty() && sum % 10 == 0;
}

bool IbanValid(std::string_view text) {
  std::string compact;
  for (char c : text) {
    if (c != ' ') compact += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  if (compact.size() < 15 || compact.size() > 34 || !IsAlpha(compact[0]) || !IsAlpha(compact[1]) ||
      !IsDigit(compact[2]) || !IsDigit(compact[3])) {
    return false;
  }
  // Move the first four characters to the end, letters as 10..35, then mod 97 must be 1.
  const std::string rotated = compact.substr(4) + compact.substr(0, 4);
  int remainder = 0;
  for (char c : rotated) {
    if (IsDigit(c)) {
      remainder = (remainder * 10 + (c - '0')) % 97;
    } else if (c >= 'A' && c <= 'Z') {
      remainder = (remainder * 100 + (c - 'A' + 10)) % 97;
    } else {
      return false;
    }
  }
  return remainder == 1;
}

std::optional<PiiKind> DetectPii(std::string_view value) {
  value = TrimSpaces(value);
  if (value.size() < 7 || value.size() > 64) return std::nullopt;
  if (value.find('@') != std::string_view::npos) {
    return LooksLikeEmail(value) ? std::optional(PiiKind::kEmail) : std::nullopt;
  }
  if (LooksLikeSsn(value)) return PiiKind::kNationalId;
  bool separated = false;
  const std::string card = DigitsOf(value, " -", &separated);
  if (card.size() >= 13 && card.size() <= 19 && LuhnValid(card)) return PiiKind::kCardNumber;
  if (IsAlpha(value[0]) && IbanValid(value)) return PiiKind::kIban;
  const std::string text(value);
  unsigned char address[16];
  if (inet_pton(AF_INET, text.c_str(), address) == 1 ||
      (value.find(':') != std::string_view::npos &&
       inet_pton(AF_INET6, text.c_str(), address) == 1)) {
    return PiiKind::kIpAddress;
  }
  // A phone: "+" and 7–15 digits, or "(area)" and 7 or more, or 9 or more with separators — but
  // not the shape of an SSN (ddd-dd-dddd), which numbers of other kinds share.
  const bool plus = value.front() == '+';
  const bool area = value.front() == '(';
  const std::string phone = DigitsOf(plus ? value.substr(1) : value, " -.()", &separated);
  const bool ssn_shape = value.size() == 11 && value[3] == '-' && value[6] == '-';
  if (phone.size() >= 7 && phone.size() <= 15 && !ssn_shape &&
      (plus || area || (separated && phone.size() >= 9))) {
    return PiiKind::kPhone;
  }
  return std::nullopt;
}

void DistinctCounter::Add(std::string_view value) {
  const uint64_t hash = Mix(std::hash<std::string_view>{}(value));
  const size_t index = hash >> 52;  // the top 12 bits pick the register
  const uint64_t rest = hash << 12;
  const auto rank = static_cast<uint8_t>(rest == 0 ? 53 : __builtin_clzll(rest) + 1);
  registers_[index] = std::max(registers_[index], rank);
}

int64_t DistinctCounter::Estimate() const {
  constexpr double m = 4096;
  double sum = 0;
  int zeros = 0;
  for (uint8_t r : registers_) {
    sum += std::ldexp(1.0, -r);
    zeros += r == 0;
  }
  const double alpha = 0.7213 / (1 + 1.079 / m);
  double estimate = alpha * m * m / sum;
  if (estimate <= 2.5 * m && zeros > 0) estimate = m * std::log(m / zeros);  // linear counting
  return static_cast<int64_t>(std::llround(estimate));
}

struct Profiler::State {
  ColumnProfile profile;
  DistinctCounter distinct;
  bool any = false;
  long double min_number = 0, max_number = 0;
  std::unordered_map<std::string, int64_t> counts;
  std::array<int64_t, 6> pii{};
  int64_t non_null = 0;
};

Profiler::Profiler() = default;
Profiler::~Profiler() = default;

void Profiler::Add(const columnar::Batch& batch) {
  std::string text;
  for (size_t c = 0; c < batch.columns().size(); ++c) {
    const columnar::Field& field = batch.schema()->field(c);
    State* state = nullptr;
    for (const auto& existing : columns_) {
      if (existing->profile.name == field.name) state = existing.get();
    }
    if (state == nullptr) {
      columns_.push_back(std::make_unique<State>());
      state = columns_.back().get();
      state->profile.name = field.name;
      state->profile.type = field.type;
    }
    const columnar::Column& column = *batch.columns()[c];
    const bool numeric = IsNumeric(column.type());
    const bool is_string = column.type().id() == TypeId::kString;
    state->profile.rows += column.length();
    for (int64_t i = 0; i < column.length(); ++i) {
      if (column.IsNull(i)) {
        ++state->profile.nulls;
        continue;
      }
      ++state->non_null;
      text.clear();
      columnar::AppendValue(column, i, columnar::ValueStyle::kDisplay, &text);
      state->distinct.Add(text);
      if (numeric) {
        const long double number = NumberAt(column, i);
        if (!state->any || number < state->min_number) {
          state->min_number = number;
          state->profile.min = text;
        }
        if (!state->any || number > state->max_number) {
          state->max_number = number;
          state->profile.max = text;
        }
      } else {
        if (!state->any || text < state->profile.min) state->profile.min = text;
        if (!state->any || text > state->profile.max) state->profile.max = text;
      }
      state->any = true;
      auto found = state->counts.find(text);
      if (found != state->counts.end()) {
        ++found->second;
      } else if (state->counts.size() < kMaxTracked) {
        state->counts.emplace(text, 1);
      }
      if (is_string) {
        if (const std::optional<PiiKind> kind = DetectPii(text)) {
          ++state->pii[static_cast<size_t>(*kind)];
        }
      }
    }
  }
}

std::vector<ColumnProfile> Profiler::Finish() const {
  std::vector<ColumnProfile> profiles;
  for (const auto& state : columns_) {
    ColumnProfile profile = state->profile;
    // Exact while every value is counted; beyond kMaxTracked, the HyperLogLog estimate.
    profile.distinct = state->counts.size() < kMaxTracked
                           ? static_cast<int64_t>(state->counts.size())
                           : std::min(state->distinct.Estimate(), state->non_null);
    std::vector<std::pair<std::string, int64_t>> top(state->counts.begin(), state->counts.end());
    const size_t keep = std::min<size_t>(5, top.size());
    std::partial_sort(top.begin(), top.begin() + static_cast<ptrdiff_t>(keep), top.end(),
                      [](const auto& a, const auto& b) {
                        return a.second != b.second ? a.second > b.second : a.first < b.first;
                      });
    top.resize(keep);
    profile.top = std::move(top);
    const auto best = std::max_element(state->pii.begin(), state->pii.end());
    if (state->non_null > 0 && *best * 2 >= state->non_null && *best > 0) {
      profile.pii = static_cast<PiiKind>(best - state->pii.begin());
      profile.pii_share = static_cast<double>(*best) / static_cast<double>(state->non_null);
      profile.suggestion = Suggestion(*profile.pii);
      char share[32];
      std::snprintf(share, sizeof(share), "%.0f%%", profile.pii_share * 100);
      static const char* kPlural[] = {"email addresses", "phone numbers", "card numbers",
                                      "IBANs",           "IP addresses",  "national ids"};
      profile.reason = std::string(share) + " of the values look like " +
                       kPlural[static_cast<size_t>(*profile.pii)];
    } else if (profile.type.id() == TypeId::kDate || profile.type.id() == TypeId::kTimestamp) {
      std::string lower;
      for (char c : profile.name)
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower.find("birth") != std::string::npos || lower == "dob") {
        profile.suggestion = "truncate_date(year)";
        profile.reason = "the name says it is a birth date";
      }
    }
    profiles.push_back(std::move(profile));
  }
  return profiles;
}

}  // namespace sluice::silver

// sales_orders_generator: writes deterministic "sales orders" benchmark data as CSV or NDJSON.
//
//   sales_orders_generator --format csv|ndjson --size-mb N --out FILE [--seed S]
//
// Writes rows until FILE holds at least N * 1,000,000 bytes, then writes the number of data rows
// to FILE.rows (one integer line) and reports it on stderr. The data goes to FILE.tmp first and is
// renamed to FILE when complete, so an interrupted run never leaves a truncated FILE behind.
// The output depends only on the format, the size and the seed: it is byte-identical across runs
// and machines (a self-contained xoshiro256** generator, no locale, no clock).
//
// Columns: order_id, customer_id, email, phone, order_ts, product_id, quantity, unit_price, status,
// country. A customer's email, phone and country are derived from the customer id, and a product's
// unit price from the product id, so repeated ids carry the same attributes as in real data.

#include <cerrno>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

namespace sluice::bench {
namespace {

constexpr std::uint64_t kDefaultSeed = 20240301;
constexpr std::uint64_t kBytesPerMegabyte = 1'000'000;
constexpr std::size_t kOutputBufferBytes = std::size_t{8} << 20;
constexpr std::uint32_t kCustomerCount = 250'000;
constexpr std::uint32_t kProductCount = 25'000;
// Order timestamps are spread over 2023-01-01T00:00:00Z .. 2024-12-31T23:59:59Z.
constexpr std::int64_t kFirstOrderEpochSeconds = 1'672'531'200;
constexpr std::int64_t kOrderSpanSeconds = std::int64_t{731} * 86'400;

constexpr std::string_view kColumnNames[] = {"order_id", "customer_id", "email",    "phone",
                                             "order_ts", "product_id",  "quantity", "unit_price",
                                             "status",   "country"};

// Lower-case ASCII names, as they appear in email addresses.
constexpr std::string_view kFirstNames[] = {
    "anna",    "lukas",  "marie",  "jonas",  "sophie",  "felix", "emma",   "paul",
    "lea",     "leon",   "julia",  "max",    "laura",   "noah",  "clara",  "elias",
    "hannah",  "ben",    "lucie",  "hugo",   "camille", "louis", "chloe",  "jules",
    "olivia",  "james",  "amelia", "oliver", "emily",   "jack",  "sarah",  "michael",
    "jessica", "daniel", "giulia", "marco",  "chiara",  "luca",  "lucia",  "pablo",
    "carmen",  "javier", "sanne",  "daan",   "zofia",   "jakub", "astrid", "erik"};
constexpr std::string_view kLastNames[] = {
    "mueller",   "schmidt",  "schneider", "fischer",   "weber",     "meyer",  "wagner",
    "becker",    "hoffmann", "schulz",    "martin",    "bernard",   "dubois", "durand",
    "lefebvre",  "moreau",   "laurent",   "simon",     "smith",     "jones",  "taylor",
    "brown",     "williams", "wilson",    "johnson",   "davies",    "miller", "garcia",
    "rodriguez", "martinez", "lopez",     "gonzalez",  "rossi",     "russo",  "ferrari",
    "esposito",  "bianchi",  "romano",    "devries",   "jansen",    "bakker", "visser",
    "nowak",     "kowalski", "wojcik",    "andersson", "johansson", "gruber"};
constexpr std::string_view kGenericDomains[] = {"gmail.com",  "outlook.com", "yahoo.com",
                                                "icloud.com", "hotmail.com", "proton.me"};

constexpr std::string_view kStatuses[] = {"placed", "shipped", "delivered", "returned",
                                          "cancelled"};
// Relative frequencies of kStatuses, out of 100.
constexpr std::uint32_t kStatusWeights[] = {12, 18, 55, 9, 6};

// A country: its ISO-2 code, relative frequency out of 100, a local email domain, and the shape of
// a mobile number. In `phone_pattern`, '#' is a random digit and every other character is literal.
struct Country {
  std::string_view code;
  std::uint32_t weight;
  std::string_view local_domain;
  std::span<const std::string_view> phone_patterns;
};

constexpr std::string_view kGermanPhones[] = {"+49 151 #######", "+49 160 #######",
                                              "+49 176 ########", "+49 171 #######"};
constexpr std::string_view kFrenchPhones[] = {"+33 6 ## ## ## ##", "+33 7 ## ## ## ##"};
constexpr std::string_view kBritishPhones[] = {"+44 7700 ######", "+44 7911 ######"};
constexpr std::string_view kAmericanPhones[] = {"+1 415 2## ####", "+1 212 5## ####",
                                                "+1 312 7## ####", "+1 646 3## ####"};
constexpr std::string_view kItalianPhones[] = {"+39 347 #######", "+39 333 #######"};
constexpr std::string_view kSpanishPhones[] = {"+34 6## ### ###"};
constexpr std::string_view kDutchPhones[] = {"+31 6 ########"};
constexpr std::string_view kPolishPhones[] = {"+48 5## ### ###", "+48 6## ### ###"};
constexpr std::string_view kSwedishPhones[] = {"+46 70 ### ## ##", "+46 73 ### ## ##"};
constexpr std::string_view kAustrianPhones[] = {"+43 664 #######", "+43 676 #######"};

constexpr Country kCountries[] = {
    {"DE", 25, "web.de", kGermanPhones},          {"FR", 15, "orange.fr", kFrenchPhones},
    {"GB", 12, "btinternet.com", kBritishPhones}, {"US", 15, "comcast.net", kAmericanPhones},
    {"IT", 8, "libero.it", kItalianPhones},       {"ES", 8, "telefonica.net", kSpanishPhones},
    {"NL", 6, "ziggo.nl", kDutchPhones},          {"PL", 5, "wp.pl", kPolishPhones},
    {"SE", 3, "telia.com", kSwedishPhones},       {"AT", 3, "gmx.at", kAustrianPhones},
};

std::uint64_t SplitMix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// xoshiro256** (Blackman and Vigna), seeded through splitmix64.
class Random {
 public:
  explicit Random(std::uint64_t seed) {
    for (std::uint64_t& word : state_) word = SplitMix64(seed);
  }

  std::uint64_t Next() {
    const std::uint64_t result = RotateLeft(state_[1] * 5, 7) * 9;
    const std::uint64_t shifted = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= shifted;
    state_[3] = RotateLeft(state_[3], 45);
    return result;
  }

  // A value in [0, bound), bound < 2^32 (multiply-shift on the top 32 bits).
  std::uint32_t Below(std::uint32_t bound) {
    return static_cast<std::uint32_t>(((Next() >> 32) * bound) >> 32);
  }

  // An index into `weights`, chosen with probability proportional to each weight.
  template <typename Weights>
  std::size_t Weighted(const Weights& weights, std::uint32_t total) {
    std::uint32_t pick = Below(total);
    std::size_t index = 0;
    while (pick >= weights[index]) pick -= weights[index++];
    return index;
  }

 private:
  static std::uint64_t RotateLeft(std::uint64_t value, int bits) {
    return (value << bits) | (value >> (64 - bits));
  }

  std::uint64_t state_[4];
};

template <typename T, std::size_t N>
constexpr std::uint32_t CountOf(const T (&)[N]) {
  return static_cast<std::uint32_t>(N);
}

constexpr std::uint32_t SumCountryWeights() {
  std::uint32_t total = 0;
  for (const Country& country : kCountries) total += country.weight;
  return total;
}

constexpr std::uint32_t SumStatusWeights() {
  std::uint32_t total = 0;
  for (std::uint32_t weight : kStatusWeights) total += weight;
  return total;
}

struct CountryWeights {
  std::uint32_t operator[](std::size_t index) const { return kCountries[index].weight; }
};

// Appends to a large buffer and writes it out in big blocks.
class OutputBuffer {
 public:
  explicit OutputBuffer(std::FILE* file) : file_(file) {
    buffer_.reserve(kOutputBufferBytes + 4096);
  }

  void Append(std::string_view text) { buffer_.append(text); }
  void Append(char character) { buffer_.push_back(character); }

  void AppendInteger(std::uint64_t value) {
    char digits[24];
    const auto [end, error] = std::to_chars(digits, digits + sizeof(digits), value);
    buffer_.append(digits, static_cast<std::size_t>(end - digits));
  }

  // Writes out the buffer once it holds a block's worth; false on an I/O error.
  bool FlushIfFull() { return buffer_.size() < kOutputBufferBytes || Flush(); }

  // Writes out everything appended so far; false on an I/O error.
  bool Flush() {
    if (buffer_.empty()) return ok_;
    if (std::fwrite(buffer_.data(), 1, buffer_.size(), file_) != buffer_.size()) ok_ = false;
    bytes_written_ += buffer_.size();
    buffer_.clear();
    return ok_;
  }

  std::uint64_t bytes_total() const { return bytes_written_ + buffer_.size(); }

 private:
  std::FILE* file_;
  std::string buffer_;
  std::uint64_t bytes_written_ = 0;
  bool ok_ = true;
};

// One generated order, its text fields already rendered.
struct Order {
  std::uint64_t order_id = 0;
  std::uint32_t customer_id = 0;
  char email[64] = {};
  std::size_t email_length = 0;
  char phone[24] = {};
  std::size_t phone_length = 0;
  char order_ts[21] = {};   // "YYYY-MM-DDTHH:MM:SSZ"
  char product_id[9] = {};  // "P-NNNNNN"
  std::uint32_t quantity = 0;
  std::uint32_t unit_price_cents = 0;
  std::string_view status;
  std::string_view country;

  std::string_view email_text() const { return {email, email_length}; }
  std::string_view phone_text() const { return {phone, phone_length}; }
  std::string_view order_ts_text() const { return {order_ts, sizeof(order_ts) - 1}; }
  std::string_view product_id_text() const { return {product_id, sizeof(product_id) - 1}; }
};

void WriteDigits(char* out, std::uint32_t value, int width) {
  for (int position = width - 1; position >= 0; --position) {
    out[position] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

// Proleptic Gregorian date of a day count since 1970-01-01 (H. Hinnant's civil_from_days).
void CivilFromDays(std::int64_t days, std::int32_t& year, std::uint32_t& month,
                   std::uint32_t& day) {
  days += 719'468;
  const std::int64_t era = (days >= 0 ? days : days - 146'096) / 146'097;
  const auto day_of_era = static_cast<std::uint32_t>(days - era * 146'097);
  const std::uint32_t year_of_era =
      (day_of_era - day_of_era / 1460 + day_of_era / 36'524 - day_of_era / 146'096) / 365;
  const std::uint32_t day_of_year =
      day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
  const std::uint32_t month_index = (5 * day_of_year + 2) / 153;
  day = day_of_year - (153 * month_index + 2) / 5 + 1;
  month = month_index < 10 ? month_index + 3 : month_index - 9;
  year = static_cast<std::int32_t>(year_of_era + era * 400) + (month <= 2 ? 1 : 0);
}

void RenderTimestamp(std::int64_t epoch_seconds, char* out) {
  const std::int64_t days = epoch_seconds / 86'400;
  const auto seconds_of_day = static_cast<std::uint32_t>(epoch_seconds % 86'400);
  std::int32_t year = 0;
  std::uint32_t month = 0;
  std::uint32_t day = 0;
  CivilFromDays(days, year, month, day);
  WriteDigits(out, static_cast<std::uint32_t>(year), 4);
  out[4] = '-';
  WriteDigits(out + 5, month, 2);
  out[7] = '-';
  WriteDigits(out + 8, day, 2);
  out[10] = 'T';
  WriteDigits(out + 11, seconds_of_day / 3600, 2);
  out[13] = ':';
  WriteDigits(out + 14, seconds_of_day / 60 % 60, 2);
  out[16] = ':';
  WriteDigits(out + 17, seconds_of_day % 60, 2);
  out[19] = 'Z';
  out[20] = '\0';
}

std::size_t AppendText(char* out, std::size_t length, std::string_view text) {
  std::memcpy(out + length, text.data(), text.size());
  return length + text.size();
}

// Produces the orders. Customer and product attributes are pure functions of their ids.
class OrderGenerator {
 public:
  explicit OrderGenerator(std::uint64_t seed)
      : random_(seed), customer_seed_(seed ^ 0xc0ffee), product_seed_(seed ^ 0xfacade) {}

  void Next(Order& order) {
    order.order_id = ++last_order_id_;
    // Squaring a uniform value skews toward low ids: some customers and products are popular.
    const std::uint32_t customer_draw = random_.Below(kCustomerCount);
    order.customer_id =
        1 + static_cast<std::uint32_t>(std::uint64_t{customer_draw} *
                                       random_.Below(kCustomerCount) / kCustomerCount);
    RenderCustomer(order);

    const std::int64_t offset = static_cast<std::int64_t>(
        (random_.Next() >> 11) % static_cast<std::uint64_t>(kOrderSpanSeconds));
    RenderTimestamp(kFirstOrderEpochSeconds + offset, order.order_ts);

    const std::uint32_t product_draw = random_.Below(kProductCount);
    const std::uint32_t product =
        1 + static_cast<std::uint32_t>(std::uint64_t{product_draw} * random_.Below(kProductCount) /
                                       kProductCount);
    order.product_id[0] = 'P';
    order.product_id[1] = '-';
    WriteDigits(order.product_id + 2, product, 6);
    order.product_id[8] = '\0';
    order.unit_price_cents = ProductPriceCents(product);

    order.quantity = random_.Below(10) < 7 ? 1 + random_.Below(3) : 1 + random_.Below(20);
    order.status = kStatuses[random_.Weighted(kStatusWeights, SumStatusWeights())];
  }

 private:
  void RenderCustomer(Order& order) const {
    std::uint64_t state =
        customer_seed_ ^ (std::uint64_t{order.customer_id} * 0x9e3779b97f4a7c15ULL);
    Random customer(SplitMix64(state));
    const Country& country = kCountries[customer.Weighted(CountryWeights{}, SumCountryWeights())];
    order.country = country.code;

    std::size_t length = 0;
    length = AppendText(order.email, length, kFirstNames[customer.Below(CountOf(kFirstNames))]);
    order.email[length++] = '.';
    length = AppendText(order.email, length, kLastNames[customer.Below(CountOf(kLastNames))]);
    const std::uint32_t suffix_kind = customer.Below(10);
    if (suffix_kind < 4) {  // two digits, often a birth year
      WriteDigits(order.email + length, 60 + customer.Below(40), 2);
      length += 2;
    } else if (suffix_kind < 7) {  // up to four digits
      const auto [end, error] = std::to_chars(
          order.email + length, order.email + sizeof(order.email), 1 + customer.Below(9999));
      length = static_cast<std::size_t>(end - order.email);
    }
    order.email[length++] = '@';
    const std::string_view domain = customer.Below(10) < 6
                                        ? kGenericDomains[customer.Below(CountOf(kGenericDomains))]
                                        : country.local_domain;
    length = AppendText(order.email, length, domain);
    order.email_length = length;

    const std::string_view pattern = country.phone_patterns[customer.Below(
        static_cast<std::uint32_t>(country.phone_patterns.size()))];
    for (std::size_t index = 0; index < pattern.size(); ++index) {
      order.phone[index] =
          pattern[index] == '#' ? static_cast<char>('0' + customer.Below(10)) : pattern[index];
    }
    order.phone_length = pattern.size();
  }

  std::uint32_t ProductPriceCents(std::uint32_t product) const {
    std::uint64_t state = product_seed_ ^ (std::uint64_t{product} * 0xd1b54a32d192ed03ULL);
    Random price(SplitMix64(state));
    const std::uint32_t band = price.Below(10);
    std::uint32_t units = 0;
    if (band < 5) {
      units = 1 + price.Below(29);  // 1 .. 29
    } else if (band < 8) {
      units = 30 + price.Below(120);  // 30 .. 149
    } else {
      units = 150 + price.Below(850);  // 150 .. 999
    }
    constexpr std::uint32_t kEndings[] = {99, 99, 99, 49, 95, 0, 50};
    const std::uint32_t ending_index = price.Below(CountOf(kEndings) + 1);
    const std::uint32_t cents =
        ending_index < CountOf(kEndings) ? kEndings[ending_index] : price.Below(100);
    return units * 100 + cents;
  }

  Random random_;
  std::uint64_t customer_seed_;
  std::uint64_t product_seed_;
  std::uint64_t last_order_id_ = 0;
};

void AppendPrice(OutputBuffer& out, std::uint32_t cents) {
  out.AppendInteger(cents / 100);
  const char fraction[3] = {'.', static_cast<char>('0' + cents % 100 / 10),
                            static_cast<char>('0' + cents % 10)};
  out.Append(std::string_view(fraction, 3));
}

// Appends a CSV field, quoted (RFC 4180) only when it contains a delimiter, quote or line break.
void AppendCSVField(OutputBuffer& out, std::string_view value) {
  if (value.find_first_of(",\"\r\n") == std::string_view::npos) {
    out.Append(value);
    return;
  }
  out.Append('"');
  for (char character : value) {
    if (character == '"') out.Append('"');
    out.Append(character);
  }
  out.Append('"');
}

void AppendCSVHeader(OutputBuffer& out) {
  for (std::size_t index = 0; index < std::size(kColumnNames); ++index) {
    if (index > 0) out.Append(',');
    out.Append(kColumnNames[index]);
  }
  out.Append('\n');
}

void AppendCSVRow(OutputBuffer& out, const Order& order) {
  out.AppendInteger(order.order_id);
  out.Append(',');
  out.AppendInteger(order.customer_id);
  out.Append(',');
  AppendCSVField(out, order.email_text());
  out.Append(',');
  AppendCSVField(out, order.phone_text());
  out.Append(',');
  out.Append(order.order_ts_text());
  out.Append(',');
  AppendCSVField(out, order.product_id_text());
  out.Append(',');
  out.AppendInteger(order.quantity);
  out.Append(',');
  AppendPrice(out, order.unit_price_cents);
  out.Append(',');
  AppendCSVField(out, order.status);
  out.Append(',');
  AppendCSVField(out, order.country);
  out.Append('\n');
}

// Appends a JSON string literal, escaping only what JSON requires.
void AppendJSONString(OutputBuffer& out, std::string_view value) {
  out.Append('"');
  for (char character : value) {
    const auto byte = static_cast<unsigned char>(character);
    if (character == '"' || character == '\\') {
      out.Append('\\');
      out.Append(character);
    } else if (byte < 0x20) {
      constexpr char kHex[] = "0123456789abcdef";
      out.Append("\\u00");
      out.Append(kHex[byte >> 4]);
      out.Append(kHex[byte & 0xf]);
    } else {
      out.Append(character);
    }
  }
  out.Append('"');
}

void AppendNDJSONRow(OutputBuffer& out, const Order& order) {
  out.Append("{\"order_id\":");
  out.AppendInteger(order.order_id);
  out.Append(",\"customer_id\":");
  out.AppendInteger(order.customer_id);
  out.Append(",\"email\":");
  AppendJSONString(out, order.email_text());
  out.Append(",\"phone\":");
  AppendJSONString(out, order.phone_text());
  out.Append(",\"order_ts\":");
  AppendJSONString(out, order.order_ts_text());
  out.Append(",\"product_id\":");
  AppendJSONString(out, order.product_id_text());
  out.Append(",\"quantity\":");
  out.AppendInteger(order.quantity);
  out.Append(",\"unit_price\":");
  AppendPrice(out, order.unit_price_cents);
  out.Append(",\"status\":");
  AppendJSONString(out, order.status);
  out.Append(",\"country\":");
  AppendJSONString(out, order.country);
  out.Append("}\n");
}

enum class Format { kCSV, kNDJSON };

struct Options {
  Format format = Format::kCSV;
  std::uint64_t size_mb = 0;
  std::string out;
  std::uint64_t seed = kDefaultSeed;
};

constexpr char kUsage[] =
    "usage: sales_orders_generator --format csv|ndjson --size-mb N --out FILE [--seed S]\n";

bool ParseUnsigned(std::string_view text, std::uint64_t& value) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size();
}

// Parses the command line into `options`; on failure prints why and returns false.
bool ParseOptions(int argc, char** argv, Options& options) {
  bool has_format = false;
  for (int index = 1; index < argc; ++index) {
    const std::string_view flag = argv[index];
    if (flag == "--help" || flag == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (index + 1 >= argc) {
      std::fprintf(stderr, "sales_orders_generator: %s needs a value\n%s", argv[index], kUsage);
      return false;
    }
    const std::string_view value = argv[++index];
    if (flag == "--format") {
      if (value == "csv") {
        options.format = Format::kCSV;
      } else if (value == "ndjson") {
        options.format = Format::kNDJSON;
      } else {
        std::fprintf(stderr, "sales_orders_generator: unknown format '%s' (csv or ndjson)\n",
                     argv[index]);
        return false;
      }
      has_format = true;
    } else if (flag == "--size-mb") {
      if (!ParseUnsigned(value, options.size_mb) || options.size_mb == 0) {
        std::fprintf(stderr,
                     "sales_orders_generator: --size-mb wants a positive integer, got '%s'\n",
                     argv[index]);
        return false;
      }
    } else if (flag == "--out") {
      options.out = value;
    } else if (flag == "--seed") {
      if (!ParseUnsigned(value, options.seed)) {
        std::fprintf(stderr, "sales_orders_generator: --seed wants an unsigned integer, got '%s'\n",
                     argv[index]);
        return false;
      }
    } else {
      std::fprintf(stderr, "sales_orders_generator: unknown option '%s'\n%s", argv[index - 1],
                   kUsage);
      return false;
    }
  }
  if (!has_format || options.size_mb == 0 || options.out.empty()) {
    std::fputs(kUsage, stderr);
    return false;
  }
  return true;
}

int Run(const Options& options) {
  const std::string temporary_path = options.out + ".tmp";
  std::FILE* file = std::fopen(temporary_path.c_str(), "wb");
  if (file == nullptr) {
    std::fprintf(stderr, "sales_orders_generator: cannot open %s: %s\n", temporary_path.c_str(),
                 std::strerror(errno));
    return 1;
  }
  std::setvbuf(file, nullptr, _IONBF, 0);

  const std::uint64_t target_bytes = options.size_mb * kBytesPerMegabyte;
  OutputBuffer out(file);
  OrderGenerator generator(options.seed);
  Order order;
  std::uint64_t rows = 0;
  if (options.format == Format::kCSV) AppendCSVHeader(out);
  while (out.bytes_total() < target_bytes) {
    generator.Next(order);
    if (options.format == Format::kCSV) {
      AppendCSVRow(out, order);
    } else {
      AppendNDJSONRow(out, order);
    }
    ++rows;
    if (!out.FlushIfFull()) break;
  }
  const std::uint64_t bytes = out.bytes_total();
  const bool written = out.Flush();
  if (std::fclose(file) != 0 || !written) {
    std::fprintf(stderr, "sales_orders_generator: cannot write %s: %s\n", temporary_path.c_str(),
                 std::strerror(errno));
    return 1;
  }

  std::error_code error;
  std::filesystem::rename(temporary_path, options.out, error);
  if (error) {
    std::fprintf(stderr, "sales_orders_generator: cannot rename %s to %s: %s\n",
                 temporary_path.c_str(), options.out.c_str(), error.message().c_str());
    return 1;
  }

  const std::string rows_path = options.out + ".rows";
  std::FILE* rows_file = std::fopen(rows_path.c_str(), "w");
  if (rows_file == nullptr ||
      std::fprintf(rows_file, "%llu\n", static_cast<unsigned long long>(rows)) < 0 ||
      std::fclose(rows_file) != 0) {
    std::fprintf(stderr, "sales_orders_generator: cannot write %s\n", rows_path.c_str());
    return 1;
  }
  std::fprintf(stderr, "sales_orders_generator: wrote %llu rows (%llu bytes) to %s\n",
               static_cast<unsigned long long>(rows), static_cast<unsigned long long>(bytes),
               options.out.c_str());
  return 0;
}

}  // namespace
}  // namespace sluice::bench

int main(int argc, char** argv) {
  sluice::bench::Options options;
  if (!sluice::bench::ParseOptions(argc, argv, options)) return 2;
  return sluice::bench::Run(options);
}

// retail_generator: deterministic, realistic and messy file drops of a small online shop — orders
// CSV per day (bad rows, duplicates, a late file), customers NDJSON in three drops (address and
// email changes, a new field, a malformed line) and a products CSV. The same arguments always
// give byte-identical files (own PRNG, integer arithmetic only, no clock); large volumes stream.
// Every random draw is its own statement: the operands of `a + b` are evaluated in an unspecified
// order (GCC and Clang differ), so two draws in one expression would make the output compiler-
// dependent.
//
//   retail_generator --out DIR [--orders N] [--customers N] [--products N] [--order-files N]
//                    [--seed S]
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace {

// splitmix64: small, fast, the same on every platform.
class Random {
 public:
  explicit Random(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n) (n small: the modulo bias is negligible and, above all, deterministic).
  int64_t Below(int64_t n) { return static_cast<int64_t>(Next() % static_cast<uint64_t>(n)); }
  bool Chance(int64_t per_thousand) { return Below(1000) < per_thousand; }
  template <typename T>
  const T& Pick(const std::vector<T>& items) {
    return items[static_cast<size_t>(Below(static_cast<int64_t>(items.size())))];
  }

 private:
  uint64_t state_;
};

const std::vector<std::string> kFirstNames = {
    "Ann",   "Bob",    "Chen", "Dana",   "Emil", "Fatima", "Gus",   "Hana",    "Ivan",  "Jonas",
    "Kemal", "Lena",   "Mia",  "Noah",   "Olga", "Pavel",  "Quinn", "Rosa",    "Sven",  "Tara",
    "Uma",   "Viktor", "Wen",  "Xavier", "Yara", "Zoe",    "Amir",  "Beatriz", "Carlo", "Dmitri"};
const std::vector<std::string> kLastNames = {
    "Lee",   "Martin", "Wu",      "Silva",  "Novak",   "Haddad",   "Berg",    "Kowalski",
    "Rossi", "Nguyen", "Meyer",   "Dubois", "Garcia",  "Ivanova",  "Okafor",  "Larsen",
    "Costa", "Yilmaz", "Schmidt", "Moreau", "O'Brien", "van Dijk", "Fischer", "Santos"};
const std::vector<std::string> kDomains = {"example.com", "example.org", "example.net"};
struct City {
  const char* name;
  const char* country;
  const char* phone_prefix;
  int postcode_base;
  int postcode_digits;  // Oslo's 0150 keeps its leading zero: postcodes are text, not numbers
};
const std::vector<City> kCities = {
    {"Berlin", "DE", "+49 151", 10115, 5}, {"Hamburg", "DE", "+49 160", 20095, 5},
    {"Lyon", "FR", "+33 6", 69001, 5},     {"Paris", "FR", "+33 7", 75001, 5},
    {"Amsterdam", "NL", "+31 6", 1011, 4}, {"Utrecht", "NL", "+31 6", 3511, 4},
    {"Oslo", "NO", "+47 4", 150, 4},       {"Madrid", "ES", "+34 6", 28001, 5},
    {"Milan", "IT", "+39 3", 20121, 5},    {"Vienna", "AT", "+43 664", 1010, 4}};
const std::vector<std::string> kStreets = {
    "Main Street", "Station Road", "Lindenallee", "Rue de la Paix", "Kanaalweg",
    "Via Roma",    "Calle Mayor",  "Ringstrasse", "Harbour Lane",   "Market Square"};
const std::vector<std::string> kAdjectives = {"Brass", "Oak",   "Linen", "Ceramic", "Steel",
                                              "Wool",  "Glass", "Cork",  "Bamboo",  "Copper"};
const std::vector<std::string> kNouns = {"Desk lamp", "Mug",     "Notebook", "Chair",
                                         "Blanket",   "Vase",    "Kettle",   "Backpack",
                                         "Clock",     "Bookend", "Tray",     "Candle"};
const std::vector<std::string> kCategories = {"home", "kitchen", "office", "outdoor", "gifts"};
const std::vector<std::string> kStatuses = {"placed", "shipped", "delivered", "returned",
                                            "cancelled"};
const std::vector<std::string> kChannels = {"web", "web", "app", "store"};
const std::vector<std::string> kTiers = {"bronze", "silver", "gold"};

std::string Cents(int64_t cents) {
  char text[32];
  std::snprintf(text, sizeof(text), "%lld.%02lld", static_cast<long long>(cents / 100),
                static_cast<long long>(cents % 100));
  return text;
}

std::string CsvQuote(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string JsonString(const std::string& text) {
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// Days since 1970-01-01 → "YYYY-MM-DD" (Howard Hinnant's civil-from-days, integer only).
std::string Date(int64_t days) {
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t day = doy - (153 * mp + 2) / 5 + 1;
  const int64_t month = mp < 10 ? mp + 3 : mp - 9;
  const int64_t year = yoe + era * 400 + (month <= 2);
  char text[64];
  std::snprintf(text, sizeof(text), "%04lld-%02lld-%02lld", static_cast<long long>(year),
                static_cast<long long>(month), static_cast<long long>(day));
  return text;
}

std::string Timestamp(int64_t days, int64_t second_of_day) {
  char text[96];
  std::snprintf(text, sizeof(text), "%sT%02lld:%02lld:%02lldZ", Date(days).c_str(),
                static_cast<long long>(second_of_day / 3600),
                static_cast<long long>(second_of_day / 60 % 60),
                static_cast<long long>(second_of_day % 60));
  return text;
}

constexpr int64_t kFirstDay = 20758;  // 2026-11-01

struct Options {
  std::string out;
  int64_t orders = 1500;
  int64_t customers = 200;
  int64_t products = 60;
  int64_t order_files = 4;
  uint64_t seed = 42;
};

struct FileSummary {
  std::string path;
  int64_t rows = 0;
  int64_t bad_rows = 0;  // records a reader must reject (duplicates and late rows are not bad)
  std::string planted;
};

std::vector<FileSummary> summaries;

struct Customer {
  int64_t id = 0;
  std::string name, email, phone, street, city, postcode, country;
  int64_t updated_day = 0;
};

void Move(Random& random, Customer* c, int64_t day) {
  const City& city =
      kCities[static_cast<size_t>(random.Below(static_cast<int64_t>(kCities.size())))];
  const std::string& street = random.Pick(kStreets);
  const int64_t house_number = 1 + random.Below(180);
  c->street = std::to_string(house_number) + " " + street;
  c->city = city.name;
  c->country = city.country;
  char postcode[32];
  std::snprintf(postcode, sizeof(postcode), "%0*lld", city.postcode_digits,
                static_cast<long long>(city.postcode_base + random.Below(90)));
  c->postcode = postcode;
  c->phone = std::string(city.phone_prefix) + " " + std::to_string(1000000 + random.Below(8999999));
  c->updated_day = day;
}

Customer MakeCustomer(Random& random, int64_t id, int64_t day) {
  Customer c;
  c.id = id;
  const std::string first = random.Pick(kFirstNames);
  const std::string last = random.Pick(kLastNames);
  c.name = first + " " + last;
  std::string local = first + "." + last;
  for (char& ch : local) {
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (ch == ' ' || ch == '\'') ch = '_';
  }
  c.email = local + std::to_string(id) + "@" + random.Pick(kDomains);
  Move(random, &c, day);
  return c;
}

std::string CustomerJson(const Customer& c, bool with_phone, const std::string& tier) {
  std::string line = "{\"customer_id\": " + std::to_string(c.id) +
                     ", \"name\": " + JsonString(c.name) + ", \"email\": " + JsonString(c.email);
  if (with_phone) line += ", \"phone\": " + JsonString(c.phone);
  line += ", \"street\": " + JsonString(c.street) + ", \"city\": " + JsonString(c.city) +
          ", \"postcode\": " + JsonString(c.postcode) + ", \"country\": " + JsonString(c.country) +
          ", \"updated_at\": " + JsonString(Timestamp(c.updated_day, 6 * 3600));
  if (!tier.empty()) line += ", \"loyalty_tier\": " + JsonString(tier);
  return line + "}";
}

bool WriteProducts(const Options& options, Random& random, std::vector<int64_t>* prices) {
  const std::string path = options.out + "/products/products.csv";
  std::ofstream out(path, std::ios::trunc | std::ios::binary);
  out << "product_id,sku,name,category,unit_price,active\n";
  for (int64_t id = 1; id <= options.products; ++id) {
    const std::string& noun = random.Pick(kNouns);
    const std::string& adjective = random.Pick(kAdjectives);
    std::string name = adjective + " " + noun;
    if (id % 7 == 0) name += ", large";
    if (id % 11 == 0) name = "\"Sluice\" " + name;
    const int64_t cents = 199 + random.Below(29800);
    prices->push_back(cents);
    char sku[32];
    std::snprintf(sku, sizeof(sku), "SKU-%05lld", static_cast<long long>(id));
    const std::string& category = random.Pick(kCategories);
    const bool active = random.Chance(900);
    out << id << ',' << sku << ',' << CsvQuote(name) << ',' << category << ',' << Cents(cents)
        << ',' << (active ? "true" : "false") << '\n';
  }
  const char* planted = options.products >= 11  ? "names with , and \" (CSV-quoted)"
                        : options.products >= 7 ? "names with , (CSV-quoted)"
                                                : "none";
  summaries.push_back({"products/products.csv", options.products, 0, planted});
  return static_cast<bool>(out);
}

bool WriteCustomers(const Options& options, Random& random) {
  // Drop 1: the first 75% of customers. Drop 2: address changes of ~12% of them, new customers up
  // to 90%, one truncated JSON line. Drop 3: more changes (some email), the rest of the new
  // customers, and a new field loyalty_tier on every record. Each drop holds only the records
  // that are new or changed since the one before (deltas).
  std::vector<Customer> customers;
  const int64_t first = options.customers * 3 / 4;
  const int64_t second = options.customers * 9 / 10;
  for (int64_t drop = 1; drop <= 3; ++drop) {
    const int64_t day = kFirstDay + (drop - 1) * 2;
    const std::string name = "customers/customers_" + std::to_string(drop) + ".jsonl";
    std::ofstream out(options.out + "/" + name, std::ios::trunc | std::ios::binary);
    int64_t rows = 0;
    std::string planted;
    auto emit = [&](const Customer& c, bool with_phone) {
      out << CustomerJson(c, with_phone, drop == 3 ? random.Pick(kTiers) : "") << '\n';
      ++rows;
    };
    if (drop > 1) {
      const int64_t existing = static_cast<int64_t>(customers.size());
      int64_t moved = 0, new_email = 0;
      for (int64_t i = 0; i < existing; ++i) {
        Customer& c = customers[static_cast<size_t>(i)];
        if (random.Chance(drop == 2 ? 120 : 80)) {
          Move(random, &c, day);
          ++moved;
          if (drop == 3 && random.Chance(300)) {
            c.email = "new." + c.email;
            ++new_email;
          }
          emit(c, true);
        }
      }
      planted = std::to_string(moved) + " address changes";
      if (new_email > 0) planted += ", " + std::to_string(new_email) + " email changes";
    }
    const int64_t end = drop == 1 ? first : drop == 2 ? second : options.customers;
    int64_t missing_phone = 0;
    for (int64_t id = static_cast<int64_t>(customers.size()) + 1; id <= end; ++id) {
      customers.push_back(MakeCustomer(random, id, day));
      const bool with_phone = id % 37 != 0;
      missing_phone += !with_phone;
      emit(customers.back(), with_phone);
    }
    if (drop == 2) {
      out << "{\"customer_id\": " << end + 1000 << ", \"name\": \"Truncated Rec\n";
      ++rows;
      planted += ", 1 malformed JSON line";
    }
    if (drop == 3) planted += ", new field loyalty_tier";
    if (missing_phone > 0) planted += ", " + std::to_string(missing_phone) + " without phone";
    if (planted.starts_with(", ")) planted = planted.substr(2);
    summaries.push_back({name, rows, drop == 2 ? 1 : 0, planted.empty() ? "none" : planted});
    if (!out) return false;
  }
  return true;
}

bool WriteOrders(const Options& options, Random& random, const std::vector<int64_t>& prices) {
  // Regular files get equal shares; the late file (dated after the last day) holds 5% of the
  // orders, placed on earlier days.
  const int64_t late = std::max<int64_t>(1, options.orders / 20);
  const int64_t regular = options.orders - late;
  int64_t order_id = 100000;
  std::string previous_row;  // re-sent across files
  for (int64_t file = 0; file <= options.order_files; ++file) {
    const bool is_late = file == options.order_files;
    const int64_t day = kFirstDay + file;
    const std::string name = "orders/orders_" + Date(day) + (is_late ? "_late" : "") + ".csv";
    std::ofstream out(options.out + "/" + name, std::ios::trunc | std::ios::binary);
    out << "order_id,order_ts,customer_id,product_id,quantity,unit_price,currency,channel,status\n";
    const int64_t count =
        is_late ? late
                : regular / options.order_files + (file < regular % options.order_files ? 1 : 0);
    int64_t rows = 0, bad_quantity = 0, bad_timestamp = 0, short_rows = 0, duplicates = 0;
    int64_t unknown_status = 0, zero_quantity = 0;  // well-typed: bronze keeps them, silver's
                                                    // checks quarantine them
    std::string last_row;
    for (int64_t i = 0; i < count; ++i) {
      const int64_t order_day = is_late ? kFirstDay + random.Below(options.order_files) : day;
      const int64_t product = 1 + random.Below(options.products);
      const int64_t cents = prices[static_cast<size_t>(product - 1)];
      std::string status = random.Pick(kStatuses);
      if (random.Chance(40)) status = " " + status;
      if (random.Chance(40)) {
        for (char& c : status) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      }
      std::string quantity = std::to_string(1 + random.Below(5));
      std::string ts = Timestamp(order_day, 7 * 3600 + random.Below(15 * 3600));
      // Planted problems, at fixed positions so the counts are exact.
      const int64_t position = i % 250;
      if (position == 17) {
        quantity = "two";
        ++bad_quantity;
      } else if (position == 91) {
        ts = "31/11/2026 25:00";
        ++bad_timestamp;
      } else if (position == 60) {  // set after the draws: the other rows stay as they were
        status = "lost";
        ++unknown_status;
      } else if (position == 120) {
        quantity = "0";
        ++zero_quantity;
      }
      const std::string channel = random.Chance(60) ? "" : random.Pick(kChannels);
      const char* currency = random.Chance(900) ? "EUR" : "USD";
      const int64_t customer = 1 + random.Below(options.customers);
      std::string row = std::to_string(++order_id) + "," + ts + "," + std::to_string(customer) +
                        "," + std::to_string(product) + "," + quantity + "," + Cents(cents) + "," +
                        currency + "," + channel + "," + status;
      if (position == 143) {
        row = row.substr(0, row.rfind(','));  // a field missing
        ++short_rows;
      }
      out << row << '\n';
      ++rows;
      if (position == 200 && !last_row.empty()) {  // sent twice in a row
        out << last_row << '\n';
        ++rows;
        ++duplicates;
      }
      if (position == 5 && !previous_row.empty() && !is_late) {  // re-sent from the day before
        out << previous_row << '\n';
        ++rows;
        ++duplicates;
      }
      if (position != 143 && position != 17 && position != 91) last_row = row;
    }
    previous_row = last_row;
    std::string planted =
        std::to_string(bad_quantity) + " quantity not a number, " + std::to_string(bad_timestamp) +
        " bad timestamp, " + std::to_string(short_rows) + " missing field, " +
        std::to_string(duplicates) + " duplicates; for silver: " + std::to_string(unknown_status) +
        " status lost, " + std::to_string(zero_quantity) + " quantity 0";
    if (is_late) planted += "; late: orders of earlier days";
    summaries.push_back({name, rows, bad_quantity + bad_timestamp + short_rows, planted});
    if (!out) return false;
  }
  return true;
}

int64_t ParseCount(const char* text, const char* flag) {
  char* end = nullptr;
  const long long value = std::strtoll(text, &end, 10);
  if (end == text || *end != '\0' || value < 1) {
    std::cerr << "retail_generator: " << flag << " needs a positive number, not '" << text << "'\n";
    std::exit(2);
  }
  return value;
}

uint64_t ParseSeed(const char* text) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long value = std::strtoull(text, &end, 10);
  if (end == text || *end != '\0' || errno != 0 || text[0] == '-') {
    std::cerr << "retail_generator: --seed needs a number from 0 to 2^64-1, not '" << text << "'\n";
    std::exit(2);
  }
  return value;
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << "retail_generator --out DIR [--orders N] [--customers N] [--products N]\n"
                   "                 [--order-files N] [--seed S]\n\n"
                   "Writes deterministic, messy file drops of a small shop into DIR:\n"
                   "  orders/orders_<day>.csv        one per day, plus a late file; bad rows,\n"
                   "                                 duplicates, messy status values\n"
                   "  customers/customers_{1,2,3}.jsonl  three drops: new and changed customers,\n"
                   "                                 a malformed line, a new field in drop 3\n"
                   "  products/products.csv          the catalogue\n"
                   "Defaults: --orders 1500 --customers 200 --products 60 --order-files 4 "
                   "--seed 42\n";
      return 0;
    }
    if (i + 1 >= argc) {
      std::cerr << "retail_generator: " << arg << " needs a value (see --help)\n";
      return 2;
    }
    const char* value = argv[++i];
    if (arg == "--out") {
      options.out = value;
    } else if (arg == "--orders") {
      options.orders = ParseCount(value, "--orders");
    } else if (arg == "--customers") {
      options.customers = ParseCount(value, "--customers");
    } else if (arg == "--products") {
      options.products = ParseCount(value, "--products");
    } else if (arg == "--order-files") {
      options.order_files = ParseCount(value, "--order-files");
    } else if (arg == "--seed") {
      options.seed = ParseSeed(value);
    } else {
      std::cerr << "retail_generator: unknown option " << arg << " (see --help)\n";
      return 2;
    }
  }
  if (options.out.empty()) {
    std::cerr << "retail_generator: --out DIR is required (see --help)\n";
    return 2;
  }
  for (const char* folder : {"orders", "customers", "products"}) {
    std::error_code error;
    std::filesystem::create_directories(options.out + "/" + folder, error);
    if (error) {
      std::cerr << "retail_generator: " << options.out << "/" << folder << ": " << error.message()
                << '\n';
      return 3;
    }
  }
  Random random(options.seed);
  std::vector<int64_t> prices;
  if (!WriteProducts(options, random, &prices) || !WriteCustomers(options, random) ||
      !WriteOrders(options, random, prices)) {
    std::cerr << "retail_generator: writing into " << options.out << " failed\n";
    return 3;
  }
  int64_t rows = 0, bad_rows = 0;
  for (const FileSummary& file : summaries) {
    std::printf("%-36s %8lld rows %6lld bad  planted: %s\n", file.path.c_str(),
                static_cast<long long>(file.rows), static_cast<long long>(file.bad_rows),
                file.planted.c_str());
    rows += file.rows;
    bad_rows += file.bad_rows;
  }
  const int64_t basis_points = bad_rows * 10000 / rows;
  std::printf("%lld files written into %s: %lld rows, %lld bad (%lld.%02lld%%)\n",
              static_cast<long long>(summaries.size()), options.out.c_str(),
              static_cast<long long>(rows), static_cast<long long>(bad_rows),
              static_cast<long long>(basis_points / 100),
              static_cast<long long>(basis_points % 100));
  return 0;
}

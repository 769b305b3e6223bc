#include "sluice/lake/transaction_archive.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "sluice/lake/delta_log.h"
#include "sluice/lake/snapshot.h"

namespace sluice::lake {
namespace {

constexpr size_t kRecordDigits = 48;  // 32 hex digits of hash, 16 of version

// FNV-1a, 64 bits, from a given offset basis: two bases give the archive's 128-bit key.
uint64_t Fnv1a(std::string_view text, uint64_t basis) {
  uint64_t hash = basis;
  for (const unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

std::pair<uint64_t, uint64_t> KeyOf(std::string_view app_id) {
  return {Fnv1a(app_id, 14695981039346656037ull), Fnv1a(app_id, 0x9E3779B97F4A7C15ull)};
}

bool ParseHex(std::string_view digits, uint64_t* out) {
  uint64_t value = 0;
  for (const char c : digits) {
    int digit = -1;
    if (c >= '0' && c <= '9') digit = c - '0';
    if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    if (digit < 0) return false;
    value = value << 4 | static_cast<uint64_t>(digit);
  }
  *out = value;
  return true;
}

}  // namespace

Result<TransactionArchive> TransactionArchive::Parse(std::string_view configuration) {
  const nlohmann::json json = nlohmann::json::parse(configuration, nullptr, false);
  const std::string where = "domain " + std::string(kTransactionArchiveDomain);
  if (json.is_discarded() || !json.is_object() || json.value("format", 0) != 1 ||
      !json.contains("entries") || !json["entries"].is_string()) {
    return Status::DataError(where + ": expected {\"format\":1,\"entries\":\"...\"}");
  }
  const std::string& entries = json["entries"].get_ref<const std::string&>();
  if (entries.size() % kRecordDigits != 0) {
    return Status::DataError(where + ": entries are not 48-digit records");
  }
  TransactionArchive archive;
  for (size_t at = 0; at < entries.size(); at += kRecordDigits) {
    const std::string_view record = std::string_view(entries).substr(at, kRecordDigits);
    uint64_t high = 0, low = 0, version = 0;
    if (!ParseHex(record.substr(0, 16), &high) || !ParseHex(record.substr(16, 16), &low) ||
        !ParseHex(record.substr(32, 16), &version)) {
      return Status::DataError(where + ": record " + std::to_string(at / kRecordDigits) +
                               " is not lower-case hex");
    }
    archive.entries_[{high, low}] = static_cast<int64_t>(version);
  }
  return archive;
}

std::optional<int64_t> TransactionArchive::Find(std::string_view app_id) const {
  auto it = entries_.find(KeyOf(app_id));
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void TransactionArchive::Record(std::string_view app_id, int64_t version) {
  entries_[KeyOf(app_id)] = version;
}

std::string TransactionArchive::Serialize() const {
  std::string entries;
  entries.reserve(entries_.size() * kRecordDigits);
  char record[kRecordDigits + 1];
  for (const auto& [key, version] : entries_) {
    std::snprintf(record, sizeof(record), "%016" PRIx64 "%016" PRIx64 "%016" PRIx64, key.first,
                  key.second, static_cast<uint64_t>(version));
    entries.append(record, kRecordDigits);
  }
  return "{\"format\":1,\"entries\":\"" + entries + "\"}";
}

std::optional<int64_t> TransactionRetentionMs(const Metadata& metadata) {
  auto it = metadata.configuration.find(std::string(kTransactionRetentionKey));
  if (it == metadata.configuration.end()) return std::nullopt;
  Result<int64_t> retention = ParseIntervalMs(it->second);
  if (!retention.ok()) return std::nullopt;
  return *retention;
}

Status ExpireTransactions(Snapshot* snapshot) {
  auto domain = snapshot->domains.find(std::string(kTransactionArchiveDomain));
  if (domain != snapshot->domains.end()) {
    SLUICE_ASSIGN_OR_RETURN(TransactionArchive archive,
                            TransactionArchive::Parse(domain->second.configuration));
    snapshot->archived_transactions =
        std::make_shared<const TransactionArchive>(std::move(archive));
  }
  const std::optional<int64_t> retention = TransactionRetentionMs(snapshot->metadata);
  if (!retention.has_value()) return Status::OK();
  int64_t newest = INT64_MIN;
  for (const auto& [app_id, txn] : snapshot->app_transactions) {
    newest = std::max(newest, txn.last_updated.value_or(INT64_MIN));
  }
  if (newest == INT64_MIN) return Status::OK();
  std::erase_if(snapshot->app_transactions, [&](const auto& entry) {
    return entry.second.last_updated.has_value() &&
           *entry.second.last_updated < newest - *retention;
  });
  return Status::OK();
}

std::optional<DomainMetadata> ArchiveAgingTransactions(const Snapshot& snapshot, int64_t now_ms) {
  const std::optional<int64_t> retention = TransactionRetentionMs(snapshot.metadata);
  if (!retention.has_value()) return std::nullopt;
  TransactionArchive archive = snapshot.archived_transactions != nullptr
                                   ? *snapshot.archived_transactions
                                   : TransactionArchive();
  bool added = false;
  for (const auto& [app_id, txn] : snapshot.app_transactions) {
    if (!txn.last_updated.has_value() || *txn.last_updated >= now_ms - *retention / 2) continue;
    if (archive.Find(app_id) == txn.version) continue;
    archive.Record(app_id, txn.version);
    added = true;
  }
  if (!added) return std::nullopt;
  return DomainMetadata{std::string(kTransactionArchiveDomain), archive.Serialize(), false};
}

}  // namespace sluice::lake

#include "sluice/formats/reject.h"

#include <charconv>
#include <cstdio>

#include "sluice/columnar/value_formatter.h"

namespace sluice::formats {

std::string_view RejectKindName(RejectKind kind) {
  switch (kind) {
    case RejectKind::kUnterminatedQuote:
      return "unterminated_quote";
    case RejectKind::kUnexpectedQuote:
      return "unexpected_quote";
    case RejectKind::kFieldCount:
      return "field_count";
    case RejectKind::kInvalidUtf8:
      return "invalid_utf8";
    case RejectKind::kMalformedJson:
      return "malformed_json";
    case RejectKind::kCastError:
      return "cast_error";
    case RejectKind::kRecordTooLarge:
      return "record_too_large";
  }
  return "unknown";
}

std::string Reject::ToString() const {
  std::string out = file + ":" + std::to_string(line);
  if (column > 0) out += ":" + std::to_string(column);
  out += ": ";
  out += RejectKindName(kind);
  out += ": ";
  if (!field.empty()) out += "column '" + field + "': ";
  out += message;
  return out;
}

namespace {

// JSON text of `bytes`, replacing bytes that are not valid UTF-8 with U+FFFD so the output stays
// valid JSON.
void AppendJsonStringLossless(std::string_view bytes, std::string* out) {
  std::string clean;
  clean.reserve(bytes.size());
  for (size_t i = 0; i < bytes.size();) {
    const auto lead = static_cast<unsigned char>(bytes[i]);
    size_t length = 0;
    if (lead < 0x80) {
      length = 1;
    } else if ((lead & 0xE0) == 0xC0 && lead >= 0xC2) {
      length = 2;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
    } else if ((lead & 0xF8) == 0xF0 && lead <= 0xF4) {
      length = 4;
    }
    bool valid = length > 0 && i + length <= bytes.size();
    for (size_t k = 1; valid && k < length; ++k) {
      valid = (static_cast<unsigned char>(bytes[i + k]) & 0xC0) == 0x80;
    }
    if (valid && length > 2) {
      const auto second = static_cast<unsigned char>(bytes[i + 1]);
      if ((lead == 0xE0 && second < 0xA0) || (lead == 0xED && second > 0x9F) ||
          (lead == 0xF0 && second < 0x90) || (lead == 0xF4 && second > 0x8F)) {
        valid = false;
      }
    }
    if (valid) {
      clean.append(bytes.substr(i, length));
      i += length;
    } else {
      clean.append("\xEF\xBF\xBD");
      ++i;
    }
  }
  columnar::AppendJsonString(clean, out);
}

}  // namespace

std::string Reject::ToJson() const {
  std::string out = "{\"file\":";
  AppendJsonStringLossless(file, &out);
  out += ",\"line\":" + std::to_string(line);
  out += ",\"byte_offset\":" + std::to_string(byte_offset);
  out += ",\"column\":" + std::to_string(column);
  out += ",\"field\":";
  if (field.empty()) {
    out += "null";
  } else {
    AppendJsonStringLossless(field, &out);
  }
  out += ",\"kind\":\"";
  out += RejectKindName(kind);
  out += "\",\"message\":";
  AppendJsonStringLossless(message, &out);
  out += ",\"raw\":";
  AppendJsonStringLossless(raw, &out);
  out += "}";
  return out;
}

Result<RejectPolicy> RejectPolicy::Parse(std::string_view on_error, std::string_view max_rejects) {
  RejectPolicy policy;
  if (on_error == "fail") {
    policy.on_error = OnError::kFail;
  } else if (on_error == "skip") {
    policy.on_error = OnError::kSkip;
  } else if (on_error == "quarantine" || on_error.empty()) {
    policy.on_error = OnError::kQuarantine;
  } else {
    return Status::InvalidArgument("--on-error must be fail, skip or quarantine, not '" +
                                   std::string(on_error) + "'");
  }
  if (max_rejects.empty()) return policy;
  const bool percent = max_rejects.back() == '%';
  std::string_view number = percent ? max_rejects.substr(0, max_rejects.size() - 1) : max_rejects;
  if (percent) {
    double value = 0;
    auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec != std::errc() || ptr != number.data() + number.size() ||
        !(value >= 0 && value <= 100)) {
      return Status::InvalidArgument(
          "max rejects must be a count N or a percentage P% (0-100), "
          "not '" +
          std::string(max_rejects) + "'");
    }
    policy.max_fraction = value / 100.0;
  } else {
    int64_t value = 0;
    auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec != std::errc() || ptr != number.data() + number.size() || value < 0) {
      return Status::InvalidArgument("max rejects must be a count N or a percentage P%, not '" +
                                     std::string(max_rejects) + "'");
    }
    policy.max_count = value;
  }
  return policy;
}

Status RejectTracker::Add(Reject reject) {
  ++count_;
  if (policy_.on_error == OnError::kFail) {
    return Status::DataError(reject.ToString());
  }
  if (policy_.on_error == OnError::kQuarantine) {
    if (sink_) {
      SLUICE_RETURN_NOT_OK(sink_(reject));
    } else {
      kept_.push_back(std::move(reject));
    }
  }
  if (policy_.max_count && count_ > *policy_.max_count) {
    return Status::DataError("more than " + std::to_string(*policy_.max_count) +
                             " rejected records (the max-rejects limit); last: " +
                             (kept_.empty() ? reject.ToString() : kept_.back().ToString()));
  }
  return Status::OK();
}

Status RejectTracker::Finish(int64_t rows) {
  rows_ += rows;
  if (!policy_.max_fraction || count_ == 0) return Status::OK();
  const int64_t total = rows_ + count_;
  const double fraction = static_cast<double>(count_) / static_cast<double>(total);
  if (fraction > *policy_.max_fraction) {
    char percentages[96];
    std::snprintf(percentages, sizeof(percentages), "(%.2f%%), more than the limit of %.2f%%",
                  fraction * 100, *policy_.max_fraction * 100);
    return Status::DataError(std::to_string(count_) + " of " + std::to_string(total) +
                             " records rejected " + percentages + " set by max-rejects");
  }
  return Status::OK();
}

}  // namespace sluice::formats

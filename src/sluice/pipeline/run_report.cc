#include "sluice/pipeline/run_report.h"

#include <sys/random.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sluice/common/redactor.h"

namespace sluice::pipeline {

namespace {

std::string IsoTime(int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[96];
  std::snprintf(text, sizeof(text), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(ms % 1000));
  return text;
}

std::string Redacted(const std::string& text) { return Redactor::Global().Redact(text); }

std::string WithThousands(int64_t n) {
  std::string digits = std::to_string(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return n < 0 ? "-" + out : out;
}

}  // namespace

int ExitCodeForStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return kExitOk;
    case StatusCode::kDataError:
    case StatusCode::kSchemaMismatch:
      return kExitData;
    case StatusCode::kInvalidArgument:
      return kExitConfig;
    default:
      return kExitRuntime;
  }
}

std::string NewRunId(int64_t now_ms) {
  const std::time_t seconds = static_cast<std::time_t>(now_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &utc);
  uint32_t random = 0;
  if (getrandom(&random, sizeof(random), 0) != static_cast<ssize_t>(sizeof(random))) {
    random = static_cast<uint32_t>(now_ms);
  }
  char suffix[16];
  std::snprintf(suffix, sizeof(suffix), "%06x", random & 0xFFFFFF);
  return std::string(stamp) + "-" + suffix;
}

int RunReport::ExitCode() const {
  int code = kExitOk;
  for (const TaskReport& task : tasks) {
    if (task.state != TaskState::kFailed) continue;
    code = std::max(code, ExitCodeForStatus(task.error));
  }
  return code;
}

nlohmann::ordered_json RunReport::ToJson() const {
  nlohmann::ordered_json json;
  json["run_id"] = run_id;
  json["project"] = project;
  json["project_file"] = project_file;
  json["started_at"] = IsoTime(started_at_ms);
  json["finished_at"] = IsoTime(finished_at_ms);
  json["seconds"] = static_cast<double>(finished_at_ms - started_at_ms) / 1000.0;
  const int exit_code = ExitCode();
  json["status"] = exit_code == 0 ? "ok" : "failed";
  json["exit_code"] = exit_code;
  json["selected"] = selected;
  int64_t rows_in = 0, rows_out = 0, rows_quarantined = 0;
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const TaskReport& task : tasks) {
    nlohmann::ordered_json entry;
    entry["name"] = task.name;
    entry["kind"] = task.kind;
    entry["status"] = std::string(TaskStateName(task.state));
    entry["attempts"] = task.attempts;
    entry["seconds"] = task.seconds;
    entry["rows_in"] = task.outcome.rows_in;
    entry["rows_out"] = task.outcome.rows_out;
    entry["rows_quarantined"] = task.outcome.rows_quarantined;
    entry["bytes_in"] = task.outcome.bytes_in;
    rows_in += task.outcome.rows_in;
    rows_out += task.outcome.rows_out;
    rows_quarantined += task.outcome.rows_quarantined;
    if (!task.error.ok()) {
      entry["error"] = {{"kind", std::string(StatusCodeName(task.error.code()))},
                        {"retryable", task.error.IsRetryable()},
                        {"message", Redacted(task.error.message())}};
    } else {
      entry["error"] = nullptr;
    }
    nlohmann::ordered_json retried = nlohmann::ordered_json::array();
    for (const std::string& error : task.retried_errors) retried.push_back(Redacted(error));
    entry["retried_errors"] = retried;
    nlohmann::ordered_json notes = nlohmann::ordered_json::array();
    for (const std::string& note : task.outcome.notes) notes.push_back(Redacted(note));
    entry["notes"] = notes;
    entry["details"] = task.outcome.details;
    list.push_back(std::move(entry));
  }
  json["totals"] = {{"tasks", tasks.size()},
                    {"rows_in", rows_in},
                    {"rows_out", rows_out},
                    {"rows_quarantined", rows_quarantined}};
  json["tasks"] = std::move(list);
  return json;
}

std::string RunReport::SummaryText() const {
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"task", "status", "rows in", "rows out", "quarantined", "seconds"});
  for (const TaskReport& task : tasks) {
    char seconds[32];
    std::snprintf(seconds, sizeof(seconds), "%.2f", task.seconds);
    std::string status(TaskStateName(task.state));
    if (task.attempts > 1) status += " (" + std::to_string(task.attempts) + " tries)";
    const bool ran = task.state == TaskState::kSucceeded;
    rows.push_back({task.name, status, ran ? WithThousands(task.outcome.rows_in) : "-",
                    ran ? WithThousands(task.outcome.rows_out) : "-",
                    ran ? WithThousands(task.outcome.rows_quarantined) : "-",
                    task.state == TaskState::kSkipped ? "-" : seconds});
  }
  std::vector<size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      // Count UTF-8 code points, not bytes.
      size_t width = 0;
      for (unsigned char c : row[i]) width += (c & 0xC0) != 0x80;
      widths[i] = std::max(widths[i], width);
    }
  }
  std::ostringstream out;
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t i = 0; i < rows[r].size(); ++i) {
      size_t width = 0;
      for (unsigned char c : rows[r][i]) width += (c & 0xC0) != 0x80;
      const std::string pad(widths[i] - width, ' ');
      if (i > 0) out << "  ";
      // Text columns left-aligned, numbers right-aligned.
      if (i < 2) {
        out << rows[r][i] << (i + 1 < rows[r].size() ? pad : "");
      } else {
        out << pad << rows[r][i];
      }
    }
    out << '\n';
    if (r == 0) {
      for (size_t i = 0; i < widths.size(); ++i) {
        if (i > 0) out << "  ";
        out << std::string(widths[i], '-');
      }
      out << '\n';
    }
  }
  for (const TaskReport& task : tasks) {
    if (task.state == TaskState::kFailed) {
      out << task.name << " failed: " << Redacted(task.error.message()) << '\n';
    } else if (task.state == TaskState::kSkipped) {
      out << task.name << " skipped: " << Redacted(task.error.message()) << '\n';
    }
    for (const std::string& note : task.outcome.notes) out << Redacted(note) << '\n';
  }
  return Redacted(out.str());
}

Result<std::string> RunReport::Write(const std::string& runs_dir) const {
  const std::filesystem::path dir = std::filesystem::path(runs_dir) / run_id;
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (error) return Status::IOError(dir.string() + ": " + error.message());
  const std::filesystem::path path = dir / "report.json";
  const std::filesystem::path temporary = dir / ".report.json.tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << Redacted(ToJson().dump(2)) << '\n';
    out.close();
    if (!out) return Status::IOError(temporary.string() + ": write failed");
  }
  std::filesystem::rename(temporary, path, error);
  if (error) return Status::IOError(path.string() + ": " + error.message());
  return path.string();
}

}  // namespace sluice::pipeline

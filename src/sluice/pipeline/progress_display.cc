#include "sluice/pipeline/progress_display.h"

#include <cstdio>

#include "sluice/common/redactor.h"

namespace sluice::pipeline {

namespace {

std::string Rate(int64_t bytes, double seconds) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.1f MB/s",
                seconds > 0 ? static_cast<double>(bytes) / 1e6 / seconds : 0.0);
  return text;
}

std::string Seconds(double seconds) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.2f s", seconds);
  return text;
}

}  // namespace

ProgressDisplay::ProgressDisplay(std::ostream& out, bool interactive)
    : out_(out), interactive_(interactive) {
  if (interactive_) thread_ = std::thread([this] { Loop(); });
}

ProgressDisplay::~ProgressDisplay() { Stop(); }

void ProgressDisplay::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
    running_.clear();
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(mutex_);
  if (interactive_) Redraw({});
}

std::string ProgressDisplay::LiveLine(const std::string& name, const Running& running) const {
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - running.started).count();
  const int64_t bytes = running.progress->bytes.load();
  std::string line = "  " + name + ": " + std::to_string(running.progress->rows.load()) +
                     " rows, " + Rate(bytes, seconds);
  const int64_t total = running.progress->files_total.load();
  if (total > 0) {
    line += ", " + std::to_string(running.progress->files_done.load()) + "/" +
            std::to_string(total) + " files";
  }
  if (running.attempt > 1) line += " (try " + std::to_string(running.attempt) + ")";
  return line;
}

void ProgressDisplay::Redraw(const std::vector<std::string>& lines) {
  // Move to the start of the live block and clear to the end of the screen.
  if (live_lines_ > 0) out_ << "\x1b[" << live_lines_ << "F\x1b[J";
  for (const std::string& line : lines) out_ << line << '\n';
  live_lines_ = 0;
  if (!stopping_) {
    for (const auto& [name, running] : running_) {
      out_ << LiveLine(name, running) << '\n';
      ++live_lines_;
    }
  }
  out_.flush();
}

void ProgressDisplay::Loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    Redraw({});
    wake_.wait_for(lock, std::chrono::milliseconds(200));
  }
}

void ProgressDisplay::OnTaskStarted(const Task& task, int attempt, TaskProgress* progress) {
  std::lock_guard<std::mutex> lock(mutex_);
  running_[task.name()] = Running{progress, std::chrono::steady_clock::now(), attempt};
  if (!interactive_) {
    out_ << "sluice: " << task.name() << ": started"
         << (attempt > 1 ? " (try " + std::to_string(attempt) + ")" : std::string()) << '\n';
    out_.flush();
  }
}

void ProgressDisplay::OnTaskRetrying(const Task& task, int attempt, const Status& error,
                                     int64_t delay_ms) {
  std::lock_guard<std::mutex> lock(mutex_);
  running_.erase(task.name());
  const std::string line = "sluice: " + task.name() + ": try " + std::to_string(attempt) +
                           " failed (" + Redactor::Global().Redact(error.ToString()) +
                           "); trying again in " + Seconds(static_cast<double>(delay_ms) / 1000);
  if (interactive_) {
    Redraw({line});
  } else {
    out_ << line << '\n';
    out_.flush();
  }
}

void ProgressDisplay::OnTaskFinished(const TaskReport& report) {
  std::lock_guard<std::mutex> lock(mutex_);
  running_.erase(report.name);
  std::string line = "sluice: " + report.name + ": ";
  switch (report.state) {
    case TaskState::kSucceeded:
      line += "ok, " + std::to_string(report.outcome.rows_in) + " rows in, " +
              std::to_string(report.outcome.rows_out) + " out, " +
              std::to_string(report.outcome.rows_quarantined) + " quarantined (" +
              Seconds(report.seconds) + ", " + Rate(report.outcome.bytes_in, report.seconds) + ")";
      break;
    case TaskState::kFailed:
      line += "failed: " + Redactor::Global().Redact(report.error.message());
      break;
    case TaskState::kSkipped:
      line += "skipped: " + Redactor::Global().Redact(report.error.message());
      break;
  }
  if (interactive_ && !stopping_) {
    Redraw({line});
  } else {
    out_ << line << '\n';
    out_.flush();
  }
}

}  // namespace sluice::pipeline

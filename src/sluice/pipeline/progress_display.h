// ProgressDisplay: what a run shows while it works, on stderr.
//
// On a terminal: a live block, redrawn a few times a second, with one line per running task
// (rows, MB/s, files done), above which each finished task leaves one line. Elsewhere (a pipe, a
// log file, CI): plain log lines — task started, retrying (with the error), finished.
// Every message passes through the Redactor.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "sluice/pipeline/executor.h"

namespace sluice::pipeline {

class ProgressDisplay final : public ExecutionListener {
 public:
  ProgressDisplay(std::ostream& out, bool interactive);
  ~ProgressDisplay() override;

  // Stops redrawing and clears the live block (called before the summary is printed).
  void Stop();

  void OnTaskStarted(const Task& task, int attempt, TaskProgress* progress) override;
  void OnTaskRetrying(const Task& task, int attempt, const Status& error,
                      int64_t delay_ms) override;
  void OnTaskFinished(const TaskReport& report) override;

 private:
  struct Running {
    TaskProgress* progress = nullptr;
    std::chrono::steady_clock::time_point started;
    int attempt = 1;
  };

  void Loop();
  // Under mutex_: erases the live block, prints `lines` permanently, redraws the block.
  void Redraw(const std::vector<std::string>& lines);
  std::string LiveLine(const std::string& name, const Running& running) const;

  std::ostream& out_;
  const bool interactive_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::map<std::string, Running> running_;
  size_t live_lines_ = 0;
  std::thread thread_;
};

}  // namespace sluice::pipeline

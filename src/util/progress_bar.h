// A one-line progress bar for long work (training, encoding, evaluation), drawn on stderr only when it is a
// terminal, so logs and pipes stay clean.
#pragma once
#include <chrono>
#include <string>

namespace nwave {

class ProgressBar {
 public:
  ProgressBar(std::string label, int64_t total, int64_t start = 0);
  ~ProgressBar();  // ends the line if anything was drawn

  // Redraws at most a few times per second; `detail` is appended (e.g. "loss 0.512").
  void update(int64_t done, const std::string& detail = "");
  bool enabled() const { return enabled_; }
  double rate() const;  // units per second since construction

 private:
  std::string label_;
  int64_t total_, start_, done_;
  bool enabled_, drawn_ = false;
  std::chrono::steady_clock::time_point began_, last_draw_;
};

std::string format_duration(double seconds);  // "1h02m", "3m05s", "12s"

}  // namespace nwave

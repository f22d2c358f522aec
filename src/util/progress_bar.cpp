#include "util/progress_bar.h"

#include <cstdio>
#include <unistd.h>

namespace nwave {

ProgressBar::ProgressBar(std::string label, int64_t total, int64_t start)
    : label_(std::move(label)),
      total_(total),
      start_(start),
      done_(start),
      enabled_(isatty(fileno(stderr)) != 0),
      began_(std::chrono::steady_clock::now()),
      last_draw_(began_ - std::chrono::hours(1)) {}

ProgressBar::~ProgressBar() {
  if (drawn_) std::fputc('\n', stderr);
}

double ProgressBar::rate() const {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - began_).count();
  return elapsed > 0.0 ? (done_ - start_) / elapsed : 0.0;
}

void ProgressBar::update(int64_t done, const std::string& detail) {
  done_ = done;
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (done < total_ && now - last_draw_ < std::chrono::milliseconds(200)) return;
  last_draw_ = now;
  constexpr int kWidth = 24;
  const double fraction = total_ > 0 ? std::min(1.0, static_cast<double>(done) / total_) : 1.0;
  const int filled = static_cast<int>(fraction * kWidth);
  const double per_second = rate();
  const std::string eta = per_second > 0.0 ? format_duration((total_ - done) / per_second) : "?";
  std::fprintf(stderr, "\r%s [%s%s] %lld/%lld %.2f/s ETA %s %s\033[K", label_.c_str(), std::string(filled, '#').c_str(),
               std::string(kWidth - filled, '.').c_str(), static_cast<long long>(done), static_cast<long long>(total_),
               per_second, eta.c_str(), detail.c_str());
  std::fflush(stderr);
  drawn_ = true;
}

std::string format_duration(double seconds) {
  const long long s = static_cast<long long>(seconds + 0.5);
  char text[32];
  if (s >= 3600)
    std::snprintf(text, sizeof text, "%lldh%02lldm", s / 3600, (s / 60) % 60);
  else if (s >= 60)
    std::snprintf(text, sizeof text, "%lldm%02llds", s / 60, s % 60);
  else
    std::snprintf(text, sizeof text, "%llds", s);
  return text;
}

}  // namespace nwave

#include "api/loss_concealment.h"

#include <algorithm>

namespace nwave {

void LossConcealment::observe_good(const uint16_t* codes, size_t frames, int num_codebooks) {
  if (frames == 0) return;
  const uint16_t* last = codes + (frames - 1) * static_cast<size_t>(num_codebooks);
  predicted_.assign(last, last + num_codebooks);
  lost_run_ = 0;
}

void LossConcealment::ramp(std::vector<float>& samples, size_t span, float to) {
  // Linear, so that no step is audible.
  if (samples.empty()) return;
  span = std::min(span, samples.size());
  const float from = gain_;
  for (size_t i = 0; i < span; ++i)
    samples[i] *= from + (to - from) * static_cast<float>(i + 1) / static_cast<float>(span);
  if (to != 1.0f)
    for (size_t i = span; i < samples.size(); ++i) samples[i] *= to;
  gain_ = to;
}

void LossConcealment::shape_lost(std::vector<float>& samples, size_t lost_frames) {
  lost_run_ = static_cast<int>(std::min<size_t>(kConcealFadeFrames, lost_run_ + lost_frames));
  ramp(samples, samples.size(), 1.0f - static_cast<float>(lost_run_) / kConcealFadeFrames);
}

void LossConcealment::shape_good(std::vector<float>& samples) {
  if (gain_ != 1.0f) ramp(samples, frame_samples_, 1.0f);  // only after a loss: otherwise bit-exact
}

void LossConcealment::reset() { *this = LossConcealment(frame_samples_); }

}  // namespace nwave

// Packet-loss concealment for the streaming decoder (Lyra's and Opus's approach in its simplest form): a lost
// frame is decoded from predicted codes, the last good frame's repeated, so the decoder's state stays continuous,
// while a gain fades the output to silence over kConcealFadeFrames lost frames; when good frames return, the gain
// ramps back to 1 over one frame. Without losses it does nothing, so decoding stays bit-exact.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace nwave {

constexpr int kConcealFadeFrames = 8;  // 64 ms at 125 frames/s: long enough to bridge a short gap, short enough not to buzz

class LossConcealment {
 public:
  explicit LossConcealment(size_t frame_samples) : frame_samples_(frame_samples) {}

  // Remembers the last of `frames` good frames (frame-major codes) as the prediction for a loss.
  void observe_good(const uint16_t* codes, size_t frames, int num_codebooks);
  // The codes to decode for one lost frame, and how many codebooks they have (1 zero code before any good frame).
  const std::vector<uint16_t>& predicted_codes() const { return predicted_; }
  int predicted_codebooks() const { return static_cast<int>(predicted_.size()); }

  // Scale the samples the decoder returned for lost frames (`lost_frames` of them) or for good ones.
  void shape_lost(std::vector<float>& samples, size_t lost_frames);
  void shape_good(std::vector<float>& samples);

  void reset();

 private:
  // Moves the gain linearly to `to` over the first `span` samples; the samples after them are scaled by `to`.
  void ramp(std::vector<float>& samples, size_t span, float to);

  size_t frame_samples_;
  std::vector<uint16_t> predicted_ = std::vector<uint16_t>(1, 0);
  float gain_ = 1.0f;
  int lost_run_ = 0;
};

}  // namespace nwave

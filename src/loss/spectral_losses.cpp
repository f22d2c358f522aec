#include "loss/spectral_losses.h"

#include "dsp/spectral.h"

namespace nwave {

MultiScaleStftLoss::MultiScaleStftLoss(std::vector<StftResolution> resolutions, double magnitude_weight, double log_weight)
    : resolutions_(std::move(resolutions)), magnitude_weight_(magnitude_weight), log_weight_(log_weight) {}

MultiScaleStftLoss MultiScaleStftLoss::original() { return MultiScaleStftLoss({{256, 64}, {512, 128}, {1024, 256}}, 1.0, 0.0); }

MultiScaleStftLoss MultiScaleStftLoss::improved() {
  return MultiScaleStftLoss({{128, 32}, {256, 64}, {512, 128}, {1024, 256}, {2048, 512}}, 1.0, 1.0);
}

torch::Tensor MultiScaleStftLoss::operator()(const torch::Tensor& estimate, const torch::Tensor& reference) const {
  auto total = torch::zeros({}, estimate.options());
  for (const auto& r : resolutions_) {
    auto x = dsp::stft_magnitude(estimate, r.n_fft, r.hop);
    auto y = dsp::stft_magnitude(reference, r.n_fft, r.hop);
    if (magnitude_weight_ != 0.0) total = total + magnitude_weight_ * (x - y).abs().mean();
    if (log_weight_ != 0.0)
      total = total + log_weight_ * (torch::log(x.clamp_min(1e-5)) - torch::log(y.clamp_min(1e-5))).abs().mean();
  }
  return total / static_cast<double>(resolutions_.size());
}

MultiScaleMelLoss::MultiScaleMelLoss(std::vector<Scale> scales, int sample_rate)
    : scales_(std::move(scales)), sample_rate_(sample_rate) {}

torch::Tensor MultiScaleMelLoss::operator()(const torch::Tensor& estimate, const torch::Tensor& reference) const {
  auto total = torch::zeros({}, estimate.options());
  for (const auto& s : scales_) {
    auto x = dsp::log_mel(estimate, s.n_fft, s.n_fft / 4, s.n_mels, sample_rate_);
    auto y = dsp::log_mel(reference, s.n_fft, s.n_fft / 4, s.n_mels, sample_rate_);
    total = total + (x - y).abs().mean();
  }
  return total / static_cast<double>(scales_.size());
}

}  // namespace nwave

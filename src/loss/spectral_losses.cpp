#include "loss/spectral_losses.h"

#include "dsp/spectral.h"

namespace nwave {

const torch::Tensor& MagnitudeSpectra::at(int n_fft) {
  auto it = by_n_fft_.find(n_fft);
  if (it == by_n_fft_.end()) it = by_n_fft_.emplace(n_fft, dsp::stft_magnitude(wave_, n_fft, n_fft / 4)).first;
  return it->second;
}

MultiScaleStftLoss::MultiScaleStftLoss(std::vector<int> n_ffts, double magnitude_weight, double log_weight)
    : n_ffts_(std::move(n_ffts)), magnitude_weight_(magnitude_weight), log_weight_(log_weight) {}

MultiScaleStftLoss MultiScaleStftLoss::original() { return MultiScaleStftLoss({256, 512, 1024}, 1.0, 0.0); }

MultiScaleStftLoss MultiScaleStftLoss::improved() { return MultiScaleStftLoss({128, 256, 512, 1024, 2048}, 1.0, 1.0); }

torch::Tensor MultiScaleStftLoss::operator()(MagnitudeSpectra& estimate, MagnitudeSpectra& reference) const {
  auto total = torch::zeros({}, reference.at(n_ffts_.front()).options());
  for (int n_fft : n_ffts_) {
    const auto& x = estimate.at(n_fft);
    const auto& y = reference.at(n_fft);
    if (magnitude_weight_ != 0.0) total = total + magnitude_weight_ * (x - y).abs().mean();
    if (log_weight_ != 0.0)
      total = total + log_weight_ * (torch::log(x.clamp_min(1e-5)) - torch::log(y.clamp_min(1e-5))).abs().mean();
  }
  return total / static_cast<double>(n_ffts_.size());
}

torch::Tensor MultiScaleStftLoss::operator()(const torch::Tensor& estimate, const torch::Tensor& reference) const {
  MagnitudeSpectra x(estimate), y(reference);
  return (*this)(x, y);
}

MultiScaleMelLoss::MultiScaleMelLoss(std::vector<Scale> scales, int sample_rate)
    : scales_(std::move(scales)), sample_rate_(sample_rate) {}

torch::Tensor MultiScaleMelLoss::operator()(MagnitudeSpectra& estimate, MagnitudeSpectra& reference) const {
  auto total = torch::zeros({}, reference.at(scales_.front().n_fft).options());
  for (const auto& s : scales_) {
    const auto& x = estimate.at(s.n_fft);
    const auto& y = reference.at(s.n_fft);
    auto fb = dsp::mel_filterbank(s.n_fft, s.n_mels, sample_rate_, 0.0, sample_rate_ / 2.0).to(x.device(), x.dtype());
    total = total + (dsp::log_mel_from_magnitude(fb, x) - dsp::log_mel_from_magnitude(fb, y)).abs().mean();
  }
  return total / static_cast<double>(scales_.size());
}

torch::Tensor MultiScaleMelLoss::operator()(const torch::Tensor& estimate, const torch::Tensor& reference) const {
  MagnitudeSpectra x(estimate), y(reference);
  return (*this)(x, y);
}

}  // namespace nwave

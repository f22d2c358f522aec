#include "loss/spectral_losses.h"

#include "dsp/spectral.h"

namespace nwave {

const torch::Tensor& Spectra::complex(int n_fft) {
  auto it = complex_.find(n_fft);
  if (it == complex_.end()) it = complex_.emplace(n_fft, dsp::stft_complex(wave_, n_fft, n_fft / 4)).first;
  return it->second;
}

const torch::Tensor& Spectra::magnitude(int n_fft) {
  auto it = magnitude_.find(n_fft);
  if (it == magnitude_.end()) it = magnitude_.emplace(n_fft, torch::abs(complex(n_fft))).first;
  return it->second;
}

MultiScaleStftLoss::MultiScaleStftLoss(std::vector<int> n_ffts, double magnitude_weight, double log_weight)
    : n_ffts_(std::move(n_ffts)), magnitude_weight_(magnitude_weight), log_weight_(log_weight) {}

MultiScaleStftLoss MultiScaleStftLoss::original() { return MultiScaleStftLoss({256, 512, 1024}, 1.0, 0.0); }

MultiScaleStftLoss MultiScaleStftLoss::improved() { return MultiScaleStftLoss({128, 256, 512, 1024, 2048}, 1.0, 1.0); }

torch::Tensor MultiScaleStftLoss::operator()(Spectra& estimate, Spectra& reference) const {
  auto total = torch::zeros({}, reference.magnitude(n_ffts_.front()).options());
  for (int n_fft : n_ffts_) {
    const auto& x = estimate.magnitude(n_fft);
    const auto& y = reference.magnitude(n_fft);
    if (magnitude_weight_ != 0.0) total = total + magnitude_weight_ * (x - y).abs().mean();
    if (log_weight_ != 0.0)
      total = total + log_weight_ * (torch::log(x.clamp_min(1e-5)) - torch::log(y.clamp_min(1e-5))).abs().mean();
  }
  return total / static_cast<double>(n_ffts_.size());
}

torch::Tensor MultiScaleStftLoss::operator()(const torch::Tensor& estimate, const torch::Tensor& reference) const {
  Spectra x(estimate), y(reference);
  return (*this)(x, y);
}

MultiScaleMelLoss::MultiScaleMelLoss(std::vector<Scale> scales, int sample_rate)
    : scales_(std::move(scales)), sample_rate_(sample_rate) {}

torch::Tensor MultiScaleMelLoss::operator()(Spectra& estimate, Spectra& reference) const {
  auto total = torch::zeros({}, reference.magnitude(scales_.front().n_fft).options());
  for (const auto& s : scales_) {
    const auto& x = estimate.magnitude(s.n_fft);
    const auto& y = reference.magnitude(s.n_fft);
    auto fb = dsp::mel_filterbank(s.n_fft, s.n_mels, sample_rate_, 0.0, sample_rate_ / 2.0).to(x.device(), x.dtype());
    total = total + (dsp::log_mel_from_magnitude(fb, x) - dsp::log_mel_from_magnitude(fb, y)).abs().mean();
  }
  return total / static_cast<double>(scales_.size());
}

torch::Tensor MultiScaleMelLoss::operator()(const torch::Tensor& estimate, const torch::Tensor& reference) const {
  Spectra x(estimate), y(reference);
  return (*this)(x, y);
}

PhaseAdvanceLoss::PhaseAdvanceLoss(std::vector<int> n_ffts) : n_ffts_(std::move(n_ffts)) {}

torch::Tensor PhaseAdvanceLoss::operator()(Spectra& estimate, Spectra& reference) const {
  auto total = torch::zeros({}, reference.magnitude(n_ffts_.front()).options());
  for (int n_fft : n_ffts_) {
    const auto& x = estimate.complex(n_fft);
    const auto y = reference.complex(n_fft).detach();
    const int64_t frames = x.size(-1);
    if (frames < 2) continue;
    // z_t = X_t * conj(X_{t-1}): its angle is the phase advance, its magnitude |X_t| |X_{t-1}|.
    const auto advance_x = x.narrow(-1, 1, frames - 1) * torch::conj(x.narrow(-1, 0, frames - 1));
    const auto advance_y = y.narrow(-1, 1, frames - 1) * torch::conj(y.narrow(-1, 0, frames - 1));
    const auto weight = torch::sqrt(torch::abs(advance_y));
    // Unit phasors; the estimate's normalisation is softened far below the reference's typical level, so a
    // near-silent bin of the estimate gets a bounded gradient instead of a division by almost zero.
    const auto floor = 1e-6 * torch::abs(advance_y).mean() + 1e-12;
    const auto unit_x = advance_x / torch::sqrt(torch::abs(advance_x).pow(2) + floor * floor);
    const auto unit_y = advance_y / (torch::abs(advance_y) + 1e-12);
    total = total + (weight * torch::abs(unit_x - unit_y)).sum() / (weight.sum() + 1e-12);
  }
  return total / static_cast<double>(n_ffts_.size());
}

torch::Tensor PhaseAdvanceLoss::operator()(const torch::Tensor& estimate, const torch::Tensor& reference) const {
  Spectra x(estimate), y(reference);
  return (*this)(x, y);
}

}  // namespace nwave

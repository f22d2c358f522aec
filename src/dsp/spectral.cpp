#include "dsp/spectral.h"

#include <cmath>
#include <map>
#include <mutex>
#include <tuple>

namespace nwave::dsp {

namespace {

double hz_to_mel(double hz) {  // Slaney: linear below 1 kHz, logarithmic above
  constexpr double f_sp = 200.0 / 3.0, min_log_hz = 1000.0, min_log_mel = min_log_hz / f_sp;
  const double logstep = std::log(6.4) / 27.0;
  return hz < min_log_hz ? hz / f_sp : min_log_mel + std::log(hz / min_log_hz) / logstep;
}

double mel_to_hz(double mel) {
  constexpr double f_sp = 200.0 / 3.0, min_log_hz = 1000.0, min_log_mel = min_log_hz / f_sp;
  const double logstep = std::log(6.4) / 27.0;
  return mel < min_log_mel ? mel * f_sp : min_log_hz * std::exp(logstep * (mel - min_log_mel));
}

}  // namespace

torch::Tensor stft_complex(const torch::Tensor& wave, int n_fft, int hop) {
  auto window = torch::hann_window(n_fft, torch::TensorOptions().dtype(wave.dtype()).device(wave.device()));
  return torch::stft(wave, n_fft, hop, n_fft, window, /*center=*/true, /*pad_mode=*/"reflect",
                     /*normalized=*/false, /*onesided=*/true, /*return_complex=*/true);
}

torch::Tensor stft_magnitude(const torch::Tensor& wave, int n_fft, int hop) { return torch::abs(stft_complex(wave, n_fft, hop)); }

torch::Tensor mel_filterbank(int n_fft, int n_mels, int sample_rate, double fmin, double fmax) {
  // Built once per shape: the losses ask for the same few filterbanks at every step.
  static std::mutex mutex;
  static std::map<std::tuple<int, int, int, double, double>, torch::Tensor> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto key = std::make_tuple(n_fft, n_mels, sample_rate, fmin, fmax);
  if (auto it = cache.find(key); it != cache.end()) return it->second;

  const int bins = n_fft / 2 + 1;
  std::vector<double> edges(n_mels + 2);
  const double mel_lo = hz_to_mel(fmin), mel_hi = hz_to_mel(fmax);
  for (int i = 0; i < n_mels + 2; ++i) edges[i] = mel_to_hz(mel_lo + (mel_hi - mel_lo) * i / (n_mels + 1));
  auto fb = torch::zeros({n_mels, bins});
  auto acc = fb.accessor<float, 2>();
  for (int m = 0; m < n_mels; ++m) {
    const double lo = edges[m], center = edges[m + 1], hi = edges[m + 2];
    const double norm = 2.0 / (hi - lo);
    for (int k = 0; k < bins; ++k) {
      const double f = static_cast<double>(k) * sample_rate / n_fft;
      const double w = std::max(0.0, std::min((f - lo) / (center - lo), (hi - f) / (hi - center)));
      acc[m][k] = static_cast<float>(w * norm);
    }
  }
  cache.emplace(key, fb);
  return fb;
}

torch::Tensor log_mel_from_magnitude(const torch::Tensor& filterbank, const torch::Tensor& magnitude) {
  return torch::log10(torch::clamp_min(torch::matmul(filterbank, magnitude), 1e-5));
}

torch::Tensor log_mel(const torch::Tensor& wave, int n_fft, int hop, int n_mels, int sample_rate) {
  auto fb = mel_filterbank(n_fft, n_mels, sample_rate, 0.0, sample_rate / 2.0).to(wave.device(), wave.dtype());
  return log_mel_from_magnitude(fb, stft_magnitude(wave, n_fft, hop));
}

}  // namespace nwave::dsp

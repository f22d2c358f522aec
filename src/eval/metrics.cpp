// SI-SDR and the multi-resolution log-mel distance. STOI, which needs more machinery, is in stoi.cpp.
#include "eval/metrics.h"

#include <algorithm>

#include "dsp/spectral.h"
#include "nwave/audio.h"
#include "nwave/error.h"

namespace nwave::eval {

namespace {

size_t common_length(const std::vector<float>& a, const std::vector<float>& b, const char* metric) {
  const size_t n = std::min(a.size(), b.size());
  if (n == 0) throw Error(ErrorCode::kBadArgument, std::string(metric) + ": cannot compare empty signals");
  return n;
}

}  // namespace

double si_sdr(const std::vector<float>& reference, const std::vector<float>& estimate) {
  const size_t n = common_length(reference, estimate, "SI-SDR");
  double mean_s = 0.0, mean_e = 0.0;
  for (size_t i = 0; i < n; ++i) {
    mean_s += reference[i];
    mean_e += estimate[i];
  }
  mean_s /= n;
  mean_e /= n;
  double dot = 0.0, energy_s = 0.0;
  for (size_t i = 0; i < n; ++i) {
    const double s = reference[i] - mean_s, e = estimate[i] - mean_e;
    dot += s * e;
    energy_s += s * s;
  }
  // The tiny epsilon keeps a silent reference or a perfect estimate finite instead of NaN/inf in reports.
  constexpr double kEps = 1e-12;
  const double alpha = dot / (energy_s + kEps);
  double target = 0.0, residual = 0.0;
  for (size_t i = 0; i < n; ++i) {
    const double t = alpha * (reference[i] - mean_s);
    const double r = (estimate[i] - mean_e) - t;
    target += t * t;
    residual += r * r;
  }
  return 10.0 * std::log10((target + kEps) / (residual + kEps));
}

double log_mel_distance(const std::vector<float>& reference, const std::vector<float>& estimate) {
  const size_t n = common_length(reference, estimate, "log-mel distance");
  constexpr int kMels = 80;
  const int64_t resolutions[] = {512, 1024, 2048};
  // The centered STFT reflect-pads by n_fft/2, which needs more samples than that: zero-pad very short clips
  // (both equally, so identical inputs still score 0).
  const int64_t padded = std::max<int64_t>(static_cast<int64_t>(n), 2048 + 1);
  auto to_tensor = [&](const std::vector<float>& x) {
    auto t = torch::zeros({1, padded});
    std::copy_n(x.data(), n, t.data_ptr<float>());
    return t;
  };
  const torch::NoGradGuard no_grad;
  const auto ref = to_tensor(reference), est = to_tensor(estimate);
  double total = 0.0;
  for (int64_t n_fft : resolutions) {
    const int hop = static_cast<int>(n_fft / 4);
    const auto diff = dsp::log_mel(ref, static_cast<int>(n_fft), hop, kMels, kSampleRate) -
                      dsp::log_mel(est, static_cast<int>(n_fft), hop, kMels, kSampleRate);
    total += diff.abs().mean().item<double>();
  }
  return total / std::size(resolutions);
}

}  // namespace nwave::eval

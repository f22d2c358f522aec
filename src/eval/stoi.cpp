// STOI (Taal, Hendriks, Heusdens, Jensen: "An Algorithm for Intelligibility Prediction of Time-Frequency Weighted
// Noisy Speech", IEEE TASLP 2011), following pystoi step by step -- including its quirks (frame loops that stop one
// frame early, argmin band edges, Octave-compatible resampling) -- so that our numbers can be compared with
// published pystoi results rather than merely resembling them.
#include <algorithm>
#include <cmath>
#include <numeric>

#include "eval/metrics.h"
#include "nwave/error.h"

namespace nwave::eval {

namespace {

constexpr int kStoiRate = 10000;   // FS
constexpr int kFrameLen = 256;     // N_FRAME
constexpr int kFftSize = 512;      // NFFT
constexpr int kBands = 15;         // NUMBAND
constexpr double kMinFreq = 150;   // MINFREQ
constexpr int kSegment = 30;       // N: frames per intermediate intelligibility segment (384 ms)
constexpr double kBeta = -15.0;    // BETA: lower signal-to-distortion bound for clipping, dB
constexpr double kDynRange = 40;   // DYN_RANGE: frames this far below the loudest count as silent, dB
constexpr double kEps = 2.220446049250313e-16;  // numpy's float eps, which pystoi adds to every norm

using Signal = std::vector<double>;

// np.hanning(n + 2)[1:-1]: a Hann window without its zero end points.
std::vector<double> stoi_window() {
  std::vector<double> w(kFrameLen);
  for (int i = 0; i < kFrameLen; ++i) w[i] = 0.5 - 0.5 * std::cos(2.0 * M_PI * (i + 1) / (kFrameLen + 1));
  return w;
}

// pystoi's resample_oct: the FIR that Octave's resample() designs (Kaiser window, 60 dB rejection, roll-off a tenth
// of the cutoff), applied as scipy.signal.resample_poly(x, up, down, window=h / sum(h)) does. soxr would be a better
// resampler, but a different one shifts STOI in the third decimal; matching the reference matters more here.
Signal resample_octave(const Signal& x, int up, int down) {
  const int g = std::gcd(up, down);
  up /= g;
  down /= g;
  const double cutoff = 1.0 / (2.0 * std::max(up, down));
  const double roll_off = cutoff / 10.0;
  const double rejection_db = 60.0;
  const long half = static_cast<long>(std::ceil((rejection_db - 8.0) / (28.714 * roll_off)));
  const double beta = 0.1102 * (rejection_db - 8.7);
  const long taps = 2 * half + 1;
  std::vector<double> h(static_cast<size_t>(taps));
  const double i0_beta = std::cyl_bessel_i(0.0, beta);
  double sum = 0.0;
  for (long k = 0; k < taps; ++k) {
    const double t = static_cast<double>(k - half);
    const double arg = 2.0 * cutoff * t;
    const double sinc = arg == 0.0 ? 1.0 : std::sin(M_PI * arg) / (M_PI * arg);
    const double r = (k - static_cast<double>(half)) / static_cast<double>(half);
    const double kaiser = std::cyl_bessel_i(0.0, beta * std::sqrt(std::max(0.0, 1.0 - r * r))) / i0_beta;
    h[static_cast<size_t>(k)] = kaiser * 2.0 * up * cutoff * sinc;
    sum += h[static_cast<size_t>(k)];
  }
  for (auto& v : h) v = v / sum * up;  // normalised window, then resample_poly's gain of `up`

  // resample_poly's alignment: pad the filter in front so output samples land on its centre, then drop the lead-in.
  const long n = static_cast<long>(x.size());
  const long n_out = (n * up) / down + ((n * up) % down != 0 ? 1 : 0);
  const long pre_pad = down - half % down;
  const long pre_remove = (half + pre_pad) / down;
  Signal y(static_cast<size_t>(n_out), 0.0);
  for (long m = 0; m < n_out; ++m) {
    // y[m] = sum_i x[i] * h[j - i*up] over the taps that exist: the upfirdn formula with the zeros skipped.
    const long j = (m + pre_remove) * down - pre_pad;
    const long i_hi = std::min(n - 1, j >= 0 ? j / up : -1);
    const long lo_num = j - taps + 1;
    const long i_lo = std::max(0L, lo_num <= 0 ? 0L : (lo_num + up - 1) / up);
    double acc = 0.0;
    for (long i = i_lo; i <= i_hi; ++i) acc += x[static_cast<size_t>(i)] * h[static_cast<size_t>(j - i * up)];
    y[static_cast<size_t>(m)] = acc;
  }
  return y;
}

// Start positions of pystoi's frames: range(0, len - framelen, hop) -- note it never includes the last full frame.
size_t frame_count(size_t length, int hop) {
  if (length <= static_cast<size_t>(kFrameLen)) return 0;
  return (length - kFrameLen + hop - 1) / hop;
}

// Drops frames of the clean signal more than kDynRange dB below its loudest frame (and the same frames of the
// processed one), then overlap-adds the windowed frames that remain.
void remove_silent_frames(Signal& x, Signal& y) {
  const int hop = kFrameLen / 2;
  const auto w = stoi_window();
  const size_t frames = frame_count(x.size(), hop);
  std::vector<double> energy_db(frames);
  for (size_t f = 0; f < frames; ++f) {
    double e = 0.0;
    for (int i = 0; i < kFrameLen; ++i) {
      const double v = w[i] * x[f * hop + i];
      e += v * v;
    }
    energy_db[f] = 20.0 * std::log10(std::sqrt(e) + kEps);
  }
  const double loudest = frames ? *std::max_element(energy_db.begin(), energy_db.end()) : 0.0;
  std::vector<size_t> kept;
  for (size_t f = 0; f < frames; ++f)
    if (loudest - kDynRange - energy_db[f] < 0) kept.push_back(f);
  const size_t out_len = kept.empty() ? 0 : (kept.size() - 1) * hop + kFrameLen;
  Signal x_out(out_len, 0.0), y_out(out_len, 0.0);
  for (size_t k = 0; k < kept.size(); ++k) {
    for (int i = 0; i < kFrameLen; ++i) {
      x_out[k * hop + i] += w[i] * x[kept[k] * hop + i];
      y_out[k * hop + i] += w[i] * y[kept[k] * hop + i];
    }
  }
  x = std::move(x_out);
  y = std::move(y_out);
}

// One-third-octave band matrix [kBands, kFftSize/2+1] of 0/1, with band edges snapped to the nearest FFT bin
// (first bin on ties, as np.argmin) and each band covering bins [low, high).
std::vector<std::pair<int, int>> third_octave_bands() {
  const int bins = kFftSize / 2 + 1;
  auto nearest_bin = [&](double freq) {
    int best = 0;
    double best_d = INFINITY;
    for (int k = 0; k < bins; ++k) {
      const double d = std::pow(static_cast<double>(k) * kStoiRate / kFftSize - freq, 2);
      if (d < best_d) {
        best_d = d;
        best = k;
      }
    }
    return best;
  };
  std::vector<std::pair<int, int>> bands;
  for (int b = 0; b < kBands; ++b) {
    const double low = kMinFreq * std::pow(2.0, (2.0 * b - 1.0) / 6.0);
    const double high = kMinFreq * std::pow(2.0, (2.0 * b + 1.0) / 6.0);
    bands.emplace_back(nearest_bin(low), nearest_bin(high));
  }
  return bands;
}

// Band envelopes [kBands][frames]: sqrt of the summed power spectrum in each one-third-octave band, per frame.
std::vector<std::vector<double>> band_envelopes(const Signal& x) {
  const int hop = kFrameLen / 2;
  const auto frames = static_cast<int64_t>(frame_count(x.size(), hop));
  std::vector<std::vector<double>> env(kBands, std::vector<double>(static_cast<size_t>(frames)));
  if (frames == 0) return env;
  const auto w = stoi_window();
  auto framed = torch::empty({frames, kFrameLen}, torch::kFloat64);
  auto acc = framed.accessor<double, 2>();
  for (int64_t f = 0; f < frames; ++f)
    for (int i = 0; i < kFrameLen; ++i) acc[f][i] = w[i] * x[static_cast<size_t>(f * hop + i)];
  const auto power = torch::fft::rfft(framed, kFftSize, /*dim=*/1).abs().pow(2).contiguous();
  const auto p = power.accessor<double, 2>();
  const auto bands = third_octave_bands();
  for (int b = 0; b < kBands; ++b)
    for (int64_t f = 0; f < frames; ++f) {
      double s = 0.0;
      for (int k = bands[b].first; k < bands[b].second; ++k) s += p[f][k];
      env[b][static_cast<size_t>(f)] = std::sqrt(s);
    }
  return env;
}

double norm(const std::vector<double>& v) {
  double s = 0.0;
  for (double x : v) s += x * x;
  return std::sqrt(s);
}

}  // namespace

bool stoi_defined(const std::vector<float>& clean, int rate) {
  if (rate <= 0) throw Error(ErrorCode::kBadArgument, "STOI: sample rate must be positive");
  Signal x(clean.begin(), clean.end());
  if (rate != kStoiRate) x = resample_octave(x, kStoiRate, rate);
  Signal y = x;  // remove_silent_frames decides on x alone and needs a partner
  remove_silent_frames(x, y);
  return frame_count(x.size(), kFrameLen / 2) >= static_cast<size_t>(kSegment);
}

double stoi(const std::vector<float>& clean, const std::vector<float>& processed, int rate) {
  if (rate <= 0) throw Error(ErrorCode::kBadArgument, "STOI: sample rate must be positive");
  const size_t n = std::min(clean.size(), processed.size());
  Signal x(clean.begin(), clean.begin() + static_cast<std::ptrdiff_t>(n));
  Signal y(processed.begin(), processed.begin() + static_cast<std::ptrdiff_t>(n));
  if (rate != kStoiRate) {
    x = resample_octave(x, kStoiRate, rate);
    y = resample_octave(y, kStoiRate, rate);
  }
  remove_silent_frames(x, y);
  const auto x_env = band_envelopes(x), y_env = band_envelopes(y);
  const size_t frames = x_env[0].size();
  if (frames < static_cast<size_t>(kSegment)) return 1e-5;  // too short to say anything (pystoi warns and does this)

  const double clip = std::pow(10.0, -kBeta / 20.0);
  double total = 0.0;
  std::vector<double> xs(kSegment), ys(kSegment);
  for (size_t m = kSegment; m <= frames; ++m) {
    for (int b = 0; b < kBands; ++b) {
      std::copy_n(x_env[b].begin() + static_cast<std::ptrdiff_t>(m - kSegment), kSegment, xs.begin());
      std::copy_n(y_env[b].begin() + static_cast<std::ptrdiff_t>(m - kSegment), kSegment, ys.begin());
      // Normalise the processed envelope to the clean one's energy, then clip it to at most 15 dB above the clean
      // envelope so that a single badly degraded unit cannot dominate the score.
      const double scale = norm(xs) / (norm(ys) + kEps);
      for (int i = 0; i < kSegment; ++i) ys[i] = std::min(ys[i] * scale, xs[i] * (1.0 + clip));
      // Correlation coefficient of the two envelopes.
      const double mean_x = std::accumulate(xs.begin(), xs.end(), 0.0) / kSegment;
      const double mean_y = std::accumulate(ys.begin(), ys.end(), 0.0) / kSegment;
      for (int i = 0; i < kSegment; ++i) {
        xs[i] -= mean_x;
        ys[i] -= mean_y;
      }
      const double nx = norm(xs) + kEps, ny = norm(ys) + kEps;
      double dot = 0.0;
      for (int i = 0; i < kSegment; ++i) dot += (xs[i] / nx) * (ys[i] / ny);
      total += dot;
    }
  }
  return total / (static_cast<double>(frames - kSegment + 1) * kBands);
}

}  // namespace nwave::eval

// Harmonic fidelity: a YIN pitch tracker (de Cheveigné & Kawahara, "YIN, a fundamental frequency estimator for
// speech and music", JASA 2002) run on the reference and on the codec's output, and the frame counts that gross
// pitch error, fine pitch error and voicing decision error are made of. A codec that smears harmonics into noise
// turns voiced frames unvoiced (voicing error); one that breaks the harmonic series jumps octaves (gross error).
#include <algorithm>
#include <cmath>

#include "eval/metrics.h"
#include "nwave/audio.h"

namespace nwave::eval {

namespace {

constexpr int kHop = 160;              // 10 ms frames at 16 kHz
constexpr int kWindow = 400;           // 25 ms integration window
constexpr double kMinF0 = 55.0;        // below a bass voice
constexpr double kMaxF0 = 1000.0;      // above a child's or a game character's voice
constexpr double kThreshold = 0.15;    // YIN's absolute threshold on the normalised difference
constexpr double kActiveDb = 40.0;     // frames this far below the reference's loudest are silence (as STOI does)
constexpr double kGrossRatio = 0.2;    // |f0_est / f0_ref - 1| above this is a gross error (the usual 20 %)

struct Track {
  std::vector<double> f0;   // Hz, 0 for unvoiced
  std::vector<double> rms;  // of each frame's integration window
};

// One frame's F0 by YIN, or 0 when no lag is periodic enough. `frame` has kWindow + max_lag + 1 samples.
double yin_frame(const float* frame, int min_lag, int max_lag, std::vector<double>& diff) {
  diff.assign(static_cast<size_t>(max_lag) + 2, 0.0);
  for (int lag = 1; lag <= max_lag + 1; ++lag) {
    float sum = 0.0f;  // float suffices for a 400-term sum of squares and lets the loop vectorise
    for (int j = 0; j < kWindow; ++j) {
      const float d = frame[j] - frame[j + lag];
      sum += d * d;
    }
    diff[lag] = sum;
  }
  // Cumulative-mean-normalised difference, in place: d'(lag) = d(lag) * lag / sum_{k<=lag} d(k).
  std::vector<double>& norm = diff;
  double running = 0.0;
  for (int lag = 1; lag <= max_lag + 1; ++lag) {
    running += diff[lag];
    norm[lag] = running > 0.0 ? diff[lag] * lag / running : 1.0;
  }
  for (int lag = min_lag; lag <= max_lag; ++lag) {
    if (norm[lag] >= kThreshold) continue;
    while (lag < max_lag && norm[lag + 1] < norm[lag]) ++lag;  // down to the dip's bottom
    // Parabolic interpolation through the bottom and its neighbours for a sub-sample lag.
    const double a = norm[lag - 1], b = norm[lag], c = norm[lag + 1];
    const double curvature = a - 2.0 * b + c;
    const double shift = curvature > 0.0 ? 0.5 * (a - c) / curvature : 0.0;
    return kSampleRate / (lag + std::clamp(shift, -1.0, 1.0));
  }
  return 0.0;
}

Track track(const std::vector<float>& x, size_t length) {
  const int min_lag = static_cast<int>(std::floor(kSampleRate / kMaxF0));
  const int max_lag = static_cast<int>(std::ceil(kSampleRate / kMinF0));
  const size_t span = static_cast<size_t>(kWindow + max_lag + 2);
  Track t;
  std::vector<double> scratch;
  for (size_t start = 0; start + span <= length; start += kHop) {
    const float* frame = x.data() + start;
    double energy = 0.0;
    for (int j = 0; j < kWindow; ++j) energy += static_cast<double>(frame[j]) * frame[j];
    t.rms.push_back(std::sqrt(energy / kWindow));
    t.f0.push_back(yin_frame(frame, min_lag, max_lag, scratch));
  }
  return t;
}

}  // namespace

PitchCounts pitch_counts(const std::vector<float>& reference, const std::vector<float>& estimate) {
  const size_t n = std::min(reference.size(), estimate.size());
  const Track ref = track(reference, n), est = track(estimate, n);
  PitchCounts c;
  if (ref.rms.empty()) return c;
  // Silence is decided on the reference alone, so both signals are judged on the same frames.
  const double loudest = *std::max_element(ref.rms.begin(), ref.rms.end());
  const double floor = loudest * std::pow(10.0, -kActiveDb / 20.0);
  for (size_t i = 0; i < ref.rms.size(); ++i) {
    if (!(ref.rms[i] > floor)) continue;
    ++c.active_frames;
    const bool ref_voiced = ref.f0[i] > 0.0, est_voiced = est.f0[i] > 0.0;
    if (ref_voiced != est_voiced) ++c.voicing_errors;
    if (ref_voiced && !est_voiced) ++c.voicing_lost;
    if (!ref_voiced || !est_voiced) continue;
    ++c.both_voiced_frames;
    if (std::abs(est.f0[i] / ref.f0[i] - 1.0) > kGrossRatio) {
      ++c.gross_errors;
    } else {
      c.fine_error_cents_sum += std::abs(1200.0 * std::log2(est.f0[i] / ref.f0[i]));
    }
  }
  return c;
}

PitchCounts& PitchCounts::operator+=(const PitchCounts& o) {
  active_frames += o.active_frames;
  voicing_errors += o.voicing_errors;
  voicing_lost += o.voicing_lost;
  both_voiced_frames += o.both_voiced_frames;
  gross_errors += o.gross_errors;
  fine_error_cents_sum += o.fine_error_cents_sum;
  return *this;
}

double PitchCounts::voicing_error() const { return active_frames ? static_cast<double>(voicing_errors) / active_frames : 0.0; }

double PitchCounts::voicing_lost_share() const {
  return voicing_errors ? static_cast<double>(voicing_lost) / voicing_errors : 0.0;
}

double PitchCounts::gross_pitch_error() const {
  return both_voiced_frames ? static_cast<double>(gross_errors) / both_voiced_frames : 0.0;
}

double PitchCounts::fine_pitch_error_cents() const {
  const size_t fine = both_voiced_frames - gross_errors;
  return fine ? fine_error_cents_sum / fine : 0.0;
}

}  // namespace nwave::eval

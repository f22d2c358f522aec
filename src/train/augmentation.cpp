#include "train/augmentation.h"

#include "audio/stream_resampler.h"
#include "nwave/audio.h"

#include <algorithm>
#include <cmath>

namespace nwave {

namespace {

// Input samples on each side of a changed crop: covers soxr's filter edges and the equaliser's start-up transient.
constexpr int kMargin = 256;

enum EqType { kLowShelf = 0, kHighShelf = 1, kPeak = 2 };

// Biquad coefficients from R. Bristow-Johnson's "Audio EQ Cookbook" (shelves with slope 1), normalised by a0.
struct Biquad {
  double b0, b1, b2, a1, a2;
};

Biquad design(int type, double hz, double db, double q) {
  const double a = std::pow(10.0, db / 40.0), w0 = 2.0 * M_PI * hz / kSampleRate;
  const double cw = std::cos(w0), sw = std::sin(w0);
  double b0, b1, b2, a0, a1, a2;
  if (type == kPeak) {
    const double alpha = sw / (2.0 * q);
    b0 = 1 + alpha * a, b1 = -2 * cw, b2 = 1 - alpha * a;
    a0 = 1 + alpha / a, a1 = -2 * cw, a2 = 1 - alpha / a;
  } else {
    const double alpha = sw / 2.0 * std::sqrt(2.0), root = 2.0 * std::sqrt(a) * alpha;
    const double sign = type == kLowShelf ? 1.0 : -1.0;  // the two shelves mirror each other in cos(w0)
    b0 = a * ((a + 1) - sign * (a - 1) * cw + root);
    b1 = sign * 2 * a * ((a - 1) - sign * (a + 1) * cw);
    b2 = a * ((a + 1) - sign * (a - 1) * cw - root);
    a0 = (a + 1) + sign * (a - 1) * cw + root;
    a1 = -sign * 2 * ((a - 1) + sign * (a + 1) * cw);
    a2 = (a + 1) + sign * (a - 1) * cw - root;
  }
  return {b0 / a0, b1 / a0, b2 / a0, a1 / a0, a2 / a0};
}

void filter(const Biquad& f, std::vector<float>& x) {
  double x1 = 0, x2 = 0, y1 = 0, y2 = 0;
  for (float& v : x) {
    const double y = f.b0 * v + f.b1 * x1 + f.b2 * x2 - f.a1 * y1 - f.a2 * y2;
    x2 = x1, x1 = v, y2 = y1, y1 = y;
    v = static_cast<float>(y);
  }
}

double log_uniform(double lo, double hi, std::mt19937_64& rng) {
  return std::exp(std::uniform_real_distribution<double>(std::log(lo), std::log(hi))(rng));
}

}  // namespace

AugmentOptions AugmentOptions::none() { return {}; }

AugmentOptions AugmentOptions::standard() {
  AugmentOptions o;
  o.pitch_probability = 0.5;
  o.eq_probability = 0.5;
  o.min_gain_db = -15.0;
  o.max_gain_db = 12.0;
  return o;
}

Augmenter::Draw Augmenter::draw(int segment, std::mt19937_64& rng) const {
  Draw d;
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  if (unit(rng) < o_.pitch_probability) {
    const double semitones = std::uniform_real_distribution<double>(-o_.max_semitones, o_.max_semitones)(rng);
    // An integer input rate for the resampler: the speed is quantised to 1/16000, far below what anyone hears.
    d.speed = std::round(kSampleRate * std::pow(2.0, semitones / 12.0)) / kSampleRate;
  }
  if (unit(rng) < o_.eq_probability) {
    d.eq_type = std::uniform_int_distribution<int>(kLowShelf, kPeak)(rng);
    d.eq_db = std::uniform_real_distribution<double>(-o_.max_eq_db, o_.max_eq_db)(rng);
    d.eq_hz = d.eq_type == kPeak ? log_uniform(150.0, 6000.0, rng) : log_uniform(200.0, 4000.0, rng);
    d.eq_q = d.eq_type == kPeak ? log_uniform(0.5, 2.0, rng) : 0.0;
  }
  d.gain_db = std::uniform_real_distribution<double>(o_.min_gain_db, o_.max_gain_db)(rng);
  const bool changed = d.speed != 1.0 || d.eq_type >= 0;
  d.margin = changed ? kMargin : 0;
  d.input_length = static_cast<int>(std::ceil(segment * d.speed)) + 2 * d.margin;
  return d;
}

std::vector<float> Augmenter::apply(const Draw& d, std::vector<float> x, int segment) const {
  if (d.eq_type >= 0) filter(design(d.eq_type, d.eq_hz, d.eq_db, d.eq_q), x);
  int margin = d.margin;
  if (d.speed != 1.0) {  // x played at d.speed: read at rate 16000 * speed, written at 16000
    audio::StreamResampler resampler(static_cast<int>(std::lround(kSampleRate * d.speed)), kSampleRate);
    std::vector<float> y;
    resampler.process(x.data(), x.size(), y);
    resampler.flush(y);
    x = std::move(y);
    margin = static_cast<int>(std::lround(d.margin / d.speed));
  }
  std::vector<float> out(x.begin() + margin, x.begin() + std::min<size_t>(x.size(), margin + segment));
  out.resize(segment, 0.0f);
  float peak = 0.0f;
  for (float v : out) peak = std::max(peak, std::abs(v));
  float gain = static_cast<float>(std::pow(10.0, d.gain_db / 20.0));
  if (peak * gain > kMaxPeak) gain = kMaxPeak / peak;  // near full scale at most, never clipping
  for (float& v : out) v *= gain;
  return out;
}

}  // namespace nwave

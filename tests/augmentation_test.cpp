// Training-data augmentation: each change does what it says, and a crop always comes out at its length and level.
#include <gtest/gtest.h>

#include "test_util.h"
#include "train/augmentation.h"
#include "train/crop_sampler.h"

#include <cmath>
#include <complex>

namespace nwave {
namespace {

constexpr int kSegment = 8192;

// Frequency (Hz) of the strongest DFT component between 250 and 700 Hz, to a 1 Hz grid.
double dominant_hz(const std::vector<float>& x) {
  double best_hz = 0.0, best = -1.0;
  for (double hz = 250.0; hz <= 700.0; hz += 1.0) {
    const std::complex<double> step = std::polar(1.0, -2.0 * M_PI * hz / 16000.0);
    std::complex<double> acc = 0.0, phasor = 1.0;
    for (float v : x) acc += static_cast<double>(v) * phasor, phasor *= step;
    if (std::abs(acc) > best) best = std::abs(acc), best_hz = hz;
  }
  return best_hz;
}

double rms(const std::vector<float>& x, size_t from, size_t to) {
  double sum = 0.0;
  for (size_t i = from; i < to; ++i) sum += static_cast<double>(x[i]) * x[i];
  return std::sqrt(sum / (to - from));
}

TEST(Augmenter, NoChangeIsTheCropScaledByTheGain) {
  AugmentOptions o = AugmentOptions::none();
  o.min_gain_db = o.max_gain_db = -6.0;
  Augmenter augmenter(o);
  std::mt19937_64 rng(1);
  const auto draw = augmenter.draw(kSegment, rng);
  ASSERT_EQ(draw.input_length, kSegment);
  const auto x = test::sine(300.0, 0.5, kSegment, 16000);
  const auto y = augmenter.apply(draw, x, kSegment);
  ASSERT_EQ(y.size(), x.size());
  for (size_t i = 0; i < x.size(); ++i) ASSERT_NEAR(y[i], x[i] * std::pow(10.0, -6.0 / 20.0), 1e-6);
}

TEST(Augmenter, SpeedChangeMovesThePitchByTheDrawnFactor) {
  AugmentOptions o = AugmentOptions::none();
  o.pitch_probability = 1.0;
  o.min_gain_db = o.max_gain_db = 0.0;
  Augmenter augmenter(o);
  std::mt19937_64 rng(7);
  int faster = 0, slower = 0;
  for (int trial = 0; trial < 6; ++trial) {
    const auto draw = augmenter.draw(kSegment, rng);
    ASSERT_NE(draw.speed, 1.0);
    ASSERT_LE(std::abs(12.0 * std::log2(draw.speed)), o.max_semitones + 1e-3);
    ASSERT_GE(draw.input_length, static_cast<int>(kSegment * draw.speed));
    const auto y = augmenter.apply(draw, test::sine(400.0, 0.5, draw.input_length, 16000), kSegment);
    ASSERT_EQ(y.size(), static_cast<size_t>(kSegment));
    EXPECT_NEAR(dominant_hz(y), 400.0 * draw.speed, 3.0) << "speed " << draw.speed;
    // The whole crop is signal: no silent edge where the resampler started or stopped.
    EXPECT_GT(rms(y, 0, 256), 0.25);
    EXPECT_GT(rms(y, kSegment - 256, kSegment), 0.25);
    (draw.speed > 1.0 ? faster : slower)++;
  }
  EXPECT_GT(faster, 0);
  EXPECT_GT(slower, 0);
}

TEST(Augmenter, EqualiserChangesTheLevelOfSomeBandsOnly) {
  AugmentOptions o = AugmentOptions::none();
  o.eq_probability = 1.0;
  o.min_gain_db = o.max_gain_db = 0.0;
  Augmenter augmenter(o);
  std::mt19937_64 rng(3);
  bool some_band_changed = false;
  for (int trial = 0; trial < 8; ++trial) {
    auto draw = augmenter.draw(kSegment, rng);
    ASSERT_GE(draw.eq_type, 0);
    ASSERT_LE(std::abs(draw.eq_db), o.max_eq_db);
    // Far from the filter's frequency a shelf or peak leaves the level within its gain; near it the level moves.
    const double probe = draw.eq_hz;
    const auto y = augmenter.apply(draw, test::sine(probe, 0.1, draw.input_length, 16000), kSegment);
    const double gain_db = 20.0 * std::log10(rms(y, 1024, kSegment) / (0.1 / std::sqrt(2.0)));
    EXPECT_LE(std::abs(gain_db), std::abs(draw.eq_db) + 0.5);
    if (std::abs(draw.eq_db) > 3.0 && std::abs(gain_db) > 1.0) some_band_changed = true;
  }
  EXPECT_TRUE(some_band_changed);
}

TEST(Augmenter, GainNeverPushesThePeakOverFullScale) {
  AugmentOptions o = AugmentOptions::standard();
  o.min_gain_db = o.max_gain_db = 30.0;
  Augmenter augmenter(o);
  std::mt19937_64 rng(5);
  for (int trial = 0; trial < 10; ++trial) {
    const auto draw = augmenter.draw(kSegment, rng);
    const auto y = augmenter.apply(draw, test::speechlike(draw.input_length, 16000, trial + 1), kSegment);
    float peak = 0.0f;
    for (float v : y) peak = std::max(peak, std::abs(v));
    EXPECT_LE(peak, kMaxPeak + 1e-6f);
    EXPECT_GT(peak, 0.9f * kMaxPeak);
  }
}

TEST(CropSampler, AugmentedBatchesAreDeterministicInTheRng) {
  std::vector<std::vector<float>> clips = {test::speechlike(40000, 16000, 1), test::speechlike(3000, 16000, 2)};
  CropSampler sampler(clips, kSegment, AugmentOptions::standard());
  std::mt19937_64 a(11), b(11);
  auto x = sampler.batch(4, a), y = sampler.batch(4, b);
  EXPECT_TRUE(torch::equal(x, y));
  EXPECT_EQ(x.size(1), kSegment);
  EXPECT_TRUE(torch::isfinite(x).all().item<bool>());
  EXPECT_LE(x.abs().max().item<float>(), kMaxPeak + 1e-6f);
}

}  // namespace
}  // namespace nwave

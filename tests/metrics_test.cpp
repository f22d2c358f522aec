#include <gtest/gtest.h>

#include "eval/metrics.h"
#include "nwave/audio.h"
#include "nwave/error.h"
#include "test_util.h"

namespace nwave::eval {
namespace {

constexpr size_t kThreeSeconds = 3 * kSampleRate;

std::vector<float> scaled(const std::vector<float>& x, float g) {
  std::vector<float> y(x);
  for (auto& v : y) v *= g;
  return y;
}

double energy(const std::vector<float>& x) {
  double e = 0.0;
  for (float v : x) e += double(v) * v;
  return e;
}

TEST(SiSdr, ScaledCopyIsNearlyPerfect) {
  const auto x = test::speechlike(kThreeSeconds, kSampleRate);
  EXPECT_GT(si_sdr(x, scaled(x, 0.37f)), 80.0);
  EXPECT_GT(si_sdr(x, x), 80.0);
}

TEST(SiSdr, MatchesHandComputedSnrForAdditiveNoise) {
  const auto s = test::white_noise(0.3, 4 * kSampleRate, 11);  // zero-mean signal, so only the projection matters
  for (double noise_std : {0.03, 0.1, 0.3}) {
    const auto e = test::white_noise(noise_std, s.size(), 12);
    const double expected = 10.0 * std::log10(energy(s) / energy(e));
    EXPECT_NEAR(si_sdr(s, test::add(s, e)), expected, 0.1) << "noise std " << noise_std;
  }
}

TEST(SiSdr, IsScaleInvariantAndComparesOnCommonLength) {
  const auto s = test::speechlike(kThreeSeconds, kSampleRate);
  const auto y = test::add(s, test::white_noise(0.05, s.size(), 5));
  EXPECT_NEAR(si_sdr(s, y), si_sdr(s, scaled(y, 3.0f)), 1e-6);
  auto longer = y;
  longer.resize(y.size() + 1000, 0.9f);  // trailing junk beyond the reference is ignored
  EXPECT_NEAR(si_sdr(s, y), si_sdr(s, longer), 1e-9);
  EXPECT_THROW(si_sdr({}, y), Error);
}

TEST(Stoi, IdenticalSignalsScoreOne) {
  const auto x = test::speechlike(kThreeSeconds, kSampleRate);
  EXPECT_GT(stoi(x, x, kSampleRate), 0.99);
}

TEST(Stoi, IndependentNoiseScoresLow) {
  // Without pauses: where STOI drops silent frames, the overlap-add leaves dips in the envelopes of *both* signals,
  // which correlate even for unrelated noise (pystoi behaves the same); that would blur what this test checks.
  const auto x = test::speechlike(kThreeSeconds, kSampleRate, 1, /*with_pauses=*/false);
  const auto noise = test::white_noise(0.1, x.size(), 3);
  const double d = stoi(x, noise, kSampleRate);
  std::printf("STOI of speech-like signal vs independent noise: %.4f\n", d);
  EXPECT_LT(d, 0.3);
  EXPECT_GT(stoi(x, x, kSampleRate), 0.99);
}

TEST(Stoi, DecreasesMonotonicallyWithNoiseLevel) {
  const auto x = test::speechlike(kThreeSeconds, kSampleRate);
  double previous = stoi(x, x, kSampleRate);
  for (double noise_std : {0.01, 0.03, 0.1, 0.3}) {
    const double d = stoi(x, test::add(x, test::white_noise(noise_std, x.size(), 4)), kSampleRate);
    RecordProperty("stoi_noise_" + std::to_string(noise_std), std::to_string(d));
    std::printf("STOI with noise std %.2f: %.4f\n", noise_std, d);
    EXPECT_LT(d, previous) << "noise std " << noise_std;
    previous = d;
  }
  // A mildly noisy copy lies strictly between the extremes.
  const double mild = stoi(x, test::add(x, test::white_noise(0.03, x.size(), 4)), kSampleRate);
  EXPECT_GT(mild, 0.5);
  EXPECT_LT(mild, 0.99);
}

TEST(Stoi, WorksAtOtherRatesAndTooShortGivesPystoisFloor) {
  const auto x = test::speechlike(kThreeSeconds, 10000);  // native STOI rate: no resampling path
  EXPECT_GT(stoi(x, x, 10000), 0.99);
  const auto y = test::speechlike(3 * 22050, 22050);
  EXPECT_GT(stoi(y, y, 22050), 0.99);
  const auto short_clip = test::speechlike(2000, kSampleRate);  // 125 ms: fewer than 30 frames
  EXPECT_DOUBLE_EQ(stoi(short_clip, short_clip, kSampleRate), 1e-5);
  EXPECT_THROW(stoi(x, x, 0), Error);
}

TEST(LogMelDistance, ZeroForIdenticalAndGrowsWithNoise) {
  const auto x = test::speechlike(kThreeSeconds, kSampleRate);
  EXPECT_NEAR(log_mel_distance(x, x), 0.0, 1e-9);
  double previous = 0.0;
  for (double noise_std : {0.001, 0.01, 0.1}) {
    const double d = log_mel_distance(x, test::add(x, test::white_noise(noise_std, x.size(), 6)));
    std::printf("log-mel distance with noise std %.3f: %.4f\n", noise_std, d);
    EXPECT_GT(d, previous) << "noise std " << noise_std;
    previous = d;
  }
}

TEST(LogMelDistance, HandlesClipsShorterThanTheLargestWindow) {
  const auto x = test::white_noise(0.1, 300, 8);
  const auto y = test::white_noise(0.1, 300, 9);
  EXPECT_NEAR(log_mel_distance(x, x), 0.0, 1e-9);
  EXPECT_GT(log_mel_distance(x, y), 0.05);
  EXPECT_THROW(log_mel_distance(x, {}), Error);
}

// A harmonic tone (10 harmonics, falling 1/h) at f0 Hz for `seconds`, as a voiced vowel would be.
std::vector<float> harmonic_tone(double f0, double seconds) {
  std::vector<float> x(static_cast<size_t>(seconds * kSampleRate));
  for (size_t i = 0; i < x.size(); ++i) {
    double v = 0.0;
    for (int h = 1; h <= 10; ++h) v += std::sin(2.0 * M_PI * f0 * h * i / kSampleRate) / h;
    x[i] = static_cast<float>(0.2 * v);
  }
  return x;
}

TEST(PitchCounts, IdenticalVoicedSignalsHaveNoError) {
  for (double f0 : {90.0, 220.0, 600.0}) {
    const auto x = harmonic_tone(f0, 1.0);
    const PitchCounts c = pitch_counts(x, x);
    EXPECT_GT(c.active_frames, 90u) << f0;
    EXPECT_EQ(c.both_voiced_frames, c.active_frames) << "a steady harmonic tone is voiced throughout, f0 " << f0;
    EXPECT_EQ(c.voicing_error(), 0.0);
    EXPECT_EQ(c.gross_pitch_error(), 0.0);
    EXPECT_EQ(c.fine_pitch_error_cents(), 0.0);
  }
}

TEST(PitchCounts, MeasuresPitchShiftsInCentsAndCountsLargeOnesAsGross) {
  const auto reference = harmonic_tone(200.0, 1.0);
  const PitchCounts semitone = pitch_counts(reference, harmonic_tone(200.0 * std::pow(2.0, 1.0 / 12.0), 1.0));
  EXPECT_EQ(semitone.gross_pitch_error(), 0.0);
  EXPECT_NEAR(semitone.fine_pitch_error_cents(), 100.0, 5.0);
  const PitchCounts fifth = pitch_counts(reference, harmonic_tone(300.0, 1.0));
  EXPECT_GT(fifth.gross_pitch_error(), 0.95);
  EXPECT_EQ(fifth.voicing_error(), 0.0);
}

TEST(PitchCounts, NoiseInPlaceOfAVoiceIsAVoicingErrorAndSilenceIsNotJudged) {
  auto reference = harmonic_tone(150.0, 1.0);
  reference.resize(2 * kSampleRate, 0.0f);  // a second of voice, then a second of silence
  const PitchCounts c = pitch_counts(reference, test::white_noise(0.05, reference.size(), 5));
  EXPECT_LT(c.active_frames, 110u) << "the silent second is left out";
  EXPECT_GT(c.voicing_error(), 0.9);
  EXPECT_EQ(c.voicing_lost_share(), 1.0) << "every error is a voiced frame turned to noise";
  PitchCounts pooled = c;
  pooled += pitch_counts(reference, reference);
  EXPECT_EQ(pooled.active_frames, 2 * c.active_frames);
  EXPECT_NEAR(pooled.voicing_error(), c.voicing_error() / 2, 1e-12);
  EXPECT_EQ(pitch_counts({}, {}).active_frames, 0u);
}

}  // namespace
}  // namespace nwave::eval

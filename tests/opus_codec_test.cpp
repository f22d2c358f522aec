#include <gtest/gtest.h>

#include "eval/metrics.h"
#include "eval/opus_codec.h"
#include "nwave/audio.h"
#include "nwave/error.h"
#include "test_util.h"

namespace nwave::eval {
namespace {

TEST(OpusRoundtrip, KeepsLengthAndAlignment) {
  for (size_t n : {0u, 1u, 319u, 320u, 16000u, 16123u}) {
    const auto x = test::sine(440.0, 0.5, n, kSampleRate);
    EXPECT_EQ(opus_roundtrip(x, 12000).decoded.size(), n) << n;
  }
}

TEST(OpusRoundtrip, SineAt12kbpsIsCloseAndCostsTheBitrate) {
  const double seconds = 2.0;
  const auto x = test::sine(440.0, 0.5, static_cast<size_t>(seconds * kSampleRate), kSampleRate);
  const OpusResult r = opus_roundtrip(x, 12000);
  const double expected_bytes = 12000 * seconds / 8;
  EXPECT_NEAR(static_cast<double>(r.encoded_bytes), expected_bytes, 0.15 * expected_bytes);
  const double lm = log_mel_distance(x, r.decoded);
  const double lm_noise = log_mel_distance(x, test::add(x, test::white_noise(0.05, x.size(), 1)));
  std::printf("opus 12 kbps sine: log-mel %.4f (noise 0.05: %.4f), SI-SDR %.2f dB, %zu bytes\n", lm, lm_noise,
              si_sdr(x, r.decoded), r.encoded_bytes);
  EXPECT_LT(lm, lm_noise);
  // Time alignment: a lookahead left in place would put the waveform ~100 samples late and ruin SI-SDR.
  EXPECT_GT(si_sdr(x, r.decoded), 10.0);
}

TEST(OpusRoundtrip, RejectsAbsurdBitrates) {
  EXPECT_THROW(opus_roundtrip({0.f}, 0), Error);
  EXPECT_THROW(opus_roundtrip({0.f}, 10000000), Error);
}

}  // namespace
}  // namespace nwave::eval

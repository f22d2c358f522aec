// The adversarial stage's parts: discriminator shapes, the hinge and feature-matching losses, and the codec
// receiving gradient from the discriminators.
#include <gtest/gtest.h>

#include "adversarial/adversarial_losses.h"
#include "adversarial/discriminators.h"
#include "model/codec_model.h"

#include <cmath>
#include <utility>

namespace nwave {
namespace {

int64_t halved(int64_t n, int times, int by) {  // ceil(n / by), `times` times: a strided "same" convolution's output
  for (int i = 0; i < times; ++i) n = (n + by - 1) / by;
  return n;
}

TEST(Discriminators, EveryResolutionAndPeriodJudgesWithTheExpectedShape) {
  DiscriminatorConfig config;  // the default: STFT 256/512/1024, periods 2/3/5/7/11
  torch::manual_seed(1);
  Discriminators judges(config);
  const int64_t batch = 2, samples = 8192;
  const auto judgements = judges->forward(torch::randn({batch, samples}) * 0.1);
  ASSERT_EQ(judgements.size(), config.stft_ffts.size() + config.periods.size());
  for (size_t i = 0; i < config.stft_ffts.size(); ++i) {
    const int64_t n = config.stft_ffts[i], frames = 1 + (samples - n) / (n / 4), bins = n / 2 + 1;
    const auto& j = judgements[i];
    EXPECT_EQ(j.logits.sizes(), torch::IntArrayRef({batch, 1, frames, halved(bins, 3, 2)})) << "n_fft " << n;
    EXPECT_EQ(j.features.size(), 5u);
  }
  for (size_t i = 0; i < config.periods.size(); ++i) {
    const int64_t p = config.periods[i], rows = (samples + p - 1) / p;
    const auto& j = judgements[config.stft_ffts.size() + i];
    const int strided = static_cast<int>(config.period_channels.size());
    EXPECT_EQ(j.logits.sizes(), torch::IntArrayRef({batch, 1, halved(rows, strided, 3), p})) << "period " << p;
    EXPECT_EQ(j.features.size(), config.period_channels.size() + 1);
  }
}

TEST(Discriminators, RejectInvalidConfigurations) {
  DiscriminatorConfig none;
  none.stft_ffts.clear();
  none.periods.clear();
  EXPECT_THROW(Discriminators{none}, std::exception);
  DiscriminatorConfig odd;
  odd.stft_ffts = {250};
  EXPECT_THROW(Discriminators{odd}, std::exception);
}

Judgement judgement(std::vector<float> logits) {
  const auto t = torch::tensor(logits).reshape({1, -1});
  return {t, {t}};
}

TEST(AdversarialLosses, HingeLossesVanishOnlyWhenTheMarginIsMet) {
  const std::vector<Judgement> confident_real = {judgement({1.5f, 2.0f})}, confident_fake = {judgement({-1.0f, -3.0f})};
  EXPECT_DOUBLE_EQ(discriminator_hinge_loss(confident_real, confident_fake).item<double>(), 0.0);
  // Real scored 0 and fake scored 0: each side misses its margin by 1.
  const std::vector<Judgement> unsure = {judgement({0.0f, 0.0f})};
  EXPECT_DOUBLE_EQ(discriminator_hinge_loss(unsure, unsure).item<double>(), 2.0);
  EXPECT_DOUBLE_EQ(generator_hinge_loss(confident_fake).item<double>(), 3.0);  // mean(relu(1 - (-1)), relu(1 + 3))
  EXPECT_DOUBLE_EQ(generator_hinge_loss(confident_real).item<double>(), 0.0);
}

TEST(AdversarialLosses, FeatureMatchingIsRelativeAndZeroForEqualFeatures) {
  const std::vector<Judgement> real = {judgement({2.0f, -2.0f})};
  EXPECT_DOUBLE_EQ(feature_matching_loss(real, real).item<double>(), 0.0);
  const std::vector<Judgement> fake = {judgement({1.0f, -1.0f})};
  EXPECT_NEAR(feature_matching_loss(real, fake).item<double>(), 0.5, 1e-6);  // mean |1| / mean |2|
}

TEST(AdversarialLosses, TheCodecReceivesGradientFromTheDiscriminatorsAlone) {
  torch::manual_seed(2);
  CodecModel codec(ModelConfig::preset("tiny"));
  codec->train();
  DiscriminatorConfig config;
  config.stft_channels = 4;
  config.period_channels = {4, 8};
  Discriminators judges(config);
  auto wave = torch::randn({2, 128 * 32}) * 0.1;
  auto out = codec->forward(wave, torch::full({2}, codec->config().num_codebooks, torch::kLong));
  const auto real = judges->forward(wave), fake = judges->forward(out.audio);
  (generator_hinge_loss(fake) + feature_matching_loss(real, fake)).backward();
  for (auto* part : {static_cast<torch::nn::Module*>(codec->encoder.get()), static_cast<torch::nn::Module*>(codec->decoder.get())}) {
    double norm = 0.0;
    for (const auto& p : part->parameters())
      if (p.grad().defined()) norm += p.grad().abs().sum().item<double>();
    EXPECT_GT(norm, 0.0) << part->name();
  }
}

// A voice-like harmonic tone at speech level (about -25 dBFS), and the same tone with quiet noise (-30 dB against it)
// filling the gaps between its harmonics, the way a decoder that smears harmonics sounds.
std::pair<torch::Tensor, torch::Tensor> voice_and_smeared(int64_t batch, int64_t samples) {
  auto t = torch::arange(samples, torch::kFloat32).unsqueeze(0) / 16000.0f;
  auto f0 = 120.0f + 80.0f * torch::rand({batch, 1});
  auto voice = torch::zeros({batch, samples});
  for (int h = 1; h <= 15; ++h) voice = voice + torch::sin(2.0f * static_cast<float>(M_PI) * f0 * h * t) / h;
  voice = voice * 0.03f;
  return {voice, voice + 0.001f * torch::randn({batch, samples})};
}

TEST(Discriminators, LearnToTellQuietNoiseBetweenHarmonicsFromAVoiceWithinAFewSteps) {
  // At speech level the decoded audio differs from the real one 30-40 dB below the harmonic peaks; discriminators
  // that only see linear amplitudes stayed blind to that for thousands of steps of real training. This is the
  // regression test for their input scaling (compressed STFT magnitudes, unit-RMS waveforms).
  torch::manual_seed(3);
  DiscriminatorConfig config;
  config.stft_ffts = {512};
  config.stft_channels = 8;
  config.periods = {2, 3};
  config.period_channels = {8, 16};
  Discriminators judges(config);
  torch::optim::Adam optimizer(judges->parameters(), torch::optim::AdamOptions(1e-3).betas({0.8, 0.99}));
  double late_loss = 0.0;  // mean over the last 10 steps: one step's loss is noisy
  for (int step = 0; step < 100; ++step) {
    const auto [real, fake] = voice_and_smeared(4, 2048);
    const auto hinge = discriminator_hinge_loss(judges->forward(real), judges->forward(fake));
    optimizer.zero_grad();
    hinge.backward();
    optimizer.step();
    if (step >= 90) late_loss += hinge.item<double>() / 10;
  }
  EXPECT_LT(late_loss, 1.75) << "an untrained discriminator scores 2; one that cannot see the noise stays there";
}

}  // namespace
}  // namespace nwave

// Shapes, causality, gradient flow and persistence of the codec model.
#include <gtest/gtest.h>

#include "io/safetensors.h"
#include "loss/spectral_losses.h"
#include "model/codec_model.h"
#include "model/spectral_coder.h"
#include "model/model_io.h"
#include "nwave/error.h"
#include "test_util.h"

#include <fstream>

namespace nwave {
namespace {

class BothFamilies : public ::testing::TestWithParam<std::string> {
 protected:
  CodecModel make_model() {
    torch::manual_seed(7);
    auto model = CodecModel(ModelConfig::preset(GetParam()));
    model->eval();
    return model;
  }
};

TEST_P(BothFamilies, HopAndShapes) {
  auto model = make_model();
  const auto& c = model->config();
  EXPECT_EQ(c.hop, 128);
  auto wave = torch::randn({2, 128 * 10}) * 0.1;
  auto latent = model->encoder->forward(wave);
  EXPECT_EQ(latent.sizes(), (std::vector<int64_t>{2, c.latent_dim, 10}));
  auto codes = model->encode_codes(wave, c.num_codebooks);
  EXPECT_EQ(codes.sizes(), (std::vector<int64_t>{2, c.num_codebooks, 10}));
  EXPECT_TRUE((codes >= 0).all().item<bool>() && (codes < c.codebook_size).all().item<bool>());
  auto decoded = model->decode_codes(codes);
  EXPECT_EQ(decoded.sizes(), (std::vector<int64_t>{2, 128 * 10}));
}

TEST_P(BothFamilies, CausalUpToTheAlgorithmicLatency) {
  auto model = make_model();
  const int latency = model->config().latency_samples();
  torch::NoGradGuard no_grad;
  auto a = torch::randn({1, 128 * 40}) * 0.1;
  auto b = a.clone();
  const int64_t t = 128 * 25;
  b.narrow(1, t, b.size(1) - t).copy_(torch::randn({1, b.size(1) - t}) * 0.3);
  const int n = model->config().num_codebooks;
  auto codes_a = model->encode_codes(a, n), codes_b = model->encode_codes(b, n);
  // Frame k sees samples before (k + 1) * hop only: frames ending at or before t keep their codes.
  EXPECT_TRUE(torch::equal(codes_a.narrow(2, 0, t / 128), codes_b.narrow(2, 0, t / 128)));
  auto active = torch::full({1}, n, torch::kLong);
  auto out_a = model->forward(a, active).audio, out_b = model->forward(b, active).audio;
  EXPECT_TRUE(torch::equal(out_a.narrow(1, 0, t - latency), out_b.narrow(1, 0, t - latency)));
  // ... and the change after t does show up later, so the check above is not vacuous.
  EXPECT_FALSE(torch::equal(out_a.narrow(1, t, out_a.size(1) - t), out_b.narrow(1, t, out_b.size(1) - t)));
}

TEST_P(BothFamilies, GradientsReachTheEncoderThroughTheQuantizer) {
  auto model = make_model();
  model->train();
  auto wave = torch::randn({2, 128 * 16}) * 0.1;
  auto out = model->forward(wave, torch::full({2}, model->config().num_codebooks, torch::kLong));
  // Reconstruction only: the encoder's gradient must come through the straight-through estimator.
  MultiScaleMelLoss()(out.audio, wave).backward();
  double encoder_grad = 0.0;
  for (const auto& p : model->encoder->parameters())
    if (p.grad().defined()) encoder_grad += p.grad().abs().sum().item<double>();
  EXPECT_GT(encoder_grad, 0.0);
}

INSTANTIATE_TEST_SUITE_P(Families, BothFamilies, ::testing::Values("tiny", "seanet-tiny"));

TEST(CausalOverlapAdd, PlacesFramesAtTheirCausalPosition) {
  // Two frames of width 2 * hop (hop 2): frame k covers [(k + 1) * hop - 4, (k + 1) * hop).
  auto frames = torch::tensor({1.f, 2.f, 3.f, 4.f, 10.f, 20.f, 30.f, 40.f}).reshape({1, 2, 4});
  auto y = causal_overlap_add(frames, 2);
  // block 0 = frame 0 second half + frame 1 first half; block 1 = frame 1 second half.
  EXPECT_TRUE(torch::equal(y, torch::tensor({3.f + 10.f, 4.f + 20.f, 30.f, 40.f}).reshape({1, 4})));
}

TEST(Losses, ZeroForIdenticalPositiveOtherwise) {
  auto x = torch::randn({2, 16000}) * 0.1;
  auto y = x + 0.01 * torch::randn({2, 16000});
  for (const auto& loss : {MultiScaleStftLoss::original(), MultiScaleStftLoss::improved()}) {
    EXPECT_NEAR(loss(x, x).item<double>(), 0.0, 1e-6);
    EXPECT_GT(loss(y, x).item<double>(), 1e-3);
  }
  MultiScaleMelLoss mel;
  EXPECT_NEAR(mel(x, x).item<double>(), 0.0, 1e-6);
  EXPECT_GT(mel(y, x).item<double>(), 1e-3);
  EXPECT_GT(mel(x + 0.1 * torch::randn({2, 16000}), x).item<double>(), mel(y, x).item<double>());
}

// A harmonic tone whose partials' phases are either locked to f0 (a voice) or drawn at random every `hop` samples
// (its harmonics smeared: the same magnitudes frame by frame, incoherent phase).
torch::Tensor harmonic_batch(bool random_phase, int hop = 256) {
  auto t = torch::arange(16000, torch::kFloat64) / 16000.0;
  auto x = torch::zeros({16000}, torch::kFloat64);
  auto gen = at::make_generator<at::CPUGeneratorImpl>(7);
  for (int h = 1; h <= 12; ++h) {
    auto phase = 2.0 * M_PI * 180.0 * h * t;
    if (random_phase)
      phase = phase + torch::repeat_interleave(torch::rand({16000 / hop + 1}, gen, torch::kFloat64) * 2 * M_PI, hop).narrow(0, 0, 16000);
    x = x + torch::sin(phase) / h;
  }
  return (0.1 * x).to(torch::kFloat32).unsqueeze(0);
}

TEST(Losses, PhaseAdvanceIsZeroForTheSameVoiceAndHighForIncoherentHarmonics) {
  const auto voice = harmonic_batch(false), smeared = harmonic_batch(true);
  PhaseAdvanceLoss phase;
  EXPECT_NEAR(phase(voice, voice).item<double>(), 0.0, 1e-4);  // not exactly 0: the softened normalisation
  EXPECT_NEAR(phase(voice * 0.3, voice).item<double>(), 0.0, 1e-3) << "the level does not matter";
  const double smeared_loss = phase(smeared, voice).item<double>();
  EXPECT_GT(smeared_loss, 0.5);
  EXPECT_LT(smeared_loss, 2.0);
  // A small waveform error moves the phase little.
  EXPECT_LT(phase(voice + 0.002 * torch::randn_like(voice), voice).item<double>(), 0.2);

  auto estimate = smeared.clone().requires_grad_(true);
  phase(estimate, voice).backward();
  EXPECT_TRUE(torch::isfinite(estimate.grad()).all().item<bool>());
  EXPECT_GT(estimate.grad().abs().sum().item<double>(), 0.0);
  // Silence as the estimate: bounded, finite gradients (the softened normalisation).
  auto silent = torch::zeros_like(voice).requires_grad_(true);
  const auto silent_loss = phase(silent, voice);
  silent_loss.backward();
  EXPECT_TRUE(std::isfinite(silent_loss.item<double>()));
  EXPECT_TRUE(torch::isfinite(silent.grad()).all().item<bool>());
}

TEST(Safetensors, ModelRoundTripIsBitExact) {
  test::TempDir dir("safetensors");
  torch::manual_seed(3);
  auto model = CodecModel(ModelConfig::preset("tiny"));
  // Make buffers non-trivial too (codebooks, EMA statistics).
  model->train();
  model->forward(torch::randn({2, 128 * 8}), torch::full({2}, 4, torch::kLong));
  save_model(dir.file("m.safetensors"), *model);
  auto loaded = load_model(dir.file("m.safetensors"));
  auto a = module_tensors(*model), b = module_tensors(*loaded.model);
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, tensor] : a) {
    if (is_training_statistic(name)) continue;  // not part of a model file: a checkpoint carries them
    ASSERT_TRUE(b.count(name)) << name;
    EXPECT_TRUE(torch::equal(tensor, b.at(name))) << name;
  }
  EXPECT_EQ(loaded.fingerprint, model_fingerprint(*model));
  EXPECT_EQ(loaded.model->config().channels, model->config().channels);
}

TEST(Safetensors, HeaderMatchesTheFormat) {
  test::TempDir dir("safetensors_header");
  SafetensorsFile file;
  file.tensors["b"] = torch::arange(6, torch::kFloat32).reshape({2, 3});
  file.tensors["a"] = torch::tensor({7}, torch::kLong);
  file.metadata["k"] = "v";
  save_safetensors(dir.file("t.safetensors"), file);
  std::ifstream in(dir.file("t.safetensors"), std::ios::binary);
  std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i) n |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[i])) << (8 * i);
  ASSERT_EQ(n % 8, 0u);
  auto header = nlohmann::json::parse(std::string(bytes.begin() + 8, bytes.begin() + 8 + n));
  EXPECT_EQ(header["b"]["dtype"], "F32");
  EXPECT_EQ(header["b"]["shape"], nlohmann::json({2, 3}));
  EXPECT_EQ(header["a"]["data_offsets"], nlohmann::json({0, 8}));
  EXPECT_EQ(header["b"]["data_offsets"], nlohmann::json({8, 32}));
  EXPECT_EQ(header["__metadata__"]["k"], "v");
  EXPECT_EQ(bytes.size(), 8 + n + 32);
  auto loaded = load_safetensors(dir.file("t.safetensors"));
  EXPECT_TRUE(torch::equal(loaded.tensors.at("b"), file.tensors.at("b")));
}

TEST(Safetensors, DamagedFilesAreRejectedWithBadModel) {
  test::TempDir dir("safetensors_bad");
  SafetensorsFile file;
  file.tensors["w"] = torch::randn({4, 4});
  save_safetensors(dir.file("ok.safetensors"), file);
  std::ifstream in(dir.file("ok.safetensors"), std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  auto write = [&](const std::string& name, const std::string& content) {
    std::ofstream(dir.file(name), std::ios::binary) << content;
    return dir.file(name);
  };
  for (size_t cut : {size_t{0}, size_t{5}, size_t{20}, bytes.size() - 1}) {
    auto path = write("cut.safetensors", bytes.substr(0, cut));
    EXPECT_THROW(load_safetensors(path), Error) << cut;
  }
  std::string huge = bytes;
  huge[7] = '\x7f';  // header length of ~2^63
  EXPECT_THROW(load_safetensors(write("huge.safetensors", huge)), Error);
  EXPECT_THROW(load_safetensors(write("text.safetensors", "hello world, not a model")), Error);
  EXPECT_THROW(load_model(dir.file("ok.safetensors")), Error);  // valid safetensors, but no nwave_config
}

}  // namespace
}  // namespace nwave

namespace nwave {
namespace {

TEST(ModelConfigChanges, ChangeNamedFieldsOnlyAndRejectUnknownOrInvalidOnes) {
  const ModelConfig base = ModelConfig::preset("default");
  const ModelConfig changed = base.with_changes(R"({"synthesis_fft": 512, "latent_dim": 64})");
  EXPECT_EQ(changed.synthesis_fft, 512);
  EXPECT_EQ(changed.latent_dim, 64);
  EXPECT_EQ(changed.latency_samples(), 512);
  EXPECT_EQ(changed.channels, base.channels);
  EXPECT_EQ(changed.num_codebooks, base.num_codebooks);
  EXPECT_THROW(base.with_changes(R"({"latent_dims": 64})"), Error);      // a typo names no field
  EXPECT_THROW(base.with_changes(R"({"synthesis_fft": 300})"), Error);   // not a multiple of the hop
  EXPECT_THROW(base.with_changes(R"({"latent_dim": "wide"})"), Error);   // wrong type
  EXPECT_THROW(base.with_changes("[1, 2]"), Error);                       // not an object
  EXPECT_THROW(base.with_changes("{broken"), Error);
}

}  // namespace
}  // namespace nwave

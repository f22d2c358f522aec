// The discriminators of the adversarial training stage. Each judges short stretches of audio as real or decoded and
// exposes its intermediate activations, which the generator matches (feature matching):
// - StftDiscriminator (EnCodec's MS-STFT discriminator, one resolution): 2-D convolutions over the complex STFT
//   (real and imaginary parts as two channels), dilated in time, strided in frequency. It sees phase, so it can
//   tell smeared harmonics from clean ones at its resolution.
// - PeriodDiscriminator (HiFi-GAN's multi-period discriminator, one period p): the waveform folded into p columns,
//   convolved along time only, so it judges the periodic structure of voiced sound sample by sample.
// Channel counts are kept small by default: on a CPU the discriminators must not cost much more than the codec.
#pragma once
#include <torch/torch.h>

#include <nlohmann/json.hpp>
#include <vector>

namespace nwave {

struct DiscriminatorConfig {
  // Defaults sized for a CPU (docs/PERFORMANCE.md): the STFT discriminators cost most, so two resolutions that
  // resolve harmonics (32 and 64 ms windows) rather than EnCodec's five, and narrow period discriminators.
  std::vector<int> stft_ffts = {512, 1024};    // one STFT discriminator per FFT size (hop n_fft / 4)
  int stft_channels = 16;
  std::vector<int> periods = {2, 3, 5, 7, 11};  // one period discriminator per period
  std::vector<int> period_channels = {8, 16, 32, 64};

  void validate() const;  // throws Error(kBadArgument)
};

void to_json(nlohmann::json& j, const DiscriminatorConfig& c);
void from_json(const nlohmann::json& j, DiscriminatorConfig& c);

// What one discriminator says about a batch: a map of real/fake scores and the activations behind it.
struct Judgement {
  torch::Tensor logits;                // [B, ...]
  std::vector<torch::Tensor> features;  // every hidden layer's activation
};

class StftDiscriminatorImpl : public torch::nn::Module {
 public:
  StftDiscriminatorImpl(int n_fft, int channels);
  Judgement forward(const torch::Tensor& wave);  // [B, T]

 private:
  int n_fft_;
  std::vector<torch::nn::Conv2d> layers_;
  torch::nn::Conv2d post_{nullptr};
};
TORCH_MODULE(StftDiscriminator);

class PeriodDiscriminatorImpl : public torch::nn::Module {
 public:
  PeriodDiscriminatorImpl(int period, const std::vector<int>& channels);
  Judgement forward(const torch::Tensor& wave);  // [B, T]

 private:
  int period_;
  std::vector<torch::nn::Conv2d> layers_;
  torch::nn::Conv2d post_{nullptr};
};
TORCH_MODULE(PeriodDiscriminator);

// All discriminators of a config, judged together.
class DiscriminatorsImpl : public torch::nn::Module {
 public:
  explicit DiscriminatorsImpl(const DiscriminatorConfig& config);
  std::vector<Judgement> forward(const torch::Tensor& wave);  // one judgement per discriminator
  const DiscriminatorConfig& config() const { return config_; }

 private:
  DiscriminatorConfig config_;
  std::vector<StftDiscriminator> stft_;
  std::vector<PeriodDiscriminator> period_;
};
TORCH_MODULE(Discriminators);

}  // namespace nwave

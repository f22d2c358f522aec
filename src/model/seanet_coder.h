// Family (a), waveform SEANet (EnCodec / SoundStream): causal strided convolutions with residual units (dilated,
// ELU); the decoder mirrors it with causal transposed convolutions. Latency: one hop.
#pragma once
#include "model/causal_conv.h"
#include "model/wave_coder.h"

namespace nwave {

class SeanetResidualUnitImpl : public torch::nn::Module {
 public:
  SeanetResidualUnitImpl(int channels, int dilation);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  CausalConv1d dilated{nullptr}, pointwise{nullptr};
};
TORCH_MODULE(SeanetResidualUnit);

class SeanetEncoderImpl : public WaveEncoder {
 public:
  explicit SeanetEncoderImpl(const ModelConfig& config);
  torch::Tensor forward(const torch::Tensor& wave) override;

 private:
  torch::nn::Sequential layers;
};

class SeanetDecoderImpl : public WaveDecoder {
 public:
  explicit SeanetDecoderImpl(const ModelConfig& config);
  torch::Tensor forward(const torch::Tensor& latent) override;

 private:
  torch::nn::Sequential layers;
};

}  // namespace nwave

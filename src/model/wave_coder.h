// The two halves of a codec that turn waveforms into latent frames and back; each architecture family implements
// both (spectral_coder.h, seanet_coder.h).
#pragma once
#include <torch/torch.h>

#include "model/model_config.h"

namespace nwave {

class WaveEncoder : public torch::nn::Module {
 public:
  // [B, T] with T a multiple of hop -> latent [B, latent_dim, T / hop].
  virtual torch::Tensor forward(const torch::Tensor& wave) = 0;
};

class WaveDecoder : public torch::nn::Module {
 public:
  // latent [B, latent_dim, F] -> [B, F * hop], time-aligned with the encoder's input.
  virtual torch::Tensor forward(const torch::Tensor& latent) = 0;
};

std::shared_ptr<WaveEncoder> make_wave_encoder(const ModelConfig& config);
std::shared_ptr<WaveDecoder> make_wave_decoder(const ModelConfig& config);

}  // namespace nwave

// The whole codec: waveform -> encoder -> residual VQ -> decoder -> waveform, at hop samples per frame.
#pragma once
#include <torch/torch.h>

#include "model/model_config.h"
#include "model/wave_coder.h"
#include "quant/residual_vq.h"

namespace nwave {

struct CodecForward {
  torch::Tensor audio;  // [B, T]
  RvqOutput rvq;
};

class CodecModelImpl : public torch::nn::Module {
 public:
  explicit CodecModelImpl(const ModelConfig& config);
  const ModelConfig& config() const { return config_; }

  // Training and evaluation pass. wave [B, T], T a multiple of hop; active_codebooks [B] (quantizer dropout).
  CodecForward forward(const torch::Tensor& wave, const torch::Tensor& active_codebooks);

  torch::Tensor encode_codes(const torch::Tensor& wave, int num_codebooks);  // [B, T] -> [B, n, T / hop] int64
  torch::Tensor decode_codes(const torch::Tensor& codes);                    // [B, n, F] -> [B, F * hop]

  std::shared_ptr<WaveEncoder> encoder;
  ResidualVQ quantizer{nullptr};
  std::shared_ptr<WaveDecoder> decoder;

 private:
  ModelConfig config_;
};
TORCH_MODULE(CodecModel);

// Pads [B, T] on the right with zeros to a whole number of frames.
torch::Tensor pad_to_frames(const torch::Tensor& wave, int hop);

}  // namespace nwave

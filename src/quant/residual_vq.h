// Residual vector quantization, coarse to fine: codebook i quantizes what codebooks 0..i-1 left over,
// q = sum_i Quantize(r_{i-1}, C_i). Fewer codebooks = lower bitrate; quantizer dropout (a random number of
// codebooks per training example) makes one model serve every bitrate.
#pragma once
#include <torch/torch.h>

#include "quant/vector_quantizer.h"

namespace nwave {

struct RvqOutput {
  torch::Tensor quantized;      // [B, D, F], with straight-through gradients to the input
  torch::Tensor codes;          // [B, num_codebooks, F] int64 (codes of inactive codebooks are still computed)
  torch::Tensor commit_loss;    // scalar, summed over codebooks
  torch::Tensor codebook_loss;  // scalar, summed over codebooks
};

class ResidualVQImpl : public torch::nn::Module {
 public:
  explicit ResidualVQImpl(const ModelConfig& config);

  // latent [B, D, F]; active_codebooks [B] int64 in 1..num_codebooks: how many codebooks each example uses.
  RvqOutput forward(const torch::Tensor& latent, const torch::Tensor& active_codebooks);

  torch::Tensor encode(const torch::Tensor& latent, int num_codebooks);  // [B, D, F] -> [B, n, F]
  torch::Tensor decode(const torch::Tensor& codes);                       // [B, n, F] -> [B, D, F]

  int num_codebooks() const { return static_cast<int>(layers.size()); }
  std::vector<double> perplexities() const;
  void set_sync(const std::shared_ptr<CodebookSync>& sync);  // every codebook: VectorQuantizerImpl::set_sync

  std::vector<VectorQuantizer> layers;

 private:
  bool factorized_;
};
TORCH_MODULE(ResidualVQ);

}  // namespace nwave

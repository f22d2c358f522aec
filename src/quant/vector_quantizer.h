// One codebook: nearest-neighbour lookup with a straight-through estimator. Codebooks learn either by EMA updates
// (EnCodec; with dead-code replacement) or by a codebook loss; k-means initialises them from the first batch.
// With codebook_dim > 0 the lookup happens in a low-dimensional, L2-normalised projection (DAC's factorized codes).
#pragma once
#include <torch/torch.h>

#include "model/model_config.h"
#include "quant/codebook_sync.h"

#include <memory>

namespace nwave {

struct QuantizerStep {
  torch::Tensor quantized;      // [N, dim], back in the latent space (no straight-through yet)
  torch::Tensor codes;          // [N] int64
  torch::Tensor commit_loss;    // scalar: pulls the input towards its code
  torch::Tensor codebook_loss;  // scalar: pulls the code towards the input ("loss" mode; zero with EMA)
};

class VectorQuantizerImpl : public torch::nn::Module {
 public:
  VectorQuantizerImpl(const ModelConfig& config);

  // x [N, dim]; `active` [N] bool marks the rows this codebook serves (quantizer dropout switches it off per
  // example). In training mode updates the codebook from the active rows.
  QuantizerStep forward(const torch::Tensor& x, const torch::Tensor& active);

  torch::Tensor encode(const torch::Tensor& x);      // [N, dim] -> [N] codes
  torch::Tensor decode(const torch::Tensor& codes);  // [N] codes -> [N, dim]

  // Perplexity of the codes assigned in the last training step: how many entries are effectively in use.
  double last_perplexity() const { return last_perplexity_; }
  int64_t size() const { return codebook.size(0); }

  // Data-parallel training: learn from the statistics of the global batch (quant/codebook_sync.h); null: this batch.
  void set_sync(std::shared_ptr<CodebookSync> sync) { sync_ = std::move(sync); }

  torch::Tensor codebook;      // [K, codebook_dim]
  torch::Tensor cluster_size;  // [K] EMA of assignment counts (also used to find dead codes in loss mode)
  torch::Tensor embed_sum;     // [K, codebook_dim] EMA of assigned vectors
  torch::Tensor initialized;   // [1] 0 until k-means has run

 private:
  torch::Tensor project_in(const torch::Tensor& x);
  torch::Tensor project_out(const torch::Tensor& z);
  torch::Tensor lookup_space_codebook();
  void kmeans_init(const torch::Tensor& z);
  void ema_update(const torch::Tensor& counts, const torch::Tensor& sums);
  torch::Tensor global_rows(const torch::Tensor& rows);
  void sum_over_ranks(torch::Tensor& values);
  void replace_dead_codes(const torch::Tensor& z);

  bool ema_, factorized_;
  double decay_, dead_threshold_;
  torch::nn::Linear in_proj{nullptr}, out_proj{nullptr};
  double last_perplexity_ = 0.0;
  std::shared_ptr<CodebookSync> sync_;
};
TORCH_MODULE(VectorQuantizer);

}  // namespace nwave

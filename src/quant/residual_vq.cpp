#include "quant/residual_vq.h"

namespace nwave {

namespace {

torch::Tensor frames_as_rows(const torch::Tensor& latent) {  // [B, D, F] -> [B * F, D]
  return latent.transpose(1, 2).reshape({-1, latent.size(1)});
}

torch::Tensor rows_as_frames(const torch::Tensor& rows, int64_t batch) {  // [B * F, D] -> [B, D, F]
  return rows.reshape({batch, -1, rows.size(1)}).transpose(1, 2);
}

}  // namespace

ResidualVQImpl::ResidualVQImpl(const ModelConfig& config) : factorized_(config.codebook_dim > 0) {
  auto list = register_module("layers", torch::nn::ModuleList());
  for (int i = 0; i < config.num_codebooks; ++i) {
    layers.push_back(VectorQuantizer(config));
    list->push_back(layers.back());
  }
}

RvqOutput ResidualVQImpl::forward(const torch::Tensor& latent, const torch::Tensor& active_codebooks) {
  const int64_t batch = latent.size(0), frames = latent.size(2);
  auto x = frames_as_rows(latent);
  auto per_row_active = active_codebooks.to(torch::kLong).repeat_interleave(frames);  // [B * F]
  auto residual = x;
  auto total = torch::zeros_like(x);
  auto commit = torch::zeros({}, x.options()), codebook = torch::zeros({}, x.options());
  std::vector<torch::Tensor> codes;
  for (int i = 0; i < num_codebooks(); ++i) {
    auto active = per_row_active > i;
    auto step = layers[i]->forward(residual, active);
    auto contribution = step.quantized * active.to(x.dtype()).unsqueeze(1);
    // Plain codes: residuals keep their gradient path to the encoder so every codebook's commitment pulls on it.
    // Factorized codes (DAC): the projections learn from the decoder's gradient, so the chain keeps its graph.
    residual = residual - (factorized_ ? contribution : contribution.detach());
    total = total + (factorized_ ? contribution : contribution.detach());
    commit = commit + step.commit_loss;
    codebook = codebook + step.codebook_loss;
    codes.push_back(step.codes.reshape({batch, frames}));
  }
  RvqOutput out;
  // Plain codes: one straight-through estimator over the whole stack (forward the sum of codes, backward the
  // identity), so the encoder's gradient does not scale with the number of codebooks.
  out.quantized = rows_as_frames(factorized_ ? total : x + (total - x).detach(), batch);
  out.codes = torch::stack(codes, 1);
  out.commit_loss = commit;
  out.codebook_loss = codebook;
  return out;
}

torch::Tensor ResidualVQImpl::encode(const torch::Tensor& latent, int n) {
  torch::NoGradGuard no_grad;
  const int64_t batch = latent.size(0), frames = latent.size(2);
  auto residual = frames_as_rows(latent);
  std::vector<torch::Tensor> codes;
  for (int i = 0; i < n; ++i) {
    auto c = layers[i]->encode(residual);
    residual = residual - layers[i]->decode(c);
    codes.push_back(c.reshape({batch, frames}));
  }
  return torch::stack(codes, 1);
}

torch::Tensor ResidualVQImpl::decode(const torch::Tensor& codes) {
  const int64_t batch = codes.size(0);
  torch::Tensor sum;
  for (int64_t i = 0; i < codes.size(1); ++i) {
    auto part = layers[i]->decode(codes.select(1, i).reshape({-1}).to(torch::kLong));
    sum = sum.defined() ? sum + part : part;
  }
  return rows_as_frames(sum, batch);
}

void ResidualVQImpl::set_sync(const std::shared_ptr<CodebookSync>& sync) {
  for (auto& layer : layers) layer->set_sync(sync);
}

std::vector<double> ResidualVQImpl::perplexities() const {
  std::vector<double> result;
  for (const auto& layer : layers) result.push_back(layer->last_perplexity());
  return result;
}

}  // namespace nwave

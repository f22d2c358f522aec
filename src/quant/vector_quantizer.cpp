#include "quant/vector_quantizer.h"

namespace nwave {

namespace F = torch::nn::functional;

VectorQuantizerImpl::VectorQuantizerImpl(const ModelConfig& c)
    : ema_(c.vq_update == "ema"),
      factorized_(c.codebook_dim > 0),
      decay_(c.ema_decay),
      dead_threshold_(c.dead_code_threshold) {
  const int dim = factorized_ ? c.codebook_dim : c.latent_dim;
  auto init = torch::randn({c.codebook_size, dim});
  codebook = ema_ ? register_buffer("codebook", init) : register_parameter("codebook", init);
  cluster_size = register_buffer("cluster_size", torch::zeros({c.codebook_size}));
  embed_sum = register_buffer("embed_sum", init.clone());
  initialized = register_buffer("initialized", torch::zeros({1}));
  if (factorized_) {
    in_proj = register_module("in_proj", torch::nn::Linear(c.latent_dim, c.codebook_dim));
    out_proj = register_module("out_proj", torch::nn::Linear(c.codebook_dim, c.latent_dim));
  }
}

torch::Tensor VectorQuantizerImpl::project_in(const torch::Tensor& x) {
  return factorized_ ? F::normalize(in_proj(x), F::NormalizeFuncOptions().dim(1)) : x;
}

torch::Tensor VectorQuantizerImpl::project_out(const torch::Tensor& z) { return factorized_ ? out_proj(z) : z; }

torch::Tensor VectorQuantizerImpl::lookup_space_codebook() {
  return factorized_ ? F::normalize(codebook, F::NormalizeFuncOptions().dim(1)) : codebook;
}

torch::Tensor VectorQuantizerImpl::encode(const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  auto z = project_in(x);
  auto book = lookup_space_codebook();
  // argmin |z - c|^2 = argmax (2 z.c - |c|^2): one matrix product instead of N x K differences.
  auto score = torch::addmm(book.pow(2).sum(1).neg().unsqueeze(0), z, book.t(), 1.0, 2.0);
  return score.argmax(1);
}

torch::Tensor VectorQuantizerImpl::decode(const torch::Tensor& codes) {
  return project_out(lookup_space_codebook().index_select(0, codes));
}

QuantizerStep VectorQuantizerImpl::forward(const torch::Tensor& x, const torch::Tensor& active) {
  auto z = project_in(x);
  if (is_training() && initialized.item<float>() == 0.0f) {
    auto used = global_rows(z.detach().index({active}));
    if (used.size(0) > 0) kmeans_init(used);
  }
  auto codes = encode(x);
  auto book = lookup_space_codebook();
  auto zq = book.index_select(0, codes);
  auto mask = active.to(z.dtype()).unsqueeze(1);
  auto active_values = mask.sum() * z.size(1);
  if (sync_ && is_training()) {
    // Each rank divides its sum by the global count over the ranks: the mean of the ranks' losses (and gradients)
    // is then the mean over the active rows of the global batch, as in one process.
    auto global = active_values.detach().reshape({1});
    sum_over_ranks(global);
    active_values = global.squeeze() / sync_->world_size();
  }
  const auto denom = active_values.clamp_min(1.0);
  QuantizerStep step;
  step.codes = codes;
  step.commit_loss = ((z - zq.detach()).pow(2) * mask).sum() / denom;
  step.codebook_loss = ema_ ? torch::zeros({}, z.options()) : ((zq - z.detach()).pow(2) * mask).sum() / denom;

  if (is_training()) {
    torch::NoGradGuard no_grad;
    auto used_z = z.detach().index({active});
    auto used_codes = codes.index({active});
    auto counts = torch::bincount(used_codes, {}, size()).to(z.dtype());
    sum_over_ranks(counts);
    if (counts.sum().item<double>() > 0.0) {
      auto p = counts / counts.sum();
      last_perplexity_ = torch::exp(-(p * torch::log(p + 1e-10)).sum()).item<double>();
      if (ema_) {
        auto sums = torch::zeros_like(embed_sum).index_add_(0, used_codes, used_z);
        sum_over_ranks(sums);
        ema_update(counts, sums);
      } else {
        cluster_size.mul_(decay_).add_(counts, 1.0 - decay_);
      }
      replace_dead_codes(used_z);
    }
  }
  // Straight-through in the lookup space: the value of the code, the gradient of the input.
  step.quantized = project_out(z + (zq - z).detach());
  return step;
}

void VectorQuantizerImpl::kmeans_init(const torch::Tensor& z) {
  torch::NoGradGuard no_grad;
  const int64_t k = size();
  // Start from random batch vectors (with replacement when the batch is smaller than the codebook), then Lloyd.
  auto centers = z.index_select(0, torch::randint(z.size(0), {k}, torch::kLong)).clone();
  centers += 1e-3 * torch::randn_like(centers);
  for (int iteration = 0; iteration < 10; ++iteration) {
    auto score = torch::addmm(centers.pow(2).sum(1).neg().unsqueeze(0), z, centers.t(), 1.0, 2.0);
    auto assign = score.argmax(1);
    auto counts = torch::bincount(assign, {}, k).to(z.dtype());
    auto sums = torch::zeros_like(centers).index_add_(0, assign, z);
    auto nonempty = (counts > 0).unsqueeze(1);
    centers = torch::where(nonempty, sums / counts.clamp_min(1).unsqueeze(1), centers);
  }
  codebook.copy_(centers);
  embed_sum.copy_(centers);
  cluster_size.fill_(1.0);
  initialized.fill_(1.0);
}

void VectorQuantizerImpl::ema_update(const torch::Tensor& counts, const torch::Tensor& sums) {
  cluster_size.mul_(decay_).add_(counts, 1.0 - decay_);
  embed_sum.mul_(decay_).add_(sums, 1.0 - decay_);
  // Laplace smoothing keeps rarely used codes from dividing by ~0.
  const double eps = 1e-5, total = cluster_size.sum().item<double>();
  auto smoothed = (cluster_size + eps) / (total + size() * eps) * total;
  codebook.copy_(embed_sum / smoothed.unsqueeze(1));
}

void VectorQuantizerImpl::replace_dead_codes(const torch::Tensor& z) {
  // A code nobody picks never learns (the original design's failure); restart it on a vector from the batch.
  const auto mean_usage = cluster_size.mean();
  auto dead = cluster_size < dead_threshold_ * mean_usage;
  const int64_t n_dead = dead.sum().item<int64_t>();
  if (n_dead == 0) return;
  const auto rows = global_rows(z);  // every rank restarts the same codes on the same vectors
  if (rows.size(0) == 0) return;
  auto picks = rows.index_select(0, torch::randint(rows.size(0), {n_dead}, torch::kLong));
  auto dead_index = dead.nonzero().squeeze(1);
  codebook.detach().index_copy_(0, dead_index, picks);
  embed_sum.index_copy_(0, dead_index, picks);
  cluster_size.index_fill_(0, dead_index, mean_usage.item<double>());
}

torch::Tensor VectorQuantizerImpl::global_rows(const torch::Tensor& rows) { return sync_ ? sync_->gather_rows(rows) : rows; }

void VectorQuantizerImpl::sum_over_ranks(torch::Tensor& values) {
  if (sync_) sync_->sum(values);
}

}  // namespace nwave

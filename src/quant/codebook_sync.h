// Data-parallel training splits a global batch across ranks, but a codebook learns from batch statistics: k-means
// initialisation, EMA counts and sums, dead-code restarts. Through this interface each codebook sees the statistics
// of the whole global batch, so every rank holds the same codebooks as one process with the whole batch would.
// Implemented by the training's process group (train/distributed/process_group.h); without one a codebook uses
// its own batch.
#pragma once
#include <torch/torch.h>

namespace nwave {

class CodebookSync {
 public:
  virtual ~CodebookSync() = default;
  // In place: the element-wise sum of `values` over every rank (identical shapes on every rank).
  virtual void sum(torch::Tensor& values) = 0;
  // Every rank's rows [n_rank, ...] concatenated in rank order (the order of the global batch); n_rank may differ.
  virtual torch::Tensor gather_rows(const torch::Tensor& rows) = 0;
  virtual int world_size() const = 0;
};

}  // namespace nwave

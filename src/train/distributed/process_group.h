// The collective operations of data-parallel training, on LibTorch's c10d: ProcessGroupGloo on CPU and
// ProcessGroupNCCL on CUDA (when this LibTorch was built with NCCL), rendezvous through a TCPStore at
// MASTER_ADDR:MASTER_PORT. A collective that fails (a rank died, the network went away) or that gets no answer
// within the timeout throws Error(kTraining) naming this rank, instead of hanging.
#pragma once
#include <torch/torch.h>

#include <chrono>
#include <memory>

#include "quant/codebook_sync.h"
#include "train/distributed/launch_environment.h"

namespace nwave {

class ProcessGroup final : public CodebookSync {
 public:
  // Blocks until every rank has joined; throws Error(kTraining) when they do not within `timeout`, and
  // Error(kBadArgument) for a CUDA device when this LibTorch has no NCCL.
  ProcessGroup(const LaunchEnvironment& launch, const torch::Device& device, std::chrono::milliseconds timeout);
  ~ProcessGroup() override;

  int rank() const { return rank_; }
  int world_size() const override { return world_size_; }

  void sum(torch::Tensor& values) override;
  torch::Tensor gather_rows(const torch::Tensor& rows) override;

 private:
  struct Backend;
  std::unique_ptr<Backend> backend_;
  int rank_, world_size_;
};

}  // namespace nwave

// Data-parallel gradients: after every rank's backward pass on its slice of the global batch, each gradient
// becomes the mean over the ranks, which is the gradient of the global batch's mean loss. Summed in buckets of a
// few MB (a few large all-reduces rather than one per parameter, and no copy of the whole model at once).
#pragma once
#include <torch/torch.h>

#include <vector>

#include "train/distributed/process_group.h"

namespace nwave {

// A parameter without a gradient on some ranks (unused by their examples) counts as zero there; one without a
// gradient on every rank keeps none, as in one process.
void average_gradients(ProcessGroup& group, const std::vector<torch::Tensor>& parameters);

}  // namespace nwave

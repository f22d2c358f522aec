#include "train/distributed/gradient_averaging.h"

namespace nwave {

namespace {

constexpr int64_t kBucketBytes = 16 << 20;

void average_bucket(ProcessGroup& group, const std::vector<torch::Tensor>& gradients) {
  std::vector<torch::Tensor> flat;
  for (const auto& g : gradients) flat.push_back(g.reshape({-1}));
  auto bucket = torch::cat(flat);
  group.sum(bucket);
  bucket.div_(group.world_size());
  int64_t offset = 0;
  for (const auto& g : gradients) {
    g.copy_(bucket.narrow(0, offset, g.numel()).view_as(g));
    offset += g.numel();
  }
}

}  // namespace

void average_gradients(ProcessGroup& group, const std::vector<torch::Tensor>& parameters) {
  if (parameters.empty()) return;
  auto has_gradient = torch::zeros({static_cast<int64_t>(parameters.size())}, torch::kDouble);
  for (size_t i = 0; i < parameters.size(); ++i)
    if (parameters[i].grad().defined()) has_gradient[i] = 1.0;
  auto on_device = has_gradient.to(parameters.front().device());  // NCCL sums CUDA tensors only
  group.sum(on_device);
  has_gradient = on_device.cpu();
  std::vector<torch::Tensor> bucket;
  int64_t bucket_bytes = 0;
  for (size_t i = 0; i < parameters.size(); ++i) {
    if (has_gradient[i].item<double>() == 0.0) continue;
    auto parameter = parameters[i];
    if (!parameter.grad().defined()) parameter.mutable_grad() = torch::zeros_like(parameter);
    const auto& gradient = parameter.grad();
    // One dtype per bucket: a change of dtype (or a full bucket) sends what has been gathered.
    if (!bucket.empty() && (bucket_bytes >= kBucketBytes || gradient.scalar_type() != bucket.front().scalar_type())) {
      average_bucket(group, bucket);
      bucket.clear();
      bucket_bytes = 0;
    }
    bucket.push_back(gradient);
    bucket_bytes += gradient.numel() * static_cast<int64_t>(gradient.element_size());
  }
  if (!bucket.empty()) average_bucket(group, bucket);
}

}  // namespace nwave

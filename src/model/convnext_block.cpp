#include "model/convnext_block.h"

namespace nwave {

ConvNeXtBlockImpl::ConvNeXtBlockImpl(int channels, int mlp_ratio, int kernel_size, double layer_scale) {
  depthwise = register_module("depthwise", CausalConv1d(channels, channels, kernel_size, 1, 1, channels));
  norm = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({channels}).eps(1e-6)));
  expand = register_module("expand", torch::nn::Linear(channels, channels * mlp_ratio));
  project = register_module("project", torch::nn::Linear(channels * mlp_ratio, channels));
  gamma = register_parameter("gamma", torch::full({channels}, layer_scale));
}

torch::Tensor ConvNeXtBlockImpl::forward(const torch::Tensor& x) {
  auto h = depthwise(x).transpose(1, 2);  // [B, F, C]: LayerNorm and Linear act on the last dimension
  h = project(torch::gelu(expand(norm(h)))) * gamma;
  return x + h.transpose(1, 2);
}

}  // namespace nwave

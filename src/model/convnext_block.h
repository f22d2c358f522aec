// A causal ConvNeXt block at frame rate (Vocos): depthwise causal conv, LayerNorm, pointwise MLP, layer scale.
#pragma once
#include <torch/torch.h>

#include "model/causal_conv.h"

namespace nwave {

class ConvNeXtBlockImpl : public torch::nn::Module {
 public:
  ConvNeXtBlockImpl(int channels, int mlp_ratio, int kernel_size, double layer_scale);
  torch::Tensor forward(const torch::Tensor& x);  // [B, C, F] -> [B, C, F]

 private:
  CausalConv1d depthwise{nullptr};
  torch::nn::LayerNorm norm{nullptr};
  torch::nn::Linear expand{nullptr}, project{nullptr};
  torch::Tensor gamma;
};
TORCH_MODULE(ConvNeXtBlock);

}  // namespace nwave

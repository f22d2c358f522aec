// Causal ("streamable") 1-D convolutions: all padding goes to the left, so output frame t sees input up to t only.
// This is what makes streaming output equal offline output.
#pragma once
#include <torch/torch.h>

namespace nwave {

class CausalConv1dImpl : public torch::nn::Module {
 public:
  CausalConv1dImpl(int in_channels, int out_channels, int kernel_size, int stride = 1, int dilation = 1, int groups = 1);
  // [B, C_in, T] -> [B, C_out, T / stride]; T must be a multiple of the stride.
  torch::Tensor forward(const torch::Tensor& x);
  int left_context() const { return padding_; }  // input samples of history each output needs
  torch::nn::Conv1d conv{nullptr};

 private:
  int padding_;
};
TORCH_MODULE(CausalConv1d);

// Transposed convolution with kernel 2 × stride, trimmed on the right so that output t depends on input <= t / stride.
class CausalConvTranspose1dImpl : public torch::nn::Module {
 public:
  CausalConvTranspose1dImpl(int in_channels, int out_channels, int stride);
  torch::Tensor forward(const torch::Tensor& x);  // [B, C_in, T] -> [B, C_out, T * stride]
  torch::nn::ConvTranspose1d conv{nullptr};

 private:
  int stride_;
};
TORCH_MODULE(CausalConvTranspose1d);

}  // namespace nwave

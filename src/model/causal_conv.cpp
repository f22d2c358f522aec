#include "model/causal_conv.h"

namespace nwave {

CausalConv1dImpl::CausalConv1dImpl(int in_channels, int out_channels, int kernel_size, int stride, int dilation, int groups)
    : padding_((kernel_size - 1) * dilation + 1 - stride) {
  conv = register_module("conv", torch::nn::Conv1d(torch::nn::Conv1dOptions(in_channels, out_channels, kernel_size)
                                                        .stride(stride)
                                                        .dilation(dilation)
                                                        .groups(groups)));
}

torch::Tensor CausalConv1dImpl::forward(const torch::Tensor& x) {
  namespace F = torch::nn::functional;
  return conv(padding_ > 0 ? F::pad(x, F::PadFuncOptions({padding_, 0})) : x);
}

CausalConvTranspose1dImpl::CausalConvTranspose1dImpl(int in_channels, int out_channels, int stride) : stride_(stride) {
  conv = register_module("conv", torch::nn::ConvTranspose1d(
                                     torch::nn::ConvTranspose1dOptions(in_channels, out_channels, 2 * stride).stride(stride)));
}

torch::Tensor CausalConvTranspose1dImpl::forward(const torch::Tensor& x) {
  auto y = conv(x);  // length (T - 1) * stride + 2 * stride
  return y.narrow(2, 0, x.size(2) * stride_);
}

}  // namespace nwave

#include "model/seanet_coder.h"

namespace nwave {

SeanetResidualUnitImpl::SeanetResidualUnitImpl(int channels, int dilation) {
  dilated = register_module("dilated", CausalConv1d(channels, channels / 2, 3, 1, dilation));
  pointwise = register_module("pointwise", CausalConv1d(channels / 2, channels, 1));
}

torch::Tensor SeanetResidualUnitImpl::forward(const torch::Tensor& x) {
  return x + pointwise(torch::elu(dilated(torch::elu(x))));
}

SeanetEncoderImpl::SeanetEncoderImpl(const ModelConfig& c) {
  int channels = c.seanet_channels;
  layers->push_back(CausalConv1d(1, channels, 7));
  for (int stride : c.strides) {
    for (int d : c.dilations) layers->push_back(SeanetResidualUnit(channels, d));
    layers->push_back(torch::nn::ELU());
    layers->push_back(CausalConv1d(channels, 2 * channels, 2 * stride, stride));
    channels *= 2;
  }
  layers->push_back(torch::nn::ELU());
  layers->push_back(CausalConv1d(channels, c.latent_dim, 3));
  register_module("layers", layers);
}

torch::Tensor SeanetEncoderImpl::forward(const torch::Tensor& wave) { return layers->forward(wave.unsqueeze(1)); }

SeanetDecoderImpl::SeanetDecoderImpl(const ModelConfig& c) {
  int channels = c.seanet_channels << c.strides.size();
  layers->push_back(CausalConv1d(c.latent_dim, channels, 7));
  for (auto it = c.strides.rbegin(); it != c.strides.rend(); ++it) {
    layers->push_back(torch::nn::ELU());
    layers->push_back(CausalConvTranspose1d(channels, channels / 2, *it));
    channels /= 2;
    for (int d : c.dilations) layers->push_back(SeanetResidualUnit(channels, d));
  }
  layers->push_back(torch::nn::ELU());
  layers->push_back(CausalConv1d(channels, 1, 7));
  register_module("layers", layers);
}

torch::Tensor SeanetDecoderImpl::forward(const torch::Tensor& latent) { return layers->forward(latent).squeeze(1); }

}  // namespace nwave

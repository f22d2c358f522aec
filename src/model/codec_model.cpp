#include "model/codec_model.h"

namespace nwave {

CodecModelImpl::CodecModelImpl(const ModelConfig& config) : config_(config) {
  config_.validate();
  encoder = register_module("encoder", make_wave_encoder(config_));
  quantizer = register_module("quantizer", ResidualVQ(config_));
  decoder = register_module("decoder", make_wave_decoder(config_));
}

CodecForward CodecModelImpl::forward(const torch::Tensor& wave, const torch::Tensor& active_codebooks) {
  CodecForward out;
  out.rvq = quantizer->forward(encoder->forward(wave), active_codebooks);
  out.audio = decoder->forward(out.rvq.quantized);
  return out;
}

torch::Tensor CodecModelImpl::encode_codes(const torch::Tensor& wave, int num_codebooks) {
  torch::NoGradGuard no_grad;
  return quantizer->encode(encoder->forward(wave), num_codebooks);
}

torch::Tensor CodecModelImpl::decode_codes(const torch::Tensor& codes) {
  torch::NoGradGuard no_grad;
  return decoder->forward(quantizer->decode(codes));
}

torch::Tensor pad_to_frames(const torch::Tensor& wave, int hop) {
  const int64_t extra = (hop - wave.size(-1) % hop) % hop;
  if (extra == 0) return wave;
  return torch::nn::functional::pad(wave, torch::nn::functional::PadFuncOptions({0, extra}));
}

}  // namespace nwave

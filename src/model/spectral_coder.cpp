#include "model/spectral_coder.h"

namespace nwave {

namespace F = torch::nn::functional;

namespace {

torch::nn::Sequential make_blocks(const ModelConfig& c, int count) {
  torch::nn::Sequential blocks;
  for (int i = 0; i < count; ++i) blocks->push_back(ConvNeXtBlock(c.channels, c.mlp_ratio, c.kernel_size, 1.0 / std::max(count, 1)));
  return blocks;
}

torch::Tensor periodic_hann(int n, const torch::Tensor& like) {
  return torch::hann_window(n, /*periodic=*/true, torch::TensorOptions().dtype(like.dtype()).device(like.device()));
}

}  // namespace

SpectralEncoderImpl::SpectralEncoderImpl(const ModelConfig& c) : n_fft_(c.analysis_fft), hop_(c.hop) {
  const int bins = n_fft_ / 2 + 1;
  input = register_module("input", torch::nn::Linear(3 * bins, c.channels));
  blocks = register_module("blocks", make_blocks(c, c.encoder_blocks));
  norm = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.channels}).eps(1e-6)));
  output = register_module("output", torch::nn::Linear(c.channels, c.latent_dim));
}

torch::Tensor SpectralEncoderImpl::forward(const torch::Tensor& wave) {
  // Frame k covers samples [(k + 1) * hop - n_fft, (k + 1) * hop): history only, zeros before the start.
  auto frames = F::pad(wave, F::PadFuncOptions({n_fft_ - hop_, 0})).unfold(1, n_fft_, hop_);
  auto spec = torch::fft::rfft(frames * periodic_hann(n_fft_, wave));
  auto magnitude = torch::abs(spec);
  // Log-magnitude for loudness-independent shape, plus the spectrum compressed to |X|^0.3 so phase is visible too.
  auto compressed = spec * torch::pow(magnitude + 1e-7, -0.7);
  auto features = torch::cat({torch::log(magnitude + 1e-5), torch::real(compressed), torch::imag(compressed)}, -1);
  auto h = blocks->forward(input(features).transpose(1, 2));
  return output(norm(h.transpose(1, 2))).transpose(1, 2);
}

SpectralDecoderImpl::SpectralDecoderImpl(const ModelConfig& c) : n_fft_(c.synthesis_fft), hop_(c.hop) {
  embed = register_module("embed", CausalConv1d(c.latent_dim, c.channels, c.kernel_size));
  blocks = register_module("blocks", make_blocks(c, c.decoder_blocks));
  norm = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({c.channels}).eps(1e-6)));
  head = register_module("head", torch::nn::Linear(c.channels, 2 * (n_fft_ / 2 + 1)));
}

torch::Tensor SpectralDecoderImpl::synthesis_frames(const torch::Tensor& latent) {
  auto h = blocks->forward(embed(latent));
  auto params = head(norm(h.transpose(1, 2)));  // [B, F, 2 * bins]
  auto parts = params.chunk(2, -1);
  auto magnitude = torch::exp(parts[0]).clamp_max(1e2);
  auto spec = torch::complex(magnitude * torch::cos(parts[1]), magnitude * torch::sin(parts[1]));
  return torch::fft::irfft(spec, n_fft_) * periodic_hann(n_fft_, latent);
}

torch::Tensor SpectralDecoderImpl::forward(const torch::Tensor& latent) {
  return causal_overlap_add(synthesis_frames(latent), hop_);
}

torch::Tensor causal_overlap_add(const torch::Tensor& frames, int hop) {
  const int64_t batch = frames.size(0), count = frames.size(1), overlap = frames.size(2) / hop;
  auto parts = frames.reshape({batch, count, overlap, hop});
  // Sub-block s of frame k lands on output block k + 1 - overlap + s.
  auto out = parts.select(2, overlap - 1).clone();
  for (int64_t s = 0; s < overlap - 1; ++s) {
    const int64_t shift = overlap - 1 - s;  // output block j takes sub-block s of frame j + shift
    if (shift >= count) continue;
    out.narrow(1, 0, count - shift).add_(parts.select(2, s).narrow(1, shift, count - shift));
  }
  return out.reshape({batch, count * hop});
}

}  // namespace nwave

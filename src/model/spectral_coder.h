// Family (b), spectral (Vocos / WavTokenizer style): a causal STFT front-end (a fixed strided convolution), causal
// ConvNeXt blocks at 125 frames/s, and an iSTFT head that predicts log-magnitude and phase and overlap-adds.
// Nearly all compute runs at frame rate, which is why it trains and runs faster than the waveform family.
#pragma once
#include "model/convnext_block.h"
#include "model/wave_coder.h"

namespace nwave {

class SpectralEncoderImpl : public WaveEncoder {
 public:
  explicit SpectralEncoderImpl(const ModelConfig& config);
  torch::Tensor forward(const torch::Tensor& wave) override;

 private:
  int n_fft_, hop_;
  torch::nn::Linear input{nullptr}, output{nullptr};
  torch::nn::Sequential blocks;
  torch::nn::LayerNorm norm{nullptr};
};

class SpectralDecoderImpl : public WaveDecoder {
 public:
  explicit SpectralDecoderImpl(const ModelConfig& config);
  torch::Tensor forward(const torch::Tensor& latent) override;
  // The head alone: frame features [B, F, C] -> windowed time-domain frames [B, F, synthesis_fft].
  torch::Tensor synthesis_frames(const torch::Tensor& latent);

 private:
  int n_fft_, hop_;
  CausalConv1d embed{nullptr};
  torch::nn::Sequential blocks;
  torch::nn::LayerNorm norm{nullptr};
  torch::nn::Linear head{nullptr};
};

// Overlap-add of windowed frames [B, F, W] (W a multiple of hop) where frame k covers output samples
// [(k + 1) * hop - W, (k + 1) * hop): frame k uses input up to (k + 1) * hop, so output block j is final once frame
// j + W / hop - 1 is known. Returns [B, F * hop]; the last W - hop samples lack the frames after the end.
torch::Tensor causal_overlap_add(const torch::Tensor& frames, int hop);

}  // namespace nwave

// The training objective of a codec: weighted spectral reconstruction losses plus the quantizer's losses.
#pragma once
#include <torch/torch.h>

#include "loss/spectral_losses.h"
#include "model/codec_model.h"

namespace nwave {

struct LossWeights {
  double mel = 1.0;            // multi-scale log-mel L1
  double stft = 1.0;           // multi-scale STFT, magnitude + log-magnitude
  double stft_original = 0.0;  // the original design's STFT loss (magnitude L1 at 256/512/1024)
  double phase = 0.0;          // phase-advance loss (spectral_losses.h) at 512/1024
  double commit = 0.1;
  double codebook = 1.0;       // only in vq_update = "loss" mode
  // Adversarial stage only (TrainOptions::adversarial): the generator's hinge loss and feature matching. Measured
  // from a fine-tuned default model (docs/QUALITY.md): 1.0 / 2.0 (HiFi-GAN's balance) left unseen-voice STOI at 0.781
  // after 1,000 steps, well below its start; 0.1 / 0.2 left it at 0.806 after 1,250, closer while the discriminators learned.
  double adversarial = 0.1;
  double feature_matching = 0.2;
};

struct Losses {
  torch::Tensor total, mel, stft, stft_original, phase, commit, codebook;
};

class CodecLoss {
 public:
  explicit CodecLoss(const LossWeights& weights);
  Losses operator()(const CodecForward& out, const torch::Tensor& reference) const;
  const MultiScaleMelLoss& mel() const { return mel_; }

 private:
  LossWeights weights_;
  MultiScaleMelLoss mel_;
  MultiScaleStftLoss stft_, original_;
  PhaseAdvanceLoss phase_;
};

}  // namespace nwave

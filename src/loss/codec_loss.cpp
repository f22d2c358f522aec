#include "loss/codec_loss.h"

namespace nwave {

CodecLoss::CodecLoss(const LossWeights& weights)
    : weights_(weights), stft_(MultiScaleStftLoss::improved()), original_(MultiScaleStftLoss::original()) {}

Losses CodecLoss::operator()(const CodecForward& out, const torch::Tensor& reference) const {
  // A zero-weight term is not computed at all, and the terms share their STFTs: each FFT size of the estimate and
  // of the reference is computed once per step (an STFT and its backward cost about as much as the model).
  Losses l;
  auto zero = torch::zeros({}, reference.options());
  Spectra estimate(out.audio), target(reference);
  l.mel = weights_.mel != 0.0 ? mel_(estimate, target) : zero;
  l.stft = weights_.stft != 0.0 ? stft_(estimate, target) : zero;
  l.stft_original = weights_.stft_original != 0.0 ? original_(estimate, target) : zero;
  l.phase = weights_.phase != 0.0 ? phase_(estimate, target) : zero;
  l.commit = out.rvq.commit_loss;
  l.codebook = out.rvq.codebook_loss;
  l.total = weights_.mel * l.mel + weights_.stft * l.stft + weights_.stft_original * l.stft_original + weights_.phase * l.phase +
            weights_.commit * l.commit + weights_.codebook * l.codebook;
  return l;
}

}  // namespace nwave

// Reconstruction losses in the spectral domain, where a codec's errors are heard.
//
// Every term reads STFTs (periodic Hann, hop n_fft / 4, centered), and the terms share FFT sizes: the mel loss's
// four scales are four of the STFT loss's five resolutions, the original design's loss uses three of them and the
// phase-advance loss two. A Spectra computes each FFT size of one signal once, so a training step pays for five
// STFTs of the estimate and five of the reference however many terms read them.
#pragma once
#include <torch/torch.h>

#include <map>
#include <vector>

namespace nwave {

// STFTs of one batch of waveforms [B, T] at any FFT size, each computed on first use and kept.
class Spectra {
 public:
  explicit Spectra(torch::Tensor wave) : wave_(std::move(wave)) {}
  const torch::Tensor& complex(int n_fft);    // [B, n_fft / 2 + 1, frames], hop n_fft / 4
  const torch::Tensor& magnitude(int n_fft);  // abs(complex(n_fft))

 private:
  torch::Tensor wave_;
  std::map<int, torch::Tensor> complex_, magnitude_;
};

// Multi-scale STFT loss: at each FFT size, magnitude_weight * L1(|X| - |Y|) + log_weight * L1(log|X| - log|Y|),
// averaged over sizes. The original design's loss is magnitude L1 only at n_fft 256/512/1024.
class MultiScaleStftLoss {
 public:
  MultiScaleStftLoss(std::vector<int> n_ffts, double magnitude_weight, double log_weight);
  static MultiScaleStftLoss original();  // the original design's loss
  static MultiScaleStftLoss improved();  // magnitude + log-magnitude at 5 sizes (128 ... 2048)
  torch::Tensor operator()(Spectra& estimate, Spectra& reference) const;
  torch::Tensor operator()(const torch::Tensor& estimate, const torch::Tensor& reference) const;

 private:
  std::vector<int> n_ffts_;
  double magnitude_weight_, log_weight_;
};

// Multi-scale mel loss: L1 between log10 mel spectrograms at several resolutions (DAC), averaged.
class MultiScaleMelLoss {
 public:
  struct Scale {
    int n_fft;
    int n_mels;
  };
  explicit MultiScaleMelLoss(std::vector<Scale> scales = {{256, 20}, {512, 40}, {1024, 80}, {2048, 128}},
                             int sample_rate = 16000);
  torch::Tensor operator()(Spectra& estimate, Spectra& reference) const;
  torch::Tensor operator()(const torch::Tensor& estimate, const torch::Tensor& reference) const;

 private:
  std::vector<Scale> scales_;
  int sample_rate_;
};

// Phase-advance loss: how far the estimate's phase advance from one STFT frame to the next (the instantaneous
// frequency) is from the reference's, bin by bin. Magnitude losses constrain phase only indirectly; a voice whose
// harmonics change phase at random from frame to frame sounds rough and shows as noise between the harmonics,
// although each frame's magnitude may be right. The distance between the two advances is the chord between their
// unit phasors, |e^{i a} - e^{i b}| = 2 |sin((a - b) / 2)|, which needs no phase unwrapping; bins are weighted by the
// reference's magnitude (geometric mean of the two frames) so that harmonics count and the noise floor does not.
// Averaged over FFT sizes; in [0, 2], about 1.3 for unrelated phases.
class PhaseAdvanceLoss {
 public:
  explicit PhaseAdvanceLoss(std::vector<int> n_ffts = {512, 1024});
  torch::Tensor operator()(Spectra& estimate, Spectra& reference) const;
  torch::Tensor operator()(const torch::Tensor& estimate, const torch::Tensor& reference) const;

 private:
  std::vector<int> n_ffts_;
};

}  // namespace nwave

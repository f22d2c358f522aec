// Reconstruction losses in the spectral domain, where a codec's errors are heard.
#pragma once
#include <torch/torch.h>

#include <vector>

namespace nwave {

struct StftResolution {
  int n_fft;
  int hop;
};

// Multi-scale STFT loss: at each resolution, magnitude_weight * L1(|X| - |Y|) + log_weight * L1(log|X| - log|Y|),
// averaged over resolutions. The original design's loss is magnitude L1 only at n_fft 256/512/1024, hop n_fft / 4.
class MultiScaleStftLoss {
 public:
  MultiScaleStftLoss(std::vector<StftResolution> resolutions, double magnitude_weight, double log_weight);
  static MultiScaleStftLoss original();  // the original design's loss
  static MultiScaleStftLoss improved();  // magnitude + log-magnitude at 5 resolutions (128 ... 2048)
  torch::Tensor operator()(const torch::Tensor& estimate, const torch::Tensor& reference) const;

 private:
  std::vector<StftResolution> resolutions_;
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
  torch::Tensor operator()(const torch::Tensor& estimate, const torch::Tensor& reference) const;

 private:
  std::vector<Scale> scales_;
  int sample_rate_;
};

}  // namespace nwave

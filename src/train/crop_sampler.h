// Training examples: random crops of in-memory clips, skipping crops that are silent, then augmented (random gain,
// and with AugmentOptions::standard() speed/pitch and equaliser changes: train/augmentation.h).
#pragma once
#include <torch/torch.h>

#include <random>
#include <vector>

#include "train/augmentation.h"

namespace nwave {

class CropSampler {
 public:
  // clips: 16 kHz mono; segment: samples per crop. Throws Error(kTraining) when there is no audio at all.
  CropSampler(std::vector<std::vector<float>> clips, int segment, const AugmentOptions& augment = AugmentOptions::none());

  // A batch [batch, segment]; all randomness comes from rng, so a step's batch depends only on the rng's seed.
  torch::Tensor batch(int batch_size, std::mt19937_64& rng) const;
  // Examples first .. first + count - 1 of that batch (one rank's slice in data-parallel training): the same
  // draws from rng, without preparing the other examples.
  torch::Tensor batch_slice(int batch_size, int first, int count, std::mt19937_64& rng) const;

  double total_seconds() const;

 private:
  std::vector<float> crop(int length, std::mt19937_64& rng) const;

  std::vector<std::vector<float>> clips_;
  std::vector<double> weights_;  // clips are drawn in proportion to their length
  int segment_;
  Augmenter augmenter_;
};

}  // namespace nwave

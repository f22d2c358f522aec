// The adversarial objectives (hinge losses, as EnCodec and SoundStream) and feature matching, each averaged over
// the discriminators so that adding one does not change the scale of the others.
#pragma once
#include <torch/torch.h>

#include <vector>

#include "adversarial/discriminators.h"

namespace nwave {

// Discriminator: mean(relu(1 - D(real))) + mean(relu(1 + D(fake))).
torch::Tensor discriminator_hinge_loss(const std::vector<Judgement>& real, const std::vector<Judgement>& fake);

// Generator: mean(relu(1 - D(fake))).
torch::Tensor generator_hinge_loss(const std::vector<Judgement>& fake);

// Feature matching (EnCodec): per layer, mean |f_fake - f_real| / mean |f_real|, averaged over layers and
// discriminators. The real activations are treated as constants.
torch::Tensor feature_matching_loss(const std::vector<Judgement>& real, const std::vector<Judgement>& fake);

}  // namespace nwave

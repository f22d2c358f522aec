#include "adversarial/adversarial_losses.h"

namespace nwave {

torch::Tensor discriminator_hinge_loss(const std::vector<Judgement>& real, const std::vector<Judgement>& fake) {
  auto total = torch::zeros({}, real.front().logits.options());
  for (size_t d = 0; d < real.size(); ++d)
    total = total + torch::relu(1.0 - real[d].logits).mean() + torch::relu(1.0 + fake[d].logits).mean();
  return total / static_cast<double>(real.size());
}

torch::Tensor generator_hinge_loss(const std::vector<Judgement>& fake) {
  auto total = torch::zeros({}, fake.front().logits.options());
  for (const auto& j : fake) total = total + torch::relu(1.0 - j.logits).mean();
  return total / static_cast<double>(fake.size());
}

torch::Tensor feature_matching_loss(const std::vector<Judgement>& real, const std::vector<Judgement>& fake) {
  auto total = torch::zeros({}, real.front().logits.options());
  for (size_t d = 0; d < real.size(); ++d) {
    auto per_layer = torch::zeros({}, total.options());
    for (size_t l = 0; l < real[d].features.size(); ++l) {
      const auto target = real[d].features[l].detach();
      per_layer = per_layer + (fake[d].features[l] - target).abs().mean() / (target.abs().mean() + 1e-8);
    }
    total = total + per_layer / static_cast<double>(real[d].features.size());
  }
  return total / static_cast<double>(real.size());
}

}  // namespace nwave

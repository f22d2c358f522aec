// The residual vector quantizer: learning codebooks (the original design's bug), coarse-to-fine refinement,
// quantizer dropout.
#include <gtest/gtest.h>

#include "quant/residual_vq.h"

namespace nwave {
namespace {

ModelConfig rvq_config(const std::string& update, int codebook_dim = 0) {
  ModelConfig c = ModelConfig::preset("tiny");
  c.latent_dim = 8;
  c.num_codebooks = 4;
  c.codebook_size = 16;
  c.vq_update = update;
  c.codebook_dim = codebook_dim;
  return c;
}

torch::Tensor clustered_latent(int64_t batch, int64_t frames, int64_t dim) {
  auto centers = torch::randn({5, dim}) * 2.0;
  auto pick = torch::randint(5, {batch * frames}, torch::kLong);
  auto rows = centers.index_select(0, pick) + 0.3 * torch::randn({batch * frames, dim});
  return rows.reshape({batch, frames, dim}).transpose(1, 2).contiguous();
}

class BothUpdates : public ::testing::TestWithParam<std::string> {};

TEST_P(BothUpdates, CodebooksChangeDuringTraining) {
  torch::manual_seed(1);
  const auto config = rvq_config(GetParam());
  ResidualVQ rvq(config);
  rvq->train();
  auto encoder_stand_in = torch::nn::Linear(config.latent_dim, config.latent_dim);
  std::vector<torch::Tensor> params = encoder_stand_in->parameters();
  for (auto& p : rvq->parameters()) params.push_back(p);
  torch::optim::Adam optimizer(params, 1e-2);
  auto all = torch::full({4}, config.num_codebooks, torch::kLong);
  auto step = [&] {
    auto latent = encoder_stand_in(clustered_latent(4, 32, config.latent_dim).transpose(1, 2)).transpose(1, 2);
    auto out = rvq->forward(latent, all);
    auto loss = (out.quantized - latent.detach()).pow(2).mean() + out.commit_loss + out.codebook_loss;
    optimizer.zero_grad();
    loss.backward();
    optimizer.step();
  };
  step();  // k-means initialisation happens here
  std::vector<torch::Tensor> before;
  for (auto& layer : rvq->layers) before.push_back(layer->codebook.clone());
  for (int i = 0; i < 20; ++i) step();
  for (size_t i = 0; i < before.size(); ++i)
    EXPECT_GT((rvq->layers[i]->codebook - before[i]).abs().max().item<double>(), 1e-4) << "codebook " << i << " never learned";
}

TEST_P(BothUpdates, ErrorDoesNotGrowAsCodebooksAreAdded) {
  torch::manual_seed(2);
  const auto config = rvq_config(GetParam());
  ResidualVQ rvq(config);
  rvq->train();
  auto latent = clustered_latent(8, 64, config.latent_dim);
  for (int i = 0; i < 10; ++i) rvq->forward(latent, torch::full({8}, config.num_codebooks, torch::kLong));
  rvq->eval();
  double previous = latent.pow(2).mean().item<double>();
  for (int n = 1; n <= config.num_codebooks; ++n) {
    auto error = (rvq->decode(rvq->encode(latent, n)) - latent).pow(2).mean().item<double>();
    EXPECT_LE(error, previous * 1.0001) << n << " codebooks";
    previous = error;
  }
  EXPECT_LT(previous, 0.5 * latent.pow(2).mean().item<double>());
}

INSTANTIATE_TEST_SUITE_P(Updates, BothUpdates, ::testing::Values("ema", "loss"));

TEST(QuantizerDropout, EachExampleUsesItsOwnNumberOfCodebooks) {
  torch::manual_seed(3);
  const auto config = rvq_config("ema");
  ResidualVQ rvq(config);
  rvq->train();
  auto latent = clustered_latent(3, 16, config.latent_dim);
  rvq->forward(latent, torch::full({3}, config.num_codebooks, torch::kLong));  // initialise
  rvq->eval();
  auto active = torch::tensor({1, 2, 4}, torch::kLong);
  auto out = rvq->forward(latent, active);
  for (int b = 0; b < 3; ++b) {
    const int n = static_cast<int>(active[b].item<int64_t>());
    auto expected = rvq->decode(rvq->encode(latent.narrow(0, b, 1), n));
    EXPECT_TRUE(torch::allclose(out.quantized.narrow(0, b, 1), expected, 1e-5, 1e-5)) << "example " << b;
  }
  auto one = rvq->decode(rvq->encode(latent.narrow(0, 2, 1), 1));
  EXPECT_FALSE(torch::allclose(out.quantized.narrow(0, 2, 1), one, 1e-5, 1e-5));
}

TEST(FactorizedCodes, LookUpInALowDimensionalSpaceAndLearn) {
  torch::manual_seed(4);
  const auto config = rvq_config("loss", 4);
  ResidualVQ rvq(config);
  rvq->train();
  auto latent = clustered_latent(2, 16, config.latent_dim).requires_grad_(true);
  auto out = rvq->forward(latent, torch::full({2}, config.num_codebooks, torch::kLong));
  EXPECT_EQ(rvq->layers[0]->codebook.size(1), 4);
  (out.quantized.pow(2).mean() + out.commit_loss + out.codebook_loss).backward();
  ASSERT_TRUE(latent.grad().defined());
  EXPECT_GT(latent.grad().abs().sum().item<double>(), 0.0);
  EXPECT_GT(rvq->layers[0]->codebook.grad().abs().sum().item<double>(), 0.0);
}

}  // namespace
}  // namespace nwave

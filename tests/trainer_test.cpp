// The trainer on synthetic audio: the loss falls, outputs appear, and --resume replays the uninterrupted run.
#include <gtest/gtest.h>

#include "nwave/audio.h"
#include "nwave/error.h"
#include "test_util.h"
#include "train/trainer.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

namespace nwave {
namespace {

class TrainerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new test::TempDir("trainer_data");
    for (uint32_t seed = 1; seed <= 7; ++seed)
      write_wav16(data_->file("clip" + std::to_string(seed) + ".wav"), test::speechlike(16000 * 2, 16000, seed), 16000);
  }
  static void TearDownTestSuite() {
    delete data_;
    data_ = nullptr;
  }

  static TrainOptions tiny_options(const std::string& out, int64_t steps) {
    TrainOptions o;
    o.data_dirs = {data_->path()};
    o.out_dir = out;
    o.model = ModelConfig::preset("tiny");
    o.steps = steps;
    o.batch = 4;
    o.segment = 8192;
    o.log_every = 1;
    o.checkpoint_every = 1000;
    o.validate_every = 1000;
    o.threads = 1;
    o.quiet = true;
    return o;
  }

  static std::vector<nlohmann::json> rows(const std::string& out) {
    std::vector<nlohmann::json> result;
    std::ifstream in(out + "/metrics.jsonl");
    for (std::string line; std::getline(in, line);) result.push_back(nlohmann::json::parse(line));
    return result;
  }

  static test::TempDir* data_;
};

test::TempDir* TrainerTest::data_ = nullptr;

TEST_F(TrainerTest, LossFallsAndOutputsAppear) {
  test::TempDir run("trainer_run");
  auto options = tiny_options(run.path(), 60);
  const auto result = train(options);
  EXPECT_EQ(result.steps_done, 60);
  EXPECT_TRUE(std::filesystem::exists(run.file("model.safetensors")));
  EXPECT_TRUE(std::filesystem::exists(run.file("checkpoint.safetensors")));
  auto logged = rows(run.path());
  ASSERT_EQ(logged.size(), 60u);
  const size_t quarter = logged.size() / 4;
  double first = 0.0, last = 0.0;
  for (size_t i = 0; i < quarter; ++i) {
    first += logged[i]["loss"].get<double>();
    last += logged[logged.size() - 1 - i]["loss"].get<double>();
  }
  EXPECT_LT(last, 0.9 * first) << "first quarter " << first / quarter << ", last quarter " << last / quarter;
  EXPECT_TRUE(logged.back().contains("val_mel_3.00kbps")) << logged.back().dump();
  EXPECT_EQ(logged.back()["perplexity"].size(), 4u);
}

TEST_F(TrainerTest, ResumeReproducesTheUninterruptedLossSequence) {
  test::TempDir straight("trainer_straight"), interrupted("trainer_interrupted");
  train(tiny_options(straight.path(), 16));
  train(tiny_options(interrupted.path(), 8));
  auto resumed = tiny_options(interrupted.path(), 16);
  resumed.resume = true;
  EXPECT_EQ(train(resumed).steps_done, 16);
  auto a = rows(straight.path()), b = rows(interrupted.path());
  ASSERT_EQ(a.size(), 16u);
  ASSERT_EQ(b.size(), 16u);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i]["step"], b[i]["step"]);
    EXPECT_EQ(a[i]["loss"].get<double>(), b[i]["loss"].get<double>()) << "step " << a[i]["step"];
  }
}

// A small adversarial stage: two STFT and two period discriminators, judging half of each example.
static TrainOptions adversarial(TrainOptions o) {
  o.adversarial = true;
  o.discriminators.stft_ffts = {256, 512};
  o.discriminators.stft_channels = 4;
  o.discriminators.periods = {2, 3};
  o.discriminators.period_channels = {4, 8};
  o.adversarial_segment = 4096;
  o.augment = AugmentOptions::standard();
  return o;
}

TEST_F(TrainerTest, AdversarialResumeReproducesTheUninterruptedRunWithItsDiscriminators) {
  test::TempDir straight("trainer_adv_straight"), interrupted("trainer_adv_interrupted");
  train(adversarial(tiny_options(straight.path(), 10)));
  train(adversarial(tiny_options(interrupted.path(), 5)));
  auto resumed = tiny_options(interrupted.path(), 10);
  resumed.resume = true;
  EXPECT_THROW(train(resumed), Error);  // an adversarial checkpoint is not silently resumed without its stage
  resumed = adversarial(resumed);
  resumed.discriminators = DiscriminatorConfig{};  // ignored: the discriminators come from the checkpoint
  EXPECT_EQ(train(resumed).steps_done, 10);
  auto a = rows(straight.path()), b = rows(interrupted.path());
  ASSERT_EQ(a.size(), 10u);
  ASSERT_EQ(b.size(), 10u);
  for (size_t i = 0; i < a.size(); ++i) {
    ASSERT_TRUE(a[i].contains("adv") && a[i].contains("fm") && a[i].contains("disc")) << a[i].dump();
    EXPECT_EQ(a[i]["loss"].get<double>(), b[i]["loss"].get<double>()) << "step " << a[i]["step"];
    EXPECT_EQ(a[i]["disc"].get<double>(), b[i]["disc"].get<double>()) << "step " << a[i]["step"];
  }
}

TEST_F(TrainerTest, RejectsEmptyDataAndBadOptions) {
  test::TempDir empty("trainer_empty"), run("trainer_bad");
  auto options = tiny_options(run.path(), 5);
  options.data_dirs = {empty.path()};
  EXPECT_THROW(train(options), Error);
  options = tiny_options(run.path(), 5);
  options.segment = 1000;  // not a multiple of the hop
  EXPECT_THROW(train(options), Error);
}

}  // namespace
}  // namespace nwave

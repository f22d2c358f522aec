// Data-parallel training over loopback (Gloo): 2 ranks with batch B reproduce one process with batch 2B (the first
// logged losses within 1e-3 relative, the trained parameters), also in the adversarial stage; a resumed 2-rank run
// replays the uninterrupted one; a rank killed mid-run makes the other stop with an error instead of hanging.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include "model/model_io.h"
#include "nwave/audio.h"
#include "test_util.h"
#include "training_runs.h"

namespace nwave {
namespace {

class DistributedTraining : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_ = new test::TempDir("distributed_data");
    for (uint32_t seed = 1; seed <= 4; ++seed)
      write_wav16(data_->file("clip" + std::to_string(seed) + ".wav"), test::speechlike(16000, 16000, seed), 16000);
  }
  static void TearDownTestSuite() {
    delete data_;
    data_ = nullptr;
  }

  static std::vector<std::string> train_args(const std::string& out, int steps, int batch, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"train", "--data", data_->path(), "--out", out, "--preset", "tiny",
                                     "--steps", std::to_string(steps), "--batch", std::to_string(batch),
                                     "--segment", "4096", "--log-every", "1", "--val-every", "1000",
                                     "--threads", "1", "--quiet", "--dist-timeout", "60"};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
  }

  // Runs one process to the end; fails the test unless it exits 0.
  static void run_alone(const std::vector<std::string>& args, const std::string& log) {
    int status = 0;
    const pid_t pid = test::spawn(args, log);
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << test::slurp(log);
  }

  // Starts `ranks` processes as torchrun would (WORLD_SIZE, RANK, LOCAL_RANK, MASTER_ADDR, MASTER_PORT).
  static std::vector<pid_t> spawn_ranks(int ranks, const std::vector<std::string>& args, const std::string& log) {
    const std::string port = std::to_string(test::free_port());
    std::vector<pid_t> pids;
    for (int r = 0; r < ranks; ++r)
      pids.push_back(test::spawn(args, log, {{"WORLD_SIZE", std::to_string(ranks)}, {"RANK", std::to_string(r)},
                                             {"LOCAL_RANK", std::to_string(r)}, {"MASTER_ADDR", "127.0.0.1"}, {"MASTER_PORT", port}}));
    return pids;
  }

  static void run_ranks(int ranks, const std::vector<std::string>& args, const std::string& log) {
    for (pid_t pid : spawn_ranks(ranks, args, log)) {
      int status = 0;
      ASSERT_EQ(waitpid(pid, &status, 0), pid);
      ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << test::slurp(log);
    }
  }

  // The first logged losses: EMA codebooks amplify rounding differences step by step, so only the first few
  // steps of two differently summed runs agree to 1e-3 (the bar); `tolerance` 0 asks for equality.
  static void expect_same_losses(const std::string& expected_run, const std::string& run, const std::vector<std::string>& keys,
                                 size_t steps, double tolerance) {
    const auto expected = test::metrics(expected_run), got = test::metrics(run);
    ASSERT_GE(got.size(), steps);
    ASSERT_GE(expected.size(), steps);
    for (size_t i = 0; i < steps; ++i) {
      EXPECT_EQ(got[i]["step"], expected[i]["step"]);
      for (const auto& key : keys) {
        const double a = expected[i][key].get<double>(), b = got[i][key].get<double>();
        EXPECT_NEAR(b, a, tolerance * std::abs(a)) << key << " at step " << expected[i]["step"];
      }
    }
  }

  // The trained parameters (EMA codebooks are buffers, checked through the losses). Adam moves a weight whose
  // gradient is mostly rounding noise by up to the learning rate either way, so the bound is absolute. That the
  // ranks end bit-identical is checked by the trainer itself (a mismatch is an error and a non-zero exit).
  static void expect_same_weights(const std::string& one_process, const std::string& ranks) {
    const auto a = load_model(one_process + "/model.safetensors"), b = load_model(ranks + "/model.safetensors");
    auto pa = a.model->named_parameters(), pb = b.model->named_parameters();
    ASSERT_EQ(pa.size(), pb.size());
    for (const auto& item : pa) {
      const auto& other = pb[item.key()];
      EXPECT_TRUE(torch::allclose(item.value(), other, 0.0, 1e-3)) << item.key() << ": max difference "
                                                                      << (item.value() - other).abs().max().item<double>();
    }
  }

  static test::TempDir* data_;
};

test::TempDir* DistributedTraining::data_ = nullptr;

TEST_F(DistributedTraining, TwoRanksReproduceOneProcessWithTheDoubledBatch) {
  test::TempDir one("dist_one"), two("dist_two");
  run_alone(train_args(one.path(), 3, 4), one.file("log"));
  run_ranks(2, train_args(two.path(), 3, 2), two.file("log"));
  expect_same_losses(one.path(), two.path(), {"loss", "mel", "stft"}, 3, 1e-3);
  expect_same_weights(one.path(), two.path());
}

// A 2-rank run stopped at step 3 and resumed by a second 2-rank launch replays the uninterrupted 2-rank run.
TEST_F(DistributedTraining, ResumeReplaysTheUninterruptedRun) {
  test::TempDir straight("dist_straight"), resumed("dist_resumed");
  run_ranks(2, train_args(straight.path(), 6, 2), straight.file("log"));
  run_ranks(2, train_args(resumed.path(), 3, 2, {"--resume"}), resumed.file("log"));
  run_ranks(2, train_args(resumed.path(), 6, 2, {"--resume"}), resumed.file("log"));
  ASSERT_EQ(test::metrics(resumed.path()).size(), 6u);
  expect_same_losses(straight.path(), resumed.path(), {"loss", "mel", "stft", "commit"}, 6, 0.0);
}

TEST_F(DistributedTraining, AdversarialStageReproducesOneProcess) {
  test::TempDir one("dist_adv_one"), two("dist_adv_two");
  const std::vector<std::string> adversarial = {"--adversarial", "--disc-stft", "256", "--disc-stft-channels", "4",
                                                "--disc-periods", "2", "3", "--disc-period-channels", "4", "8",
                                                "--adv-segment", "2048"};
  run_alone(train_args(one.path(), 3, 4, adversarial), one.file("log"));
  run_ranks(2, train_args(two.path(), 3, 2, adversarial), two.file("log"));
  expect_same_losses(one.path(), two.path(), {"loss", "mel", "adv", "fm", "disc"}, 3, 1e-3);
  expect_same_weights(one.path(), two.path());
}

TEST_F(DistributedTraining, AKilledRankMakesTheOtherStopWithAnError) {
  test::TempDir two("dist_kill");
  const std::string log = two.file("log");
  auto pids = spawn_ranks(2, train_args(two.path(), 100000, 2), log);
  // Once training runs (rank 0 has logged a step), rank 1 dies.
  const auto began = std::chrono::steady_clock::now();
  while (test::metrics(two.path(), /*torn_tail_ok=*/true).empty() && std::chrono::steady_clock::now() - began < std::chrono::seconds(60))
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_EQ(kill(pids[1], SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(pids[1], &status, 0), pids[1]);
  status = test::wait_for(pids[0], 50.0);  // within --dist-timeout 60 at the latest; a lost peer is seen at once
  if (status == -1) {
    kill(pids[0], SIGKILL);
    waitpid(pids[0], &status, 0);
    FAIL() << "rank 0 hangs after rank 1 died: " << test::slurp(log);
  }
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) != 0) << test::slurp(log);
  EXPECT_NE(test::slurp(log).find("rank 0 lost the other ranks"), std::string::npos) << test::slurp(log);
}

}  // namespace
}  // namespace nwave

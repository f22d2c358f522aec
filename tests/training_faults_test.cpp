// Training survives faults (issue 6): non-finite losses are skipped and, 20 in a row, stop the run with a clear
// error; `kill -9` at any moment (including during a checkpoint write) leaves the last good checkpoint loadable and
// `--resume` finishes from it; a full disk or an unwritable output directory gives one clear error line.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/safetensors.h"
#include "model/model_io.h"
#include "nwave/audio.h"
#include "nwave/error.h"
#include "test_util.h"
#include "training_runs.h"
#include "train/trainer.h"

namespace nwave {
namespace {

using test::metrics;
using test::slurp;
using test::spawn;
using test::wait_for;

// A float WAV whose samples are finite but so large that every loss overflows to Inf/NaN.
void write_huge_float_wav(const std::string& path, size_t n) {
  auto le = [](uint64_t v, int k) {
    std::string s(k, '\0');
    for (int i = 0; i < k; ++i) s[i] = static_cast<char>(v >> (8 * i));
    return s;
  };
  std::string data;
  for (size_t i = 0; i < n; ++i) {
    const float v = (i % 2 ? 3e38f : -3e38f) * static_cast<float>(std::sin(0.01 * i) * 0.5 + 0.5);
    data.append(reinterpret_cast<const char*>(&v), 4);
  }
  const std::string fmt = le(3, 2) + le(1, 2) + le(16000, 4) + le(64000, 4) + le(4, 2) + le(32, 2);
  const std::string body = "WAVEfmt " + le(fmt.size(), 4) + fmt + "data" + le(data.size(), 4) + data;
  std::ofstream(path, std::ios::binary) << "RIFF" << le(body.size(), 4) << body;
}

TrainOptions tiny(const std::string& data, const std::string& out, int64_t steps) {
  TrainOptions o;
  o.data_dirs = {data};
  o.out_dir = out;
  o.model = ModelConfig::preset("tiny");
  o.steps = steps;
  o.batch = 2;
  o.segment = 4096;
  o.log_every = 1;
  o.checkpoint_every = 1;
  o.validate_every = 1000;
  o.threads = 1;
  o.quiet = true;
  return o;
}

TEST(TrainingFaults, OverflowingDataIsTamedByTheSampler) {
  // Samples near FLT_MAX are finite, so read_audio accepts them; the crop sampler's peak normalisation keeps the
  // loss finite: no step is skipped.
  test::TempDir dir("overflow");
  const std::string data = dir.file("data");
  std::filesystem::create_directories(data);
  for (int i = 0; i < 2; ++i) write_huge_float_wav(data + "/huge" + std::to_string(i) + ".wav", 16000);
  TrainOptions o = tiny(data, dir.file("out"), 5);
  o.checkpoint_every = 1000;
  EXPECT_EQ(train(o).steps_done, 5);
  for (const auto& row : metrics(o.out_dir)) EXPECT_FALSE(row.contains("skipped")) << row.dump();
}

TEST(TrainingFaults, DivergingTrainingIsSkippedThenStoppedWithAClearError) {
  // A learning rate of 1e30 wrecks the weights at the first step; every later loss is non-finite: each of those
  // steps is skipped (logged with "skipped"), and the 20th in a row stops the run with kTraining.
  test::TempDir dir("nonfinite");
  const std::string data = dir.file("data");
  std::filesystem::create_directories(data);
  for (uint32_t i = 0; i < 2; ++i)
    write_wav16(data + "/clip" + std::to_string(i) + ".wav", test::speechlike(16000, 16000, i + 1), 16000);
  TrainOptions o = tiny(data, dir.file("out"), 100);
  o.checkpoint_every = 1000;
  o.learning_rate = 1e30;
  o.warmup_steps = 0;
  try {
    train(o);
    FAIL() << "diverging training should stop";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kTraining);
    EXPECT_NE(std::string(e.what()).find("non-finite 20 steps in a row"), std::string::npos) << e.what();
  }
  int skipped = 0;
  for (const auto& row : metrics(o.out_dir))
    if (row.value("skipped", "") == "non-finite loss") {
      EXPECT_TRUE(row["loss"].is_null());
      ++skipped;
    }
  EXPECT_GE(skipped, 19);  // the 20th in a row throws before it is logged
}

TEST(TrainingFaults, InjectedNonFiniteLossesAreSkippedAndTrainingGoesOn) {
  test::TempDir dir("nonfinite_inject");
  const std::string data = dir.file("data");
  std::filesystem::create_directories(data);
  for (uint32_t i = 0; i < 3; ++i)
    write_wav16(data + "/clip" + std::to_string(i) + ".wav", test::speechlike(16000, 16000, i + 1), 16000);
  TrainOptions o = tiny(data, dir.file("out"), 30);
  o.checkpoint_every = 1000;
  // 19 bad steps in a row (one short of the limit), then a good one resets the count, then 5 more bad ones.
  o.inject_non_finite_loss = [](int64_t step) { return (step >= 3 && step < 22) || (step >= 24 && step < 29); };
  const TrainResult r = train(o);
  EXPECT_EQ(r.steps_done, 30);
  int skipped = 0, trained = 0;
  for (const auto& row : metrics(o.out_dir)) {
    if (row.contains("skipped")) ++skipped;
    else if (row["loss"].is_number() && std::isfinite(row["loss"].get<double>())) ++trained;
  }
  EXPECT_EQ(skipped, 24);
  EXPECT_EQ(trained, 6);
  const LoadedModel m = load_model(o.out_dir + "/model.safetensors");
  for (const auto& p : m.model->parameters()) ASSERT_TRUE(torch::isfinite(p).all().item<bool>());
}

TEST(TrainingFaults, KillMinus9AtRandomMomentsThenResumeFinishes) {
  test::TempDir dir("kill9");
  const std::string data = dir.file("data"), out = dir.file("out"), log = dir.file("train.log");
  std::filesystem::create_directories(data);
  for (uint32_t i = 0; i < 4; ++i)
    write_wav16(data + "/clip" + std::to_string(i) + ".wav", test::speechlike(12000, 16000, i + 1), 16000);
  const int64_t steps = 60;
  const std::vector<std::string> args = {"train", "--data", data, "--out", out, "--preset", "tiny",
                                         "--steps", std::to_string(steps), "--batch", "2", "--segment", "4096",
                                         "--checkpoint-every", "1", "--log-every", "1", "--threads", "1",
                                         "--quiet", "--resume"};
  const std::string checkpoint = out + "/checkpoint.safetensors";
  std::mt19937 rng(42);
  int kills = 0, last_step = -1;
  for (int attempt = 0; attempt < 6 && kills < 4; ++attempt) {
    const pid_t pid = spawn(args, log);
    ASSERT_GT(pid, 0);
    // Wait until it has checkpointed at least once in this life (or a time limit), then a random delay more, so
    // kills land during steps and during checkpoint writes alike.
    const auto start = std::chrono::steady_clock::now();
    const auto first_mtime = std::filesystem::exists(checkpoint) ? std::filesystem::last_write_time(checkpoint)
                                                                  : std::filesystem::file_time_type::min();
    int status = -1;
    while (std::chrono::steady_clock::now() - start < std::chrono::seconds(60)) {
      status = wait_for(pid, 0.02);
      if (status != -1) break;
      if (std::filesystem::exists(checkpoint) && std::filesystem::last_write_time(checkpoint) != first_mtime) break;
    }
    if (status == -1) status = wait_for(pid, std::uniform_real_distribution<double>(0.0, 0.4)(rng));
    if (status != -1) {  // finished before we could kill it: nothing more to test in this life
      ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << slurp(log);
      break;
    }
    ASSERT_EQ(kill(pid, SIGKILL), 0);
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    if (WIFEXITED(status)) {  // it finished in the instant between the last wait and the kill
      ASSERT_EQ(WEXITSTATUS(status), 0) << slurp(log);
      break;
    }
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    ++kills;
    // Whatever the moment, the checkpoint at the path is complete and loadable, and never goes backwards.
    ASSERT_TRUE(std::filesystem::exists(checkpoint)) << "kill " << kills;
    SafetensorsFile file;
    ASSERT_NO_THROW(file = load_safetensors(checkpoint)) << "kill " << kills;
    ASSERT_TRUE(file.metadata.count("step")) << "kill " << kills;
    if (std::filesystem::exists(out + "/model.safetensors"))
      ASSERT_NO_THROW(load_model(out + "/model.safetensors")) << "kill " << kills;
    const auto rows = metrics(out, /*torn_tail_ok=*/true);
    if (!rows.empty()) {
      EXPECT_GE(rows.back()["step"].get<int>(), last_step);
      last_step = rows.back()["step"].get<int>();
    }
  }
  EXPECT_GE(kills, 2) << "the run finished too fast to be killed: " << slurp(log);
  // --resume continues from the last good checkpoint to the end.
  const pid_t pid = spawn(args, log);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << slurp(log);
  const auto rows = metrics(out);
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows.back()["step"].get<int64_t>(), steps);
  for (size_t i = 1; i < rows.size(); ++i)  // resumed runs drop rows past the checkpoint: steps strictly increase
    EXPECT_GT(rows[i]["step"].get<int64_t>(), rows[i - 1]["step"].get<int64_t>());
  EXPECT_NO_THROW(load_model(out + "/model.safetensors"));
  EXPECT_FALSE(std::filesystem::exists(checkpoint + ".tmp"));
}

// Runs a shell command, returns its exit status.
int sh(const std::string& cmd) {
  const int status = std::system(cmd.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST(TrainingFaults, FullDiskOrUnwritableOutputIsOneClearError) {
  test::TempDir dir("diskfull");
  const std::string data = dir.file("data");
  std::filesystem::create_directories(data);
  for (uint32_t i = 0; i < 2; ++i)
    write_wav16(data + "/clip" + std::to_string(i) + ".wav", test::speechlike(12000, 16000, i + 1), 16000);
  const std::string base = std::string("env OMP_NUM_THREADS=1 '") + NWAVE_BINARY + "' train --data '" + data +
                           "' --preset tiny --steps 3 --batch 2 --segment 4096 --checkpoint-every 1 --quiet --out ";
  // Unwritable output directory: under /proc, and a path that is a file.
  for (const std::string& out : {std::string("/proc/nwave_no_such_dir"), dir.file("data/clip0.wav")}) {
    const std::string err = dir.file("err.txt");
    EXPECT_EQ(sh(base + "'" + out + "' 2>'" + err + "'"), 1) << out;
    const std::string text = slurp(err);
    EXPECT_EQ(text.rfind("nwave: error: ", 0), 0u) << text;
    EXPECT_EQ(text.find('\n'), text.size() - 1) << text;
  }
  // A full disk: a tiny tmpfs, where a mount is allowed (root); the checkpoint cannot fit.
  const std::string mnt = dir.file("tiny_fs");
  std::filesystem::create_directories(mnt);
  if (geteuid() != 0 || sh("mount -t tmpfs -o size=64k nwave_test_tmpfs '" + mnt + "' 2>/dev/null") != 0)
    GTEST_SKIP() << "cannot mount a tmpfs here: the full-disk case is covered by /dev/full in robustness_test";
  const std::string err = dir.file("err.txt");
  const int code = sh(base + "'" + mnt + "/out' 2>'" + err + "'");
  const std::string text = slurp(err);
  const bool no_checkpoint = !std::filesystem::exists(mnt + "/out/checkpoint.safetensors");
  const bool no_tmp = !std::filesystem::exists(mnt + "/out/checkpoint.safetensors.tmp");
  sh("umount '" + mnt + "'");
  EXPECT_EQ(code, 1) << text;
  EXPECT_EQ(text.rfind("nwave: error: ", 0), 0u) << text;
  EXPECT_EQ(text.find('\n'), text.size() - 1) << text;
  EXPECT_NE(text.find("No space left on device"), std::string::npos) << text;
  EXPECT_TRUE(no_checkpoint);
  EXPECT_TRUE(no_tmp);
}

}  // namespace
}  // namespace nwave

// `nwave train`: trains a codec model on folders of audio, with validation on fixed held-out files, metrics in
// OUT/metrics.jsonl, weights in OUT/model.safetensors, and atomic checkpoints that make --resume exact.
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "adversarial/discriminators.h"
#include "loss/codec_loss.h"
#include "model/model_config.h"
#include "train/augmentation.h"
#include "train/distributed/launch_environment.h"

namespace nwave {

struct TrainOptions {
  std::vector<std::string> data_dirs;
  std::vector<std::string> validation_dirs;  // empty: hold out every 10th file of the data (whole files)
  std::string out_dir;
  ModelConfig model = ModelConfig::preset("default");
  int64_t steps = 10000;
  int batch = 8;
  int segment = 16000;
  AugmentOptions augment = AugmentOptions::none();
  // Adversarial stage: discriminators judge decoded against real audio (adversarial/discriminators.h); the codec is
  // trained on the reconstruction losses plus weights.adversarial * hinge + weights.feature_matching * matching.
  // Meant to start from a reconstruction-trained model (init_from). The discriminators and their optimizer are in
  // the checkpoint, so --resume stays exact.
  bool adversarial = false;
  DiscriminatorConfig discriminators;
  double discriminator_lr = 2e-4;
  int adversarial_segment = 4096;  // samples of each example the discriminators judge (a random stretch); 0: all
  bool resume = false;
  std::string init_from;  // a model file to start from (its config and weights; a fresh optimizer): fine-tuning
  std::string device = "cpu";
  int threads = 0;  // 0: LibTorch's default
  // Data-parallel training (docs/TRAINING.md): this process's place in the job, usually from torchrun's variables
  // (LaunchEnvironment::from_environment). `batch` is per rank: N ranks with batch B train on exactly the global
  // batches of one process with batch N*B. Rank 0 alone writes metrics, checkpoints and the model.
  LaunchEnvironment launch;
  int collective_timeout_s = 1800;  // how long a rank waits for the others (rank 0 validates meanwhile) before it gives up
  uint64_t seed = 1;
  double learning_rate = 3e-4;
  int warmup_steps = 20;
  double lr_decay = 0.99999;  // per step after warmup: a schedule that does not depend on --steps, so runs extend
  double grad_clip = 10.0;
  double quantizer_dropout = 0.5;  // probability that an example uses a random number of codebooks
  LossWeights weights;
  int log_every = 10;
  int validate_every = 500;
  int checkpoint_every = 200;
  // Cap on validation audio so a check stays quick, shared evenly by the groups of the validation folders (their
  // first folder level: e.g. prompts, unseen, music), each logged on its own as val_mel_<kbps>kbps_<group>.
  int max_validation_seconds = 300;
  bool quiet = false;
  // Fault injection for tests: when set and it returns true for a step, that step's loss is treated as NaN (the
  // step is skipped exactly as a real non-finite loss would be). Not reachable from the command line.
  std::function<bool(int64_t step)> inject_non_finite_loss;
};

struct TrainResult {
  int64_t steps_done = 0;
  bool interrupted = false;
  double last_loss = 0.0;
};

// Set from a signal handler to stop at the end of the current step; the trainer then saves and returns.
std::atomic<bool>& training_stop_flag();

// Throws nwave::Error on bad options, unreadable data, or an unusable checkpoint.
TrainResult train(const TrainOptions& options);

}  // namespace nwave

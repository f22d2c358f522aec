#include "commands.h"
#include "nwave/error.h"
#include "train/trainer.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>

namespace nwave::cli {

namespace {

extern "C" void request_stop(int) { training_stop_flag().store(true); }

}  // namespace

void add_train_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("train", "Train a codec model on folders of audio (Ctrl-C saves a checkpoint and stops)");
  auto options = std::make_shared<TrainOptions>();
  auto preset = std::make_shared<std::string>("default");
  cmd->add_option("--data", options->data_dirs, "Folder of audio files (searched recursively); repeat for more")->required();
  cmd->add_option("--val", options->validation_dirs, "Folder of validation audio; default: every 10th data file, held out");
  cmd->add_option("--out", options->out_dir, "Output folder: metrics.jsonl, model.safetensors, checkpoint.safetensors")->required();
  cmd->add_option("--preset", *preset, "Model preset")->check(CLI::IsMember(ModelConfig::preset_names()))->capture_default_str();
  cmd->add_option("--steps", options->steps, "Total optimizer steps (a resumed run continues up to this)")->capture_default_str();
  cmd->add_option("--batch", options->batch, "Examples per step")->check(CLI::Range(1, 4096))->capture_default_str();
  cmd->add_option("--segment", options->segment, "Samples per example (a multiple of 128)")->capture_default_str();
  cmd->add_flag("--resume", options->resume, "Continue exactly from OUT/checkpoint.safetensors");
  cmd->add_option("--init", options->init_from, "Start from this model's weights and config (fine-tuning; fresh optimizer)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--device", options->device, "cpu or cuda")->check(CLI::IsMember({"cpu", "cuda"}))->capture_default_str();
  cmd->add_option("--threads", options->threads, "CPU threads (0: all cores)")->check(CLI::Range(0, 1024))->capture_default_str();
  cmd->add_option("--seed", options->seed, "Random seed")->capture_default_str();
  cmd->add_option("--lr", options->learning_rate, "Peak learning rate (AdamW)")->capture_default_str();
  cmd->add_option("--lr-decay", options->lr_decay, "Learning-rate decay per step after warm-up")->capture_default_str();
  cmd->add_option("--warmup", options->warmup_steps, "Warm-up steps")->capture_default_str();
  cmd->add_option("--grad-clip", options->grad_clip, "Gradient-norm clipping")->capture_default_str();
  cmd->add_option("--quantizer-dropout", options->quantizer_dropout, "Probability of a random number of codebooks per example")
      ->check(CLI::Range(0.0, 1.0))->capture_default_str();
  cmd->add_option("--w-mel", options->weights.mel, "Weight of the multi-scale mel loss")->capture_default_str();
  cmd->add_option("--w-stft", options->weights.stft, "Weight of the multi-scale STFT loss")->capture_default_str();
  cmd->add_option("--w-stft-original", options->weights.stft_original, "Weight of the original design's STFT loss")->capture_default_str();
  cmd->add_option("--w-commit", options->weights.commit, "Weight of the commitment loss")->capture_default_str();
  cmd->add_option("--w-codebook", options->weights.codebook, "Weight of the codebook loss (vq-update loss)")->capture_default_str();
  cmd->add_option("--log-every", options->log_every, "Steps between metrics.jsonl rows")->check(CLI::Range(1, 1000000))->capture_default_str();
  cmd->add_option("--val-every", options->validate_every, "Steps between validations")->check(CLI::Range(1, 100000000))->capture_default_str();
  cmd->add_option("--checkpoint-every", options->checkpoint_every, "Steps between checkpoints")->check(CLI::Range(1, 100000000))->capture_default_str();
  cmd->add_flag("--quiet", options->quiet, "No progress output");
  cmd->callback([options, preset] {
    options->model = ModelConfig::preset(*preset);
    std::signal(SIGINT, request_stop);
    std::signal(SIGTERM, request_stop);
    const TrainResult result = train(*options);
    if (!options->quiet)
      std::fprintf(stderr, "nwave train: %s at step %lld; weights in %s/model.safetensors\n",
                   result.interrupted ? "stopped" : "finished", static_cast<long long>(result.steps_done), options->out_dir.c_str());
    if (result.interrupted) std::exit(130);
  });
}

}  // namespace nwave::cli

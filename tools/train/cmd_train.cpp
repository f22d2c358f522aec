#include "train_commands.h"
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
  auto changes = std::make_shared<std::string>();
  cmd->add_option("--model-changes", *changes,
                  "Change fields of the preset's architecture with a JSON object, e.g. '{\"synthesis_fft\": 512}' "
                  "(keys as in the model file's nwave_config)");
  cmd->add_option("--steps", options->steps, "Total optimizer steps (a resumed run continues up to this)")->capture_default_str();
  cmd->add_option("--batch", options->batch, "Examples per step (per rank in distributed training)")->check(CLI::Range(1, 4096))->capture_default_str();
  cmd->add_option("--segment", options->segment, "Samples per example (a multiple of 128)")->capture_default_str();
  auto augment = std::make_shared<bool>(false);
  auto pitch = std::make_shared<double>(-1.0), eq = std::make_shared<double>(-1.0);
  auto gain = std::make_shared<std::vector<double>>();
  cmd->add_flag("--augment", *augment,
                "Augment the crops (speed/pitch by resampling, random equaliser, gain up to near full scale) with the "
                "measured default recipe; --aug-* change single parts");
  cmd->add_option("--aug-pitch", *pitch, "Share of crops played up to 3 semitones faster or slower (default: 0, "
                  "0.5 with --augment)")->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--aug-eq", *eq, "Share of crops filtered by a random shelf or peak of up to 8 dB (default: 0, "
                  "0.5 with --augment)")->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--aug-gain", *gain, "Random gain range in dB, MIN MAX, capped at -0.04 dBFS peak (default: -12 6, "
                  "-15 12 with --augment)")->expected(2);
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
  cmd->add_option("--w-phase", options->weights.phase, "Weight of the phase-advance loss (frame-to-frame phase of "
                  "each STFT bin, weighted by magnitude: harmonic coherence)")->capture_default_str();
  cmd->add_option("--w-commit", options->weights.commit, "Weight of the commitment loss")->capture_default_str();
  cmd->add_option("--w-codebook", options->weights.codebook, "Weight of the codebook loss (vq-update loss)")->capture_default_str();
  cmd->add_flag("--adversarial", options->adversarial,
                "Adversarial stage: STFT and period discriminators, hinge loss and feature matching on top of the "
                "reconstruction losses; start it from a trained model with --init");
  cmd->add_option("--w-adv", options->weights.adversarial, "Weight of the generator's adversarial (hinge) loss")->capture_default_str();
  cmd->add_option("--w-fm", options->weights.feature_matching, "Weight of the feature-matching loss")->capture_default_str();
  cmd->add_option("--disc-lr", options->discriminator_lr, "Peak learning rate of the discriminators")->capture_default_str();
  cmd->add_option("--adv-segment", options->adversarial_segment,
                  "Samples of each example the discriminators judge (a random stretch; 0: the whole example)")
      ->check(CLI::Range(0, 1 << 24))->capture_default_str();
  cmd->add_option("--disc-stft", options->discriminators.stft_ffts, "FFT sizes of the STFT discriminators")->capture_default_str();
  cmd->add_option("--disc-stft-channels", options->discriminators.stft_channels, "Channels of each STFT discriminator")->capture_default_str();
  cmd->add_option("--disc-periods", options->discriminators.periods, "Periods of the period discriminators")->capture_default_str();
  cmd->add_option("--disc-period-channels", options->discriminators.period_channels, "Channels of the period discriminators' layers")->capture_default_str();
  cmd->add_option("--log-every", options->log_every, "Steps between metrics.jsonl rows")->check(CLI::Range(1, 1000000))->capture_default_str();
  cmd->add_option("--val-every", options->validate_every, "Steps between validations")->check(CLI::Range(1, 100000000))->capture_default_str();
  cmd->add_option("--checkpoint-every", options->checkpoint_every, "Steps between checkpoints")->check(CLI::Range(1, 100000000))->capture_default_str();
  cmd->add_option("--dist-timeout", options->collective_timeout_s,
                  "Distributed training (torchrun): seconds a rank waits for the others before it stops with an error")
      ->check(CLI::Range(1, 86400))->capture_default_str();
  cmd->add_flag("--quiet", options->quiet, "No progress output");
  cmd->callback([options, preset, changes, augment, pitch, eq, gain] {
    options->model = ModelConfig::preset(*preset);
    if (!changes->empty()) options->model = options->model.with_changes(*changes);
    options->augment = *augment ? AugmentOptions::standard() : AugmentOptions::none();
    if (*pitch >= 0.0) options->augment.pitch_probability = *pitch;
    if (*eq >= 0.0) options->augment.eq_probability = *eq;
    if (!gain->empty()) {
      if ((*gain)[0] > (*gain)[1]) throw CLI::ValidationError("--aug-gain", "MIN must not exceed MAX");
      options->augment.min_gain_db = (*gain)[0];
      options->augment.max_gain_db = (*gain)[1];
    }
    options->launch = LaunchEnvironment::from_environment();
    std::signal(SIGINT, request_stop);
    std::signal(SIGTERM, request_stop);
    const TrainResult result = train(*options);
    if (!options->quiet && options->launch.rank == 0)
      std::fprintf(stderr, "nwave train: %s at step %lld; weights in %s/model.safetensors\n",
                   result.interrupted ? "stopped" : "finished", static_cast<long long>(result.steps_done), options->out_dir.c_str());
    if (result.interrupted) std::exit(130);
  });
}

}  // namespace nwave::cli

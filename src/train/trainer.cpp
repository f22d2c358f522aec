#include "train/trainer.h"

#include "util/atomic_file.h"

#include "adversarial/adversarial_losses.h"

#include "audio/audio_files.h"
#include "io/safetensors.h"
#include "loss/codec_loss.h"
#include "model/model_io.h"
#include "nwave/audio.h"
#include "nwave/error.h"
#include "train/crop_sampler.h"
#include "train/distributed/gradient_averaging.h"
#include "train/distributed/process_group.h"
#include "util/progress_bar.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <iostream>
#include <optional>
#include <random>
#include <set>
#include <sstream>

namespace nwave {

namespace fs = std::filesystem;
using Json = nlohmann::json;

std::atomic<bool>& training_stop_flag() {
  static std::atomic<bool> flag{false};
  return flag;
}

namespace {

constexpr int kMaxNonFiniteStepsInARow = 20;

struct Split {
  std::vector<std::string> train;
  std::map<std::string, std::vector<std::string>> validation;  // by group
};

Split split_files(const TrainOptions& o) {
  Split split;
  std::vector<std::string> all;
  for (const auto& dir : o.data_dirs)
    for (auto& f : audio::list_audio_files(dir)) all.push_back(std::move(f));
  if (!o.validation_dirs.empty()) {
    split.train = all;
    for (const auto& dir : o.validation_dirs)
      for (auto& f : audio::list_audio_files(dir)) split.validation[audio::group_of(dir, f)].push_back(std::move(f));
  } else {
    // Whole files, fixed by their sorted order: the same split on every run and every machine.
    for (size_t i = 0; i < all.size(); ++i) {
      if (all.size() >= 2 && i % 10 == 5) split.validation[""].push_back(all[i]);
      else split.train.push_back(all[i]);
    }
  }
  if (split.train.empty()) throw Error(ErrorCode::kTraining, "no audio files (.wav .flac .ogg .mp3) found in the data directories");
  return split;
}

std::vector<std::vector<float>> load_clips(const std::vector<std::string>& files, const std::string& what) {
  std::vector<std::vector<float>> clips;
  ProgressBar bar("loading " + what, static_cast<int64_t>(files.size()));
  for (size_t i = 0; i < files.size(); ++i) {
    clips.push_back(read_audio(files[i]).samples);
    bar.update(static_cast<int64_t>(i + 1));
  }
  return clips;
}

// Keeps an evenly spread subset of whole clips (every k-th) so a validation pass stays quick yet covers every
// speaker and the music, whatever order the files come in.
std::vector<std::vector<float>> spread_subset(std::vector<std::vector<float>> clips, double max_seconds) {
  double total = 0.0;
  for (const auto& c : clips) total += c.size() / static_cast<double>(kSampleRate);
  const size_t stride = static_cast<size_t>(std::ceil(total / max_seconds));
  if (stride <= 1) return clips;
  std::vector<std::vector<float>> kept;
  for (size_t i = 0; i < clips.size(); i += stride) kept.push_back(std::move(clips[i]));
  return kept;
}

double learning_rate_at(const TrainOptions& o, int64_t step) {
  const double warm = o.warmup_steps > 0 ? std::min(1.0, static_cast<double>(step) / o.warmup_steps) : 1.0;
  return o.learning_rate * warm * std::pow(o.lr_decay, std::max<int64_t>(0, step - o.warmup_steps));
}

double process_cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

// Every random draw of a step comes from (seed, step): a resumed run replays exactly what the uninterrupted one did.
std::mt19937_64 step_rng(uint64_t seed, int64_t step) {
  std::seed_seq seq{static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32), static_cast<uint32_t>(step),
                    static_cast<uint32_t>(static_cast<uint64_t>(step) >> 32)};
  return std::mt19937_64(seq);
}

torch::Tensor draw_active_codebooks(const TrainOptions& o, int num_codebooks, int batch_size, std::mt19937_64& rng) {
  auto active = torch::full({batch_size}, num_codebooks, torch::kLong);
  std::bernoulli_distribution drop(o.quantizer_dropout);
  std::uniform_int_distribution<int> count(1, num_codebooks);
  for (int b = 0; b < batch_size; ++b)
    if (drop(rng)) active[b] = count(rng);
  return active;
}

std::string optimizer_bytes(torch::optim::Optimizer& optimizer) {
  torch::serialize::OutputArchive archive;
  optimizer.save(archive);
  std::ostringstream stream;
  archive.save_to(stream);
  return stream.str();
}

void restore_optimizer(torch::optim::Optimizer& optimizer, const torch::Tensor& bytes, const torch::Device& device) {
  std::istringstream stream(std::string(static_cast<const char*>(bytes.data_ptr()), bytes.numel()));
  torch::serialize::InputArchive archive;
  archive.load_from(stream, device);
  optimizer.load(archive);
}

class Trainer {
 public:
  explicit Trainer(const TrainOptions& options)
      : o_(options),
        device_(options.device == "cuda" ? torch::Device(torch::kCUDA, options.launch.local_rank) : torch::Device(torch::kCPU)),
        loss_(options.weights) {}

  TrainResult run();

 private:
  void prepare();
  void resume_from_checkpoint();
  void save_checkpoint(int64_t step, double cpu_seconds);
  Json train_step(int64_t step);
  void make_discriminators(const DiscriminatorConfig& config);
  Json validate();
  void open_metrics(int64_t keep_up_to_step);
  void log_row(const Json& row);
  // Data-parallel helpers; in one process they are the identity.
  bool leader() const { return !group_ || group_->rank() == 0; }
  int world_size() const { return group_ ? group_->world_size() : 1; }
  torch::Tensor mean_over_ranks(torch::Tensor values);  // element-wise mean, as double on the CPU
  double sum_over_ranks(double value);
  // Throws Error(kTraining) unless every rank holds the same step and weights (a checksum): `hint` says why not.
  void check_ranks_agree(int64_t step, const std::string& hint);

  TrainOptions o_;
  torch::Device device_;
  CodecLoss loss_;
  ModelConfig config_;
  CodecModel model_{nullptr};
  std::unique_ptr<torch::optim::AdamW> optimizer_;
  Discriminators discriminators_{nullptr};  // adversarial stage only
  std::unique_ptr<torch::optim::AdamW> discriminator_optimizer_;
  std::shared_ptr<ProcessGroup> group_;  // data-parallel training only
  std::unique_ptr<CropSampler> sampler_;
  bool has_validation_ = false;  // known on every rank; rank 0 alone loads the audio and validates
  std::map<std::string, std::vector<std::vector<float>>> validation_;  // by group ("" when there are no groups)
  double cpu_seconds_before_ = 0.0;  // CPU time of the steps before this process (from the checkpoint)
  std::ofstream metrics_;
  int64_t start_step_ = 0;
  int non_finite_in_a_row_ = 0;
  fs::path out_, checkpoint_path_, model_path_, metrics_path_;
};

void Trainer::prepare() {
  if (o_.steps < 0 || o_.batch < 1 || o_.segment < o_.model.hop || o_.segment % o_.model.hop != 0)
    throw Error(ErrorCode::kBadArgument, "need --steps >= 0, --batch >= 1 and --segment a positive multiple of " + std::to_string(o_.model.hop));
  if (o_.device != "cpu" && o_.device != "cuda") throw Error(ErrorCode::kBadArgument, "--device must be cpu or cuda");
  if (device_.is_cuda() && !torch::cuda::is_available())
    throw Error(ErrorCode::kBadArgument, "--device cuda: this LibTorch has no CUDA or no GPU is visible");
  if (o_.threads > 0) torch::set_num_threads(o_.threads);
  if (o_.launch.distributed()) {
    if (o_.collective_timeout_s < 1) throw Error(ErrorCode::kBadArgument, "the collective timeout must be at least 1 s");
    group_ = std::make_shared<ProcessGroup>(o_.launch, device_, std::chrono::seconds(o_.collective_timeout_s));
    if (!leader()) o_.quiet = true;  // one voice: rank 0's
    else if (!o_.quiet)
      std::fprintf(stderr, "nwave train: %d ranks, batch %d per rank (%d per step)\n", world_size(), o_.batch, world_size() * o_.batch);
  }
  out_ = o_.out_dir;
  std::error_code ec;
  fs::create_directories(out_, ec);
  if (ec) throw Error(ErrorCode::kIo, "cannot create output directory '" + o_.out_dir + "': " + ec.message());
  checkpoint_path_ = out_ / "checkpoint.safetensors";
  model_path_ = out_ / "model.safetensors";
  metrics_path_ = out_ / "metrics.jsonl";

  const Split split = split_files(o_);
  sampler_ = std::make_unique<CropSampler>(load_clips(split.train, "training audio"), o_.segment, o_.augment);
  size_t validation_files = 0, validation_kept = 0;
  has_validation_ = !split.validation.empty();
  for (const auto& [group, files] : split.validation) {
    if (!leader()) break;
    auto& clips = validation_[group];
    clips = spread_subset(load_clips(files, group.empty() ? "validation audio" : "validation audio " + group), o_.max_validation_seconds / static_cast<double>(split.validation.size()));
    validation_files += files.size();
    validation_kept += clips.size();
  }
  if (!o_.quiet)
    std::fprintf(stderr, "nwave train: %zu training files (%.1f min), %zu of %zu validation files in %zu group(s)\n",
                 split.train.size(), sampler_->total_seconds() / 60.0, validation_kept, validation_files, validation_.size());

  config_ = o_.model;
  torch::manual_seed(o_.seed);  // the initial weights depend on the seed alone
  const bool resuming = o_.resume && fs::exists(checkpoint_path_);
  if (resuming) {
    auto file = load_safetensors(checkpoint_path_.string());
    config_ = Json::parse(file.metadata.at("nwave_config")).get<ModelConfig>();
    model_ = CodecModel(config_);
  } else if (!o_.init_from.empty()) {
    model_ = load_model(o_.init_from).model;
    config_ = model_->config();
    if (!o_.quiet) std::fprintf(stderr, "nwave train: starting from the weights of %s\n", o_.init_from.c_str());
  } else {
    model_ = CodecModel(config_);
  }
  model_->to(device_);
  model_->train();
  if (group_) model_->quantizer->set_sync(group_);
  optimizer_ = std::make_unique<torch::optim::AdamW>(
      model_->parameters(), torch::optim::AdamWOptions(o_.learning_rate).betas({0.8, 0.99}).weight_decay(0.01));
  if (o_.adversarial) make_discriminators(o_.discriminators);
  if (o_.resume) resume_from_checkpoint();
  if (group_)
    check_ranks_agree(start_step_, "every rank must see the same --out folder (shared storage) and --init file");
  if (leader()) open_metrics(start_step_);
}

torch::Tensor Trainer::mean_over_ranks(torch::Tensor values) {
  values = values.detach().to(torch::kDouble);
  if (group_) {
    values = values.to(device_);  // NCCL sums CUDA tensors only
    group_->sum(values);
    values = values / world_size();
  }
  return values.cpu();
}

double Trainer::sum_over_ranks(double value) { return mean_over_ranks(torch::tensor({value}, torch::kDouble))[0].item<double>() * world_size(); }

void Trainer::check_ranks_agree(int64_t step, const std::string& hint) {
  double checksum = 0.0;
  for (const auto& [name, tensor] : module_tensors(*model_)) checksum += tensor.to(torch::kDouble).sum().item<double>();
  auto mine = torch::tensor({static_cast<double>(step), checksum}, torch::kDouble).unsqueeze(0);
  const auto all = group_->gather_rows(mine.to(device_)).cpu();
  for (int r = 1; r < world_size(); ++r)
    if (!torch::equal(all[r], all[0]))
      throw Error(ErrorCode::kTraining, "distributed training: rank " + std::to_string(r) + " holds other weights than rank 0 (at step " +
                                            std::to_string(all[r][0].item<int64_t>()) + " against " +
                                            std::to_string(all[0][0].item<int64_t>()) + "): " + hint);
}

void Trainer::make_discriminators(const DiscriminatorConfig& config) {
  discriminators_ = Discriminators(config);
  discriminators_->to(device_);
  discriminators_->train();
  discriminator_optimizer_ = std::make_unique<torch::optim::AdamW>(
      discriminators_->parameters(), torch::optim::AdamWOptions(o_.discriminator_lr).betas({0.8, 0.99}).weight_decay(0.01));
}

void Trainer::resume_from_checkpoint() {
  if (!fs::exists(checkpoint_path_)) {
    if (!o_.quiet) std::fprintf(stderr, "nwave train: --resume: no checkpoint in %s yet, starting fresh\n", o_.out_dir.c_str());
    return;
  }
  auto file = load_safetensors(checkpoint_path_.string());
  std::map<std::string, torch::Tensor> weights;
  const std::string prefix = "model.";
  for (const auto& [name, tensor] : file.tensors)
    if (name.rfind(prefix, 0) == 0) weights[name.substr(prefix.size())] = tensor;
  load_module_tensors(*model_, weights, checkpoint_path_.string());
  auto optimizer_state = file.tensors.find("optimizer");
  if (optimizer_state == file.tensors.end()) throw Error(ErrorCode::kBadModel, checkpoint_path_.string() + ": no optimizer state");
  restore_optimizer(*optimizer_, optimizer_state->second, device_);
  if (auto config = file.metadata.find("discriminator_config"); config != file.metadata.end()) {
    // An adversarial run goes on with the discriminators it had (their configuration from the checkpoint).
    if (!o_.adversarial)
      throw Error(ErrorCode::kBadArgument, checkpoint_path_.string() + " is from an adversarial run: resume it with --adversarial");
    make_discriminators(Json::parse(config->second).get<DiscriminatorConfig>());
    std::map<std::string, torch::Tensor> disc;
    const std::string disc_prefix = "discriminator.";
    for (const auto& [name, tensor] : file.tensors)
      if (name.rfind(disc_prefix, 0) == 0) disc[name.substr(disc_prefix.size())] = tensor;
    load_module_tensors(*discriminators_, disc, checkpoint_path_.string());
    auto disc_state = file.tensors.find("discriminator_optimizer");
    if (disc_state == file.tensors.end()) throw Error(ErrorCode::kBadModel, checkpoint_path_.string() + ": no discriminator optimizer state");
    restore_optimizer(*discriminator_optimizer_, disc_state->second, device_);
  } else if (discriminators_ && !o_.quiet) {
    std::fprintf(stderr, "nwave train: the checkpoint has no discriminators: the adversarial stage starts with new ones\n");
  }
  const auto step = file.metadata.find("step");
  int64_t start = -1;
  try {
    if (step != file.metadata.end()) start = std::stoll(step->second);
  } catch (const std::exception&) {
  }
  if (start < 0) throw Error(ErrorCode::kBadModel, checkpoint_path_.string() + ": no valid step number in the metadata");
  start_step_ = start;
  if (auto cpu = file.metadata.find("cpu_s"); cpu != file.metadata.end()) cpu_seconds_before_ = std::atof(cpu->second.c_str());
  if (!o_.quiet) std::fprintf(stderr, "nwave train: resuming from step %lld\n", static_cast<long long>(start_step_));
}

void Trainer::save_checkpoint(int64_t step, double cpu_seconds) {
  SafetensorsFile file;
  for (const auto& [name, tensor] : module_tensors(*model_)) file.tensors["model." + name] = tensor;
  const std::string bytes = optimizer_bytes(*optimizer_);
  file.tensors["optimizer"] = torch::from_blob(const_cast<char*>(bytes.data()), {static_cast<int64_t>(bytes.size())}, torch::kUInt8).clone();
  file.metadata["nwave_config"] = Json(config_).dump();
  if (discriminators_) {
    for (const auto& [name, tensor] : module_tensors(*discriminators_)) file.tensors["discriminator." + name] = tensor;
    const std::string disc_bytes = optimizer_bytes(*discriminator_optimizer_);
    file.tensors["discriminator_optimizer"] =
        torch::from_blob(const_cast<char*>(disc_bytes.data()), {static_cast<int64_t>(disc_bytes.size())}, torch::kUInt8).clone();
    file.metadata["discriminator_config"] = Json(discriminators_->config()).dump();
  }
  file.metadata["step"] = std::to_string(step);
  file.metadata["seed"] = std::to_string(o_.seed);
  file.metadata["cpu_s"] = std::to_string(cpu_seconds);
  save_safetensors(checkpoint_path_.string(), file);
  save_model(model_path_.string(), *model_, {{"steps", std::to_string(step)}});
}

void Trainer::open_metrics(int64_t keep_up_to_step) {
  // On resume, rows logged after the checkpoint belong to a run that did not survive: drop them, then append.
  std::vector<std::string> kept;
  if (keep_up_to_step > 0) {
    std::ifstream in(metrics_path_);
    for (std::string line; std::getline(in, line);) {
      auto row = Json::parse(line, nullptr, false);
      if (!row.is_discarded() && row.contains("step") && row["step"].get<int64_t>() <= keep_up_to_step) kept.push_back(line);
    }
  }
  // Rewritten atomically (temp + fsync + rename): a kill -9 here keeps the old history rather than a truncated one.
  {
    AtomicFile rewritten(metrics_path_.string());
    for (const auto& line : kept) {
      rewritten.write(line.data(), line.size());
      rewritten.write("\n", 1);
    }
    rewritten.commit();
  }
  metrics_.open(metrics_path_, std::ios::app);
  if (!metrics_) throw Error(ErrorCode::kIo, "cannot write " + metrics_path_.string());
}

void Trainer::log_row(const Json& row) {
  metrics_ << row.dump() << '\n';
  metrics_.flush();
  if (!metrics_) throw Error(ErrorCode::kIo, "cannot write " + metrics_path_.string() + " (disk full?)");
}

// The stretches of real and decoded audio the discriminators judge: the same random stretch of each example.
// In data-parallel training real and fake are examples first.. of the global batch of global_size: the stretches
// are drawn for the whole global batch, as in one process.
std::pair<torch::Tensor, torch::Tensor> judged_stretches(const torch::Tensor& real, const torch::Tensor& fake, int length,
                                                         int64_t first, int64_t global_size, std::mt19937_64& rng) {
  const int64_t total = real.size(1);
  if (length <= 0 || length >= total) return {real, fake};
  std::uniform_int_distribution<int64_t> start(0, total - length);
  std::vector<torch::Tensor> real_parts, fake_parts;
  for (int64_t example = 0; example < global_size; ++example) {
    const int64_t at = start(rng), b = example - first;
    if (b < 0 || b >= real.size(0)) continue;
    real_parts.push_back(real[b].narrow(0, at, length));
    fake_parts.push_back(fake[b].narrow(0, at, length));
  }
  return {torch::stack(real_parts), torch::stack(fake_parts)};
}

void set_learning_rate(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
}

void assign_gradients(const std::vector<torch::Tensor>& parameters, const std::vector<torch::Tensor>& gradients) {
  // A copy, not the tensor autograd returned: that may be a view, which the optimizer's zero_grad cannot detach.
  for (size_t i = 0; i < parameters.size(); ++i)
    if (gradients[i].defined()) parameters[i].mutable_grad() = gradients[i].clone();
}

Json Trainer::train_step(int64_t step) {
  auto rng = step_rng(o_.seed, step);
  torch::manual_seed(rng());
  // Every rank draws the same global batch and trains on its slice.
  const int global_batch = world_size() * o_.batch, first = group_ ? group_->rank() * o_.batch : 0;
  auto batch = sampler_->batch_slice(global_batch, first, o_.batch, rng).to(device_);
  auto active = draw_active_codebooks(o_, config_.num_codebooks, global_batch, rng).narrow(0, first, o_.batch).to(device_);
  const double lr = learning_rate_at(o_, step);
  set_learning_rate(*optimizer_, lr);

  auto out = model_->forward(batch, active);
  auto losses = loss_(out, batch);
  torch::Tensor generator_total = losses.total, discriminator_loss;
  // The logged values, as means over the ranks (each a mean over its slice): the global batch's.
  std::vector<std::string> names = {"loss", "mel", "stft", "stft_original", "phase", "commit", "codebook"};
  std::vector<torch::Tensor> values = {losses.total, losses.mel, losses.stft, losses.stft_original, losses.phase, losses.commit, losses.codebook};
  if (discriminators_) {
    set_learning_rate(*discriminator_optimizer_, o_.discriminator_lr * lr / o_.learning_rate);  // the same schedule
    auto [real, fake] = judged_stretches(batch, out.audio, o_.adversarial_segment, first, global_batch, rng);
    const auto judged_real = discriminators_->forward(real), judged_fake = discriminators_->forward(fake);
    const auto adversarial = generator_hinge_loss(judged_fake), matching = feature_matching_loss(judged_real, judged_fake);
    discriminator_loss = discriminator_hinge_loss(judged_real, judged_fake);
    generator_total = generator_total + o_.weights.adversarial * adversarial + o_.weights.feature_matching * matching;
    values[0] = generator_total;
    names.insert(names.end(), {"adv", "fm", "disc"});
    values.insert(values.end(), {adversarial, matching, discriminator_loss});
  }
  std::vector<torch::Tensor> scalars;
  for (const auto& v : values) scalars.push_back(v.defined() ? v.detach().reshape({}).to(torch::kDouble) : torch::zeros({}, torch::kDouble).to(device_));
  const auto means = mean_over_ranks(torch::stack(scalars));
  std::map<std::string, double> logged;
  for (size_t i = 0; i < names.size(); ++i) logged[names[i]] = means[static_cast<int64_t>(i)].item<double>();
  Json row = {{"step", step}};
  if (discriminators_)
    for (const char* name : {"adv", "fm", "disc"}) row[name] = logged[name];
  // NaN anywhere makes the global mean NaN: every rank skips the same steps.
  double total = logged["loss"];
  if (o_.inject_non_finite_loss && o_.inject_non_finite_loss(step)) total = std::numeric_limits<double>::quiet_NaN();
  if (discriminators_ && !std::isfinite(logged["disc"])) total = std::numeric_limits<double>::quiet_NaN();
  row["loss"] = total;
  optimizer_->zero_grad();
  if (!std::isfinite(total)) {
    row["loss"] = nullptr;
    row["skipped"] = "non-finite loss";
    if (++non_finite_in_a_row_ >= kMaxNonFiniteStepsInARow)
      throw Error(ErrorCode::kTraining, "the loss was non-finite " + std::to_string(kMaxNonFiniteStepsInARow) +
                                            " steps in a row; lower --lr or check the data");
    return row;
  }
  non_finite_in_a_row_ = 0;
  const auto codec_parameters = model_->parameters();
  if (!discriminators_) {
    generator_total.backward();
    if (group_) average_gradients(*group_, codec_parameters);
  } else {
    // One forward pass of the discriminators serves both players: the codec's gradient flows through their
    // judgement of the decoded audio (their own parameters left out), and theirs comes from the same judgements
    // (the codec left out), which saves judging the decoded audio a second time.
    const auto judge_parameters = discriminators_->parameters();
    assign_gradients(codec_parameters, torch::autograd::grad({generator_total}, codec_parameters, {}, /*retain_graph=*/true,
                                                             /*create_graph=*/false, /*allow_unused=*/true));
    discriminator_optimizer_->zero_grad();
    assign_gradients(judge_parameters, torch::autograd::grad({discriminator_loss}, judge_parameters, {}, /*retain_graph=*/false,
                                                             /*create_graph=*/false, /*allow_unused=*/true));
    if (group_) {
      auto both = codec_parameters;
      both.insert(both.end(), judge_parameters.begin(), judge_parameters.end());
      average_gradients(*group_, both);
    }
    row["disc_grad_norm"] = torch::nn::utils::clip_grad_norm_(judge_parameters, o_.grad_clip);
    discriminator_optimizer_->step();
  }
  const double grad_norm = torch::nn::utils::clip_grad_norm_(codec_parameters, o_.grad_clip);
  optimizer_->step();
  row["mel"] = logged["mel"];
  row["stft"] = logged["stft"];
  if (o_.weights.stft_original != 0.0) row["stft_original"] = logged["stft_original"];
  if (o_.weights.phase != 0.0) row["phase"] = logged["phase"];
  row["commit"] = logged["commit"];
  if (config_.vq_update == "loss") row["codebook"] = logged["codebook"];
  row["grad_norm"] = grad_norm;
  row["lr"] = lr;
  row["perplexity"] = model_->quantizer->perplexities();  // from the global batch's counts
  return row;
}

Json Trainer::validate() {
  torch::NoGradGuard no_grad;
  model_->eval();
  std::set<int> counts = {std::min(3, config_.num_codebooks), std::min(5, config_.num_codebooks), config_.num_codebooks};
  Json result = Json::object();
  for (int n : counts) {
    char kbps[16];
    std::snprintf(kbps, sizeof kbps, "%.2f", n * config_.kbps_per_codebook());
    const std::string key = std::string("val_mel_") + kbps + "kbps";
    double sum = 0.0, seconds = 0.0;  // over every group, weighted by duration
    for (const auto& [group, clips] : validation_) {
      double group_sum = 0.0, group_seconds = 0.0;
      for (const auto& clip : clips) {
        auto wave = pad_to_frames(torch::from_blob(const_cast<float*>(clip.data()), {1, static_cast<int64_t>(clip.size())}).to(device_), config_.hop);
        auto out = model_->forward(wave, torch::full({1}, n, torch::kLong).to(device_));
        const double length = clip.size() / static_cast<double>(kSampleRate);
        group_sum += loss_.mel()(out.audio, wave).item<double>() * length;
        group_seconds += length;
      }
      if (group_seconds > 0.0 && !group.empty()) result[key + "_" + group] = group_sum / group_seconds;
      sum += group_sum;
      seconds += group_seconds;
    }
    if (seconds > 0.0) result[key] = sum / seconds;
  }
  model_->train();
  return result;
}

TrainResult Trainer::run() {
  prepare();
  TrainResult result;
  result.steps_done = start_step_;
  std::optional<ProgressBar> bar;
  if (leader()) bar.emplace("training", o_.steps, start_step_);
  const auto began = std::chrono::steady_clock::now();
  const double cpu_began = process_cpu_seconds();
  // CPU time of every thread of every rank of every run up to here: the fair clock for comparing recipes on a
  // shared machine. A collective: called on every rank at the same steps.
  const auto cpu_seconds = [&] { return cpu_seconds_before_ + sum_over_ranks(process_cpu_seconds() - cpu_began); };
  double loss_ema = 0.0;
  for (int64_t step = start_step_ + 1; step <= o_.steps; ++step) {
    Json row = train_step(step);
    if (row["loss"].is_number()) {
      result.last_loss = row["loss"].get<double>();
      loss_ema = step == start_step_ + 1 ? result.last_loss : 0.95 * loss_ema + 0.05 * result.last_loss;
    }
    result.steps_done = step;
    // A stop request (Ctrl-C, or torchrun's SIGTERM) on any rank stops every rank after the same step.
    const bool stop = group_ ? sum_over_ranks(training_stop_flag().load() ? 1.0 : 0.0) > 0.0 : training_stop_flag().load();
    const bool last = step == o_.steps || stop;
    const bool validating = has_validation_ && (step % o_.validate_every == 0 || last);
    if (validating && leader()) row.update(validate());
    if (step % o_.log_every == 0 || step == 1 || last || validating || row.contains("skipped")) {
      const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
      row["elapsed_s"] = elapsed;
      row["cpu_s"] = cpu_seconds();
      row["audio_s_per_s"] = (step - start_step_) * world_size() * o_.batch * o_.segment / static_cast<double>(kSampleRate) / std::max(elapsed, 1e-9);
      if (leader()) log_row(row);
      if (bar && !bar->enabled() && !o_.quiet && (step % (o_.log_every * 10) == 0 || last))
        std::fprintf(stderr, "step %lld/%lld loss %.4f (%.2f steps/s)\n", static_cast<long long>(step),
                     static_cast<long long>(o_.steps), loss_ema, bar->rate());
    }
    char detail[64];
    std::snprintf(detail, sizeof detail, "loss %.4f", loss_ema);
    if (bar) bar->update(step, detail);
    if (step % o_.checkpoint_every == 0 || last) {
      const double cpu = cpu_seconds();
      if (leader()) save_checkpoint(step, cpu);
    }
    if (stop) {
      result.interrupted = step < o_.steps;
      break;
    }
  }
  // Averaged gradients and shared codebook statistics keep the ranks' weights identical, bit for bit.
  if (group_) check_ranks_agree(result.steps_done, "the ranks drifted apart (a bug: please report it)");
  if (leader() && result.steps_done == start_step_ && !fs::exists(model_path_))
    save_model(model_path_.string(), *model_, {{"steps", std::to_string(start_step_)}});
  return result;
}

}  // namespace

TrainResult train(const TrainOptions& options) { return Trainer(options).run(); }

}  // namespace nwave

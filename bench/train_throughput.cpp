// Training throughput of a model preset on CPU (or CUDA): seconds of audio processed per second of wall time, on
// random audio, with the trainer's loss, optimizer and quantizer dropout. bench/train_throughput.py is the same
// step in PyTorch (Python); bench/compare_training.sh runs both in one go.
// Usage: train_throughput [--preset default] [--threads 1] [--steps 20] [--batch 8] [--segment 16000]
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "loss/codec_loss.h"
#include "model/codec_model.h"

int main(int argc, char** argv) {
  std::string preset = "default";
  int threads = 1, steps = 20, batch = 8, segment = 16000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--preset") preset = argv[i + 1];
    else if (flag == "--threads") threads = std::atoi(argv[i + 1]);
    else if (flag == "--steps") steps = std::atoi(argv[i + 1]);
    else if (flag == "--batch") batch = std::atoi(argv[i + 1]);
    else if (flag == "--segment") segment = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  torch::set_num_threads(threads);
  torch::manual_seed(0);
  nwave::CodecModel model(nwave::ModelConfig::preset(preset));
  model->train();
  nwave::CodecLoss loss(nwave::LossWeights{});
  torch::optim::AdamW optimizer(model->parameters(), torch::optim::AdamWOptions(3e-4).betas({0.8, 0.99}).weight_decay(0.01));
  const int n = model->config().num_codebooks;
  auto one_step = [&] {
    auto wave = 0.1 * torch::randn({batch, segment});
    auto active = torch::where(torch::rand({batch}) < 0.5, torch::randint(1, n + 1, {batch}, torch::kLong),
                               torch::full({batch}, n, torch::kLong));
    auto losses = loss(model->forward(wave, active), wave);
    optimizer.zero_grad();
    losses.total.backward();
    torch::nn::utils::clip_grad_norm_(model->parameters(), 10.0);
    optimizer.step();
  };
  for (int i = 0; i < 3; ++i) one_step();  // warm-up: k-means initialisation, allocator
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < steps; ++i) one_step();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  int64_t parameters = 0;
  for (const auto& p : model->parameters()) parameters += p.numel();
  std::printf("{\"impl\": \"nwave C++ (LibTorch %d.%d)\", \"preset\": \"%s\", \"parameters\": %lld, \"threads\": %d, "
              "\"batch\": %d, \"segment\": %d, \"s_per_step\": %.4f, \"audio_s_per_s\": %.2f}\n",
              TORCH_VERSION_MAJOR, TORCH_VERSION_MINOR, preset.c_str(), static_cast<long long>(parameters), threads, batch,
              segment, seconds / steps, steps * batch * segment / 16000.0 / seconds);
  return 0;
}

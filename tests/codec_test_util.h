// Tiny trained models shared by the codec API and CLI tests: trained once per test process (a few seconds).
#pragma once
#include <torch/torch.h>

#include <filesystem>
#include <memory>
#include <string>

#include "model/model_io.h"
#include "nwave/audio.h"
#include "test_util.h"
#include "train/trainer.h"

namespace nwave::test {

struct TinyModels {
  TempDir dir{"codec_models"};
  std::string model;  // a tiny model trained for 20 steps on synthetic speech-like audio
  std::string other;  // the same with one weight nudged: another fingerprint, same layout

  TinyModels() {
    const std::string data = dir.file("data");
    std::filesystem::create_directories(data);
    for (uint32_t i = 0; i < 3; ++i)
      write_wav16(data + "/clip" + std::to_string(i) + ".wav", speechlike(24000, kSampleRate, i + 1), kSampleRate);
    TrainOptions o;
    o.data_dirs = {data};
    o.out_dir = dir.file("run");
    o.model = ModelConfig::preset("tiny");
    o.steps = 20;
    o.batch = 4;
    o.segment = 8192;
    o.warmup_steps = 100;  // a barely trained model whose codes still spread over the codebooks
    o.quiet = true;
    train(o);
    model = o.out_dir + "/model.safetensors";

    LoadedModel loaded = load_model(model);
    {
      torch::NoGradGuard no_grad;
      auto p = loaded.model->parameters().front();
      p.view(-1)[0].add_(0.01);
    }
    other = dir.file("other.safetensors");
    save_model(other, *loaded.model);
  }
};

inline const TinyModels& tiny_models() {
  static const TinyModels models;  // removed at exit
  return models;
}

}  // namespace nwave::test

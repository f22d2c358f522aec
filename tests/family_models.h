// Models of every engine family for the bit-exactness tests (streaming, parallel blocks): the tiny trained spectral
// model, and random-weight seanet-tiny and factorized tiny models whose codes still vary from frame to frame.
#pragma once
#include <torch/torch.h>

#include <algorithm>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "codec_test_util.h"
#include "model/codec_model.h"
#include "model/model_io.h"

namespace nwave::test {

// A model with random weights whose codebooks are set to encoder outputs of speech-like audio, so that the codes
// vary from frame to frame (what bit-exactness tests need; quality is irrelevant here). Used for seanet-tiny and
// for the tiny spectral preset with factorized (DAC-style, codebook_dim > 0) codes.
struct RandomModel {
  TempDir dir{"random_model"};
  std::string path;
  explicit RandomModel(const ModelConfig& config) {
    torch::manual_seed(5);
    CodecModel m(config);
    {
      torch::NoGradGuard no_grad;
      auto x = torch::from_blob(speechlike(64 * 128, kSampleRate, 9).data(), {1, 64 * 128}).clone();
      auto latent = m->encoder->forward(x).squeeze(0).transpose(0, 1);  // [64, D]
      for (auto& layer : m->quantizer->layers) {
        auto idx = torch::randint(0, 64, {layer->codebook.size(0)}, torch::kLong);
        if (config.codebook_dim > 0) {  // codes live in a random low-dimensional projection
          layer->codebook.normal_();
          continue;
        }
        layer->codebook.copy_(latent.index_select(0, idx) + 0.01 * torch::randn_like(layer->codebook));
        latent = latent * 0.3;
      }
    }
    path = dir.file("model.safetensors");
    save_model(path, *m);
  }
};

inline ModelConfig factorized_config() {
  ModelConfig c = ModelConfig::preset("tiny");
  c.codebook_dim = 8;
  c.vq_update = "loss";
  return c;
}

// "spectral" (trained tiny), "seanet" (random seanet-tiny) or "factorized" (random tiny with codebook_dim 8).
inline const std::string& family_model_path(const std::string& family) {
  static const RandomModel seanet(ModelConfig::preset("seanet-tiny"));
  static const RandomModel factorized(factorized_config());
  if (family == "factorized") return factorized.path;
  return family == "seanet" ? seanet.path : tiny_models().model;
}

// Random chunk sizes from 1 to max_chunk that add up to total.
inline std::vector<size_t> chunk_sizes(uint32_t seed, size_t total, size_t max_chunk) {
  std::mt19937 gen(seed);
  std::uniform_int_distribution<size_t> dist(1, max_chunk);
  std::vector<size_t> sizes;
  for (size_t done = 0; done < total;) {
    sizes.push_back(std::min(dist(gen), total - done));
    done += sizes.back();
  }
  return sizes;
}

inline bool bitwise_equal(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

}  // namespace nwave::test

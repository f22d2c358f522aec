#include "model/model_file.h"

#include <cstdio>

#include "nwave/error.h"

namespace nwave {

namespace {

bool ends_with(const std::string& name, const std::string& suffix) {
  return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A lower bound on the number of weights a configuration implies, from its largest layers alone. A damaged or hostile
// nwave_config (e.g. 4096 channels x 64 blocks) would otherwise make CodecModel allocate gigabytes before the
// tensors are compared; since a loadable file holds every weight, its own element count bounds the config.
double min_weights(const ModelConfig& c) {
  const double dim = c.codebook_dim > 0 ? c.codebook_dim : c.latent_dim;
  double n = static_cast<double>(c.num_codebooks) * c.codebook_size * dim;
  if (c.family == "spectral") {
    n += (c.encoder_blocks + c.decoder_blocks) * 2.0 * c.channels * c.channels * c.mlp_ratio;
    n += 3.0 * (c.analysis_fft / 2 + 1) * c.channels + 2.0 * (c.synthesis_fft / 2 + 1) * c.channels;
    n += static_cast<double>(c.latent_dim) * c.channels * (1 + c.kernel_size);
  } else {
    double channels = c.seanet_channels;
    for (int stride : c.strides) {
      n += 2.0 * channels * 2 * channels * 2 * stride;  // the encoder's and decoder's strided convolutions
      channels *= 2;
    }
    n += 2.0 * channels * c.latent_dim;
  }
  return n;
}

}  // namespace

bool is_training_statistic(const std::string& name) {
  return ends_with(name, ".embed_sum") || ends_with(name, ".cluster_size");
}

FingerprintHasher::FingerprintHasher(const ModelConfig& config) {
  const std::string text = nlohmann::json(config).dump();
  mix(text.data(), text.size());
}

void FingerprintHasher::add(const std::string& name, const std::vector<int64_t>& shape, const float* data,
                            size_t count) {
  mix(name.data(), name.size());
  for (int64_t d : shape) mix(&d, sizeof d);
  mix(data, count * sizeof(float));
}

void FingerprintHasher::mix(const void* data, size_t bytes) {
  const auto* p = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i < bytes; ++i) hash_ = (hash_ ^ p[i]) * 1099511628211ULL;
}

uint64_t model_fingerprint(const ModelConfig& config, SafetensorsReader& file) {
  FingerprintHasher hasher(config);
  for (const auto& [name, entry] : file.entries()) {
    if (is_training_statistic(name)) continue;
    const std::vector<float> values = file.read_floats(name);
    hasher.add(name, entry.shape, values.data(), values.size());
  }
  return hasher.value();
}

std::string fingerprint_hex(uint64_t fingerprint) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(fingerprint));
  return text;
}

ModelConfig read_model_config(const SafetensorsReader& file) {
  const std::string& path = file.path();
  auto it = file.metadata().find("nwave_config");
  if (it == file.metadata().end())
    throw Error(ErrorCode::kBadModel, path + ": not an nwave model (no nwave_config in the metadata)");
  ModelConfig config;
  try {
    config = nlohmann::json::parse(it->second).get<ModelConfig>();
  } catch (const nlohmann::json::exception& e) {
    throw Error(ErrorCode::kBadModel, path + ": unreadable nwave_config (" + std::string(e.what()) + ")");
  }
  try {
    config.validate();
  } catch (const Error& e) {
    throw Error(ErrorCode::kBadModel, path + ": " + e.what());
  }
  double file_weights = 0;
  for (const auto& [name, entry] : file.entries()) file_weights += static_cast<double>(entry.numel());
  if (min_weights(config) > file_weights)
    throw Error(ErrorCode::kBadModel, path + ": the model configuration needs more weights than the file holds");
  return config;
}

}  // namespace nwave

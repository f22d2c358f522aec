#include "model/model_io.h"

#include "nwave/error.h"
#include "util/error_line.h"

#include <cstdio>

namespace nwave {

std::map<std::string, torch::Tensor> module_tensors(const torch::nn::Module& module) {
  std::map<std::string, torch::Tensor> tensors;
  for (const auto& item : module.named_parameters(true)) tensors[item.key()] = item.value();
  for (const auto& item : module.named_buffers(true)) tensors[item.key()] = item.value();
  return tensors;
}

namespace {

bool ends_with(const std::string& name, const std::string& suffix) {
  return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

bool is_training_statistic(const std::string& name) {
  return ends_with(name, ".embed_sum") || ends_with(name, ".cluster_size");
}

void load_module_tensors(torch::nn::Module& module, const std::map<std::string, torch::Tensor>& tensors,
                         const std::string& origin, bool allow_missing_statistics) {
  auto targets = module_tensors(module);
  for (const auto& [name, source] : tensors)
    if (!targets.count(name)) throw Error(ErrorCode::kBadModel, origin + ": unexpected tensor '" + name + "'");
  torch::NoGradGuard no_grad;
  for (auto& [name, target] : targets) {
    auto it = tensors.find(name);
    if (it == tensors.end() && allow_missing_statistics && is_training_statistic(name)) continue;
    if (it == tensors.end()) throw Error(ErrorCode::kBadModel, origin + ": missing tensor '" + name + "'");
    if (it->second.sizes() != target.sizes())
      throw Error(ErrorCode::kBadModel, origin + ": tensor '" + name + "' has the wrong shape");
    target.copy_(it->second);
  }
  if (!allow_missing_statistics) return;
  // Re-derived statistics: every code counted once, the EMA sum equal to the code (a fine start for fine-tuning).
  for (auto& [name, target] : targets) {
    if (tensors.count(name) || !is_training_statistic(name)) continue;
    const std::string prefix = name.substr(0, name.rfind('.') + 1);
    if (ends_with(name, ".cluster_size"))
      target.fill_(1.0);
    else
      target.copy_(targets.at(prefix + "codebook"));
  }
}

namespace {

// 64-bit FNV-1a, fed the config, then each inference tensor (sorted by name) as float32: the same value whether the
// tensors come from a module or straight from a file.
class FingerprintHasher {
 public:
  explicit FingerprintHasher(const ModelConfig& config) {
    const std::string text = nlohmann::json(config).dump();
    mix(text.data(), text.size());
  }
  void add(const std::string& name, const torch::Tensor& tensor) {
    auto t = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
    mix(name.data(), name.size());
    for (int64_t d : t.sizes()) mix(&d, sizeof d);
    mix(t.data_ptr(), t.numel() * t.element_size());
  }
  uint64_t value() const { return hash_; }

 private:
  void mix(const void* data, size_t bytes) {
    const auto* p = static_cast<const uint8_t*>(data);
    for (size_t i = 0; i < bytes; ++i) hash_ = (hash_ ^ p[i]) * 1099511628211ULL;
  }
  uint64_t hash_ = 1469598103934665603ULL;
};

}  // namespace

uint64_t model_fingerprint(CodecModelImpl& model) {
  FingerprintHasher hasher(model.config());
  for (const auto& [name, tensor] : module_tensors(model))
    if (!is_training_statistic(name)) hasher.add(name, tensor);
  return hasher.value();
}

uint64_t model_fingerprint(const ModelConfig& config, SafetensorsReader& file) {
  FingerprintHasher hasher(config);
  for (const auto& [name, entry] : file.entries())
    if (!is_training_statistic(name)) hasher.add(name, file.read(name));
  return hasher.value();
}

std::string fingerprint_hex(uint64_t fingerprint) {
  char text[17];
  std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(fingerprint));
  return text;
}

void save_model(const std::string& path, CodecModelImpl& model, std::map<std::string, std::string> extra_metadata) {
  SafetensorsFile file;
  for (auto& [name, tensor] : module_tensors(model))
    if (!is_training_statistic(name)) file.tensors.emplace(name, tensor);
  file.metadata = std::move(extra_metadata);
  file.metadata["nwave_config"] = nlohmann::json(model.config()).dump();
  file.metadata["nwave_fingerprint"] = fingerprint_hex(model_fingerprint(model));
  file.metadata["format"] = "pt";
  save_safetensors(path, file);
}

namespace {

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

LoadedModel load_model(const std::string& path) {
  SafetensorsReader reader(path);
  const ModelConfig config = read_model_config(reader);
  auto file = reader.read_all();
  LoadedModel loaded;
  try {
    loaded.model = CodecModel(config);
    load_module_tensors(*loaded.model, file.tensors, path, /*allow_missing_statistics=*/true);
    loaded.model->eval();
    loaded.fingerprint = model_fingerprint(*loaded.model);
  } catch (const c10::Error& e) {
    throw Error(ErrorCode::kBadModel, path + ": " + torch_error_line(e));
  }
  loaded.metadata = std::move(file.metadata);
  return loaded;
}

}  // namespace nwave

#include "model/model_io.h"

#include "nwave/error.h"
#include "util/torch_error_line.h"

#include <cstdio>

namespace nwave {

std::map<std::string, torch::Tensor> module_tensors(const torch::nn::Module& module) {
  std::map<std::string, torch::Tensor> tensors;
  for (const auto& item : module.named_parameters(true)) tensors[item.key()] = item.value();
  for (const auto& item : module.named_buffers(true)) tensors[item.key()] = item.value();
  return tensors;
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
    if (name.compare(prefix.size(), std::string::npos, "cluster_size") == 0)
      target.fill_(1.0);
    else
      target.copy_(targets.at(prefix + "codebook"));
  }
}

uint64_t model_fingerprint(CodecModelImpl& model) {
  FingerprintHasher hasher(model.config());
  for (const auto& [name, tensor] : module_tensors(model))
    if (!is_training_statistic(name)) {
      auto t = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
      hasher.add(name, t.sizes().vec(), t.data_ptr<float>(), static_cast<size_t>(t.numel()));
    }
  return hasher.value();
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

LoadedModel load_model(const std::string& path) {
  SafetensorsReader reader(path);
  const ModelConfig config = read_model_config(reader);
  SafetensorsFile file = load_safetensors(path);
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

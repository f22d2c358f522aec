// Saving and loading codec models as safetensors: every parameter and buffer by its module path, the config as
// JSON in the metadata ("nwave_config"), so a weights file is self-describing.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <map>
#include <string>

#include "io/safetensors.h"
#include "model/codec_model.h"

namespace nwave {

struct LoadedModel {
  CodecModel model{nullptr};
  uint64_t fingerprint = 0;
  std::map<std::string, std::string> metadata;
};

// Parameters and buffers of a module by name (module paths joined with '.').
std::map<std::string, torch::Tensor> module_tensors(const torch::nn::Module& module);

// Training statistics (the EMA sums and counts of the codebooks) are needed to go on training, not to encode or
// decode: model files leave them out (a third of the default model's size), checkpoints keep them.
bool is_training_statistic(const std::string& tensor_name);

// Copies named tensors into a module; any missing, unexpected or mis-shaped tensor throws Error(kBadModel).
// With allow_missing_statistics, absent training statistics are re-derived from the codebooks instead.
void load_module_tensors(torch::nn::Module& module, const std::map<std::string, torch::Tensor>& tensors,
                         const std::string& origin, bool allow_missing_statistics = false);

// 64-bit FNV-1a over the config and every inference tensor's name, shape and bytes: identifies the weights a
// stream needs (training statistics do not change the codec, so they are not part of it).
uint64_t model_fingerprint(CodecModelImpl& model);
// The same value from a model file's tensors, read one at a time (no module built).
uint64_t model_fingerprint(const ModelConfig& config, SafetensorsReader& file);
std::string fingerprint_hex(uint64_t fingerprint);

// The file's nwave_config, validated, and checked to need no more weights than the file holds (a hostile config
// must not make anyone allocate gigabytes); problems throw Error(kBadModel) naming the file.
ModelConfig read_model_config(const SafetensorsReader& file);

void save_model(const std::string& path, CodecModelImpl& model, std::map<std::string, std::string> extra_metadata = {});
LoadedModel load_model(const std::string& path);

}  // namespace nwave

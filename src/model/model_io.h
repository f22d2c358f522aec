// Saving and loading codec models as safetensors: every parameter and buffer by its module path, the config as
// JSON in the metadata ("nwave_config"), so a weights file is self-describing.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <map>
#include <string>

#include "io/safetensors.h"
#include "model/codec_model.h"
#include "model/model_file.h"

namespace nwave {

struct LoadedModel {
  CodecModel model{nullptr};
  uint64_t fingerprint = 0;
  std::map<std::string, std::string> metadata;
};

// Parameters and buffers of a module by name (module paths joined with '.').
std::map<std::string, torch::Tensor> module_tensors(const torch::nn::Module& module);

// Copies named tensors into a module; any missing, unexpected or mis-shaped tensor throws Error(kBadModel).
// With allow_missing_statistics, absent training statistics are re-derived from the codebooks instead.
void load_module_tensors(torch::nn::Module& module, const std::map<std::string, torch::Tensor>& tensors,
                         const std::string& origin, bool allow_missing_statistics = false);

// The fingerprint (model_file.h) of a module's inference tensors: equal to that of the file save_model() writes.
uint64_t model_fingerprint(CodecModelImpl& model);

void save_model(const std::string& path, CodecModelImpl& model, std::map<std::string, std::string> extra_metadata = {});
LoadedModel load_model(const std::string& path);

}  // namespace nwave

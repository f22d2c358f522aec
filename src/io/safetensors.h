// The LibTorch side of the safetensors format (training, checkpoints, tests): writing tensors, and reading them as
// torch::Tensor through the LibTorch-free SafetensorsReader (io/safetensors_reader.h), so that weights written here
// load in the Python ecosystem as they are, and the other way round.
#pragma once
#include <torch/torch.h>

#include <map>
#include <string>

#include "io/safetensors_reader.h"

namespace nwave {

struct SafetensorsFile {
  std::map<std::string, torch::Tensor> tensors;      // contiguous CPU tensors
  std::map<std::string, std::string> metadata;       // the header's "__metadata__"
};

// Writes to path + ".tmp", flushes, then renames: a crash never leaves a partial file at path.
// Supported dtypes: float32, float64, float16, int64, int32, int16, uint8, bool.
void save_safetensors(const std::string& path, const SafetensorsFile& file);

// A contiguous CPU tensor with the file's dtype; an unknown name throws as SafetensorsReader::entry() does.
torch::Tensor read_tensor(SafetensorsReader& file, const std::string& name);

// Every tensor of the file at once (checkpoints, tests).
SafetensorsFile load_safetensors(const std::string& path);

}  // namespace nwave

// Reading and writing the safetensors format (8-byte little-endian header length, JSON header, raw tensor data),
// so that weights written here load in the Python ecosystem as they are, and the other way round.
#pragma once
#include <torch/torch.h>

#include <map>
#include <string>

namespace nwave {

struct SafetensorsFile {
  std::map<std::string, torch::Tensor> tensors;      // contiguous CPU tensors
  std::map<std::string, std::string> metadata;       // the header's "__metadata__"
};

// Writes to path + ".tmp", flushes, then renames: a crash never leaves a partial file at path.
// Supported dtypes: float32, float64, float16, int64, int32, int16, uint8, bool.
void save_safetensors(const std::string& path, const SafetensorsFile& file);

// Validates everything before trusting it (header size, JSON, dtypes, shapes against offsets, offsets against the
// file size); any problem throws nwave::Error(kBadModel) with a one-line message naming the file.
SafetensorsFile load_safetensors(const std::string& path);

}  // namespace nwave

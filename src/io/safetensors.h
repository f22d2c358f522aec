// Reading and writing the safetensors format (8-byte little-endian header length, JSON header, raw tensor data),
// so that weights written here load in the Python ecosystem as they are, and the other way round.
#pragma once
#include <torch/torch.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace nwave {

struct SafetensorsFile {
  std::map<std::string, torch::Tensor> tensors;      // contiguous CPU tensors
  std::map<std::string, std::string> metadata;       // the header's "__metadata__"
};

// Writes to path + ".tmp", flushes, then renames: a crash never leaves a partial file at path.
// Supported dtypes: float32, float64, float16, int64, int32, int16, uint8, bool.
void save_safetensors(const std::string& path, const SafetensorsFile& file);

// Reads tensors one at a time, so a consumer that converts weights (the inference engine) never holds the whole
// file. The constructor validates everything before trusting it (header size, JSON, dtypes, shapes against offsets,
// offsets against the file size, tensors tiling the data exactly); any problem throws nwave::Error(kBadModel) with a
// one-line message naming the file.
class SafetensorsReader {
 public:
  struct Entry {
    torch::Dtype dtype;
    std::vector<int64_t> shape;
    uint64_t begin = 0, end = 0;  // byte offsets in the data section
    int64_t numel() const;
  };

  explicit SafetensorsReader(const std::string& path);
  const std::string& path() const { return path_; }
  const std::map<std::string, std::string>& metadata() const { return metadata_; }
  const std::map<std::string, Entry>& entries() const { return entries_; }
  // An unknown name throws Error(kBadModel) naming the file and the tensor.
  const Entry& entry(const std::string& name) const;
  // A contiguous CPU tensor with the file's dtype; an unknown name throws as entry() does.
  torch::Tensor read(const std::string& name);
  SafetensorsFile read_all();

 private:
  std::string path_;
  std::ifstream in_;
  uint64_t data_start_ = 0;
  std::map<std::string, std::string> metadata_;
  std::map<std::string, Entry> entries_;
};

// Every tensor of the file at once (checkpoints, tests): SafetensorsReader(path).read_all().
SafetensorsFile load_safetensors(const std::string& path);

}  // namespace nwave

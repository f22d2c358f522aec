// What the runtime needs from a model file, without LibTorch: its validated configuration and its fingerprint.
// Model files are safetensors: every parameter and buffer by its module path, the config as JSON in the metadata
// ("nwave_config"), so a weights file is self-describing (the writer is model/model_io.h, training side).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "io/safetensors_reader.h"
#include "model/model_config.h"

namespace nwave {

// Training statistics (the EMA sums and counts of the codebooks) are needed to go on training, not to encode or
// decode: model files leave them out (a third of the default model's size), checkpoints keep them.
bool is_training_statistic(const std::string& tensor_name);

// 64-bit FNV-1a, fed the config, then each inference tensor (sorted by name) as float32: identifies the weights a
// stream needs (training statistics do not change the codec, so they are not part of it). The same value whether the
// tensors come from a module (model_io.h) or straight from a file.
class FingerprintHasher {
 public:
  explicit FingerprintHasher(const ModelConfig& config);
  void add(const std::string& name, const std::vector<int64_t>& shape, const float* data, size_t count);
  uint64_t value() const { return hash_; }

 private:
  void mix(const void* data, size_t bytes);
  uint64_t hash_ = 1469598103934665603ULL;
};

// The fingerprint from a model file's tensors, read one at a time (no module built).
uint64_t model_fingerprint(const ModelConfig& config, SafetensorsReader& file);
std::string fingerprint_hex(uint64_t fingerprint);

// The file's nwave_config, validated, and checked to need no more weights than the file holds (a hostile config
// must not make anyone allocate gigabytes); problems throw Error(kBadModel) naming the file.
ModelConfig read_model_config(const SafetensorsReader& file);

}  // namespace nwave

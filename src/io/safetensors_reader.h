// Reading the safetensors format (8-byte little-endian header length, JSON header, raw tensor data) without
// LibTorch: the runtime library loads models with it, so encoding and decoding never touch LibTorch. The writer and
// the LibTorch views of the tensors are in io/safetensors.h (training side).
#pragma once
#include <cstdint>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace nwave {

// The element types nwave reads and writes.
enum class TensorDtype { kF32, kF64, kF16, kI64, kI32, kI16, kU8, kBool };

size_t dtype_size(TensorDtype dtype);
const char* dtype_name(TensorDtype dtype);  // the format's name: "F32", "I64", ...

// Reads tensors one at a time, so a consumer that converts weights (the inference engine) never holds the whole
// file. The constructor validates everything before trusting it (header size, JSON, dtypes, shapes against offsets,
// offsets against the file size, tensors tiling the data exactly); any problem throws nwave::Error(kBadModel) with a
// one-line message naming the file.
class SafetensorsReader {
 public:
  struct Entry {
    TensorDtype dtype;
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
  // The tensor's raw bytes (the file's dtype, little-endian) into out, which must hold entry(name) bytes.
  void read_bytes(const std::string& name, void* out);
  // The tensor converted to float32, row-major.
  std::vector<float> read_floats(const std::string& name);

 private:
  std::string path_;
  std::ifstream in_;
  uint64_t data_start_ = 0;
  std::map<std::string, std::string> metadata_;
  std::map<std::string, Entry> entries_;
};

}  // namespace nwave

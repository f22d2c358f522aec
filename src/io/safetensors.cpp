#include "io/safetensors.h"

#include "util/atomic_file.h"
#include "nwave/error.h"

#include <nlohmann/json.hpp>

namespace nwave {

namespace {

struct DtypePair {
  TensorDtype file;
  torch::Dtype torch;
};

constexpr DtypePair kDtypes[] = {
    {TensorDtype::kF32, torch::kFloat32}, {TensorDtype::kF64, torch::kFloat64}, {TensorDtype::kF16, torch::kFloat16},
    {TensorDtype::kI64, torch::kInt64},   {TensorDtype::kI32, torch::kInt32},   {TensorDtype::kI16, torch::kInt16},
    {TensorDtype::kU8, torch::kUInt8},    {TensorDtype::kBool, torch::kBool},
};

TensorDtype file_dtype(torch::Dtype dtype) {
  for (const auto& d : kDtypes)
    if (d.torch == dtype) return d.file;
  throw Error(ErrorCode::kBadArgument, "safetensors: unsupported tensor dtype");
}

torch::Dtype torch_dtype(TensorDtype dtype) {
  for (const auto& d : kDtypes)
    if (d.file == dtype) return d.torch;
  throw Error(ErrorCode::kBadArgument, "safetensors: unsupported tensor dtype");
}

}  // namespace

void save_safetensors(const std::string& path, const SafetensorsFile& file) {
  nlohmann::json header = nlohmann::json::object();
  if (!file.metadata.empty()) header["__metadata__"] = file.metadata;
  std::vector<torch::Tensor> ordered;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : file.tensors) {  // std::map: sorted names, so the bytes are deterministic
    auto t = tensor.detach().to(torch::kCPU).contiguous();
    const uint64_t bytes = t.numel() * t.element_size();
    header[name] = {{"dtype", dtype_name(file_dtype(t.scalar_type()))},
                    {"shape", t.sizes().vec()},
                    {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
    ordered.push_back(t);
  }
  std::string json = header.dump();
  json.append((8 - json.size() % 8) % 8, ' ');  // keeps the data 8-byte aligned, as the reference writer does

  AtomicFile out(path);
  uint8_t length[8];
  for (int i = 0; i < 8; ++i) length[i] = static_cast<uint8_t>(static_cast<uint64_t>(json.size()) >> (8 * i));
  out.write(length, 8);
  out.write(json.data(), json.size());
  for (const auto& t : ordered) out.write(t.data_ptr(), t.numel() * t.element_size());
  out.commit();
}

torch::Tensor read_tensor(SafetensorsReader& file, const std::string& name) {
  const SafetensorsReader::Entry& e = file.entry(name);
  auto tensor = torch::empty(e.shape, torch::TensorOptions().dtype(torch_dtype(e.dtype)));
  file.read_bytes(name, tensor.data_ptr());
  return tensor;
}

SafetensorsFile load_safetensors(const std::string& path) {
  SafetensorsReader reader(path);
  SafetensorsFile result;
  result.metadata = reader.metadata();
  for (const auto& [name, entry] : reader.entries()) result.tensors.emplace(name, read_tensor(reader, name));
  return result;
}

}  // namespace nwave

#include "io/safetensors.h"

#include "util/atomic_file.h"
#include "nwave/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>

namespace nwave {

namespace {

struct DtypeName {
  torch::Dtype dtype;
  const char* name;
};

constexpr DtypeName kDtypes[] = {
    {torch::kFloat32, "F32"}, {torch::kFloat64, "F64"}, {torch::kFloat16, "F16"}, {torch::kInt64, "I64"},
    {torch::kInt32, "I32"},   {torch::kInt16, "I16"},   {torch::kUInt8, "U8"},    {torch::kBool, "BOOL"},
};

const char* dtype_name(torch::Dtype dtype) {
  for (const auto& d : kDtypes)
    if (d.dtype == dtype) return d.name;
  throw Error(ErrorCode::kBadArgument, "safetensors: unsupported tensor dtype");
}

torch::Dtype dtype_from_name(const std::string& name, const std::string& path) {
  for (const auto& d : kDtypes)
    if (name == d.name) return d.dtype;
  throw Error(ErrorCode::kBadModel, path + ": unsupported tensor dtype '" + name + "'");
}

[[noreturn]] void bad(const std::string& path, const std::string& what) {
  throw Error(ErrorCode::kBadModel, path + ": not a valid safetensors file (" + what + ")");
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
    header[name] = {{"dtype", dtype_name(t.scalar_type())},
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

int64_t SafetensorsReader::Entry::numel() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

SafetensorsReader::SafetensorsReader(const std::string& path) : path_(path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw Error(ErrorCode::kIo, "cannot open model file '" + path + "': is a directory");
  in_.open(path, std::ios::binary);
  if (!in_) throw Error(ErrorCode::kIo, "cannot open model file '" + path + "'");
  in_.seekg(0, std::ios::end);
  const std::streamoff end = in_.tellg();
  if (end < 0) throw Error(ErrorCode::kIo, "cannot read model file '" + path + "' (not a regular file?)");
  const auto file_size = static_cast<uint64_t>(end);
  in_.seekg(0);
  uint8_t length_bytes[8];
  if (file_size < 8 || !in_.read(reinterpret_cast<char*>(length_bytes), 8)) bad(path, "shorter than 8 bytes");
  uint64_t header_size = 0;
  for (int i = 0; i < 8; ++i) header_size |= static_cast<uint64_t>(length_bytes[i]) << (8 * i);
  if (header_size < 2 || header_size > 100'000'000 || header_size > file_size - 8) bad(path, "header size out of range");

  std::string json_text(header_size, '\0');
  if (!in_.read(json_text.data(), static_cast<std::streamsize>(header_size))) bad(path, "truncated header");
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::exception&) {
    bad(path, "header is not JSON");
  }
  if (!header.is_object()) bad(path, "header is not a JSON object");

  data_start_ = 8 + header_size;
  const uint64_t data_size = file_size - data_start_;
  std::vector<std::pair<uint64_t, uint64_t>> spans;
  for (const auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      if (!entry.is_object()) bad(path, "__metadata__ is not an object");
      for (const auto& [key, value] : entry.items()) {
        if (!value.is_string()) bad(path, "metadata value is not a string");
        metadata_[key] = value.get<std::string>();
      }
      continue;
    }
    if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") || !entry.contains("data_offsets"))
      bad(path, "entry '" + name + "' lacks dtype, shape or data_offsets");
    const auto& dtype_json = entry["dtype"];
    const auto& shape_json = entry["shape"];
    const auto& offsets_json = entry["data_offsets"];
    if (!dtype_json.is_string() || !shape_json.is_array() || !offsets_json.is_array() || offsets_json.size() != 2 ||
        !offsets_json[0].is_number_unsigned() || !offsets_json[1].is_number_unsigned())
      bad(path, "entry '" + name + "' is malformed");
    Entry e;
    e.dtype = dtype_from_name(dtype_json.get<std::string>(), path);
    uint64_t numel = 1;
    for (const auto& dim : shape_json) {
      if (!dim.is_number_unsigned() || dim.get<uint64_t>() > (1ULL << 40)) bad(path, "entry '" + name + "' has a bad shape");
      e.shape.push_back(dim.get<int64_t>());
      numel *= dim.get<uint64_t>();
      if (numel > (1ULL << 40)) bad(path, "entry '" + name + "' is too large");
    }
    e.begin = offsets_json[0].get<uint64_t>();
    e.end = offsets_json[1].get<uint64_t>();
    const uint64_t element = torch::elementSize(e.dtype);
    if (e.begin > e.end || e.end > data_size || e.end - e.begin != numel * element)
      bad(path, "entry '" + name + "' has offsets that do not match its shape or the file size");
    spans.emplace_back(e.begin, e.end);
    entries_.emplace(name, std::move(e));
  }
  // The format requires the tensors to tile the data section exactly: no holes, no overlaps.
  std::sort(spans.begin(), spans.end());
  uint64_t expected = 0;
  for (const auto& [begin, end] : spans) {
    if (begin != expected) bad(path, "tensor data has holes or overlaps");
    expected = end;
  }
  if (expected != data_size) bad(path, "trailing bytes after the tensor data");
}

const SafetensorsReader::Entry& SafetensorsReader::entry(const std::string& name) const {
  auto it = entries_.find(name);
  if (it == entries_.end()) throw Error(ErrorCode::kBadModel, path_ + ": missing tensor '" + name + "'");
  return it->second;
}

torch::Tensor SafetensorsReader::read(const std::string& name) {
  const Entry& e = entry(name);
  auto tensor = torch::empty(e.shape, torch::TensorOptions().dtype(e.dtype));
  in_.clear();
  in_.seekg(static_cast<std::streamoff>(data_start_ + e.begin));
  // The header was checked against the file's size when opened; a file truncated since then fails here.
  if (e.end > e.begin && !in_.read(static_cast<char*>(tensor.data_ptr()), static_cast<std::streamsize>(e.end - e.begin)))
    bad(path_, "truncated data for '" + name + "'");
  return tensor;
}

SafetensorsFile SafetensorsReader::read_all() {
  SafetensorsFile result;
  result.metadata = metadata_;
  for (const auto& [name, entry] : entries_) result.tensors.emplace(name, read(name));
  return result;
}

SafetensorsFile load_safetensors(const std::string& path) { return SafetensorsReader(path).read_all(); }

}  // namespace nwave

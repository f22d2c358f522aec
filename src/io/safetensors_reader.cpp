#include "io/safetensors_reader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>

#include "nwave/error.h"

namespace nwave {

namespace {

struct DtypeInfo {
  TensorDtype dtype;
  const char* name;
  size_t size;
};

constexpr DtypeInfo kDtypes[] = {
    {TensorDtype::kF32, "F32", 4}, {TensorDtype::kF64, "F64", 8}, {TensorDtype::kF16, "F16", 2},
    {TensorDtype::kI64, "I64", 8}, {TensorDtype::kI32, "I32", 4}, {TensorDtype::kI16, "I16", 2},
    {TensorDtype::kU8, "U8", 1},   {TensorDtype::kBool, "BOOL", 1},
};

const DtypeInfo& info(TensorDtype dtype) {
  for (const auto& d : kDtypes)
    if (d.dtype == dtype) return d;
  return kDtypes[0];  // unreachable: every enumerator is listed
}

TensorDtype dtype_from_name(const std::string& name, const std::string& path) {
  for (const auto& d : kDtypes)
    if (name == d.name) return d.dtype;
  throw Error(ErrorCode::kBadModel, path + ": unsupported tensor dtype '" + name + "'");
}

[[noreturn]] void bad(const std::string& path, const std::string& what) {
  throw Error(ErrorCode::kBadModel, path + ": not a valid safetensors file (" + what + ")");
}

// IEEE half to float, exactly (every half is a float).
float half_to_float(uint16_t h) {
  const int sign = h >> 15, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  float magnitude;
  if (exponent == 0)
    magnitude = std::ldexp(static_cast<float>(mantissa), -24);
  else if (exponent == 31)
    magnitude = mantissa ? NAN : INFINITY;
  else
    magnitude = std::ldexp(static_cast<float>(mantissa | 0x400), exponent - 25);
  return sign ? -magnitude : magnitude;
}

template <typename T>
void convert(const std::vector<uint8_t>& bytes, std::vector<float>& out) {
  for (size_t i = 0; i < out.size(); ++i) {
    T v;
    std::memcpy(&v, bytes.data() + i * sizeof(T), sizeof(T));
    out[i] = static_cast<float>(v);
  }
}

}  // namespace

size_t dtype_size(TensorDtype dtype) { return info(dtype).size; }
const char* dtype_name(TensorDtype dtype) { return info(dtype).name; }

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
    if (e.begin > e.end || e.end > data_size || e.end - e.begin != numel * dtype_size(e.dtype))
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

void SafetensorsReader::read_bytes(const std::string& name, void* out) {
  const Entry& e = entry(name);
  in_.clear();
  in_.seekg(static_cast<std::streamoff>(data_start_ + e.begin));
  // The header was checked against the file's size when opened; a file truncated since then fails here.
  if (e.end > e.begin && !in_.read(static_cast<char*>(out), static_cast<std::streamsize>(e.end - e.begin)))
    bad(path_, "truncated data for '" + name + "'");
}

std::vector<float> SafetensorsReader::read_floats(const std::string& name) {
  const Entry& e = entry(name);
  std::vector<float> out(static_cast<size_t>(e.numel()));
  if (e.dtype == TensorDtype::kF32) {
    read_bytes(name, out.data());
    return out;
  }
  std::vector<uint8_t> bytes(e.end - e.begin);
  read_bytes(name, bytes.data());
  switch (e.dtype) {
    case TensorDtype::kF32: break;
    case TensorDtype::kF64: convert<double>(bytes, out); break;
    case TensorDtype::kI64: convert<int64_t>(bytes, out); break;
    case TensorDtype::kI32: convert<int32_t>(bytes, out); break;
    case TensorDtype::kI16: convert<int16_t>(bytes, out); break;
    case TensorDtype::kU8: convert<uint8_t>(bytes, out); break;
    case TensorDtype::kBool:
      for (size_t i = 0; i < out.size(); ++i) out[i] = bytes[i] ? 1.0f : 0.0f;
      break;
    case TensorDtype::kF16:
      for (size_t i = 0; i < out.size(); ++i) out[i] = half_to_float(static_cast<uint16_t>(bytes[2 * i] | bytes[2 * i + 1] << 8));
      break;
  }
  return out;
}

}  // namespace nwave

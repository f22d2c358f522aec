#include "bitstream/npy_writer.h"

#include "util/atomic_file.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <limits>
#include <vector>

#include "nwave/error.h"

namespace nwave::bitstream {

namespace {

size_t item_bytes(NpyDtype dtype) {
  switch (dtype) {
    case NpyDtype::kInt16: return 2;
    case NpyDtype::kInt32: return 4;
    case NpyDtype::kInt64:
    case NpyDtype::kUInt64: return 8;
  }
  return 8;
}

// Throws unless v fits the dtype (kUInt64 takes any bit pattern).
void check_fits(int64_t v, NpyDtype dtype, const char* function) {
  const bool fits = dtype == NpyDtype::kInt16   ? v >= std::numeric_limits<int16_t>::min() && v <= std::numeric_limits<int16_t>::max()
                    : dtype == NpyDtype::kInt32 ? v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max()
                                                : true;
  if (!fits)
    throw Error(ErrorCode::kBadArgument, std::string(function) + ": value " + std::to_string(v) + " does not fit " +
                                             (dtype == NpyDtype::kInt16 ? "int16; use int32" : "int32"));
}

// Appends n values as little-endian two's complement bytes of the dtype's width: correct on any host.
template <typename T>
void append_values(const T* values, size_t n, size_t item, std::vector<char>& out) {
  for (size_t i = 0; i < n; ++i) {
    const auto v = static_cast<uint64_t>(values[i]);
    for (size_t b = 0; b < item; ++b) out.push_back(static_cast<char>((v >> (8 * b)) & 0xFF));
  }
}

}  // namespace

std::string npy_header(const std::vector<size_t>& shape, NpyDtype dtype) {
  const char* descr = dtype == NpyDtype::kInt16   ? "<i2"
                      : dtype == NpyDtype::kInt32 ? "<i4"
                      : dtype == NpyDtype::kInt64 ? "<i8"
                                                  : "<u8";
  std::string dims;
  for (size_t d : shape) dims += std::to_string(d) + ", ";
  if (shape.size() > 1) dims.resize(dims.size() - 2);  // "(5, 100)"; a 1-d shape keeps Python's "(5,)" comma
  if (shape.size() == 1) dims.pop_back();
  std::string dict = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Prefix: 6 magic + 2 version + 2 length bytes. Pad so prefix + dict + '\n' is a multiple of 64.
  const size_t prefix = 10;
  size_t total = prefix + dict.size() + 1;
  const size_t padded = (total + 63) / 64 * 64;
  dict.append(padded - total, ' ');
  dict.push_back('\n');
  const size_t header_len = dict.size();  // < 200 bytes for any 2-d size_t shape, so it fits version 1.0's u16
  std::string out("\x93NUMPY\x01\x00", 8);
  out.push_back(static_cast<char>(header_len & 0xFF));
  out.push_back(static_cast<char>((header_len >> 8) & 0xFF));
  out += dict;
  return out;
}

void write_npy(const std::string& path, const int32_t* data, size_t rows, size_t cols, NpyDtype dtype) {
  if (cols != 0 && rows > std::numeric_limits<size_t>::max() / cols / 4) {
    throw Error(ErrorCode::kBadArgument, "write_npy: array too large");
  }
  const size_t count = rows * cols;
  if (count > 0 && data == nullptr) throw Error(ErrorCode::kBadArgument, "write_npy: null data");
  for (size_t i = 0; i < count; ++i) check_fits(data[i], dtype, "write_npy");

  // One temp-and-rename implementation for every writer (util/atomic_file.h): nothing partial at path on failure,
  // and a full disk is reported with its reason.
  AtomicFile out(path);
  const std::string header = npy_header(rows, cols, dtype);
  out.write(header.data(), header.size());
  // In bounded chunks: no copy of the whole array.
  std::vector<char> chunk;
  constexpr size_t kChunkValues = 1 << 16;
  for (size_t start = 0; start < count; start += kChunkValues) {
    chunk.clear();
    append_values(data + start, std::min(kChunkValues, count - start), item_bytes(dtype), chunk);
    out.write(chunk.data(), chunk.size());
  }
  out.commit();
}

std::vector<uint8_t> npy_bytes(const std::vector<int64_t>& values, const std::vector<size_t>& shape, NpyDtype dtype) {
  size_t count = 1;
  for (size_t d : shape) count *= d;
  if (count != values.size()) throw Error(ErrorCode::kBadArgument, "npy_bytes: the shape does not match the values");
  for (int64_t v : values) check_fits(v, dtype, "npy_bytes");
  const std::string header = npy_header(shape, dtype);
  std::vector<char> bytes(header.begin(), header.end());
  append_values(values.data(), values.size(), item_bytes(dtype), bytes);
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

}  // namespace nwave::bitstream

#include "bitstream/npy_writer.h"

#include "util/atomic_file.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <limits>
#include <vector>

#include "nwave/error.h"

namespace nwave::bitstream {

std::string npy_header(size_t rows, size_t cols, NpyDtype dtype) {
  const char* descr = dtype == NpyDtype::kInt16 ? "<i2" : "<i4";
  std::string dict = std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': (" +
                     std::to_string(rows) + ", " + std::to_string(cols) + "), }";
  // Prefix: 6 magic + 2 version + 2 length bytes. Pad so prefix + dict + '\n' is a multiple of 64.
  const size_t prefix = 10;
  size_t total = prefix + dict.size() + 1;
  const size_t padded = (total + 63) / 64 * 64;
  dict.append(padded - total, ' ');
  dict.push_back('\n');
  const size_t header_len = dict.size();  // < 200 bytes for any size_t shape, so it fits version 1.0's u16
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
  const size_t item = dtype == NpyDtype::kInt16 ? 2 : 4;
  if (dtype == NpyDtype::kInt16) {
    for (size_t i = 0; i < count; ++i) {
      if (data[i] < std::numeric_limits<int16_t>::min() || data[i] > std::numeric_limits<int16_t>::max()) {
        throw Error(ErrorCode::kBadArgument, "write_npy: value " + std::to_string(data[i]) +
                                                 " does not fit int16; use int32");
      }
    }
  }

  // One temp-and-rename implementation for every writer (util/atomic_file.h): nothing partial at path on failure,
  // and a full disk is reported with its reason.
  AtomicFile out(path);
  const std::string header = npy_header(rows, cols, dtype);
  out.write(header.data(), header.size());
  // Explicit little-endian bytes, in bounded chunks: correct on any host and no copy of the whole array.
  std::vector<char> chunk;
  constexpr size_t kChunkValues = 1 << 16;
  for (size_t start = 0; start < count; start += kChunkValues) {
    const size_t n = std::min(kChunkValues, count - start);
    chunk.resize(n * item);
    for (size_t i = 0; i < n; ++i) {
      const uint32_t v = static_cast<uint32_t>(data[start + i]);  // two's complement bytes
      for (size_t b = 0; b < item; ++b) chunk[i * item + b] = static_cast<char>((v >> (8 * b)) & 0xFF);
    }
    out.write(chunk.data(), chunk.size());
  }
  out.commit();
}

}  // namespace nwave::bitstream

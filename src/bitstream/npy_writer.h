// Writes integer arrays as NumPy .npy data (format version 1.0), the interchange format of `nwave tokens`: np.load()
// and torch.from_numpy() read them with no conversion.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace nwave::bitstream {

enum class NpyDtype {
  kInt16,   // '<i2': enough for codebooks of up to 2^15 entries
  kInt32,   // '<i4'
  kInt64,   // '<i8': lengths
  kUInt64,  // '<u8': model fingerprints
};

// The .npy header for a C-order array of the given shape (empty: a 0-d scalar): magic "\x93NUMPY", version 1.0, u16
// LE header length, then the dict "{'descr': '<i2', 'fortran_order': False, 'shape': (rows, cols), }" padded with
// spaces and ended by '\n' so that the whole header is a multiple of 64 bytes, as NumPy itself writes it.
std::string npy_header(const std::vector<size_t>& shape, NpyDtype dtype);
inline std::string npy_header(size_t rows, size_t cols, NpyDtype dtype) { return npy_header({rows, cols}, dtype); }

// Writes data[r * cols + c] (C order) as a little-endian .npy file. The file is written to `path + ".tmp"` and
// renamed over `path` only when complete, so a failure never leaves a partial file. Throws kBadArgument if a value
// does not fit the dtype (or data is null with rows * cols > 0), kIo if the file cannot be written or renamed.
void write_npy(const std::string& path, const int32_t* data, size_t rows, size_t cols, NpyDtype dtype);

// A complete .npy file in memory (for .npz members): the values (C order; for kUInt64 read as uint64_t bit patterns)
// of an array of the given shape. Throws kBadArgument if a value does not fit the dtype.
std::vector<uint8_t> npy_bytes(const std::vector<int64_t>& values, const std::vector<size_t>& shape, NpyDtype dtype);

}  // namespace nwave::bitstream

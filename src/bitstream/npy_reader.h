// Reads NumPy .npy arrays of integers from bytes (format versions 1.0, 2.0 and 3.0): the token arrays `nwave decode`
// takes back, whether `nwave tokens` wrote them or a Python program did (np.save, np.savez). The bytes are
// untrusted: anything malformed is an Error(kCorruptStream) with a one-line reason, never a crash or a huge
// allocation.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace nwave::bitstream {

struct NpyArray {
  std::vector<size_t> shape;    // empty for a 0-d array (a scalar, as np.savez stores a Python int)
  // C order, whatever the file's order. Unsigned 8-byte values keep their bit pattern: those above INT64_MAX (a
  // model fingerprint may be one) come out negative, and a caller expecting small values refuses them as such.
  std::vector<int64_t> values;
};

// Parses a complete .npy file. Accepted element types: signed and unsigned integers of 1, 2, 4 and 8 bytes, either
// byte order. An array of more than max_values elements is refused before anything is allocated. `what` names the
// array in messages.
NpyArray parse_npy(const uint8_t* bytes, size_t size, const std::string& what, size_t max_values);

}  // namespace nwave::bitstream

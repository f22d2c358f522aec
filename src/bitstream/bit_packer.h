// Fixed-width bit packing of codebook indices: the payload encoding of .nwv packets (see docs/FORMAT.md).
//
// Order is LSB-first: value i occupies stream bits [i*width, (i+1)*width), value bit 0 first, and stream bit k
// is bit (k % 8) of byte k / 8 (bit 0 = least significant). The last byte is padded with zero bits.
// LSB-first lets both sides work with a plain shift register and no bit reversal, and it is the order
// NumPy's np.unpackbits(..., bitorder='little') uses, which makes independent decoders easy to write.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace nwave::bitstream {

constexpr unsigned kMinCodeBits = 1;
constexpr unsigned kMaxCodeBits = 16;

// Bytes needed for `count` values of `width` bits: ceil(count * width / 8). Throws kBadArgument when width is
// outside [1, 16] or the bit count would overflow size_t.
size_t packed_size_bytes(size_t count, unsigned width);

// Appends the packing of values[0..count) to `out` (packed_size_bytes(count, width) bytes). Throws kBadArgument
// when width is outside [1, 16] or a value does not fit in `width` bits; `out` is left unchanged then.
void pack_codes(const uint16_t* values, size_t count, unsigned width, std::vector<uint8_t>& out);

// Convenience form returning a fresh buffer.
std::vector<uint8_t> pack_codes(const std::vector<uint16_t>& values, unsigned width);

// Unpacks `count` values of `width` bits from bytes[0..byte_count) into out[0..count). byte_count must be at least
// packed_size_bytes(count, width) (kBadArgument otherwise); extra bytes are ignored.
void unpack_codes(const uint8_t* bytes, size_t byte_count, size_t count, unsigned width, uint16_t* out);

// Convenience form returning a fresh vector.
std::vector<uint16_t> unpack_codes(const std::vector<uint8_t>& bytes, size_t count, unsigned width);

// True when the padding bits after `count` values of `width` bits (the unused high bits of the last byte) are all
// zero, as every writer must produce. Readers use it to reject damage that a CRC would also catch, but earlier.
bool padding_is_zero(const uint8_t* bytes, size_t byte_count, size_t count, unsigned width);

}  // namespace nwave::bitstream

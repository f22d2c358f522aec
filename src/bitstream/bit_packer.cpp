#include "bitstream/bit_packer.h"

#include <limits>
#include <string>

#include "nwave/error.h"

namespace nwave::bitstream {
namespace {

void check_width(unsigned width) {
  if (width < kMinCodeBits || width > kMaxCodeBits) {
    throw Error(ErrorCode::kBadArgument,
                "code width " + std::to_string(width) + " bits is outside [1, 16]");
  }
}

}  // namespace

size_t packed_size_bytes(size_t count, unsigned width) {
  check_width(width);
  // count * width must not wrap around; width <= 16 so dividing the limit by 16 is enough and exact enough.
  if (count > std::numeric_limits<size_t>::max() / kMaxCodeBits) {
    throw Error(ErrorCode::kBadArgument, "too many codes to pack: " + std::to_string(count));
  }
  const size_t bits = count * width;
  return bits / 8 + (bits % 8 != 0 ? 1 : 0);
}

void pack_codes(const uint16_t* values, size_t count, unsigned width, std::vector<uint8_t>& out) {
  const size_t bytes = packed_size_bytes(count, width);
  const uint32_t limit = 1u << width;  // values must be < 2^width
  // Validate before touching `out` so a rejected call leaves it unchanged.
  for (size_t i = 0; i < count; ++i) {
    if (values[i] >= limit) {
      throw Error(ErrorCode::kBadArgument, "code " + std::to_string(values[i]) + " at index " +
                                               std::to_string(i) + " does not fit in " +
                                               std::to_string(width) + " bits");
    }
  }
  const size_t base = out.size();
  out.resize(base + bytes);
  uint8_t* dst = out.data() + base;
  // Shift register: new values enter above the bits already held; whole bytes leave from the bottom.
  // At most 7 + 16 bits are ever held, so 32 bits suffice.
  uint32_t acc = 0;
  unsigned held = 0;
  for (size_t i = 0; i < count; ++i) {
    acc |= static_cast<uint32_t>(values[i]) << held;
    held += width;
    while (held >= 8) {
      *dst++ = static_cast<uint8_t>(acc & 0xFFu);
      acc >>= 8;
      held -= 8;
    }
  }
  if (held > 0) *dst++ = static_cast<uint8_t>(acc & 0xFFu);  // high bits are zero: the padding
}

std::vector<uint8_t> pack_codes(const std::vector<uint16_t>& values, unsigned width) {
  std::vector<uint8_t> out;
  pack_codes(values.data(), values.size(), width, out);
  return out;
}

void unpack_codes(const uint8_t* bytes, size_t byte_count, size_t count, unsigned width, uint16_t* out) {
  const size_t needed = packed_size_bytes(count, width);
  if (byte_count < needed) {
    throw Error(ErrorCode::kBadArgument, "unpacking " + std::to_string(count) + " codes of " +
                                             std::to_string(width) + " bits needs " + std::to_string(needed) +
                                             " bytes, got " + std::to_string(byte_count));
  }
  const uint32_t mask = (1u << width) - 1u;
  uint32_t acc = 0;
  unsigned held = 0;
  const uint8_t* src = bytes;
  for (size_t i = 0; i < count; ++i) {
    // Refill only as far as needed, so we never read past `needed` bytes.
    while (held < width) {
      acc |= static_cast<uint32_t>(*src++) << held;
      held += 8;
    }
    out[i] = static_cast<uint16_t>(acc & mask);
    acc >>= width;
    held -= width;
  }
}

std::vector<uint16_t> unpack_codes(const std::vector<uint8_t>& bytes, size_t count, unsigned width) {
  std::vector<uint16_t> out(count);
  unpack_codes(bytes.data(), bytes.size(), count, width, out.data());
  return out;
}

bool padding_is_zero(const uint8_t* bytes, size_t byte_count, size_t count, unsigned width) {
  const size_t needed = packed_size_bytes(count, width);
  if (byte_count < needed) {
    throw Error(ErrorCode::kBadArgument, "padding check: buffer shorter than the packed codes");
  }
  const unsigned used_in_last = static_cast<unsigned>((count * width) % 8);
  if (used_in_last == 0) return true;  // no padding: the codes end on a byte boundary
  const uint8_t last = bytes[needed - 1];
  return (last >> used_in_last) == 0;
}

}  // namespace nwave::bitstream

#include "bitstream/crc32.h"

#include <zlib.h>

#include <algorithm>
#include <limits>

namespace nwave::bitstream {

uint32_t crc32_update(uint32_t crc, const uint8_t* data, size_t size) {
  // zlib takes the length as uInt (32 bits): feed larger buffers in slices.
  uLong value = crc;
  while (size > 0) {
    const size_t slice = std::min<size_t>(size, std::numeric_limits<uInt>::max());
    value = ::crc32(value, reinterpret_cast<const Bytef*>(data), static_cast<uInt>(slice));
    data += slice;
    size -= slice;
  }
  return static_cast<uint32_t>(value);
}

uint32_t crc32(const uint8_t* data, size_t size) { return crc32_update(0, data, size); }

}  // namespace nwave::bitstream

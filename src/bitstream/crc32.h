// CRC-32 as used by zlib, gzip, PNG and Ethernet (IEEE 802.3: reflected polynomial 0xEDB88320, initial value
// 0xFFFFFFFF, final XOR 0xFFFFFFFF; CRC-32 of "123456789" is 0xCBF43926). It protects the .nwv header and packets.
// A thin wrapper over zlib so the table and the fast paths are zlib's, well tested, and not ours.
#pragma once
#include <cstddef>
#include <cstdint>

namespace nwave::bitstream {

// CRC-32 of data[0..size).
uint32_t crc32(const uint8_t* data, size_t size);

// Continues a CRC-32: crc32_update(crc32(a), b) == crc32(a followed by b). Start from 0 for an empty prefix.
uint32_t crc32_update(uint32_t crc, const uint8_t* data, size_t size);

}  // namespace nwave::bitstream

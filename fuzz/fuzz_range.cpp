// libFuzzer target for the range decoder and the packet context model (src/bitstream/range_coder.cpp,
// packet_entropy_coder.cpp): the payload of an entropy-coded .nwv packet, decoded with a layout taken from the
// first 4 input bytes (bits 1..12, codebooks 1..32, frames 1..1024).
// Oracle beyond "no crash, no overrun": the decoder only fails with kCorruptStream and a one-line message; every
// decoded code fits in its bits; what it accepts re-encodes to a payload that decodes to the same codes.
// Torch-free: built from the two coder sources and src/error.cpp only.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "bitstream/packet_entropy_coder.h"
#include "nwave/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  const unsigned bits = 1 + data[0] % nwave::bitstream::kMaxEntropyCodeBits;
  const unsigned codebooks = 1 + data[1] % 32;
  const size_t frames = 1 + ((data[2] | data[3] << 8) % 1024);
  const uint8_t* payload = data + 4;
  const size_t length = size - 4;
  std::vector<uint16_t> codes(frames * codebooks);
  try {
    nwave::bitstream::entropy_decode_packet(payload, length, frames, codebooks, bits, codes.data());
  } catch (const nwave::Error& e) {
    if (e.code() != nwave::ErrorCode::kCorruptStream) std::abort();
    if (std::strchr(e.what(), '\n') != nullptr) std::abort();
    return 0;
  }
  for (uint16_t c : codes)
    if (c >> bits) std::abort();
  const std::vector<uint8_t> again = nwave::bitstream::entropy_encode_packet(codes.data(), frames, codebooks, bits);
  std::vector<uint16_t> back(codes.size());
  nwave::bitstream::entropy_decode_packet(again.data(), again.size(), frames, codebooks, bits, back.data());
  if (back != codes) std::abort();
  return 0;
}

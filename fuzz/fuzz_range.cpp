// libFuzzer target for the range decoder and the packet context model (src/bitstream/range_coder.cpp,
// packet_entropy_coder.cpp): the payload of an entropy-coded .nwv packet, decoded with a layout taken from the
// first 4 input bytes (bits 1..12, codebooks 1..32, frames 1..256).
// Oracle beyond "no crash, no overrun": the decoder only fails with kCorruptStream and a one-line message; every
// decoded code fits in its bits; what it accepts re-encodes to a payload that decodes to the same codes.
// Torch-free: built from the two coder sources and src/error.cpp only.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "bitstream/packet_entropy_coder.h"
#include "nwave/error.h"

// scripts/make_fuzz_corpus.sh: NWAVE_FUZZ_WRITE_SEEDS=DIR writes valid inputs (layout bytes + payload) to DIR.
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* dir = std::getenv("NWAVE_FUZZ_WRITE_SEEDS");
  if (!dir) return 0;
  struct Seed {
    unsigned bits, codebooks, frames, period;
  };
  for (const Seed& s : {Seed{10, 5, 250, 3}, Seed{10, 8, 40, 1}, Seed{1, 3, 17, 2}, Seed{12, 2, 100, 5}}) {
    std::vector<uint16_t> codes(s.frames * s.codebooks);
    for (size_t i = 0; i < codes.size(); ++i)  // runs of repeats and a few distinct values
      codes[i] = static_cast<uint16_t>(((i / s.codebooks / s.period) * 37 + i % s.codebooks * 11) % (1u << s.bits));
    const std::vector<uint8_t> payload =
        nwave::bitstream::entropy_encode_packet(codes.data(), s.frames, s.codebooks, s.bits);
    // Layout bytes chosen so that LLVMFuzzerTestOneInput decodes them back to (bits, codebooks, frames).
    const uint8_t layout[4] = {static_cast<uint8_t>(s.bits - 1), static_cast<uint8_t>(s.codebooks - 1),
                               static_cast<uint8_t>((s.frames - 1) & 0xFF), static_cast<uint8_t>((s.frames - 1) >> 8)};
    std::ofstream out(std::string(dir) + "/b" + std::to_string(s.bits) + "_n" + std::to_string(s.codebooks) + "_f" +
                          std::to_string(s.frames) + ".range",
                      std::ios::binary);
    out.write(reinterpret_cast<const char*>(layout), 4);
    out.write(reinterpret_cast<const char*>(payload.data()), static_cast<std::streamsize>(payload.size()));
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 4) return 0;
  const unsigned bits = 1 + data[0] % nwave::bitstream::kMaxEntropyCodeBits;
  const unsigned codebooks = 1 + data[1] % 32;
  const size_t frames = 1 + ((data[2] | data[3] << 8) % 256);
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

// libopus as a reference codec for `nwave eval --opus`: what users would pick today at the same bitrates.
#pragma once
#include <cstddef>
#include <vector>

namespace nwave::eval {

struct OpusResult {
  std::vector<float> decoded;  // 16 kHz, time-aligned with the input and of the same length
  size_t encoded_bytes = 0;    // sum of all packet sizes (no container overhead)
};

// Encodes and decodes 16 kHz mono audio with libopus: VOIP application, at most wideband, 20 ms frames, constant
// bitrate. The encoder's lookahead is compensated so decoded[i] corresponds to x16k[i].
// Throws Error(kBadArgument) for a bitrate outside libopus' 500..512000 bit/s.
OpusResult opus_roundtrip(const std::vector<float>& x16k, int bitrate_bps);

}  // namespace nwave::eval

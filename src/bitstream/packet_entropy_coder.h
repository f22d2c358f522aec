// Entropy coding of one .nwv packet's codes: an adaptive context model driving the range coder (range_coder.h).
// docs/FORMAT.md ("Entropy-coded packets") specifies the model; this file is the reference implementation.
//
// The model, per codebook c (0 = coarsest), restarted at every packet so each packet decodes on its own:
// - from the packet's second frame on, a binary "repeat" decision: is the code equal to the same codebook's code in
//   the previous frame? Its adaptive probability is chosen by two facts already known to the decoder: whether the
//   coarser codebook (c - 1) repeated in this frame, and whether this codebook repeated in the previous frame.
//   Silence, steady vowels and the fine codebooks of an unchanged coarse code repeat; everything else rarely does.
// - otherwise the code itself, from an adaptive frequency table of the codebook (every code starts at count 1 and
//   gains kFrequencyIncrement each time it is coded), with the previous frame's code excluded: it is known not to
//   repeat.
//
// Why adaptive and not tables learned from the training corpus: the tables would be tied to one set of weights (a
// retrained model would silently code worse, or need new tables shipped and fingerprinted beside every model),
// and an adaptive model costs nothing to maintain. The saving it achieves is measured in docs/FORMAT.md.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace nwave::bitstream {

// Codes wider than this are not entropy coded (their frequency tables would not fit the coder's 2^16 total).
constexpr unsigned kMaxEntropyCodeBits = 12;
constexpr uint32_t kFrequencyIncrement = 4;  // small: a packet holds only ~250 codes per codebook (tuned on speech, docs/FORMAT.md)

// Range-codes `frames` frames of frame-major codes [frames][codebooks] (each < 2^bits, bits <= 12).
std::vector<uint8_t> entropy_encode_packet(const uint16_t* codes, size_t frames, unsigned codebooks, unsigned bits);

// Decodes a payload written by entropy_encode_packet into out[0 .. frames * codebooks). Throws
// Error(kCorruptStream) if the payload is not exactly such an encoding (too short, bytes left over, impossible
// values); never reads outside payload[0 .. size).
void entropy_decode_packet(const uint8_t* payload, size_t size, size_t frames, unsigned codebooks, unsigned bits,
                           uint16_t* out);

}  // namespace nwave::bitstream

#include "bitstream/packet_entropy_coder.h"

#include <algorithm>
#include <array>
#include <string>

#include "bitstream/range_coder.h"
#include "nwave/error.h"

namespace nwave::bitstream {
namespace {

// Context of a repeat decision: what codebook c - 1 did in this frame, what codebook c did in the previous frame.
enum class Repeat : uint8_t { kNo = 0, kYes = 1, kUnknown = 2 };

// The adaptive state of one codebook within one packet. Counts are also summed per block of kBlock symbols, so
// that finding a cumulative count costs ~ alphabet / kBlock + kBlock steps instead of the alphabet size.
class CodebookModel {
 public:
  explicit CodebookModel(unsigned bits)
      : counts_(size_t{1} << bits, 1),
        blocks_((counts_.size() + kBlock - 1) / kBlock, 0),
        total_(1u << bits) {
    for (size_t s = 0; s < counts_.size(); ++s) blocks_[s / kBlock] += 1;
  }

  BitProbability& repeat_probability(Repeat coarser, Repeat previous) {
    return repeat_[static_cast<size_t>(coarser)][static_cast<size_t>(previous)];
  }

  // Cumulative count of `symbol` and the table total, leaving out `excluded` (pass a value >= the alphabet size
  // to exclude nothing).
  uint32_t cumulative(uint32_t symbol, uint32_t excluded) const {
    uint32_t sum = 0;
    const uint32_t block = symbol / kBlock;
    for (uint32_t b = 0; b < block; ++b) sum += blocks_[b];
    for (uint32_t s = block * kBlock; s < symbol; ++s) sum += counts_[s];
    return excluded < symbol ? sum - counts_[excluded] : sum;
  }
  uint32_t total(uint32_t excluded) const { return total_ - (excluded < counts_.size() ? counts_[excluded] : 0); }
  uint32_t count(uint32_t symbol) const { return counts_[symbol]; }

  // The symbol whose interval (in the table without `excluded`) contains `value`; sets its cumulative count.
  uint32_t find(uint32_t value, uint32_t excluded, uint32_t& cumulative) const {
    uint32_t sum = 0;
    const bool excluding = excluded < counts_.size();
    for (uint32_t b = 0; b < blocks_.size(); ++b) {
      const uint32_t in_block = blocks_[b] - (excluding && excluded / kBlock == b ? counts_[excluded] : 0);
      if (value >= sum + in_block) {
        sum += in_block;
        continue;
      }
      const uint32_t end = std::min<uint32_t>((b + 1) * kBlock, static_cast<uint32_t>(counts_.size()));
      for (uint32_t s = b * kBlock; s < end; ++s) {
        if (s == excluded) continue;
        if (value < sum + counts_[s]) {
          cumulative = sum;
          return s;
        }
        sum += counts_[s];
      }
    }
    throw Error(ErrorCode::kCorruptStream, "range-coded payload holds an impossible value");  // value >= total
  }

  void learn(uint32_t symbol) {
    counts_[symbol] += kFrequencyIncrement;
    blocks_[symbol / kBlock] += kFrequencyIncrement;
    total_ += kFrequencyIncrement;
    if (total_ > kMaxFrequencyTotal) {  // halve, keeping every count >= 1
      total_ = 0;
      std::fill(blocks_.begin(), blocks_.end(), 0);
      for (size_t s = 0; s < counts_.size(); ++s) {
        counts_[s] = (counts_[s] + 1) / 2;
        blocks_[s / kBlock] += counts_[s];
        total_ += counts_[s];
      }
    }
  }

 private:
  static constexpr uint32_t kBlock = 32;

  std::array<std::array<BitProbability, 3>, 3> repeat_{};
  std::vector<uint32_t> counts_;
  std::vector<uint32_t> blocks_;  // blocks_[b] = sum of counts_[b * kBlock .. (b + 1) * kBlock)
  uint32_t total_;
};

void check_layout(unsigned codebooks, unsigned bits) {
  if (bits < 1 || bits > kMaxEntropyCodeBits || codebooks < 1)
    throw Error(ErrorCode::kBadArgument, "entropy coding needs 1 to " + std::to_string(kMaxEntropyCodeBits) +
                                             "-bit codes and at least one codebook (got " + std::to_string(codebooks) +
                                             " codebooks of " + std::to_string(bits) + " bits)");
}

// Walks a packet in coding order, calling code_one(frame, codebook, model, coarser, previous), which codes one
// code and returns whether it repeated. Both
// directions share it so that the context logic exists once.
template <typename CodeOne>
void walk_packet(size_t frames, unsigned codebooks, unsigned bits, CodeOne code_one) {
  std::vector<CodebookModel> models(codebooks, CodebookModel(bits));
  std::vector<Repeat> previous(codebooks, Repeat::kUnknown), current(codebooks, Repeat::kUnknown);
  for (size_t f = 0; f < frames; ++f) {
    for (unsigned c = 0; c < codebooks; ++c) {
      const Repeat coarser = c > 0 ? current[c - 1] : Repeat::kUnknown;
      current[c] = code_one(f, c, models[c], coarser, previous[c]);
    }
    previous.swap(current);
  }
}

}  // namespace

std::vector<uint8_t> entropy_encode_packet(const uint16_t* codes, size_t frames, unsigned codebooks, unsigned bits) {
  check_layout(codebooks, bits);
  RangeEncoder encoder;
  const uint32_t none = 1u << bits;
  walk_packet(frames, codebooks, bits,
              [&](size_t f, unsigned c, CodebookModel& model, Repeat coarser, Repeat previous) {
                const uint32_t symbol = codes[f * codebooks + c];
                uint32_t excluded = none;
                if (f > 0) {
                  const uint32_t before = codes[(f - 1) * codebooks + c];
                  const unsigned repeat = symbol == before ? 1 : 0;
                  encoder.encode_bit(model.repeat_probability(coarser, previous), repeat);
                  if (repeat) return Repeat::kYes;
                  excluded = before;
                }
                encoder.encode_frequency(model.cumulative(symbol, excluded), model.count(symbol),
                                         model.total(excluded));
                model.learn(symbol);
                return f > 0 ? Repeat::kNo : Repeat::kUnknown;
              });
  return encoder.finish();
}

void entropy_decode_packet(const uint8_t* payload, size_t size, size_t frames, unsigned codebooks, unsigned bits,
                           uint16_t* out) {
  check_layout(codebooks, bits);
  RangeDecoder decoder(payload, size);
  const uint32_t none = 1u << bits;
  walk_packet(frames, codebooks, bits,
              [&](size_t f, unsigned c, CodebookModel& model, Repeat coarser, Repeat previous) {
                uint16_t& symbol = out[f * codebooks + c];
                uint32_t excluded = none;
                if (f > 0) {
                  const uint16_t before = out[(f - 1) * codebooks + c];
                  if (decoder.decode_bit(model.repeat_probability(coarser, previous))) {
                    symbol = before;
                    return Repeat::kYes;
                  }
                  excluded = before;
                }
                uint32_t cumulative = 0;
                const uint32_t value = decoder.peek_frequency(model.total(excluded));
                const uint32_t s = model.find(value, excluded, cumulative);
                decoder.consume(cumulative, model.count(s));
                model.learn(s);
                symbol = static_cast<uint16_t>(s);
                return f > 0 ? Repeat::kNo : Repeat::kUnknown;
              });
  if (!decoder.at_end()) throw Error(ErrorCode::kCorruptStream, "range-coded payload has bytes after its last code");
}

}  // namespace nwave::bitstream

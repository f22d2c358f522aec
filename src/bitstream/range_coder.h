// A byte-oriented range coder (arithmetic coding with 32-bit integer arithmetic): the entropy coder of .nwv
// version 2 packets. docs/FORMAT.md ("Range coder") specifies it step by step; this file is the reference.
//
// Why this design: it is the LZMA range coder (Igor Pavlov), a well-studied construction with carry propagation
// through a one-byte cache, so the encoder never needs to renormalise by bit stuffing and the decoder is a dozen
// lines. Only integer operations on uint32/uint64 are used, so encoder and decoder agree on every machine.
// Two kinds of symbol share one coder: adaptive binary decisions (a 12-bit probability) and symbols from a
// frequency table (cumulative counts with a total of at most 2^16).
//
// The stream is exactly 4 + (number of renormalisation shifts) bytes: the decoder can check that it consumed the
// whole payload and no more, so one encoding per content and truncation or padding is detected.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace nwave::bitstream {

constexpr unsigned kProbabilityBits = 12;              // binary probabilities are P(bit = 0) in 1/4096
constexpr uint32_t kProbabilityOne = 1u << kProbabilityBits;
constexpr unsigned kProbabilityAdaptShift = 4;         // p moves 1/16 of the way to the observed bit
constexpr uint32_t kMaxFrequencyTotal = 1u << 16;      // frequency tables must sum to at most this

// An adaptive binary probability: P(bit = 0) in units of 1/4096, starting at 1/2.
struct BitProbability {
  uint16_t p0 = kProbabilityOne / 2;
  void update(unsigned bit) {
    if (bit == 0)
      p0 = static_cast<uint16_t>(p0 + ((kProbabilityOne - p0) >> kProbabilityAdaptShift));
    else
      p0 = static_cast<uint16_t>(p0 - (p0 >> kProbabilityAdaptShift));
  }
};

class RangeEncoder {
 public:
  // Codes `bit` with probability `prob` and adapts it.
  void encode_bit(BitProbability& prob, unsigned bit);
  // Codes the symbol occupying [cumulative, cumulative + frequency) of a table summing to `total`
  // (0 < frequency, cumulative + frequency <= total <= kMaxFrequencyTotal; not checked).
  void encode_frequency(uint32_t cumulative, uint32_t frequency, uint32_t total);
  // Flushes the coder and returns the bytes; the encoder must not be used afterwards.
  std::vector<uint8_t> finish();

 private:
  void normalize();
  void shift_low();

  uint64_t low_ = 0;
  uint32_t range_ = 0xFFFFFFFFu;
  uint8_t cache_ = 0;
  uint64_t cache_size_ = 1;
  bool first_byte_ = true;  // LZMA's first output byte is always 0; it is not stored
  std::vector<uint8_t> out_;
};

// Decodes what RangeEncoder wrote. Every method throws Error(kCorruptStream) for data no encoder can produce
// (reading past the end, a value outside the frequency table), so a damaged payload can never loop or overrun.
class RangeDecoder {
 public:
  RangeDecoder(const uint8_t* data, size_t size);
  unsigned decode_bit(BitProbability& prob);
  // Returns the value v in [0, total) that locates the next symbol: the caller finds the symbol whose
  // [cumulative, cumulative + frequency) contains v, then must call consume() with that interval.
  uint32_t peek_frequency(uint32_t total);
  void consume(uint32_t cumulative, uint32_t frequency);
  // True when every byte was consumed (a well-formed payload ends exactly where its last symbol does).
  bool at_end() const { return pos_ == size_; }

 private:
  uint8_t next_byte();
  void normalize();

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  uint32_t range_ = 0xFFFFFFFFu;
  uint32_t code_ = 0;
  uint32_t scale_ = 0;  // range_ / total of the pending frequency decode
};

}  // namespace nwave::bitstream

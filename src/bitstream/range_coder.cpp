#include "bitstream/range_coder.h"

#include "nwave/error.h"

namespace nwave::bitstream {
namespace {

constexpr uint32_t kTopValue = 1u << 24;  // renormalise when the range falls below this: 8 more bits at a time

}  // namespace

// ---------------------------------------------------------------------------------------------------- encoder

void RangeEncoder::shift_low() {
  // The top byte of low is final unless a later carry can still reach it; bytes of 0xFF wait in the cache
  // (cache_size_) until the carry is known.
  if (static_cast<uint32_t>(low_) < 0xFF000000u || (low_ >> 32) != 0) {
    const uint8_t carry = static_cast<uint8_t>(low_ >> 32);
    uint8_t byte = cache_;
    do {
      if (!first_byte_) out_.push_back(static_cast<uint8_t>(byte + carry));
      first_byte_ = false;
      byte = 0xFF;
    } while (--cache_size_ != 0);
    cache_ = static_cast<uint8_t>(low_ >> 24);
  }
  ++cache_size_;
  low_ = (low_ & 0x00FFFFFFu) << 8;
}

void RangeEncoder::normalize() {
  while (range_ < kTopValue) {
    range_ <<= 8;
    shift_low();
  }
}

void RangeEncoder::encode_bit(BitProbability& prob, unsigned bit) {
  const uint32_t bound = (range_ >> kProbabilityBits) * prob.p0;
  if (bit == 0) {
    range_ = bound;
  } else {
    low_ += bound;
    range_ -= bound;
  }
  prob.update(bit);
  normalize();
}

void RangeEncoder::encode_frequency(uint32_t cumulative, uint32_t frequency, uint32_t total) {
  const uint32_t scale = range_ / total;
  low_ += static_cast<uint64_t>(scale) * cumulative;
  range_ = scale * frequency;
  normalize();
}

std::vector<uint8_t> RangeEncoder::finish() {
  for (int i = 0; i < 5; ++i) shift_low();
  return std::move(out_);
}

// ---------------------------------------------------------------------------------------------------- decoder

RangeDecoder::RangeDecoder(const uint8_t* data, size_t size) : data_(data), size_(size) {
  for (int i = 0; i < 4; ++i) code_ = (code_ << 8) | next_byte();
}

uint8_t RangeDecoder::next_byte() {
  if (pos_ == size_) throw Error(ErrorCode::kCorruptStream, "range-coded payload ends too early");
  return data_[pos_++];
}

void RangeDecoder::normalize() {
  while (range_ < kTopValue) {
    range_ <<= 8;
    code_ = (code_ << 8) | next_byte();
  }
}

unsigned RangeDecoder::decode_bit(BitProbability& prob) {
  const uint32_t bound = (range_ >> kProbabilityBits) * prob.p0;
  unsigned bit;
  if (code_ < bound) {
    range_ = bound;
    bit = 0;
  } else {
    code_ -= bound;
    range_ -= bound;
    bit = 1;
  }
  prob.update(bit);
  normalize();
  return bit;
}

uint32_t RangeDecoder::peek_frequency(uint32_t total) {
  scale_ = range_ / total;
  const uint32_t value = code_ / scale_;
  // An encoder only ever leaves code below scale * total: anything else is damage.
  if (value >= total) throw Error(ErrorCode::kCorruptStream, "range-coded payload holds an impossible value");
  return value;
}

void RangeDecoder::consume(uint32_t cumulative, uint32_t frequency) {
  code_ -= scale_ * cumulative;
  range_ = scale_ * frequency;
  normalize();
}

}  // namespace nwave::bitstream

#include "bitstream/nwv_loss_tolerant_reader.h"

#include <algorithm>

#include "bitstream/crc32.h"

namespace nwave::bitstream {

NwvLossTolerantReader::NwvLossTolerantReader(const uint8_t* data, size_t size) : data_(data), size_(size) {
  header_ = decode_header(data, size);
  packet_count_ = packet_count(header_);
  pos_ = kNwvHeaderSize;
  budget_ = 16 * static_cast<uint64_t>(size) + 4096;
}

bool NwvLossTolerantReader::read_at(size_t pos, uint64_t index, std::vector<uint16_t>& codes, size_t& size) {
  if (pos > size_) return false;
  const size_t available = size_ - pos;
  if (header_.entropy_coded) {
    if (available < kEntropyPacketOverhead) return false;
    size = entropy_packet_bytes(header_, index, data_ + pos);
  } else {
    size = fixed_packet_bytes(header_, index);
  }
  return size != 0 && size <= available && check_packet(header_, index, data_ + pos, size, codes).empty();
}

bool NwvLossTolerantReader::resynchronise(uint64_t damaged) {
  // Candidate indices (damaged, last): all full packets share one size rule, the last packet may be shorter, so a
  // position is first checked once per size rule, and only a plausible prefix is hashed and tried per index.
  const uint64_t last = std::min(packet_count_, damaged + 1 + kMaxResyncGap);
  const uint64_t final_index = packet_count_ - 1;
  const bool final_is_short = packet_frames(header_, final_index) < header_.frames_per_packet;
  const uint64_t full_end = final_is_short ? std::min(last, final_index) : last;  // full packets: [damaged + 1, full_end)
  struct Range {
    uint64_t first, end;
  };
  const Range ranges[2] = {{damaged + 1, full_end}, {final_is_short ? std::max({full_end, final_index, damaged + 1}) : last, last}};
  std::vector<uint16_t> codes;
  // From pos_ itself: when packets are missing, a later one starts where the damaged one should have.
  for (size_t p = pos_; p + kEntropyPacketOverhead <= size_ && budget_ > 0; ++p) {
    --budget_;
    for (const Range& r : ranges) {
      if (r.first >= r.end) continue;
      const size_t bytes = entropy_packet_bytes(header_, r.first, data_ + p);
      if (bytes == 0 || bytes > size_ - p) continue;
      const size_t body = bytes - 4;
      const uint32_t body_crc = crc32(data_ + p, body);
      budget_ -= std::min<uint64_t>(budget_, body);
      const uint8_t* stored = data_ + p + body;
      const uint32_t want = static_cast<uint32_t>(stored[0]) | static_cast<uint32_t>(stored[1]) << 8 |
                            static_cast<uint32_t>(stored[2]) << 16 | static_cast<uint32_t>(stored[3]) << 24;
      for (uint64_t j = r.first; j < r.end; ++j) {
        uint8_t index_bytes[4];
        for (int b = 0; b < 4; ++b) index_bytes[b] = static_cast<uint8_t>(j >> (8 * b));
        if (crc32_update(body_crc, index_bytes, 4) != want) continue;
        size_t size = 0;
        if (!read_at(p, j, codes, size)) continue;  // CRC right but the payload does not decode: keep looking
        found_ = true;
        found_index_ = j;
        found_pos_ = p;
        return true;
      }
    }
  }
  return false;
}

bool NwvLossTolerantReader::next_packet(std::vector<uint16_t>& codes, size_t& frames, bool& lost) {
  codes.clear();
  if (index_ == packet_count_) return false;
  const uint64_t index = index_++;
  frames = packet_frames(header_, index);
  size_t size = 0;
  lost = true;
  if (!header_.entropy_coded) {
    // Every packet but the last is full, so packet i starts at header + i * (full packet size).
    const uint64_t pos = kNwvHeaderSize + index * fixed_packet_bytes(header_, 0);
    lost = pos > size_ || !read_at(static_cast<size_t>(pos), index, codes, size);
  } else if (found_) {
    // Packets between a damaged one and the one found by resynchronising are lost (all of them when none was
    // found: found_index_ is then packet_count_).
    if (found_index_ == index) {
      found_ = false;
      read_at(found_pos_, index, codes, size);  // verified when found; read again for its codes and size
      pos_ = found_pos_ + size;
      lost = false;
    }
  } else if (read_at(pos_, index, codes, size)) {
    pos_ += size;
    lost = false;
  } else if (!resynchronise(index)) {
    found_ = true;
    found_index_ = packet_count_;
  }
  if (lost) {
    codes.clear();
    ++lost_;
  }
  return true;
}

}  // namespace nwave::bitstream

// Reads a .nwv file held in memory past damaged or missing packets, for `nwave decode --conceal`: every packet
// comes out either intact (verified exactly as NwvReader does) or marked lost, so the caller can conceal it and
// the decoded audio keeps its length. The header must be intact: without it nothing can be located.
//
// Finding packets after damage:
// - fixed-width layout: packet i starts at a position the header determines, so a damaged packet costs only itself;
// - entropy-coded layout: packets have their own lengths, so a damaged length field hides where the next packet
//   starts. The reader then scans forward byte by byte from where the damaged packet starts for a position where a packet of a later index verifies
//   (plausible length and coding, CRC over it and its index). A false match needs a 32-bit CRC collision on top of
//   a plausible prefix. The scan tries up to kMaxResyncGap indices ahead and hashes and scans at most 16 times the file size
//   (plus 4 KiB) in all, so hostile input cannot make it slow; past the budget, the rest is lost.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "bitstream/nwv_format.h"

namespace nwave::bitstream {

constexpr uint64_t kMaxResyncGap = 256;  // packets (8.5 min at the default 2 s per packet)

class NwvLossTolerantReader {
 public:
  // Parses the header; throws Error(kCorruptStream) if it is damaged (nothing can be concealed then). The bytes
  // must outlive the reader.
  NwvLossTolerantReader(const uint8_t* data, size_t size);

  const StreamHeader& header() const { return header_; }

  // Returns false once every packet has been returned. Otherwise sets `frames` to the packet's frame count and
  // either fills `codes` (frame-major) with lost = false, or leaves `codes` empty with lost = true.
  bool next_packet(std::vector<uint16_t>& codes, size_t& frames, bool& lost);

  uint64_t lost_packets() const { return lost_; }
  uint64_t total_packets() const { return packet_count_; }

 private:
  bool read_at(size_t pos, uint64_t index, std::vector<uint16_t>& codes, size_t& size);
  // Looks for a packet after `damaged` that verifies, starting at pos_; sets found_* and returns true if any.
  bool resynchronise(uint64_t damaged);

  const uint8_t* data_;
  size_t size_;
  StreamHeader header_;
  uint64_t packet_count_ = 0;
  uint64_t index_ = 0;          // next packet to return
  size_t pos_ = 0;              // entropy layout: where packet index_ should start
  uint64_t found_index_ = 0;    // entropy layout: a later packet found by resynchronising (found_ set)
  size_t found_pos_ = 0;
  bool found_ = false;
  uint64_t budget_ = 0;         // bytes the resynchronising scan may still hash
  uint64_t lost_ = 0;
};

}  // namespace nwave::bitstream

// libFuzzer target for the .nwv container reader (src/bitstream/nwv_format.cpp), versions 1 and 2 (fixed-width
// and entropy-coded packets): decode_header, NwvReader over a seekable stream (size checked against the header up
// front) and over an unseekable one (size learnt while reading), and NwvLossTolerantReader (`decode --conceal`).
// Oracle beyond "no crash": anything the reader accepts must re-encode with NwvWriter to the same header and codes
// (for fixed-width files to exactly the input bytes: that layout has one encoding per content); every code must
// fit in codebook_bits; the loss-tolerant reader returns every frame of every file whose header is intact, and on
// accepted input loses nothing and returns the same codes.
// Torch-free: built from src/bitstream and src/error.cpp only.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

#include "bitstream/crc32.h"
#include "bitstream/nwv_format.h"
#include "bitstream/nwv_loss_tolerant_reader.h"
#include "nwave/error.h"

namespace {

using nwave::bitstream::NwvReader;
using nwave::bitstream::NwvWriter;
using nwave::bitstream::StreamHeader;

// An istream over memory that refuses to seek, like a pipe.
class PipeBuf : public std::streambuf {
 public:
  PipeBuf(const uint8_t* data, size_t size) {
    char* p = const_cast<char*>(reinterpret_cast<const char*>(data));
    setg(p, p, p + size);
  }

 protected:
  pos_type seekoff(off_type, std::ios_base::seekdir, std::ios_base::openmode) override { return pos_type(-1); }
  pos_type seekpos(pos_type, std::ios_base::openmode) override { return pos_type(-1); }
};

// Reads a whole stream; returns false if the reader rejected it (with an Error of kCorruptStream).
bool read_all(std::istream& in, StreamHeader& header, std::vector<uint16_t>& all) {
  try {
    NwvReader reader(in);
    header = reader.header();
    std::vector<uint16_t> codes;
    size_t frames = 0;
    const uint32_t limit = 1u << header.codebook_bits;
    while (reader.next_packet(codes, frames)) {
      if (codes.size() != frames * header.num_codebooks) std::abort();
      for (uint16_t c : codes)
        if (c >= limit) std::abort();
      all.insert(all.end(), codes.begin(), codes.end());
    }
    if (reader.packets_read() != reader.total_packets()) std::abort();
    return true;
  } catch (const nwave::Error& e) {
    if (e.code() != nwave::ErrorCode::kCorruptStream) std::abort();  // readers only ever report corrupt streams
    if (std::strchr(e.what(), '\n') != nullptr) std::abort();        // messages are one line
    return false;
  }
}

// Recomputes the header CRC and every packet CRC the (possibly lying) header implies, so that mutations reach the
// range checks, size checks and the code unpacking behind the CRCs instead of stopping at the first CRC.
std::string with_fixed_crcs(const uint8_t* data, size_t size) {
  std::string b(reinterpret_cast<const char*>(data), size);
  if (size < nwave::bitstream::kNwvHeaderSize) return b;
  auto* p = reinterpret_cast<uint8_t*>(b.data());
  auto put32 = [](uint8_t* at, uint32_t v) {
    for (int i = 0; i < 4; ++i) at[i] = static_cast<uint8_t>(v >> (8 * i));
  };
  put32(p + 48, nwave::bitstream::crc32(p, 48));
  StreamHeader h;
  try {
    h = nwave::bitstream::decode_header(p, size);
  } catch (const nwave::Error&) {
    return b;
  }
  size_t pos = nwave::bitstream::kNwvHeaderSize;
  for (uint64_t i = 0; i < nwave::bitstream::packet_count(h); ++i) {
    uint8_t index[4];
    put32(index, static_cast<uint32_t>(i));
    if (h.entropy_coded) {  // length and coding as they are, CRC over them and the payload, then the index
      if (size - pos < 5) break;
      const size_t length = p[pos] | p[pos + 1] << 8 | p[pos + 2] << 16 | static_cast<size_t>(p[pos + 3]) << 24;
      if (length > size - pos - 5 || size - pos - 5 - length < 4) break;
      const uint32_t crc = nwave::bitstream::crc32_update(nwave::bitstream::crc32(p + pos, 5 + length), index, 4);
      put32(p + pos + 5 + length, crc);
      pos += 5 + length + 4;
      continue;
    }
    const size_t payload = nwave::bitstream::packet_payload_bytes(h, nwave::bitstream::packet_frames(h, i));
    if (payload + 4 > size - pos) break;
    put32(p + pos + payload, nwave::bitstream::crc32_update(nwave::bitstream::crc32(index, 4), p + pos, payload));
    pos += payload + 4;
  }
  return b;
}

void check(const uint8_t* data, size_t size);

}  // namespace

// scripts/make_fuzz_corpus.sh: NWAVE_FUZZ_WRITE_SEEDS=DIR writes version 2 entropy-coded seed files to DIR (the
// Python part of that script writes the fixed-width ones byte by byte).
extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* dir = std::getenv("NWAVE_FUZZ_WRITE_SEEDS");
  if (!dir) return 0;
  struct Seed {
    const char* name;
    uint32_t bits, codebooks, frames_per_packet, frames, period;
  };
  for (const Seed& s : {Seed{"v2_speechlike", 10, 5, 50, 120, 3}, Seed{"v2_incompressible", 10, 4, 20, 30, 0},
                        Seed{"v2_one_bit", 1, 3, 8, 20, 2}, Seed{"v2_wide_fixed", 14, 1, 10, 15, 1}}) {
    StreamHeader h;
    h.codebook_bits = s.bits;
    h.num_codebooks = s.codebooks;
    h.frames_per_packet = s.frames_per_packet;
    h.entropy_coded = true;
    std::vector<uint16_t> codes(s.frames * s.codebooks);
    uint32_t x = 12345;
    for (size_t i = 0; i < codes.size(); ++i) {
      x = x * 1103515245u + 12345u;  // period 0: pseudo-random codes, which do not compress
      const uint32_t v = s.period ? (i / s.codebooks / s.period) * 37 + i % s.codebooks * 11 : x >> 8;
      codes[i] = static_cast<uint16_t>(v % (1u << s.bits));
    }
    std::ofstream out(std::string(dir) + "/" + s.name + ".nwv", std::ios::binary);
    NwvWriter writer(out, h);
    writer.write_frames(codes.data(), s.frames);
    writer.finish(static_cast<uint64_t>(s.frames) * h.hop - 7);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  check(data, size);
  // Also the input with every CRC made right: lying length and range fields behind a valid CRC.
  if (size >= nwave::bitstream::kNwvHeaderSize) {
    const std::string fixed = with_fixed_crcs(data, size);
    check(reinterpret_cast<const uint8_t*>(fixed.data()), fixed.size());
  }
  return 0;
}

namespace {

// Reads with NwvLossTolerantReader: returns the packets lost (-1 if the header was refused, -2 if it claims too many
// frames to walk through here), the codes of the
// packets that survived, and the frames returned in all (which must be the header's frame_count).
int64_t tolerant_read(const uint8_t* data, size_t size, std::vector<uint16_t>& codes, size_t& frames_total) {
  codes.clear();
  frames_total = 0;
  try {
    nwave::bitstream::NwvLossTolerantReader reader(data, size);
    // A header may (with a valid CRC) claim 2^40 frames; concealing them all is correct but takes hours.
    if (reader.header().frame_count > (1u << 12)) return -2;
    std::vector<uint16_t> packet;
    size_t frames = 0;
    bool lost = false;
    const uint32_t limit = 1u << reader.header().codebook_bits;
    while (reader.next_packet(packet, frames, lost)) {
      if (lost != packet.empty()) std::abort();
      for (uint16_t c : packet)
        if (c >= limit) std::abort();
      codes.insert(codes.end(), packet.begin(), packet.end());
      frames_total += frames;
    }
    if (frames_total != reader.header().frame_count) std::abort();
    return static_cast<int64_t>(reader.lost_packets());
  } catch (const nwave::Error& e) {
    if (e.code() != nwave::ErrorCode::kCorruptStream) std::abort();
    return -1;
  }
}

void check(const uint8_t* data, size_t size) {
  {
    std::vector<uint16_t> codes;
    size_t frames = 0;
    tolerant_read(data, size, codes, frames);  // damaged input: must not crash, must return every frame
  }
  try {
    (void)nwave::bitstream::decode_header(data, size);
  } catch (const nwave::Error&) {
  }

  const std::string bytes(reinterpret_cast<const char*>(data), size);
  std::istringstream seekable(bytes, std::ios::binary);
  StreamHeader header;
  std::vector<uint16_t> codes;
  const bool ok = read_all(seekable, header, codes);

  PipeBuf buf(data, size);
  std::istream pipe(&buf);
  StreamHeader header2;
  std::vector<uint16_t> codes2;
  const bool ok2 = read_all(pipe, header2, codes2);
  // Both paths must agree on acceptance and on content.
  if (ok != ok2) std::abort();
  if (!ok) return;
  if (header != header2 || codes != codes2) std::abort();

  // Round trip: what was read re-encodes to the same content; for fixed width, to the very same bytes.
  std::ostringstream out(std::ios::binary);
  NwvWriter writer(out, header);
  const size_t frames = header.frame_count;
  if (frames > 0) writer.write_frames(codes.data(), frames);
  writer.finish(header.original_samples);
  if (!header.entropy_coded && out.str() != bytes) std::abort();
  std::istringstream again(out.str(), std::ios::binary);
  StreamHeader header3;
  std::vector<uint16_t> codes3;
  if (!read_all(again, header3, codes3) || header3 != header || codes3 != codes) std::abort();

  // Accepted input loses nothing in the loss-tolerant reader either.
  size_t total = 0;
  if (tolerant_read(data, size, codes3, total) != 0 || codes3 != codes) std::abort();
}

}  // namespace

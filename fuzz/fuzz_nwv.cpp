// libFuzzer target for the .nwv container reader (src/bitstream/nwv_format.cpp): decode_header, NwvReader over a
// seekable stream (size checked against the header up front) and over an unseekable one (size learnt while reading).
// Oracle beyond "no crash": anything the reader accepts must re-encode with NwvWriter to exactly the input bytes
// (the format has one encoding per content), and every code must fit in codebook_bits.
// Torch-free: built from src/bitstream and src/error.cpp only.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

#include "bitstream/crc32.h"
#include "bitstream/nwv_format.h"
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
    const size_t payload = nwave::bitstream::packet_payload_bytes(h, nwave::bitstream::packet_frames(h, i));
    if (payload + 4 > size - pos) break;
    std::vector<uint8_t> buf(4 + payload);
    put32(buf.data(), static_cast<uint32_t>(i));
    std::memcpy(buf.data() + 4, p + pos, payload);
    put32(p + pos + payload, nwave::bitstream::crc32(buf.data(), buf.size()));
    pos += payload + 4;
  }
  return b;
}

void check(const uint8_t* data, size_t size);

}  // namespace

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

void check(const uint8_t* data, size_t size) {
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

  // Round trip: the accepted bytes are the canonical encoding of what was read.
  std::ostringstream out(std::ios::binary);
  NwvWriter writer(out, header);
  const size_t frames = header.frame_count;
  if (frames > 0) writer.write_frames(codes.data(), frames);
  writer.finish(header.original_samples);
  if (out.str() != bytes) std::abort();
}

}  // namespace

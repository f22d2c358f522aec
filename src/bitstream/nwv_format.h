// The .nwv container: a fixed 52-byte header followed by packets of RVQ codes, each with a CRC-32.
// docs/FORMAT.md specifies it byte by byte; this file is the reference implementation of that text.
//
// Two packet layouts:
// - fixed width (version 1, and version 2 without the entropy flag): codes bit-packed at codebook_bits each; packet
//   sizes follow from the header (no length field: fewer bytes, and no length to lie about);
// - entropy coded (version 2 with the entropy flag): each packet carries its length, a coding byte (range coded,
//   packet_entropy_coder.h, or fixed width when that would not be smaller) and the payload; the range coder
//   restarts at every packet, so each packet still decodes on its own.
//
// Design choices, and why:
// - Each packet CRC covers its index too, so swapped, duplicated or dropped packets fail the check.
// - The reader checks the file size against the header before it allocates anything sized by a header field,
//   so a hostile header cannot make it allocate gigabytes, and truncation is reported before decoding starts.
// - The writer emits each packet once it is full, so encoding memory does not grow with duration.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <istream>
#include <ostream>
#include <string>
#include <vector>

#include "nwave/error.h"

namespace nwave::bitstream {

constexpr char kNwvMagic[4] = {'N', 'W', 'V', 'Q'};
constexpr uint32_t kNwvFormatVersion = 2;       // what writers write by default
constexpr uint32_t kNwvOldestFormatVersion = 1;  // readers accept versions 1 and 2
constexpr size_t kNwvHeaderSize = 52;           // bytes, CRC included
constexpr uint32_t kDefaultFramesPerPacket = 250;  // 2 s at 125 frames/s: ~1.4 % overhead at 1.25 kbps
constexpr uint32_t kMaxCodebooks = 32;
constexpr uint32_t kMaxFramesPerPacket = 65535;
constexpr uint64_t kMaxFrameCount = uint64_t{1} << 40;  // ~279 years at 125 frames/s; keeps sizes far from overflow

// Everything the header carries. Wire widths are given in docs/FORMAT.md; the struct uses wider integer types so
// that fields print as numbers and arithmetic on them does not surprise. Ranges are checked by
// validate_header(), by the writer and by the reader.
struct StreamHeader {
  uint32_t format_version = kNwvFormatVersion;  // u16 on the wire; readers reject versions they do not know
  bool entropy_coded = false;                    // version 2 only: packets are range coded (header flag bit 0)
  uint32_t sample_rate = 16000;                  // codec sample rate, Hz
  uint32_t hop = 128;                            // samples per frame at sample_rate
  uint32_t codebook_bits = 10;                   // bits per code, 1..16 (codebook size 2^bits)
  uint32_t num_codebooks = 8;                    // codes per frame, 1..32
  uint32_t frames_per_packet = kDefaultFramesPerPacket;  // 1..65535
  uint64_t frame_count = 0;                      // == ceil(original_samples / hop)
  uint64_t original_samples = 0;                 // length of the input once resampled to sample_rate
  uint32_t original_sample_rate = 16000;         // of the input file, Hz (informational)
  uint32_t original_channels = 1;                // of the input file (informational), 1..65535
  uint64_t model_fingerprint = 0;                // identifies the model that wrote the codes; decoders compare it

  bool operator==(const StreamHeader& other) const;
  bool operator!=(const StreamHeader& other) const { return !(*this == other); }
};

// ceil(samples / hop): frames needed to cover `samples` samples. hop must be > 0.
uint64_t frames_for_samples(uint64_t samples, uint32_t hop);

// Throws Error(code, ...) naming the first field outside its valid range or the first inconsistency
// (frame_count != ceil(original_samples / hop)). Writers pass kBadArgument, readers kCorruptStream.
void validate_header(const StreamHeader& header, ErrorCode code);

// Number of packets: ceil(frame_count / frames_per_packet).
uint64_t packet_count(const StreamHeader& header);

// Frames in packet `index` (0-based): min(frames_per_packet, frame_count - index * frames_per_packet).
size_t packet_frames(const StreamHeader& header, uint64_t index);

// Payload bytes of a packet of `frames` frames: ceil(frames * num_codebooks * codebook_bits / 8), CRC excluded.
size_t packet_payload_bytes(const StreamHeader& header, size_t frames);

// Bytes a packet of the entropy-coded layout adds around its payload: u32 length, u8 coding, u32 CRC.
constexpr size_t kEntropyPacketOverhead = 9;

// How an entropy-coded packet's payload is coded (its u8 coding field).
enum class PacketCoding : uint8_t { kFixedWidth = 0, kRange = 1 };

// Size in bytes of a complete .nwv file with this header: exact (min == max) for the fixed-width layout; for the
// entropy-coded layout every packet lies between 9 + min(4, fixed payload) and 9 + fixed payload bytes.
// Throws kCorruptStream if the header is invalid.
struct FileSizeBounds {
  uint64_t min = 0, max = 0;
};
FileSizeBounds file_size_bounds(const StreamHeader& header);

// Exact size of a fixed-width file with this header (file_size_bounds(header) with entropy_coded cleared).
uint64_t expected_file_size(const StreamHeader& header);

// The 52 header bytes, CRC included. Throws kBadArgument if the header is invalid.
std::array<uint8_t, kNwvHeaderSize> encode_header(const StreamHeader& header);

// Parses and validates header bytes (magic, version, CRC, ranges, consistency); throws kCorruptStream otherwise.
StreamHeader decode_header(const uint8_t* bytes, size_t size);

// Writes a .nwv file to a seekable output stream. Usage: construct, write_frames() any number of times, finish().
// A writer destroyed without finish() leaves a file whose header CRC is deliberately wrong, so an interrupted
// encode is never mistaken for a complete (shorter) file.
class NwvWriter {
 public:
  // `header`'s frame_count and original_samples are ignored (finish() sets them). Throws kBadArgument for an
  // invalid header, kIo if the stream is not seekable or cannot be written.
  NwvWriter(std::ostream& out, const StreamHeader& header);

  // Appends `frames` frames of codes, frame-major: codes[f * num_codebooks + c] is codebook c of frame f.
  // Throws kBadArgument for a code >= 2^codebook_bits, after finish(), or past kMaxFrameCount frames; kIo on a
  // write failure.
  void write_frames(const uint16_t* codes, size_t frames);

  // Writes the last (partial) packet and patches frame_count, original_samples and the header CRC. The frames
  // written must equal ceil(original_samples / hop) (kBadArgument otherwise). kIo on a write or seek failure.
  void finish(uint64_t original_samples);

  uint64_t frames_written() const { return frames_written_; }
  uint64_t packet_bytes_written() const { return bytes_written_; }  // packets so far, CRCs included
  const StreamHeader& header() const { return header_; }

 private:
  void emit_packet();
  void check_stream(const char* what);

  std::ostream& out_;
  StreamHeader header_;
  std::streampos header_pos_;
  std::vector<uint16_t> pending_;  // codes of the packet being filled, at most frames_per_packet frames
  std::vector<uint8_t> buffer_;    // the packet's bytes as hashed by its CRC, reused
  uint64_t frames_written_ = 0;
  uint64_t packets_written_ = 0;
  uint64_t bytes_written_ = 0;
  bool finished_ = false;
};

// Verifies packet `index` held in bytes[0 .. size) (exactly the packet: prefix, payload and CRC) and decodes its
// codes, frame-major, into `codes`. Returns an empty string when it is intact, else why not (one line, no prefix).
std::string check_packet(const StreamHeader& header, uint64_t index, const uint8_t* bytes, size_t size,
                         std::vector<uint16_t>& codes);

// Bytes of packet `index` in the fixed-width layout, CRC included.
size_t fixed_packet_bytes(const StreamHeader& header, uint64_t index);

// For the entropy-coded layout: the total size of packet `index` (prefix, payload and CRC) given its 5 prefix
// bytes, or 0 when the prefix is impossible for that packet (a length or coding no writer produces).
size_t entropy_packet_bytes(const StreamHeader& header, uint64_t index, const uint8_t* prefix);

// Reads and checks a .nwv stream packet by packet. Every failure is Error(kCorruptStream) with a one-line message
// such as "corrupt .nwv: packet 3 of 12: CRC mismatch"; no input can make it crash, hang, read out of bounds or
// allocate more than one packet (at most ~4 MiB) on the strength of a header field.
class NwvReader {
 public:
  // Reads and validates the header; on a seekable stream also checks that the remaining size is exactly what the
  // header implies.
  explicit NwvReader(std::istream& in);

  const StreamHeader& header() const { return header_; }

  // Fills `codes` with the next packet's codes, frame-major [frames][num_codebooks], sets `frames`, and returns
  // true; returns false (codes empty, frames 0) once every packet has been read. Packets are verified in order.
  bool next_packet(std::vector<uint16_t>& codes, size_t& frames);

  uint64_t packets_read() const { return packets_read_; }
  uint64_t total_packets() const { return packet_count_; }

 private:
  std::istream& in_;
  StreamHeader header_;
  uint64_t packet_count_ = 0;
  uint64_t packets_read_ = 0;
  std::vector<uint8_t> buffer_;  // packet index + payload + CRC, reused
};

}  // namespace nwave::bitstream

#include "bitstream/nwv_format.h"

#include <algorithm>
#include <cstring>
#include <ios>
#include <string>

#include "bitstream/bit_packer.h"
#include "bitstream/crc32.h"

namespace nwave::bitstream {
namespace {

// Header field offsets (docs/FORMAT.md, "Header"). Multi-byte integers are little-endian; fields are naturally
// aligned so that a C struct or numpy dtype can map the header directly.
constexpr size_t kOffMagic = 0;                 // 4 bytes "NWVQ"
constexpr size_t kOffVersion = 4;               // u16
constexpr size_t kOffCodebookBits = 6;          // u8
constexpr size_t kOffNumCodebooks = 7;          // u8
constexpr size_t kOffSampleRate = 8;            // u32
constexpr size_t kOffHop = 12;                  // u16
constexpr size_t kOffFramesPerPacket = 14;      // u16
constexpr size_t kOffOriginalSampleRate = 16;   // u32
constexpr size_t kOffOriginalChannels = 20;     // u16
constexpr size_t kOffReserved = 22;             // u16, must be 0
constexpr size_t kOffFrameCount = 24;           // u64
constexpr size_t kOffOriginalSamples = 32;      // u64
constexpr size_t kOffModelFingerprint = 40;     // u64
constexpr size_t kOffHeaderCrc = 48;            // u32: CRC-32 of bytes [0, 48)
static_assert(kOffHeaderCrc + 4 == kNwvHeaderSize, "header layout and size disagree");

constexpr uint32_t kMaxSampleRate = 1000000;  // generous: anything real fits, nothing absurd does
constexpr size_t kPacketCrcBytes = 4;
constexpr size_t kPacketIndexBytes = 4;        // the index is hashed, not stored

void put_le(uint8_t* p, uint64_t value, size_t bytes) {
  for (size_t i = 0; i < bytes; ++i) p[i] = static_cast<uint8_t>(value >> (8 * i));
}

uint64_t get_le(const uint8_t* p, size_t bytes) {
  uint64_t value = 0;
  for (size_t i = 0; i < bytes; ++i) value |= static_cast<uint64_t>(p[i]) << (8 * i);
  return value;
}

std::string prefix_for(ErrorCode code) {
  return code == ErrorCode::kCorruptStream ? "corrupt .nwv: header: " : "invalid .nwv header: ";
}

void check_range(const char* name, uint64_t value, uint64_t lo, uint64_t hi, ErrorCode code) {
  if (value < lo || value > hi) {
    throw Error(code, prefix_for(code) + name + " " + std::to_string(value) + " is outside [" +
                          std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
}

// Reads up to `size` bytes; returns how many arrived. A stream configured to throw is treated like a short read,
// so that the caller reports it as truncation rather than leaking std::ios_base::failure.
size_t read_up_to(std::istream& in, uint8_t* data, size_t size) {
  try {
    in.read(reinterpret_cast<char*>(data), static_cast<std::streamsize>(size));
    return static_cast<size_t>(in.gcount());
  } catch (const std::ios_base::failure&) {
    return static_cast<size_t>(in.gcount());
  }
}

std::string packet_label(uint64_t index, uint64_t count) {
  // Messages count packets from 1 ("packet 1 of 12"); the CRC uses the 0-based index.
  return "corrupt .nwv: packet " + std::to_string(index + 1) + " of " + std::to_string(count) + ": ";
}

}  // namespace

bool StreamHeader::operator==(const StreamHeader& o) const {
  return format_version == o.format_version && sample_rate == o.sample_rate && hop == o.hop &&
         codebook_bits == o.codebook_bits && num_codebooks == o.num_codebooks &&
         frames_per_packet == o.frames_per_packet && frame_count == o.frame_count &&
         original_samples == o.original_samples && original_sample_rate == o.original_sample_rate &&
         original_channels == o.original_channels && model_fingerprint == o.model_fingerprint;
}

uint64_t frames_for_samples(uint64_t samples, uint32_t hop) {
  if (hop == 0) throw Error(ErrorCode::kBadArgument, "hop must be positive");
  return samples / hop + (samples % hop != 0 ? 1 : 0);  // no overflow, unlike (samples + hop - 1) / hop
}

void validate_header(const StreamHeader& h, ErrorCode code) {
  if (h.format_version != kNwvFormatVersion) {
    throw Error(code, prefix_for(code) + "unsupported format version " + std::to_string(h.format_version) +
                          " (this build reads version " + std::to_string(kNwvFormatVersion) + ")");
  }
  check_range("sample_rate", h.sample_rate, 1, kMaxSampleRate, code);
  check_range("hop", h.hop, 1, 65535, code);
  check_range("codebook_bits", h.codebook_bits, kMinCodeBits, kMaxCodeBits, code);
  check_range("num_codebooks", h.num_codebooks, 1, kMaxCodebooks, code);
  check_range("frames_per_packet", h.frames_per_packet, 1, kMaxFramesPerPacket, code);
  check_range("original_sample_rate", h.original_sample_rate, 1, kMaxSampleRate, code);
  check_range("original_channels", h.original_channels, 1, 65535, code);
  check_range("frame_count", h.frame_count, 0, kMaxFrameCount, code);
  const uint64_t needed = frames_for_samples(h.original_samples, h.hop);
  if (needed != h.frame_count) {
    throw Error(code, prefix_for(code) + "frame_count " + std::to_string(h.frame_count) + " does not match " +
                          std::to_string(h.original_samples) + " samples at hop " + std::to_string(h.hop) +
                          " (expected " + std::to_string(needed) + " frames)");
  }
}

uint64_t packet_count(const StreamHeader& h) {
  return h.frame_count / h.frames_per_packet + (h.frame_count % h.frames_per_packet != 0 ? 1 : 0);
}

size_t packet_frames(const StreamHeader& h, uint64_t index) {
  const uint64_t first = index * h.frames_per_packet;
  if (first >= h.frame_count) return 0;
  const uint64_t remaining = h.frame_count - first;
  return static_cast<size_t>(remaining < h.frames_per_packet ? remaining : h.frames_per_packet);
}

size_t packet_payload_bytes(const StreamHeader& h, size_t frames) {
  return packed_size_bytes(frames * h.num_codebooks, h.codebook_bits);
}

uint64_t expected_file_size(const StreamHeader& h) {
  validate_header(h, ErrorCode::kCorruptStream);
  // Bounded by the field ranges: frame_count <= 2^40 and a frame is at most 32 * 16 bits = 64 bytes, so the
  // total stays below 2^47 and nothing here can overflow.
  const uint64_t full_packets = h.frame_count / h.frames_per_packet;
  const size_t last_frames = static_cast<size_t>(h.frame_count % h.frames_per_packet);
  uint64_t size = kNwvHeaderSize;
  size += full_packets * (packet_payload_bytes(h, h.frames_per_packet) + kPacketCrcBytes);
  if (last_frames > 0) size += packet_payload_bytes(h, last_frames) + kPacketCrcBytes;
  return size;
}

std::array<uint8_t, kNwvHeaderSize> encode_header(const StreamHeader& h) {
  validate_header(h, ErrorCode::kBadArgument);
  std::array<uint8_t, kNwvHeaderSize> b{};
  std::memcpy(b.data() + kOffMagic, kNwvMagic, 4);
  put_le(b.data() + kOffVersion, h.format_version, 2);
  put_le(b.data() + kOffCodebookBits, h.codebook_bits, 1);
  put_le(b.data() + kOffNumCodebooks, h.num_codebooks, 1);
  put_le(b.data() + kOffSampleRate, h.sample_rate, 4);
  put_le(b.data() + kOffHop, h.hop, 2);
  put_le(b.data() + kOffFramesPerPacket, h.frames_per_packet, 2);
  put_le(b.data() + kOffOriginalSampleRate, h.original_sample_rate, 4);
  put_le(b.data() + kOffOriginalChannels, h.original_channels, 2);
  put_le(b.data() + kOffReserved, 0, 2);
  put_le(b.data() + kOffFrameCount, h.frame_count, 8);
  put_le(b.data() + kOffOriginalSamples, h.original_samples, 8);
  put_le(b.data() + kOffModelFingerprint, h.model_fingerprint, 8);
  put_le(b.data() + kOffHeaderCrc, crc32(b.data(), kOffHeaderCrc), 4);
  return b;
}

StreamHeader decode_header(const uint8_t* bytes, size_t size) {
  // Order matters for useful messages: foreign data first, then an unknown version (whose header may have another
  // layout, so its CRC means nothing to us), then damage.
  if (size < 4 || std::memcmp(bytes + kOffMagic, kNwvMagic, 4) != 0) {
    throw Error(ErrorCode::kCorruptStream, "corrupt .nwv: not a .nwv file (missing \"NWVQ\" magic)");
  }
  if (size < kOffVersion + 2) {
    throw Error(ErrorCode::kCorruptStream, "corrupt .nwv: truncated header (" + std::to_string(size) + " of " +
                                               std::to_string(kNwvHeaderSize) + " bytes)");
  }
  const uint32_t version = static_cast<uint32_t>(get_le(bytes + kOffVersion, 2));
  if (version != kNwvFormatVersion) {
    throw Error(ErrorCode::kCorruptStream, "corrupt .nwv: unsupported format version " + std::to_string(version) +
                                               " (this build reads version " +
                                               std::to_string(kNwvFormatVersion) + ")");
  }
  if (size < kNwvHeaderSize) {
    throw Error(ErrorCode::kCorruptStream, "corrupt .nwv: truncated header (" + std::to_string(size) + " of " +
                                               std::to_string(kNwvHeaderSize) + " bytes)");
  }
  const uint32_t stored_crc = static_cast<uint32_t>(get_le(bytes + kOffHeaderCrc, 4));
  if (crc32(bytes, kOffHeaderCrc) != stored_crc) {
    throw Error(ErrorCode::kCorruptStream,
                "corrupt .nwv: header CRC mismatch (damaged file, or an encode that did not finish)");
  }
  if (get_le(bytes + kOffReserved, 2) != 0) {
    throw Error(ErrorCode::kCorruptStream, "corrupt .nwv: header: reserved field is not zero");
  }
  StreamHeader h;
  h.format_version = version;
  h.codebook_bits = static_cast<uint32_t>(get_le(bytes + kOffCodebookBits, 1));
  h.num_codebooks = static_cast<uint32_t>(get_le(bytes + kOffNumCodebooks, 1));
  h.sample_rate = static_cast<uint32_t>(get_le(bytes + kOffSampleRate, 4));
  h.hop = static_cast<uint32_t>(get_le(bytes + kOffHop, 2));
  h.frames_per_packet = static_cast<uint32_t>(get_le(bytes + kOffFramesPerPacket, 2));
  h.original_sample_rate = static_cast<uint32_t>(get_le(bytes + kOffOriginalSampleRate, 4));
  h.original_channels = static_cast<uint32_t>(get_le(bytes + kOffOriginalChannels, 2));
  h.frame_count = get_le(bytes + kOffFrameCount, 8);
  h.original_samples = get_le(bytes + kOffOriginalSamples, 8);
  h.model_fingerprint = get_le(bytes + kOffModelFingerprint, 8);
  validate_header(h, ErrorCode::kCorruptStream);
  return h;
}

// ---------------------------------------------------------------------------------------------------- writer

NwvWriter::NwvWriter(std::ostream& out, const StreamHeader& header) : out_(out), header_(header) {
  header_.frame_count = 0;
  header_.original_samples = 0;
  validate_header(header_, ErrorCode::kBadArgument);
  header_pos_ = out_.tellp();
  if (header_pos_ == std::streampos(-1)) {
    throw Error(ErrorCode::kIo, "cannot write .nwv: the output is not seekable");
  }
  // Placeholder header with a deliberately wrong CRC: finish() overwrites it. Until then the file reads as
  // damaged, never as a valid empty stream.
  std::array<uint8_t, kNwvHeaderSize> placeholder = encode_header(header_);
  put_le(placeholder.data() + kOffHeaderCrc, ~crc32(placeholder.data(), kOffHeaderCrc), 4);
  out_.write(reinterpret_cast<const char*>(placeholder.data()), kNwvHeaderSize);
  check_stream("header");
  pending_.reserve(static_cast<size_t>(header_.frames_per_packet) * header_.num_codebooks);
}

void NwvWriter::check_stream(const char* what) {
  if (!out_) throw Error(ErrorCode::kIo, std::string("cannot write .nwv ") + what);
}

void NwvWriter::write_frames(const uint16_t* codes, size_t frames) {
  if (finished_) throw Error(ErrorCode::kBadArgument, "NwvWriter::write_frames after finish()");
  if (frames == 0) return;
  if (codes == nullptr) throw Error(ErrorCode::kBadArgument, "NwvWriter::write_frames: null codes");
  if (frames > kMaxFrameCount - frames_written_) {
    throw Error(ErrorCode::kBadArgument, "NwvWriter: more than 2^40 frames");
  }
  const size_t per_frame = header_.num_codebooks;
  const size_t count = frames * per_frame;
  // Check every code before consuming any, so a rejected call leaves the writer as it was.
  const uint32_t limit = 1u << header_.codebook_bits;
  for (size_t i = 0; i < count; ++i) {
    if (codes[i] >= limit) {
      throw Error(ErrorCode::kBadArgument, "NwvWriter: code " + std::to_string(codes[i]) + " (frame " +
                                               std::to_string(frames_written_ + i / per_frame) + ", codebook " +
                                               std::to_string(i % per_frame) + ") does not fit in " +
                                               std::to_string(header_.codebook_bits) + " bits");
    }
  }
  const size_t packet_codes = static_cast<size_t>(header_.frames_per_packet) * per_frame;
  size_t done = 0;
  while (done < count) {
    const size_t take = std::min(count - done, packet_codes - pending_.size());
    pending_.insert(pending_.end(), codes + done, codes + done + take);
    done += take;
    if (pending_.size() == packet_codes) emit_packet();
  }
  frames_written_ += frames;
}

void NwvWriter::emit_packet() {
  // The CRC covers the 0-based packet index (u32 LE) then the payload; only the payload and CRC are stored.
  buffer_.clear();
  buffer_.resize(kPacketIndexBytes);
  put_le(buffer_.data(), packets_written_, kPacketIndexBytes);
  pack_codes(pending_.data(), pending_.size(), header_.codebook_bits, buffer_);
  uint8_t crc[kPacketCrcBytes];
  put_le(crc, crc32(buffer_.data(), buffer_.size()), kPacketCrcBytes);
  out_.write(reinterpret_cast<const char*>(buffer_.data() + kPacketIndexBytes),
             static_cast<std::streamsize>(buffer_.size() - kPacketIndexBytes));
  out_.write(reinterpret_cast<const char*>(crc), kPacketCrcBytes);
  check_stream("packet");
  pending_.clear();
  ++packets_written_;
}

void NwvWriter::finish(uint64_t original_samples) {
  if (finished_) throw Error(ErrorCode::kBadArgument, "NwvWriter::finish called twice");
  const uint64_t needed = frames_for_samples(original_samples, header_.hop);
  if (needed != frames_written_) {
    throw Error(ErrorCode::kBadArgument, "NwvWriter::finish: " + std::to_string(original_samples) +
                                             " samples need " + std::to_string(needed) + " frames at hop " +
                                             std::to_string(header_.hop) + ", but " +
                                             std::to_string(frames_written_) + " were written");
  }
  if (!pending_.empty()) emit_packet();
  header_.frame_count = frames_written_;
  header_.original_samples = original_samples;
  const std::array<uint8_t, kNwvHeaderSize> bytes = encode_header(header_);
  const std::streampos end = out_.tellp();
  check_stream("packets");
  out_.seekp(header_pos_);
  out_.write(reinterpret_cast<const char*>(bytes.data()), kNwvHeaderSize);
  out_.seekp(end);
  out_.flush();
  check_stream("header (seek back to patch it failed)");
  finished_ = true;
}

// ---------------------------------------------------------------------------------------------------- reader

NwvReader::NwvReader(std::istream& in) : in_(in) {
  std::array<uint8_t, kNwvHeaderSize> bytes{};
  const size_t got = read_up_to(in_, bytes.data(), bytes.size());
  if (got == 0) throw Error(ErrorCode::kCorruptStream, "corrupt .nwv: empty file");
  header_ = decode_header(bytes.data(), got);
  packet_count_ = packet_count(header_);
  const uint64_t expected = expected_file_size(header_);

  // On a seekable stream, compare the bytes left with what the header implies before allocating anything: this
  // reports truncation, appended or inserted bytes and lying length fields up front, with the two sizes.
  const std::streampos here = in_.tellg();
  if (here != std::streampos(-1)) {
    in_.seekg(0, std::ios::end);
    const std::streampos end = in_.tellg();
    in_.clear();
    in_.seekg(here);
    if (end != std::streampos(-1) && in_) {
      const uint64_t actual = kNwvHeaderSize + static_cast<uint64_t>(end - here);
      if (actual < expected) {
        throw Error(ErrorCode::kCorruptStream, "corrupt .nwv: file is truncated (" + std::to_string(actual) +
                                                   " bytes, the header implies " + std::to_string(expected) +
                                                   ")");
      }
      if (actual > expected) {
        throw Error(ErrorCode::kCorruptStream, "corrupt .nwv: file has " + std::to_string(actual - expected) +
                                                   " unexpected extra bytes (" + std::to_string(actual) +
                                                   " bytes, the header implies " + std::to_string(expected) +
                                                   ")");
      }
    }
    in_.clear();
  }
}

bool NwvReader::next_packet(std::vector<uint16_t>& codes, size_t& frames) {
  codes.clear();
  frames = 0;
  if (packets_read_ == packet_count_) {
    // Catches appended data on streams whose size could not be checked up front (pipes).
    if (in_.peek() != std::char_traits<char>::eof()) {
      throw Error(ErrorCode::kCorruptStream, "corrupt .nwv: unexpected bytes after the last packet");
    }
    return false;
  }
  const uint64_t index = packets_read_;
  const size_t n = packet_frames(header_, index);
  const size_t payload = packet_payload_bytes(header_, n);
  const size_t wanted = payload + kPacketCrcBytes;
  // At most 65535 frames * 32 codebooks * 16 bits = ~4 MiB, whatever the header says.
  buffer_.resize(kPacketIndexBytes + wanted);
  put_le(buffer_.data(), index, kPacketIndexBytes);
  const size_t got = read_up_to(in_, buffer_.data() + kPacketIndexBytes, wanted);
  if (got < wanted) {
    throw Error(ErrorCode::kCorruptStream, packet_label(index, packet_count_) + "truncated (" +
                                               std::to_string(got) + " of " + std::to_string(wanted) + " bytes)");
  }
  const uint8_t* payload_bytes = buffer_.data() + kPacketIndexBytes;
  const uint32_t stored = static_cast<uint32_t>(get_le(payload_bytes + payload, kPacketCrcBytes));
  if (crc32(buffer_.data(), kPacketIndexBytes + payload) != stored) {
    throw Error(ErrorCode::kCorruptStream,
                packet_label(index, packet_count_) + "CRC mismatch (damaged, reordered or foreign data)");
  }
  const size_t count = n * header_.num_codebooks;
  if (!padding_is_zero(payload_bytes, payload, count, header_.codebook_bits)) {
    throw Error(ErrorCode::kCorruptStream, packet_label(index, packet_count_) + "padding bits are not zero");
  }
  codes.resize(count);
  unpack_codes(payload_bytes, payload, count, header_.codebook_bits, codes.data());
  frames = n;
  ++packets_read_;
  return true;
}

}  // namespace nwave::bitstream

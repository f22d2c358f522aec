#include "bitstream/nwv_format.h"

#include <algorithm>
#include <cstring>
#include <ios>
#include <string>

#include "bitstream/bit_packer.h"
#include "bitstream/crc32.h"
#include "bitstream/packet_entropy_coder.h"

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
constexpr size_t kOffFlags = 22;                // u16: version 1 reserved (0); version 2 bit 0 = entropy coded
constexpr size_t kOffFrameCount = 24;           // u64
constexpr size_t kOffOriginalSamples = 32;      // u64
constexpr size_t kOffModelFingerprint = 40;     // u64
constexpr size_t kOffHeaderCrc = 48;            // u32: CRC-32 of bytes [0, 48)
static_assert(kOffHeaderCrc + 4 == kNwvHeaderSize, "header layout and size disagree");

constexpr uint32_t kMaxSampleRate = 1000000;  // generous: anything real fits, nothing absurd does
constexpr size_t kPacketCrcBytes = 4;
constexpr size_t kPacketIndexBytes = 4;        // the index is hashed, not stored
constexpr size_t kPacketLengthBytes = 4;       // entropy-coded layout: u32 payload length
constexpr size_t kEntropyPrefixBytes = kPacketLengthBytes + 1;  // length + coding byte
constexpr uint32_t kFlagEntropyCoded = 1;
constexpr size_t kMinRangePayload = 4;         // a range coder flushes 4 bytes, whatever it codes

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
  return format_version == o.format_version && entropy_coded == o.entropy_coded && sample_rate == o.sample_rate &&
         hop == o.hop &&
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
  if (h.format_version < kNwvOldestFormatVersion || h.format_version > kNwvFormatVersion) {
    throw Error(code, prefix_for(code) + "unsupported format version " + std::to_string(h.format_version) +
                          " (this build reads versions 1 and 2)");
  }
  if (h.entropy_coded && h.format_version < 2) {
    throw Error(code, prefix_for(code) + "entropy coding needs format version 2");
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

FileSizeBounds file_size_bounds(const StreamHeader& h) {
  validate_header(h, ErrorCode::kCorruptStream);
  // Bounded by the field ranges: frame_count <= 2^40 and a frame is at most 32 * 16 bits = 64 bytes, so the
  // total stays below 2^48 and nothing here can overflow.
  const uint64_t full_packets = h.frame_count / h.frames_per_packet;
  const size_t last_frames = static_cast<size_t>(h.frame_count % h.frames_per_packet);
  FileSizeBounds b{kNwvHeaderSize, kNwvHeaderSize};
  auto add = [&](uint64_t count, size_t payload) {
    if (!h.entropy_coded) {
      b.min += count * (payload + kPacketCrcBytes);
      b.max += count * (payload + kPacketCrcBytes);
      return;
    }
    b.min += count * (kEntropyPacketOverhead + std::min(payload, kMinRangePayload));
    b.max += count * (kEntropyPacketOverhead + payload);
  };
  add(full_packets, packet_payload_bytes(h, h.frames_per_packet));
  if (last_frames > 0) add(1, packet_payload_bytes(h, last_frames));
  return b;
}

uint64_t expected_file_size(const StreamHeader& header) {
  StreamHeader fixed = header;
  fixed.entropy_coded = false;
  return file_size_bounds(fixed).min;
}

size_t fixed_packet_bytes(const StreamHeader& h, uint64_t index) {
  return packet_payload_bytes(h, packet_frames(h, index)) + kPacketCrcBytes;
}

size_t entropy_packet_bytes(const StreamHeader& h, uint64_t index, const uint8_t* prefix) {
  const size_t fixed = packet_payload_bytes(h, packet_frames(h, index));
  const uint64_t length = get_le(prefix, kPacketLengthBytes);
  const uint8_t coding = prefix[kPacketLengthBytes];
  // One encoding per content: fixed width exactly when range coding would not be smaller.
  const bool valid = (coding == static_cast<uint8_t>(PacketCoding::kFixedWidth) && length == fixed) ||
                     (coding == static_cast<uint8_t>(PacketCoding::kRange) && length >= kMinRangePayload &&
                      length < fixed && h.codebook_bits <= kMaxEntropyCodeBits);
  return valid ? static_cast<size_t>(kEntropyPrefixBytes + length + kPacketCrcBytes) : 0;
}

std::string check_packet(const StreamHeader& h, uint64_t index, const uint8_t* bytes, size_t size,
                         std::vector<uint16_t>& codes) {
  const size_t n = packet_frames(h, index);
  const size_t count = n * h.num_codebooks;
  codes.resize(count);
  uint8_t index_bytes[kPacketIndexBytes];
  put_le(index_bytes, index, kPacketIndexBytes);
  if (!h.entropy_coded) {
    if (size != fixed_packet_bytes(h, index)) return "wrong size";
    const size_t payload = size - kPacketCrcBytes;
    // v1 layout: the CRC hashes the index first, then the payload.
    const uint32_t crc = crc32_update(crc32(index_bytes, kPacketIndexBytes), bytes, payload);
    if (crc != static_cast<uint32_t>(get_le(bytes + payload, kPacketCrcBytes)))
      return "CRC mismatch (damaged, reordered or foreign data)";
    if (!padding_is_zero(bytes, payload, count, h.codebook_bits)) return "padding bits are not zero";
    unpack_codes(bytes, payload, count, h.codebook_bits, codes.data());
    return {};
  }
  if (size < kEntropyPrefixBytes || entropy_packet_bytes(h, index, bytes) != size)
    return "impossible length or coding field";
  // Entropy-coded layout: the CRC hashes prefix and payload, then the index (so that a resynchronising reader
  // can hash a candidate packet once and try several indices cheaply).
  const size_t hashed = size - kPacketCrcBytes;
  const uint32_t crc = crc32_update(crc32(bytes, hashed), index_bytes, kPacketIndexBytes);
  if (crc != static_cast<uint32_t>(get_le(bytes + hashed, kPacketCrcBytes)))
    return "CRC mismatch (damaged, reordered or foreign data)";
  const uint8_t* payload = bytes + kEntropyPrefixBytes;
  const size_t length = hashed - kEntropyPrefixBytes;
  if (bytes[kPacketLengthBytes] == static_cast<uint8_t>(PacketCoding::kFixedWidth)) {
    if (!padding_is_zero(payload, length, count, h.codebook_bits)) return "padding bits are not zero";
    unpack_codes(payload, length, count, h.codebook_bits, codes.data());
    return {};
  }
  try {
    entropy_decode_packet(payload, length, n, h.num_codebooks, h.codebook_bits, codes.data());
  } catch (const Error& e) {
    return e.what();
  }
  return {};
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
  put_le(b.data() + kOffFlags, h.entropy_coded ? kFlagEntropyCoded : 0, 2);
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
  if (version < kNwvOldestFormatVersion || version > kNwvFormatVersion) {
    throw Error(ErrorCode::kCorruptStream, "corrupt .nwv: unsupported format version " + std::to_string(version) +
                                               " (this build reads versions 1 and 2)");
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
  const uint64_t flags = get_le(bytes + kOffFlags, 2);
  if (version == 1 && flags != 0) {
    throw Error(ErrorCode::kCorruptStream, "corrupt .nwv: header: reserved field is not zero");
  }
  if ((flags & ~uint64_t{kFlagEntropyCoded}) != 0) {
    throw Error(ErrorCode::kCorruptStream, "corrupt .nwv: header: unknown flags " + std::to_string(flags));
  }
  StreamHeader h;
  h.format_version = version;
  h.entropy_coded = (flags & kFlagEntropyCoded) != 0;
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
  uint8_t index[kPacketIndexBytes];
  put_le(index, packets_written_, kPacketIndexBytes);
  uint8_t crc[kPacketCrcBytes];
  buffer_.clear();
  if (!header_.entropy_coded) {
    // The CRC covers the 0-based packet index (u32 LE) then the payload; only the payload and CRC are stored.
    pack_codes(pending_.data(), pending_.size(), header_.codebook_bits, buffer_);
    put_le(crc, crc32_update(crc32(index, kPacketIndexBytes), buffer_.data(), buffer_.size()), kPacketCrcBytes);
  } else {
    const size_t frames = pending_.size() / header_.num_codebooks;
    const size_t fixed = packet_payload_bytes(header_, frames);
    buffer_.resize(kEntropyPrefixBytes);
    PacketCoding coding = PacketCoding::kFixedWidth;
    if (header_.codebook_bits <= kMaxEntropyCodeBits) {
      std::vector<uint8_t> ranged =
          entropy_encode_packet(pending_.data(), frames, header_.num_codebooks, header_.codebook_bits);
      if (ranged.size() < fixed) {
        coding = PacketCoding::kRange;
        buffer_.insert(buffer_.end(), ranged.begin(), ranged.end());
      }
    }
    if (coding == PacketCoding::kFixedWidth) pack_codes(pending_.data(), pending_.size(), header_.codebook_bits, buffer_);
    put_le(buffer_.data(), buffer_.size() - kEntropyPrefixBytes, kPacketLengthBytes);
    buffer_[kPacketLengthBytes] = static_cast<uint8_t>(coding);
    // The CRC covers length, coding and payload, then the 0-based packet index (u32 LE), which is not stored.
    put_le(crc, crc32_update(crc32(buffer_.data(), buffer_.size()), index, kPacketIndexBytes), kPacketCrcBytes);
  }
  out_.write(reinterpret_cast<const char*>(buffer_.data()), static_cast<std::streamsize>(buffer_.size()));
  out_.write(reinterpret_cast<const char*>(crc), kPacketCrcBytes);
  check_stream("packet");
  bytes_written_ += buffer_.size() + kPacketCrcBytes;
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
  const FileSizeBounds expected = file_size_bounds(header_);

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
      const std::string implied = expected.min == expected.max
                                      ? std::to_string(expected.min)
                                      : "at least " + std::to_string(expected.min);
      if (actual < expected.min) {
        throw Error(ErrorCode::kCorruptStream, "corrupt .nwv: file is truncated (" + std::to_string(actual) +
                                                   " bytes, the header implies " + implied + ")");
      }
      if (actual > expected.max) {
        throw Error(ErrorCode::kCorruptStream, "corrupt .nwv: file has " + std::to_string(actual - expected.max) +
                                                   " unexpected extra bytes (" + std::to_string(actual) +
                                                   " bytes, the header implies " +
                                                   (expected.min == expected.max ? "" : "at most ") +
                                                   std::to_string(expected.max) + ")");
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
  size_t wanted = 0, got = 0;
  if (header_.entropy_coded) {
    buffer_.resize(kEntropyPrefixBytes);
    got = read_up_to(in_, buffer_.data(), kEntropyPrefixBytes);
    if (got < kEntropyPrefixBytes) {
      throw Error(ErrorCode::kCorruptStream, packet_label(index, packet_count_) + "truncated (" +
                                                 std::to_string(got) + " of at least " +
                                                 std::to_string(kEntropyPrefixBytes) + " bytes)");
    }
    wanted = entropy_packet_bytes(header_, index, buffer_.data());
    if (wanted == 0) {
      throw Error(ErrorCode::kCorruptStream,
                  packet_label(index, packet_count_) + "impossible length or coding field (damaged data)");
    }
  } else {
    wanted = fixed_packet_bytes(header_, index);
  }
  // At most 65535 frames * 32 codebooks * 16 bits = ~4 MiB plus 13 bytes, whatever the header says.
  buffer_.resize(wanted);
  got += read_up_to(in_, buffer_.data() + got, wanted - got);
  if (got < wanted) {
    throw Error(ErrorCode::kCorruptStream, packet_label(index, packet_count_) + "truncated (" +
                                               std::to_string(got) + " of " + std::to_string(wanted) + " bytes)");
  }
  const std::string problem = check_packet(header_, index, buffer_.data(), wanted, codes);
  if (!problem.empty()) throw Error(ErrorCode::kCorruptStream, packet_label(index, packet_count_) + problem);
  frames = packet_frames(header_, index);
  ++packets_read_;
  return true;
}

}  // namespace nwave::bitstream

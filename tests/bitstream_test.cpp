// Tests of the .nwv bitstream: bit packing, CRC, container round trips, corruption detection, size bound, .npy.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <fstream>
#include <random>
#include <sstream>
#include <streambuf>
#include <string>
#include <vector>

#include "bitstream/bit_packer.h"
#include "bitstream/crc32.h"
#include "bitstream/npy_writer.h"
#include "bitstream/nwv_format.h"
#include "nwave/error.h"

namespace nb = nwave::bitstream;
using nwave::Error;
using nwave::ErrorCode;

namespace {

// A read-only stream buffer that cannot seek, like a pipe: exercises the reader's checks that cannot rely on
// knowing the file size up front.
class PipeInBuf : public std::streambuf {
 public:
  explicit PipeInBuf(const std::string& data) : data_(data) {
    char* p = const_cast<char*>(data_.data());
    setg(p, p, p + data_.size());
  }

 private:
  std::string data_;
};

// A write-only stream buffer that cannot seek.
class PipeOutBuf : public std::streambuf {
 protected:
  int_type overflow(int_type c) override { return traits_type::not_eof(c); }
};

std::vector<uint16_t> random_codes(std::mt19937& rng, size_t count, unsigned bits) {
  std::uniform_int_distribution<uint32_t> dist(0, (1u << bits) - 1);
  std::vector<uint16_t> codes(count);
  for (auto& c : codes) c = static_cast<uint16_t>(dist(rng));
  return codes;
}

nb::StreamHeader make_header(uint32_t codebooks, uint32_t bits, uint32_t frames_per_packet = 250) {
  nb::StreamHeader h;
  h.num_codebooks = codebooks;
  h.codebook_bits = bits;
  h.frames_per_packet = frames_per_packet;
  h.original_sample_rate = 44100;
  h.original_channels = 2;
  h.model_fingerprint = 0x0123456789ABCDEFull;
  return h;
}

// Encodes `codes` ([frames][codebooks]) to .nwv bytes, feeding the writer in chunks of `chunk` frames.
std::string encode(const nb::StreamHeader& h, const std::vector<uint16_t>& codes, uint64_t samples,
                   size_t chunk = 0) {
  std::ostringstream out(std::ios::binary);
  nb::NwvWriter writer(out, h);
  const size_t frames = codes.size() / h.num_codebooks;
  if (chunk == 0) chunk = frames == 0 ? 1 : frames;
  for (size_t f = 0; f < frames; f += chunk) {
    writer.write_frames(codes.data() + f * h.num_codebooks, std::min(chunk, frames - f));
  }
  writer.finish(samples);
  return out.str();
}

struct Decoded {
  nb::StreamHeader header;
  std::vector<uint16_t> codes;
  std::vector<size_t> packet_frames;
};

// Reads a whole stream, from a seekable stringstream or a non-seekable pipe-like buffer.
Decoded decode(const std::string& bytes, bool seekable) {
  Decoded d;
  std::istringstream seekable_in(bytes, std::ios::binary);
  PipeInBuf pipe_buf(bytes);
  std::istream pipe_in(&pipe_buf);
  std::istream& in = seekable ? static_cast<std::istream&>(seekable_in) : pipe_in;
  nb::NwvReader reader(in);
  d.header = reader.header();
  std::vector<uint16_t> packet;
  size_t frames = 0;
  while (reader.next_packet(packet, frames)) {
    EXPECT_EQ(packet.size(), frames * d.header.num_codebooks);
    d.codes.insert(d.codes.end(), packet.begin(), packet.end());
    d.packet_frames.push_back(frames);
  }
  EXPECT_EQ(reader.packets_read(), reader.total_packets());
  return d;
}

// True when decoding throws nwave::Error with kCorruptStream; any other outcome (success, another exception)
// is false. A crash fails the whole test binary, which is also a failure.
bool rejected(const std::string& bytes, bool seekable, std::string* message = nullptr) {
  try {
    decode(bytes, seekable);
  } catch (const Error& e) {
    if (message) *message = e.what();
    return e.code() == ErrorCode::kCorruptStream;
  } catch (...) {
    return false;
  }
  return false;
}

// A small multi-packet file: 2 codebooks x 10 bits, 7 frames in packets of 3 (3 + 3 + 1): 83 bytes.
std::string small_file() {
  std::mt19937 rng(7);
  const nb::StreamHeader h = make_header(2, 10, 3);
  return encode(h, random_codes(rng, 7 * 2, 10), 7 * 128 - 5);
}

std::filesystem::path temp_path(const std::string& name) {
  return std::filesystem::temp_directory_path() /
         ("nwave_bitstream_test_" + std::to_string(::getpid()) + "_" + name);
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

}  // namespace

// ------------------------------------------------------------------------------------------------ CRC-32

TEST(Crc32, MatchesTheStandardCheckValue) {
  const std::string s = "123456789";
  EXPECT_EQ(nb::crc32(reinterpret_cast<const uint8_t*>(s.data()), s.size()), 0xCBF43926u);
  EXPECT_EQ(nb::crc32(nullptr, 0), 0u);
}

TEST(Crc32, UpdateEqualsOneShot) {
  const std::string s = "NeuralWave-RVQ bitstream";
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  EXPECT_EQ(nb::crc32_update(nb::crc32(p, 5), p + 5, s.size() - 5), nb::crc32(p, s.size()));
}

// ------------------------------------------------------------------------------------------------ bit packing

TEST(BitPacker, RoundTripsEveryWidthAndLength) {
  std::mt19937 rng(1);
  for (unsigned width = 1; width <= 16; ++width) {
    for (size_t length : {0, 1, 2, 3, 7, 8, 9, 13, 64, 100, 1001}) {
      std::vector<uint16_t> values = random_codes(rng, length, width);
      if (length > 0) values[0] = static_cast<uint16_t>((1u << width) - 1);  // the largest value fits too
      const std::vector<uint8_t> packed = nb::pack_codes(values, width);
      ASSERT_EQ(packed.size(), (length * width + 7) / 8) << "width " << width << " length " << length;
      EXPECT_EQ(nb::unpack_codes(packed, length, width), values) << "width " << width << " length " << length;
      EXPECT_TRUE(nb::padding_is_zero(packed.data(), packed.size(), length, width));
    }
  }
}

TEST(BitPacker, LsbFirstLayoutMatchesTheWorkedExample) {
  // docs/FORMAT.md: 10-bit codes 1, 1023, 512 -> 01 FC 0F 20.
  EXPECT_EQ(nb::pack_codes({1, 1023, 512}, 10), (std::vector<uint8_t>{0x01, 0xFC, 0x0F, 0x20}));
  // 3-bit codes 5, 3, 6: bits 101 | 011 | 110 from the LSB -> 0b10011101 = 0x9D, then 0b00000001.
  EXPECT_EQ(nb::pack_codes({5, 3, 6}, 3), (std::vector<uint8_t>{0x9D, 0x01}));
  EXPECT_EQ(nb::pack_codes({0xBEEF}, 16), (std::vector<uint8_t>{0xEF, 0xBE}));
}

TEST(BitPacker, AppendsToExistingBuffer) {
  std::vector<uint8_t> out = {0xAA};
  const uint16_t v[2] = {0xF, 0x1};
  nb::pack_codes(v, 2, 4, out);
  EXPECT_EQ(out, (std::vector<uint8_t>{0xAA, 0x1F}));
}

TEST(BitPacker, RejectsWidthOutOfRange) {
  for (unsigned width : {0u, 17u, 32u}) {
    try {
      nb::pack_codes({1}, width);
      FAIL() << "width " << width << " accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kBadArgument);
    }
    EXPECT_THROW(nb::unpack_codes(std::vector<uint8_t>(8), 1, width), Error);
  }
}

TEST(BitPacker, RejectsValuesThatDoNotFitAndLeavesOutputUnchanged) {
  std::vector<uint8_t> out = {1, 2, 3};
  const uint16_t v[3] = {1, 15, 16};
  try {
    nb::pack_codes(v, 3, 4, out);
    FAIL() << "16 accepted as a 4-bit code";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadArgument);
  }
  EXPECT_EQ(out, (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_THROW(nb::pack_codes({1024}, 10), Error);
  EXPECT_NO_THROW(nb::pack_codes({1023}, 10));
}

TEST(BitPacker, UnpackRejectsShortBuffer) {
  try {
    nb::unpack_codes(std::vector<uint8_t>(3), 3, 10);  // needs 4 bytes
    FAIL() << "short buffer accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadArgument);
  }
}

TEST(BitPacker, DetectsNonZeroPadding) {
  std::vector<uint8_t> packed = nb::pack_codes({1, 2, 3}, 10);  // 30 bits: 2 padding bits
  EXPECT_TRUE(nb::padding_is_zero(packed.data(), packed.size(), 3, 10));
  packed.back() |= 0x40;
  EXPECT_FALSE(nb::padding_is_zero(packed.data(), packed.size(), 3, 10));
}

// ------------------------------------------------------------------------------------------------ header

TEST(NwvHeader, RoundTripsEveryField) {
  nb::StreamHeader h;
  h.sample_rate = 16000;
  h.hop = 128;
  h.codebook_bits = 13;
  h.num_codebooks = 32;
  h.frames_per_packet = 65535;
  h.original_samples = (uint64_t{1} << 33) + 77;
  h.frame_count = nb::frames_for_samples(h.original_samples, h.hop);
  h.original_sample_rate = 96000;
  h.original_channels = 6;
  h.model_fingerprint = 0xFEDCBA9876543210ull;
  const auto bytes = nb::encode_header(h);
  const nb::StreamHeader back = nb::decode_header(bytes.data(), bytes.size());
  EXPECT_EQ(back, h);
  EXPECT_EQ(back.model_fingerprint, h.model_fingerprint);
  EXPECT_EQ(back.frame_count, h.frame_count);
}

TEST(NwvHeader, LayoutMatchesFormatDoc) {
  nb::StreamHeader h = make_header(5, 10);
  h.original_samples = 16000;
  h.frame_count = 125;
  h.format_version = 1;
  const auto b = nb::encode_header(h);
  ASSERT_EQ(b.size(), 52u);
  EXPECT_EQ(std::string(b.begin(), b.begin() + 4), "NWVQ");
  EXPECT_EQ(b[4], 1);  // version, u16 LE
  EXPECT_EQ(b[5], 0);
  EXPECT_EQ(b[6], 10);  // codebook bits
  EXPECT_EQ(b[7], 5);   // codebooks
  EXPECT_EQ(b[8] | (b[9] << 8), 16000);
  EXPECT_EQ(b[12] | (b[13] << 8), 128);
  EXPECT_EQ(b[14] | (b[15] << 8), 250);
  EXPECT_EQ(b[16] | (b[17] << 8) | (b[18] << 16), 44100);
  EXPECT_EQ(b[20], 2);  // channels
  EXPECT_EQ(b[24], 125);  // frame count
  EXPECT_EQ(b[32] | (b[33] << 8), 16000);  // samples
  EXPECT_EQ(b[40], 0xEF);  // fingerprint, LE
  EXPECT_EQ(b[47], 0x01);
  const uint32_t crc = b[48] | (b[49] << 8) | (b[50] << 16) | (uint32_t{b[51]} << 24);
  EXPECT_EQ(crc, nb::crc32(b.data(), 48));
}

TEST(NwvHeader, WriterRejectsFieldsOutOfRange) {
  const std::vector<std::function<void(nb::StreamHeader&)>> breakers = {
      [](nb::StreamHeader& h) { h.codebook_bits = 0; },      [](nb::StreamHeader& h) { h.codebook_bits = 17; },
      [](nb::StreamHeader& h) { h.num_codebooks = 0; },      [](nb::StreamHeader& h) { h.num_codebooks = 33; },
      [](nb::StreamHeader& h) { h.frames_per_packet = 0; },  [](nb::StreamHeader& h) { h.hop = 0; },
      [](nb::StreamHeader& h) { h.sample_rate = 0; },        [](nb::StreamHeader& h) { h.original_channels = 0; },
      [](nb::StreamHeader& h) { h.original_sample_rate = 0; }, [](nb::StreamHeader& h) { h.format_version = 3; },
      [](nb::StreamHeader& h) { h.format_version = 1; h.entropy_coded = true; },
      [](nb::StreamHeader& h) { h.frames_per_packet = 65536; },
  };
  for (size_t i = 0; i < breakers.size(); ++i) {
    nb::StreamHeader h = make_header(8, 10);
    breakers[i](h);
    std::ostringstream out;
    try {
      nb::NwvWriter writer(out, h);
      FAIL() << "breaker " << i << " accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kBadArgument) << "breaker " << i;
    }
  }
}

TEST(NwvHeader, FrameCountMustCoverOriginalSamples) {
  nb::StreamHeader h = make_header(1, 10);
  h.original_samples = 129;
  h.frame_count = 1;  // needs ceil(129 / 128) = 2
  EXPECT_THROW(nb::encode_header(h), Error);
  h.frame_count = 2;
  EXPECT_NO_THROW(nb::encode_header(h));
  EXPECT_EQ(nb::frames_for_samples(0, 128), 0u);
  EXPECT_EQ(nb::frames_for_samples(128, 128), 1u);
  EXPECT_EQ(nb::frames_for_samples(~uint64_t{0}, 128), (~uint64_t{0}) / 128 + 1);
}

TEST(NwvHeader, ExpectedFileSize) {
  nb::StreamHeader h = make_header(1, 10);
  h.frame_count = 251;
  h.original_samples = 251 * 128;
  // 52 header + (ceil(2500 / 8) = 313 + 4) + (ceil(10 / 8) = 2 + 4).
  EXPECT_EQ(nb::expected_file_size(h), 52u + 317u + 6u);
  h.frame_count = 0;
  h.original_samples = 0;
  EXPECT_EQ(nb::expected_file_size(h), 52u);
}

// ------------------------------------------------------------------------------------------------ round trips

TEST(NwvRoundTrip, RandomCodesAtVariousSizes) {
  std::mt19937 rng(2);
  struct Shape {
    uint32_t codebooks, bits;
  };
  for (Shape s : {Shape{1, 10}, Shape{3, 10}, Shape{8, 10}, Shape{32, 16}, Shape{5, 1}, Shape{7, 13}}) {
    for (size_t frames : {0, 1, 249, 250, 251, 1000}) {
      const nb::StreamHeader h = make_header(s.codebooks, s.bits);
      const std::vector<uint16_t> codes = random_codes(rng, frames * s.codebooks, s.bits);
      const uint64_t samples = frames == 0 ? 0 : frames * 128 - rng() % 128;
      for (size_t chunk : {size_t{0}, size_t{1}, size_t{97}}) {
        const std::string bytes = encode(h, codes, samples, chunk);
        EXPECT_EQ(bytes.size(), nb::expected_file_size(nb::decode_header(
                                    reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size())));
        for (bool seekable : {true, false}) {
          const Decoded d = decode(bytes, seekable);
          EXPECT_EQ(d.codes, codes) << s.codebooks << "x" << s.bits << " frames " << frames;
          EXPECT_EQ(d.header.frame_count, frames);
          EXPECT_EQ(d.header.original_samples, samples);
          EXPECT_EQ(d.header.num_codebooks, s.codebooks);
          EXPECT_EQ(d.header.codebook_bits, s.bits);
          EXPECT_EQ(d.header.original_sample_rate, 44100u);
          EXPECT_EQ(d.header.original_channels, 2u);
          EXPECT_EQ(d.header.model_fingerprint, 0x0123456789ABCDEFull);
          EXPECT_EQ(d.packet_frames.size(), (frames + 249) / 250);
          for (size_t i = 0; i < d.packet_frames.size(); ++i) {
            EXPECT_EQ(d.packet_frames[i], std::min<size_t>(250, frames - i * 250));
          }
        }
      }
    }
  }
}

TEST(NwvRoundTrip, ThroughFilesOnDisk) {
  std::mt19937 rng(3);
  const nb::StreamHeader h = make_header(4, 10);
  const std::vector<uint16_t> codes = random_codes(rng, 600 * 4, 10);
  const auto path = temp_path("roundtrip.nwv");
  {
    std::ofstream out(path, std::ios::binary);
    nb::NwvWriter writer(out, h);
    writer.write_frames(codes.data(), 600);
    writer.finish(600 * 128);
  }
  std::ifstream in(path, std::ios::binary);
  nb::NwvReader reader(in);
  std::vector<uint16_t> all, packet;
  size_t frames = 0;
  while (reader.next_packet(packet, frames)) all.insert(all.end(), packet.begin(), packet.end());
  EXPECT_EQ(all, codes);
  EXPECT_FALSE(reader.next_packet(packet, frames));  // stays at the end
  EXPECT_EQ(frames, 0u);
  std::filesystem::remove(path);
}

TEST(NwvRoundTrip, FewerCodebooksAreThePrefixOfEachFrame) {
  // Decoding at M < N codebooks takes the first M codes of each frame (docs/FORMAT.md).
  std::mt19937 rng(4);
  const nb::StreamHeader h = make_header(8, 10);
  const std::vector<uint16_t> codes = random_codes(rng, 10 * 8, 10);
  const Decoded d = decode(encode(h, codes, 10 * 128), true);
  for (size_t f = 0; f < 10; ++f) {
    for (size_t c = 0; c < 3; ++c) EXPECT_EQ(d.codes[f * 8 + c], codes[f * 8 + c]);
  }
}

TEST(NwvRoundTrip, MatchesTheGoldenExampleOfFormatDoc) {
  // The complete 68-byte file shown in docs/FORMAT.md ("A complete example"); also computed there with Python's
  // struct and zlib, independently of this code.
  const std::string golden_hex =
      "4e57565101000a02803e00008000020080bb00000200000003000000000000002c010000000000008877665544332211c706ed6d"
      "01fc0f20009ef70189072400e923bccf";
  std::string golden;
  for (size_t i = 0; i < golden_hex.size(); i += 2) {
    golden.push_back(static_cast<char>(std::stoi(golden_hex.substr(i, 2), nullptr, 16)));
  }
  nb::StreamHeader h = make_header(2, 10, 2);
  h.format_version = 1;
  h.original_sample_rate = 48000;
  h.original_channels = 2;
  h.model_fingerprint = 0x1122334455667788ull;
  const std::vector<uint16_t> codes = {1, 1023, 512, 0, 7, 9};
  EXPECT_EQ(encode(h, codes, 300), golden);
  const Decoded d = decode(golden, true);
  EXPECT_EQ(d.codes, codes);
  EXPECT_EQ(d.header.frame_count, 3u);
  EXPECT_EQ(d.header.original_samples, 300u);
}

// ------------------------------------------------------------------------------------------------ writer

TEST(NwvWriter, OutputIsDeterministic) {
  std::mt19937 rng(5);
  const nb::StreamHeader h = make_header(5, 10);
  const std::vector<uint16_t> codes = random_codes(rng, 777 * 5, 10);
  const std::string a = encode(h, codes, 777 * 128 - 3);
  EXPECT_EQ(a, encode(h, codes, 777 * 128 - 3));
  EXPECT_EQ(a, encode(h, codes, 777 * 128 - 3, 1));  // chunking does not change the bytes
  EXPECT_EQ(a, encode(h, codes, 777 * 128 - 3, 250));
  std::vector<uint16_t> other = codes;
  other[1234] ^= 1;
  EXPECT_NE(a, encode(h, other, 777 * 128 - 3));
}

TEST(NwvWriter, EmitsEachPacketWhenFull) {
  const nb::StreamHeader h = make_header(1, 10);
  std::ostringstream out;
  nb::NwvWriter writer(out, h);
  const std::vector<uint16_t> codes(251, 7);
  writer.write_frames(codes.data(), 249);
  EXPECT_EQ(out.str().size(), 52u);  // nothing but the placeholder header yet
  writer.write_frames(codes.data(), 1);
  EXPECT_EQ(out.str().size(), 52u + 313u + 4u);  // the first packet is out as soon as it is full
  writer.write_frames(codes.data(), 1);
  writer.finish(251 * 128);
  EXPECT_EQ(out.str().size(), 52u + 317u + 6u);
}

TEST(NwvWriter, UnfinishedFileIsRejected) {
  const nb::StreamHeader h = make_header(1, 10);
  std::ostringstream out;
  {
    nb::NwvWriter writer(out, h);
    const std::vector<uint16_t> codes(300, 1);
    writer.write_frames(codes.data(), 300);
  }  // no finish(): e.g. the encoder crashed
  std::string message;
  EXPECT_TRUE(rejected(out.str(), true, &message));
  EXPECT_NE(message.find("CRC"), std::string::npos) << message;
}

TEST(NwvWriter, RejectsMisuse) {
  const nb::StreamHeader h = make_header(2, 10);
  std::ostringstream out;
  nb::NwvWriter writer(out, h);
  const uint16_t bad[2] = {1, 1024};
  EXPECT_THROW(writer.write_frames(bad, 1), Error);
  EXPECT_EQ(writer.frames_written(), 0u);  // a rejected call consumes nothing
  const uint16_t good[4] = {1, 2, 3, 4};
  writer.write_frames(good, 2);
  EXPECT_THROW(writer.finish(3 * 128), Error);  // 2 frames cannot be 3 frames of samples
  EXPECT_THROW(writer.finish(128), Error);
  writer.finish(2 * 128 - 1);
  EXPECT_THROW(writer.write_frames(good, 1), Error);
  EXPECT_THROW(writer.finish(2 * 128), Error);
}

TEST(NwvWriter, NonSeekableOutputIsAnIoError) {
  PipeOutBuf buf;
  std::ostream out(&buf);
  try {
    nb::NwvWriter writer(out, make_header(1, 10));
    FAIL() << "non-seekable output accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIo);
  }
}

// ------------------------------------------------------------------------------------------------ damage

TEST(NwvCorruption, EverySingleBitFlipIsDetected) {
  const std::string good = small_file();
  ASSERT_EQ(good.size(), 52u + (8 + 4) + (8 + 4) + (3 + 4));
  ASSERT_FALSE(rejected(good, true));
  ASSERT_FALSE(rejected(good, false));
  for (size_t byte = 0; byte < good.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string bad = good;
      bad[byte] = static_cast<char>(bad[byte] ^ (1 << bit));
      EXPECT_TRUE(rejected(bad, true)) << "byte " << byte << " bit " << bit << " (seekable)";
      EXPECT_TRUE(rejected(bad, false)) << "byte " << byte << " bit " << bit << " (pipe)";
    }
  }
}

TEST(NwvCorruption, EveryTruncationIsDetected) {
  const std::string good = small_file();
  for (size_t length = 0; length < good.size(); ++length) {
    const std::string cut = good.substr(0, length);
    EXPECT_TRUE(rejected(cut, true)) << "length " << length;
    EXPECT_TRUE(rejected(cut, false)) << "length " << length;
  }
  std::string message;
  rejected(good.substr(0, good.size() - 1), true, &message);
  EXPECT_NE(message.find("truncated"), std::string::npos) << message;
}

TEST(NwvCorruption, InsertedOrAppendedBytesAreDetected) {
  const std::string good = small_file();
  for (size_t pos = 0; pos <= good.size(); ++pos) {
    for (char value : {'\0', '\x5A'}) {
      std::string bad = good;
      bad.insert(bad.begin() + static_cast<std::ptrdiff_t>(pos), value);
      EXPECT_TRUE(rejected(bad, true)) << "insert at " << pos;
      EXPECT_TRUE(rejected(bad, false)) << "insert at " << pos;
    }
  }
}

TEST(NwvCorruption, ReorderedAndDuplicatedPacketsAreDetected) {
  // Three full packets of identical size: swapping or repeating one keeps every size right; only the
  // index hashed into each CRC can tell.
  std::mt19937 rng(6);
  const nb::StreamHeader h = make_header(2, 8, 4);
  const std::string good = encode(h, random_codes(rng, 12 * 2, 8), 12 * 128);
  const size_t packet = 4 * 2 + 4;
  ASSERT_EQ(good.size(), 52 + 3 * packet);
  const std::string p0 = good.substr(52, packet), p1 = good.substr(52 + packet, packet);
  std::string swapped = good;
  swapped.replace(52, packet, p1);
  swapped.replace(52 + packet, packet, p0);
  std::string message;
  EXPECT_TRUE(rejected(swapped, true, &message));
  EXPECT_NE(message.find("packet 1 of 3: CRC mismatch"), std::string::npos) << message;
  std::string duplicated = good;
  duplicated.replace(52 + packet, packet, p0);
  EXPECT_TRUE(rejected(duplicated, true, &message));
  EXPECT_NE(message.find("packet 2 of 3: CRC mismatch"), std::string::npos) << message;
}

TEST(NwvCorruption, DamagedPacketIsNamedInTheMessage) {
  std::mt19937 rng(8);
  const nb::StreamHeader h = make_header(8, 10);
  std::string bytes = encode(h, random_codes(rng, 1000 * 8, 10), 1000 * 128);  // 4 packets of 250
  const size_t packet = 2500 + 4;
  bytes[52 + 2 * packet + 100] ^= 0x10;
  std::string message;
  EXPECT_TRUE(rejected(bytes, true, &message));
  EXPECT_NE(message.find("packet 3 of 4: CRC mismatch"), std::string::npos) << message;
}

TEST(NwvCorruption, ForeignDataIsRejected) {
  static const char kWavHeader[] = "RIFF\x24\x08\x00\x00WAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x80\x3e\x00\x00"
                                   "\x00\x7d\x00\x00\x02\x00\x10\x00" "data\x00\x08\x00\x00";
  std::vector<std::string> inputs = {
      "",
      "N",
      "NWVQ",
      std::string(kWavHeader, sizeof(kWavHeader) - 1),
      "fLaC\x00\x00\x00\x22 and then some more bytes that are not a codec stream at all, really",
      "OggS plus more",
      std::string(52, '\0'),
      std::string(1000, '\xFF'),
  };
  std::mt19937 rng(9);
  for (size_t length : {1, 10, 51, 52, 53, 100, 4096}) {
    std::string random(length, '\0');
    for (auto& c : random) c = static_cast<char>(rng());
    inputs.push_back(random);
    inputs.push_back("NWVQ" + random);  // right magic, garbage after it
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    EXPECT_TRUE(rejected(inputs[i], true)) << "input " << i;
    EXPECT_TRUE(rejected(inputs[i], false)) << "input " << i;
  }
  std::string message;
  rejected(inputs[3], true, &message);
  EXPECT_NE(message.find("not a .nwv file"), std::string::npos) << message;
}

TEST(NwvCorruption, UnknownVersionIsRejectedByName) {
  std::string bytes = small_file();
  bytes[4] = 3;  // version 3, CRC not even looked at
  std::string message;
  EXPECT_TRUE(rejected(bytes, true, &message));
  EXPECT_NE(message.find("version 3"), std::string::npos) << message;
}

TEST(NwvCorruption, LyingLengthWithValidCrcIsCaughtBeforeAllocation) {
  // A header claiming 2^40 frames of 32 x 16-bit codes, with a correct CRC, on a 52-byte file. The reader must
  // answer from the size check (seekable) or after one packet read (pipe), never try to allocate terabytes.
  nb::StreamHeader h = make_header(32, 16, 65535);
  h.frame_count = nb::kMaxFrameCount;
  h.original_samples = nb::kMaxFrameCount * 128;
  const auto header = nb::encode_header(h);
  const std::string bytes(header.begin(), header.end());
  std::string message;
  EXPECT_TRUE(rejected(bytes, true, &message));
  EXPECT_NE(message.find("file is truncated"), std::string::npos) << message;  // the up-front size check
  EXPECT_NE(message.find("header implies"), std::string::npos) << message;
  EXPECT_TRUE(rejected(bytes, false, &message));
  EXPECT_NE(message.find("packet 1 of"), std::string::npos) << message;
}

TEST(NwvCorruption, NonZeroPaddingIsRejectedEvenWithAValidCrc) {
  // 1 frame x 1 codebook x 10 bits: 2 payload bytes, the top 6 bits of the second are padding.
  const nb::StreamHeader h = make_header(1, 10);
  std::string bytes = encode(h, {5}, 100);
  ASSERT_EQ(bytes.size(), 52u + 2 + 4);
  bytes[53] = static_cast<char>(bytes[53] | 0x80);
  uint8_t hashed[6] = {0, 0, 0, 0, static_cast<uint8_t>(bytes[52]), static_cast<uint8_t>(bytes[53])};
  const uint32_t crc = nb::crc32(hashed, 6);  // index 0, then the payload
  for (int i = 0; i < 4; ++i) bytes[54 + i] = static_cast<char>((crc >> (8 * i)) & 0xFF);
  std::string message;
  EXPECT_TRUE(rejected(bytes, true, &message));
  EXPECT_NE(message.find("padding"), std::string::npos) << message;
}

TEST(NwvCorruption, RandomMultiByteDamageNeverCrashes) {
  const std::string good = small_file();
  std::mt19937 rng(10);
  for (int trial = 0; trial < 2000; ++trial) {
    std::string bad = good;
    const int edits = 1 + static_cast<int>(rng() % 6);
    for (int e = 0; e < edits; ++e) bad[rng() % bad.size()] = static_cast<char>(rng());
    if (bad == good) continue;
    EXPECT_TRUE(rejected(bad, trial % 2 == 0)) << "trial " << trial;
  }
}

// ------------------------------------------------------------------------------------------------ size

TEST(NwvSize, WithinThreePercentPlus256BytesOfTheBitrate) {
  std::mt19937 rng(11);
  for (uint32_t codebooks : {1u, 3u, 5u, 8u}) {
    for (double seconds : {1.0, 10.0, 60.0, 1.2345}) {
      const nb::StreamHeader h = make_header(codebooks, 10);
      const uint64_t samples = static_cast<uint64_t>(seconds * 16000);
      const uint64_t frames = nb::frames_for_samples(samples, 128);
      const std::string bytes = encode(h, random_codes(rng, frames * codebooks, 10), samples);
      const double bitrate = codebooks * 10 * 125.0;  // bit/s
      const double duration = static_cast<double>(samples) / 16000.0;
      const double bound = 1.03 * bitrate * duration / 8 + 256;
      EXPECT_LE(static_cast<double>(bytes.size()), bound)
          << codebooks << " codebooks, " << seconds << " s: " << bytes.size() << " bytes";
    }
  }
}

// ------------------------------------------------------------------------------------------------ .npy

TEST(Npy, HeaderAndDataMatchNumpyLayout) {
  std::vector<int32_t> data(5 * 123);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<int32_t>(i % 1024) - 3;
  const auto path = temp_path("codes.npy");
  nb::write_npy(path.string(), data.data(), 5, 123, nb::NpyDtype::kInt16);
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp"));
  const std::string bytes = read_file(path);
  ASSERT_GE(bytes.size(), 10u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  const size_t header_len = static_cast<uint8_t>(bytes[8]) | (static_cast<uint8_t>(bytes[9]) << 8);
  const size_t data_start = 10 + header_len;
  EXPECT_EQ(data_start % 64, 0u);
  const std::string dict = bytes.substr(10, header_len);
  EXPECT_NE(dict.find("'descr': '<i2'"), std::string::npos) << dict;
  EXPECT_NE(dict.find("'fortran_order': False"), std::string::npos) << dict;
  EXPECT_NE(dict.find("'shape': (5, 123)"), std::string::npos) << dict;
  EXPECT_EQ(dict.back(), '\n');
  ASSERT_EQ(bytes.size(), data_start + data.size() * 2);
  for (size_t i = 0; i < data.size(); ++i) {
    const int16_t v = static_cast<int16_t>(static_cast<uint8_t>(bytes[data_start + 2 * i]) |
                                           (static_cast<uint8_t>(bytes[data_start + 2 * i + 1]) << 8));
    ASSERT_EQ(v, data[i]) << "index " << i;
  }
  std::filesystem::remove(path);
}

TEST(Npy, Int32Data) {
  const std::vector<int32_t> data = {0, -1, 70000, -70000, 2147483647, -2147483647 - 1};
  const auto path = temp_path("codes32.npy");
  nb::write_npy(path.string(), data.data(), 2, 3, nb::NpyDtype::kInt32);
  const std::string bytes = read_file(path);
  const size_t data_start = 10 + (static_cast<uint8_t>(bytes[8]) | (static_cast<uint8_t>(bytes[9]) << 8));
  EXPECT_NE(bytes.find("'descr': '<i4'"), std::string::npos);
  EXPECT_NE(bytes.find("'shape': (2, 3)"), std::string::npos);
  ASSERT_EQ(bytes.size(), data_start + 24);
  int32_t back[6];
  for (size_t i = 0; i < 6; ++i) {
    uint32_t u = 0;
    for (size_t b = 0; b < 4; ++b) u |= uint32_t{static_cast<uint8_t>(bytes[data_start + 4 * i + b])} << (8 * b);
    back[i] = static_cast<int32_t>(u);
    EXPECT_EQ(back[i], data[i]);
  }
  std::filesystem::remove(path);
}

TEST(Npy, RejectsOutOfRangeInt16WithoutLeavingAFile) {
  const std::vector<int32_t> data = {1, 2, 40000};
  const auto path = temp_path("bad.npy");
  try {
    nb::write_npy(path.string(), data.data(), 1, 3, nb::NpyDtype::kInt16);
    FAIL() << "40000 accepted as int16";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadArgument);
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp"));
}

TEST(Npy, UnwritablePathIsAnIoError) {
  const std::vector<int32_t> data = {1};
  try {
    nb::write_npy("/nonexistent-dir-nwave/x.npy", data.data(), 1, 1, nb::NpyDtype::kInt16);
    FAIL() << "unwritable path accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kIo);
  }
}

TEST(Npy, HeaderLengthIsAMultipleOf64ForManyShapes) {
  for (size_t rows : {size_t{0}, size_t{1}, size_t{8}, size_t{123456789}}) {
    for (size_t cols : {size_t{0}, size_t{7}, size_t{1} << 40}) {
      const std::string h = nb::npy_header(rows, cols, nb::NpyDtype::kInt32);
      EXPECT_EQ(h.size() % 64, 0u) << rows << "x" << cols;
      EXPECT_EQ(h.back(), '\n');
    }
  }
}

TEST(Npy, LoadsInNumpy) {
  if (std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") != 0) GTEST_SKIP() << "python3 with numpy missing";
  std::vector<int32_t> data(8 * 321);
  int64_t sum = 0;
  for (size_t i = 0; i < data.size(); ++i) {
    data[i] = static_cast<int32_t>((i * 37) % 1024);
    sum += data[i];
  }
  const auto path = temp_path("numpy.npy");
  const auto result = temp_path("numpy.txt");
  nb::write_npy(path.string(), data.data(), 8, 321, nb::NpyDtype::kInt16);
  const std::string cmd = "/usr/bin/python3 -c \"import numpy as np; a = np.load('" + path.string() +
                          "'); print(a.shape[0], a.shape[1], a.dtype, int(a.astype(np.int64).sum()), "
                          "int(a[7, 320]))\" > " + result.string();
  ASSERT_EQ(std::system(cmd.c_str()), 0);
  std::istringstream got(read_file(result));
  size_t rows = 0, cols = 0;
  std::string dtype;
  int64_t got_sum = 0, last = 0;
  got >> rows >> cols >> dtype >> got_sum >> last;
  EXPECT_EQ(rows, 8u);
  EXPECT_EQ(cols, 321u);
  EXPECT_EQ(dtype, "int16");
  EXPECT_EQ(got_sum, sum);
  EXPECT_EQ(last, data.back());
  std::filesystem::remove(path);
  std::filesystem::remove(result);
}

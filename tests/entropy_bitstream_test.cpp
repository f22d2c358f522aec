// The entropy-coded .nwv layout (format version 2): range coder, context model, packet framing, per-packet
// independence, the fallback to fixed width, and reading past damage (NwvLossTolerantReader).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "bitstream/crc32.h"
#include "bitstream/nwv_format.h"
#include "bitstream/nwv_loss_tolerant_reader.h"
#include "bitstream/packet_entropy_coder.h"
#include "bitstream/range_coder.h"
#include "nwave/error.h"
#include "test_util.h"

namespace nb = nwave::bitstream;
using nwave::Error;
using nwave::ErrorCode;

namespace {

// Codes shaped like a codec's: runs of repeated frames (silence, steady sounds), fine codebooks that repeat when
// the coarse one does, a skewed choice of values otherwise. frame-major [frames][codebooks].
std::vector<uint16_t> speechlike_codes(size_t frames, unsigned codebooks, unsigned bits, uint32_t seed) {
  std::mt19937 rng(seed);
  std::geometric_distribution<uint32_t> skewed(0.02);
  const uint32_t limit = 1u << bits;
  std::vector<uint16_t> codes(frames * codebooks);
  for (size_t f = 0; f < frames; ++f) {
    const bool steady = f > 0 && rng() % 10 < 4;
    for (unsigned c = 0; c < codebooks; ++c) {
      const bool repeat = f > 0 && (steady || rng() % 10 < 1);
      codes[f * codebooks + c] = repeat ? codes[(f - 1) * codebooks + c] : static_cast<uint16_t>(skewed(rng) % limit);
    }
  }
  return codes;
}

std::vector<uint16_t> uniform_codes(size_t count, unsigned bits, uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<uint16_t> codes(count);
  for (auto& c : codes) c = static_cast<uint16_t>(rng() & ((1u << bits) - 1));
  return codes;
}

nb::StreamHeader header(unsigned codebooks, unsigned bits, unsigned frames_per_packet, bool entropy) {
  nb::StreamHeader h;
  h.num_codebooks = codebooks;
  h.codebook_bits = bits;
  h.frames_per_packet = frames_per_packet;
  h.entropy_coded = entropy;
  h.model_fingerprint = 0x0123456789ABCDEFull;
  return h;
}

std::string write(const nb::StreamHeader& h, const std::vector<uint16_t>& codes) {
  std::ostringstream out(std::ios::binary);
  nb::NwvWriter writer(out, h);
  writer.write_frames(codes.data(), codes.size() / h.num_codebooks);
  writer.finish(codes.size() / h.num_codebooks * h.hop);
  return out.str();
}

std::vector<uint16_t> read(const std::string& bytes) {
  std::istringstream in(bytes, std::ios::binary);
  nb::NwvReader reader(in);
  std::vector<uint16_t> all, packet;
  size_t frames = 0;
  while (reader.next_packet(packet, frames)) all.insert(all.end(), packet.begin(), packet.end());
  return all;
}

struct Tolerant {
  std::vector<uint16_t> codes;  // lost frames are filled with 0xFFFF
  std::vector<bool> lost;       // per packet
  uint64_t lost_count = 0;
};

Tolerant read_tolerant(const std::string& bytes) {
  nb::NwvLossTolerantReader reader(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  Tolerant t;
  std::vector<uint16_t> packet;
  size_t frames = 0;
  bool lost = false;
  while (reader.next_packet(packet, frames, lost)) {
    if (lost) packet.assign(frames * reader.header().num_codebooks, 0xFFFF);
    EXPECT_EQ(packet.size(), frames * reader.header().num_codebooks);
    t.codes.insert(t.codes.end(), packet.begin(), packet.end());
    t.lost.push_back(lost);
  }
  t.lost_count = reader.lost_packets();
  return t;
}

// Byte offset of each packet in an entropy-coded file (walking the length fields).
std::vector<size_t> packet_offsets(const std::string& bytes) {
  std::vector<size_t> at;
  for (size_t pos = nb::kNwvHeaderSize; pos < bytes.size();) {
    at.push_back(pos);
    const auto* p = reinterpret_cast<const uint8_t*>(bytes.data() + pos);
    pos += nb::kEntropyPacketOverhead + (p[0] | p[1] << 8 | p[2] << 16 | static_cast<uint32_t>(p[3]) << 24);
  }
  return at;
}

}  // namespace

// ------------------------------------------------------------------------------------------------ range coder

TEST(RangeCoder, BitsAndFrequenciesRoundTrip) {
  std::mt19937 rng(5);
  std::vector<nb::BitProbability> enc_probs(4), dec_probs(4);
  std::vector<std::array<uint32_t, 3>> symbols;  // bit, or (cumulative, frequency, total)
  nb::RangeEncoder encoder;
  std::vector<int> kinds;
  for (int i = 0; i < 5000; ++i) {
    if (rng() % 2) {
      const unsigned bit = rng() % 5 == 0;
      encoder.encode_bit(enc_probs[i % 4], bit);
      symbols.push_back({bit, 0, 0});
      kinds.push_back(0);
    } else {
      const uint32_t total = 1 + rng() % nb::kMaxFrequencyTotal;
      const uint32_t cumulative = rng() % total;
      const uint32_t frequency = 1 + rng() % (total - cumulative);
      encoder.encode_frequency(cumulative, frequency, total);
      symbols.push_back({cumulative, frequency, total});
      kinds.push_back(1);
    }
  }
  const std::vector<uint8_t> bytes = encoder.finish();
  nb::RangeDecoder decoder(bytes.data(), bytes.size());
  for (size_t i = 0; i < symbols.size(); ++i) {
    if (kinds[i] == 0) {
      ASSERT_EQ(decoder.decode_bit(dec_probs[i % 4]), symbols[i][0]) << i;
    } else {
      const uint32_t v = decoder.peek_frequency(symbols[i][2]);
      ASSERT_GE(v, symbols[i][0]) << i;
      ASSERT_LT(v, symbols[i][0] + symbols[i][1]) << i;
      decoder.consume(symbols[i][0], symbols[i][1]);
    }
  }
  EXPECT_TRUE(decoder.at_end());
}

TEST(RangeCoder, SkewedBitsCostFarLessThanOneBitEach) {
  nb::RangeEncoder encoder;
  nb::BitProbability p;
  for (int i = 0; i < 8000; ++i) encoder.encode_bit(p, i % 100 == 0);
  EXPECT_LT(encoder.finish().size(), 8000u / 8 / 4);  // entropy of p = 0.01 is 0.08 bit
}

// ------------------------------------------------------------------------------------------------ packet model

TEST(PacketEntropyCoder, RoundTripsEveryLayoutAndEdgeCase) {
  for (unsigned bits : {1u, 2u, 7u, 10u, 12u})
    for (unsigned codebooks : {1u, 3u, 8u, 32u})
      for (size_t frames : {1u, 2u, 17u, 250u}) {
        for (const auto& codes : {speechlike_codes(frames, codebooks, bits, bits * 100 + codebooks),
                                  uniform_codes(frames * codebooks, bits, 3),
                                  std::vector<uint16_t>(frames * codebooks, static_cast<uint16_t>((1u << bits) - 1))}) {
          const std::vector<uint8_t> payload = nb::entropy_encode_packet(codes.data(), frames, codebooks, bits);
          std::vector<uint16_t> back(codes.size());
          nb::entropy_decode_packet(payload.data(), payload.size(), frames, codebooks, bits, back.data());
          ASSERT_EQ(back, codes) << bits << " bits, " << codebooks << " codebooks, " << frames << " frames";
        }
      }
}

TEST(PacketEntropyCoder, IsDeterministic) {
  const auto codes = speechlike_codes(250, 5, 10, 9);
  EXPECT_EQ(nb::entropy_encode_packet(codes.data(), 250, 5, 10), nb::entropy_encode_packet(codes.data(), 250, 5, 10));
}

TEST(PacketEntropyCoder, TruncatedOrPaddedPayloadIsRejected) {
  const auto codes = speechlike_codes(250, 5, 10, 11);
  std::vector<uint8_t> payload = nb::entropy_encode_packet(codes.data(), 250, 5, 10);
  std::vector<uint16_t> out(codes.size());
  for (size_t cut = 0; cut < payload.size(); ++cut) {
    EXPECT_THROW(nb::entropy_decode_packet(payload.data(), cut, 250, 5, 10, out.data()), Error) << cut;
  }
  payload.push_back(0);
  EXPECT_THROW(nb::entropy_decode_packet(payload.data(), payload.size(), 250, 5, 10, out.data()), Error);
}

TEST(PacketEntropyCoder, RepetitiveCodesShrinkWellBelowFixedWidth) {
  const auto codes = speechlike_codes(250, 5, 10, 13);
  const size_t fixed = 250 * 5 * 10 / 8;
  EXPECT_LT(nb::entropy_encode_packet(codes.data(), 250, 5, 10).size(), fixed * 7 / 10);
}

TEST(PacketEntropyCoder, GarbagePayloadsNeverCrashOrOverrun) {
  std::mt19937 rng(17);
  std::vector<uint16_t> out(250 * 5);
  for (int trial = 0; trial < 300; ++trial) {
    std::vector<uint8_t> junk(rng() % 2000);
    for (auto& b : junk) b = static_cast<uint8_t>(rng());
    try {
      nb::entropy_decode_packet(junk.data(), junk.size(), 250, 5, 10, out.data());
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kCorruptStream);
    }
    for (uint16_t c : out) ASSERT_LT(c, 1024);
  }
}

// ------------------------------------------------------------------------------------------------ v2 files

TEST(NwvVersion2, EntropyAndFixedWidthFilesHoldTheSameCodes) {
  for (unsigned fpp : {1u, 7u, 250u}) {
    const auto codes = speechlike_codes(1003, 5, 10, fpp);
    const std::string entropy = write(header(5, 10, fpp, true), codes);
    const std::string fixed = write(header(5, 10, fpp, false), codes);
    EXPECT_EQ(read(entropy), codes) << fpp;
    EXPECT_EQ(read(fixed), codes) << fpp;
    EXPECT_EQ(fixed.size(),
              nb::expected_file_size(nb::decode_header(reinterpret_cast<const uint8_t*>(fixed.data()), fixed.size())));
    if (fpp == 250) EXPECT_LT(entropy.size(), fixed.size() * 7 / 10);
    EXPECT_EQ(entropy[22], 1) << "flags: entropy coded";
    EXPECT_EQ(fixed[22], 0);
    EXPECT_EQ(entropy[4], 2);
  }
}

TEST(NwvVersion2, Version1FilesStillDecode) {
  nb::StreamHeader h = header(3, 10, 250, false);
  h.format_version = 1;
  const auto codes = uniform_codes(600 * 3, 10, 2);
  const std::string v1 = write(h, codes);
  EXPECT_EQ(v1[4], 1);
  EXPECT_EQ(read(v1), codes);
  // The same codes in a version 2 fixed-width file: only the version byte and the header CRC differ.
  const std::string v2 = write(header(3, 10, 250, false), codes);
  EXPECT_EQ(v1.substr(nb::kNwvHeaderSize), v2.substr(nb::kNwvHeaderSize));
}

TEST(NwvVersion2, IncompressiblePacketsFallBackToFixedWidth) {
  const auto codes = uniform_codes(500 * 8, 10, 4);
  const std::string entropy = write(header(8, 10, 250, true), codes);
  const std::string fixed = write(header(8, 10, 250, false), codes);
  EXPECT_EQ(read(entropy), codes);
  // Each packet costs at most 5 bytes more than fixed width (length and coding fields).
  EXPECT_LE(entropy.size(), fixed.size() + 2 * 5);
  for (size_t at : packet_offsets(entropy)) EXPECT_EQ(entropy[at + 4], 0) << "coding byte: fixed width";
  // Codes wider than 12 bits are never range coded.
  const auto wide = uniform_codes(300 * 2, 14, 5);
  EXPECT_EQ(read(write(header(2, 14, 250, true), wide)), wide);
}

TEST(NwvVersion2, EveryPacketDecodesOnItsOwn) {
  const nb::StreamHeader h = header(5, 10, 50, true);
  const auto codes = speechlike_codes(230, 5, 10, 21);
  const std::string bytes = write(h, codes);
  const nb::StreamHeader read_header = nb::decode_header(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  const std::vector<size_t> at = packet_offsets(bytes);
  ASSERT_EQ(at.size(), 5u);
  for (size_t i = at.size(); i-- > 0;) {  // backwards: no state can leak from one packet to the next
    const size_t end = i + 1 < at.size() ? at[i + 1] : bytes.size();
    std::vector<uint16_t> packet;
    EXPECT_EQ(nb::check_packet(read_header, i, reinterpret_cast<const uint8_t*>(bytes.data()) + at[i], end - at[i],
                               packet),
              "");
    EXPECT_TRUE(std::equal(packet.begin(), packet.end(), codes.begin() + i * 50 * 5)) << i;
    // The same bytes claimed as another packet fail: the CRC covers the index.
    EXPECT_NE(nb::check_packet(read_header, (i + 1) % 4, reinterpret_cast<const uint8_t*>(bytes.data()) + at[i],
                               end - at[i], packet),
              "");
  }
}

TEST(NwvVersion2, EverySingleBitFlipAndTruncationIsDetected) {
  const std::string good = write(header(2, 10, 20, true), speechlike_codes(45, 2, 10, 8));
  for (size_t bit = 0; bit < good.size() * 8; ++bit) {
    std::string bad = good;
    bad[bit / 8] = static_cast<char>(bad[bit / 8] ^ (1 << (bit % 8)));
    EXPECT_THROW(read(bad), Error) << "bit " << bit;
  }
  for (size_t len = 0; len < good.size(); ++len) EXPECT_THROW(read(good.substr(0, len)), Error) << len;
  EXPECT_THROW(read(good + std::string(1, '\0')), Error);
}

TEST(NwvVersion2, AnIndependentReaderWrittenFromFormatDocAgrees) {
  // scripts/nwv_reference_decoder.py implements docs/FORMAT.md in plain Python; it must read what we write.
  if (std::system("/usr/bin/python3 -c pass >/dev/null 2>&1") != 0) GTEST_SKIP() << "python3 missing";
  nwave::test::TempDir dir("reference_decoder");
  struct Case {
    unsigned codebooks, bits, frames_per_packet;
    bool entropy;
    uint32_t version;
    std::vector<uint16_t> codes;
  };
  const std::vector<Case> cases = {
      {5, 10, 250, true, 2, speechlike_codes(620, 5, 10, 41)},   // range coded, last packet partial
      {3, 12, 40, true, 2, speechlike_codes(100, 3, 12, 42)},    // widest range-coded codes
      {2, 1, 16, true, 2, speechlike_codes(50, 2, 1, 43)},       // 1-bit codes
      {8, 10, 100, true, 2, uniform_codes(150 * 8, 10, 44)},     // incompressible: fixed-width packets in v2
      {4, 10, 30, false, 2, speechlike_codes(70, 4, 10, 45)},    // version 2 without entropy coding
      {4, 10, 30, false, 1, speechlike_codes(70, 4, 10, 46)},    // version 1
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    nb::StreamHeader h = header(c.codebooks, c.bits, c.frames_per_packet, c.entropy);
    h.format_version = c.version;
    const std::string nwv = dir.file("case" + std::to_string(i) + ".nwv"), txt = nwv + ".txt";
    std::ofstream(nwv, std::ios::binary) << write(h, c.codes);
    const std::string cmd = "/usr/bin/python3 " NWAVE_SOURCE_DIR "/scripts/nwv_reference_decoder.py '" + nwv +
                            "' > '" + txt + "'";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << "case " << i;
    std::ifstream in(txt);
    const std::vector<uint16_t> got{std::istream_iterator<uint16_t>(in), std::istream_iterator<uint16_t>()};
    EXPECT_EQ(got, c.codes) << "case " << i;
  }
}

// ------------------------------------------------------------------------------------------------ damage

TEST(NwvLossTolerantReader, IntactFilesReadAsTheStrictReaderReadsThem) {
  for (bool entropy : {false, true}) {
    const auto codes = speechlike_codes(777, 4, 10, 31);
    const Tolerant t = read_tolerant(write(header(4, 10, 100, entropy), codes));
    EXPECT_EQ(t.codes, codes);
    EXPECT_EQ(t.lost_count, 0u);
  }
}

TEST(NwvLossTolerantReader, ADamagedPacketIsLostAndTheOthersSurvive) {
  for (bool entropy : {false, true}) {
    const auto codes = speechlike_codes(800, 4, 10, 32);  // 8 packets of 100 frames
    std::string bytes = write(header(4, 10, 100, entropy), codes);
    const size_t packet_bytes = entropy ? 0 : 100 * 4 * 10 / 8 + 4;
    const size_t third = entropy ? packet_offsets(bytes)[2] : nb::kNwvHeaderSize + 2 * packet_bytes;
    bytes[third + 20] ^= 0x10;  // inside packet 3's payload
    const Tolerant t = read_tolerant(bytes);
    ASSERT_EQ(t.codes.size(), codes.size()) << entropy;
    EXPECT_EQ(t.lost, std::vector<bool>({false, false, true, false, false, false, false, false})) << entropy;
    EXPECT_EQ(t.lost_count, 1u);
    for (size_t i = 0; i < codes.size(); ++i)
      if (i / 400 != 2) ASSERT_EQ(t.codes[i], codes[i]) << i;
  }
}

TEST(NwvLossTolerantReader, ADamagedLengthFieldIsFoundAgainByScanning) {
  const auto codes = speechlike_codes(800, 4, 10, 33);
  std::string bytes = write(header(4, 10, 100, true), codes);
  const std::vector<size_t> at = packet_offsets(bytes);
  bytes[at[1]] ^= 0x07;  // packet 2's length: where packet 3 starts is no longer known
  bytes[at[4] + 1] = static_cast<char>(0xFF);  // packet 5's length, absurdly large
  std::string cut = bytes.substr(0, at[7] + 10);  // and the file ends inside packet 8
  const Tolerant t = read_tolerant(cut);
  ASSERT_EQ(t.codes.size(), codes.size());
  EXPECT_EQ(t.lost, std::vector<bool>({false, true, false, false, true, false, false, true}));
  EXPECT_EQ(t.lost_count, 3u);
  EXPECT_TRUE(std::equal(codes.begin() + 200 * 4, codes.begin() + 400 * 4, t.codes.begin() + 200 * 4));
}

TEST(NwvLossTolerantReader, MissingPacketsAreCountedAsLost) {
  for (bool entropy : {false, true}) {
    const auto codes = speechlike_codes(800, 4, 10, 34);
    const std::string bytes = write(header(4, 10, 100, entropy), codes);
    size_t a, b;  // drop packets 4 and 5
    if (entropy) {
      a = packet_offsets(bytes)[3], b = packet_offsets(bytes)[5];
    } else {
      a = nb::kNwvHeaderSize + 3 * 504, b = nb::kNwvHeaderSize + 5 * 504;
    }
    const Tolerant t = read_tolerant(bytes.substr(0, a) + bytes.substr(b));
    ASSERT_EQ(t.codes.size(), codes.size());
    // Fixed width: positions shift, so every packet after the gap fails its CRC; entropy coded: found again.
    const uint64_t expected = entropy ? 2 : 5;
    EXPECT_EQ(t.lost_count, expected) << entropy;
  }
}

TEST(NwvLossTolerantReader, ADamagedHeaderCannotBeConcealed) {
  std::string bytes = write(header(4, 10, 100, true), speechlike_codes(300, 4, 10, 35));
  bytes[10] ^= 1;
  try {
    read_tolerant(bytes);
    FAIL();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kCorruptStream);
  }
}

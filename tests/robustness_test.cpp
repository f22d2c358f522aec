// Bad input of every kind gives a clean error, never a crash, hang or huge allocation (issue 6):
// - hundreds of mutated .nwv files (seeded RNG: bit flips, truncations, insertions, deletions, lying header fields
//   behind a recomputed header CRC, lying fields with every packet CRC recomputed too) through ParseNwv and
//   Decoder::Decode in-process, and a representative subset through `nwave decode`, `nwave tokens` and `nwave info`;
// - damaged audio (missing, empty, a directory, not audio, truncated, rate 0, 2^31 channels, sizes past the end,
//   NaN/Inf samples) through read_audio and `nwave encode`;
// - damaged and foreign model files through Model::Load and `nwave encode --model`;
// - unwritable outputs (a directory, /proc, a missing directory, a full disk via a private copy of /dev/full).
// The CLI must exit 0 or 1, and on 1 print exactly one line starting "nwave: error:" and leave no file (or .tmp)
// at the output path.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "bitstream/crc32.h"
#include "bitstream/nwv_format.h"
#include "codec_test_util.h"
#include "io/safetensors.h"
#include "nwave/audio.h"
#include "nwave/codec.h"
#include "nwave/error.h"
#include "test_util.h"

namespace nwave {
namespace {

using Bytes = std::vector<uint8_t>;
using test::TempDir;
using test::tiny_models;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void spit(const std::string& path, const void* data, size_t size) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(size));
}
void spit(const std::string& path, const Bytes& b) { spit(path, b.data(), b.size()); }
void spit(const std::string& path, const std::string& s) { spit(path, s.data(), s.size()); }

std::string quote(const std::string& s) { return "'" + s + "'"; }

struct CliRun {
  int code = -1;
  std::string err;
};

// Runs the CLI; NWAVE_MODEL unset so that only --model counts.
CliRun nwave_cli(const TempDir& dir, const std::string& args) {
  const std::string err = dir.file("stderr.txt");
  const std::string cmd =
      "env -u NWAVE_MODEL OMP_NUM_THREADS=1 " + quote(NWAVE_BINARY) + " " + args + " >/dev/null 2>" + quote(err);
  const int status = std::system(cmd.c_str());
  CliRun r;
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  r.err = slurp(err);
  return r;
}

// Exit 0, or exit 1 with exactly one line "nwave: error: ..." and nothing at `output` (when given).
void expect_clean(const CliRun& r, const std::string& what, const std::string& output = "") {
  ASSERT_TRUE(r.code == 0 || r.code == 1) << what << ": exit " << r.code << "\n" << r.err;
  if (r.code == 1) {
    EXPECT_EQ(r.err.rfind("nwave: error: ", 0), 0u) << what << ": " << r.err;
    ASSERT_FALSE(r.err.empty());
    EXPECT_EQ(r.err.back(), '\n') << what;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << what << ": more than one line:\n" << r.err;
    if (!output.empty()) {
      EXPECT_FALSE(std::filesystem::exists(output)) << what << ": partial output left at " << output;
      EXPECT_FALSE(std::filesystem::exists(output + ".tmp")) << what << ": temporary left behind";
    }
  }
}

void expect_error(const CliRun& r, const std::string& what, const std::string& output = "") {
  EXPECT_EQ(r.code, 1) << what << "\n" << r.err;
  expect_clean(r, what, output);
}

void put_le(uint8_t* p, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}

void fix_header_crc(Bytes& b) {
  if (b.size() >= bitstream::kNwvHeaderSize) put_le(b.data() + 48, bitstream::crc32(b.data(), 48), 4);
}

// Recomputes every packet CRC the header implies (where the bytes are there), after fix_header_crc.
void fix_packet_crcs(Bytes& b) {
  bitstream::StreamHeader h;
  try {
    h = bitstream::decode_header(b.data(), b.size());
  } catch (const Error&) {
    return;
  }
  size_t pos = bitstream::kNwvHeaderSize;
  for (uint64_t i = 0; i < bitstream::packet_count(h); ++i) {
    if (h.entropy_coded) {  // version 2 entropy-coded: CRC over length, coding and payload, then the index
      if (b.size() - pos < 5) return;
      const size_t length = b[pos] | b[pos + 1] << 8 | b[pos + 2] << 16 | static_cast<size_t>(b[pos + 3]) << 24;
      if (length > b.size() - pos - 5 || b.size() - pos - 5 - length < 4) return;
      uint8_t index[4];
      put_le(index, i, 4);
      put_le(b.data() + pos + 5 + length, bitstream::crc32_update(bitstream::crc32(b.data() + pos, 5 + length), index, 4), 4);
      pos += 5 + length + 4;
      continue;
    }
    const size_t payload = bitstream::packet_payload_bytes(h, bitstream::packet_frames(h, i));
    if (payload + 4 > b.size() - pos) return;
    Bytes buf(4 + payload);
    put_le(buf.data(), i, 4);
    std::memcpy(buf.data() + 4, b.data() + pos, payload);
    put_le(b.data() + pos + payload, bitstream::crc32(buf.data(), buf.size()), 4);
    pos += payload + 4;
  }
}

// Header fields (offset, width) from docs/FORMAT.md.
struct Field {
  size_t offset;
  int bytes;
};
constexpr Field kFields[] = {{4, 2},  {6, 1},  {7, 1},  {8, 4},  {12, 2}, {14, 2},
                             {16, 4}, {20, 2}, {22, 2}, {24, 8}, {32, 8}, {40, 8}};

// One seeded mutation of a valid .nwv file; `kind` picks the family so that every family is exercised.
Bytes mutate(const Bytes& good, std::mt19937_64& rng, int kind) {
  Bytes b = good;
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  switch (kind % 7) {
    case 0: {  // bit flips
      const int flips = 1 + static_cast<int>(pick(4));
      for (int i = 0; i < flips; ++i) b[pick(b.size())] ^= static_cast<uint8_t>(1u << pick(8));
      break;
    }
    case 1:  // truncation
      b.resize(pick(b.size()));
      break;
    case 2: {  // inserted bytes
      const size_t at = pick(b.size() + 1), n = 1 + pick(16);
      Bytes extra(n);
      for (auto& x : extra) x = static_cast<uint8_t>(rng());
      b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), extra.begin(), extra.end());
      break;
    }
    case 3: {  // deleted bytes
      const size_t at = pick(b.size()), n = std::min(b.size() - at, 1 + pick(16));
      b.erase(b.begin() + static_cast<std::ptrdiff_t>(at), b.begin() + static_cast<std::ptrdiff_t>(at + n));
      break;
    }
    case 4:    // a lying header field behind a valid header CRC
    case 5: {  // ... and valid packet CRCs for whatever layout it now implies
      const Field f = kFields[pick(sizeof kFields / sizeof kFields[0])];
      uint64_t v = 0;
      switch (pick(5)) {
        case 0: v = 0; break;
        case 1: v = ~uint64_t{0}; break;
        case 2: v = uint64_t{1} << pick(static_cast<size_t>(8 * f.bytes)); break;
        case 3: {  // off by a little
          uint64_t old = 0;
          for (int i = 0; i < f.bytes; ++i) old |= static_cast<uint64_t>(b[f.offset + i]) << (8 * i);
          v = old + (pick(2) ? 1 : -1) * static_cast<int64_t>(1 + pick(3));
          break;
        }
        default: v = rng();
      }
      put_le(b.data() + f.offset, v, f.bytes);
      if (pick(3) == 0) {  // keep frame_count consistent with original_samples so deeper checks run
        const uint64_t hop = b[12] | (b[13] << 8);
        uint64_t samples = 0;
        for (int i = 0; i < 8; ++i) samples |= static_cast<uint64_t>(b[32 + i]) << (8 * i);
        if (hop > 0) put_le(b.data() + 24, samples / hop + (samples % hop != 0), 8);
      }
      fix_header_crc(b);
      if (kind % 7 == 5) fix_packet_crcs(b);
      break;
    }
    default: {  // random garbage after a valid header
      for (size_t i = bitstream::kNwvHeaderSize; i < b.size(); ++i) b[i] = static_cast<uint8_t>(rng());
      if (pick(2)) fix_packet_crcs(b);
    }
  }
  return b;
}

class Robustness : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    torch::set_num_threads(1);
    model_ = std::shared_ptr<const Model>(Model::LoadOrThrow(tiny_models().model).release());
    auto encoder = Encoder::Create(model_, 3.0);  // all 4 codebooks
    const std::vector<float> audio = test::speechlike(16000 + 77, kSampleRate, 3);
    good_ = new Bytes(encoder->Encode(audio.data(), audio.size()));
  }
  static void TearDownTestSuite() {
    delete good_;
    good_ = nullptr;
    model_.reset();
  }

  static std::shared_ptr<const Model> model_;
  static Bytes* good_;
  TempDir dir{"robust"};
  std::string model_arg = "--model " + quote(tiny_models().model);
};

std::shared_ptr<const Model> Robustness::model_;
Bytes* Robustness::good_ = nullptr;

TEST_F(Robustness, HundredsOfMutatedNwvFilesInProcess) {
  auto decoder = Decoder::Create(model_);
  std::mt19937_64 rng(20261124);
  int accepted = 0, rejected = 0;
  for (int i = 0; i < 2100; ++i) {
    const Bytes bad = mutate(*good_, rng, i);
    SCOPED_TRACE("mutation " + std::to_string(i) + " (kind " + std::to_string(i % 7) + ")");
    try {
      const NwvContents c = ParseNwv(bad);
      EXPECT_EQ(c.codes.size(), c.info.frames * static_cast<uint64_t>(c.info.num_codebooks));
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kCorruptStream) << e.what();
      EXPECT_EQ(std::strchr(e.what(), '\n'), nullptr) << e.what();
    }
    try {
      StreamInfo info;
      const std::vector<float> audio = decoder->Decode(bad, 0, /*force=*/true, &info);
      EXPECT_EQ(audio.size(), info.original_samples);
      for (float v : audio) ASSERT_TRUE(std::isfinite(v));
      ++accepted;
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()), "");
      EXPECT_EQ(std::strchr(e.what(), '\n'), nullptr) << e.what();
      ++rejected;
    }
  }
  // Most mutations are caught; the few that survive are ones that change nothing the CRCs cover (e.g. the
  // fingerprint with a recomputed header CRC, decoded here with force) or rewrite CRCs on purpose.
  EXPECT_GT(rejected, 1500);
  std::printf("[          ] %d mutated .nwv files rejected, %d decoded\n", rejected, accepted);
}

TEST_F(Robustness, MutatedNwvFilesThroughTheCli) {
  std::mt19937_64 rng(7);
  const std::string in = dir.file("bad.nwv"), wav = dir.file("out.wav"), npy = dir.file("out.npy");
  for (int i = 0; i < 21; ++i) {
    const Bytes bad = mutate(*good_, rng, i);
    spit(in, bad);
    const std::string what = "mutation " + std::to_string(i);
    expect_clean(nwave_cli(dir, "decode " + quote(in) + " " + quote(wav) + " --force " + model_arg), what, wav);
    std::filesystem::remove(wav);
    if (i % 3 == 0) {
      expect_clean(nwave_cli(dir, "decode " + quote(in) + " " + quote(wav) + " --force --conceal " + model_arg),
                   what + " --conceal", wav);
      std::filesystem::remove(wav);
      expect_clean(nwave_cli(dir, "tokens " + quote(in) + " " + quote(npy)), what + " tokens", npy);
      expect_clean(nwave_cli(dir, "info " + quote(in)), what + " info");
      std::filesystem::remove(npy);
    }
  }
}

// Damaged audio files, each with what read_audio must do. Headers are written by hand (RIFF/WAVE, little-endian).
struct AudioCase {
  std::string name;
  std::string bytes;
  bool may_succeed;  // libsndfile recovers some damage (a data size past the end is read as "what is there")
};

std::string le(uint64_t v, int n) {
  std::string s(n, '\0');
  for (int i = 0; i < n; ++i) s[i] = static_cast<char>(v >> (8 * i));
  return s;
}

std::string wav_bytes(uint16_t format, uint32_t channels, uint32_t rate, uint16_t bits, const std::string& data,
                      uint32_t data_size_field) {
  std::string fmt = le(format, 2) + le(channels, 2) + le(rate, 4) + le(uint64_t{rate} * channels * bits / 8, 4) +
                    le(channels * bits / 8, 2) + le(bits, 2);
  std::string body = "WAVE" + std::string("fmt ") + le(fmt.size(), 4) + fmt + "data" + le(data_size_field, 4) + data;
  return "RIFF" + le(body.size(), 4) + body;
}

std::vector<AudioCase> damaged_audio() {
  std::string pcm;
  for (int i = 0; i < 800; ++i) pcm += le(static_cast<uint16_t>(static_cast<int16_t>(1000 * std::sin(i * 0.1))), 2);
  auto floats = [](float special) {
    std::string s;
    for (int i = 0; i < 400; ++i) {
      const float v = i == 123 ? special : 0.25f;
      s.append(reinterpret_cast<const char*>(&v), 4);
    }
    return s;
  };
  const std::string good = wav_bytes(1, 1, 16000, 16, pcm, static_cast<uint32_t>(pcm.size()));
  std::vector<AudioCase> cases = {
      {"empty.wav", "", false},
      {"text.wav", "this is not audio at all, just some words\n", false},
      {"riff_only.wav", "RIFF", false},
      {"truncated_header.wav", good.substr(0, 30), false},
      {"truncated_data.wav", good.substr(0, good.size() / 2), true},
      {"rate0.wav", wav_bytes(1, 1, 0, 16, pcm, static_cast<uint32_t>(pcm.size())), false},
      {"channels2e31.wav", wav_bytes(1, 0x80000000u, 16000, 16, pcm, static_cast<uint32_t>(pcm.size())), false},
      {"channels65535.wav", wav_bytes(1, 65535, 16000, 16, pcm, static_cast<uint32_t>(pcm.size())), false},
      {"channels0.wav", wav_bytes(1, 0, 16000, 16, pcm, static_cast<uint32_t>(pcm.size())), false},
      {"bits0.wav", wav_bytes(1, 1, 16000, 0, pcm, static_cast<uint32_t>(pcm.size())), false},
      {"rate1.wav", wav_bytes(1, 1, 1, 16, pcm, static_cast<uint32_t>(pcm.size())), false},
      {"rate2e9.wav", wav_bytes(1, 1, 2000000000u, 16, pcm, static_cast<uint32_t>(pcm.size())), false},
      {"rate_huge.wav", wav_bytes(1, 1, 0xFFFFFFFFu, 16, pcm, static_cast<uint32_t>(pcm.size())), false},
      {"size_past_end.wav", wav_bytes(1, 1, 16000, 16, pcm, 0x7FFFFFF0u), true},
      {"nan.wav", wav_bytes(3, 1, 16000, 32, floats(std::numeric_limits<float>::quiet_NaN()), 1600), false},
      {"inf.wav", wav_bytes(3, 1, 16000, 32, floats(std::numeric_limits<float>::infinity()), 1600), false},
      {"neg_inf.wav", wav_bytes(3, 1, 16000, 32, floats(-std::numeric_limits<float>::infinity()), 1600), false},
      // fuzz_audio: a LIST sub-chunk claiming 4 GB inside a 26-byte LIST made libsndfile spin for minutes in sf_open
      {"list_subchunk_hang.wav", std::string("\x52\x49\x46\x46\x86\x06\x00\x00\x57\x41\x56\x45\x66\x6d\x74\x20\x10\x00\x00\x00\x07\x00\x02\x00\x40\x1f\x23\x00\x00\x7d\x00\x00\x04\x00\x10\x00\x4c\x49\x53\x54\x1a\x00\x00\x00\x49\x4e\x46\x4f\x49\x48\xf7\x48\xf7\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x61\x00\x40", 77), false},
      {"fake.flac", "fLaC" + std::string(60, '\x01'), false},
      {"fake.ogg", "OggS" + std::string(60, '\x02'), false},
      {"fake.mp3", "ID3\x03" + std::string(200, '\xFF'), false},
  };
  std::mt19937 rng(5);
  for (int i = 0; i < 6; ++i) {  // bit-flipped and byte-damaged headers of a good file
    std::string b = good;
    for (int k = 0; k < 3; ++k) b[rng() % 44] ^= static_cast<char>(1 << (rng() % 8));
    cases.push_back({"flipped" + std::to_string(i) + ".wav", b, true});
  }
  return cases;
}

TEST_F(Robustness, DamagedAudioGivesBadAudioOrIoErrors) {
  for (const AudioCase& c : damaged_audio()) {
    const std::string path = dir.file(c.name);
    spit(path, c.bytes);
    try {
      const Audio a = read_audio(path);
      EXPECT_TRUE(c.may_succeed) << c.name << " was accepted";
      for (float v : a.samples) ASSERT_TRUE(std::isfinite(v)) << c.name;
    } catch (const Error& e) {
      EXPECT_TRUE(e.code() == ErrorCode::kBadAudio || e.code() == ErrorCode::kIo) << c.name << ": " << e.what();
      EXPECT_EQ(std::strchr(e.what(), '\n'), nullptr) << e.what();
    }
  }
  EXPECT_THROW(read_audio(dir.file("missing.wav")), Error);
  EXPECT_THROW(read_audio(dir.path()), Error);
}

TEST_F(Robustness, DamagedAudioThroughTheCli) {
  const std::string out = dir.file("out.nwv");
  for (const AudioCase& c : damaged_audio()) {
    const std::string path = dir.file(c.name);
    spit(path, c.bytes);
    const CliRun r = nwave_cli(dir, "encode " + quote(path) + " " + quote(out) + " " + model_arg);
    if (c.may_succeed) {
      expect_clean(r, c.name, out);
    } else {
      expect_error(r, c.name, out);
    }
    std::filesystem::remove(out);
  }
  expect_error(nwave_cli(dir, "encode " + quote(dir.file("missing.wav")) + " " + quote(out) + " " + model_arg),
               "missing input", out);
  expect_error(nwave_cli(dir, "encode " + quote(dir.path()) + " " + quote(out) + " " + model_arg), "directory input",
               out);
  expect_error(nwave_cli(dir, "decode " + quote(dir.file("missing.nwv")) + " " + quote(out) + " " + model_arg),
               "missing .nwv", out);
}

TEST_F(Robustness, DamagedAndForeignModelFiles) {
  const std::string good = slurp(tiny_models().model);
  std::vector<std::pair<std::string, std::string>> models = {
      {"empty", ""},
      {"short", "abc"},
      {"text", "not a model\n"},
      {"nwv", std::string(good_->begin(), good_->end())},
      {"truncated_half", good.substr(0, good.size() / 2)},
      {"truncated_tail", good.substr(0, good.size() - 1)},
      {"appended", good + "xx"},
      {"huge_header_length", le(~uint64_t{0}, 8) + good.substr(8)},
      {"header_length_past_end", le(good.size(), 8) + good.substr(8)},
  };
  std::mt19937 rng(11);
  uint64_t header_len = 0;
  for (int i = 0; i < 8; ++i) header_len |= static_cast<uint64_t>(static_cast<uint8_t>(good[i])) << (8 * i);
  for (int i = 0; i < 10; ++i) {  // damage inside the JSON header: types, numbers, names
    std::string b = good;
    b[8 + rng() % header_len] ^= static_cast<char>(1 << (rng() % 7));
    models.push_back({"json_flip" + std::to_string(i), b});
  }
  {  // a foreign safetensors file (no nwave_config), and one whose config asks for an enormous model
    SafetensorsFile f;
    f.tensors["weight"] = torch::ones({4, 4});
    save_safetensors(dir.file("foreign.safetensors"), f);
    models.push_back({"foreign", slurp(dir.file("foreign.safetensors"))});
    f.metadata["nwave_config"] =
        R"({"family":"spectral","channels":4096,"encoder_blocks":64,"decoder_blocks":64,"mlp_ratio":16})";
    save_safetensors(dir.file("huge.safetensors"), f);
    models.push_back({"huge_config", slurp(dir.file("huge.safetensors"))});
    f.metadata["nwave_config"] = R"({"family":"seanet","seanet_channels":512,"strides":[2,2,2,2,2,2,2,1]})";
    save_safetensors(dir.file("huge2.safetensors"), f);
    models.push_back({"huge_seanet_config", slurp(dir.file("huge2.safetensors"))});
    f.metadata["nwave_config"] = R"({"family":7})";
    save_safetensors(dir.file("badtype.safetensors"), f);
    models.push_back({"config_wrong_type", slurp(dir.file("badtype.safetensors"))});
  }
  const std::string wav = dir.file("in.wav"), out = dir.file("out.nwv");
  write_wav16(wav, test::speechlike(4000, kSampleRate), kSampleRate);
  int cli_runs = 0;
  for (const auto& [name, bytes] : models) {
    const std::string path = dir.file(name + ".model");
    spit(path, bytes);
    std::string error;
    auto m = Model::Load(path, &error);
    const bool loaded = m != nullptr;
    if (!loaded) EXPECT_EQ(error.find('\n'), std::string::npos) << name << ": " << error;
    // Flips inside the JSON may hit whitespace or a metadata string the loader does not use: loading is then fine.
    if (name.rfind("json_flip", 0) != 0) EXPECT_FALSE(loaded) << name;
    if (name.rfind("json_flip", 0) != 0 || cli_runs < 3) {
      ++cli_runs;
      const CliRun r = nwave_cli(dir, "encode " + quote(wav) + " " + quote(out) + " --model " + quote(path));
      if (loaded) expect_clean(r, name, out); else expect_error(r, name, out);
      std::filesystem::remove(out);
    }
  }
  expect_error(nwave_cli(dir, "encode " + quote(wav) + " " + quote(out) + " --model " + quote(dir.path())),
               "model is a directory", out);
  expect_error(nwave_cli(dir, "encode " + quote(wav) + " " + quote(out) + " --model " + quote(dir.file("nope"))),
               "missing model", out);
}

// The test's own copy of /dev/NAME (same device numbers) in its directory, when it may make one (root, a filesystem
// without nodev): a regression that renamed a temporary file over the output would then replace that copy, not the
// machine's device. Otherwise /dev/NAME itself, which only root could replace.
std::string private_device(const TempDir& dir, const std::string& name) {
  struct stat st {};
  const std::string copy = dir.file(name);
  if (stat(("/dev/" + name).c_str(), &st) == 0 && mknod(copy.c_str(), S_IFCHR | 0666, st.st_rdev) == 0) {
    const int fd = open(copy.c_str(), O_WRONLY);
    if (fd >= 0) {
      close(fd);
      return copy;
    }
    std::filesystem::remove(copy);
  }
  return "/dev/" + name;
}

TEST_F(Robustness, UnwritableOutputsFailCleanly) {
  const std::string wav = dir.file("in.wav"), nwv = dir.file("in.nwv");
  write_wav16(wav, test::speechlike(4000, kSampleRate), kSampleRate);
  spit(nwv, *good_);
  const std::string dev_full = private_device(dir, "full"), dev_null = private_device(dir, "null");
  const std::string missing_dir = dir.file("no/such/dir/out");
  const std::vector<std::string> outputs = {dir.path(), dir.path() + "/", missing_dir,
                                            "/proc/nwave_no_such_file", "/proc/self/status", dev_full};
  for (const std::string& out : outputs) {
    // dev_full is a full disk: the write itself fails with ENOSPC.
    const std::string leftover = out == missing_dir ? out : "";
    expect_error(nwave_cli(dir, "encode " + quote(wav) + " " + quote(out) + " " + model_arg), "encode to " + out,
                 leftover);
    expect_error(nwave_cli(dir, "decode " + quote(nwv) + " " + quote(out) + " " + model_arg), "decode to " + out,
                 leftover);
    expect_error(nwave_cli(dir, "tokens " + quote(nwv) + " " + quote(out)), "tokens to " + out, leftover);
  }
  const CliRun full = nwave_cli(dir, "encode " + quote(wav) + " " + quote(dev_full) + " " + model_arg);
  EXPECT_NE(full.err.find("No space left on device"), std::string::npos) << full.err;
  EXPECT_TRUE(std::filesystem::is_character_file(dev_full));
  // An existing output survives a failed run untouched.
  const std::string keep = dir.file("keep.wav");
  spit(keep, std::string("old contents"));
  spit(dir.file("bad.nwv"), std::string("NWVQ garbage"));
  expect_error(nwave_cli(dir, "decode " + quote(dir.file("bad.nwv")) + " " + quote(keep) + " " + model_arg),
               "decode over an existing file");
  EXPECT_EQ(slurp(keep), "old contents");
  EXPECT_FALSE(std::filesystem::exists(keep + ".tmp"));
  // A device is written in place, never replaced by a rename.
  EXPECT_EQ(nwave_cli(dir, "decode " + quote(nwv) + " " + quote(dev_null) + " " + model_arg).code, 0);
  EXPECT_TRUE(std::filesystem::is_character_file(dev_null));
}

TEST_F(Robustness, HugeBitratesAreRefusedNotWrappedAround) {
  // floor(1e300 / 1.25) used to be cast straight to int (undefined; in practice INT_MIN, then max(1, ...) = 1).
  auto decoder = Decoder::Create(model_);
  EXPECT_THROW(decoder->Decode(*good_, 1e300), Error);
  const std::string nwv = dir.file("in.nwv"), npy = dir.file("out.npy");
  spit(nwv, *good_);
  expect_error(nwave_cli(dir, "tokens " + quote(nwv) + " " + quote(npy) + " --bitrate 1e300"), "tokens 1e300", npy);
}

}  // namespace
}  // namespace nwave

// The nwave command line (encode, decode, tokens, info): exit codes, messages, outputs. Runs the built binary.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <regex>
#include <string>
#include <vector>

#include "codec_test_util.h"
#include "nwave/audio.h"
#include "nwave/codec.h"
#include "test_util.h"

namespace nwave {
namespace {

using test::speechlike;
using test::TempDir;
using test::tiny_models;

struct Result {
  int code = -1;
  std::string out, err;
};

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string quote(const std::string& s) { return "'" + s + "'"; }

class Cli : public ::testing::Test {
 protected:
  TempDir dir{"cli"};
  std::string model = quote(tiny_models().model);

  // Runs `nwave ARGS` with NWAVE_MODEL unset (unless env is given), capturing exit code, stdout and stderr.
  Result nwave(const std::string& args, const std::string& env = "env -u NWAVE_MODEL") {
    const std::string out = dir.file("stdout.txt"), err = dir.file("stderr.txt");
    const std::string cmd = env + " " + quote(NWAVE_BINARY) + " " + args + " >" + quote(out) + " 2>" + quote(err);
    const int status = std::system(cmd.c_str());
    Result r;
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
  }

  std::string wav(const std::string& name, size_t n, int rate, uint32_t seed = 1) {
    const std::string path = dir.file(name);
    write_wav16(path, speechlike(n, rate, seed), rate);
    return path;
  }

  void expect_error_exit(const Result& r, const std::string& what) {
    EXPECT_EQ(r.code, 1) << what << "\nstderr: " << r.err;
    EXPECT_EQ(r.err.rfind("nwave: error:", 0), 0u) << what << "\nstderr: " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << what << ": one line\nstderr: " << r.err;
  }
};

TEST_F(Cli, EncodeDecodeRoundTripKeepsTheLength) {
  const std::string in = wav("in.wav", 20000, 16000);
  const std::string nwv = dir.file("a.nwv"), out = dir.file("out.wav");
  Result r = nwave("encode " + quote(in) + " " + quote(nwv) + " --model " + model);
  ASSERT_EQ(r.code, 0) << r.err;
  r = nwave("decode " + quote(nwv) + " " + quote(out) + " --model " + model);
  ASSERT_EQ(r.code, 0) << r.err;
  const Audio decoded = read_audio(out);
  EXPECT_EQ(decoded.samples.size(), 20000u);
  EXPECT_EQ(decoded.original_rate, 16000);
  EXPECT_FALSE(std::filesystem::exists(nwv + ".tmp"));
  EXPECT_FALSE(std::filesystem::exists(out + ".tmp"));
}

TEST_F(Cli, OriginalRateResamplesBackToTheInputRate) {
  const std::string in = wav("in22.wav", 22050, 22050);  // 1 s at 22.05 kHz
  const std::string nwv = dir.file("a.nwv"), out16 = dir.file("o16.wav"), out22 = dir.file("o22.wav");
  ASSERT_EQ(nwave("encode " + quote(in) + " " + quote(nwv) + " --model " + model).code, 0);
  ASSERT_EQ(nwave("decode " + quote(nwv) + " " + quote(out16) + " --model " + model).code, 0);
  ASSERT_EQ(nwave("decode " + quote(nwv) + " " + quote(out22) + " --original-rate --model " + model).code, 0);
  EXPECT_EQ(read_audio(out16).samples.size(), 16000u);
  const Audio a22 = read_audio(out22);
  EXPECT_EQ(a22.original_rate, 22050);
  EXPECT_EQ(a22.samples.size(), 16000u);  // read back at 16 kHz; the file itself is 22050 frames
  const Result info = nwave("info " + quote(nwv));
  EXPECT_NE(info.out.find("original: 22050 Hz, 1 channel"), std::string::npos) << info.out;
}

TEST_F(Cli, SameInputGivesIdenticalBytesWhateverTheChunking) {
  const std::string in = wav("in.wav", 30000, 16000);
  const std::string a = dir.file("a.nwv"), b = dir.file("b.nwv"), c = dir.file("c.nwv");
  ASSERT_EQ(nwave("encode " + quote(in) + " " + quote(a) + " --model " + model).code, 0);
  ASSERT_EQ(nwave("encode " + quote(in) + " " + quote(b) + " --model " + model).code, 0);
  ASSERT_EQ(nwave("encode " + quote(in) + " " + quote(c) + " --chunk 1000 --model " + model).code, 0);
  const std::string bytes = slurp(a);
  EXPECT_GT(bytes.size(), 52u);
  EXPECT_EQ(bytes, slurp(b));
  EXPECT_EQ(bytes, slurp(c));
}

// `nwave encode x.wav /dev/stdout > f.nwv` once renamed its temporary over the /dev/stdout symlink. Outputs are never
// renamed over a symlink: a link to a regular file keeps being a link (its target gets the new contents), and a
// link to a FIFO or device is written through.
TEST_F(Cli, SymlinkOutputsStayLinks) {
  const std::string in = wav("in.wav", 8000, 16000);
  const std::string target = dir.file("target.nwv"), link = dir.file("link.nwv");
  { std::ofstream(target) << "old"; }
  std::filesystem::create_symlink(target, link);
  Result r = nwave("encode " + quote(in) + " " + quote(link) + " --model " + model);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::is_symlink(link));
  EXPECT_TRUE(LooksLikeNwv(reinterpret_cast<const uint8_t*>(slurp(target).data()), slurp(target).size()));
  EXPECT_FALSE(std::filesystem::exists(target + ".tmp"));
  // Decode through a link to a regular file, and into a link to /dev/stdout (the original bug's shape: stdout here
  // is a regular file the test redirects to, so a rename would have replaced the link).
  const std::string wav_target = dir.file("out.wav"), wav_link = dir.file("out_link.wav");
  { std::ofstream(wav_target) << "old"; }
  std::filesystem::create_symlink(wav_target, wav_link);
  r = nwave("decode " + quote(target) + " " + quote(wav_link) + " --model " + model);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::is_symlink(wav_link));
  EXPECT_EQ(read_audio(wav_target).samples.size(), 8000u);
  const std::string to_stdout = dir.file("stdout_link.nwv");
  std::filesystem::create_symlink("/dev/stdout", to_stdout);
  r = nwave("encode " + quote(in) + " " + quote(to_stdout) + " --model " + model);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::is_symlink(to_stdout));
  EXPECT_TRUE(std::filesystem::is_symlink("/dev/stdout"));
  // stdout (a regular file here) got the stream: the link was resolved, its target replaced
  EXPECT_TRUE(LooksLikeNwv(reinterpret_cast<const uint8_t*>(r.out.data()), r.out.size()));
}

// '-' is stdin or stdout; through pipes, encode writes the same bytes as from files, and decode into a pipe writes
// a WAV whose header already has the length (libsndfile cannot patch a pipe).
TEST_F(Cli, DashMeansStdinAndStdoutThroughPipes) {
  const std::string in = wav("in.wav", 9000, 22050);
  const std::string file_nwv = dir.file("file.nwv"), pipe_nwv = dir.file("pipe.nwv");
  ASSERT_EQ(nwave("encode " + quote(in) + " " + quote(file_nwv) + " --model " + model).code, 0);
  // Inside sh -c '...': the temporary paths have no spaces or quotes.
  const std::string bin = NWAVE_BINARY, m = tiny_models().model;
  auto sh = [](const std::string& cmd) { return std::system(("env -u NWAVE_MODEL sh -c " + quote(cmd)).c_str()); };
  ASSERT_EQ(sh("cat " + in + " | " + bin + " encode - - --model " + m + " | cat > " + pipe_nwv), 0);
  EXPECT_EQ(slurp(pipe_nwv), slurp(file_nwv));
  const std::string file_wav = dir.file("file.wav"), pipe_wav = dir.file("pipe.wav");
  ASSERT_EQ(nwave("decode " + quote(file_nwv) + " " + quote(file_wav) + " --model " + model).code, 0);
  ASSERT_EQ(sh("cat " + file_nwv + " | " + bin + " decode - - --model " + m + " | cat > " + pipe_wav), 0);
  const Audio a = read_audio(file_wav), b = read_audio(pipe_wav);
  EXPECT_GT(a.samples.size(), 6500u);  // 9000 samples at 22.05 kHz, at 16 kHz
  EXPECT_EQ(a.samples, b.samples);
  const std::string npy = dir.file("t.npy");
  ASSERT_EQ(sh("cat " + in + " | " + bin + " tokens - - --model " + m + " > " + npy), 0);
  EXPECT_EQ(slurp(npy).rfind("\x93NUMPY", 0), 0u);
}

TEST_F(Cli, OutputThatIsTheInputIsRefused) {
  const std::string in = wav("in.wav", 8000, 16000);
  const std::string before = slurp(in);
  expect_error_exit(nwave("encode " + quote(in) + " " + quote(in) + " --model " + model), "encode a.wav a.wav");
  const std::string alias = dir.file("alias.wav");
  std::filesystem::create_hard_link(in, alias);
  expect_error_exit(nwave("encode " + quote(in) + " " + quote(alias) + " --model " + model), "a hard link to it");
  EXPECT_EQ(slurp(in), before);
  const std::string nwv = dir.file("a.nwv");
  ASSERT_EQ(nwave("encode " + quote(in) + " " + quote(nwv) + " --model " + model).code, 0);
  const std::string nwv_bytes = slurp(nwv);
  expect_error_exit(nwave("decode " + quote(nwv) + " " + quote(nwv) + " --model " + model), "decode a.nwv a.nwv");
  expect_error_exit(nwave("tokens " + quote(nwv) + " " + quote(nwv)), "tokens a.nwv a.nwv");
  EXPECT_EQ(slurp(nwv), nwv_bytes);
}

TEST_F(Cli, FileSizeIsWithinTheBitrateBound) {
  const size_t n = 48000;  // 3 s
  const std::string in = wav("in.wav", n, 16000);
  for (const char* kbps : {"0.75", "1.5", "3"}) {
    const std::string nwv = dir.file(std::string("s") + kbps + ".nwv");
    ASSERT_EQ(nwave("encode " + quote(in) + " " + quote(nwv) + " --bitrate " + kbps + " --model " + model).code, 0);
    const double bound = 1.03 * std::stod(kbps) * 1000 * 3.0 / 8 + 256;
    EXPECT_LE(static_cast<double>(std::filesystem::file_size(nwv)), bound) << kbps;
  }
}

TEST_F(Cli, DamagedForeignAndEmptyFilesGiveExitCode1AndOneLine) {
  const std::string in = wav("in.wav", 20000, 16000);
  const std::string good = dir.file("good.nwv");
  ASSERT_EQ(nwave("encode " + quote(in) + " " + quote(good) + " --model " + model).code, 0);
  const std::string bytes = slurp(good);
  auto write = [&](const std::string& name, const std::string& content) {
    const std::string p = dir.file(name);
    std::ofstream(p, std::ios::binary) << content;
    return p;
  };
  std::mt19937 gen(3);
  std::string random(2000, '\0');
  for (auto& ch : random) ch = static_cast<char>(gen());
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"truncated.nwv", bytes.substr(0, bytes.size() - 3)},
      {"header_only.nwv", bytes.substr(0, 40)},
      {"wav_renamed.nwv", slurp(in)},
      {"random.nwv", random},
      {"empty.nwv", ""},
  };
  for (const auto& [name, content] : bad) {
    const std::string p = write(name, content), out = dir.file(name + ".wav");
    expect_error_exit(nwave("decode " + quote(p) + " " + quote(out) + " --model " + model), "decode " + name);
    EXPECT_FALSE(std::filesystem::exists(out)) << name;
    EXPECT_FALSE(std::filesystem::exists(out + ".tmp")) << name;
  }
  expect_error_exit(nwave("decode " + quote(dir.file("missing.nwv")) + " " + quote(dir.file("x.wav")) + " --model " + model),
                    "missing input");
  expect_error_exit(nwave("info " + quote(write("t2.nwv", bytes.substr(0, bytes.size() - 3)))), "info truncated");
  expect_error_exit(nwave("tokens " + quote(write("t3.nwv", bytes.substr(0, bytes.size() - 3))) + " " +
                          quote(dir.file("t.npy"))),
                    "tokens truncated");
  EXPECT_FALSE(std::filesystem::exists(dir.file("t.npy")));
}

TEST_F(Cli, AFileFromAnotherModelNamesBothFingerprintsAndForceDecodesIt) {
  const std::string in = wav("in.wav", 12000, 16000);
  const std::string nwv = dir.file("other.nwv"), out = dir.file("out.wav");
  ASSERT_EQ(nwave("encode " + quote(in) + " " + quote(nwv) + " --model " + quote(tiny_models().other)).code, 0);
  const auto ours = Model::LoadOrThrow(tiny_models().model)->fingerprint_hex();
  const auto theirs = Model::LoadOrThrow(tiny_models().other)->fingerprint_hex();
  const Result r = nwave("decode " + quote(nwv) + " " + quote(out) + " --model " + model);
  expect_error_exit(r, "model mismatch");
  EXPECT_NE(r.err.find(ours), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(theirs), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--force"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
  const Result forced = nwave("decode " + quote(nwv) + " " + quote(out) + " --force --model " + model);
  EXPECT_EQ(forced.code, 0) << forced.err;
  EXPECT_EQ(read_audio(out).samples.size(), 12000u);
}

// Parses a .npy v1.0 header: returns descr and shape, and the offset of the data.
struct NpyHeader {
  std::string descr;
  std::vector<long> shape;
  size_t data_offset = 0;
};

NpyHeader parse_npy(const std::string& bytes) {
  NpyHeader h;
  EXPECT_GE(bytes.size(), 10u);
  EXPECT_EQ(bytes.substr(0, 6), "\x93NUMPY");
  EXPECT_EQ(bytes[6], 1);
  const size_t len = static_cast<uint8_t>(bytes[8]) | (static_cast<uint8_t>(bytes[9]) << 8);
  const std::string dict = bytes.substr(10, len);
  h.data_offset = 10 + len;
  EXPECT_EQ(h.data_offset % 64, 0u);
  std::smatch m;
  if (std::regex_search(dict, m, std::regex("'descr': '([^']+)'"))) h.descr = m[1];
  EXPECT_NE(dict.find("'fortran_order': False"), std::string::npos) << dict;
  if (std::regex_search(dict, m, std::regex("'shape': \\((\\d+), (\\d+)\\)"))) h.shape = {std::stol(m[1]), std::stol(m[2])};
  return h;
}

TEST_F(Cli, TokensWritesANpyMatrixOfCodebooksByFrames) {
  const std::string in = wav("in.wav", 10000, 16000);  // ceil(10000 / 128) = 79 frames
  const std::string npy = dir.file("t.npy"), nwv = dir.file("a.nwv"), npy2 = dir.file("t2.npy");
  Result r = nwave("tokens " + quote(in) + " " + quote(npy) + " --bitrate 1.5 --model " + model);
  ASSERT_EQ(r.code, 0) << r.err;
  const std::string bytes = slurp(npy);
  const NpyHeader h = parse_npy(bytes);
  EXPECT_EQ(h.descr, "<i2");
  ASSERT_EQ(h.shape, (std::vector<long>{2, 79}));
  ASSERT_EQ(bytes.size(), h.data_offset + 2 * 79 * 2);

  // The same codes as the .nwv that encode writes at that bitrate, transposed to [codebooks, frames].
  ASSERT_EQ(nwave("encode " + quote(in) + " " + quote(nwv) + " --bitrate 1.5 --model " + model).code, 0);
  const std::string nwv_bytes = slurp(nwv);
  const NwvContents c = ParseNwv(std::vector<uint8_t>(nwv_bytes.begin(), nwv_bytes.end()));
  for (int cb = 0; cb < 2; ++cb)
    for (int f = 0; f < 79; ++f) {
      const size_t at = h.data_offset + 2 * (static_cast<size_t>(cb) * 79 + f);
      const int v = static_cast<uint8_t>(bytes[at]) | (static_cast<int8_t>(bytes[at + 1]) * 256);
      ASSERT_EQ(v, c.codes[f * 2 + cb]) << cb << "," << f;
    }

  // From a .nwv file (detected by content): its codes, no model needed.
  r = nwave("tokens " + quote(nwv) + " " + quote(npy2));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(slurp(npy2), bytes);
  r = nwave("tokens " + quote(nwv) + " " + quote(npy2) + " --bitrate 0.75");
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(parse_npy(slurp(npy2)).shape, (std::vector<long>{1, 79}));
  expect_error_exit(nwave("tokens " + quote(nwv) + " " + quote(dir.file("t3.npy")) + " --bitrate 3"), "tokens above the file");
}

TEST_F(Cli, InfoDescribesANwvFileByContent) {
  const std::string in = wav("in.wav", 16000, 16000);
  const std::string nwv = dir.file("stream.bin");  // not named .nwv: detection is by magic
  ASSERT_EQ(nwave("encode " + quote(in) + " " + quote(nwv) + " --bitrate 2.25 --model " + model).code, 0);
  const Result r = nwave("info " + quote(nwv));
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.out.find("bitrate: 2.25 kbps"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("codebooks: 3"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("frames: 125"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("duration: 1.000 s"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("sample rate: 16000 Hz"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(Model::LoadOrThrow(tiny_models().model)->fingerprint_hex()), std::string::npos) << r.out;
  // Models still work.
  const Result m = nwave("info " + model);
  EXPECT_EQ(m.code, 0) << m.err;
  EXPECT_NE(m.out.find("family: spectral"), std::string::npos) << m.out;
}

TEST_F(Cli, EntropyCodingIsTheDefaultAndNoEntropyDecodesToTheSameWav) {
  const std::string in = wav("in.wav", 48000, 16000);
  const std::string a = dir.file("a.nwv"), b = dir.file("b.nwv"), wa = dir.file("a.wav"), wb = dir.file("b.wav");
  ASSERT_EQ(nwave("encode " + quote(in) + " " + quote(a) + " --model " + model).code, 0);
  ASSERT_EQ(nwave("encode " + quote(in) + " " + quote(b) + " --no-entropy --model " + model).code, 0);
  EXPECT_LE(std::filesystem::file_size(a), std::filesystem::file_size(b) + 2 * 5);
  ASSERT_EQ(nwave("decode " + quote(a) + " " + quote(wa) + " --model " + model).code, 0);
  ASSERT_EQ(nwave("decode " + quote(b) + " " + quote(wb) + " --model " + model).code, 0);
  EXPECT_EQ(slurp(wa), slurp(wb));
  const Result info = nwave("info " + quote(a));
  ASSERT_EQ(info.code, 0) << info.err;
  EXPECT_NE(info.out.find("format: version 2, entropy-coded packets"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("kbps actual"), std::string::npos) << info.out;
  EXPECT_NE(info.out.find("of the fixed-width size (" + std::to_string(std::filesystem::file_size(b)) + " bytes)"),
            std::string::npos)
      << info.out;
  EXPECT_NE(nwave("info " + quote(b)).out.find("format: version 2, fixed-width packets"), std::string::npos);
}

TEST_F(Cli, ConcealDecodesPastADamagedPacketKeepingTheLength) {
  const size_t n = 16000 * 5 + 77;  // 5 s: three packets of 2 s
  const std::string in = wav("in.wav", n, 16000);
  const std::string nwv = dir.file("a.nwv"), out = dir.file("out.wav"), damaged = dir.file("damaged.nwv");
  ASSERT_EQ(nwave("encode " + quote(in) + " " + quote(nwv) + " --model " + model).code, 0);
  std::string bytes = slurp(nwv);
  bytes[52 + 20] = static_cast<char>(bytes[52 + 20] ^ 0x40);  // inside the first packet
  std::ofstream(damaged, std::ios::binary) << bytes;
  expect_error_exit(nwave("decode " + quote(damaged) + " " + quote(out) + " --model " + model), "no --conceal");
  EXPECT_FALSE(std::filesystem::exists(out));
  const Result r = nwave("decode " + quote(damaged) + " " + quote(out) + " --conceal --model " + model);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("concealed 1 of 3 packets"), std::string::npos) << r.err;
  EXPECT_EQ(read_audio(out).samples.size(), n);
  // A truncated file: the missing packets are concealed too.
  std::ofstream(damaged, std::ios::binary) << slurp(nwv).substr(0, 60);  // the header and 8 bytes
  const Result t = nwave("decode " + quote(damaged) + " " + quote(out) + " --conceal --model " + model);
  ASSERT_EQ(t.code, 0) << t.err;
  EXPECT_NE(t.err.find("concealed 3 of 3 packets"), std::string::npos) << t.err;
  EXPECT_EQ(read_audio(out).samples.size(), n);
  // An intact file with --conceal decodes as without it.
  const std::string plain = dir.file("plain.wav");
  ASSERT_EQ(nwave("decode " + quote(nwv) + " " + quote(plain) + " --model " + model).code, 0);
  const Result c = nwave("decode " + quote(nwv) + " " + quote(out) + " --conceal --model " + model);
  EXPECT_NE(c.err.find("concealed 0 of 3 packets"), std::string::npos) << c.err;
  EXPECT_EQ(slurp(out), slurp(plain));
}

TEST_F(Cli, UsageErrorsExit2AndBitrateRules) {
  const std::string in = wav("in.wav", 8000, 16000);
  const std::string nwv = dir.file("a.nwv");
  EXPECT_EQ(nwave("encode").code, 2);
  EXPECT_EQ(nwave("encode " + quote(in)).code, 2);
  EXPECT_EQ(nwave("decode").code, 2);
  EXPECT_EQ(nwave("tokens " + quote(in)).code, 2);
  EXPECT_EQ(nwave("encode " + quote(in) + " " + quote(nwv) + " --bitrate 0 --model " + model).code, 2);
  EXPECT_EQ(nwave("encode " + quote(in) + " " + quote(nwv) + " --bitrate -2 --model " + model).code, 2);
  EXPECT_EQ(nwave("encode " + quote(in) + " " + quote(nwv) + " --bitrate abc --model " + model).code, 2);
  EXPECT_EQ(nwave("encode " + quote(in) + " " + quote(nwv) + " --no-such-flag --model " + model).code, 2);
  EXPECT_FALSE(std::filesystem::exists(nwv));

  // One rule for encode, decode and tokens (the tiny model: 0.75 kbps per codebook, 4 codebooks): outside 0.75 to
  // 3 kbps is an error naming the range, never a silent clamp; between two steps, the lower one, said on stderr.
  for (const char* kbps : {"0.5", "3.8", "11", "1e300"}) {
    Result r = nwave("encode " + quote(in) + " " + quote(nwv) + " --bitrate " + kbps + " --model " + model);
    expect_error_exit(r, std::string("encode --bitrate ") + kbps);
    EXPECT_NE(r.err.find("outside 0.75 to 3 kbps"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(nwv));
  }
  Result r = nwave("encode " + quote(in) + " " + quote(nwv) + " --bitrate 2 --model " + model);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("used 1.5 kbps (2 codebooks)"), std::string::npos) << r.err;
  EXPECT_NE(nwave("info " + quote(nwv)).out.find("codebooks: 2 "), std::string::npos);
  // No --bitrate: 6.25 kbps, or the model's highest when lower (all 4 of the tiny model's codebooks).
  r = nwave("encode " + quote(in) + " " + quote(nwv) + " --model " + model);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(nwave("info " + quote(nwv)).out.find("codebooks: 4 "), std::string::npos);

  // Decoding above the file's bitrate is an error; at or below it is fine.
  ASSERT_EQ(nwave("encode " + quote(in) + " " + quote(nwv) + " --bitrate 1.5 --model " + model).code, 0);
  const std::string out = dir.file("o.wav");
  r = nwave("decode " + quote(nwv) + " " + quote(out) + " --bitrate 3 --model " + model);
  expect_error_exit(r, "decode above the file's bitrate");
  EXPECT_NE(r.err.find("1.5 kbps"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
  EXPECT_EQ(nwave("decode " + quote(nwv) + " " + quote(out) + " --bitrate 1.5 --model " + model).code, 0);
  EXPECT_EQ(nwave("decode " + quote(nwv) + " " + quote(out) + " --bitrate 0.75 --model " + model).code, 0);
  // decode --bitrate 1e300 once exited 0 and decoded at the lowest bitrate; below one codebook is refused too.
  for (const char* kbps : {"1e300", "0.5"}) {
    r = nwave("decode " + quote(nwv) + " " + quote(out) + " --bitrate " + kbps + " --model " + model);
    expect_error_exit(r, std::string("decode --bitrate ") + kbps);
    EXPECT_NE(r.err.find("outside 0.75 to 1.5 kbps"), std::string::npos) << r.err;
  }
  r = nwave("decode " + quote(nwv) + " " + quote(out) + " --bitrate 1.2 --model " + model);
  ASSERT_EQ(r.code, 0) << r.err;
  EXPECT_NE(r.err.find("used 0.75 kbps (1 codebook)"), std::string::npos) << r.err;
}

TEST_F(Cli, WithoutAModelTheMessageSaysPassModel) {
  std::error_code ec;
  const auto shipped = std::filesystem::path(NWAVE_BINARY).parent_path() / ".." / "models" / "nwave-16k.safetensors";
  if (std::filesystem::exists(shipped, ec)) GTEST_SKIP() << "a default model is present";
  const std::string in = wav("in.wav", 8000, 16000);
  const Result r = nwave("encode " + quote(in) + " " + quote(dir.file("a.nwv")));
  expect_error_exit(r, "no model");
  EXPECT_NE(r.err.find("--model"), std::string::npos) << r.err;
  // NWAVE_MODEL is honoured.
  const Result with_env = nwave("encode " + quote(in) + " " + quote(dir.file("b.nwv")), "NWAVE_MODEL=" + model);
  EXPECT_EQ(with_env.code, 0) << with_env.err;
}

}  // namespace
}  // namespace nwave

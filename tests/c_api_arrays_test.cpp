// The C API's in-memory section (include/nwave/nwave.h, "Arrays in memory") and token files
// (include/nwave/tokens.h): arrays prepared as files are read, whole-signal codes equal to the C++ API's, and
// .npz/.npy token files that round-trip and refuse damage. The Python module's tests (tests/python/) check the same
// calls against the nwave command.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "codec_test_util.h"
#include "nwave/audio.h"
#include "nwave/codec.h"
#include "nwave/error.h"
#include "nwave/nwave.h"
#include "nwave/tokens.h"
#include "test_util.h"

namespace nwave {
namespace {

using test::speechlike;
using test::TempDir;
using test::tiny_models;

class CApiArrays : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(nwave_model_open(tiny_models().model.c_str(), &model_), NWAVE_OK) << nwave_last_error(); }
  void TearDown() override { nwave_model_close(model_); }
  std::vector<float> prepare(const std::vector<float>& channel_major, int channels, int rate, int expect = NWAVE_OK) {
    const size_t frames = channel_major.size() / static_cast<size_t>(channels);
    std::vector<float> out(nwave_audio_prepared_length(model_, frames, rate));
    size_t n = 0;
    EXPECT_EQ(nwave_audio_prepare(model_, channel_major.data(), frames, channels, rate, out.data(), out.size(), &n),
              expect)
        << nwave_last_error();
    out.resize(n);
    return out;
  }
  nwave_model* model_ = nullptr;
};

std::vector<uint8_t> file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST_F(CApiArrays, PreparedAudioEqualsTheFileReader) {
  TempDir dir("c_api_arrays");
  // A 44.1 kHz file holds 16-bit values: the array gets the same values as floats, as libsndfile reads them.
  std::vector<float> x = speechlike(30000, 44100, 2);
  for (float& v : x) v = static_cast<float>(std::lrint(std::clamp(v, -1.0f, 1.0f) * 32767.0f)) / 32768.0f;
  write_wav16(dir.file("a.wav"), x, 44100);
  const Audio from_file = read_audio(dir.file("a.wav"));
  const std::vector<float> from_array = prepare(x, 1, 44100);
  ASSERT_EQ(from_array.size(), from_file.samples.size());
  EXPECT_EQ(from_array, from_file.samples);
  EXPECT_EQ(from_array.size(), nwave_audio_prepared_length(model_, x.size(), 44100));
  // Two channels, channel-major: their mean (in double), resampled.
  std::vector<float> stereo = x, mean(x.size());
  const std::vector<float> other = speechlike(x.size(), 44100, 7);
  stereo.insert(stereo.end(), other.begin(), other.end());
  for (size_t i = 0; i < x.size(); ++i) mean[i] = static_cast<float>((double{x[i]} + other[i]) / 2);
  EXPECT_EQ(prepare(stereo, 2, 44100), resample(mean, 44100, 16000));
  // 16 kHz mono passes through.
  EXPECT_EQ(prepare(x, 1, 16000), x);
}

TEST_F(CApiArrays, RefusesBadAudio) {
  const std::vector<float> x(1000, 0.1f);
  prepare(x, 1, 999, NWAVE_BAD_ARG);
  prepare(x, 1, 1000001, NWAVE_BAD_ARG);
  std::vector<float> wide(65 * 10, 0.0f);
  prepare(wide, 65, 16000, NWAVE_BAD_ARG);
  EXPECT_NE(std::string(nwave_last_error()).find("[samples, channels]"), std::string::npos);
  std::vector<float> nan = x;
  nan[500] = std::nanf("");
  prepare(nan, 2, 8000, NWAVE_BAD_AUDIO);
  size_t n = 0;
  EXPECT_EQ(nwave_audio_prepare(model_, x.data(), x.size(), 1, 8000, nullptr, 0, &n), NWAVE_BUFFER_TOO_SMALL);
  EXPECT_EQ(n, 2000u);  // the size needed
  EXPECT_EQ(nwave_audio_prepare(model_, nullptr, 10, 1, 8000, nullptr, 0, &n), NWAVE_BAD_ARG);
  EXPECT_EQ(nwave_audio_prepared_length(model_, 10, 0), 0u);
}

TEST_F(CApiArrays, WholeSignalCodesAndStreamsEqualTheCppApi) {
  const auto cpp = std::shared_ptr<const Model>(Model::LoadOrThrow(tiny_models().model));
  const std::vector<float> x = speechlike(5000, 16000, 3);
  auto encoder = Encoder::Create(cpp, 1.5);
  const std::vector<uint16_t> expected = encoder->EncodeCodes(x.data(), x.size());
  const size_t frames_needed = (x.size() + 127) / 128;
  std::vector<uint16_t> codes(frames_needed * 2);
  size_t frames = 0;
  EXPECT_EQ(nwave_codes_encode(model_, 1.5, x.data(), x.size(), codes.data(), frames_needed - 1, &frames),
            NWAVE_BUFFER_TOO_SMALL);
  EXPECT_EQ(nwave_codes_encode(model_, 0.5, x.data(), x.size(), codes.data(), frames_needed, &frames), NWAVE_BAD_ARG);
  ASSERT_EQ(nwave_codes_encode(model_, 1.5, x.data(), x.size(), codes.data(), frames_needed, &frames), NWAVE_OK);
  EXPECT_EQ(frames, frames_needed);
  EXPECT_EQ(codes, expected);

  const std::vector<float> audio = Decoder::Create(cpp)->DecodeCodes(expected.data(), frames, 2);
  std::vector<float> pcm(frames * 128);
  size_t samples = 0;
  ASSERT_EQ(nwave_codes_decode(model_, codes.data(), frames, 2, pcm.data(), pcm.size(), &samples), NWAVE_OK);
  EXPECT_EQ(pcm, audio);
  EXPECT_EQ(nwave_codes_decode(model_, codes.data(), frames, 2, pcm.data(), pcm.size() - 1, &samples),
            NWAVE_BUFFER_TOO_SMALL);
  EXPECT_EQ(nwave_codes_decode(model_, codes.data(), frames, 99, pcm.data(), pcm.size(), &samples), NWAVE_BAD_ARG);
  std::vector<uint16_t> bad = codes;
  bad[3] = static_cast<uint16_t>(nwave_model_codebook_size(model_));
  EXPECT_EQ(nwave_codes_decode(model_, bad.data(), frames, 2, pcm.data(), pcm.size(), &samples), NWAVE_BAD_ARG);

  const std::vector<uint8_t> nwv = encoder->Encode(x.data(), x.size(), 44100, 2);
  std::vector<uint8_t> out(nwv.size());
  size_t bytes = 0;
  ASSERT_EQ(nwave_nwv_encode_with_origin(model_, 1.5, x.data(), x.size(), 44100, 2, out.data(), out.size(), &bytes),
            NWAVE_OK);
  EXPECT_EQ(out, nwv);
  EXPECT_EQ(nwave_nwv_encode_with_origin(model_, 1.5, x.data(), x.size(), 0, 2, out.data(), out.size(), &bytes),
            NWAVE_BAD_ARG);
  EXPECT_EQ(nwave_model_fingerprint(model_), cpp->fingerprint());
  EXPECT_EQ(nwave_model_fingerprint(nullptr), 0u);
}

TEST(TokenFiles, NpzRoundTripsAndDecodesToTheOriginalLength) {
  TempDir dir("token_files");
  const auto model = std::shared_ptr<const Model>(Model::LoadOrThrow(tiny_models().model));
  const std::vector<float> x = speechlike(3000, 16000, 5);
  auto encoder = Encoder::Create(model, 1.5);
  TokenArray tokens;
  tokens.codes = encoder->EncodeCodes(x.data(), x.size());
  tokens.num_codebooks = encoder->num_codebooks();
  tokens.frames = tokens.codes.size() / 2;
  tokens.length = x.size();
  tokens.fingerprint = model->fingerprint();
  tokens.sample_rate = 16000;
  tokens.has_metadata = true;
  WriteTokensNpz(dir.file("t.npz"), tokens, model->codebook_bits());
  const std::vector<uint8_t> npz = file_bytes(dir.file("t.npz"));
  const TokenArray back = ParseTokens(npz.data(), npz.size(), "t.npz");
  EXPECT_TRUE(back.has_metadata);
  EXPECT_EQ(back.codes, tokens.codes);
  EXPECT_EQ(back.frames, tokens.frames);
  EXPECT_EQ(back.length, tokens.length);
  EXPECT_EQ(back.fingerprint, tokens.fingerprint);

  // Decodes as the .nwv of the same codes does.
  const std::vector<uint8_t> nwv = encoder->Encode(x.data(), x.size());
  std::ofstream(dir.file("x.nwv"), std::ios::binary).write(reinterpret_cast<const char*>(nwv.data()),
                                                           static_cast<std::streamsize>(nwv.size()));
  DecodeFile(model, dir.file("x.nwv"), dir.file("from_nwv.wav"));
  DecodeTokensFile(model, dir.file("t.npz"), dir.file("from_npz.wav"));
  EXPECT_EQ(file_bytes(dir.file("from_npz.wav")), file_bytes(dir.file("from_nwv.wav")));

  // A .npy has no length: frames * hop samples.
  WriteTokensNpy(dir.file("t.npy"), tokens.codes.data(), tokens.frames, 2, model->codebook_bits());
  DecodeTokensFile(model, dir.file("t.npy"), dir.file("from_npy.wav"));
  EXPECT_EQ(read_audio(dir.file("from_npy.wav")).samples.size(), tokens.frames * 128);

  // Tokens of another model: refused unless forced.
  TokenArray other = tokens;
  other.fingerprint ^= 1;
  WriteTokensNpz(dir.file("other.npz"), other, model->codebook_bits());
  try {
    DecodeTokensFile(model, dir.file("other.npz"), dir.file("other.wav"));
    FAIL() << "accepted another model's tokens";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kModelMismatch);
  }
  DecodeFileOptions force;
  force.force = true;
  DecodeTokensFile(model, dir.file("other.npz"), dir.file("other.wav"), force);

  // Every truncation and every single-byte change of the archive: an error or (bytes no CRC covers, such as a
  // timestamp) the same tokens, never a crash.
  for (size_t n = 0; n < npz.size(); ++n) {
    try {
      ParseTokens(npz.data(), n, "truncated");
      FAIL() << "accepted " << n << " of " << npz.size() << " bytes";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kCorruptStream) << e.what();
    }
  }
  for (size_t i = 0; i < npz.size(); ++i) {
    std::vector<uint8_t> damaged = npz;
    damaged[i] ^= 0x5A;
    try {
      EXPECT_EQ(ParseTokens(damaged.data(), damaged.size(), "damaged").codes, tokens.codes) << "byte " << i;
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kCorruptStream) << e.what();
    }
  }
}

// The message ParseTokens refuses a .npy with this header dict and data_bytes bytes of data with.
std::string refusal(const std::string& dict, size_t data_bytes) {
  std::string npy = std::string("\x93NUMPY\x01\x00", 8);
  npy.push_back(static_cast<char>(dict.size()));
  npy.push_back('\0');
  npy += dict + std::string(data_bytes, '\0');
  try {
    ParseTokens(reinterpret_cast<const uint8_t*>(npy.data()), npy.size(), "x.npy");
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kCorruptStream);
    return e.what();
  }
  ADD_FAILURE() << "accepted " << dict;
  return "";
}

TEST(TokenFiles, HostileHeadersFound) {
  // Found by fuzz_tokens: a header field running into the padding's newline was echoed into the message.
  const std::string message = refusal("{'descr': '<i4', 'fortran_order': False, 'shape': h\n\x01\x02 ", 16);
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_NE(message.find("shape 'h?"), std::string::npos) << message;
  // Found by fuzz_tokens: an empty Fortran-order array claiming 10^12 rows was "reordered" row by row (minutes).
  EXPECT_NE(refusal("{'descr': '<i4', 'fortran_order': True, 'shape': (1000299999991, 0), }", 0).find("codebooks"),
            std::string::npos);
}

}  // namespace
}  // namespace nwave

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "audio/audio_files.h"
#include "nwave/audio.h"
#include "nwave/error.h"
#include "test_util.h"

namespace nwave {
namespace {

using test::TempDir;

// Writes a canonical RIFF/WAVE file by hand, so tests can produce headers libsndfile's writer would refuse
// (absurd rates and channel counts) and float data with NaNs. format_tag 1 = PCM 16-bit, 3 = IEEE float 32-bit.
void write_raw_wav(const std::string& path, int format_tag, int channels, int rate, const std::vector<float>& frames) {
  const int bits = format_tag == 1 ? 16 : 32;
  const uint32_t data_bytes = static_cast<uint32_t>(frames.size() * bits / 8);
  std::ofstream f(path, std::ios::binary);
  auto u32 = [&](uint32_t v) { f.write(reinterpret_cast<const char*>(&v), 4); };
  auto u16 = [&](uint16_t v) { f.write(reinterpret_cast<const char*>(&v), 2); };
  f.write("RIFF", 4);
  u32(36 + data_bytes);
  f.write("WAVEfmt ", 8);
  u32(16);
  u16(static_cast<uint16_t>(format_tag));
  u16(static_cast<uint16_t>(channels));
  u32(static_cast<uint32_t>(rate));
  u32(static_cast<uint32_t>(rate) * channels * bits / 8);
  u16(static_cast<uint16_t>(channels * bits / 8));
  u16(static_cast<uint16_t>(bits));
  f.write("data", 4);
  u32(data_bytes);
  for (float v : frames) {
    if (format_tag == 1) {
      u16(static_cast<uint16_t>(static_cast<int16_t>(std::lround(v * 32767.0f))));
    } else {
      f.write(reinterpret_cast<const char*>(&v), 4);
    }
  }
}

ErrorCode error_code_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << "messages are one line";
    return e.code();
  }
  ADD_FAILURE() << "expected nwave::Error";
  return ErrorCode::kTraining;
}

TEST(Resample, IdentityWhenRatesAreEqual) {
  const auto x = test::white_noise(0.1, 1000, 1);
  EXPECT_EQ(resample(x, 16000, 16000), x);
}

TEST(Resample, OutputLengthIsRoundedRatio) {
  for (size_t n : {0u, 1u, 7u, 441u, 44101u, 100000u}) {
    const auto y = resample(std::vector<float>(n, 0.1f), 44100, 16000);
    EXPECT_EQ(y.size(), static_cast<size_t>(std::llround(n * 16000.0 / 44100.0))) << "n=" << n;
  }
  EXPECT_EQ(resample(std::vector<float>(1001, 0.f), 8000, 16000).size(), 2002u);
}

TEST(Resample, PreservesASineBelowNyquist) {
  const auto x = test::sine(1000.0, 0.5, 48000, 48000);
  const auto y = resample(x, 48000, 16000);
  const auto expected = test::sine(1000.0, 0.5, 16000, 16000);
  ASSERT_EQ(y.size(), expected.size());
  double max_err = 0.0;  // away from the edges, where the filter sees the implicit zeros around the signal
  for (size_t i = 200; i + 200 < y.size(); ++i) max_err = std::max(max_err, std::abs(double(y[i]) - expected[i]));
  EXPECT_LT(max_err, 1e-3);
}

TEST(Resample, RejectsNonPositiveRates) {
  EXPECT_EQ(error_code_of([] { resample({1.f}, 0, 16000); }), ErrorCode::kBadArgument);
}

TEST(WavIo, RoundTripAt16kIsExactTo16Bits) {
  TempDir dir("wavio");
  const auto x = test::sine(440.0, 0.8, 16000, kSampleRate);
  write_wav16(dir.file("a.wav"), x, kSampleRate);
  EXPECT_FALSE(std::filesystem::exists(dir.file("a.wav.tmp")));
  const Audio a = read_audio(dir.file("a.wav"));
  EXPECT_EQ(a.original_rate, kSampleRate);
  EXPECT_EQ(a.original_channels, 1);
  ASSERT_EQ(a.samples.size(), x.size());
  // Half a step of rounding, plus libsndfile's scale asymmetry (writes x 32767, reads / 32768).
  for (size_t i = 0; i < x.size(); ++i) ASSERT_NEAR(a.samples[i], x[i], 2.0 / 32768) << i;
}

TEST(WavIo, WritingClipsToUnitRange) {
  TempDir dir("clip");
  write_wav16(dir.file("c.wav"), {2.0f, -3.0f, 0.5f}, kSampleRate);
  const Audio a = read_audio(dir.file("c.wav"));
  ASSERT_EQ(a.samples.size(), 3u);
  EXPECT_NEAR(a.samples[0], 1.0f, 1e-4);
  EXPECT_NEAR(a.samples[1], -1.0f, 1e-4);
  EXPECT_NEAR(a.samples[2], 0.5f, 1e-4);
}

TEST(WavIo, StereoAt44kIsDownmixedAndResampled) {
  TempDir dir("stereo");
  const int rate = 44100;
  const auto left = test::sine(500.0, 0.6, rate, rate);
  std::vector<float> interleaved;
  for (float v : left) {
    interleaved.push_back(v);
    interleaved.push_back(-v * 0.0f + 0.2f);  // right channel: constant 0.2, so the mean is (sine + 0.2) / 2
  }
  write_raw_wav(dir.file("s.wav"), 1, 2, rate, interleaved);
  const Audio a = read_audio(dir.file("s.wav"));
  EXPECT_EQ(a.original_rate, rate);
  EXPECT_EQ(a.original_channels, 2);
  ASSERT_EQ(a.samples.size(), 16000u);
  const auto expected = test::sine(500.0, 0.3, 16000, 16000);
  for (size_t i = 1000; i < 15000; i += 37) ASSERT_NEAR(a.samples[i], expected[i] + 0.1f, 2e-3) << i;
}

TEST(WavIo, StreamingReaderMatchesReadAudioWithOddBlockSizes) {
  TempDir dir("stream");
  const auto x = test::white_noise(0.2, 50000, 3);
  write_raw_wav(dir.file("n.wav"), 3, 1, 22050, x);
  const Audio whole = read_audio(dir.file("n.wav"));
  auto reader = AudioReader::open(dir.file("n.wav"));
  std::vector<float> streamed, block(333);
  while (size_t n = reader->read(block.data(), block.size())) streamed.insert(streamed.end(), block.begin(), block.begin() + n);
  EXPECT_EQ(reader->read(block.data(), block.size()), 0u);
  EXPECT_EQ(streamed, whole.samples);
  EXPECT_EQ(whole.samples.size(), static_cast<size_t>(std::llround(50000 * 16000.0 / 22050)));
}

TEST(WavIo, ZeroFramesIsEmptyAudio) {
  TempDir dir("empty");
  write_raw_wav(dir.file("e.wav"), 1, 1, 16000, {});
  const Audio a = read_audio(dir.file("e.wav"));
  EXPECT_TRUE(a.samples.empty());
  EXPECT_EQ(a.original_rate, 16000);
}

TEST(WavIo, Errors) {
  TempDir dir("errors");
  EXPECT_EQ(error_code_of([&] { read_audio(dir.file("missing.wav")); }), ErrorCode::kIo);
  EXPECT_EQ(error_code_of([&] { read_audio(dir.path()); }), ErrorCode::kIo);
  {
    std::ofstream(dir.file("junk.wav")) << "this is not audio at all, just some text padding it out a bit";
  }
  EXPECT_EQ(error_code_of([&] { read_audio(dir.file("junk.wav")); }), ErrorCode::kBadAudio);
  write_raw_wav(dir.file("rate0.wav"), 1, 1, 0, std::vector<float>(100, 0.f));
  EXPECT_EQ(error_code_of([&] { read_audio(dir.file("rate0.wav")); }), ErrorCode::kBadAudio);
  write_raw_wav(dir.file("ch100.wav"), 1, 100, 16000, std::vector<float>(1000, 0.f));
  EXPECT_EQ(error_code_of([&] { read_audio(dir.file("ch100.wav")); }), ErrorCode::kBadAudio);
  std::vector<float> with_nan(1000, 0.1f);
  with_nan[500] = std::nanf("");
  write_raw_wav(dir.file("nan.wav"), 3, 1, 16000, with_nan);
  EXPECT_EQ(error_code_of([&] { read_audio(dir.file("nan.wav")); }), ErrorCode::kBadAudio);
  with_nan[500] = INFINITY;
  write_raw_wav(dir.file("inf.wav"), 3, 1, 16000, with_nan);
  EXPECT_EQ(error_code_of([&] { read_audio(dir.file("inf.wav")); }), ErrorCode::kBadAudio);
  // The error names the file.
  try {
    read_audio(dir.file("junk.wav"));
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("junk.wav"), std::string::npos) << e.what();
  }
  EXPECT_EQ(error_code_of([&] { write_wav16(dir.file("x.wav"), {0.f}, 0); }), ErrorCode::kBadArgument);
  EXPECT_EQ(error_code_of([&] { write_wav16(dir.file("nope/x.wav"), {0.f}, 16000); }), ErrorCode::kIo);
}

TEST(WavWriter, WithoutCommitLeavesNothing) {
  TempDir dir("nocommit");
  {
    WavWriter w(dir.file("w.wav"), 16000);
    w.write(std::vector<float>(100, 0.1f));
    EXPECT_TRUE(std::filesystem::exists(dir.file("w.wav.tmp")));
  }
  EXPECT_FALSE(std::filesystem::exists(dir.file("w.wav")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("w.wav.tmp")));
  // A NaN midway aborts the write and leaves no file either.
  EXPECT_EQ(error_code_of([&] { write_wav16(dir.file("n.wav"), {0.1f, std::nanf("")}, 16000); }), ErrorCode::kBadArgument);
  EXPECT_FALSE(std::filesystem::exists(dir.file("n.wav")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("n.wav.tmp")));
}

TEST(WavWriter, StreamedBlocksEqualOneShotWrite) {
  TempDir dir("blocks");
  const auto x = test::white_noise(0.3, 10000, 9);
  WavWriter w(dir.file("b.wav"), 16000);
  for (size_t i = 0; i < x.size(); i += 777) w.write(x.data() + i, std::min<size_t>(777, x.size() - i));
  w.commit();
  write_wav16(dir.file("o.wav"), x, 16000);
  EXPECT_EQ(read_audio(dir.file("b.wav")).samples, read_audio(dir.file("o.wav")).samples);
}

TEST(AudioFiles, ListsRecursivelySortedCaseInsensitive) {
  TempDir dir("list");
  std::filesystem::create_directories(dir.file("sub/deeper"));
  for (const char* name : {"b.wav", "a.FLAC", "sub/c.Ogg", "sub/deeper/d.mp3", "notes.txt", "sub/e.wav.bak"})
    std::ofstream(dir.file(name)) << "x";
  const auto files = audio::list_audio_files(dir.path());
  const std::vector<std::string> expected = {dir.file("a.FLAC"), dir.file("b.wav"), dir.file("sub/c.Ogg"),
                                             dir.file("sub/deeper/d.mp3")};
  EXPECT_EQ(files, expected);
  EXPECT_EQ(error_code_of([&] { audio::list_audio_files(dir.file("missing")); }), ErrorCode::kIo);
}

}  // namespace
}  // namespace nwave

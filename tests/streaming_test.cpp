// Streaming encode/decode (include/nwave/streaming.h): bit-identical to offline for any chunking, for both model
// families and every bitrate; the inference engine agrees with the LibTorch model; the CLI's --chunk and --threads
// output is byte-identical; file encode/decode memory does not grow with duration.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <torch/torch.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <algorithm>
#include <random>
#include <set>

#include "codec_test_util.h"
#include "engine/engine.h"
#include "family_models.h"
#include "model/model_io.h"
#include "nwave/codec.h"
#include "nwave/error.h"
#include "nwave/streaming.h"

namespace nwave {
namespace {

using test::bitwise_equal;
using test::chunk_sizes;
using test::family_model_path;
using test::TempDir;

std::vector<uint16_t> stream_encode(StreamingEncoder& enc, const std::vector<float>& x, const std::vector<size_t>& sizes) {
  std::vector<uint16_t> codes;
  size_t at = 0;
  for (size_t s : sizes) {
    auto c = enc.push(x.data() + at, s);
    EXPECT_EQ(c.size() % static_cast<size_t>(enc.num_codebooks()), 0u);
    codes.insert(codes.end(), c.begin(), c.end());
    at += s;
  }
  auto tail = enc.flush();
  codes.insert(codes.end(), tail.begin(), tail.end());
  return codes;
}

std::vector<float> stream_decode(StreamingDecoder& dec, const std::vector<uint16_t>& codes, int n,
                                 const std::vector<size_t>& frame_sizes) {
  std::vector<float> out;
  size_t at = 0;
  for (size_t s : frame_sizes) {
    auto y = dec.push(codes.data() + at * n, s, n);
    out.insert(out.end(), y.begin(), y.end());
    at += s;
  }
  auto tail = dec.flush();
  out.insert(out.end(), tail.begin(), tail.end());
  return out;
}

std::vector<int16_t> pcm16(const std::vector<float>& x) {
  std::vector<int16_t> out(x.size());
  for (size_t i = 0; i < x.size(); ++i)
    out[i] = static_cast<int16_t>(std::lrint(std::clamp(x[i], -1.0f, 1.0f) * 32767.0f));
  return out;
}

class Streaming : public ::testing::TestWithParam<std::string> {
 protected:
  std::shared_ptr<const Model> model = Model::LoadOrThrow(family_model_path(GetParam()));
  std::vector<float> signal = test::add(test::speechlike(3 * kSampleRate + 77, kSampleRate, 4),
                                        test::white_noise(0.01, 3 * kSampleRate + 77, 2));
};

TEST_P(Streaming, CodesAndSamplesEqualOfflineForAnyChunkingAtEveryBitrate) {
  for (int n = 1; n <= model->num_codebooks(); ++n) {
    const double kbps = n * model->kbps_per_codebook();
    auto offline_enc = Encoder::Create(model, kbps);
    ASSERT_EQ(offline_enc->num_codebooks(), n);
    const auto offline = offline_enc->EncodeCodes(signal.data(), signal.size());
    const size_t frames = offline.size() / n;
    ASSERT_EQ(frames, (signal.size() + 127) / 128);
    std::set<uint16_t> distinct(offline.begin(), offline.end());
    ASSERT_GE(distinct.size(), 4u) << "codes barely vary: the test would prove little";

    auto enc = StreamingEncoder::Create(model, kbps);
    const std::vector<std::vector<size_t>> chunkings = {
        std::vector<size_t>(signal.size(), 1),  // one sample at a time
        chunk_sizes(1, signal.size(), 128 * 3), chunk_sizes(2, signal.size(), 5000), {signal.size()}};
    for (size_t i = 0; i < chunkings.size(); ++i)
      EXPECT_EQ(stream_encode(*enc, signal, chunkings[i]), offline) << "chunking " << i << ", " << n << " codebooks";

    auto dec = Decoder::Create(model);
    const auto reference = dec->DecodeCodes(offline.data(), frames, n);
    ASSERT_EQ(reference.size(), frames * 128);
    auto sdec = StreamingDecoder::Create(model);
    const std::vector<std::vector<size_t>> frame_chunkings = {std::vector<size_t>(frames, 1),
                                                              chunk_sizes(3, frames, 40), {frames}};
    for (size_t i = 0; i < frame_chunkings.size(); ++i) {
      const auto y = stream_decode(*sdec, offline, n, frame_chunkings[i]);
      EXPECT_TRUE(bitwise_equal(y, reference)) << "frame chunking " << i << ", " << n << " codebooks";
      EXPECT_EQ(pcm16(y), pcm16(reference));
    }
  }
}

TEST_P(Streaming, ResetForgetsTheStream) {
  auto enc = StreamingEncoder::Create(model, model->num_codebooks() * model->kbps_per_codebook());
  const int n = enc->num_codebooks();
  const auto offline = Encoder::Create(model, model->num_codebooks() * model->kbps_per_codebook())->EncodeCodes(signal.data(), signal.size());
  enc->push(signal.data() + 1000, 5000);  // a different stream, abandoned midway (with a partial frame pending)
  enc->reset();
  EXPECT_EQ(stream_encode(*enc, signal, chunk_sizes(4, signal.size(), 700)), offline);
  // flush() resets too: a second stream right after the first gives the same codes.
  EXPECT_EQ(stream_encode(*enc, signal, chunk_sizes(5, signal.size(), 300)), offline);

  const size_t frames = offline.size() / n;
  const auto reference = Decoder::Create(model)->DecodeCodes(offline.data(), frames, n);
  auto dec = StreamingDecoder::Create(model);
  dec->push(offline.data() + 10 * n, 30, n);
  dec->reset();
  EXPECT_TRUE(bitwise_equal(stream_decode(*dec, offline, n, chunk_sizes(6, frames, 9)), reference));
  EXPECT_TRUE(bitwise_equal(stream_decode(*dec, offline, n, chunk_sizes(7, frames, 2)), reference));
}

TEST_P(Streaming, LatencyAndDelayAreTheFamilysFixedValues) {
  const bool spectral = GetParam() != "seanet";
  EXPECT_EQ(latency_samples(*model), spectral ? 256 : 128);
  auto enc = StreamingEncoder::Create(model);
  auto dec = StreamingDecoder::Create(model);
  EXPECT_EQ(dec->delay_frames(), spectral ? 1 : 0);
  EXPECT_TRUE(enc->push(signal.data(), 127).empty());  // a frame is not complete yet
  const auto codes = enc->push(signal.data() + 127, 1);
  ASSERT_EQ(codes.size(), static_cast<size_t>(enc->num_codebooks()));
  EXPECT_EQ(dec->push(codes.data(), 1, enc->num_codebooks()).size(), spectral ? 0u : 128u);
  EXPECT_EQ(dec->push(codes.data(), 1, enc->num_codebooks()).size(), 128u);
  EXPECT_EQ(dec->flush().size(), spectral ? 128u : 0u);
}

TEST_P(Streaming, RejectsBadInputWithoutConsumingIt) {
  auto enc = StreamingEncoder::Create(model);
  std::vector<float> bad(300, 0.1f);
  bad[200] = std::nanf("");
  EXPECT_THROW(enc->push(bad.data(), bad.size()), Error);
  EXPECT_EQ(enc->samples_pushed(), 0u);
  auto dec = StreamingDecoder::Create(model);
  const std::vector<uint16_t> codes(4, 60000);
  EXPECT_THROW(dec->push(codes.data(), 1, 4), Error);
  EXPECT_THROW(dec->push(codes.data(), 1, 0), Error);
  EXPECT_EQ(StreamingEncoder::Create(nullptr), nullptr);
  EXPECT_EQ(StreamingEncoder::Create(model, -1.0), nullptr);
}

// The engine is an independent implementation of the trained model: it must agree with the LibTorch graph.
TEST_P(Streaming, EngineAgreesWithTheLibTorchModel) {
  LoadedModel loaded = load_model(family_model_path(GetParam()));
  const int n = loaded.model->config().num_codebooks;
  torch::Tensor ref_codes, ref_audio;
  {
    torch::NoGradGuard no_grad;
    auto wave = pad_to_frames(torch::from_blob(signal.data(), {1, static_cast<int64_t>(signal.size())}).clone(), 128);
    ref_codes = loaded.model->encode_codes(wave, n).squeeze(0).transpose(0, 1).contiguous();  // [F, n]
    ref_audio = loaded.model->decode_codes(ref_codes.transpose(0, 1).unsqueeze(0)).reshape({-1}).contiguous();
  }
  const auto codes = Encoder::Create(model, model->num_codebooks() * model->kbps_per_codebook())->EncodeCodes(signal.data(), signal.size());
  ASSERT_EQ(codes.size(), static_cast<size_t>(ref_codes.numel()));
  size_t same = 0;
  for (size_t i = 0; i < codes.size(); ++i) same += codes[i] == ref_codes.data_ptr<int64_t>()[i];
  // Float rounding may flip a near-tie and then the residuals of later codebooks: allow a few.
  EXPECT_GE(static_cast<double>(same) / codes.size(), 0.95) << same << " of " << codes.size();

  std::vector<uint16_t> ref16(codes.size());
  for (size_t i = 0; i < codes.size(); ++i) ref16[i] = static_cast<uint16_t>(ref_codes.data_ptr<int64_t>()[i]);
  const auto audio = Decoder::Create(model)->DecodeCodes(ref16.data(), ref16.size() / n, n);
  ASSERT_EQ(audio.size(), static_cast<size_t>(ref_audio.numel()));
  double max_diff = 0, max_ref = 0;
  for (size_t i = 0; i < audio.size(); ++i) {
    max_diff = std::max(max_diff, std::abs(static_cast<double>(audio[i]) - ref_audio.data_ptr<float>()[i]));
    max_ref = std::max(max_ref, std::abs(static_cast<double>(ref_audio.data_ptr<float>()[i])));
  }
  EXPECT_GT(max_ref, 1e-4);
  EXPECT_LT(max_diff, 1e-4 + 1e-4 * max_ref) << "max |ref| " << max_ref;
}

INSTANTIATE_TEST_SUITE_P(Families, Streaming, ::testing::Values("spectral", "seanet", "factorized"));

// ---------------------------------------------------------------------------------------------------- CLI

struct ChildResult {
  int code = -1;
  long max_rss_kb = 0;
};

// Runs the nwave binary in a child and reports its exit code and peak RSS (wait4).
ChildResult run_nwave(const std::vector<std::string>& args) {
  std::vector<std::string> all = {NWAVE_BINARY};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    setenv("OMP_NUM_THREADS", "1", 1);
    execv(argv[0], argv.data());
    _exit(127);
  }
  ChildResult r;
  int status = 0;
  rusage usage{};
  if (wait4(pid, &status, 0, &usage) == pid && WIFEXITED(status)) r.code = WEXITSTATUS(status);
  r.max_rss_kb = usage.ru_maxrss;
  return r;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

TEST(StreamingCli, ChunkedEncodeAndDecodeWriteByteIdenticalFiles) {
  TempDir dir("stream_cli");
  for (const std::string family : {"spectral", "seanet"}) {
    const std::string model = family_model_path(family);
    const std::string in = dir.file(family + ".wav");
    // 44.1 kHz input: the reader's resampling is part of the path.
    auto x = test::speechlike(2 * 44100 + 31, 44100, 3);
    write_wav16(in, x, 44100);
    const std::string offline = dir.file(family + "_offline.nwv");
    ASSERT_EQ(run_nwave({"encode", in, offline, "--model", model, "--bitrate", "3"}).code, 0);
    // The API's offline Encode on the same samples writes the same bytes.
    const Audio audio = read_audio(in);
    auto enc = Encoder::Create(Model::LoadOrThrow(model), 3.0);
    const auto bytes = enc->Encode(audio.samples.data(), audio.samples.size(), audio.original_rate, audio.original_channels);
    EXPECT_EQ(slurp(offline), std::string(bytes.begin(), bytes.end())) << family;
    for (const std::string chunk : {"1", "128", "1001"}) {
      const std::string nwv = dir.file(family + "_" + chunk + ".nwv");
      ASSERT_EQ(run_nwave({"encode", in, nwv, "--model", model, "--bitrate", "3", "--chunk", chunk}).code, 0);
      EXPECT_EQ(slurp(nwv), slurp(offline)) << family << " --chunk " << chunk;
    }
    for (const std::string threads : {"2", "3", "0"}) {  // parallel blocks: the same bytes
      const std::string nwv = dir.file(family + "_threads" + threads + ".nwv");
      ASSERT_EQ(run_nwave({"encode", in, nwv, "--model", model, "--bitrate", "3", "--threads", threads}).code, 0);
      EXPECT_EQ(slurp(nwv), slurp(offline)) << family << " --threads " << threads;
    }
    const std::string npy1 = dir.file(family + "_1.npy"), npy3 = dir.file(family + "_3.npy");
    ASSERT_EQ(run_nwave({"tokens", in, npy1, "--model", model}).code, 0);
    ASSERT_EQ(run_nwave({"tokens", in, npy3, "--model", model, "--threads", "3"}).code, 0);
    EXPECT_EQ(slurp(npy3), slurp(npy1)) << family << " tokens --threads 3";
    const std::string wav = dir.file(family + "_offline_out.wav");
    ASSERT_EQ(run_nwave({"decode", offline, wav, "--model", model}).code, 0);
    // The API's offline Decode gives the same 16-bit samples.
    const auto decoded = Decoder::Create(Model::LoadOrThrow(model))->Decode(bytes);
    const std::string api_wav = dir.file(family + "_api.wav");
    write_wav16(api_wav, decoded, kSampleRate);
    EXPECT_EQ(slurp(wav), slurp(api_wav)) << family;
    for (const std::string chunk : {"1", "3", "250"}) {
      const std::string out = dir.file(family + "_" + chunk + ".wav");
      ASSERT_EQ(run_nwave({"decode", offline, out, "--model", model, "--chunk", chunk}).code, 0);
      EXPECT_EQ(slurp(out), slurp(wav)) << family << " --chunk " << chunk;
    }
    for (const std::string threads : {"2", "3"}) {
      const std::string out = dir.file(family + "_threads" + threads + ".wav");
      ASSERT_EQ(run_nwave({"decode", offline, out, "--model", model, "--threads", threads, "--chunk", "7"}).code, 0);
      EXPECT_EQ(slurp(out), slurp(wav)) << family << " --threads " << threads;
    }
    EXPECT_EQ(run_nwave({"decode", offline, dir.file("x.wav"), "--model", model, "--threads", "-1"}).code, 2);
    EXPECT_EQ(run_nwave({"encode", in, dir.file("x.nwv"), "--model", model, "--threads", "257"}).code, 2);
    // Decoding at a lower bitrate and at the original rate also streams.
    const std::string low = dir.file(family + "_low.wav"), orig = dir.file(family + "_orig.wav");
    ASSERT_EQ(run_nwave({"decode", offline, low, "--model", model, "--bitrate", "1.25", "--chunk", "7"}).code, 0);
    const auto low_api = Decoder::Create(Model::LoadOrThrow(model))->Decode(bytes, 1.25);
    write_wav16(api_wav, low_api, kSampleRate);
    EXPECT_EQ(slurp(low), slurp(api_wav)) << family;
    ASSERT_EQ(run_nwave({"decode", offline, orig, "--model", model, "--original-rate"}).code, 0);
    write_wav16(api_wav, resample(decoded, kSampleRate, 44100), 44100);
    EXPECT_EQ(slurp(orig), slurp(api_wav)) << family;
  }
}

// A 10-minute file encodes and decodes with about the memory of a 1-second one. Holding the signal as float32
// even once would add 38 MB (9.6 M samples); the bound allows 16 MB of growth.
TEST(StreamingCli, FileEncodeAndDecodeMemoryDoesNotGrowWithDuration) {
  TempDir dir("stream_mem");
  const std::string model = family_model_path("spectral");
  auto measure = [&](size_t seconds) {
    const std::string in = dir.file("in" + std::to_string(seconds) + ".wav");
    {
      WavWriter w(in, kSampleRate);
      const auto block = test::speechlike(kSampleRate, kSampleRate, 11);
      for (size_t s = 0; s < seconds; ++s) w.write(block);
      w.commit();
    }
    const std::string nwv = dir.file("x.nwv"), out = dir.file("x.wav");
    const ChildResult e = run_nwave({"encode", in, nwv, "--model", model});
    const ChildResult d = run_nwave({"decode", nwv, out, "--model", model});
    EXPECT_EQ(e.code, 0);
    EXPECT_EQ(d.code, 0);
    EXPECT_EQ(read_audio(out).samples.size(), seconds * kSampleRate);
    std::filesystem::remove(in);
    return std::make_pair(e.max_rss_kb, d.max_rss_kb);
  };
  const auto small = measure(1), large = measure(600);
  EXPECT_LT(large.first, small.first + 16 * 1024) << "encode: " << small.first << " kB for 1 s, " << large.first << " kB for 10 min";
  EXPECT_LT(large.second, small.second + 16 * 1024) << "decode: " << small.second << " kB for 1 s, " << large.second << " kB for 10 min";
  RecordProperty("encode_rss_kb_10min", std::to_string(large.first));
  RecordProperty("decode_rss_kb_10min", std::to_string(large.second));
}

}  // namespace
}  // namespace nwave

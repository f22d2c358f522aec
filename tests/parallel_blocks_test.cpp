// Parallel blocks (src/api/parallel_blocks.h): encoding and decoding on several threads give, bit for bit, the codes
// and samples of one continuous engine state, for every family, thread count, block size, chunking and length; the
// receptive field that makes it exact; the thread-count rules of the C++ API, the file functions and the C API.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "api/block_parallel_decoder.h"
#include "api/block_parallel_encoder.h"
#include "api/parallel_blocks.h"
#include "engine/engine.h"
#include "family_models.h"
#include "io/safetensors_reader.h"
#include "model/model_file.h"
#include "nwave/audio.h"
#include "nwave/codec.h"
#include "nwave/error.h"
#include "nwave/files.h"
#include "nwave/nwave.h"
#include "nwave/streaming.h"

namespace nwave {
namespace {

using test::bitwise_equal;
using test::chunk_sizes;
using test::family_model_path;
using test::TempDir;

// The engine as the library builds it, from the same file.
std::unique_ptr<engine::EngineModel> load_engine(const std::string& path) {
  SafetensorsReader file(path);
  const ModelConfig config = read_model_config(file);
  return std::make_unique<engine::EngineModel>(config, file);
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class ParallelBlocks : public ::testing::TestWithParam<std::string> {
 protected:
  std::shared_ptr<const Model> model = Model::LoadOrThrow(family_model_path(GetParam()));
  std::unique_ptr<engine::EngineModel> engine = load_engine(family_model_path(GetParam()));
  engine::ReceptiveField field = engine->receptive_field();
  int n = model->num_codebooks();
  std::vector<float> signal = test::add(test::speechlike(3 * kSampleRate + 77, kSampleRate, 4),
                                        test::white_noise(0.01, 3 * kSampleRate + 77, 2));

  // The reference: one continuous engine state (what the streaming API runs).
  std::vector<uint16_t> continuous_codes(size_t samples) {
    auto enc = StreamingEncoder::Create(model, n * model->kbps_per_codebook());
    auto codes = enc->push(signal.data(), samples);
    const auto tail = enc->flush();
    codes.insert(codes.end(), tail.begin(), tail.end());
    return codes;
  }
  std::vector<float> continuous_samples(const std::vector<uint16_t>& codes) {
    auto dec = StreamingDecoder::Create(model);
    auto out = dec->push(codes.data(), codes.size() / n, n);
    const auto tail = dec->flush();
    out.insert(out.end(), tail.begin(), tail.end());
    return out;
  }
};

// The layers' look-back, added up by hand from the presets (model_config.cpp, engine.cpp): spectral: the analysis
// window's 384 samples (3 frames) plus kernel - 1 = 6 frames per encoder ConvNeXt block; the decoder's causal
// embedding plus its blocks, 6 frames each, and one frame of overlap-add delay.
TEST(ReceptiveField, IsTheSumOfTheLayersLookBack) {
  const auto spectral = load_engine(family_model_path("spectral"))->receptive_field();  // tiny: 1 + 1 blocks
  EXPECT_EQ(spectral.encoder_history, 3 + 6);
  EXPECT_EQ(spectral.decoder_history, 6 + 6);
  EXPECT_EQ(spectral.decoder_delay, 1);
  // seanet-tiny (strides 2, 4, 4, 4; one residual unit of dilation 1 per stage), in samples, rounding every strided
  // layer out to whole output rows: encoder 6 (k7) + 2 (residual) -> 8, stride 2 (history 2): 10, + 4 (residual at
  // rate 2): 14, stride 4 (history 4 rows of 2): 24, then 40, 96, 160, 384, and 640 after the last k3 conv: 5 frames.
  const auto seanet = load_engine(family_model_path("seanet"))->receptive_field();
  EXPECT_EQ(seanet.encoder_history, 5);
  EXPECT_EQ(seanet.decoder_delay, 0);
  EXPECT_GE(seanet.decoder_history, 7);  // at least the k7 embedding conv at frame rate
}

// What parallel blocks rely on: a fresh state warmed up on `history` frames gives the continuous state's output from
// there on. One frame less is not enough for the spectral decoder, whose bound is exact (stride-1 layers only).
TEST_P(ParallelBlocks, AFreshStateWarmedUpOnTheReceptiveFieldContinuesExactly) {
  const int hop = model->hop();
  const auto codes = continuous_codes(signal.size());
  const auto samples = continuous_samples(codes);
  const int64_t frames = static_cast<int64_t>(codes.size()) / n;
  for (int64_t start : {field.encoder_history, int64_t{100}, frames - 3}) {
    const int64_t from = start - field.encoder_history;
    engine::EncoderState state(*engine);
    std::vector<uint16_t> tail;
    std::vector<float> padded(signal.begin() + from * hop, signal.end());
    padded.resize(static_cast<size_t>(frames - from) * hop, 0.0f);
    state.push(padded.data(), frames - from, n, tail);
    EXPECT_TRUE(std::equal(tail.begin() + (start - from) * n, tail.end(), codes.begin() + start * n)) << start;
  }
  for (int64_t start : {field.decoder_history, int64_t{100}, frames - 3}) {
    for (const int64_t warmup : {field.decoder_history, field.decoder_history - 1}) {
      engine::DecoderState state(*engine);
      std::vector<float> out;
      state.push(codes.data() + (start - warmup) * n, frames - start + warmup, n, out);
      state.flush(out);
      const std::vector<float> from_start(out.begin() + warmup * hop, out.end());
      const std::vector<float> expected(samples.begin() + start * hop, samples.end());
      if (warmup == field.decoder_history) {
        EXPECT_TRUE(bitwise_equal(from_start, expected)) << "start " << start;
      } else if (GetParam() != "seanet") {
        EXPECT_FALSE(bitwise_equal(from_start, expected)) << "start " << start << ": the bound is not tight";
      }
    }
  }
}

TEST_P(ParallelBlocks, BlockEncoderGivesTheContinuousCodesForAnyThreadsBlocksChunkingAndLength) {
  const size_t hop = static_cast<size_t>(model->hop());
  for (size_t length : {size_t{0}, size_t{1}, hop - 1, hop, 13 * hop + 17, 90 * hop, signal.size()}) {
    const auto expected = continuous_codes(length);
    ASSERT_EQ(expected.size(), (length + hop - 1) / hop * n);
    for (int threads : {1, 2, 3}) {
      for (int64_t block : {int64_t{1}, field.encoder_history - 1, int64_t{64}, kMaxParallelBlockFrames}) {
        for (const auto& chunks : {std::vector<size_t>{length}, chunk_sizes(7, length, 3 * hop)}) {
          BlockParallelEncoder encoder(*engine, n, threads, block);
          std::vector<uint16_t> codes;
          size_t at = 0;
          for (size_t c : chunks) {
            encoder.push(signal.data() + at, c, codes);
            at += c;
          }
          encoder.finish(codes);
          EXPECT_EQ(codes, expected) << length << " samples, " << threads << " threads, blocks of " << block
                                     << ", " << chunks.size() << " chunks";
        }
      }
    }
  }
}

TEST_P(ParallelBlocks, BlockDecoderGivesTheContinuousSamplesForAnyThreadsBlocksChunkingAndLength) {
  const auto all_codes = continuous_codes(signal.size());
  const size_t total = all_codes.size() / n;
  for (size_t frames : {size_t{0}, size_t{1}, size_t{2}, size_t{14}, size_t{90}, total}) {
    const std::vector<uint16_t> codes(all_codes.begin(), all_codes.begin() + frames * n);
    const auto expected = continuous_samples(codes);
    ASSERT_EQ(expected.size(), frames * model->hop());
    for (int threads : {1, 2, 3}) {
      for (int64_t block : {int64_t{1}, field.decoder_history - 1, int64_t{64}, kMaxParallelBlockFrames}) {
        for (const auto& chunks : {std::vector<size_t>{frames}, chunk_sizes(8, frames, 5)}) {
          BlockParallelDecoder decoder(*engine, n, threads, block);
          std::vector<float> out;
          size_t at = 0;
          for (size_t c : chunks) {
            decoder.push(codes.data() + at * n, c, out);
            at += c;
          }
          decoder.finish(out);
          EXPECT_TRUE(bitwise_equal(out, expected)) << frames << " frames, " << threads << " threads, blocks of "
                                                    << block << ", " << chunks.size() << " chunks";
        }
      }
    }
  }
}

TEST_P(ParallelBlocks, EncoderAndDecoderGiveTheSameResultsOnAnyThreadCount) {
  auto encoder = Encoder::Create(model, n * model->kbps_per_codebook());
  auto decoder = Decoder::Create(model);
  EXPECT_EQ(encoder->threads(), 1);
  EXPECT_EQ(decoder->threads(), 1);
  const auto codes = encoder->EncodeCodes(signal.data(), signal.size());
  const auto bytes = encoder->Encode(signal.data(), signal.size());
  const auto samples = decoder->DecodeCodes(codes.data(), codes.size() / n, n);
  const auto decoded = decoder->Decode(bytes);
  EXPECT_EQ(codes, continuous_codes(signal.size()));
  for (int threads : {2, 3, 0}) {
    ASSERT_TRUE(encoder->set_threads(threads));
    ASSERT_TRUE(decoder->set_threads(threads));
    EXPECT_GE(encoder->threads(), 1);
    EXPECT_EQ(encoder->EncodeCodes(signal.data(), signal.size()), codes) << threads;
    EXPECT_EQ(encoder->Encode(signal.data(), signal.size()), bytes) << threads;
    EXPECT_TRUE(bitwise_equal(decoder->DecodeCodes(codes.data(), codes.size() / n, n), samples)) << threads;
    EXPECT_TRUE(bitwise_equal(decoder->Decode(bytes), decoded)) << threads;
  }
  ASSERT_TRUE(encoder->set_threads(3));
  for (int bad : {-1, kMaxThreads + 1}) {
    EXPECT_FALSE(encoder->set_threads(bad));
    EXPECT_FALSE(decoder->set_threads(bad));
  }
  EXPECT_EQ(encoder->threads(), 3) << "a refused count changes nothing";
}

INSTANTIATE_TEST_SUITE_P(Families, ParallelBlocks, ::testing::Values("spectral", "seanet", "factorized"));

TEST(ParallelBlocksPlan, ThreadCountsAndBlockSizes) {
  EXPECT_EQ(resolve_threads(1), 1);
  EXPECT_EQ(resolve_threads(kMaxThreads), kMaxThreads);
  EXPECT_GE(resolve_threads(0), 1);
  EXPECT_THROW(resolve_threads(-1), Error);
  EXPECT_THROW(resolve_threads(kMaxThreads + 1), Error);
  EXPECT_EQ(parallel_block_frames(0, 2, 39), kMaxParallelBlockFrames);  // length unknown
  EXPECT_EQ(parallel_block_frames(1250, 2, 39), 625);                  // one block per thread
  EXPECT_EQ(parallel_block_frames(1000, 4, 39), 8 * 39);                // warm-up at most an eighth of a block
  EXPECT_EQ(parallel_block_frames(26250, 2, 39), kMaxParallelBlockFrames);
  EXPECT_EQ(parallel_block_frames(100, 2, 500), kMaxParallelBlockFrames);  // never above the memory bound
}

// Whole files: the same .nwv bytes and WAV bytes for any thread count, for a file shorter than a block and one of
// several blocks with a partial last one, from a 44.1 kHz input (resampling on the way in) and back.
TEST(ParallelBlocksFiles, EncodeFileAndDecodeFileWriteTheSameBytesOnAnyThreadCount) {
  TempDir dir("parallel_files");
  const std::shared_ptr<const Model> model = Model::LoadOrThrow(family_model_path("spectral"));
  for (size_t samples : {size_t{5000}, size_t{20 * 44100 + 333}}) {
    const std::string in = dir.file("in.wav");
    write_wav16(in, test::speechlike(samples, 44100, 6), 44100);
    std::string first_nwv, first_wav;
    for (int threads : {1, 2, 3}) {
      const std::string nwv = dir.file("t" + std::to_string(threads) + ".nwv");
      const std::string wav = dir.file("t" + std::to_string(threads) + ".wav");
      EncodeFileOptions e;
      e.threads = threads;
      EncodeFile(model, in, nwv, e);
      DecodeFileOptions d;
      d.threads = threads;
      DecodeFile(model, nwv, wav, d);
      if (threads == 1) {
        first_nwv = slurp(nwv);
        first_wav = slurp(wav);
        const Audio audio = read_audio(in);
        const auto bytes = Encoder::Create(model)->Encode(audio.samples.data(), audio.samples.size(), 44100, 1);
        EXPECT_EQ(first_nwv, std::string(bytes.begin(), bytes.end())) << samples;
        continue;
      }
      EXPECT_EQ(slurp(nwv), first_nwv) << samples << " samples, " << threads << " threads";
      EXPECT_EQ(slurp(wav), first_wav) << samples << " samples, " << threads << " threads";
    }
    // Concealment decodes on one thread whatever the count; without losses it changes nothing.
    DecodeFileOptions conceal;
    conceal.conceal = true;
    conceal.threads = 2;
    DecodeFile(model, dir.file("t1.nwv"), dir.file("c.wav"), conceal);
    EXPECT_EQ(slurp(dir.file("c.wav")), first_wav);
  }
  auto expect_thread_count_refused = [](const std::function<void()>& call) {
    try {
      call();
      ADD_FAILURE() << "a thread count out of range was accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kBadArgument);
      EXPECT_NE(std::string(e.what()).find("threads"), std::string::npos) << e.what();
    }
  };
  EncodeFileOptions bad_encode;
  bad_encode.threads = -1;
  expect_thread_count_refused([&] { EncodeFile(model, dir.file("in.wav"), dir.file("x.nwv"), bad_encode); });
  DecodeFileOptions bad_decode;
  bad_decode.threads = kMaxThreads + 1;
  expect_thread_count_refused([&] { DecodeFile(model, dir.file("t1.nwv"), dir.file("x.wav"), bad_decode); });
}

TEST(ParallelBlocksCApi, ThreadedCallsGiveTheSameBytesAndSamples) {
  TempDir dir("parallel_c_api");
  nwave_model* model = nullptr;
  ASSERT_EQ(nwave_model_open(family_model_path("spectral").c_str(), &model), NWAVE_OK);
  const auto x = test::speechlike(4 * kSampleRate + 5, kSampleRate, 8);
  std::vector<uint8_t> one(1 << 16), many(1 << 16);
  size_t one_size = 0, many_size = 0;
  ASSERT_EQ(nwave_nwv_encode(model, 0, x.data(), x.size(), one.data(), one.size(), &one_size), NWAVE_OK);
  ASSERT_EQ(nwave_nwv_encode_threads(model, 0, x.data(), x.size(), many.data(), many.size(), &many_size, 3), NWAVE_OK);
  one.resize(one_size);
  many.resize(many_size);
  EXPECT_EQ(many, one);
  std::vector<float> a(x.size()), b(x.size());
  size_t a_size = 0, b_size = 0;
  ASSERT_EQ(nwave_nwv_decode(model, one.data(), one.size(), 0, a.data(), a.size(), &a_size), NWAVE_OK);
  ASSERT_EQ(nwave_nwv_decode_threads(model, one.data(), one.size(), 0, b.data(), b.size(), &b_size, 2), NWAVE_OK);
  EXPECT_EQ(a_size, x.size());
  EXPECT_TRUE(bitwise_equal(a, b));

  // The array calls' twins (what the Python module's threads= calls): the same codes, bytes and samples.
  const double kbps = 2 * nwave_model_kbps_per_codebook(model);  // 2 codebooks
  const size_t frames = (x.size() + 127) / 128;
  std::vector<uint16_t> codes(frames * 2), codes_threaded(frames * 2);
  size_t got = 0, got_threaded = 0;
  ASSERT_EQ(nwave_codes_encode(model, kbps, x.data(), x.size(), codes.data(), frames, &got), NWAVE_OK);
  ASSERT_EQ(nwave_codes_encode_threads(model, kbps, x.data(), x.size(), codes_threaded.data(), frames, &got_threaded,
                                       3),
            NWAVE_OK);
  EXPECT_EQ(got_threaded, frames);
  EXPECT_EQ(codes_threaded, codes);
  std::vector<float> pcm(frames * 128), pcm_threaded(frames * 128);
  ASSERT_EQ(nwave_codes_decode(model, codes.data(), frames, 2, pcm.data(), pcm.size(), &a_size), NWAVE_OK);
  ASSERT_EQ(nwave_codes_decode_threads(model, codes.data(), frames, 2, pcm_threaded.data(), pcm_threaded.size(),
                                       &b_size, 2),
            NWAVE_OK);
  EXPECT_EQ(b_size, pcm.size());
  EXPECT_TRUE(bitwise_equal(pcm, pcm_threaded));
  ASSERT_EQ(nwave_nwv_encode_with_origin(model, 0, x.data(), x.size(), 44100, 2, one.data(), one.size(), &one_size),
            NWAVE_OK);
  ASSERT_EQ(nwave_nwv_encode_with_origin_threads(model, 0, x.data(), x.size(), 44100, 2, many.data(), many.size(),
                                                 &many_size, 0),
            NWAVE_OK);
  EXPECT_EQ(many_size, one_size);
  EXPECT_TRUE(std::equal(one.begin(), one.begin() + static_cast<std::ptrdiff_t>(one_size), many.begin()));
  EXPECT_EQ(nwave_codes_encode_threads(model, kbps, x.data(), x.size(), codes.data(), frames, &got, 257),
            NWAVE_BAD_ARG);
  EXPECT_EQ(nwave_codes_decode_threads(model, codes.data(), frames, 2, pcm.data(), pcm.size(), &a_size, -1),
            NWAVE_BAD_ARG);
  EXPECT_EQ(nwave_nwv_encode_with_origin_threads(model, 0, x.data(), x.size(), 44100, 2, many.data(), many.size(),
                                                 &many_size, -2),
            NWAVE_BAD_ARG);

  const std::string in = dir.file("in.wav");
  write_wav16(in, x, kSampleRate);
  ASSERT_EQ(nwave_encode_file(model, in.c_str(), dir.file("1.nwv").c_str(), 0), NWAVE_OK);
  ASSERT_EQ(nwave_encode_file_threads(model, in.c_str(), dir.file("2.nwv").c_str(), 0, 2), NWAVE_OK);
  EXPECT_EQ(slurp(dir.file("2.nwv")), slurp(dir.file("1.nwv")));
  ASSERT_EQ(nwave_decode_file(model, dir.file("1.nwv").c_str(), dir.file("1.wav").c_str(), 0), NWAVE_OK);
  ASSERT_EQ(nwave_decode_file_threads(model, dir.file("1.nwv").c_str(), dir.file("0.wav").c_str(), 0, 0), NWAVE_OK);
  EXPECT_EQ(slurp(dir.file("0.wav")), slurp(dir.file("1.wav")));

  EXPECT_EQ(nwave_encode_file_threads(model, in.c_str(), dir.file("x.nwv").c_str(), 0, -1), NWAVE_BAD_ARG);
  EXPECT_NE(std::string(nwave_last_error()).find("threads"), std::string::npos) << nwave_last_error();
  EXPECT_EQ(nwave_nwv_decode_threads(model, one.data(), one.size(), 0, b.data(), b.size(), &b_size, 1000),
            NWAVE_BAD_ARG);
  nwave_model_close(model);
}

}  // namespace
}  // namespace nwave

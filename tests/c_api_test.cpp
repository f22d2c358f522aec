// The C API (include/nwave/nwave.h): results equal the C++ API's, and every misuse (bad bitrate, code outside the
// codebook, buffer too small, NULL pointers, damaged bytes) returns an error code instead of crashing.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "codec_test_util.h"
#include "nwave/codec.h"
#include "nwave/nwave.h"
#include "nwave/streaming.h"
#include "test_util.h"

namespace nwave {
namespace {

using test::speechlike;
using test::tiny_models;

class CApi : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_EQ(nwave_model_open(tiny_models().model.c_str(), &model_), NWAVE_OK) << nwave_last_error(); }
  void TearDown() override { nwave_model_close(model_); }
  nwave_model* model_ = nullptr;
};

TEST(CApiBasics, VersionErrorsAndMissingModel) {
  EXPECT_STREQ(nwave_version_string(), version_string());
  EXPECT_STREQ(nwave_strerror(NWAVE_OK), "success");
  EXPECT_STREQ(nwave_strerror(NWAVE_BUFFER_TOO_SMALL), "buffer too small");
  EXPECT_STREQ(nwave_strerror(12345), "unknown error code");
  nwave_model* model = reinterpret_cast<nwave_model*>(1);
  EXPECT_EQ(nwave_model_open("/nonexistent/model.safetensors", &model), NWAVE_IO_ERROR);
  EXPECT_EQ(model, nullptr);
  EXPECT_NE(std::string(nwave_last_error()).find("/nonexistent/model.safetensors"), std::string::npos);
  EXPECT_EQ(nwave_model_open("x", nullptr), NWAVE_BAD_ARG);
  nwave_model_close(nullptr);
  nwave_encoder_destroy(nullptr);
  nwave_decoder_destroy(nullptr);
}

TEST_F(CApi, ModelFacts) {
  const auto cpp = Model::LoadOrThrow(tiny_models().model);
  EXPECT_EQ(nwave_model_sample_rate(model_), cpp->sample_rate());
  EXPECT_EQ(nwave_model_hop(model_), cpp->hop());
  EXPECT_EQ(nwave_model_num_codebooks(model_), cpp->num_codebooks());
  EXPECT_EQ(nwave_model_codebook_size(model_), cpp->codebook_size());
  EXPECT_EQ(nwave_model_latency_samples(model_), latency_samples(*cpp));
  int n = -1;
  EXPECT_EQ(nwave_model_codebooks_for_bitrate(model_, 1.5, &n), NWAVE_OK);
  EXPECT_EQ(n, 2);  // 0.75 kbps per codebook (64 entries)
  EXPECT_EQ(nwave_model_codebooks_for_bitrate(model_, 1e300, &n), NWAVE_BAD_ARG);
  EXPECT_EQ(n, 0);
  EXPECT_NE(std::string(nwave_last_error()).find("outside"), std::string::npos) << nwave_last_error();
}

TEST_F(CApi, StreamingEqualsTheCppApiAndRefusesMisuse) {
  const auto x = speechlike(5000, 16000, 3);
  const auto cpp = std::shared_ptr<const Model>(Model::LoadOrThrow(tiny_models().model));
  const auto expected = Encoder::Create(cpp, 1.5)->EncodeCodes(x.data(), x.size());

  nwave_encoder* enc = nullptr;
  EXPECT_EQ(nwave_encoder_create(model_, 0.5, &enc), NWAVE_BAD_ARG);
  EXPECT_EQ(nwave_encoder_create(model_, 1e300, &enc), NWAVE_BAD_ARG);
  EXPECT_EQ(enc, nullptr);
  ASSERT_EQ(nwave_encoder_create(model_, 1.5, &enc), NWAVE_OK);
  const int nc = nwave_encoder_codebooks(enc);
  ASSERT_EQ(nc, 2);
  std::vector<uint16_t> codes, buffer(static_cast<size_t>(nc) * 64);
  size_t frames = 0;
  // Too small a buffer: an error, and nothing consumed (the retry gives the same codes).
  EXPECT_EQ(nwave_encoder_push(enc, x.data(), 1000, buffer.data(), 1, &frames), NWAVE_BUFFER_TOO_SMALL);
  EXPECT_EQ(nwave_encoder_push(enc, nullptr, 10, buffer.data(), 64, &frames), NWAVE_BAD_ARG);
  for (size_t at = 0; at < x.size(); at += 1000) {
    const size_t n = std::min<size_t>(1000, x.size() - at);
    EXPECT_LE(nwave_encoder_max_frames(enc, n), 64u);
    ASSERT_EQ(nwave_encoder_push(enc, x.data() + at, n, buffer.data(), 64, &frames), NWAVE_OK) << nwave_last_error();
    codes.insert(codes.end(), buffer.begin(), buffer.begin() + static_cast<long>(frames * nc));
  }
  EXPECT_EQ(nwave_encoder_flush(enc, buffer.data(), 0, &frames), NWAVE_BUFFER_TOO_SMALL);
  ASSERT_EQ(nwave_encoder_flush(enc, buffer.data(), 64, &frames), NWAVE_OK);
  codes.insert(codes.end(), buffer.begin(), buffer.begin() + static_cast<long>(frames * nc));
  nwave_encoder_destroy(enc);
  EXPECT_EQ(codes, expected);

  nwave_decoder* dec = nullptr;
  EXPECT_EQ(nwave_decoder_create(model_, -1, &dec), NWAVE_BAD_ARG);
  ASSERT_EQ(nwave_decoder_create(model_, 1.5, &dec), NWAVE_OK);
  const size_t total_frames = codes.size() / nc, hop = static_cast<size_t>(nwave_model_hop(model_));
  std::vector<float> pcm(total_frames * hop), out;
  size_t samples = 0;
  EXPECT_EQ(nwave_decoder_push(dec, codes.data(), total_frames, pcm.data(), total_frames * hop - 1, &samples),
            NWAVE_BUFFER_TOO_SMALL);
  std::vector<uint16_t> bad = codes;
  bad[3] = static_cast<uint16_t>(nwave_model_codebook_size(model_));
  EXPECT_EQ(nwave_decoder_push(dec, bad.data(), total_frames, pcm.data(), pcm.size(), &samples), NWAVE_BAD_ARG);
  EXPECT_NE(std::string(nwave_last_error()).find("outside the codebook"), std::string::npos) << nwave_last_error();
  ASSERT_EQ(nwave_decoder_push(dec, codes.data(), total_frames, pcm.data(), pcm.size(), &samples), NWAVE_OK);
  out.assign(pcm.begin(), pcm.begin() + static_cast<long>(samples));
  ASSERT_EQ(nwave_decoder_flush(dec, pcm.data(), pcm.size(), &samples), NWAVE_OK);
  out.insert(out.end(), pcm.begin(), pcm.begin() + static_cast<long>(samples));
  nwave_decoder_destroy(dec);
  EXPECT_EQ(out, Decoder::Create(cpp)->DecodeCodes(codes.data(), total_frames, nc));
}

TEST_F(CApi, NwvBytesRoundTripAndDamage) {
  const auto x = speechlike(3000, 16000, 5);
  size_t bytes = 0;
  EXPECT_EQ(nwave_nwv_encode(model_, 1.5, x.data(), x.size(), nullptr, 0, &bytes), NWAVE_BUFFER_TOO_SMALL);
  ASSERT_GT(bytes, 0u);
  std::vector<uint8_t> nwv(bytes);
  ASSERT_EQ(nwave_nwv_encode(model_, 1.5, x.data(), x.size(), nwv.data(), nwv.size(), &bytes), NWAVE_OK);
  nwave_stream_info info{};
  ASSERT_EQ(nwave_nwv_info(nwv.data(), nwv.size(), &info), NWAVE_OK);
  EXPECT_EQ(info.samples, x.size());
  EXPECT_EQ(info.num_codebooks, 2);
  EXPECT_DOUBLE_EQ(info.kbps, 1.5);
  size_t samples = 0;
  EXPECT_EQ(nwave_nwv_decode(model_, nwv.data(), nwv.size(), 0, nullptr, 0, &samples), NWAVE_BUFFER_TOO_SMALL);
  EXPECT_EQ(samples, x.size());
  std::vector<float> pcm(samples);
  ASSERT_EQ(nwave_nwv_decode(model_, nwv.data(), nwv.size(), 0, pcm.data(), pcm.size(), &samples), NWAVE_OK);
  EXPECT_EQ(nwave_nwv_decode(model_, nwv.data(), nwv.size(), 5, pcm.data(), pcm.size(), &samples), NWAVE_BAD_ARG);
  nwv[nwv.size() / 2] ^= 0x40;
  EXPECT_EQ(nwave_nwv_info(nwv.data(), nwv.size(), &info), NWAVE_CORRUPT_STREAM);
  EXPECT_EQ(nwave_nwv_decode(model_, nwv.data(), nwv.size(), 0, pcm.data(), pcm.size(), &samples),
            NWAVE_CORRUPT_STREAM);
  EXPECT_EQ(nwave_nwv_info(nwv.data(), 3, &info), NWAVE_CORRUPT_STREAM);
}

}  // namespace
}  // namespace nwave

// The public codec API (include/nwave/codec.h): lengths, bitrates, determinism, size bound, error handling.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "codec_test_util.h"
#include "io/safetensors.h"
#include "nwave/codec.h"
#include "nwave/error.h"
#include "nwave/streaming.h"
#include "test_util.h"

namespace nwave {
namespace {

using test::speechlike;
using test::tiny_models;

class CodecApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    model_ = Model::LoadOrThrow(tiny_models().model);
    other_ = Model::LoadOrThrow(tiny_models().other);
  }
  static void TearDownTestSuite() {
    model_.reset();
    other_.reset();
  }
  static std::shared_ptr<const Model> model_, other_;

  std::unique_ptr<Encoder> encoder(double kbps) {
    std::string error;
    auto e = Encoder::Create(model_, kbps, &error);
    EXPECT_NE(e, nullptr) << error;
    return e;
  }
  std::unique_ptr<Decoder> decoder() { return Decoder::Create(model_); }
};

std::shared_ptr<const Model> CodecApi::model_, CodecApi::other_;

TEST_F(CodecApi, ModelReportsTheTinyPresetsLayout) {
  EXPECT_EQ(model_->sample_rate(), 16000);
  EXPECT_EQ(model_->hop(), 128);
  EXPECT_EQ(model_->num_codebooks(), 4);
  EXPECT_EQ(model_->codebook_bits(), 6);
  EXPECT_DOUBLE_EQ(model_->kbps_per_codebook(), 0.75);
  EXPECT_EQ(model_->fingerprint_hex().size(), 16u);
  EXPECT_NE(model_->fingerprint(), other_->fingerprint());
}

TEST_F(CodecApi, BitrateRuleIsFloorCodebooksWithinTheModelElseAnError) {
  EXPECT_EQ(model_->codebooks_for_bitrate(0.75), 1);
  EXPECT_EQ(model_->codebooks_for_bitrate(1.49), 1);
  EXPECT_EQ(model_->codebooks_for_bitrate(1.5), 2);
  EXPECT_EQ(model_->codebooks_for_bitrate(2.25), 3);
  EXPECT_EQ(model_->codebooks_for_bitrate(1.5 - 1e-12), 2);  // rounding noise below a whole codebook still counts
  EXPECT_EQ(model_->codebooks_for_bitrate(3.0), 4);
  // Outside 1 to 4 codebooks: refused, never clamped (encode once took 6.25 as 3 and 0.1 as 0.75).
  for (double kbps : {0.1, 0.74, 3.01, 3.7, 6.25, 1e300, 0.0, -1.0, std::nan(""), double(INFINITY)}) {
    std::string error;
    EXPECT_EQ(model_->codebooks_for_bitrate(kbps, &error), 0) << kbps;
    EXPECT_NE(error.find("outside 0.75 to 3 kbps"), std::string::npos) << error;
  }
  EXPECT_EQ(codebooks_for_bitrate(10, 1.25, 8), 8);
  EXPECT_EQ(codebooks_for_bitrate(11, 1.25, 8), 0);
  EXPECT_EQ(codebooks_for_bitrate(1, 1.25, 8), 0);
  EXPECT_EQ(codebooks_for_bitrate(7, 1.25, 8), 5);
  EXPECT_DOUBLE_EQ(model_->default_bitrate_kbps(), 3.0);  // 6.25 is more than the tiny model has
}

TEST_F(CodecApi, FactoriesRejectInvalidArgumentsWithAMessage) {
  std::string error;
  EXPECT_EQ(Encoder::Create(model_, -1, &error), nullptr);
  EXPECT_NE(error.find("bitrate"), std::string::npos) << error;
  EXPECT_EQ(Encoder::Create(model_, 6.25, &error), nullptr);
  EXPECT_NE(error.find("outside 0.75 to 3 kbps"), std::string::npos) << error;
  error.clear();
  EXPECT_EQ(Encoder::Create(nullptr, 3, &error), nullptr);
  EXPECT_FALSE(error.empty());
  EXPECT_EQ(Decoder::Create(nullptr), nullptr);
  error.clear();
  EXPECT_EQ(Model::Load("/nonexistent/model.safetensors", &error), nullptr);
  EXPECT_FALSE(error.empty());

  auto e = encoder(0);  // the default: 6.25 kbps, or all the tiny model has
  EXPECT_EQ(e->num_codebooks(), 4);
  EXPECT_TRUE(e->set_bitrate(1.5));
  EXPECT_EQ(e->num_codebooks(), 2);
  EXPECT_DOUBLE_EQ(e->bitrate_kbps(), 1.5);
  EXPECT_FALSE(e->set_bitrate(-3));
  EXPECT_EQ(e->num_codebooks(), 2);
}

TEST_F(CodecApi, DecodedLengthEqualsInputLength) {
  auto e = encoder(3.0);
  auto d = decoder();
  for (size_t n : {size_t{0}, size_t{1}, size_t{127}, size_t{128}, size_t{16001}}) {
    const auto x = speechlike(n, 16000, 3);
    const auto codes = e->EncodeCodes(x.data(), n);
    EXPECT_EQ(codes.size(), (n + 127) / 128 * 4) << n;
    StreamInfo info;
    const auto y = d->Decode(e->Encode(x.data(), n, 44100, 2), 0, false, &info);
    EXPECT_EQ(y.size(), n);
    EXPECT_EQ(info.original_samples, n);
    EXPECT_EQ(info.frames, (n + 127) / 128);
    EXPECT_EQ(info.original_rate, 44100);
    EXPECT_EQ(info.original_channels, 2);
    EXPECT_EQ(info.num_codebooks, 4);
    EXPECT_EQ(info.model_fingerprint, model_->fingerprint());
    for (float v : y) ASSERT_TRUE(std::isfinite(v));
  }
}

TEST_F(CodecApi, DecodingAtFewerCodebooksEqualsEncodingAtFewer) {
  const auto x = speechlike(20000, 16000, 5);
  auto d = decoder();
  const auto full = encoder(3.0)->Encode(x.data(), x.size());
  const auto two = encoder(1.5)->Encode(x.data(), x.size());
  const auto y_full_at_two = d->Decode(full, 1.5);
  const auto y_two = d->Decode(two, 0);
  ASSERT_EQ(y_full_at_two.size(), x.size());
  EXPECT_EQ(y_full_at_two, y_two);  // bit-identical samples
  EXPECT_NE(d->Decode(full, 0), y_two) << "4 codebooks should sound different from 2";
  // A bitrate between 2 and 3 codebooks selects 2.
  EXPECT_EQ(d->Decode(full, 2.2), y_two);
}

TEST_F(CodecApi, EntropyCodedAndFixedWidthFilesDecodeToIdenticalSamples) {
  const auto x = speechlike(48000, 16000, 6);  // 3 s: 375 frames, two packets
  auto e = encoder(3.0);
  EXPECT_TRUE(e->entropy_coding());  // the default
  const auto entropy = e->Encode(x.data(), x.size());
  e->set_entropy_coding(false);
  const auto fixed = e->Encode(x.data(), x.size());
  const NwvContents a = ParseNwv(entropy), b = ParseNwv(fixed);
  EXPECT_TRUE(a.info.entropy_coded);
  EXPECT_FALSE(b.info.entropy_coded);
  EXPECT_EQ(a.info.format_version, 2);
  EXPECT_EQ(a.codes, b.codes);
  EXPECT_EQ(a.info.file_bytes, entropy.size());
  EXPECT_EQ(a.info.fixed_width_bytes, fixed.size());
  EXPECT_EQ(b.info.fixed_width_bytes, fixed.size());
  EXPECT_LE(entropy.size(), fixed.size() + 2 * 5);  // at worst the length and coding fields of each packet
  auto d = decoder();
  EXPECT_EQ(d->Decode(entropy), d->Decode(fixed));            // bit-identical samples
  EXPECT_EQ(d->Decode(entropy, 1.5), d->Decode(fixed, 1.5));  // and at a lower bitrate than the file's
  EXPECT_NEAR(a.info.actual_kbps(), entropy.size() * 8.0 / 3.0 / 1000.0, 1e-9);
}

TEST_F(CodecApi, StreamingDecoderConcealsLostFramesKeepingTheTimeline) {
  const auto x = speechlike(48000, 16000, 7);
  const auto codes = encoder(3.0)->EncodeCodes(x.data(), x.size());
  const int n = 4;
  const size_t hop = static_cast<size_t>(model_->hop()), frames = codes.size() / n;
  auto reference = StreamingDecoder::Create(model_), concealing = StreamingDecoder::Create(model_);
  const auto ref_head = reference->push(codes.data(), 100, n);
  const auto ref_gap = reference->push(codes.data() + 100 * n, 50, n);
  const auto ref_tail = reference->push(codes.data() + 150 * n, frames - 150, n);
  const auto head = concealing->push(codes.data(), 100, n);
  const auto gap = concealing->push_lost(50);
  const auto tail = concealing->push(codes.data() + 150 * n, frames - 150, n);
  EXPECT_EQ(head, ref_head);  // nothing changes before the loss
  EXPECT_EQ(gap.size(), ref_gap.size());
  EXPECT_EQ(gap.size(), 50 * hop);
  EXPECT_EQ(tail.size(), ref_tail.size());
  EXPECT_EQ(concealing->flush().size(), reference->flush().size());
  // Faded to silence after kConcealFadeFrames lost frames (8): the rest of the gap is exactly zero.
  EXPECT_TRUE(std::all_of(gap.begin() + 9 * hop, gap.end(), [](float v) { return v == 0.0f; }));
  double first = 0;  // the first lost frame is still audible: the decoder continues on the last good codes
  for (size_t i = 0; i < hop; ++i) first += std::fabs(gap[i]);
  EXPECT_GT(first, 0.0);
  // Good frames after the gap are heard again, and the signal stays finite.
  double energy = 0;
  for (size_t i = 10 * hop; i < tail.size(); ++i) energy += tail[i] * tail[i];
  EXPECT_GT(energy, 0.0);
  EXPECT_TRUE(std::all_of(tail.begin(), tail.end(), [](float v) { return std::isfinite(v); }));
}

TEST_F(CodecApi, DecodingAboveTheFilesBitrateIsAnError) {
  const auto x = speechlike(4000, 16000, 6);
  const auto two = encoder(1.5)->Encode(x.data(), x.size());
  try {
    decoder()->Decode(two, 2.25);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadArgument);
    EXPECT_NE(std::string(e.what()).find("1.5 kbps"), std::string::npos) << e.what();
  }
}

TEST_F(CodecApi, EncodingIsDeterministic) {
  const auto x = speechlike(40000, 16000, 7);
  const auto a = encoder(3.0)->Encode(x.data(), x.size());
  const auto b = encoder(3.0)->Encode(x.data(), x.size());
  EXPECT_EQ(a, b);
}

TEST_F(CodecApi, FileSizeIsWithinThreePercentPlus256BytesOfTheBitrate) {
  for (double seconds : {0.5, 3.0}) {
    const auto x = speechlike(static_cast<size_t>(seconds * 16000), 16000, 8);
    for (double kbps : {0.75, 1.5, 2.25, 3.0}) {
      auto e = encoder(kbps);
      const auto nwv = e->Encode(x.data(), x.size());  // entropy coded: at most 5 bytes per packet above fixed width
      const double bound = 1.03 * e->bitrate_kbps() * 1000 * seconds / 8 + 256;
      EXPECT_LE(static_cast<double>(nwv.size()), bound) << kbps << " kbps, " << seconds << " s";
      e->set_entropy_coding(false);
      const auto fixed = e->Encode(x.data(), x.size());
      EXPECT_LE(static_cast<double>(fixed.size()), bound) << kbps << " kbps, " << seconds << " s";
      EXPECT_GE(static_cast<double>(fixed.size()), e->bitrate_kbps() * 1000 * seconds / 8) << "suspiciously small";
    }
  }
}

TEST_F(CodecApi, AStreamFromAnotherModelIsRefusedUnlessForced) {
  const auto x = speechlike(8000, 16000, 9);
  auto other_encoder = Encoder::Create(other_, 3.0);
  const auto nwv = other_encoder->Encode(x.data(), x.size());
  try {
    decoder()->Decode(nwv);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kModelMismatch);
    const std::string m = e.what();
    EXPECT_NE(m.find(model_->fingerprint_hex()), std::string::npos) << m;
    EXPECT_NE(m.find(other_->fingerprint_hex()), std::string::npos) << m;
  }
  EXPECT_EQ(decoder()->Decode(nwv, 0, /*force=*/true).size(), x.size());
}

TEST_F(CodecApi, DamagedOrForeignStreamsThrowCorruptStream) {
  const auto x = speechlike(8000, 16000, 10);
  const auto nwv = encoder(3.0)->Encode(x.data(), x.size());
  auto expect_corrupt = [&](const std::vector<uint8_t>& bytes, const std::string& what) {
    try {
      decoder()->Decode(bytes);
      ADD_FAILURE() << what << ": no error";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), ErrorCode::kCorruptStream) << what << ": " << e.what();
    }
  };
  expect_corrupt({}, "empty");
  expect_corrupt(std::vector<uint8_t>(nwv.begin(), nwv.end() - 1), "truncated by one byte");
  expect_corrupt(std::vector<uint8_t>(nwv.begin(), nwv.begin() + 30), "truncated header");
  auto flipped = nwv;
  flipped[nwv.size() / 2] ^= 0x10;
  expect_corrupt(flipped, "one flipped bit");
  std::mt19937 gen(1);
  std::vector<uint8_t> random(1000);
  for (auto& b : random) b = static_cast<uint8_t>(gen());
  expect_corrupt(random, "random bytes");
  auto with_magic = random;
  std::copy(nwv.begin(), nwv.begin() + 4, with_magic.begin());
  expect_corrupt(with_magic, "random bytes after the magic");
}

TEST_F(CodecApi, DecodeCodesValidatesItsInput) {
  auto d = decoder();
  std::vector<uint16_t> codes(10 * 2, 3);
  EXPECT_EQ(d->DecodeCodes(codes.data(), 10, 2).size(), 10u * 128);
  EXPECT_THROW(d->DecodeCodes(codes.data(), 10, 0), Error);
  EXPECT_THROW(d->DecodeCodes(codes.data(), 2, 5), Error);  // more codebooks than the model
  codes[7] = 64;                                            // the tiny codebooks have 64 entries
  EXPECT_THROW(d->DecodeCodes(codes.data(), 10, 2), Error);
}

TEST_F(CodecApi, ParseNwvReturnsTheEncodedCodes) {
  const auto x = speechlike(5000, 16000, 11);
  auto e = encoder(2.25);
  const auto codes = e->EncodeCodes(x.data(), x.size());
  const NwvContents c = ParseNwv(e->Encode(x.data(), x.size()));
  EXPECT_EQ(c.codes, codes);
  EXPECT_EQ(c.info.num_codebooks, 3);
  EXPECT_DOUBLE_EQ(c.info.kbps(), 2.25);
  EXPECT_NEAR(c.info.duration_seconds(), 5000 / 16000.0, 1e-12);
}

TEST_F(CodecApi, EncodeRejectsNonFiniteSamples) {
  auto x = speechlike(1000, 16000, 12);
  x[500] = NAN;
  EXPECT_THROW(encoder(3.0)->Encode(x.data(), x.size()), Error);
}

// ---------------------------------------------------------------------------------------------------- locator

class EnvGuard {
 public:
  explicit EnvGuard(const char* name) : name_(name) {
    if (const char* v = std::getenv(name)) saved_ = v, had_ = true;
  }
  ~EnvGuard() {
    if (had_) setenv(name_, saved_.c_str(), 1);
    else unsetenv(name_);
  }

 private:
  const char* name_;
  std::string saved_;
  bool had_ = false;
};

TEST(DefaultModelPath, EnvironmentVariableComesFirst) {
  EnvGuard guard("NWAVE_MODEL");
  setenv("NWAVE_MODEL", tiny_models().model.c_str(), 1);
  EXPECT_EQ(default_model_path(), tiny_models().model);
  setenv("NWAVE_MODEL", "/nonexistent/model.safetensors", 1);
  try {
    default_model_path();
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadModel);
    EXPECT_NE(std::string(e.what()).find("/nonexistent/model.safetensors"), std::string::npos);
  }
}

TEST(DefaultModelPath, NoModelAnywhereSaysPassModel) {
  EnvGuard guard("NWAVE_MODEL");
  unsetenv("NWAVE_MODEL");
  std::string found;
  try {
    found = default_model_path();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kBadModel);
    EXPECT_NE(std::string(e.what()).find("pass --model FILE"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("nwave-16k.safetensors"), std::string::npos) << e.what();
    return;
  }
  // A shipped model exists in this tree: then it must be a real file named as documented.
  EXPECT_NE(found.find("nwave-16k.safetensors"), std::string::npos) << found;
  EXPECT_TRUE(std::filesystem::is_regular_file(found)) << found;
}

// Model::Load builds the engine straight from the file (no LibTorch module): its fingerprint must be the one the
// training graph computes, for both families, and file dtypes other than float32 convert on the way in.
TEST(ModelFromFile, FingerprintEqualsTheTrainingGraphsForBothFamilies) {
  test::TempDir dir("model_from_file");
  for (const std::string preset : {"tiny", "seanet-tiny"}) {
    torch::manual_seed(5);
    CodecModel graph(ModelConfig::preset(preset));
    const std::string path = dir.file(preset + ".safetensors");
    save_model(path, *graph);
    auto model = Model::LoadOrThrow(path);
    EXPECT_EQ(model->fingerprint(), model_fingerprint(*graph)) << preset;
    EXPECT_EQ(model->fingerprint(), load_model(path).fingerprint) << preset;

    SafetensorsFile as_f64 = load_safetensors(path);
    for (auto& [name, tensor] : as_f64.tensors) tensor = tensor.to(torch::kFloat64);
    save_safetensors(dir.file("f64.safetensors"), as_f64);
    EXPECT_EQ(Model::LoadOrThrow(dir.file("f64.safetensors"))->fingerprint(), model->fingerprint()) << preset;
  }
}

// Damage that passes the safetensors and config checks: the engine names the tensor instead of reading past it.
TEST(ModelFromFile, MissingMisShapedOrUnexpectedTensorsAreRejectedByName) {
  test::TempDir dir("model_damage");
  torch::manual_seed(6);
  CodecModel graph(ModelConfig::preset("tiny"));
  save_model(dir.file("ok.safetensors"), *graph);
  const SafetensorsFile good = load_safetensors(dir.file("ok.safetensors"));

  struct Case {
    std::string name, expected_message;
    std::function<void(SafetensorsFile&)> damage;
  };
  const std::vector<Case> cases = {
      {"missing", "missing tensor 'decoder.head.bias'", [](SafetensorsFile& f) { f.tensors.erase("decoder.head.bias"); }},
      {"transposed", "tensor 'encoder.input.weight' has the wrong shape",  // [channels, 3 bins] -> [3 bins, channels]
       [](SafetensorsFile& f) { f.tensors["encoder.input.weight"] = f.tensors["encoder.input.weight"].t().contiguous(); }},
      {"extra", "unexpected tensor 'decoder.extra.weight'",
       [](SafetensorsFile& f) { f.tensors["decoder.extra.weight"] = torch::ones({3}); }},
      {"extra_codebook", "unexpected tensor 'quantizer.layers.9.codebook'",
       [&](SafetensorsFile& f) { f.tensors["quantizer.layers.9.codebook"] = f.tensors["quantizer.layers.0.codebook"]; }},
  };
  for (const auto& c : cases) {
    SafetensorsFile f = good;
    c.damage(f);
    const std::string path = dir.file(c.name + ".safetensors");
    save_safetensors(path, f);
    std::string error;
    EXPECT_EQ(Model::Load(path, &error), nullptr) << c.name;
    EXPECT_NE(error.find(c.expected_message), std::string::npos) << c.name << ": " << error;
    EXPECT_NE(error.find(path), std::string::npos) << c.name << ": " << error;
  }
}

}  // namespace
}  // namespace nwave

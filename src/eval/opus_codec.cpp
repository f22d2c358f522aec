#include "eval/opus_codec.h"

#include <opus.h>

#include <memory>
#include <string>

#include "nwave/audio.h"
#include "nwave/error.h"

namespace nwave::eval {

namespace {

constexpr int kFrameSamples = kSampleRate / 50;  // 20 ms: the usual VoIP packet, and Lyra's
constexpr int kMaxPacketBytes = 4000;            // libopus' recommended upper bound for one packet

struct EncoderDeleter {
  void operator()(OpusEncoder* e) const { opus_encoder_destroy(e); }
};
struct DecoderDeleter {
  void operator()(OpusDecoder* d) const { opus_decoder_destroy(d); }
};

void check(int ret, const char* what) {
  if (ret < 0) throw Error(ErrorCode::kBadArgument, std::string("opus: ") + what + ": " + opus_strerror(ret));
}

}  // namespace

OpusResult opus_roundtrip(const std::vector<float>& x16k, int bitrate_bps) {
  if (bitrate_bps < 500 || bitrate_bps > 512000)
    throw Error(ErrorCode::kBadArgument, "opus bitrate must be 500..512000 bit/s (got " + std::to_string(bitrate_bps) + ")");
  int err = OPUS_OK;
  std::unique_ptr<OpusEncoder, EncoderDeleter> enc(opus_encoder_create(kSampleRate, 1, OPUS_APPLICATION_VOIP, &err));
  check(err, "cannot create encoder");
  std::unique_ptr<OpusDecoder, DecoderDeleter> dec(opus_decoder_create(kSampleRate, 1, &err));
  check(err, "cannot create decoder");
  check(opus_encoder_ctl(enc.get(), OPUS_SET_BITRATE(bitrate_bps)), "bitrate");
  check(opus_encoder_ctl(enc.get(), OPUS_SET_VBR(0)), "vbr");
  check(opus_encoder_ctl(enc.get(), OPUS_SET_MAX_BANDWIDTH(OPUS_BANDWIDTH_WIDEBAND)), "bandwidth");
  check(opus_encoder_ctl(enc.get(), OPUS_SET_COMPLEXITY(10)), "complexity");  // the default, made explicit
  opus_int32 lookahead = 0;
  check(opus_encoder_ctl(enc.get(), OPUS_GET_LOOKAHEAD(&lookahead)), "lookahead");

  // The decoder's output lags the input by `lookahead` samples: feed that many extra zeros (rounded up to whole
  // frames) and drop the first `lookahead` decoded samples, so the output lines up with the input exactly.
  const size_t n = x16k.size();
  const size_t needed = n + static_cast<size_t>(lookahead);
  const size_t frames = (needed + kFrameSamples - 1) / kFrameSamples;
  std::vector<float> input(frames * kFrameSamples, 0.0f);
  std::copy(x16k.begin(), x16k.end(), input.begin());

  OpusResult result;
  std::vector<float> decoded;
  decoded.reserve(input.size());
  std::vector<unsigned char> packet(kMaxPacketBytes);
  std::vector<float> pcm(kFrameSamples);
  for (size_t f = 0; f < frames; ++f) {
    const opus_int32 bytes =
        opus_encode_float(enc.get(), input.data() + f * kFrameSamples, kFrameSamples, packet.data(), kMaxPacketBytes);
    check(bytes, "encoding failed");
    result.encoded_bytes += static_cast<size_t>(bytes);
    const int got = opus_decode_float(dec.get(), packet.data(), bytes, pcm.data(), kFrameSamples, 0);
    check(got, "decoding failed");
    decoded.insert(decoded.end(), pcm.begin(), pcm.begin() + got);
  }
  const auto begin = decoded.begin() + std::min<std::ptrdiff_t>(lookahead, static_cast<std::ptrdiff_t>(decoded.size()));
  result.decoded.assign(begin, begin + static_cast<std::ptrdiff_t>(std::min<size_t>(n, decoded.end() - begin)));
  result.decoded.resize(n, 0.0f);
  return result;
}

}  // namespace nwave::eval

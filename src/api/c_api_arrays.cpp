// The C API's in-memory section (include/nwave/nwave.h, "Arrays in memory"): audio arrays at any rate and channel
// count prepared exactly as audio files are read, and whole-signal codes. The Python module is built on these.
#include <cstring>
#include <string>
#include <vector>

#include "api/c_api_internal.h"
#include "api/parallel_blocks.h"
#include "audio/audio_input.h"
#include "audio/stream_resampler.h"

using nwave::c_api::copy_out;
using nwave::c_api::fail;
using nwave::c_api::guarded;
using nwave::c_api::null_argument;

namespace {

bool valid_rate(int rate) { return rate >= nwave::audio::kMinInputRate && rate <= nwave::audio::kMaxInputRate; }

}  // namespace

extern "C" {

uint64_t nwave_model_fingerprint(const nwave_model* model) { return model ? model->model->fingerprint() : 0; }

size_t nwave_audio_prepared_length(const nwave_model* model, size_t frames, int rate) {
  if (!model || !valid_rate(rate)) return 0;
  return static_cast<size_t>(nwave::audio::StreamResampler::output_length(frames, rate, model->model->sample_rate()));
}

int nwave_audio_prepare(const nwave_model* model, const float* pcm, size_t frames, int channels, int rate, float* out,
                        size_t max_samples, size_t* samples) {
  if (!model || !samples || (!pcm && frames > 0)) return null_argument("nwave_audio_prepare");
  *samples = 0;
  if (!valid_rate(rate))
    return fail(NWAVE_BAD_ARG, "sample rate " + std::to_string(rate) + " Hz is outside " +
                                   std::to_string(nwave::audio::kMinInputRate) + " to " +
                                   std::to_string(nwave::audio::kMaxInputRate) + " Hz");
  if (channels < 1 || channels > nwave::audio::kMaxInputChannels)
    return fail(NWAVE_BAD_ARG, std::to_string(channels) + " channels: 1 to " +
                                   std::to_string(nwave::audio::kMaxInputChannels) +
                                   " are accepted (is the array [samples, channels] instead of [channels, samples]?)");
  const size_t needed = nwave_audio_prepared_length(model, frames, rate);
  if (!out || needed > max_samples) {
    *samples = needed;
    return fail(NWAVE_BUFFER_TOO_SMALL, "nwave_audio_prepare: room for " + std::to_string(needed) + " samples needed");
  }
  return guarded([&] {
    // As AudioReader does with a file: blocks of kMixBlockFrames frames mixed to mono, then through one resampler.
    nwave::audio::StreamResampler resampler(rate, model->model->sample_rate());
    std::vector<float> mono, prepared;
    prepared.reserve(needed);
    for (size_t start = 0; start < frames; start += nwave::audio::kMixBlockFrames) {
      const size_t n = std::min(nwave::audio::kMixBlockFrames, frames - start);
      mono.resize(n);
      for (size_t i = 0; i < n; ++i)
        if (!nwave::audio::mix_to_mono(pcm + start + i, channels, frames, &mono[i]))
          return fail(NWAVE_BAD_AUDIO, "sample " + std::to_string(start + i) + " is NaN or infinite");
      resampler.process(mono.data(), n, prepared);
    }
    resampler.flush(prepared);
    return copy_out(prepared, 1, out, max_samples, samples, "nwave_audio_prepare");
  });
}

int nwave_nwv_encode_with_origin(const nwave_model* model, double kbps, const float* pcm, size_t samples,
                                 int original_rate, int original_channels, uint8_t* out, size_t max_bytes,
                                 size_t* bytes) {
  return nwave_nwv_encode_with_origin_threads(model, kbps, pcm, samples, original_rate, original_channels, out,
                                              max_bytes, bytes, 1);
}

int nwave_nwv_encode_with_origin_threads(const nwave_model* model, double kbps, const float* pcm, size_t samples,
                                         int original_rate, int original_channels, uint8_t* out, size_t max_bytes,
                                         size_t* bytes, int threads) {
  return nwave::c_api::encode_nwv("nwave_nwv_encode_with_origin", model, kbps, pcm, samples, original_rate,
                                  original_channels, out, max_bytes, bytes, threads);
}

int nwave_codes_encode(const nwave_model* model, double kbps, const float* pcm, size_t samples, uint16_t* codes,
                       size_t max_frames, size_t* frames) {
  return nwave_codes_encode_threads(model, kbps, pcm, samples, codes, max_frames, frames, 1);
}

int nwave_codes_encode_threads(const nwave_model* model, double kbps, const float* pcm, size_t samples,
                               uint16_t* codes, size_t max_frames, size_t* frames, int threads) {
  if (!model || !frames || (!pcm && samples > 0) || (!codes && max_frames > 0)) return null_argument("nwave_codes_encode");
  *frames = 0;
  return guarded([&] {
    std::string error;
    auto encoder = nwave::Encoder::Create(model->model, kbps, &error);
    if (!encoder) return fail(NWAVE_BAD_ARG, error);
    encoder->set_threads(nwave::resolve_threads(threads));
    const size_t hop = static_cast<size_t>(model->model->hop());
    const size_t needed = (samples + hop - 1) / hop;
    if (needed > max_frames)
      return fail(NWAVE_BUFFER_TOO_SMALL, "nwave_codes_encode: room for " + std::to_string(max_frames) + " frames, " +
                                              std::to_string(needed) + " needed");
    const size_t n = static_cast<size_t>(encoder->num_codebooks());
    return copy_out(encoder->EncodeCodes(pcm, samples), n, codes, max_frames, frames, "nwave_codes_encode");
  });
}

int nwave_codes_decode(const nwave_model* model, const uint16_t* codes, size_t frames, int codebooks, float* pcm,
                       size_t max_samples, size_t* samples) {
  return nwave_codes_decode_threads(model, codes, frames, codebooks, pcm, max_samples, samples, 1);
}

int nwave_codes_decode_threads(const nwave_model* model, const uint16_t* codes, size_t frames, int codebooks,
                               float* pcm, size_t max_samples, size_t* samples, int threads) {
  if (!model || !samples || (!codes && frames > 0) || (!pcm && max_samples > 0)) return null_argument("nwave_codes_decode");
  *samples = 0;
  const size_t hop = static_cast<size_t>(model->model->hop());
  if (frames > max_samples / hop)
    return fail(NWAVE_BUFFER_TOO_SMALL, "nwave_codes_decode: room for " + std::to_string(max_samples) + " samples, " +
                                            std::to_string(frames) + " frames need " + std::to_string(frames * hop));
  return guarded([&] {
    auto decoder = nwave::Decoder::Create(model->model);
    decoder->set_threads(nwave::resolve_threads(threads));
    return copy_out(decoder->DecodeCodes(codes, frames, codebooks), 1, pcm, max_samples, samples, "nwave_codes_decode");
  });
}

}  // extern "C"

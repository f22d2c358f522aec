// Multichannel audio to mono, one definition for every way audio enters the library: files (AudioReader) and
// arrays handed over by a program (nwave_audio_prepare in the C API, which the Python module uses). Both mix the
// same way and feed the resampler in the same blocks, so a signal read from a file and the same signal passed as an
// array give identical 16 kHz samples, and so identical codes.
#pragma once
#include <cmath>
#include <cstddef>

namespace nwave::audio {

// The inputs accepted. The rates are bounded both ways: a header claiming 1 Hz would make the resampler write 16000
// samples per input sample (a small file could ask for tens of gigabytes), and real recordings lie well within.
// The channel limit also catches an array passed as [samples, channels] instead of [channels, samples].
constexpr int kMaxInputChannels = 64;
constexpr int kMinInputRate = 1000;     // Hz; below any real recording (telephony starts at 8000)
constexpr int kMaxInputRate = 1000000;  // Hz; as the .nwv header's original_sample_rate field

// Frames handed to the resampler at a time (and decoded per libsndfile call): bounded memory for any length.
constexpr size_t kMixBlockFrames = 4096;

// The mean of `channels` samples spaced `stride` floats apart (1 for interleaved frames, the channel length for
// channel-major arrays), summed in double. Returns false, leaving *mono alone, if one of them is NaN or infinite.
inline bool mix_to_mono(const float* first, int channels, size_t stride, float* mono) {
  double sum = 0.0;
  for (int c = 0; c < channels; ++c) {
    const float v = first[static_cast<size_t>(c) * stride];
    if (!std::isfinite(v)) return false;
    sum += v;
  }
  *mono = static_cast<float>(sum / channels);
  return true;
}

}  // namespace nwave::audio

// Audio file input and output. Everything inside NeuralWave-RVQ works on 16 kHz mono float samples in [-1, 1];
// these functions are the only place where other rates, channel counts and file formats are dealt with.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nwave/export.h"

namespace nwave {

constexpr int kSampleRate = 16000;

struct Audio {
  std::vector<float> samples;  // 16 kHz mono
  int original_rate = 0;       // as stored in the file
  int original_channels = 0;
};

// Reads any format the installed libsndfile decodes (path "-": standard input, e.g. WAV from a pipe) (WAV, FLAC, OGG/Vorbis, Opus, MP3, ...), averages the channels
// to mono and resamples to kSampleRate with libsoxr. Integer formats come out in [-1, 1]; float files are passed
// through unscaled. A file with zero frames gives empty samples.
// Throws Error(kIo) if the file cannot be opened, Error(kBadAudio) if it cannot be decoded, has an unusable header
// (rate <= 0, more than 64 channels) or contains NaN/Inf samples.
NWAVE_EXPORT Audio read_audio(const std::string& path);

// Resamples mono audio with libsoxr (high quality). Returns x unchanged when the rates are equal; otherwise
// round(x.size() * to_rate / from_rate) samples. Throws Error(kBadArgument) for non-positive rates.
NWAVE_EXPORT std::vector<float> resample(const std::vector<float>& x, int from_rate, int to_rate);

// Writes a 16-bit PCM mono WAV file, clipping samples to [-1, 1]. Atomic: written to path + ".tmp" and renamed, so
// a failure leaves nothing at path. Throws Error(kIo) on write failures, Error(kBadArgument) for a bad rate or
// non-finite samples.
NWAVE_EXPORT void write_wav16(const std::string& path, const std::vector<float>& samples, int rate);

// Streaming reader for files too long to hold in memory: yields 16 kHz mono samples block by block with bounded
// memory, exactly the samples read_audio() would return (read_audio is built on it).
class NWAVE_EXPORT AudioReader {
 public:
  // Opens the file and checks its header; throws as read_audio() does.
  static std::unique_ptr<AudioReader> open(const std::string& path);
  ~AudioReader();
  AudioReader(const AudioReader&) = delete;
  AudioReader& operator=(const AudioReader&) = delete;

  // Writes up to max_samples 16 kHz mono samples to out16k; returns how many, 0 only at the end of the file.
  // Throws Error(kBadAudio) on decoding errors and NaN/Inf samples.
  size_t read(float* out16k, size_t max_samples);

  int original_rate() const;
  int original_channels() const;
  // About how many 16 kHz samples the file's header announces; 0 when it does not say (a pipe, some formats).
  // A hint for planning work (parallel blocks), not a promise: read() until it returns 0.
  uint64_t announced_samples() const;

 private:
  struct Impl;
  explicit AudioReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Streaming 16-bit PCM mono WAV writer. Samples go to path + ".tmp"; commit() renames it to path. Destroying the
// writer without commit() removes the temporary file, so an exception midway leaves no partial output. A device
// or FIFO is written in place; path "-" is standard output. Where the output cannot seek back (a pipe), the header
// is written first, for expected_samples samples (commit() then checks that many were written), or with the
// "length unknown" sizes 0xFFFFFFFF when expected_samples is 0.
class NWAVE_EXPORT WavWriter {
 public:
  // Throws Error(kBadArgument) for rate <= 0, Error(kIo) if the temporary file cannot be created.
  WavWriter(const std::string& path, int rate, uint64_t expected_samples = 0);
  ~WavWriter();
  WavWriter(const WavWriter&) = delete;
  WavWriter& operator=(const WavWriter&) = delete;

  // Appends samples, clipped to [-1, 1]. Throws Error(kBadArgument) for NaN/Inf, Error(kIo) on write failures.
  void write(const float* samples, size_t n);
  void write(const std::vector<float>& samples) { write(samples.data(), samples.size()); }

  // Finishes the file and moves it into place. Throws Error(kIo) on failure. No writes are allowed afterwards.
  void commit();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace nwave

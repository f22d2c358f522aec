// Block-wise sample-rate conversion with libsoxr (high quality), shared by the one-shot resample() and the
// streaming AudioReader so both produce identical samples.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

struct soxr;  // libsoxr's handle; kept out of this header

namespace nwave::audio {

class StreamResampler {
 public:
  // Throws Error(kBadArgument) for non-positive rates. Equal rates pass samples through untouched.
  StreamResampler(int from_rate, int to_rate);
  ~StreamResampler();
  StreamResampler(const StreamResampler&) = delete;
  StreamResampler& operator=(const StreamResampler&) = delete;

  // Converts the next n input samples, appending whatever output is ready to out (soxr keeps a filter delay back).
  void process(const float* in, size_t n, std::vector<float>& out);

  // Ends the stream: appends the delayed tail so that the total output is exactly round(n_in * to / from)
  // samples, the length users expect from a resampler (soxr alone may differ by a sample or two).
  void flush(std::vector<float>& out);

  // Output samples that n input samples correspond to: round(n * to / from).
  static uint64_t output_length(uint64_t n, int from_rate, int to_rate);

 private:
  int from_rate_, to_rate_;
  soxr* soxr_ = nullptr;  // null when the rates are equal
  uint64_t consumed_ = 0, produced_ = 0;
};

}  // namespace nwave::audio

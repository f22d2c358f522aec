#include "audio/stream_resampler.h"

#include <soxr.h>

#include <string>

#include "nwave/error.h"

namespace nwave::audio {

StreamResampler::StreamResampler(int from_rate, int to_rate) : from_rate_(from_rate), to_rate_(to_rate) {
  if (from_rate <= 0 || to_rate <= 0)
    throw Error(ErrorCode::kBadArgument, "sample rates must be positive (got " + std::to_string(from_rate) + " -> " +
                                             std::to_string(to_rate) + ")");
  if (from_rate == to_rate) return;
  soxr_error_t err = nullptr;
  const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
  soxr_ = soxr_create(from_rate, to_rate, 1, &err, &io, &quality, nullptr);
  if (err || !soxr_) throw Error(ErrorCode::kBadArgument, std::string("cannot create resampler: ") + (err ? err : "?"));
}

StreamResampler::~StreamResampler() {
  if (soxr_) soxr_delete(soxr_);
}

uint64_t StreamResampler::output_length(uint64_t n, int from_rate, int to_rate) {
  // Integer rounding: n * to stays far below 2^64 for any real recording (2^64 / 384 kHz is 1.5 million years).
  return (n * static_cast<uint64_t>(to_rate) + static_cast<uint64_t>(from_rate) / 2) / static_cast<uint64_t>(from_rate);
}

void StreamResampler::process(const float* in, size_t n, std::vector<float>& out) {
  consumed_ += n;
  if (!soxr_) {
    out.insert(out.end(), in, in + n);
    produced_ += n;
    return;
  }
  // soxr may take only part of the input when the output buffer fills up: loop until it has taken all of it.
  size_t taken = 0;
  while (taken < n) {
    const size_t room = static_cast<size_t>(static_cast<double>(n - taken) * to_rate_ / from_rate_) + 64;
    const size_t base = out.size();
    out.resize(base + room);
    size_t idone = 0, odone = 0;
    if (soxr_error_t err = soxr_process(soxr_, in + taken, n - taken, &idone, out.data() + base, room, &odone))
      throw Error(ErrorCode::kBadAudio, std::string("resampling failed: ") + err);
    out.resize(base + odone);
    produced_ += odone;
    taken += idone;
  }
}

void StreamResampler::flush(std::vector<float>& out) {
  const uint64_t wanted = output_length(consumed_, from_rate_, to_rate_);
  if (soxr_) {
    // A null input tells soxr the stream has ended; it then drains the samples held back by its filter.
    while (produced_ < wanted) {
      const size_t room = static_cast<size_t>(wanted - produced_);
      const size_t base = out.size();
      out.resize(base + room);
      size_t odone = 0;
      if (soxr_error_t err = soxr_process(soxr_, nullptr, 0, nullptr, out.data() + base, room, &odone))
        throw Error(ErrorCode::kBadAudio, std::string("resampling failed: ") + err);
      out.resize(base + odone);
      produced_ += odone;
      if (odone == 0) break;
    }
  }
  // Pad with silence if soxr delivered a sample short; a surplus cannot occur because flush asks for no more.
  if (produced_ < wanted) {
    out.insert(out.end(), static_cast<size_t>(wanted - produced_), 0.0f);
    produced_ = wanted;
  }
}

}  // namespace nwave::audio

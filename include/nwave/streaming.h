// Streaming encoding and decoding: audio in chunks of any size, codes frame by frame, with bounded memory and a
// fixed algorithmic latency. No LibTorch types here.
//
// Guarantee: whatever the chunking, a StreamingEncoder produces exactly the codes of Encoder::EncodeCodes on the
// whole signal, and a StreamingDecoder exactly the samples (bit for bit, float32) of Decoder::DecodeCodes. Both
// paths run one inference engine whose layers keep their causal left context and whose kernels compute every
// frame with the same arithmetic whatever the number of frames processed together.
//
// Algorithmic latency (Model-dependent, see latency_samples()):
// - spectral family: a frame of hop samples must be complete before it is encoded, and the decoder's output block
//   j is final only once frame j + 1 is known (the 256-point synthesis window overlaps the next frame): one frame
//   of delay in the decoder. 128 + 128 = 256 samples = 16 ms at 16 kHz.
// - SEANet family: one frame (128 samples = 8 ms); the decoder emits each frame's samples at once.
//
// Usage:
//   auto enc = nwave::StreamingEncoder::Create(model, 6.25);
//   auto dec = nwave::StreamingDecoder::Create(model);
//   for each chunk:  codes = enc->push(chunk, n);  pcm = dec->push(codes.data(), codes.size() / enc->num_codebooks(), enc->num_codebooks());
//   at the end:      codes = enc->flush();        pcm = dec->push(...); tail = dec->flush();
// The decoded signal then has ceil(total / hop) * hop samples: trim it to the input length.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nwave/codec.h"

namespace nwave {

class NWAVE_EXPORT StreamingEncoder {
 public:
  // As Encoder::Create: nullptr (and a message in *error) for a null model or an invalid bitrate.
  static std::unique_ptr<StreamingEncoder> Create(std::shared_ptr<const Model> model,
                                                  double kbps = 0, std::string* error = nullptr);
  ~StreamingEncoder();
  StreamingEncoder(const StreamingEncoder&) = delete;
  StreamingEncoder& operator=(const StreamingEncoder&) = delete;

  // Takes any number of samples (in [-1, 1], at the model's rate) and returns the codes of every frame they
  // complete, frame-major [frames][num_codebooks()]; a partial frame waits for the next call. Throws
  // Error(kBadArgument) for NaN/Inf samples (nothing is consumed then) or samples == nullptr with n > 0.
  std::vector<uint16_t> push(const float* samples, size_t n);
  // Ends the stream: the pending partial frame, zero-padded, is encoded (no codes when none is pending). The
  // encoder is then reset and ready for a new stream.
  std::vector<uint16_t> flush();
  // Forgets the stream (pending samples and every layer's history).
  void reset();

  // Takes effect from the next frame. Returns false (and changes nothing) for an invalid bitrate.
  bool set_bitrate(double kbps);
  int num_codebooks() const;
  double bitrate_kbps() const;
  int frame_samples() const;        // hop: samples per frame
  uint64_t samples_pushed() const;  // since the last reset/flush
  const Model& model() const;

 private:
  StreamingEncoder(std::shared_ptr<const Model> model, int num_codebooks);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class NWAVE_EXPORT StreamingDecoder {
 public:
  static std::unique_ptr<StreamingDecoder> Create(std::shared_ptr<const Model> model, std::string* error = nullptr);
  ~StreamingDecoder();
  StreamingDecoder(const StreamingDecoder&) = delete;
  StreamingDecoder& operator=(const StreamingDecoder&) = delete;

  // Takes `frames` frames of frame-major codes [frames][num_codebooks] and returns hop samples per frame, delayed
  // by delay_frames() frames (the first calls of a spectral stream return one frame fewer). 1 <= num_codebooks <=
  // the model's; codes must be < the codebook size. Throws Error(kBadArgument) otherwise (nothing is consumed).
  // num_codebooks may change between calls (a bitrate switch).
  std::vector<float> push(const uint16_t* codes, size_t frames, int num_codebooks);
  // Packet loss: `frames` frames whose codes never arrived (a damaged or missing packet). Returns hop samples per
  // frame, like push(), concealing the gap: the decoder runs on the last good frame's codes while the output fades
  // to silence within 8 frames (64 ms); the next good frames ramp back up over one frame. Without losses, output is
  // unchanged (bit-exact).
  std::vector<float> push_lost(size_t frames);
  // Ends the stream: returns the samples still held back (delay_frames() * hop of them once a stream has at least
  // that many frames), then resets.
  std::vector<float> flush();
  void reset();

  int delay_frames() const;  // spectral: synthesis_fft / hop - 1 (1 by default); SEANet: 0
  const Model& model() const;

 private:
  explicit StreamingDecoder(std::shared_ptr<const Model> model);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Algorithmic latency of encode + decode in samples at the model's rate: spectral 256 (16 ms), SEANet 128 (8 ms).
NWAVE_EXPORT int latency_samples(const Model& model);

}  // namespace nwave

// The inference engine: one float32 implementation of the trained codec (both families) that offline and
// streaming encoding and decoding share. Weights are read once from a model file and packed; every layer keeps
// its causal left context (the analysis window's look-back, the last k - 1 frames of each causal convolution, the
// pending half of the overlap-add), so a signal fed in blocks of any size gives exactly the frames it gives in one
// block. With the row-independent kernels (kernels.h) "exactly" means bit for bit.
//
// Offline encode = EncoderState fed the whole (zero-padded) signal; offline decode = DecoderState fed every frame,
// then flush(); on several threads, blocks of them (ReceptiveField below, src/api/parallel_blocks.h). The torch
// CodecModel stays the training graph; tests check the engine against it (tolerance).
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "model/model_config.h"

namespace nwave {
class SafetensorsReader;
}

namespace nwave::engine {

struct Weights;  // immutable, shared by every state built from them

// Every layer keeps a FINITE history (a few rows) and no running statistic, so a frame's result depends on a bounded
// window of input frames. A fresh state first fed the `encoder_history` frames before frame s therefore gives, from
// frame s on, bit for bit what a state that has run since frame 0 gives: the differences its zero history makes die
// out within that many frames. That is what lets blocks of a signal be encoded (decoded) on several threads at once.
// The bounds are computed from the layers actually built, rounding every strided layer outwards, so they may exceed
// the exact receptive field by a frame but never fall short of it.
struct ReceptiveField {
  int64_t encoder_history = 0;  // the codes of frame f depend on the samples of frames f - encoder_history .. f
  int64_t decoder_history = 0;  // output block j (hop samples) depends on the codes of frames
  int64_t decoder_delay = 0;    // j - decoder_history .. j + decoder_delay (DecoderState::delay_frames())
};

class EngineModel {
 public:
  // Reads the weights straight from the model file, one tensor at a time, and packs them: no LibTorch module is
  // built, so loading costs little more memory than the packed weights. Every tensor's shape is checked against
  // the config; a missing, mis-shaped or unexpected tensor throws Error(kBadModel).
  EngineModel(const ModelConfig& config, SafetensorsReader& file);
  ~EngineModel();
  const ModelConfig& config() const;
  const Weights& weights() const { return *weights_; }
  // Multiply-accumulates per frame (encoder + n codebooks of quantizer search; decoder), for GFLOP/s reports.
  double encoder_macs_per_frame(int num_codebooks) const;
  double decoder_macs_per_frame() const;
  // How far back each layer's kept history reaches, summed over the layers (see ReceptiveField).
  ReceptiveField receptive_field() const;

 private:
  std::shared_ptr<const Weights> weights_;
};

// Samples -> codes. push() takes whole frames only (the public StreamingEncoder buffers partial ones).
class EncoderState {
 public:
  explicit EncoderState(const EngineModel& model);
  ~EncoderState();
  void reset();
  // frames * hop samples in; frames * n codes out, frame-major, appended to codes. num_codebooks 0 runs the layers
  // without the quantizer search (a warm-up whose codes are not wanted).
  void push(const float* samples, int64_t frames, int num_codebooks, std::vector<uint16_t>& codes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Codes -> samples, with the family's fixed delay (spectral: one frame; SEANet: none).
class DecoderState {
 public:
  explicit DecoderState(const EngineModel& model);
  ~DecoderState();
  void reset();
  // frames of frame-major codes [frames][num_codebooks] in (already range-checked); samples appended to out.
  void push(const uint16_t* codes, int64_t frames, int num_codebooks, std::vector<float>& out);
  // Appends the samples still held back (spectral: the last hop); afterwards behaves as after reset().
  void flush(std::vector<float>& out);
  int delay_frames() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Frames processed per engine call: bounds the working memory whatever the input length.
constexpr int64_t kMaxBlockFrames = 256;

}  // namespace nwave::engine
